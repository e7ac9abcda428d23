//! What a media task does with each received packet and on each ptime
//! tick. Packet-driven paths (echo, relay) send as packets arrive and need
//! no timer; clock-driven paths (playback, silence, digits, and anything
//! that decodes: transcoding, recording) run on the leg's ptime ticker and
//! read the peer's audio through a jitter buffer.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use witswitch_media::Party;
use witswitch_sdp::CodecName;

use super::api::{MediaEvent, MediaFailure, PlaybackEnd};
use super::bridge::{BridgePath, EncodeBuffers, send_frame};
use super::events::EventSink;
use super::leg::{Leg, MAX_BURST};

/// Largest datagram read from an RTP socket. Bigger ones are truncated
/// and then fail to parse or decode; RTP over UDP stays below the MTU.
pub const RECV_BUF: usize = 2048;
/// Longest audio one received packet may carry, for decode buffers.
const MAX_PACKET_MS: u32 = 120;
/// Shortest digit we regenerate on the other leg of a transcoding bridge.
const MIN_RELAYED_DIGIT: Duration = Duration::from_millis(40);

/// Buffers a task reuses for every packet (no allocation per packet).
#[derive(Debug)]
pub struct Scratch {
    /// Receive buffer (also rewritten in place by the relay).
    pub recv: Vec<u8>,
    /// Decoded incoming frame.
    pub pcm_in: Vec<i16>,
    /// Frame being played or encoded.
    pub pcm_out: Vec<i16>,
    /// Encoding buffers.
    pub encode: EncodeBuffers,
}

impl Scratch {
    /// Buffers for one task.
    pub fn new() -> Self {
        Self {
            recv: vec![0; RECV_BUF],
            pcm_in: Vec::new(),
            pcm_out: Vec::new(),
            encode: EncodeBuffers::new(),
        }
    }
}

/// The leg at `i` and the other leg of the task, if bridged.
pub fn pair_mut(legs: &mut [Leg], i: usize) -> Option<(&mut Leg, Option<&mut Leg>)> {
    match (legs, i) {
        ([only], 0) => Some((only, None)),
        ([a, b], 0) => Some((a, Some(b))),
        ([a, b], 1) => Some((b, Some(a))),
        _ => None,
    }
}

/// Handles an RTP datagram of `len` bytes in `scratch.recv` from `from`
/// on leg `i`. Returns whether the task's modes changed (a playback was
/// interrupted, digits were queued), so tickers must be re-evaluated.
pub fn on_rtp(
    legs: &mut [Leg],
    bridge: &mut Option<BridgePath>,
    scratch: &mut Scratch,
    events: &mut EventSink,
    (i, len, from): (usize, usize, SocketAddr),
) -> bool {
    let now_std = Instant::now();
    let Some((leg, mut partner)) = pair_mut(legs, i) else {
        return false;
    };
    let Some(codec) = leg.codec else {
        leg.counters.unconfigured += 1;
        return false;
    };
    let Some(data) = scratch.recv.get(..len) else {
        return false;
    };
    let received = match leg.session.handle_packet(now_std, data, from) {
        Ok(received) => received,
        Err(_) => {
            leg.counters.rejected += 1;
            return false;
        }
    };
    leg.counters.received += 1;
    let header = received.header;
    let payload = received.payload;
    leg.follow_latch();
    let mut changed = false;
    if Some(header.payload_type) == codec.telephone_event_pt {
        let transcoding = matches!(bridge, Some(BridgePath::Transcode(_)));
        let regenerate_on = partner.as_deref_mut().filter(|_| transcoding);
        changed = on_telephone_event(leg, regenerate_on, events, header.timestamp, payload);
        let to_takes_events = partner
            .as_ref()
            .and_then(|p| p.codec)
            .is_some_and(|c| c.telephone_event_pt.is_some());
        if !to_takes_events {
            return changed;
        }
    } else if header.payload_type == codec.payload_type {
        if let Some(decoding) = leg.decoding.as_mut() {
            decoding
                .jitter
                .push(header.sequence, header.timestamp, payload);
        }
        if partner.is_none() && leg.echo && !leg.output_overridden() {
            let advance = match codec.name {
                // G.711: one byte per 8 kHz tick; G.722: one byte per 8 kHz tick too.
                CodecName::Pcmu | CodecName::Pcma | CodecName::G722 if !payload.is_empty() => {
                    u32::try_from(payload.len()).unwrap_or(codec.frame_ticks)
                }
                _ => codec.frame_ticks,
            };
            echo(
                leg,
                codec.payload_type,
                payload,
                advance,
                &mut scratch.encode,
                now_std,
            );
            return false;
        }
    }
    // Relay: audio, comfort noise, and telephone-events the other leg takes.
    if let (Some(BridgePath::Relay(relay)), Some(to)) = (bridge.as_mut(), partner)
        && let Some(packet) = scratch.recv.get_mut(..len)
    {
        relay.forward(i, &codec, to, packet, now_std);
    }
    changed
}

