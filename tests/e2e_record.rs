//! Recordings on live calls (issue 5): the IVR's message recording stops after
//! three seconds of the caller's silence (media-side silence detection), and
//! record-and-bridge (5002) leaves a complete WAV holding both parties, with its
//! RECORD_* and record_* variables in the A leg's CDR line, whichever side hangs
//! up. sipp does the signalling; RTP comes from test sockets.

mod calls;
mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use calls::audio::{chirp, read_wav, ulaw_encode, window_correlations};
use calls::prompts::{Prompt, decode_pcmu};
use calls::{CallConf, CallSwitch, RtpPacket, RtpPeer, Sipp, auth_call_args, send_collect, strs};

/// Payload type of telephone-event in the callers' SDP.
const TELEPHONE_EVENT: u8 = 101;
/// μ-law silence (decodes to 0).
const SILENCE: u8 = 0xFF;

/// A sipp caller authenticated as 1000 dialing `dest`, holding `hold_ms` (0: until
/// the switch's BYE with `uac_auth_call_bye_in.xml`).
fn dial(switch: &CallSwitch, dest: &str, scenario: &str, rtp: &RtpPeer, hold_ms: u32) -> Sipp {
    let args = auth_call_args(&switch.user_csv(1000), dest, rtp.port(), hold_ms);
    switch.sipp("caller", Some(switch.conf.internal), scenario, &strs(&args))
}

/// Listens (sending silence every 20 ms, as a phone does) until `prompt` is heard.
fn until_heard(rtp: &mut RtpPeer, to: SocketAddr, heard: &mut Vec<RtpPacket>, prompt: &Prompt) {
    let deadline = Instant::now() + common::DEADLINE;
    let from = decode_pcmu(heard).len();
    while prompt.find(&decode_pcmu(heard), from).is_empty() {
        assert!(Instant::now() < deadline, "{} not heard", prompt.name);
        for _ in 0..25 {
            rtp.send(to, 0, &[SILENCE; 160]);
            heard.extend(rtp.receive_until(Duration::from_millis(20), |_| false));
        }
    }
}

/// Sends `frames` (20 ms each) paced like a phone, keeping what is heard; stops
/// early when the switch has sent nothing for a second (the call ended).
fn talk(rtp: &mut RtpPeer, to: SocketAddr, heard: &mut Vec<RtpPacket>, frames: &[Vec<u8>]) {
    let mut last = Instant::now();
    for frame in frames {
        rtp.send(to, 0, frame);
        let got = rtp.receive_until(Duration::from_millis(20), |_| false);
        if got.is_empty() {
            if last.elapsed() > Duration::from_secs(1) {
                return;
            }
        } else {
            last = Instant::now();
        }
        heard.extend(got);
    }
}

/// A caller in the IVR (5000, `scenario`, holding `hold_ms`) that has heard the
/// welcome, pressed 3 and heard the prompt before the beep: what it heard, its
/// RTP peer, the switch's RTP address and sipp.
struct AtTheTone {
    rtp: RtpPeer,
    to: SocketAddr,
    heard: Vec<RtpPacket>,
    sipp: Sipp,
}

fn to_the_message_tone(switch: &CallSwitch, scenario: &str, hold_ms: u32) -> AtTheTone {
    let welcome = Prompt::load("ivr-welcome.wav");
    let record_after_tone = Prompt::load("ivr-record-after-tone.wav");
    let mut rtp = RtpPeer::new(0x5000);
    let sipp = dial(switch, "5000", scenario, &rtp, hold_ms);
    let to = sipp.switch_rtp();
    let mut heard = Vec::new();
    until_heard(&mut rtp, to, &mut heard, &welcome);
    rtp.send_dtmf(to, TELEPHONE_EVENT, 3);
    until_heard(&mut rtp, to, &mut heard, &record_after_tone);
    AtTheTone {
        rtp,
        to,
        heard,
        sipp,
    }
}

/// The bytes of the IVR message recorded on call `uuid`.
fn message_wav(switch: &CallSwitch, uuid: &str) -> Vec<u8> {
    let wav = switch
        .dir
        .path()
        .join(format!("state/recordings/ivr-messages/{uuid}.wav"));
    std::fs::read(&wav).expect("the message WAV")
}

fn ulaw_frames(signal: &[i16]) -> Vec<Vec<u8>> {
    signal
        .chunks(160)
        .map(|c| c.iter().map(|&s| ulaw_encode(s)).collect())
        .collect()
}

