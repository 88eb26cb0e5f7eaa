//! Coherent demodulation of one BLE 1M packet around a sync candidate.
//!
//! A plain FM discriminator needs about 13 dB Eb/N0 for a bit error rate of
//! 1e-3; coherent detection of the GFSK phase trajectory needs about 7 dB.
//! This demodulator is coherent:
//!
//! 1. timing (quarter-sample steps) and coarse carrier offset by correlating
//!    the one-symbol differential product of the signal with the sync
//!    word's (insensitive to the offset, ±500 kHz range);
//! 2. fine carrier offset from the phase slope of the de-modulated sync
//!    word, unwrapped over growing lags;
//! 3. timing in eighth-sample steps and carrier phase by coherent
//!    correlation with the sync word; a weak correlation rejects the
//!    candidate;
//! 4. a Viterbi detector over the GFSK phase trellis with per-survivor
//!    processing: states (a_{k−1}, a_k), each survivor carrying its own
//!    phase and frequency tracking loop (so residual offsets, drift and
//!    modulation-index errors are followed), trained on the sync bits;
//!    the header is traced back first to learn the length;
//! 5. dewhitening, CRC, and signal/noise estimates from the regenerated
//!    waveform.

use ridscope_dsp::gfsk::{BranchTable, Modulator, prefix_sums};

use super::detect::SPS;
use super::packet::{SYNC_BITS, Whitener};
use crate::link::ble::CRC_LEN;

/// Nominal modulation index and Gaussian BT of BLE.
pub const H: f64 = 0.5;
pub const BT: f64 = 0.5;
/// Symbol rate of the 1M PHY.
pub const SYMBOL_RATE: f64 = 1e6;

/// Timing search around the coarse start: ±this many samples.
const TIMING_SPAN: f64 = 2.5;
/// Normalized sync correlation below which a candidate is noise.
const MIN_SYNC_QUALITY: f64 = 0.2;
/// Symbols decided after the header before it is traced back.
const HEADER_LOOKAHEAD: usize = 16;
/// Phase and frequency loop gains (per symbol).
const ALPHA: f64 = 0.12;
const BETA: f64 = 0.004;

/// A demodulated packet.
#[derive(Debug, Clone, PartialEq)]
pub struct Demodulated {
    /// Dewhitened PDU followed by the 3 CRC bytes.
    pub bytes: Vec<u8>,
    /// The channel index whose whitening was used.
    pub channel: u8,
    pub crc_ok: bool,
    /// Window position (samples, fractional) of the first preamble sample.
    pub start: f64,
    /// Samples from `start` to the end of the packet.
    pub len_samples: usize,
    /// Carrier offset in the window (Hz).
    pub cfo_hz: f64,
    /// Signal-to-noise ratio in 1 MHz (= Eb/N0 at 1 Mb/s), dB.
    pub snr_db: f32,
    /// Signal power relative to full scale (amplitude 1), dB.
    pub rssi_dbfs: f32,
}

/// Why a candidate did not demodulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemodError {
    /// The sync word does not correlate: a false trigger.
    NoSync,
    /// The window ends before the packet does.
    Truncated { need: usize },
}

#[derive(Debug, Clone, Copy, Default)]
struct C {
    re: f64,
    im: f64,
}

impl C {
    fn arg(self) -> f64 {
        self.im.atan2(self.re)
    }
    fn norm_sqr(self) -> f64 {
        self.re * self.re + self.im * self.im
    }
}

pub struct Demodulator {
    modulator: Modulator,
    sync: Vec<bool>,
    sync_prefix: Vec<f64>,
    // scratch
    v_re: Vec<f32>,
    v_im: Vec<f32>,
    preds: Vec<[u8; 4]>,
}

impl Demodulator {
    pub fn new(sync: &[bool]) -> Self {
        let modulator = Modulator::new(BT, H);
        Demodulator {
            modulator,
            sync: sync.to_vec(),
            sync_prefix: prefix_sums(sync),
            v_re: Vec::new(),
            v_im: Vec::new(),
            preds: Vec::new(),
        }
    }

