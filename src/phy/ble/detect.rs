//! The per-sample hot path: find BLE sync words (preamble + access address)
//! cheaply, so that the expensive coherent demodulator only runs on
//! candidates.
//!
//! At 4 samples per symbol: a boxcar over one symbol (≈ the matched filter
//! of a 1-symbol frequency pulse), the differential product over one symbol
//! Im(s[n]·s*[n−4]) whose sign is the bit, and for each of the 4 sample
//! phases a 64-bit shift register of hard bits compared with the 40-bit sync
//! word by popcount. A hit within `max_errors` bit errors is a candidate;
//! of hits in consecutive samples only the best is reported.

/// Samples per symbol the receiver works at.
pub const SPS: usize = 4;

#[derive(Debug, Clone)]
pub struct SyncDetector {
    pattern: u64,
    mask: u64,
    max_errors: u32,
    /// last 3 input samples (boxcar history)
    hx_re: [f32; 3],
    hx_im: [f32; 3],
    /// last 4 boxcar outputs (differential history)
    hs_re: [f32; SPS],
    hs_im: [f32; SPS],
    regs: [u64; SPS],
    /// index of the next sample
    n: u64,
    best: Option<(u64, u32)>,
    // scratch, reused across blocks
    s_re: Vec<f32>,
    s_im: Vec<f32>,
    d: Vec<f32>,
}

impl SyncDetector {
    /// `sync`: the sync word's bits in air order (40 for preamble + AA).
    pub fn new(sync: &[bool], max_errors: u32) -> Self {
        let n = sync.len().min(64);
        let pattern = sync[..n].iter().fold(0u64, |acc, &b| acc << 1 | b as u64);
        let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        SyncDetector {
            pattern,
            mask,
            max_errors,
            hx_re: [0.0; 3],
            hx_im: [0.0; 3],
            hs_re: [0.0; SPS],
            hs_im: [0.0; SPS],
            regs: [0; SPS],
            n: 0,
            best: None,
            s_re: Vec::new(),
            s_im: Vec::new(),
            d: Vec::new(),
        }
    }

    /// Index of the next sample to be processed.
    pub fn position(&self) -> u64 {
        self.n
    }

    /// Processes a block; appends candidate sample indices: the sample whose
    /// boxcar ends the last sync bit (roughly the last sample of that bit).
    pub fn process(&mut self, re: &[f32], im: &[f32], hits: &mut Vec<u64>) {
        let len = re.len().min(im.len());
        if len == 0 {
            return;
        }
        // boxcar over 4 samples, with 3 samples of history
        self.s_re.clear();
        self.s_im.clear();
        self.s_re.extend_from_slice(&self.hs_re);
        self.s_im.extend_from_slice(&self.hs_im);
        let (hr, hi) = (self.hx_re, self.hx_im);
        let xr = |i: usize| if i < 3 { hr[i] } else { re[i - 3] };
        let xi = |i: usize| if i < 3 { hi[i] } else { im[i - 3] };
        // the first 3 outputs straddle the history
        for i in 0..len.min(3) {
            self.s_re.push(xr(i) + xr(i + 1) + xr(i + 2) + xr(i + 3));
            self.s_im.push(xi(i) + xi(i + 1) + xi(i + 2) + xi(i + 3));
        }
        if len > 3 {
            let (r, m) = (&re[..len], &im[..len]);
            self.s_re.extend(r.windows(4).map(|w| w[0] + w[1] + w[2] + w[3]));
            self.s_im.extend(m.windows(4).map(|w| w[0] + w[1] + w[2] + w[3]));
        }
        // differential product over one symbol
        self.d.clear();
        let (sr, si) = (&self.s_re, &self.s_im);
        self.d.extend((0..len).map(|i| si[i + SPS] * sr[i] - sr[i + SPS] * si[i]));
        // keep histories
        for k in 0..3 {
            let j = len + k; // index into (history ++ block) of the last 3 samples
            self.hx_re[k] = xr(j);
            self.hx_im[k] = xi(j);
        }
        self.hs_re.copy_from_slice(&self.s_re[len..len + SPS]);
        self.hs_im.copy_from_slice(&self.s_im[len..len + SPS]);

        // hard bits into per-phase shift registers
        let (pat, mask, max) = (self.pattern, self.mask, self.max_errors);
        let base = self.n;
        for (i, &dv) in self.d.iter().enumerate() {
            let p = ((base + i as u64) & (SPS as u64 - 1)) as usize;
            let r = (self.regs[p] << 1) | (dv > 0.0) as u64;
            self.regs[p] = r;
            let e = ((r ^ pat) & mask).count_ones();
            let idx = base + i as u64;
            if e <= max {
                match self.best {
                    Some((_, be)) if be <= e => {}
                    _ => self.best = Some((idx, e)),
                }
            }
            if let Some((bi, _)) = self.best
                && idx >= bi + SPS as u64
            {
                hits.push(bi);
                self.best = None;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phy::ble::packet;

    fn modulate(bits: &[bool], pad: usize) -> (Vec<f32>, Vec<f32>) {
        let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
        let n = bits.len() * SPS + 2 * pad;
        let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
        m.add_to(bits, SPS as f64, pad as f64, 1.0, 0.3, 0.0, &mut re, &mut im);
        (re, im)
    }

    #[test]
    fn finds_the_sync_word_at_the_right_place_in_any_block_split() {
        let mut bits = packet::sync_bits(crate::link::ble::ADV_ACCESS_ADDRESS);
        bits.extend((0..80).map(|i| (i * 7 + 3) % 5 < 2));
        let (re, im) = modulate(&bits, 50);
        let sync = packet::sync_bits(crate::link::ble::ADV_ACCESS_ADDRESS);
        let mut want = None;
        for split in [1usize, 3, 17, 4096] {
            let mut d = SyncDetector::new(&sync, 0);
            let mut hits = Vec::new();
            for (r, i) in re.chunks(split).zip(im.chunks(split)) {
                d.process(r, i, &mut hits);
            }
            d.finish(&mut hits);
            assert_eq!(hits.len(), 1, "split {split}: {hits:?}");
            // the last sync symbol ends at sample 50 + 160
            assert!((hits[0] as i64 - 209).abs() <= 2, "{hits:?}");
            assert_eq!(*want.get_or_insert(hits[0]), hits[0], "block splitting changed the result");
        }
    }

    #[test]
    fn silence_and_other_words_give_nothing() {
        let sync = packet::sync_bits(crate::link::ble::ADV_ACCESS_ADDRESS);
        let other = packet::sync_bits(0x1234_5678);
        let (re, im) = modulate(&other, 20);
        let mut d = SyncDetector::new(&sync, 4);
        let mut hits = Vec::new();
        d.process(&re, &im, &mut hits);
        d.process(&[0.0; 1000], &[0.0; 1000], &mut hits);
        d.finish(&mut hits);
        assert!(hits.is_empty(), "{hits:?}");
    }
}
