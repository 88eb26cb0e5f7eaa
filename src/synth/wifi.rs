//! Synthetic Wi-Fi Remote ID transmitters on 802.11b DSSS: each drone of
//! the scenario broadcasts its whole message set (Location, Basic ID,
//! Self-ID, System, Operator ID) in one message pack, in a beacon vendor IE
//! or a NAN service discovery frame (or a French beacon, or DJI's DroneID
//! beacon IE with its flight information), every `period_s`, with CSMA-like
//! deferral on a busy channel (Wi-Fi transmitters listen before talking, so
//! frames of one channel do not overlap). Or the 802.11 frames of a pcap,
//! put on the air one after another. Rendered at any rate ≥ 11 MS/s with
//! each transmitter's carrier and clock error, in white noise for a chosen
//! chip-rate SNR.

use std::path::Path;

use serde::Serialize;

use super::Rng;
use super::mix::{self, Emitter, Placed};
use super::scenario::{Drone, ScenarioConfig, TruthMessage};
use crate::error::EncodeError;
use crate::frame::{LinkType, Phy};
use crate::link::ieee80211::{self, MgmtSubtype};
use crate::link::nan;
use crate::phy::wifi_dsss::plcp::{Preamble, Rate};
use crate::phy::wifi_dsss::receiver::{channel_freq_hz, channel_in_band};
use crate::phy::wifi_dsss::tx::{self, Modulator, TX_RATE};
use crate::protocol::dji::{DjiMessage, Framing, wifi as dji_wifi};
use crate::protocol::french::{self, FrenchId};
use crate::protocol::odid::{self, transport as odid_tx};
use crate::protocol::{self, Transport};
use crate::util::{MacAddr, time};
use ridscope_dsp::nco::Nco;

/// Chip rate: the bandwidth the SNR is measured in.
pub const CHIP_RATE: f64 = 11e6;
/// DIFS of 802.11b (long slot), s.
const DIFS_S: f64 = 50e-6;
/// Slot time, s.
const SLOT_S: f64 = 20e-6;
/// Contention window (slots) of the first attempt.
const CW_MIN: usize = 31;

/// How the Remote ID messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WifiTransport {
    /// Beacon frames with the ASTM vendor IE (FA:0B:BC, type 0x0D).
    Beacon,
    /// NAN service discovery frames (public action), ODID service.
    Nan,
    /// Beacons with the French vendor IE (6A:5C:35, decree of 2019).
    French,
    /// Beacons with DJI's DroneID vendor IE (26:37:12): flight information.
    Dji,
}

/// What the Wi-Fi transmitters send.
#[derive(Debug, Clone)]
pub struct WifiPlan {
    /// Beacon or NAN.
    pub transport: WifiTransport,
    /// Time between frames of one drone (s).
    pub period_s: f64,
    /// 2.4 GHz Wi-Fi channel (1..=14).
    pub channel: u16,
    /// DSSS rate.
    pub rate: Rate,
    /// PLCP preamble (short needs 2 Mb/s).
    pub preamble: Preamble,
}

impl Default for WifiPlan {
    fn default() -> Self {
        WifiPlan {
            transport: WifiTransport::Beacon,
            period_s: 0.1,
            channel: 6,
            rate: Rate::Mbps1,
            preamble: Preamble::Long,
        }
    }
}

impl WifiPlan {
    fn check(&self) -> Result<(), String> {
        if self.period_s.is_nan() || self.period_s <= 0.0 {
            return Err(format!("period {} s must be positive", self.period_s));
        }
        if channel_freq_hz(self.channel).is_none() {
            return Err(format!("channel {} is not a 2.4 GHz Wi-Fi channel", self.channel));
        }
        if !tx::allowed(self.rate, self.preamble) {
            return Err(format!("a short preamble needs 2 Mb/s, not {} Mb/s", self.rate.mbps()));
        }
        Ok(())
    }
}

