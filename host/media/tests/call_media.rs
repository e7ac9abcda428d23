//! Media paths of a call end to end, sans-IO with virtual time: what the
//! call engine will do with these pieces, checked on the audio itself.

use std::io::Cursor;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use witswitch_media::goertzel::{detect_dtmf, dominant_frequency, energy};
use witswitch_media::{
    DtmfReceiver, DtmfSender, JitterBuffer, Party, PlaySource, Player, RecordLayout, Recorder,
    RelayRewriter, RtpSession, RtpSessionConfig, new_codec,
};
use witswitch_sdp::CodecName;

const PTIME: Duration = Duration::from_millis(20);

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

/// Plays `tone` through encode → RTP → (relay) → RTP → jitter buffer → decode.
fn play_through(codec_name: CodecName, tone: &str, relay: bool) -> (Vec<i16>, u32) {
    let t0 = Instant::now();
    let mut encoder = new_codec(codec_name, 20).unwrap();
    let mut decoder = new_codec(codec_name, 20).unwrap();
    let rate = encoder.sample_rate();
    let mut player = Player::open(&PlaySource::parse(tone).unwrap(), rate, 20).unwrap();
    let mut sender = RtpSession::new(
        t0,
        RtpSessionConfig::new(0x11, 100, 1000, encoder.clock_rate()),
    );
    let mut receiver = RtpSession::new(t0, RtpSessionConfig::new(0x22, 7, 9, encoder.clock_rate()));
    let mut rewriter = RelayRewriter::new(0x33, 5000, 777, encoder.clock_rate());
    let mut jitter = JitterBuffer::new(3, 16);
    let mut frame = vec![0i16; player.frame_len()];
    let mut payload = [0u8; 1500];
    let mut packet = [0u8; 1500];
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let mut heard = Vec::new();
    let mut pcm = vec![0i16; decoder.samples_per_frame()];
    let mut now = t0;
    let mut index = 0u32;
    while player.next_frame(&mut frame).is_some() {
        let n = encoder.encode_into(&frame, &mut payload).unwrap();
        let len = sender
            .write_media(0, &payload[..n], encoder.timestamp_increment(), &mut packet)
            .unwrap();
        let mut wire = packet[..len].to_vec();
        if relay {
            rewriter.rewrite(now, &mut wire).unwrap();
        }
        // the network swaps every 5th packet with the next one
        pending.push(wire);
        if index % 5 != 3 {
            for datagram in pending.drain(..).rev() {
                let got = receiver
                    .handle_packet(now, &datagram, addr("10.1.1.1:5000"))
                    .unwrap();
                jitter.push(got.header.sequence, got.header.timestamp, got.payload);
            }
        }
        let n = jitter.pop_pcm(decoder.as_mut(), &mut pcm).unwrap();
        heard.extend_from_slice(&pcm[..n]);
        now += PTIME;
        index += 1;
    }
    assert_eq!(receiver.stats().packets_lost, 0);
    assert!(receiver.stats().out_of_order > 0);
    (heard, rate)
}

#[test]
fn a_tone_survives_every_codec_with_reordering() {
    for codec in [
        CodecName::Pcmu,
        CodecName::Pcma,
        CodecName::G722,
        CodecName::Opus,
    ] {
        let (heard, rate) = play_through(codec, "tone_stream://%(1000,0,440)", false);
        let tail = &heard[heard.len() / 2..];
        let found = dominant_frequency(tail, rate, &[350.0, 440.0, 480.0, 620.0, 1000.0]);
        assert_eq!(found, Some(440.0), "{codec}");
        assert!(energy(tail) > 1e6, "{codec}");
    }
}

#[test]
fn relayed_dtmf_tones_stay_decodable() {
    let (heard, rate) = play_through(CodecName::Pcmu, "tone_stream://%(200,100,941,1477)", true);
    // 3 frames of jitter delay, then 200 ms of '#'
    let start = 3 * 160;
    assert_eq!(
        detect_dtmf(&heard[start + 160..start + 1440], rate),
        Some('#')
    );
}

#[test]
fn rfc_4733_digits_cross_the_rtp_path() {
    let t0 = Instant::now();
    let mut sender = RtpSession::new(t0, RtpSessionConfig::new(0x11, 1, 8000, 8000));
    let mut receiver = RtpSession::new(t0, RtpSessionConfig::new(0x22, 1, 1, 8000));
    let mut dtmf = DtmfReceiver::new(8000);
    let mut packet = [0u8; 64];
    let mut digits = String::new();
    let mut now = t0;
    for digit in ['4', '2', '#'] {
        let start = sender.next_timestamp();
        let mut tx = DtmfSender::new(digit, Duration::from_millis(100), 8000, PTIME, 10).unwrap();
        while let Some(event) = tx.next_packet() {
            let n = sender
                .write_packet(101, event.marker, start, &event.payload, &mut packet)
                .unwrap();
            let got = receiver
                .handle_packet(now, &packet[..n], addr("10.1.1.1:5000"))
                .unwrap();
            assert_eq!(got.header.payload_type, 101);
            for key in dtmf.handle(got.header.timestamp, got.payload).unwrap() {
                assert_eq!(key.duration, Duration::from_millis(100));
                digits.push(key.digit);
            }
            now += PTIME;
            sender.skip(160); // the media clock keeps running during the event
        }
    }
    assert_eq!(digits, "42#");
}

#[test]
fn record_session_holds_both_parties() {
    let rate = 8000;
    let mut caller = Player::open(
        &PlaySource::parse("tone_stream://%(500,0,697)").unwrap(),
        rate,
        20,
    )
    .unwrap();
    let mut callee = Player::open(
        &PlaySource::parse("tone_stream://%(500,0,1209)").unwrap(),
        rate,
        20,
    )
    .unwrap();
    let mut file = Cursor::new(Vec::new());
    let mut recorder = Recorder::new(&mut file, rate, RecordLayout::Stereo, 1600).unwrap();
    let mut a = vec![0i16; caller.frame_len()];
    let mut b = vec![0i16; callee.frame_len()];
    while caller.next_frame(&mut a).is_some() && callee.next_frame(&mut b).is_some() {
        recorder.push(Party::A, &a).unwrap();
        recorder.push(Party::B, &b).unwrap();
    }
    assert_eq!(recorder.finish().unwrap(), 4000);
    let audio = witswitch_media::wav::read_wav(&file.get_ref()[..]).unwrap();
    let left: Vec<i16> = audio.samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = audio.samples.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(
        dominant_frequency(&left, rate, &[697.0, 1209.0]),
        Some(697.0)
    );
    assert_eq!(
        dominant_frequency(&right, rate, &[697.0, 1209.0]),
        Some(1209.0)
    );
}
