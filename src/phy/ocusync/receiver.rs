//! The streaming DroneID receiver: IQ blocks at any rate ≥ 15.36 MS/s in,
//! code blocks with a good CRC-24A out as [`Frame`]s.
//!
//! Detection works at the capture rate and does not care where in the band
//! a burst is: the cyclic prefixes of the eight symbols that every burst
//! format shares (r = −2…5) repeat the ends of their symbols one useful
//! symbol time (1/15 kHz) later, so `x[n]·conj(x[n+N])` summed over those
//! eight prefix windows is large for a burst at any carrier offset. The
//! same sum half a symbol later (no prefix there) is subtracted, so
//! stationary signals (a DC offset, a carrier, noise colour) cancel.
//! Candidates above a threshold set for a false alarm rate go to
//! [`BurstDemod`], which checks for the two Zadoff-Chu symbols before
//! anything is decoded: other OFDM (Wi-Fi, the video downlink) is rejected
//! there.

use super::burst::{self, CP_SHORT, FS, window_offset};
use super::coding::Codec;
use super::rx::{BurstDemod, Demodulated, Hint};
use crate::frame::{Frame, LinkType, Phy, PhyMeta};

/// −ln(false alarm probability) per tested position of the detector.
const DETECT_LN_PFA: f64 = 14.0;
/// Highest capture rate: 16 × 15.36 MS/s, the range of the one-stage
/// resampler to 15.36 MS/s (and beyond it the prefix detector, which works
/// on the whole band, loses too much sensitivity).
pub const MAX_RATE: f64 = 16.0 * FS;
/// The least number of prefix windows a partial burst must show.
const MIN_SYMBOLS: usize = 3;

/// Counters of the receiver.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcuStats {
    pub samples: u64,
    /// Cyclic-prefix detections handed to the burst demodulator.
    pub candidates: u64,
    /// Candidates without the Zadoff-Chu reference symbols (other OFDM or noise).
    pub rejected: u64,
    /// Bursts demodulated whose CRC-24A failed.
    pub crc_errors: u64,
    /// Bursts with a good CRC-24A.
    pub bursts: u64,
    /// Bursts only partly inside the capture.
    pub partial: u64,
    /// Second detections of a burst already decoded.
    pub duplicates: u64,
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    m: i64,
    strength: f64,
}

pub struct OcusyncReceiver {
    fs: f64,
    center_hz: Option<f64>,
    /// lag of one useful symbol, prefix window, and the eight window
    /// offsets from the first, at the capture rate; windows, offsets and
    /// positions are multiples of the grid step `g` (an eighth of a prefix)
    lag: usize,
    g: usize,
    l: usize,
    offs: [i64; 8],
    half: i64,
    stride: i64,
    coarse: i64,
    /// last sample index a position needs, from the position
    span: i64,
    /// samples kept before a candidate position (Gold symbol and margins)
    pre: i64,
    post: i64,
    // sample buffer and prefix sums of x[n]·conj(x[n+lag]) and of the power
    base: i64,
    re: Vec<f32>,
    im: Vec<f32>,
    sums: Vec<[f64; 3]>,
    p_re: Vec<f32>,
    p_im: Vec<f32>,
    p_e: Vec<f32>,
    next_m: i64,
    best: Option<Cand>,
    demod: BurstDemod,
    /// RIDSCOPE_DEBUG_OCU set: a line per burst on stderr.
    debug: bool,
    codec: Codec,
    pub stats: OcuStats,
    /// Start and frequency offset of the last bursts decoded (to drop a
    /// second detection of one).
    recent: std::collections::VecDeque<(f64, f64)>,
    /// Detector positions before this belong to a burst already decoded.
    skip_until: i64,
}

