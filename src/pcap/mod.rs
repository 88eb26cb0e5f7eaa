//! Capture files: read pcap and pcapng files and turn their records into
//! [`Frame`]s.
//!
//! [`PcapReader`] streams [`Record`]s (container level: link type, timestamp,
//! bytes); [`record_to_frame`] strips the link-type pseudo-header and fills
//! [`PhyMeta`] from it:
//!
//! | link type | value | frame bytes | metadata |
//! |---|---|---|---|
//! | [`linktype::IEEE802_11`] | 105 | 802.11 MAC frame, no FCS | none |
//! | [`linktype::IEEE802_11_RADIOTAP`] | 127 | 802.11 MAC frame (+ FCS if flagged) | [`radiotap`] |
//! | [`linktype::BLUETOOTH_LE_LL`] | 251 | BLE PDU + CRC | access address, LE 1M |
//! | [`linktype::BLUETOOTH_LE_LL_WITH_PHDR`] | 256 | BLE PDU + CRC | channel, RSSI, noise, CRC verdict, PHY |
//! | [`linktype::NORDIC_BLE`] | 272 | BLE PDU + CRC | channel, RSSI, CRC verdict, PHY |
//!
//! ```no_run
//! use ridscope::pcap::{PcapReader, record_to_frame};
//! let mut start = None;
//! for rec in PcapReader::open("capture.pcapng")? {
//!     let rec = rec?;
//!     start = start.or(rec.unix_ns);
//!     match record_to_frame(&rec, start) {
//!         Ok(frame) => println!("{} {:?}", rec.frame_no, frame.meta.phy),
//!         Err(e) => eprintln!("frame {}: {e}", rec.frame_no),
//!     }
//! }
//! # Ok::<(), ridscope::pcap::PcapError>(())
//! ```

use crate::error::DecodeError;
use crate::frame::{Frame, LinkType, Phy, PhyMeta, wifi_channel_from_mhz};

pub mod ble;
pub mod radiotap;
mod reader;
pub mod writer;

pub use reader::{MAX_BLOCK_LEN, PcapError, PcapReader, Record, is_pcap_magic};
pub use writer::{PcapngWriter, frame_to_record};

/// The LINKTYPE_* values [`record_to_frame`] understands (tcpdump.org numbering).
pub mod linktype {
    /// Raw IEEE 802.11, no FCS.
    pub const IEEE802_11: u32 = 105;
    /// IEEE 802.11 behind a radiotap header.
    pub const IEEE802_11_RADIOTAP: u32 = 127;
    /// BLE link-layer packet (access address, PDU, CRC).
    pub const BLUETOOTH_LE_LL: u32 = 251;
    /// BLE link-layer packet behind a 10-byte pseudo-header.
    pub const BLUETOOTH_LE_LL_WITH_PHDR: u32 = 256;
    /// nRF Sniffer for Bluetooth LE.
    pub const NORDIC_BLE: u32 = 272;
    /// User link type 0: ridscope's DJI OcuSync code blocks behind the
    /// header of [`writer::ocusync_hdr`](super::writer::ocusync_hdr).
    pub const USER0: u32 = 147;
}

/// Converts one record into a [`Frame`] according to its link type.
///
/// `capture_start_ns` is the Unix time (ns) that `meta.time_s` counts from,
/// normally the first record's `unix_ns`; `time_s` is 0 when either is
/// unknown. Fails with [`DecodeError::Unsupported`] for other link types and
/// with a length, sanity or unsupported error for a pseudo-header that does
/// not parse.
pub fn record_to_frame(rec: &Record, capture_start_ns: Option<i128>) -> Result<Frame, DecodeError> {
    let mut frame = match rec.linktype {
        linktype::IEEE802_11 => {
            Frame { bytes: rec.data.clone(), meta: PhyMeta::new(LinkType::Ieee80211, Phy::Unknown) }
        }
        linktype::IEEE802_11_RADIOTAP => radiotap_frame(&rec.data)?,
        linktype::BLUETOOTH_LE_LL => ble::le_ll(&rec.data)?,
        linktype::BLUETOOTH_LE_LL_WITH_PHDR => ble::le_ll_with_phdr(&rec.data)?,
        linktype::NORDIC_BLE => ble::nordic_ble(&rec.data)?,
        linktype::USER0 => ocusync_frame(&rec.data)?,
        other => return Err(DecodeError::unsupported("pcap record", format!("link type {other}"))),
    };
    frame.meta.frame_no = Some(rec.frame_no);
    frame.meta.unix_ns = rec.unix_ns;
    if let (Some(t), Some(t0)) = (rec.unix_ns, capture_start_ns) {
        frame.meta.time_s = (t - t0) as f64 / 1e9;
    }
    Ok(frame)
}

