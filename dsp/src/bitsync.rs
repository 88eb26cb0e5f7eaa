//! Sync-word search on differentially detected hard bits, for binary FSK
//! (GFSK, MSK) at an integer number of samples per symbol.
//!
//! Per sample: a boxcar over one symbol (≈ the matched filter of a
//! one-symbol frequency pulse), the differential product over one symbol
//! Im(s[n]·s*[n−sps]) whose sign is the bit (positive frequency = 1), and for
//! each of the `sps` sample phases a shift register of hard bits compared
//! with the sync word by popcount. A position within `max_errors` bit
//! errors is a hit; of hits in neighbouring samples only the best is
//! reported.
//!
//! The first three steps are plain slice loops that vectorize; the register
//! scan is compiled with POPCNT when the CPU has it (without it `count_ones`
//! is a dozen instructions).

use multiversion::multiversion;

/// Streaming detector state.
#[derive(Debug, Clone)]
pub struct FskSyncDetector {
    sps: usize,
    pattern: u64,
    mask: u64,
    max_errors: u32,
    /// last 2·sps−1 input samples
    hx_re: Vec<f32>,
    hx_im: Vec<f32>,
    regs: Vec<u64>,
    /// index of the next sample
    n: u64,
    best: Option<(u64, u32)>,
    // scratch, reused across blocks
    x_re: Vec<f32>,
    x_im: Vec<f32>,
    bits: Vec<u8>,
    local: Vec<(u32, u32)>,
}

impl FskSyncDetector {
    /// `sync`: the sync word's bits in air order (at most 64); `sps` ≥ 1.
    pub fn new(sync: &[bool], sps: usize, max_errors: u32) -> Self {
        let sps = sps.max(1);
        let n = sync.len().min(64);
        let pattern = sync[..n].iter().fold(0u64, |acc, &b| acc << 1 | b as u64);
        let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        FskSyncDetector {
            sps,
            pattern,
            mask,
            max_errors,
            hx_re: vec![0.0; 2 * sps - 1],
            hx_im: vec![0.0; 2 * sps - 1],
            regs: vec![0; sps],
            n: 0,
            best: None,
            x_re: Vec::new(),
            x_im: Vec::new(),
            bits: Vec::new(),
            local: Vec::new(),
        }
    }

    /// Index of the next sample to be processed.
    pub fn position(&self) -> u64 {
        self.n
    }

    /// Processes a block; appends hit positions: the sample whose boxcar
    /// ends the last sync bit (roughly the last sample of that bit).
    pub fn process(&mut self, re: &[f32], im: &[f32], hits: &mut Vec<u64>) {
        let len = re.len().min(im.len());
        if len == 0 {
            return;
        }
        let sps = self.sps;
        // input with 2·sps−1 samples of history in front
        self.x_re.clear();
        self.x_im.clear();
        self.x_re.extend_from_slice(&self.hx_re);
        self.x_re.extend_from_slice(&re[..len]);
        self.x_im.extend_from_slice(&self.hx_im);
        self.x_im.extend_from_slice(&im[..len]);
        // boxcar, differential product over one symbol, sign: one pass
        // every element is overwritten below: only resize (no re-zeroing)
        self.bits.resize(len, 0);
        if sps == 4 {
            diff_bits_4(&self.x_re, &self.x_im, &mut self.bits);
        } else {
            diff_bits(&self.x_re, &self.x_im, sps, &mut self.bits);
        }
        let xl = self.x_re.len();
        let h = 2 * sps - 1;
        self.hx_re.copy_from_slice(&self.x_re[xl - h..]);
        self.hx_im.copy_from_slice(&self.x_im[xl - h..]);

        // register scan
        self.local.clear();
        let phase0 = (self.n % sps as u64) as usize;
        scan(&self.bits, &mut self.regs, phase0, self.pattern, self.mask, self.max_errors, &mut self.local);
        // keep the best of hits closer than a symbol
        let base = self.n;
        let mut li = 0;
        for i in 0..len as u64 {
            let idx = base + i;
            while li < self.local.len() && self.local[li].0 as u64 == i {
                let e = self.local[li].1;
                match self.best {
                    Some((_, be)) if be <= e => {}
                    _ => self.best = Some((idx, e)),
                }
                li += 1;
            }
            if let Some((bi, _)) = self.best
                && idx >= bi + sps as u64
            {
                hits.push(bi);
                self.best = None;
            }
            if self.best.is_none() && li >= self.local.len() {
                break; // nothing pending in this block
            }
        }
        self.n += len as u64;
    }

