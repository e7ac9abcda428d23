//! Codecs, RTP sessions, DTMF, tones, WAV; sans-IO.
