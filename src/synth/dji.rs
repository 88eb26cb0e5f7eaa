//! Synthetic DJI DroneID (OcuSync 2) transmitters: drones flying the
//! scenario's paths with a moving pilot, sending a burst every ~600 ms
//! (flight info 0x10, every fifth a flight purpose 0x11), hopping between
//! DroneID channels every 20 bursts; rendered to IQ at any rate with each
//! drone's carrier and clock error, in white noise for a chosen SNR in the
//! 9 MHz occupied band.

use ridscope_dsp::nco::Nco;
use ridscope_dsp::resample::FractionalResampler;
use serde::Serialize;

use super::Rng;
use super::mix::{self, Emitter, Placed};
use super::scenario::{Drone, ScenarioConfig};
use crate::error::EncodeError;
use crate::phy::ocusync::burst::{self, FS};
use crate::phy::ocusync::coding::{Codec, scrambling_sequence};
use crate::phy::ocusync::tx::Modulator;
use crate::protocol::dji::record::{FlightInfo, FlightInfoVersion, FlightPurpose};
use crate::protocol::dji::{DjiMessage, Framing, ocusync};

/// DroneID centre frequencies reported in the 2.4 GHz band (spec §8).
pub const CHANNELS_2G4_HZ: [f64; 6] = [2399.5e6, 2414.5e6, 2429.5e6, 2444.5e6, 2459.5e6, 2474.5e6];
/// And in the 5.8 GHz band.
pub const CHANNELS_5G8_HZ: [f64; 7] = [5741.5e6, 5756.5e6, 5771.5e6, 5786.5e6, 5801.5e6, 5816.5e6, 5831.5e6];

/// The burst schedule.
#[derive(Debug, Clone)]
pub struct DjiPlan {
    /// Time between bursts of one drone (s).
    pub period_s: f64,
    /// 9-symbol bursts (Mini 2, Mavic Air 2) or 8-symbol ones.
    pub nine_symbols: bool,
    /// Frequencies to hop over; each drone starts on a different one.
    pub freqs_hz: Vec<f64>,
    /// Bursts between hops.
    pub hop_every: usize,
    /// Product type code sent (63 = Mini 2).
    pub product_type: u8,
}

impl Default for DjiPlan {
    fn default() -> Self {
        DjiPlan { period_s: 0.6, nine_symbols: true, freqs_hz: vec![2414.5e6], hop_every: 20, product_type: 63 }
    }
}

/// One burst on the air and what it carries.
#[derive(Debug, Clone, Serialize)]
pub struct DjiTx {
    /// Drone index.
    pub drone: usize,
    /// Start of the burst (scenario seconds).
    pub t_s: f64,
    /// Burst centre frequency (Hz).
    pub freq_hz: f64,
    /// 9 OFDM symbols (else 8).
    pub nine_symbols: bool,
    /// The decoded message the receiver should report.
    pub message: DjiMessage,
    /// The 176-byte code block, hex.
    pub block_hex: String,
    /// The code block.
    #[serde(skip)]
    pub block: [u8; 176],
}

fn serial16(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).take(16).collect()
}

/// The DJI flight information record of drone `d` at `t` (scenario
/// seconds): its state, home (take-off) point, pilot, GPS time.
pub fn flight_info(
    cfg: &ScenarioConfig,
    d: &Drone,
    t: f64,
    seq: u16,
    product_type: u8,
    uuid: &str,
) -> Result<FlightInfo, EncodeError> {
    let serial = serial16(&d.serial);
    let st = d.state_at(t);
    let mut f = FlightInfo { sequence: seq, product_type, ..FlightInfo::default() };
    f.state_info = if st.airborne { 0x1ff7 } else { 0x1fe7 };
    f.set_serial(&serial)?;
    f.set_uuid(uuid)?;
    f.set_position_deg(st.lat_deg, st.lon_deg)?;
    let home = d.state_at(d.takeoff_time_s() - 1.0);
    f.set_home_deg(home.lat_deg, home.lon_deg)?;
    f.set_operator_deg(st.operator_lat_deg, st.operator_lon_deg)?;
    if let FlightInfoVersion::V2 { gps_time_ms, .. } = &mut f.version {
        *gps_time_ms = (cfg.unix_ns(t) / 1_000_000) as u64;
    }
    f.alt_raw = st.alt_geo_m.round().clamp(-32768.0, 32767.0) as i16;
    f.height_raw = (st.height_m * 10.0).round().clamp(-32768.0, 32767.0) as i16;
    let tr = st.track_deg.to_radians();
    let cms = |v: f64| (v * 100.0).round().clamp(-32768.0, 32767.0) as i16;
    f.v_north_raw = cms(st.speed_h_mps * tr.cos());
    f.v_east_raw = cms(st.speed_h_mps * tr.sin());
    f.v_up_raw = cms(st.speed_v_mps);
    let yaw = if st.track_deg > 180.0 { st.track_deg - 360.0 } else { st.track_deg };
    f.yaw_raw = (yaw * 100.0).round() as i16;
    Ok(f)
}

