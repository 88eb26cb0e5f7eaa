//! The receivers a pipeline runs, one [`Rx`] per PHY and tuning.

use crate::frame::Frame;
use crate::phy::ble::{AuxScan, BleReceiver, BleRxConfig, PhyStats};
use crate::phy::ocusync::{OcuStats, OcusyncReceiver};
use crate::phy::wifi_dsss::{DsssReceiver, DsssRxConfig, DsssStats};

/// The receivers that can run on a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum PhyChoice {
    /// Remote ID over BLE 1M (legacy advertising).
    Ble,
    /// DJI DroneID on OcuSync (captures of 15.36 MS/s and more).
    Dji,
    /// Wi-Fi 802.11b DSSS, 1 and 2 Mb/s (captures of 11 MS/s and more;
    /// the --wifi-channels inside the band).
    Wifi,
}

impl PhyChoice {
    /// Short name for messages: `BLE`, `DJI`, `Wi-Fi`.
    pub fn as_str(self) -> &'static str {
        match self {
            PhyChoice::Ble => "BLE",
            PhyChoice::Dji => "DJI",
            PhyChoice::Wifi => "Wi-Fi",
        }
    }
}

/// What to receive: the PHYs and their channel lists.
#[derive(Debug, Clone, PartialEq)]
pub struct RxSettings {
    pub phys: Vec<PhyChoice>,
    /// BLE channel indices (those inside the band are received).
    pub channels: Vec<u8>,
    /// Wi-Fi channels 1..=14 (those inside the band are received).
    pub wifi_channels: Vec<u16>,
    /// How BLE data channels are searched for auxiliary packets.
    pub aux_scan: AuxScan,
}

/// One PHY receiver.
pub enum Rx {
    Ble(BleReceiver),
    Dji(Box<OcusyncReceiver>),
    Wifi(DsssReceiver),
}

impl Rx {
    /// Builds the receiver of `phy` for a stream at `fs` centred on
    /// `center_hz`, or says why it cannot run there.
    pub fn build(phy: PhyChoice, s: &RxSettings, fs: f64, center_hz: Option<f64>) -> Result<Rx, String> {
        match phy {
            PhyChoice::Ble => {
                let mut c = BleRxConfig::new(fs, center_hz);
                c.channels = s.channels.clone();
                c.aux_scan = s.aux_scan;
                BleReceiver::new(&c).map(Rx::Ble)
            }
            PhyChoice::Dji => OcusyncReceiver::new(fs, center_hz).map(|r| Rx::Dji(Box::new(r))),
            PhyChoice::Wifi => {
                let mut c = DsssRxConfig::new(fs, center_hz);
                c.channels = s.wifi_channels.clone();
                DsssReceiver::new(&c).map(Rx::Wifi)
            }
        }
    }

    pub fn phy(&self) -> PhyChoice {
        match self {
            Rx::Ble(_) => PhyChoice::Ble,
            Rx::Dji(_) => PhyChoice::Dji,
            Rx::Wifi(_) => PhyChoice::Wifi,
        }
    }

    /// Processes a block; appends the frames decoded.
    pub fn process(&mut self, re: &[f32], im: &[f32], out: &mut Vec<Frame>) {
        match self {
            Rx::Ble(r) => r.process(re, im, out),
            Rx::Dji(r) => r.process(re, im, out),
            Rx::Wifi(r) => r.process(re, im, out),
        }
    }

    /// Flushes what is still in the receiver at the end of the stream.
    pub fn finish(&mut self, out: &mut Vec<Frame>) {
        match self {
            Rx::Ble(r) => r.finish(out),
            Rx::Dji(r) => r.finish(out),
            Rx::Wifi(r) => r.finish(out),
        }
    }

    /// Adds this receiver's counters to `t`.
    pub fn add_stats(&self, t: &mut RxTotals) {
        match self {
            Rx::Ble(r) => {
                let (a, b) = (t.ble.get_or_insert_with(PhyStats::default), &r.stats);
                a.samples += b.samples;
                a.sync_candidates += b.sync_candidates;
                a.sync_rejected += b.sync_rejected;
                a.crc_errors += b.crc_errors;
                a.packets += b.packets;
                a.coded_candidates += b.coded_candidates;
                a.coded_rejected += b.coded_rejected;
                a.coded_reserved_ci += b.coded_reserved_ci;
                a.coded_crc_errors += b.coded_crc_errors;
                a.coded_packets += b.coded_packets;
                a.guided_searches += b.guided_searches;
                a.guided_expired += b.guided_expired;
                a.aux.merge(&b.aux);
            }
            Rx::Dji(r) => {
                let (a, b) = (t.dji.get_or_insert_with(OcuStats::default), &r.stats);
                a.samples += b.samples;
                a.candidates += b.candidates;
                a.rejected += b.rejected;
                a.crc_errors += b.crc_errors;
                a.bursts += b.bursts;
                a.partial += b.partial;
                a.duplicates += b.duplicates;
            }
            Rx::Wifi(r) => {
                let (a, b) = (t.wifi.get_or_insert_with(DsssStats::default), &r.stats);
                a.samples += b.samples;
                a.sync_candidates += b.sync_candidates;
                a.sfd_found += b.sfd_found;
                a.header_crc_errors += b.header_crc_errors;
                a.unsupported += b.unsupported;
                a.fcs_errors += b.fcs_errors;
                a.frames += b.frames;
            }
        }
    }

    /// What the receiver listens to, for status lines: `BLE ch37 ch38`,
    /// `Wi-Fi ch6`, `DJI 2444.5 MHz`.
    pub fn describe(&self) -> String {
        match self {
            Rx::Ble(r) => {
                let mut s = "BLE".to_string();
                for (c, f) in r.channels() {
                    match (c, f) {
                        (Some(c), _) => s += &format!(" ch{c}"),
                        (None, Some(f)) => s += &format!(" {:.1} MHz", f / 1e6),
                        (None, None) => s += " (centre)",
                    }
                }
                s
            }
            Rx::Dji(_) => "DJI".to_string(),
            Rx::Wifi(r) => {
                let mut s = "Wi-Fi".to_string();
                for (c, _) in r.channels() {
                    match c {
                        Some(c) => s += &format!(" ch{c}"),
                        None => s += " (centre)",
                    }
                }
                s
            }
        }
    }
}

/// Receiver counters of a run, per PHY (summed over scan steps).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RxTotals {
    pub ble: Option<PhyStats>,
    pub dji: Option<OcuStats>,
    pub wifi: Option<DsssStats>,
}
