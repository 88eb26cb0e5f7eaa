//! The LTE turbo code (36.212 §5.1.3.2): a parallel concatenation of two
//! 8-state recursive systematic convolutional (RSC) encoders with the QPP
//! interleaver between them, rate 1/3, each constituent trellis terminated
//! with three tail steps; and an iterative max-log-MAP decoder.
//!
//! # Trellis
//!
//! Constituent encoder: feedback `g0 = 1 + D² + D³`, feedforward
//! `g1 = 1 + D + D³`. With the register `(s1, s2, s3)` (`s1` the most
//! recent) the state number is `S = 4·s1 + 2·s2 + s3`; for an input bit
//! `u` the register input is `a = u ⊕ s2 ⊕ s3`, the parity `z = a ⊕ s1 ⊕
//! s3` and the next state `4·a + ⌊S/2⌋`. For termination the input is the
//! feedback `s2 ⊕ s3` (so `a = 0`) three times, which empties the register.
//!
//! # Decoder
//!
//! Max-log-MAP (BCJR in the log domain with `max` for `log Σ exp`) for both
//! constituent codes, each with its own termination (the tail steps are
//! part of the backward recursion, which starts in state 0), exchanging
//! extrinsic LLRs scaled by 0.7 by default ("enhanced" max-log-MAP, which
//! recovers most of the loss of max-log against log-MAP). LLRs are
//! `ln P(b = 0) / P(b = 1)`, positive for 0, 0 for an erasure; metrics are
//! kept in `f32` and renormalized every step.
//!
//! One half-iteration is a forward pass storing the state metrics `α`
//! (8 per bit) and a backward pass that updates `β` and produces the
//! extrinsic output from the same branch sums. Per step both passes are
//! branch-free operations on 8-lane arrays with constant lane permutations,
//! which the compiler turns into a handful of vector instructions; the
//! passes are compiled for AVX2 and AVX and dispatched at run time.

use multiversion::multiversion;

use super::qpp::{qpp_params, qpp_permutation};

/// Number of trellis states.
const NS: usize = 8;

/// Feedback bit `s2 ⊕ s3` of state `s`.
const fn feedback(s: usize) -> usize {
    ((s >> 1) ^ s) & 1
}

/// One RSC step: returns the parity bit and updates the state.
#[inline]
fn rsc_step(state: &mut usize, u: u8) -> u8 {
    let s = *state;
    let a = (u as usize & 1) ^ feedback(s);
    let z = a ^ (s >> 2) ^ (s & 1);
    *state = (a << 2) | (s >> 1);
    (z & 1) as u8
}

/// Three termination steps: `(x, z)` per step; leaves the state at 0.
fn rsc_tail(state: &mut usize) -> [(u8, u8); 3] {
    let mut t = [(0u8, 0u8); 3];
    for step in &mut t {
        let x = feedback(*state) as u8;
        let z = rsc_step(state, x);
        *step = (x, z);
    }
    debug_assert_eq!(*state, 0);
    t
}

/// Turbo encoder for one block size `K` (36.212 §5.1.3.2).
#[derive(Debug, Clone)]
pub struct TurboEncoder {
    k: usize,
    perm: Vec<u32>,
}

impl TurboEncoder {
    /// An encoder for block size `k`, or `None` if `k` is not one of the
    /// 188 sizes of Table 5.1.3-3.
    pub fn new(k: usize) -> Option<Self> {
        let (f1, f2) = qpp_params(k)?;
        let mut perm = vec![0u32; k];
        qpp_permutation(k, f1, f2, &mut perm);
        Some(TurboEncoder { k, perm })
    }

