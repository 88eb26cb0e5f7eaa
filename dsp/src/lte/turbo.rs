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
//! The block is cut into 8 windows decoded side by side, one per SIMD
//! lane: every trellis operation is an 8-lane add or max on the same state
//! of all windows (no lane permutations), plain loops over fixed-size
//! arrays that compile to one vector instruction each (compiled for AVX2
//! and AVX and dispatched at run time). A window's forward recursion
//! starts from metrics acquired by a 16-step training run over the end of
//! the window before it, itself started from the metrics the previous
//! iteration reached there (uniform in the first iteration); the backward
//! recursion likewise over the start of the window after it. On AWGN this
//! makes the same block errors as exact max-log-MAP over the whole block
//! (see the tests and `examples/turbo_sweep.rs`), at about a fifth of the
//! time; blocks shorter than 512 bits are decoded exactly, the same kernel
//! with one lane.
//!
//! The constituent decoders work in a lane-interleaved layout (step `t` of
//! window `w` at `8t + w`); the interleaver maps between the two decoders'
//! layouts are precomputed, and the buffers indexed through them have a
//! power-of-two size so that masked indices need no bounds checks.

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
#[derive(Clone)]
pub struct TurboEncoder {
    k: usize,
    perm: Vec<u32>,
}

impl std::fmt::Debug for TurboEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurboEncoder").field("k", &self.k).finish_non_exhaustive()
    }
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

/// Trellis constants.
///
/// With `gp = u + p` and `gm = u − p` (half LLRs of the systematic + a
/// priori and of the parity bit), every branch metric is one of `+gp`,
/// `+gm`, `−gp`, `−gm` (codes 0..4): the input-0 branch leaving state `s`
/// has `u + c_s·p` with `c_s = +1` when its parity `s1 ⊕ s2` is 0, the
/// input-1 branch the negation.
mod trellis {
    use super::{NS, feedback};

    /// Per state: the two predecessors and the metric codes of the
    /// branches from them (forward), the next states for input 0 / 1 and
    /// the codes of those branches (backward).
    pub(super) struct Tables {
        pub p0: [usize; NS],
        pub f0: [usize; NS],
        pub p1: [usize; NS],
        pub f1: [usize; NS],
        pub n0: [usize; NS],
        pub b0: [usize; NS],
        pub n1: [usize; NS],
        pub b1: [usize; NS],
    }

    /// Code of the input-0 branch leaving `s`: 0 (`+gp`) or 1 (`+gm`).
    const fn code0(s: usize) -> usize {
        ((s >> 2) ^ (s >> 1)) & 1
    }

    const fn build() -> Tables {
        let mut t = Tables {
            p0: [0; NS],
            f0: [0; NS],
            p1: [0; NS],
            f1: [0; NS],
            n0: [0; NS],
            b0: [0; NS],
            n1: [0; NS],
            b1: [0; NS],
        };
        let mut s = 0;
        while s < NS {
            let f = feedback(s);
            // input u = 0: register input a = f; u = 1: a = 1 − f
            t.n0[s] = 4 * f + (s >> 1);
            t.n1[s] = 4 * (1 - f) + (s >> 1);
            t.b0[s] = code0(s);
            t.b1[s] = code0(s) + 2;
            s += 1;
        }
        // the predecessors of q are 2·(q mod 4) + j, j = 0, 1, with a = q / 4
        let mut q = 0;
        while q < NS {
            let (s0, s1) = (2 * (q & 3), 2 * (q & 3) + 1);
            let a = q >> 2;
            t.p0[q] = s0;
            t.f0[q] = code0(s0) + 2 * (a ^ feedback(s0));
            t.p1[q] = s1;
            t.f1[q] = code0(s1) + 2 * (a ^ feedback(s1));
            q += 1;
        }
        t
    }

    pub(super) const T: Tables = build();
}

use trellis::T;

