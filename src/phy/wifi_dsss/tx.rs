//! 802.11b DSSS modulator (long preamble at 1 and 2 Mb/s, short preamble
//! at 2 Mb/s), for tests and the synthesizer: bits → scrambler →
//! DBPSK/DQPSK → Barker spreading at 11 Mchip/s → pulse shaping at
//! 22 MS/s → optional resampling. The `*_with` functions take the
//! preamble; the others send the long one.

use std::f64::consts::{FRAC_PI_2, PI};

use ridscope_dsp::fir;
use ridscope_dsp::resample::FractionalResampler;

use super::plcp::{self, BARKER, Preamble, Rate, Scrambler};

/// The modulator's native rate: 2 samples per chip.
pub const TX_RATE: f64 = 22e6;
/// Pulse-shaping filter: cutoff (−6 dB) 7 MHz at 22 MS/s.
const SHAPE_CUTOFF_HZ: f64 = 7e6;
const SHAPE_TAPS: usize = 33;

/// The air bits (before scrambling) of a long-preamble PPDU: preamble,
/// header, PSDU. Returns the bits and the index where the PSDU starts.
pub fn ppdu_bits(psdu: &[u8], rate: Rate, service: u8) -> (Vec<u8>, usize) {
    ppdu_bits_with(psdu, rate, service, Preamble::Long)
}

/// [`ppdu_bits`] with either preamble (the bits do not depend on whether
/// the combination is allowed).
pub fn ppdu_bits_with(psdu: &[u8], rate: Rate, service: u8, preamble: Preamble) -> (Vec<u8>, usize) {
    let mut bits = Vec::with_capacity(preamble.sync_bits() + 64 + psdu.len() * 8);
    plcp::preamble_bits_of(preamble, &mut bits);
    plcp::header_bits(rate.signal(), service, rate.length_us(psdu.len()), &mut bits);
    let start = bits.len();
    plcp::push_lsb_first(psdu, &mut bits);
    (bits, start)
}

/// Whether the standard allows `rate` after `preamble` (the short
/// preamble is for 2 Mb/s and up).
pub fn allowed(rate: Rate, preamble: Preamble) -> bool {
    !(preamble == Preamble::Short && rate == Rate::Mbps1)
}

/// Unit-magnitude symbols (phase per µs) of a long-preamble PPDU,
/// starting at phase 0.
pub fn symbols(psdu: &[u8], rate: Rate) -> Vec<(f64, f64)> {
    symbols_of(psdu, rate, Preamble::Long)
}

/// [`symbols`] with either preamble; None for a short preamble at 1 Mb/s.
pub fn symbols_with(psdu: &[u8], rate: Rate, preamble: Preamble) -> Option<Vec<(f64, f64)>> {
    allowed(rate, preamble).then(|| symbols_of(psdu, rate, preamble))
}

fn symbols_of(psdu: &[u8], rate: Rate, preamble: Preamble) -> Vec<(f64, f64)> {
    let (bits, start) = ppdu_bits_with(psdu, rate, 0, preamble);
    let mut s = Scrambler::new(preamble.seed());
    let sc: Vec<u8> = bits.iter().map(|&b| s.scramble(b)).collect();
    // DBPSK up to `dqpsk_from` (the preamble; the long header and a 1 Mb/s
    // PSDU too), DQPSK after it (the short header, a 2 Mb/s PSDU)
    let header = preamble.sync_bits() + 16;
    let dqpsk_from = match (preamble, rate) {
        (Preamble::Short, _) => header,
        (Preamble::Long, Rate::Mbps1) => sc.len(),
        (Preamble::Long, Rate::Mbps2) => start,
    };
    differential_symbols(&sc, dqpsk_from)
}

