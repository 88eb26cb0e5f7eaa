//! Radiotap: the radio metadata header in front of 802.11 frames captured in
//! monitor mode (LINKTYPE_IEEE802_11_RADIOTAP).
//!
//! Layout: version (u8, 0), pad (u8), length `it_len` (u16le, the whole
//! header), then one or more 32-bit `present` words (bit 31: another word
//! follows), then the fields named by the present bits, each aligned to its
//! natural alignment counted from the start of the header. Bit 29 of a word
//! switches the next word to the radiotap namespace (field numbers restart at
//! 0); bit 30 switches it to a vendor namespace, whose 6-byte header (OUI,
//! sub-namespace, `skip_length`) sits where bit 30's field goes and whose data
//! (`skip_length` bytes) follows immediately and is skipped.
//!
//! Parsing stops, keeping what it has, at the first field it does not know or
//! that runs past `it_len`; the 802.11 frame always starts at `it_len`.

use crate::error::DecodeError;
use crate::frame::Phy;

crate::wire_view! {
    /// The fixed start of a radiotap header.
    pub struct RadiotapHeaderView, min_len = 8;
    /// Header revision, always 0.
    version / set_version: u8 @ 0;
    pad / set_pad: u8 @ 1;
    /// Length of the whole radiotap header (`it_len`).
    it_len / set_it_len: u16le @ 2;
    /// First present word.
    present / set_present: u32le @ 4;
}

/// Offset of the first present word.
const PRESENT_OFFSET: usize = 4;

/// Present-word bits shared by every namespace.
pub mod present {
    /// The next present word is in the radiotap namespace (numbering restarts at 0).
    pub const RADIOTAP_NAMESPACE: u32 = 1 << 29;
    /// The next present word is in a vendor namespace.
    pub const VENDOR_NAMESPACE: u32 = 1 << 30;
    /// Another present word follows.
    pub const EXT: u32 = 1 << 31;
    /// Bits 0..28 name fields.
    pub const FIELD_BITS: u32 = 29;
}

/// Radiotap-namespace field numbers (bit numbers in a present word).
pub mod field {
    pub const TSFT: u32 = 0;
    pub const FLAGS: u32 = 1;
    pub const RATE: u32 = 2;
    pub const CHANNEL: u32 = 3;
    pub const FHSS: u32 = 4;
    pub const DBM_ANTSIGNAL: u32 = 5;
    pub const DBM_ANTNOISE: u32 = 6;
    pub const LOCK_QUALITY: u32 = 7;
    pub const TX_ATTENUATION: u32 = 8;
    pub const DB_TX_ATTENUATION: u32 = 9;
    pub const DBM_TX_POWER: u32 = 10;
    pub const ANTENNA: u32 = 11;
    pub const DB_ANTSIGNAL: u32 = 12;
    pub const DB_ANTNOISE: u32 = 13;
    pub const RX_FLAGS: u32 = 14;
    pub const TX_FLAGS: u32 = 15;
    pub const RTS_RETRIES: u32 = 16;
    pub const DATA_RETRIES: u32 = 17;
    pub const XCHANNEL: u32 = 18;
    pub const MCS: u32 = 19;
    pub const AMPDU_STATUS: u32 = 20;
    pub const VHT: u32 = 21;
    pub const TIMESTAMP: u32 = 22;
    pub const HE: u32 = 23;
    pub const HE_MU: u32 = 24;
    pub const HE_MU_OTHER_USER: u32 = 25;
    pub const ZERO_LENGTH_PSDU: u32 = 26;
    pub const L_SIG: u32 = 27;
    /// Position of the vendor namespace header (in the word that sets bit 30).
    pub const VENDOR_NAMESPACE: u32 = 30;
}

/// Bits of the Flags field.
pub mod flags {
    pub const CFP: u8 = 0x01;
    pub const SHORT_PREAMBLE: u8 = 0x02;
    pub const WEP: u8 = 0x04;
    pub const FRAGMENTATION: u8 = 0x08;
    /// The frame ends with its 4-byte FCS.
    pub const FCS_AT_END: u8 = 0x10;
    pub const DATA_PAD: u8 = 0x20;
    /// The frame failed its FCS check.
    pub const BAD_FCS: u8 = 0x40;
    pub const SHORT_GI: u8 = 0x80;
}

