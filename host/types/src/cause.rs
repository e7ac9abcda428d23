//! Hangup causes: FreeSWITCH's names, their Q.850 codes, and the mapping to
//! and from SIP status codes (RFC 3398).
//!
//! - [`HangupCause::sip_status`]: the final response for a call we reject or
//!   end before answer. RFC 3398 §7.2.4.1 (ISUP cause → SIP status), with the
//!   choices FreeSWITCH makes where it differs from the RFC (a user keeps
//!   seeing the same status codes): CALL_REJECTED → 603 (RFC: 403),
//!   INCOMPATIBLE_DESTINATION → 488 (RFC: 503; the FreeSWITCH 1.10.12
//!   capture `codec_488_*.txt` shows 488), NORMAL_CLEARING and everything
//!   the RFC leaves open → 480 (capture `no_route.txt`).
//! - [`HangupCause::from_sip_status`]: the cause of an outgoing leg that got
//!   a final error response. RFC 3398 §8.2.6.1 (SIP status → ISUP cause),
//!   plus 487 → ORIGINATOR_CANCEL and 488/606 → INCOMPATIBLE_DESTINATION as
//!   FreeSWITCH does (the RFC says "by Warning header"). Unknown codes are
//!   treated as the class's x00 code (RFC 3261 §8.1.3.2).

use std::fmt;
use std::str::FromStr;

/// Why a channel ended, named as FreeSWITCH prints it (`NORMAL_CLEARING`).
///
/// Codes below 128 are Q.850 cause values; the others are FreeSWITCH's own
/// causes (ORIGINATOR_CANCEL = 487, LOSE_RACE = 502, ...), with the same
/// numbers FreeSWITCH uses so logs and CDRs compare one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // each variant is documented by its FreeSWITCH name in `TABLE`
pub enum HangupCause {
    None,
    UnallocatedNumber,
    NoRouteTransitNet,
    NoRouteDestination,
    ChannelUnacceptable,
    CallAwardedDelivered,
    NormalClearing,
    UserBusy,
    NoUserResponse,
    NoAnswer,
    SubscriberAbsent,
    CallRejected,
    NumberChanged,
    RedirectionToNewDestination,
    ExchangeRoutingError,
    DestinationOutOfOrder,
    InvalidNumberFormat,
    FacilityRejected,
    ResponseToStatusEnquiry,
    NormalUnspecified,
    NormalCircuitCongestion,
    NetworkOutOfOrder,
    NormalTemporaryFailure,
    SwitchCongestion,
    AccessInfoDiscarded,
    RequestedChanUnavail,
    PreEmpted,
    FacilityNotSubscribed,
    OutgoingCallBarred,
    IncomingCallBarred,
    BearercapabilityNotauth,
    BearercapabilityNotavail,
    ServiceUnavailable,
    BearercapabilityNotimpl,
    ChanNotImplemented,
    FacilityNotImplemented,
    ServiceNotImplemented,
    InvalidCallReference,
    IncompatibleDestination,
    InvalidMsgUnspecified,
    MandatoryIeMissing,
    MessageTypeNonexist,
    WrongMessage,
    IeNonexist,
    InvalidIeContents,
    WrongCallState,
    RecoveryOnTimerExpire,
    MandatoryIeLengthError,
    ProtocolError,
    Interworking,
    Success,
    OriginatorCancel,
    Crash,
    SystemShutdown,
    LoseRace,
    ManagerRequest,
    BlindTransfer,
    AttendedTransfer,
    AllottedTimeout,
    UserChallenge,
    MediaTimeout,
    PickedOff,
    UserNotRegistered,
    ProgressTimeout,
    InvalidGateway,
    GatewayDown,
    InvalidUrl,
    InvalidProfile,
    NoPickup,
}

use HangupCause as C;

