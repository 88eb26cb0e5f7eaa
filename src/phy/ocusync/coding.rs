//! Channel coding of the DroneID burst (spec §5–§6): one LTE turbo code
//! block of K = 1408 bits (the 176-byte block, CRC-24A last), rate matched
//! to 7200 bits with rv = 0, scrambled with the LTE Gold sequence.

use std::sync::OnceLock;

use ridscope_dsp::crc::crc24a;
use ridscope_dsp::lte::gold::gold_sequence;
use ridscope_dsp::lte::ratematch::RateMatcher;
use ridscope_dsp::lte::turbo::{TurboDecoder, TurboEncoder};

use super::burst::{CODED_BITS, SCRAMBLER_SEED};

/// Code block length in bits and bytes.
pub const K: usize = 1408;
pub const BLOCK_BYTES: usize = K / 8;
/// Turbo decoder iterations at most (it stops at the first CRC match).
pub const MAX_ITERATIONS: usize = 12;

/// The 7200 scrambling bits (c_init 0x12345678).
pub fn scrambling_sequence() -> &'static [u8] {
    static SEQ: OnceLock<Vec<u8>> = OnceLock::new();
    SEQ.get_or_init(|| {
        let mut c = vec![0u8; CODED_BITS];
        gold_sequence(SCRAMBLER_SEED, &mut c);
        c
    })
}

/// What the decoder made of a burst's soft bits.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The block when its CRC-24A matched.
    pub block: Option<[u8; BLOCK_BYTES]>,
    /// Turbo iterations run.
    pub iterations: usize,
}

/// Encoder and decoder with their buffers.
pub struct Codec {
    enc: TurboEncoder,
    dec: TurboDecoder,
    rm: RateMatcher,
    d: [Vec<u8>; 3],
    soft: [Vec<f32>; 3],
    bits: Vec<u8>,
    llr: Vec<f32>,
}

impl Default for Codec {
    fn default() -> Self {
        Self::new()
    }
}

impl Codec {
    pub fn new() -> Self {
        Codec {
            enc: TurboEncoder::new(K).expect("1408 is an LTE block size"),
            dec: TurboDecoder::new(K).expect("1408 is an LTE block size"),
            rm: RateMatcher::new(K + 4),
            d: [Vec::new(), Vec::new(), Vec::new()],
            soft: [vec![0.0; K + 4], vec![0.0; K + 4], vec![0.0; K + 4]],
            bits: Vec::new(),
            llr: Vec::new(),
        }
    }

    /// The 7200 scrambled coded bits of a block (whose CRC-24A must
    /// already be in its last three bytes).
    pub fn encode(&mut self, block: &[u8; BLOCK_BYTES]) -> Vec<u8> {
        self.bits.clear();
        for byte in block {
            for j in (0..8).rev() {
                self.bits.push((byte >> j) & 1);
            }
        }
        self.enc.encode(&self.bits, &mut self.d);
        let mut out = Vec::with_capacity(CODED_BITS);
        self.rm.rate_match(&self.d, CODED_BITS, 0, &mut out);
        for (b, c) in out.iter_mut().zip(scrambling_sequence()) {
            *b ^= c;
        }
        out
    }

    /// Decodes 7200 scrambled LLRs (positive: bit 0; 0: erased).
    pub fn decode(&mut self, llr: &[f32]) -> Decoded {
        self.llr.clear();
        self.llr.extend(llr.iter().zip(scrambling_sequence()).map(|(&l, &c)| if c == 1 { -l } else { l }));
        for s in self.soft.iter_mut() {
            s.fill(0.0);
        }
        let [s0, s1, s2] = &mut self.soft;
        self.rm.rate_dematch(&self.llr, 0, [s0.as_mut_slice(), s1.as_mut_slice(), s2.as_mut_slice()]);
        let res =
            self.dec.decode([&self.soft[0], &self.soft[1], &self.soft[2]], MAX_ITERATIONS, |bits: &[u8]| crc_ok(bits));
        let block = crc_ok(res.bits).then(|| pack(res.bits));
        Decoded { block, iterations: res.iterations }
    }
}

fn pack(bits: &[u8]) -> [u8; BLOCK_BYTES] {
    let mut b = [0u8; BLOCK_BYTES];
    for (i, byte) in b.iter_mut().enumerate() {
        for j in 0..8 {
            *byte = (*byte << 1) | (bits[i * 8 + j] & 1);
        }
    }
    b
}

fn crc_ok(bits: &[u8]) -> bool {
    bits.len() >= K && crc24a(&pack(bits)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_erasures() {
        let mut block = [0u8; BLOCK_BYTES];
        for (i, b) in block.iter_mut().enumerate() {
            *b = (i * 37 + 11) as u8;
        }
        let crc = crc24a(&block[..173]);
        block[173..].copy_from_slice(&crc.to_be_bytes()[1..]);
        let mut c = Codec::new();
        let bits = c.encode(&block);
        assert_eq!(bits.len(), CODED_BITS);
        let mut llr: Vec<f32> = bits.iter().map(|&b| if b == 0 { 4.0 } else { -4.0 }).collect();
        assert_eq!(c.decode(&llr).block, Some(block));
        // the last three of six symbols erased (a burst cut by the file end)
        llr[3600..].fill(0.0);
        assert_eq!(c.decode(&llr).block, Some(block));
        // a wrong block does not pass
        let flipped: Vec<f32> = bits.iter().map(|&b| if b == 0 { -4.0 } else { 4.0 }).collect();
        assert_eq!(c.decode(&flipped).block, None);
    }
}