/// Unit-magnitude symbols from phase 0 for scrambled bits: one DBPSK
/// symbol per bit before `dqpsk_from`, one DQPSK symbol per 2 bits after.
pub(crate) fn differential_symbols(sc: &[u8], dqpsk_from: usize) -> Vec<(f64, f64)> {
    let dqpsk_from = dqpsk_from.min(sc.len());
    let mut phase = 0.0f64;
    let mut out = Vec::with_capacity(sc.len());
    let mut push = |phase: f64| out.push((phase.cos(), phase.sin()));
    for &b in &sc[..dqpsk_from] {
        phase += PI * b as f64;
        push(phase);
    }
    for d in sc[dqpsk_from..].chunks(2) {
        // (d0, d1), d0 first: 00 → 0, 01 → π/2, 11 → π, 10 → −π/2
        let step = match (d[0], d.get(1).copied().unwrap_or(0)) {
            (0, 0) => 0.0,
            (0, 1) => FRAC_PI_2,
            (1, 1) => PI,
            _ => -FRAC_PI_2,
        };
        phase += step;
        push(phase);
    }
    out
}

/// Renders PPDUs as complex baseband.
pub struct Modulator {
    shape: Vec<f32>,
}

impl Default for Modulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Modulator {
    pub fn new() -> Self {
        Modulator { shape: fir::lowpass(SHAPE_TAPS, SHAPE_CUTOFF_HZ / TX_RATE, fir::kaiser_beta(50.0)) }
    }

    /// Output sample (at 22 MS/s) where the first chip starts: the output
    /// begins with the filter's lead-in.
    pub fn shape_delay(&self) -> usize {
        (self.shape.len() - 1) / 2
    }

    /// The long-preamble PPDU at 22 MS/s with unit chip power: the
    /// rectangular chip waveform (2 samples per chip) through the
    /// pulse-shaping filter. The output holds `shape_delay()` samples of
    /// filter lead-in, then the PPDU.
    pub fn modulate_22(&self, psdu: &[u8], rate: Rate) -> (Vec<f32>, Vec<f32>) {
        self.chips_22(&symbols_of(psdu, rate, Preamble::Long))
    }

    /// [`Modulator::modulate_22`] with either preamble; None for a short
    /// preamble at 1 Mb/s.
    pub fn modulate_22_with(&self, psdu: &[u8], rate: Rate, preamble: Preamble) -> Option<(Vec<f32>, Vec<f32>)> {
        symbols_with(psdu, rate, preamble).map(|s| self.chips_22(&s))
    }

    /// Unit-magnitude symbols (one per µs) spread and shaped at 22 MS/s.
    pub(crate) fn chips_22(&self, syms: &[(f64, f64)]) -> (Vec<f32>, Vec<f32>) {
        let n_chip_samples = syms.len() * 22;
        let (mut xr, mut xi) = (Vec::with_capacity(n_chip_samples), Vec::with_capacity(n_chip_samples));
        for &(c, s) in syms {
            for &b in &BARKER {
                for _ in 0..2 {
                    xr.push((c * b as f64) as f32);
                    xi.push((s * b as f64) as f32);
                }
            }
        }
        // full convolution: the first chip starts at output sample shape_delay()
        let h = &self.shape;
        let n = xr.len() + h.len() - 1;
        let (mut yr, mut yi) = (vec![0f32; n], vec![0f32; n]);
        for (k, (&a, &b)) in xr.iter().zip(&xi).enumerate() {
            for (j, &t) in h.iter().enumerate() {
                yr[k + j] += a * t;
                yi[k + j] += b * t;
            }
        }
        (yr, yi)
    }

    /// The PPDU at `fs` (any rate; 22 MS/s is native): output sample `k`
    /// is the 22 MS/s waveform at time k·22e6/fs, so the first chip starts
    /// at output time `shape_delay()·fs/22e6`.
    pub fn modulate(&self, psdu: &[u8], rate: Rate, fs: f64) -> (Vec<f32>, Vec<f32>) {
        let (r, i) = self.modulate_22(psdu, rate);
        resample(&r, &i, fs / TX_RATE)
    }