/// Every cause with its code and FreeSWITCH name (`switch_types.h` order).
const TABLE: &[(HangupCause, u16, &str)] = &[
    (C::None, 0, "NONE"),
    (C::UnallocatedNumber, 1, "UNALLOCATED_NUMBER"),
    (C::NoRouteTransitNet, 2, "NO_ROUTE_TRANSIT_NET"),
    (C::NoRouteDestination, 3, "NO_ROUTE_DESTINATION"),
    (C::ChannelUnacceptable, 6, "CHANNEL_UNACCEPTABLE"),
    (C::CallAwardedDelivered, 7, "CALL_AWARDED_DELIVERED"),
    (C::NormalClearing, 16, "NORMAL_CLEARING"),
    (C::UserBusy, 17, "USER_BUSY"),
    (C::NoUserResponse, 18, "NO_USER_RESPONSE"),
    (C::NoAnswer, 19, "NO_ANSWER"),
    (C::SubscriberAbsent, 20, "SUBSCRIBER_ABSENT"),
    (C::CallRejected, 21, "CALL_REJECTED"),
    (C::NumberChanged, 22, "NUMBER_CHANGED"),
    (
        C::RedirectionToNewDestination,
        23,
        "REDIRECTION_TO_NEW_DESTINATION",
    ),
    (C::ExchangeRoutingError, 25, "EXCHANGE_ROUTING_ERROR"),
    (C::DestinationOutOfOrder, 27, "DESTINATION_OUT_OF_ORDER"),
    (C::InvalidNumberFormat, 28, "INVALID_NUMBER_FORMAT"),
    (C::FacilityRejected, 29, "FACILITY_REJECTED"),
    (C::ResponseToStatusEnquiry, 30, "RESPONSE_TO_STATUS_ENQUIRY"),
    (C::NormalUnspecified, 31, "NORMAL_UNSPECIFIED"),
    (C::NormalCircuitCongestion, 34, "NORMAL_CIRCUIT_CONGESTION"),
    (C::NetworkOutOfOrder, 38, "NETWORK_OUT_OF_ORDER"),
    (C::NormalTemporaryFailure, 41, "NORMAL_TEMPORARY_FAILURE"),
    (C::SwitchCongestion, 42, "SWITCH_CONGESTION"),
    (C::AccessInfoDiscarded, 43, "ACCESS_INFO_DISCARDED"),
    (C::RequestedChanUnavail, 44, "REQUESTED_CHAN_UNAVAIL"),
    (C::PreEmpted, 45, "PRE_EMPTED"),
    (C::FacilityNotSubscribed, 50, "FACILITY_NOT_SUBSCRIBED"),
    (C::OutgoingCallBarred, 52, "OUTGOING_CALL_BARRED"),
    (C::IncomingCallBarred, 54, "INCOMING_CALL_BARRED"),
    (C::BearercapabilityNotauth, 57, "BEARERCAPABILITY_NOTAUTH"),
    (C::BearercapabilityNotavail, 58, "BEARERCAPABILITY_NOTAVAIL"),
    (C::ServiceUnavailable, 63, "SERVICE_UNAVAILABLE"),
    (C::BearercapabilityNotimpl, 65, "BEARERCAPABILITY_NOTIMPL"),
    (C::ChanNotImplemented, 66, "CHAN_NOT_IMPLEMENTED"),
    (C::FacilityNotImplemented, 69, "FACILITY_NOT_IMPLEMENTED"),
    (C::ServiceNotImplemented, 79, "SERVICE_NOT_IMPLEMENTED"),
    (C::InvalidCallReference, 81, "INVALID_CALL_REFERENCE"),
    (C::IncompatibleDestination, 88, "INCOMPATIBLE_DESTINATION"),
    (C::InvalidMsgUnspecified, 95, "INVALID_MSG_UNSPECIFIED"),
    (C::MandatoryIeMissing, 96, "MANDATORY_IE_MISSING"),
    (C::MessageTypeNonexist, 97, "MESSAGE_TYPE_NONEXIST"),
    (C::WrongMessage, 98, "WRONG_MESSAGE"),
    (C::IeNonexist, 99, "IE_NONEXIST"),
    (C::InvalidIeContents, 100, "INVALID_IE_CONTENTS"),
    (C::WrongCallState, 101, "WRONG_CALL_STATE"),
    (C::RecoveryOnTimerExpire, 102, "RECOVERY_ON_TIMER_EXPIRE"),
    (C::MandatoryIeLengthError, 103, "MANDATORY_IE_LENGTH_ERROR"),
    (C::ProtocolError, 111, "PROTOCOL_ERROR"),
    (C::Interworking, 127, "INTERWORKING"),
    (C::Success, 142, "SUCCESS"),
    (C::OriginatorCancel, 487, "ORIGINATOR_CANCEL"),
    (C::Crash, 500, "CRASH"),
    (C::SystemShutdown, 501, "SYSTEM_SHUTDOWN"),
    (C::LoseRace, 502, "LOSE_RACE"),
    (C::ManagerRequest, 503, "MANAGER_REQUEST"),
    (C::BlindTransfer, 600, "BLIND_TRANSFER"),
    (C::AttendedTransfer, 601, "ATTENDED_TRANSFER"),
    (C::AllottedTimeout, 602, "ALLOTTED_TIMEOUT"),
    (C::UserChallenge, 603, "USER_CHALLENGE"),
    (C::MediaTimeout, 604, "MEDIA_TIMEOUT"),
    (C::PickedOff, 605, "PICKED_OFF"),
    (C::UserNotRegistered, 606, "USER_NOT_REGISTERED"),
    (C::ProgressTimeout, 607, "PROGRESS_TIMEOUT"),
    (C::InvalidGateway, 608, "INVALID_GATEWAY"),
    (C::GatewayDown, 609, "GATEWAY_DOWN"),
    (C::InvalidUrl, 610, "INVALID_URL"),
    (C::InvalidProfile, 611, "INVALID_PROFILE"),
    (C::NoPickup, 612, "NO_PICKUP"),
];

