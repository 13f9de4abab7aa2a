#!/usr/bin/env node
// A small SMSC built on the npm `smpp` package's server (pinned by package-lock.json), for
// smppd's interoperability tests (tests/tests/interop.rs). The point is a peer no one here wrote:
// framing, decoding and encoding are the library's; this script only answers and reports.
//
//   node tests/interop/smsc.js SYSTEM_ID PASSWORD [--tls KEY_PEM CERT_PEM]
//
// With --tls it is the library's TLS server (Node's own TLS) with that key and certificate.
//
// stdout, one JSON object a line (the protocol tests/interop/smsc.pl speaks too):
//   {"port":N}                                   first, once listening on 127.0.0.1
//   {"command":"bind_transceiver","sequence_number":..,"fields":{..},"command_status":S}
//                                                S is what was answered (0, or ESME_RBINDFAIL)
//   {"command":"submit_sm","sequence_number":..,"command_status":S,"message_id":"npm-1"|null,
//    "hex":"<frame as received>","fields":{..},"tlvs":{..},"text":{"udh":[..],"message":".."},
//    "payload_text":{..}}                       S is what was answered
//   {"command":"refusing","statuses":[..]}       a "refuse" command was taken
//   {"command":"enquire_link"|"unbind"|"enquire_link_resp"|"unbind_resp","sequence_number":..}
//   {"command":"deliver_sm_resp","sequence_number":..,"command_status":..,"kind":"receipt"|"mo",
//    "message_id":".."}                         (message_id: the receipted one, for receipts)
//   {"command":"closed"}                         a connection ended
//   {"command":"<other>","unhandled":true}       answered with generic_nack ESME_RINVCMDID
// `fields` are the mandatory fields and `tlvs` the TLVs exactly as the library's parser read
// them (with its text filters off): spec names, integers as numbers, C-Octet Strings as text,
// octet strings (short_message, octet TLVs) as lowercase hex, a TLV the library does not know
// as "0x1400": hex. `text` and `payload_text` are the library's own decoding of short_message
// and message_payload (its UDH split and its GSM 03.38 / UCS-2 / Latin-1 decoders).
//
// Answers binds (checking the credentials), enquire_link and unbind; answers each submit_sm
// with message_id "npm-N" (or an error, see "refuse") and, when registered_delivery asks for a
// receipt, sends one on the same session (esm_class 4, receipted_message_id and message_state
// TLVs, the usual "id:.. stat:DELIVRD" text) unless the session is a transmitter.
//
// stdin, one JSON object a line:
//   {"mo":{..deliver_sm options as the library takes them..,"text":"..","hex":".."}}
//       sends a deliver_sm on the last bound receiving session; "text" goes through the
//       library's encoder for the given data_coding, "hex" is sent as is.
//   {"enquire_link":true}   {"unbind":true}   the SMSC sends these on the last bound session.
//   {"refuse":[S,..]}       the next submit_sm get these command_status values instead of an id
//                           (and no receipt).
// Exits when stdin closes (the test ended, or died) or after 120 s.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

let smpp;
try {
	smpp = createRequire(path.join(__dirname, 'package.json'))('smpp');
} catch (e) {
	console.error(`smsc.js: cannot load the npm smpp package from ${__dirname}/node_modules: run \`npm ci\` there (${e.message})`);
	process.exit(2);
}

const [systemId, password, tlsFlag, keyFile, certFile] = process.argv.slice(2);
if (systemId === undefined || password === undefined || (tlsFlag !== undefined && (tlsFlag !== '--tls' || !certFile))) {
	console.error('usage: node smsc.js SYSTEM_ID PASSWORD [--tls KEY_PEM CERT_PEM]');
	process.exit(2);
}
const serverOptions = tlsFlag ? { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) } : {};

// The library's names where they differ from SMPP 3.4's.
const SPEC_NAMES = { dest_port: 'destination_port' };
const BINDS = ['bind_transceiver', 'bind_transmitter', 'bind_receiver'];

let nextId = 1;
let refusals = []; // statuses for the next submit_sm responses, from {"refuse":[..]}
let last = null; // the last bound session: where stdin's commands go
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

function render(value) {
	if (Buffer.isBuffer(value)) return value.toString('hex');
	if (Array.isArray(value)) return value.map(render);
	if (value instanceof Date) return value.toISOString();
	if (value && typeof value === 'object') {
		const out = {};
		for (const [k, v] of Object.entries(value)) out[k] = render(v);
		return out;
	}
	return value;
}

// The library's own parse of a frame with its filters (text decoding, time conversion) off:
// what it read off the wire, field by field.
function parseRaw(raw) {
	const pdu = Object.create(smpp.PDU.prototype);
	pdu._filter = () => {};
	smpp.PDU.prototype.fromBuffer.call(pdu, raw);
	const params = (smpp.commands[pdu.command] || {}).params || {};
	const fields = {};
	for (const key of Object.keys(params)) if (key in pdu) fields[key] = render(pdu[key]);
	const tlvs = {};
	for (const [key, value] of Object.entries(pdu)) {
		if (key in params || ['command', 'command_length', 'command_id', 'command_status', 'sequence_number'].includes(key)) continue;
		if (/^\d+$/.test(key)) tlvs['0x' + Number(key).toString(16).padStart(4, '0')] = render(value);
		else if (key in smpp.tlvs) tlvs[SPEC_NAMES[key] || key] = render(value);
	}
	return { fields, tlvs };
}