/// The bursts of every drone of the scenario, sorted by time.
pub fn schedule(cfg: &ScenarioConfig, plan: &DjiPlan) -> Result<Vec<DjiTx>, EncodeError> {
    cfg.validate()?;
    if plan.freqs_hz.is_empty() || plan.period_s.is_nan() || plan.period_s <= 0.0 {
        return Err(EncodeError::new("plan", "needs at least one frequency and a positive period".to_string()));
    }
    let mut out = Vec::new();
    for mut d in Drone::fleet(cfg) {
        d.operator_location_type = crate::protocol::odid::OperatorLocationType::LiveGnss;
        let mut rng = Rng::new(cfg.seed, &[0xd1_0001, d.index as u64]);
        let uuid: String = (0..19).map(|_| char::from(b'0' + (rng.next_u64() % 10) as u8)).collect();
        let mut t = 0.001 + rng.next_u64() as f64 / u64::MAX as f64 * plan.period_s;
        let serial = serial16(&d.serial);
        let (mut seq, mut n) = (0u16, 0usize);
        while t < cfg.duration_s {
            let freq = plan.freqs_hz[(d.index + n / plan.hop_every.max(1)) % plan.freqs_hz.len()];
            let message = if n % 5 == 4 {
                let mut p = FlightPurpose { serial: [0; 16], rest: vec![0; ocusync::FLIGHT_PURPOSE_REST_LEN] };
                p.serial[..serial.len()].copy_from_slice(serial.as_bytes());
                p.rest[..3].copy_from_slice(&[0xcc, 0xaa, 0x02]);
                DjiMessage::FlightPurpose { purpose: p, framing: Framing::Ocusync { payload_crc_ok: Some(true) } }
            } else {
                seq = seq.wrapping_add(1);
                let f = flight_info(cfg, &d, t, seq, plan.product_type, &uuid)?;
                DjiMessage::FlightInfo { info: f, framing: Framing::Ocusync { payload_crc_ok: Some(true) } }
            };
            let block = ocusync::emit_block(&message)?;
            let message = ocusync::parse_block(&block)
                .map_err(|e| EncodeError::new("block", format!("does not parse back: {e}")))?;
            out.push(DjiTx {
                drone: d.index,
                t_s: t,
                freq_hz: freq,
                nine_symbols: plan.nine_symbols,
                message,
                block_hex: crate::util::hex::encode(&block),
                block,
            });
            n += 1;
            // jitter around the period: ±5 ms, at most ±1 % of the period
            let jitter = 0.005f64.min(0.01 * plan.period_s);
            t += plan.period_s + (rng.next_u64() as f64 / u64::MAX as f64 - 0.5) * 2.0 * jitter;
        }
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)));
    Ok(out)
}

impl DjiTx {
    /// Air time of the burst.
    pub fn duration_s(&self) -> f64 {
        (if self.nine_symbols { 9880.0 } else { 8776.0 }) / FS
    }
}

/// For each burst (sorted by time), whether it overlaps in time another one
/// whose band (9 MHz) overlaps its own: a collision.
pub fn collided(txs: &[DjiTx]) -> Vec<bool> {
    let mut hit = vec![false; txs.len()];
    for i in 0..txs.len() {
        let end = txs[i].t_s + txs[i].duration_s();
        for j in i + 1..txs.len() {
            if txs[j].t_s >= end {
                break;
            }
            if (txs[j].freq_hz - txs[i].freq_hz).abs() < 9e6 {
                hit[i] = true;
                hit[j] = true;
            }
        }
    }
    hit
}

