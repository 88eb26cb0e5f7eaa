//! One burst, from a window of capture samples around a detection to the
//! 7200 soft bits: band centre, resampling to 15.36 MS/s, timing, fractional
//! and integer CFO, Zadoff-Chu verification, channel estimation with phase
//! and timing-drift tracking, soft QPSK demapping.

use std::collections::HashMap;
use std::f64::consts::PI;
use std::sync::Arc;

use num_complex::Complex32;
use ridscope_dsp::nco::Nco;
use ridscope_dsp::resample::FractionalResampler;
use rustfft::{Fft, FftPlanner};

use super::burst::{self, CP_SHORT, DATA_R, FS, GOLD_R, N, USED, ZC_R, used_bins, window_offset, zc_values};

/// The coherence of the two ZC symbols' matches (0..1) a burst needs;
/// noise and other OFDM give about 0.04 (at most ~0.12 over all hypotheses).
pub const ZC_THRESHOLD: f32 = 0.2;
/// The differential match (0..1) a lone ZC symbol needs (noise: about 0.04
/// per hypothesis).
pub const SINGLE_ZC_THRESHOLD: f32 = 0.3;
/// Blocks of spectrum tried as the burst's band, strongest first.
pub const MAX_BANDS: usize = 3;
/// Integer CFO hypotheses: ±this many subcarriers around the band centre.
pub const INT_CFO_RANGE: i32 = 20;
/// Width of the moving average that smooths the channel estimate across
/// subcarriers.
const SMOOTH: usize = 11;
/// FFT windows start this many samples early (inside the cyclic prefix),
/// so small timing errors cause no inter-symbol interference.
const BACKOFF: i64 = 24;
/// Samples searched around the detector's timing (at 15.36 MS/s): half a
/// symbol (whole-symbol errors are settled by the ZC symbols).
const TIMING_SEARCH: i64 = (burst::SYM / 2) as i64;
/// LLR clip.
const LLR_MAX: f32 = 40.0;

/// Where a burst is in a window of capture samples.
#[derive(Debug, Clone, Copy)]
pub struct Hint {
    /// Window position (input samples) of the start of the cyclic prefix
    /// of the first data symbol common to both formats (r = −2).
    pub cp_start: f64,
}

/// A demodulated burst.
#[derive(Debug, Clone)]
pub struct Demodulated {
    /// 7200 LLRs (positive: bit 0), scrambled, in transmission order;
    /// 0 for symbols outside the window.
    pub llr: Vec<f32>,
    /// Which of the six data symbols were inside the window.
    pub present: [bool; 6],
    /// A Gold symbol was found before the data (9-symbol burst).
    pub nine: bool,
    /// Burst centre's offset from the capture centre (Hz).
    pub offset_hz: f64,
    /// Window position (input samples) of the first sample of the burst.
    pub start: f64,
    /// Mean power over the burst (dBFS, after band filtering).
    pub rssi_dbfs: f32,
    /// Signal to noise ratio in the 9 MHz occupied band (dB).
    pub snr_db: f32,
    /// Differential ZC quality of the two reference symbols.
    pub zc_quality: [f32; 2],
    /// Sampling clock offset of the transmitter relative to the receiver
    /// (ppm), from the timing drift between the two ZC symbols.
    pub clock_ppm: f32,
    /// Only one ZC symbol was inside the window: the integer CFO is a guess.
    pub single_zc: bool,
    /// The band centre it was demodulated at (Hz from the capture centre).
    pub band_hz: f64,
}

/// Why a window did not give a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// Not enough of the burst in the window.
    Truncated,
    /// No Zadoff-Chu reference symbols: not a DroneID burst.
    NoZc,
}

pub struct BurstDemod {
    fft: Arc<dyn Fft<f32>>,
    planner: FftPlanner<f32>,
    psd_ffts: HashMap<usize, Arc<dyn Fft<f32>>>,
    bins: [usize; USED],
    /// subcarrier index of each used position
    subc: [i32; USED],
    zc: [Vec<Complex32>; 2],
    /// conj(Z₀)·Z₁ per subcarrier
    zc01: Vec<Complex32>,
    gold: Vec<Complex32>,
    resamplers: HashMap<u64, FractionalResampler>,
    /// Integer CFO (subcarriers) to use when a burst shows only one ZC symbol.
    pub force_int_cfo: Option<i32>,
    // scratch
    mix_re: Vec<f32>,
    mix_im: Vec<f32>,
    y_re: Vec<f32>,
    y_im: Vec<f32>,
    buf: Vec<Complex32>,
}

