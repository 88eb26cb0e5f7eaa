//! Numerically controlled oscillator (complex mixer).
//!
//! [`Nco::mix`] multiplies a split re/im stream by `e^{j(2π f n / fs + φ)}`.
//! The phase is kept in `f64` cycles and recomputed from the sample count at
//! the start of every chunk of [`CHUNK`] samples (chunks are aligned to the
//! sample count since the last [`Nco::set_freq`]/[`Nco::set_phase`], not to
//! block boundaries); inside a chunk the oscillator is a precomputed table
//! `e^{j2π f i / fs}` rotated by the chunk's start phase. The phase error
//! therefore does not accumulate (it stays near 1e-7 rad after 1e10
//! samples), and the output does not depend on how the input is split into
//! blocks.

use std::f64::consts::TAU;

use crate::kern;

/// Samples per exactly recomputed phase chunk.
pub const CHUNK: usize = 256;

/// Complex mixer with exact long-term phase; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct Nco {
    /// Sample rate given to `new` (Hz, or 1.0 for normalized use).
    sample_rate: f64,
    /// Frequency in cycles per sample, wrapped to [-0.5, 0.5).
    cps: f64,
    /// `frac(cps * CHUNK)`: phase advance per chunk, in cycles.
    chunk_step: f64,
    /// Phase at the epoch, in cycles, in [0, 1).
    phase0: f64,
    /// Samples produced since the epoch.
    n: u64,
    tab_re: Vec<f32>,
    tab_im: Vec<f32>,
    /// Chunk index whose rotation is cached in `rot`.
    rot_chunk: u64,
    rot: (f32, f32),
}

/// `x` wrapped to [-0.5, 0.5) without rounding error (`x − round(x)` is
/// exact in floating point). Non-finite input gives 0.
pub(crate) fn wrap_half(x: f64) -> f64 {
    if !x.is_finite() {
        return 0.0;
    }
    let w = x - x.round();
    if w >= 0.5 { w - 1.0 } else { w }
}

/// Fractional part in [0, 1).
fn frac(x: f64) -> f64 {
    let f = x - x.floor();
    if f >= 1.0 { 0.0 } else { f }
}

impl Nco {
    /// An oscillator at `freq_hz` for a stream sampled at `sample_rate`
    /// (any unit; pass `sample_rate = 1.0` for cycles per sample), starting
    /// at phase 0. Frequencies alias modulo the sample rate. A non-finite
    /// ratio (e.g. a zero sample rate) gives frequency 0.
    pub fn new(freq_hz: f64, sample_rate: f64) -> Self {
        let mut nco = Nco {
            sample_rate,
            cps: 0.0,
            chunk_step: 0.0,
            phase0: 0.0,
            n: 0,
            tab_re: vec![0.0; CHUNK],
            tab_im: vec![0.0; CHUNK],
            rot_chunk: u64::MAX,
            rot: (1.0, 0.0),
        };
        nco.set_cps(freq_hz / sample_rate);
        nco
    }

    /// Frequency in cycles per sample, in [-0.5, 0.5).
    pub fn cycles_per_sample(&self) -> f64 {
        self.cps
    }

    /// Frequency in the unit of the sample rate (after aliasing into
    /// [-fs/2, fs/2)).
    pub fn freq(&self) -> f64 {
        self.cps * self.sample_rate
    }

    /// Changes the frequency (same unit and sample rate as `new`) from the
    /// next sample on, keeping the phase continuous.
    pub fn set_freq(&mut self, freq_hz: f64) {
        self.phase0 = self.phase_cycles();
        self.n = 0;
        self.rot_chunk = u64::MAX;
        self.set_cps(freq_hz / self.sample_rate);
    }

    /// Phase (radians, in [0, 2π)) applied to the next sample.
    pub fn phase(&self) -> f64 {
        self.phase_cycles() * TAU
    }

    /// Sets the phase (radians) applied to the next sample.
    pub fn set_phase(&mut self, radians: f64) {
        self.phase0 = if radians.is_finite() { frac(radians / TAU) } else { 0.0 };
        self.n = 0;
        self.rot_chunk = u64::MAX;
    }

    /// Multiplies `in` by the oscillator into `out`, advancing the phase.
    /// Processes the common length of the four slices (mismatched lengths
    /// are a caller error; the excess is ignored and left untouched).
    pub fn mix(&mut self, in_re: &[f32], in_im: &[f32], out_re: &mut [f32], out_im: &mut [f32]) {
        let n = in_re.len().min(in_im.len()).min(out_re.len()).min(out_im.len());
        let mut done = 0;
        while done < n {
            let (r, take, rot) = self.next_run(n - done);
            kern::nco_mix(
                &self.tab_re[r..r + take],
                &self.tab_im[r..r + take],
                rot,
                &in_re[done..done + take],
                &in_im[done..done + take],
                &mut out_re[done..done + take],
                &mut out_im[done..done + take],
            );
            done += take;
            self.n += take as u64;
        }
    }