/// A state metric far below any reachable one (finite, so that sums stay
/// finite).
const NEG: f32 = -1.0e30;
/// Input LLR magnitude limit (keeps every metric finite).
const LLR_LIMIT: f32 = 1.0e4;
/// SIMD lanes of the windowed decoder: the block is cut into this many
/// windows decoded side by side.
const LANES: usize = 8;
/// Buffers indexed through the interleaver have this power-of-two size
/// (≥ the largest K) and are indexed with a mask, so the gathers and
/// scatters need no bounds checks.
const KMAX: usize = 8192;

fn boxed<T: Copy + Default>() -> Box<[T; KMAX]> {
    vec![T::default(); KMAX].into_boxed_slice().try_into().unwrap_or_else(|_| unreachable!())
}

/// Training steps for the window boundary metrics (every iteration).
const ACQUISITION: usize = 16;
/// Shortest window for which the windowed decoder is used (shorter blocks
/// are decoded exactly, one lane).
const MIN_WINDOW: usize = 64;

/// One value per lane.
type Lanes<const W: usize> = [f32; W];
/// The 8 state metrics, per lane.
type Metrics<const W: usize> = [Lanes<W>; NS];

// The helpers below are plain loops over fixed-size arrays (fully
// unrolled, each lane loop one vector instruction); nested
// `array::from_fn` closures are not reliably inlined.

#[inline(always)]
fn add<const W: usize>(x: &Lanes<W>, y: &Lanes<W>) -> Lanes<W> {
    let mut o = [0.0; W];
    for i in 0..W {
        o[i] = x[i] + y[i];
    }
    o
}

/// `max` without NaN handling (metrics are never NaN): a single `maxps`.
#[inline(always)]
fn max<const W: usize>(x: &Lanes<W>, y: &Lanes<W>) -> Lanes<W> {
    let mut o = [0.0; W];
    for i in 0..W {
        o[i] = if x[i] > y[i] { x[i] } else { y[i] };
    }
    o
}

/// The four branch metrics `+gp, +gm, −gp, −gm`, each minus `n` (the
/// normalization: the recursions are shift invariant, and shifting by the
/// previous metric of state 0 keeps them bounded).
#[inline(always)]
fn branches<const W: usize>(u: &Lanes<W>, p: &Lanes<W>, n: &Lanes<W>) -> [Lanes<W>; 4] {
    let mut g = [[0.0; W]; 4];
    for i in 0..W {
        let (gp, gm) = (u[i] + p[i], u[i] - p[i]);
        g[0][i] = gp - n[i];
        g[1][i] = gm - n[i];
        g[2][i] = -gp - n[i];
        g[3][i] = -gm - n[i];
    }
    g
}

#[inline(always)]
fn alpha_step<const W: usize>(a: &Metrics<W>, u: &Lanes<W>, p: &Lanes<W>) -> Metrics<W> {
    let g = branches(u, p, &a[0]);
    let mut o = [[0.0; W]; NS];
    for q in 0..NS {
        o[q] = max(&add(&a[T.p0[q]], &g[T.f0[q]]), &add(&a[T.p1[q]], &g[T.f1[q]]));
    }
    o
}

/// `β_{k+1}(next) + γ` for the input-0 and input-1 branches of each state.
#[inline(always)]
fn beta_sums<const W: usize>(b: &Metrics<W>, u: &Lanes<W>, p: &Lanes<W>) -> (Metrics<W>, Metrics<W>) {
    let g = branches(u, p, &b[0]);
    let (mut x0, mut x1) = ([[0.0; W]; NS], [[0.0; W]; NS]);
    for s in 0..NS {
        x0[s] = add(&b[T.n0[s]], &g[T.b0[s]]);
        x1[s] = add(&b[T.n1[s]], &g[T.b1[s]]);
    }
    (x0, x1)
}

#[inline(always)]
fn beta_from_sums<const W: usize>(x0: &Metrics<W>, x1: &Metrics<W>) -> Metrics<W> {
    let mut o = [[0.0; W]; NS];
    for s in 0..NS {
        o[s] = max(&x0[s], &x1[s]);
    }
    o
}