    /// Demodulates the packet whose first preamble sample is near
    /// `coarse_start` in the window (samples at 4 per symbol, rate `fs`).
    /// `channels` lists the channel indices whose whitening to try (one when
    /// the channel is known; the CRC picks among several); the result's
    /// `channel` says which one decoded.
    pub fn demodulate(
        &mut self,
        re: &[f32],
        im: &[f32],
        coarse_start: f64,
        channels: &[u8],
        fs: f64,
    ) -> Result<Demodulated, DemodError> {
        let n = re.len().min(im.len());
        let sync_samples = SYNC_BITS * SPS;
        let lo = (coarse_start - TIMING_SPAN - 1.0).floor();
        if lo < 1.0 {
            return Err(DemodError::NoSync);
        }
        if (coarse_start + TIMING_SPAN) as usize + sync_samples + 8 >= n {
            return Err(DemodError::Truncated { need: (coarse_start + TIMING_SPAN) as usize + sync_samples + 9 });
        }

        // 1+2. timing and coarse carrier offset: correlate the one-symbol
        // differential product of the signal with the reference's. It does
        // not care about the carrier offset, and its phase measures it.
        self.v_re.clear();
        self.v_im.clear();
        self.v_re.extend_from_slice(&re[..n]);
        self.v_im.extend_from_slice(&im[..n]);
        let steps = (2.0 * TIMING_SPAN * 4.0) as i32;
        let mut best = (f64::MIN, coarse_start, C::default());
        for s in 0..=steps {
            let t0 = coarse_start - TIMING_SPAN + s as f64 * 0.25;
            let (d, q) = self.sync_differential(t0);
            if q > best.0 {
                best = (q, t0, d);
            }
        }
        let mut cfo = best.2.arg() / (2.0 * std::f64::consts::PI * SPS as f64); // cycles per sample
        let mut t0 = best.1;
        self.derotate(re, im, cfo);

        // 3. fine carrier offset from the phase slope of the de-modulated
        // sync word, unwrapped over growing lags
        for lag in [4 * SPS, 16 * SPS] {
            let z = self.sync_product(t0);
            let mut slope = C::default();
            for k in lag..z.len() {
                let (x, y) = (z[k], z[k - lag]);
                slope.re += x.re * y.re + x.im * y.im;
                slope.im += x.im * y.re - x.re * y.im;
            }
            cfo += slope.arg() / (2.0 * std::f64::consts::PI * lag as f64);
            self.derotate(re, im, cfo);
        }
        // coherent timing refinement in eighth-sample steps
        let mut q0 = f64::MIN;
        let mut c0 = C::default();
        let around = t0;
        for i in -4..=4 {
            let t = around + i as f64 * 0.125;
            let (c, q) = self.sync_correlation(t);
            if q > q0 {
                (q0, c0, t0) = (q, c, t);
            }
        }
        if q0 < MIN_SYNC_QUALITY {
            return Err(DemodError::NoSync);
        }
        let theta0 = c0.arg();

        let mut last = Err(DemodError::NoSync);
        for &channel in channels {
            last = self.decode(t0, theta0, channel, cfo, fs);
            if matches!(last, Ok(Demodulated { crc_ok: true, .. })) {
                break;
            }
        }
        last
    }

    /// Steps 4 and 5 for one channel's whitening.
    fn decode(&mut self, t0: f64, theta0: f64, channel: u8, cfo: f64, fs: f64) -> Result<Demodulated, DemodError> {
        // 4. sequence detection
        let bits = self.viterbi(t0, theta0, channel)?;

        // 5. bytes, CRC, quality
        let nbytes = (bits.len() - SYNC_BITS) / 8;
        let mut bytes: Vec<u8> = bits[SYNC_BITS..]
            .chunks_exact(8)
            .map(|c| c.iter().enumerate().fold(0u8, |a, (i, &b)| a | (b as u8) << i))
            .collect();
        Whitener::new(channel).apply(&mut bytes);
        let crc_ok = nbytes >= 2 + CRC_LEN && {
            let (pdu, crc) = bytes.split_at(nbytes - CRC_LEN);
            ridscope_dsp::crc::ble_crc24_bytes(pdu) == crc
        };
        let (snr_db, rssi_dbfs) = self.quality(&bits, t0);
        Ok(Demodulated {
            bytes,
            channel,
            crc_ok,
            start: t0,
            len_samples: bits.len() * SPS,
            cfo_hz: cfo * fs,
            snr_db,
            rssi_dbfs,
        })
    }