    /// In-place [`mix`](Self::mix) over the common length of `re` and `im`;
    /// bit-identical to `mix`.
    pub fn mix_inplace(&mut self, re: &mut [f32], im: &mut [f32]) {
        let n = re.len().min(im.len());
        let mut done = 0;
        while done < n {
            let (r, take, rot) = self.next_run(n - done);
            kern::nco_mix_inplace(
                &self.tab_re[r..r + take],
                &self.tab_im[r..r + take],
                rot,
                &mut re[done..done + take],
                &mut im[done..done + take],
            );
            done += take;
            self.n += take as u64;
        }
    }

    /// Skips `count` samples (advances the phase as if they were mixed).
    pub fn advance(&mut self, count: u64) {
        self.n = self.n.saturating_add(count);
    }

    fn set_cps(&mut self, cps: f64) {
        let cps = wrap_half(cps);
        self.cps = cps;
        self.chunk_step = frac(cps * CHUNK as f64);
        for i in 0..CHUNK {
            let (s, c) = (TAU * frac(cps * i as f64)).sin_cos();
            self.tab_re[i] = c as f32;
            self.tab_im[i] = s as f32;
        }
    }

    /// Phase in cycles [0, 1) of the next sample.
    fn phase_cycles(&self) -> f64 {
        let q = self.n / CHUNK as u64;
        let r = self.n % CHUNK as u64;
        frac(self.chunk_phase(q) + self.cps * r as f64)
    }

    /// Phase in cycles at the start of chunk `q`.
    fn chunk_phase(&self, q: u64) -> f64 {
        frac(self.phase0 + frac(self.chunk_step * q as f64))
    }