#[inline(always)]
fn max_over_states<const W: usize>(a: &Metrics<W>, x: &Metrics<W>) -> Lanes<W> {
    let mut m = [[0.0; W]; 4];
    for s in 0..4 {
        m[s] = max(&add(&a[s], &x[s]), &add(&a[s + 4], &x[s + 4]));
    }
    max(&max(&m[0], &m[2]), &max(&m[1], &m[3]))
}

/// The backward recursion with the extrinsic output over some steps.
#[inline(always)]
fn backward<const W: usize>(
    b: &mut Metrics<W>,
    store: &[Metrics<W>],
    lu: &[Lanes<W>],
    lp: &[Lanes<W>],
    ext: &mut [Lanes<W>],
) {
    for (((st, u), p), e) in store.iter().zip(lu).zip(lp).zip(ext.iter_mut()).rev() {
        let (x0, x1) = beta_sums(b, u, p);
        let m0 = max_over_states(st, &x0);
        let m1 = max_over_states(st, &x1);
        for i in 0..W {
            e[i] = (m0[i] - m1[i]) - 2.0 * u[i];
        }
        *b = beta_from_sums(&x0, &x1);
    }
}

/// One constituent max-log-MAP decoding over `W` windows side by side.
///
/// Inputs are half LLRs in lane-interleaved layout: step `t` of window `w`
/// (block position `w·L + t`, `L` the window length) is at `t·W + w`; `lu`
/// is systematic + a priori, `lp` the parity. `a_init` / `b_init` hold the
/// state metrics at the start / end of each window; on return `a_end`
/// holds `α` at the end of each window and `b_mid` holds `β` at step
/// `b_at` of each window (`α` at any step stays in `store`). The extrinsic
/// LLRs (natural units) go to `ext` in the same layout.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn siso<const W: usize>(
    lu: &[f32],
    lp: &[f32],
    a_init: &Metrics<W>,
    b_init: &Metrics<W>,
    store: &mut [Metrics<W>],
    ext: &mut [f32],
    a_end: &mut Metrics<W>,
    b_at: usize,
    b_mid: &mut Metrics<W>,
) {
    let (lu, _) = lu.as_chunks::<W>();
    let (lp, _) = lp.as_chunks::<W>();
    let (ext, _) = ext.as_chunks_mut::<W>();
    let steps = lu.len().min(lp.len()).min(ext.len()).min(store.len());
    let (lu, lp, ext, store) = (&lu[..steps], &lp[..steps], &mut ext[..steps], &mut store[..steps]);
    let mut a = *a_init;
    for ((st, u), p) in store.iter_mut().zip(lu).zip(lp) {
        *st = a;
        a = alpha_step(&a, u, p);
    }
    *a_end = a;
    let mut b = *b_init;
    let g = b_at.min(steps);
    backward(&mut b, &store[g..], &lu[g..], &lp[g..], &mut ext[g..]);
    *b_mid = b;
    backward(&mut b, &store[..g], &lu[..g], &lp[..g], &mut ext[..g]);
}

#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
fn siso_lanes(
    lu: &[f32],
    lp: &[f32],
    a_init: &Metrics<LANES>,
    b_init: &Metrics<LANES>,
    store: &mut [Metrics<LANES>],
    ext: &mut [f32],
    a_end: &mut Metrics<LANES>,
    b_at: usize,
    b_mid: &mut Metrics<LANES>,
) {
    siso::<LANES>(lu, lp, a_init, b_init, store, ext, a_end, b_at, b_mid)
}

/// Lane `w` gets lane `w − 1`'s value (lane 0 its own).
#[inline(always)]
fn lanes_down(x: &Lanes<LANES>) -> Lanes<LANES> {
    let mut o = *x;
    o[1..].copy_from_slice(&x[..LANES - 1]);
    o
}

/// Lane `w` gets lane `w + 1`'s value (the last lane its own).
#[inline(always)]
fn lanes_up(x: &Lanes<LANES>) -> Lanes<LANES> {
    let mut o = *x;
    o[..LANES - 1].copy_from_slice(&x[1..]);
    o
}

