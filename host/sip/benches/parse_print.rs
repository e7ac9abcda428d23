//! Parse + print throughput of a typical INVITE with SDP (issue 2 target:
//! at least 200k messages/s on one core).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use witswitch_sip::Message;

/// An INVITE as a softphone sends it: two Vias, Record-Route, the usual
/// dialog headers, a few capability headers and a G.711/telephone-event SDP.
const INVITE: &[u8] = b"INVITE sip:1001@192.0.2.10:5060;transport=udp SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-524287-1---3f0e2b1c9a8d7e6f;rport\r\n\
Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK77ef4c2312983.1;received=198.51.100.7\r\n\
Max-Forwards: 69\r\n\
Record-Route: <sip:192.0.2.20;lr>\r\n\
Contact: <sip:1000@198.51.100.7:5062;transport=udp>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"\r\n\
To: <sip:1001@example.com>\r\n\
From: \"Alice 1000\" <sip:1000@example.com>;tag=9fxced76sl\r\n\
Call-ID: 3848276298220188511@198.51.100.7\r\n\
CSeq: 314159 INVITE\r\n\
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n\
Supported: replaces, timer, 100rel\r\n\
User-Agent: Zoiper rv2.10.20.2\r\n\
Allow-Events: presence, kpml, talk\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 238\r\n\
\r\n\
v=0\r\n\
o=Z 0 94129399 IN IP4 198.51.100.7\r\n\
s=Z\r\n\
c=IN IP4 198.51.100.7\r\n\
t=0 0\r\n\
m=audio 8000 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n\
a=rtcp-mux\r\n";

fn parse_print(c: &mut Criterion) {
    // Sanity: the message is complete and its body is framed as declared.
    let parsed = Message::parse(INVITE).expect("benchmark INVITE parses");
    assert_eq!(parsed.consumed, INVITE.len());

    let mut group = c.benchmark_group("sip_message");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse_invite", |b| {
        b.iter(|| Message::parse(black_box(INVITE)))
    });
    let message = parsed.message;
    group.bench_function("print_invite", |b| {
        b.iter(|| black_box(&message).to_bytes())
    });
    group.bench_function("parse_print_invite", |b| {
        b.iter(|| {
            let parsed = Message::parse(black_box(INVITE)).expect("parses");
            parsed.message.to_bytes()
        })
    });
    group.bench_function("parse_print_invite_with_typed_views", |b| {
        b.iter(|| {
            let parsed = Message::parse(black_box(INVITE)).expect("parses");
            let headers = parsed.message.headers();
            let via = headers.via_top().expect("via");
            let cseq = headers.cseq().expect("cseq");
            let from = headers.from().expect("from");
            black_box((via, cseq, from, headers.call_id().is_ok()));
            parsed.message.to_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, parse_print);
criterion_main!(benches);
