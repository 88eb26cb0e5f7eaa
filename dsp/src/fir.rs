//! FIR design (Kaiser-windowed sinc) and streaming FIR filters:
//! [`FirFilter`], [`FirDecimator`], the held-chip matched filter
//! [`ChipFir`] and the channel extractor [`ChannelDecimator`].
//!
//! # Output alignment
//!
//! All filters here are causal with zero initial history: output `m` of a
//! decimator by `D` is `y[m] = Σ_k h[k]·x[mD − k]` (with `x[n] = 0` for
//! `n < 0`), i.e. it is aligned to input sample `mD`, and a linear-phase
//! filter of `K` taps delays the signal by `(K − 1)/2` input samples
//! ([`FirDecimator::delay`]). Only the kept outputs are computed.

use std::f64::consts::PI;

use crate::kern::{self, DOT_LANES};
use crate::nco::{Nco, wrap_half};
use crate::window::Windows;

/// Kaiser window β for a stopband attenuation of `atten_db` (Kaiser's
/// empirical formula).
pub fn kaiser_beta(atten_db: f64) -> f64 {
    if atten_db > 50.0 {
        0.1102 * (atten_db - 8.7)
    } else if atten_db >= 21.0 {
        0.5842 * (atten_db - 21.0).powf(0.4) + 0.07886 * (atten_db - 21.0)
    } else {
        0.0
    }
}

/// Number of taps of a Kaiser-windowed lowpass with stopband attenuation
/// `atten_db` and transition width `transition_width` (fraction of the
/// sample rate). The width is clamped to [1e-4, 0.5] (NaN counts as 0.5) so
/// the result is always finite; at least 1.
pub fn kaiser_len(atten_db: f64, transition_width: f64) -> usize {
    let tw = if transition_width.is_nan() { 0.5 } else { transition_width.clamp(1e-4, 0.5) };
    let a = if atten_db.is_finite() { atten_db.max(0.0) } else { 0.0 };
    let n = ((a - 7.95) / (14.36 * tw)).ceil() + 1.0;
    if n.is_finite() && n >= 1.0 { n as usize } else { 1 }
}

/// Zeroth-order modified Bessel function of the first kind (power series).
pub(crate) fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1.0;
    while term > 1e-17 * sum && k < 500.0 {
        term *= q / (k * k);
        sum += term;
        k += 1.0;
    }
    sum
}

/// Kaiser window value at position `x` in [-1, 1] (0 outside).
pub(crate) fn kaiser(x: f64, beta: f64) -> f64 {
    if !(-1.0..=1.0).contains(&x) {
        return 0.0;
    }
    bessel_i0(beta * (1.0 - x * x).max(0.0).sqrt()) / bessel_i0(beta)
}

/// `sin(πx)/(πx)`.
pub(crate) fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 { 1.0 } else { (PI * x).sin() / (PI * x) }
}

/// Kaiser-windowed-sinc lowpass with `num_taps` taps, cutoff (−6 dB point)
/// `cutoff` as a fraction of the sample rate (clamped to [0, 0.5]) and
/// window parameter `beta`, normalized to unity DC gain. Symmetric (linear
/// phase, delay `(num_taps − 1)/2`). `num_taps == 0` gives an empty vector;
/// a zero cutoff gives the single-tap-equivalent of a DC-normalized window.
pub fn lowpass(num_taps: usize, cutoff: f64, beta: f64) -> Vec<f32> {
    if num_taps == 0 {
        return Vec::new();
    }
    let fc = if cutoff.is_nan() { 0.5 } else { cutoff.clamp(0.0, 0.5) };
    let beta = if beta.is_finite() { beta.abs() } else { 0.0 };
    let mid = (num_taps - 1) as f64 / 2.0;
    let h: Vec<f64> = (0..num_taps)
        .map(|i| {
            let t = i as f64 - mid;
            let w = if num_taps == 1 { 1.0 } else { kaiser(t / mid, beta) };
            2.0 * fc * sinc(2.0 * fc * t) * w
        })
        .collect();
    let sum: f64 = h.iter().sum();
    let scale = if sum.abs() > 1e-300 { 1.0 / sum } else { 1.0 };
    h.iter().map(|&v| (v * scale) as f32).collect()
}

