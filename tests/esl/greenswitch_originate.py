"""`originate` through the event socket with the greenswitch library (PyPI), the way a
dialer does it: `bgapi originate ...`, the outcome from BACKGROUND_JOB, the new
channel's events, then `uuid_kill`. Driven by tests/e2e_esl_calls.rs; prints one
JSON object per line on stdout:

  {"kind": "api", "command": ..., "body": ...}   (api replies)
  {"kind": "bgapi", "job": ...}                  (the Job-UUID of the bgapi)
  {"kind": "job", "body": ...}                   (the BACKGROUND_JOB body)
  {"kind": "event", "headers": {...}}            (the originated channel's events)

  python greenswitch_originate.py HOST PORT PASSWORD KILL_AFTER_APP ORIGINATE-ARGS...

KILL_AFTER_APP: once CHANNEL_EXECUTE of this application is seen on the new channel,
it is hung up with uuid_kill. Before the bgapi, `api originate user/1005 &echo` (a
user that never registers) shows the synchronous failure reply.
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


def job_body(headers):
    """greenswitch parses a plain event's body as continuation lines of its last
    header; the BACKGROUND_JOB reply is the line starting with +OK or -ERR."""
    for value in headers.values():
        for line in str(value).splitlines():
            if line.startswith("+OK") or line.startswith("-ERR"):
                return line
    return None


def main(host, port, password, kill_after, originate_args):
    esl = InboundESL(host=host, port=int(port), password=password)
    esl.connect()
    seen = []
    esl.register_handle("*", lambda e: seen.append(e.headers))
    esl.send(
        "event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_EXECUTE "
        "CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB"
    )
    command = "originate user/1005 &echo"
    emit({"kind": "api", "command": command, "body": esl.send("api " + command).data})

    reply = esl.send("bgapi originate " + " ".join(originate_args))
    job = reply.headers.get("Job-UUID")
    emit({"kind": "bgapi", "job": job, "reply": reply.headers.get("Reply-Text")})

    def job_done():
        for h in seen:
            if h.get("Event-Name") == "BACKGROUND_JOB" and h.get("Job-UUID") == job:
                return job_body(h) or "?"
        return None

    body = wait_for(job_done, "BACKGROUND_JOB")
    emit({"kind": "job", "body": body})
    if body.startswith("+OK "):
        uuid = body.split()[1]

        def executed():
            return any(
                h.get("Event-Name") == "CHANNEL_EXECUTE"
                and h.get("Unique-ID") == uuid
                and h.get("Application") == kill_after
                for h in seen
            )

        wait_for(executed, "CHANNEL_EXECUTE " + kill_after)
        emit({"kind": "api", "command": "uuid_kill", "body": esl.send("api uuid_kill " + uuid).data})

        def completed():
            return any(
                h.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" and h.get("Unique-ID") == uuid
                for h in seen
            )

        wait_for(completed, "CHANNEL_HANGUP_COMPLETE")
        for h in seen:
            if h.get("Unique-ID") == uuid:
                emit({"kind": "event", "headers": h})
    esl.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
