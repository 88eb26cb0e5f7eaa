//! Writing captures: a pcapng writer and the inverse of
//! [`record_to_frame`](super::record_to_frame) for BLE (link type 256) and
//! 802.11 (radiotap, link type 127), so frames can be stored and read back
//! without DSP.

use std::io::{self, Write};

use super::ble::phdr_flags;
use super::linktype;
use crate::frame::{Frame, LinkType, Phy, ble_channel_freq_hz};

/// Streams a pcapng file: one section, interfaces added on demand,
/// nanosecond timestamps.
pub struct PcapngWriter<W: Write> {
    w: W,
    interfaces: Vec<u32>,
}

fn pad4(n: usize) -> usize {
    (4 - n % 4) % 4
}

impl<W: Write> PcapngWriter<W> {
    /// Writes the section header block.
    pub fn new(mut w: W) -> io::Result<Self> {
        let mut b = Vec::with_capacity(28);
        b.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
        b.extend_from_slice(&28u32.to_le_bytes());
        b.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&(-1i64).to_le_bytes()); // section length unknown
        b.extend_from_slice(&28u32.to_le_bytes());
        w.write_all(&b)?;
        Ok(PcapngWriter { w, interfaces: Vec::new() })
    }

    /// The interface for `linktype`, adding it on first use.
    pub fn interface(&mut self, linktype: u32) -> io::Result<u32> {
        if let Some(i) = self.interfaces.iter().position(|&l| l == linktype) {
            return Ok(i as u32);
        }
        let linktype16 = u16::try_from(linktype).map_err(|_| io::Error::other("link type > 65535"))?;
        // IDB: linktype, reserved, snaplen 0 (unlimited), if_tsresol = 9, end of options
        let mut b = Vec::with_capacity(32);
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&32u32.to_le_bytes());
        b.extend_from_slice(&linktype16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&9u16.to_le_bytes()); // if_tsresol
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&[9, 0, 0, 0]); // 10^-9 s, padded
        b.extend_from_slice(&0u32.to_le_bytes()); // opt_endofopt
        b.extend_from_slice(&32u32.to_le_bytes());
        self.w.write_all(&b)?;
        self.interfaces.push(linktype);
        Ok(self.interfaces.len() as u32 - 1)
    }

    /// Writes one packet (an enhanced packet block).
    pub fn packet(&mut self, linktype: u32, unix_ns: i128, data: &[u8]) -> io::Result<()> {
        let iface = self.interface(linktype)?;
        let ts = u64::try_from(unix_ns).map_err(|_| io::Error::other("timestamp before 1970"))?;
        let cap = u32::try_from(data.len()).map_err(|_| io::Error::other("packet too large"))?;
        let total = 32 + data.len() + pad4(data.len());
        let mut b = Vec::with_capacity(total);
        b.extend_from_slice(&6u32.to_le_bytes());
        b.extend_from_slice(&(total as u32).to_le_bytes());
        b.extend_from_slice(&iface.to_le_bytes());
        b.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(ts as u32).to_le_bytes());
        b.extend_from_slice(&cap.to_le_bytes());
        b.extend_from_slice(&cap.to_le_bytes());
        b.extend_from_slice(data);
        b.extend(std::iter::repeat_n(0u8, pad4(data.len())));
        b.extend_from_slice(&(total as u32).to_le_bytes());
        self.w.write_all(&b)
    }

    /// Writes a frame in the link type that keeps its metadata (see
    /// [`frame_to_record`]); `unix_ns` defaults to the frame's own time.
    pub fn frame(&mut self, f: &Frame, unix_ns: i128) -> io::Result<()> {
        let (lt, data) = frame_to_record(f)?;
        self.packet(lt, f.meta.unix_ns.unwrap_or(unix_ns), &data)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    pub fn into_inner(self) -> W {
        self.w
    }
}