/// Grows `out` by `n` zeros and returns the start of the new part.
fn grow(out_re: &mut Vec<f32>, out_im: &mut Vec<f32>, n: usize) -> (usize, usize) {
    let (a, b) = (out_re.len(), out_im.len());
    out_re.resize(a + n, 0.0);
    out_im.resize(b + n, 0.0);
    (a, b)
}

/// Streaming real-tap FIR filter with integer decimation.
///
/// Computes `y[m] = Σ_k h[k]·x[mD − k]` only at the kept positions (see the
/// [module docs](self) for the alignment). With `decim == 1` it is a plain
/// filter (vectorized across outputs); with `decim > 1` every output is one
/// vectorized dot product.
#[derive(Clone, Debug)]
pub struct FirDecimator {
    taps: Vec<f32>,
    /// Taps reversed (oldest sample first), zero-padded at the front to
    /// `klen` taps.
    rev: Vec<f32>,
    decim: usize,
    win: Windows,
    produced: u64,
}

impl FirDecimator {
    /// A filter with the given taps keeping every `decim`-th output.
    /// `decim == 0` is taken as 1; an empty tap vector is a filter whose
    /// output is all zeros.
    pub fn new(taps: Vec<f32>, decim: usize) -> Self {
        let decim = decim.max(1);
        let k = taps.len().max(1);
        let klen = if decim == 1 { k } else { k.div_ceil(DOT_LANES) * DOT_LANES };
        let mut rev = vec![0.0f32; klen];
        for (i, &t) in taps.iter().enumerate() {
            rev[klen - 1 - i] = t;
        }
        let win = Windows::new(klen - 1);
        FirDecimator { taps, rev, decim, win, produced: 0 }
    }

    /// The taps as given.
    pub fn taps(&self) -> &[f32] {
        &self.taps
    }

    /// The decimation factor.
    pub fn decim(&self) -> usize {
        self.decim
    }

    /// Group delay of a linear-phase filter, `(K − 1)/2` input samples.
    pub fn delay(&self) -> f64 {
        self.taps.len().saturating_sub(1) as f64 / 2.0
    }

    /// Outputs produced since `new`/`reset`.
    pub fn outputs_produced(&self) -> u64 {
        self.produced
    }

    /// Input time (in input samples) that output `m` represents for a
    /// linear-phase filter: `m·D − (K − 1)/2`.
    pub fn input_time_of_output(&self, m: u64) -> f64 {
        m as f64 * self.decim as f64 - self.delay()
    }

    /// Clears the history (back to the state after `new`).
    pub fn reset(&mut self) {
        self.win.reset(self.rev.len() - 1);
        self.produced = 0;
    }

    /// Filters a block, appending the kept outputs to `out_re`/`out_im`.
    /// Processes the common length of `in_re` and `in_im`. Returns the
    /// number of outputs appended.
    pub fn process(&mut self, in_re: &[f32], in_im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) -> usize {
        let (rev, d) = (&self.rev, self.decim);
        let mut sc = [0f32; 2 * DOT_LANES];
        let n = self.win.feed(in_re, in_im, rev.len(), d, |xr, xi, count| {
            if d == 1 {
                kern::fir_tiles_real(rev, xr, xi, count, out_re, out_im);
            } else {
                let (a, b) = grow(out_re, out_im, count);
                kern::fir_dots_real(rev, xr, xi, d, &mut out_re[a..], &mut out_im[b..], &mut sc);
            }
        });
        self.produced += n as u64;
        n
    }
}

/// Streaming real-tap FIR filter without decimation (a [`FirDecimator`]
/// with `decim == 1`).
#[derive(Clone, Debug)]
pub struct FirFilter(FirDecimator);

impl FirFilter {
    /// A filter with the given taps (empty: output all zeros).
    pub fn new(taps: Vec<f32>) -> Self {
        FirFilter(FirDecimator::new(taps, 1))
    }

    /// The taps.
    pub fn taps(&self) -> &[f32] {
        self.0.taps()
    }

    /// Group delay `(K − 1)/2` samples.
    pub fn delay(&self) -> f64 {
        self.0.delay()
    }

    /// Outputs produced since `new`/`reset` (= inputs consumed).
    pub fn outputs_produced(&self) -> u64 {
        self.0.outputs_produced()
    }

    /// Clears the history.
    pub fn reset(&mut self) {
        self.0.reset()
    }

