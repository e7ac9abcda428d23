//! Calls end to end (issue 4): the real binary with the example dialplan, sipp as
//! phones and carrier, and RTP exchanged from test sockets so that payloads can be
//! compared byte for byte. Every wait has a deadline; nothing sleeps to pass.

mod calls;
mod common;

use calls::{CallConf, CallSwitch, RtpPeer, auth_call_args, exchange, payload, send_collect, strs};

/// Packets sent per direction in media checks.
const PACKETS: u16 = 50;

#[test]
fn echo_9196_returns_the_payloads_unchanged_and_writes_a_cdr() {
    let switch = CallSwitch::start(CallConf::new());
    let mut phone = RtpPeer::new(0x1000);
    let uac = switch.auth_call("echo", 1000, "9196", 3000, phone.port());
    let switch_rtp = uac.switch_rtp();
    let sent: Vec<Vec<u8>> = (0..PACKETS).map(|n| payload(0x5a, n)).collect();
    let receiver = phone.socket.try_clone().expect("clone socket");
    let back = exchange(&mut phone, switch_rtp, 0x5a, PACKETS, &receiver);
    assert_eq!(back.len(), sent.len(), "every packet comes back");
    assert_eq!(back, sent, "payloads come back unchanged and in order");
    uac.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(1);
    let cdr = &cdrs[0];
    assert_eq!(cdr["destination_number"], "9196");
    assert_eq!(cdr["context"], "default");
    assert_eq!(cdr["username"], "1000");
    assert_eq!(cdr["hangup_cause"], "NORMAL_CLEARING");
    assert_eq!(cdr["sip_hangup_disposition"], "recv_bye");
    assert_eq!(cdr["read_codec"], "PCMU");
    assert!(cdr["billsec"].as_u64().is_some_and(|s| s >= 2), "{cdr}");
    assert_eq!(cdr["script"]["name"], "dialplan");
}

/// The CDR of the leg whose `field` is `value`.
fn cdr_where<'a>(cdrs: &'a [serde_json::Value], field: &str, value: &str) -> &'a serde_json::Value {
    cdrs.iter()
        .find(|c| c[field] == value)
        .unwrap_or_else(|| panic!("no CDR with {field}={value}: {cdrs:?}"))
}

/// An unauthenticated call on `external` that the switch refuses; returns its CDR.
fn refused_call(switch: &CallSwitch, dest: &str, pt: &str, codec: &str) -> serde_json::Value {
    let uac = switch.sipp(
        &format!("refused-{dest}-{codec}"),
        Some(switch.conf.external),
        "uac_refused.xml",
        &["-s", dest, "-key", "pt", pt, "-key", "codec", codec],
    );
    uac.assert_ok(switch);
    let before = switch.cdrs().len();
    let cdrs = switch.wait_for_cdrs(before.max(1));
    cdrs.iter()
        .rev()
        .find(|c| c["destination_number"] == dest)
        .cloned()
        .unwrap_or_else(|| panic!("no CDR for {dest}: {cdrs:?}"))
}

#[test]
fn offer_without_a_common_codec_gets_488() {
    let switch = CallSwitch::start(CallConf::new());
    let cdr = refused_call(&switch, "1001", "18", "G729");
    assert_eq!(cdr["sip_term_status"], 488, "{cdr}");
    assert_eq!(cdr["hangup_cause"], "INCOMPATIBLE_DESTINATION");
    assert_eq!(cdr["profile"], "external");
}

#[test]
fn unregistered_user_target_takes_the_dialplan_failure_path() {
    let switch = CallSwitch::start(CallConf::new());
    let cdr = refused_call(&switch, "1005", "0", "PCMU");
    assert_eq!(cdr["context"], "public");
    assert_eq!(cdr["hangup_cause"], "USER_NOT_REGISTERED", "{cdr}");
    assert_eq!(cdr["sip_term_status"], 480);
    assert_eq!(cdr["script"]["name"], "dialplan");
}