/// One 802.11 frame on the air.
#[derive(Debug, Clone, PartialEq)]
pub struct WifiTx {
    /// Start of the PPDU (first preamble bit), scenario seconds.
    pub t_s: f64,
    /// Transmitting drone (for a pcap: the index of the frame's record).
    pub drone: usize,
    /// Wi-Fi channel.
    pub channel: u16,
    /// DSSS rate.
    pub rate: Rate,
    /// PLCP preamble.
    pub preamble: Preamble,
    /// The MAC frame with its FCS.
    pub psdu: Vec<u8>,
    /// What it carries (empty for frames put on the air from a pcap).
    pub truth: Vec<TruthMessage>,
}

impl WifiTx {
    /// Air time: preamble and header (192 µs long, 96 µs short), then the PSDU.
    pub fn duration_s(&self) -> f64 {
        (self.preamble.plcp_symbols() as f64 + self.rate.length_us(self.psdu.len()) as f64) * 1e-6
    }

    /// Centre frequency of the channel, Hz.
    pub fn freq_hz(&self) -> Option<f64> {
        channel_freq_hz(self.channel)
    }
}

/// A locally administered unicast address.
fn random_mac(rng: &mut Rng) -> MacAddr {
    let mut m = [0u8; 6];
    for b in m.iter_mut() {
        *b = rng.below(256) as u8;
    }
    m[0] = (m[0] & 0xFC) | 0x02;
    MacAddr(m)
}

/// The frames of every drone of the scenario, sorted by time.
pub fn schedule(cfg: &ScenarioConfig, plan: &WifiPlan) -> Result<Vec<WifiTx>, EncodeError> {
    cfg.validate()?;
    schedule_for(cfg, plan, &Drone::fleet(cfg))
}

