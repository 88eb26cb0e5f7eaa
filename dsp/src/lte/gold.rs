//! LTE pseudo-random (Gold) sequence, 3GPP TS 36.211 §7.2.
//!
//! Two length-31 m-sequences, `x1(n + 31) = x1(n + 3) ⊕ x1(n)` with
//! `x1(0) = 1`, `x1(1..31) = 0`, and `x2(n + 31) = x2(n + 3) ⊕ x2(n + 2) ⊕
//! x2(n + 1) ⊕ x2(n)` with `x2(i)` = bit `i` of `c_init`; the output is
//! `c(n) = x1(n + Nc) ⊕ x2(n + Nc)` with `Nc = 1600`.
//!
//! Both registers are advanced 28 bits per step: with a 31-bit window
//! holding `x(n..n + 31)` in bits 0..31, the recursions give the next 28
//! values `x(n + 31..n + 59)` at once from shifts and XORs of the window
//! (every tap of those 28 outputs lies inside the window).

/// Sequence offset `Nc` of 36.211 §7.2.
pub const NC: usize = 1600;

const MASK31: u32 = (1 << 31) - 1;

/// Advances the `x1` window by `s` (1..=28) positions.
#[inline(always)]
fn step_x1(w: u32, s: u32) -> u32 {
    let new = (w ^ (w >> 3)) & ((1 << s) - 1);
    (w >> s) | (new << (31 - s))
}

/// Advances the `x2` window by `s` (1..=28) positions.
#[inline(always)]
fn step_x2(w: u32, s: u32) -> u32 {
    let new = (w ^ (w >> 1) ^ (w >> 2) ^ (w >> 3)) & ((1 << s) - 1);
    (w >> s) | (new << (31 - s))
}

/// Fills `out` with `c(0..out.len())` for `c_init`, one bit per byte (0 or
/// 1). Only the low 31 bits of `c_init` are used (`x2` has 31 initial
/// values).
pub fn gold_sequence(c_init: u32, out: &mut [u8]) {
    let mut x1 = 1u32;
    let mut x2 = c_init & MASK31;
    // Skip Nc = 57·28 + 4 positions.
    for _ in 0..NC / 28 {
        x1 = step_x1(x1, 28);
        x2 = step_x2(x2, 28);
    }
    x1 = step_x1(x1, (NC % 28) as u32);
    x2 = step_x2(x2, (NC % 28) as u32);
    let mut chunks = out.chunks_exact_mut(28);
    for chunk in &mut chunks {
        let c = x1 ^ x2;
        for (j, o) in chunk.iter_mut().enumerate() {
            *o = ((c >> j) & 1) as u8;
        }
        x1 = step_x1(x1, 28);
        x2 = step_x2(x2, 28);
    }
    let c = x1 ^ x2;
    for (j, o) in chunks.into_remainder().iter_mut().enumerate() {
        *o = ((c >> j) & 1) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 36.211 §7.2 written out bit by bit.
    fn reference(c_init: u32, n: usize) -> Vec<u8> {
        let len = NC + n + 31;
        let mut x1 = vec![0u8; len];
        let mut x2 = vec![0u8; len];
        x1[0] = 1;
        for (i, x) in x2[..31].iter_mut().enumerate() {
            *x = ((c_init >> i) & 1) as u8;
        }
        for k in 0..len - 31 {
            x1[k + 31] = x1[k + 3] ^ x1[k];
            x2[k + 31] = x2[k + 3] ^ x2[k + 2] ^ x2[k + 1] ^ x2[k];
        }
        (0..n).map(|k| x1[k + NC] ^ x2[k + NC]).collect()
    }

    #[test]
    fn matches_bitwise_reference() {
        for c_init in [0u32, 1, 0x1234_5678, 0x7FFF_FFFF, 0xDEAD_BEEF & MASK31, 510] {
            for n in [0usize, 1, 27, 28, 29, 56, 100, 7200] {
                let want = reference(c_init, n);
                let mut got = vec![9u8; n];
                gold_sequence(c_init, &mut got);
                assert_eq!(got, want, "c_init={c_init:#x} n={n}");
            }
        }
    }

    #[test]
    fn pinned_first_bits() {
        let mut got = [0u8; 32];
        gold_sequence(0x1234_5678, &mut got);
        let word = got.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (b as u32) << i);
        assert_eq!(word, reference(0x1234_5678, 32).iter().enumerate().fold(0u32, |a, (i, &b)| a | (b as u32) << i));
        assert_eq!(word, PINNED_0X12345678, "c(0..32) for c_init 0x12345678, c(0) in bit 0: {word:#010x}");
    }

    /// From the bitwise reference above; c(0..8) = 1,1,0,1,0,0,1,0.
    const PINNED_0X12345678: u32 = 0x9E7B_874B;
}
