#!/usr/bin/env python3
"""Send an SMS through smppd, print its receipts: client.py +447700900123 "Hello" """
import json, os, socket, sys

sock = socket.socket(socket.AF_UNIX)
sock.connect(os.environ.get("SMPPD_SOCKET", "/run/smppd/smppd.sock"))
lines = map(json.loads, sock.makefile(encoding="utf-8"))

def call(request):  # one request; its answer is the line with its ref
    sock.sendall(json.dumps(request).encode() + b"\n")
    for line in lines:
        if line.get("ref") == request["ref"]:
            if not line["ok"]: sys.exit(f"{line['error']['code']}: {line['error']['message']}")
            return line

call({"op": "subscribe", "ref": 1, "events": ["dlr"]})  # before submitting: miss nothing
message = call({"op": "submit", "ref": 2, "to": sys.argv[1], "from": "ACME", "text": sys.argv[2]})
print("accepted:", message)
for event in lines:
    if event.get("id") == message["id"]:
        print("receipt:", event)
        if event["state"] not in ("queued", "submitted"):
            break