/// The Gold symbol's QPSK values (the first 1200 scrambling bits).
pub fn gold_symbol() -> Vec<Complex32> {
    let c = super::coding::scrambling_sequence();
    c[..burst::BITS_PER_SYMBOL].chunks_exact(2).map(|p| burst::qpsk(p[0], p[1])).collect()
}

impl Default for BurstDemod {
    fn default() -> Self {
        Self::new()
    }
}

impl BurstDemod {
    pub fn new() -> Self {
        let mut planner = FftPlanner::new();
        let fft = planner.plan_fft_forward(N);
        let mut subc = [0i32; USED];
        for (i, k) in (-300..0).chain(1..=300).enumerate() {
            subc[i] = k;
        }
        BurstDemod {
            fft,
            planner,
            psd_ffts: HashMap::new(),
            bins: used_bins(),
            subc,
            zc: [zc_values(burst::ZC_ROOTS[0]), zc_values(burst::ZC_ROOTS[1])],
            zc01: zc_values(burst::ZC_ROOTS[0])
                .iter()
                .zip(zc_values(burst::ZC_ROOTS[1]))
                .map(|(a, b)| a.conj() * b)
                .collect(),
            gold: gold_symbol(),
            resamplers: HashMap::new(),
            force_int_cfo: None,
            mix_re: Vec::new(),
            mix_im: Vec::new(),
            y_re: Vec::new(),
            y_im: Vec::new(),
            buf: vec![Complex32::new(0.0, 0.0); N],
        }
    }

