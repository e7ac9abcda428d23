"""Event socket test client on genesis (PyPI, asyncio) that runs a plan given on the
command line, the way an admin tool or a monitoring service would: raw commands,
`api` commands, and waits for events. Driven by tests/e2e_esl_admin.rs; prints one
JSON object per line on stdout.

  python genesis_plan.py HOST PORT PASSWORD STEP...

Steps:
  send:<command>          a raw command (`event plain CUSTOM sofia::gateway_state`)
  api:<command>           `api <command>`, prints the body
  wait:<H>=<v>[,<H>=<v>]  waits for the next event (after the last waited one) with
                          those header values
  waitfile:<path>         waits until the test created <path> (it changes something
                          between two steps), at most 60 s
"""

import asyncio
import json
import os
import sys

from genesis import Inbound


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def matches(headers, wanted):
    return all(str(headers.get(name)) == value for name, value in wanted)


async def main(host, port, password, steps):
    events = []
    arrived = asyncio.Event()

    async def on_event(event):
        headers = {k: (v if isinstance(v, str) else str(v)) for k, v in dict(event).items()}
        emit({"kind": "event", "headers": headers, "body": event.body})
        events.append(headers)
        arrived.set()

    async with Inbound(host, int(port), password) as client:
        client.on("*", on_event)
        seen = 0
        for step in steps:
            kind, _, arg = step.partition(":")
            if kind == "send":
                reply = await client.send(arg)
                emit({"kind": "reply", "command": arg, "text": reply.get("Reply-Text")})
            elif kind == "api":
                reply = await client.send("api " + arg)
                body = reply.body if reply.body is not None else ""
                emit({"kind": "api", "command": arg, "body": body})
            elif kind == "wait":
                wanted = [tuple(pair.split("=", 1)) for pair in arg.split(",")]
                while True:
                    found = next(
                        (i for i in range(seen, len(events)) if matches(events[i], wanted)),
                        None,
                    )
                    if found is not None:
                        seen = found + 1
                        emit({"kind": "waited", "what": arg, "headers": events[found]})
                        break
                    arrived.clear()
                    await asyncio.wait_for(arrived.wait(), 30)
            elif kind == "waitfile":
                for _ in range(600):
                    if os.path.exists(arg):
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise SystemExit("no file " + arg)
                emit({"kind": "file", "path": arg})
            else:
                raise SystemExit("unknown step " + step)
        emit({"kind": "done"})


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
