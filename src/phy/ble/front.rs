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
}

/// The channel is already at baseband at the right rate.
pub struct Passthrough;

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
const PASS_HZ: f64 = 0.8e6;
const STOP_HZ: f64 = 2.2e6;
const ATTEN_DB: f64 = 50.0;
/// The BLE signal's half-width (99 % of its power plus offsets).
const SIGNAL_HZ: f64 = 0.7e6;

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
            ChannelDecimator::new(taps, offset_hz / fs, decim)
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
        let v = Vec::new;
        Channelizer { dec, decim, up, rs, a_re: v(), a_im: v(), b_re: v(), b_im: v(), c_re: v(), c_im: v() }
    }
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
        return Box::new(Passthrough);
    }
    Box::new(Channelizer::new(fs, offset_hz, rate))
}