/// The truth: one JSON line per burst (sorted by time), with an added
/// `collided` field (see [`collided`]).
pub fn truth_jsonl(txs: &[DjiTx]) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Line<'a> {
        #[serde(flatten)]
        tx: &'a DjiTx,
        collided: bool,
    }
    let mut s = String::new();
    for (tx, collided) in txs.iter().zip(collided(txs)) {
        s.push_str(&serde_json::to_string(&Line { tx, collided })?);
        s.push('\n');
    }
    Ok(s)
}

/// The radio side of a synthesized DroneID capture.
#[derive(Debug, Clone)]
pub struct DjiIqConfig {
    /// Samples per second.
    pub sample_rate: f64,
    /// Centre frequency of the capture (Hz).
    pub center_freq_hz: f64,
    /// SNR in the 9 MHz occupied band (dB).
    pub snr_db: f64,
    /// Each drone's carrier offset is drawn uniformly in ±this (Hz).
    pub cfo_hz: f64,
    /// Each drone's clock error is drawn uniformly in ±this (ppm).
    pub ppm: f64,
    /// Seed of the noise, phases and transmitter errors.
    pub seed: u64,
    /// Signal amplitude (full scale 1); `None`: about a quarter of full
    /// scale for signal plus noise.
    pub amplitude: Option<f32>,
}

impl DjiIqConfig {
    /// Signal amplitude used.
    pub fn amplitude(&self) -> f32 {
        self.amplitude.unwrap_or_else(|| mix::quarter_scale_amplitude(self.sample_rate, 9e6, self.snr()))
    }

    fn snr(&self) -> f64 {
        10f64.powf(self.snr_db / 10.0)
    }

    /// Noise standard deviation per component.
    pub fn noise_sigma(&self) -> f32 {
        mix::noise_sigma(self.amplitude(), self.sample_rate, 9e6, self.snr())
    }

    /// The amplitude for this SNR over noise of `sigma` per component.
    pub fn amplitude_for_sigma(&self, sigma: f32) -> f32 {
        mix::amplitude_for_sigma(sigma, self.sample_rate, 9e6, self.snr())
    }

    /// Drone `i`'s carrier offset (Hz) and clock error (ppm).
    pub fn radio(&self, i: usize) -> (f64, f64) {
        let mut r = Rng::new(self.seed, &[0xd1_0002, i as u64]);
        let u = |r: &mut Rng| r.next_u64() as f64 / u64::MAX as f64 * 2.0 - 1.0;
        (u(&mut r) * self.cfo_hz, u(&mut r) * self.ppm)
    }

    /// Whether a burst centred at `freq_hz` fits inside the band.
    pub fn in_band(&self, freq_hz: f64) -> bool {
        (freq_hz - self.center_freq_hz).abs() + 4.6e6 <= self.sample_rate / 2.0
    }
}

/// What a render produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DjiRenderReport {
    /// Samples written.
    pub samples: u64,
    /// Bursts rendered.
    pub bursts_in_band: usize,
    /// Bursts outside the band (not rendered).
    pub bursts_out_of_band: usize,
}

/// Renders one burst at the capture rate: (first output sample, re, im).
pub struct BurstRenderer {
    modulator: Modulator,
    codec: Codec,
}

impl Default for BurstRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl BurstRenderer {
    /// A renderer.
    pub fn new() -> Self {
        BurstRenderer { modulator: Modulator::new(), codec: Codec::new() }
    }