    /// The block size `K`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Encodes `bits` (length `K`, one bit per byte, only bit 0 is used)
    /// into the three streams `d⁽⁰⁾, d⁽¹⁾, d⁽²⁾` of length `K + 4` each
    /// (the vectors are cleared first): systematic `x`, parity `z` of the
    /// first encoder, parity `z'` of the second, then the 12 tail bits as
    /// 36.212 §5.1.3.2.2 arranges them:
    ///
    /// | | `K` | `K+1` | `K+2` | `K+3` |
    /// |---|---|---|---|---|
    /// | `d⁽⁰⁾` | `x_K` | `z_K+1` | `x'_K` | `z'_K+1` |
    /// | `d⁽¹⁾` | `z_K` | `x_K+2` | `z'_K` | `x'_K+2` |
    /// | `d⁽²⁾` | `x_K+1` | `z_K+2` | `x'_K+1` | `z'_K+2` |
    ///
    /// # Panics
    /// If `bits.len() != K`.
    pub fn encode(&self, bits: &[u8], d: &mut [Vec<u8>; 3]) {
        let k = self.k;
        assert_eq!(bits.len(), k, "turbo encoder input must be K = {k} bits");
        for s in d.iter_mut() {
            s.clear();
            s.reserve(k + 4);
        }
        let (mut s1, mut s2) = (0usize, 0usize);
        for (&b, &p) in bits.iter().zip(&self.perm) {
            let x = b & 1;
            d[0].push(x);
            d[1].push(rsc_step(&mut s1, x));
            d[2].push(rsc_step(&mut s2, bits[p as usize] & 1));
        }
        let t1 = rsc_tail(&mut s1);
        let t2 = rsc_tail(&mut s2);
        d[0].extend_from_slice(&[t1[0].0, t1[1].1, t2[0].0, t2[1].1]);
        d[1].extend_from_slice(&[t1[0].1, t1[2].0, t2[0].1, t2[2].0]);
        d[2].extend_from_slice(&[t1[1].0, t1[2].1, t2[1].0, t2[2].1]);
    }
}

/// Result of [`TurboDecoder::decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurboResult<'a> {
    /// Hard decisions (0/1 per byte, length `K`) after the last iteration.
    pub bits: &'a [u8],
    /// Full iterations run (each is two constituent decodings).
    pub iterations: usize,
    /// Whether the early-stop predicate accepted `bits`.
    pub stopped_early: bool,
}

/// Trellis constants, as lane arrays over the 8 states.
mod trellis {
    use super::{NS, feedback};

    const fn build() -> Tables {
        let mut t = Tables {
            n0: [0; NS],
            n1: [0; NS],
            c: [0.0; NS],
            p0: [0; NS],
            p1: [0; NS],
            su0: [0.0; NS],
            sp0: [0.0; NS],
            su1: [0.0; NS],
            sp1: [0.0; NS],
        };
        let mut s = 0;
        while s < NS {
            let f = feedback(s);
            // input u = 0: a = f; u = 1: a = 1 − f
            t.n0[s] = 4 * f + (s >> 1);
            t.n1[s] = 4 * (1 - f) + (s >> 1);
            // parity on the u = 0 branch: a ⊕ s1 ⊕ s3 = s1 ⊕ s2 (u = 1: its complement)
            t.c[s] = if ((s >> 2) ^ (s >> 1)) & 1 == 0 { 1.0 } else { -1.0 };
            s += 1;
        }
        // predecessors of state q: 2·(q mod 4) and 2·(q mod 4) + 1, with a = q / 4
        let mut q = 0;
        while q < NS {
            let a = q >> 2;
            let mut j = 0;
            while j < 2 {
                let s = 2 * (q & 3) + j;
                let u = a ^ feedback(s);
                // branch metric for u = 0 is +(lu + c·lp), for u = 1 its negation
                let su = if u == 0 { 1.0 } else { -1.0 };
                if j == 0 {
                    t.p0[q] = s;
                    t.su0[q] = su;
                    t.sp0[q] = su * t.c[s];
                } else {
                    t.p1[q] = s;
                    t.su1[q] = su;
                    t.sp1[q] = su * t.c[s];
                }
                j += 1;
            }
            q += 1;
        }
        t
    }

    pub(super) struct Tables {
        /// next state for input 0 / 1
        pub n0: [usize; NS],
        pub n1: [usize; NS],
        /// sign of the parity term on the input-0 branch
        pub c: [f32; NS],
        /// the two predecessors of each state
        pub p0: [usize; NS],
        pub p1: [usize; NS],
        /// signs of the systematic and parity terms on those branches
        pub su0: [f32; NS],
        pub sp0: [f32; NS],
        pub su1: [f32; NS],
        pub sp1: [f32; NS],
    }

    pub(super) const T: Tables = build();
}