    /// Reports a pending best hit at the end of the stream.
    pub fn finish(&mut self, hits: &mut Vec<u64>) {
        if let Some((bi, _)) = self.best.take() {
            hits.push(bi);
        }
    }
}

/// bits[i] = Im(s₁·conj(s₀)) > 0 with s₀ = Σ x[i..i+sps], s₁ = Σ x[i+sps..i+2sps]
/// (x holds 2·sps−1 samples of history before the block's sample i).
fn diff_bits(xr: &[f32], xi: &[f32], sps: usize, bits: &mut [u8]) {
    let n = bits.len().min((xr.len().min(xi.len())).saturating_sub(2 * sps - 1));
    for (i, b) in bits[..n].iter_mut().enumerate() {
        let (mut r0, mut i0, mut r1, mut i1) = (0f32, 0f32, 0f32, 0f32);
        for k in 0..sps {
            r0 += xr[i + k];
            i0 += xi[i + k];
            r1 += xr[i + sps + k];
            i1 += xi[i + sps + k];
        }
        *b = (i1 * r0 - r1 * i0 > 0.0) as u8;
    }
}

/// [`diff_bits`] for 4 samples per symbol, as one loop that vectorizes.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn diff_bits_4(xr: &[f32], xi: &[f32], bits: &mut [u8]) {
    let n = bits.len().min((xr.len().min(xi.len())).saturating_sub(7));
    let (xr, xi) = (&xr[..n + 7], &xi[..n + 7]);
    for i in 0..n {
        let r0 = (xr[i] + xr[i + 1]) + (xr[i + 2] + xr[i + 3]);
        let i0 = (xi[i] + xi[i + 1]) + (xi[i + 2] + xi[i + 3]);
        let r1 = (xr[i + 4] + xr[i + 5]) + (xr[i + 6] + xr[i + 7]);
        let i1 = (xi[i + 4] + xi[i + 5]) + (xi[i + 6] + xi[i + 7]);
        bits[i] = (i1 * r0 - r1 * i0 > 0.0) as u8;
    }
}