/// Window boundary metrics by acquisition (training): each window's start
/// metrics from a forward run over the last `g` steps of the window before
/// it, and its end metrics from a backward run over the first `g` steps of
/// the window after it, starting from `a_from` / `b_from` (per lane, the
/// metrics for the neighbour's window at that point). Lanes 0 (start) and
/// `LANES − 1` (end) of `a_init` / `b_init` are left as they are. `lu`,
/// `lp` in lane layout, `g ≤ L`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn acquire_lanes(
    lu: &[f32],
    lp: &[f32],
    g: usize,
    a_from: &Metrics<LANES>,
    b_from: &Metrics<LANES>,
    a_init: &mut Metrics<LANES>,
    b_init: &mut Metrics<LANES>,
) {
    let (lu, _) = lu.as_chunks::<LANES>();
    let (lp, _) = lp.as_chunks::<LANES>();
    let l = lu.len().min(lp.len());
    let g = g.min(l);
    // lane w sees lane w − 1's (forward) or w + 1's (backward) inputs
    let mut a = *a_from;
    for (u, p) in lu[l - g..l].iter().zip(&lp[l - g..l]) {
        a = alpha_step(&a, &lanes_down(u), &lanes_down(p));
    }
    let mut b = *b_from;
    for (u, p) in lu[..g].iter().zip(&lp[..g]).rev() {
        let (x0, x1) = beta_sums(&b, &lanes_up(u), &lanes_up(p));
        b = beta_from_sums(&x0, &x1);
    }
    for s in 0..NS {
        a_init[s][1..].copy_from_slice(&a[s][1..]);
        b_init[s][..LANES - 1].copy_from_slice(&b[s][..LANES - 1]);
    }
}

/// `β_K` after the three tail steps, from state 0.
fn tail_beta(tail: &[(f32, f32); 3]) -> [f32; NS] {
    let mut b: Metrics<1> = std::array::from_fn(|s| [if s == 0 { 0.0 } else { NEG }]);
    for &(u, p) in tail.iter().rev() {
        let (x0, x1) = beta_sums(&b, &[u], &[p]);
        b = beta_from_sums(&x0, &x1);
    }
    b.map(|v| v[0])
}

/// `o = a + b`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn add_into(o: &mut [f32], a: &[f32], b: &[f32]) {
    for ((o, &a), &b) in o.iter_mut().zip(a).zip(b) {
        *o = a + b;
    }
}

/// Decoder 2's input: `lu[j] = sys2[j] + ws·ext[g2[j]]`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn gather_apriori(lu: &mut [f32], sys2: &[f32], g2: &[u32], ext: &[f32; KMAX], ws: f32) {
    for ((o, &s), &g) in lu.iter_mut().zip(sys2).zip(g2) {
        *o = s + ws * ext[g as usize & (KMAX - 1)];
    }
}

/// After decoder 2: the next a priori of decoder 1, `apri1[g2[j]] =
/// ws·ext[j]`, and the hard decision on the posterior `2·lu + ext` into
/// `bits[nat2[j]]`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn scatter_apriori(
    lu: &[f32],
    ext: &[f32; KMAX],
    g2: &[u32],
    nat2: &[u32],
    ws: f32,
    apri1: &mut [f32; KMAX],
    bits: &mut [u8; KMAX],
) {
    for (((&u, &e), &g), &n) in lu.iter().zip(ext).zip(g2).zip(nat2) {
        apri1[g as usize & (KMAX - 1)] = ws * e;
        bits[n as usize & (KMAX - 1)] = (2.0 * u + e < 0.0) as u8;
    }
}

/// Per constituent decoder: the metrics at the window boundaries, and
/// where the training runs for them start (from the previous iteration:
/// `α` `ACQUISITION` steps before the end of the window before, `β` as
/// many steps into the window after; uniform in the first iteration).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    alpha: Metrics<LANES>,
    beta: Metrics<LANES>,
    alpha_from: Metrics<LANES>,
    beta_from: Metrics<LANES>,
}

