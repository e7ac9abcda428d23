// witswitch guest SDK for JavaScript (QuickJS via componentize-qjs).
//
// The same vocabulary as the Rust SDK (`guest-sdk/rust`): a `Route` builder whose
// methods are the FreeSWITCH applications, `HangupCause` names, `log` and
// `globals`, and helpers to read a call's variables and headers. A dialplan
// exports `route(call)` returning `route.result()`:
//
//   import { Route } from "witswitch";
//   export function route(call) { return new Route().answer().echo().result(); }
//
// WIT values as JavaScript sees them: records are objects with camelCase fields
// (`call.destinationNumber`), options are the value or `null` under QuickJS
// (`undefined` under StarlingMonkey; the helpers here accept both and return
// `undefined`), enums are their kebab-case names (`"normal-clearing"`), variants
// are `{ tag, val }`, and a call method returning `result` returns the ok value
// or throws the error (`{ tag: "hangup", val: cause }`).

import { log as hostLog } from "witswitch:script/log@0.1.0";
import { get as hostGlobal } from "witswitch:script/globals@0.1.0";

/// Hangup causes by their FreeSWITCH names; the values are the WIT enum names.
export const HangupCause = Object.freeze({
  UNALLOCATED_NUMBER: "unallocated-number",
  NO_ROUTE_TRANSIT_NET: "no-route-transit-net",
  NO_ROUTE_DESTINATION: "no-route-destination",
  NORMAL_CLEARING: "normal-clearing",
  USER_BUSY: "user-busy",
  NO_USER_RESPONSE: "no-user-response",
  NO_ANSWER: "no-answer",
  SUBSCRIBER_ABSENT: "subscriber-absent",
  CALL_REJECTED: "call-rejected",
  NUMBER_CHANGED: "number-changed",
  DESTINATION_OUT_OF_ORDER: "destination-out-of-order",
  INVALID_NUMBER_FORMAT: "invalid-number-format",
  FACILITY_REJECTED: "facility-rejected",
  NORMAL_UNSPECIFIED: "normal-unspecified",
  NORMAL_CIRCUIT_CONGESTION: "normal-circuit-congestion",
  NETWORK_OUT_OF_ORDER: "network-out-of-order",
  NORMAL_TEMPORARY_FAILURE: "normal-temporary-failure",
  SWITCH_CONGESTION: "switch-congestion",
  REQUESTED_CHAN_UNAVAIL: "requested-chan-unavail",
  FACILITY_NOT_SUBSCRIBED: "facility-not-subscribed",
  OUTGOING_CALL_BARRED: "outgoing-call-barred",
  INCOMING_CALL_BARRED: "incoming-call-barred",
  BEARERCAPABILITY_NOTAVAIL: "bearercapability-notavail",
  SERVICE_UNAVAILABLE: "service-unavailable",
  BEARERCAPABILITY_NOTIMPL: "bearercapability-notimpl",
  SERVICE_NOT_IMPLEMENTED: "service-not-implemented",
  INCOMPATIBLE_DESTINATION: "incompatible-destination",
  RECOVERY_ON_TIMER_EXPIRE: "recovery-on-timer-expire",
  PROTOCOL_ERROR: "protocol-error",
  INTERWORKING: "interworking",
  ORIGINATOR_CANCEL: "originator-cancel",
  CRASH: "crash",
  SYSTEM_SHUTDOWN: "system-shutdown",
  LOSE_RACE: "lose-race",
  MANAGER_REQUEST: "manager-request",
  BLIND_TRANSFER: "blind-transfer",
  ATTENDED_TRANSFER: "attended-transfer",
  ALLOTTED_TIMEOUT: "allotted-timeout",
  MEDIA_TIMEOUT: "media-timeout",
  USER_NOT_REGISTERED: "user-not-registered",
  PROGRESS_TIMEOUT: "progress-timeout",
  GATEWAY_DOWN: "gateway-down",
});

/// Log levels, FreeSWITCH's names.
export const LogLevel = Object.freeze({
  DEBUG: "debug",
  INFO: "info",
  NOTICE: "notice",
  WARNING: "warning",
  ERR: "err",
  CRIT: "crit",
  ALERT: "alert",
});

/// Write to the switch's log (the line carries the script name and call uuid).
export const log = Object.freeze({
  log: (level, message) => hostLog(level, String(message)),
  debug: (message) => hostLog("debug", String(message)),
  info: (message) => hostLog("info", String(message)),
  notice: (message) => hostLog("notice", String(message)),
  warning: (message) => hostLog("warning", String(message)),
  err: (message) => hostLog("err", String(message)),
});

/// Read-only global variables (`conf/witswitch.toml` `[vars]`).
export const globals = Object.freeze({
  /// The value, or `undefined` when the variable is not set.
  get: (name) => hostGlobal(name) ?? undefined,
});

/// A channel variable of `call` by exact name; the last value set wins.
export function callVar(call, name) {
  let found;
  for (const kv of call.variables) {
    if (kv.key === name) found = kv.value;
  }
  return found;
}

