//! Hangup cause ↔ SIP status both ways (RFC 3398 §7.2.4.1 and §8.2.6.1,
//! with FreeSWITCH's documented differences).

use witswitch_core::HangupCause as C;

#[test]
fn sip_status_to_cause_follows_section_8_2_6_1() {
    let table = [
        (400, C::NormalTemporaryFailure),
        (401, C::CallRejected),
        (402, C::CallRejected),
        (403, C::CallRejected),
        (404, C::UnallocatedNumber),
        (405, C::ServiceUnavailable),
        (406, C::ServiceNotImplemented),
        (407, C::CallRejected),
        (408, C::RecoveryOnTimerExpire),
        (410, C::NumberChanged),
        (413, C::Interworking),
        (414, C::Interworking),
        (415, C::ServiceNotImplemented),
        (416, C::Interworking),
        (420, C::Interworking),
        (421, C::Interworking),
        (423, C::Interworking),
        (480, C::NoUserResponse),
        (481, C::NormalTemporaryFailure),
        (482, C::ExchangeRoutingError),
        (483, C::ExchangeRoutingError),
        (484, C::InvalidNumberFormat),
        (485, C::UnallocatedNumber),
        (486, C::UserBusy),
        (487, C::OriginatorCancel),
        (488, C::IncompatibleDestination),
        (500, C::NormalTemporaryFailure),
        (501, C::ServiceNotImplemented),
        (502, C::NetworkOutOfOrder),
        (503, C::NormalTemporaryFailure),
        (504, C::RecoveryOnTimerExpire),
        (505, C::Interworking),
        (513, C::Interworking),
        (600, C::UserBusy),
        (603, C::CallRejected),
        (604, C::UnallocatedNumber),
        (606, C::IncompatibleDestination),
    ];
    for (status, cause) in table {
        assert_eq!(C::from_sip_status(status), Some(cause), "{status}");
    }
    // Unknown codes act as their class's x00 (RFC 3261 §8.1.3.2).
    assert_eq!(C::from_sip_status(499), Some(C::NormalTemporaryFailure));
    assert_eq!(C::from_sip_status(599), Some(C::NormalTemporaryFailure));
    assert_eq!(C::from_sip_status(699), Some(C::UserBusy));
    assert_eq!(C::from_sip_status(180), None);
    assert_eq!(C::from_sip_status(200), None);
}

#[test]
fn cause_to_sip_status_follows_section_7_2_4_1() {
    let table = [
        (C::UnallocatedNumber, 404),
        (C::NoRouteTransitNet, 404),
        (C::NoRouteDestination, 404),
        (C::UserBusy, 486),
        (C::NoUserResponse, 408),
        (C::NoAnswer, 480),
        (C::SubscriberAbsent, 480),
        (C::NumberChanged, 410),
        (C::RedirectionToNewDestination, 410),
        (C::DestinationOutOfOrder, 502),
        (C::InvalidNumberFormat, 484),
        (C::FacilityRejected, 501),
        (C::NormalUnspecified, 480),
        (C::NormalCircuitCongestion, 503),
        (C::NetworkOutOfOrder, 503),
        (C::NormalTemporaryFailure, 503),
        (C::SwitchCongestion, 503),
        (C::IncomingCallBarred, 403),
        (C::BearercapabilityNotauth, 403),
        (C::BearercapabilityNotavail, 503),
        (C::ServiceNotImplemented, 501),
        (C::RecoveryOnTimerExpire, 504),
        (C::ProtocolError, 500),
        (C::Interworking, 500),
        // FreeSWITCH's choices where the RFC differs or is silent.
        (C::CallRejected, 603),
        (C::IncompatibleDestination, 488),
        (C::BearercapabilityNotimpl, 488),
        (C::NormalClearing, 480),
        (C::OriginatorCancel, 487),
        (C::UserNotRegistered, 480),
        (C::Crash, 500),
    ];
    for (cause, status) in table {
        assert_eq!(cause.sip_status(), status, "{cause}");
    }
}

#[test]
fn every_cause_maps_to_a_final_error_status() {
    for cause in C::all() {
        let status = cause.sip_status();
        assert!((400..700).contains(&status), "{cause} → {status}");
    }
}

#[test]
fn busy_and_unavailable_round_trip() {
    for cause in [
        C::UserBusy,
        C::UnallocatedNumber,
        C::InvalidNumberFormat,
        C::OriginatorCancel,
        C::IncompatibleDestination,
    ] {
        assert_eq!(
            C::from_sip_status(cause.sip_status()),
            Some(cause),
            "{cause}"
        );
    }
}