use trellis::T;

/// A state metric far below any reachable one (finite, so that sums stay
/// finite).
const NEG: f32 = -1.0e30;
/// Input LLR magnitude limit (keeps every metric finite).
const LLR_LIMIT: f32 = 1.0e4;

#[inline(always)]
fn hmax(v: &[f32; NS]) -> f32 {
    let a = [v[0].max(v[4]), v[1].max(v[5]), v[2].max(v[6]), v[3].max(v[7])];
    let b = [a[0].max(a[2]), a[1].max(a[3])];
    b[0].max(b[1])
}

/// Forward recursion: `alpha[8k..8k+8] = α_k` for `k = 0..K` (`α_0` is
/// state 0), from half-LLRs `lu` (systematic + a priori) and `lp`
/// (parity). `alpha.len() == 8·K`, `lu.len() == lp.len() == K`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn forward(lu: &[f32], lp: &[f32], alpha: &mut [f32]) {
    let mut a = [NEG; NS];
    a[0] = 0.0;
    for ((out, &u), &p) in alpha.chunks_exact_mut(NS).zip(lu).zip(lp) {
        out.copy_from_slice(&a);
        let mut n = [0f32; NS];
        for q in 0..NS {
            let m0 = a[T.p0[q]] + T.su0[q] * u + T.sp0[q] * p;
            let m1 = a[T.p1[q]] + T.su1[q] * u + T.sp1[q] * p;
            n[q] = m0.max(m1);
        }
        let n0 = n[0];
        for q in 0..NS {
            a[q] = n[q] - n0;
        }
    }
}

/// Backward recursion over the three tail steps from state 0: `β_K`.
fn tail_beta(tail: &[(f32, f32); 3]) -> [f32; NS] {
    let mut b = [NEG; NS];
    b[0] = 0.0;
    for &(u, p) in tail.iter().rev() {
        b = beta_step(&b, u, p).0;
    }
    b
}

/// One backward step from `β_{k+1}`: returns `β_k` and the branch sums
/// `β_{k+1}(next) ± c·lp` of the input-0 and input-1 branches.
#[inline(always)]
fn beta_step(b: &[f32; NS], u: f32, p: f32) -> ([f32; NS], [f32; NS], [f32; NS]) {
    let mut b0 = [0f32; NS];
    let mut b1 = [0f32; NS];
    let mut n = [0f32; NS];
    for s in 0..NS {
        b0[s] = b[T.n0[s]] + T.c[s] * p;
        b1[s] = b[T.n1[s]] - T.c[s] * p;
        n[s] = (b0[s] + u).max(b1[s] - u);
    }
    let n0 = n[0];
    for s in 0..NS {
        n[s] -= n0;
    }
    (n, b0, b1)
}

/// Backward recursion from `β_K = beta_end` with the extrinsic output
/// `ext[k] = max_S(α_k + β_{k+1}(N0) + c·lp) − max_S(α_k + β_{k+1}(N1) − c·lp)`
/// (natural LLR units).
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn backward(lu: &[f32], lp: &[f32], alpha: &[f32], beta_end: [f32; NS], ext: &mut [f32]) {
    let mut b = beta_end;
    for (((a, &u), &p), e) in alpha.chunks_exact(NS).zip(lu).zip(lp).zip(ext.iter_mut()).rev() {
        let (n, b0, b1) = beta_step(&b, u, p);
        let mut m0 = [0f32; NS];
        let mut m1 = [0f32; NS];
        for s in 0..NS {
            m0[s] = a[s] + b0[s];
            m1[s] = a[s] + b1[s];
        }
        *e = hmax(&m0) - hmax(&m1);
        b = n;
    }
}

/// Iterative turbo decoder for one block size `K`; all buffers are
/// allocated in [`TurboDecoder::new`] and reused.
#[derive(Debug, Clone)]
pub struct TurboDecoder {
    k: usize,
    perm: Vec<u32>,
    scale: f32,
    /// half channel LLRs: systematic (natural and interleaved order), parities
    sys: Vec<f32>,
    sys_i: Vec<f32>,
    par1: Vec<f32>,
    par2: Vec<f32>,
    /// half tail LLRs (systematic, parity) per tail step, both encoders
    tail1: [(f32, f32); 3],
    tail2: [(f32, f32); 3],
    /// decoder inputs `lu` = sys + a priori (half LLRs)
    lu: Vec<f32>,
    /// extrinsic output of the last constituent decoding
    ext: Vec<f32>,
    /// a priori for decoder 1 (natural order, half LLRs)
    apri1: Vec<f32>,
    alpha: Vec<f32>,
    /// posterior LLRs and hard decisions (natural order)
    llr: Vec<f32>,
    bits: Vec<u8>,
}

