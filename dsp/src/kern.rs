//! Inner loops shared by the public kernels, with runtime CPU dispatch.
//!
//! Every function here is a plain loop over slices written so that LLVM
//! vectorizes it, compiled several times by `multiversion` (AVX2+FMA, AVX,
//! and the baseline target) with the best clone picked once at run time.
//!
//! Two rules keep the results independent of how a stream is cut into
//! blocks:
//! * each output is computed by the same sequence of floating-point
//!   operations wherever it falls in a block (no block-dependent
//!   reassociation: vector lanes and scalar tails run the same expression);
//! * fused multiply-add is used only in clones compiled for an FMA target
//!   (`madd::<true>`), never through a libm call, and the choice is made per
//!   clone, so one process always uses one of the two forms.
//!
//! Callers guarantee the slice length relations documented on each
//! function; the kernels index only within the slices they are given.

use multiversion::multiversion;
use multiversion::target::target_cfg_f;

/// `a * b + c`, fused when the clone is compiled for FMA.
#[inline(always)]
fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Lane width of the partial sums of the dot-product kernels. Tap vectors
/// handed to them are padded to a multiple of this.
pub(crate) const DOT_LANES: usize = 16;

/// Fixed-order pairwise sum of the lanes.
#[inline(always)]
fn hsum(a: &[f32; DOT_LANES]) -> f32 {
    hsum16(a)
}

/// [`hsum`] of a slice of at least [`DOT_LANES`] values (its first 16).
#[inline(always)]
fn hsum16(a: &[f32]) -> f32 {
    let a = &a[..DOT_LANES];
    let mut s8 = [0f32; 8];
    for l in 0..8 {
        s8[l] = a[l] + a[l + 8];
    }
    let mut s4 = [0f32; 4];
    for l in 0..4 {
        s4[l] = s8[l] + s8[l + 4];
    }
    (s4[0] + s4[2]) + (s4[1] + s4[3])
}

/// Fixed-order sum of 8 values (a slice of at least 8).
#[inline(always)]
fn hsum8(a: &[f32]) -> f32 {
    let a = &a[..8];
    ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

/// NCO inner loop: `y[i] = x[i] * (t[i] * rot)` for the common length of
/// the slices.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn nco_mix(tr: &[f32], ti: &[f32], rot: (f32, f32), xr: &[f32], xi: &[f32], yr: &mut [f32], yi: &mut [f32]) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let n = tr.len().min(ti.len()).min(xr.len()).min(xi.len()).min(yr.len()).min(yi.len());
    let (tr, ti, xr, xi) = (&tr[..n], &ti[..n], &xr[..n], &xi[..n]);
    let (yr, yi) = (&mut yr[..n], &mut yi[..n]);
    let (rr, ri) = rot;
    for i in 0..n {
        let wr = madd::<F>(tr[i], rr, -(ti[i] * ri));
        let wi = madd::<F>(tr[i], ri, ti[i] * rr);
        yr[i] = madd::<F>(xr[i], wr, -(xi[i] * wi));
        yi[i] = madd::<F>(xr[i], wi, xi[i] * wr);
    }
}

/// In-place form of [`nco_mix`]; same arithmetic, bit for bit.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn nco_mix_inplace(tr: &[f32], ti: &[f32], rot: (f32, f32), re: &mut [f32], im: &mut [f32]) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let n = tr.len().min(ti.len()).min(re.len()).min(im.len());
    let (tr, ti) = (&tr[..n], &ti[..n]);
    let (re, im) = (&mut re[..n], &mut im[..n]);
    let (rr, ri) = rot;
    for i in 0..n {
        let wr = madd::<F>(tr[i], rr, -(ti[i] * ri));
        let wi = madd::<F>(tr[i], ri, ti[i] * rr);
        let (xr, xi) = (re[i], im[i]);
        re[i] = madd::<F>(xr, wr, -(xi * wi));
        im[i] = madd::<F>(xr, wi, xi * wr);
    }
}

/// Outputs per tile of the across-outputs FIR kernels.
const TILE: usize = 32;

/// Real-tap FIR without decimation, vectorized across outputs: appends
/// `y[i] = sum_j h[j] * x[i + j]` for `i < count` (at most as many as `x`
/// has full windows for) to `yr`/`yi`, the sum taken in increasing `j`
/// from 0. Returns the number appended. (Appending tile by tile avoids
/// zero-filling the outputs first.)
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn fir_tiles_real(
    h: &[f32],
    xr: &[f32],
    xi: &[f32],
    count: usize,
    yr: &mut Vec<f32>,
    yi: &mut Vec<f32>,
) -> usize {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let k = h.len();
    if k == 0 {
        return 0;
    }
    let avail = xr.len().min(xi.len()).saturating_sub(k - 1);
    let n = count.min(avail);
    yr.reserve(n);
    yi.reserve(n);
    let full = n / TILE * TILE;
    let mut base = 0;
    while base < full {
        let mut ar = [0f32; TILE];
        let mut ai = [0f32; TILE];
        for (j, &c) in h.iter().enumerate() {
            let sr = &xr[base + j..base + j + TILE];
            let si = &xi[base + j..base + j + TILE];
            for l in 0..TILE {
                ar[l] = madd::<F>(c, sr[l], ar[l]);
                ai[l] = madd::<F>(c, si[l], ai[l]);
            }
        }
        yr.extend_from_slice(&ar);
        yi.extend_from_slice(&ai);
        base += TILE;
    }
    for i in full..n {
        let (mut ar, mut ai) = (0f32, 0f32);
        let sr = &xr[i..i + k];
        let si = &xi[i..i + k];
        for j in 0..k {
            ar = madd::<F>(h[j], sr[j], ar);
            ai = madd::<F>(h[j], si[j], ai);
        }
        yr.push(ar);
        yi.push(ai);
    }
    n
}

