//! IEEE 802.11 management frames as drone ID transports: beacons and probe
//! responses (information elements, vendor IEs) and public action frames
//! (Wi-Fi NAN service discovery), with the FCS check.

use serde::Serialize;

use crate::error::{DecodeError, EncodeError};
use crate::util::MacAddr;

/// Length of the FCS that may follow the frame.
pub const FCS_LEN: usize = 4;

crate::wire_view! {
    /// The 24-byte management frame MAC header.
    pub struct MgmtHeaderView, min_len = 24;
    /// Protocol version (1..0), type (3..2), subtype (7..4).
    fc0 / set_fc0: u8 @ 0;
    /// ToDS, FromDS, MoreFrag, Retry, PwrMgt, MoreData, Protected, +HTC/Order.
    fc1 / set_fc1: u8 @ 1;
    duration / set_duration: u16le @ 2;
    addr1 / set_addr1: bytes[6] @ 4;
    addr2 / set_addr2: bytes[6] @ 10;
    addr3 / set_addr3: bytes[6] @ 16;
    seq_ctrl / set_seq_ctrl: u16le @ 22;
}

crate::wire_view! {
    /// Fixed fields of beacons and probe responses (after the MAC header).
    pub struct BeaconFixedView, min_len = 12;
    timestamp / set_timestamp: u64le @ 0;
    interval / set_interval: u16le @ 8;
    capability / set_capability: u16le @ 10;
}

crate::enum_with_unknown! {
    /// Management frame subtypes.
    pub enum MgmtSubtype(u8) {
        AssocReq = 0 => "assoc_req",
        AssocResp = 1 => "assoc_resp",
        ReassocReq = 2 => "reassoc_req",
        ReassocResp = 3 => "reassoc_resp",
        ProbeReq = 4 => "probe_req",
        ProbeResp = 5 => "probe_resp",
        TimingAdvertisement = 6 => "timing_advertisement",
        Beacon = 8 => "beacon",
        Atim = 9 => "atim",
        Disassoc = 10 => "disassoc",
        Auth = 11 => "auth",
        Deauth = 12 => "deauth",
        Action = 13 => "action",
        ActionNoAck = 14 => "action_no_ack",
    }
}

/// Element IDs ridscope looks at.
pub mod element_id {
    pub const SSID: u8 = 0;
    pub const SUPPORTED_RATES: u8 = 1;
    pub const DS_PARAMETER: u8 = 3;
    pub const VENDOR_SPECIFIC: u8 = 221;
}

/// Wi-Fi Alliance OUI (NAN and others).
pub const WFA_OUI: [u8; 3] = [0x50, 0x6F, 0x9A];
/// WFA OUI type of NAN.
pub const WFA_TYPE_NAN: u8 = 0x13;
/// Public action category, and its vendor-specific action.
pub const CATEGORY_PUBLIC: u8 = 4;
pub const PUBLIC_ACTION_VENDOR_SPECIFIC: u8 = 9;

/// One information element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    pub id: u8,
    pub data: &'a [u8],
}

impl<'a> Element<'a> {
    /// For a vendor-specific element: the OUI and the bytes after it.
    pub fn vendor(&self) -> Option<([u8; 3], &'a [u8])> {
        if self.id != element_id::VENDOR_SPECIFIC || self.data.len() < 3 {
            return None;
        }
        Some(([self.data[0], self.data[1], self.data[2]], &self.data[3..]))
    }
}