    /// Copies the window into `v` multiplied by e^{−j2π·cfo·n}.
    fn derotate(&mut self, re: &[f32], im: &[f32], cfo: f64) {
        let n = re.len().min(im.len());
        self.v_re.clear();
        self.v_im.clear();
        let w = -2.0 * std::f64::consts::PI * cfo;
        // exact phase every 64 samples, rotation in between
        for chunk in 0..n.div_ceil(64) {
            let start = chunk * 64;
            let (s, c) = (w * start as f64).sin_cos();
            let (ds, dc) = w.sin_cos();
            let (mut pr, mut pi) = (c, s);
            for k in start..(start + 64).min(n) {
                let (xr, xi) = (re[k] as f64, im[k] as f64);
                self.v_re.push((xr * pr - xi * pi) as f32);
                self.v_im.push((xr * pi + xi * pr) as f32);
                let npr = pr * dc - pi * ds;
                pi = pr * ds + pi * dc;
                pr = npr;
            }
        }
    }

    /// The sync reference phase at window sample k for a packet starting at t0.
    fn sync_phase(&self, k: usize, t0: f64) -> f64 {
        self.modulator.phase_with_prefix(&self.sync, &self.sync_prefix, (k as f64 - t0) / SPS as f64)
    }

    /// Samples of the sync word that do not depend on the unknown data after it.
    fn sync_range(t0: f64) -> std::ops::Range<usize> {
        let first = t0.ceil().max(0.0) as usize;
        first..(t0 + ((SYNC_BITS - 1) * SPS) as f64).floor() as usize
    }

    /// Correlation of `v` with the sync reference, and its normalized magnitude.
    fn sync_correlation(&self, t0: f64) -> (C, f64) {
        let mut c = C::default();
        let mut e = 0.0;
        let mut count = 0.0;
        for k in Self::sync_range(t0) {
            let (s, co) = self.sync_phase(k, t0).sin_cos();
            let (xr, xi) = (self.v_re[k] as f64, self.v_im[k] as f64);
            c.re += xr * co + xi * s;
            c.im += xi * co - xr * s;
            e += xr * xr + xi * xi;
            count += 1.0;
        }
        let q = c.norm_sqr().sqrt() / (e * count).sqrt().max(1e-30);
        (c, q)
    }

    /// Σ (v[k]·v*[k−4])·conj(ref[k]·ref*[k−4]) along the sync word, and its
    /// magnitude normalized by the products' energy.
    fn sync_differential(&self, t0: f64) -> (C, f64) {
        let mut d = C::default();
        let mut e = 0.0;
        let r = Self::sync_range(t0);
        for k in (r.start + SPS)..r.end {
            let (s1, c1) = self.sync_phase(k, t0).sin_cos();
            let (s0, c0) = self.sync_phase(k - SPS, t0).sin_cos();
            // reference differential e^{j(φ1−φ0)}
            let (rr, ri) = (c1 * c0 + s1 * s0, s1 * c0 - c1 * s0);
            let (x1r, x1i) = (self.v_re[k] as f64, self.v_im[k] as f64);
            let (x0r, x0i) = (self.v_re[k - SPS] as f64, self.v_im[k - SPS] as f64);
            // signal differential x1·conj(x0)
            let (pr, pi) = (x1r * x0r + x1i * x0i, x1i * x0r - x1r * x0i);
            d.re += pr * rr + pi * ri;
            d.im += pi * rr - pr * ri;
            e += pr.hypot(pi);
        }
        (d, d.norm_sqr().sqrt() / e.max(1e-30))
    }

