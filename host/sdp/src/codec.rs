//! The audio codecs witswitch negotiates, and FreeSWITCH-style codec
//! preference lists (`PCMU,PCMA,OPUS,G722`, with `@20i` ptime modifiers).

use std::fmt;
use std::str::FromStr;

/// An audio codec the switch can carry, named as FreeSWITCH profiles name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecName {
    /// G.711 μ-law, static payload type 0 (RFC 3551 §4.5.14).
    Pcmu,
    /// G.711 A-law, static payload type 8 (RFC 3551 §4.5.14).
    Pcma,
    /// G.722 wideband, static payload type 9. Samples at 16 kHz, but its RTP
    /// clock and SDP rate are 8000 for historical reasons (RFC 3551 §4.5.2).
    G722,
    /// Opus, dynamic payload type, always `opus/48000/2` in SDP (RFC 7587 §7).
    Opus,
}

impl CodecName {
    /// Every codec, in FreeSWITCH's vanilla preference order.
    pub const ALL: [CodecName; 4] = [Self::Opus, Self::G722, Self::Pcmu, Self::Pcma];

    /// The encoding name used in `a=rtpmap` (compared case-insensitively).
    pub fn encoding_name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
            Self::G722 => "G722",
            Self::Opus => "opus",
        }
    }

    /// The name in a FreeSWITCH codec preference list.
    pub fn pref_name(self) -> &'static str {
        match self {
            Self::Opus => "OPUS",
            other => other.encoding_name(),
        }
    }

    /// The RTP timestamp clock rate as written in SDP.
    pub fn rtp_clock_rate(self) -> u32 {
        match self {
            Self::Pcmu | Self::Pcma | Self::G722 => 8000,
            Self::Opus => 48000,
        }
    }

    /// The channel count written in `a=rtpmap` (RFC 7587 §7 requires 2 for Opus).
    pub fn sdp_channels(self) -> u8 {
        match self {
            Self::Opus => 2,
            _ => 1,
        }
    }

    /// The rate of the PCM the codec encodes and decodes natively.
    pub fn pcm_sample_rate(self) -> u32 {
        match self {
            Self::Pcmu | Self::Pcma => 8000,
            Self::G722 => 16000,
            Self::Opus => 48000,
        }
    }

    /// The RFC 3551 static payload type, if the codec has one.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Self::Pcmu => Some(0),
            Self::Pcma => Some(8),
            Self::G722 => Some(9),
            Self::Opus => None,
        }
    }

    /// The `a=fmtp` parameters we advertise in our own offers.
    pub fn default_fmtp(self) -> Option<&'static str> {
        match self {
            // In-band FEC lets the receiver hide single packet losses (RFC 7587 §6.1).
            Self::Opus => Some("useinbandfec=1"),
            _ => None,
        }
    }

    /// Whether `ptime` (ms) is a packet duration this codec can produce.
    pub fn supports_ptime(self, ptime: u32) -> bool {
        match self {
            // Opus frames are 2.5..60 ms; we packetise whole 10 ms multiples.
            Self::Opus => matches!(ptime, 10 | 20 | 40 | 60),
            _ => (10..=60).contains(&ptime) && ptime.is_multiple_of(10),
        }
    }

    /// Whether an `a=rtpmap` entry (name, clock rate, channels) names this codec.
    pub fn matches(self, encoding: &str, clock_rate: u32, channels: u8) -> bool {
        encoding.eq_ignore_ascii_case(self.encoding_name())
            && clock_rate == self.rtp_clock_rate()
            // Opus is always signalled as 2 channels; for the others 1 (or absent) is mono.
            && channels == self.sdp_channels()
    }
}

impl fmt::Display for CodecName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pref_name())
    }
}

/// Why a codec preference list was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecPrefsError {
    /// A name that is not a codec witswitch implements.
    #[error("unknown codec {0:?} (known: PCMU, PCMA, G722, OPUS)")]
    UnknownCodec(String),
    /// An `@...` modifier that is malformed or does not fit the codec.
    #[error("bad modifier {modifier:?} on codec {codec}")]
    BadModifier {
        /// The codec the modifier was attached to.
        codec: CodecName,
        /// The modifier text after `@`.
        modifier: String,
    },
    /// The list names no codec at all.
    #[error("empty codec preference list")]
    Empty,
}

/// One entry of a preference list: a codec and an optional packet time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecPref {
    /// The codec.
    pub codec: CodecName,
    /// `@<ms>i`: the packet time this entry asks for, if any.
    pub ptime: Option<u32>,
}

impl FromStr for CodecPref {
    type Err = CodecPrefsError;

