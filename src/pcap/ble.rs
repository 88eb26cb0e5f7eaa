//! BLE link types: LINKTYPE_BLUETOOTH_LE_LL (251), LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR
//! (256) and LINKTYPE_NORDIC_BLE (272, nRF Sniffer for Bluetooth LE).
//!
//! Each carries a link-layer packet without its preamble: access address
//! (4 bytes, little-endian), for the LE Coded PHY one coding-indicator byte
//! (CI in bits 0..1: 0 = S8, 1 = S2), then the PDU and its 3-byte CRC. The
//! resulting [`Frame`] holds PDU + CRC; the access address and PHY go in
//! [`PhyMeta`].
//!
//! nRF Sniffer records start with a board id and a header whose layout
//! depends on the protocol version (byte 3 in versions ≥ 1), except the
//! legacy version 0, whose records start with the marker 0xBE 0xEF in place
//! of the board id. Then comes the event packet (length 10, flags, channel
//! index, −RSSI, event counter, timestamp; legacy: without the length byte)
//! and the link-layer packet.

use crate::error::DecodeError;
use crate::frame::{Frame, LinkType, Phy, PhyMeta, ble_channel_freq_hz};

/// Access address (4) + PDU header (2) + CRC (3).
const LL_MIN_LEN: usize = 9;
const AA_LEN: usize = 4;

/// PHY code used by both pseudo-headers: 0 = 1M, 1 = 2M, 2 = Coded.
fn phy_from_code(what: &'static str, code: u8) -> Result<Option<Phy>, DecodeError> {
    match code {
        0 => Ok(Some(Phy::Ble1m)),
        1 => Ok(Some(Phy::Ble2m)),
        // Coded: S8 or S2 is decided by the CI byte.
        2 => Ok(None),
        _ => Err(DecodeError::unsupported(what, format!("reserved PHY code {code}"))),
    }
}

/// Splits a link-layer packet into (access address, PHY, PDU + CRC). `phy` is
/// `None` for the Coded PHY, whose CI byte follows the access address.
fn split_ll<'a>(what: &'static str, ll: &'a [u8], phy: Option<Phy>) -> Result<(u32, Phy, &'a [u8]), DecodeError> {
    let coded = phy.is_none();
    let need = LL_MIN_LEN + usize::from(coded);
    DecodeError::check_len(what, ll, need)?;
    let aa = ll.get(..AA_LEN).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
    let (Some(aa), Some(rest)) = (aa, ll.get(AA_LEN..)) else { return Err(DecodeError::length(what, need, ll.len())) };
    match phy {
        Some(phy) => Ok((aa, phy, rest)),
        None => {
            let (Some(&ci), Some(pdu)) = (rest.first(), rest.get(1..)) else {
                return Err(DecodeError::length(what, need, ll.len()));
            };
            let phy = match ci & 0x03 {
                0 => Phy::BleCodedS8,
                1 => Phy::BleCodedS2,
                other => return Err(DecodeError::sanity(what, format!("reserved coding indicator {other}"))),
            };
            Ok((aa, phy, pdu))
        }
    }
}

fn ble_frame(aa: u32, phy: Phy, pdu_crc: &[u8]) -> Frame {
    let mut meta = PhyMeta::new(LinkType::BleLl, phy);
    meta.access_address = Some(aa);
    meta.fcs_included = true;
    Frame { bytes: pdu_crc.to_vec(), meta }
}

/// LINKTYPE_BLUETOOTH_LE_LL: the bare link-layer packet, assumed LE 1M.
pub(super) fn le_ll(data: &[u8]) -> Result<Frame, DecodeError> {
    let (aa, phy, pdu) = split_ll("BLE LL packet", data, Some(Phy::Ble1m))?;
    Ok(ble_frame(aa, phy, pdu))
}