/// Iterative turbo decoder for one block size `K`; all buffers are
/// allocated in [`TurboDecoder::new`] and reused.
///
/// Blocks of at least 512 bits are decoded as 8 windows side by side (one
/// per SIMD lane), each window's recursions starting from metrics of a
/// 16-step training run into the neighbouring window, which starts from
/// the metrics of the previous iteration (see the module documentation);
/// shorter blocks are decoded exactly (one window).
/// [`TurboDecoder::set_windowed`] overrides the choice.
#[derive(Clone)]
pub struct TurboDecoder {
    k: usize,
    perm: Vec<u32>,
    scale: f32,
    /// windows (SIMD lanes) in use: `LANES` or 1
    lanes: usize,
    /// decoder 2 position `j` (lane layout) ← decoder 1 position `g2[j]`
    /// (lane layout): `j = slot(i)`, `g2[j] = slot(Π(i))`
    g2: Vec<u32>,
    /// decoder 2 position `j` (lane layout) → natural bit index `Π(i)`
    nat2: Vec<u32>,
    /// half channel LLRs in lane layout: systematic for decoder 1 and 2, parities
    sys1: Vec<f32>,
    sys2: Vec<f32>,
    par1: Vec<f32>,
    par2: Vec<f32>,
    /// `β_K` of both codes from their tails
    beta_end: [[f32; NS]; 2],
    bounds: [Bounds; 2],
    /// a priori of decoder 1 (half LLRs, lane layout)
    apri1: Box<[f32; KMAX]>,
    /// decoder input `lu` = systematic + a priori
    lu: Vec<f32>,
    ext: Box<[f32; KMAX]>,
    store8: Vec<Metrics<LANES>>,
    store1: Vec<Metrics<1>>,
    /// posterior LLRs and hard decisions (natural order)
    llr: Vec<f32>,
    bits: Box<[u8; KMAX]>,
}

