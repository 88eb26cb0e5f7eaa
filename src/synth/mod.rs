//! Synthetic drone ID transmitters at frame level (no DSP).
//!
//! [`scenario`] flies simulated drones ([`scenario::Drone`]) and schedules
//! what their Remote ID transmitters put on the air: exact link-layer frames
//! with exact start times, channels and the truth of what each frame
//! carries. A later stage turns the frames into IQ samples; receivers are
//! scored against the truth.
//!
//! Everything is deterministic for a seed: randomness comes from the small
//! private generator in this module, one independent stream per drone and
//! per purpose (flight, BT4 timing, ...), so adding a transport later does
//! not change the frames of the existing ones.

#![warn(missing_docs)]

pub mod dji;
pub mod iq;
pub mod mix;
pub mod scenario;
pub mod score;
pub mod wifi;

#[cfg(test)]
mod tests;

/// SplitMix64 step: used to seed [`Rng`] and to mix stream identifiers.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** pseudo-random generator (not cryptographic), seeded through
/// SplitMix64 from a seed and a list of stream identifiers.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for `seed` and the sub-stream named by `stream` (e.g.
    /// `[purpose, drone index]`); different streams are independent.
    pub(crate) fn new(seed: u64, stream: &[u64]) -> Rng {
        let mut st = seed;
        let mut mixed = splitmix64(&mut st);
        for &x in stream {
            let mut t = mixed ^ x.wrapping_mul(0xD6E8_FEB8_6659_FD93);
            mixed = splitmix64(&mut t);
        }
        let mut sm = mixed;
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// Uniform in [0, 1).
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform integer in 0..n (0 when n is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// A uniformly chosen element (`None` for an empty slice).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}
