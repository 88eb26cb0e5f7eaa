//! Polyphase filter-bank channelizer: one input stream at `fs` split into
//! `m` channels spaced `fs / m` apart, each at `fs / d` with `d = m`
//! (critically sampled) or `d = m / 2` (2× oversampled, so a signal that
//! straddles a channel edge is not aliased).
//!
//! Channel `c` (0..m) is centred at `c · fs / m` (channels `c ≥ m / 2` are
//! the negative frequencies `(c − m) · fs / m`). Its output sample `n` is
//!
//! ```text
//! y_c[n] = Σ_l h[l] · x[n·d − l] · exp(−j 2π c (n·d − l) / m)
//! ```
//!
//! exactly what mixing channel `c` to baseband, filtering with the
//! prototype lowpass `h` and keeping every `d`-th sample gives (the mixer's
//! phase counted from input sample 0, so outputs are continuous across
//! blocks), with `x` taken as zero before the first sample. The filter
//! bank computes it for all channels at once, `FRAME_LANES` (8) frames
//! side by side (one frame per vector lane, so each frame's arithmetic is
//! the same wherever it falls in a block): the input is stored transposed,
//! in rows of `d` samples, so each polyphase branch of a run of frames is
//! a sum of shifted contiguous rows times one tap (`crate::kern`); a
//! mixed-radix Stockham FFT over those rows (radix 2, 3, 4, 5 butterflies,
//! any other prime by its DFT) turns the branches into the channels,
//! already laid out channel by channel, so writing a channel's output is
//! a copy. The fixed phase `e^{−j2πc/m}` of channel `c` is folded into the
//! FFT input order (branch `q` is fed at position `q + 1`), and 2×
//! oversampling negates odd channels on odd frames. Only the channels
//! asked for are written.
//!
//! Streaming follows the crate's conventions: state is kept between calls,
//! nothing is allocated per sample, and the output is the same however the
//! input is split into blocks.

use crate::fir::{kaiser_beta, lowpass};
use crate::kern::FRAME_LANES;

/// Output rate relative to the channel spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversample {
    /// One output sample per channel spacing (`d = m`).
    Critical,
    /// Two (`d = m / 2`; `m` must be even).
    Twice,
}

/// Frames per window of transposed input (a multiple of [`GROUP`]).
const WINDOW: usize = 256;
/// Frames per FFT run (a multiple of `FRAME_LANES`).
const GROUP: usize = 128;

/// `+1, −1, +1, …`: the sign of odd channels on frames 0, 1, 2, … (2×).
const ALT: [f32; GROUP + 1] = {
    let mut a = [1f32; GROUP + 1];
    let mut i = 1;
    while i <= GROUP {
        a[i] = -1.0;
        i += 2;
    }
    a
};

/// A prototype lowpass for an `m`-channel bank: `taps_per_channel · m`
/// taps, Kaiser window for `atten_db`, cutoff (−6 dB) at half the channel
/// spacing, so adjacent channels cross at −6 dB and together cover the band.
pub fn prototype(m: usize, taps_per_channel: usize, atten_db: f64) -> Vec<f32> {
    if m == 0 {
        return Vec::new();
    }
    lowpass(m * taps_per_channel, 0.5 / m as f64, kaiser_beta(atten_db))
}

/// A prototype lowpass whose band is chosen apart from the channel
/// spacing (fractions of the input rate `fs`): flat (within the Kaiser
/// ripple of `atten_db`) up to `pass`, at least `atten_db` down from
/// `stop`, cutoff midway; its length (odd, so the delay is a whole number
/// of samples) follows from the transition `stop − pass`. A bank built
/// on it has channels wider than their spacing (2× oversampling keeps
/// what lies beyond half the spacing unaliased up to `2·fs/m − stop`).
/// Empty (refused by [`Channelizer::new`]) unless `0 < pass < stop ≤ 0.5`.
pub fn prototype_band(pass: f64, stop: f64, atten_db: f64) -> Vec<f32> {
    if !(pass > 0.0 && stop > pass && stop <= 0.5) {
        return Vec::new();
    }
    let len = crate::fir::kaiser_len(atten_db, stop - pass) | 1;
    lowpass(len, (pass + stop) / 2.0, kaiser_beta(atten_db))
}

/// One FFT pass (see `crate::kern::fft_rows_pass`).
struct Pass {
    radix: usize,
    ns: usize,
    tw: Vec<f32>,
    dft: Vec<f32>,
}

