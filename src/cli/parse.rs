//! `ridscope parse`: decode hex bytes at a chosen layer, or a whole pcap.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

use super::{FcsMode, Layer, ParseArgs};
use crate::decode::{Decoder, FrameDecode, PayloadOutcome, decode_frame};
use crate::error::DecodeError;
use crate::frame::{Frame, LinkType, Phy, PhyMeta};
use crate::link::{self, Detail, ble, ieee80211};
use crate::protocol::{Carrier, Transport, decode_carrier, dji, odid};
use crate::sink::{JsonlSink, Sink};
use crate::util::hex;

/// What to decode and where the output goes.
#[derive(Debug, Clone)]
pub struct ParseConfig {
    pub input: Input,
    pub layer: Layer,
    pub fcs: FcsMode,
    pub output: Option<PathBuf>,
    pub quiet: bool,
}

#[derive(Debug, Clone)]
pub enum Input {
    Hex(String),
    Pcap(PathBuf),
}

impl ParseConfig {
    pub fn from_args(a: ParseArgs) -> Self {
        let input = match (a.pcap, a.hex) {
            (Some(p), _) => Input::Pcap(p),
            (None, h) => Input::Hex(h.unwrap_or_default()),
        };
        ParseConfig { input, layer: a.layer, fcs: a.fcs, output: a.output, quiet: a.quiet }
    }
}

/// Exit code for bytes that do not decode.
pub const EXIT_UNDECODABLE: u8 = 2;
/// Exit code for an input file that cannot be read to its end.
pub const EXIT_INPUT_ERROR: u8 = 1;

pub fn run(cfg: ParseConfig) -> ExitCode {
    match &cfg.input {
        Input::Hex(h) => run_hex(h, cfg.layer, cfg.fcs),
        Input::Pcap(p) => run_pcap(p, &cfg),
    }
}

fn run_hex(text: &str, layer: Layer, fcs: FcsMode) -> ExitCode {
    let bytes = match hex::decode(text) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ridscope: not hex: {e}");
            return ExitCode::from(EXIT_UNDECODABLE);
        }
    };
    match decode_hex(&bytes, layer, fcs) {
        Ok(out) => {
            let text = serde_json::to_string_pretty(&out.json).unwrap_or_default();
            let mut stdout = io::stdout().lock();
            if let Err(e) = writeln!(stdout, "{text}").and_then(|_| stdout.flush())
                && e.kind() != io::ErrorKind::BrokenPipe
            {
                eprintln!("ridscope: writing output: {e}");
                return ExitCode::from(EXIT_INPUT_ERROR);
            }
            match out.payload_error {
                None => ExitCode::SUCCESS,
                Some(e) => {
                    eprintln!(
                        "ridscope: {} bytes as {}: drone ID payload rejected: {e}",
                        bytes.len(),
                        out.layer.name()
                    );
                    ExitCode::from(EXIT_UNDECODABLE)
                }
            }
        }
        Err(e) => {
            eprintln!("ridscope: {e}");
            ExitCode::from(EXIT_UNDECODABLE)
        }
    }
}

/// A successful decode of hex bytes.
#[derive(Debug, Clone)]
pub struct HexDecode {
    pub layer: Layer,
    pub json: Value,
    /// A drone ID payload inside the bytes that was rejected.
    pub payload_error: Option<String>,
}

/// Decodes `bytes` at `layer` (detecting it for [`Layer::Auto`]). An error
/// means the bytes are not that layer at all; payload failures inside a
/// valid frame are reported in [`HexDecode::payload_error`].
pub fn decode_hex(bytes: &[u8], layer: Layer, fcs: FcsMode) -> Result<HexDecode, String> {
    if bytes.is_empty() {
        return Err("no bytes to decode".into());
    }
    let n = bytes.len();
    let one = |l: Layer| decode_layer(bytes, l, fcs).map_err(|e| format!("{n} bytes are not {}: {e}", l.name()));
    match layer {
        Layer::Auto => {
            let mut tried = Vec::new();
            for (l, fcs_l, plausible) in candidates(bytes) {
                if !plausible {
                    continue;
                }
                match decode_layer(bytes, l, fcs_l) {
                    Ok(d) => return Ok(d),
                    Err(e) => tried.push(format!("{}: {e}", l.name())),
                }
            }
            let why = if tried.is_empty() {
                "no layer fits their length and structure".to_string()
            } else {
                tried.join("; ")
            };
            Err(format!("{n} bytes do not decode at any layer ({why})"))
        }
        l => one(l),
    }
}

