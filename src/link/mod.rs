//! Link layer: checks a [`Frame`]'s CRC/FCS, decodes its link-layer
//! structure (BLE advertising PDU, 802.11 management frame, OcuSync block)
//! and finds the [`Carrier`]s inside it that may hold drone ID payloads.

use serde::Serialize;

use crate::error::DecodeError;
use crate::frame::{Frame, LinkType, PhyMeta};
use crate::protocol::{Carrier, Transport};
use crate::util::{MacAddr, hex};

pub mod ble;
pub mod ieee80211;
pub mod nan;

use ieee80211::{FcsStatus, MgmtBody, MgmtFrame};

/// Length of a DJI OcuSync code block (payload + CRC-24A).
pub const OCUSYNC_BLOCK_LEN: usize = 176;

/// What the link layer found in a frame, for output and for the tracker.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "link", rename_all = "snake_case")]
pub enum LinkSummary {
    Ble(BleSummary),
    Wifi(WifiSummary),
    Ocusync(OcusyncSummary),
}

impl LinkSummary {
    /// The transmitter address (BLE AdvA, 802.11 SA), when there is one.
    pub fn src_addr(&self) -> Option<MacAddr> {
        match self {
            LinkSummary::Ble(b) => b.adv_addr,
            LinkSummary::Wifi(w) => Some(w.sa),
            LinkSummary::Ocusync(_) => None,
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BleSummary {
    pub pdu_type: &'static str,
    pub adv_addr: Option<MacAddr>,
    /// "random" or "public".
    pub adv_addr_type: &'static str,
    pub adv_mode: Option<u8>,
    pub adi: Option<ble::Adi>,
    pub aux_ptr: Option<ble::AuxPtr>,
    pub tx_power_dbm: Option<i8>,
    /// "ok", "bad" or "unchecked".
    pub crc: &'static str,
    /// A malformed structure after the usable ones, if any.
    pub malformed: Option<String>,
    /// The AD structures (only filled when asked for, e.g. by `parse`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ad: Vec<serde_json::Value>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WifiSummary {
    /// beacon, probe_resp, probe_req, action, nan_sdf, nan_sync_beacon, ...
    pub frame_type: &'static str,
    pub sa: MacAddr,
    pub da: MacAddr,
    pub bssid: MacAddr,
    pub seq: u16,
    pub ssid: Option<String>,
    pub beacon_interval_tu: Option<u16>,
    pub fcs: FcsStatus,
    /// A malformed structure after the usable ones, if any.
    pub malformed: Option<String>,
    /// The information elements (only filled when asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcusyncSummary {
    pub crc24_ok: bool,
}

/// The result of link decoding: a summary and the carriers found.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkDecode<'a> {
    pub summary: LinkSummary,
    pub carriers: Vec<Carrier<'a>>,
}

/// How much detail to put in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Only what output records need.
    #[default]
    Brief,
    /// Also list AD structures / information elements.
    Full,
}

/// Decodes a frame's link layer. A CRC/FCS mismatch (checked here when the
/// bytes include it, or reported by the capturing device when they do not)
/// is a [`DecodeError::Crc`]: corrupt frames are counted, never decoded.
pub fn decode(frame: &Frame, detail: Detail) -> Result<LinkDecode<'_>, DecodeError> {
    decode_bytes(&frame.bytes, &frame.meta, detail)
}

/// [`decode`] on bytes and metadata held apart.
pub fn decode_bytes<'a>(bytes: &'a [u8], meta: &PhyMeta, detail: Detail) -> Result<LinkDecode<'a>, DecodeError> {
    match meta.link {
        LinkType::BleLl => decode_ble(bytes, meta, detail),
        LinkType::Ieee80211 => decode_wifi(bytes, meta, detail),
        LinkType::DjiOcusync => decode_ocusync(bytes),
    }
}

/// A frame with a malformed structure still counts when drone ID carriers
/// came before the fault (the fault is noted); without any, it is an error.
fn usable_or_fail(carriers: &[Carrier<'_>], problem: Option<DecodeError>) -> Result<Option<String>, DecodeError> {
    match problem {
        None => Ok(None),
        Some(e) if carriers.is_empty() => Err(e),
        Some(e) => Ok(Some(e.to_string())),
    }
}

fn capture_said_bad(meta: &PhyMeta, what: &'static str) -> Result<(), DecodeError> {
    if meta.crc_ok_at_capture == Some(false) {
        return Err(DecodeError::Crc { what, received: 0, computed: 0 });
    }
    Ok(())
}

fn decode_ble<'a>(bytes: &'a [u8], meta: &PhyMeta, detail: Detail) -> Result<LinkDecode<'a>, DecodeError> {
    if let Some(aa) = meta.access_address
        && aa != ble::ADV_ACCESS_ADDRESS
    {
        return Err(DecodeError::unsupported("ble", format!("data channel PDU (access address {aa:#010x})")));
    }
    let (pdu, crc) = if meta.fcs_included {
        let (pdu, ok) = ble::split_crc(bytes)?;
        if !ok {
            let n = pdu.len();
            let got = u32::from_le_bytes([bytes[n], bytes[n + 1], bytes[n + 2], 0]);
            let want = ridscope_dsp::crc::ble_crc24(pdu);
            return Err(DecodeError::Crc { what: "ble crc-24", received: got, computed: want });
        }
        (pdu, "ok")
    } else {
        capture_said_bad(meta, "ble crc-24 (reported by the capture)")?;
        (bytes, if meta.crc_ok_at_capture == Some(true) { "ok" } else { "unchecked" })
    };
    let p = ble::AdvPdu::parse(pdu)?;
    let (ads, ad_error) = ble::ad_structures_partial(p.adv_data);
    let transport = if p.is_extended() { Transport::Ble5Extended } else { Transport::Ble4Legacy };
    let carriers: Vec<_> = ads
        .iter()
        .filter_map(|a| a.service_data_16())
        .map(|(uuid, data)| Carrier::BleServiceData16 { transport, uuid, data })
        .collect();
    let malformed = usable_or_fail(&carriers, ad_error)?;
    let ext = p.ext.as_ref();
    let summary = BleSummary {
        pdu_type: p.name(meta.channel),
        adv_addr: p.adv_a,
        adv_addr_type: if p.tx_add_random { "random" } else { "public" },
        adv_mode: ext.map(|e| e.adv_mode),
        adi: ext.and_then(|e| e.adi),
        aux_ptr: ext.and_then(|e| e.aux_ptr),
        tx_power_dbm: ext.and_then(|e| e.tx_power_dbm),
        crc,
        malformed,
        ad: match detail {
            Detail::Full => ads.iter().filter_map(|a| serde_json::to_value(a).ok()).collect(),
            Detail::Brief => Vec::new(),
        },
    };
    Ok(LinkDecode { summary: LinkSummary::Ble(summary), carriers })
}