    /// [`Modulator::modulate`] with either preamble; None for a short
    /// preamble at 1 Mb/s.
    pub fn modulate_with(&self, psdu: &[u8], rate: Rate, preamble: Preamble, fs: f64) -> Option<(Vec<f32>, Vec<f32>)> {
        let (r, i) = self.modulate_22_with(psdu, rate, preamble)?;
        Some(resample(&r, &i, fs / TX_RATE))
    }
}

/// Adds a long-preamble PPDU to `re`/`im` (a capture at `fs`) as a transmitter would put
/// it on air: amplitude `amp` (RMS of the chips), clock `ppm` fast, carrier
/// `cfo_hz` off, initial phase `phase`, the output sample `at` being the
/// modulator's first output sample. Returns the capture position (samples)
/// of the first chip's start, or None when the PPDU does not fit.
#[allow(clippy::too_many_arguments)]
pub fn add_ppdu(
    m: &Modulator,
    psdu: &[u8],
    rate: Rate,
    fs: f64,
    at: usize,
    amp: f32,
    cfo_hz: f64,
    ppm: f64,
    phase: f64,
    re: &mut [f32],
    im: &mut [f32],
) -> Option<f64> {
    add_ppdu_with(m, psdu, rate, Preamble::Long, fs, at, amp, cfo_hz, ppm, phase, re, im)
}

/// [`add_ppdu`] with either preamble; None (nothing added) also for a
/// short preamble at 1 Mb/s.
#[allow(clippy::too_many_arguments)]
pub fn add_ppdu_with(
    m: &Modulator,
    psdu: &[u8],
    rate: Rate,
    preamble: Preamble,
    fs: f64,
    at: usize,
    amp: f32,
    cfo_hz: f64,
    ppm: f64,
    phase: f64,
    re: &mut [f32],
    im: &mut [f32],
) -> Option<f64> {
    let syms = symbols_with(psdu, rate, preamble)?;
    add_symbols(m, &syms, fs, at, amp, cfo_hz, ppm, phase, re, im)
}

/// [`add_ppdu`] for any symbols (see [`differential_symbols`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_symbols(
    m: &Modulator,
    syms: &[(f64, f64)],
    fs: f64,
    at: usize,
    amp: f32,
    cfo_hz: f64,
    ppm: f64,
    phase: f64,
    re: &mut [f32],
    im: &mut [f32],
) -> Option<f64> {
    let (r, i) = m.chips_22(syms);
    let ratio = fs / (TX_RATE * (1.0 + ppm * 1e-6));
    let (r, i) = resample(&r, &i, ratio);
    if at + r.len() > re.len().min(im.len()) {
        return None;
    }
    let w = 2.0 * PI * cfo_hz / fs;
    for (k, (&a, &b)) in r.iter().zip(&i).enumerate() {
        let ph = phase + w * k as f64;
        let (s, c) = (ph.sin() as f32, ph.cos() as f32);
        re[at + k] += amp * (a * c - b * s);
        im[at + k] += amp * (a * s + b * c);
    }
    Some(at as f64 + m.shape_delay() as f64 * ratio)
}