/// The data chunk of a WAV whose RIFF and data sizes match the file exactly
/// (the header was completed when the recording closed).
fn assert_complete_wav(bytes: &[u8]) {
    let le32 = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(le32(4) as usize + 8, bytes.len(), "RIFF size");
    let data = bytes
        .windows(4)
        .position(|w| w == b"data")
        .expect("a data chunk");
    assert_eq!(
        le32(data + 4) as usize,
        bytes.len() - data - 8,
        "data chunk size"
    );
}

#[test]
fn an_ivr_message_ends_after_three_seconds_of_the_callers_silence() {
    let switch = CallSwitch::start(CallConf::new());
    let AtTheTone {
        mut rtp,
        to,
        mut heard,
        sipp,
    } = to_the_message_tone(&switch, "uac_auth_call_bye_in.xml", 0);

    // Speech from the prompt on, past its end and the beep (at most 4.5 s more),
    // 7 s of it, then silence: well before the 30 s limit the IVR plays the
    // message back, says goodbye and hangs up.
    let speech = chirp(300.0, 3000.0, 8000, 8000.0);
    talk(&mut rtp, to, &mut heard, &ulaw_frames(&speech.repeat(7)));
    let spoken = heard.len();
    talk(&mut rtp, to, &mut heard, &vec![vec![SILENCE; 160]; 1500]);
    sipp.assert_ok(&switch);

    let line = switch
        .log()
        .lines()
        .find(|l| l.contains("ivr: recorded"))
        .map(str::to_owned)
        .expect("the IVR logged its recording");
    let uuid = switch.wait_for_cdrs(1)[0]["uuid"]
        .as_str()
        .expect("uuid")
        .to_owned();
    let bytes = message_wav(&switch, &uuid);
    assert_complete_wav(&bytes);
    let (channels, rate, samples) = read_wav(&bytes).expect("a 16-bit PCM WAV");
    assert_eq!((channels, rate), (1, 8000));
    let seconds = samples.len() as f64 / 8000.0;
    // 2.5 to 7 s of speech, then 3 s of silence; without silence detection it
    // would run 30 s.
    assert!(
        (5.0..12.0).contains(&seconds),
        "message of {seconds:.2} s ({line})"
    );
    // Half a second of the sweep is enough to know it (and cheap to search).
    let probe = &speech[..4000];
    let intact = window_correlations(probe, &samples)
        .iter()
        .filter(|c| **c > 0.9)
        .count();
    assert!(intact >= 7, "the speech in the message: {intact} of 10");
    // The caller heard the message played back.
    let back = window_correlations(probe, &decode_pcmu(&heard[spoken..]))
        .iter()
        .filter(|c| **c > 0.9)
        .count();
    assert!(back >= 7, "the message played back: {back} of 10");
}

#[test]
fn a_caller_hanging_up_while_recording_leaves_a_complete_message_and_its_length_in_the_cdr() {
    let switch = CallSwitch::start(CallConf::new());
    // The caller hangs up 16 s after the answer: while it still speaks into the
    // recording (welcome and prompt take about 7 s of that).
    let AtTheTone {
        mut rtp,
        to,
        mut heard,
        sipp,
    } = to_the_message_tone(&switch, "uac_auth_call.xml", 16_000);
    let speech = chirp(300.0, 3000.0, 8000, 8000.0);
    talk(&mut rtp, to, &mut heard, &ulaw_frames(&speech.repeat(30)));
    sipp.assert_ok(&switch);

    let cdr = switch.wait_for_cdrs(1)[0].clone();
    assert_eq!(cdr["sip_hangup_disposition"], "recv_bye", "{cdr}");
    let uuid = cdr["uuid"].as_str().expect("uuid");
    let bytes = message_wav(&switch, uuid);
    assert_complete_wav(&bytes);
    let (_, _, samples) = read_wav(&bytes).expect("a 16-bit PCM WAV");
    assert!(samples.len() > 8000, "{} samples", samples.len());
    let ms: u64 = cdr["recording"]["record_ms"]
        .as_str()
        .unwrap_or_else(|| panic!("record_ms in {cdr}"))
        .parse()
        .expect("a number");
    assert_eq!(ms, samples.len() as u64 / 8, "{cdr}");
}

/// Which side of the record-and-bridge call hangs up.
#[derive(Clone, Copy, Debug)]
enum Hangs {
    Caller,
    Callee,
}