fn decode_wifi<'a>(bytes: &'a [u8], meta: &PhyMeta, detail: Detail) -> Result<LinkDecode<'a>, DecodeError> {
    let (f, fcs) = ieee80211::split_fcs(bytes, meta.fcs_included)?;
    if fcs == FcsStatus::Bad {
        let n = f.len();
        let got = u32::from_le_bytes([bytes[n], bytes[n + 1], bytes[n + 2], bytes[n + 3]]);
        return Err(DecodeError::Crc { what: "802.11 fcs", received: got, computed: ridscope_dsp::crc::fcs32(f) });
    }
    if fcs == FcsStatus::Absent {
        capture_said_bad(meta, "802.11 fcs (reported by the capture)")?;
    }
    let m = MgmtFrame::parse(f)?;
    let mut carriers = Vec::new();
    let mut problem = m.elements_error.clone();
    let mut frame_type = m.subtype.name().unwrap_or("reserved");
    let mut interval = None;
    match &m.body {
        MgmtBody::BeaconLike { elements, interval_tu, .. } => {
            interval = Some(*interval_tu);
            for e in elements {
                let Some((oui, body)) = e.vendor() else { continue };
                if oui == ieee80211::WFA_OUI && body.first() == Some(&ieee80211::WFA_TYPE_NAN) {
                    frame_type = "nan_sync_beacon";
                    continue;
                }
                carriers.push(Carrier::WifiVendorIe { transport: Transport::WifiBeacon, oui, body });
            }
        }
        MgmtBody::Action { .. } => {
            if let Some((ieee80211::WFA_OUI, ieee80211::WFA_TYPE_NAN, attrs)) = m.public_vendor_action() {
                frame_type = "nan_sdf";
                let (attrs, err) = nan::attributes_partial(attrs);
                problem = problem.or(err);
                for a in attrs {
                    if a.id == nan::attr::SERVICE_DESCRIPTOR {
                        let sd = match nan::ServiceDescriptor::parse(a.body) {
                            Ok(sd) => sd,
                            Err(e) => {
                                problem = problem.or(Some(e));
                                continue;
                            }
                        };
                        if let Some(info) = sd.service_info {
                            carriers.push(Carrier::NanServiceInfo {
                                service_id: sd.service_id,
                                instance_id: sd.instance_id,
                                info,
                            });
                        }
                    }
                }
            }
        }
        _ => {}
    }
    let malformed = usable_or_fail(&carriers, problem)?;
    let elements = match detail {
        Detail::Full => m
            .elements()
            .iter()
            .map(|e| {
                serde_json::json!({
                    "id": e.id,
                    "len": e.data.len(),
                    "oui": e.vendor().map(|(o, _)| format!("{:02x}:{:02x}:{:02x}", o[0], o[1], o[2])),
                    "data_hex": hex::encode(e.data),
                })
            })
            .collect(),
        Detail::Brief => Vec::new(),
    };
    let summary = WifiSummary {
        frame_type,
        sa: m.sa,
        da: m.da,
        bssid: m.bssid,
        seq: m.seq,
        ssid: m.ssid(),
        beacon_interval_tu: interval,
        fcs,
        malformed,
        elements,
    };
    Ok(LinkDecode { summary: LinkSummary::Wifi(summary), carriers })
}

fn decode_ocusync(bytes: &[u8]) -> Result<LinkDecode<'_>, DecodeError> {
    if bytes.len() != OCUSYNC_BLOCK_LEN {
        return Err(DecodeError::length("ocusync block", OCUSYNC_BLOCK_LEN, bytes.len()));
    }
    let (data, crc) = bytes.split_at(OCUSYNC_BLOCK_LEN - 3);
    let got = u32::from_be_bytes([0, crc[0], crc[1], crc[2]]);
    let want = ridscope_dsp::crc::crc24a(data);
    if got != want {
        return Err(DecodeError::Crc { what: "ocusync crc-24a", received: got, computed: want });
    }
    Ok(LinkDecode {
        summary: LinkSummary::Ocusync(OcusyncSummary { crc24_ok: true }),
        carriers: vec![Carrier::OcusyncBlock { block: bytes }],
    })
}

#[cfg(test)]
mod tests;
