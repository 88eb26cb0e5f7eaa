//! Channel front ends: bring one channel of the input to baseband at the
//! demodulator's rate (4 MS/s).

use ridscope_dsp::fir::{self, ChannelDecimator, FirFilter};
use ridscope_dsp::resample::FractionalResampler;

/// Turns input samples into channel-rate samples.
pub trait Front: Send {
    /// Appends the channel-rate samples produced by this input block.
    fn process(&mut self, re: &[f32], im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>);
    /// The input-stream sample position of channel-rate position `k`.
    fn input_position(&self, k: f64) -> f64;
    /// True when the output is the input itself (the caller may skip `process`).
    fn is_passthrough(&self) -> bool {
        false
    }
    /// Equivalent noise bandwidth of the output (Hz): white input noise of
    /// density N0 (W/Hz) comes out with power N0 × this per output sample,
    /// for a signal whose gain through the front end is 1. The output's
    /// sample rate when nothing narrows the noise.
    fn noise_bandwidth_hz(&self) -> f64;
    /// Input samples to push after the end of the stream (zeros) so that
    /// every output up to the last real input sample, and a few symbols
    /// beyond, has come out of the filters.
    fn flush_len(&self) -> usize;
}

/// The channel is already at baseband at the right rate.
pub struct Passthrough {
    /// The sample rate.
    pub rate: f64,
}

impl Front for Passthrough {
    fn process(&mut self, re: &[f32], im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) {
        let n = re.len().min(im.len());
        out_re.extend_from_slice(&re[..n]);
        out_im.extend_from_slice(&im[..n]);
    }

    fn input_position(&self, k: f64) -> f64 {
        k
    }

    fn is_passthrough(&self) -> bool {
        true
    }

    fn noise_bandwidth_hz(&self) -> f64 {
        self.rate
    }

    fn flush_len(&self) -> usize {
        0
    }
}

/// Selects one channel and brings it to the demodulator's rate in up to
/// three stages:
/// 1. a channel decimator (complex bandpass keeping every M-th output, at
///    baseband) when the channel is off centre or the input is faster than
///    the demodulator;
/// 2. an integer interpolator (×L) when the input is slower: zero-stuffing
///    and a lowpass that keeps the whole BLE signal (±0.7 MHz), which the
///    fractional resampler's passband alone would not;
/// 3. a fractional resampler when the rate is still not exact (the signal
///    is then well inside its passband).
pub struct Channelizer {
    dec: Option<ChannelDecimator>,
    decim: usize,
    noise_bw_hz: f64,
    flush: usize,
    up: Option<(usize, FirFilter)>,
    rs: Option<FractionalResampler>,
    a_re: Vec<f32>,
    a_im: Vec<f32>,
    b_re: Vec<f32>,
    b_im: Vec<f32>,
    c_re: Vec<f32>,
    c_im: Vec<f32>,
}

/// Channel filter: flat to ±0.8 MHz (the BLE 1M signal and ±150 kHz of
/// offset), 50 dB down from ±2.2 MHz (the neighbouring channels are 2 MHz away).
pub(super) const PASS_HZ: f64 = 0.8e6;
pub(super) const STOP_HZ: f64 = 2.2e6;
pub(super) const ATTEN_DB: f64 = 50.0;
/// The BLE signal's half-width (99 % of its power plus offsets).
const SIGNAL_HZ: f64 = 0.7e6;
/// Output samples flushed beyond the last input sample at the end (2 symbols).
pub(super) const FLUSH_MARGIN: f64 = 8.0;

