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
        // 8-bit pairs load as one 16-bit word and split with shifts: this
        // vectorizes about twice as well as two separate byte loads.
        SampleFormat::Cu8 => {
            let (chunks, _) = bytes.as_chunks::<2>();
            for ((&c, r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                let w = u32::from(u16::from_le_bytes(c));
                *r = ((w & 0xFF) as f32 - 127.5) / 127.5;
                *m = ((w >> 8) as f32 - 127.5) / 127.5;
            }
        }
        SampleFormat::Cs8 => {
            let (chunks, _) = bytes.as_chunks::<2>();
            for ((&c, r), m) in chunks.iter().zip(re.iter_mut()).zip(im.iter_mut()) {
                let w = i16::from_le_bytes(c);
                *r = f32::from(w as i8) * (1.0 / 128.0);
                *m = f32::from((w >> 8) as i8) * (1.0 / 128.0);
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

/// Rounds `v * scale + offset` to the nearest integer code in `0..=max_code`
/// (halves to even). Returns the code and 1 if `v` was out of range (or NaN)
/// and had to be clipped, else 0.
///
/// `max_code` is below 2^16. Written so that it vectorizes: the clamp uses
/// comparisons (NaN becomes 0) and the rounding adds 2^23, after which the
/// nearest integer sits in the low mantissa bits; a float-to-int cast would
/// not vectorize (it saturates).
#[inline(always)]
fn quantize(v: f32, scale: f32, offset: f32, max_code: f32) -> (u32, u32) {
    let t = v * scale + offset;
    let in_range = t >= -0.5 && t < max_code + 0.5;
    let c = if t >= 0.0 { t } else { 0.0 };
    let c = if c <= max_code { c } else { max_code };
    ((c + 8_388_608.0).to_bits() & 0xFFFF, u32::from(!in_range))
}

/// Converts `re`/`im` (full scale ±1) into `out` in `format`, rounding to the
/// nearest code (halves to even) and clipping values outside the format's
/// range. `out` holds `format.bytes_per_sample()` bytes per sample. Returns
/// the number of samples clipped (either part out of range or NaN). Floats
/// are written as they are and never count as clipped.
pub(crate) fn encode(format: SampleFormat, re: &[f32], im: &[f32], out: &mut [u8]) -> u64 {
    // Counted in u32, which vectorizes better than u64; callers pass at most
    // WRITE_CHUNK_SAMPLES at a time.
    debug_assert!(re.len().min(im.len()) <= u32::MAX as usize);
    let mut clipped = 0u32;
    match format {
        SampleFormat::Cu8 => {
            let (chunks, _) = out.as_chunks_mut::<2>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, ci) = quantize(r, 127.5, 127.5, 255.0);
                let (q, cq) = quantize(m, 127.5, 127.5, 255.0);
                *c = [i as u8, q as u8];
                clipped += ci | cq;
            }
        }
        SampleFormat::Cs8 => {
            // code 0..=255 is value -128..=127: flipping the top bit makes it two's complement
            let (chunks, _) = out.as_chunks_mut::<2>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, ci) = quantize(r, 128.0, 128.0, 255.0);
                let (q, cq) = quantize(m, 128.0, 128.0, 255.0);
                *c = [(i ^ 0x80) as u8, (q ^ 0x80) as u8];
                clipped += ci | cq;
            }
        }
        SampleFormat::Cs16 => {
            let (chunks, _) = out.as_chunks_mut::<4>();
            for ((c, &r), &m) in chunks.iter_mut().zip(re).zip(im) {
                let (i, ci) = quantize(r, 32768.0, 32768.0, 65535.0);
                let (q, cq) = quantize(m, 32768.0, 32768.0, 65535.0);
                *c = ((i ^ 0x8000) | ((q ^ 0x8000) << 16)).to_le_bytes();
                clipped += ci | cq;
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
    u64::from(clipped)
}