/// Radices of an `m`-point FFT: fours, a two, then odd primes.
fn factor(mut m: usize) -> Vec<usize> {
    let mut f = Vec::new();
    while m.is_multiple_of(4) {
        f.push(4);
        m /= 4;
    }
    if m.is_multiple_of(2) {
        f.push(2);
        m /= 2;
    }
    let mut p = 3;
    while m > 1 {
        while m.is_multiple_of(p) {
            f.push(p);
            m /= p;
        }
        p += 2;
    }
    f
}

fn plan(m: usize) -> Vec<Pass> {
    let mut ns = 1;
    factor(m)
        .into_iter()
        .map(|r| {
            let mut tw = Vec::with_capacity(ns * (r - 1) * 2);
            for k in 0..ns {
                for t in 1..r {
                    let ph = -2.0 * std::f64::consts::PI * (t * k) as f64 / (ns * r) as f64;
                    tw.push(ph.cos() as f32);
                    tw.push(ph.sin() as f32);
                }
            }
            let dft = (0..r)
                .flat_map(|t| {
                    let ph = 2.0 * std::f64::consts::PI * t as f64 / r as f64;
                    [ph.cos() as f32, ph.sin() as f32]
                })
                .collect();
            let p = Pass { radix: r, ns, tw, dft };
            ns *= r;
            p
        })
        .collect()
}

/// The channelizer. See the module documentation.
pub struct Channelizer {
    m: usize,
    d: usize,
    /// Taps per branch.
    per: usize,
    /// Branch `q`'s taps `hrev[b·m + q]` (prototype reversed, zero-padded in
    /// front to a multiple of `m`) at `htab[q·per + b]`.
    htab: Vec<f32>,
    /// Rows (of `d` samples) a frame reads: `per · m / d`.
    hist: usize,
    /// Rows per window: `WINDOW + hist − 1`.
    cap: usize,
    /// Window of input rows, transposed: column `s` of row `w` at
    /// `s·cap + w`. Row `w` holds input samples `(n0 − hist + w)·d + 1 + s`
    /// for the window's first frame `n0`.
    t_re: Vec<f32>,
    t_im: Vec<f32>,
    /// Complete rows in the window, and samples in the row being filled.
    rows: usize,
    col: usize,
    /// Frames of the window written.
    done: usize,
    /// Output frames produced so far.
    frames: u64,
    channels: Vec<usize>,
    passes: Vec<Pass>,
    a_re: Vec<f32>,
    a_im: Vec<f32>,
    b_re: Vec<f32>,
    b_im: Vec<f32>,
    scratch: Vec<f32>,
}

impl Channelizer {
    /// An `m`-channel bank with the prototype `taps` (any length; e.g.
    /// [`prototype`]), writing the channels listed in `channels` (each
    /// below `m`, in the order given).
    pub fn new(m: usize, oversample: Oversample, taps: &[f32], channels: &[usize]) -> Result<Channelizer, String> {
        if m < 2 {
            return Err(format!("{m} channels: at least 2"));
        }
        let d = match oversample {
            Oversample::Critical => m,
            Oversample::Twice if m.is_multiple_of(2) => m / 2,
            Oversample::Twice => return Err(format!("2× oversampling needs an even number of channels, not {m}")),
        };
        if taps.is_empty() {
            return Err("the prototype filter has no taps".into());
        }
        if let Some(&c) = channels.iter().find(|&&c| c >= m) {
            return Err(format!("channel {c} of a {m}-channel bank"));
        }
        let per = taps.len().div_ceil(m);
        let len = per * m;
        // padded with zeros at the start of the reversed (the end of the prototype)
        let mut hrev = vec![0f32; len];
        for (i, &t) in taps.iter().enumerate() {
            hrev[len - 1 - i] = t;
        }
        let mut htab = vec![0f32; len];
        for q in 0..m {
            for b in 0..per {
                htab[q * per + b] = hrev[b * m + q];
            }
        }
        let hist = per * (m / d);
        let cap = WINDOW + hist - 1;
        let passes = plan(m);
        let maxr = passes.iter().map(|p| p.radix).max().unwrap_or(2);
        Ok(Channelizer {
            m,
            d,
            per,
            htab,
            hist,
            cap,
            t_re: vec![0.0; d * cap],
            t_im: vec![0.0; d * cap],
            // rows before the first sample are zeros; sample 0 is the last
            // of the row before frame 0
            rows: hist - 1,
            col: d - 1,
            done: 0,
            frames: 0,
            channels: channels.to_vec(),
            passes,
            a_re: vec![0.0; m * GROUP],
            a_im: vec![0.0; m * GROUP],
            b_re: vec![0.0; m * GROUP],
            b_im: vec![0.0; m * GROUP],
            scratch: vec![0.0; 2 * maxr * FRAME_LANES],
        })
    }