/// Bits of the Channel field's flags (also the low 16 bits of XChannel flags).
pub mod channel_flags {
    pub const TURBO: u16 = 0x0010;
    /// Complementary Code Keying (802.11b DSSS/CCK).
    pub const CCK: u16 = 0x0020;
    /// OFDM (802.11a/g).
    pub const OFDM: u16 = 0x0040;
    pub const SPECTRUM_2GHZ: u16 = 0x0080;
    pub const SPECTRUM_5GHZ: u16 = 0x0100;
    pub const PASSIVE: u16 = 0x0200;
    /// Dynamic CCK-OFDM (802.11g mixed).
    pub const DYNAMIC: u16 = 0x0400;
    pub const GFSK: u16 = 0x0800;
}

/// Alignment and size of a radiotap-namespace field, `None` if unknown.
fn field_layout(f: u32) -> Option<(usize, usize)> {
    Some(match f {
        field::TSFT => (8, 8),
        field::FLAGS | field::RATE => (1, 1),
        field::CHANNEL => (2, 4),
        field::FHSS => (1, 2),
        field::DBM_ANTSIGNAL | field::DBM_ANTNOISE => (1, 1),
        field::LOCK_QUALITY | field::TX_ATTENUATION | field::DB_TX_ATTENUATION => (2, 2),
        field::DBM_TX_POWER | field::ANTENNA | field::DB_ANTSIGNAL | field::DB_ANTNOISE => (1, 1),
        field::RX_FLAGS | field::TX_FLAGS => (2, 2),
        field::RTS_RETRIES | field::DATA_RETRIES => (1, 1),
        field::XCHANNEL => (4, 8),
        field::MCS => (1, 3),
        field::AMPDU_STATUS => (4, 8),
        field::VHT => (2, 12),
        field::TIMESTAMP => (8, 12),
        field::HE | field::HE_MU => (2, 12),
        field::HE_MU_OTHER_USER => (2, 6),
        field::ZERO_LENGTH_PSDU => (1, 1),
        field::L_SIG => (2, 4),
        _ => return None,
    })
}

/// Vendor namespace header: OUI (3), sub-namespace (1), skip_length (u16le).
mod vendor {
    pub const ALIGN: usize = 2;
    pub const LEN: usize = 6;
    pub const SKIP_LENGTH: usize = 4;
}

/// The Extended Channel (XChannel) field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XChannel {
    pub flags: u32,
    pub freq_mhz: u16,
    pub channel: u8,
    pub max_power: u8,
}

/// The radiotap fields ridscope uses. Where a field appears more than once
/// (per-antenna signal in extra radiotap namespaces) the first is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Radiotap {
    /// Header length `it_len`: the 802.11 frame starts at this offset.
    pub len: usize,
    /// MAC timestamp (µs).
    pub tsft: Option<u64>,
    /// The Flags field ([`flags`]).
    pub flags: Option<u8>,
    /// Legacy data rate, units of 500 kb/s.
    pub rate: Option<u8>,
    pub channel_mhz: Option<u16>,
    /// Channel flags ([`channel_flags`]).
    pub channel_flags: Option<u16>,
    pub xchannel: Option<XChannel>,
    /// First dBm antenna signal (normally the combined signal).
    pub dbm_antsignal: Option<i8>,
    /// First dBm antenna noise.
    pub dbm_antnoise: Option<i8>,
    /// First antenna index.
    pub antenna: Option<u8>,
    pub rx_flags: Option<u16>,
    /// HT MCS field: known, flags, MCS index.
    pub mcs: Option<[u8; 3]>,
    /// A VHT field is present.
    pub vht: bool,
    /// An HE field is present.
    pub he: bool,
    /// Field number (bit in its present word) at which parsing stopped
    /// because the field is unknown or runs past `it_len`; `None` if every
    /// present field was read.
    pub stopped_at: Option<u32>,
}