impl Channelizer {
    pub fn new(fs: f64, offset_hz: f64, rate: f64) -> Self {
        let decim = ((fs / rate).floor() as usize).max(1);
        let dec = (offset_hz.abs() >= 1.0 || decim > 1).then(|| {
            // below ~4.4 MS/s the stopband edge is moved under Nyquist
            let stop = STOP_HZ.min(0.5 * fs);
            let pass = PASS_HZ.min(0.8 * stop);
            let cutoff = (pass + stop) / 2.0 / fs;
            let len = fir::kaiser_len(ATTEN_DB, (stop - pass) / fs) | 1;
            let taps = fir::lowpass(len, cutoff, fir::kaiser_beta(ATTEN_DB));
            (ChannelDecimator::new(taps.clone(), offset_hz / fs, decim), taps)
        });
        let mut mid = fs / decim as f64;
        let up = (mid < rate * (1.0 - 1e-9)).then(|| {
            let l = (rate / mid).ceil() as usize;
            let fs_up = mid * l as f64;
            // keep everything below the input's Nyquist frequency but a guard
            // band: the images of content at f start at mid − f
            let pass = (0.45 * mid).min(SIGNAL_HZ.max(0.45 * mid));
            let stop = mid - pass;
            let len = fir::kaiser_len(60.0, (stop - pass) / fs_up) | 1;
            let taps = fir::lowpass(len, (pass + stop) / 2.0 / fs_up, fir::kaiser_beta(60.0));
            mid = fs_up;
            (l, FirFilter::new(taps.into_iter().map(|t| t * l as f32).collect()))
        });
        let rs = ((mid - rate).abs() > 1e-9 * rate).then(|| FractionalResampler::new(rate / mid));

        // noise: autocorrelation after the decimator (input noise white, N0 = 1)
        let r1 = match &dec {
            Some((_, h)) => autocorrelation(h, decim, fs),
            None => vec![fs],
        };
        let r2 = match &up {
            Some((l, f)) => interpolated_autocorrelation(&r1, *l, f.taps(), rs.as_ref().map_or(1, |r| r.taps())),
            None => r1,
        };
        let noise_bw_hz = match &rs {
            Some(r) => resampler_power(r, &r2),
            None => r2[0],
        };
        // latency in input samples: the decimator's delay, the interpolator's
        // delay, half the resampler's kernel, and a sample of each stage
        let d = decim as f64;
        let l = up.as_ref().map_or(1.0, |(l, _)| *l as f64);
        let latency = dec.as_ref().map_or(0.0, |(c, _)| c.delay() + d)
            + up.as_ref().map_or(0.0, |(_, f)| (f.delay() / l + 1.0) * d)
            + rs.as_ref().map_or(0.0, |r| (r.taps() as f64 / 2.0 + 1.0) * d / l)
            + FLUSH_MARGIN * fs / rate;
        let flush = latency.ceil() as usize;

        let dec = dec.map(|(c, _)| c);
        let v = Vec::new;
        Channelizer {
            dec,
            decim,
            noise_bw_hz,
            flush,
            up,
            rs,
            a_re: v(),
            a_im: v(),
            b_re: v(),
            b_im: v(),
            c_re: v(),
            c_im: v(),
        }
    }
}

/// `fs`·Σ h[n]·h[n + pD] for p = 0, 1, …: the autocorrelation (at lags of
/// p output samples) of white noise of unit density at `fs` filtered by `h`
/// and decimated by `d`.
fn autocorrelation(h: &[f32], d: usize, fs: f64) -> Vec<f64> {
    (0..h.len().div_ceil(d).max(1))
        .map(|p| fs * h.iter().zip(&h[(p * d).min(h.len())..]).map(|(&a, &b)| a as f64 * b as f64).sum::<f64>())
        .collect()
}

/// The time-averaged autocorrelation, at lags 0..`lags`, after zero-stuffing
/// by `l` a signal of autocorrelation `r` (lags ≥ 0; symmetric) and
/// filtering with `g`: Σ_p r[p]·ag[q − pl] / l, with ag the
/// autocorrelation of `g`.
fn interpolated_autocorrelation(r: &[f64], l: usize, g: &[f32], lags: usize) -> Vec<f64> {
    let ag = |m: i64| -> f64 {
        let m = m.unsigned_abs() as usize;
        g.iter().zip(g.get(m..).unwrap_or(&[])).map(|(&a, &b)| a as f64 * b as f64).sum()
    };
    let reach = (g.len() / l + 1) as i64;
    (0..lags.max(1) as i64)
        .map(|q| {
            let p0 = q / l as i64;
            (p0 - reach..=p0 + reach + 1)
                .map(|p| r.get(p.unsigned_abs() as usize).copied().unwrap_or(0.0) * ag(q - p * l as i64))
                .sum::<f64>()
                / l as f64
        })
        .collect()
}