/// The auto-detection order, strictest first, with a quick plausibility test.
fn candidates(b: &[u8]) -> Vec<(Layer, FcsMode, bool)> {
    let n = b.len();
    let crc24_ok = n == link::OCUSYNC_BLOCK_LEN && {
        let (d, c) = b.split_at(n - 3);
        ridscope_dsp::crc::crc24a(d) == u32::from_be_bytes([0, c[0], c[1], c[2]])
    };
    let wifi_mgmt = n >= 24 && (b[0] & 0x0C) == 0 && (b[0] & 0x03) == 0;
    // Without an FCS to vouch for them, only the frames that carry drone ID,
    // and only when their elements parse to the end.
    let wifi_plausible = wifi_mgmt
        && ieee80211::MgmtFrame::parse(b).is_ok_and(|m| {
            matches!(
                m.subtype,
                ieee80211::MgmtSubtype::Beacon
                    | ieee80211::MgmtSubtype::ProbeResp
                    | ieee80211::MgmtSubtype::Action
                    | ieee80211::MgmtSubtype::ActionNoAck
            ) && m.elements_error.is_none()
        });
    let ble_with_crc =
        strip_aa(b).is_some_and(|p| ble_crc_layout(p) == Some(true) && ble::split_crc(p).is_ok_and(|(_, ok)| ok));
    let odid_len = match b[0] >> 4 {
        0..=5 => n == odid::MESSAGE_SIZE,
        0xF => n >= 3 && (n - 3).is_multiple_of(odid::MESSAGE_SIZE),
        _ => false,
    };
    let ble_no_crc = strip_aa(b).is_some_and(|p| ble_crc_layout(p) == Some(false) && ble::AdvPdu::parse(p).is_ok());
    let has_rid_ad = ble::ad_structures(b).is_ok_and(|ads| {
        !ads.is_empty() && ads.iter().any(|a| a.service_data_16().is_some_and(|(u, _)| u == odid::transport::BLE_UUID))
    });
    let dji_payload = n >= 3 && matches!(b[1], 0x10 | 0x11) && n >= b[0] as usize + 3;
    vec![
        (Layer::DjiOcusync, FcsMode::Auto, crc24_ok),
        (Layer::WifiFrame, FcsMode::Yes, wifi_mgmt && ieee80211::has_valid_fcs(b)),
        (Layer::BlePdu, FcsMode::Auto, ble_with_crc),
        (Layer::Odid, FcsMode::Auto, odid_len),
        (Layer::BleAdvData, FcsMode::Auto, has_rid_ad),
        (Layer::BlePdu, FcsMode::Auto, ble_no_crc),
        (Layer::WifiFrame, FcsMode::No, wifi_plausible),
        (Layer::DjiOcusync, FcsMode::Auto, dji_payload),
    ]
}

/// Drops a leading advertising access address (d6 be 89 8e) when present.
fn strip_aa(b: &[u8]) -> Option<&[u8]> {
    let aa = ble::ADV_ACCESS_ADDRESS.to_le_bytes();
    Some(if b.len() > 4 && b[..4] == aa { &b[4..] } else { b })
}

/// Whether a PDU's length field says a CRC follows (Some(true)), does not
/// (Some(false)), or fits neither (None).
fn ble_crc_layout(p: &[u8]) -> Option<bool> {
    let len = 2 + *p.get(1)? as usize;
    match p.len() {
        n if n == len => Some(false),
        n if n == len + ble::CRC_LEN => Some(true),
        _ => None,
    }
}

fn frame_json(layer: Layer, fd: FrameDecode, extra: Value) -> Result<HexDecode, String> {
    if let Some(e) = fd.link_error {
        return Err(e.to_string());
    }
    let payload_error = fd.first_error().map(|e| e.to_string());
    let mut json = serde_json::to_value(&fd).map_err(|e| e.to_string())?;
    if let (Value::Object(o), Value::Object(x)) = (&mut json, extra) {
        for (k, v) in x {
            o.insert(k, v);
        }
        o.insert("layer".into(), json!(layer.name()));
    }
    Ok(HexDecode { layer, json, payload_error })
}

