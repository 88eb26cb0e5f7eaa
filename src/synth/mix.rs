//! The one render loop of every synthesizer: waveforms placed in time
//! (each transmitter kind renders its own, in order of first sample) are
//! summed into white Gaussian noise, block by block, in constant memory.
//! One emitter gives a single-protocol capture; several give a mixed one.

use ridscope_dsp::noise::Rng as NoiseRng;

/// A waveform placed in the capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Capture sample of `re[0]`.
    pub first: u64,
    /// In-phase samples.
    pub re: Vec<f32>,
    /// Quadrature samples.
    pub im: Vec<f32>,
}

impl Placed {
    /// One past the last sample.
    pub fn end(&self) -> u64 {
        self.first + self.re.len().min(self.im.len()) as u64
    }
}

/// A source of waveforms, handed out in order of first sample.
pub trait Emitter {
    /// First sample of the next waveform (`None`: no more).
    fn peek_first(&self) -> Option<u64>;
    /// Renders the next waveform (drawn only when the mix needs it).
    fn next_wave(&mut self) -> Option<Placed>;
}

/// Renders `total` samples: noise of standard deviation `sigma` per
/// component (seeded by `noise_seed`) plus every emitter's waveforms,
/// handed to `sink` in blocks of `block` samples. What each sample gets does
/// not depend on the block size.
pub fn render<E>(
    emitters: &mut [&mut dyn Emitter],
    total: u64,
    block: usize,
    sigma: f32,
    noise_seed: u64,
    mut sink: impl FnMut(&[f32], &[f32]) -> Result<(), E>,
) -> Result<(), E> {
    let mut noise = NoiseRng::new(noise_seed);
    let block = block.max(1);
    let (mut re, mut im) = (vec![0f32; block], vec![0f32; block]);
    // waveforms under way, in the order they were drawn
    let mut live: Vec<Placed> = Vec::new();
    let mut b0 = 0u64;
    while b0 < total {
        let n = (block as u64).min(total - b0) as usize;
        let b1 = b0 + n as u64;
        re[..n].fill(0.0);
        im[..n].fill(0.0);
        noise.add_awgn(&mut re[..n], &mut im[..n], sigma);
        for e in emitters.iter_mut() {
            while e.peek_first().is_some_and(|f| f < b1) {
                match e.next_wave() {
                    Some(w) if w.end() > b0 => live.push(w),
                    Some(_) => {}
                    None => break,
                }
            }
        }
        for w in &live {
            let (lo, hi) = (w.first.max(b0), w.end().min(b1));
            if lo >= hi {
                continue;
            }
            let (wa, wb) = ((lo - w.first) as usize, (hi - w.first) as usize);
            let (ba, bb) = ((lo - b0) as usize, (hi - b0) as usize);
            for (x, v) in re[ba..bb].iter_mut().zip(&w.re[wa..wb]) {
                *x += v;
            }
            for (x, v) in im[ba..bb].iter_mut().zip(&w.im[wa..wb]) {
                *x += v;
            }
        }
        live.retain(|w| w.end() > b1);
        sink(&re[..n], &im[..n])?;
        b0 = b1;
    }
    Ok(())
}

/// Amplitude of a signal whose power is `snr` (linear) times the noise in
/// `bandwidth_hz`, with total RMS (signal + noise over the capture band
/// `fs`) about a quarter of full scale: headroom for 8-bit formats.
pub fn quarter_scale_amplitude(fs: f64, bandwidth_hz: f64, snr: f64) -> f32 {
    let noise_to_signal = fs / bandwidth_hz / snr;
    (0.25 / (1.0 + noise_to_signal).sqrt()) as f32
}

/// Noise standard deviation per component for a signal of amplitude `amp`
/// whose SNR in `bandwidth_hz` is `snr` (linear): complex noise power
/// amp²·fs/(bandwidth·snr).
pub fn noise_sigma(amp: f32, fs: f64, bandwidth_hz: f64, snr: f64) -> f32 {
    let a = amp as f64;
    (a * a * fs / bandwidth_hz / snr / 2.0).sqrt() as f32
}

/// The amplitude that gives a signal SNR `snr` (linear) in `bandwidth_hz`
/// over noise of standard deviation `sigma` per component: the inverse of
/// [`noise_sigma`].
pub fn amplitude_for_sigma(sigma: f32, fs: f64, bandwidth_hz: f64, snr: f64) -> f32 {
    let s = sigma as f64;
    (2.0 * s * s * bandwidth_hz * snr / fs).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pulses {
        at: Vec<u64>,
        k: usize,
    }

    impl Emitter for Pulses {
        fn peek_first(&self) -> Option<u64> {
            self.at.get(self.k).copied()
        }
        fn next_wave(&mut self) -> Option<Placed> {
            let first = *self.at.get(self.k)?;
            self.k += 1;
            Some(Placed { first, re: vec![1.0; 10], im: vec![-1.0; 10] })
        }
    }

    fn run(block: usize) -> Vec<f32> {
        let mut a = Pulses { at: vec![3, 15, 95], k: 0 };
        let mut b = Pulses { at: vec![5, 40], k: 0 };
        let mut out = Vec::new();
        render(&mut [&mut a, &mut b], 100, block, 0.0, 1, |re, im| {
            out.extend(re.iter().zip(im).flat_map(|(x, y)| [*x, *y]));
            Ok::<(), ()>(())
        })
        .unwrap();
        out
    }

    #[test]
    fn sums_waveforms_independently_of_the_block_size() {
        let r = run(100);
        assert_eq!(r.len(), 200);
        // overlap of the pulses at 3 and 5 (samples 5..13), single elsewhere
        assert_eq!(r[2 * 4], 1.0);
        assert_eq!(r[2 * 6], 2.0);
        assert_eq!(r[2 * 6 + 1], -2.0);
        assert_eq!(r[2 * 14], 1.0);
        assert_eq!(r[2 * 99], 1.0); // the last pulse is cut at the end
        assert_eq!(r[2 * 2], 0.0);
        for block in [1, 7, 13, 64] {
            assert_eq!(run(block), r, "block {block}");
        }
    }

    #[test]
    fn amplitude_and_sigma_are_inverse() {
        let s = noise_sigma(0.1, 20e6, 11e6, 4.0);
        assert!((amplitude_for_sigma(s, 20e6, 11e6, 4.0) - 0.1).abs() < 1e-6);
    }
}
