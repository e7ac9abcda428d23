"""An outbound event socket application server on greenswitch (PyPI) OutboundESLServer,
as a FreeSWITCH user writes one: the `socket` application connects, the server sends
`connect` and controls the call. Driven by tests/e2e_esl_outbound.rs; prints one JSON
object per line on stdout:

  {"kind": "listening"}                         (start the call)
  {"kind": "connect", "headers": {...}}         (the channel data of the connect reply)
  {"kind": "reply", "command": ..., "text": ...}
  {"kind": "event", "headers": {...}}           (events of the controlled channel)
  {"kind": "disconnect", "headers": {...}}      (the disconnect notice)

  python greenswitch_outbound.py PORT MODE

MODE:
  control  myevents, answer, sleep 300 ms, getvar, api uuid_getvar, hangup; wait for
           the disconnect notice
  linger   the same with `linger` first: events keep coming after the hangup
  resume   `resume`, then `exit`: the channel's dialplan continues
  die      close the socket right after `connect`
"""

import json
import socket
import sys
import time

import gevent
from greenswitch.esl import OutboundESLServer


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def wait_for(predicate, what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = predicate()
        if found:
            return found
        gevent.sleep(0.02)
    raise TimeoutError(what)


class Application(object):
    mode = "control"
    done = False

    def __init__(self, session):
        self.session = session

    def reply(self, command, text):
        emit({"kind": "reply", "command": command, "text": text})

    def run(self):
        s = self.session
        emit({"kind": "connect", "headers": s.session_data})
        seen = []
        disconnected = []
        s.register_handle("*", lambda e: seen.append(e.headers))
        s.register_handle("DISCONNECT", lambda e: disconnected.append(e.headers))
        try:
            if self.mode == "die":
                s.sock.shutdown(socket.SHUT_RDWR)
                return
            if self.mode == "resume":
                self.reply("resume", s.send("resume").data)
                self.reply("exit", s.send("exit").data)
                return
            self.reply("myevents", s.send("myevents").data)
            if self.mode == "linger":
                self.reply("linger", s.send("linger").data)
            self.reply("answer", s.call_command("answer").data)
            self.reply("sleep", s.call_command("sleep", "300").data)

            def completed(app):
                return any(
                    h.get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE" and h.get("Application") == app
                    for h in seen
                )

            wait_for(lambda: completed("sleep"), "sleep to complete")
            self.reply("getvar", s.send("getvar destination_number").data)
            # `full` control: API commands on the same socket.
            self.reply("api", s.send("api uuid_getvar %s call_uuid" % s.uuid).data)
            self.reply("hangup", s.call_command("hangup", "NORMAL_CLEARING").data)
            wait_for(lambda: disconnected, "the disconnect notice")
            if self.mode == "linger":
                wait_for(
                    lambda: any(h.get("Event-Name") == "CHANNEL_HANGUP_COMPLETE" for h in seen),
                    "HANGUP_COMPLETE while lingering",
                )
            for h in seen:
                if h.get("Event-Name"):
                    emit({"kind": "event", "headers": h})
            emit({"kind": "disconnect", "headers": disconnected[0]})
        finally:
            Application.done = True


def main(port, mode):
    Application.mode = mode
    server = OutboundESLServer(bind_address="127.0.0.1", bind_port=int(port), application=Application)
    listener = gevent.spawn(server.listen)
    wait_for(lambda: server._running, "listen", 10)
    emit({"kind": "listening"})
    wait_for(lambda: Application.done, "a call", 30)
    gevent.sleep(0.2)
    server.stop()
    listener.kill()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
