//! Rate matching for turbo-coded transport channels, 36.212 §5.1.4.1,
//! and its soft inverse.
//!
//! Each of the three encoder output streams (`D = K + 4` bits) goes
//! through a sub-block interleaver with `C = 32` columns and
//! `R = ⌈D / 32⌉` rows: `N_D = 32R − D` dummy (`<NULL>`) bits are put in
//! front, the matrix is filled row by row, its columns are permuted with
//! [`COLUMN_PERMUTATION`] and read out column by column. The third stream
//! uses the shifted permutation `π(k) = (P[⌊k/R⌋] + 32·(k mod R) + 1) mod
//! K_Π`. The circular buffer is `w = [v⁽⁰⁾ | v⁽¹⁾₀ v⁽²⁾₀ v⁽¹⁾₁ v⁽²⁾₁ …]` of
//! `K_w = 3·K_Π` positions, of which the first `N_cb` are used (`N_cb =
//! K_w` unless a soft-buffer limit is given). Transmission starts at `k0 =
//! R·(2·⌈N_cb / (8R)⌉·rv + 2)` and reads `E` bits, skipping `<NULL>`s and
//! wrapping around.
//!
//! [`RateMatcher`] precomputes, once per `D` (and `N_cb`), the list of
//! non-`<NULL>` circular-buffer positions as (stream, index) pairs, so
//! matching and dematching are a single walk over that list.

/// The inter-column permutation pattern `P` of Table 5.1.4-1.
pub const COLUMN_PERMUTATION: [usize; 32] = [
    0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30, 1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15,
    31,
];

const COLUMNS: usize = 32;
/// Bit position of the stream number in a packed (stream, index) entry.
const STREAM_SHIFT: u32 = 30;
const INDEX_MASK: u32 = (1 << STREAM_SHIFT) - 1;

/// Turbo rate matcher / dematcher for one stream length `D = K + 4`.
#[derive(Clone)]
pub struct RateMatcher {
    d_len: usize,
    rows: usize,
    n_cb: usize,
    /// the non-NULL positions of the circular buffer `w[0..N_cb]`, in
    /// order, as `stream << 30 | index` into `d⁽stream⁾`
    valid: Vec<u32>,
    /// for rv = 0..4: the rank in `valid` of the first non-NULL position at
    /// or after `k0`
    start: [usize; 4],
}

impl std::fmt::Debug for RateMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateMatcher")
            .field("d_len", &self.d_len)
            .field("rows", &self.rows)
            .field("n_cb", &self.n_cb)
            .finish_non_exhaustive()
    }
}

impl RateMatcher {
    /// A rate matcher for streams of `d_len` bits (`D = K + 4`; clamped to
    /// at least 1) with no soft-buffer limit (`N_cb = K_w`).
    pub fn new(d_len: usize) -> Self {
        Self::with_soft_buffer(d_len, usize::MAX)
    }

    /// As [`RateMatcher::new`] with the circular buffer limited to `n_cb`
    /// positions (36.212: `N_cb = min(⌊N_IR / C⌋, K_w)`), clamped to
    /// `K_Π..=K_w`.
    pub fn with_soft_buffer(d_len: usize, n_cb: usize) -> Self {
        let d_len = d_len.clamp(1, INDEX_MASK as usize);
        let rows = d_len.div_ceil(COLUMNS);
        let k_pi = rows * COLUMNS;
        let n_d = k_pi - d_len;
        let n_cb = n_cb.clamp(k_pi, 3 * k_pi);
        // y index (with the dummies in front) → packed entry, or None
        let entry = |stream: u32, y: usize| (y >= n_d).then(|| (stream << STREAM_SHIFT) | (y - n_d) as u32);
        let v01 = |k: usize| COLUMN_PERMUTATION[k / rows] + COLUMNS * (k % rows);
        let v2 = |k: usize| (v01(k) + 1) % k_pi;
        let w = |j: usize| {
            if j < k_pi {
                entry(0, v01(j))
            } else {
                let m = (j - k_pi) / 2;
                if (j - k_pi).is_multiple_of(2) { entry(1, v01(m)) } else { entry(2, v2(m)) }
            }
        };
        let mut valid = Vec::with_capacity(3 * d_len);
        let mut start = [0usize; 4];
        let k0s: [usize; 4] = std::array::from_fn(|rv| Self::k0_of(rows, n_cb, rv as u8));
        for j in 0..n_cb {
            for (rv, &k0) in k0s.iter().enumerate() {
                if j == k0 {
                    start[rv] = valid.len();
                }
            }
            if let Some(e) = w(j) {
                valid.push(e);
            }
        }
        for s in &mut start {
            if *s >= valid.len() {
                *s = 0;
            }
        }
        RateMatcher { d_len, rows, n_cb, valid, start }
    }