#[test]
fn cancel_before_answer_gets_487_and_cancels_the_b_leg() {
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let phone = switch.sipp_at("phone1001", None, phone_port, "uas_ring_cancelled.xml", &[]);
    let caller = switch.sipp(
        "caller",
        Some(switch.conf.external),
        "uac_cancel.xml",
        &["-s", "1001"],
    );
    caller.assert_ok(&switch);
    phone.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let a = cdr_where(&cdrs, "direction", "inbound");
    let b = cdr_where(&cdrs, "direction", "outbound");
    assert_eq!(a["hangup_cause"], "ORIGINATOR_CANCEL", "{a}");
    assert_eq!(a["sip_hangup_disposition"], "recv_cancel");
    assert_eq!(b["sip_hangup_disposition"], "send_cancel", "{b}");
    assert_eq!(b["call_uuid"], a["uuid"]);
}

#[test]
fn registered_users_talk_both_ways_and_bye_ends_both_legs() {
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let mut callee_rtp = RtpPeer::new(0x1001);
    let callee_args = [
        "-key".to_owned(),
        "rtp_port".to_owned(),
        callee_rtp.port().to_string(),
        "-key".to_owned(),
        "pt".to_owned(),
        "0".to_owned(),
        "-key".to_owned(),
        "codec".to_owned(),
        "PCMU".to_owned(),
    ];
    let callee = switch.sipp_at(
        "phone1001",
        None,
        phone_port,
        "uas_answer.xml",
        &strs(&callee_args),
    );
    let mut caller_rtp = RtpPeer::new(0x1000);
    let caller = switch.auth_call("caller", 1000, "1001", 4000, caller_rtp.port());

    let a_side = caller.switch_rtp();
    let b_side = callee.switch_rtp();
    let from = callee.wait_logged("from ");
    assert!(
        from.contains("sip:1000@"),
        "caller id of 1000 in From: {from}"
    );

    // Caller → switch (A leg) → callee, then callee → switch (B leg) → caller.
    let callee_socket = callee_rtp.socket.try_clone().expect("clone");
    let to_callee = exchange(&mut caller_rtp, a_side, 0x11, PACKETS, &callee_socket);
    let caller_socket = caller_rtp.socket.try_clone().expect("clone");
    let to_caller = exchange(&mut callee_rtp, b_side, 0x22, PACKETS, &caller_socket);
    let sent_a: Vec<Vec<u8>> = (0..PACKETS).map(|n| payload(0x11, n)).collect();
    let sent_b: Vec<Vec<u8>> = (0..PACKETS).map(|n| payload(0x22, n)).collect();
    assert_eq!(
        to_callee, sent_a,
        "caller's audio reaches the callee unchanged"
    );
    assert_eq!(
        to_caller, sent_b,
        "callee's audio reaches the caller unchanged"
    );

    caller.assert_ok(&switch);
    callee.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let a = cdr_where(&cdrs, "direction", "inbound");
    let b = cdr_where(&cdrs, "direction", "outbound");
    assert_eq!(a["sip_hangup_disposition"], "recv_bye");
    assert_eq!(b["sip_hangup_disposition"], "send_bye");
    assert_eq!(a["other_leg_uuid"], b["uuid"]);
    assert_eq!(b["call_uuid"], a["uuid"]);
    assert_eq!(a["context"], "default");
}