impl Radiotap {
    /// Parses the radiotap header at the start of `buf` (a whole
    /// LINKTYPE_IEEE802_11_RADIOTAP record).
    pub fn parse(buf: &[u8]) -> Result<Radiotap, DecodeError> {
        let hdr = RadiotapHeaderView::new_checked(buf)?;
        if hdr.version() != 0 {
            return Err(DecodeError::unsupported("radiotap", format!("header version {}", hdr.version())));
        }
        let len = usize::from(hdr.it_len());
        if len < RadiotapHeaderView::<&[u8]>::MIN_LEN {
            return Err(DecodeError::sanity("radiotap", format!("header length {len} is less than 8")));
        }
        let h = buf.get(..len).ok_or(DecodeError::length("radiotap header", len, buf.len()))?;
        let mut rt = Radiotap { len, ..Radiotap::default() };

        // Count the present words; the fields start after the last one.
        let mut words = 0usize;
        loop {
            let w = u32_le(h, PRESENT_OFFSET + 4 * words)
                .ok_or_else(|| DecodeError::sanity("radiotap", "present words run past the header length"))?;
            words += 1;
            if w & present::EXT == 0 {
                break;
            }
        }
        let mut cursor = PRESENT_OFFSET + 4 * words;

        let mut in_radiotap_ns = true;
        let mut base = 0u32;
        'words: for i in 0..words {
            let Some(w) = u32_le(h, PRESENT_OFFSET + 4 * i) else { break };
            if in_radiotap_ns {
                for bit in (0..present::FIELD_BITS).filter(|b| w & (1 << b) != 0) {
                    let f = base + bit;
                    let Some((align, size)) = field_layout(f) else {
                        rt.stopped_at = Some(f);
                        break 'words;
                    };
                    let start = cursor.next_multiple_of(align);
                    let Some(v) = h.get(start..start + size) else {
                        rt.stopped_at = Some(f);
                        break 'words;
                    };
                    rt.store(f, v);
                    cursor = start + size;
                }
            }
            match (w & present::RADIOTAP_NAMESPACE != 0, w & present::VENDOR_NAMESPACE != 0) {
                (true, false) => {
                    in_radiotap_ns = true;
                    base = 0;
                }
                (false, true) => {
                    let start = cursor.next_multiple_of(vendor::ALIGN);
                    let skip = h.get(start..start + vendor::LEN).and_then(|v| u16_le(v, vendor::SKIP_LENGTH));
                    let Some(skip) = skip else {
                        rt.stopped_at = Some(field::VENDOR_NAMESPACE);
                        break;
                    };
                    cursor = start + vendor::LEN + usize::from(skip);
                    in_radiotap_ns = false;
                    base = 0;
                }
                (true, true) => {
                    // Both namespace bits: meaningless; stop.
                    rt.stopped_at = Some(field::VENDOR_NAMESPACE);
                    break;
                }
                (false, false) => base += 32,
            }
        }
        Ok(rt)
    }

    fn store(&mut self, f: u32, v: &[u8]) {
        let b = |i: usize| v.get(i).copied();
        match f {
            field::TSFT => self.tsft = v.try_into().ok().map(u64::from_le_bytes),
            field::FLAGS => self.flags = b(0),
            field::RATE => self.rate = b(0),
            field::CHANNEL => {
                self.channel_mhz = u16_le(v, 0);
                self.channel_flags = u16_le(v, 2);
            }
            field::DBM_ANTSIGNAL => self.dbm_antsignal = self.dbm_antsignal.or(b(0).map(|x| x as i8)),
            field::DBM_ANTNOISE => self.dbm_antnoise = self.dbm_antnoise.or(b(0).map(|x| x as i8)),
            field::ANTENNA => self.antenna = self.antenna.or(b(0)),
            field::RX_FLAGS => self.rx_flags = u16_le(v, 0),
            field::XCHANNEL => {
                if let (Some(flags), Some(freq_mhz), Some(channel), Some(max_power)) =
                    (u32_le(v, 0), u16_le(v, 4), b(6), b(7))
                {
                    self.xchannel = Some(XChannel { flags, freq_mhz, channel, max_power });
                }
            }
            field::MCS => self.mcs = v.try_into().ok(),
            field::VHT => self.vht = true,
            field::HE | field::HE_MU => self.he = true,
            _ => {}
        }
    }

    /// The frame ends with its FCS (Flags bit 0x10).
    pub fn fcs_at_end(&self) -> bool {
        self.flags.is_some_and(|f| f & flags::FCS_AT_END != 0)
    }

    /// The capturing device reported a bad FCS (Flags bit 0x40).
    pub fn bad_fcs(&self) -> bool {
        self.flags.is_some_and(|f| f & flags::BAD_FCS != 0)
    }

    /// Centre frequency from the Channel field, else from XChannel.
    pub fn freq_mhz(&self) -> Option<u16> {
        self.channel_mhz.or(self.xchannel.map(|x| x.freq_mhz)).filter(|&f| f != 0)
    }

    /// Legacy data rate in Mb/s.
    pub fn rate_mbps(&self) -> Option<f32> {
        self.rate.filter(|&r| r != 0).map(|r| f32::from(r) * 0.5)
    }

    /// The PHY: from the channel flags when they name exactly one of CCK and
    /// OFDM, else OFDM when an HT/VHT/HE field is present, else from the
    /// legacy rate (1, 2, 5.5, 11 Mb/s are DSSS/CCK).
    pub fn phy(&self) -> Phy {
        let chan_flags = self.channel_flags.or(self.xchannel.map(|x| x.flags as u16));
        if let Some(cf) = chan_flags {
            match (cf & channel_flags::CCK != 0, cf & channel_flags::OFDM != 0) {
                (true, false) => return Phy::WifiDsss,
                (false, true) => return Phy::WifiOfdm,
                _ => {}
            }
        }
        if self.mcs.is_some() || self.vht || self.he {
            return Phy::WifiOfdm;
        }
        match self.rate {
            Some(2 | 4 | 11 | 22) => Phy::WifiDsss,
            Some(0) | None => Phy::Unknown,
            Some(_) => Phy::WifiOfdm,
        }
    }
}