/// Sends a received payload back, stamped with the leg's own SSRC,
/// sequence and timestamp.
fn echo(
    leg: &mut Leg,
    payload_type: u8,
    payload: &[u8],
    advance: u32,
    buffers: &mut EncodeBuffers,
    now: Instant,
) {
    match leg
        .out
        .write_media(now, payload_type, payload, advance, &mut buffers.packet)
    {
        Ok(n) => leg.send(buffers.packet.get(..n).unwrap_or_default()),
        Err(_) => leg.counters.send_failed += 1,
    }
}

/// RFC 4733 receive: reports each finished key once, stops an
/// interruptible playback, and on a transcoding bridge queues the key for
/// the other leg (a relay forwards the packets themselves).
fn on_telephone_event(
    leg: &mut Leg,
    regenerate_on: Option<&mut Leg>,
    events: &mut EventSink,
    timestamp: u32,
    payload: &[u8],
) -> bool {
    let Ok(finished) = leg.dtmf_in.handle(timestamp, payload) else {
        leg.counters.rejected += 1;
        return false;
    };
    let mut changed = false;
    let mut regenerate_on = regenerate_on;
    for key in finished {
        events.emit(MediaEvent::Dtmf {
            leg: leg.id,
            digit: key.digit,
            duration_ms: u32::try_from(key.duration.as_millis()).unwrap_or(u32::MAX),
        });
        if leg
            .playback
            .as_ref()
            .is_some_and(|p| p.interrupt.stops_on(key.digit))
            && let Some(playback) = leg.playback.take()
        {
            events.emit(MediaEvent::PlaybackDone {
                leg: leg.id,
                play_id: playback.play_id,
                end: PlaybackEnd::Interrupted(key.digit),
            });
            changed = true;
        }
        if let Some(to) = regenerate_on.as_deref_mut()
            && to.codec.is_some_and(|c| c.telephone_event_pt.is_some())
        {
            let duration = key.duration.max(MIN_RELAYED_DIGIT);
            to.dtmf_out.queue.push_back((key.digit, duration));
            changed = true;
        }
    }
    changed
}

/// One ptime tick of leg `i` that was due at `scheduled`. Returns whether
/// modes changed (a playback or digits finished).
pub fn on_tick(
    legs: &mut [Leg],
    bridge: &mut Option<BridgePath>,
    scratch: &mut Scratch,
    events: &mut EventSink,
    (i, scheduled): (usize, Instant),
) -> bool {
    let now = Instant::now();
    let Some((leg, partner)) = pair_mut(legs, i) else {
        return false;
    };
    // The stream is stamped by the tick's scheduled time, not by when the
    // task got to run: a burst of missed ticks then carries consecutive
    // timestamps, and only a real pause (a restarted clock, a mode change)
    // makes `Outgoing::catch_up` jump the timestamp.
    let mut stream_time = scheduled;
    if now.saturating_duration_since(scheduled) > MAX_BURST
        && let Some(ptime) = leg.codec.map(|c| c.ptime)
    {
        // Too far behind to burst: restart the clock.
        leg.next_tick = Some(now + ptime);
        stream_time = now;
    }
    let changed = tick_output(leg, partner.is_some(), scratch, events, stream_time);
    tick_input((leg, i), partner, bridge, scratch, events, now);
    changed
}

/// What leg `leg` sends this tick: a digit packet, a playback frame, or
/// silence when it has nothing else (so NAT bindings and the peer's RTP
/// timeout stay alive). Echo and bridges send as packets arrive instead.
fn tick_output(
    leg: &mut Leg,
    bridged: bool,
    scratch: &mut Scratch,
    events: &mut EventSink,
    now: Instant,
) -> bool {
    let Some(codec) = leg.codec else {
        return false;
    };
    let now_std = now;
    let (payload_type, ticks) = (codec.payload_type, codec.frame_ticks);
    if leg.dtmf_out.busy() {
        match codec.telephone_event_pt {
            Some(event_type) => {
                if send_digit_packet(leg, event_type, &codec, scratch, events, now_std) {
                    return !leg.dtmf_out.busy();
                }
            }
            None => leg.dtmf_out = Default::default(),
        }
    }
    let mut changed = false;
    scratch.pcm_out.clear();
    scratch.pcm_out.resize(codec.frame_samples, 0);
    let finished = match leg.playback.as_mut() {
        Some(playback) => playback.player.next_frame(&mut scratch.pcm_out).is_none(),
        None if bridged || leg.echo => return false,
        None => false,
    };
    if finished && let Some(playback) = leg.playback.take() {
        events.emit(MediaEvent::PlaybackDone {
            leg: leg.id,
            play_id: playback.play_id,
            end: PlaybackEnd::Completed,
        });
        changed = true;
        if bridged || leg.echo {
            return changed;
        }
    }
    scratch.encode.frame.clear();
    scratch.encode.frame.extend_from_slice(&scratch.pcm_out);
    send_frame(leg, payload_type, ticks, &mut scratch.encode, now_std);
    record(leg, Party::B, &scratch.pcm_out, codec.pcm_rate, events);
    changed
}

