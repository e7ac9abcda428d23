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
  transfer HOST PORT PASSWORD EXTENSION        see `transfer` below
  custom HOST PORT PASSWORD SUBCLASS...        until the first such CUSTOM event
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


def wait_for(predicate, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = predicate()
        if found:
            return found
        gevent.sleep(0.02)
    raise TimeoutError(what)


def transfer(host, port, password, extension):
    """Call-center flow on two connections. Connection 1 watches everything; once a
    call from 1000 is answered, connection 2 narrows itself to that call with
    `myevents <uuid>`. When a second call (from 1001) is up too, the first is moved to
    `extension` with uuid_transfer and later ended with uuid_kill. Connection 2's
    events are tagged "my"."""
    watch = InboundESL(host=host, port=int(port), password=password)
    watch.connect()
    seen = []
    watch.register_handle("*", lambda e: seen.append(e.headers))
    watch.send("event plain CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_HANGUP_COMPLETE")
    emit({"kind": "ready"})

    def answered(number):
        for h in seen:
            if h.get("Event-Name") == "CHANNEL_ANSWER" and h.get("Caller-Caller-ID-Number") == number:
                return h["Unique-ID"]
        return None

    uuid = wait_for(lambda: answered("1000"), "answer of 1000")
    mine = InboundESL(host=host, port=int(port), password=password)
    mine.connect()
    my_events = []

    def on_mine(event):
        my_events.append(event.headers)
        emit({"kind": "my", "headers": event.headers})

    mine.register_handle("*", on_mine)
    reply = mine.send("myevents " + uuid)
    emit({"kind": "myevents", "uuid": uuid, "text": reply.headers.get("Reply-Text")})
    other = wait_for(lambda: answered("1001"), "answer of 1001")
    emit({"kind": "other", "uuid": other})

    body = watch.send("api uuid_transfer %s %s" % (uuid, extension)).data
    emit({"kind": "api", "command": "uuid_transfer", "body": body})

    def executed(app):
        return any(
            h.get("Event-Name") == "CHANNEL_EXECUTE" and h.get("Application") == app
            for h in my_events
        )

    wait_for(lambda: executed("playback"), "playback after the transfer")
    body = watch.send("api uuid_kill " + uuid).data
    emit({"kind": "api", "command": "uuid_kill", "body": body})

    def completed(events, who):
        return any(
            h.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" and h.get("Unique-ID") == who
            for h in events
        )

    wait_for(lambda: completed(my_events, uuid), "hangup of the transferred call")
    wait_for(lambda: completed(seen, other), "hangup of the other call")
    mine.stop()
    watch.stop()


def custom(host, port, password, subclasses):
    esl = InboundESL(host=host, port=int(port), password=password)
    esl.connect()
    got = []
    for subclass in subclasses:
        esl.register_handle(subclass, got.append)
    reply = esl.send("event plain CUSTOM " + " ".join(subclasses))
    emit({"kind": "reply", "text": reply.headers.get("Reply-Text")})
    emit({"kind": "ready"})
    event = wait_for(lambda: got[0] if got else None, "a CUSTOM event")
    emit({"kind": "event", "headers": event.headers})
    esl.stop()


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "auth":
        auth(*args)
    elif mode == "events":
        events(args[0], args[1], args[2], args[3:])
    elif mode == "transfer":
        transfer(*args)
    elif mode == "custom":
        custom(args[0], args[1], args[2], args[3:])
    else:
        sys.exit("unknown mode " + mode)
