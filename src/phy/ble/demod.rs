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
//!
//! The sync word's reference waveform is tabulated once at every eighth of
//! a sample, and the window is de-rotated only as far as the packet goes,
//! so a candidate costs little more than its own length.

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
/// Timing resolution: 1/FRAC of a sample.
const FRAC: usize = 8;
/// Normalized sync correlation below which a candidate is noise.
const MIN_SYNC_QUALITY: f64 = 0.2;
/// Symbols decided after the header before it is traced back.
const HEADER_LOOKAHEAD: usize = 16;
/// Phase and frequency loop gains (per symbol).
const ALPHA: f32 = 0.12;
const BETA: f32 = 0.004;
/// Sync samples that do not depend on the data after the sync word.
const SYNC_SPAN: usize = (SYNC_BITS - 1) * SPS;

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
    fn abs(self) -> f64 {
        (self.re * self.re + self.im * self.im).sqrt()
    }
}

/// The sync word's waveform sampled with the first sample `off`/FRAC of a
/// sample after the packet start: values and one-symbol differentials.
struct SyncRef {
    re: Vec<f32>,
    im: Vec<f32>,
    /// ref[i]·conj(ref[i−SPS]) for i ≥ SPS (index i−SPS)
    d_re: Vec<f32>,
    d_im: Vec<f32>,
}

