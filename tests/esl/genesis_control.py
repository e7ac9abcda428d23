"""Event socket test client on genesis (PyPI, asyncio), the way a call-center service
drives calls: it waits for a call to be answered, inspects and changes it with API
commands, runs a bgapi job, then hangs the call up with `sendmsg`. Driven by
tests/e2e_esl.rs; prints one JSON object per line on stdout.

  python genesis_control.py HOST PORT PASSWORD
"""

import asyncio
import json
import sys

from genesis import Inbound


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def api(client, command):
    reply = await client.send("api " + command)
    body = reply.body if reply.body is not None else ""
    emit({"kind": "api", "command": command, "body": body})
    return body


async def main(host, port, password):
    loop = asyncio.get_running_loop()
    answered = loop.create_future()
    complete = loop.create_future()
    jobs = {}

    async def on_event(event):
        headers = dict(event)
        emit({"kind": "event", "headers": headers, "body": event.body})
        name = headers.get("Event-Name")
        if name == "CHANNEL_ANSWER" and not answered.done():
            answered.set_result(headers["Unique-ID"])
        elif name == "CHANNEL_HANGUP_COMPLETE" and not complete.done():
            complete.set_result(headers)
        elif name == "BACKGROUND_JOB":
            future = jobs.get(headers.get("Job-UUID"))
            if future is not None and not future.done():
                future.set_result(event.body)

    async with Inbound(host, int(port), password) as client:
        client.on("*", on_event)
        reply = await client.send("event plain ALL")
        emit({"kind": "reply", "text": reply.get("Reply-Text")})
        emit({"kind": "ready"})
        uuid = await asyncio.wait_for(answered, 30)
        emit({"kind": "answered", "uuid": uuid})

        await api(client, "uuid_exists " + uuid)
        await api(client, "uuid_getvar %s destination_number" % uuid)
        await api(client, "uuid_setvar %s crm_ticket 4711" % uuid)
        await api(client, "uuid_getvar %s crm_ticket" % uuid)
        await api(client, "show channels as json")
        await api(client, "uuid_dump " + uuid)
        await api(client, "no_such_command")

        reply = await client.send("bgapi uuid_getvar %s crm_ticket" % uuid)
        job = reply.get("Job-UUID")
        emit({"kind": "bgapi", "reply": reply.get("Reply-Text"), "job": job})
        jobs[job] = loop.create_future()
        body = await asyncio.wait_for(jobs[job], 30)
        emit({"kind": "job", "job": job, "body": body})

        reply = await client.send(
            "sendmsg %s\ncall-command: hangup\nhangup-cause: CALL_REJECTED" % uuid
        )
        emit({"kind": "sendmsg", "text": reply.get("Reply-Text")})
        headers = await asyncio.wait_for(complete, 30)
        # FreeSWITCH repeats Hangup-Cause on HANGUP_COMPLETE; genesis lists duplicates.
        cause = headers.get("Hangup-Cause")
        causes = cause if isinstance(cause, list) else [cause]
        emit({"kind": "complete", "causes": causes})
        await api(client, "uuid_exists " + uuid)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
