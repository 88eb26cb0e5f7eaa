//! Small helpers between split re/im arrays and `Complex32` slices.

pub use num_complex::Complex32;

use crate::kern;

/// `out[i] = re[i]² + im[i]²` over the common length of the three slices.
pub fn magnitude_sq(re: &[f32], im: &[f32], out: &mut [f32]) {
    kern::magnitude_sq(re, im, out)
}

/// Appends the common length of `re`/`im` to `out` as interleaved complex.
pub fn interleave(re: &[f32], im: &[f32], out: &mut Vec<Complex32>) {
    kern::interleave(re, im, out)
}

/// Appends the real and imaginary parts of `input` to `re` and `im`.
pub fn deinterleave(input: &[Complex32], re: &mut Vec<f32>, im: &mut Vec<f32>) {
    kern::deinterleave(input, re, im)
}

/// Mean of `re² + im²` in f64 over the common length (0 for empty input).
pub fn mean_power(re: &[f32], im: &[f32]) -> f64 {
    let n = re.len().min(im.len());
    if n == 0 {
        return 0.0;
    }
    re.iter().zip(im).map(|(&r, &i)| r as f64 * r as f64 + i as f64 * i as f64).sum::<f64>() / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let re = [3.0f32, 1.0, -2.0];
        let im = [4.0f32, 0.0];
        let mut out = [9.0f32; 3];
        magnitude_sq(&re, &im, &mut out);
        assert_eq!(out, [25.0, 1.0, 9.0]);
        let mut c = Vec::new();
        interleave(&re, &im, &mut c);
        assert_eq!(c, vec![Complex32::new(3.0, 4.0), Complex32::new(1.0, 0.0)]);
        let (mut r, mut i) = (vec![], vec![]);
        deinterleave(&c, &mut r, &mut i);
        assert_eq!((r, i), (vec![3.0, 1.0], vec![4.0, 0.0]));
        assert_eq!(mean_power(&re, &im), 13.0);
        assert_eq!(mean_power(&[], &[]), 0.0);
        // Long input through the vectorized path.
        let re: Vec<f32> = (0..1001).map(|i| i as f32 * 0.5).collect();
        let im: Vec<f32> = (0..1001).map(|i| 1.0 - i as f32).collect();
        let mut out = vec![0.0; 1001];
        magnitude_sq(&re, &im, &mut out);
        for k in 0..1001 {
            let want = re[k] as f64 * re[k] as f64 + im[k] as f64 * im[k] as f64;
            assert!((out[k] as f64 - want).abs() <= 1e-6 * want.max(1.0));
        }
    }
}