impl TurboDecoder {
    /// Default extrinsic scaling of the max-log-MAP decoder.
    pub const DEFAULT_EXTRINSIC_SCALE: f32 = 0.7;

    /// A decoder for block size `k`, or `None` if `k` is not one of the
    /// 188 sizes of Table 5.1.3-3.
    pub fn new(k: usize) -> Option<Self> {
        let (f1, f2) = qpp_params(k)?;
        let mut perm = vec![0u32; k];
        qpp_permutation(k, f1, f2, &mut perm);
        Some(TurboDecoder {
            k,
            perm,
            scale: Self::DEFAULT_EXTRINSIC_SCALE,
            sys: vec![0.0; k],
            sys_i: vec![0.0; k],
            par1: vec![0.0; k],
            par2: vec![0.0; k],
            tail1: [(0.0, 0.0); 3],
            tail2: [(0.0, 0.0); 3],
            lu: vec![0.0; k],
            ext: vec![0.0; k],
            apri1: vec![0.0; k],
            alpha: vec![0.0; NS * k],
            llr: vec![0.0; k],
            bits: vec![0; k],
        })
    }

    /// The block size `K`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Sets the factor applied to the extrinsic LLRs passed between the
    /// constituent decoders (default 0.7; 1.0 is plain max-log-MAP).
    pub fn set_extrinsic_scale(&mut self, scale: f32) {
        self.scale = scale;
    }

    /// Posterior LLRs of the `K` information bits after the last decode.
    pub fn llr(&self) -> &[f32] {
        &self.llr
    }

    /// Hard decisions of the last decode.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    /// Decodes one block from the channel LLRs of `d⁽⁰⁾, d⁽¹⁾, d⁽²⁾`
    /// (length `K + 4` each, tails as [`TurboEncoder::encode`] arranges
    /// them; LLR = ln P(0)/P(1), 0 for an erasure; NaN counts as an erasure
    /// and magnitudes are limited to 10⁴).
    ///
    /// Runs up to `max_iterations` iterations (at least one). After each,
    /// `early_stop` is called with the hard decisions (e.g. a CRC check);
    /// decoding stops when it returns `true`.
    ///
    /// # Panics
    /// If a stream is shorter than `K + 4`.
    pub fn decode(
        &mut self,
        d: [&[f32]; 3],
        max_iterations: usize,
        mut early_stop: impl FnMut(&[u8]) -> bool,
    ) -> TurboResult<'_> {
        let k = self.k;
        for s in &d {
            assert!(s.len() >= k + 4, "turbo decoder input streams must have K + 4 = {} LLRs", k + 4);
        }
        let half = |v: f32| if v.is_nan() { 0.0 } else { 0.5 * v.clamp(-LLR_LIMIT, LLR_LIMIT) };
        for (o, &v) in self.sys.iter_mut().zip(&d[0][..k]) {
            *o = half(v);
        }
        for (o, &v) in self.par1.iter_mut().zip(&d[1][..k]) {
            *o = half(v);
        }
        for (o, &v) in self.par2.iter_mut().zip(&d[2][..k]) {
            *o = half(v);
        }
        for (o, &p) in self.sys_i.iter_mut().zip(&self.perm) {
            *o = self.sys[p as usize];
        }
        let t = |s: usize, i: usize| half(d[s][k + i]);
        self.tail1 = [(t(0, 0), t(1, 0)), (t(2, 0), t(0, 1)), (t(1, 1), t(2, 1))];
        self.tail2 = [(t(0, 2), t(1, 2)), (t(2, 2), t(0, 3)), (t(1, 3), t(2, 3))];
        self.apri1.fill(0.0);

