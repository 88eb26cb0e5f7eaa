//! Rate-1/2 binary convolutional codes: an encoder and a soft-decision
//! Viterbi decoder (any constraint length up to 8).
//!
//! Conventions:
//! * The encoder register holds the last `k − 1` input bits; the **state**
//!   is that register with bit 0 the most recent bit.
//! * A generator polynomial is a bit mask whose bit `i` is the coefficient
//!   of `x^i` (the input delayed by `i`): `1 + x + x² + x³` is `0b1111`.
//!   Each input bit gives one output bit per generator, in generator order.
//! * Soft inputs are log-likelihood-like values, one per coded bit,
//!   **positive for a 1**; the scale does not matter (the decoder maximises
//!   the correlation Σ soft · (±1)), 0 is an erasure.

/// A rate-1/2 convolutional code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvCode {
    k: u32,
    polys: [u32; 2],
}

impl ConvCode {
    /// Constraint length `k` (2..=8) and the two generators (masks below `1 << k`).
    pub const fn new(k: u32, polys: [u32; 2]) -> ConvCode {
        assert!(k >= 2 && k <= 8);
        assert!(polys[0] < 1 << k && polys[1] < 1 << k);
        ConvCode { k, polys }
    }

    pub fn constraint_length(&self) -> u32 {
        self.k
    }

    /// Number of trellis states, 2^(k−1).
    pub fn states(&self) -> usize {
        1 << (self.k - 1)
    }

    /// The two output bits for input `bit` from `state`, and the next state.
    #[inline]
    pub fn step(&self, state: u32, bit: bool) -> ([bool; 2], u32) {
        let reg = (state << 1) | bit as u32;
        let out = [(reg & self.polys[0]).count_ones() & 1 == 1, (reg & self.polys[1]).count_ones() & 1 == 1];
        (out, reg & (self.states() as u32 - 1))
    }

    /// Encodes `bits` from `*state` (updated), appending two coded bits
    /// per input bit to `out`.
    pub fn encode(&self, state: &mut u32, bits: &[bool], out: &mut Vec<bool>) {
        out.reserve(2 * bits.len());
        for &b in bits {
            let (o, s) = self.step(*state, b);
            out.extend_from_slice(&o);
            *state = s;
        }
    }
}

/// Soft-decision Viterbi decoder with full traceback (the whole block is
/// kept: it is meant for packets, not endless streams). Reusable: the
/// buffers grow to the longest block decoded and are kept.
#[derive(Debug, Clone)]
pub struct Viterbi {
    code: ConvCode,
    /// Branch outputs per (state, input): ±1 as f32 for each generator.
    out0: Vec<[f32; 2]>,
    out1: Vec<[f32; 2]>,
    metric: Vec<f32>,
    next: Vec<f32>,
    /// One u8 per state per step (survivor's input to the older state: the
    /// bit shifted out), stored row by row.
    decisions: Vec<u8>,
}

impl Viterbi {
    pub fn new(code: ConvCode) -> Viterbi {
        let n = code.states();
        let mut out0 = Vec::with_capacity(n);
        let mut out1 = Vec::with_capacity(n);
        let pm = |b: bool| if b { 1.0 } else { -1.0 };
        for s in 0..n as u32 {
            let (o, _) = code.step(s, false);
            out0.push([pm(o[0]), pm(o[1])]);
            let (o, _) = code.step(s, true);
            out1.push([pm(o[0]), pm(o[1])]);
        }
        Viterbi { code, out0, out1, metric: vec![0.0; n], next: vec![0.0; n], decisions: Vec::new() }
    }

    pub fn code(&self) -> ConvCode {
        self.code
    }