/// A DJI OcuSync code block behind ridscope's header (link type USER0).
fn ocusync_frame(data: &[u8]) -> Result<Frame, DecodeError> {
    use writer::ocusync_hdr as h;
    if data.len() < h::LEN {
        return Err(DecodeError::length("OcuSync pcap header", h::LEN, data.len()));
    }
    if data[..4] != h::MAGIC {
        return Err(DecodeError::unsupported("pcap record", "link type 147 without ridscope's RSDJ header"));
    }
    if data[4] != h::VERSION {
        return Err(DecodeError::unsupported("OcuSync pcap header", format!("version {}", data[4])));
    }
    let flags = data[5];
    let hlen = usize::from(u16::from_le_bytes([data[6], data[7]]));
    if hlen < h::LEN || hlen > data.len() {
        return Err(DecodeError::sanity("OcuSync pcap header", format!("header length {hlen}")));
    }
    let f32_at = |o: usize| f32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]);
    let valid = |bit: u8, v: f32| (flags & bit != 0 && v.is_finite()).then_some(v);
    let mut meta = PhyMeta::new(LinkType::DjiOcusync, Phy::Ocusync);
    if flags & h::FREQ != 0 {
        meta.freq_hz = Some(f64::from(u32::from_le_bytes([data[8], data[9], data[10], data[11]])) * 1e3);
    }
    meta.rssi_dbfs = valid(h::RSSI_DBFS, f32_at(12));
    meta.rssi_dbm = valid(h::RSSI_DBM, f32_at(16));
    meta.snr_db = valid(h::SNR, f32_at(20));
    meta.cfo_hz = valid(h::CFO, f32_at(24));
    meta.fcs_included = true;
    Ok(Frame { bytes: data[hlen..].to_vec(), meta })
}

fn radiotap_frame(data: &[u8]) -> Result<Frame, DecodeError> {
    let rt = radiotap::Radiotap::parse(data)?;
    let mut meta = PhyMeta::new(LinkType::Ieee80211, rt.phy());
    if let Some(mhz) = rt.freq_mhz() {
        meta.freq_hz = Some(f64::from(mhz) * 1e6);
        meta.channel = wifi_channel_from_mhz(u32::from(mhz));
    }
    meta.rate_mbps = rt.rate_mbps();
    meta.rssi_dbm = rt.dbm_antsignal.map(f32::from);
    meta.noise_dbm = rt.dbm_antnoise.map(f32::from);
    meta.fcs_included = rt.fcs_at_end();
    if rt.bad_fcs() {
        meta.crc_ok_at_capture = Some(false);
    }
    let bytes = data.get(rt.len..).unwrap_or_default().to_vec();
    Ok(Frame { bytes, meta })
}

/// Reads a capture from memory and converts every record, ignoring all
/// errors. For fuzzing: it must never panic, whatever the input.
pub fn fuzz_read_all(bytes: &[u8]) {
    let Ok(reader) = PcapReader::new(bytes) else { return };
    let mut start = None;
    for rec in reader.flatten() {
        start = start.or(rec.unix_ns);
        let _ = record_to_frame(&rec, start);
    }
}

#[cfg(test)]
mod tests;
