// Package witswitch is the Go guest SDK of witswitch: the same vocabulary as
// the Rust SDK (guest-sdk/rust). A dialplan is a package export_wit_world with
//
//	func Route(call witswitch.CallInfo) witswitch.RouteResult {
//		return witswitch.NewRoute().Answer().Echo().Result()
//	}
//
// scripts/build-guest generates the bindings (wit-bindgen go) into a module
// named wit_component, adds this package to it as wit_component/witswitch, and
// builds with standard Go for wasip1 (see guest-sdk/README.md).
package witswitch

import (
	"strings"

	witTypes "go.bytecodealliance.org/pkg/wit/types"
	globalsImport "wit_component/witswitch_script_globals"
	logImport "wit_component/witswitch_script_log"
	types "wit_component/witswitch_script_types"
)

// CallInfo is what a dialplan sees of a call.
type CallInfo = types.CallInfo

// KeyValue is a channel variable or a SIP header.
type KeyValue = types.KeyValue

// Action is one dialplan application.
type Action = types.Action

// RouteResult is what Route returns: actions or no route.
type RouteResult = types.RouteResult

// LogLevel is a FreeSWITCH log level.
type LogLevel = types.LogLevel

// The log levels.
const (
	Debug   = types.LogLevel_Debug
	Info    = types.LogLevel_Info
	Notice  = types.LogLevel_Notice
	Warning = types.LogLevel_Warning
	Err     = types.LogLevel_Err
	Crit    = types.LogLevel_Crit
	Alert   = types.LogLevel_Alert
)

// Log writes to the switch's log; the line carries the script and call uuid.
func Log(level LogLevel, message string) { logImport.Log(level, message) }

// LogNotice logs at notice level.
func LogNotice(message string) { Log(Notice, message) }

// LogWarning logs at warning level.
func LogWarning(message string) { Log(Warning, message) }

// LogInfo logs at info level.
func LogInfo(message string) { Log(Info, message) }

// LogErr logs at err level.
func LogErr(message string) { Log(Err, message) }

// Global is a read-only global variable (conf/witswitch.toml [vars]); ok is
// false when it is not set.
func Global(name string) (value string, ok bool) {
	found := globalsImport.Get(name)
	if found.IsNone() {
		return "", false
	}
	return found.Some(), true
}

// Var is a channel variable of call by exact name; the last value set wins.
func Var(call *CallInfo, name string) (value string, ok bool) {
	for _, kv := range call.Variables {
		if kv.Key == name {
			value, ok = kv.Value, true
		}
	}
	return value, ok
}

// Header is a SIP header of the INVITE by case-insensitive name; the first wins.
func Header(call *CallInfo, name string) (string, bool) {
	for _, kv := range call.SipHeaders {
		if strings.EqualFold(kv.Key, name) {
			return kv.Value, true
		}
	}
	return "", false
}

// IsAuthenticated is true when the caller authenticated by digest.
func IsAuthenticated(call *CallInfo) bool {
	return call.Username.IsSome() && call.Username.Some() != ""
}

// Route builds the actions a dialplan returns, in order.
type Route struct {
	actions []Action
	noRoute bool
}

// NewRoute starts an empty list of actions.
func NewRoute() *Route { return &Route{} }

// NoRoute makes the switch hang up with NO_ROUTE_DESTINATION.
func NoRoute() *Route { return &Route{noRoute: true} }

// IsNoRoute tells whether this is NoRoute.
func (r *Route) IsNoRoute() bool { return r.noRoute }

// Result is the WIT route-result to return from Route.
func (r *Route) Result() RouteResult {
	if r.noRoute {
		return types.MakeRouteResultNoRoute()
	}
	return types.MakeRouteResultActions(append([]Action{}, r.actions...))
}

// Action appends any action.
func (r *Route) Action(action Action) *Route {
	r.actions = append(r.actions, action)
	return r
}

// Answer: 200 OK with SDP.
func (r *Route) Answer() *Route { return r.Action(types.MakeActionAnswer()) }

// PreAnswer: 183 Session Progress (early media).
func (r *Route) PreAnswer() *Route { return r.Action(types.MakeActionPreAnswer()) }

// RingReady: 180 Ringing.
func (r *Route) RingReady() *Route { return r.Action(types.MakeActionRingReady()) }

// Playback a file, tone_stream:// or silence_stream://.
func (r *Route) Playback(source string) *Route {
	return r.Action(types.MakeActionPlayback(source))
}

// Bridge to a dial string.
func (r *Route) Bridge(dialString string) *Route {
	return r.Action(types.MakeActionBridge(dialString))
}

// RecordSession records both directions to a WAV path.
func (r *Route) RecordSession(path string) *Route {
	return r.Action(types.MakeActionRecordSession(path))
}

// StopRecordSession stops the recording to path.
func (r *Route) StopRecordSession(path string) *Route {
	return r.Action(types.MakeActionStopRecordSession(path))
}

// Set a channel variable.
func (r *Route) Set(name, value string) *Route {
	return r.Action(types.MakeActionSet(KeyValue{Key: name, Value: value}))
}

// Export a channel variable to legs created later.
func (r *Route) Export(name, value string) *Route {
	return r.Action(types.MakeActionExport(KeyValue{Key: name, Value: value}))
}

// Unset a channel variable.
func (r *Route) Unset(name string) *Route { return r.Action(types.MakeActionUnset(name)) }

// Hangup with a cause.
func (r *Route) Hangup(cause HangupCause) *Route {
	return r.Action(types.MakeActionHangup(cause))
}

// Transfer to extension in context ("" for the current one).
func (r *Route) Transfer(extension, context string) *Route {
	target := types.TransferTarget{Extension: extension, Context: witTypes.None[string]()}
	if context != "" {
		target.Context = witTypes.Some(context)
	}
	return r.Action(types.MakeActionTransfer(target))
}

// Sleep ms milliseconds with media flowing.
func (r *Route) Sleep(ms uint32) *Route { return r.Action(types.MakeActionSleep(ms)) }

// Echo the caller's audio back.
func (r *Route) Echo() *Route { return r.Action(types.MakeActionEcho()) }

// Park the call.
func (r *Route) Park() *Route { return r.Action(types.MakeActionPark()) }

// LogAction writes a log line when the actions run (the `log` application).
func (r *Route) LogAction(level LogLevel, message string) *Route {
	return r.Action(types.MakeActionLog(types.LogMessage{Level: level, Message: message}))
}

// App starts the app component name on the call.
func (r *Route) App(name, args string) *Route {
	return r.Action(types.MakeActionApp(types.AppInvocation{Name: name, Args: args}))
}

// Execute runs any application by its FreeSWITCH name.
func (r *Route) Execute(name, data string) *Route {
	return r.Action(types.MakeActionExecute(types.ExecuteApp{Name: name, Data: data}))
}
