#!/usr/bin/env node
// Interop vectors made by an independent SMPP implementation: the npm `smpp` package
// (installed by `npm ci` in tests/interop/, pinned by its package-lock.json).
//
//   node crates/smppd-codec/tests/vectors/gen/node.js [--out DIR]
//       Encodes every vector below with the library's own encoder (PDU#toBuffer) and writes
//       DIR/<name>.hex (the whole PDU, lowercase hex, one line) and DIR/<name>.json (the PDU as
//       the library decodes those bytes again, rendered with spec field names; see README.md).
//       DIR defaults to crates/smppd-codec/tests/vectors/node.
//   node crates/smppd-codec/tests/vectors/gen/node.js --check DIR
//       Decodes every DIR/*.hex (made by another implementation) with this library and prints
//       where its reading differs from DIR/*.json. Exit 0 even when they differ: differences
//       are library quirks to read, not failures.
//
// Output is deterministic: fixed sequence numbers, no clock.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const here = __dirname;
const repo = path.resolve(here, '../../../../..');
const interop = path.join(repo, 'tests/interop');
let smpp;
try {
	smpp = createRequire(path.join(interop, 'package.json'))('smpp');
} catch (e) {
	console.error(`node.js: cannot load the npm smpp package from ${interop}/node_modules: run \`npm ci\` there (${e.message})`);
	process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(path.join(here, 'spec.json'), 'utf8'));
const PDU = smpp.PDU;

// A vendor TLV, declared through the library's own extension hook so that its encoder writes it.
smpp.addTLV('vendor_0x1400', { id: 0x1400, type: smpp.types.tlv.buffer });

const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s) => Buffer.from(s, 'ascii');

const receiptText =
	'id:0a1b2c3d sub:001 dlvrd:001 submit date:2511211200 done date:2511211201 stat:DELIVRD err:000 text:Hello from smppd';
const payload300 = Buffer.alloc(300);
for (let i = 0; i < payload300.length; i++) payload300[i] = 0x41 + (i % 26);