fn u16_le(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(off..off.checked_add(2)?)?.try_into().ok()?))
}

fn u32_le(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off.checked_add(4)?)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_header() {
        let rt = Radiotap::parse(&[0, 0, 8, 0, 0, 0, 0, 0, 0x80, 0]).unwrap();
        assert_eq!(rt, Radiotap { len: 8, ..Radiotap::default() });
    }

    #[test]
    fn header_errors() {
        assert_eq!(Radiotap::parse(&[0, 0, 8]).unwrap_err().kind(), crate::error::ErrorKind::Length);
        assert_eq!(
            Radiotap::parse(&[1, 0, 8, 0, 0, 0, 0, 0]).unwrap_err().kind(),
            crate::error::ErrorKind::Unsupported
        );
        assert_eq!(Radiotap::parse(&[0, 0, 4, 0, 0, 0, 0, 0]).unwrap_err().kind(), crate::error::ErrorKind::Sanity);
        // it_len beyond the buffer.
        assert_eq!(Radiotap::parse(&[0, 0, 12, 0, 0, 0, 0, 0]).unwrap_err().kind(), crate::error::ErrorKind::Length);
        // Ext bit set but no room for a second present word.
        assert_eq!(Radiotap::parse(&[0, 0, 8, 0, 0, 0, 0, 0x80]).unwrap_err().kind(), crate::error::ErrorKind::Sanity);
    }

    /// The edri capture layout: three present words, the second and third in
    /// a restarted radiotap namespace; TSFT alignment, timestamp alignment
    /// and repeated antenna signal fields (first kept).
    #[test]
    fn extended_present_words_and_alignment() {
        // Frame 1 of edri_latency-test-YS7.pcapng.
        let h: Vec<u8> = [
            &[0x00, 0x00, 0x38, 0x00][..],
            &0xa040_402fu32.to_le_bytes(),
            &0xa000_0820u32.to_le_bytes(),
            &0x0000_0820u32.to_le_bytes(),
            &0x05f7_82d6u64.to_le_bytes(), // TSFT at 16 (aligned to 8)
            &[0x10, 0x02],                 // flags, rate at 24, 25
            &2437u16.to_le_bytes(),        // channel at 26 (aligned to 2)
            &0x00a0u16.to_le_bytes(),
            &[0xd9, 0x00],       // dBm antsignal -39 at 30, pad
            &0u16.to_le_bytes(), // RX flags at 32
            &[0; 6],             // pad to 40 for the timestamp
            &[0xf2, 0xdb, 0xf7, 0x05, 0, 0, 0, 0, 0x16, 0x00, 0x11, 0x03],
            &[0xd9, 0x00, 0xcb, 0x01], // word 2: antsignal, antenna; word 3: antsignal, antenna
        ]
        .concat();
        assert_eq!(h.len(), 56);
        let rt = Radiotap::parse(&h).unwrap();
        assert_eq!(rt.len, 56);
        assert_eq!(rt.stopped_at, None);
        assert_eq!(rt.tsft, Some(100_106_966));
        assert_eq!(rt.flags, Some(0x10));
        assert!(rt.fcs_at_end() && !rt.bad_fcs());
        assert_eq!(rt.rate_mbps(), Some(1.0));
        assert_eq!(rt.freq_mhz(), Some(2437));
        assert_eq!(rt.channel_flags, Some(0x00a0));
        assert_eq!(rt.phy(), Phy::WifiDsss);
        assert_eq!(rt.dbm_antsignal, Some(-39));
        assert_eq!(rt.antenna, Some(0));
        assert_eq!(rt.rx_flags, Some(0));
    }

    /// With two present words the fields start at 12, so an 8-aligned TSFT
    /// goes to 16: alignment counts from the header start, not the data.
    #[test]
    fn alignment_is_relative_to_header_start() {
        let mut h = vec![0, 0, 36, 0];
        h.extend((1u32 << field::TSFT | 1 << field::FLAGS | 1 << field::XCHANNEL | present::EXT).to_le_bytes());
        h.extend(0u32.to_le_bytes());
        h.extend([0xEE; 4]); // pad 12..16
        h.extend(0x1122_3344_5566_7788u64.to_le_bytes());
        h.extend([0x40, 0xEE, 0xEE, 0xEE]); // flags = bad FCS at 24, pad to 28
        h.extend(0x0000_0140u32.to_le_bytes()); // xchannel flags: OFDM | 5 GHz
        h.extend(5745u16.to_le_bytes());
        h.extend([149, 20]);
        assert_eq!(h.len(), 36);
        let rt = Radiotap::parse(&h).unwrap();
        assert_eq!(rt.stopped_at, None);
        assert_eq!(rt.tsft, Some(0x1122_3344_5566_7788));
        assert!(rt.bad_fcs() && !rt.fcs_at_end());
        assert_eq!(rt.xchannel, Some(XChannel { flags: 0x140, freq_mhz: 5745, channel: 149, max_power: 20 }));
        assert_eq!(rt.freq_mhz(), Some(5745));
        assert_eq!(rt.phy(), Phy::WifiOfdm);
    }

    #[test]
    fn vendor_namespace_is_skipped() {
        // Word 0: Flags, vendor namespace next, ext.
        // Word 1 (vendor): arbitrary bits, radiotap namespace next, ext.
        // Word 2 (radiotap, restarted): Rate, dBm antsignal.
        let mut h = vec![0, 0, 0, 0];
        h.extend((1u32 << field::FLAGS | present::VENDOR_NAMESPACE | present::EXT).to_le_bytes());
        h.extend((0x0000_ffffu32 | present::RADIOTAP_NAMESPACE | present::EXT).to_le_bytes());
        h.extend((1u32 << field::RATE | 1 << field::DBM_ANTSIGNAL).to_le_bytes());
        h.push(0x10); // flags at 16
        h.push(0xAA); // pad: vendor header is 2-aligned, at 18
        h.extend([0x00, 0x11, 0x22, 0x01]); // OUI, sub-namespace
        h.extend(5u16.to_le_bytes()); // skip_length
        h.extend([0xFF; 5]); // vendor data 24..29
        h.extend([12, 0xC4u8]); // rate 6 Mb/s, signal -60
        let n = h.len() as u16;
        h[2..4].copy_from_slice(&n.to_le_bytes());
        let rt = Radiotap::parse(&h).unwrap();
        assert_eq!(rt.stopped_at, None);
        assert_eq!(rt.flags, Some(0x10));
        assert_eq!(rt.rate, Some(12));
        assert_eq!(rt.dbm_antsignal, Some(-60));
        assert_eq!(rt.phy(), Phy::WifiOfdm);
    }

    #[test]
    fn unknown_field_stops_but_keeps_earlier_fields() {
        // Flags and Rate, then field 32 (an extension word continuing the
        // radiotap namespace), which no standard defines.
        let mut h = vec![0, 0, 0, 0];
        h.extend((1u32 << field::FLAGS | 1 << field::RATE | present::EXT).to_le_bytes());
        h.extend(1u32.to_le_bytes()); // field 32: unknown
        h.extend([0x10, 4, 0, 0]);
        let n = h.len() as u16;
        h[2..4].copy_from_slice(&n.to_le_bytes());
        let rt = Radiotap::parse(&h).unwrap();
        assert_eq!(rt.flags, Some(0x10));
        assert_eq!(rt.rate, Some(4));
        assert_eq!(rt.stopped_at, Some(32));
        assert_eq!(rt.phy(), Phy::WifiDsss);
    }

    #[test]
    fn field_past_header_end_stops() {
        // TSFT claimed but the header is only 12 bytes.
        let mut h = vec![0, 0, 12, 0];
        h.extend((1u32 << field::TSFT | 1 << field::FLAGS).to_le_bytes());
        h.extend([0; 4]);
        h.extend([0xAA; 8]); // frame bytes, not header
        let rt = Radiotap::parse(&h).unwrap();
        assert_eq!(rt.tsft, None);
        assert_eq!(rt.stopped_at, Some(field::TSFT));
        assert_eq!(rt.len, 12);
    }

    #[test]
    fn every_standard_field_has_a_layout() {
        for f in 0..=27 {
            assert!(field_layout(f).is_some(), "field {f}");
        }
        assert_eq!(field_layout(28), None);
        assert_eq!(field_layout(field::XCHANNEL), Some((4, 8)));
        assert_eq!(field_layout(field::TIMESTAMP), Some((8, 12)));
        assert_eq!(field_layout(field::HE_MU_OTHER_USER), Some((2, 6)));
    }
}
