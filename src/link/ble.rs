//! BLE link layer: advertising-channel PDUs (legacy ADV_* and the extended
//! ADV_EXT_IND / AUX_* family with its extended header, AdvA, ADI, AuxPtr)
//! and the AD structures inside advertising data.

use serde::Serialize;

use crate::error::{DecodeError, EncodeError};
use crate::util::{MacAddr, hex};

/// Access address of every advertising-channel packet.
pub const ADV_ACCESS_ADDRESS: u32 = 0x8E89_BED6;
/// Largest PDU payload (extended advertising).
pub const MAX_PAYLOAD: usize = 255;
/// Largest legacy AdvData.
pub const MAX_LEGACY_ADV_DATA: usize = 31;
/// Length of the CRC that follows the PDU.
pub const CRC_LEN: usize = 3;

crate::wire_view! {
    /// The 2-byte advertising PDU header.
    pub struct PduHeaderView, min_len = 2;
    /// PDU type (3..0), RFU (4), ChSel (5), TxAdd (6), RxAdd (7).
    bits / set_bits: u8 @ 0;
    length / set_length: u8 @ 1;
}

crate::enum_with_unknown! {
    /// Advertising physical channel PDU type.
    pub enum PduType(u8) {
        AdvInd = 0 => "adv_ind",
        AdvDirectInd = 1 => "adv_direct_ind",
        AdvNonconnInd = 2 => "adv_nonconn_ind",
        ScanReq = 3 => "scan_req",
        ScanRsp = 4 => "scan_rsp",
        ConnectInd = 5 => "connect_ind",
        AdvScanInd = 6 => "adv_scan_ind",
        /// ADV_EXT_IND on a primary channel; AUX_ADV_IND, AUX_CHAIN_IND,
        /// AUX_SYNC_IND or AUX_SCAN_RSP on a secondary one.
        AdvExtInd = 7 => "adv_ext_ind",
        AuxConnectRsp = 8 => "aux_connect_rsp",
    }
}

/// Advertising Data Info: data ID and set ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Adi {
    pub did: u16,
    pub sid: u8,
}

/// AuxPtr: where and when the auxiliary packet follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuxPtr {
    pub channel: u8,
    /// Clock accuracy bit: 0 = 51..500 ppm, 1 = 0..50 ppm.
    pub ca: bool,
    /// Offset unit, 30 or 300 µs.
    pub offset_units_us: u16,
    /// Offset in units.
    pub offset: u16,
    /// Secondary PHY: 0 = 1M, 1 = 2M, 2 = Coded.
    pub phy: u8,
}

impl AuxPtr {
    pub fn parse(b: &[u8; 3]) -> Self {
        let v = u32::from_le_bytes([b[0], b[1], b[2], 0]);
        AuxPtr {
            channel: (v & 0x3F) as u8,
            ca: v & 0x40 != 0,
            offset_units_us: if v & 0x80 != 0 { 300 } else { 30 },
            offset: ((v >> 8) & 0x1FFF) as u16,
            phy: ((v >> 21) & 0x07) as u8,
        }
    }

    pub fn emit(&self) -> [u8; 3] {
        let v = (self.channel as u32 & 0x3F)
            | (self.ca as u32) << 6
            | ((self.offset_units_us == 300) as u32) << 7
            | (self.offset as u32 & 0x1FFF) << 8
            | (self.phy as u32 & 0x07) << 21;
        let b = v.to_le_bytes();
        [b[0], b[1], b[2]]
    }

    /// Time from the start of this packet to the auxiliary packet, µs.
    pub fn offset_us(&self) -> u32 {
        self.offset as u32 * self.offset_units_us as u32
    }
}

/// Extended header flag bits (which optional fields are present).
pub mod ext_flags {
    pub const ADV_A: u8 = 0x01;
    pub const TARGET_A: u8 = 0x02;
    pub const CTE_INFO: u8 = 0x04;
    pub const ADI: u8 = 0x08;
    pub const AUX_PTR: u8 = 0x10;
    pub const SYNC_INFO: u8 = 0x20;
    pub const TX_POWER: u8 = 0x40;
}