    /// Number of channels (the FFT size).
    pub fn num_channels(&self) -> usize {
        self.m
    }

    /// Input samples per output sample.
    pub fn decimation(&self) -> usize {
        self.d
    }

    /// The channels written, in output order.
    pub fn channels(&self) -> &[usize] {
        &self.channels
    }

    /// Prototype length (padded to a multiple of the channel count).
    pub fn taps_len(&self) -> usize {
        self.per * self.m
    }

    /// Output frames produced so far (output sample `n` of every channel
    /// sits at input sample `n · d`).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Feeds a block and appends each selected channel's new samples to
    /// `out[k]` (`out[k].0` real, `.1` imaginary, for `channels()[k]`;
    /// `out` needs at least that many entries).
    pub fn process(&mut self, re: &[f32], im: &[f32], out: &mut [(Vec<f32>, Vec<f32>)]) {
        let n = re.len().min(im.len());
        let (d, cap) = (self.d, self.cap);
        let mut i = 0;
        loop {
            // transpose input into the window's rows: whole rows eight at a
            // time, sample by sample otherwise
            while i < n && self.rows < cap {
                if self.col == 0 && self.rows + 8 <= cap && n - i >= 8 * d {
                    crate::kern::transpose8(
                        &re[i..i + 8 * d],
                        &im[i..i + 8 * d],
                        d,
                        cap,
                        self.rows,
                        &mut self.t_re,
                        &mut self.t_im,
                    );
                    self.rows += 8;
                    i += 8 * d;
                    continue;
                }
                let take = (d - self.col).min(n - i);
                let w = self.rows;
                let (tr, ti) = (&mut self.t_re, &mut self.t_im);
                for (t, (&r, &m)) in re[i..i + take].iter().zip(&im[i..i + take]).enumerate() {
                    let o = (self.col + t) * cap + w;
                    tr[o] = r;
                    ti[o] = m;
                }
                self.col += take;
                i += take;
                if self.col == d {
                    self.col = 0;
                    self.rows += 1;
                }
            }
            // frame j of the window reads rows j .. j + hist
            let ready = (self.rows + 1).saturating_sub(self.hist).min(WINDOW);
            if ready > self.done {
                self.run(self.done, ready, out);
                self.frames += (ready - self.done) as u64;
                self.done = ready;
            }
            if self.done < WINDOW {
                break;
            }
            // next window: keep the rows its first frames read
            for s in 0..d {
                self.t_re.copy_within(s * cap + WINDOW..(s + 1) * cap, s * cap);
                self.t_im.copy_within(s * cap + WINDOW..(s + 1) * cap, s * cap);
            }
            self.rows = self.hist - 1;
            self.done = 0;
        }
    }