crate::wire_view! {
    /// The 10-byte pseudo-header of LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR.
    pub struct LePhdrView, min_len = 10;
    /// RF channel number 0..39 (2402 + 2·n MHz), not the channel index.
    rf_channel / set_rf_channel: u8 @ 0;
    signal_power / set_signal_power: i8 @ 1;
    noise_power / set_noise_power: i8 @ 2;
    access_address_offenses / set_access_address_offenses: u8 @ 3;
    reference_access_address / set_reference_access_address: u32le @ 4;
    /// See [`phdr_flags`].
    flags / set_flags: u16le @ 8;
}

/// Bits of [`LePhdrView::flags`].
pub mod phdr_flags {
    pub const DEWHITENED: u16 = 0x0001;
    pub const SIGNAL_VALID: u16 = 0x0002;
    pub const NOISE_VALID: u16 = 0x0004;
    pub const DECRYPTED: u16 = 0x0008;
    pub const REF_AA_VALID: u16 = 0x0010;
    pub const AA_OFFENSES_VALID: u16 = 0x0020;
    pub const CHANNEL_ALIASED: u16 = 0x0040;
    pub const PDU_TYPE_MASK: u16 = 0x0380;
    pub const CRC_CHECKED: u16 = 0x0400;
    pub const CRC_VALID: u16 = 0x0800;
    pub const MIC_CHECKED: u16 = 0x1000;
    pub const MIC_VALID: u16 = 0x2000;
    pub const PHY_SHIFT: u16 = 14;
}

/// BLE RF channel number (0..39, by frequency) to channel index (37, 0..10,
/// 38, 11..36, 39).
pub(super) fn rf_channel_to_index(rf: u8) -> Option<u8> {
    match rf {
        0 => Some(37),
        1..=11 => Some(rf - 1),
        12 => Some(38),
        13..=38 => Some(rf - 2),
        39 => Some(39),
        _ => None,
    }
}

/// LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR.
pub(super) fn le_ll_with_phdr(data: &[u8]) -> Result<Frame, DecodeError> {
    const WHAT: &str = "BLE LL with PHDR";
    let h = LePhdrView::new_checked(data)?;
    let flags = h.flags();
    let phy = phy_from_code(WHAT, (flags >> phdr_flags::PHY_SHIFT) as u8)?;
    let ll = data.get(LePhdrView::<&[u8]>::MIN_LEN..).unwrap_or_default();
    let (aa, phy, pdu) = split_ll(WHAT, ll, phy)?;
    let mut f = ble_frame(aa, phy, pdu);
    let rf = h.rf_channel();
    if let Some(index) = rf_channel_to_index(rf) {
        f.meta.channel = Some(u16::from(index));
        f.meta.freq_hz = Some((2402.0 + 2.0 * f64::from(rf)) * 1e6);
    }
    if flags & phdr_flags::SIGNAL_VALID != 0 {
        f.meta.rssi_dbm = Some(f32::from(h.signal_power()));
    }
    if flags & phdr_flags::NOISE_VALID != 0 {
        f.meta.noise_dbm = Some(f32::from(h.noise_power()));
    }
    if flags & phdr_flags::CRC_CHECKED != 0 {
        f.meta.crc_ok_at_capture = Some(flags & phdr_flags::CRC_VALID != 0);
    }
    Ok(f)
}

/// nRF Sniffer header layouts (after which the event packet follows).
mod nordic {
    /// Version 0 (legacy) records start with this marker instead of a board id.
    pub const LEGACY_MARKER: [u8; 2] = [0xBE, 0xEF];
    pub const LEGACY_PACKET_ID: usize = 2;
    /// Legacy payload length (u8): the bytes after the 8-byte header.
    pub const LEGACY_PAYLOAD_LEN: usize = 7;
    pub const LEGACY_HEADER_LEN: usize = 8;
    /// Legacy: marker (2), packet id, packet counter (2), unused (2), payload
    /// length; then the event packet without its length byte (9 bytes).
    pub const LEGACY_LL_START: usize = 17;

