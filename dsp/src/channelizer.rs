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
//! bank computes it for all channels at once: per output frame, the input
//! window times the reversed prototype is summed into `m` polyphase
//! branches (a SIMD loop, [`crate::kern`]), and one FFT of size `m` (a batch
//! of frames per call) turns the branches into the channels, each then
//! turned by a fixed phase; 2× oversampling flips the sign of odd channels
//! on odd frames. Only the channels asked for are written.
//!
//! Streaming follows the crate's conventions: state is kept between calls,
//! nothing is allocated per sample, and the output is the same however the
//! input is split into blocks.

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use crate::fir::{kaiser_beta, lowpass};

/// Output rate relative to the channel spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversample {
    /// One output sample per channel spacing (`d = m`).
    Critical,
    /// Two (`d = m / 2`; `m` must be even).
    Twice,
}

/// Frames computed per FFT call.
const BATCH: usize = 64;

/// A prototype lowpass for an `m`-channel bank: `taps_per_channel · m`
/// taps, Kaiser window for `atten_db`, cutoff (−6 dB) at half the channel
/// spacing, so adjacent channels cross at −6 dB and together cover the band.
pub fn prototype(m: usize, taps_per_channel: usize, atten_db: f64) -> Vec<f32> {
    if m == 0 {
        return Vec::new();
    }
    lowpass(m * taps_per_channel, 0.5 / m as f64, kaiser_beta(atten_db))
}

/// The channelizer. See the module documentation.
pub struct Channelizer {
    m: usize,
    d: usize,
    /// The prototype reversed, zero-padded in front to a multiple of `m`.
    hrev: Vec<f32>,
    /// Input history: global sample `start + i` at index `i`.
    buf_re: Vec<f32>,
    buf_im: Vec<f32>,
    start: i64,
    /// Global input index of the next output frame.
    next: i64,
    /// Output frames produced so far.
    frames: u64,
    channels: Vec<usize>,
    /// Per written channel, `e^{−j2πc/m}` (see `process`).
    twiddle: Vec<Complex32>,
    fft: Arc<dyn Fft<f32>>,
    work: Vec<Complex32>,
    scratch: Vec<Complex32>,
    acc_re: Vec<f32>,
    acc_im: Vec<f32>,
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
        let len = taps.len().div_ceil(m) * m;
        // padded with zeros at the start of the reversed (the end of the prototype)
        let mut hrev = vec![0f32; len];
        for (i, &t) in taps.iter().enumerate() {
            hrev[len - 1 - i] = t;
        }
        let fft = FftPlanner::new().plan_fft_forward(m);
        let twiddle = channels
            .iter()
            .map(|&c| {
                let ph = -2.0 * std::f64::consts::PI * c as f64 / m as f64;
                Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        Ok(Channelizer {
            m,
            d,
            buf_re: vec![0.0; len - 1],
            buf_im: vec![0.0; len - 1],
            start: -(len as i64 - 1),
            next: 0,
            frames: 0,
            hrev,
            channels: channels.to_vec(),
            twiddle,
            fft,
            work: vec![Complex32::default(); BATCH * m],
            scratch,
            acc_re: vec![0.0; m],
            acc_im: vec![0.0; m],
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
        self.hrev.len()
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
        self.buf_re.extend_from_slice(&re[..n]);
        self.buf_im.extend_from_slice(&im[..n]);
        let len = self.hrev.len() as i64;
        let end = self.start + self.buf_re.len() as i64; // one past the last sample held
        let m = self.m;
        loop {
            // frames whose window ends inside what is held, a batch at a time
            let mut k = 0;
            while k < BATCH && self.next < end {
                let lo = (self.next - len + 1 - self.start) as usize;
                let hi = lo + len as usize;
                crate::kern::pfb_accumulate(
                    &self.hrev,
                    &self.buf_re[lo..hi],
                    &self.buf_im[lo..hi],
                    m,
                    &mut self.acc_re,
                    &mut self.acc_im,
                );
                // branch p is acc[m − 1 − p]: Σ_p acc[m−1−p]·e^{+j2πcp/m} is
                // e^{−j2πc/m} times the forward DFT of acc (applied on output)
                // 2× oversampling: odd channels change sign on odd frames, which
                // is the DFT of acc rotated by m / 2
                let rot = if self.d != m && (self.frames + k as u64) % 2 == 1 { m / 2 } else { 0 };
                let w = &mut self.work[k * m..(k + 1) * m];
                let (w1, w2) = w.split_at_mut(m - rot);
                for ((x, &r), &i) in w1.iter_mut().zip(&self.acc_re[rot..]).zip(&self.acc_im[rot..]) {
                    *x = Complex32::new(r, i);
                }
                for ((x, &r), &i) in w2.iter_mut().zip(&self.acc_re[..rot]).zip(&self.acc_im[..rot]) {
                    *x = Complex32::new(r, i);
                }
                self.next += self.d as i64;
                k += 1;
            }
            if k == 0 {
                break;
            }
            self.fft.process_with_scratch(&mut self.work[..k * m], &mut self.scratch);
            let frames = &self.work[..k * m];
            for ((o, &c), &tw) in out.iter_mut().zip(&self.channels).zip(&self.twiddle) {
                let base = o.0.len();
                o.0.resize(base + k, 0.0);
                o.1.resize(base + k, 0.0);
                let (dr, di) = (&mut o.0[base..], &mut o.1[base..]);
                for ((r, i), x) in dr.iter_mut().zip(di.iter_mut()).zip(frames[c..].iter().step_by(m)) {
                    let v = x * tw;
                    *r = v.re;
                    *i = v.im;
                }
            }
            self.frames += k as u64;
        }
        // keep what the next frame needs
        let keep_from = (self.next - len + 1 - self.start).max(0) as usize;
        let keep_from = keep_from.min(self.buf_re.len());
        self.buf_re.drain(..keep_from);
        self.buf_im.drain(..keep_from);
        self.start += keep_from as i64;
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

    #[test]
    fn bad_settings_are_refused() {
        let taps = prototype(8, 4, 60.0);
        assert!(Channelizer::new(1, Oversample::Critical, &taps, &[0]).is_err());
        assert!(Channelizer::new(9, Oversample::Twice, &taps, &[0]).is_err());
        assert!(Channelizer::new(8, Oversample::Critical, &taps, &[8]).is_err());
        assert!(Channelizer::new(8, Oversample::Critical, &[], &[0]).is_err());
    }
}