#[test]
fn gateway_call_answers_the_carriers_digest_with_the_configured_caller_id() {
    let conf = CallConf::new();
    let carrier_port = conf.carrier;
    let switch = CallSwitch::start(conf);
    let mut carrier_rtp = RtpPeer::new(0x2000);
    let carrier_args = [
        "-key".to_owned(),
        "rtp_port".to_owned(),
        carrier_rtp.port().to_string(),
    ];
    let carrier = switch.sipp_at(
        "carrier",
        None,
        carrier_port,
        "uas_carrier.xml",
        &strs(&carrier_args),
    );
    let mut caller_rtp = RtpPeer::new(0x1000);
    let caller = switch.auth_call("caller", 1000, "15551234567", 3000, caller_rtp.port());

    assert_eq!(carrier.wait_logged("auth "), "witswitch");
    let from = carrier.wait_logged("from ");
    assert!(
        from.contains("sip:15550001111@"),
        "the configured outbound caller id in From: {from}"
    );
    let a_side = caller.switch_rtp();
    let carrier_socket = carrier_rtp.socket.try_clone().expect("clone");
    let heard = exchange(&mut caller_rtp, a_side, 0x33, PACKETS, &carrier_socket);
    assert_eq!(
        heard.len(),
        usize::from(PACKETS),
        "media reaches the carrier"
    );
    let _ = &mut carrier_rtp;

    caller.assert_ok(&switch);
    carrier.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let b = cdr_where(&cdrs, "direction", "outbound");
    assert_eq!(b["profile"], "external");
    assert_eq!(b["caller_id_number"], "15550001111");
}

#[test]
fn tone_playback_paces_packets_and_rfc4733_digits_reach_the_switch() {
    let switch = CallSwitch::start(CallConf::new());
    let mut phone = RtpPeer::new(0x3000);
    let uac = switch.auth_call("moh", 1000, "9664", 3000, phone.port());
    let switch_rtp = uac.switch_rtp();
    // Packets flow to the SDP address before we send anything (no latching needed).
    let packets = phone.receive_until(std::time::Duration::from_secs(10), |p| {
        p.iter().filter(|p| p.pt == 0).count() >= 50
    });
    let audio: Vec<_> = packets.iter().filter(|p| p.pt == 0).collect();
    assert!(audio.len() >= 50, "50 tone packets, got {}", audio.len());
    for pair in audio.windows(2) {
        assert_eq!(
            pair[1].seq,
            pair[0].seq.wrapping_add(1),
            "consecutive sequence numbers"
        );
        assert_eq!(
            pair[1].ts,
            pair[0].ts.wrapping_add(160),
            "20 ms of 8 kHz per packet"
        );
        assert_eq!(pair[1].ssrc, pair[0].ssrc);
        assert_eq!(pair[1].payload.len(), 160);
    }
    // Sent at the pace of the clock, not in a burst: 49 intervals of 20 ms.
    let span = audio[49].at - audio[0].at;
    assert!(
        span >= std::time::Duration::from_millis(49 * 20 * 8 / 10),
        "50 packets took only {span:?}"
    );
    // Not every packet is the same: it is a tone, not silence.
    assert!(audio.iter().any(|p| p.payload != audio[0].payload));

    phone.send_dtmf(switch_rtp, 101, 5);
    switch.wait_for_log("DTMF 5");
    uac.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(1);
    assert_eq!(cdrs[0]["destination_number"], "9664");
}

#[test]
fn max_sessions_refuses_with_503() {
    let mut conf = CallConf::new();
    conf.max_sessions = 1;
    let switch = CallSwitch::start(conf);
    let mut phone = RtpPeer::new(0x4000);
    let uac = switch.auth_call("echo", 1000, "9196", 4000, phone.port());
    let switch_rtp = uac.switch_rtp();
    phone.send(switch_rtp, 0, &payload(1, 1));
    let busy = switch.sipp(
        "over-limit",
        Some(switch.conf.external),
        "uac_503.xml",
        &["-s", "1005", "-key", "pt", "0", "-key", "codec", "PCMU"],
    );
    let retry: u32 = busy.wait_logged("retry-after ").parse().expect("seconds");
    assert!(retry >= 1, "Retry-After {retry}");
    busy.assert_ok(&switch);
    uac.assert_ok(&switch);
}