/// The frames of `drones`, sorted by time (see the module doc).
pub fn schedule_for(cfg: &ScenarioConfig, plan: &WifiPlan, drones: &[Drone]) -> Result<Vec<WifiTx>, EncodeError> {
    plan.check().map_err(|e| EncodeError::new("wifi plan", e))?;
    if plan.period_s < 0.005 {
        return Err(EncodeError::new("wifi plan", format!("period {} s: at least 5 ms", plan.period_s)));
    }
    let mut out = Vec::new();
    for d in drones {
        let mut rng = Rng::new(cfg.seed, &[0x3f_0001, d.index as u64]);
        let mac = random_mac(&mut rng);
        let mut counter = rng.below(256) as u8;
        let mut seq = rng.below(4096) as u16;
        let ssid = format!("RID-{}", d.serial.chars().take(28).collect::<String>());
        let mut t = rng.f64() * plan.period_s;
        let mut dji_seq = 0u16;
        // its own stream, so the other transports' frames do not depend on it
        let mut uuid_rng = Rng::new(cfg.seed, &[0x3f_0005, d.index as u64]);
        let dji_uuid: String = (0..19).map(|_| char::from(b'0' + uuid_rng.below(10) as u8)).collect();
        while t < cfg.duration_s {
            counter = counter.wrapping_add(1);
            seq = (seq + 1) & 0x0FFF;
            let beacon = |ie: Vec<u8>| -> Result<Vec<u8>, EncodeError> {
                let mut ies = ieee80211::element(ieee80211::element_id::SSID, ssid.as_bytes())?;
                ies.extend(ieee80211::element(ieee80211::element_id::SUPPORTED_RATES, &[0x82, 0x84, 0x8B, 0x96])?);
                ies.extend(ieee80211::element(ieee80211::element_id::DS_PARAMETER, &[plan.channel as u8])?);
                ies.extend(ie);
                Ok(ieee80211::beacon(MgmtSubtype::Beacon, mac, mac, seq, (t * 1e6) as u64, 100, 0x0001, &ies))
            };
            // the truth is what a perfect receiver decodes (quantized values)
            let (frame, transport, decoded): (Vec<u8>, Transport, Vec<protocol::Message>) = match plan.transport {
                WifiTransport::Beacon | WifiTransport::Nan => {
                    let pack = odid_tx::pack(2, d.message_set(t))?;
                    let decoded = odid::MessagePack::parse(&pack)
                        .map_err(|e| EncodeError::new("synthesized pack", e.to_string()))?
                        .messages
                        .into_iter()
                        .map(protocol::Message::Odid)
                        .collect();
                    if plan.transport == WifiTransport::Beacon {
                        (beacon(odid_tx::wifi_vendor_ie(counter, &pack)?)?, Transport::WifiBeacon, decoded)
                    } else {
                        let attrs = odid_tx::nan_attributes(1, counter, &pack)?;
                        (nan::sdf_frame(mac, nan::ODID_CLUSTER_ID, seq, &attrs), Transport::WifiNan, decoded)
                    }
                }
                WifiTransport::French => {
                    let fr = french_id(d, t)?;
                    let tlvs = fr.emit()?;
                    let mut body = french::OUI.to_vec();
                    body.push(french::OUI_TYPE);
                    body.extend_from_slice(&tlvs);
                    let ie = ieee80211::element(ieee80211::element_id::VENDOR_SPECIFIC, &body)?;
                    let back = french::parse(&tlvs).map_err(|e| EncodeError::new("french", e.to_string()))?;
                    (beacon(ie)?, Transport::WifiBeacon, vec![protocol::Message::French(back)])
                }
                WifiTransport::Dji => {
                    dji_seq = dji_seq.wrapping_add(1);
                    let info = super::dji::flight_info(cfg, d, t, dji_seq, 63, &dji_uuid)?;
                    let msg = DjiMessage::FlightInfo { info, framing: Framing::Wifi { header: dji_wifi::HEADER } };
                    let body = dji_wifi::emit(&msg)?;
                    let back = dji_wifi::parse(&body).map_err(|e| EncodeError::new("dji", e.to_string()))?;
                    (beacon(dji_wifi::emit_ie(&msg)?)?, Transport::WifiBeacon, vec![protocol::Message::Dji(back)])
                }
            };
            let psdu = ieee80211::append_fcs(frame);
            let truth = decoded
                .into_iter()
                .map(|message| TruthMessage {
                    t_s: t,
                    time_utc: String::new(),
                    drone: d.index,
                    channel: plan.channel as u8,
                    phy: Phy::WifiDsss,
                    src_addr: mac,
                    counter,
                    transport,
                    uas_id: d.serial.clone(),
                    message,
                })
                .collect();
            out.push(WifiTx {
                t_s: t,
                drone: d.index,
                channel: plan.channel,
                rate: plan.rate,
                preamble: plan.preamble,
                psdu,
                truth,
            });
            // ±1 % jitter, like a beacon timer with drift
            t += plan.period_s * (1.0 + 0.02 * (rng.f64() - 0.5));
        }
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)));
    defer_busy(cfg.seed, &mut out);
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)));
    out.retain(|tx| tx.t_s + tx.duration_s() <= cfg.duration_s);
    for tx in &mut out {
        let ns = cfg.start_unix_ns + (tx.t_s * 1e9).round() as i128;
        for m in &mut tx.truth {
            m.t_s = tx.t_s;
            m.time_utc = time::rfc3339_ns(ns);
        }
    }
    Ok(out)
}

