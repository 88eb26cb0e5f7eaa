//! Channel front ends: bring one channel of the input to baseband at the
//! demodulator's rate (4 MS/s).

/// Turns input samples into channel-rate samples.
pub trait Front: Send {
    /// Appends the channel-rate samples produced by this input block.
    fn process(&mut self, re: &[f32], im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>);
    /// The input-stream sample position of channel-rate position `k`.
    fn input_position(&self, k: f64) -> f64;
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
}

/// Chooses the front end for a channel `offset_hz` from the centre of an
/// input at `fs`.
pub fn plan_front(fs: f64, offset_hz: f64, rate: f64) -> Box<dyn Front> {
    if (fs - rate).abs() < 1e-6 * rate && offset_hz.abs() < 1.0 {
        return Box::new(Passthrough);
    }
    // TODO(issue 3): channel decimator + fractional resampler for other rates and offsets
    Box::new(Passthrough)
}
