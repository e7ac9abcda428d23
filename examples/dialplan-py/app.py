"""The classic FreeSWITCH default dialplan in Python: the same rules as the Rust
example (``examples/dialplan/src/lib.rs``), action for action; the conformance
test (``host/script/tests/conformance.rs``) holds them to that.

Context ``default`` (authenticated users): 1000-1019 bridge to the user, 9196
echo, 9664 music on hold, 0/1 + 10-11 digits to the gateway, 5000 the IVR, 5001
record then bridge, 5002 the record-and-bridge app. Context ``public``: local
extensions and the IVR only. Anything else: no route.
"""

import re
from typing import Optional

from witswitch import (
    CallInfo,
    Dialplan,
    HangupCause,
    Route,
    call_var,
    globals,
    is_authenticated,
    log,
)

# fullmatch, not `$`: Python's `$` also matches before a trailing newline.
LOCAL_EXTENSION = re.compile(r"(10[01][0-9])")
OUTBOUND_NUMBER = re.compile(r"[0-1][0-9]{10,11}")
HOLD_MUSIC = (
    "tone_stream://%(250,50,523);%(250,50,659);%(250,50,784);%(500,500,1047);loops=-1"
)
OUTBOUND_GATEWAY = "outbound"
OUTBOUND_CALLER_ID = "outbound_caller_id_number"


class WitWorld(Dialplan):
    def route(self, call: CallInfo):
        if call.context == "default":
            return default_context(call).result()
        if call.context == "public":
            return public_context(call).result()
        return Route.no_route().result()


def default_context(call: CallInfo) -> Route:
    destination = call.destination_number
    if destination == "9196":
        return Route().answer().echo()
    if destination == "9664":
        return Route().answer().playback(HOLD_MUSIC)
    if destination == "5000":
        return ivr()
    if destination == "5001":
        return (
            Route()
            .set("hangup_after_bridge", "true")
            .record_session("${call_uuid}.wav")
            .bridge("user/1001")
        )
    if destination == "5002":
        return Route().app("record_and_bridge", "user/1001")
    local = LOCAL_EXTENSION.fullmatch(destination)
    if local:
        return local_extension(local.group(1))
    if OUTBOUND_NUMBER.fullmatch(destination):
        return outbound(call, destination)
    return Route.no_route()


def public_context(call: CallInfo) -> Route:
    destination = call.destination_number
    if destination == "5000":
        return ivr()
    local = LOCAL_EXTENSION.fullmatch(destination)
    return local_extension(local.group(1)) if local else Route.no_route()


def ivr() -> Route:
    return Route().app("ivr", "")


def local_extension(extension: str) -> Route:
    return (
        Route()
        .set("call_timeout", "30")
        .set("hangup_after_bridge", "true")
        .bridge(f"user/{extension}")
    )


def outbound(call: CallInfo, number: str) -> Route:
    """To the carrier, presenting the user's outbound caller id, else the global one."""
    if not is_authenticated(call):
        log.warning(
            f"rejecting gateway call to {number} from unauthenticated {call.network_addr}"
        )
        return Route().hangup(HangupCause.CALL_REJECTED)
    route = Route()
    caller_id = outbound_caller_id(call)
    if caller_id is not None:
        route.set("effective_caller_id_number", caller_id).set(
            "origination_caller_id_number", caller_id
        )
    else:
        log.notice(
            f"no {OUTBOUND_CALLER_ID} for {call.caller_id_number}: "
            "the gateway's caller id applies"
        )
    return route.set("hangup_after_bridge", "true").bridge(
        f"sofia/gateway/{OUTBOUND_GATEWAY}/{number}"
    )


def outbound_caller_id(call: CallInfo) -> Optional[str]:
    """The user's own variable wins over the switch-wide global of the same name."""
    own = call_var(call, OUTBOUND_CALLER_ID)
    if own:
        return own
    return globals.get(OUTBOUND_CALLER_ID) or None
