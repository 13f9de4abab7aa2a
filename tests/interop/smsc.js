#!/usr/bin/env node
// A small SMSC built on the npm `smpp` package's server, for smppd's interoperability tests
// (tests/tests/interop.rs). Not ours: the point is a peer that no one here wrote.
//
//   node tests/interop/smsc.js SYSTEM_ID PASSWORD
//
// Prints {"port":N} first, then one JSON line per PDU received: {"command":..., "fields":{...},
// "hex":"<the PDU as the library re-encodes it>"}. Answers binds (checking the credentials),
// enquire_link and unbind; answers submit_sm with message ids "npm-1", "npm-2", ... and, when
// registered_delivery asks for it, sends a delivery receipt. Exits when stdin closes (the test
// ended) or after 120 s.
'use strict';

const path = require('path');
const { createRequire } = require('module');
const smpp = createRequire(path.join(__dirname, 'package.json'))('smpp');

const [systemId, password] = process.argv.slice(2);
let nextId = 1;

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

function fields(pdu) {
	const out = {};
	for (const [k, v] of Object.entries(pdu)) {
		if (['command', 'command_length', 'command_id'].includes(k)) continue;
		if (Buffer.isBuffer(v)) out[k] = v.toString('hex');
		else if (v && typeof v === 'object' && k === 'short_message') {
			out[k] = {
				udh: v.udh ? v.udh.map((ie) => Buffer.from(ie).toString('hex')) : null,
				message: Buffer.isBuffer(v.message) ? v.message.toString('hex') : v.message,
			};
		} else out[k] = v;
	}
	return out;
}

const server = smpp.createServer((session) => {
	session.on('error', () => {});
	const bind = (pdu) => {
		print({ command: pdu.command, fields: fields(pdu) });
		if (pdu.system_id !== systemId || pdu.password !== password) {
			session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
			return;
		}
		session.send(pdu.response({ system_id: 'npm-smsc' }));
	};
	session.on('bind_transceiver', bind);
	session.on('bind_transmitter', bind);
	session.on('bind_receiver', bind);
	session.on('enquire_link', (pdu) => session.send(pdu.response()));
	session.on('unbind', (pdu) => {
		print({ command: 'unbind' });
		session.send(pdu.response());
		session.close();
	});
	session.on('deliver_sm_resp', (pdu) => print({ command: 'deliver_sm_resp', fields: fields(pdu) }));
	session.on('submit_sm', (pdu) => {
		const id = `npm-${nextId++}`;
		// The library cannot re-encode a UDH message it decoded (it keeps the UDH as arrays):
		// then there is no hex, and the fields must tell.
		let hex = null;
		try {
			hex = pdu.toBuffer().toString('hex');
		} catch (e) {
			hex = null;
		}
		print({ command: 'submit_sm', id, fields: fields(pdu), hex });
		session.send(pdu.response({ message_id: id }));
		if (pdu.registered_delivery & 1) {
			session.deliver_sm({
				source_addr: pdu.destination_addr,
				destination_addr: pdu.source_addr,
				esm_class: 4,
				short_message: `id:${id} sub:001 dlvrd:001 submit date:2611221200 done date:2611221200 stat:DELIVRD err:000 text:`,
				receipted_message_id: id,
				message_state: 2,
			});
		}
	});
});
server.listen(0, '127.0.0.1', () => print({ port: server.address().port }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
setTimeout(() => process.exit(0), 120000).unref();
