//! Helpers shared by the unit tests: a tiny independent generator (so the
//! tests do not depend on `noise`) and random block splits.

/// 64-bit LCG (Knuth's MMIX constants), upper bits used.
pub(crate) struct Lcg(pub u64);

impl Lcg {
    pub(crate) fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 32) as u32
    }

    /// Uniform in [-1, 1).
    pub(crate) fn uniform(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }

    pub(crate) fn below(&mut self, n: u32) -> u32 {
        ((self.next_u32() as u64 * n as u64) >> 32) as u32
    }
}

/// Random block lengths summing to `n`: mostly small (including 0 and 1),
/// sometimes large.
pub(crate) fn random_blocks(n: usize, seed: u64) -> Vec<usize> {
    let mut g = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x1234_5678);
    let mut out = Vec::new();
    let mut left = n;
    while left > 0 {
        let len = match g.below(4) {
            0 => g.below(3) as usize,
            1 => 1 + g.below(40) as usize,
            2 => 1 + g.below(300) as usize,
            _ => 1 + g.below(2000) as usize,
        }
        .min(left);
        out.push(len);
        left -= len;
    }
    out.push(0);
    out
}

/// Random complex vector with components uniform in [-1, 1).
pub(crate) fn random_complex(n: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut g = Lcg(seed);
    let re = (0..n).map(|_| g.uniform()).collect();
    let im = (0..n).map(|_| g.uniform()).collect();
    (re, im)
}
