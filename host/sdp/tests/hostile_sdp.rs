//! SDP from the network never panics the parser or the negotiator:
//! mutated and truncated versions of a real offer (deterministic PRNG).

use witswitch_sdp::{LocalMedia, SdpOrigin, SessionDescription, answer_offer};

const OFFER: &str = "v=0\r\no=sipp 53655765 2353687637 IN IP4 127.0.0.1\r\ns=sipp\r\n\
    c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 20600 RTP/AVP 0 8 101 111\r\n\
    a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:111 opus/48000/2\r\n\
    a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n\
    m=video 0 RTP/AVP 96\r\n";

#[test]
fn mutated_offers_parse_or_fail_cleanly() {
    let local = LocalMedia::new(
        "127.0.0.1".parse().unwrap(),
        30000,
        "PCMU,PCMA,OPUS,G722".parse().unwrap(),
    );
    let alphabet = b" :/=\r\n0123456789aAmcvtsRTP-.,;@";
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut parsed, mut answered) = (0, 0);
    for _ in 0..20_000 {
        let mut text = OFFER.as_bytes().to_vec();
        for _ in 0..(next() % 4 + 1) {
            if text.is_empty() {
                break;
            }
            let at = (next() as usize) % text.len();
            match next() % 3 {
                0 => text[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    text.remove(at);
                }
                _ => text.truncate(at.max(1)),
            }
        }
        if let Ok(sdp) = SessionDescription::parse(&text) {
            parsed += 1;
            let mut origin = SdpOrigin::new(1, "127.0.0.1".parse().unwrap());
            if let Ok((answer, _)) = answer_offer(&local, &mut origin, &sdp) {
                answered += 1;
                // whatever we answer must itself be valid SDP
                assert!(SessionDescription::parse(&answer.to_bytes()).is_ok());
            }
        }
    }
    assert!(
        parsed > 1000 && answered > 500,
        "{parsed} parsed, {answered} answered"
    );
}