/// Complex cross-correlation vectorized across outputs:
/// `y[i] = sum_j x[i + j] * conj(t[j])`, the sum taken in increasing `j`.
/// Requires `x.len() >= y.len() + t.len() - 1`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn corr_tiles(tr: &[f32], ti: &[f32], xr: &[f32], xi: &[f32], yr: &mut [f32], yi: &mut [f32]) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let k = tr.len().min(ti.len());
    if k == 0 {
        return;
    }
    let (tr, ti) = (&tr[..k], &ti[..k]);
    let avail = xr.len().min(xi.len()).saturating_sub(k - 1);
    let n = yr.len().min(yi.len()).min(avail);
    let full = n / TILE * TILE;
    let mut base = 0;
    while base < full {
        let mut ar = [0f32; TILE];
        let mut ai = [0f32; TILE];
        let (wr, wi) = (&xr[base..base + TILE + k - 1], &xi[base..base + TILE + k - 1]);
        for j in 0..k {
            let (cr, ci) = (tr[j], ti[j]);
            let sr = &wr[j..j + TILE];
            let si = &wi[j..j + TILE];
            for l in 0..TILE {
                // (xr + j xi)(cr - j ci) = (xr cr + xi ci) + j (xi cr - xr ci)
                ar[l] = madd::<F>(si[l], ci, madd::<F>(sr[l], cr, ar[l]));
                ai[l] = madd::<F>(-sr[l], ci, madd::<F>(si[l], cr, ai[l]));
            }
        }
        yr[base..base + TILE].copy_from_slice(&ar);
        yi[base..base + TILE].copy_from_slice(&ai);
        base += TILE;
    }
    for i in full..n {
        let (mut ar, mut ai) = (0f32, 0f32);
        let sr = &xr[i..i + k];
        let si = &xi[i..i + k];
        for j in 0..k {
            let (cr, ci) = (tr[j], ti[j]);
            ar = madd::<F>(si[j], ci, madd::<F>(sr[j], cr, ar));
            ai = madd::<F>(-sr[j], ci, madd::<F>(si[j], cr, ai));
        }
        yr[i] = ar;
        yi[i] = ai;
    }
}

/// Real-tap decimating FIR as one dot product per output:
/// `y[m] = sum_j h[j] * x[m * step + j]` for `m < y.len()`, with the
/// partial sums kept in [`DOT_LANES`] lanes and reduced in a fixed order.
/// `h.len()` must be a multiple of [`DOT_LANES`]; outputs whose window
/// would run past `x` are left untouched.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fir_dots_real(
    h: &[f32],
    xr: &[f32],
    xi: &[f32],
    step: usize,
    yr: &mut [f32],
    yi: &mut [f32],
    sc: &mut [f32; 2 * DOT_LANES],
) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let k = h.len() / DOT_LANES * DOT_LANES;
    let h = &h[..k];
    let len = xr.len().min(xi.len());
    let n = yr.len().min(yi.len());
    for m in 0..n {
        let s = m * step;
        if s + k > len {
            break;
        }
        let (wr, wi) = (&xr[s..s + k], &xi[s..s + k]);
        let mut ar = [0f32; DOT_LANES];
        let mut ai = [0f32; DOT_LANES];
        for c in 0..k / DOT_LANES {
            let o = c * DOT_LANES;
            let hc = &h[o..o + DOT_LANES];
            let (u, v) = (&wr[o..o + DOT_LANES], &wi[o..o + DOT_LANES]);
            for l in 0..DOT_LANES {
                ar[l] = madd::<F>(hc[l], u[l], ar[l]);
                ai[l] = madd::<F>(hc[l], v[l], ai[l]);
            }
        }
        // Going through memory the caller owns keeps LLVM's SLP vectorizer
        // from pairing the re/im chains into 2-wide vectors (it otherwise
        // seeds from the scalar reduction and vectorizes the loop 2-wide).
        sc[..DOT_LANES].copy_from_slice(&ar);
        sc[DOT_LANES..].copy_from_slice(&ai);
        let (a, b) = sc.split_at(DOT_LANES);
        yr[m] = hsum16(a);
        yi[m] = hsum16(b);
    }
}

/// Complex-tap decimating FIR as one dot product per output:
/// `y[m] = sum_j g[j] * x[m * step + j]` (no conjugation). Same layout
/// rules as [`fir_dots_real`].
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fir_dots_complex(
    gr: &[f32],
    gi: &[f32],
    xr: &[f32],
    xi: &[f32],
    step: usize,
    yr: &mut [f32],
    yi: &mut [f32],
) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let k = gr.len().min(gi.len()) / DOT_LANES * DOT_LANES;
    let (gr, gi) = (&gr[..k], &gi[..k]);
    let len = xr.len().min(xi.len());
    let n = yr.len().min(yi.len());
    for m in 0..n {
        let s = m * step;
        if s + k > len {
            break;
        }
        let (wr, wi) = (&xr[s..s + k], &xi[s..s + k]);
        // Four independent accumulators: rr = sum gr xr, ii = sum gi xi,
        // ri = sum gr xi, ir = sum gi xr.
        let mut rr = [0f32; DOT_LANES];
        let mut ii = [0f32; DOT_LANES];
        let mut ri = [0f32; DOT_LANES];
        let mut ir = [0f32; DOT_LANES];
        for c in 0..k / DOT_LANES {
            let o = c * DOT_LANES;
            let (a, b) = (&gr[o..o + DOT_LANES], &gi[o..o + DOT_LANES]);
            let (u, v) = (&wr[o..o + DOT_LANES], &wi[o..o + DOT_LANES]);
            for l in 0..DOT_LANES {
                rr[l] = madd::<F>(a[l], u[l], rr[l]);
                ii[l] = madd::<F>(b[l], v[l], ii[l]);
                ri[l] = madd::<F>(a[l], v[l], ri[l]);
                ir[l] = madd::<F>(b[l], u[l], ir[l]);
            }
        }
        let mut re = [0f32; DOT_LANES];
        let mut im = [0f32; DOT_LANES];
        for l in 0..DOT_LANES {
            re[l] = rr[l] - ii[l];
            im[l] = ri[l] + ir[l];
        }
        yr[m] = hsum(&re);
        yi[m] = hsum(&im);
    }
}