impl OcusyncReceiver {
    pub fn new(sample_rate: f64, center_hz: Option<f64>) -> Result<Self, String> {
        if !sample_rate.is_finite() || sample_rate < FS * (1.0 - 1e-6) {
            return Err(format!("sample rate {sample_rate} Hz is below the 15.36 MS/s DJI DroneID needs"));
        }
        if sample_rate > MAX_RATE {
            return Err(format!(
                "sample rate {sample_rate} Hz is too high for the DroneID receiver (at most {} MS/s)",
                MAX_RATE / 1e6
            ));
        }
        let r = sample_rate / FS;
        let lag = (burst::N as f64 * r).round() as usize;
        let cp = CP_SHORT as f64 * r;
        let g = ((cp / 8.0).round() as usize).max(1);
        let gi = g as i64;
        let on_grid = |x: f64| (x / g as f64).round() as i64 * gi;
        let l = (on_grid(cp) as usize).max(4 * g);
        let mut offs = [0i64; 8];
        for (k, o) in offs.iter_mut().enumerate() {
            *o = on_grid((window_offset(k as i32 - 2) - window_offset(-2)) as f64 * r);
        }
        let half = on_grid(burst::SYM as f64 * r / 2.0);
        let span = offs[7] + half + l as i64 + lag as i64;
        // the detector's position can be a few symbols off (the burst
        // demodulator sorts that out with the ZC symbols): keep margins
        let pre = ((burst::CP_LONG + 5 * burst::SYM + 160) as f64 * r).ceil() as i64;
        let post = ((burst::LEN_8 + 4 * burst::SYM + 160) as f64 * r).ceil() as i64;
        Ok(OcusyncReceiver {
            fs: sample_rate,
            center_hz,
            lag,
            g,
            l,
            offs,
            half,
            stride: gi,
            coarse: 4 * gi,
            span,
            pre,
            post,
            base: 0,
            re: Vec::new(),
            im: Vec::new(),
            sums: vec![[0.0; 3]],
            p_re: Vec::new(),
            p_im: Vec::new(),
            p_e: Vec::new(),
            next_m: -offs[MIN_SYMBOLS + 2],
            best: None,
            demod: BurstDemod::new(),
            debug: std::env::var_os("RIDSCOPE_DEBUG_OCU").is_some(),
            codec: Codec::new(),
            stats: OcuStats::default(),
            recent: std::collections::VecDeque::new(),
            skip_until: i64::MIN,
        })
    }

    /// Processes a block of samples, appending decoded frames.
    pub fn process(&mut self, re: &[f32], im: &[f32], out: &mut Vec<Frame>) {
        let n = re.len().min(im.len());
        self.stats.samples += n as u64;
        // NaN or infinite samples (float files can hold them) would poison
        // the running sums for good: they count as 0, and huge values are
        // clamped so products stay finite
        let clean = |v: &f32| if v.is_finite() { v.clamp(-1e6, 1e6) } else { 0.0 };
        self.re.extend(re[..n].iter().map(clean));
        self.im.extend(im[..n].iter().map(clean));
        self.extend_sums();
        self.scan(false, out);
        self.trim();
    }

    /// Handles what is left at the end of the stream (partial bursts).
    pub fn finish(&mut self, out: &mut Vec<Frame>) {
        self.scan(true, out);
        if let Some(c) = self.best.take() {
            self.handle(c, out);
        }
    }

    /// Samples held in the receiver's buffer (bounded: about two bursts plus
    /// 2^18 samples, whatever the length of the stream).
    pub fn buffered_samples(&self) -> usize {
        self.re.len()
    }

    fn end(&self) -> i64 {
        self.base + self.re.len() as i64
    }

