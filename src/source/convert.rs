//! Sample conversion between file formats and split `f32` arrays.
//!
//! Every loop walks fixed-size byte chunks (`as_chunks`) zipped with the
//! output slices: no indexing, no allocation, no I/O, so the compiler
//! vectorizes them.

use super::SampleFormat;

/// Converts whole samples in `bytes` (`format`, little-endian) into `re`
/// and `im`. `re` and `im` hold `bytes.len() / format.bytes_per_sample()`
/// samples; a shorter slice stops the conversion early.
pub(crate) fn decode(format: SampleFormat, bytes: &[u8], re: &mut [f32], im: &mut [f32]) {
    match format {
        SampleFormat::Cu8 => {
            let (chunks, _) = bytes.as_chunks::<2>();
            for ((&[i, q], r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                *r = (f32::from(i) - 127.5) / 127.5;
                *m = (f32::from(q) - 127.5) / 127.5;
            }
        }
        SampleFormat::Cs8 => {
            let (chunks, _) = bytes.as_chunks::<2>();
            for ((&[i, q], r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                *r = f32::from(i as i8) * (1.0 / 128.0);
                *m = f32::from(q as i8) * (1.0 / 128.0);
            }
        }
        SampleFormat::Cs16 => {
            let (chunks, _) = bytes.as_chunks::<4>();
            for ((&[i0, i1, q0, q1], r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                *r = f32::from(i16::from_le_bytes([i0, i1])) * (1.0 / 32768.0);
                *m = f32::from(i16::from_le_bytes([q0, q1])) * (1.0 / 32768.0);
            }
        }
        SampleFormat::Cf32 => {
            let (chunks, _) = bytes.as_chunks::<8>();
            for ((&[i0, i1, i2, i3, q0, q1, q2, q3], r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                *r = f32::from_le_bytes([i0, i1, i2, i3]);
                *m = f32::from_le_bytes([q0, q1, q2, q3]);
            }
        }
        SampleFormat::Cf64 => {
            let (chunks, _) = bytes.as_chunks::<16>();
            for ((c, r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                let (i, q) = c.split_at(8);
                let (Ok(i), Ok(q)) = (<[u8; 8]>::try_from(i), <[u8; 8]>::try_from(q)) else { continue };
                *r = f64::from_le_bytes(i) as f32;
                *m = f64::from_le_bytes(q) as f32;
            }
        }
    }
}

/// Rounds `v * scale + bias - 0.5` to the nearest integer code in
/// `0..=max_code` (halves round up). Returns the code and whether `v` was out
/// of range (or NaN) and had to be clipped.
#[inline(always)]
fn quantize(v: f32, scale: f32, bias: f32, max_code: f32) -> (i32, bool) {
    // `bias` includes the +0.5 that makes truncation round to nearest.
    let t = v * scale + bias;
    let in_range = t >= 0.0 && t < max_code + 1.0;
    // `max` turns NaN into 0; the value is within i32 after clamping.
    (t.max(0.0).min(max_code) as i32, !in_range)
}

/// Converts `re`/`im` (full scale ±1) into `out` in `format`, rounding to the
/// nearest code and clipping values outside the format's range. `out` holds
/// `format.bytes_per_sample()` bytes per sample. Returns the number of
/// samples clipped (either part out of range or NaN). Floats are written as
/// they are and never count as clipped.
pub(crate) fn encode(format: SampleFormat, re: &[f32], im: &[f32], out: &mut [u8]) -> u64 {
    let mut clipped = 0u64;
    match format {
        SampleFormat::Cu8 => {
            let (chunks, _) = out.as_chunks_mut::<2>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, ci) = quantize(r, 127.5, 128.0, 255.0);
                let (q, cq) = quantize(m, 127.5, 128.0, 255.0);
                *c = [i as u8, q as u8];
                clipped += u64::from(ci | cq);
            }
        }
        SampleFormat::Cs8 => {
            let (chunks, _) = out.as_chunks_mut::<2>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, ci) = quantize(r, 128.0, 128.5, 255.0);
                let (q, cq) = quantize(m, 128.0, 128.5, 255.0);
                *c = [(i - 128) as i8 as u8, (q - 128) as i8 as u8];
                clipped += u64::from(ci | cq);
            }
        }
        SampleFormat::Cs16 => {
            let (chunks, _) = out.as_chunks_mut::<4>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, ci) = quantize(r, 32768.0, 32768.5, 65535.0);
                let (q, cq) = quantize(m, 32768.0, 32768.5, 65535.0);
                let [i0, i1] = ((i - 32768) as i16).to_le_bytes();
                let [q0, q1] = ((q - 32768) as i16).to_le_bytes();
                *c = [i0, i1, q0, q1];
                clipped += u64::from(ci | cq);
            }
        }
        SampleFormat::Cf32 => {
            let (chunks, _) = out.as_chunks_mut::<8>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let [i0, i1, i2, i3] = r.to_le_bytes();
                let [q0, q1, q2, q3] = m.to_le_bytes();
                *c = [i0, i1, i2, i3, q0, q1, q2, q3];
            }
        }
        SampleFormat::Cf64 => {
            let (chunks, _) = out.as_chunks_mut::<16>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, q) = c.split_at_mut(8);
                i.copy_from_slice(&f64::from(r).to_le_bytes());
                q.copy_from_slice(&f64::from(m).to_le_bytes());
            }
        }
    }
    clipped
}