/// The extended header of ADV_EXT_IND and the AUX_* PDUs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtHeader {
    /// 0 non-connectable non-scannable, 1 connectable, 2 scannable.
    pub adv_mode: u8,
    pub adv_a: Option<MacAddr>,
    pub target_a: Option<MacAddr>,
    pub cte_info: Option<u8>,
    pub adi: Option<Adi>,
    pub aux_ptr: Option<AuxPtr>,
    pub sync_info: Option<[u8; 18]>,
    pub tx_power_dbm: Option<i8>,
    /// Additional Controller Advertising Data: the rest of the header.
    pub acad: Vec<u8>,
    /// The flags byte's RFU bit, kept so re-encoding gives the same bytes.
    pub rfu_flag: bool,
}

/// A decoded advertising-channel PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvPdu<'a> {
    pub pdu_type: PduType,
    pub ch_sel: bool,
    /// TxAdd: the advertiser address is random.
    pub tx_add_random: bool,
    pub rx_add_random: bool,
    /// AdvA (legacy PDUs; for extended PDUs it is in `ext`).
    pub adv_a: Option<MacAddr>,
    /// TargetA / InitA / ScanA, depending on the PDU type.
    pub peer_a: Option<MacAddr>,
    pub ext: Option<ExtHeader>,
    /// Advertising data (or scan response data), AD structures.
    pub adv_data: &'a [u8],
    /// CONNECT_IND LLData and other payload bytes that are not AdvData.
    pub other: &'a [u8],
}

impl<'a> AdvPdu<'a> {
    /// Decodes a PDU (header + payload) without its CRC; bytes after the
    /// length given in the header are not accepted.
    pub fn parse(pdu: &'a [u8]) -> Result<Self, DecodeError> {
        let h = PduHeaderView::new_checked(pdu)?;
        let bits = h.bits();
        let len = h.length() as usize;
        if pdu.len() != 2 + len {
            return Err(DecodeError::length("ble pdu", 2 + len, pdu.len()));
        }
        let payload = &pdu[2..];
        let pdu_type = PduType::from(bits & 0x0F);
        let mut out = AdvPdu {
            pdu_type,
            ch_sel: bits & 0x20 != 0,
            tx_add_random: bits & 0x40 != 0,
            rx_add_random: bits & 0x80 != 0,
            adv_a: None,
            peer_a: None,
            ext: None,
            adv_data: &[],
            other: &[],
        };
        let addr = |off: usize| -> Result<MacAddr, DecodeError> {
            payload
                .get(off..off + 6)
                .and_then(MacAddr::from_ble_le)
                .ok_or_else(|| DecodeError::length("ble pdu address", off + 6, payload.len()))
        };
        match pdu_type {
            PduType::AdvInd | PduType::AdvNonconnInd | PduType::AdvScanInd | PduType::ScanRsp => {
                out.adv_a = Some(addr(0)?);
                out.adv_data = &payload[6..];
                if out.adv_data.len() > MAX_LEGACY_ADV_DATA {
                    return Err(DecodeError::sanity(
                        "ble legacy pdu",
                        format!("{} bytes of AdvData > 31", out.adv_data.len()),
                    ));
                }
            }
            PduType::AdvDirectInd => {
                out.adv_a = Some(addr(0)?);
                out.peer_a = Some(addr(6)?);
                out.other = &payload[12..];
            }
            PduType::ScanReq => {
                out.peer_a = Some(addr(0)?);
                out.adv_a = Some(addr(6)?);
                out.other = &payload[12..];
            }
            PduType::ConnectInd => {
                out.peer_a = Some(addr(0)?);
                out.adv_a = Some(addr(6)?);
                out.other = &payload[12..];
            }
            PduType::AdvExtInd | PduType::AuxConnectRsp => {
                let (ext, data) = parse_ext(payload)?;
                out.adv_a = ext.adv_a;
                out.peer_a = ext.target_a;
                out.ext = Some(ext);
                out.adv_data = data;
            }
            PduType::Unknown(t) => {
                return Err(DecodeError::unsupported("ble pdu", format!("reserved advertising PDU type {t}")));
            }
        }
        Ok(out)
    }