    fn k0_of(rows: usize, n_cb: usize, rv: u8) -> usize {
        let rv = (rv % 4) as usize;
        rows * (2 * n_cb.div_ceil(8 * rows) * rv + 2) % n_cb
    }

    /// Stream length `D`.
    pub fn d_len(&self) -> usize {
        self.d_len
    }

    /// Rows `R` of the sub-block interleaver.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Dummy bits `N_D` in front of each sub-block.
    pub fn dummy_bits(&self) -> usize {
        self.rows * COLUMNS - self.d_len
    }

    /// Circular buffer length `K_w = 3·K_Π`.
    pub fn k_w(&self) -> usize {
        3 * self.rows * COLUMNS
    }

    /// Circular buffer positions in use, `N_cb`.
    pub fn n_cb(&self) -> usize {
        self.n_cb
    }

    /// Starting position `k0` of redundancy version `rv` (taken mod 4).
    pub fn k0(&self, rv: u8) -> usize {
        Self::k0_of(self.rows, self.n_cb, rv)
    }

    /// Number of non-`<NULL>` positions in the circular buffer (the coded
    /// bits a transmission cycles through).
    pub fn buffer_bits(&self) -> usize {
        self.valid.len()
    }

    /// Calls `f(j, entry)` for the transmitted bits `j = 0..e` with their
    /// packed (stream, index) entries, in segments of the circular walk
    /// (a plain loop per segment).
    #[inline(always)]
    fn walk(&self, e: usize, rv: u8, mut f: impl FnMut(std::ops::Range<usize>, &[u32])) {
        let mut pos = self.start[(rv % 4) as usize];
        let mut j = 0;
        while j < e {
            let seg = &self.valid[pos..];
            let n = seg.len().min(e - j);
            f(j..j + n, &seg[..n]);
            j += n;
            pos = 0;
        }
    }

    /// Appends the `e` rate-matched bits of redundancy version `rv` to
    /// `out`, from the three encoder streams `d` (each of length `D`).
    ///
    /// # Panics
    /// If a stream is shorter than `D`.
    pub fn rate_match<S: AsRef<[u8]>>(&self, d: &[S; 3], e: usize, rv: u8, out: &mut Vec<u8>) {
        let d: [&[u8]; 3] = std::array::from_fn(|i| &d[i].as_ref()[..self.d_len]);
        let base = out.len();
        out.resize(base + e, 0);
        let out = &mut out[base..];
        self.walk(e, rv, |range, entries| {
            for (o, &c) in out[range].iter_mut().zip(entries) {
                *o = d[(c >> STREAM_SHIFT) as usize][(c & INDEX_MASK) as usize];
            }
        });
    }

    /// Soft inverse of [`RateMatcher::rate_match`]: the `E = llr.len()`
    /// received LLRs of redundancy version `rv` go back to their stream
    /// positions. `out` is zeroed first; repeated positions are added
    /// (soft combining), positions never transmitted stay 0.
    ///
    /// # Panics
    /// If an output stream is shorter than `D`.
    pub fn rate_dematch(&self, llr: &[f32], rv: u8, out: [&mut [f32]; 3]) {
        let mut out = out.map(|o| &mut o[..self.d_len]);
        for o in &mut out {
            o.fill(0.0);
        }
        self.accumulate(llr, rv, out);
    }

    /// As [`RateMatcher::rate_dematch`] but adds to the current contents of
    /// `out` (combining several transmissions, e.g. redundancy versions).
    pub fn rate_dematch_add(&self, llr: &[f32], rv: u8, out: [&mut [f32]; 3]) {
        self.accumulate(llr, rv, out.map(|o| &mut o[..self.d_len]));
    }