/// A SIP header of the INVITE, by case-insensitive name; the first one wins.
export function callHeader(call, name) {
  const wanted = name.toLowerCase();
  const kv = call.sipHeaders.find((h) => h.key.toLowerCase() === wanted);
  return kv === undefined ? undefined : kv.value;
}

/// True when the caller authenticated by digest.
export function isAuthenticated(call) {
  return typeof call.username === "string" && call.username !== "";
}

/// The actions a dialplan returns, built in order. `result()` is what `route`
/// returns; `Route.noRoute()` makes the switch hang up NO_ROUTE_DESTINATION.
export class Route {
  constructor() {
    this.actions = [];
    this.noRoute = false;
  }

  static noRoute() {
    const route = new Route();
    route.noRoute = true;
    return route;
  }

  /// The WIT `route-result`.
  result() {
    return this.noRoute ? { tag: "no-route" } : { tag: "actions", val: this.actions };
  }

  action(tag, val) {
    this.actions.push(val === undefined ? { tag } : { tag, val });
    return this;
  }

  answer() { return this.action("answer"); }
  preAnswer() { return this.action("pre-answer"); }
  ringReady() { return this.action("ring-ready"); }
  playback(source) { return this.action("playback", String(source)); }
  bridge(dialString) { return this.action("bridge", String(dialString)); }
  recordSession(path) { return this.action("record-session", String(path)); }
  stopRecordSession(path) { return this.action("stop-record-session", String(path)); }
  set(key, value) { return this.action("set", { key, value: String(value) }); }
  export(key, value) { return this.action("export", { key, value: String(value) }); }
  unset(name) { return this.action("unset", String(name)); }
  hangup(cause) { return this.action("hangup", cause); }
  transfer(extension, context) {
    return this.action("transfer", { extension, context: context ?? null });
  }
  sleep(ms) { return this.action("sleep", ms >>> 0); }
  echo() { return this.action("echo"); }
  park() { return this.action("park"); }
  log(level, message) { return this.action("log", { level, message: String(message) }); }
  app(name, args = "") { return this.action("app", { name, args: String(args) }); }
  execute(name, data = "") { return this.action("execute", { name, data: String(data) }); }
}

// ---- Apps (world `app`): `export function run(call)` drives a live call. ----
// `call` is the host's resource: `call.answer()`, `call.play(source)`,
// `call.collectDigits(options)`, `call.bridge(dialString)`, `call.record(options)`,
// `call.transfer(extension, context)`, `call.hangup(cause)`, `call.getVar(name)`,
// ... (session.wit, camelCase). A method returns its ok value or throws the
// `call-error` (`{ tag: "hangup", val: cause }` once the caller has hung up);
// a `run` that lets that error escape ends the app with it, as Rust's `?` does.

/// The options of `call.collectDigits`, with the Rust SDK's defaults.
export function collectOptions(maxDigits, overrides = {}) {
  return {
    maxDigits,
    firstDigitTimeoutMs: 5000,
    interDigitTimeoutMs: 3000,
    terminators: "#",
    ...overrides,
  };
}

/// The options of `call.record`, with the Rust SDK's defaults.
export function recordOptions(path, overrides = {}) {
  return { path, maxSeconds: 60, silenceSeconds: 3, terminators: "#", ...overrides };
}

/// The digit that interrupted a `call.play`, or `undefined` when it completed.
export function digitOf(playOutcome) {
  return playOutcome.tag === "interrupted" ? playOutcome.val : undefined;
}

/// True when `error` (thrown by a call method) means the caller hung up.
export function isHangup(error) {
  return error !== null && typeof error === "object" && error.tag === "hangup";
}

/// The prompt of one key under `conf/sounds/digits/` (`0.wav` … `9.wav`,
/// `star.wav`, `pound.wav`), or `undefined` (the Rust SDK's `say::digit_prompt`).
export function digitPrompt(key) {
  if (key >= "0" && key <= "9" && key.length === 1) return `sounds/digits/${key}.wav`;
  if (key === "*") return "sounds/digits/star.wav";
  if (key === "#") return "sounds/digits/pound.wav";
  return undefined;
}

/// Says `digits` key by key (spaces, `-`, `.`, `(`, `)` skipped); a key pressed
/// meanwhile stops it and is returned, else `undefined`. A character without a
/// prompt throws `{ tag: "invalid-argument" }` before anything plays; a missing
/// file throws the host's `file-not-found`, as `call.play` does.
export function sayDigits(call, digits) {
  const prompts = [];
  for (const key of String(digits)) {
    if (" -.()".includes(key)) continue;
    const prompt = digitPrompt(key);
    if (prompt === undefined) {
      throw { tag: "invalid-argument", val: `say digits: no prompt for '${key}'` };
    }
    prompts.push(prompt);
  }
  for (const prompt of prompts) {
    const digit = digitOf(call.play(prompt));
    if (digit !== undefined) return digit;
  }
  return undefined;
}