    /// The burst carrying `block` starting at capture sample position
    /// `p0` (fractional), at `offset_hz` from the capture centre, with a
    /// transmitter clock error of `ppm`, amplitude `amp` and carrier phase
    /// `phase`.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &mut self,
        block: &[u8; 176],
        nine: bool,
        fs: f64,
        p0: f64,
        offset_hz: f64,
        ppm: f64,
        amp: f32,
        phase: f64,
    ) -> (u64, Vec<f32>, Vec<f32>) {
        let bits = self.codec.encode(block);
        let gold = nine.then(|| &scrambling_sequence()[..burst::BITS_PER_SYMBOL]);
        // burst sample j (transmitter clock) is at capture time p0 + j·fs/(FS·(1+ppm))
        let step = FS * (1.0 + ppm * 1e-6) / fs; // burst samples per capture sample
        let m0 = p0.max(0.0).floor();
        let d = (p0.max(0.0) - m0) * step; // burst samples of delay before output m0
        let pad = d.floor();
        let (re15, im15) = self.modulator.modulate(&bits, gold, d - pad);
        let mut rs = FractionalResampler::new(1.0 / step);
        let lead = vec![0f32; pad as usize];
        let tail = vec![0f32; rs.taps() + 2];
        let (mut re, mut im) = (Vec::new(), Vec::new());
        rs.process(&lead, &lead, &mut re, &mut im);
        rs.process(&re15, &im15, &mut re, &mut im);
        rs.process(&tail, &tail, &mut re, &mut im);
        let n = ((re15.len() as f64 + pad) / step).ceil() as usize + 1;
        re.truncate(n);
        im.truncate(n);
        let mut nco = Nco::new(offset_hz, fs);
        nco.set_phase(phase);
        nco.mix_inplace(&mut re, &mut im);
        for v in re.iter_mut().chain(im.iter_mut()) {
            *v *= amp;
        }
        (m0 as u64, re, im)
    }
}

/// The bursts of a schedule as waveforms for [`mix::render`], each rendered
/// when the mix reaches it.
pub struct DjiEmitter<'a> {
    txs: &'a [DjiTx],
    next: usize,
    cfg: DjiIqConfig,
    amp: f32,
    renderer: BurstRenderer,
    phases: Rng,
    /// Bursts in and out of the band.
    pub report: DjiRenderReport,
}

impl<'a> DjiEmitter<'a> {
    /// The bursts of `txs` (sorted by time) inside the band of `cfg`, at
    /// amplitude `amp` (those outside are counted in `report`).
    pub fn new(txs: &'a [DjiTx], cfg: &DjiIqConfig, amp: f32) -> Self {
        let mut report = DjiRenderReport::default();
        for t in txs {
            if cfg.in_band(t.freq_hz) {
                report.bursts_in_band += 1;
            } else {
                report.bursts_out_of_band += 1;
            }
        }
        let mut e = DjiEmitter {
            txs,
            next: 0,
            cfg: cfg.clone(),
            amp,
            renderer: BurstRenderer::new(),
            phases: Rng::new(cfg.seed, &[0xd1_0003]),
            report,
        };
        e.skip_out_of_band();
        e
    }

    fn skip_out_of_band(&mut self) {
        while self.txs.get(self.next).is_some_and(|t| !self.cfg.in_band(t.freq_hz)) {
            self.next += 1;
        }
    }
}

impl Emitter for DjiEmitter<'_> {
    fn peek_first(&self) -> Option<u64> {
        // the burst's first output sample is floor(p0)
        self.txs.get(self.next).map(|t| (t.t_s * self.cfg.sample_rate).max(0.0).floor() as u64)
    }

    fn next_wave(&mut self) -> Option<Placed> {
        let t = self.txs.get(self.next)?;
        self.next += 1;
        self.skip_out_of_band();
        let fs = self.cfg.sample_rate;
        let (cfo, ppm) = self.cfg.radio(t.drone);
        let off = t.freq_hz - self.cfg.center_freq_hz + cfo + ppm * 1e-6 * t.freq_hz;
        let phase = self.phases.next_u64() as f64 / u64::MAX as f64 * std::f64::consts::TAU;
        let (first, re, im) = self.renderer.render(&t.block, t.nine_symbols, fs, t.t_s * fs, off, ppm, self.amp, phase);
        Some(Placed { first, re, im })
    }
}

/// Renders the bursts (sorted by time) over `duration_s` into blocks handed
/// to `sink`, in constant memory.
pub fn render_dji<E>(
    txs: &[DjiTx],
    cfg: &DjiIqConfig,
    duration_s: f64,
    block: usize,
    sink: impl FnMut(&[f32], &[f32]) -> Result<(), E>,
) -> Result<DjiRenderReport, E> {
    let total = (duration_s * cfg.sample_rate).round().max(0.0) as u64;
    let mut e = DjiEmitter::new(txs, cfg, cfg.amplitude());
    mix::render(&mut [&mut e], total, block, cfg.noise_sigma(), cfg.seed ^ 0x646a_695f_6e6f, sink)?;
    Ok(DjiRenderReport { samples: total, ..e.report })
}