        let beta1 = tail_beta(&self.tail1);
        let beta2 = tail_beta(&self.tail2);
        // extrinsic (natural units) → a priori half LLR
        let w = 0.5 * self.scale;
        let mut iterations = 0;
        let mut stopped_early = false;
        for _ in 0..max_iterations.max(1) {
            iterations += 1;
            // decoder 1, natural order
            for ((o, &s), &a) in self.lu.iter_mut().zip(&self.sys).zip(&self.apri1) {
                *o = s + a;
            }
            forward(&self.lu, &self.par1, &mut self.alpha);
            backward(&self.lu, &self.par1, &self.alpha, beta1, &mut self.ext);
            // decoder 2, interleaved order: a priori = scaled ext1 at Π(i)
            for ((o, &s), &p) in self.lu.iter_mut().zip(&self.sys_i).zip(&self.perm) {
                *o = s + w * self.ext[p as usize];
            }
            forward(&self.lu, &self.par2, &mut self.alpha);
            backward(&self.lu, &self.par2, &self.alpha, beta2, &mut self.ext);
            // posterior = channel + a priori + extrinsic of decoder 2, and
            // the next a priori of decoder 1, both deinterleaved
            for (i, &p) in self.perm.iter().enumerate() {
                let (u, e) = (self.lu[i], self.ext[i]);
                let p = p as usize;
                self.apri1[p] = w * e;
                let l = 2.0 * u + e;
                self.llr[p] = l;
                self.bits[p] = (l < 0.0) as u8;
            }
            if early_stop(&self.bits) {
                stopped_early = true;
                break;
            }
        }
        TurboResult { bits: &self.bits, iterations, stopped_early }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lte::qpp::block_sizes;
    use crate::noise::Rng;

    /// Bit-level reference of one constituent encoder: registers `r[1..=3]`,
    /// generator taps `g0 = 1 + D² + D³` (feedback), `g1 = 1 + D + D³`.
    struct RefRsc {
        r: [u8; 4],
    }

    impl RefRsc {
        const G0: [u8; 4] = [1, 0, 1, 1];
        const G1: [u8; 4] = [1, 1, 0, 1];

        fn fb(&self) -> u8 {
            (1..4).fold(0, |acc, i| acc ^ (Self::G0[i] & self.r[i]))
        }

        /// Shifts in `u` and returns the parity bit.
        fn clock(&mut self, u: u8) -> u8 {
            let w = u ^ self.fb();
            let z = (1..4).fold(Self::G1[0] & w, |acc, i| acc ^ (Self::G1[i] & self.r[i]));
            self.r = [0, w, self.r[1], self.r[2]];
            z
        }
    }

    fn random_bits(rng: &mut Rng, n: usize) -> Vec<u8> {
        (0..n).map(|_| (rng.next_u64() >> 63) as u8).collect()
    }

    fn encode(k: usize, bits: &[u8]) -> [Vec<u8>; 3] {
        let mut d = [Vec::new(), Vec::new(), Vec::new()];
        TurboEncoder::new(k).unwrap().encode(bits, &mut d);
        d
    }

    /// BPSK (0 → +1) through AWGN of variance `sigma2`, as channel LLRs.
    fn channel(rng: &mut Rng, d: &[Vec<u8>; 3], sigma2: f64) -> [Vec<f32>; 3] {
        let sigma = sigma2.sqrt();
        d.clone().map(|s| {
            s.iter()
                .map(|&b| {
                    let y = if b == 0 { 1.0 } else { -1.0 } + sigma * rng.gaussian();
                    (2.0 * y / sigma2) as f32
                })
                .collect()
        })
    }

    #[test]
    fn invalid_block_sizes() {
        assert!(TurboEncoder::new(41).is_none());
        assert!(TurboDecoder::new(6152).is_none());
        assert_eq!(TurboDecoder::new(1408).unwrap().k(), 1408);
    }