    /// Versions ≥ 1: board id, then (v1) header length, payload length or
    /// (v2+) payload length u16le; protocol version; packet counter u16le;
    /// packet id.
    pub const PROTOCOL_VERSION: usize = 3;
    /// v1: header length (u8, not counting the board id) and payload length (u8).
    pub const V1_HEADER_LEN: usize = 1;
    pub const V1_PAYLOAD_LEN: usize = 2;
    /// v2+: payload length (u16le) after a 7-byte header (board id included).
    pub const PAYLOAD_LEN: usize = 1;
    pub const HEADER_LEN: usize = 7;
    pub const PACKET_ID: usize = 6;
    /// The event packet starts with its own length (10), counting that byte.
    pub const EVENT_LEN: usize = 7;
    pub const EVENT_MIN_LEN: u8 = 10;

    /// Offsets of the event packet fields, the same in every version.
    pub const FLAGS: usize = 8;
    pub const CHANNEL: usize = 9;
    pub const RSSI: usize = 10;

    pub const ID_EVENT_PACKET_ADVERTISING: u8 = 0x02;
    pub const ID_EVENT_PACKET_DATA: u8 = 0x06;

    pub const FLAG_CRC_OK: u8 = 0x01;
    pub const PHY_SHIFT: u8 = 4;
    pub const PHY_MASK: u8 = 0x07;
}