/// The French beacon of drone `d` at `t`: French ID (manufacturer "RSC",
/// model "SYN", the serial), the CTA-2063 serial, position, heights,
/// take-off point, speed and course.
fn french_id(d: &Drone, t: f64) -> Result<FrenchId, EncodeError> {
    let st = d.state_at(t);
    let home = d.state_at(d.takeoff_time_s() - 1.0);
    let mut f = FrenchId {
        protocol_version: Some(1),
        uas_id: Some(d.serial.as_bytes().to_vec()),
        lat_deg: Some(st.lat_deg),
        lon_deg: Some(st.lon_deg),
        alt_msl_m: Some(st.alt_geo_m.round().clamp(-32768.0, 32767.0) as i16),
        height_m: Some(st.height_m.round().clamp(-32768.0, 32767.0) as i16),
        takeoff_lat_deg: Some(home.lat_deg),
        takeoff_lon_deg: Some(home.lon_deg),
        speed_h_mps: Some(st.speed_h_mps.round().clamp(0.0, 255.0) as u8),
        direction_deg: Some((st.track_deg.round() as i64).rem_euclid(360) as u16),
        ..FrenchId::default()
    };
    f.set_french_id(&format!("RSCSYN{}", d.serial.chars().take(24).collect::<String>()))?;
    Ok(f)
}

/// Listen before talk: a frame (in time order) due while its channel is
/// busy waits for the end of the frame on air, a DIFS and a random backoff.
/// Frames of one channel stay in order, so they never overlap.
fn defer_busy(seed: u64, txs: &mut [WifiTx]) {
    let mut rng = Rng::new(seed, &[0x3f_0003]);
    let mut busy: Vec<(u16, f64)> = Vec::new();
    for tx in txs.iter_mut() {
        let free = busy.iter().find(|b| b.0 == tx.channel).map_or(f64::NEG_INFINITY, |b| b.1);
        if tx.t_s < free + DIFS_S {
            tx.t_s = free + DIFS_S + rng.below(CW_MIN + 1) as f64 * SLOT_S;
        }
        let end = tx.t_s + tx.duration_s();
        match busy.iter_mut().find(|b| b.0 == tx.channel) {
            Some(b) => b.1 = end,
            None => busy.push((tx.channel, end)),
        }
    }
}

/// Why a pcap record was not put on the air.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PcapSkipped {
    /// Records of another link layer (BLE, ...).
    pub not_80211: usize,
    /// Frames whose FCS (present in the capture) is wrong.
    pub bad_fcs: usize,
    /// Frames longer than a DSSS PSDU can be.
    pub too_long: usize,
    /// Records that do not parse (broken radiotap, truncated record).
    pub unreadable: usize,
}

/// The 802.11 frames of a pcap/pcapng file, one every `period_s` from
/// `period_s / 2` (or 100 µs after the previous one ends, when later), on
/// `plan`'s channel and rate (the FCS is appended when
/// the capture has none). Returns the frames and what was left out.
pub fn from_pcap(path: &Path, plan: &WifiPlan) -> Result<(Vec<WifiTx>, PcapSkipped), String> {
    plan.check()?;
    let reader = crate::pcap::PcapReader::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut skipped = PcapSkipped::default();
    let mut out: Vec<WifiTx> = Vec::new();
    for (i, rec) in reader.enumerate() {
        let rec = rec.map_err(|e| format!("{}: record {}: {e}", path.display(), i + 1))?;
        let Ok(f) = crate::pcap::record_to_frame(&rec, None) else {
            skipped.unreadable += 1;
            continue;
        };
        if f.meta.link != LinkType::Ieee80211 {
            skipped.not_80211 += 1;
            continue;
        }
        let psdu = if f.meta.fcs_included {
            if !ieee80211::has_valid_fcs(&f.bytes) {
                skipped.bad_fcs += 1;
                continue;
            }
            f.bytes
        } else {
            ieee80211::append_fcs(f.bytes)
        };
        if psdu.len() > crate::phy::wifi_dsss::plcp::MAX_PSDU {
            skipped.too_long += 1;
            continue;
        }
        // one every period, never closer than the previous frame's end + 100 µs
        let t_s = match out.last() {
            None => plan.period_s / 2.0,
            Some(p) => (p.t_s + plan.period_s).max(p.t_s + p.duration_s() + 100e-6),
        };
        out.push(WifiTx {
            t_s,
            drone: i,
            channel: plan.channel,
            rate: plan.rate,
            preamble: plan.preamble,
            psdu,
            truth: Vec::new(),
        });
    }
    Ok((out, skipped))
}