impl std::fmt::Debug for TurboDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurboDecoder")
            .field("k", &self.k)
            .field("windows", &self.lanes)
            .field("extrinsic_scale", &self.scale)
            .finish_non_exhaustive()
    }
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
        let mut dec = TurboDecoder {
            k,
            perm,
            scale: Self::DEFAULT_EXTRINSIC_SCALE,
            lanes: 1,
            g2: vec![0; k],
            nat2: vec![0; k],
            sys1: vec![0.0; k],
            sys2: vec![0.0; k],
            par1: vec![0.0; k],
            par2: vec![0.0; k],
            beta_end: [[0.0; NS]; 2],
            bounds: [Bounds {
                alpha: [[0.0; LANES]; NS],
                beta: [[0.0; LANES]; NS],
                alpha_from: [[0.0; LANES]; NS],
                beta_from: [[0.0; LANES]; NS],
            }; 2],
            apri1: boxed(),
            lu: vec![0.0; k],
            ext: boxed(),
            store8: Vec::new(),
            store1: Vec::new(),
            llr: vec![0.0; k],
            bits: boxed(),
        };
        dec.set_windowed(k / LANES >= MIN_WINDOW);
        Some(dec)
    }

    /// The block size `K`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Chooses between the windowed decoder (8 windows side by side, one
    /// per SIMD lane; several times faster) and exact max-log-MAP over the
    /// whole block. The default is windowed for `K ≥ 512`.
    pub fn set_windowed(&mut self, on: bool) {
        self.lanes = if on { LANES } else { 1 };
        let (k, w) = (self.k, self.lanes);
        let l = k / w;
        let slot = |n: usize| (n % l) * w + n / l;
        for (i, &p) in self.perm.iter().enumerate() {
            let j = slot(i);
            self.g2[j] = slot(p as usize) as u32;
            self.nat2[j] = p;
        }
        self.store8 = vec![[[0.0; LANES]; NS]; if on { l } else { 0 }];
        self.store1 = vec![[[0.0; 1]; NS]; if on { 0 } else { k }];
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
        &self.bits[..self.k]
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
        let (k, w) = (self.k, self.lanes);
        for s in &d {
            assert!(s.len() >= k + 4, "turbo decoder input streams must have K + 4 = {} LLRs", k + 4);
        }
        let half = |v: f32| if v.is_nan() { 0.0 } else { 0.5 * v.clamp(-LLR_LIMIT, LLR_LIMIT) };
        // natural → lane layout: window `lane` holds bits lane·L .. (lane+1)·L
        let l = k / w;
        for lane in 0..w {
            let src = lane * l..(lane + 1) * l;
            let dst = self.sys1[lane..].iter_mut().step_by(w);
            for (o, &v) in dst.zip(&d[0][src.clone()]) {
                *o = half(v);
            }
            for (o, &v) in self.par1[lane..].iter_mut().step_by(w).zip(&d[1][src.clone()]) {
                *o = half(v);
            }
            for (o, &v) in self.par2[lane..].iter_mut().step_by(w).zip(&d[2][src]) {
                *o = half(v);
            }
        }
        for (o, &n) in self.sys2.iter_mut().zip(&self.nat2) {
            *o = half(d[0][n as usize]);
        }
        let t = |s: usize, i: usize| half(d[s][k + i]);
        self.beta_end[0] = tail_beta(&[(t(0, 0), t(1, 0)), (t(2, 0), t(0, 1)), (t(1, 1), t(2, 1))]);
        self.beta_end[1] = tail_beta(&[(t(0, 2), t(1, 2)), (t(2, 2), t(0, 3)), (t(1, 3), t(2, 3))]);
        for (b, end) in self.bounds.iter_mut().zip(&self.beta_end) {
            // first iteration: window boundaries unknown (uniform), except
            // the start (state 0) and the terminated end
            *b = Bounds {
                alpha: [[0.0; LANES]; NS],
                beta: [[0.0; LANES]; NS],
                alpha_from: [[0.0; LANES]; NS],
                beta_from: [[0.0; LANES]; NS],
            };
            for (s, (a, (bt, &e))) in b.alpha.iter_mut().zip(b.beta.iter_mut().zip(end)).enumerate() {
                a[0] = if s == 0 { 0.0 } else { NEG };
                bt[w - 1] = e;
            }
        }
        self.apri1[..k].fill(0.0);

        // extrinsic (natural units) → a priori half LLR
        let ws = 0.5 * self.scale;
        let mut iterations = 0;
        let mut stopped_early = false;
        for _ in 0..max_iterations.max(1) {
            iterations += 1;
            // decoder 1, natural order
            add_into(&mut self.lu, &self.sys1, &self.apri1[..k]);
            self.constituent(0);
            // decoder 2, interleaved order: a priori = scaled ext1 at Π(i)
            gather_apriori(&mut self.lu, &self.sys2, &self.g2, &self.ext, ws);
            self.constituent(1);
            // the next a priori of decoder 1 and the hard decisions on the
            // posterior (channel + a priori + extrinsic of decoder 2), both
            // deinterleaved
            scatter_apriori(&self.lu, &self.ext, &self.g2, &self.nat2, ws, &mut self.apri1, &mut self.bits);
            if early_stop(&self.bits[..k]) {
                stopped_early = true;
                break;
            }
        }
        for ((&u, &e), &n) in self.lu.iter().zip(&self.ext[..k]).zip(&self.nat2) {
            self.llr[n as usize] = 2.0 * u + e;
        }
        TurboResult { bits: &self.bits[..k], iterations, stopped_early }
    }

    /// Constituent decoder `c` (0 or 1) on `self.lu` and its parity, into
    /// `self.ext`; updates the window boundary metrics.
    fn constituent(&mut self, c: usize) {
        let par = if c == 0 { &self.par1 } else { &self.par2 };
        if self.lanes == 1 {
            let a0: Metrics<1> = std::array::from_fn(|s| [if s == 0 { 0.0 } else { NEG }]);
            let b0: Metrics<1> = self.beta_end[c].map(|v| [v]);
            let (mut a_end, mut b_mid) = (a0, b0);
            siso::<1>(&self.lu, par, &a0, &b0, &mut self.store1, &mut self.ext[..], &mut a_end, 0, &mut b_mid);
            return;
        }
        let b = &mut self.bounds[c];
        let g = ACQUISITION.min(self.store8.len());
        acquire_lanes(&self.lu, par, g, &b.alpha_from, &b.beta_from, &mut b.alpha, &mut b.beta);
        let (mut a_end, mut b_mid) = (b.alpha, b.beta);
        siso_lanes(&self.lu, par, &b.alpha, &b.beta, &mut self.store8, &mut self.ext[..], &mut a_end, g, &mut b_mid);
        // next iteration: window w + 1's training starts from window w's α
        // g steps before its end, window w − 1's from window w's β at g
        let a_g = &self.store8[self.store8.len() - g];
        for s in 0..NS {
            for lane in 1..LANES {
                b.alpha_from[s][lane] = a_g[s][lane - 1];
                b.beta_from[s][lane - 1] = b_mid[s][lane];
            }
        }
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
        println!(
            "K=1408 Eb/N0=1.5 dB, 8 it: {errors} bit errors in {blocks} blocks, BER {ber:.2e}, BLER {block_errors}/{blocks}"
        );
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

    /// The windowed decoder (default for K ≥ 512) against exact
    /// max-log-MAP on the same noisy blocks near the waterfall: the block
    /// error counts agree within one block. Also the exact path on its own
    /// for a small K, and the windowed one forced on tiny windows.
    #[test]
    fn windowed_matches_exact_decoder() {
        let k = 1408;
        let enc = TurboEncoder::new(k).unwrap();
        let mut win = TurboDecoder::new(k).unwrap();
        let mut exact = TurboDecoder::new(k).unwrap();
        exact.set_windowed(false);
        let rate = k as f64 / (3 * (k + 4)) as f64;
        let sigma2 = 1.0 / (2.0 * rate * 10f64.powf(0.6 / 10.0));
        let mut rng = Rng::new(31);
        let mut d = [Vec::new(), Vec::new(), Vec::new()];
        let (mut err_win, mut err_exact) = (0, 0);
        for _ in 0..40 {
            let bits = random_bits(&mut rng, k);
            enc.encode(&bits, &mut d);
            let llr = channel(&mut rng, &d, sigma2);
            err_win += (win.decode([&llr[0], &llr[1], &llr[2]], 8, |_| false).bits != &bits[..]) as usize;
            err_exact += (exact.decode([&llr[0], &llr[1], &llr[2]], 8, |_| false).bits != &bits[..]) as usize;
        }
        println!("Eb/N0 0.6 dB, 40 blocks: block errors windowed {err_win}, exact {err_exact}");
        assert!(err_win <= err_exact + 1 && err_exact > 0, "windowed {err_win}, exact {err_exact}");

        // the exact path (K < 512) over AWGN at Eb/N0 = 2 dB
        let k = 256;
        let enc = TurboEncoder::new(k).unwrap();
        let mut dec = TurboDecoder::new(k).unwrap();
        let rate = k as f64 / (3 * (k + 4)) as f64;
        let sigma2 = 1.0 / (2.0 * rate * 10f64.powf(0.2));
        let mut errors = 0;
        for _ in 0..40 {
            let bits = random_bits(&mut rng, k);
            enc.encode(&bits, &mut d);
            let llr = channel(&mut rng, &d, sigma2);
            let r = dec.decode([&llr[0], &llr[1], &llr[2]], 8, |_| false);
            errors += r.bits.iter().zip(&bits).filter(|(a, b)| a != b).count();
        }
        assert!(errors < 10, "K=256 Eb/N0 2 dB: {errors} bit errors in 40 blocks");

        // windowed forced on windows of 5 (K = 40) and 8 (K = 64) steps
        for k in [40usize, 64] {
            let bits = random_bits(&mut rng, k);
            let llr: [Vec<f32>; 3] = encode(k, &bits).map(|s| s.iter().map(|&b| 2.0 - 4.0 * b as f32).collect());
            let mut dec = TurboDecoder::new(k).unwrap();
            dec.set_windowed(true);
            assert_eq!(dec.decode([&llr[0], &llr[1], &llr[2]], 4, |b| b == &bits[..]).bits, &bits[..], "K={k}");
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