/// Outputs per tile of [`chip_fir_tiles`].
const CHIP_TILE: usize = 32;

/// FIR whose window weights are ±1 chips each held for `hold` samples,
/// vectorized across outputs: appends
/// `y[i] = gain * sum_j s_j * sum_{r < hold} x[i + j*hold + r]` for
/// `i < count` (at most as many as `x` has full windows of
/// `neg.len() * hold` samples for), `s_j = -1` where `neg[j]`, else `+1`.
/// Each box sum is taken from `r = 0` up, the chip sum in increasing `j`
/// from 0 (adding or subtracting, so FMA cannot change a result), then
/// scaled. `box_re`/`box_im` are scratch of at least `CHIP_TILE + window`
/// samples. Returns the number appended.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn chip_fir_tiles(
    neg: &[bool],
    hold: usize,
    gain: f32,
    xr: &[f32],
    xi: &[f32],
    count: usize,
    box_re: &mut [f32],
    box_im: &mut [f32],
    yr: &mut Vec<f32>,
    yi: &mut Vec<f32>,
) -> usize {
    let hold = hold.max(1);
    let k = neg.len() * hold;
    if k == 0 {
        return 0;
    }
    let avail = xr.len().min(xi.len()).saturating_sub(k - 1);
    let n = count.min(avail);
    // box sums needed by one tile: positions base .. base + CHIP_TILE + k - hold
    let nb = CHIP_TILE + k - hold;
    let full = if box_re.len().min(box_im.len()) >= nb { n / CHIP_TILE * CHIP_TILE } else { 0 };
    let (lr, li) = (nb.min(box_re.len()), nb.min(box_im.len()));
    let (box_re, box_im) = (&mut box_re[..lr], &mut box_im[..li]);
    let (a, b) = (yr.len(), yi.len());
    yr.resize(a + full, 0.0);
    yi.resize(b + full, 0.0);
    let (or, oi) = (&mut yr[a..], &mut yi[b..]);
    let mut base = 0;
    while base < full {
        let (wr, wi) = (&xr[base..base + nb + hold - 1], &xi[base..base + nb + hold - 1]);
        if hold == 1 {
            for l in 0..nb {
                box_re[l] = wr[l];
                box_im[l] = wi[l];
            }
        } else {
            let (ur, ui) = (&wr[1..1 + nb], &wi[1..1 + nb]);
            for l in 0..nb {
                box_re[l] = wr[l] + ur[l];
                box_im[l] = wi[l] + ui[l];
            }
            for r in 2..hold {
                let (sr, si) = (&wr[r..r + nb], &wi[r..r + nb]);
                for l in 0..nb {
                    box_re[l] += sr[l];
                    box_im[l] += si[l];
                }
            }
        }
        let mut ar = [0f32; CHIP_TILE];
        let mut ai = [0f32; CHIP_TILE];
        for (j, &m) in neg.iter().enumerate() {
            let (br, bi) = (&box_re[j * hold..j * hold + CHIP_TILE], &box_im[j * hold..j * hold + CHIP_TILE]);
            if m {
                for l in 0..CHIP_TILE {
                    ar[l] -= br[l];
                    ai[l] -= bi[l];
                }
            } else {
                for l in 0..CHIP_TILE {
                    ar[l] += br[l];
                    ai[l] += bi[l];
                }
            }
        }
        let (yr, yi) = (&mut or[base..base + CHIP_TILE], &mut oi[base..base + CHIP_TILE]);
        for l in 0..CHIP_TILE {
            yr[l] = ar[l] * gain;
            yi[l] = ai[l] * gain;
        }
        base += CHIP_TILE;
    }
    yr.reserve(n - full);
    yi.reserve(n - full);
    for i in full..n {
        let (mut ar, mut ai) = (0f32, 0f32);
        for (j, &m) in neg.iter().enumerate() {
            let a = i + j * hold;
            let (mut br, mut bi) = (xr[a], xi[a]);
            for r in 1..hold {
                br += xr[a + r];
                bi += xi[a + r];
            }
            if m {
                ar -= br;
                ai -= bi;
            } else {
                ar += br;
                ai += bi;
            }
        }
        yr.push(ar * gain);
        yi.push(ai * gain);
    }
    n
}

/// Scratch length [`chip_fir_tiles`] needs for a window of `k` samples.
pub(crate) const fn chip_fir_scratch(k: usize) -> usize {
    CHIP_TILE + k
}

/// Tables of the polyphase interpolator driven by [`resample_run`].
pub(crate) struct PolyTables<'a> {
    /// `(phases + 1) * taps` coefficients, phase-major.
    pub coef: &'a [f32],
    /// `phases * taps` differences `coef[p + 1] - coef[p]`.
    pub diff: &'a [f32],
    /// Taps per phase, a multiple of 8.
    pub taps: usize,
}

/// Fractional bits of the resampler's fixed-point input time.
pub(crate) const TIME_FRAC_BITS: u32 = 48;
/// log2 of the number of polyphase phases.
pub(crate) const PHASE_BITS: u32 = 8;
const SUB_BITS: u32 = TIME_FRAC_BITS - PHASE_BITS;