/// The truth file: for scenario frames one line per message (like
/// `synth ble`), for pcap frames one line per frame with its bytes.
pub fn truth_jsonl(txs: &[WifiTx]) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct FrameLine<'a> {
        t_s: f64,
        pcap_record: usize,
        channel: u16,
        rate_mbps: f32,
        short_preamble: bool,
        frame_hex: &'a str,
    }
    let mut out = String::new();
    for tx in txs {
        if tx.truth.is_empty() {
            let hex = crate::util::hex::encode(&tx.psdu);
            out.push_str(&serde_json::to_string(&FrameLine {
                t_s: tx.t_s,
                pcap_record: tx.drone + 1,
                channel: tx.channel,
                rate_mbps: tx.rate.mbps(),
                short_preamble: tx.preamble == Preamble::Short,
                frame_hex: &hex,
            })?);
            out.push('\n');
        }
        for m in &tx.truth {
            out.push_str(&serde_json::to_string(m)?);
            out.push('\n');
        }
    }
    Ok(out)
}

/// The radio side of a synthesized Wi-Fi capture.
#[derive(Debug, Clone)]
pub struct WifiIqConfig {
    /// Samples per second (≥ 11 MS/s).
    pub sample_rate: f64,
    /// Centre frequency of the capture (Hz).
    pub center_freq_hz: f64,
    /// Chip-rate SNR (dB): chip power over N0 · 11 MHz.
    pub snr_db: f64,
    /// Each transmitter's carrier offset is drawn uniformly in ±this (Hz).
    pub cfo_hz: f64,
    /// Each transmitter's clock error is drawn uniformly in ±this (ppm).
    pub ppm: f64,
    /// Seed of the noise, phases and transmitter errors.
    pub seed: u64,
    /// Signal amplitude (full scale 1); `None`: about a quarter of full
    /// scale for signal plus noise.
    pub amplitude: Option<f32>,
}

impl WifiIqConfig {
    fn snr(&self) -> f64 {
        10f64.powf(self.snr_db / 10.0)
    }

    /// Signal amplitude used.
    pub fn amplitude(&self) -> f32 {
        self.amplitude.unwrap_or_else(|| mix::quarter_scale_amplitude(self.sample_rate, CHIP_RATE, self.snr()))
    }

    /// Noise standard deviation per component.
    pub fn noise_sigma(&self) -> f32 {
        mix::noise_sigma(self.amplitude(), self.sample_rate, CHIP_RATE, self.snr())
    }

    /// The amplitude for this SNR over noise of `sigma` per component.
    pub fn amplitude_for_sigma(&self, sigma: f32) -> f32 {
        mix::amplitude_for_sigma(sigma, self.sample_rate, CHIP_RATE, self.snr())
    }

    /// Transmitter `i`'s carrier offset (Hz) and clock error (ppm).
    pub fn radio(&self, i: usize) -> (f64, f64) {
        let mut r = Rng::new(self.seed, &[0x3f_0002, i as u64]);
        (r.uniform(-1.0, 1.0) * self.cfo_hz, r.uniform(-1.0, 1.0) * self.ppm)
    }

    /// Whether a channel centred at `freq_hz` fits inside the band.
    pub fn in_band(&self, freq_hz: f64) -> bool {
        channel_in_band(self.sample_rate, self.center_freq_hz, freq_hz)
    }
}

/// Frames in and out of the band.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WifiRenderReport {
    /// Samples written.
    pub samples: u64,
    /// Frames rendered.
    pub frames_in_band: usize,
    /// Frames on channels outside the band (not rendered).
    pub frames_out_of_band: usize,
}

/// The frames of a schedule as waveforms for [`mix::render`].
pub struct WifiEmitter<'a> {
    txs: &'a [WifiTx],
    next: usize,
    cfg: WifiIqConfig,
    amp: f32,
    modulator: Modulator,
    phases: Rng,
    /// Frames in and out of the band.
    pub report: WifiRenderReport,
}