/// LINKTYPE_NORDIC_BLE (nRF Sniffer for Bluetooth LE).
pub(super) fn nordic_ble(data: &[u8]) -> Result<Frame, DecodeError> {
    const WHAT: &str = "nRF Sniffer packet";
    let byte = |off: usize| data.get(off).copied().ok_or(DecodeError::length(WHAT, off + 1, data.len()));
    let legacy = data.get(..2) == Some(&nordic::LEGACY_MARKER[..]);
    let (version, id) = if legacy {
        (0, byte(nordic::LEGACY_PACKET_ID)?)
    } else {
        (byte(nordic::PROTOCOL_VERSION)?, byte(nordic::PACKET_ID)?)
    };
    let is_packet = match version {
        0..=2 => id == nordic::ID_EVENT_PACKET_DATA,
        _ => id == nordic::ID_EVENT_PACKET_ADVERTISING || id == nordic::ID_EVENT_PACKET_DATA,
    };
    if !is_packet {
        return Err(DecodeError::unsupported(
            WHAT,
            format!("packet id {id:#04x} (protocol version {version}) is not a received packet"),
        ));
    }
    // The header's lengths must account for the whole record (as Wireshark checks).
    let expected_len = if legacy {
        nordic::LEGACY_HEADER_LEN + usize::from(byte(nordic::LEGACY_PAYLOAD_LEN)?)
    } else if version == 1 {
        1 + usize::from(byte(nordic::V1_HEADER_LEN)?) + usize::from(byte(nordic::V1_PAYLOAD_LEN)?)
    } else {
        let lo = byte(nordic::PAYLOAD_LEN)?;
        let hi = byte(nordic::PAYLOAD_LEN + 1)?;
        nordic::HEADER_LEN + usize::from(u16::from_le_bytes([lo, hi]))
    };
    if expected_len != data.len() {
        return Err(DecodeError::sanity(
            WHAT,
            format!("header lengths add up to {expected_len} bytes, the record has {}", data.len()),
        ));
    }
    let ll_start = if legacy {
        nordic::LEGACY_LL_START
    } else {
        let len = byte(nordic::EVENT_LEN)?;
        if len < nordic::EVENT_MIN_LEN {
            return Err(DecodeError::sanity(WHAT, format!("event packet header length {len}, expected 10")));
        }
        nordic::EVENT_LEN + usize::from(len)
    };
    let (flags, channel, rssi) = (byte(nordic::FLAGS)?, byte(nordic::CHANNEL)?, byte(nordic::RSSI)?);
    let phy = phy_from_code(WHAT, (flags >> nordic::PHY_SHIFT) & nordic::PHY_MASK)?;
    let ll = data.get(ll_start..).ok_or(DecodeError::length(WHAT, ll_start, data.len()))?;
    let (aa, phy, pdu) = split_ll(WHAT, ll, phy)?;
    let mut f = ble_frame(aa, phy, pdu);
    if let Some(freq) = ble_channel_freq_hz(channel) {
        f.meta.channel = Some(u16::from(channel));
        f.meta.freq_hz = Some(freq);
    }
    f.meta.rssi_dbm = Some(-f32::from(rssi));
    f.meta.crc_ok_at_capture = Some(flags & nordic::FLAG_CRC_OK != 0);
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// ADV_NONCONN_IND with a 6-byte address and empty data, plus its CRC.
    fn adv_pdu_crc() -> Vec<u8> {
        let mut pdu = vec![0x02, 6, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66];
        pdu.extend(ridscope_dsp::crc::ble_crc24_bytes(&pdu));
        pdu
    }

    fn ll(coded_ci: Option<u8>) -> Vec<u8> {
        let mut v = 0x8e89_bed6u32.to_le_bytes().to_vec();
        v.extend(coded_ci);
        v.extend(adv_pdu_crc());
        v
    }

    #[test]
    fn rf_channel_mapping() {
        assert_eq!(rf_channel_to_index(0), Some(37));
        assert_eq!(rf_channel_to_index(1), Some(0));
        assert_eq!(rf_channel_to_index(11), Some(10));
        assert_eq!(rf_channel_to_index(12), Some(38));
        assert_eq!(rf_channel_to_index(13), Some(11));
        assert_eq!(rf_channel_to_index(38), Some(36));
        assert_eq!(rf_channel_to_index(39), Some(39));
        assert_eq!(rf_channel_to_index(40), None);
        // The mapping agrees with the channel-index frequencies.
        for rf in 0..40u8 {
            let idx = rf_channel_to_index(rf).unwrap();
            assert_eq!(ble_channel_freq_hz(idx), Some((2402.0 + 2.0 * f64::from(rf)) * 1e6), "rf {rf}");
        }
    }

    #[test]
    fn bare_ll() {
        let f = le_ll(&ll(None)).unwrap();
        assert_eq!(f.bytes, adv_pdu_crc());
        assert_eq!(f.meta.access_address, Some(0x8e89_bed6));
        assert_eq!(f.meta.phy, Phy::Ble1m);
        assert!(f.meta.fcs_included);
        assert_eq!(f.meta.link, LinkType::BleLl);
        assert_eq!(f.meta.channel, None);
        assert_eq!(le_ll(&[0xd6, 0xbe, 0x89, 0x8e, 0x02, 0x00, 1, 2]).unwrap_err().kind(), ErrorKind::Length);
    }

    fn phdr(rf: u8, flags: u16) -> Vec<u8> {
        let mut h = vec![rf, (-47i8) as u8, (-95i8) as u8, 0];
        h.extend(0x8e89_bed6u32.to_le_bytes());
        h.extend(flags.to_le_bytes());
        h
    }

    #[test]
    fn with_phdr_1m() {
        let flags = phdr_flags::DEWHITENED
            | phdr_flags::SIGNAL_VALID
            | phdr_flags::NOISE_VALID
            | phdr_flags::CRC_CHECKED
            | phdr_flags::CRC_VALID;
        let mut rec = phdr(12, flags);
        rec.extend(ll(None));
        let f = le_ll_with_phdr(&rec).unwrap();
        assert_eq!(f.bytes, adv_pdu_crc());
        assert_eq!(f.meta.phy, Phy::Ble1m);
        assert_eq!(f.meta.channel, Some(38));
        assert_eq!(f.meta.freq_hz, Some(2426e6));
        assert_eq!(f.meta.rssi_dbm, Some(-47.0));
        assert_eq!(f.meta.noise_dbm, Some(-95.0));
        assert_eq!(f.meta.crc_ok_at_capture, Some(true));
        assert_eq!(f.meta.access_address, Some(0x8e89_bed6));
    }

    #[test]
    fn with_phdr_flags_and_phys() {
        // No valid bits: no RSSI, no noise, CRC not checked. 2M PHY; rf 5 → index 4.
        let mut rec = phdr(5, 1 << phdr_flags::PHY_SHIFT);
        rec.extend(ll(None));
        let f = le_ll_with_phdr(&rec).unwrap();
        assert_eq!(f.meta.phy, Phy::Ble2m);
        assert_eq!(f.meta.channel, Some(4));
        assert_eq!(f.meta.freq_hz, Some(2412e6));
        assert_eq!((f.meta.rssi_dbm, f.meta.noise_dbm, f.meta.crc_ok_at_capture), (None, None, None));

        // CRC checked but invalid.
        let mut rec = phdr(0, phdr_flags::CRC_CHECKED);
        rec.extend(ll(None));
        assert_eq!(le_ll_with_phdr(&rec).unwrap().meta.crc_ok_at_capture, Some(false));

        // Coded PHY, CI = 1 → S2; the CI byte is not part of the PDU.
        let mut rec = phdr(39, 2 << phdr_flags::PHY_SHIFT);
        rec.extend(ll(Some(1)));
        let f = le_ll_with_phdr(&rec).unwrap();
        assert_eq!(f.meta.phy, Phy::BleCodedS2);
        assert_eq!(f.bytes, adv_pdu_crc());
        assert_eq!(f.meta.channel, Some(39));

        // Coded, CI = 0 → S8.
        let mut rec = phdr(39, 2 << phdr_flags::PHY_SHIFT);
        rec.extend(ll(Some(0)));
        assert_eq!(le_ll_with_phdr(&rec).unwrap().meta.phy, Phy::BleCodedS8);

        // Reserved CI, reserved PHY, short header.
        let mut rec = phdr(39, 2 << phdr_flags::PHY_SHIFT);
        rec.extend(ll(Some(2)));
        assert_eq!(le_ll_with_phdr(&rec).unwrap_err().kind(), ErrorKind::Sanity);
        let mut rec = phdr(39, 3 << phdr_flags::PHY_SHIFT);
        rec.extend(ll(None));
        assert_eq!(le_ll_with_phdr(&rec).unwrap_err().kind(), ErrorKind::Unsupported);
        assert_eq!(le_ll_with_phdr(&[0; 9]).unwrap_err().kind(), ErrorKind::Length);
    }

    /// nRF Sniffer protocol version 3 advertising packet on LE Coded (frame 1
    /// of odid_bt5_lr_sample.pcapng, header only).
    fn nordic_v3(flags: u8, channel: u8, id: u8, ll: &[u8]) -> Vec<u8> {
        let mut v = vec![0x03];
        v.extend(((10 + ll.len()) as u16).to_le_bytes());
        v.extend([3, 0x13, 0xbe, id]);
        v.extend([10, flags, channel, 53, 0, 0, 0xa5, 0xe2, 0x95, 0xa0]);
        v.extend(ll);
        v
    }

    #[test]
    fn nordic_v3_coded() {
        let f = nordic_ble(&nordic_v3(0x21, 10, 0x02, &ll(Some(0)))).unwrap();
        assert_eq!(f.bytes, adv_pdu_crc());
        assert_eq!(f.meta.phy, Phy::BleCodedS8);
        assert_eq!(f.meta.channel, Some(10));
        assert_eq!(f.meta.freq_hz, Some(2424e6));
        assert_eq!(f.meta.rssi_dbm, Some(-53.0));
        assert_eq!(f.meta.crc_ok_at_capture, Some(true));
        assert_eq!(f.meta.access_address, Some(0x8e89_bed6));

        let f = nordic_ble(&nordic_v3(0x10, 37, 0x06, &ll(None))).unwrap();
        assert_eq!(f.meta.phy, Phy::Ble2m);
        assert_eq!(f.meta.channel, Some(37));
        assert_eq!(f.meta.freq_hz, Some(2402e6));
        assert_eq!(f.meta.crc_ok_at_capture, Some(false));

        // Other packet ids are not received packets.
        let e = nordic_ble(&nordic_v3(0x01, 37, 0x0E, &ll(None))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        // Payload length that disagrees with the record length.
        let mut long = nordic_v3(0x21, 10, 0x02, &ll(Some(0)));
        long.push(0);
        assert_eq!(nordic_ble(&long).unwrap_err().kind(), ErrorKind::Sanity);
        // Reserved PHY code.
        assert_eq!(nordic_ble(&nordic_v3(0x31, 37, 0x02, &ll(None))).unwrap_err().kind(), ErrorKind::Unsupported);
        // Truncated inside the event header and inside the LL packet.
        let full = nordic_v3(0x01, 37, 0x02, &ll(None));
        for cut in [0, 3, 7, 9, 12, 17, 20, 25] {
            assert!(nordic_ble(&full[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn nordic_v2_and_v1() {
        // v2: same layout as v3, but advertising packets have id 0x06 and
        // id 0x02 is not a packet.
        let mut v2 = nordic_v3(0x01, 38, 0x06, &ll(None));
        v2[3] = 2;
        let f = nordic_ble(&v2).unwrap();
        assert_eq!((f.meta.phy, f.meta.channel, f.meta.crc_ok_at_capture), (Phy::Ble1m, Some(38), Some(true)));
        let mut v2_adv = nordic_v3(0x01, 38, 0x02, &ll(None));
        v2_adv[3] = 2;
        assert_eq!(nordic_ble(&v2_adv).unwrap_err().kind(), ErrorKind::Unsupported);

        // v1: board, header length, payload length (u8), version, counter, id.
        let ll = ll(None);
        let mut v1 = vec![0x00, 6, (10 + ll.len()) as u8, 1, 0x01, 0x00, 0x06];
        v1.extend([10, 0x01, 39, 70, 0x34, 0x12, 0, 0, 0, 0]);
        v1.extend(&ll);
        let f = nordic_ble(&v1).unwrap();
        assert_eq!(f.bytes, adv_pdu_crc());
        assert_eq!((f.meta.channel, f.meta.rssi_dbm), (Some(39), Some(-70.0)));
        // Lengths that do not add up to the record.
        v1[2] -= 1;
        assert_eq!(nordic_ble(&v1).unwrap_err().kind(), ErrorKind::Sanity);
        v1[2] += 1;
        // An event header shorter than 10 bytes is impossible.
        v1[7] = 9;
        assert_eq!(nordic_ble(&v1).unwrap_err().kind(), ErrorKind::Sanity);
    }

    #[test]
    fn nordic_legacy() {
        // 0xBEEF, id, counter (2), unused (2), payload length, then flags,
        // channel, RSSI, event counter (2), delta time (4), LL packet.
        let ll = ll(None);
        let mut v0 = vec![0xBE, 0xEF, 0x06, 0x01, 0x00, 0, 0, 9 + ll.len() as u8];
        v0.extend([0x01, 12, 80, 0, 0, 0x10, 0, 0, 0]);
        v0.extend(&ll);
        let f = nordic_ble(&v0).unwrap();
        assert_eq!(f.bytes, adv_pdu_crc());
        assert_eq!(f.meta.channel, Some(12));
        assert_eq!(f.meta.rssi_dbm, Some(-80.0));
        assert_eq!(f.meta.phy, Phy::Ble1m);
        assert_eq!(f.meta.crc_ok_at_capture, Some(true));
        v0[7] += 1;
        assert_eq!(nordic_ble(&v0).unwrap_err().kind(), ErrorKind::Sanity);
        v0[7] -= 1;
        v0[2] = 0x01;
        assert_eq!(nordic_ble(&v0).unwrap_err().kind(), ErrorKind::Unsupported);
    }
}