    /// Computes the window's frames `lo..hi` and appends them to `out`.
    fn run(&mut self, lo: usize, hi: usize, out: &mut [(Vec<f32>, Vec<f32>)]) {
        let (m, d, per, cap) = (self.m, self.d, self.per, self.cap);
        let first = lo / FRAME_LANES * FRAME_LANES;
        let last = hi.div_ceil(FRAME_LANES) * FRAME_LANES;
        // global index of the window's frame 0
        let n0 = self.frames - self.done as u64;
        let mut g0 = first;
        while g0 < last {
            let lanes = (last - g0).min(GROUP);
            // polyphase branches; branch q feeds FFT row q + 1 (the channel
            // phase e^{−j2πc/m} folded into the input order)
            crate::kern::pfb_rows(
                &self.htab,
                per,
                m,
                d,
                &self.t_re,
                &self.t_im,
                cap,
                g0,
                lanes,
                &mut self.a_re,
                &mut self.a_im,
                GROUP,
            );
            let mut in_a = true;
            for p in &self.passes {
                let (x, y) = if in_a {
                    ((&self.a_re, &self.a_im), (&mut self.b_re, &mut self.b_im))
                } else {
                    ((&self.b_re, &self.b_im), (&mut self.a_re, &mut self.a_im))
                };
                crate::kern::fft_rows_pass(
                    p.radix,
                    p.ns,
                    &p.tw,
                    &p.dft,
                    &mut self.scratch,
                    GROUP,
                    lanes,
                    x.0,
                    x.1,
                    y.0,
                    y.1,
                );
                in_a = !in_a;
            }
            let (fr, fi) = if in_a { (&self.a_re, &self.a_im) } else { (&self.b_re, &self.b_im) };
            // frames of this run not yet written
            let (a, b) = (lo.max(g0) - g0, hi.min(g0 + lanes) - g0);
            if a < b {
                // 2× oversampling: odd channels change sign on odd frames
                let odd_first = (n0 + (g0 + a) as u64) % 2 == 1;
                let alt = &ALT[usize::from(odd_first)..][..b - a];
                for (o, &c) in out.iter_mut().zip(&self.channels) {
                    let (sr, si) = (&fr[c * GROUP + a..c * GROUP + b], &fi[c * GROUP + a..c * GROUP + b]);
                    if d != m && c % 2 == 1 {
                        crate::kern::append_scaled(sr, alt, &mut o.0);
                        crate::kern::append_scaled(si, alt, &mut o.1);
                    } else {
                        o.0.extend_from_slice(sr);
                        o.1.extend_from_slice(si);
                    }
                }
            }
            g0 += lanes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Rng;

    /// The definition, in f64.
    fn direct(taps: &[f32], m: usize, d: usize, c: usize, re: &[f32], im: &[f32]) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut n = 0;
        while n * d < re.len() {
            let i = n * d;
            let (mut sr, mut si) = (0.0f64, 0.0f64);
            for (l, &h) in taps.iter().enumerate() {
                if l > i {
                    break;
                }
                let k = i - l;
                let ph = -2.0 * std::f64::consts::PI * (c as f64) * (k % m) as f64 / m as f64;
                let (s, co) = ph.sin_cos();
                let (xr, xi) = (re[k] as f64, im[k] as f64);
                sr += h as f64 * (xr * co - xi * s);
                si += h as f64 * (xr * s + xi * co);
            }
            out.push((sr, si));
            n += 1;
        }
        out
    }

    fn noise(n: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
        let mut r = Rng::new(seed);
        let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
        r.add_awgn(&mut re, &mut im, 1.0);
        (re, im)
    }

    #[test]
    fn matches_the_definition_critical_and_oversampled() {
        for (m, os, k) in [
            (8, Oversample::Critical, 6),
            (8, Oversample::Twice, 6),
            (10, Oversample::Twice, 5),
            (5, Oversample::Critical, 7),
            // every FFT radix: 4·4, 3·3, 2·7 and 2·11 (the generic prime
            // radix), 2·5·5 and 2·3·5 (the BLE banks)
            (16, Oversample::Twice, 4),
            (9, Oversample::Critical, 5),
            (14, Oversample::Twice, 4),
            (22, Oversample::Critical, 3),
            (50, Oversample::Twice, 8),
            (30, Oversample::Twice, 8),
        ] {
            let taps = prototype(m, k, 60.0);
            let chans: Vec<usize> = (0..m).collect();
            let mut ch = Channelizer::new(m, os, &taps, &chans).unwrap();
            let (re, im) = noise(997, 3);
            let mut out = vec![(Vec::new(), Vec::new()); m];
            ch.process(&re, &im, &mut out);
            for (c, got) in out.iter().enumerate() {
                let want = direct(&taps, m, ch.decimation(), c, &re, &im);
                assert_eq!(got.0.len(), want.len(), "m {m} channel {c}");
                for (n, w) in want.iter().enumerate() {
                    let (gr, gi) = (got.0[n] as f64, got.1[n] as f64);
                    assert!(
                        (gr - w.0).abs() < 1e-4 && (gi - w.1).abs() < 1e-4,
                        "m {m} {os:?} c {c} n {n}: {gr},{gi} vs {w:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn block_splits_do_not_change_the_output() {
        let m = 12;
        let taps = prototype(m, 8, 70.0);
        let chans = [0, 3, 11, 6];
        let (re, im) = noise(5000, 9);
        // the split at which windows and lane groups fall changes
        let mut one = Channelizer::new(m, Oversample::Twice, &taps, &chans).unwrap();
        let mut a = vec![(Vec::new(), Vec::new()); 4];
        one.process(&re, &im, &mut a);
        let mut split = Channelizer::new(m, Oversample::Twice, &taps, &chans).unwrap();
        let mut b = vec![(Vec::new(), Vec::new()); 4];
        let mut i = 0;
        for step in [0usize, 1, 5, 6, 7, 100, 1, 1023, 2000, 3].iter().cycle() {
            if i >= re.len() {
                break;
            }
            let j = (i + step).min(re.len());
            split.process(&re[i..j], &im[i..j], &mut b);
            i = j;
        }
        assert_eq!(a, b);
        assert_eq!(one.frames(), 5000u64.div_ceil(6));
    }

    #[test]
    fn a_tone_lands_in_its_channel_only() {
        // 20 channels of 1 MHz at 20 MS/s; a tone at −3 MHz is channel 17
        let (m, fs) = (20usize, 20e6);
        let taps = prototype(m, 10, 80.0);
        let chans: Vec<usize> = (0..m).collect();
        let mut ch = Channelizer::new(m, Oversample::Twice, &taps, &chans).unwrap();
        let f = -3e6 + 0.2e6;
        let n = 20_000;
        let re: Vec<f32> = (0..n).map(|i| (2.0 * std::f64::consts::PI * f * i as f64 / fs).cos() as f32).collect();
        let im: Vec<f32> = (0..n).map(|i| (2.0 * std::f64::consts::PI * f * i as f64 / fs).sin() as f32).collect();
        let mut out = vec![(Vec::new(), Vec::new()); m];
        ch.process(&re, &im, &mut out);
        let power = |c: usize| {
            let (r, i) = &out[c];
            let skip = 100; // the filter's start-up
            r[skip..].iter().zip(&i[skip..]).map(|(a, b)| (a * a + b * b) as f64).sum::<f64>() / (r.len() - skip) as f64
        };
        let p17 = power(17);
        assert!((p17 - 1.0).abs() < 0.01, "in-channel power {p17}");
        for c in (0..m).filter(|&c| c != 17 && c != 16 && c != 18) {
            let db = 10.0 * (power(c) / p17).log10();
            assert!(db < -75.0, "channel {c}: {db:.1} dB");
        }
    }

    /// |H(f)|² in dB of real taps at `f` cycles per sample.
    fn response_db(h: &[f32], f: f64) -> f64 {
        let (mut r, mut i) = (0.0f64, 0.0f64);
        for (n, &t) in h.iter().enumerate() {
            let ph = -2.0 * std::f64::consts::PI * f * n as f64;
            r += t as f64 * ph.cos();
            i += t as f64 * ph.sin();
        }
        10.0 * (r * r + i * i).log10()
    }

    #[test]
    fn band_prototype_passes_and_stops_where_asked() {
        // 61.44 MS/s, 30 channels of 2.048 MHz: flat to 1.5 MHz, 50 dB down
        // from 2.6 MHz (wider than the 1.024 MHz half-spacing)
        let fs = 61.44e6;
        let (pass, stop) = (1.5e6 / fs, 2.6e6 / fs);
        let h = prototype_band(pass, stop, 50.0);
        assert_eq!(h.len() % 2, 1);
        let sum: f64 = h.iter().map(|&t| t as f64).sum();
        assert!((sum - 1.0).abs() < 1e-5);
        for k in 0..=50 {
            let f = pass * k as f64 / 50.0;
            let db = response_db(&h, f);
            assert!(db.abs() < 0.05, "passband {:.3} MHz: {db:.3} dB", f * fs / 1e6);
        }
        for k in 0..=200 {
            let f = stop + (0.5 - stop) * k as f64 / 200.0;
            let db = response_db(&h, f);
            assert!(db < -49.0, "stopband {:.3} MHz: {db:.1} dB", f * fs / 1e6);
        }
        // and a bank on it: a tone 1.4 MHz off a channel centre keeps its
        // power in that channel
        let m = 30;
        let mut ch = Channelizer::new(m, Oversample::Twice, &h, &[3]).unwrap();
        let f = 3.0 * fs / m as f64 + 1.4e6;
        let n = 30_000;
        let w = 2.0 * std::f64::consts::PI * f / fs;
        let re: Vec<f32> = (0..n).map(|i| (w * i as f64).cos() as f32).collect();
        let im: Vec<f32> = (0..n).map(|i| (w * i as f64).sin() as f32).collect();
        let mut out = vec![(Vec::new(), Vec::new())];
        ch.process(&re, &im, &mut out);
        let (r, i) = &out[0];
        let skip = h.len() / 15 + 2;
        let p = r[skip..].iter().zip(&i[skip..]).map(|(a, b)| (a * a + b * b) as f64).sum::<f64>()
            / (r.len() - skip) as f64;
        assert!((p - 1.0).abs() < 0.01, "power {p}");
        assert!(prototype_band(0.1, 0.05, 50.0).is_empty());
        assert!(prototype_band(0.1, 0.6, 50.0).is_empty());
    }

    #[test]
    fn bad_settings_are_refused() {
        let taps = prototype(8, 4, 60.0);
        assert!(Channelizer::new(1, Oversample::Critical, &taps, &[0]).is_err());
        assert!(Channelizer::new(9, Oversample::Twice, &taps, &[0]).is_err());
        assert!(Channelizer::new(8, Oversample::Critical, &taps, &[8]).is_err());
        assert!(Channelizer::new(8, Oversample::Critical, &[], &[0]).is_err());
    }
}