const server = smpp.createServer(serverOptions, (session) => {
	let bound = null; // the bind command, once accepted
	// The frame as received: the library reads a PDU as two socket reads (length, rest).
	let chunks = [];
	const socket = session.socket;
	const read = socket.read.bind(socket);
	socket.read = (n) => {
		const chunk = read(n);
		if (chunk) chunks.push(chunk);
		return chunk;
	};
	session.on('error', (e) => console.error(`smsc.js: session error: ${e.message}`));
	session.on('close', () => {
		if (last === session) last = null;
		print({ command: 'closed' });
	});

	const deliver = (options, about) => {
		session.deliver_sm(options, (resp) => {
			print({ command: 'deliver_sm_resp', sequence_number: resp.sequence_number, command_status: resp.command_status, ...about });
		});
	};

	session.on('pdu', (pdu) => {
		const raw = Buffer.concat(chunks);
		chunks = [];
		const seq = pdu.sequence_number;
		if (BINDS.includes(pdu.command)) {
			const ok = pdu.system_id === systemId && pdu.password === password;
			const status = ok ? 0 : smpp.ESME_RBINDFAIL;
			print({ command: pdu.command, sequence_number: seq, fields: parseRaw(raw).fields, command_status: status });
			session.send(pdu.response(ok ? { system_id: 'npm-smsc' } : { command_status: status }));
			if (ok) {
				bound = pdu.command;
				if (bound !== 'bind_transmitter') last = session;
			}
			return;
		}
		if (pdu.isResponse()) {
			// deliver_sm_resp is reported by deliver()'s callback.
			if (pdu.command !== 'deliver_sm_resp') print({ command: pdu.command, sequence_number: seq, command_status: pdu.command_status });
			if (pdu.command === 'unbind_resp') session.close();
			return;
		}
		switch (pdu.command) {
			case 'enquire_link':
				print({ command: 'enquire_link', sequence_number: seq });
				session.send(pdu.response());
				return;
			case 'unbind':
				print({ command: 'unbind', sequence_number: seq });
				session.send(pdu.response(), () => session.close());
				return;
			case 'submit_sm': {
				if (!bound || bound === 'bind_receiver') {
					print({ command: 'submit_sm', sequence_number: seq, command_status: smpp.ESME_RINVBNDSTS, message_id: null });
					session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
					return;
				}
				const status = refusals.length ? refusals.shift() : 0;
				const id = status ? null : `npm-${nextId++}`;
				const { fields, tlvs } = parseRaw(raw);
				const line = { command: 'submit_sm', sequence_number: seq, command_status: status, message_id: id, hex: raw.toString('hex'), fields, tlvs };
				if (pdu.short_message !== undefined) line.text = render(pdu.short_message);
				if (pdu.message_payload !== undefined) line.payload_text = render(pdu.message_payload);
				print(line);
				// The library writes an error response as the header alone.
				session.send(pdu.response(status ? { command_status: status } : { message_id: id }));
				if (!status && pdu.registered_delivery & 0x01 && bound !== 'bind_transmitter') {
					// As a node-smpp SMSC would write it: the text through the library's encoder
					// with no data_coding given (it picks GSM and labels it 0x01).
					deliver({
						source_addr_ton: pdu.dest_addr_ton,
						source_addr_npi: pdu.dest_addr_npi,
						source_addr: pdu.destination_addr,
						dest_addr_ton: pdu.source_addr_ton,
						dest_addr_npi: pdu.source_addr_npi,
						destination_addr: pdu.source_addr,
						esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
						short_message: `id:${id} sub:001 dlvrd:001 submit date:2611221200 done date:2611221201 stat:DELIVRD err:000 text:`,
						receipted_message_id: id,
						message_state: smpp.MESSAGE_STATE.DELIVERED,
					}, { kind: 'receipt', message_id: id });
				}
				return;
			}
			default:
				print({ command: pdu.command, sequence_number: seq, unhandled: true });
				session.send(new smpp.PDU('generic_nack', { sequence_number: seq, command_status: smpp.ESME_RINVCMDID }));
		}
	});

	session.command = (cmd) => {
		if (cmd.mo) {
			const { text, hex, ...options } = cmd.mo;
			if (hex !== undefined) options.short_message = Buffer.from(hex, 'hex');
			else if (text !== undefined) options.short_message = text;
			deliver(options, { kind: 'mo' });
		} else if (cmd.enquire_link) {
			session.enquire_link();
		} else if (cmd.unbind) {
			session.unbind();
		} else {
			console.error(`smsc.js: unknown command ${JSON.stringify(cmd)}`);
		}
	};
});

server.on('tlsClientError', (e) => console.error(`smsc.js: TLS handshake failed: ${e.message}`));
server.on('error', (e) => {
	console.error(`smsc.js: ${e.message}`);
	process.exit(1);
});
server.listen(0, '127.0.0.1', () => print({ port: server.address().port }));

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (data) => {
	input += data;
	let nl;
	while ((nl = input.indexOf('\n')) >= 0) {
		const line = input.slice(0, nl).trim();
		input = input.slice(nl + 1);
		if (!line) continue;
		let cmd;
		try {
			cmd = JSON.parse(line);
		} catch (e) {
			console.error(`smsc.js: bad command line: ${line}`);
			continue;
		}
		if (cmd.refuse) {
			refusals.push(...cmd.refuse);
			print({ command: 'refusing', statuses: refusals });
		} else if (last) last.command(cmd);
		else console.error(`smsc.js: no bound session for ${line}`);
	}
});
process.stdin.on('end', () => process.exit(0));
setTimeout(() => {
	console.error('smsc.js: 120 s are up; exiting');
	process.exit(0);
}, 120000).unref();