    /// Encodes the PDU (header + payload, no CRC).
    pub fn emit(&self) -> Result<Vec<u8>, EncodeError> {
        let t = self.pdu_type.value();
        if t > 15 {
            return Err(EncodeError::new("pdu_type", "does not fit 4 bits"));
        }
        let mut p = Vec::with_capacity(2 + MAX_PAYLOAD);
        p.push(t | (self.ch_sel as u8) << 5 | (self.tx_add_random as u8) << 6 | (self.rx_add_random as u8) << 7);
        p.push(0);
        let need = |a: Option<MacAddr>, what: &'static str| {
            a.map(|a| a.to_ble_le()).ok_or_else(|| EncodeError::new(what, "address required for this PDU type"))
        };
        match self.pdu_type {
            PduType::AdvInd | PduType::AdvNonconnInd | PduType::AdvScanInd | PduType::ScanRsp => {
                if self.adv_data.len() > MAX_LEGACY_ADV_DATA {
                    return Err(EncodeError::new("adv_data", format!("{} bytes > 31", self.adv_data.len())));
                }
                p.extend_from_slice(&need(self.adv_a, "adv_a")?);
                p.extend_from_slice(self.adv_data);
            }
            PduType::AdvDirectInd => {
                p.extend_from_slice(&need(self.adv_a, "adv_a")?);
                p.extend_from_slice(&need(self.peer_a, "target_a")?);
                p.extend_from_slice(self.other);
            }
            PduType::ScanReq | PduType::ConnectInd => {
                p.extend_from_slice(&need(self.peer_a, "scan_a/init_a")?);
                p.extend_from_slice(&need(self.adv_a, "adv_a")?);
                p.extend_from_slice(self.other);
            }
            PduType::AdvExtInd | PduType::AuxConnectRsp => {
                let ext = self.ext.clone().unwrap_or_default();
                emit_ext(&ext, &mut p)?;
                p.extend_from_slice(self.adv_data);
            }
            PduType::Unknown(_) => return Err(EncodeError::new("pdu_type", "reserved type")),
        }
        let len = p.len() - 2;
        if len > MAX_PAYLOAD {
            return Err(EncodeError::new("ble pdu", format!("{len} payload bytes > 255")));
        }
        p[1] = len as u8;
        Ok(p)
    }

    /// The advertiser address, wherever the PDU type keeps it.
    pub fn advertiser(&self) -> Option<MacAddr> {
        self.adv_a
    }

    /// True for the extended advertising family.
    pub fn is_extended(&self) -> bool {
        self.ext.is_some()
    }

    /// The PDU's name, telling ADV_EXT_IND (primary channels 37..39) from
    /// AUX_ADV_IND and the other AUX PDUs (secondary channels 0..36).
    pub fn name(&self, channel: Option<u16>) -> &'static str {
        match (self.pdu_type, channel) {
            (PduType::AdvExtInd, Some(c)) if c < 37 => {
                if self.ext.as_ref().is_some_and(|e| e.adi.is_none() && e.aux_ptr.is_none()) {
                    "aux_scan_rsp"
                } else {
                    "aux_adv_ind"
                }
            }
            (t, _) => t.name().unwrap_or("reserved"),
        }
    }
}

