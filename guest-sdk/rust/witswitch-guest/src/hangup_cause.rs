//! FreeSWITCH names and cause codes of [`HangupCause`].

use core::fmt;
use core::str::FromStr;

use crate::HangupCause;

/// Every cause with its FreeSWITCH name and code, in WIT order.
const TABLE: [(HangupCause, &str, u16); 42] = [
    (HangupCause::UnallocatedNumber, "UNALLOCATED_NUMBER", 1),
    (HangupCause::NoRouteTransitNet, "NO_ROUTE_TRANSIT_NET", 2),
    (HangupCause::NoRouteDestination, "NO_ROUTE_DESTINATION", 3),
    (HangupCause::NormalClearing, "NORMAL_CLEARING", 16),
    (HangupCause::UserBusy, "USER_BUSY", 17),
    (HangupCause::NoUserResponse, "NO_USER_RESPONSE", 18),
    (HangupCause::NoAnswer, "NO_ANSWER", 19),
    (HangupCause::SubscriberAbsent, "SUBSCRIBER_ABSENT", 20),
    (HangupCause::CallRejected, "CALL_REJECTED", 21),
    (HangupCause::NumberChanged, "NUMBER_CHANGED", 22),
    (
        HangupCause::DestinationOutOfOrder,
        "DESTINATION_OUT_OF_ORDER",
        27,
    ),
    (
        HangupCause::InvalidNumberFormat,
        "INVALID_NUMBER_FORMAT",
        28,
    ),
    (HangupCause::FacilityRejected, "FACILITY_REJECTED", 29),
    (HangupCause::NormalUnspecified, "NORMAL_UNSPECIFIED", 31),
    (
        HangupCause::NormalCircuitCongestion,
        "NORMAL_CIRCUIT_CONGESTION",
        34,
    ),
    (HangupCause::NetworkOutOfOrder, "NETWORK_OUT_OF_ORDER", 38),
    (
        HangupCause::NormalTemporaryFailure,
        "NORMAL_TEMPORARY_FAILURE",
        41,
    ),
    (HangupCause::SwitchCongestion, "SWITCH_CONGESTION", 42),
    (
        HangupCause::RequestedChanUnavail,
        "REQUESTED_CHAN_UNAVAIL",
        44,
    ),
    (
        HangupCause::FacilityNotSubscribed,
        "FACILITY_NOT_SUBSCRIBED",
        50,
    ),
    (HangupCause::OutgoingCallBarred, "OUTGOING_CALL_BARRED", 52),
    (HangupCause::IncomingCallBarred, "INCOMING_CALL_BARRED", 54),
    (
        HangupCause::BearercapabilityNotavail,
        "BEARERCAPABILITY_NOTAVAIL",
        58,
    ),
    (HangupCause::ServiceUnavailable, "SERVICE_UNAVAILABLE", 63),
    (
        HangupCause::BearercapabilityNotimpl,
        "BEARERCAPABILITY_NOTIMPL",
        65,
    ),
    (
        HangupCause::ServiceNotImplemented,
        "SERVICE_NOT_IMPLEMENTED",
        79,
    ),
    (
        HangupCause::IncompatibleDestination,
        "INCOMPATIBLE_DESTINATION",
        88,
    ),
    (
        HangupCause::RecoveryOnTimerExpire,
        "RECOVERY_ON_TIMER_EXPIRE",
        102,
    ),
    (HangupCause::ProtocolError, "PROTOCOL_ERROR", 111),
    (HangupCause::Interworking, "INTERWORKING", 127),
    (HangupCause::OriginatorCancel, "ORIGINATOR_CANCEL", 487),
    (HangupCause::Crash, "CRASH", 500),
    (HangupCause::SystemShutdown, "SYSTEM_SHUTDOWN", 501),
    (HangupCause::LoseRace, "LOSE_RACE", 502),
    (HangupCause::ManagerRequest, "MANAGER_REQUEST", 503),
    (HangupCause::BlindTransfer, "BLIND_TRANSFER", 600),
    (HangupCause::AttendedTransfer, "ATTENDED_TRANSFER", 601),
    (HangupCause::AllottedTimeout, "ALLOTTED_TIMEOUT", 602),
    (HangupCause::MediaTimeout, "MEDIA_TIMEOUT", 604),
    (HangupCause::UserNotRegistered, "USER_NOT_REGISTERED", 606),
    (HangupCause::ProgressTimeout, "PROGRESS_TIMEOUT", 607),
    (HangupCause::GatewayDown, "GATEWAY_DOWN", 609),
];

impl HangupCause {
    /// Every hangup cause, in the order of the WIT enum.
    pub fn all() -> impl Iterator<Item = HangupCause> {
        TABLE.iter().map(|(cause, _, _)| *cause)
    }

