//! The turbo code internal interleaver of 36.212 §5.1.3.2.3: a quadratic
//! permutation polynomial `Π(i) = (f1·i + f2·i²) mod K` with `(f1, f2)`
//! from Table 5.1.3-3.

/// `(f1, f2)` of Table 5.1.3-3 in table order `i = 1..=188`. The block
/// sizes are `K = 40..=512` step 8 (i = 1..=60), `528..=1024` step 16
/// (61..=92), `1056..=2048` step 32 (93..=124), `2112..=6144` step 64
/// (125..=188).
#[rustfmt::skip]
const QPP_TABLE: [(u16, u16); 188] = [
    // K = 40 ..= 512, step 8
    (3, 10), (7, 12), (19, 42), (7, 16), (7, 18), (11, 20), (5, 22), (11, 24),
    (7, 26), (41, 84), (103, 90), (15, 32), (9, 34), (17, 108), (9, 38), (21, 120),
    (101, 84), (21, 44), (57, 46), (23, 48), (13, 50), (27, 52), (11, 36), (27, 56),
    (85, 58), (29, 60), (33, 62), (15, 32), (17, 198), (33, 68), (103, 210), (19, 36),
    (19, 74), (37, 76), (19, 78), (21, 120), (21, 82), (115, 84), (193, 86), (21, 44),
    (133, 90), (81, 46), (45, 94), (23, 48), (243, 98), (151, 40), (155, 102), (25, 52),
    (51, 106), (47, 72), (91, 110), (29, 168), (29, 114), (247, 58), (29, 118), (89, 180),
    (91, 122), (157, 62), (55, 84), (31, 64),
    // K = 528 ..= 1024, step 16
    (17, 66), (35, 68), (227, 420), (65, 96), (19, 74), (37, 76), (41, 234), (39, 80),
    (185, 82), (43, 252), (21, 86), (155, 44), (79, 120), (139, 92), (23, 94), (217, 48),
    (25, 98), (17, 80), (127, 102), (25, 52), (239, 106), (17, 48), (137, 110), (215, 112),
    (29, 114), (15, 58), (147, 118), (29, 60), (59, 122), (65, 124), (55, 84), (31, 64),
    // K = 1056 ..= 2048, step 32
    (17, 66), (171, 204), (67, 140), (35, 72), (19, 74), (39, 76), (19, 78), (199, 240),
    (21, 82), (211, 252), (21, 86), (43, 88), (149, 60), (45, 92), (49, 846), (71, 48),
    (13, 28), (17, 80), (25, 102), (183, 104), (55, 954), (127, 96), (27, 110), (29, 112),
    (29, 114), (57, 116), (45, 354), (31, 120), (59, 610), (185, 124), (113, 420), (31, 64),
    // K = 2112 ..= 6144, step 64
    (17, 66), (171, 136), (209, 420), (253, 216), (367, 444), (265, 456), (181, 468), (39, 80),
    (27, 164), (127, 504), (143, 172), (43, 88), (29, 300), (45, 92), (157, 188), (47, 96),
    (13, 28), (111, 240), (443, 204), (51, 104), (51, 212), (451, 192), (257, 220), (57, 336),
    (313, 228), (271, 232), (179, 236), (331, 120), (363, 244), (375, 248), (127, 168), (31, 64),
    (33, 130), (43, 264), (33, 134), (477, 408), (35, 138), (233, 280), (357, 142), (337, 480),
    (37, 146), (71, 444), (71, 120), (37, 152), (39, 462), (127, 234), (39, 158), (39, 80),
    (31, 96), (113, 902), (41, 166), (251, 336), (43, 170), (21, 86), (43, 174), (45, 176),
    (45, 178), (161, 120), (89, 182), (323, 184), (47, 186), (23, 94), (47, 190), (263, 480),
];

/// Zero-based position in [`QPP_TABLE`] of block size `k`, if `k` is one
/// of the 188 sizes.
fn table_index(k: usize) -> Option<usize> {
    let (base, step, first) = match k {
        40..=512 => (40, 8, 0),
        528..=1024 => (528, 16, 60),
        1056..=2048 => (1056, 32, 92),
        2112..=6144 => (2112, 64, 124),
        _ => return None,
    };
    (k - base).is_multiple_of(step).then(|| first + (k - base) / step)
}

/// `(f1, f2)` of Table 5.1.3-3 for block size `k`, or `None` when `k` is
/// not one of the 188 LTE turbo block sizes.
pub fn qpp_params(k: usize) -> Option<(u32, u32)> {
    table_index(k).map(|i| (QPP_TABLE[i].0 as u32, QPP_TABLE[i].1 as u32))
}