/// Splits a run of information elements. An element running past the end
/// is a length error.
pub fn elements(data: &[u8]) -> Result<Vec<Element<'_>>, DecodeError> {
    match elements_partial(data) {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

/// Like [`elements`], but keeps the elements before a malformed one and
/// returns the fault beside them (one bad trailing element must not hide a
/// good drone ID element before it).
pub fn elements_partial(mut data: &[u8]) -> (Vec<Element<'_>>, Option<DecodeError>) {
    let mut out = Vec::new();
    while !data.is_empty() {
        let [id, len, rest @ ..] = data else {
            return (out, Some(DecodeError::length("information element", 2, data.len())));
        };
        let len = *len as usize;
        if rest.len() < len {
            return (out, Some(DecodeError::length("information element", len, rest.len())));
        }
        out.push(Element { id: *id, data: &rest[..len] });
        data = &rest[len..];
    }
    (out, None)
}

/// Encodes one information element.
pub fn element(id: u8, data: &[u8]) -> Result<Vec<u8>, EncodeError> {
    if data.len() > 255 {
        return Err(EncodeError::new("information element", format!("{} bytes > 255", data.len())));
    }
    let mut v = Vec::with_capacity(2 + data.len());
    v.push(id);
    v.push(data.len() as u8);
    v.extend_from_slice(data);
    Ok(v)
}

/// What kind of management frame body follows the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MgmtBody<'a> {
    /// Beacon or probe response: fixed fields and elements.
    BeaconLike { timestamp: u64, interval_tu: u16, capability: u16, elements: Vec<Element<'a>> },
    /// Probe request: elements only.
    ProbeReq { elements: Vec<Element<'a>> },
    /// Action frame: category and the rest.
    Action { category: u8, body: &'a [u8] },
    /// Anything else, kept raw.
    Other(&'a [u8]),
}

/// A decoded 802.11 management frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MgmtFrame<'a> {
    pub subtype: MgmtSubtype,
    pub flags: u8,
    pub da: MacAddr,
    pub sa: MacAddr,
    pub bssid: MacAddr,
    /// Sequence number (12 bits) and fragment number (4 bits).
    pub seq: u16,
    pub frag: u8,
    pub body: MgmtBody<'a>,
    /// A malformed element after the ones in `body` (they are kept).
    pub elements_error: Option<DecodeError>,
}

/// The FCS check of a frame that may carry one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FcsStatus {
    Ok,
    Bad,
    Absent,
}

/// Strips and checks the FCS when `fcs_included`; returns the frame without it.
pub fn split_fcs(bytes: &[u8], fcs_included: bool) -> Result<(&[u8], FcsStatus), DecodeError> {
    if !fcs_included {
        return Ok((bytes, FcsStatus::Absent));
    }
    if bytes.len() < FCS_LEN {
        return Err(DecodeError::length("802.11 frame with FCS", FCS_LEN, bytes.len()));
    }
    let (f, fcs) = bytes.split_at(bytes.len() - FCS_LEN);
    let ok = ridscope_dsp::crc::fcs32(f).to_le_bytes() == fcs;
    Ok((f, if ok { FcsStatus::Ok } else { FcsStatus::Bad }))
}

/// Whether the last 4 bytes of `bytes` are a valid FCS of the rest.
pub fn has_valid_fcs(bytes: &[u8]) -> bool {
    matches!(split_fcs(bytes, true), Ok((_, FcsStatus::Ok)))
}

impl<'a> MgmtFrame<'a> {
    /// Decodes a management frame (without FCS). Control and data frames are
    /// `Unsupported`: drone ID travels in management frames only.
    pub fn parse(f: &'a [u8]) -> Result<Self, DecodeError> {
        let h = MgmtHeaderView::new_checked(f)?;
        let fc0 = h.fc0();
        let (version, ftype, subtype) = (fc0 & 3, (fc0 >> 2) & 3, fc0 >> 4);
        if version != 0 {
            return Err(DecodeError::unsupported("802.11 frame", format!("protocol version {version}")));
        }
        if ftype != 0 {
            let kind = ["management", "control", "data", "extension"][ftype as usize];
            return Err(DecodeError::unsupported("802.11 frame", format!("{kind} frame (subtype {subtype})")));
        }
        let flags = h.fc1();
        if flags & 0x40 != 0 {
            return Err(DecodeError::unsupported("802.11 frame", "protected (encrypted) management frame"));
        }
        // +HTC/Order in a management frame adds a 4-byte HT Control field.
        let body_start = if flags & 0x80 != 0 { 28 } else { 24 };
        let body = f.get(body_start..).ok_or_else(|| DecodeError::length("802.11 header", body_start, f.len()))?;
        let seq_ctrl = h.seq_ctrl();
        let subtype = MgmtSubtype::from(subtype);
        let mut elements_error = None;
        let body = match subtype {
            MgmtSubtype::Beacon | MgmtSubtype::ProbeResp => {
                let fx = BeaconFixedView::new_checked(body)?;
                let (elements, err) = elements_partial(&body[12..]);
                elements_error = err;
                MgmtBody::BeaconLike {
                    timestamp: fx.timestamp(),
                    interval_tu: fx.interval(),
                    capability: fx.capability(),
                    elements,
                }
            }
            MgmtSubtype::ProbeReq => {
                let (elements, err) = elements_partial(body);
                elements_error = err;
                MgmtBody::ProbeReq { elements }
            }
            MgmtSubtype::Action | MgmtSubtype::ActionNoAck => {
                let (&category, rest) =
                    body.split_first().ok_or_else(|| DecodeError::length("802.11 action frame", 1, 0))?;
                MgmtBody::Action { category, body: rest }
            }
            _ => MgmtBody::Other(body),
        };
        Ok(MgmtFrame {
            subtype,
            flags,
            da: MacAddr(*h.addr1()),
            sa: MacAddr(*h.addr2()),
            bssid: MacAddr(*h.addr3()),
            seq: seq_ctrl >> 4,
            frag: (seq_ctrl & 0x0F) as u8,
            body,
            elements_error,
        })
    }

    /// The elements of a beacon, probe response or probe request.
    pub fn elements(&self) -> &[Element<'a>] {
        match &self.body {
            MgmtBody::BeaconLike { elements, .. } | MgmtBody::ProbeReq { elements } => elements,
            _ => &[],
        }
    }

    /// The SSID, if the frame carries one (lossy UTF-8).
    pub fn ssid(&self) -> Option<String> {
        self.elements().iter().find(|e| e.id == element_id::SSID).map(|e| String::from_utf8_lossy(e.data).into_owned())
    }

    /// For a public action vendor-specific frame: the OUI, OUI type and the rest.
    pub fn public_vendor_action(&self) -> Option<([u8; 3], u8, &'a [u8])> {
        match self.body {
            MgmtBody::Action {
                category: CATEGORY_PUBLIC,
                body: [PUBLIC_ACTION_VENDOR_SPECIFIC, a, b, c, t, rest @ ..],
            } => Some(([*a, *b, *c], *t, rest)),
            _ => None,
        }
    }
}

/// Builds a management frame header (24 bytes, no HT control).
pub fn mgmt_header(subtype: MgmtSubtype, da: MacAddr, sa: MacAddr, bssid: MacAddr, seq: u16) -> [u8; 24] {
    let mut h = [0u8; 24];
    let mut v = MgmtHeaderView::new_unchecked(&mut h[..]);
    v.set_fc0(subtype.value() << 4);
    v.set_addr1(&da.0);
    v.set_addr2(&sa.0);
    v.set_addr3(&bssid.0);
    v.set_seq_ctrl((seq & 0x0FFF) << 4);
    h
}

/// Builds a beacon (or probe response) from its parts; `elements` are the
/// encoded IEs in order. No FCS is appended (see [`append_fcs`]).
#[allow(clippy::too_many_arguments)] // the fields of the frame, in frame order
pub fn beacon(
    subtype: MgmtSubtype,
    sa: MacAddr,
    bssid: MacAddr,
    seq: u16,
    timestamp: u64,
    interval_tu: u16,
    capability: u16,
    elements: &[u8],
) -> Vec<u8> {
    let da = if subtype == MgmtSubtype::Beacon { MacAddr::BROADCAST } else { MacAddr([0; 6]) };
    let mut f = mgmt_header(subtype, da, sa, bssid, seq).to_vec();
    let mut fixed = [0u8; 12];
    let mut v = BeaconFixedView::new_unchecked(&mut fixed[..]);
    v.set_timestamp(timestamp);
    v.set_interval(interval_tu);
    v.set_capability(capability);
    f.extend_from_slice(&fixed);
    f.extend_from_slice(elements);
    f
}

/// Appends the FCS (CRC-32, little-endian).
pub fn append_fcs(mut frame: Vec<u8>) -> Vec<u8> {
    let fcs = ridscope_dsp::crc::fcs32(&frame);
    frame.extend_from_slice(&fcs.to_le_bytes());
    frame
}
