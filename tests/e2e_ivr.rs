//! The example IVR (5000) on live calls (issue 5): sipp callers authenticated as
//! 1000, RTP from test sockets, prompts recognised in the audio the caller hears
//! (see `calls::prompts`), digits as RFC 4733 packets or SIP INFO.

mod calls;
mod common;

use std::net::SocketAddr;
use std::time::Duration;

use calls::prompts::{Prompt, decode_pcmu, rms};
use calls::{
    CallConf, CallSwitch, RtpPacket, RtpPeer, Sipp, auth_call_args, exchange, payload, strs,
};

/// Payload type of telephone-event in the callers' SDP.
const TELEPHONE_EVENT: u8 = 101;
/// Packets per direction in media checks.
const PACKETS: u16 = 50;
/// Audio louder than this is speech (μ-law silence decodes to ~0).
const SPEECH_RMS: f64 = 300.0;

/// A caller in the IVR: its sipp and its RTP socket, with everything heard so far.
struct Caller {
    sipp: Sipp,
    rtp: RtpPeer,
    switch_rtp: SocketAddr,
    heard: Vec<RtpPacket>,
}

impl Caller {
    /// 1000 dials 5000 with `scenario` (`-d hold_ms`, `extra` arguments).
    fn dial(switch: &CallSwitch, name: &str, scenario: &str, hold_ms: u32, extra: &[&str]) -> Self {
        let rtp = RtpPeer::new(0x5000);
        let csv = switch.user_csv(1000);
        let owned = auth_call_args(&csv, "5000", rtp.port(), hold_ms);
        let mut args = strs(&owned);
        args.extend_from_slice(extra);
        let sipp = switch.sipp(name, Some(switch.conf.internal), scenario, &args);
        let switch_rtp = sipp.switch_rtp();
        Caller {
            sipp,
            rtp,
            switch_rtp,
            heard: Vec::new(),
        }
    }

    /// Listens until `prompt` is heard in audio after sample `from`; returns where.
    fn until_heard(&mut self, prompt: &Prompt, from: usize) -> usize {
        let deadline = std::time::Instant::now() + common::DEADLINE;
        loop {
            let audio = decode_pcmu(&self.heard);
            if let Some(&at) = prompt.find(&audio, from).first() {
                return at;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} not heard ({} packets)",
                prompt.name,
                self.heard.len()
            );
            // Half a second more, then look again.
            let have = self.heard.len();
            let more = self
                .rtp
                .receive_until(Duration::from_secs(2), |p| p.len() >= 25);
            self.heard.extend(more);
            assert!(self.heard.len() > have, "the switch stopped sending RTP");
        }
    }

    /// Listens until the switch stops sending (the call ended).
    fn listen_to_the_end(&mut self) {
        loop {
            let more = self.rtp.receive_until(Duration::from_secs(1), |_| false);
            if more.is_empty() {
                return;
            }
            self.heard.extend(more);
        }
    }

    /// Presses `digit` as RFC 4733.
    fn press(&mut self, digit: u8) {
        self.rtp.send_dtmf(self.switch_rtp, TELEPHONE_EVENT, digit);
    }

    /// Samples heard so far.
    fn samples(&self) -> usize {
        decode_pcmu(&self.heard).len()
    }
}

fn prompts() -> (Prompt, Prompt, Prompt) {
    (
        Prompt::load("ivr-welcome.wav"),
        Prompt::load("ivr-invalid.wav"),
        Prompt::load("ivr-goodbye.wav"),
    )
}

/// The caller hears the welcome prompt: loud audio that is that file.
fn hears_welcome(caller: &mut Caller, welcome: &Prompt) -> usize {
    let at = caller.until_heard(welcome, 0);
    let audio = decode_pcmu(&caller.heard);
    let level = rms(&audio[at..(at + 800).min(audio.len())]);
    assert!(level > SPEECH_RMS, "welcome prompt energy {level}");
    at
}

