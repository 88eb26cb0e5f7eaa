//! The per-sample hot path: find BLE sync words (preamble + access address)
//! cheaply, so that the expensive coherent demodulator only runs on
//! candidates.
//!
//! At 4 samples per symbol, differential hard bits compared with the
//! 40-bit sync word by popcount (see the kernel's documentation). A hit
//! within `max_errors` bit errors is a candidate; of hits in consecutive
//! samples only the best is reported.

/// Samples per symbol the receiver works at.
pub const SPS: usize = 4;

/// The BLE sync-word search: the protocol-free kernel
/// [`FskSyncDetector`](ridscope_dsp::bitsync::FskSyncDetector) at 4 samples
/// per symbol.
#[derive(Debug, Clone)]
pub struct SyncDetector(ridscope_dsp::bitsync::FskSyncDetector);

impl SyncDetector {
    /// `sync`: the sync word's bits in air order (40 for preamble + AA).
    pub fn new(sync: &[bool], max_errors: u32) -> Self {
        SyncDetector(ridscope_dsp::bitsync::FskSyncDetector::new(sync, SPS, max_errors))
    }

    /// Index of the next sample to be processed.
    pub fn position(&self) -> u64 {
        self.0.position()
    }

    /// Processes a block; appends candidate sample indices: the sample whose
    /// boxcar ends the last sync bit (roughly the last sample of that bit).
    pub fn process(&mut self, re: &[f32], im: &[f32], hits: &mut Vec<u64>) {
        self.0.process(re, im, hits)
    }

    /// Reports a pending best hit at the end of the stream.
    pub fn finish(&mut self, hits: &mut Vec<u64>) {
        self.0.finish(hits)
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
