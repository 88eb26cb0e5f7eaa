//! Turning scheduled frames into IQ samples: each packet modulated at its
//! channel's offset from the capture centre, with its transmitter's carrier
//! and clock errors, summed into white Gaussian noise for a chosen Eb/N0.

use ridscope_dsp::gfsk::Modulator;

use super::Rng;
use super::mix::{self, Emitter, Placed};
use super::scenario::{BlePhy, BleTx};
use crate::phy::ble::coded;
use crate::phy::ble::demod::{BT, H, SYMBOL_RATE};
use crate::phy::ble::packet;

/// The radio side of a synthesized capture.
#[derive(Debug, Clone)]
pub struct IqConfig {
    /// Samples per second of the capture.
    pub sample_rate: f64,
    /// Centre frequency of the capture (Hz).
    pub center_freq_hz: f64,
    /// Eb/N0 of every packet (dB).
    pub ebn0_db: f64,
    /// Each transmitter's carrier offset is drawn uniformly in ±this (Hz).
    pub cfo_hz: f64,
    /// Each transmitter's clock error is drawn uniformly in ±this (ppm); it
    /// shifts the carrier (ppm × carrier frequency) and the symbol rate.
    pub ppm: f64,
    /// Seed of the noise, carrier phases and transmitter errors.
    pub seed: u64,
    /// Signal amplitude (full scale = 1); `None` picks one that leaves
    /// headroom for noise and overlapping packets in 8-bit formats.
    pub amplitude: Option<f32>,
}

/// One transmitter's radio imperfections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TxRadio {
    /// Carrier offset (Hz), on top of the clock error's share.
    pub cfo_hz: f64,
    /// Clock error (ppm).
    pub ppm: f64,
}

impl IqConfig {
    fn ebn0(&self) -> f64 {
        10f64.powf(self.ebn0_db / 10.0)
    }

    /// Signal amplitude used: total rms of signal + noise ≈ 0.25 of full scale.
    pub fn amplitude(&self) -> f32 {
        self.amplitude.unwrap_or_else(|| mix::quarter_scale_amplitude(self.sample_rate, SYMBOL_RATE, self.ebn0()))
    }

    /// Noise standard deviation per component for the configured Eb/N0:
    /// Eb = A²·T, N0 = Eb/(Eb/N0), complex noise variance = N0·fs (the SNR
    /// in the symbol-rate bandwidth is Eb/N0).
    pub fn noise_sigma(&self) -> f32 {
        mix::noise_sigma(self.amplitude(), self.sample_rate, SYMBOL_RATE, self.ebn0())
    }

    /// The amplitude for this Eb/N0 over noise of `sigma` per component.
    pub fn amplitude_for_sigma(&self, sigma: f32) -> f32 {
        mix::amplitude_for_sigma(sigma, self.sample_rate, SYMBOL_RATE, self.ebn0())
    }

    /// The radio of transmitter (drone) `i`: deterministic for the seed.
    pub fn radio(&self, i: usize) -> TxRadio {
        let mut r = Rng::new(self.seed, &[0x1f_0001, i as u64]);
        let u = |r: &mut Rng| r.next_u64() as f64 / u64::MAX as f64 * 2.0 - 1.0;
        TxRadio { cfo_hz: u(&mut r) * self.cfo_hz, ppm: u(&mut r) * self.ppm }
    }

    /// Whether a channel centred at `freq_hz` fits inside the band.
    pub fn in_band(&self, freq_hz: f64) -> bool {
        crate::phy::ble::receiver::channel_in_band(self.sample_rate, self.center_freq_hz, freq_hz)
    }
}

/// What a render produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderReport {
    /// Samples written.
    pub samples: u64,
    /// Packets rendered.
    pub packets_in_band: usize,
    /// Packets on channels outside the band (not rendered).
    pub packets_out_of_band: usize,
}

/// Carrier time before and after each packet (symbols), like a
/// transmitter's ramps.
const GUARD_SYMBOLS: f64 = 4.0;

struct Prepared {
    start: f64, // sample position of the first preamble bit
    /// Samples first..last (exclusive) hold everything drawn for the
    /// packet, guards included (and a sample of margin each side).
    first: u64,
    last: u64,
    bits: Vec<bool>,
    sps: f64,
    cfo_cycles: f64,
    phase0: f64,
}

impl Prepared {
    /// Draws the packet (with its guards) into its own buffer, so that what
    /// each sample gets does not depend on the blocks it is rendered in.
    fn draw(&self, modulator: &Modulator, amp: f32) -> (Vec<f32>, Vec<f32>) {
        let len = (self.last - self.first) as usize;
        let (mut re, mut im) = (vec![0f32; len], vec![0f32; len]);
        let n_p = self.start.floor();
        let phase0 = self.phase0 + 2.0 * std::f64::consts::PI * self.cfo_cycles * (self.first as f64 - n_p);
        // add_to's sample k is sample first + k of the capture
        modulator.add_to(
            &self.bits,
            self.sps,
            self.start - self.first as f64,
            amp,
            phase0,
            self.cfo_cycles,
            &mut re,
            &mut im,
        );
        (re, im)
    }
}

/// The symbols of a packet on its PHY (LE 2M is sent as 1M symbols; the
/// receivers do not handle 2M).
pub fn tx_symbols(tx: &BleTx) -> Vec<bool> {
    match tx.phy {
        BlePhy::CodedS8 => coded::air_symbols(tx.access_address, tx.channel, coded::Coding::S8, &tx.air_bytes()),
        BlePhy::CodedS2 => coded::air_symbols(tx.access_address, tx.channel, coded::Coding::S2, &tx.air_bytes()),
        BlePhy::Le1m | BlePhy::Le2m => packet::air_bits(tx.channel, &tx.air_bytes()),
    }
}