    #[test]
    fn encoder_matches_shift_register_reference_and_terminates() {
        let mut rng = Rng::new(7);
        for k in [40usize, 48, 104, 512, 1408, 6144] {
            for _ in 0..3 {
                let bits = random_bits(&mut rng, k);
                let d = encode(k, &bits);
                assert!(d.iter().all(|s| s.len() == k + 4));
                assert_eq!(&d[0][..k], &bits[..]);
                let perm = crate::lte::qpp::qpp_interleaver(k).unwrap();
                let (mut e1, mut e2) = (RefRsc { r: [0; 4] }, RefRsc { r: [0; 4] });
                for i in 0..k {
                    assert_eq!(d[1][i], e1.clock(bits[i]), "K={k} z[{i}]");
                    assert_eq!(d[2][i], e2.clock(bits[perm[i] as usize]), "K={k} z'[{i}]");
                }
                // Tail bits as 36.212 §5.1.3.2.2 places them.
                let x = [d[0][k], d[2][k], d[1][k + 1]];
                let z = [d[1][k], d[0][k + 1], d[2][k + 1]];
                let xp = [d[0][k + 2], d[2][k + 2], d[1][k + 3]];
                let zp = [d[1][k + 2], d[0][k + 3], d[2][k + 3]];
                for j in 0..3 {
                    // a termination input is the register feedback
                    assert_eq!(x[j], e1.fb(), "K={k} x_K+{j}");
                    assert_eq!(z[j], e1.clock(x[j]), "K={k} z_K+{j}");
                    assert_eq!(xp[j], e2.fb(), "K={k} x'_K+{j}");
                    assert_eq!(zp[j], e2.clock(xp[j]), "K={k} z'_K+{j}");
                }
                assert_eq!(e1.r, [0; 4], "encoder 1 back in state 0");
                assert_eq!(e2.r, [0; 4], "encoder 2 back in state 0");
            }
        }
    }

    #[test]
    fn noiseless_round_trip() {
        let mut rng = Rng::new(11);
        for k in [40usize, 48, 56, 120, 504, 1024, 1408, 2112, 6144] {
            let mut dec = TurboDecoder::new(k).unwrap();
            for _ in 0..2 {
                let bits = random_bits(&mut rng, k);
                let d = encode(k, &bits);
                let llr: [Vec<f32>; 3] = d.map(|s| s.iter().map(|&b| if b == 0 { 4.0 } else { -4.0 }).collect());
                let mut calls = 0;
                let r = dec.decode([&llr[0], &llr[1], &llr[2]], 4, |b| {
                    calls += 1;
                    b == &bits[..]
                });
                assert_eq!(r.bits, &bits[..], "K={k}");
                assert_eq!((r.iterations, r.stopped_early), (1, true), "K={k}");
                assert_eq!(calls, 1);
                assert!(dec.llr().iter().zip(&bits).all(|(&l, &b)| (l < 0.0) == (b == 1) && l.abs() > 4.0));
            }
        }
    }

    #[test]
    fn runs_max_iterations_without_early_stop() {
        let k = 40;
        let bits = vec![1u8; k];
        let d = encode(k, &bits);
        let llr: [Vec<f32>; 3] = d.map(|s| s.iter().map(|&b| if b == 0 { 1.0 } else { -1.0 }).collect());
        let mut dec = TurboDecoder::new(k).unwrap();
        let r = dec.decode([&llr[0], &llr[1], &llr[2]], 5, |_| false);
        assert_eq!((r.iterations, r.stopped_early), (5, false));
        assert_eq!(r.bits, &bits[..]);
        let r = dec.decode([&llr[0], &llr[1], &llr[2]], 0, |_| false);
        assert_eq!(r.iterations, 1, "at least one iteration");
    }

    #[test]
    fn all_erased_or_garbage_input_stays_finite() {
        let k = 1408;
        let mut dec = TurboDecoder::new(k).unwrap();
        let zero = vec![0f32; k + 4];
        let r = dec.decode([&zero, &zero, &zero], 3, |_| false);
        assert_eq!(r.iterations, 3);
        assert!(dec.llr().iter().all(|v| v.is_finite()));
        let wild: Vec<f32> = (0..k + 4)
            .map(|i| match i % 5 {
                0 => f32::INFINITY,
                1 => f32::NEG_INFINITY,
                2 => f32::NAN,
                3 => 1e30,
                _ => -3.0,
            })
            .collect();
        dec.decode([&wild, &wild, &wild], 3, |_| false);
        assert!(dec.llr().iter().all(|v| v.is_finite()));
    }

