"""Call control through the event socket with greenswitch (PyPI): two calls
originated to parked phones, recorded, bridged with uuid_bridge, both moved to an
extension with `uuid_transfer -both`, then killed. Driven by tests/e2e_esl_calls.rs;
prints one JSON object per line on stdout:

  {"kind": "api", "command": ..., "body": ...}   (every api reply, in order)
  {"kind": "event", "headers": {...}}            (the two channels' events, at the end)

  python greenswitch_call_control.py HOST PORT PASSWORD DIAL1 DIAL2 RECORD-PATH EXTENSION
"""

import json
import sys
import time

import gevent
from greenswitch import InboundESL


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def wait_for(predicate, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = predicate()
        if found:
            return found
        gevent.sleep(0.02)
    raise TimeoutError(what)


def main(host, port, password, dial1, dial2, path, extension):
    esl = InboundESL(host=host, port=int(port), password=password)
    esl.connect()
    seen = []
    esl.register_handle("*", lambda e: seen.append(e.headers))
    esl.send(
        "event plain CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_EXECUTE "
        "CHANNEL_HANGUP_COMPLETE RECORD_START RECORD_STOP"
    )

    def api(command):
        body = esl.send("api " + command).data
        emit({"kind": "api", "command": command.split()[0], "body": body})
        return body

    def has(name, uuid, **headers):
        return any(
            h.get("Event-Name") == name
            and h.get("Unique-ID") == uuid
            and all(h.get(k) == v for k, v in headers.items())
            for h in seen
        )

    first = api("originate %s &park()" % dial1).split()[1]
    second = api("originate %s &park()" % dial2).split()[1]
    api("uuid_answer " + first)
    api("uuid_record %s start %s" % (first, path))
    wait_for(lambda: has("RECORD_START", first), "RECORD_START")
    api("uuid_bridge %s %s" % (first, second))
    wait_for(lambda: has("CHANNEL_BRIDGE", first), "CHANNEL_BRIDGE")
    gevent.sleep(0.3)
    api("uuid_record %s mask %s" % (first, path))
    gevent.sleep(0.2)
    api("uuid_record %s unmask %s" % (first, path))
    api("uuid_record %s mask %s.other" % (first, path))
    api("uuid_record %s stop %s" % (first, path))
    wait_for(lambda: has("RECORD_STOP", first), "RECORD_STOP")
    api("uuid_transfer %s -both %s XML default" % (first, extension))
    for uuid in (first, second):
        wait_for(lambda: has("CHANNEL_EXECUTE", uuid, Application="echo"), "echo on " + uuid)
    api("uuid_bridge %s no-such-uuid" % first)
    for uuid in (first, second):
        api("uuid_kill " + uuid)
        wait_for(lambda: has("CHANNEL_HANGUP_COMPLETE", uuid), "hangup of " + uuid)
    for h in seen:
        if h.get("Unique-ID") in (first, second):
            emit({"kind": "event", "headers": h})
    esl.stop()


if __name__ == "__main__":
    main(*sys.argv[1:8])