    /// Offsets (Hz) of the 9 MHz blocks of spectrum holding the most power
    /// over `[lo, hi)` of the window (at most [`MAX_BANDS`], strongest first).
    fn band_centres(&mut self, re: &[f32], im: &[f32], fs: f64, lo: usize, hi: usize) -> Vec<f64> {
        let m = ((fs / SUBCARRIER_HZ_F).ceil() as usize).next_power_of_two().max(256);
        let fft = self.psd_ffts.entry(m).or_insert_with(|| self.planner.plan_fft_forward(m)).clone();
        let mut psd = vec![0f64; m];
        let mut buf = vec![Complex32::new(0.0, 0.0); m];
        let win: Vec<f32> =
            (0..m).map(|i| (0.5 - 0.5 * (2.0 * PI * (i as f64 + 0.5) / m as f64).cos()) as f32).collect();
        let mut start = lo;
        let mut segs = 0;
        while start + m <= hi || (segs == 0 && start < hi) {
            for (j, b) in buf.iter_mut().enumerate() {
                let idx = start + j;
                *b = if idx < hi { Complex32::new(re[idx], im[idx]) * win[j] } else { Complex32::new(0.0, 0.0) };
            }
            fft.process(&mut buf);
            for (p, b) in psd.iter_mut().zip(&buf) {
                *p += b.norm_sqr() as f64;
            }
            segs += 1;
            start += m / 2;
        }
        // circular sliding sum over the occupied width; the strongest blocks
        // (local maxima at least a block apart), strongest first
        let w = ((9.0e6 / (fs / m as f64)).round() as usize).clamp(1, m);
        let mut sums = vec![0f64; m];
        let mut s: f64 = psd[..w].iter().sum();
        sums[0] = s;
        for i in 1..m {
            s += psd[(i + w - 1) % m] - psd[i - 1];
            sums[i] = s;
        }
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|&a, &b| sums[b].total_cmp(&sums[a]));
        let mut picked: Vec<usize> = Vec::new();
        for i in order {
            if picked.len() == MAX_BANDS {
                break;
            }
            let far = |j: &usize| {
                let d = i.abs_diff(*j);
                d.min(m - d) >= w
            };
            if picked.iter().all(far) {
                picked.push(i);
            }
        }
        picked
            .into_iter()
            .map(|i| {
                // centre bin (w − 1)/2 after the block start, as a signed frequency
                let c = (i as f64 + (w as f64 - 1.0) / 2.0).rem_euclid(m as f64);
                let c = if c >= m as f64 / 2.0 { c - m as f64 } else { c };
                c * fs / m as f64
            })
            .collect()
    }

    /// Demodulates the bursts near `hint` in a window of samples at `fs`:
    /// every one of the strongest 9 MHz blocks of spectrum is tried (another
    /// signal elsewhere in the band may be stronger than the burst) and every
    /// burst found is returned (two drones' bursts overlapping in time on
    /// different frequencies), strongest block first.
    pub fn demodulate_bands(
        &mut self,
        re: &[f32],
        im: &[f32],
        fs: f64,
        hint: Hint,
    ) -> Result<Vec<Demodulated>, Reject> {
        let n_in = re.len().min(im.len());
        let lo = hint.cp_start.max(0.0) as usize;
        let hi = ((hint.cp_start + burst::LEN_8 as f64 * fs / FS).max(0.0) as usize).min(n_in);
        if hi <= lo + N {
            return Err(Reject::Truncated);
        }
        let mut last = Reject::NoZc;
        let mut found: Vec<Demodulated> = Vec::new();
        for f_c in self.band_centres(re, im, fs, lo, hi) {
            match self.demodulate_at(re, im, fs, hint, f_c) {
                Ok(d) => {
                    if found.iter().all(|e| (e.offset_hz - d.offset_hz).abs() > 1e6 || (e.start - d.start).abs() > 1.0)
                    {
                        found.push(d);
                    }
                }
                Err(e) => last = e,
            }
        }
        if found.is_empty() { Err(last) } else { Ok(found) }
    }

    /// Demodulates the burst near `hint`, mixing the band centred `f_c` Hz
    /// from the capture centre down to baseband.
    pub fn demodulate_at(
        &mut self,
        re: &[f32],
        im: &[f32],
        fs: f64,
        hint: Hint,
        f_c: f64,
    ) -> Result<Demodulated, Reject> {
        let n_in = re.len().min(im.len());
        let ratio = FS / fs; // 15.36 MS/s samples per input sample

        // mix to the band centre and bring to 15.36 MS/s
        self.mix_re.clear();
        self.mix_im.clear();
        self.mix_re.resize(n_in, 0.0);
        self.mix_im.resize(n_in, 0.0);
        let mut nco = Nco::new(-f_c, fs);
        nco.mix(&re[..n_in], &im[..n_in], &mut self.mix_re, &mut self.mix_im);
        self.y_re.clear();
        self.y_im.clear();
        if (fs - FS).abs() < 1e-6 * FS {
            self.y_re.extend_from_slice(&self.mix_re);
            self.y_im.extend_from_slice(&self.mix_im);
        } else {
            let key = (ratio * 1e9).round() as u64;
            let rs = self.resamplers.entry(key).or_insert_with(|| FractionalResampler::new(ratio));
            rs.reset();
            rs.process(&self.mix_re, &self.mix_im, &mut self.y_re, &mut self.y_im);
            // flush the kernel's look-ahead
            let pad = vec![0f32; rs.taps()];
            rs.process(&pad, &pad, &mut self.y_re, &mut self.y_im);
            let keep = (n_in as f64 * ratio).floor() as usize;
            self.y_re.truncate(keep);
            self.y_im.truncate(keep);
        }
        let ny = self.y_re.len();
        let ny_i = ny as i64;

        // fine timing: CP correlation of the eight short-CP-spaced windows
        let q0 = (hint.cp_start * ratio).round() as i64;
        let offs: Vec<i64> = (-2..=5).map(|r| window_offset(r) - window_offset(-2)).collect();
        let cp = CP_SHORT as i64;
        let nn = N as i64;
        // prefix sums of y[n]·conj(y[n+N]), then eight window sums per position
        let np = (ny_i - nn).max(0) as usize;
        let mut pre = Vec::with_capacity(np + 1);
        let (mut sr, mut si) = (0f64, 0f64);
        pre.push((0f64, 0f64));
        for i in 0..np {
            let (ar, ai, br, bi) = (self.y_re[i], self.y_im[i], self.y_re[i + N], self.y_im[i + N]);
            sr += (ar * br + ai * bi) as f64;
            si += (ai * br - ar * bi) as f64;
            pre.push((sr, si));
        }
        let (mut best, mut best_q, mut best_c) = (-1f64, q0, (0f64, 0f64));
        for q in q0 - TIMING_SEARCH..=q0 + TIMING_SEARCH {
            let (mut cr, mut ci) = (0f64, 0f64);
            for &o in &offs {
                let s = q + o;
                if s < 0 || s + cp > np as i64 {
                    continue;
                }
                let (a, b) = (pre[s as usize], pre[(s + cp) as usize]);
                cr += b.0 - a.0;
                ci += b.1 - a.1;
            }
            let mag = cr * cr + ci * ci;
            if mag > best {
                best = mag;
                best_q = q;
                best_c = (cr, ci);
            }
        }
        // y[n]·conj(y[n+N]) rotates by −2π·f·N/fs
        let f_frac = -best_c.1.atan2(best_c.0) * FS / (2.0 * PI * N as f64);
        // ZC-600 FFT window start, if the prefixes were matched as aligned
        let z_cp = best_q + cp + (window_offset(0) - window_offset(-2)) - BACKOFF;

        // remove the fractional CFO (phase reference: y[0])
        let mut nco = Nco::new(-f_frac, FS);
        nco.mix_inplace(&mut self.y_re, &mut self.y_im);

        // The prefix pattern also matches a few symbols off (every
        // symbol has one): the ZC symbols settle which symbol is which, and
        // the integer CFO. A ZC sequence shifted by k subcarriers is the
        // same sequence with a linear phase ramp (a time shift), so one ZC
        // symbol cannot tell a frequency offset from a timing offset; the
        // two roots ramp differently, so the product of the two symbols'
        // matches is flat across subcarriers (timing ramps cancel) only at
        // the right k.
        let (mut z, mut best_k, mut best_score) = (z_cp, 0i32, -1f32);
        for shift in [0i64, -1, 1, -2, 2, -3, 3, -4, 4] {
            let zs = z_cp + shift * burst::SYM as i64;
            let (s0, s1) = (zs + window_offset(ZC_R[0]), zs + window_offset(ZC_R[1]));
            if s0 < 0 || s1 + nn > ny_i {
                continue;
            }
            // phases only (a carrier or DC offset in a few subcarriers must
            // not dominate), normalized once
            let unit = |v: Vec<Complex32>| -> Vec<Complex32> {
                v.into_iter().map(|c| if c.norm_sqr() > 0.0 { c / c.norm() } else { c }).collect()
            };
            let y0 = unit(self.fft_full(s0 as usize));
            let y1 = unit(self.fft_full(s1 as usize));
            for k in -INT_CFO_RANGE..=INT_CFO_RANGE {
                let score = self.cross_quality(&y0, &y1, k);
                if score > best_score {
                    best_score = score;
                    best_k = k;
                    z = zs;
                }
            }
            if best_score > 2.0 * ZC_THRESHOLD {
                break;
            }
        }
        let mut single_zc = false;
        let best_q2;
        if best_score >= ZC_THRESHOLD {
            let y0 = self.fft_full((z + window_offset(ZC_R[0])) as usize);
            let y1 = self.fft_full((z + window_offset(ZC_R[1])) as usize);
            best_q2 = [self.diff_quality(&y0, &self.zc[0], best_k), self.diff_quality(&y1, &self.zc[1], best_k)];
        } else {
            // No pair of ZC symbols: maybe only one is inside the window (a burst cut by the
            // file's start or end): its differential match finds it, but the
            // integer CFO stays open; the band centre's is used unless the
            // caller forces another (it tries its neighbours when the CRC fails).
            let mut top = (-1f32, z_cp, 0usize);
            for shift in [0i64, -1, 1, -2, 2, -3, 3, -4, 4] {
                let zs = z_cp + shift * burst::SYM as i64;
                for (u, &r) in ZC_R.iter().enumerate() {
                    let s = zs + window_offset(r);
                    if s < 0 || s + nn > ny_i {
                        continue;
                    }
                    let y = self.fft_full(s as usize);
                    let q = self.diff_quality(&y, &self.zc[u], 0);
                    if q > top.0 {
                        top = (q, zs, u);
                    }
                }
            }
            if top.0 < 0.0 {
                return Err(Reject::Truncated);
            }
            if top.0 < SINGLE_ZC_THRESHOLD {
                return Err(Reject::NoZc);
            }
            z = top.1;
            best_k = self.force_int_cfo.unwrap_or(0);
            let mut q = [0f32; 2];
            q[top.2] = top.0;
            best_q2 = q;
            single_zc = true;
        }
        let f_int = best_k as f64 * burst::SUBCARRIER_HZ;
        let mut nco = Nco::new(-f_int, FS);
        nco.mix_inplace(&mut self.y_re, &mut self.y_im);

        // every symbol's used subcarriers
        let mut spec: HashMap<i32, Vec<Complex32>> = HashMap::new();
        for r in GOLD_R..=5 {
            let s = z + window_offset(r);
            if s >= 0 && s + nn <= ny_i {
                let full = self.fft_full(s as usize);
                spec.insert(r, self.bins.iter().map(|&b| full[b]).collect());
            }
        }

        // per ZC symbol: G = Y·conj(Z); its timing slope and common phase
        let mut g: [Option<Vec<Complex32>>; 2] = [None, None];
        let mut slope = [0f64; 2];
        let mut phase = [0f64; 2];
        for u in 0..2 {
            if let Some(y) = spec.get(&ZC_R[u]) {
                let gu: Vec<Complex32> = y.iter().zip(&self.zc[u]).map(|(a, b)| a * b.conj()).collect();
                slope[u] = self.slope(&gu);
                let mut acc = Complex32::new(0.0, 0.0);
                for (i, v) in gu.iter().enumerate() {
                    let ph = -slope[u] * self.subc[i] as f64;
                    acc += v * Complex32::new(ph.cos() as f32, ph.sin() as f32);
                }
                phase[u] = acc.arg() as f64;
                g[u] = Some(gu);
            }
        }
        // per-symbol drift of phase and slope between the two ZC symbols
        let (dphase, dslope) = if let (Some(_), Some(_)) = (&g[0], &g[1]) {
            let mut d = phase[1] - phase[0];
            d = (d + PI).rem_euclid(2.0 * PI) - PI;
            (d / 2.0, (slope[1] - slope[0]) / 2.0)
        } else {
            (0.0, 0.0)
        };
        let (base_u, base_r) = if g[0].is_some() { (0usize, 0i32) } else { (1, 2) };
        let phase_at = |r: i32| phase[base_u] + dphase * (r - base_r) as f64;
        let slope_at = |r: i32| slope[base_u] + dslope * (r - base_r) as f64;
        // flattened estimates, averaged and smoothed across subcarriers
        let mut avg = vec![Complex32::new(0.0, 0.0); USED];
        let mut flat: Vec<Vec<Complex32>> = Vec::new();
        for u in 0..2 {
            if let Some(gu) = &g[u] {
                let r = ZC_R[u];
                let (p, s) = (phase_at(r), slope_at(r));
                let f: Vec<Complex32> = gu
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let ph = -(p + s * self.subc[i] as f64);
                        v * Complex32::new(ph.cos() as f32, ph.sin() as f32)
                    })
                    .collect();
                for (a, v) in avg.iter_mut().zip(&f) {
                    *a += v;
                }
                flat.push(f);
            }
        }
        let nref = flat.len() as f32;
        for a in avg.iter_mut() {
            *a /= nref;
        }
        let smooth = moving_average(&avg, SMOOTH);
        // noise from the residual of each reference symbol
        let mut err = 0f64;
        for f in &flat {
            for (v, h) in f.iter().zip(&smooth) {
                err += (v - h).norm_sqr() as f64;
            }
        }
        let dof = 1.0 - 1.0 / (SMOOTH as f64 * nref as f64);
        let sigma2 = (err / (flat.len() * USED) as f64 / dof).max(1e-30);
        let sig: f64 = smooth.iter().map(|h| h.norm_sqr() as f64).sum::<f64>() / USED as f64;
        let snr = (sig / sigma2).max(1e-6);
        let h_at = |r: i32, i: usize| -> Complex32 {
            let ph = phase_at(r) + slope_at(r) * self.subc[i] as f64;
            smooth[i] * Complex32::new(ph.cos() as f32, ph.sin() as f32)
        };

        // soft bits
        let mut llr = vec![0f32; burst::CODED_BITS];
        let mut present = [false; 6];
        let scale = (2.0 * std::f64::consts::SQRT_2 / sigma2) as f32;
        for (d, &r) in DATA_R.iter().enumerate() {
            let Some(y) = spec.get(&r) else { continue };
            present[d] = true;
            let out = &mut llr[d * burst::BITS_PER_SYMBOL..(d + 1) * burst::BITS_PER_SYMBOL];
            for (i, v) in y.iter().enumerate() {
                let e = v * h_at(r, i).conj();
                // Re/Im of conj(H)·y = |H|²·(±1 ± j)/√2 + noise of variance |H|²σ²/2
                out[2 * i] = (e.re * scale).clamp(-LLR_MAX, LLR_MAX);
                out[2 * i + 1] = (e.im * scale).clamp(-LLR_MAX, LLR_MAX);
            }
        }
        if !present.iter().any(|&p| p) {
            return Err(Reject::Truncated);
        }

        // a Gold symbol before the data makes it a 9-symbol burst
        let nine = spec.get(&GOLD_R).is_some_and(|y| {
            let (mut c, mut ey, mut eh) = (Complex32::new(0.0, 0.0), 0f64, 0f64);
            for (i, v) in y.iter().enumerate() {
                let x = h_at(GOLD_R, i) * self.gold[i];
                c += v * x.conj();
                ey += v.norm_sqr() as f64;
                eh += x.norm_sqr() as f64;
            }
            c.norm() as f64 / (ey * eh).sqrt().max(1e-30) > 0.25
        });

        // power over the burst, at 15.36 MS/s
        let b0 = (z + BACKOFF + burst::burst_start_offset(nine)).max(0) as usize;
        let b1 = ((z + BACKOFF + window_offset(5) + nn).max(0) as usize).min(ny);
        let p: f64 = (b0..b1).map(|i| (self.y_re[i] * self.y_re[i] + self.y_im[i] * self.y_im[i]) as f64).sum();
        let rssi = 10.0 * (p / (b1.saturating_sub(b0)).max(1) as f64).max(1e-20).log10();
        // a delay of τ samples is a slope of −2π·τ/N per subcarrier; a fast
        // transmitter clock makes later symbols arrive early
        let clock_ppm = dslope * N as f64 / (2.0 * PI) / burst::SYM as f64 * 1e6;
        // window position of the burst start (the FFT windows start BACKOFF early)
        // (the measured slope at r = 0 gives the delay of the symbol within
        // its FFT window: nominally BACKOFF, more if the detector was off)
        let tau = -slope_at(0) * N as f64 / (2.0 * PI);
        let start = (z as f64 + tau + burst::burst_start_offset(nine) as f64) / ratio;
        Ok(Demodulated {
            llr,
            present,
            nine,
            offset_hz: f_c + f_frac + f_int,
            start,
            rssi_dbfs: rssi as f32,
            snr_db: (10.0 * snr.log10()) as f32,
            zc_quality: best_q2,
            clock_ppm: clock_ppm as f32,
            single_zc,
            band_hz: f_c,
        })
    }

    /// FFT of the N samples of `y` from `s`.
    fn fft_full(&mut self, s: usize) -> Vec<Complex32> {
        for (j, b) in self.buf.iter_mut().enumerate() {
            *b = Complex32::new(self.y_re[s + j], self.y_im[s + j]);
        }
        self.fft.process(&mut self.buf);
        self.buf.clone()
    }

    /// Differential match quality (0..1) of spectrum `spec` against ZC
    /// values `zc` shifted up by `k` subcarriers.
    fn diff_quality(&self, spec: &[Complex32], zc: &[Complex32], k: i32) -> f32 {
        let mut d = Complex32::new(0.0, 0.0);
        let mut e = 0f32;
        let mut prev: Option<(i32, Complex32)> = None;
        for (i, z) in zc.iter().enumerate() {
            let sc = self.subc[i];
            let p = spec[burst::bin(sc + k)] * z.conj();
            e += p.norm_sqr();
            if let Some((ps, pv)) = prev
                && ps + 1 == sc
            {
                d += p * pv.conj();
            }
            prev = Some((sc, p));
        }
        d.norm() / e.max(1e-30)
    }

    /// Coherence (0..1) of the two ZC symbols' matches at integer CFO `k`:
    /// |mean of P₀·conj(P₁)| with P_u = Y_u(k)·conj(Z_u), the spectra `y0`,
    /// `y1` normalized to unit magnitude per subcarrier.
    fn cross_quality(&self, y0: &[Complex32], y1: &[Complex32], k: i32) -> f32 {
        let mut c = Complex32::new(0.0, 0.0);
        for (i, zz) in self.zc01.iter().enumerate() {
            let b = burst::bin(self.subc[i] + k);
            c += y0[b] * y1[b].conj() * zz;
        }
        c.norm() / USED as f32
    }

    /// Phase slope per subcarrier of a channel estimate (a timing offset):
    /// a coarse value from neighbouring subcarriers, refined to the slope
    /// that maximizes the coherent sum |Σ g·e^{−j·s·k}| (far less noisy).
    fn slope(&self, g: &[Complex32]) -> f64 {
        let mut d = Complex32::new(0.0, 0.0);
        for i in 1..g.len() {
            if self.subc[i] == self.subc[i - 1] + 1 {
                d += g[i] * g[i - 1].conj();
            }
        }
        let coarse = d.arg() as f64;
        // |Σ g·e^{−j·s·k}|², the rotation advanced by one complex product
        // per subcarrier (two across the DC gap)
        let subc = &self.subc;
        let power = |s: f64| -> f64 {
            let (sn, cs) = s.sin_cos();
            let step = (cs, -sn);
            let (s0, c0) = (-s * subc[0] as f64).sin_cos();
            let mut rot = (c0, s0);
            let (mut re, mut im) = (0f64, 0f64);
            let mut prev = subc[0];
            for (v, &k) in g.iter().zip(subc) {
                for _ in prev..k {
                    rot = (rot.0 * step.0 - rot.1 * step.1, rot.0 * step.1 + rot.1 * step.0);
                }
                prev = k;
                let (vr, vi) = (v.re as f64, v.im as f64);
                re += vr * rot.0 - vi * rot.1;
                im += vr * rot.1 + vi * rot.0;
            }
            re * re + im * im
        };
        // grid over ±0.08 rad (±4σ of the coarse value at 0 dB), then two
        // finer grids and a parabola through the best three points
        let (mut best, mut step) = (coarse, 0.004);
        for _ in 0..3 {
            let mut top = (f64::MIN, best);
            for j in -20..=20 {
                let s = best + j as f64 * step;
                let p = power(s);
                if p > top.0 {
                    top = (p, s);
                }
            }
            best = top.1;
            step /= 10.0;
        }
        let h = step * 10.0;
        let (a, b, c) = (power(best - h), power(best), power(best + h));
        let den = a - 2.0 * b + c;
        if den < 0.0 { best + 0.5 * h * (a - c) / den } else { best }
    }
}

const SUBCARRIER_HZ_F: f64 = burst::SUBCARRIER_HZ;

/// Centred moving average of width `w` (odd), shrinking at the edges.
fn moving_average(x: &[Complex32], w: usize) -> Vec<Complex32> {
    let h = (w / 2) as isize;
    let n = x.len() as isize;
    (0..n)
        .map(|i| {
            let (a, b) = ((i - h).max(0), (i + h).min(n - 1));
            let mut s = Complex32::new(0.0, 0.0);
            for j in a..=b {
                s += x[j as usize];
            }
            s / (b - a + 1) as f32
        })
        .collect()
}