impl<'a> WifiEmitter<'a> {
    /// The frames of `txs` (sorted by time) inside the band of `cfg`, at
    /// amplitude `amp` (those outside are counted in `report`).
    pub fn new(txs: &'a [WifiTx], cfg: &WifiIqConfig, amp: f32) -> Self {
        let mut report = WifiRenderReport::default();
        for t in txs {
            if t.freq_hz().is_some_and(|f| cfg.in_band(f)) {
                report.frames_in_band += 1;
            } else {
                report.frames_out_of_band += 1;
            }
        }
        let mut e = WifiEmitter {
            txs,
            next: 0,
            cfg: cfg.clone(),
            amp,
            modulator: Modulator::new(),
            phases: Rng::new(cfg.seed, &[0x3f_0004]),
            report,
        };
        e.skip_out_of_band();
        e
    }

    fn skip_out_of_band(&mut self) {
        while self.txs.get(self.next).is_some_and(|t| !t.freq_hz().is_some_and(|f| self.cfg.in_band(f))) {
            self.next += 1;
        }
    }

    /// First capture sample of a frame: the modulator's output starts
    /// `shape_delay` samples (at 22 MS/s) before the first chip.
    fn first_sample(&self, t: &WifiTx) -> u64 {
        let lead = self.modulator.shape_delay() as f64 / TX_RATE;
        ((t.t_s - lead) * self.cfg.sample_rate).max(0.0).round() as u64
    }
}

impl Emitter for WifiEmitter<'_> {
    fn peek_first(&self) -> Option<u64> {
        self.txs.get(self.next).map(|t| self.first_sample(t))
    }

    fn next_wave(&mut self) -> Option<Placed> {
        let t = self.txs.get(self.next)?;
        self.next += 1;
        self.skip_out_of_band();
        let fs = self.cfg.sample_rate;
        let f = t.freq_hz().unwrap_or(self.cfg.center_freq_hz);
        let (cfo, ppm) = self.cfg.radio(t.drone);
        // a short preamble at 1 Mb/s (refused by the plan) falls back to long
        let (r, i) = self
            .modulator
            .modulate_22_with(&t.psdu, t.rate, t.preamble)
            .unwrap_or_else(|| self.modulator.modulate_22(&t.psdu, t.rate));
        let (mut re, mut im) = tx::resample(&r, &i, fs / (TX_RATE * (1.0 + ppm * 1e-6)));
        let mut nco = Nco::new(f - self.cfg.center_freq_hz + cfo + ppm * 1e-6 * f, fs);
        nco.set_phase(self.phases.f64() * std::f64::consts::TAU);
        nco.mix_inplace(&mut re, &mut im);
        for v in re.iter_mut().chain(im.iter_mut()) {
            *v *= self.amp;
        }
        Some(Placed { first: self.first_sample(t), re, im })
    }
}