/// The BLE packets of a scenario as waveforms for [`mix::render`], in
/// order of first sample, each drawn when the mix first needs it.
pub struct BleEmitter {
    prepared: Vec<Prepared>,
    next: usize,
    modulator: Modulator,
    amp: f32,
    /// Packets in and out of the band.
    pub report: RenderReport,
}

impl BleEmitter {
    /// The packets of `txs` inside the band of `cfg`, at amplitude `amp`
    /// (the packets outside are counted in `report`).
    pub fn new(txs: &[BleTx], cfg: &IqConfig, amp: f32) -> Self {
        let fs = cfg.sample_rate;
        let mut phases = Rng::new(cfg.seed, &[0x1f_0002]);
        let mut report = RenderReport::default();
        let mut prepared: Vec<Prepared> = Vec::new();
        for tx in txs {
            let Some(f) = tx.freq_hz() else { continue };
            if !cfg.in_band(f) {
                report.packets_out_of_band += 1;
                continue;
            }
            report.packets_in_band += 1;
            let radio = cfg.radio(tx.drone);
            let clock = 1.0 + radio.ppm * 1e-6;
            let sps = fs / (SYMBOL_RATE * clock);
            let bits = tx_symbols(tx);
            let start = tx.t_s * fs;
            let cfo = f - cfg.center_freq_hz + radio.cfo_hz + radio.ppm * 1e-6 * f;
            let first = (start - GUARD_SYMBOLS * sps).floor() - 1.0;
            let last = (start + (bits.len() as f64 + GUARD_SYMBOLS) * sps).ceil() + 1.0;
            prepared.push(Prepared {
                start,
                first: first.max(0.0) as u64,
                last: last.max(0.0) as u64,
                bits,
                sps,
                cfo_cycles: cfo / fs,
                phase0: phases.next_u64() as f64 / u64::MAX as f64 * 2.0 * std::f64::consts::PI,
            });
        }
        // by the first sample drawn (stable: the order of `txs` among equals)
        prepared.sort_by_key(|p| p.first);
        // carrier on 4 µs before and after each packet, like a transmitter's ramps
        let modulator = Modulator::new(BT, H).with_guard(GUARD_SYMBOLS);
        BleEmitter { prepared, next: 0, modulator, amp, report }
    }
}

impl Emitter for BleEmitter {
    fn peek_first(&self) -> Option<u64> {
        self.prepared.get(self.next).map(|p| p.first)
    }

    fn next_wave(&mut self) -> Option<Placed> {
        let p = self.prepared.get(self.next)?;
        self.next += 1;
        let (re, im) = p.draw(&self.modulator, self.amp);
        Some(Placed { first: p.first, re, im })
    }
}

/// Renders `txs` (sorted by time) over `duration_s` into blocks of
/// `block` samples handed to `sink`. Packets whose channel lies outside the
/// band are skipped (and counted).
pub fn render_ble<E>(
    txs: &[BleTx],
    cfg: &IqConfig,
    duration_s: f64,
    block: usize,
    sink: impl FnMut(&[f32], &[f32]) -> Result<(), E>,
) -> Result<RenderReport, E> {
    let total = (duration_s * cfg.sample_rate).round().max(0.0) as u64;
    let mut e = BleEmitter::new(txs, cfg, cfg.amplitude());
    mix::render(&mut [&mut e], total, block, cfg.noise_sigma(), cfg.seed ^ 0x6e6f_6973_6521, sink)?;
    Ok(RenderReport { samples: total, ..e.report })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::scenario::{ScenarioConfig, ble4_legacy};

    fn render(txs: &[BleTx], cfg: &IqConfig, block: usize) -> (Vec<u32>, RenderReport) {
        let mut out = Vec::new();
        let r = render_ble(txs, cfg, 0.5, block, |re, im| {
            out.extend(re.iter().zip(im).flat_map(|(a, b)| [a.to_bits(), b.to_bits()]));
            Ok::<(), ()>(())
        })
        .unwrap();
        (out, r)
    }

    #[test]
    fn the_samples_do_not_depend_on_the_block_size() {
        let txs =
            ble4_legacy(&ScenarioConfig { seed: 5, drones: 3, duration_s: 0.5, ..ScenarioConfig::default() }).unwrap();
        let cfg = IqConfig {
            sample_rate: 4e6,
            center_freq_hz: 2402e6,
            ebn0_db: 20.0,
            cfo_hz: 20e3,
            ppm: 10.0,
            seed: 5,
            amplitude: None,
        };
        let (reference, report) = render(&txs, &cfg, 65536);
        assert!(report.packets_in_band >= 5, "{report:?}");
        // a block boundary inside the first packet's leading guard, and one
        // inside the last's trailing guard (2 samples before the ramp
        // ends: after the old bookkeeping's end)
        let start = txs.iter().find(|t| t.freq_hz().is_some_and(|f| cfg.in_band(f))).unwrap().t_s * cfg.sample_rate;
        let last = txs.iter().rev().find(|t| t.freq_hz().is_some_and(|f| cfg.in_band(f))).unwrap();
        let end = (last.t_s * cfg.sample_rate)
            + (packet::air_bits(last.channel, &last.air_bytes()).len() + 4) as f64 * cfg.sample_rate / 1e6
            - 2.0;
        for block in [4096, start.floor() as usize - 2, end.floor() as usize] {
            let (got, r) = render(&txs, &cfg, block);
            assert_eq!(r, report);
            let differ = got.iter().zip(&reference).filter(|(a, b)| a != b).count();
            assert_eq!(differ, 0, "block {block}: {differ} values differ");
        }
    }
}