/// A string that names no hangup cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown hangup cause `{0}`")]
pub struct UnknownCause(pub String);

impl HangupCause {
    /// Every cause, in code order.
    pub fn all() -> impl Iterator<Item = HangupCause> {
        TABLE.iter().map(|(cause, _, _)| *cause)
    }

    fn entry(self) -> &'static (HangupCause, u16, &'static str) {
        // The table lists every variant; the `Interworking` fallback is never
        // reached and keeps this total without a panic.
        TABLE
            .iter()
            .find(|(cause, _, _)| *cause == self)
            .unwrap_or(&(C::Interworking, 127, "INTERWORKING"))
    }

    /// The numeric code: Q.850 for values below 128, FreeSWITCH's own above.
    pub fn code(self) -> u16 {
        self.entry().1
    }

    /// The Q.850 cause value to put in a `Reason: Q.850;cause=` header
    /// (RFC 3326): FreeSWITCH-only causes map to the nearest Q.850 value.
    pub fn q850(self) -> u8 {
        match self {
            C::OriginatorCancel | C::LoseRace | C::PickedOff | C::NoPickup => 16,
            C::Crash | C::SystemShutdown | C::ManagerRequest => 16,
            C::BlindTransfer | C::AttendedTransfer | C::UserChallenge => 16,
            C::AllottedTimeout | C::MediaTimeout | C::ProgressTimeout => 102,
            C::UserNotRegistered => 20,
            C::InvalidGateway | C::InvalidUrl | C::InvalidProfile => 3,
            C::GatewayDown => 27,
            C::Success => 16,
            other => u8::try_from(other.code()).unwrap_or(16),
        }
    }

    /// The FreeSWITCH name (`NORMAL_CLEARING`).
    pub fn name(self) -> &'static str {
        self.entry().2
    }

    /// The cause with this code, if any.
    pub fn from_code(code: u16) -> Option<HangupCause> {
        TABLE
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(cause, _, _)| *cause)
    }

    /// The SIP status for rejecting (or ending before answer) an incoming
    /// INVITE with this cause: RFC 3398 §7.2.4.1 with FreeSWITCH's choices
    /// (see the module docs).
    pub fn sip_status(self) -> u16 {
        match self {
            C::UnallocatedNumber | C::NoRouteTransitNet | C::NoRouteDestination => 404,
            C::InvalidGateway | C::InvalidUrl | C::InvalidProfile => 404,
            C::UserBusy => 486,
            C::NoUserResponse => 408,
            C::NoAnswer | C::SubscriberAbsent | C::UserNotRegistered => 480,
            C::CallRejected => 603,
            C::NumberChanged | C::RedirectionToNewDestination => 410,
            C::ExchangeRoutingError => 483,
            C::DestinationOutOfOrder | C::GatewayDown => 502,
            C::InvalidNumberFormat => 484,
            C::FacilityRejected => 501,
            C::NormalCircuitCongestion
            | C::NetworkOutOfOrder
            | C::NormalTemporaryFailure
            | C::SwitchCongestion
            | C::RequestedChanUnavail
            | C::BearercapabilityNotavail
            | C::ServiceUnavailable => 503,
            C::OutgoingCallBarred | C::IncomingCallBarred | C::BearercapabilityNotauth => 403,
            C::IncompatibleDestination | C::BearercapabilityNotimpl | C::ChanNotImplemented => 488,
            C::FacilityNotImplemented | C::ServiceNotImplemented => 501,
            C::RecoveryOnTimerExpire | C::ProgressTimeout => 504,
            C::ProtocolError | C::Interworking | C::Crash => 500,
            C::OriginatorCancel => 487,
            _ => 480,
        }
    }

    /// The cause for an outgoing leg that received final response `status`
    /// (RFC 3398 §8.2.6.1, see the module docs). `None` for 1xx/2xx/3xx,
    /// which do not end a call by themselves.
    pub fn from_sip_status(status: u16) -> Option<HangupCause> {
        let cause = match status {
            400 | 481 | 500 | 503 => C::NormalTemporaryFailure,
            401 | 402 | 403 | 407 | 603 => C::CallRejected,
            404 | 485 | 604 => C::UnallocatedNumber,
            405 => C::ServiceUnavailable,
            406 | 415 | 501 => C::ServiceNotImplemented,
            408 | 504 => C::RecoveryOnTimerExpire,
            410 => C::NumberChanged,
            413 | 414 | 416 | 420 | 421 | 423 | 505 | 513 => C::Interworking,
            480 => C::NoUserResponse,
            482 | 483 => C::ExchangeRoutingError,
            484 => C::InvalidNumberFormat,
            486 | 600 => C::UserBusy,
            487 => C::OriginatorCancel,
            488 | 606 => C::IncompatibleDestination,
            502 => C::NetworkOutOfOrder,
            401..=499 => return Self::from_sip_status(400),
            501..=599 => return Self::from_sip_status(500),
            601..=699 => return Self::from_sip_status(600),
            _ => return None,
        };
        Some(cause)
    }
}

