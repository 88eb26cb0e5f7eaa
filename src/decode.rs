//! The protocol-decode stage: [`Frame`] in, output [`Record`]s out.
//!
//! [`decode_frame`] is pure (one frame, no state). [`Decoder`] wraps it for
//! streams: it reassembles multi-page authentication signatures across
//! frames, derives full UTC times where the receive time allows, and keeps
//! the counters printed in the summary.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{DecodeError, ErrorKind};
use crate::frame::{Frame, Phy};
use crate::link::{self, Detail, LinkSummary};
use crate::protocol::odid::{self, AuthReassembler};
use crate::protocol::{Message, Payload, ProtocolId, Transport, decode_carrier};
use crate::util::{MacAddr, time};

/// What became of one drone ID carrier in a frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PayloadOutcome {
    Decoded(Payload),
    Failed { protocol: ProtocolId, transport: Transport, error: DecodeError },
}

/// Everything decoded from one frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameDecode {
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub link: Option<LinkSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_error: Option<DecodeError>,
    pub payloads: Vec<PayloadOutcome>,
}

impl FrameDecode {
    /// The first error: the link's, or a payload's.
    pub fn first_error(&self) -> Option<&DecodeError> {
        self.link_error.as_ref().or_else(|| {
            self.payloads.iter().find_map(|p| match p {
                PayloadOutcome::Failed { error, .. } => Some(error),
                _ => None,
            })
        })
    }
}

/// Decodes one frame: link layer, then every carrier a protocol claims.
pub fn decode_frame(frame: &Frame, detail: Detail) -> FrameDecode {
    match link::decode(frame, detail) {
        Err(e) => FrameDecode { link: None, link_error: Some(e), payloads: Vec::new() },
        Ok(ld) => {
            let payloads = ld
                .carriers
                .iter()
                .filter_map(|c| {
                    decode_carrier(c).map(|(protocol, r)| match r {
                        Ok(p) => PayloadOutcome::Decoded(p),
                        Err(error) => PayloadOutcome::Failed { protocol, transport: c.transport(), error },
                    })
                })
                .collect();
            FrameDecode { link: Some(ld.summary), link_error: None, payloads }
        }
    }
}

/// Fields every output line carries: when, how and from whom.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    /// Seconds since the start of the capture.
    pub time_s: f64,
    /// Receive time, when the input gives absolute time.
    pub time_utc: Option<String>,
    /// 1-based frame number in the input pcap.
    pub frame: Option<u64>,
    pub transport: Transport,
    pub protocol: ProtocolId,
    pub phy: Phy,
    pub channel: Option<u16>,
    pub freq_mhz: Option<f64>,
    pub rssi_dbm: Option<f32>,
    pub rssi_dbfs: Option<f32>,
    pub snr_db: Option<f32>,
    pub cfo_hz: Option<f32>,
    /// BLE AdvA or 802.11 transmitter address (may rotate).
    pub src_addr: Option<MacAddr>,
    /// The transport's message counter.
    pub counter: Option<u8>,
    /// Position of the message in its message pack, and the pack size.
    pub pack_index: Option<u8>,
    pub pack_size: Option<u8>,
}

/// One decoded message with its envelope.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageRecord {
    #[serde(flatten)]
    pub env: Envelope,
    /// Full UTC time of an ODID Location timestamp (from the receive time).
    pub timestamp_utc: Option<String>,
    #[serde(flatten)]
    pub message: Message,
}

/// A drone ID carrier that failed to decode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorRecord {
    pub msg_type: &'static str,
    #[serde(flatten)]
    pub env: Envelope,
    pub error_kind: ErrorKind,
    pub error: String,
}

/// One output line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Record {
    Message(MessageRecord),
    Error(ErrorRecord),
}

/// Counters for the end-of-run summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub frames: u64,
    /// Frames whose CRC/FCS failed.
    pub crc_errors: u64,
    /// Frames that are not drone ID transports (data frames, other PDUs).
    pub other_frames: u64,
    /// Frames whose link layer was malformed, by error kind.
    pub link_errors: BTreeMap<&'static str, u64>,
    /// Frames with at least one drone ID carrier.
    pub drone_id_frames: u64,
    pub payloads_decoded: u64,
    /// Failed drone ID payloads by error kind.
    pub payload_errors: BTreeMap<&'static str, u64>,
    /// Decoded messages by protocol and type.
    pub messages: BTreeMap<String, u64>,
}

