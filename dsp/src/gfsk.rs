//! GFSK / binary CPM with a Gaussian frequency pulse: the phase pulse, a
//! modulator at any (fractional) samples-per-symbol, and the branch
//! waveforms a coherent sequence detector needs.
//!
//! Phase: φ(t) = 2πh Σ_i a_i q(t − iT), a_i = ±1, where q is the integral
//! of the frequency pulse g (a rectangle of one symbol filtered by a
//! Gaussian of bandwidth-time product BT), q(−∞) = 0 and q(+∞) = 1/2. So a
//! symbol turns the phase by ±πh in total. Time is measured in symbols.

/// The phase pulse q(t) of a Gaussian-filtered rectangular frequency pulse,
/// tabulated finely over its support and truncated to `span` symbols
/// (centred on the symbol; outside it q is 0 before and 1/2 after).
#[derive(Debug, Clone)]
pub struct PhasePulse {
    bt: f64,
    span: f64,
    /// q at `RES` points per symbol from −span/2 to +span/2.
    table: Vec<f64>,
}

const RES: usize = 1024;

/// Q function (Gaussian tail) through erfc.
fn q_tail(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit,
/// |relative error| < 1.2e-7), enough for pulse shaping.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

impl PhasePulse {
    /// `bt`: bandwidth-time product (0.5 for BLE); `span`: symbols kept
    /// (3 is enough for BT = 0.5: the rest of the pulse is below 1e-4).
    pub fn new(bt: f64, span: usize) -> Self {
        let span = span.max(1) as f64;
        let n = (span * RES as f64) as usize + 1;
        // frequency pulse g(t) = (1/2T)[Q(c(t − 1/2)) − Q(c(t + 1/2))], c = 2πB/√ln2
        let c = 2.0 * std::f64::consts::PI * bt / std::f64::consts::LN_2.sqrt();
        let g = |t: f64| 0.5 * (q_tail(c * (t - 0.5)) - q_tail(c * (t + 0.5)));
        // integrate with the trapezoid rule from far left, then normalise so q(end) = 1/2
        let dt = 1.0 / RES as f64;
        let start = -span / 2.0;
        let mut acc = 0.0;
        // the part of the pulse left of the table (tiny for span ≥ 3)
        let mut t = start - 4.0;
        while t < start - 1e-12 {
            acc += 0.5 * (g(t) + g(t + dt)) * dt;
            t += dt;
        }
        let mut table = Vec::with_capacity(n);
        for i in 0..n {
            let t = start + i as f64 * dt;
            table.push(acc);
            acc += 0.5 * (g(t) + g(t + dt)) * dt;
        }
        let last = table[n - 1];
        let first = table[0];
        for v in &mut table {
            // pin the ends to exactly 0 and 1/2 so truncation keeps phase continuity
            *v = (*v - first) / (last - first) * 0.5;
        }
        PhasePulse { bt, span, table }
    }

    pub fn bt(&self) -> f64 {
        self.bt
    }

    /// Symbols of support.
    pub fn span(&self) -> f64 {
        self.span
    }

    /// q(t), t in symbols relative to the symbol's centre.
    pub fn q(&self, t: f64) -> f64 {
        let x = (t + self.span / 2.0) * RES as f64;
        if x <= 0.0 {
            return 0.0;
        }
        let i = x as usize;
        if i + 1 >= self.table.len() {
            return 0.5;
        }
        let f = x - i as f64;
        self.table[i] * (1.0 - f) + self.table[i + 1] * f
    }
}

/// GFSK modulator at an arbitrary sample rate.
#[derive(Debug, Clone)]
pub struct Modulator {
    pulse: PhasePulse,
    h: f64,
    guard: f64,
}

impl Modulator {
    pub fn new(bt: f64, h: f64) -> Self {
        Modulator { pulse: PhasePulse::new(bt, 3), h, guard: 0.0 }
    }

    /// Keeps the carrier on for `symbols` before the first and after the
    /// last symbol (unmodulated: the phase just settles), as transmitters
    /// do while their power amplifier ramps; 0 (the default) switches the
    /// carrier exactly at the burst's edges.
    pub fn with_guard(mut self, symbols: f64) -> Self {
        self.guard = symbols.max(0.0);
        self
    }

    pub fn pulse(&self) -> &PhasePulse {
        &self.pulse
    }

    pub fn h(&self) -> f64 {
        self.h
    }

    /// The phase (radians) at time `t` (symbols; symbol i is centred at
    /// t = i + 1/2, i.e. occupies [i, i+1)) for `bits` (true = +1).
    pub fn phase_at(&self, bits: &[bool], t: f64) -> f64 {
        let prefix = prefix_sums(bits);
        self.phase_with_prefix(bits, &prefix, t)
    }

    /// [`phase_at`](Self::phase_at) with `prefix[i]` = Σ_{j<i} a_j / 2
    /// precomputed (see [`prefix_sums`]): O(1) per call.
    pub fn phase_with_prefix(&self, bits: &[bool], prefix: &[f64], t: f64) -> f64 {
        let half = self.pulse.span / 2.0;
        // symbols entirely in the past contribute ±1/2 each
        let full_end = ((t - 0.5 - half).floor() + 1.0).clamp(0.0, bits.len() as f64) as usize;
        let mut phi = prefix.get(full_end).copied().unwrap_or(0.0);
        let hi = ((t - 0.5 + half).ceil()).clamp(0.0, bits.len() as f64) as usize;
        for (i, &b) in bits.iter().enumerate().take(hi).skip(full_end) {
            let a = if b { 1.0 } else { -1.0 };
            phi += a * self.pulse.q(t - (i as f64 + 0.5));
        }
        2.0 * std::f64::consts::PI * self.h * phi
    }

    /// Writes `exp(j(φ(t) + phase0 + 2π·cfo·n))`·`amplitude` for samples
    /// n = 0..len at times t_n = (n − t0_samples)/sps symbols, adding into
    /// `re`/`im` (so packets can be summed into a capture). `cfo_cycles_per_sample`
    /// is the carrier offset in cycles per sample. Samples more than a few
    /// symbols before or after the burst are left untouched.
    #[allow(clippy::too_many_arguments)]
    pub fn add_to(
        &self,
        bits: &[bool],
        sps: f64,
        t0_samples: f64,
        amplitude: f32,
        phase0: f64,
        cfo_cycles_per_sample: f64,
        re: &mut [f32],
        im: &mut [f32],
    ) {
        let two_pi = 2.0 * std::f64::consts::PI;
        let prefix = prefix_sums(bits);
        let n = re.len().min(im.len());
        // the burst's extent in samples: the symbols, plus the guard time
        let first = (t0_samples - self.guard * sps).ceil().max(0.0) as usize;
        let last = ((t0_samples + (bits.len() as f64 + self.guard) * sps).floor().max(0.0) as usize).min(n);
        for k in first.min(n)..last {
            let t = (k as f64 - t0_samples) / sps;
            let ph = self.phase_with_prefix(bits, &prefix, t) + phase0 + two_pi * cfo_cycles_per_sample * k as f64;
            let (s, c) = ph.sin_cos();
            re[k] += amplitude * c as f32;
            im[k] += amplitude * s as f32;
        }
    }
}

/// `prefix[i]` = Σ_{j<i} a_j / 2 for bits a = ±1 (length bits.len() + 1).
pub fn prefix_sums(bits: &[bool]) -> Vec<f64> {
    let mut p = Vec::with_capacity(bits.len() + 1);
    let mut acc = 0.0;
    p.push(0.0);
    for &b in bits {
        acc += if b { 0.5 } else { -0.5 };
        p.push(acc);
    }
    p
}

/// The branch waveforms of a binary CPM trellis with pulse span 3.
///
/// Over symbol k's interval [k, k+1) the pulses of symbols k−1, k and k+1
/// are still moving (k+1's starts rising half a symbol before its own
/// interval); everything older is saturated. So the phase there is
/// πh·Σ_{i≤k−2} a_i plus a part fixed by (a_{k−1}, a_k, a_{k+1}), which this
/// table holds, sampled at t = k + (m + offset)/sps, m = 0..sps.
#[derive(Debug, Clone)]
pub struct BranchTable {
    pub sps: usize,
    /// [pattern (a_{k−1} a_k a_{k+1} as bits 2,1,0; 1 = +1)][m] → (cos, sin)
    pub re: Vec<f32>,
    pub im: Vec<f32>,
    /// The last symbol of a burst (no a_{k+1}): [pattern (a_{k−1} a_k as bits 1,0)][m].
    pub tail_re: Vec<f32>,
    pub tail_im: Vec<f32>,
}

impl BranchTable {
    pub fn new(m: &Modulator, sps: usize, offset: f64) -> Self {
        let mut re = vec![0f32; 8 * sps];
        let mut im = vec![0f32; 8 * sps];
        let mut tail_re = vec![0f32; 4 * sps];
        let mut tail_im = vec![0f32; 4 * sps];
        for pat in 0..4usize {
            let a = |i: usize| if pat >> (1 - i) & 1 == 1 { 1.0 } else { -1.0 };
            for s in 0..sps {
                let t = (s as f64 + offset) / sps as f64;
                let q = a(0) * m.pulse.q(t + 0.5) + a(1) * m.pulse.q(t - 0.5);
                let ph = 2.0 * std::f64::consts::PI * m.h * q;
                tail_re[pat * sps + s] = ph.cos() as f32;
                tail_im[pat * sps + s] = ph.sin() as f32;
            }
        }
        for pat in 0..8usize {
            let a = |i: usize| if pat >> (2 - i) & 1 == 1 { 1.0 } else { -1.0 };
            for s in 0..sps {
                let t = (s as f64 + offset) / sps as f64; // within symbol k, 0..1
                // relative to k's start: symbol k-1 is centred at -0.5, k at +0.5, k+1 at +1.5
                let q = a(0) * m.pulse.q(t + 0.5) + a(1) * m.pulse.q(t - 0.5) + a(2) * m.pulse.q(t - 1.5);
                let ph = 2.0 * std::f64::consts::PI * m.h * q;
                re[pat * sps + s] = ph.cos() as f32;
                im[pat * sps + s] = ph.sin() as f32;
            }
        }
        BranchTable { sps, re, im, tail_re, tail_im }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 1e-7);
        assert!((erfc(3.0) - 2.209_049_7e-5).abs() < 1e-9);
    }

    #[test]
    fn phase_pulse_shape() {
        let p = PhasePulse::new(0.5, 3);
        assert_eq!(p.q(-2.0), 0.0);
        assert_eq!(p.q(2.0), 0.5);
        assert!((p.q(0.0) - 0.25).abs() < 1e-6, "symmetric: q(0) = 1/4");
        // odd symmetry about the centre: q(t) + q(-t) = 1/2
        for t in [0.1, 0.37, 0.8, 1.2] {
            assert!((p.q(t) + p.q(-t) - 0.5).abs() < 1e-6);
        }
        // monotonic
        let mut prev = 0.0;
        for i in 0..=300 {
            let v = p.q(-1.5 + i as f64 * 0.01);
            assert!(v >= prev - 1e-12);
            prev = v;
        }
        // a large BT approaches the rectangular pulse (MSK): q(0.25) → 3/8
        let r = PhasePulse::new(20.0, 3);
        assert!((r.q(0.25) - 0.375).abs() < 1e-3);
    }

    #[test]
    fn modulator_phase_advances_by_pi_h_per_symbol() {
        let m = Modulator::new(0.5, 0.5);
        let bits = [true; 8];
        // long after the start of a run of ones the phase grows π/2 per symbol
        let d = m.phase_at(&bits, 5.5) - m.phase_at(&bits, 4.5);
        assert!((d - std::f64::consts::FRAC_PI_2).abs() < 1e-6, "{d}");
        // alternating bits: the phase returns
        let alt = [true, false, true, false, true, false, true, false];
        let d = m.phase_at(&alt, 6.0) - m.phase_at(&alt, 4.0);
        assert!(d.abs() < 1e-6);
        // after all symbols: total phase = πh Σ a
        let bits = [true, true, false, true];
        assert!((m.phase_at(&bits, 10.0) - std::f64::consts::FRAC_PI_2 * 2.0).abs() < 1e-9);
    }

    #[test]
    fn branch_table_matches_the_modulator() {
        // the phase over symbol k from the table + the accumulated phase equals phase_at
        let m = Modulator::new(0.5, 0.5);
        let bits = [true, false, false, true, true, true, false, true, false, false];
        let sps = 4;
        let tab = BranchTable::new(&m, sps, 0.25);
        for k in 2..bits.len() - 1 {
            let acc: f64 = bits[..k - 1].iter().map(|&b| if b { 0.5 } else { -0.5 }).sum::<f64>()
                * 2.0
                * std::f64::consts::PI
                * 0.5;
            let pat = (bits[k - 1] as usize) << 2 | (bits[k] as usize) << 1 | bits[k + 1] as usize;
            for s in 0..sps {
                let t = k as f64 + (s as f64 + 0.25) / sps as f64;
                // the whole sequence, future symbols included
                let want = m.phase_at(&bits, t);
                let got = (tab.im[pat * sps + s] as f64).atan2(tab.re[pat * sps + s] as f64) + acc;
                let d = (want - got).rem_euclid(2.0 * std::f64::consts::PI);
                let d = d.min(2.0 * std::f64::consts::PI - d);
                assert!(d < 1e-4, "k {k} s {s}: {want} vs {got}");
            }
        }
        // the last symbol: no successor
        let k = bits.len() - 1;
        let acc: f64 =
            bits[..k - 1].iter().map(|&b| if b { 0.5 } else { -0.5 }).sum::<f64>() * std::f64::consts::PI * 0.5 * 2.0;
        let pat = (bits[k - 1] as usize) << 1 | bits[k] as usize;
        for s in 0..sps {
            let t = k as f64 + (s as f64 + 0.25) / sps as f64;
            let want = m.phase_at(&bits, t);
            let got = (tab.tail_im[pat * sps + s] as f64).atan2(tab.tail_re[pat * sps + s] as f64) + acc;
            let d = (want - got).rem_euclid(2.0 * std::f64::consts::PI);
            assert!(d.min(2.0 * std::f64::consts::PI - d) < 1e-4);
        }
    }
}