fn parse_ext(payload: &[u8]) -> Result<(ExtHeader, &[u8]), DecodeError> {
    let (&b0, rest) = payload.split_first().ok_or_else(|| DecodeError::length("ble extended header", 1, 0))?;
    let hlen = (b0 & 0x3F) as usize;
    let adv_mode = b0 >> 6;
    if rest.len() < hlen {
        return Err(DecodeError::length("ble extended header", 1 + hlen, payload.len()));
    }
    let (hdr, data) = rest.split_at(hlen);
    let mut ext = ExtHeader { adv_mode, ..ExtHeader::default() };
    let Some((&flags, mut fields)) = hdr.split_first() else {
        return Ok((ext, data));
    };
    ext.rfu_flag = flags & 0x80 != 0;
    let mut take = |n: usize, what: &'static str| -> Result<&[u8], DecodeError> {
        if fields.len() < n {
            return Err(DecodeError::length(what, n, fields.len()));
        }
        let (a, b) = fields.split_at(n);
        fields = b;
        Ok(a)
    };
    if flags & ext_flags::ADV_A != 0 {
        ext.adv_a = MacAddr::from_ble_le(take(6, "ext header AdvA")?);
    }
    if flags & ext_flags::TARGET_A != 0 {
        ext.target_a = MacAddr::from_ble_le(take(6, "ext header TargetA")?);
    }
    if flags & ext_flags::CTE_INFO != 0 {
        ext.cte_info = take(1, "ext header CTEInfo")?.first().copied();
    }
    if flags & ext_flags::ADI != 0 {
        let a = take(2, "ext header ADI")?;
        let v = u16::from_le_bytes([a[0], a[1]]);
        ext.adi = Some(Adi { did: v & 0x0FFF, sid: (v >> 12) as u8 });
    }
    if flags & ext_flags::AUX_PTR != 0 {
        let a = take(3, "ext header AuxPtr")?;
        ext.aux_ptr = Some(AuxPtr::parse(&[a[0], a[1], a[2]]));
    }
    if flags & ext_flags::SYNC_INFO != 0 {
        let a = take(18, "ext header SyncInfo")?;
        let mut s = [0u8; 18];
        s.copy_from_slice(a);
        ext.sync_info = Some(s);
    }
    if flags & ext_flags::TX_POWER != 0 {
        ext.tx_power_dbm = take(1, "ext header TxPower")?.first().map(|&b| b as i8);
    }
    ext.acad = fields.to_vec();
    Ok((ext, data))
}

fn emit_ext(ext: &ExtHeader, p: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut fields = Vec::with_capacity(63);
    let mut flags = (ext.rfu_flag as u8) << 7;
    if let Some(a) = ext.adv_a {
        flags |= ext_flags::ADV_A;
        fields.extend_from_slice(&a.to_ble_le());
    }
    if let Some(a) = ext.target_a {
        flags |= ext_flags::TARGET_A;
        fields.extend_from_slice(&a.to_ble_le());
    }
    if let Some(c) = ext.cte_info {
        flags |= ext_flags::CTE_INFO;
        fields.push(c);
    }
    if let Some(adi) = ext.adi {
        flags |= ext_flags::ADI;
        if adi.did > 0x0FFF || adi.sid > 15 {
            return Err(EncodeError::new("adi", "DID is 12 bits, SID 4 bits"));
        }
        fields.extend_from_slice(&(adi.did | (adi.sid as u16) << 12).to_le_bytes());
    }
    if let Some(a) = ext.aux_ptr {
        flags |= ext_flags::AUX_PTR;
        fields.extend_from_slice(&a.emit());
    }
    if let Some(s) = ext.sync_info {
        flags |= ext_flags::SYNC_INFO;
        fields.extend_from_slice(&s);
    }
    if let Some(t) = ext.tx_power_dbm {
        flags |= ext_flags::TX_POWER;
        fields.push(t as u8);
    }
    fields.extend_from_slice(&ext.acad);
    let empty = flags == 0 && fields.is_empty();
    let hlen = if empty { 0 } else { 1 + fields.len() };
    if hlen > 63 || ext.adv_mode > 3 {
        return Err(EncodeError::new("extended header", format!("length {hlen} > 63 or adv mode > 3")));
    }
    p.push(hlen as u8 | ext.adv_mode << 6);
    if !empty {
        p.push(flags);
        p.extend_from_slice(&fields);
    }
    Ok(())
}

/// Checks the CRC of `pdu || crc` (advertising CRC init); returns the PDU.
pub fn split_crc(bytes: &[u8]) -> Result<(&[u8], bool), DecodeError> {
    if bytes.len() < 2 + CRC_LEN {
        return Err(DecodeError::length("ble pdu with crc", 2 + CRC_LEN, bytes.len()));
    }
    let (pdu, crc) = bytes.split_at(bytes.len() - CRC_LEN);
    Ok((pdu, ridscope_dsp::crc::ble_crc24_bytes(pdu) == crc))
}

/// The PDU followed by its CRC, as sent on air (before whitening).
pub fn with_crc(pdu: &[u8]) -> Vec<u8> {
    let mut v = pdu.to_vec();
    v.extend_from_slice(&ridscope_dsp::crc::ble_crc24_bytes(pdu));
    v
}