    /// v·conj(reference) along the sync word.
    fn sync_product(&self, t0: f64) -> Vec<C> {
        Self::sync_range(t0)
            .map(|k| {
                let (s, co) = self.sync_phase(k, t0).sin_cos();
                let (xr, xi) = (self.v_re[k] as f64, self.v_im[k] as f64);
                C { re: xr * co + xi * s, im: xi * co - xr * s }
            })
            .collect()
    }

    /// Per-survivor-processing Viterbi over the GFSK trellis; returns all
    /// bits (sync included) of the packet.
    fn viterbi(&mut self, t0: f64, theta0: f64, channel: u8) -> Result<Vec<bool>, DemodError> {
        let s0 = t0.ceil();
        let off = s0 - t0;
        let s0 = s0 as usize;
        let tab = BranchTable::new(&self.modulator, SPS, off);
        let n = self.v_re.len();
        let ph_step = std::f64::consts::PI * H;

        const NONE: f64 = f64::NEG_INFINITY;
        let mut metric = [NONE; 4];
        let mut theta = [0f64; 4];
        let mut nu = [0f64; 4];
        let st = |a1: bool, a0: bool| (a1 as usize) << 1 | a0 as usize;
        metric[st(self.sync[0], self.sync[1])] = 0.0;
        theta[st(self.sync[0], self.sync[1])] = theta0;
        self.preds.clear();

        let mut total_bits: Option<usize> = None;
        let mut k = 1usize;
        loop {
            let last = total_bits.is_some_and(|t| k == t - 1);
            let base = s0 + k * SPS;
            if base + SPS > n {
                let need = base + SPS;
                return Err(DemodError::Truncated { need });
            }
            let x_re = &self.v_re[base..base + SPS];
            let x_im = &self.v_im[base..base + SPS];
            let mut nm = [NONE; 4];
            let mut nth = [0f64; 4];
            let mut nnu = [0f64; 4];
            let mut pred = [0u8; 4];
            for s in 0..4 {
                if metric[s] == NONE {
                    continue;
                }
                let (sn, cs) = theta[s].sin_cos();
                let branches: &[u8] = if last {
                    &[2] // tail: no next symbol
                } else if k + 1 < SYNC_BITS {
                    if self.sync[k + 1] { &[1] } else { &[0] }
                } else {
                    &[0, 1]
                };
                for &b in branches {
                    let (wr, wi) = if b == 2 {
                        (&tab.tail_re[s * SPS..(s + 1) * SPS], &tab.tail_im[s * SPS..(s + 1) * SPS])
                    } else {
                        let pat = (s << 1) | b as usize;
                        (&tab.re[pat * SPS..(pat + 1) * SPS], &tab.im[pat * SPS..(pat + 1) * SPS])
                    };
                    // y = Σ x·conj(w), then rotate by −θ
                    let (mut yr, mut yi) = (0f64, 0f64);
                    for m in 0..SPS {
                        let (xr, xi, w_r, w_i) = (x_re[m] as f64, x_im[m] as f64, wr[m] as f64, wi[m] as f64);
                        yr += xr * w_r + xi * w_i;
                        yi += xi * w_r - xr * w_i;
                    }
                    let (r_re, r_im) = (yr * cs + yi * sn, yi * cs - yr * sn);
                    let cand = metric[s] + r_re;
                    let ns = if b == 2 { s } else { ((s & 1) << 1) | b as usize };
                    if cand > nm[ns] {
                        let err = r_im.atan2(r_re);
                        let a_prev = if s >> 1 == 1 { 1.0 } else { -1.0 };
                        nm[ns] = cand;
                        nth[ns] = theta[s] + ph_step * a_prev + nu[s] + ALPHA * err;
                        nnu[ns] = nu[s] + BETA * err;
                        pred[ns] = s as u8;
                    }
                }
            }
            metric = nm;
            theta = nth;
            nu = nnu;
            self.preds.push(pred);
            if last {
                break;
            }
            // after the header (bits 40..56) plus a look-ahead, learn the length
            if total_bits.is_none() && k + 1 == SYNC_BITS + 16 + HEADER_LOOKAHEAD {
                let best = best_state(&metric);
                let bits = self.traceback(best, k + 1);
                let mut hdr = [0u8; 2];
                for (i, byte) in hdr.iter_mut().enumerate() {
                    for j in 0..8 {
                        *byte |= (bits[SYNC_BITS + 8 * i + j] as u8) << j;
                    }
                }
                Whitener::new(channel).apply(&mut hdr);
                let total = SYNC_BITS + 8 * (2 + hdr[1] as usize + CRC_LEN);
                if total < k + 2 {
                    return Err(DemodError::NoSync);
                }
                total_bits = Some(total);
            }
            k += 1;
        }
        let total = total_bits.unwrap_or(k + 1);
        Ok(self.traceback(best_state(&metric), total - 1))
    }