/// Sends probes until the switch echoes one back, then checks a full exchange.
fn assert_echo(caller: &mut Caller) {
    let receiver = caller.rtp.socket.try_clone().expect("clone");
    let mut n = 0u16;
    common::wait_for("the echo test to echo", common::DEADLINE, || {
        n = n.wrapping_add(1);
        let probe = payload(0x77, n);
        caller.rtp.send(caller.switch_rtp, 0, &probe);
        let back = calls::receive_until(&receiver, Duration::from_millis(20), |p| {
            p.iter().any(|p| p.payload == probe)
        });
        back.iter().any(|p| p.payload == probe).then_some(())
    });
    let sent: Vec<Vec<u8>> = (0..PACKETS).map(|n| payload(0x5a, n)).collect();
    let back = exchange(&mut caller.rtp, caller.switch_rtp, 0x5a, PACKETS, &receiver);
    assert_eq!(back, sent, "the echo test returns every payload unchanged");
}

/// Sends probes from `from` until one reaches `to_socket`, then checks a full exchange.
fn assert_media(from: &mut RtpPeer, to: SocketAddr, to_socket: &std::net::UdpSocket) {
    let mut n = 0u16;
    common::wait_for("media through the bridge", common::DEADLINE, || {
        n = n.wrapping_add(1);
        let probe = payload(0x99, n);
        from.send(to, 0, &probe);
        let got = calls::receive_until(to_socket, Duration::from_millis(20), |p| {
            p.iter().any(|p| p.payload == probe)
        });
        got.iter().any(|p| p.payload == probe).then_some(())
    });
    let sent: Vec<Vec<u8>> = (0..PACKETS).map(|n| payload(0x11, n)).collect();
    let got = exchange(from, to, 0x11, PACKETS, to_socket);
    assert_eq!(
        got, sent,
        "the caller's audio reaches the operator unchanged"
    );
}

fn start() -> CallSwitch {
    CallSwitch::start(CallConf::new())
}

/// Choice 2 (echo test), the digit sent by `press` once the welcome is heard.
fn echo_choice(scenario: &str, extra: &[&str], rfc4733: bool) {
    let switch = start();
    let (welcome, _, _) = prompts();
    let mut caller = Caller::dial(&switch, "ivr-echo", scenario, 8000, extra);
    hears_welcome(&mut caller, &welcome);
    if rfc4733 {
        caller.press(2);
    }
    switch.wait_for_log("DTMF 2");
    assert_echo(&mut caller);
    let Caller { sipp, .. } = caller;
    sipp.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(1);
    assert_eq!(cdrs[0]["hangup_cause"], "NORMAL_CLEARING", "{}", cdrs[0]);
    assert_eq!(cdrs[0]["sip_hangup_disposition"], "recv_bye");
}

#[test]
fn rfc4733_2_in_the_welcome_prompt_reaches_the_echo_test() {
    echo_choice("uac_auth_call.xml", &[], true);
}

#[test]
fn sip_info_2_in_the_welcome_prompt_reaches_the_echo_test() {
    echo_choice("uac_ivr_info.xml", &["-key", "digit", "2"], false);
}

/// Choice 1: bridged to the registered operator 1001.
fn operator_choice(scenario: &str, extra: &[&str], rfc4733: bool) {
    let switch = start();
    let (welcome, _, _) = prompts();
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let callee_rtp = RtpPeer::new(0x1001);
    let callee_port = callee_rtp.port().to_string();
    let callee = switch.sipp_at(
        "operator",
        None,
        phone_port,
        "uas_answer.xml",
        &[
            "-key",
            "rtp_port",
            &callee_port,
            "-key",
            "pt",
            "0",
            "-key",
            "codec",
            "PCMU",
        ],
    );
    let mut caller = Caller::dial(&switch, "ivr-operator", scenario, 6000, extra);
    hears_welcome(&mut caller, &welcome);
    if rfc4733 {
        caller.press(1);
    }
    callee.switch_rtp();
    let callee_socket = callee_rtp.socket.try_clone().expect("clone");
    assert_media(&mut caller.rtp, caller.switch_rtp, &callee_socket);
    let Caller { sipp, .. } = caller;
    sipp.assert_ok(&switch);
    callee.assert_ok(&switch);
    let cdrs = switch.wait_for_cdrs(2);
    let b = cdrs
        .iter()
        .find(|c| c["direction"] == "outbound")
        .expect("the operator's leg");
    assert_eq!(b["sip_hangup_disposition"], "send_bye", "{b}");
}