    /// Extends the prefix sums (one entry per grid step: `sums[i]` is the
    /// running total up to sample `base + i·g`) over every complete grid
    /// block whose products `x[n]·conj(x[n+lag])` are all in the buffer.
    /// Products are formed a chunk at a time (vectorized), summed per block
    /// in f32 and accumulated across blocks in f64.
    fn extend_sums(&mut self) {
        let g = self.g;
        let have = self.sums.len() - 1;
        let blocks = self.re.len().saturating_sub(self.lag) / g;
        if blocks <= have {
            return;
        }
        let [mut ar, mut ai, mut ae] = *self.sums.last().unwrap_or(&[0.0; 3]);
        const CHUNK_BLOCKS: usize = 512;
        let mut b0 = have;
        while b0 < blocks {
            let nb = (blocks - b0).min(CHUNK_BLOCKS);
            let (s0, s1) = (b0 * g, (b0 + nb) * g);
            let (x_re, x_im) = (&self.re[s0..s1], &self.im[s0..s1]);
            let (y_re, y_im) = (&self.re[s0 + self.lag..s1 + self.lag], &self.im[s0 + self.lag..s1 + self.lag]);
            self.p_re.clear();
            self.p_im.clear();
            self.p_e.clear();
            let ins = || x_re.iter().zip(x_im).zip(y_re.iter().zip(y_im));
            self.p_re.extend(ins().map(|((&a, &b), (&c, &d))| a * c + b * d));
            self.p_im.extend(ins().map(|((&a, &b), (&c, &d))| b * c - a * d));
            self.p_e.extend(ins().map(|((&a, &b), (&c, &d))| 0.5 * (a * a + b * b + c * c + d * d)));
            let blocks = self.p_re.chunks_exact(g).zip(self.p_im.chunks_exact(g)).zip(self.p_e.chunks_exact(g));
            self.sums.extend(blocks.map(|((r, i), e)| {
                ar += r.iter().sum::<f32>() as f64;
                ai += i.iter().sum::<f32>() as f64;
                ae += e.iter().sum::<f32>() as f64;
                [ar, ai, ae]
            }));
            b0 += nb;
        }
    }

    /// Detector score at position m (CP start of symbol r = −2): the
    /// prefix correlation less the mid-symbol one, normalized by the energy
    /// of the windows (for the threshold) and not (to find the position: the
    /// normalized score stays high when only some windows overlap a strong
    /// burst), with the number of windows used.
    fn score(&self, m: i64) -> Option<(f64, f64, usize)> {
        let g = self.g as i64;
        let a0 = (m - self.base).div_euclid(g);
        let wl = (self.l / self.g) as i64;
        let (half, n) = (self.half / g, self.sums.len() as i64);
        let (mut cr, mut ci, mut mr, mut mi, mut e) = (0f64, 0f64, 0f64, 0f64, 0f64);
        let mut used = 0;
        for &o in &self.offs {
            let a = a0 + o / g;
            if a < 0 || a + half + wl >= n {
                continue;
            }
            let (a, h) = (a as usize, (a + half) as usize);
            let w = wl as usize;
            let (x, y, p, q) = (self.sums[a], self.sums[a + w], self.sums[h], self.sums[h + w]);
            cr += y[0] - x[0];
            ci += y[1] - x[1];
            e += y[2] - x[2];
            mr += q[0] - p[0];
            mi += q[1] - p[1];
            used += 1;
        }
        if used < MIN_SYMBOLS || e <= 0.0 {
            return None;
        }
        let c = (cr * cr + ci * ci).sqrt() - (mr * mr + mi * mi).sqrt();
        Some((c / e, c, used))
    }

    fn threshold(&self, used: usize) -> f64 {
        (DETECT_LN_PFA / (used * self.l) as f64).sqrt()
    }

    fn scan(&mut self, end: bool, out: &mut Vec<Frame>) {
        let avail = self.end();
        // positions whose every window is in the buffer; at the end, any
        // position with enough windows
        let last = if end { avail } else { avail - self.span - self.coarse };
        let nms = (burst::LEN_9 as f64 * self.fs / FS / 2.0) as i64;
        // a coarse grid (half a prefix: a hit loses at most a quarter of its
        // score) with a lowered threshold, refined on a fine grid around hits
        let half = self.coarse / 2;
        while self.next_m <= last {
            let m = self.next_m;
            self.next_m += self.coarse;
            if let Some(c) = self.best
                && m - half > c.m + nms
            {
                self.best = None;
                self.handle(c, out);
            }
            if m < self.skip_until {
                continue;
            }
            let Some((s, _, used)) = self.score(m) else { continue };
            if s <= 0.75 * self.threshold(used) {
                continue;
            }
            let mut f = m - half;
            while f <= m + half {
                if f >= self.skip_until
                    && let Some((s, strength, used)) = self.score(f)
                    && s > self.threshold(used)
                    && self.best.is_none_or(|b| strength > b.strength)
                {
                    self.best = Some(Cand { m: f, strength });
                }
                f += self.stride;
            }
        }
    }

