//! The hand-off between the PHY demodulators (or a pcap reader) and the
//! link/protocol decoders: a [`Frame`] is the bytes of one link-layer frame
//! plus what the radio knew about it ([`PhyMeta`]).

use serde::Serialize;

/// What the bytes of a [`Frame`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    /// A BLE link-layer PDU (header + payload), optionally followed by its
    /// 3-byte CRC ([`PhyMeta::fcs_included`]). The access address, and for
    /// the Coded PHY the coding indicator, are in [`PhyMeta`].
    BleLl,
    /// An IEEE 802.11 MAC frame, optionally followed by its 4-byte FCS.
    Ieee80211,
    /// A DJI OcuSync DroneID code block after turbo decoding: 176 bytes, the
    /// last 3 the CRC-24A.
    DjiOcusync,
}

/// The physical layer a frame was received on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phy {
    Ble1m,
    Ble2m,
    /// LE Coded, S=8 (coding indicator 0).
    BleCodedS8,
    /// LE Coded, S=2 (coding indicator 1).
    BleCodedS2,
    /// 802.11b DSSS/CCK.
    WifiDsss,
    /// 802.11a/g OFDM (non-HT) or later.
    WifiOfdm,
    /// DJI OcuSync DroneID OFDM burst.
    Ocusync,
    Unknown,
}

/// What the receiver knew about a frame. Every field but `link` and `phy` is
/// optional: a pcap record carries some, a demodulator all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhyMeta {
    pub link: LinkType,
    pub phy: Phy,
    /// Seconds since the start of the capture (sample time for IQ inputs,
    /// since the first record for pcaps). Never the wall clock.
    pub time_s: f64,
    /// Absolute receive time, Unix nanoseconds, when the input gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unix_ns: Option<i128>,
    /// Index of the first sample of the frame in the IQ stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<u64>,
    /// 1-based record number in the pcap the frame was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_no: Option<u64>,
    /// BLE channel index (0..39) or Wi-Fi channel number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freq_hz: Option<f64>,
    /// Wi-Fi data rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_mbps: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rssi_dbm: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rssi_dbfs: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise_dbm: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snr_db: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfo_hz: Option<f32>,
    /// BLE access address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_address: Option<u32>,
    /// The bytes end with the link CRC (BLE, 3 bytes) or FCS (802.11, 4 bytes).
    pub fcs_included: bool,
    /// The capturing device's own verdict on the CRC/FCS, if it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crc_ok_at_capture: Option<bool>,
}

impl PhyMeta {
    pub fn new(link: LinkType, phy: Phy) -> Self {
        PhyMeta {
            link,
            phy,
            time_s: 0.0,
            unix_ns: None,
            sample: None,
            frame_no: None,
            channel: None,
            freq_hz: None,
            rate_mbps: None,
            rssi_dbm: None,
            rssi_dbfs: None,
            noise_dbm: None,
            snr_db: None,
            cfo_hz: None,
            access_address: None,
            fcs_included: false,
            crc_ok_at_capture: None,
        }
    }
}

/// One link-layer frame and its reception metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub bytes: Vec<u8>,
    pub meta: PhyMeta,
}

/// BLE channel index to centre frequency (Hz).
pub fn ble_channel_freq_hz(index: u8) -> Option<f64> {
    let mhz = match index {
        37 => 2402,
        38 => 2426,
        39 => 2480,
        0..=10 => 2404 + 2 * index as u32,
        11..=36 => 2428 + 2 * (index as u32 - 11),
        _ => return None,
    };
    Some(mhz as f64 * 1e6)
}

/// Wi-Fi channel number from a centre frequency in MHz (2.4, 5 and 6 GHz bands).
pub fn wifi_channel_from_mhz(mhz: u32) -> Option<u16> {
    match mhz {
        2484 => Some(14),
        2412..=2472 if (mhz - 2407).is_multiple_of(5) => Some(((mhz - 2407) / 5) as u16),
        5000..=5895 if mhz.is_multiple_of(5) => Some(((mhz - 5000) / 5) as u16),
        5955..=7115 if (mhz - 5950).is_multiple_of(5) => Some(((mhz - 5950) / 5) as u16),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels() {
        assert_eq!(ble_channel_freq_hz(37), Some(2402e6));
        assert_eq!(ble_channel_freq_hz(0), Some(2404e6));
        assert_eq!(ble_channel_freq_hz(10), Some(2424e6));
        assert_eq!(ble_channel_freq_hz(11), Some(2428e6));
        assert_eq!(ble_channel_freq_hz(36), Some(2478e6));
        assert_eq!(ble_channel_freq_hz(40), None);
        assert_eq!(wifi_channel_from_mhz(2437), Some(6));
        assert_eq!(wifi_channel_from_mhz(5745), Some(149));
        assert_eq!(wifi_channel_from_mhz(2484), Some(14));
        assert_eq!(wifi_channel_from_mhz(2438), None);
    }
}