#[test]
fn record_and_bridge_app_transcodes_pcmu_to_pcma_and_records_both_parties() {
    use calls::audio::{
        alaw_decode, alaw_encode, channel, chirp, decimate, read_wav, ulaw_decode, ulaw_encode,
        window_correlations,
    };
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let mut callee_rtp = RtpPeer::new(0x1001);
    let callee_args = [
        "-key".to_owned(),
        "rtp_port".to_owned(),
        callee_rtp.port().to_string(),
        "-key".to_owned(),
        "pt".to_owned(),
        "8".to_owned(),
        "-key".to_owned(),
        "codec".to_owned(),
        "PCMA".to_owned(),
    ];
    let callee = switch.sipp_at(
        "phone1001",
        None,
        phone_port,
        "uas_answer.xml",
        &strs(&callee_args),
    );
    let mut caller_rtp = RtpPeer::new(0x1000);
    let caller = switch.auth_call("caller", 1000, "5002", 6000, caller_rtp.port());
    let a_side = caller.switch_rtp();
    let b_side = callee.switch_rtp();

    // One second each way: a rising sweep from the caller (μ-law), a falling one
    // from the callee (A-law).
    let up = chirp(300.0, 3000.0, 8000, 8000.0);
    let down = chirp(3000.0, 300.0, 8000, 8000.0);
    let packets = |signal: &[i16], encode: fn(i16) -> u8| -> Vec<Vec<u8>> {
        signal
            .chunks(160)
            .map(|c| c.iter().map(|&s| encode(s)).collect())
            .collect()
    };
    let callee_socket = callee_rtp.socket.try_clone().expect("clone");
    let at_callee = send_collect(
        &mut caller_rtp,
        a_side,
        0,
        &packets(&up, ulaw_encode),
        &callee_socket,
        8,
    );
    let caller_socket = caller_rtp.socket.try_clone().expect("clone");
    let at_caller = send_collect(
        &mut callee_rtp,
        b_side,
        8,
        &packets(&down, alaw_encode),
        &caller_socket,
        0,
    );
    let heard_by_callee: Vec<i16> = at_callee.iter().map(|&b| alaw_decode(b)).collect();
    let heard_by_caller: Vec<i16> = at_caller.iter().map(|&b| ulaw_decode(b)).collect();
    // Nearly every 50 ms of each sweep arrives intact: a jitter buffer on a busy
    // machine may drop or stretch a frame here and there (unrelated audio: ~0).
    let intact = |sent: &[i16], heard: &[i16]| {
        window_correlations(sent, heard)
            .iter()
            .filter(|c| **c > 0.9)
            .count()
    };
    let forward = intact(&up, &heard_by_callee);
    let backward = intact(&down, &heard_by_caller);
    assert!(
        forward >= 15,
        "PCMU → PCMA: {forward} of 20 windows correlate"
    );
    assert!(
        backward >= 15,
        "PCMA → PCMU: {backward} of 20 windows correlate"
    );

    caller.assert_ok(&switch);
    callee.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let a = cdr_where(&cdrs, "direction", "inbound");
    assert_eq!(a["read_codec"], "PCMU");
    let b = cdr_where(&cdrs, "direction", "outbound");
    assert_eq!(b["read_codec"], "PCMA");

    let recordings = switch.dir.path().join("state/recordings");
    let wav = recordings.join(format!("{}.wav", a["uuid"].as_str().expect("uuid")));
    let bytes = common::wait_for("the recording", common::DEADLINE, || {
        std::fs::read(&wav).ok()
    });
    let (channels, rate, samples) = read_wav(&bytes).expect("a 16-bit PCM WAV");
    let mono = decimate(&channel(&samples, channels, 0), (rate / 8000) as usize);
    let caller_part = intact(&up, &mono);
    let callee_part = intact(&down, &mono);
    assert!(
        caller_part >= 15,
        "the caller in the recording: {caller_part} of 20 windows"
    );
    assert!(
        callee_part >= 15,
        "the callee in the recording: {callee_part} of 20 windows"
    );
    assert!(a["recording"].to_string().contains("RECORD_TITLE") || a["recording"].is_object());
}