    /// Filters a block, appending one output per input sample (common
    /// length of `in_re`/`in_im`). Returns the number appended.
    pub fn process(&mut self, in_re: &[f32], in_im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) -> usize {
        self.0.process(in_re, in_im, out_re, out_im)
    }
}

/// Streaming FIR whose taps are ±1 chips each held for `hold` samples,
/// times a gain: the matched filter of a rectangular-chip spreading code
/// sampled at `hold` samples per chip (e.g. an 11-chip Barker code at 2
/// samples per chip), at a fraction of the cost of [`FirFilter`].
///
/// Output `n` is `gain · Σ_j c_j · Σ_{r<hold} x[n − K + 1 + j·hold + r]`
/// with `K = chips·hold`: the window of the last `K` inputs (oldest first)
/// correlated with the held chips in the order given. As a convolution it
/// is the FIR `h[k] = gain · c[(K − 1 − k) / hold]`, delay `(K − 1)/2`,
/// zero initial history; one output per input. Only the signs of `chips`
/// count (zero is taken as +1).
#[derive(Clone, Debug)]
pub struct ChipFir {
    neg: Vec<bool>,
    hold: usize,
    gain: f32,
    win: Windows,
    box_re: Vec<f32>,
    box_im: Vec<f32>,
    produced: u64,
}

impl ChipFir {
    /// `hold` 0 is taken as 1; no chips: output all zeros.
    pub fn new(chips: &[f32], hold: usize, gain: f32) -> Self {
        let hold = hold.max(1);
        let neg: Vec<bool> = chips.iter().map(|&c| c < 0.0).collect();
        let k = (neg.len() * hold).max(1);
        let s = kern::chip_fir_scratch(k);
        ChipFir { neg, hold, gain, win: Windows::new(k - 1), box_re: vec![0.0; s], box_im: vec![0.0; s], produced: 0 }
    }

    /// Window length `chips · hold`.
    pub fn len(&self) -> usize {
        self.neg.len() * self.hold
    }

    /// No chips.
    pub fn is_empty(&self) -> bool {
        self.neg.is_empty()
    }

    /// Group delay `(K − 1)/2` samples.
    pub fn delay(&self) -> f64 {
        self.len().saturating_sub(1) as f64 / 2.0
    }

    /// Outputs produced since `new`/`reset` (= inputs consumed).
    pub fn outputs_produced(&self) -> u64 {
        self.produced
    }

    /// Clears the history.
    pub fn reset(&mut self) {
        self.win.reset(self.len().max(1) - 1);
        self.produced = 0;
    }

    /// Filters a block, appending one output per input sample (common
    /// length of `in_re`/`in_im`). Returns the number appended.
    pub fn process(&mut self, in_re: &[f32], in_im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) -> usize {
        let k = self.len().max(1);
        let (neg, hold, gain) = (&self.neg, self.hold, self.gain);
        let (box_re, box_im) = (&mut self.box_re, &mut self.box_im);
        let n = self.win.feed(in_re, in_im, k, 1, |xr, xi, count| {
            if neg.is_empty() {
                grow(out_re, out_im, count);
            } else {
                kern::chip_fir_tiles(neg, hold, gain, xr, xi, count, box_re, box_im, out_re, out_im);
            }
        });
        self.produced += n as u64;
        n
    }
}

/// Extracts the channel centred at `center_freq` (fraction of the input
/// rate) and returns it at baseband at the decimated rate.
///
/// Equivalent to mixing the input by `e^{−j2π f0 n}`, filtering with the
/// real lowpass `h` and keeping every `decim`-th sample:
/// `z[m] = Σ_k h[k]·x[mD − k]·e^{−j2π f0 (mD − k)}`. It is computed as a
/// complex-tap filter `g[k] = h[k]·e^{j2π f0 k}` evaluated only at the kept
/// positions, followed by the correction `e^{−j2π f0 mD}` at the output
/// rate (an [`Nco`], phase-continuous across blocks). Output `m` is aligned
/// to input sample `mD` and delayed by [`delay`](Self::delay) input samples.
///
/// Several decimators may be fed the same block; each keeps its own short
/// history, and the cost per input sample is about `4K/D` multiply-adds.
#[derive(Clone, Debug)]
pub struct ChannelDecimator {
    taps_len: usize,
    center: f64,
    /// Complex taps reversed and front-padded to a multiple of DOT_LANES.
    rev_re: Vec<f32>,
    rev_im: Vec<f32>,
    decim: usize,
    win: Windows,
    nco: Nco,
    produced: u64,
}