/// atan2 within ±0.005 rad, for the tracking loops.
#[inline]
fn fast_atan2(y: f32, x: f32) -> f32 {
    use std::f32::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (x.abs(), y.abs());
    if ax == 0.0 && ay == 0.0 {
        return 0.0;
    }
    let (a, swap) = if ay > ax { (ax / ay, true) } else { (ay / ax, false) };
    let s = a * a;
    let mut r = ((-0.046_496_47 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if swap {
        r = FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 { -r } else { r }
}

/// The window of the current candidate, copied and de-rotated by `cfo` as
/// far as it has been needed.
struct Derotated {
    cfo: f64,
    re: Vec<f32>,
    im: Vec<f32>,
}

impl Derotated {
    /// Forgets the window (the next [`rotate`](Self::rotate) starts afresh).
    fn clear(&mut self) {
        self.re.clear();
        self.im.clear();
    }

    /// Makes `self` = the window × e^{−j2π·cfo·n} for n < `upto`
    /// (recomputed from scratch when the offset changes, extended otherwise).
    fn rotate(&mut self, re: &[f32], im: &[f32], cfo: f64, upto: usize) {
        let upto = upto.min(re.len()).min(im.len());
        if cfo != self.cfo {
            self.cfo = cfo;
            self.clear();
        }
        let from = self.re.len();
        if from >= upto {
            return;
        }
        let w = -2.0 * std::f64::consts::PI * cfo;
        let (ds, dc) = w.sin_cos();
        // exact phase at every 64-sample boundary, rotation in between
        let mut k = from;
        while k < upto {
            let end = ((k / 64 + 1) * 64).min(upto);
            let (s, c) = (w * k as f64).sin_cos();
            let (mut pr, mut pi) = (c, s);
            for j in k..end {
                let (xr, xi) = (re[j] as f64, im[j] as f64);
                self.re.push((xr * pr - xi * pi) as f32);
                self.im.push((xr * pi + xi * pr) as f32);
                let npr = pr * dc - pi * ds;
                pi = pr * ds + pi * dc;
                pr = npr;
            }
            k = end;
        }
    }
}

pub struct Demodulator {
    sync: Vec<bool>,
    refs: Vec<SyncRef>,
    v: Derotated,
    preds: Vec<[u8; 4]>,
    /// Branch tables for packets starting i/FRAC of a sample before a sample.
    tabs: Vec<BranchTable>,
    /// Noise bandwidth of the windows (Hz); `None`: their sample rate.
    noise_bw_hz: Option<f64>,
}

impl Demodulator {
    pub fn new(sync: &[bool]) -> Self {
        let modulator = Modulator::new(BT, H);
        let prefix = prefix_sums(sync);
        let refs = (0..FRAC)
            .map(|off| {
                let o = off as f64 / FRAC as f64;
                let len = SYNC_SPAN - (off > 0) as usize;
                let (mut re, mut im) = (Vec::with_capacity(len), Vec::with_capacity(len));
                for i in 0..len {
                    let (s, c) = modulator.phase_with_prefix(sync, &prefix, (i as f64 + o) / SPS as f64).sin_cos();
                    re.push(c as f32);
                    im.push(s as f32);
                }
                let (mut d_re, mut d_im) = (Vec::new(), Vec::new());
                for i in SPS..len {
                    d_re.push(re[i] * re[i - SPS] + im[i] * im[i - SPS]);
                    d_im.push(im[i] * re[i - SPS] - re[i] * im[i - SPS]);
                }
                SyncRef { re, im, d_re, d_im }
            })
            .collect();
        let tabs = (0..FRAC).map(|key| BranchTable::new(&modulator, SPS, key as f64 / FRAC as f64)).collect();
        Demodulator {
            sync: sync.to_vec(),
            refs,
            v: Derotated { cfo: 0.0, re: Vec::new(), im: Vec::new() },
            preds: Vec::new(),
            tabs,
            noise_bw_hz: None,
        }
    }

    /// Declares the bandwidth (Hz) of the noise in the windows to come, for
    /// the SNR estimate: white noise of density N0 has power N0·bandwidth
    /// per sample. Windows straight from a capture at their own rate have
    /// the whole rate (the default); a front end that resampled or filtered
    /// them has less (see [`Front::noise_bandwidth_hz`](super::front::Front::noise_bandwidth_hz)).
    pub fn with_noise_bandwidth(mut self, hz: f64) -> Self {
        self.noise_bw_hz = (hz.is_finite() && hz > 0.0).then_some(hz);
        self
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
        let (re, im) = (&re[..n], &im[..n]);
        let coarse = coarse_start.round();
        if coarse - TIMING_SPAN < 1.0 {
            return Err(DemodError::NoSync);
        }
        let sync_end = (coarse + TIMING_SPAN) as usize + SYNC_SPAN + 2;
        if sync_end >= n {
            return Err(DemodError::Truncated { need: sync_end + 1 });
        }

        // a new window: nothing of the previous candidate's may be reused
        self.v.clear();

        // 1. timing and coarse carrier offset from the differential correlation
        self.v.rotate(re, im, 0.0, sync_end);
        let steps = (2.0 * TIMING_SPAN * 4.0) as i32;
        let mut best = (f64::MIN, coarse, C::default());
        for s in 0..=steps {
            let t0 = coarse - TIMING_SPAN + s as f64 * 0.25;
            let (d, q) = self.sync_differential(t0);
            if q > best.0 {
                best = (q, t0, d);
            }
        }
        let mut cfo = best.2.arg() / (2.0 * std::f64::consts::PI * SPS as f64); // cycles per sample
        let mut t0 = best.1;
        self.v.rotate(re, im, cfo, sync_end);

        // 2. fine carrier offset from the phase slope of the de-modulated sync word
        for lag in [4 * SPS, 16 * SPS] {
            let slope = self.sync_slope(t0, lag);
            cfo += slope.arg() / (2.0 * std::f64::consts::PI * lag as f64);
            self.v.rotate(re, im, cfo, sync_end);
        }
        // 3. timing in eighth-sample steps, and the carrier phase
        let (mut q0, mut c0) = (f64::MIN, C::default());
        let around = t0;
        for i in -4..=4 {
            let t = around + i as f64 / FRAC as f64;
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
            last = self.decode(re, im, t0, theta0, channel, cfo, fs);
            if matches!(last, Ok(Demodulated { crc_ok: true, .. })) {
                break;
            }
        }
        last
    }

    /// Steps 4 and 5 for one channel's whitening.
    #[allow(clippy::too_many_arguments)]
    fn decode(
        &mut self,
        re: &[f32],
        im: &[f32],
        t0: f64,
        theta0: f64,
        channel: u8,
        cfo: f64,
        fs: f64,
    ) -> Result<Demodulated, DemodError> {
        let bits = self.viterbi(re, im, t0, theta0, channel)?;
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
        let noise_bw = self.noise_bw_hz.unwrap_or(fs) / SYMBOL_RATE;
        let (snr_db, rssi_dbfs) = self.quality(&bits, t0, theta0, noise_bw);
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

    /// The reference table and first window sample for a packet starting at t0.
    fn sync_ref(&self, t0: f64) -> (&SyncRef, usize) {
        let n_int = t0.ceil();
        let off = (((n_int - t0) * FRAC as f64).round() as usize).min(FRAC - 1);
        (&self.refs[off], n_int.max(0.0) as usize)
    }

    /// Correlation of `v` with the sync reference, and its normalized magnitude.
    fn sync_correlation(&self, t0: f64) -> (C, f64) {
        let (r, n0) = self.sync_ref(t0);
        let len = r.re.len().min(self.v.re.len().saturating_sub(n0));
        let (vr, vi) = (&self.v.re[n0..n0 + len], &self.v.im[n0..n0 + len]);
        let (mut cr, mut ci, mut e) = (0f32, 0f32, 0f32);
        for i in 0..len {
            cr += vr[i] * r.re[i] + vi[i] * r.im[i];
            ci += vi[i] * r.re[i] - vr[i] * r.im[i];
            e += vr[i] * vr[i] + vi[i] * vi[i];
        }
        let c = C { re: cr as f64, im: ci as f64 };
        (c, c.abs() / ((e as f64) * len as f64).sqrt().max(1e-30))
    }

    /// Σ (v[k]·v*[k−4])·conj(ref[k]·ref*[k−4]) along the sync word, and its
    /// magnitude normalized by the products' magnitudes.
    fn sync_differential(&self, t0: f64) -> (C, f64) {
        let (r, n0) = self.sync_ref(t0);
        let len = r.re.len().min(self.v.re.len().saturating_sub(n0));
        if len <= SPS {
            return (C::default(), 0.0);
        }
        let (vr, vi) = (&self.v.re[n0..n0 + len], &self.v.im[n0..n0 + len]);
        let (mut dr, mut di, mut e) = (0f32, 0f32, 0f32);
        for i in SPS..len {
            let (pr, pi) = (vr[i] * vr[i - SPS] + vi[i] * vi[i - SPS], vi[i] * vr[i - SPS] - vr[i] * vi[i - SPS]);
            let (rr, ri) = (r.d_re[i - SPS], r.d_im[i - SPS]);
            dr += pr * rr + pi * ri;
            di += pi * rr - pr * ri;
            e += (pr * pr + pi * pi).sqrt();
        }
        let d = C { re: dr as f64, im: di as f64 };
        (d, d.abs() / (e as f64).max(1e-30))
    }

    /// Σ z[k]·conj(z[k−lag]) with z = v·conj(ref) along the sync word.
    fn sync_slope(&self, t0: f64, lag: usize) -> C {
        let (r, n0) = self.sync_ref(t0);
        let len = r.re.len().min(self.v.re.len().saturating_sub(n0));
        let z = |i: usize| {
            let (x, y) = (self.v.re[n0 + i], self.v.im[n0 + i]);
            (x * r.re[i] + y * r.im[i], y * r.re[i] - x * r.im[i])
        };
        let (mut sr, mut si) = (0f32, 0f32);
        for i in lag..len {
            let (a, b) = (z(i), z(i - lag));
            sr += a.0 * b.0 + a.1 * b.1;
            si += a.1 * b.0 - a.0 * b.1;
        }
        C { re: sr as f64, im: si as f64 }
    }

    /// The branch table for a packet starting `off` of a sample before a sample.
    fn branch_table(&self, off: f64) -> &BranchTable {
        &self.tabs[tab_index(off)]
    }

    /// Per-survivor-processing Viterbi over the GFSK trellis; returns all
    /// bits (sync included) of the packet.
    fn viterbi(&mut self, re: &[f32], im: &[f32], t0: f64, theta0: f64, channel: u8) -> Result<Vec<bool>, DemodError> {
        let s0f = t0.ceil();
        let s0 = s0f.max(0.0) as usize;
        // a field borrow (not `branch_table`), so `self.v` stays mutable
        let tab = &self.tabs[tab_index(s0f - t0)];
        let n = re.len().min(im.len());
        let ph_step = (std::f64::consts::PI * H) as f32;

        const NONE: f32 = f32::NEG_INFINITY;
        let mut metric = [NONE; 4];
        let mut theta = [0f32; 4];
        let mut nu = [0f32; 4];
        let st = |a1: bool, a0: bool| (a1 as usize) << 1 | a0 as usize;
        metric[st(self.sync[0], self.sync[1])] = 0.0;
        theta[st(self.sync[0], self.sync[1])] = theta0 as f32;
        self.preds.clear();

        let mut total_bits: Option<usize> = None;
        let mut k = 1usize;
        let cfo = self.v.cfo;
        loop {
            let last = total_bits.is_some_and(|t| k == t - 1);
            let base = s0 + k * SPS;
            if base + SPS > n {
                return Err(DemodError::Truncated { need: base + SPS });
            }
            self.v.rotate(re, im, cfo, base + SPS);
            let x_re = &self.v.re[base..base + SPS];
            let x_im = &self.v.im[base..base + SPS];
            let mut nm = [NONE; 4];
            let mut nth = [0f32; 4];
            let mut nnu = [0f32; 4];
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
                    // y = Σ x·conj(w), then rotated by −θ
                    let (mut yr, mut yi) = (0f32, 0f32);
                    for m in 0..SPS {
                        yr += x_re[m] * wr[m] + x_im[m] * wi[m];
                        yi += x_im[m] * wr[m] - x_re[m] * wi[m];
                    }
                    let (r_re, r_im) = (yr * cs + yi * sn, yi * cs - yr * sn);
                    let cand = metric[s] + r_re;
                    let ns = if b == 2 { s } else { ((s & 1) << 1) | b as usize };
                    if cand > nm[ns] {
                        let err = fast_atan2(r_im, r_re);
                        let a_prev = if s >> 1 == 1 { 1.0 } else { -1.0 };
                        nm[ns] = cand;
                        nth[ns] = theta[s] + ph_step * a_prev + nu[s] + ALPHA * err;
                        nnu[ns] = nu[s] + BETA * err;
                        pred[ns] = s as u8;
                    }
                }
            }
            // keep the phases small so f32 keeps its precision
            for t in &mut nth {
                *t = t.rem_euclid(std::f32::consts::TAU);
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

    /// SNR (in 1 MHz) and signal power (dBFS): the waveform of the decided
    /// bits is rebuilt from the branch table, and the complex gain fitted
    /// per 16-symbol segment. `noise_bw` is the noise bandwidth of the
    /// window in symbol rates.
    fn quality(&self, bits: &[bool], t0: f64, theta0: f64, noise_bw: f64) -> (f32, f32) {
        let s0f = t0.ceil();
        let s0 = s0f.max(0.0) as usize;
        let tab = self.branch_table(s0f - t0);
        let nsym = bits.len();
        if nsym < 3 || s0 + nsym * SPS > self.v.re.len() {
            return (0.0, -200.0);
        }
        let a = |i: usize| if bits[i] { 1.0f64 } else { -1.0 };
        let mut acc = theta0; // carrier + πh Σ_{i ≤ k−2} a_i
        let (mut sig, mut err, mut count) = (0f64, 0f64, 0usize);
        let mut g = (0f64, 0f64, 0f64); // Σ v·conj(s), Σ|s|² over the segment
        let mut seg: Vec<(f32, f32, f32, f32)> = Vec::with_capacity(16 * SPS);
        for k in 1..nsym {
            let (sn, cs) = acc.sin_cos();
            let pat = if k + 1 < nsym {
                ((bits[k - 1] as usize) << 2 | (bits[k] as usize) << 1 | bits[k + 1] as usize, false)
            } else {
                ((bits[k - 1] as usize) << 1 | bits[k] as usize, true)
            };
            for m in 0..SPS {
                let (wr, wi) = if pat.1 {
                    (tab.tail_re[pat.0 * SPS + m] as f64, tab.tail_im[pat.0 * SPS + m] as f64)
                } else {
                    (tab.re[pat.0 * SPS + m] as f64, tab.im[pat.0 * SPS + m] as f64)
                };
                let (sr, si) = (wr * cs - wi * sn, wr * sn + wi * cs);
                let (vr, vi) = (self.v.re[s0 + k * SPS + m] as f64, self.v.im[s0 + k * SPS + m] as f64);
                g.0 += vr * sr + vi * si;
                g.1 += vi * sr - vr * si;
                g.2 += sr * sr + si * si;
                seg.push((vr as f32, vi as f32, sr as f32, si as f32));
            }
            acc += std::f64::consts::PI * H * a(k - 1);
            if seg.len() >= 16 * SPS || k + 1 == nsym {
                let (gr, gi) = if g.2 > 0.0 { (g.0 / g.2, g.1 / g.2) } else { (0.0, 0.0) };
                for &(vr, vi, sr, si) in &seg {
                    let (vr, vi, sr, si) = (vr as f64, vi as f64, sr as f64, si as f64);
                    let (er, ei) = (vr - (gr * sr - gi * si), vi - (gr * si + gi * sr));
                    err += er * er + ei * ei;
                    sig += (gr * gr + gi * gi) * (sr * sr + si * si);
                    count += 1;
                }
                seg.clear();
                g = (0.0, 0.0, 0.0);
            }
        }
        let count = count.max(1) as f64;
        // err/count is the noise power N0·B; the signal's energy per bit is
        // sig/count·T, so Eb/N0 = sig/err·B·T
        let snr = (sig / err.max(1e-30)) * noise_bw;
        (10.0 * snr.log10() as f32, 10.0 * (sig / count).max(1e-20).log10() as f32)
    }
}

/// Index in `Demodulator::tabs` of the branch table for a packet starting
/// `off` (0 ≤ off < 1) of a sample before a sample.
fn tab_index(off: f64) -> usize {
    ((off * FRAC as f64).round() as usize).min(FRAC - 1)
}

fn best_state(m: &[f32; 4]) -> usize {
    (0..4).max_by(|&a, &b| m[a].total_cmp(&m[b])).unwrap_or(0)
}

#[cfg(test)]
mod fast_tests {
    #[test]
    fn fast_atan2_is_close() {
        for i in 0..3600 {
            let a = (i as f32 / 10.0 - 180.0).to_radians();
            let (y, x) = (a.sin() * 2.5, a.cos() * 2.5);
            assert!((super::fast_atan2(y, x) - y.atan2(x)).abs() < 0.006, "{a}");
        }
        assert_eq!(super::fast_atan2(0.0, 0.0), 0.0);
    }
}