#[test]
fn callee_bye_ends_both_legs() {
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let callee_rtp = RtpPeer::new(0x1001);
    let callee_args = [
        "-d".to_owned(),
        "1500".to_owned(),
        "-key".to_owned(),
        "rtp_port".to_owned(),
        callee_rtp.port().to_string(),
        "-key".to_owned(),
        "pt".to_owned(),
        "0".to_owned(),
        "-key".to_owned(),
        "codec".to_owned(),
        "PCMU".to_owned(),
    ];
    let callee = switch.sipp_at(
        "phone1001",
        None,
        phone_port,
        "uas_answer_bye.xml",
        &strs(&callee_args),
    );
    let caller_rtp = RtpPeer::new(0x1000);
    let csv = switch.user_csv(1000);
    let args = auth_call_args(&csv, "1001", caller_rtp.port(), 0);
    let caller = switch.sipp(
        "caller",
        Some(switch.conf.internal),
        "uac_auth_call_bye_in.xml",
        &strs(&args),
    );
    callee.assert_ok(&switch);
    caller.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let a = cdr_where(&cdrs, "direction", "inbound");
    let b = cdr_where(&cdrs, "direction", "outbound");
    assert_eq!(b["sip_hangup_disposition"], "recv_bye", "{b}");
    assert_eq!(a["sip_hangup_disposition"], "send_bye", "{a}");
    assert_eq!(a["hangup_cause"], "NORMAL_CLEARING");
}

#[test]
fn wrong_password_on_invite_gets_403_and_the_fail2ban_line() {
    let switch = CallSwitch::start(CallConf::new());
    let phone = RtpPeer::new(0x5000);
    let csv = switch.bad_password_csv(1000);
    let args = auth_call_args(&csv, "9196", phone.port(), 0);
    let uac = switch.sipp(
        "badauth",
        Some(switch.conf.internal),
        "uac_badauth.xml",
        &strs(&args),
    );
    uac.assert_ok(&switch);
    switch.wait_for_log(
        "SIP auth failure (INVITE) on sofia profile 'internal' for [9196@127.0.0.1] from ip 127.0.0.1",
    );
    assert!(switch.cdrs().is_empty(), "no channel for a refused caller");
}

#[test]
fn shutdown_hangs_up_live_calls_with_bye() {
    let mut switch = CallSwitch::start(CallConf::new());
    let phone = RtpPeer::new(0x6000);
    let csv = switch.user_csv(1000);
    let args = auth_call_args(&csv, "9196", phone.port(), 0);
    let uac = switch.sipp(
        "until-shutdown",
        Some(switch.conf.internal),
        "uac_auth_call_bye_in.xml",
        &strs(&args),
    );
    uac.switch_rtp();
    let status = switch.terminate();
    assert!(status.success(), "clean exit: {status}");
    uac.assert_ok(&switch);
    let cdrs = switch.cdrs();
    assert_eq!(cdrs.len(), 1, "{cdrs:?}");
    assert_eq!(cdrs[0]["hangup_cause"], "SYSTEM_SHUTDOWN");
}

#[test]
fn sip_info_digits_reach_the_switch() {
    let switch = CallSwitch::start(CallConf::new());
    let phone = RtpPeer::new(0x7000);
    let csv = switch.user_csv(1000);
    let args = auth_call_args(&csv, "9196", phone.port(), 500);
    let uac = switch.sipp(
        "info",
        Some(switch.conf.internal),
        "uac_auth_call_info.xml",
        &strs(&args),
    );
    uac.assert_ok(&switch);
    switch.wait_for_log("DTMF 7 (160 ms, SIP INFO)");
}