    /// The FreeSWITCH name: `NORMAL_CLEARING`, `USER_BUSY`, `NO_ROUTE_DESTINATION`.
    pub fn fs_name(self) -> &'static str {
        self.entry().1
    }

    /// The cause code FreeSWITCH reports as `hangup_cause_q850`: the Q.850 value for
    /// causes up to 127, FreeSWITCH's own numbers (487, 500, 600, ...) above.
    pub fn code(self) -> u16 {
        self.entry().2
    }

    /// The cause with this FreeSWITCH code, if there is one.
    pub fn from_code(code: u16) -> Option<HangupCause> {
        TABLE
            .iter()
            .find(|(_, _, c)| *c == code)
            .map(|(cause, _, _)| *cause)
    }

    fn entry(self) -> &'static (HangupCause, &'static str, u16) {
        // The table lists the variants in declaration order, so the discriminant is
        // the index; the test `table_is_in_wit_order` keeps it that way.
        &TABLE[self as usize]
    }
}

impl fmt::Display for HangupCause {
    /// Writes the FreeSWITCH name, as `hangup` data and CDRs show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.fs_name())
    }
}

/// A string that is neither a FreeSWITCH hangup cause name nor its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownHangupCause {
    /// The text that did not parse.
    pub input: String,
}

impl fmt::Display for UnknownHangupCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown hangup cause {:?}", self.input)
    }
}

impl core::error::Error for UnknownHangupCause {}

impl FromStr for HangupCause {
    type Err = UnknownHangupCause;

    /// Parses a FreeSWITCH name in any letter case (`USER_BUSY`, `user_busy`) or a
    /// cause code (`17`), as the `hangup` application accepts both.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let by_name = TABLE
            .iter()
            .find(|(_, name, _)| name.eq_ignore_ascii_case(trimmed))
            .map(|(cause, _, _)| *cause);
        by_name
            .or_else(|| trimmed.parse().ok().and_then(HangupCause::from_code))
            .ok_or_else(|| UnknownHangupCause {
                input: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_wit_order() {
        for (index, (cause, _, _)) in TABLE.iter().enumerate() {
            assert_eq!(*cause as usize, index, "{cause:?} is out of place");
        }
    }

    /// The case names of `enum hangup-cause` in `wit/types.wit`, in order.
    fn wit_case_names() -> Vec<String> {
        let wit = include_str!("../../../../wit/types.wit");
        let body = wit
            .split("enum hangup-cause {")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
            .expect("types.wit declares enum hangup-cause");
        body.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .map(|line| line.trim_end_matches(',').to_owned())
            .collect()
    }

    #[test]
    fn names_are_the_wit_names_in_upper_snake_case() {
        let wit_names = wit_case_names();
        assert_eq!(wit_names.len(), TABLE.len());
        for (cause, wit_name) in HangupCause::all().zip(&wit_names) {
            let expected = wit_name.to_ascii_uppercase().replace('-', "_");
            assert_eq!(cause.fs_name(), expected);
            assert_eq!(cause.to_string(), expected);
        }
    }

    #[test]
    fn well_known_causes_have_their_freeswitch_names_and_codes() {
        assert_eq!(HangupCause::NormalClearing.to_string(), "NORMAL_CLEARING");
        assert_eq!(HangupCause::NormalClearing.code(), 16);
        assert_eq!(
            HangupCause::NoRouteDestination.to_string(),
            "NO_ROUTE_DESTINATION"
        );
        assert_eq!(HangupCause::NoRouteDestination.code(), 3);
        assert_eq!(HangupCause::UserBusy.code(), 17);
        assert_eq!(HangupCause::OriginatorCancel.code(), 487);
        assert_eq!(
            HangupCause::UserNotRegistered.to_string(),
            "USER_NOT_REGISTERED"
        );
    }

    #[test]
    fn parses_names_codes_and_round_trips() {
        for cause in HangupCause::all() {
            assert_eq!(cause.fs_name().parse::<HangupCause>(), Ok(cause));
            assert_eq!(cause.code().to_string().parse::<HangupCause>(), Ok(cause));
            assert_eq!(HangupCause::from_code(cause.code()), Some(cause));
        }
        assert_eq!("user_busy".parse(), Ok(HangupCause::UserBusy));
        assert_eq!(" CALL_REJECTED ".parse(), Ok(HangupCause::CallRejected));
    }

    #[test]
    fn rejects_unknown_causes() {
        let err = "BUSY_SIGNAL".parse::<HangupCause>().unwrap_err();
        assert_eq!(err.input, "BUSY_SIGNAL");
        assert!("4".parse::<HangupCause>().is_err());
        assert!("".parse::<HangupCause>().is_err());
        assert_eq!(HangupCause::from_code(0), None);
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<u16> = HangupCause::all().map(HangupCause::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len());
    }
}