#[multiversion(targets("x86_64+avx2+bmi1+bmi2+popcnt+lzcnt", "x86_64+popcnt"))]
fn scan(bits: &[u8], regs: &mut [u64], phase0: usize, pat: u64, mask: u64, max: u32, hits: &mut Vec<(u32, u32)>) {
    let sps = regs.len();
    if sps == 0 {
        return;
    }
    let mut p = phase0 % sps;
    let mut i = 0usize;
    // scalar until the phase is 0, then whole symbols with the registers in locals
    while p != 0 && i < bits.len() {
        let r = (regs[p] << 1) | bits[i] as u64;
        regs[p] = r;
        let e = ((r ^ pat) & mask).count_ones();
        if e <= max {
            hits.push((i as u32, e));
        }
        i += 1;
        p = if p + 1 == sps { 0 } else { p + 1 };
    }
    if sps == 4 {
        let (mut r0, mut r1, mut r2, mut r3) = (regs[0], regs[1], regs[2], regs[3]);
        while i + 4 <= bits.len() {
            r0 = (r0 << 1) | bits[i] as u64;
            r1 = (r1 << 1) | bits[i + 1] as u64;
            r2 = (r2 << 1) | bits[i + 2] as u64;
            r3 = (r3 << 1) | bits[i + 3] as u64;
            let e0 = ((r0 ^ pat) & mask).count_ones();
            let e1 = ((r1 ^ pat) & mask).count_ones();
            let e2 = ((r2 ^ pat) & mask).count_ones();
            let e3 = ((r3 ^ pat) & mask).count_ones();
            if e0.min(e1).min(e2).min(e3) <= max {
                for (k, e) in [e0, e1, e2, e3].into_iter().enumerate() {
                    if e <= max {
                        hits.push(((i + k) as u32, e));
                    }
                }
            }
            i += 4;
        }
        (regs[0], regs[1], regs[2], regs[3]) = (r0, r1, r2, r3);
    }
    while i < bits.len() {
        let r = (regs[p] << 1) | bits[i] as u64;
        regs[p] = r;
        let e = ((r ^ pat) & mask).count_ones();
        if e <= max {
            hits.push((i as u32, e));
        }
        i += 1;
        p = if p + 1 == sps { 0 } else { p + 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gfsk::Modulator;

    fn sync() -> Vec<bool> {
        // 0xAA then 0xD6BE898E, LSB first (the BLE advertising sync word)
        [0xAAu8, 0xD6, 0xBE, 0x89, 0x8E].iter().flat_map(|b| (0..8).map(move |i| (b >> i) & 1 == 1)).collect()
    }

    fn modulate(bits: &[bool], pad: usize) -> (Vec<f32>, Vec<f32>) {
        let m = Modulator::new(0.5, 0.5);
        let n = bits.len() * 4 + 2 * pad;
        let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
        m.add_to(bits, 4.0, pad as f64, 1.0, 0.3, 0.0, &mut re, &mut im);
        (re, im)
    }

    /// A direct per-sample reference: recompute everything for each n.
    fn reference(re: &[f32], im: &[f32], sync: &[bool], max: u32) -> Vec<(u64, u32)> {
        let sps = 4;
        let x = |i: isize| if i < 0 { (0.0, 0.0) } else { (re[i as usize] as f64, im[i as usize] as f64) };
        let s = |i: isize| (0..sps).fold((0.0, 0.0), |a, k| (a.0 + x(i - k).0, a.1 + x(i - k).1));
        let bit = |i: isize| {
            let (a, b) = (s(i), s(i - sps));
            a.1 * b.0 - a.0 * b.1 > 0.0
        };
        let mut out = Vec::new();
        for n in 0..re.len() as isize {
            let e =
                (0..sync.len()).filter(|&j| bit(n - ((sync.len() - 1 - j) * sps as usize) as isize) != sync[j]).count();
            if (e as u32) <= max {
                out.push((n as u64, e as u32));
            }
        }
        out
    }

    #[test]
    fn matches_the_direct_reference_in_any_block_split() {
        let mut bits = sync();
        bits.extend((0..80).map(|i| (i * 7 + 3) % 5 < 2));
        let (re, im) = modulate(&bits, 50);
        let want = reference(&re, &im, &sync(), 3);
        assert!(!want.is_empty());
        let best = want.iter().min_by_key(|h| (h.1, h.0)).unwrap().0;
        for split in [1usize, 3, 17, 4096] {
            let mut d = FskSyncDetector::new(&sync(), 4, 3);
            let mut hits = Vec::new();
            for (r, i) in re.chunks(split).zip(im.chunks(split)) {
                d.process(r, i, &mut hits);
            }
            d.finish(&mut hits);
            assert_eq!(hits, vec![best], "split {split}");
            assert!((best as i64 - 209).abs() <= 2, "the last sync symbol ends at sample 50 + 160");
        }
    }

    #[test]
    fn generic_path_equals_the_four_sample_path() {
        let mut bits = sync();
        bits.extend((0..60).map(|i| (i * 5 + 1) % 7 < 3));
        let (re, im) = modulate(&bits, 33);
        let (mut a, mut b) = (vec![0u8; re.len()], vec![0u8; re.len()]);
        let mut xr = vec![0f32; 7];
        xr.extend_from_slice(&re);
        let mut xi = vec![0f32; 7];
        xi.extend_from_slice(&im);
        diff_bits(&xr, &xi, 4, &mut a);
        diff_bits_4(&xr, &xi, &mut b);
        let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert!(differ <= 2, "{differ} bits differ (only float rounding at zero may)");
    }

    #[test]
    fn silence_and_other_words_give_nothing() {
        let other: Vec<bool> = (0..40).map(|i| i % 3 == 0).collect();
        let (re, im) = modulate(&other, 20);
        let mut d = FskSyncDetector::new(&sync(), 4, 4);
        let mut hits = Vec::new();
        d.process(&re, &im, &mut hits);
        d.process(&[0.0; 1000], &[0.0; 1000], &mut hits);
        d.finish(&mut hits);
        assert!(hits.is_empty(), "{hits:?}");
        // empty and mismatched input
        d.process(&[], &[1.0], &mut hits);
        assert!(hits.is_empty());
    }
}
