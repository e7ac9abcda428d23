// A dialplan that asks an HTTP routing service where a call goes, with
// `fetch()` (StarlingMonkey maps it to wasi:http, so the switch's per-script
// allowlist in conf/scripts.toml applies).
//
// GET http://<route_backend>/route?destination=<number>&caller=<number>
//   200 {"bridge": "user/1001", "vars": {"call_timeout": "30"}}
//       -> set each variable, then bridge
//   404 -> no route (NO_ROUTE_DESTINATION)
//   anything else, or the request failing (denied host, timeout)
//       -> log the error and hang up SERVICE_UNAVAILABLE
// The backend's address is the global variable `route_backend` (host:port);
// without it every call has no route.

import { HangupCause, Route, globals, log } from "witswitch";

export async function route(call) {
  const backend = globals.get("route_backend");
  if (!backend) {
    log.warning("route_backend is not set: no route");
    return Route.noRoute().result();
  }
  const query =
    `destination=${encodeURIComponent(call.destinationNumber)}` +
    `&caller=${encodeURIComponent(call.callerIdNumber)}`;
  try {
    const response = await fetch(`http://${backend}/route?${query}`);
    if (response.status === 404) return Route.noRoute().result();
    if (!response.ok) throw new Error(`routing service answered ${response.status}`);
    const answer = await response.json();
    if (typeof answer.bridge !== "string" || answer.bridge === "") {
      throw new Error("routing service answered no bridge target");
    }
    const route = new Route();
    for (const [name, value] of Object.entries(answer.vars ?? {})) {
      route.set(name, String(value));
    }
    return route.bridge(answer.bridge).result();
  } catch (error) {
    log.err(`routing service failed: ${error}`);
    return new Route().hangup(HangupCause.SERVICE_UNAVAILABLE).result();
  }
}