#[test]
fn rfc4733_1_bridges_to_the_registered_operator() {
    operator_choice("uac_auth_call.xml", &[], true);
}

#[test]
fn sip_info_1_bridges_to_the_registered_operator() {
    operator_choice("uac_ivr_info.xml", &["-key", "digit", "1"], false);
}

/// The audio after the caller is done: three invalid prompts, then goodbye.
fn assert_three_invalid_then_goodbye(caller: &Caller, from: usize) {
    let (_, invalid, goodbye) = prompts();
    let audio = decode_pcmu(&caller.heard);
    let invalids = invalid.find(&audio, from);
    let goodbyes = goodbye.find(&audio, from);
    assert_eq!(invalids.len(), 3, "invalid prompt heard at {invalids:?}");
    assert_eq!(goodbyes.len(), 1, "goodbye heard at {goodbyes:?}");
    assert!(
        goodbyes[0] > invalids[2],
        "goodbye after the last invalid prompt"
    );
}

fn assert_switch_hung_up(switch: &CallSwitch, sipp: Sipp) {
    sipp.assert_ok(switch);
    let cdrs = switch.wait_for_cdrs(1);
    assert_eq!(cdrs[0]["hangup_cause"], "NORMAL_CLEARING", "{}", cdrs[0]);
    assert_eq!(cdrs[0]["sip_hangup_disposition"], "send_bye", "{}", cdrs[0]);
}

#[test]
fn rfc4733_9_three_times_hears_invalid_three_times_then_goodbye() {
    let switch = start();
    let (welcome, _, _) = prompts();
    let mut caller = Caller::dial(&switch, "ivr-invalid", "uac_auth_call_bye_in.xml", 0, &[]);
    let first = hears_welcome(&mut caller, &welcome);
    caller.press(9);
    for _ in 1..3 {
        // The invalid prompt, then the welcome again: press during it.
        let from = caller.samples();
        caller.until_heard(&welcome, from);
        caller.press(9);
    }
    caller.listen_to_the_end();
    assert_three_invalid_then_goodbye(&caller, first);
    let Caller { sipp, .. } = caller;
    assert_switch_hung_up(&switch, sipp);
    assert_eq!(switch.log().matches("ivr: invalid choice 9").count(), 3);
}

#[test]
fn sip_info_9_three_times_hears_invalid_three_times_then_goodbye() {
    let switch = start();
    let (welcome, _, _) = prompts();
    let mut caller = Caller::dial(&switch, "ivr-invalid", "uac_ivr_info_invalid.xml", 0, &[]);
    let first = hears_welcome(&mut caller, &welcome);
    caller.listen_to_the_end();
    assert_three_invalid_then_goodbye(&caller, first);
    let Caller { sipp, .. } = caller;
    assert_switch_hung_up(&switch, sipp);
    assert_eq!(switch.log().matches("SIP INFO)").count(), 3);
}

#[test]
fn a_silent_caller_hears_goodbye_and_is_hung_up() {
    let switch = start();
    let (welcome, invalid, goodbye) = prompts();
    let mut caller = Caller::dial(&switch, "ivr-silent", "uac_auth_call_bye_in.xml", 0, &[]);
    let first = hears_welcome(&mut caller, &welcome);
    caller.listen_to_the_end();
    let audio = decode_pcmu(&caller.heard);
    assert_eq!(goodbye.find(&audio, first).len(), 1, "goodbye once");
    assert!(invalid.find(&audio, 0).is_empty(), "no invalid prompt");
    let Caller { sipp, .. } = caller;
    assert_switch_hung_up(&switch, sipp);
}
