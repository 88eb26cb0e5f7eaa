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

/// Polyphase filter-bank accumulation: `a[q] = Σ_b h[b·m + q] · w[b·m + q]`
/// over the `h.len() / m` blocks of `m`, for the real and imaginary parts
/// of the window `w` (the taps `h` are the prototype reversed). Callers
/// pass `h`, `wr`, `wi` of equal length, a multiple of `m`, and `ar`, `ai`
/// of length `m`.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub(crate) fn pfb_accumulate(h: &[f32], wr: &[f32], wi: &[f32], m: usize, ar: &mut [f32], ai: &mut [f32]) {
    const F: bool = target_cfg_f!(target_feature = "fma") || cfg!(target_arch = "aarch64");
    if m == 0 {
        return;
    }
    let (ar, ai) = (&mut ar[..m], &mut ai[..m]);
    ar.fill(0.0);
    ai.fill(0.0);
    for ((hb, rb), ib) in h.chunks_exact(m).zip(wr.chunks_exact(m)).zip(wi.chunks_exact(m)) {
        for q in 0..m {
            ar[q] = madd::<F>(hb[q], rb[q], ar[q]);
            ai[q] = madd::<F>(hb[q], ib[q], ai[q]);
        }
    }
}