    /// K = 1408, rate 1/3 (with the tails, R = K / (3K + 12)), BPSK over
    /// AWGN at Eb/N0 = 1.5 dB, 8 iterations, no early stop.
    #[test]
    fn awgn_ber_k1408_at_1p5db() {
        let k = 1408;
        let rate = k as f64 / (3 * (k + 4)) as f64;
        let ebn0 = 10f64.powf(1.5 / 10.0);
        // Es = 1, Es/N0 = R·Eb/N0, σ² = N0/2
        let sigma2 = 1.0 / (2.0 * rate * ebn0);
        let enc = TurboEncoder::new(k).unwrap();
        let mut dec = TurboDecoder::new(k).unwrap();
        let mut rng = Rng::new(2024);
        let blocks = 100;
        let (mut errors, mut block_errors) = (0usize, 0usize);
        let mut d = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..blocks {
            let bits = random_bits(&mut rng, k);
            enc.encode(&bits, &mut d);
            let llr = channel(&mut rng, &d, sigma2);
            let r = dec.decode([&llr[0], &llr[1], &llr[2]], 8, |_| false);
            let e = r.bits.iter().zip(&bits).filter(|(a, b)| a != b).count();
            errors += e;
            block_errors += (e > 0) as usize;
        }
        let ber = errors as f64 / (blocks * k) as f64;
        println!("K=1408 Eb/N0=1.5 dB, 8 it: {errors} bit errors in {blocks} blocks, BER {ber:.2e}, BLER {block_errors}/{blocks}");
        assert!(ber < 1e-4, "BER {ber:.2e}");
    }

    /// 30% of the parity LLRs (d⁽¹⁾ and d⁽²⁾, chosen at random) erased at
    /// Es/N0 = +3 dB.
    #[test]
    fn decodes_with_erased_parity() {
        let k = 1408;
        let sigma2 = 0.5 / 10f64.powf(0.3);
        let enc = TurboEncoder::new(k).unwrap();
        let mut dec = TurboDecoder::new(k).unwrap();
        let mut rng = Rng::new(99);
        let mut d = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..10 {
            let bits = random_bits(&mut rng, k);
            enc.encode(&bits, &mut d);
            let mut llr = channel(&mut rng, &d, sigma2);
            let mut erased = 0;
            for s in &mut llr[1..] {
                for v in s.iter_mut() {
                    if rng.below(10) < 3 {
                        *v = 0.0;
                        erased += 1;
                    }
                }
            }
            assert!(erased > 700);
            let r = dec.decode([&llr[0], &llr[1], &llr[2]], 8, |b| b == &bits[..]);
            assert!(r.stopped_early, "decoded with {erased} erased parity LLRs");
        }
    }

    #[test]
    fn reuse_gives_same_result_as_fresh_decoder() {
        let k = 256;
        let mut rng = Rng::new(5);
        let mut dec = TurboDecoder::new(k).unwrap();
        let blocks: Vec<[Vec<f32>; 3]> = (0..3)
            .map(|_| {
                let d = encode(k, &random_bits(&mut rng, k));
                channel(&mut rng, &d, 0.9)
            })
            .collect();
        for llr in &blocks {
            let got = dec.decode([&llr[0], &llr[1], &llr[2]], 6, |_| false).bits.to_vec();
            let got_llr = dec.llr().to_vec();
            let mut fresh = TurboDecoder::new(k).unwrap();
            assert_eq!(fresh.decode([&llr[0], &llr[1], &llr[2]], 6, |_| false).bits, &got[..]);
            assert_eq!(fresh.llr(), &got_llr[..]);
        }
    }

    #[test]
    fn all_block_sizes_decode_noiseless() {
        let mut rng = Rng::new(3);
        for k in block_sizes().step_by(7) {
            let bits = random_bits(&mut rng, k);
            let llr: [Vec<f32>; 3] = encode(k, &bits).map(|s| s.iter().map(|&b| 1.0 - 2.0 * b as f32).collect());
            let mut dec = TurboDecoder::new(k).unwrap();
            assert_eq!(dec.decode([&llr[0], &llr[1], &llr[2]], 1, |_| false).bits, &bits[..], "K={k}");
        }
    }
}
