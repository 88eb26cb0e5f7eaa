//! The burst modulator: 7200 scrambled coded bits in, complex baseband
//! samples at 15.36 MS/s out. Used by the synthesizer and the tests.

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use super::burst::{self, CODED_BITS, CP_LONG, CP_SHORT, N, USED, used_bins, zc_values};

/// Builds bursts; holds the FFT plan and the reference symbols.
pub struct Modulator {
    ifft: Arc<dyn Fft<f32>>,
    bins: [usize; USED],
    zc: [Vec<Complex32>; 2],
}

impl Default for Modulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Modulator {
    pub fn new() -> Self {
        let ifft = FftPlanner::new().plan_fft_inverse(N);
        Modulator { ifft, bins: used_bins(), zc: [zc_values(burst::ZC_ROOTS[0]), zc_values(burst::ZC_ROOTS[1])] }
    }

    /// Modulates one burst. `bits` are the 7200 scrambled coded bits (one
    /// per byte); `gold` the first 1200 bits of the scrambling sequence, given
    /// for a 9-symbol burst (its first symbol) and `None` for an 8-symbol
    /// one. The whole burst is delayed by `delay` samples (0 ≤ delay < 1,
    /// as a phase ramp on every symbol). Average power is 1 per sample.
    pub fn modulate(&self, bits: &[u8], gold: Option<&[u8]>, delay: f64) -> (Vec<f32>, Vec<f32>) {
        assert_eq!(bits.len(), CODED_BITS, "a burst carries {CODED_BITS} coded bits");
        let qpsk_of = |b: &[u8]| -> Vec<Complex32> {
            b.chunks_exact(2).map(|p| burst::qpsk(p[0], p[1]) * std::f32::consts::FRAC_1_SQRT_2).collect()
        };
        let data: Vec<Vec<Complex32>> = bits.chunks_exact(burst::BITS_PER_SYMBOL).map(qpsk_of).collect();
        // (content, cp) in time order
        let mut syms: Vec<(Vec<Complex32>, usize)> = Vec::new();
        if let Some(g) = gold {
            assert_eq!(g.len(), burst::BITS_PER_SYMBOL, "the Gold symbol carries 1200 bits");
            syms.push((qpsk_of(g), CP_LONG));
        }
        let order: [&Vec<Complex32>; 8] =
            [&data[0], &data[1], &self.zc[0], &data[2], &self.zc[1], &data[3], &data[4], &data[5]];
        for (i, s) in order.into_iter().enumerate() {
            syms.push((s.clone(), if i == 7 { CP_LONG } else { CP_SHORT }));
        }
        let scale = 1.0 / (USED as f32).sqrt();
        let mut re = Vec::with_capacity(burst::LEN_9);
        let mut im = Vec::with_capacity(burst::LEN_9);
        let mut buf = vec![Complex32::new(0.0, 0.0); N];
        for (vals, cp) in syms {
            buf.fill(Complex32::new(0.0, 0.0));
            for (&b, &v) in self.bins.iter().zip(&vals) {
                // subcarrier k = b (mod N) delayed by `delay` samples
                let k = if b >= N / 2 { b as f64 - N as f64 } else { b as f64 };
                let ph = -2.0 * std::f64::consts::PI * k * delay / N as f64;
                buf[b] = v * Complex32::new(ph.cos() as f32, ph.sin() as f32) * scale;
            }
            self.ifft.process(&mut buf);
            for c in buf[N - cp..].iter().chain(buf.iter()) {
                re.push(c.re);
                im.push(c.im);
            }
        }
        (re, im)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phy::ocusync::burst::{LEN_8, LEN_9};

    #[test]
    fn lengths_power_and_cyclic_prefix() {
        let m = Modulator::new();
        let bits: Vec<u8> = (0..CODED_BITS).map(|i| ((i * 7 + i / 3) % 2) as u8).collect();
        let gold: Vec<u8> = (0..1200).map(|i| (i % 3 == 0) as u8).collect();
        let (re, im) = m.modulate(&bits, Some(&gold), 0.0);
        assert_eq!(re.len(), LEN_9);
        let p: f64 = re.iter().zip(&im).map(|(a, b)| (a * a + b * b) as f64).sum::<f64>() / re.len() as f64;
        assert!((p - 1.0).abs() < 0.05, "power {p}");
        // second symbol: CP 72 copies the end of its window
        let w = 80 + 1024 + 72;
        for i in 0..72 {
            assert!((re[w - 72 + i] - re[w + 1024 - 72 + i]).abs() < 1e-5);
        }
        let (re8, _) = m.modulate(&bits, None, 0.0);
        assert_eq!(re8.len(), LEN_8);
        // the 8-symbol burst is the 9-symbol one without its first symbol
        // (whose CP was 8 samples longer)
        for i in 0..LEN_8 {
            assert!((re8[i] - re[i + 1104]).abs() < 1e-5);
        }
    }
}