/// Sends this frame's telephone-event packet, if one is due (not in the
/// gap between two digits). The media clock moves on as if audio had
/// been sent (RFC 4733 §2.5.1.2: the event keeps its start timestamp).
fn send_digit_packet(
    leg: &mut Leg,
    event_type: u8,
    codec: &super::leg::LegCodec,
    scratch: &mut Scratch,
    events: &mut EventSink,
    now: Instant,
) -> bool {
    let ticks = codec.frame_ticks;
    let out = &mut leg.out;
    let next = leg.dtmf_out.next_packet(codec.clock_rate, codec.ptime, || {
        out.next_timestamp(now, ticks)
    });
    let Some((packet, start)) = next else {
        return false;
    };
    let buffer = &mut scratch.encode.packet;
    match leg.out.write_event(
        now,
        event_type,
        packet.marker,
        start,
        &packet.payload,
        buffer,
    ) {
        Ok(n) => leg.send(buffer.get(..n).unwrap_or_default()),
        Err(_) => leg.counters.send_failed += 1,
    }
    leg.out.skip(now, ticks);
    // The party hears the tone, not speech: recorded as silence.
    scratch.pcm_out.clear();
    scratch.pcm_out.resize(codec.frame_samples, 0);
    record(leg, Party::B, &scratch.pcm_out, codec.pcm_rate, events);
    true
}

/// Takes this tick's frame of the peer's audio out of the jitter buffer
/// (when the leg decodes) and hands it to the recordings and, across a
/// transcoding bridge, to the other leg.
fn tick_input(
    (leg, i): (&mut Leg, usize),
    partner: Option<&mut Leg>,
    bridge: &mut Option<BridgePath>,
    scratch: &mut Scratch,
    events: &mut EventSink,
    now: Instant,
) {
    let Some(rate) = leg.codec.map(|c| c.pcm_rate) else {
        return;
    };
    let Some(decoding) = leg.decoding.as_mut() else {
        return;
    };
    scratch
        .pcm_in
        .resize((rate / 1000 * MAX_PACKET_MS) as usize, 0);
    let decoded = decoding
        .jitter
        .pop_pcm(decoding.decoder.as_mut(), &mut scratch.pcm_in);
    let n = match decoded {
        Ok(n) => n,
        Err(_) => {
            // Undecodable payload: a frame of silence keeps both parties aligned.
            let n = decoding
                .decoder
                .samples_per_frame()
                .min(scratch.pcm_in.len());
            scratch.pcm_in[..n].fill(0);
            n
        }
    };
    let pcm = scratch.pcm_in.get(..n).unwrap_or_default();
    record(leg, Party::A, pcm, rate, events);
    let Some(to) = partner else {
        if leg.echo && !leg.output_overridden() {
            record(leg, Party::B, pcm, rate, events);
        }
        return;
    };
    let hears = !to.output_overridden();
    if hears {
        record(to, Party::B, pcm, rate, events);
    }
    if let Some(BridgePath::Transcode(transcode)) = bridge.as_mut() {
        match hears {
            true => transcode.forward(i, pcm, to, &mut scratch.encode, now),
            false => transcode.clear(i),
        }
    }
}

/// Adds a frame to each of `leg`'s recordings; a recording that fails to
/// write is finished and reported.
pub fn record(leg: &mut Leg, party: Party, pcm: &[i16], rate: u32, events: &mut EventSink) {
    if leg.recordings.is_empty() {
        return;
    }
    let mut failed = None;
    for (k, recording) in leg.recordings.iter_mut().enumerate() {
        match recording.push(party, pcm, rate) {
            Ok(false) => {}
            Ok(true) => events.emit(MediaEvent::Silence {
                leg: leg.id,
                path: recording.path().to_owned(),
            }),
            Err(e) => {
                failed = Some((k, e));
                break;
            }
        }
    }
    if let Some((k, source)) = failed {
        let recording = leg.recordings.remove(k);
        let path = recording.path().to_owned();
        let _ = recording.finish();
        events.emit(MediaEvent::Error {
            leg: leg.id,
            what: MediaFailure::Record { path, source },
        });
    }
}
