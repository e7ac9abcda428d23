"""Event socket log streaming with greenswitch (PyPI, gevent), the way fs_cli's `/log`
works: `log <level>`, print every log/data frame, stop after a line containing
EXPECT, then `nolog` twice (the second one is refused). Driven by
tests/e2e_esl_admin.rs; prints one JSON object per line on stdout.

  python greenswitch_log.py HOST PORT PASSWORD LEVEL EXPECT
"""

import json
import sys
import time

import gevent
from greenswitch import InboundESL


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(host, port, password, level, expect):
    esl = InboundESL(host=host, port=int(port), password=password)
    esl.connect()
    found = []

    def on_log(event):
        body = event.data if isinstance(event.data, str) else event.data.decode()
        emit({"kind": "log", "headers": event.headers, "body": body})
        if expect in body:
            found.append(body)

    esl.register_handle("log", on_log)
    reply = esl.send("log " + level)
    emit({"kind": "reply", "text": reply.headers.get("Reply-Text")})
    emit({"kind": "ready"})
    deadline = time.time() + 30
    while not found and time.time() < deadline:
        gevent.sleep(0.05)
    if not found:
        raise SystemExit("no log line with " + expect)
    for _ in range(2):
        reply = esl.send("nolog")
        emit({"kind": "reply", "text": reply.headers.get("Reply-Text")})
    esl.stop()


if __name__ == "__main__":
    main(*sys.argv[1:6])