/// Runs the polyphase resampler over the buffered input `x` (whose first
/// sample has absolute index `base`), emitting every output whose window
/// `x[floor(t) - taps/2 + 1 ..= floor(t) + taps/2]` lies inside `x`. `t` is
/// the absolute fixed-point input time of the next output (never behind
/// `base + taps/2 - 1`) and advances by `step` per output. Returns the
/// number of outputs appended to `yr`/`yi`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn resample_run(
    tab: &PolyTables<'_>,
    xr: &[f32],
    xi: &[f32],
    base: i64,
    t: &mut u128,
    step: u128,
    yr: &mut Vec<f32>,
    yi: &mut Vec<f32>,
    sc: &mut [f32; 16],
) -> usize {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let n = tab.taps / 8 * 8;
    if n == 0 || step == 0 {
        return 0;
    }
    let half = (n / 2) as i64;
    let len = xr.len().min(xi.len()) as i64;
    // Last admissible integer time: start + n <= len with
    // start = i - (half - 1) - base.
    let i_lim = len - n as i64 + half - 1 + base;
    if i_lim < 0 {
        return 0;
    }
    let t_end = ((i_lim as u128) + 1) << TIME_FRAC_BITS;
    if *t >= t_end {
        return 0;
    }
    let count = (t_end - *t).div_ceil(step) as usize;
    let (a, b) = (yr.len(), yi.len());
    yr.resize(a + count, 0.0);
    yi.resize(b + count, 0.0);
    let (yr, yi) = (&mut yr[a..], &mut yi[b..]);
    let done = match n {
        16 => resample_body::<16, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        24 => resample_body::<24, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        32 => resample_body::<32, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        40 => resample_body::<40, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        48 => resample_body::<48, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        56 => resample_body::<56, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        64 => resample_body::<64, F>(tab, xr, xi, base, t, step, yr, yi, sc),
        _ => resample_body_any::<F>(n, tab, xr, xi, base, t, step, yr, yi, sc),
    };
    debug_assert_eq!(done, count);
    done
}

/// Position of the window and interpolation weight for time `t`:
/// (window start in the buffer, phase index, fraction between phases).
#[inline(always)]
fn resample_pos(t: u128, half: i64, base: i64) -> (usize, usize, f32) {
    let i = (t >> TIME_FRAC_BITS) as i64;
    let start = (i - (half - 1) - base).max(0) as usize;
    let frac = (t as u64) & ((1u64 << TIME_FRAC_BITS) - 1);
    let p = (frac >> SUB_BITS) as usize;
    let f = (frac & ((1u64 << SUB_BITS) - 1)) as f32 * (1.0 / (1u64 << SUB_BITS) as f32);
    (start, p, f)
}

/// Fixed-size-kernel resampler body; `yr.len()` outputs (all admissible).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn resample_body<const N: usize, const F: bool>(
    tab: &PolyTables<'_>,
    xr: &[f32],
    xi: &[f32],
    base: i64,
    t: &mut u128,
    step: u128,
    yr: &mut [f32],
    yi: &mut [f32],
    sc: &mut [f32; 16],
) -> usize {
    let half = (N / 2) as i64;
    let count = yr.len().min(yi.len());
    for m in 0..count {
        let (start, p, f) = resample_pos(*t, half, base);
        let (Some(a), Some(d), Some(wr), Some(wi)) = (
            tab.coef.get(p * N..p * N + N),
            tab.diff.get(p * N..p * N + N),
            xr.get(start..start + N),
            xi.get(start..start + N),
        ) else {
            return m;
        };
        let mut h = [0f32; N];
        for j in 0..N {
            h[j] = madd::<F>(f, d[j], a[j]);
        }
        let mut ar = [0f32; 8];
        let mut ai = [0f32; 8];
        for c in 0..N / 8 {
            for l in 0..8 {
                ar[l] = madd::<F>(h[c * 8 + l], wr[c * 8 + l], ar[l]);
                ai[l] = madd::<F>(h[c * 8 + l], wi[c * 8 + l], ai[l]);
            }
        }
        // Through caller-owned memory: see fir_dots_real.
        sc[..8].copy_from_slice(&ar);
        sc[8..].copy_from_slice(&ai);
        yr[m] = hsum8(&sc[..8]);
        yi[m] = hsum8(&sc[8..]);
        *t += step;
    }
    count
}

/// Any-length resampler body (`n` a multiple of 8); same arithmetic order
/// as [`resample_body`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn resample_body_any<const F: bool>(
    n: usize,
    tab: &PolyTables<'_>,
    xr: &[f32],
    xi: &[f32],
    base: i64,
    t: &mut u128,
    step: u128,
    yr: &mut [f32],
    yi: &mut [f32],
    sc: &mut [f32; 16],
) -> usize {
    let half = (n / 2) as i64;
    let count = yr.len().min(yi.len());
    for m in 0..count {
        let (start, p, f) = resample_pos(*t, half, base);
        let (Some(a), Some(d), Some(wr), Some(wi)) = (
            tab.coef.get(p * n..p * n + n),
            tab.diff.get(p * n..p * n + n),
            xr.get(start..start + n),
            xi.get(start..start + n),
        ) else {
            return m;
        };
        let mut ar = [0f32; 8];
        let mut ai = [0f32; 8];
        for c in 0..n / 8 {
            let mut h = [0f32; 8];
            for l in 0..8 {
                h[l] = madd::<F>(f, d[c * 8 + l], a[c * 8 + l]);
            }
            for l in 0..8 {
                ar[l] = madd::<F>(h[l], wr[c * 8 + l], ar[l]);
                ai[l] = madd::<F>(h[l], wi[c * 8 + l], ai[l]);
            }
        }
        // Through caller-owned memory: see fir_dots_real.
        sc[..8].copy_from_slice(&ar);
        sc[8..].copy_from_slice(&ai);
        yr[m] = hsum8(&sc[..8]);
        yi[m] = hsum8(&sc[8..]);
        *t += step;
    }
    count
}