fn decode_layer(bytes: &[u8], layer: Layer, fcs: FcsMode) -> Result<HexDecode, DecodeError> {
    let wrap = |r: Result<HexDecode, String>| r.map_err(|e| DecodeError::unsupported("parse", e));
    match layer {
        Layer::Auto => wrap(decode_hex(bytes, Layer::Auto, fcs)),
        Layer::Odid => {
            let m = odid::Message::parse(bytes)?;
            let used = match &m.body {
                odid::Body::Pack(p) => 3 + odid::MESSAGE_SIZE * p.messages.len(),
                _ => odid::MESSAGE_SIZE,
            };
            let mut json = json!({ "layer": "odid", "message": m });
            if bytes.len() > used {
                json["trailing_bytes"] = json!(bytes.len() - used);
            }
            Ok(HexDecode { layer, json, payload_error: None })
        }
        Layer::BlePdu => {
            let had_aa = strip_aa(bytes).is_some_and(|p| p.len() != bytes.len());
            let p = strip_aa(bytes).unwrap_or(bytes);
            let with_crc = ble_crc_layout(p)
                .ok_or_else(|| DecodeError::length("ble pdu", 2 + p.get(1).copied().unwrap_or(0) as usize, p.len()))?;
            let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Unknown);
            meta.fcs_included = with_crc;
            let f = Frame { bytes: p.to_vec(), meta };
            let extra = json!({ "access_address_included": had_aa });
            wrap(frame_json(layer, decode_frame(&f, Detail::Full), extra))
        }
        Layer::BleAdvData => {
            let ads = ble::ad_structures(bytes)?;
            let mut payloads = Vec::new();
            for a in &ads {
                if let Some((uuid, data)) = a.service_data_16() {
                    // A message pack means BT5 extended advertising.
                    let transport = if data.get(2).is_some_and(|b| b >> 4 == 0xF) {
                        Transport::Ble5Extended
                    } else {
                        Transport::Ble4Legacy
                    };
                    let c = Carrier::BleServiceData16 { transport, uuid, data };
                    if let Some((protocol, r)) = decode_carrier(&c) {
                        payloads.push(match r {
                            Ok(p) => PayloadOutcome::Decoded(p),
                            Err(error) => PayloadOutcome::Failed { protocol, transport, error },
                        });
                    }
                }
            }
            let fd = FrameDecode { link: None, link_error: None, payloads };
            let extra = json!({ "ad": ads });
            wrap(frame_json(layer, fd, extra))
        }
        Layer::WifiFrame => {
            let with_fcs = match fcs {
                FcsMode::Yes => true,
                FcsMode::No => false,
                FcsMode::Auto => ieee80211::has_valid_fcs(bytes),
            };
            let mut meta = PhyMeta::new(LinkType::Ieee80211, Phy::Unknown);
            meta.fcs_included = with_fcs;
            let f = Frame { bytes: bytes.to_vec(), meta };
            wrap(frame_json(layer, decode_frame(&f, Detail::Full), json!({})))
        }
        Layer::DjiOcusync => {
            if bytes.len() == link::OCUSYNC_BLOCK_LEN {
                let f = Frame { bytes: bytes.to_vec(), meta: PhyMeta::new(LinkType::DjiOcusync, Phy::Ocusync) };
                wrap(frame_json(layer, decode_frame(&f, Detail::Full), json!({})))
            } else {
                let m = dji::ocusync::parse_payload(bytes)?;
                Ok(HexDecode { layer, json: json!({ "layer": "dji-ocusync", "message": m }), payload_error: None })
            }
        }
    }
}

fn open_output(path: &Option<PathBuf>) -> io::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(File::create(p)?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

fn run_pcap(path: &PathBuf, cfg: &ParseConfig) -> ExitCode {
    let shown = path.display();
    let out = match open_output(&cfg.output) {
        Ok(o) => o,
        Err(e) => {
            let o = cfg.output.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            eprintln!("ridscope: cannot write {o}: {e}");
            return ExitCode::from(EXIT_INPUT_ERROR);
        }
    };
    let mut sink = JsonlSink::new(out);
    let result = decode_pcap(path, &mut sink);
    let flushed = sink.flush();
    let code = match (&result, flushed) {
        (Ok(_), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => {
            eprintln!("ridscope: {shown}: {e}");
            ExitCode::from(EXIT_INPUT_ERROR)
        }
        (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Ok(_), Err(e)) => {
            eprintln!("ridscope: writing output: {e}");
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    };
    if !cfg.quiet {
        let stats = match &result {
            Ok(s) => s,
            Err(PcapRunError { stats, .. }) => stats,
        };
        eprintln!("{shown}: {}", stats.summary.replace('\n', "\n  "));
    }
    code
}

/// Counters of a pcap run.
#[derive(Debug, Clone, Default)]
pub struct PcapStats {
    pub records: u64,
    pub unsupported_records: u64,
    pub summary: String,
}

#[derive(Debug)]
pub struct PcapRunError {
    pub error: String,
    pub stats: PcapStats,
}

impl std::fmt::Display for PcapRunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error)
    }
}

/// Decodes every record of a pcap/pcapng into `sink`. On a read error,
/// everything before it has been written and the error says where.
pub fn decode_pcap(path: &PathBuf, sink: &mut dyn Sink) -> Result<PcapStats, PcapRunError> {
    let mut stats = PcapStats::default();
    let mut decoder = Decoder::new();
    let fail = |error: String, stats: &mut PcapStats, decoder: &Decoder| {
        stats.summary = decoder.stats.summary();
        PcapRunError { error, stats: stats.clone() }
    };
    let reader = match crate::pcap::PcapReader::open(path) {
        Ok(r) => r,
        Err(e) => return Err(fail(e.to_string(), &mut stats, &decoder)),
    };
    let mut start = None;
    for rec in reader {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => return Err(fail(e.to_string(), &mut stats, &decoder)),
        };
        stats.records += 1;
        if start.is_none() {
            start = rec.unix_ns;
        }
        let frame = match crate::pcap::record_to_frame(&rec, start) {
            Ok(f) => f,
            Err(_) => {
                stats.unsupported_records += 1;
                continue;
            }
        };
        for r in decoder.push(&frame) {
            if let Err(e) = sink.record(&r) {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    stats.summary = decoder.stats.summary();
                    return Ok(stats);
                }
                return Err(fail(format!("writing output: {e}"), &mut stats, &decoder));
            }
        }
    }
    stats.summary = decoder.stats.summary();
    if stats.unsupported_records > 0 {
        stats.summary +=
            &format!("\nrecords not decodable as frames (link type or pseudo-header): {}", stats.unsupported_records);
    }
    Ok(stats)
}