impl fmt::Display for HangupCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HangupCause {
    type Err = UnknownCause;

    /// Parses a FreeSWITCH name (any case, `-` accepted for `_` as in the WIT
    /// names) or a numeric code.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(code) = text.parse::<u16>() {
            return Self::from_code(code).ok_or_else(|| UnknownCause(text.to_owned()));
        }
        let normalized = text.replace('-', "_");
        TABLE
            .iter()
            .find(|(_, _, name)| name.eq_ignore_ascii_case(&normalized))
            .map(|(cause, _, _)| *cause)
            .ok_or_else(|| UnknownCause(text.to_owned()))
    }
}

impl serde::Serialize for HangupCause {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for cause in HangupCause::all() {
            assert_eq!(cause.name().parse::<HangupCause>(), Ok(cause));
            assert_eq!(HangupCause::from_code(cause.code()), Some(cause));
        }
        assert_eq!(HangupCause::all().count(), TABLE.len());
    }

    #[test]
    fn parsing_accepts_case_dashes_and_numbers() {
        assert_eq!("user-busy".parse(), Ok(HangupCause::UserBusy));
        assert_eq!("normal_clearing".parse(), Ok(HangupCause::NormalClearing));
        assert_eq!("17".parse(), Ok(HangupCause::UserBusy));
        assert!("BOGUS".parse::<HangupCause>().is_err());
        assert!("4".parse::<HangupCause>().is_err());
    }

    #[test]
    fn q850_values_stay_in_range() {
        for cause in HangupCause::all() {
            assert!(cause.q850() <= 127, "{cause}");
        }
        assert_eq!(HangupCause::UserBusy.q850(), 17);
        assert_eq!(HangupCause::OriginatorCancel.q850(), 16);
    }
}