    /// Bits a_0..=a_last along the survivor ending in `state` after the
    /// steps so far.
    fn traceback(&self, mut state: usize, last: usize) -> Vec<bool> {
        let mut bits = vec![false; last + 1];
        // step j (0-based) decided a_{j+2}, except a tail step that decides nothing
        let steps = self.preds.len();
        let mut j = steps;
        let mut bit_idx = last as isize;
        let tail = steps + 1 > last; // the last step was a tail step
        if tail && j > 0 {
            j -= 1;
            state = self.preds[j][state] as usize;
        }
        while j > 0 && bit_idx >= 2 {
            bits[bit_idx as usize] = state & 1 == 1;
            j -= 1;
            state = self.preds[j][state] as usize;
            bit_idx -= 1;
        }
        // what is left is the initial state (a_0, a_1)
        if bit_idx >= 1 {
            bits[1] = state & 1 == 1;
            bits[0] = state >> 1 == 1;
        }
        bits
    }

    /// SNR (in 1 MHz) and signal power (dBFS) from the regenerated waveform,
    /// with the complex gain fitted per 16-symbol segment.
    fn quality(&self, bits: &[bool], t0: f64) -> (f32, f32) {
        let len = bits.len() * SPS;
        let start = t0.ceil().max(0.0) as usize;
        let end = (start + len).min(self.v_re.len());
        if end <= start + 16 {
            return (0.0, -200.0);
        }
        let mut s_re = vec![0f32; end];
        let mut s_im = vec![0f32; end];
        self.modulator.add_to(bits, SPS as f64, t0, 1.0, 0.0, 0.0, &mut s_re, &mut s_im);
        let (mut sig, mut err, mut count) = (0f64, 0f64, 0usize);
        let seg = 16 * SPS;
        let mut a = start;
        while a < end {
            let b = (a + seg).min(end);
            let mut g = C::default();
            let mut es = 0f64;
            for k in a..b {
                let (xr, xi, sr, si) = (self.v_re[k] as f64, self.v_im[k] as f64, s_re[k] as f64, s_im[k] as f64);
                g.re += xr * sr + xi * si;
                g.im += xi * sr - xr * si;
                es += sr * sr + si * si;
            }
            if es > 0.0 {
                g.re /= es;
                g.im /= es;
            }
            for k in a..b {
                let (xr, xi, sr, si) = (self.v_re[k] as f64, self.v_im[k] as f64, s_re[k] as f64, s_im[k] as f64);
                let (er, ei) = (xr - (g.re * sr - g.im * si), xi - (g.re * si + g.im * sr));
                err += er * er + ei * ei;
                sig += g.norm_sqr() * (sr * sr + si * si);
                count += 1;
            }
            a = b;
        }
        let count = count.max(1) as f64;
        let snr = (sig / err.max(1e-30)) * SPS as f64;
        (10.0 * snr.log10() as f32, 10.0 * (sig / count).max(1e-20).log10() as f32)
    }
}

fn best_state(m: &[f64; 4]) -> usize {
    (0..4).max_by(|&a, &b| m[a].total_cmp(&m[b])).unwrap_or(0)
}