/// The 188 valid turbo block sizes `K`, ascending.
pub fn block_sizes() -> impl Iterator<Item = usize> {
    (40..=512)
        .step_by(8)
        .chain((528..=1024).step_by(16))
        .chain((1056..=2048).step_by(32))
        .chain((2112..=6144).step_by(64))
}

/// Fills `out` (length `k`) with `Π(i) = (f1·i + f2·i²) mod k`, computed
/// incrementally (`Π(i + 1) = Π(i) + f1 + f2·(2i + 1)`, all mod `k`).
pub(crate) fn qpp_permutation(k: usize, f1: u32, f2: u32, out: &mut [u32]) {
    let k = k as u64;
    let (mut p, mut d) = (0u64, (f1 as u64 + f2 as u64) % k); // Π(0), Π(1) − Π(0)
    let step = (2 * f2 as u64) % k;
    for o in out.iter_mut() {
        *o = p as u32;
        p += d;
        if p >= k {
            p -= k;
        }
        d += step;
        if d >= k {
            d -= k;
        }
    }
}

/// The interleaver `Π(0..K)` for a table block size.
pub fn qpp_interleaver(k: usize) -> Option<Vec<u32>> {
    let (f1, f2) = qpp_params(k)?;
    let mut out = vec![0u32; k];
    qpp_permutation(k, f1, f2, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shape() {
        let ks: Vec<usize> = block_sizes().collect();
        assert_eq!(ks.len(), 188);
        assert_eq!((ks[0], ks[187]), (40, 6144));
        for (i, &k) in ks.iter().enumerate() {
            assert_eq!(table_index(k), Some(i));
        }
        for k in [0usize, 39, 41, 44, 520, 1032, 2080, 6145, 6208, 10_000] {
            assert_eq!(qpp_params(k), None, "K = {k}");
        }
        // 36.212 numbers the rows from 1: row 104 is K = 1408.
        assert_eq!(ks[103], 1408);
        assert_eq!(qpp_params(1408), Some((43, 88)));
        assert_eq!(qpp_params(40), Some((3, 10)));
        assert_eq!(qpp_params(512), Some((31, 64)));
        assert_eq!(qpp_params(528), Some((17, 66)));
        assert_eq!(qpp_params(1024), Some((31, 64)));
        assert_eq!(qpp_params(6144), Some((263, 480)));
        // QPP conditions: f1 odd (coprime to K, a multiple of 8), f2 even
        // (every prime factor of K divides f2).
        for k in block_sizes() {
            let (f1, f2) = qpp_params(k).unwrap();
            assert!(f1 % 2 == 1 && f2 % 2 == 0 && (f2 as usize) < k && (f1 as usize) < k, "K = {k}");
            assert!(k % 3 != 0 || f2 % 3 == 0, "K = {k}");
            assert!(k % 5 != 0 || f2 % 5 == 0, "K = {k}");
            assert!(k % 3 != 0 || f1 % 3 != 0, "K = {k}");
            assert!(k % 5 != 0 || f1 % 5 != 0, "K = {k}");
        }
    }

    #[test]
    fn every_table_entry_is_a_bijection() {
        for k in block_sizes() {
            let (f1, f2) = qpp_params(k).unwrap();
            let p = qpp_interleaver(k).unwrap();
            let mut seen = vec![false; k];
            for (i, &v) in p.iter().enumerate() {
                // the closed form, in u64
                let direct = ((f1 as u64 * i as u64 + f2 as u64 * (i as u64 * i as u64)) % k as u64) as u32;
                assert_eq!(v, direct, "K = {k}, i = {i}");
                assert!(!seen[v as usize], "K = {k}: {v} twice");
                seen[v as usize] = true;
            }
        }
    }

    #[test]
    fn spot_values() {
        // Worked by hand: K = 40, f1 = 3, f2 = 10:
        // Π(1) = 13, Π(2) = 46 mod 40 = 6, Π(3) = 99 mod 40 = 19.
        let p = qpp_interleaver(40).unwrap();
        assert_eq!(&p[..4], &[0, 13, 6, 19]);
        // K = 1408, f1 = 43, f2 = 88: Π(1) = 131, Π(2) = 438,
        // Π(16) = (688 + 22528) mod 1408 = 688 (22528 = 16·1408).
        let p = qpp_interleaver(1408).unwrap();
        assert_eq!(&p[..3], &[0, 131, 438]);
        assert_eq!(p[16], 688);
    }
}