/// `out[i] = re[i]^2 + im[i]^2` over the common length.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn magnitude_sq(re: &[f32], im: &[f32], out: &mut [f32]) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    let n = re.len().min(im.len()).min(out.len());
    let (re, im, out) = (&re[..n], &im[..n], &mut out[..n]);
    for i in 0..n {
        out[i] = madd::<F>(re[i], re[i], im[i] * im[i]);
    }
}

/// `w[i] *= s[i]` (complex, interleaved) over the common length.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn cmul_inplace(w: &mut [num_complex::Complex32], s: &[num_complex::Complex32]) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    for (a, b) in w.iter_mut().zip(s) {
        let (ar, ai) = (a.re, a.im);
        a.re = madd::<F>(ar, b.re, -(ai * b.im));
        a.im = madd::<F>(ar, b.im, ai * b.re);
    }
}

/// Appends the real and imaginary parts of `c` to `re` and `im`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn deinterleave(c: &[num_complex::Complex32], re: &mut Vec<f32>, im: &mut Vec<f32>) {
    let n = c.len();
    let (a, b) = (re.len(), im.len());
    re.resize(a + n, 0.0);
    im.resize(b + n, 0.0);
    let (re, im) = (&mut re[a..a + n], &mut im[b..b + n]);
    for i in 0..n {
        re[i] = c[i].re;
        im[i] = c[i].im;
    }
}

/// Appends `re[i] + j im[i]` over the common length to `c`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn interleave(re: &[f32], im: &[f32], c: &mut Vec<num_complex::Complex32>) {
    let n = re.len().min(im.len());
    let (re, im) = (&re[..n], &im[..n]);
    let a = c.len();
    c.resize(a + n, num_complex::Complex32::new(0.0, 0.0));
    let c = &mut c[a..a + n];
    for i in 0..n {
        c[i] = num_complex::Complex32::new(re[i], im[i]);
    }
}

/// Frames handled side by side by the channelizer kernels: one frame per
/// vector lane, so every frame runs the same operations whatever its
/// position in a block.
pub(crate) const FRAME_LANES: usize = 8;

type Lanes = [f32; FRAME_LANES];

/// Polyphase sums of a run of consecutive frames of the channelizer, one
/// frame per lane, for all `m` branches. The input is held transposed:
/// column `s < d` of window row `w` at `t[s·cap + w]`. Branch `q = e·d + s`
/// of frame `l < lanes` (a multiple of [`FRAME_LANES`]) is
/// `Σ_b h[q·per + b] · t[s·cap + g0 + l + b·step + e]` (sum in increasing
/// `b` from 0), written to row `(q + 1) mod m` of `o` (row stride `ostride`,
/// lanes `0..lanes`). Callers keep every index inside the slices (nothing
/// is written otherwise).
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn pfb_rows(
    h: &[f32],
    per: usize,
    m: usize,
    d: usize,
    tr: &[f32],
    ti: &[f32],
    cap: usize,
    g0: usize,
    lanes: usize,
    or: &mut [f32],
    oi: &mut [f32],
    ostride: usize,
) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    const W: usize = FRAME_LANES;
    const U: usize = 4;
    if per == 0 || d == 0 || m < d || !lanes.is_multiple_of(W) || lanes > ostride {
        return;
    }
    let step = m / d;
    let span = (per - 1) * step + (step - 1);
    if g0 + lanes + span > cap
        || h.len() < m * per
        || tr.len() < d * cap
        || ti.len() < d * cap
        || or.len() < m * ostride
        || oi.len() < m * ostride
    {
        return;
    }
    for q in 0..m {
        let (e, s) = (q / d, q % d);
        let h = &h[q * per..(q + 1) * per];
        let base = s * cap + g0 + e;
        let (xr, xi) = (&tr[base..(s + 1) * cap], &ti[base..(s + 1) * cap]);
        let row = (q + 1) % m * ostride;
        let (yr, yi) = (&mut or[row..row + lanes], &mut oi[row..row + lanes]);
        let mut c = 0;
        // four vectors of frames at a time: eight independent sums in flight
        while c + U * W <= lanes {
            let mut ar = [[0f32; W]; U];
            let mut ai = [[0f32; W]; U];
            for (&hb, (wr, wi)) in
                h.iter().zip(xr[c..].windows(U * W).step_by(step).zip(xi[c..].windows(U * W).step_by(step)))
            {
                for u in 0..U {
                    for l in 0..W {
                        ar[u][l] = madd::<F>(hb, wr[u * W + l], ar[u][l]);
                        ai[u][l] = madd::<F>(hb, wi[u * W + l], ai[u][l]);
                    }
                }
            }
            for u in 0..U {
                yr[c + u * W..c + (u + 1) * W].copy_from_slice(&ar[u]);
                yi[c + u * W..c + (u + 1) * W].copy_from_slice(&ai[u]);
            }
            c += U * W;
        }
        while c < lanes {
            let mut ar = [0f32; W];
            let mut ai = [0f32; W];
            for (&hb, (wr, wi)) in h.iter().zip(xr[c..].windows(W).step_by(step).zip(xi[c..].windows(W).step_by(step)))
            {
                for l in 0..W {
                    ar[l] = madd::<F>(hb, wr[l], ar[l]);
                    ai[l] = madd::<F>(hb, wi[l], ai[l]);
                }
            }
            yr[c..c + W].copy_from_slice(&ar);
            yi[c..c + W].copy_from_slice(&ai);
            c += W;
        }
    }
}

