"""Event socket test client on the greenswitch library (PyPI, gevent based), as a
FreeSWITCH user would write it. Driven by tests/e2e_esl.rs; prints one JSON object
per line on stdout:

  {"kind": "refused"} / {"kind": "accepted"}      (mode auth)
  {"kind": "api", "command": ..., "body": ...}    (api replies)
  {"kind": "ready"}                               (subscribed; start the call)
  {"kind": "event", "headers": {...}}             (every event received)

Modes:
  auth   HOST PORT PASSWORD
  events HOST PORT PASSWORD EVENT-NAMES...     until CHANNEL_HANGUP_COMPLETE
"""

import json
import sys
import time

import gevent
from greenswitch import InboundESL


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def auth(host, port, password):
    esl = InboundESL(host=host, port=int(port), password=password)
    try:
        esl.connect()
    except ValueError:
        emit({"kind": "refused"})
        return
    emit({"kind": "accepted"})
    esl.stop()


def events(host, port, password, names):
    esl = InboundESL(host=host, port=int(port), password=password)
    esl.connect()
    done = []

    def on_event(event):
        emit({"kind": "event", "headers": event.headers})
        if event.headers.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE":
            done.append(True)

    esl.register_handle("*", on_event)
    for command in ("status", "version", "uptime s"):
        emit({"kind": "api", "command": command, "body": esl.send("api " + command).data})
    reply = esl.send("event plain " + " ".join(names))
    emit({"kind": "reply", "text": reply.headers.get("Reply-Text")})
    emit({"kind": "ready"})
    deadline = time.time() + 30
    while not done and time.time() < deadline:
        gevent.sleep(0.05)
    esl.stop()


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "auth":
        auth(*args)
    elif mode == "events":
        events(args[0], args[1], args[2], args[3:])
    else:
        sys.exit("unknown mode " + mode)