impl ChannelDecimator {
    /// `lowpass_taps`: the real prototype (its cutoff sets the channel
    /// bandwidth); `center_freq`: channel centre as a fraction of the input
    /// rate (may be negative; non-finite is taken as 0); `decim`: 0 is taken
    /// as 1. An empty tap vector gives all-zero output.
    pub fn new(lowpass_taps: Vec<f32>, center_freq: f64, decim: usize) -> Self {
        let decim = decim.max(1);
        let f0 = if center_freq.is_finite() { center_freq } else { 0.0 };
        let k = lowpass_taps.len().max(1);
        let klen = k.div_ceil(DOT_LANES) * DOT_LANES;
        let mut rev_re = vec![0.0f32; klen];
        let mut rev_im = vec![0.0f32; klen];
        // Phase of e^{j2π f0 k} reduced modulo 1 before scaling by 2π.
        let f0w = wrap_half(f0);
        for (i, &t) in lowpass_taps.iter().enumerate() {
            let ph = 2.0 * PI * (f0w * i as f64).rem_euclid(1.0);
            let (s, c) = ph.sin_cos();
            rev_re[klen - 1 - i] = (t as f64 * c) as f32;
            rev_im[klen - 1 - i] = (t as f64 * s) as f32;
        }
        // Output-rate correction e^{-j2π f0 D m}.
        let corr = -wrap_half(f0w * decim as f64);
        ChannelDecimator {
            taps_len: lowpass_taps.len(),
            center: f0,
            rev_re,
            rev_im,
            decim,
            win: Windows::new(klen - 1),
            nco: Nco::new(corr, 1.0),
            produced: 0,
        }
    }

    /// Channel centre as given (fraction of the input rate).
    pub fn center_freq(&self) -> f64 {
        self.center
    }

    /// The decimation factor.
    pub fn decim(&self) -> usize {
        self.decim
    }

    /// Group delay `(K − 1)/2` in input samples.
    pub fn delay(&self) -> f64 {
        self.taps_len.saturating_sub(1) as f64 / 2.0
    }

    /// Outputs produced since `new`/`reset`.
    pub fn outputs_produced(&self) -> u64 {
        self.produced
    }

    /// Input time (in input samples) that output `m` represents for a
    /// linear-phase prototype: `m·D − (K − 1)/2`.
    pub fn input_time_of_output(&self, m: u64) -> f64 {
        m as f64 * self.decim as f64 - self.delay()
    }

    /// Clears the history and the output phase.
    pub fn reset(&mut self) {
        self.win.reset(self.rev_re.len() - 1);
        self.nco.set_phase(0.0);
        self.produced = 0;
    }

    /// Processes a block (common length of `in_re`/`in_im`), appending the
    /// baseband outputs at the decimated rate. Returns the number appended.
    pub fn process(&mut self, in_re: &[f32], in_im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) -> usize {
        let (gr, gi, d) = (&self.rev_re, &self.rev_im, self.decim);
        let (a0, b0) = (out_re.len(), out_im.len());
        let n = self.win.feed(in_re, in_im, gr.len(), d, |xr, xi, count| {
            let (a, b) = grow(out_re, out_im, count);
            kern::fir_dots_complex(gr, gi, xr, xi, d, &mut out_re[a..], &mut out_im[b..]);
        });
        self.nco.mix_inplace(&mut out_re[a0..], &mut out_im[b0..]);
        self.produced += n as u64;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{random_blocks, random_complex};

    /// Direct-form f64 convolution with zero history, then every d-th sample.
    fn reference_decim(h: &[f32], xr: &[f32], xi: &[f32], d: usize) -> (Vec<f64>, Vec<f64>) {
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        let mut n = 0;
        while n < xr.len() {
            let (mut a, mut b) = (0.0, 0.0);
            for (k, &c) in h.iter().enumerate() {
                if k <= n {
                    a += c as f64 * xr[n - k] as f64;
                    b += c as f64 * xi[n - k] as f64;
                }
            }
            yr.push(a);
            yi.push(b);
            n += d;
        }
        (yr, yi)
    }

    fn run_blocks<F>(n: usize, seed: u64, mut f: F) -> (Vec<f32>, Vec<f32>)
    where
        F: FnMut(std::ops::Range<usize>, &mut Vec<f32>, &mut Vec<f32>),
    {
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        let mut at = 0;
        for len in random_blocks(n, seed) {
            f(at..at + len, &mut yr, &mut yi);
            at += len;
        }
        (yr, yi)
    }

    fn assert_close(got: &[f32], want: &[f64], tol: f64, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            assert!((g as f64 - w).abs() <= tol, "{what}[{i}]: {g} vs {w}");
        }
    }