/// Renders the frames (sorted by time) over `duration_s` into blocks
/// handed to `sink`, in constant memory.
pub fn render_wifi<E>(
    txs: &[WifiTx],
    cfg: &WifiIqConfig,
    duration_s: f64,
    block: usize,
    sink: impl FnMut(&[f32], &[f32]) -> Result<(), E>,
) -> Result<WifiRenderReport, E> {
    let total = (duration_s * cfg.sample_rate).round().max(0.0) as u64;
    let mut e = WifiEmitter::new(txs, cfg, cfg.amplitude());
    mix::render(&mut [&mut e], total, block, cfg.noise_sigma(), cfg.seed ^ 0x7769_6669_6e6f, sink)?;
    Ok(WifiRenderReport { samples: total, ..e.report })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(drones: usize) -> ScenarioConfig {
        ScenarioConfig { seed: 9, drones, duration_s: 2.0, ..ScenarioConfig::default() }
    }

    #[test]
    fn frames_of_one_channel_never_overlap_and_keep_the_period() {
        // 8 drones every 10 ms: more than the channel can carry; frames queue
        let plan = WifiPlan { period_s: 0.01, ..WifiPlan::default() };
        let txs = schedule(&cfg(8), &plan).unwrap();
        assert!(txs.len() > 800, "{}", txs.len());
        for w in txs.windows(2) {
            assert!(w[1].t_s >= w[0].t_s + w[0].duration_s() + DIFS_S - 1e-12, "{} {}", w[0].t_s, w[1].t_s);
        }
        assert!(txs.iter().all(|t| t.t_s + t.duration_s() <= 2.0));
        // one drone alone: every period, ±1 %
        let one = schedule(&cfg(1), &WifiPlan::default()).unwrap();
        for w in one.windows(2) {
            let dt = w[1].t_s - w[0].t_s;
            assert!((0.099..=0.101).contains(&dt), "{dt}");
        }
    }

    #[test]
    fn deterministic_and_truth_describes_each_frame() {
        for transport in [WifiTransport::Beacon, WifiTransport::Nan, WifiTransport::French, WifiTransport::Dji] {
            let plan = WifiPlan { transport, ..WifiPlan::default() };
            let a = schedule(&cfg(2), &plan).unwrap();
            assert_eq!(a, schedule(&cfg(2), &plan).unwrap());
            for tx in &a {
                assert!(ieee80211::has_valid_fcs(&tx.psdu));
                let n = if matches!(transport, WifiTransport::Beacon | WifiTransport::Nan) { 5 } else { 1 };
                assert_eq!(tx.truth.len(), n, "{transport:?}");
                assert!(tx.truth.iter().all(|m| m.t_s == tx.t_s && m.channel == 6 && !m.time_utc.is_empty()));
            }
            let text = truth_jsonl(&a).unwrap();
            assert_eq!(text.lines().count(), a.iter().map(|t| t.truth.len()).sum::<usize>());
        }
    }

    #[test]
    fn bad_plans_are_refused() {
        assert!(schedule(&cfg(1), &WifiPlan { channel: 15, ..WifiPlan::default() }).is_err());
        assert!(schedule(&cfg(1), &WifiPlan { period_s: f64::NAN, ..WifiPlan::default() }).is_err());
        let missing = Path::new("/nonexistent/x.pcap");
        let e = from_pcap(missing, &WifiPlan::default()).unwrap_err();
        assert!(e.contains("/nonexistent/x.pcap"), "{e}");
    }

    #[test]
    fn render_puts_the_frame_where_the_truth_says() {
        let plan = WifiPlan { period_s: 0.05, ..WifiPlan::default() };
        let txs = schedule(&ScenarioConfig { duration_s: 0.2, ..cfg(1) }, &plan).unwrap();
        let iq = WifiIqConfig {
            sample_rate: 20e6,
            center_freq_hz: 2437e6,
            snr_db: 100.0,
            cfo_hz: 0.0,
            ppm: 0.0,
            seed: 1,
            amplitude: Some(0.5),
        };
        let mut power = Vec::new();
        let r = render_wifi(&txs, &iq, 0.2, 4096, |re, im| {
            power.extend(re.iter().zip(im).map(|(a, b)| a * a + b * b));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(r.frames_in_band, txs.len());
        assert_eq!(power.len(), 4_000_000);
        for tx in &txs {
            let (s, e) = ((tx.t_s * 20e6) as usize, ((tx.t_s + tx.duration_s()) * 20e6) as usize);
            let inside = power[s + 100..e - 100].iter().sum::<f32>() / (e - s - 200) as f32;
            assert!((0.15..0.3).contains(&inside), "{inside}");
            assert!(power[s - 200..s - 100].iter().all(|&p| p < 1e-6));
            assert!(power[e + 100..e + 200].iter().all(|&p| p < 1e-6));
        }
    }
}
