//! Channel front ends: bring one channel of the input to baseband at the
//! demodulator's rate (4 MS/s).

use ridscope_dsp::fir::{self, ChannelDecimator};
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

/// Selects one channel: a channel decimator (complex bandpass, keeping every
/// M-th output, at baseband), then, when fs/M is not the demodulator's rate,
/// a fractional resampler.
pub struct Channelizer {
    dec: ChannelDecimator,
    decim: usize,
    rs: Option<FractionalResampler>,
    mid_re: Vec<f32>,
    mid_im: Vec<f32>,
}

/// Channel filter: flat to ±0.8 MHz (the BLE 1M signal and ±150 kHz of
/// offset), 50 dB down from ±2.2 MHz (the neighbouring channels are 2 MHz away).
const PASS_HZ: f64 = 0.8e6;
const STOP_HZ: f64 = 2.2e6;
const ATTEN_DB: f64 = 50.0;

impl Channelizer {
    pub fn new(fs: f64, offset_hz: f64, rate: f64) -> Self {
        let decim = ((fs / rate).floor() as usize).max(1);
        // below ~4.4 MS/s the stopband edge is moved under Nyquist
        let stop = STOP_HZ.min(0.5 * fs);
        let pass = PASS_HZ.min(0.8 * stop);
        let cutoff = (pass + stop) / 2.0 / fs;
        let len = fir::kaiser_len(ATTEN_DB, (stop - pass) / fs) | 1;
        let taps = fir::lowpass(len, cutoff, fir::kaiser_beta(ATTEN_DB));
        let dec = ChannelDecimator::new(taps, offset_hz / fs, decim);
        let mid = fs / decim as f64;
        let rs = ((mid - rate).abs() > 1e-9 * rate).then(|| FractionalResampler::new(rate / mid));
        Channelizer { dec, decim, rs, mid_re: Vec::new(), mid_im: Vec::new() }
    }
}

impl Front for Channelizer {
    fn process(&mut self, re: &[f32], im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) {
        match &mut self.rs {
            None => {
                self.dec.process(re, im, out_re, out_im);
            }
            Some(rs) => {
                self.mid_re.clear();
                self.mid_im.clear();
                self.dec.process(re, im, &mut self.mid_re, &mut self.mid_im);
                rs.process(&self.mid_re, &self.mid_im, out_re, out_im);
            }
        }
    }

    fn input_position(&self, k: f64) -> f64 {
        // channel-rate position → decimated-rate time → input position
        let mid = match &self.rs {
            None => k,
            Some(rs) => {
                let i = k.floor().max(0.0) as u64;
                let (a, b) = (rs.input_time_of_output(i), rs.input_time_of_output(i + 1));
                a + (b - a) * (k - i as f64)
            }
        };
        mid * self.decim as f64 - self.dec.delay()
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