    /// Demodulates and decodes a candidate (every burst in its window).
    fn handle(&mut self, c: Cand, out: &mut Vec<Frame>) {
        self.stats.candidates += 1;
        let w0 = (c.m - self.pre).max(self.base);
        let w1 = (c.m + self.post).min(self.end());
        if w1 <= w0 {
            return;
        }
        let (a, b) = ((w0 - self.base) as usize, (w1 - self.base) as usize);
        let hint = Hint { cp_start: (c.m - w0) as f64 };
        let Ok(found) = self.demod.demodulate_bands(&self.re[a..b], &self.im[a..b], self.fs, hint) else {
            self.stats.rejected += 1;
            return;
        };
        for d in found {
            self.decode_burst(d, w0, (a, b), hint, out);
        }
    }

    fn decode_burst(&mut self, d: Demodulated, w0: i64, (a, b): (usize, usize), hint: Hint, out: &mut Vec<Frame>) {
        let start = w0 as f64 + d.start;
        // a burst can be detected twice (its two halves); keep the first
        let near = burst::LEN_8 as f64 * self.fs / FS / 2.0;
        if self.recent.iter().any(|&(t, f)| (start - t).abs() < near && (d.offset_hz - f).abs() < 1e6) {
            self.stats.duplicates += 1;
            return;
        }
        let mut dec = self.codec.decode(&d.llr);
        let mut d = d;
        if dec.block.is_none() && d.single_zc {
            // one ZC symbol cannot tell the integer CFO: try the neighbours
            for k in [1, -1, 2, -2, 3, -3] {
                self.demod.force_int_cfo = Some(k);
                let again = self.demod.demodulate_at(&self.re[a..b], &self.im[a..b], self.fs, hint, d.band_hz);
                self.demod.force_int_cfo = None;
                if let Ok(d2) = again {
                    let dec2 = self.codec.decode(&d2.llr);
                    if dec2.block.is_some() {
                        (d, dec) = (d2, dec2);
                        break;
                    }
                }
            }
        }
        if self.debug {
            eprintln!(
                "burst at {start:.1} offset {:.0} Hz: nine {} snr {:.1} ppm {:.1} present {:?} crc {} after {} iterations",
                d.offset_hz,
                d.nine,
                d.snr_db,
                d.clock_ppm,
                d.present,
                dec.block.is_some(),
                dec.iterations
            );
        }
        let Some(block) = dec.block else {
            self.stats.crc_errors += 1;
            return;
        };
        if self.recent.len() == 8 {
            self.recent.pop_front();
        }
        self.recent.push_back((start, d.offset_hz));
        let len = if d.nine { burst::LEN_9 } else { burst::LEN_8 } as f64 * self.fs / FS;
        // positions whose windows lie mostly in this burst would find it
        // again; a burst overlapping its second half is still looked for
        self.skip_until = self.skip_until.max((start + len / 2.0) as i64);
        self.stats.bursts += 1;
        if !d.present.iter().all(|&p| p) {
            self.stats.partial += 1;
        }
        let mut meta = PhyMeta::new(LinkType::DjiOcusync, Phy::Ocusync);
        meta.sample = Some(start.round().max(0.0) as u64);
        meta.time_s = start.max(0.0) / self.fs;
        meta.freq_hz = self.center_hz.map(|f| f + d.offset_hz);
        meta.cfo_hz = Some(d.offset_hz as f32);
        meta.rssi_dbfs = Some(d.rssi_dbfs);
        meta.snr_db = Some(d.snr_db);
        meta.fcs_included = true;
        out.push(Frame { bytes: block.to_vec(), meta });
    }

    /// Drops samples no longer needed.
    fn trim(&mut self) {
        let keep_from = self.best.map_or(self.next_m, |c| c.m.min(self.next_m)) - self.pre;
        let drop = keep_from - self.base;
        // move the kept samples only when more than that is dropped
        let kept = self.end() - keep_from;
        if drop < (1 << 18).max(kept) {
            return;
        }
        let blocks = (drop as usize / self.g).min(self.sums.len() - 1);
        let d = blocks * self.g;
        self.re.drain(..d);
        self.im.drain(..d);
        self.sums.drain(..blocks);
        // rebase the running sums, so an outlier long gone costs no precision
        let first = self.sums[0];
        for v in self.sums.iter_mut() {
            for (x, f) in v.iter_mut().zip(first) {
                *x -= f;
            }
        }
        self.base += d as i64;
    }
}
