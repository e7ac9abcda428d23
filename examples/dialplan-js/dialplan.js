// The classic FreeSWITCH default dialplan in JavaScript: the same rules as the
// Rust example (`examples/dialplan/src/lib.rs`), action for action; the
// conformance test (`host/script/tests/conformance.rs`) holds them to that.
//
// Context `default` (authenticated users): 1000-1019 bridge to the user, 9196
// echo, 9664 music on hold, 0/1 + 10-11 digits to the gateway, 5000 the IVR,
// 5001 record then bridge, 5002 the record-and-bridge app. Context `public`:
// local extensions and the IVR only. Anything else: no route.

import { Route, HangupCause, callVar, globals, isAuthenticated, log } from "witswitch";

const LOCAL_EXTENSION = /^(10[01][0-9])$/;
const OUTBOUND_NUMBER = /^[0-1][0-9]{10,11}$/;
const HOLD_MUSIC =
  "tone_stream://%(250,50,523);%(250,50,659);%(250,50,784);%(500,500,1047);loops=-1";
const OUTBOUND_GATEWAY = "outbound";
const OUTBOUND_CALLER_ID = "outbound_caller_id_number";

export function route(call) {
  switch (call.context) {
    case "default":
      return defaultContext(call).result();
    case "public":
      return publicContext(call).result();
    default:
      return Route.noRoute().result();
  }
}

function defaultContext(call) {
  const destination = call.destinationNumber;
  switch (destination) {
    case "9196":
      return new Route().answer().echo();
    case "9664":
      return new Route().answer().playback(HOLD_MUSIC);
    case "5000":
      return ivr();
    case "5001":
      return new Route()
        .set("hangup_after_bridge", "true")
        .recordSession("${call_uuid}.wav")
        .bridge("user/1001");
    case "5002":
      return new Route().app("record_and_bridge", "user/1001");
  }
  const local = LOCAL_EXTENSION.exec(destination);
  if (local) return localExtension(local[1]);
  if (OUTBOUND_NUMBER.test(destination)) return outbound(call, destination);
  return Route.noRoute();
}

function publicContext(call) {
  const destination = call.destinationNumber;
  if (destination === "5000") return ivr();
  const local = LOCAL_EXTENSION.exec(destination);
  return local ? localExtension(local[1]) : Route.noRoute();
}

function ivr() {
  return new Route().app("ivr", "");
}

function localExtension(extension) {
  return new Route()
    .set("call_timeout", "30")
    .set("hangup_after_bridge", "true")
    .bridge(`user/${extension}`);
}

// To the carrier, presenting the user's outbound caller id, else the global one.
function outbound(call, number) {
  if (!isAuthenticated(call)) {
    log.warning(`rejecting gateway call to ${number} from unauthenticated ${call.networkAddr}`);
    return new Route().hangup(HangupCause.CALL_REJECTED);
  }
  const route = new Route();
  const callerId = outboundCallerId(call);
  if (callerId !== undefined) {
    route
      .set("effective_caller_id_number", callerId)
      .set("origination_caller_id_number", callerId);
  } else {
    log.notice(
      `no ${OUTBOUND_CALLER_ID} for ${call.callerIdNumber}: the gateway's caller id applies`,
    );
  }
  return route
    .set("hangup_after_bridge", "true")
    .bridge(`sofia/gateway/${OUTBOUND_GATEWAY}/${number}`);
}

// The user's own variable wins over the switch-wide global of the same name.
function outboundCallerId(call) {
  const own = callVar(call, OUTBOUND_CALLER_ID);
  if (own !== undefined && own !== "") return own;
  const global = globals.get(OUTBOUND_CALLER_ID);
  return global !== undefined && global !== "" ? global : undefined;
}
