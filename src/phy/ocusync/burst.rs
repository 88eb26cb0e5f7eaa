//! The DroneID burst: numerology, symbol positions, Zadoff-Chu references
//! and the subcarrier map (spec `dji-droneid.md` §2–§4). Everything here is
//! at the native rate of 15.36 MS/s.

use num_complex::Complex32;

/// Native sample rate.
pub const FS: f64 = 15.36e6;
/// FFT size at the native rate.
pub const N: usize = 1024;
/// Subcarrier spacing.
pub const SUBCARRIER_HZ: f64 = 15e3;
/// Used subcarriers (k = −300…−1, +1…+300).
pub const USED: usize = 600;
/// Long and short cyclic prefixes.
pub const CP_LONG: usize = 80;
pub const CP_SHORT: usize = 72;
/// A symbol with a short CP.
pub const SYM: usize = N + CP_SHORT;
/// Coded bits per data symbol and per burst.
pub const BITS_PER_SYMBOL: usize = 2 * USED;
pub const DATA_SYMBOLS: usize = 6;
pub const CODED_BITS: usize = DATA_SYMBOLS * BITS_PER_SYMBOL;
/// Scrambler seed (the LTE Gold sequence's c_init).
pub const SCRAMBLER_SEED: u32 = 0x1234_5678;
/// Zadoff-Chu roots of the two reference symbols.
pub const ZC_ROOTS: [u32; 2] = [600, 147];
/// Length of a 9-symbol burst and of an 8-symbol one (short first CP).
pub const LEN_9: usize = 9 * N + 2 * CP_LONG + 7 * CP_SHORT;
pub const LEN_8: usize = 8 * N + CP_LONG + 7 * CP_SHORT;

/// Start of the FFT window of the symbol at offset `r` (−3..=5) from the
/// first ZC symbol's window, in samples relative to it. r = −3 is the Gold
/// symbol of 9-symbol bursts; r = 0 and 2 are the ZC symbols; the data
/// symbols are r = −2, −1, 1, 3, 4, 5 in transmission order.
pub const fn window_offset(r: i32) -> i64 {
    if r <= 4 { r as i64 * SYM as i64 } else { 4 * SYM as i64 + N as i64 + CP_LONG as i64 }
}

/// Offsets of the data symbols, in the order their bits are sent.
pub const DATA_R: [i32; DATA_SYMBOLS] = [-2, -1, 1, 3, 4, 5];
/// Offsets of the ZC symbols (root 600, root 147).
pub const ZC_R: [i32; 2] = [0, 2];
/// Offset of the Gold symbol (9-symbol bursts only).
pub const GOLD_R: i32 = -3;

/// From the first ZC symbol's window back to the first sample of the burst.
pub const fn burst_start_offset(nine: bool) -> i64 {
    if nine { window_offset(GOLD_R) - CP_LONG as i64 } else { window_offset(-2) - CP_SHORT as i64 }
}

/// FFT bin of subcarrier `k` (−300..=300, k ≠ 0).
pub const fn bin(k: i32) -> usize {
    k.rem_euclid(N as i32) as usize
}

/// FFT bins of the used subcarriers in ascending subcarrier order
/// (k = −300 first): the order data and ZC values are mapped in.
pub fn used_bins() -> [usize; USED] {
    let mut b = [0usize; USED];
    for (i, k) in (-300..0).chain(1..=300).enumerate() {
        b[i] = bin(k);
    }
    b
}

/// The 600 frequency-domain values of the ZC symbol with root `u`, in
/// ascending subcarrier order (element n = 300 of the 601-long sequence,
/// which would land on DC, dropped).
pub fn zc_values(u: u32) -> Vec<Complex32> {
    (0..601u64)
        .filter(|&n| n != 300)
        .map(|n| {
            // −π·u·n(n+1)/601, reduced modulo 2·601 exactly in integers
            let m = (u as u64 * n * (n + 1)) % 1202;
            let ph = -std::f64::consts::PI * m as f64 / 601.0;
            Complex32::new(ph.cos() as f32, ph.sin() as f32)
        })
        .collect()
}

/// LTE QPSK mapping of a bit pair (36.211 §7.1.2), unnormalized (±1 ± j).
pub fn qpsk(b0: u8, b1: u8) -> Complex32 {
    Complex32::new(1.0 - 2.0 * (b0 & 1) as f32, 1.0 - 2.0 * (b1 & 1) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_spec() {
        assert_eq!(LEN_9, 9880);
        assert_eq!(LEN_8, 8776);
        assert_eq!(window_offset(-3), -3288);
        assert_eq!(window_offset(-2), -2192);
        assert_eq!(window_offset(5), 5488);
        // the last symbol's window ends the burst
        assert_eq!(burst_start_offset(true) + LEN_9 as i64, window_offset(5) + N as i64);
        assert_eq!(burst_start_offset(false) + LEN_8 as i64, window_offset(5) + N as i64);
        let b = used_bins();
        assert_eq!(b[0], 724);
        assert_eq!(b[299], 1023);
        assert_eq!(b[300], 1);
        assert_eq!(b[599], 300);
    }

    #[test]
    fn zc_is_constant_amplitude_and_root_600_is_conjugate_of_root_1() {
        let a = zc_values(600);
        let b = zc_values(1);
        assert_eq!(a.len(), USED);
        for (x, y) in a.iter().zip(&b) {
            assert!((x.norm() - 1.0).abs() < 1e-5);
            assert!((x - y.conj()).norm() < 1e-4);
        }
        // direct formula for one element of root 147
        let n = 7.0f64;
        let ph = -std::f64::consts::PI * 147.0 * n * (n + 1.0) / 601.0;
        assert!((zc_values(147)[7] - Complex32::new(ph.cos() as f32, ph.sin() as f32)).norm() < 1e-4);
    }
}
