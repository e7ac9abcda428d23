"""witswitch guest SDK for Python (componentize-py).

The same vocabulary as the Rust SDK (``guest-sdk/rust``): a ``Route`` builder
whose methods are the FreeSWITCH applications, ``HangupCause`` names, ``log``
and ``globals``, and helpers to read a call's variables and headers. A dialplan
module defines::

    from witswitch import Dialplan, Route

    class WitWorld(Dialplan):
        def route(self, call):
            return Route().answer().echo().result()

WIT values as Python sees them (componentize-py's mapping): records are
dataclasses with snake_case fields (``call.destination_number``), options are the
value or ``None``, enums are ``Enum`` members, variants are one dataclass per case.
"""

from typing import List, Optional

from wit_world.imports import globals as _globals
from wit_world.imports import log as _log
from wit_world.imports import witswitch_script_types as t

HangupCause = t.HangupCause
"""Hangup causes by their FreeSWITCH names (``HangupCause.NORMAL_CLEARING``)."""

LogLevel = t.LogLevel
"""Log levels, FreeSWITCH's names (``LogLevel.NOTICE``)."""

CallInfo = t.CallInfo
KeyValue = t.KeyValue


class Dialplan:
    """Base class of a dialplan's ``WitWorld``: override ``route``."""

    def route(self, call: CallInfo) -> t.RouteResult:
        raise NotImplementedError


class log:  # noqa: N801 - a namespace, as in the other SDKs
    """Write to the switch's log (lines carry the script name and call uuid)."""

    @staticmethod
    def log(level: LogLevel, message: str) -> None:
        _log.log(level, str(message))

    @staticmethod
    def debug(message: str) -> None:
        _log.log(LogLevel.DEBUG, str(message))

    @staticmethod
    def info(message: str) -> None:
        _log.log(LogLevel.INFO, str(message))

    @staticmethod
    def notice(message: str) -> None:
        _log.log(LogLevel.NOTICE, str(message))

    @staticmethod
    def warning(message: str) -> None:
        _log.log(LogLevel.WARNING, str(message))

    @staticmethod
    def err(message: str) -> None:
        _log.log(LogLevel.ERR, str(message))


class globals:  # noqa: N801 - a namespace, as in the other SDKs
    """Read-only global variables (``conf/witswitch.toml`` ``[vars]``)."""

    @staticmethod
    def get(name: str) -> Optional[str]:
        return _globals.get(name)


def call_var(call: CallInfo, name: str) -> Optional[str]:
    """A channel variable by exact name; the last value set wins."""
    found = None
    for kv in call.variables:
        if kv.key == name:
            found = kv.value
    return found


def call_header(call: CallInfo, name: str) -> Optional[str]:
    """A SIP header of the INVITE by case-insensitive name; the first one wins."""
    wanted = name.lower()
    for kv in call.sip_headers:
        if kv.key.lower() == wanted:
            return kv.value
    return None


def is_authenticated(call: CallInfo) -> bool:
    """True when the caller authenticated by digest."""
    return bool(call.username)


class Route:
    """The actions a dialplan returns, built in order; ``result()`` is what
    ``route`` returns. ``Route.no_route()`` hangs up NO_ROUTE_DESTINATION."""

    def __init__(self) -> None:
        self.actions: List[t.Action] = []
        self._no_route = False

    @staticmethod
    def no_route() -> "Route":
        route = Route()
        route._no_route = True
        return route

    def is_no_route(self) -> bool:
        return self._no_route

    def result(self) -> t.RouteResult:
        if self._no_route:
            return t.RouteResult_NoRoute()
        return t.RouteResult_Actions(list(self.actions))

    def action(self, action: t.Action) -> "Route":
        self.actions.append(action)
        return self

    def answer(self) -> "Route":
        return self.action(t.Action_Answer())

    def pre_answer(self) -> "Route":
        return self.action(t.Action_PreAnswer())

    def ring_ready(self) -> "Route":
        return self.action(t.Action_RingReady())

    def playback(self, source: str) -> "Route":
        return self.action(t.Action_Playback(str(source)))

    def bridge(self, dial_string: str) -> "Route":
        return self.action(t.Action_Bridge(str(dial_string)))

    def record_session(self, path: str) -> "Route":
        return self.action(t.Action_RecordSession(str(path)))

    def stop_record_session(self, path: str) -> "Route":
        return self.action(t.Action_StopRecordSession(str(path)))

    def set(self, key: str, value: str) -> "Route":
        return self.action(t.Action_Set(KeyValue(key, str(value))))

    def export(self, key: str, value: str) -> "Route":
        return self.action(t.Action_Export(KeyValue(key, str(value))))

    def unset(self, name: str) -> "Route":
        return self.action(t.Action_Unset(str(name)))

    def hangup(self, cause: HangupCause) -> "Route":
        return self.action(t.Action_Hangup(cause))

    def transfer(self, extension: str, context: Optional[str] = None) -> "Route":
        return self.action(t.Action_Transfer(t.TransferTarget(extension, context)))

    def sleep(self, ms: int) -> "Route":
        return self.action(t.Action_Sleep(int(ms)))

    def echo(self) -> "Route":
        return self.action(t.Action_Echo())

    def park(self) -> "Route":
        return self.action(t.Action_Park())

    def log(self, level: LogLevel, message: str) -> "Route":
        return self.action(t.Action_Log(t.LogMessage(level, str(message))))

    def app(self, name: str, args: str = "") -> "Route":
        return self.action(t.Action_App(t.AppInvocation(name, str(args))))

    def execute(self, name: str, data: str = "") -> "Route":
        return self.action(t.Action_Execute(t.ExecuteApp(name, str(data))))