    /// Parses `NAME[@<rate>h][@<ms>i][@<n>c]` as FreeSWITCH does; the rate
    /// and channel modifiers must agree with the codec (they only select).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.trim().split('@');
        let name = parts.next().unwrap_or_default().trim();
        let codec = CodecName::ALL
            .into_iter()
            .find(|c| c.pref_name().eq_ignore_ascii_case(name))
            .ok_or_else(|| CodecPrefsError::UnknownCodec(name.to_owned()))?;
        let mut pref = CodecPref { codec, ptime: None };
        for modifier in parts {
            let bad = || CodecPrefsError::BadModifier {
                codec,
                modifier: modifier.to_owned(),
            };
            let split = modifier.len().checked_sub(1).ok_or_else(bad)?;
            let (number, unit) = modifier.split_at(split);
            let value: u32 = number.parse().map_err(|_| bad())?;
            match unit {
                "i" if codec.supports_ptime(value) => pref.ptime = Some(value),
                "h" if value == codec.pcm_sample_rate() || value == codec.rtp_clock_rate() => {}
                "c" if value == 1 || u32::from(codec.sdp_channels()) == value => {}
                "k" | "b" => {} // bitrate hints; we use the codec's default rate
                _ => return Err(bad()),
            }
        }
        Ok(pref)
    }
}

impl fmt::Display for CodecPref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.codec)?;
        if let Some(ptime) = self.ptime {
            write!(f, "@{ptime}i")?;
        }
        Ok(())
    }
}

/// An ordered codec preference list, most preferred first, no duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecPrefs(Vec<CodecPref>);

impl CodecPrefs {
    /// A list from entries; later duplicates of a codec are dropped.
    pub fn new(entries: impl IntoIterator<Item = CodecPref>) -> Result<Self, CodecPrefsError> {
        let mut list: Vec<CodecPref> = Vec::new();
        for entry in entries {
            if !list.iter().any(|e| e.codec == entry.codec) {
                list.push(entry);
            }
        }
        if list.is_empty() {
            return Err(CodecPrefsError::Empty);
        }
        Ok(Self(list))
    }

    /// The entries, most preferred first.
    pub fn entries(&self) -> &[CodecPref] {
        &self.0
    }

    /// The entry for `codec`, if the list contains it.
    pub fn get(&self, codec: CodecName) -> Option<&CodecPref> {
        self.0.iter().find(|e| e.codec == codec)
    }
}

impl FromStr for CodecPrefs {
    type Err = CodecPrefsError;

    /// Parses a comma-separated list such as `PCMU,PCMA,OPUS@20i,G722`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let entries = text
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(str::parse)
            .collect::<Result<Vec<CodecPref>, _>>()?;
        Self::new(entries)
    }
}

impl fmt::Display for CodecPrefs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{entry}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_freeswitch_profile_list_in_order() {
        let prefs: CodecPrefs = "PCMU,PCMA,OPUS,G722".parse().unwrap();
        let codecs: Vec<CodecName> = prefs.entries().iter().map(|e| e.codec).collect();
        use CodecName::*;
        assert_eq!(codecs, vec![Pcmu, Pcma, Opus, G722]);
        assert_eq!(prefs.to_string(), "PCMU,PCMA,OPUS,G722");
    }

    #[test]
    fn modifiers_and_case_and_spaces() {
        let prefs: CodecPrefs = " opus@48000h@20i , pcma@30i,PCMU@8000h@1c".parse().unwrap();
        assert_eq!(prefs.entries()[0].codec, CodecName::Opus);
        assert_eq!(prefs.entries()[0].ptime, Some(20));
        assert_eq!(prefs.entries()[1].ptime, Some(30));
        assert_eq!(prefs.get(CodecName::Pcmu).map(|e| e.ptime), Some(None));
        assert_eq!(prefs.to_string(), "OPUS@20i,PCMA@30i,PCMU");
    }

    #[test]
    fn duplicates_are_dropped_keeping_the_first() {
        let prefs: CodecPrefs = "PCMA@30i,PCMU,PCMA".parse().unwrap();
        assert_eq!(prefs.entries().len(), 2);
        assert_eq!(prefs.entries()[0].ptime, Some(30));
    }

    #[test]
    fn rejects_unknown_names_and_bad_modifiers() {
        assert_eq!(
            "PCMU,G729".parse::<CodecPrefs>(),
            Err(CodecPrefsError::UnknownCodec("G729".into()))
        );
        for bad in [
            "PCMU@",
            "PCMU@x",
            "PCMU@16000h",
            "OPUS@30i",
            "PCMU@20z",
            "PCMU@99999999999i",
        ] {
            assert!(
                matches!(
                    bad.parse::<CodecPrefs>(),
                    Err(CodecPrefsError::BadModifier { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(" , ".parse::<CodecPrefs>(), Err(CodecPrefsError::Empty));
    }

    #[test]
    fn rtpmap_matching_follows_rfc_3551_and_7587() {
        assert!(CodecName::Pcmu.matches("pcmu", 8000, 1));
        assert!(!CodecName::Pcmu.matches("PCMU", 16000, 1));
        assert!(CodecName::G722.matches("G722", 8000, 1));
        assert!(CodecName::Opus.matches("OPUS", 48000, 2));
        assert!(!CodecName::Opus.matches("opus", 48000, 1));
    }
}