    #[test]
    fn kaiser_design_formulas() {
        assert!((kaiser_beta(60.0) - 0.1102 * 51.3).abs() < 1e-12);
        assert!((kaiser_beta(40.0) - (0.5842 * 19f64.powf(0.4) + 0.07886 * 19.0)).abs() < 1e-12);
        assert_eq!(kaiser_beta(10.0), 0.0);
        assert_eq!(kaiser_len(60.0, 0.1), ((60.0 - 7.95) / 1.436f64).ceil() as usize + 1);
        assert!(kaiser_len(80.0, 0.0) > 1000 && kaiser_len(80.0, f64::NAN) >= 1);
        assert_eq!(kaiser_len(0.0, 0.1), 1);
        // I0 against its known value I0(1) = 1.2660658777520082.
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_2).abs() < 1e-15);
        assert!((bessel_i0(5.0) - 27.239_871_823_604_45).abs() < 1e-11);
    }

    #[test]
    fn lowpass_meets_its_specification() {
        let atten = 60.0;
        let tw = 0.05;
        let n = kaiser_len(atten, tw);
        let h = lowpass(n, 0.125, kaiser_beta(atten));
        assert_eq!(h.len(), n);
        let dc: f64 = h.iter().map(|&v| v as f64).sum();
        assert!((dc - 1.0).abs() < 1e-6);
        for i in 0..n {
            assert!((h[i] - h[n - 1 - i]).abs() < 1e-7, "symmetric");
        }
        // Evaluate the DTFT directly.
        let resp = |f: f64| {
            let (mut a, mut b) = (0.0, 0.0);
            for (k, &c) in h.iter().enumerate() {
                a += c as f64 * (2.0 * PI * f * k as f64).cos();
                b -= c as f64 * (2.0 * PI * f * k as f64).sin();
            }
            (a * a + b * b).sqrt()
        };
        for i in 0..=100 {
            let f = 0.1 * i as f64 / 100.0; // passband edge 0.125 - 0.025
            assert!((resp(f) - 1.0).abs() < 2e-3, "passband at {f}: {}", resp(f));
            let f = 0.15 + 0.35 * i as f64 / 100.0; // stopband from 0.125 + 0.025
            assert!(20.0 * resp(f).log10() < -59.0, "stopband at {f}: {}", resp(f));
        }
        assert!((resp(0.125) - 0.5).abs() < 0.01, "-6 dB at the cutoff");
        assert!(lowpass(0, 0.1, 5.0).is_empty());
        assert_eq!(lowpass(1, 0.1, 5.0), vec![1.0]);
        assert!(lowpass(7, f64::NAN, f64::NAN).iter().all(|v| v.is_finite()));
    }

    #[test]
    fn decimator_matches_direct_convolution() {
        let n = 5000;
        let (xr, xi) = random_complex(n, 11);
        for &(k, d) in &[(16usize, 1usize), (64, 16), (7, 3), (1, 1), (33, 1), (5, 8), (120, 15), (3, 40)] {
            let h = lowpass(k, 0.2, 5.0);
            let (wr, wi) = reference_decim(&h, &xr, &xi, d);
            let mut f = FirDecimator::new(h.clone(), d);
            let (mut yr, mut yi) = (Vec::new(), Vec::new());
            let got = f.process(&xr, &xi, &mut yr, &mut yi);
            assert_eq!(got, wr.len());
            assert_eq!(f.outputs_produced(), got as u64);
            assert_eq!(f.input_time_of_output(3), 3.0 * d as f64 - (k - 1) as f64 / 2.0);
            assert_close(&yr, &wr, 2e-6, "re");
            assert_close(&yi, &wi, 2e-6, "im");
            for seed in 0..5 {
                f.reset();
                let (br, bi) = run_blocks(n, seed, |r, a, b| {
                    f.process(&xr[r.clone()], &xi[r], a, b);
                });
                assert_eq!(br, yr, "block split k={k} d={d}");
                assert_eq!(bi, yi);
            }
        }
    }

    #[test]
    fn fir_filter_and_edge_cases() {
        let (xr, xi) = random_complex(300, 3);
        let h = vec![0.5, -0.25, 0.125];
        let mut f = FirFilter::new(h.clone());
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        assert_eq!(f.process(&[], &[], &mut yr, &mut yi), 0);
        assert_eq!(f.process(&xr, &xi, &mut yr, &mut yi), 300);
        let (wr, wi) = reference_decim(&h, &xr, &xi, 1);
        assert_close(&yr, &wr, 1e-6, "re");
        assert_close(&yi, &wi, 1e-6, "im");
        assert_eq!(f.delay(), 1.0);
        // Mismatched lengths: the common length is consumed.
        let mut f = FirDecimator::new(h.clone(), 2);
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        assert_eq!(f.process(&xr[..5], &xi[..3], &mut yr, &mut yi), 2);
        // One-sample blocks give the same bits as one big block.
        for d in [1usize, 3] {
            let mut f = FirDecimator::new(h.clone(), d);
            let (mut yr, mut yi) = (Vec::new(), Vec::new());
            f.process(&xr, &xi, &mut yr, &mut yi);
            f.reset();
            let (mut br, mut bi) = (Vec::new(), Vec::new());
            for i in 0..xr.len() {
                f.process(&xr[i..i + 1], &xi[i..i + 1], &mut br, &mut bi);
            }
            assert_eq!((br, bi), (yr, yi));
        }
        // Huge decimation: one output, then nothing, no overflow.
        let mut f = FirDecimator::new(h.clone(), usize::MAX);
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        assert_eq!(f.process(&xr, &xi, &mut yr, &mut yi), 1);
        assert_eq!(f.process(&xr, &xi, &mut yr, &mut yi), 0);
        let mut c = ChannelDecimator::new(h.clone(), 0.1, usize::MAX);
        assert_eq!(c.process(&xr, &xi, &mut yr, &mut yi), 1);
        assert_eq!(c.process(&[], &[], &mut yr, &mut yi), 0);
        // Empty taps and decim 0.
        let mut f = FirDecimator::new(Vec::new(), 0);
        assert_eq!(f.decim(), 1);
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        f.process(&xr, &xi, &mut yr, &mut yi);
        assert_eq!(yr.len(), 300);
        assert!(yr.iter().chain(&yi).all(|&v| v == 0.0));
        // Appends, never overwrites.
        let mut f = FirFilter::new(vec![1.0]);
        let mut yr = vec![7.0];
        let mut yi = vec![8.0];
        f.process(&[1.0], &[2.0], &mut yr, &mut yi);
        assert_eq!((yr, yi), (vec![7.0, 1.0], vec![8.0, 2.0]));
    }

    #[test]
    fn chip_fir_matches_the_held_tap_fir() {
        let n = 5000;
        let (xr, xi) = random_complex(n, 21);
        let barker = [1.0f32, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0];
        for &(chips, hold, gain) in
            &[(&barker[..], 2usize, 1.0 / 22.0), (&barker[..], 1, 0.5), (&barker[..5], 3, 2.0), (&barker[..1], 1, 1.0)]
        {
            let k = chips.len() * hold;
            let h: Vec<f32> = (0..k).map(|i| gain * chips[(k - 1 - i) / hold]).collect();
            let (wr, wi) = reference_decim(&h, &xr, &xi, 1);
            let mut f = ChipFir::new(chips, hold, gain);
            assert_eq!(f.len(), k);
            assert_eq!(f.delay(), (k - 1) as f64 / 2.0);
            let (mut yr, mut yi) = (Vec::new(), Vec::new());
            assert_eq!(f.process(&xr, &xi, &mut yr, &mut yi), n);
            let tol = 1e-5 * (gain.abs() as f64) * k as f64;
            assert_close(&yr, &wr, tol, "re");
            assert_close(&yi, &wi, tol, "im");
            for seed in 0..5 {
                f.reset();
                let (br, bi) = run_blocks(n, seed, |r, a, b| {
                    f.process(&xr[r.clone()], &xi[r], a, b);
                });
                assert_eq!(br, yr, "block split chips={} hold={hold}", chips.len());
                assert_eq!(bi, yi);
            }
        }
        let mut f = ChipFir::new(&[], 2, 1.0);
        let (mut yr, mut yi) = (vec![7.0], vec![8.0]);
        assert_eq!(f.process(&xr[..10], &xi[..10], &mut yr, &mut yi), 10);
        assert_eq!(yr.len(), 11);
        assert!(yr[1..].iter().chain(&yi[1..]).all(|&v| v == 0.0));
    }

    /// Mix by e^{-j2π f0 n} (exact, f64), filter, downsample.
    fn reference_channel(h: &[f32], f0: f64, d: usize, xr: &[f32], xi: &[f32]) -> (Vec<f64>, Vec<f64>) {
        let (mut mr, mut mi) = (Vec::new(), Vec::new());
        for n in 0..xr.len() {
            let ph = -2.0 * PI * (f0 * n as f64).rem_euclid(1.0);
            let (s, c) = ph.sin_cos();
            mr.push(xr[n] as f64 * c - xi[n] as f64 * s);
            mi.push(xr[n] as f64 * s + xi[n] as f64 * c);
        }
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        let mut n = 0;
        while n < xr.len() {
            let (mut a, mut b) = (0.0, 0.0);
            for (k, &c) in h.iter().enumerate() {
                if k <= n {
                    a += c as f64 * mr[n - k];
                    b += c as f64 * mi[n - k];
                }
            }
            yr.push(a);
            yi.push(b);
            n += d;
        }
        (yr, yi)
    }

    #[test]
    fn channel_decimator_matches_mix_filter_downsample() {
        let n = 6000;
        let (xr, xi) = random_complex(n, 5);
        for &(k, f0, d) in
            &[(120usize, 0.2f64, 15usize), (121, -0.3137, 15), (40, 0.0, 4), (9, 0.45, 1), (64, -0.05, 16)]
        {
            let h = lowpass(k, 0.5 / d as f64, kaiser_beta(60.0));
            let (wr, wi) = reference_channel(&h, f0, d, &xr, &xi);
            let mut c = ChannelDecimator::new(h.clone(), f0, d);
            let (mut yr, mut yi) = (Vec::new(), Vec::new());
            assert_eq!(c.process(&xr, &xi, &mut yr, &mut yi), wr.len());
            assert_close(&yr, &wr, 3e-6, "re");
            assert_close(&yi, &wi, 3e-6, "im");
            for seed in 0..5 {
                c.reset();
                let (br, bi) = run_blocks(n, seed, |r, a, b| {
                    c.process(&xr[r.clone()], &xi[r], a, b);
                });
                assert_eq!(br, yr, "block split k={k} f0={f0} d={d}");
                assert_eq!(bi, yi);
            }
        }
    }

    #[test]
    fn channel_decimator_extracts_a_tone() {
        // A tone at f0 + 0.01 of fs comes out at +0.01·D cycles per output.
        let (f0, d) = (-0.21, 15);
        let fin = f0 + 0.01;
        let n = 30_000;
        let xr: Vec<f32> = (0..n).map(|i| (2.0 * PI * fin * i as f64).cos() as f32).collect();
        let xi: Vec<f32> = (0..n).map(|i| (2.0 * PI * fin * i as f64).sin() as f32).collect();
        let h = lowpass(120, 0.5 / d as f64, kaiser_beta(70.0));
        let mut c = ChannelDecimator::new(h, f0, d);
        let (mut yr, mut yi) = (Vec::new(), Vec::new());
        c.process(&xr, &xi, &mut yr, &mut yi);
        assert_eq!(c.outputs_produced(), yr.len() as u64);
        for m in 20..yr.len() {
            let want = 2.0 * PI * 0.01 * c.input_time_of_output(m as u64);
            assert!((yr[m] as f64 - want.cos()).abs() < 1e-3 && (yi[m] as f64 - want.sin()).abs() < 1e-3, "m={m}");
        }
        // Another channel fed the same block rejects it.
        let mut other = ChannelDecimator::new(lowpass(120, 0.5 / d as f64, kaiser_beta(70.0)), 0.2, d);
        let (mut or, mut oi) = (Vec::new(), Vec::new());
        other.process(&xr, &xi, &mut or, &mut oi);
        let p: f64 = (20..or.len()).map(|m| (or[m] as f64).powi(2) + (oi[m] as f64).powi(2)).sum::<f64>()
            / (or.len() - 20) as f64;
        assert!(10.0 * p.log10() < -60.0, "leak {p}");
    }
}