// name, command, options (header fields + body + TLVs, as the library takes them).
// Strings for short_message go through the library's own text encoders (noted per vector).
const vectors = [
	['bind_transmitter', 'bind_transmitter', { sequence_number: 1, system_id: 'smppclient1', password: 'pwd1', system_type: 'VMA', interface_version: 0x34, addr_ton: 1, addr_npi: 1, address_range: '' }],
	['bind_receiver', 'bind_receiver', { sequence_number: 2, system_id: 'rx-account', password: 'secret', system_type: '', interface_version: 0x34, addr_ton: 2, addr_npi: 1, address_range: '^4477[0-9]+$' }],
	['bind_transceiver', 'bind_transceiver', { sequence_number: 3, system_id: 'trx', password: '', system_type: 'SMPP', interface_version: 0x34 }],
	['bind_transceiver_default_version', 'bind_transceiver', { sequence_number: 4, system_id: 'trx' }],
	['bind_transmitter_resp', 'bind_transmitter_resp', { sequence_number: 1, system_id: 'SMSC', sc_interface_version: 0x34 }],
	['bind_receiver_resp', 'bind_receiver_resp', { sequence_number: 2, system_id: 'SMSC-RX' }],
	['bind_transceiver_resp', 'bind_transceiver_resp', { sequence_number: 3, system_id: 'smsc-trx', sc_interface_version: 0x34 }],
	['bind_transceiver_resp_bindfail', 'bind_transceiver_resp', { sequence_number: 4, command_status: 0x0d, system_id: 'ignored' }],
	['outbind', 'outbind', { sequence_number: 5, system_id: 'smsc', password: 'ob-pwd' }],
	['unbind', 'unbind', { sequence_number: 6 }],
	['unbind_resp', 'unbind_resp', { sequence_number: 6 }],
	['enquire_link', 'enquire_link', { sequence_number: 7 }],
	['enquire_link_resp', 'enquire_link_resp', { sequence_number: 7 }],
	['generic_nack', 'generic_nack', { sequence_number: 8, command_status: 0x03 }],
	['submit_sm', 'submit_sm', {
		sequence_number: 10, service_type: '', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'smppd',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123', registered_delivery: 1,
		data_coding: 0, short_message: ascii('Hello from smppd'),
	}],
	// short_message as a JS string with data_coding left to the library: it picks its GSM 03.38
	// encoder (one septet per octet) and labels it data_coding 0x01 (IA5) - see README.md.
	['submit_sm_library_gsm', 'submit_sm', {
		sequence_number: 11, source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123',
		short_message: 'Hi @home_5€ {ok} [x]~',
	}],
	['submit_sm_ucs2', 'submit_sm', {
		sequence_number: 12, service_type: 'CMT', source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '79001234567', esm_class: 0x03, protocol_id: 0,
		priority_flag: 1, registered_delivery: 0x11, data_coding: 0x08, short_message: 'Привет 👋 smppd',
	}],
	['submit_sm_latin1', 'submit_sm', {
		sequence_number: 13, source_addr_ton: 5, source_addr_npi: 0, source_addr: 'Cafe', dest_addr_ton: 1, dest_addr_npi: 1,
		destination_addr: '33612345678', data_coding: 0x03, short_message: 'Crème brûlée à 5€? non: 5 EUR',
	}],
	// short_message as {udh, message}: the library prefixes the UDH and sets esm_class bit 0x40.
	['submit_sm_udh_concat', 'submit_sm', {
		sequence_number: 14, source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123', data_coding: 0,
		short_message: { udh: hex('050003a70201'), message: 'Part one of two, GSM text' },
	}],
	['submit_sm_sar', 'submit_sm', {
		sequence_number: 15, source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123', data_coding: 0x04,
		short_message: hex('00010203fffe80'), sar_msg_ref_num: 0x1234, sar_total_segments: 3, sar_segment_seqnum: 2,
		user_message_reference: 42,
	}],
	// Times: an absolute time as given, and the library's relative shorthand ('000001000000' -> '000001000000000R').
	['submit_sm_message_payload', 'submit_sm', {
		sequence_number: 16, service_type: 'WAP', source_addr_ton: 3, source_addr_npi: 9, source_addr: '1234',
		dest_addr_ton: 2, dest_addr_npi: 8, destination_addr: '07700900123', esm_class: 0x01,
		schedule_delivery_time: '251231235959104+', validity_period: '000001000000', registered_delivery: 2,
		replace_if_present_flag: 1, data_coding: 0x04, short_message: Buffer.alloc(0),
		message_payload: payload300, source_port: 16000, dest_port: 16001, user_message_reference: 0xfffe,
	}],
	['submit_sm_tlv_mix', 'submit_sm', {
		sequence_number: 17, source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123', data_coding: 0, short_message: ascii('tlv mix'),
		dest_addr_subunit: 1, dest_network_type: 1, dest_bearer_type: 1, dest_telematics_id: 0x0102,
		qos_time_to_live: 86400, payload_type: 0, privacy_indicator: 2, source_subaddress: hex('a0313233'),
		dest_subaddress: hex('a0343536'), user_response_code: 7, language_indicator: 1, number_of_messages: 3,
		callback_num_pres_ind: [0x01], callback_num_atag: [hex('0048656c70')], callback_num: [hex('000101343437373030393030313233')],
		ms_msg_wait_facilities: 0x81, set_dpf: 1, display_time: 2, sms_signal: 0x0101, ms_validity: hex('03'),
		its_reply_type: 4, its_session_info: hex('0102'), ussd_service_op: 2, more_messages_to_send: 1,
	}],
	['submit_sm_resp', 'submit_sm_resp', { sequence_number: 10, message_id: '0a1b2c3d' }],
	['submit_sm_resp_empty_id', 'submit_sm_resp', { sequence_number: 11, message_id: '' }],
	['submit_sm_resp_throttled', 'submit_sm_resp', { sequence_number: 12, command_status: 0x58, message_id: 'dropped' }],
	// congestion_state (0x0428) is SMPP 5.0: unknown to a 3.4 codec, which must keep it as (tag, value).
	['submit_sm_resp_v50_tlv', 'submit_sm_resp', { sequence_number: 13, message_id: 'f00d', congestion_state: 90 }],
	['deliver_sm_receipt', 'deliver_sm', {
		sequence_number: 20, service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900123',
		dest_addr_ton: 5, dest_addr_npi: 0, destination_addr: 'smppd', esm_class: 0x04, data_coding: 0,
		short_message: ascii(receiptText), receipted_message_id: '0a1b2c3d', message_state: 2,
		network_error_code: hex('030000'),
	}],
	['deliver_sm_mo_ucs2_vendor_tlv', 'deliver_sm', {
		sequence_number: 21, source_addr_ton: 1, source_addr_npi: 1, source_addr: '79001234567',
		dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: '4040', esm_class: 0, protocol_id: 0, data_coding: 0x08,
		short_message: 'Ответ: да ✓', source_port: 0, vendor_0x1400: ascii('MCCMNC=25001'),
	}],
	['deliver_sm_resp', 'deliver_sm_resp', { sequence_number: 20, message_id: '' }],
	['data_sm', 'data_sm', {
		sequence_number: 30, service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123', esm_class: 0, registered_delivery: 1,
		data_coding: 0x04, message_payload: hex('0605040b8423f0'), source_port: 9200, dest_port: 2948,
		qos_time_to_live: 3600, more_messages_to_send: 0,
	}],
	['data_sm_resp', 'data_sm_resp', { sequence_number: 30, message_id: 'dsm-0001', additional_status_info_text: 'queued' }],
	['data_sm_resp_delivery_failure', 'data_sm_resp', { sequence_number: 31, command_status: 0xfe, message_id: 'x', delivery_failure_reason: 1 }],
	['query_sm', 'query_sm', { sequence_number: 40, message_id: '0a1b2c3d', source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001' }],
	['query_sm_resp', 'query_sm_resp', { sequence_number: 40, message_id: '0a1b2c3d', final_date: '251121120100000+', message_state: 2, error_code: 0 }],
	['query_sm_resp_enroute', 'query_sm_resp', { sequence_number: 41, message_id: '0a1b2c3e', final_date: '', message_state: 1, error_code: 0 }],
	['cancel_sm', 'cancel_sm', {
		sequence_number: 50, service_type: '', message_id: '0a1b2c3d', source_addr_ton: 1, source_addr_npi: 1,
		source_addr: '447700900001', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900123',
	}],
	['cancel_sm_resp', 'cancel_sm_resp', { sequence_number: 50 }],
	['replace_sm', 'replace_sm', {
		sequence_number: 60, message_id: '0a1b2c3d', source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900001',
		schedule_delivery_time: '', validity_period: '251122000000000+', registered_delivery: 1, sm_default_msg_id: 0,
		short_message: ascii('Updated text'),
	}],
	['replace_sm_resp', 'replace_sm_resp', { sequence_number: 60 }],
	['submit_multi', 'submit_multi', {
		sequence_number: 70, service_type: '', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'smppd',
		dest_address: [
			{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900001' },
			{ dl_name: 'friends' },
			{ dest_addr_ton: 2, dest_addr_npi: 8, destination_addr: '07700900002' },
		],
		esm_class: 0, protocol_id: 0, priority_flag: 0, registered_delivery: 1, data_coding: 0,
		short_message: ascii('to many'), user_message_reference: 7,
	}],
	['submit_multi_resp', 'submit_multi_resp', {
		sequence_number: 70, message_id: 'multi-1',
		unsuccess_sme: [{ dest_addr_ton: 2, dest_addr_npi: 8, destination_addr: '07700900002', error_status_code: 0x0b }],
	}],
	['submit_multi_resp_all_ok', 'submit_multi_resp', { sequence_number: 71, message_id: 'multi-2', unsuccess_sme: [] }],
	['alert_notification', 'alert_notification', {
		sequence_number: 80, source_addr_ton: 1, source_addr_npi: 1, source_addr: '447700900123',
		esme_addr_ton: 0, esme_addr_npi: 0, esme_addr: 'smppd', ms_availability_status: 0,
	}],
];

// ---------------------------------------------------------------------------------------------
// Rendering what the library decoded, with spec names and types (spec.json).

function tlvSpec(tag) {
	return spec.tlvs['0x' + tag.toString(16).padStart(4, '0')];
}

function renderTlvValue(type, raw, libValue) {
	if (type === 'u8' || type === 'u16' || type === 'u32') {
		const width = { u8: 1, u16: 2, u32: 4 }[type];
		if (raw.length === width) {
			const n = raw.readUIntBE(0, width);
			if (typeof libValue === 'number' && libValue !== n) return { bad: `library read ${libValue}, bytes say ${n}` };
			return { value: n };
		}
		return { value: raw.toString('hex'), note: `length ${raw.length}, spec says ${width}` };
	}
	if (type === 'c') {
		const wire = raw.toString('latin1');
		const s = typeof libValue === 'string' ? libValue : wire.replace(/\0$/, '');
		if (!wire.endsWith('\0')) return { value: s, note: 'C-string without its NUL' };
		if (s !== wire.slice(0, -1)) return { value: s, bad: `library read ${JSON.stringify(s)}, bytes say ${JSON.stringify(wire.slice(0, -1))}` };
		return { value: s };
	}
	// octets: the library should hand back the bytes; anything else is its own interpretation.
	// (An octet string of one octet read as that octet's value is the same reading.)
	if (libValue !== undefined && !Buffer.isBuffer(libValue) && !(raw.length === 1 && libValue === raw[0])) {
		return { value: raw.toString('hex'), note: `library reads ${raw.length} octet(s) as ${JSON.stringify(libValue)}` };
	}
	if (Buffer.isBuffer(libValue) && !libValue.equals(raw)) return { value: raw.toString('hex'), bad: 'library value differs from the bytes' };
	return { value: raw.toString('hex') };
}

// Decode with the library, filters off (no text/time interpretation): fields as on the wire.
function libDecode(buf) {
	const saved = PDU.prototype._filter;
	PDU.prototype._filter = function () {};
	try {
		return new PDU(buf);
	} finally {
		PDU.prototype._filter = saved;
	}
}

function bodySize(type, v) {
	switch (type) {
		case 'c': return Buffer.byteLength(v, 'latin1') + 1;
		case 'u8': return 1;
		case 'sm_length': return 0;
		case 'octets': return 1 + v.length;
		case 'dest_address': return smpp.types.dest_address_array.size(v);
		case 'unsuccess_sme': return smpp.types.unsuccess_sme_array.size(v);
	}
	throw new Error('type ' + type);
}

// Returns {json, notes}.
function render(buf) {
	const pdu = libDecode(buf);
	const notes = [];
	const json = { command: pdu.command, command_status: pdu.command_status, sequence_number: pdu.sequence_number, fields: {}, tlvs: {} };
	if (pdu.command === 'unknown') return { json, notes: ['library does not know command_id 0x' + pdu.command_id.toString(16)] };
	const cmd = spec.commands[pdu.command];
	let offset = 16;
	for (const [name, type] of cmd.body) {
		let v;
		if (name === 'sm_length') {
			if (pdu.short_message === undefined) continue;
			json.fields.sm_length = pdu.short_message.length;
			continue;
		}
		if (name === 'number_of_dests') {
			if (pdu.dest_address === undefined) continue;
			json.fields.number_of_dests = pdu.dest_address.length;
			continue;
		}
		if (name === 'no_unsuccess') {
			if (pdu.unsuccess_sme === undefined) continue;
			json.fields.no_unsuccess = pdu.unsuccess_sme.length;
			continue;
		}
		v = pdu[name];
		if (v === undefined) continue; // the library stopped reading: body absent or short
		offset += bodySize(type, v);
		switch (type) {
			case 'c': json.fields[name] = v; break;
			case 'u8': json.fields[name] = v; break;
			case 'octets': json.fields[name] = v.toString('hex'); break;
			case 'dest_address':
				json.fields[name] = v.map((d) => ('dl_name' in d
					? { dest_flag: 2, dl_name: d.dl_name }
					: { dest_flag: 1, dest_addr_ton: d.dest_addr_ton, dest_addr_npi: d.dest_addr_npi, destination_addr: d.destination_addr }));
				break;
			case 'unsuccess_sme':
				json.fields[name] = v.map((u) => ({ dest_addr_ton: u.dest_addr_ton, dest_addr_npi: u.dest_addr_npi, destination_addr: u.destination_addr, error_status_code: u.error_status_code }));
				break;
		}
	}
	// TLVs: walk the wire for order and raw bytes, take the values the library decoded.
	const seen = {};
	while (offset + 4 <= pdu.command_length) {
		const tag = buf.readUInt16BE(offset);
		const len = buf.readUInt16BE(offset + 2);
		const raw = buf.slice(offset + 4, offset + 4 + len);
		offset += 4 + len;
		const def = smpp.tlvsById[tag];
		let libValue = def ? pdu[def.tag] : pdu[tag];
		if (def && def.multiple && Array.isArray(libValue)) {
			seen[def.tag] = (seen[def.tag] || 0) + 1;
			libValue = libValue[seen[def.tag] - 1];
		}
		const s = tlvSpec(tag);
		const key = s ? s[0] : '0x' + tag.toString(16).padStart(4, '0');
		// A tag outside SMPP 3.4 is rendered as its bytes, whatever the library makes of it.
		const r = renderTlvValue(s ? s[1] : 'octets', raw, s ? libValue : undefined);
		if (r.bad) notes.push(`${key}: ${r.bad}`);
		if (r.note) notes.push(`${key}: ${r.note}`);
		if (key in json.tlvs) notes.push(`${key}: occurs more than once; the .json keeps the last`);
		json.tlvs[key] = r.value;
	}
	if (offset !== pdu.command_length) notes.push(`${pdu.command_length - offset} trailing octet(s) after the TLVs`);
	return { json, notes };
}

function stable(json) {
	return JSON.stringify(json, null, 1) + '\n';
}

function generate(outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	for (const f of fs.readdirSync(outDir)) if (/\.(hex|json)$/.test(f)) fs.unlinkSync(path.join(outDir, f));
	const names = new Set();
	for (const [name, command, options] of vectors) {
		if (names.has(name)) throw new Error('duplicate vector ' + name);
		names.add(name);
		const buf = new PDU(command, JSON.parse(JSON.stringify(options), reviveBuffers)).toBuffer();
		const { json, notes } = render(buf);
		if (json.command !== command) throw new Error(`${name}: library decoded ${json.command}`);
		for (const n of notes) console.log(`note: node/${name}: ${n}`);
		fs.writeFileSync(path.join(outDir, name + '.hex'), buf.toString('hex') + '\n');
		fs.writeFileSync(path.join(outDir, name + '.json'), stable(json));
	}
	console.log(`node: wrote ${vectors.length} vectors to ${path.relative(repo, outDir) || '.'}`);
}

// Options are deep-copied (the library mutates them); Buffers survive the copy.
function reviveBuffers(key, value) {
	if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
	return value;
}

function diff(a, b, where, out) {
	if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
		for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
			if (!(k in a)) out.push(`${where}${k}: only in the other decoder's reading (${JSON.stringify(b[k])})`);
			else if (!(k in b)) out.push(`${where}${k}: only in this library's reading (${JSON.stringify(a[k])})`);
			else diff(a[k], b[k], `${where}${k}.`, out);
		}
	} else if (a !== b) {
		out.push(`${where.replace(/\.$/, '')}: this library ${JSON.stringify(a)}, other ${JSON.stringify(b)}`);
	}
}

function check(dir) {
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.hex')).sort();
	let differing = 0;
	for (const f of files) {
		const name = f.replace(/\.hex$/, '');
		const buf = Buffer.from(fs.readFileSync(path.join(dir, f), 'utf8').trim(), 'hex');
		const expected = JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8'));
		let got;
		try {
			got = render(buf);
		} catch (e) {
			console.log(`DIFF ${name}: node smpp failed to decode: ${e.message}`);
			differing++;
			continue;
		}
		const out = [];
		diff(got.json, expected, '', out);
		for (const n of got.notes) out.push('note: ' + n);
		if (out.length) {
			differing++;
			console.log(`DIFF ${name}:`);
			for (const o of out) console.log('    ' + o);
		}
	}
	console.log(`node smpp read ${files.length} vectors from ${path.relative(repo, dir)}: ${files.length - differing} agree, ${differing} differ`);
}

const args = process.argv.slice(2);
if (args[0] === '--check') {
	check(path.resolve(args[1]));
} else if (args[0] === '--out') {
	generate(path.resolve(args[1]));
} else if (args.length === 0) {
	generate(path.resolve(here, '..', 'node'));
} else {
	console.error('usage: node.js [--out DIR | --check DIR]');
	process.exit(2);
}