    /// Decodes `soft.len() / 2` input bits, appending them to `out`.
    /// `start`: the encoder's starting state if known (else any). `end`:
    /// the state the encoder ended in if known (a terminated block), else
    /// the best. Returns the winning path's metric (Σ soft · ±1).
    pub fn decode(&mut self, soft: &[f32], start: Option<u32>, end: Option<u32>, out: &mut Vec<bool>) -> f32 {
        let n = self.code.states();
        let steps = soft.len() / 2;
        const NEG: f32 = -1e30;
        for (s, m) in self.metric.iter_mut().enumerate() {
            *m = match start {
                Some(st) if st as usize != s => NEG,
                _ => 0.0,
            };
        }
        self.decisions.clear();
        self.decisions.resize(steps * n, 0);
        let half = n / 2;
        let top = (self.code.k - 2) as usize;
        for t in 0..steps {
            let (s0, s1) = (soft[2 * t], soft[2 * t + 1]);
            let row = &mut self.decisions[t * n..(t + 1) * n];
            // new state ns = ((old << 1) | b) & (n − 1): b = ns & 1, and the
            // two predecessors are (ns >> 1) and (ns >> 1) | (1 << (k − 2))
            for ns in 0..n {
                let b = ns & 1;
                let pa = ns >> 1;
                let pb = pa | half;
                let (oa, ob) = if b == 1 { (self.out1[pa], self.out1[pb]) } else { (self.out0[pa], self.out0[pb]) };
                let ma = self.metric[pa] + oa[0] * s0 + oa[1] * s1;
                let mb = self.metric[pb] + ob[0] * s0 + ob[1] * s1;
                if mb > ma {
                    self.next[ns] = mb;
                    row[ns] = 1;
                } else {
                    self.next[ns] = ma;
                    row[ns] = 0;
                }
            }
            std::mem::swap(&mut self.metric, &mut self.next);
            // keep metrics bounded on long blocks
            if t % 256 == 255 {
                let max = self.metric.iter().copied().fold(NEG, f32::max);
                for m in &mut self.metric {
                    *m -= max;
                }
            }
        }
        let mut state = match end {
            Some(e) if (e as usize) < n => e as usize,
            _ => {
                let mut best = 0;
                for s in 1..n {
                    if self.metric[s] > self.metric[best] {
                        best = s;
                    }
                }
                best
            }
        };
        let metric = self.metric[state];
        let first = out.len();
        out.resize(first + steps, false);
        for t in (0..steps).rev() {
            out[first + t] = state & 1 == 1;
            let d = self.decisions[t * n + state] as usize;
            state = (state >> 1) | (d << top);
        }
        metric
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Rng;

    const BLE: ConvCode = ConvCode::new(4, [0b1111, 0b1101]);

    fn bits(rng: &mut Rng, n: usize) -> Vec<bool> {
        (0..n).map(|_| rng.next_u64() & 1 == 1).collect()
    }

    /// The encoder against the generator equations written out by hand:
    /// a0 = b[n] ⊕ b[n−1] ⊕ b[n−2] ⊕ b[n−3], a1 = b[n] ⊕ b[n−2] ⊕ b[n−3].
    #[test]
    fn encoder_matches_the_equations() {
        let mut rng = Rng::new(1);
        let x = bits(&mut rng, 200);
        let mut out = Vec::new();
        let mut st = 0;
        BLE.encode(&mut st, &x, &mut out);
        let b = |i: isize| if i < 0 { false } else { x[i as usize] };
        for n in 0..x.len() as isize {
            assert_eq!(out[2 * n as usize], b(n) ^ b(n - 1) ^ b(n - 2) ^ b(n - 3), "a0 at {n}");
            assert_eq!(out[2 * n as usize + 1], b(n) ^ b(n - 2) ^ b(n - 3), "a1 at {n}");
        }
        // the state is the last three bits, most recent in bit 0
        assert_eq!(st, (x[199] as u32) | (x[198] as u32) << 1 | (x[197] as u32) << 2);
    }

    /// Brute force maximum likelihood over every input sequence of a short
    /// block, against the decoder: same bits (ties aside) and same metric.
    #[test]
    fn viterbi_is_maximum_likelihood_on_short_blocks() {
        let mut rng = Rng::new(2);
        let mut v = Viterbi::new(BLE);
        for trial in 0..200 {
            let n = 9;
            let soft: Vec<f32> = (0..2 * n).map(|_| rng.gaussian() as f32).collect();
            let terminated = trial % 2 == 0;
            let mut best = (f32::MIN, 0u32);
            for word in 0..1u32 << n {
                let x: Vec<bool> = (0..n).map(|i| word >> i & 1 == 1).collect();
                let mut c = Vec::new();
                let mut st = 0;
                BLE.encode(&mut st, &x, &mut c);
                if terminated && st != 0 {
                    continue;
                }
                let m: f32 = c.iter().zip(&soft).map(|(&b, &s)| if b { s } else { -s }).sum();
                if m > best.0 {
                    best = (m, word);
                }
            }
            let mut out = Vec::new();
            let m = v.decode(&soft, Some(0), terminated.then_some(0), &mut out);
            assert!((m - best.0).abs() < 1e-4, "trial {trial}: metric {m} vs {}", best.0);
            let word: u32 = out.iter().enumerate().map(|(i, &b)| (b as u32) << i).sum();
            // a different word with the same metric is a tie, which is fine
            if word != best.1 {
                let x: Vec<bool> = (0..n).map(|i| word >> i & 1 == 1).collect();
                let mut c = Vec::new();
                BLE.encode(&mut 0, &x, &mut c);
                let m2: f32 = c.iter().zip(&soft).map(|(&b, &s)| if b { s } else { -s }).sum();
                assert!((m2 - best.0).abs() < 1e-4, "trial {trial}: not a tie");
            }
        }
    }

    /// Noisy BPSK at 4 dB Eb/N0: the decoder corrects nearly everything,
    /// hard decisions of the coded bits do not (their error rate is ~6 %).
    #[test]
    fn corrects_errors_in_noise() {
        let mut rng = Rng::new(3);
        let mut v = Viterbi::new(BLE);
        let n = 20_000;
        let mut x = bits(&mut rng, n);
        x.extend([false; 3]);
        let mut c = Vec::new();
        BLE.encode(&mut 0, &x, &mut c);
        // Es/N0 = Eb/N0 − 3 dB for rate 1/2; sigma² = N0/2 with Es = 1
        let ebn0 = 10f64.powf(0.4);
        let sigma = (1.0 / (2.0 * 0.5 * ebn0)).sqrt();
        let soft: Vec<f32> = c.iter().map(|&b| (if b { 1.0 } else { -1.0 } + sigma * rng.gaussian()) as f32).collect();
        let raw = c.iter().zip(&soft).filter(|(b, s)| **b != (**s > 0.0)).count() as f64 / c.len() as f64;
        let mut out = Vec::new();
        v.decode(&soft, Some(0), Some(0), &mut out);
        let errs = out.iter().zip(&x).filter(|(a, b)| a != b).count() as f64 / x.len() as f64;
        assert!(raw > 0.04, "raw error rate {raw}");
        assert!(errs < 0.004, "decoded error rate {errs} (raw {raw})");
        // reuse: a second, shorter block decodes cleanly without noise
        let y = &x[..100];
        let mut c2 = Vec::new();
        BLE.encode(&mut 0, y, &mut c2);
        let s2: Vec<f32> = c2.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
        out.clear();
        v.decode(&s2, Some(0), None, &mut out);
        assert_eq!(out, y);
    }
}
