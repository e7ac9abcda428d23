// Package export_wit_world is the classic FreeSWITCH default dialplan in Go:
// the same rules as the Rust example (examples/dialplan/src/lib.rs), action for
// action; host/script/tests/conformance.rs holds them to that.
//
// Context default (authenticated users): 1000-1019 bridge to the user, 9196
// echo, 9664 music on hold, 0/1 + 10-11 digits to the gateway, 5000 the IVR,
// 5001 record then bridge, 5002 the record-and-bridge app. Context public:
// local extensions and the IVR only. Anything else: no route.
package export_wit_world

import (
	"fmt"
	"regexp"

	"wit_component/witswitch"
)

var (
	localExtension = regexp.MustCompile(`^(10[01][0-9])$`)
	outboundNumber = regexp.MustCompile(`^[0-1][0-9]{10,11}$`)
)

const (
	holdMusic        = "tone_stream://%(250,50,523);%(250,50,659);%(250,50,784);%(500,500,1047);loops=-1"
	outboundGateway  = "outbound"
	outboundCallerID = "outbound_caller_id_number"
)

// Route decides what happens to call.
func Route(call witswitch.CallInfo) witswitch.RouteResult {
	switch call.Context {
	case "default":
		return defaultContext(&call).Result()
	case "public":
		return publicContext(&call).Result()
	default:
		return witswitch.NoRoute().Result()
	}
}

func defaultContext(call *witswitch.CallInfo) *witswitch.Route {
	destination := call.DestinationNumber
	switch destination {
	case "9196":
		return witswitch.NewRoute().Answer().Echo()
	case "9664":
		return witswitch.NewRoute().Answer().Playback(holdMusic)
	case "5000":
		return ivr()
	case "5001":
		return witswitch.NewRoute().
			Set("hangup_after_bridge", "true").
			RecordSession("${call_uuid}.wav").
			Bridge("user/1001")
	case "5002":
		return witswitch.NewRoute().App("record_and_bridge", "user/1001")
	}
	if m := localExtension.FindStringSubmatch(destination); m != nil {
		return local(m[1])
	}
	if outboundNumber.MatchString(destination) {
		return outbound(call, destination)
	}
	return witswitch.NoRoute()
}

func publicContext(call *witswitch.CallInfo) *witswitch.Route {
	destination := call.DestinationNumber
	if destination == "5000" {
		return ivr()
	}
	if m := localExtension.FindStringSubmatch(destination); m != nil {
		return local(m[1])
	}
	return witswitch.NoRoute()
}

func ivr() *witswitch.Route { return witswitch.NewRoute().App("ivr", "") }

func local(extension string) *witswitch.Route {
	return witswitch.NewRoute().
		Set("call_timeout", "30").
		Set("hangup_after_bridge", "true").
		Bridge("user/" + extension)
}

// outbound goes to the carrier, presenting the user's outbound caller id, else
// the global one.
func outbound(call *witswitch.CallInfo, number string) *witswitch.Route {
	if !witswitch.IsAuthenticated(call) {
		witswitch.LogWarning(fmt.Sprintf(
			"rejecting gateway call to %s from unauthenticated %s", number, call.NetworkAddr))
		return witswitch.NewRoute().Hangup(witswitch.CallRejected)
	}
	route := witswitch.NewRoute()
	if callerID, ok := outboundCallerIDOf(call); ok {
		route.Set("effective_caller_id_number", callerID).
			Set("origination_caller_id_number", callerID)
	} else {
		witswitch.LogNotice(fmt.Sprintf(
			"no %s for %s: the gateway's caller id applies", outboundCallerID, call.CallerIdNumber))
	}
	return route.
		Set("hangup_after_bridge", "true").
		Bridge(fmt.Sprintf("sofia/gateway/%s/%s", outboundGateway, number))
}

// outboundCallerIDOf prefers the user's own variable over the global one.
func outboundCallerIDOf(call *witswitch.CallInfo) (string, bool) {
	if own, ok := witswitch.Var(call, outboundCallerID); ok && own != "" {
		return own, true
	}
	if global, ok := witswitch.Global(outboundCallerID); ok && global != "" {
		return global, true
	}
	return "", false
}