/// Resamples a whole burst by `ratio` (out/in), flushing the resampler's tail.
pub fn resample(re: &[f32], im: &[f32], ratio: f64) -> (Vec<f32>, Vec<f32>) {
    if (ratio - 1.0).abs() < 1e-12 {
        return (re.to_vec(), im.to_vec());
    }
    let mut rs = FractionalResampler::new(ratio);
    let pad = vec![0f32; rs.taps() + 2];
    let (mut or, mut oi) = (Vec::new(), Vec::new());
    rs.process(re, im, &mut or, &mut oi);
    rs.process(&pad, &pad, &mut or, &mut oi);
    let want = ((re.len() as f64) * ratio).ceil() as usize;
    or.truncate(want);
    oi.truncate(want);
    (or, oi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_count_and_dqpsk_map() {
        let psdu = [0u8; 10];
        assert_eq!(symbols(&psdu, Rate::Mbps1).len(), 192 + 80);
        assert_eq!(symbols(&psdu, Rate::Mbps2).len(), 192 + 40);
        // differential phases decode back to the scrambled bits
        let (bits, start) = ppdu_bits(&[0x5A, 0xC3], Rate::Mbps2, 0);
        let mut s = Scrambler::new(plcp::LONG_PREAMBLE_SEED);
        let sc: Vec<u8> = bits.iter().map(|&b| s.scramble(b)).collect();
        let syms = symbols(&[0x5A, 0xC3], Rate::Mbps2);
        for (k, d) in sc[start..].chunks(2).enumerate() {
            let a = syms[start + k];
            let b = syms[start + k - 1];
            let dphi = (a.1 * b.0 - a.0 * b.1).atan2(a.0 * b.0 + a.1 * b.1);
            let q = ((dphi / FRAC_PI_2).round() as i64).rem_euclid(4);
            let dibit = [[0, 0], [0, 1], [1, 1], [1, 0]][q as usize];
            assert_eq!(dibit, [d[0], d[1]]);
        }
    }

    #[test]
    fn short_preamble_symbols() {
        let psdu = [0x11u8, 0x22, 0x33, 0x44, 0x55];
        assert!(symbols_with(&psdu, Rate::Mbps1, Preamble::Short).is_none());
        assert!(Modulator::new().modulate_22_with(&psdu, Rate::Mbps1, Preamble::Short).is_none());
        let syms = symbols_with(&psdu, Rate::Mbps2, Preamble::Short).unwrap();
        // 72 preamble + 24 header + 20 PSDU symbols
        assert_eq!(syms.len(), 72 + 24 + 20);
        assert_eq!(symbols_with(&psdu, Rate::Mbps2, Preamble::Long).unwrap(), symbols(&psdu, Rate::Mbps2));
        let (bits, start) = ppdu_bits_with(&psdu, Rate::Mbps2, 0, Preamble::Short);
        assert_eq!(start, 72 + 48);
        let mut s = Scrambler::new(plcp::SHORT_PREAMBLE_SEED);
        let sc: Vec<u8> = bits.iter().map(|&b| s.scramble(b)).collect();
        let dphi = |k: usize| {
            let (a, b) = (syms[k], if k == 0 { (1.0, 0.0) } else { syms[k - 1] });
            let d = (a.1 * b.0 - a.0 * b.1).atan2(a.0 * b.0 + a.1 * b.1);
            ((d / FRAC_PI_2).round() as i64).rem_euclid(4) as usize
        };
        // preamble DBPSK, then header and PSDU DQPSK
        for (k, &b) in sc[..72].iter().enumerate() {
            assert_eq!(dphi(k), 2 * b as usize);
        }
        for (k, d) in sc[72..].chunks(2).enumerate() {
            let dibit = [[0, 0], [0, 1], [1, 1], [1, 0]][dphi(72 + k)];
            assert_eq!(dibit, [d[0], d[1]]);
        }
    }

    #[test]
    fn power_and_length() {
        let m = Modulator::new();
        let (r, i) = m.modulate_22(&[1, 2, 3, 4], Rate::Mbps1);
        assert_eq!(r.len(), (192 + 32) * 22 + SHAPE_TAPS - 1);
        let p: f64 = r.iter().zip(&i).map(|(a, b)| (a * a + b * b) as f64).sum::<f64>() / r.len() as f64;
        assert!((0.8..1.05).contains(&p), "{p}");
        let (r2, _) = m.modulate(&[1, 2, 3, 4], Rate::Mbps1, 20e6);
        assert_eq!(r2.len(), (r.len() as f64 * 20.0 / 22.0).ceil() as usize);
    }
}