/// Encodes a frame as a pcap record: BLE as LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR
/// (channel, signal, CRC verdict and PHY in the 10-byte header; the coding
/// indicator after the access address for the Coded PHY), 802.11 behind a
/// radiotap header (flags with "FCS at end", rate, channel, dBm signal).
pub fn frame_to_record(f: &Frame) -> io::Result<(u32, Vec<u8>)> {
    let m = &f.meta;
    match m.link {
        LinkType::BleLl => {
            if !m.fcs_included {
                return Err(io::Error::other("BLE frames are stored with their CRC"));
            }
            let rf = m
                .channel
                .and_then(|c| u8::try_from(c).ok())
                .and_then(ble_channel_freq_hz)
                .map(|hz| ((hz / 1e6 - 2402.0) / 2.0).round() as u8)
                .unwrap_or(0);
            let (phy, ci) = match m.phy {
                Phy::Ble2m => (1u16, None),
                Phy::BleCodedS8 => (2, Some(0u8)),
                Phy::BleCodedS2 => (2, Some(1)),
                _ => (0, None),
            };
            let mut flags = phdr_flags::DEWHITENED | phdr_flags::REF_AA_VALID | phy << 14;
            // dBm when calibrated, else the dBFS of IQ inputs (documented)
            let signal =
                m.rssi_dbm.or(m.rssi_dbfs).filter(|r| r.is_finite()).map(|r| r.round().clamp(-128.0, 127.0) as i8);
            if signal.is_some() {
                flags |= phdr_flags::SIGNAL_VALID;
            }
            if let Some(ok) = m.crc_ok_at_capture {
                flags |= phdr_flags::CRC_CHECKED | if ok { phdr_flags::CRC_VALID } else { 0 };
            }
            let aa = m.access_address.unwrap_or(crate::link::ble::ADV_ACCESS_ADDRESS);
            let mut d = Vec::with_capacity(15 + f.bytes.len());
            d.push(rf);
            d.push(signal.unwrap_or(0) as u8);
            d.push(0); // noise
            d.push(0); // access address offenses
            d.extend_from_slice(&aa.to_le_bytes());
            d.extend_from_slice(&flags.to_le_bytes());
            d.extend_from_slice(&aa.to_le_bytes());
            if let Some(ci) = ci {
                d.push(ci);
            }
            d.extend_from_slice(&f.bytes);
            Ok((linktype::BLUETOOTH_LE_LL_WITH_PHDR, d))
        }
        LinkType::Ieee80211 => {
            // present: Flags (1), Rate (2), Channel (3), dBm antenna signal (5)
            let mut d = vec![0u8, 0, 15, 0];
            d.extend_from_slice(&0x0000_002Eu32.to_le_bytes());
            let mut flags = 0u8;
            if m.fcs_included {
                flags |= 0x10;
            }
            if m.crc_ok_at_capture == Some(false) {
                flags |= 0x40;
            }
            d.push(flags);
            d.push(m.rate_mbps.map(|r| (r * 2.0).round().clamp(0.0, 255.0) as u8).unwrap_or(0));
            let mhz = m.freq_hz.map(|f| (f / 1e6).round() as u16).unwrap_or(0);
            let chan_flags: u16 = match (m.phy, mhz) {
                (Phy::WifiOfdm, 5000..) => 0x0140,
                (Phy::WifiOfdm, _) => 0x00C0,
                _ => 0x00A0, // CCK, 2 GHz
            };
            d.extend_from_slice(&mhz.to_le_bytes());
            d.extend_from_slice(&chan_flags.to_le_bytes());
            let signal = m.rssi_dbm.or(m.rssi_dbfs).filter(|r| r.is_finite());
            d.push(signal.map(|r| r.round().clamp(-128.0, 127.0) as i8).unwrap_or(0) as u8);
            d.extend_from_slice(&f.bytes);
            Ok((linktype::IEEE802_11_RADIOTAP, d))
        }
        LinkType::DjiOcusync => {
            let mut flags = 0u8;
            let mut put = |v: Option<f32>, bit: u8| {
                if v.is_some_and(f32::is_finite) {
                    flags |= bit;
                }
                v.filter(|x| x.is_finite()).unwrap_or(0.0)
            };
            let rssi_dbfs = put(m.rssi_dbfs, ocusync_hdr::RSSI_DBFS);
            let rssi_dbm = put(m.rssi_dbm, ocusync_hdr::RSSI_DBM);
            let snr = put(m.snr_db, ocusync_hdr::SNR);
            let cfo = put(m.cfo_hz, ocusync_hdr::CFO);
            let khz = m.freq_hz.filter(|f| f.is_finite() && *f >= 0.0 && *f / 1e3 < f64::from(u32::MAX));
            if khz.is_some() {
                flags |= ocusync_hdr::FREQ;
            }
            let mut d = Vec::with_capacity(ocusync_hdr::LEN + f.bytes.len());
            d.extend_from_slice(&ocusync_hdr::MAGIC);
            d.push(ocusync_hdr::VERSION);
            d.push(flags);
            d.extend_from_slice(&(ocusync_hdr::LEN as u16).to_le_bytes());
            d.extend_from_slice(&khz.map_or(0, |f| (f / 1e3).round() as u32).to_le_bytes());
            for v in [rssi_dbfs, rssi_dbm, snr, cfo] {
                d.extend_from_slice(&v.to_le_bytes());
            }
            d.extend_from_slice(&f.bytes);
            Ok((linktype::USER0, d))
        }
    }
}