impl Stats {
    /// A few lines for stderr.
    pub fn summary(&self) -> String {
        let kv =
            |m: &BTreeMap<&'static str, u64>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let mut s = format!(
            "frames {}: drone ID {}, other {}, CRC/FCS errors {}",
            self.frames, self.drone_id_frames, self.other_frames, self.crc_errors
        );
        if !self.link_errors.is_empty() {
            s += &format!(", malformed ({})", kv(&self.link_errors));
        }
        s += &format!("\npayloads decoded {}", self.payloads_decoded);
        if !self.payload_errors.is_empty() {
            s += &format!(", rejected ({})", kv(&self.payload_errors));
        }
        let total: u64 = self.messages.values().sum();
        s += &format!("\nmessages {total}");
        if total > 0 {
            let m = self.messages.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
            s += &format!(": {m}");
        }
        s
    }
}

/// Stateful decoder for a stream of frames.
pub struct Decoder {
    auth: AuthReassembler<(Option<MacAddr>, Transport)>,
    pub stats: Stats,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

/// How long authentication pages wait for the rest of their signature.
const AUTH_PAGE_MAX_AGE_S: f64 = 10.0;

impl Decoder {
    pub fn new() -> Self {
        Decoder { auth: AuthReassembler::new(AUTH_PAGE_MAX_AGE_S), stats: Stats::default() }
    }

    /// Decodes a frame and returns its output records (possibly none).
    pub fn push(&mut self, frame: &Frame) -> Vec<Record> {
        let st = &mut self.stats;
        st.frames += 1;
        let fd = decode_frame(frame, Detail::Brief);
        if let Some(e) = &fd.link_error {
            match e.kind() {
                ErrorKind::Crc => st.crc_errors += 1,
                ErrorKind::Unsupported => st.other_frames += 1,
                k => *st.link_errors.entry(k.as_str()).or_default() += 1,
            }
            return Vec::new();
        }
        if fd.payloads.is_empty() {
            st.other_frames += 1;
            return Vec::new();
        }
        st.drone_id_frames += 1;
        let src = fd.link.as_ref().and_then(|l| l.src_addr());
        let meta = &frame.meta;
        let env = |transport, protocol, counter| Envelope {
            time_s: meta.time_s,
            time_utc: meta.unix_ns.map(time::rfc3339_ns),
            frame: meta.frame_no,
            transport,
            protocol,
            phy: meta.phy,
            channel: meta.channel,
            freq_mhz: meta.freq_hz.map(|f| f / 1e6),
            rssi_dbm: meta.rssi_dbm,
            rssi_dbfs: meta.rssi_dbfs,
            snr_db: meta.snr_db,
            cfo_hz: meta.cfo_hz,
            src_addr: src,
            counter,
            pack_index: None,
            pack_size: None,
        };
        let mut out = Vec::new();
        for p in fd.payloads {
            match p {
                PayloadOutcome::Failed { protocol, transport, error } => {
                    *st.payload_errors.entry(error.kind().as_str()).or_default() += 1;
                    out.push(Record::Error(ErrorRecord {
                        msg_type: "decode_error",
                        env: env(transport, protocol, None),
                        error_kind: error.kind(),
                        error: error.to_string(),
                    }));
                }
                PayloadOutcome::Decoded(p) => {
                    st.payloads_decoded += 1;
                    let n = p.messages.len();
                    for (i, m) in p.messages.into_iter().enumerate() {
                        let mut e = env(p.transport, p.protocol, p.counter);
                        if p.packed {
                            e.pack_index = Some(i as u8);
                            e.pack_size = Some(n as u8);
                        }
                        let mut extra = None;
                        let mut timestamp_utc = None;
                        if let Message::Odid(om) = &m {
                            match &om.body {
                                odid::Body::Location(l) => {
                                    timestamp_utc = l
                                        .timestamp_tenths
                                        .zip(meta.unix_ns)
                                        .map(|(t, rx)| time::rfc3339_ns(time::location_time_unix_ns(t, rx)));
                                }
                                odid::Body::Auth(page) => {
                                    if let Some(sig) = self.auth.push((src, p.transport), meta.time_s, page) {
                                        let mut se = e.clone();
                                        se.pack_index = None;
                                        se.pack_size = None;
                                        extra = Some(MessageRecord {
                                            env: se,
                                            timestamp_utc: None,
                                            message: Message::Odid(odid::Message {
                                                version: om.version,
                                                body: odid::Body::AuthSignature(sig),
                                            }),
                                        });
                                    }
                                }
                                _ => {}
                            }
                        }
                        *st.messages.entry(format!("{}.{}", p.protocol.as_str(), m.msg_type())).or_default() += 1;
                        out.push(Record::Message(MessageRecord { env: e, timestamp_utc, message: m }));
                        if let Some(x) = extra {
                            *st.messages.entry(format!("{}.auth_signature", p.protocol.as_str())).or_default() += 1;
                            out.push(Record::Message(x));
                        }
                    }
                }
            }
        }
        out
    }
}