/// Time-averaged output power of `rs` (fresh: nothing processed yet) for an input of
/// autocorrelation `r` (lags ≥ 0; symmetric; zero beyond), from the weights
/// its outputs give each input sample, found by pushing impulses through
/// copies of it.
fn resampler_power(rs: &FractionalResampler, r: &[f64]) -> f64 {
    let taps = rs.taps();
    let span = 4 * taps;
    let zeros = vec![0f32; span + taps];
    // weights[k][j]: weight of input j in output k
    let mut weights: Vec<Vec<f32>> = Vec::new();
    let (mut o_re, mut o_im) = (Vec::new(), Vec::new());
    for j in 0..span {
        let mut x = zeros.clone();
        x[j] = 1.0;
        let mut probe = rs.clone();
        o_re.clear();
        o_im.clear();
        probe.process(&x, &zeros, &mut o_re, &mut o_im);
        for (k, &w) in o_re.iter().enumerate() {
            if weights.len() <= k {
                weights.push(vec![0.0; span]);
            }
            weights[k][j] = w;
        }
    }
    let rr = |m: usize, n: usize| r.get(m.abs_diff(n)).copied().unwrap_or(0.0);
    // outputs whose whole kernel lies among the probed inputs
    let (mut sum, mut count) = (0.0, 0usize);
    for (k, w) in weights.iter().enumerate() {
        let t = rs.input_time_of_output(k as u64);
        if t < taps as f64 || t > (span - taps) as f64 {
            continue;
        }
        let nz: Vec<(usize, f64)> =
            w.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(j, &v)| (j, v as f64)).collect();
        sum += nz.iter().map(|&(j, a)| nz.iter().map(|&(i, b)| a * b * rr(i, j)).sum::<f64>()).sum::<f64>();
        count += 1;
    }
    if count == 0 { r[0] } else { sum / count as f64 }
}

impl Front for Channelizer {
    fn process(&mut self, re: &[f32], im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) {
        // stage 1
        let (mut r, mut i): (&[f32], &[f32]) = (re, im);
        if let Some(dec) = &mut self.dec {
            self.a_re.clear();
            self.a_im.clear();
            dec.process(r, i, &mut self.a_re, &mut self.a_im);
            (r, i) = (&self.a_re, &self.a_im);
        }
        // stage 2: zero-stuff into b, filter into a (or out)
        let mut filtered = false;
        if let Some((l, f)) = &mut self.up {
            let n = r.len().min(i.len());
            self.b_re.clear();
            self.b_im.clear();
            self.b_re.resize(n * *l, 0.0);
            self.b_im.resize(n * *l, 0.0);
            for k in 0..n {
                self.b_re[k * *l] = r[k];
                self.b_im[k * *l] = i[k];
            }
            if self.rs.is_none() {
                f.process(&self.b_re, &self.b_im, out_re, out_im);
                return;
            }
            self.c_re.clear();
            self.c_im.clear();
            f.process(&self.b_re, &self.b_im, &mut self.c_re, &mut self.c_im);
            filtered = true;
        }
        let (r, i): (&[f32], &[f32]) = if filtered { (&self.c_re, &self.c_im) } else { (r, i) };
        match &mut self.rs {
            Some(rs) => {
                rs.process(r, i, out_re, out_im);
            }
            None => {
                let n = r.len().min(i.len());
                out_re.extend_from_slice(&r[..n]);
                out_im.extend_from_slice(&i[..n]);
            }
        }
    }

    fn noise_bandwidth_hz(&self) -> f64 {
        self.noise_bw_hz
    }

    fn flush_len(&self) -> usize {
        self.flush
    }

    fn input_position(&self, k: f64) -> f64 {
        // back through the stages: resampler, interpolator, decimator
        let mut t = match &self.rs {
            None => k,
            Some(rs) => {
                let i = k.floor().max(0.0) as u64;
                let (a, b) = (rs.input_time_of_output(i), rs.input_time_of_output(i + 1));
                a + (b - a) * (k - i as f64)
            }
        };
        if let Some((l, f)) = &self.up {
            t = (t - f.delay()) / *l as f64;
        }
        match &self.dec {
            Some(dec) => t * self.decim as f64 - dec.delay(),
            None => t,
        }
    }
}

/// Chooses the front end for a channel `offset_hz` from the centre of an
/// input at `fs`: nothing to do when the channel is at the centre of a
/// capture at the demodulator's rate, a [`Channelizer`] otherwise.
pub fn plan_front(fs: f64, offset_hz: f64, rate: f64) -> Box<dyn Front> {
    if (fs - rate).abs() < 1e-6 * rate && offset_hz.abs() < 1.0 {
        return Box::new(Passthrough { rate: fs });
    }
    Box::new(Channelizer::new(fs, offset_hz, rate))
}