    /// Offset in the current chunk, samples to take in this run and the
    /// chunk's rotation.
    fn next_run(&mut self, remaining: usize) -> (usize, usize, (f32, f32)) {
        let q = self.n / CHUNK as u64;
        let r = (self.n % CHUNK as u64) as usize;
        if q != self.rot_chunk {
            let (s, c) = (TAU * self.chunk_phase(q)).sin_cos();
            self.rot = (c as f32, s as f32);
            self.rot_chunk = q;
        }
        (r, (CHUNK - r).min(remaining), self.rot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{Lcg, random_blocks};

    /// Exact reference: x[n] * e^{j(2π f n + φ)} in f64.
    fn reference(x_re: &[f32], x_im: &[f32], cps: f64, phi: f64, n0: u64) -> (Vec<f64>, Vec<f64>) {
        let mut yr = Vec::new();
        let mut yi = Vec::new();
        for (i, (&a, &b)) in x_re.iter().zip(x_im).enumerate() {
            let n = n0 + i as u64;
            // Exact phase: reduce cps*n modulo 1 with integer arithmetic on
            // a fixed-point copy of cps (2^-64 resolution).
            let th = TAU * (phase_exact(cps, n) + phi / TAU);
            let (s, c) = th.sin_cos();
            yr.push(a as f64 * c - b as f64 * s);
            yi.push(a as f64 * s + b as f64 * c);
        }
        (yr, yi)
    }

    /// frac(cps * n) computed in 128-bit fixed point (cps taken exactly as
    /// the f64 value, which has at most 53 significant bits).
    fn phase_exact(cps: f64, n: u64) -> f64 {
        // cps = m * 2^e exactly.
        let fixed = (cps.rem_euclid(1.0) * 2f64.powi(64)) as u128; // exact: < 2^64, 53 bits
        let prod = fixed.wrapping_mul(n as u128) & ((1u128 << 64) - 1);
        prod as f64 / 2f64.powi(64)
    }

    #[test]
    fn matches_exact_reference_and_block_splits() {
        let mut g = Lcg(7);
        let n = 3000;
        let xr: Vec<f32> = (0..n).map(|_| g.uniform()).collect();
        let xi: Vec<f32> = (0..n).map(|_| g.uniform()).collect();
        for &(f, fs) in &[(1.0e6f64, 4.0e6f64), (-0.37, 1.0), (0.123456789, 1.0), (0.0, 1.0), (3.5e6, 4e6)] {
            let cps = f / fs - (f / fs).round();
            let mut nco = Nco::new(f, fs);
            nco.set_phase(0.3);
            let mut yr = vec![0.0; n];
            let mut yi = vec![0.0; n];
            nco.mix(&xr, &xi, &mut yr, &mut yi);
            let (rr, ri) = reference(&xr, &xi, cps, 0.3, 0);
            for i in 0..n {
                assert!((yr[i] as f64 - rr[i]).abs() < 3e-7 && (yi[i] as f64 - ri[i]).abs() < 3e-7, "f={f} i={i}");
            }
            // Random block splits, mix and mix_inplace, give identical bits.
            for seed in 0..4 {
                let mut nco = Nco::new(f, fs);
                nco.set_phase(0.3);
                let mut br = xr.clone();
                let mut bi = xi.clone();
                let mut at = 0;
                for len in random_blocks(n, seed) {
                    if seed % 2 == 0 {
                        nco.mix_inplace(&mut br[at..at + len], &mut bi[at..at + len]);
                    } else {
                        let (a, b) = (xr[at..at + len].to_vec(), xi[at..at + len].to_vec());
                        nco.mix(&a, &b, &mut br[at..at + len], &mut bi[at..at + len]);
                    }
                    at += len;
                }
                assert_eq!(br, yr);
                assert_eq!(bi, yi);
            }
        }
    }

    #[test]
    fn phase_stays_exact_after_1e10_samples() {
        let cps = 0.123456789012345;
        let mut nco = Nco::new(cps, 1.0);
        let n: u64 = 10_000_000_017;
        nco.advance(n);
        let want = phase_exact(cps, n) * TAU;
        let err = circ(nco.phase(), want);
        assert!(err < 1e-7, "phase error {err} rad"); // ~1e-9 in practice
        // And the mixed output there still matches the exact oscillator.
        let xr = [1.0f32; 300];
        let xi = [0.0f32; 300];
        let mut yr = [0.0f32; 300];
        let mut yi = [0.0f32; 300];
        nco.mix(&xr, &xi, &mut yr, &mut yi);
        let (rr, ri) = reference(&xr, &xi, cps, 0.0, n);
        for i in 0..300 {
            assert!((yr[i] as f64 - rr[i]).abs() < 1e-6 && (yi[i] as f64 - ri[i]).abs() < 1e-6);
        }
    }

    /// Distance between two angles on the circle.
    fn circ(a: f64, b: f64) -> f64 {
        let d = (a - b).rem_euclid(TAU);
        d.min(TAU - d)
    }

    #[test]
    fn set_freq_keeps_phase_continuous() {
        let mut nco = Nco::new(0.1, 1.0);
        let x = [1.0f32; 10];
        let (mut yr, mut yi) = ([0.0f32; 10], [0.0f32; 10]);
        nco.mix(&x[..7], &[0.0; 7], &mut yr[..7], &mut yi[..7]);
        let p = nco.phase();
        assert!(circ(p, TAU * 0.7) < 1e-12);
        nco.set_freq(-0.25);
        assert!(circ(nco.phase(), p) < 1e-12);
        nco.mix(&x[..3], &[0.0; 3], &mut yr[..3], &mut yi[..3]);
        assert!(circ(nco.phase(), p - TAU * 0.75) < 1e-12); // three quarter turns back
        // The first sample after the change is at the old phase.
        assert!((yr[0] as f64 - p.cos()).abs() < 1e-6 && (yi[0] as f64 - p.sin()).abs() < 1e-6);
    }

    #[test]
    fn edge_cases() {
        let mut nco = Nco::new(1.0, 0.0); // non-finite ratio -> 0 Hz
        assert_eq!(nco.cycles_per_sample(), 0.0);
        nco.mix(&[], &[], &mut [], &mut []);
        nco.mix_inplace(&mut [], &mut []);
        // Mismatched lengths: the common length is processed.
        let mut out_re = [9.0f32; 3];
        let mut out_im = [9.0f32; 3];
        nco.mix(&[1.0, 2.0], &[0.0, 0.0, 0.0], &mut out_re, &mut out_im);
        assert_eq!(out_re, [1.0, 2.0, 9.0]);
        assert_eq!(out_im, [0.0, 0.0, 9.0]);
        nco.set_phase(f64::NAN);
        assert_eq!(nco.phase(), 0.0);
        assert_eq!(Nco::new(0.75, 1.0).cycles_per_sample(), -0.25);
        let mut n = Nco::new(1e6, 4e6);
        assert_eq!(n.freq(), 1e6);
        n.set_freq(3e6);
        assert_eq!((n.cycles_per_sample(), n.freq()), (-0.25, -1e6));
        assert_eq!(Nco::new(0.5, 1.0).cycles_per_sample(), -0.5);
        assert_eq!(Nco::new(-2.5, 1.0).cycles_per_sample(), -0.5);
        assert_eq!(Nco::new(3.1, 1.0).cycles_per_sample(), 3.1 - 3.0);
    }
}