/// Writes eight rows of `d` samples (`re`, `im`: `8·d` each, row-major)
/// into rows `w..w + 8` of a transposed store of `d` columns of `cap` rows
/// (column `s`, row `r` at `s·cap + r`). Callers keep `w + 8 ≤ cap` and
/// `tr`, `ti` of at least `d·cap` (nothing is written otherwise).
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn transpose8(re: &[f32], im: &[f32], d: usize, cap: usize, w: usize, tr: &mut [f32], ti: &mut [f32]) {
    if w + 8 > cap || re.len() < 8 * d || im.len() < 8 * d || tr.len() < d * cap || ti.len() < d * cap {
        return;
    }
    for (s, (cr, ci)) in tr.chunks_exact_mut(cap).zip(ti.chunks_exact_mut(cap)).take(d).enumerate() {
        let (cr, ci) = (&mut cr[w..w + 8], &mut ci[w..w + 8]);
        for r in 0..8 {
            cr[r] = re[r * d + s];
            ci[r] = im[r * d + s];
        }
    }
}

/// Appends `x[i] · sign[i]` to `y` over the common length.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn append_scaled(x: &[f32], sign: &[f32], y: &mut Vec<f32>) {
    let n = x.len().min(sign.len());
    // one pass: each value is written once
    y.extend(x[..n].iter().zip(&sign[..n]).map(|(v, s)| v * s));
}

/// One pass of a mixed-radix Stockham FFT (forward, `e^{−j2πkn/N}`) over
/// rows of frames: row `i` of the transform is `x[i·stride ..][..lanes]`,
/// one frame per lane. The pass of radix `r` after passes whose radices
/// multiply to `ns` reads rows `j + t·N/r` (`t < r`), turns row `t` by
/// `tw[(j mod ns)·(r−1) + t − 1]` (interleaved re, im), takes the `r`-point
/// DFT and writes row `t` to `(j / ns)·ns·r + j mod ns + t·ns`. Radices 2,
/// 3, 4 and 5 have their own butterflies; any other radix uses the table
/// `dft` (`cos`, `sin` of `2πt/r`, interleaved) and `scratch` (`2·r·`
/// [`FRAME_LANES`] values). `lanes` is a multiple of [`FRAME_LANES`].
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fft_rows_pass(
    radix: usize,
    ns: usize,
    tw: &[f32],
    dft: &[f32],
    scratch: &mut [f32],
    stride: usize,
    lanes: usize,
    xr: &[f32],
    xi: &[f32],
    yr: &mut [f32],
    yi: &mut [f32],
) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    match radix {
        2 => pass_fixed::<2, F>(ns, tw, stride, lanes, xr, xi, yr, yi),
        3 => pass_fixed::<3, F>(ns, tw, stride, lanes, xr, xi, yr, yi),
        4 => pass_fixed::<4, F>(ns, tw, stride, lanes, xr, xi, yr, yi),
        5 => pass_fixed::<5, F>(ns, tw, stride, lanes, xr, xi, yr, yi),
        r => pass_generic::<F>(r, ns, tw, dft, scratch, stride, lanes, xr, xi, yr, yi),
    }
}