/// The header ridscope puts before a DJI OcuSync code block in a pcap
/// record (link type 147, LINKTYPE_USER0; docs/DATA_FORMAT.md, "PCAP
/// output"). All fields little-endian:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `RSDJ` |
/// | 4 | 1 | version (1) |
/// | 5 | 1 | flags: which of the fields below are valid |
/// | 6 | 2 | header length (28) |
/// | 8 | 4 | burst centre frequency, kHz (u32) |
/// | 12 | 4 | RSSI, dBFS (f32) |
/// | 16 | 4 | RSSI, dBm (f32) |
/// | 20 | 4 | SNR, dB (f32) |
/// | 24 | 4 | carrier offset, Hz (f32) |
/// | 28 | … | the code block (176 bytes after descrambling) |
pub mod ocusync_hdr {
    pub const MAGIC: [u8; 4] = *b"RSDJ";
    pub const VERSION: u8 = 1;
    pub const LEN: usize = 28;
    pub const FREQ: u8 = 0x01;
    pub const RSSI_DBFS: u8 = 0x02;
    pub const RSSI_DBM: u8 = 0x04;
    pub const SNR: u8 = 0x08;
    pub const CFO: u8 = 0x10;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::PhyMeta;
    use crate::pcap::{PcapReader, record_to_frame};

    #[test]
    fn frames_survive_a_pcapng_round_trip() {
        let mut ble = PhyMeta::new(LinkType::BleLl, Phy::BleCodedS8);
        ble.fcs_included = true;
        ble.channel = Some(22);
        ble.rssi_dbm = Some(-61.0);
        ble.access_address = Some(crate::link::ble::ADV_ACCESS_ADDRESS);
        ble.crc_ok_at_capture = Some(true);
        let mut wifi = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
        wifi.fcs_included = true;
        wifi.channel = Some(6);
        wifi.freq_hz = Some(2437e6);
        wifi.rate_mbps = Some(1.0);
        wifi.rssi_dbm = Some(-40.0);
        let frames = [
            Frame { bytes: vec![0x42, 0x00, 1, 2, 3], meta: ble },
            Frame { bytes: vec![0x80, 0, 0, 0, 9, 9, 9, 9], meta: wifi },
        ];
        let mut w = PcapngWriter::new(Vec::new()).unwrap();
        for (i, f) in frames.iter().enumerate() {
            w.frame(f, 1_700_000_000_000_000_000 + i as i128 * 1_000_000).unwrap();
        }
        let bytes = w.into_inner();
        let recs: Vec<_> = PcapReader::new(&bytes[..]).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(recs.len(), 2);
        for (r, f) in recs.iter().zip(&frames) {
            let back = record_to_frame(r, Some(1_700_000_000_000_000_000)).unwrap();
            assert_eq!(back.bytes, f.bytes);
            let (a, b) = (&back.meta, &f.meta);
            assert_eq!((a.link, a.phy, a.channel, a.rssi_dbm), (b.link, b.phy, b.channel, b.rssi_dbm));
            assert_eq!((a.fcs_included, a.rate_mbps), (b.fcs_included, b.rate_mbps));
        }
        assert_eq!(recs[1].unix_ns, Some(1_700_000_000_001_000_000));
    }
}