/// 1000 calls 5002 (`app record_and_bridge user/1001`); each side sends a one
/// second sweep through the bridge; `who` hangs up.
fn record_and_bridge(who: Hangs) {
    let switch = CallSwitch::start(CallConf::new());
    let phone_port = common::free_port();
    switch.register(1001, phone_port);
    let mut callee_rtp = RtpPeer::new(0x1001);
    let callee_port = callee_rtp.port().to_string();
    let (callee_scenario, caller_scenario, caller_hold) = match who {
        Hangs::Caller => ("uas_answer.xml", "uac_auth_call.xml", 10_000),
        Hangs::Callee => ("uas_answer_bye.xml", "uac_auth_call_bye_in.xml", 0),
    };
    // Holds long enough for both sweeps on a busy machine (about 4 s of sending).
    let callee_args = [
        "-d",
        "10000",
        "-key",
        "rtp_port",
        &callee_port,
        "-key",
        "pt",
        "0",
        "-key",
        "codec",
        "PCMU",
    ];
    let callee = switch.sipp_at("phone1001", None, phone_port, callee_scenario, &callee_args);
    let mut caller_rtp = RtpPeer::new(0x1000);
    let caller = dial(&switch, "5002", caller_scenario, &caller_rtp, caller_hold);
    let a_side = caller.switch_rtp();
    let b_side = callee.switch_rtp();
    let up = chirp(300.0, 3000.0, 8000, 8000.0);
    let down = chirp(3000.0, 300.0, 8000, 8000.0);
    let callee_socket = callee_rtp.socket.try_clone().expect("clone");
    send_collect(
        &mut caller_rtp,
        a_side,
        0,
        &ulaw_frames(&up),
        &callee_socket,
        0,
    );
    let caller_socket = caller_rtp.socket.try_clone().expect("clone");
    send_collect(
        &mut callee_rtp,
        b_side,
        0,
        &ulaw_frames(&down),
        &caller_socket,
        0,
    );
    caller.assert_ok(&switch);
    callee.assert_ok(&switch);

    let cdrs = switch.wait_for_cdrs(2);
    let a = cdrs
        .iter()
        .find(|c| c["direction"] == "inbound")
        .expect("the A leg's CDR");
    let disposition = match who {
        Hangs::Caller => "recv_bye",
        Hangs::Callee => "send_bye",
    };
    assert_eq!(a["sip_hangup_disposition"], disposition, "{a}");
    let uuid = a["uuid"].as_str().expect("uuid");
    let wav = switch
        .dir
        .path()
        .join(format!("state/recordings/{uuid}.wav"));
    // The CDR line is written once the file is closed.
    let bytes = std::fs::read(&wav).expect("the recording");
    assert_complete_wav(&bytes);
    let (channels, rate, samples) = read_wav(&bytes).expect("a 16-bit PCM WAV");
    assert_eq!((channels, rate), (1, 8000));
    // The first half second of each sweep (ten 50 ms windows) is enough to
    // recognise it, and keeps the search through a 10 s file quick.
    let intact = |sent: &[i16]| {
        window_correlations(&sent[..4000], &samples)
            .iter()
            .filter(|c| **c > 0.9)
            .count()
    };
    let (caller_part, callee_part) = (intact(&up), intact(&down));
    assert!(
        caller_part >= 7,
        "the caller in the recording: {caller_part} of 10"
    );
    assert!(
        callee_part >= 7,
        "the callee in the recording: {callee_part} of 10"
    );

    let recording = &a["recording"];
    let var = |name: &str| recording[name].as_str().map(str::to_owned);
    let ms: u64 = var("record_ms")
        .unwrap_or_else(|| panic!("record_ms in {recording}"))
        .parse()
        .expect("a number");
    assert_eq!(ms, samples.len() as u64 * 1000 / 8000, "{recording}");
    assert_eq!(var("record_seconds"), Some((ms / 1000).to_string()));
    assert_eq!(var("record_samples"), Some((ms * 8).to_string()));
    assert_eq!(
        var("RECORD_TITLE").as_deref(),
        Some("1000 to user/1001"),
        "{recording}"
    );
    for name in [
        "RECORD_ARTIST",
        "RECORD_DATE",
        "RECORD_COMMENT",
        "RECORD_SOFTWARE",
    ] {
        assert!(
            var(name).is_some_and(|v| !v.is_empty()),
            "{name} in {recording}"
        );
    }
}

#[test]
fn record_and_bridge_caller_hangup_leaves_a_complete_recording_and_cdr_variables() {
    record_and_bridge(Hangs::Caller);
}

#[test]
fn record_and_bridge_callee_hangup_leaves_a_complete_recording_and_cdr_variables() {
    record_and_bridge(Hangs::Callee);
}