/// `x · (wr + j wi)` lane by lane.
#[inline(always)]
fn turn<const F: bool>(xr: &mut Lanes, xi: &mut Lanes, wr: f32, wi: f32) {
    for l in 0..FRAME_LANES {
        let (a, b) = (xr[l], xi[l]);
        xr[l] = madd::<F>(a, wr, -(b * wi));
        xi[l] = madd::<F>(a, wi, b * wr);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pass_fixed<const R: usize, const F: bool>(
    ns: usize,
    tw: &[f32],
    stride: usize,
    lanes: usize,
    xr: &[f32],
    xi: &[f32],
    yr: &mut [f32],
    yi: &mut [f32],
) {
    const W: usize = FRAME_LANES;
    let rows = xr.len().min(xi.len()).min(yr.len()).min(yi.len()) / stride.max(1);
    if ns == 0 || !rows.is_multiple_of(R * ns) || lanes > stride || tw.len() < ns * (R - 1) * 2 {
        return;
    }
    let quarter = rows / R;
    let rstride = ns * stride;
    for j in 0..quarter {
        let k = j % ns;
        let w = &tw[k * (R - 1) * 2..(k + 1) * (R - 1) * 2];
        let dst = (j / ns) * ns * R + k;
        let xs_r: [&[f32]; R] = std::array::from_fn(|t| &xr[(j + t * quarter) * stride..][..lanes]);
        let xs_i: [&[f32]; R] = std::array::from_fn(|t| &xi[(j + t * quarter) * stride..][..lanes]);
        // output rows dst + t·ns, as R disjoint slices
        let mut rest_r = &mut yr[dst * stride..];
        let mut rest_i = &mut yi[dst * stride..];
        let ys_r: [&mut [f32]; R] = std::array::from_fn(|_| {
            let all = std::mem::take(&mut rest_r);
            let cut = rstride.min(all.len());
            let (head, tail) = all.split_at_mut(cut);
            rest_r = tail;
            &mut head[..lanes]
        });
        let ys_i: [&mut [f32]; R] = std::array::from_fn(|_| {
            let all = std::mem::take(&mut rest_i);
            let cut = rstride.min(all.len());
            let (head, tail) = all.split_at_mut(cut);
            rest_i = tail;
            &mut head[..lanes]
        });
        let mut c = 0;
        while c + W <= lanes {
            let mut vr = [[0f32; W]; R];
            let mut vi = [[0f32; W]; R];
            for t in 0..R {
                vr[t].copy_from_slice(&xs_r[t][c..c + W]);
                vi[t].copy_from_slice(&xs_i[t][c..c + W]);
                if t > 0 {
                    turn::<F>(&mut vr[t], &mut vi[t], w[2 * (t - 1)], w[2 * (t - 1) + 1]);
                }
            }
            match R {
                2 => bfly2(&mut vr, &mut vi),
                3 => bfly3(&mut vr, &mut vi),
                4 => bfly4(&mut vr, &mut vi),
                _ => bfly5::<F>(&mut vr, &mut vi),
            }
            for t in 0..R {
                ys_r[t][c..c + W].copy_from_slice(&vr[t]);
                ys_i[t][c..c + W].copy_from_slice(&vi[t]);
            }
            c += W;
        }
    }
}

#[inline(always)]
fn bfly2(r: &mut [Lanes], i: &mut [Lanes]) {
    for l in 0..FRAME_LANES {
        let (ar, ai, br, bi) = (r[0][l], i[0][l], r[1][l], i[1][l]);
        r[0][l] = ar + br;
        i[0][l] = ai + bi;
        r[1][l] = ar - br;
        i[1][l] = ai - bi;
    }
}

#[inline(always)]
fn bfly3(r: &mut [Lanes], i: &mut [Lanes]) {
    const C: f32 = 0.866_025_4; // sin(2π/3)
    for l in 0..FRAME_LANES {
        let (sr, si) = (r[1][l] + r[2][l], i[1][l] + i[2][l]);
        let (dr, di) = (r[1][l] - r[2][l], i[1][l] - i[2][l]);
        let (tr, ti) = (r[0][l] - 0.5 * sr, i[0][l] - 0.5 * si);
        r[0][l] += sr;
        i[0][l] += si;
        r[1][l] = tr + C * di;
        i[1][l] = ti - C * dr;
        r[2][l] = tr - C * di;
        i[2][l] = ti + C * dr;
    }
}

#[inline(always)]
fn bfly4(r: &mut [Lanes], i: &mut [Lanes]) {
    for l in 0..FRAME_LANES {
        let (s0r, s0i) = (r[0][l] + r[2][l], i[0][l] + i[2][l]);
        let (d0r, d0i) = (r[0][l] - r[2][l], i[0][l] - i[2][l]);
        let (s1r, s1i) = (r[1][l] + r[3][l], i[1][l] + i[3][l]);
        let (d1r, d1i) = (r[1][l] - r[3][l], i[1][l] - i[3][l]);
        r[0][l] = s0r + s1r;
        i[0][l] = s0i + s1i;
        r[2][l] = s0r - s1r;
        i[2][l] = s0i - s1i;
        // d0 ∓ j·d1
        r[1][l] = d0r + d1i;
        i[1][l] = d0i - d1r;
        r[3][l] = d0r - d1i;
        i[3][l] = d0i + d1r;
    }
}

#[inline(always)]
fn bfly5<const F: bool>(r: &mut [Lanes], i: &mut [Lanes]) {
    const C1: f32 = 0.309_017; // cos(2π/5)
    const C2: f32 = -0.809_017; // cos(4π/5)
    const S1: f32 = 0.951_056_5; // sin(2π/5)
    const S2: f32 = 0.587_785_24; // sin(4π/5)
    for l in 0..FRAME_LANES {
        let (x0r, x0i) = (r[0][l], i[0][l]);
        let (s1r, s1i) = (r[1][l] + r[4][l], i[1][l] + i[4][l]);
        let (d1r, d1i) = (r[1][l] - r[4][l], i[1][l] - i[4][l]);
        let (s2r, s2i) = (r[2][l] + r[3][l], i[2][l] + i[3][l]);
        let (d2r, d2i) = (r[2][l] - r[3][l], i[2][l] - i[3][l]);
        let a1r = madd::<F>(C2, s2r, madd::<F>(C1, s1r, x0r));
        let a1i = madd::<F>(C2, s2i, madd::<F>(C1, s1i, x0i));
        let a2r = madd::<F>(C1, s2r, madd::<F>(C2, s1r, x0r));
        let a2i = madd::<F>(C1, s2i, madd::<F>(C2, s1i, x0i));
        let b1r = madd::<F>(S2, d2r, S1 * d1r);
        let b1i = madd::<F>(S2, d2i, S1 * d1i);
        let b2r = madd::<F>(-S1, d2r, S2 * d1r);
        let b2i = madd::<F>(-S1, d2i, S2 * d1i);
        r[0][l] = x0r + (s1r + s2r);
        i[0][l] = x0i + (s1i + s2i);
        // y_k = a_k − j b_k, y_{5−k} = a_k + j b_k
        r[1][l] = a1r + b1i;
        i[1][l] = a1i - b1r;
        r[4][l] = a1r - b1i;
        i[4][l] = a1i + b1r;
        r[2][l] = a2r + b2i;
        i[2][l] = a2i - b2r;
        r[3][l] = a2r - b2i;
        i[3][l] = a2i + b2r;
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pass_generic<const F: bool>(
    radix: usize,
    ns: usize,
    tw: &[f32],
    dft: &[f32],
    scratch: &mut [f32],
    stride: usize,
    lanes: usize,
    xr: &[f32],
    xi: &[f32],
    yr: &mut [f32],
    yi: &mut [f32],
) {
    const W: usize = FRAME_LANES;
    let r = radix;
    let rows = xr.len().min(xi.len()).min(yr.len()).min(yi.len()) / stride.max(1);
    if r < 2
        || ns == 0
        || !rows.is_multiple_of(r * ns)
        || lanes > stride
        || tw.len() < ns * (r - 1) * 2
        || dft.len() < 2 * r
        || scratch.len() < 2 * r * W
    {
        return;
    }
    let (sr, si) = scratch[..2 * r * W].split_at_mut(r * W);
    let quarter = rows / r;
    for j in 0..quarter {
        let k = j % ns;
        let w = &tw[k * (r - 1) * 2..(k + 1) * (r - 1) * 2];
        let dst = (j / ns) * ns * r + k;
        let mut c = 0;
        while c + W <= lanes {
            for t in 0..r {
                let o = (j + t * quarter) * stride + c;
                let mut vr: Lanes = [0.0; W];
                let mut vi: Lanes = [0.0; W];
                vr.copy_from_slice(&xr[o..o + W]);
                vi.copy_from_slice(&xi[o..o + W]);
                if t > 0 {
                    turn::<F>(&mut vr, &mut vi, w[2 * (t - 1)], w[2 * (t - 1) + 1]);
                }
                sr[t * W..(t + 1) * W].copy_from_slice(&vr);
                si[t * W..(t + 1) * W].copy_from_slice(&vi);
            }
            for u in 0..r {
                let mut ar: Lanes = [0.0; W];
                let mut ai: Lanes = [0.0; W];
                for t in 0..r {
                    let e = (u * t) % r;
                    let (co, sn) = (dft[2 * e], dft[2 * e + 1]);
                    let (vr, vi) = (&sr[t * W..(t + 1) * W], &si[t * W..(t + 1) * W]);
                    // (vr + j vi)(cos − j sin)
                    for l in 0..W {
                        ar[l] = madd::<F>(vi[l], sn, madd::<F>(vr[l], co, ar[l]));
                        ai[l] = madd::<F>(-vr[l], sn, madd::<F>(vi[l], co, ai[l]));
                    }
                }
                let o = (dst + u * ns) * stride + c;
                yr[o..o + W].copy_from_slice(&ar);
                yi[o..o + W].copy_from_slice(&ai);
            }
            c += W;
        }
    }
}

/// `out[i] += Σ_p signs[p] · x[i + stride·p]` for `i < out.len()`; `x`
/// holds at least `out.len() + stride·(signs.len() − 1)` values. One pass
/// over `out` per tap, in tap order, so each output gets the same sequence
/// of additions wherever it is.
#[multiversion(targets = "simd")]
pub(crate) fn signed_taps(x: &[f32], stride: usize, signs: &[f32], out: &mut [f32]) {
    // blocks of outputs stay in registers while every tap is added
    const B: usize = 64;
    let n = out.len();
    let mut i0 = 0;
    while i0 + B <= n {
        let mut acc = [0f32; B];
        acc.copy_from_slice(&out[i0..i0 + B]);
        for (p, &s) in signs.iter().enumerate() {
            let xs = &x[p * stride + i0..p * stride + i0 + B];
            for (a, &v) in acc.iter_mut().zip(xs) {
                *a += s * v;
            }
        }
        out[i0..i0 + B].copy_from_slice(&acc);
        i0 += B;
    }
    let tail = &mut out[i0..];
    for (p, &s) in signs.iter().enumerate() {
        let xs = &x[p * stride + i0..p * stride + i0 + tail.len()];
        for (o, &v) in tail.iter_mut().zip(xs) {
            *o += s * v;
        }
    }
}

/// One-symbol-lag differential of a moving-sum-smoothed signal: with
/// `s[j] = x[j] + x[j−1] + x[j−2] + x[j−3]` (j ≥ 3), for every `k` in
/// `0..y_re.len()`: `y[k] = s[k+7]·conj(s[k+3])` and `pw[k] = |s[k+7]|²`.
/// `x` holds `y_re.len() + 7` values; all outputs have one length.
#[multiversion(targets = "simd")]
pub(crate) fn smoothed_lag4(x_re: &[f32], x_im: &[f32], y_re: &mut [f32], y_im: &mut [f32], pw: &mut [f32]) {
    let n = y_re.len().min(y_im.len()).min(pw.len());
    let (x_re, x_im) = (&x_re[..n + 7], &x_im[..n + 7]);
    for k in 0..n {
        let ar = x_re[k + 7] + x_re[k + 6] + x_re[k + 5] + x_re[k + 4];
        let ai = x_im[k + 7] + x_im[k + 6] + x_im[k + 5] + x_im[k + 4];
        let br = x_re[k + 3] + x_re[k + 2] + x_re[k + 1] + x_re[k];
        let bi = x_im[k + 3] + x_im[k + 2] + x_im[k + 1] + x_im[k];
        y_re[k] = ar * br + ai * bi;
        y_im[k] = ai * br - ar * bi;
        pw[k] = ar * ar + ai * ai;
    }
}

/// Box differences at half rate: with `z[i] = x[2i] + x[2i+1]` and
/// `b[i] = z[i] + z[i+1] + z[i+2] + z[i+3]`, `u[i] = b[i+1] − b[i+5]` for
/// `i < u.len()`; `x` holds `2·(u.len() + 8)` values.
#[multiversion(targets = "simd")]
pub(crate) fn half_rate_box_diff(x: &[f32], u: &mut [f32]) {
    let n = u.len();
    let x = &x[..2 * (n + 8)];
    for (i, o) in u.iter_mut().enumerate() {
        let j = 2 * i;
        let b1 = (x[j + 2] + x[j + 3]) + (x[j + 4] + x[j + 5]) + (x[j + 6] + x[j + 7]) + (x[j + 8] + x[j + 9]);
        let b5 = (x[j + 10] + x[j + 11]) + (x[j + 12] + x[j + 13]) + (x[j + 14] + x[j + 15]) + (x[j + 16] + x[j + 17]);
        *o = b1 - b5;
    }
}