// ---------------------------------------------------------------------------
// AD structures

/// One AD structure: `length, type, data[length - 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdStructure<'a> {
    pub ad_type: u8,
    pub data: &'a [u8],
}

/// AD types ridscope names.
pub mod ad_type {
    pub const FLAGS: u8 = 0x01;
    pub const SHORT_NAME: u8 = 0x08;
    pub const COMPLETE_NAME: u8 = 0x09;
    pub const TX_POWER: u8 = 0x0A;
    pub const SERVICE_DATA_16: u8 = 0x16;
    pub const MANUFACTURER_DATA: u8 = 0xFF;
}

/// Splits advertising data into AD structures. A length byte of 0 ends the
/// significant part (the rest is padding); a structure running past the end
/// is a length error.
pub fn ad_structures(data: &[u8]) -> Result<Vec<AdStructure<'_>>, DecodeError> {
    match ad_structures_partial(data) {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

/// Like [`ad_structures`], but keeps the structures before a malformed one
/// and returns the fault beside them.
pub fn ad_structures_partial(data: &[u8]) -> (Vec<AdStructure<'_>>, Option<DecodeError>) {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        if len == 0 {
            break;
        }
        let len = len as usize;
        if tail.len() < len {
            return (out, Some(DecodeError::length("ad structure", len, tail.len())));
        }
        let (s, next) = tail.split_at(len);
        out.push(AdStructure { ad_type: s[0], data: &s[1..] });
        rest = next;
    }
    (out, None)
}

impl<'a> AdStructure<'a> {
    /// For service data: the 16-bit UUID and what follows it.
    pub fn service_data_16(&self) -> Option<(u16, &'a [u8])> {
        if self.ad_type != ad_type::SERVICE_DATA_16 || self.data.len() < 2 {
            return None;
        }
        Some((u16::from_le_bytes([self.data[0], self.data[1]]), &self.data[2..]))
    }

    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self.ad_type {
            ad_type::FLAGS => "flags",
            0x02 | 0x03 => "service_uuids_16",
            0x06 | 0x07 => "service_uuids_128",
            ad_type::SHORT_NAME => "short_name",
            ad_type::COMPLETE_NAME => "complete_name",
            ad_type::TX_POWER => "tx_power",
            ad_type::SERVICE_DATA_16 => "service_data_16",
            0x20 => "service_data_32",
            0x21 => "service_data_128",
            0x19 => "appearance",
            ad_type::MANUFACTURER_DATA => "manufacturer_data",
            _ => return None,
        })
    }
}

impl Serialize for AdStructure<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J {
            ad_type: u8,
            name: Option<&'static str>,
            data_hex: String,
            text: Option<String>,
            uuid16: Option<String>,
            company_id: Option<u16>,
            tx_power_dbm: Option<i8>,
        }
        let text = matches!(self.ad_type, ad_type::SHORT_NAME | ad_type::COMPLETE_NAME)
            .then(|| String::from_utf8_lossy(self.data).into_owned());
        J {
            ad_type: self.ad_type,
            name: self.type_name(),
            data_hex: hex::encode(self.data),
            text,
            uuid16: self.service_data_16().map(|(u, _)| format!("{u:04x}")),
            company_id: (self.ad_type == ad_type::MANUFACTURER_DATA && self.data.len() >= 2)
                .then(|| u16::from_le_bytes([self.data[0], self.data[1]])),
            tx_power_dbm: (self.ad_type == ad_type::TX_POWER).then(|| self.data.first().map(|&b| b as i8)).flatten(),
        }
        .serialize(s)
    }
}

/// Encodes one AD structure.
pub fn ad_structure(ad_type: u8, data: &[u8]) -> Result<Vec<u8>, EncodeError> {
    if data.len() > 254 {
        return Err(EncodeError::new("ad structure", format!("{} data bytes > 254", data.len())));
    }
    let mut v = Vec::with_capacity(data.len() + 2);
    v.push(data.len() as u8 + 1);
    v.push(ad_type);
    v.extend_from_slice(data);
    Ok(v)
}
