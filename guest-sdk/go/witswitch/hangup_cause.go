package witswitch

import types "wit_component/witswitch_script_types"

// HangupCause is why a call ends: the Q.850 names FreeSWITCH prints, in Go
// spelling (NormalClearing is NORMAL_CLEARING).
type HangupCause = types.HangupCause

// The hangup causes of the witswitch:script contract.
const (
	AllottedTimeout          = types.HangupCause_AllottedTimeout
	AttendedTransfer         = types.HangupCause_AttendedTransfer
	BearercapabilityNotavail = types.HangupCause_BearercapabilityNotavail
	BearercapabilityNotimpl  = types.HangupCause_BearercapabilityNotimpl
	BlindTransfer            = types.HangupCause_BlindTransfer
	CallRejected             = types.HangupCause_CallRejected
	Crash                    = types.HangupCause_Crash
	DestinationOutOfOrder    = types.HangupCause_DestinationOutOfOrder
	FacilityNotSubscribed    = types.HangupCause_FacilityNotSubscribed
	FacilityRejected         = types.HangupCause_FacilityRejected
	GatewayDown              = types.HangupCause_GatewayDown
	IncomingCallBarred       = types.HangupCause_IncomingCallBarred
	IncompatibleDestination  = types.HangupCause_IncompatibleDestination
	Interworking             = types.HangupCause_Interworking
	InvalidNumberFormat      = types.HangupCause_InvalidNumberFormat
	LoseRace                 = types.HangupCause_LoseRace
	ManagerRequest           = types.HangupCause_ManagerRequest
	MediaTimeout             = types.HangupCause_MediaTimeout
	NetworkOutOfOrder        = types.HangupCause_NetworkOutOfOrder
	NoAnswer                 = types.HangupCause_NoAnswer
	NoRouteDestination       = types.HangupCause_NoRouteDestination
	NoRouteTransitNet        = types.HangupCause_NoRouteTransitNet
	NoUserResponse           = types.HangupCause_NoUserResponse
	NormalCircuitCongestion  = types.HangupCause_NormalCircuitCongestion
	NormalClearing           = types.HangupCause_NormalClearing
	NormalTemporaryFailure   = types.HangupCause_NormalTemporaryFailure
	NormalUnspecified        = types.HangupCause_NormalUnspecified
	NumberChanged            = types.HangupCause_NumberChanged
	OriginatorCancel         = types.HangupCause_OriginatorCancel
	OutgoingCallBarred       = types.HangupCause_OutgoingCallBarred
	ProgressTimeout          = types.HangupCause_ProgressTimeout
	ProtocolError            = types.HangupCause_ProtocolError
	RecoveryOnTimerExpire    = types.HangupCause_RecoveryOnTimerExpire
	RequestedChanUnavail     = types.HangupCause_RequestedChanUnavail
	ServiceNotImplemented    = types.HangupCause_ServiceNotImplemented
	ServiceUnavailable       = types.HangupCause_ServiceUnavailable
	SubscriberAbsent         = types.HangupCause_SubscriberAbsent
	SwitchCongestion         = types.HangupCause_SwitchCongestion
	SystemShutdown           = types.HangupCause_SystemShutdown
	UnallocatedNumber        = types.HangupCause_UnallocatedNumber
	UserBusy                 = types.HangupCause_UserBusy
	UserNotRegistered        = types.HangupCause_UserNotRegistered
)