    fn accumulate(&self, llr: &[f32], rv: u8, mut out: [&mut [f32]; 3]) {
        self.walk(llr.len(), rv, |range, entries| {
            for (&x, &c) in llr[range].iter().zip(entries) {
                out[(c >> STREAM_SHIFT) as usize][(c & INDEX_MASK) as usize] += x;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Rng;

    /// 36.212 §5.1.4.1 written out literally: the interleaver matrices with
    /// `None` for `<NULL>`, the circular buffer, and the `j` loop.
    fn reference(d: &[Vec<u8>; 3], n_cb: Option<usize>, e: usize, rv: usize) -> Vec<u8> {
        let dl = d[0].len();
        let r = dl.div_ceil(32);
        let kpi = 32 * r;
        let nd = kpi - dl;
        let mut v: Vec<Vec<Option<u8>>> = Vec::new();
        for (i, s) in d.iter().enumerate() {
            let y: Vec<Option<u8>> = (0..kpi).map(|k| if k < nd { None } else { Some(s[k - nd]) }).collect();
            let vi: Vec<Option<u8>> = if i < 2 {
                // matrix y[row][col] = y[32·row + col]; permute columns; read column-wise
                let mut out = Vec::new();
                for &col in &COLUMN_PERMUTATION {
                    for row in 0..r {
                        out.push(y[32 * row + col]);
                    }
                }
                out
            } else {
                (0..kpi).map(|k| y[(COLUMN_PERMUTATION[k / r] + 32 * (k % r) + 1) % kpi]).collect()
            };
            v.push(vi);
        }
        let mut w = v[0].clone();
        for (&a, &b) in v[1].iter().zip(&v[2]) {
            w.push(a);
            w.push(b);
        }
        let ncb = n_cb.unwrap_or(3 * kpi);
        let k0 = r * (2 * ncb.div_ceil(8 * r) * rv + 2);
        let mut out = Vec::new();
        let mut j = 0;
        while out.len() < e {
            if let Some(b) = w[(k0 + j) % ncb] {
                out.push(b);
            }
            j += 1;
        }
        out
    }

    fn random_streams(rng: &mut Rng, dl: usize) -> [Vec<u8>; 3] {
        std::array::from_fn(|_| (0..dl).map(|_| (rng.next_u64() >> 63) as u8).collect())
    }

    #[test]
    fn dji_parameters() {
        let rm = RateMatcher::new(1412);
        assert_eq!(rm.rows(), 45);
        assert_eq!(rm.dummy_bits(), 28);
        assert_eq!(rm.k_w(), 4320);
        assert_eq!(rm.n_cb(), 4320);
        assert_eq!(rm.k0(0), 90);
        assert_eq!(rm.buffer_bits(), 4236);
        // rv 1..3: R·(2·⌈4320/360⌉·rv + 2) = 45·(24·rv + 2)
        assert_eq!([rm.k0(1), rm.k0(2), rm.k0(3)], [1170, 2250, 3330]);
    }

    /// E = 7200, rv = 0: after the 4148 bits from k0 = 90 to the end of the
    /// buffer, the transmission wraps to w[0] and sends the whole
    /// systematic sub-block v⁽⁰⁾ (1412 non-NULL bits) in a row.
    #[test]
    fn dji_systematic_run_is_d0() {
        let mut rng = Rng::new(42);
        let d = random_streams(&mut rng, 1412);
        let rm = RateMatcher::new(1412);
        let mut e = Vec::new();
        rm.rate_match(&d, 7200, 0, &mut e);
        assert_eq!(e.len(), 7200);
        let run = &e[4148..5560];
        // undo the 32-column interleaver: v⁽⁰⁾ is read column by column
        // (columns in the order P), rows 0..45; row 0 of columns 0..28
        // holds the dummies
        let (r, nd) = (45, 28);
        let mut y = vec![None; 32 * r];
        let mut it = run.iter();
        for &col in &COLUMN_PERMUTATION {
            for row in 0..r {
                let pos = 32 * row + col;
                if pos >= nd {
                    y[pos] = Some(*it.next().unwrap());
                }
            }
        }
        assert!(it.next().is_none());
        let d0: Vec<u8> = y[nd..].iter().map(|b| b.unwrap()).collect();
        assert_eq!(d0, d[0]);
        assert!(y[..nd].iter().all(Option::is_none));
    }

    #[test]
    fn matches_literal_reference() {
        let mut rng = Rng::new(1);
        for dl in [1usize, 31, 32, 33, 44, 132, 516, 1412, 6148] {
            let d = random_streams(&mut rng, dl);
            for n_cb in [None, Some(3 * 32 * dl.div_ceil(32) - 20), Some(32 * dl.div_ceil(32) + 7)] {
                let rm = match n_cb {
                    None => RateMatcher::new(dl),
                    Some(n) => RateMatcher::with_soft_buffer(dl, n),
                };
                for rv in 0..4u8 {
                    for e in [1usize, 17, 3 * dl, 7200, 5 * dl + 3] {
                        let mut got = vec![7u8];
                        rm.rate_match(&d, e, rv, &mut got);
                        assert_eq!(got[0], 7, "appends");
                        assert_eq!(got[1..], reference(&d, n_cb, e, rv as usize), "D={dl} n_cb={n_cb:?} rv={rv} E={e}");
                    }
                }
            }
        }
    }

    #[test]
    fn dematch_inverts_match_with_multiplicity() {
        let mut rng = Rng::new(8);
        for (dl, e, rv) in
            [(1412usize, 7200usize, 0u8), (1412, 3000, 0), (1412, 3000, 2), (76, 1000, 3), (6148, 18444, 1)]
        {
            let d = random_streams(&mut rng, dl);
            let rm = RateMatcher::new(dl);
            let mut tx = Vec::new();
            rm.rate_match(&d, e, rv, &mut tx);
            let llr: Vec<f32> = tx.iter().map(|&b| if b == 0 { 1.0 } else { -1.0 }).collect();
            let mut out = [vec![9f32; dl], vec![9f32; dl], vec![9f32; dl]];
            let [o0, o1, o2] = &mut out;
            rm.rate_dematch(&llr, rv, [o0, o1, o2]);
            let n = rm.buffer_bits();
            let (full, extra) = (e / n, e % n);
            let mut hist = [0usize; 8];
            for s in 0..3 {
                for i in 0..dl {
                    let v = out[s][i];
                    let m = v.abs() as usize;
                    assert_eq!(v.abs(), m as f32);
                    assert!(m == full || m == full + 1, "D={dl} E={e}: multiplicity {m}");
                    if m > 0 {
                        assert_eq!(v < 0.0, d[s][i] == 1, "sign at stream {s} [{i}]");
                    }
                    hist[m] += 1;
                }
            }
            assert_eq!(hist[full + 1], extra, "D={dl} E={e}: positions sent once more");
            assert_eq!(hist.iter().enumerate().map(|(m, c)| m * c).sum::<usize>(), e);
            // accumulate a second copy
            let [o0, o1, o2] = &mut out;
            rm.rate_dematch_add(&llr, rv, [o0, o1, o2]);
            assert!(out[0].iter().all(|v| (v.abs() as usize).is_multiple_of(2)));
        }
    }

    #[test]
    fn dji_rv0_transmits_everything() {
        let rm = RateMatcher::new(1412);
        let llr = vec![1f32; 7200];
        let mut out = [vec![0f32; 1412], vec![0f32; 1412], vec![0f32; 1412]];
        let [o0, o1, o2] = &mut out;
        rm.rate_dematch(&llr, 0, [o0, o1, o2]);
        // 7200 = 4236 + 2964: every coded bit at least once; the wrap-around
        // repeats the systematic bits except the 88 of w[0..90) (columns 0
        // and 16 of v⁽⁰⁾, before k0), and 1640 of the parity bits
        assert!(out.iter().flatten().all(|&v| v == 1.0 || v == 2.0));
        assert_eq!(out[0].iter().filter(|&&v| v == 2.0).count(), 1412 - 88);
        assert_eq!(out[1..].iter().flatten().filter(|&&v| v == 2.0).count(), 2964 - 1324);
    }
}
