//! The best any receiver can do with BLE LE Coded S=8: packet success
//! against Eb/N0 per information bit for an ideal coherent receiver
//! (carrier phase, frequency and timing known exactly, maximum-likelihood
//! sequence decoding), to read the measured sweep
//! (`examples/ble_coded_sweep.rs`) against.
//!
//! 1. The waveform. Each S=8 coded bit is a 4-symbol pattern, 1100 or
//!    0011, whose GFSK phase paths are mirror images: with the phase known,
//!    deciding a coded bit is deciding between two waveforms at squared
//!    distance d² (over the pattern and, through the Gaussian filter, its
//!    neighbours). That is antipodal signalling with an energy of d²/4 per
//!    coded bit. With 2 coded bits per information bit, the efficiency is
//!    η = (2 · d²/4) / (8 symbols of energy): the waveform turns Eb/N0 into
//!    an antipodal Eb/N0 that is 10·log10(η) dB lower. It is computed here
//!    from the modulator, per neighbour pair and averaged.
//! 2. The code. Antipodal soft values at that Eb/N0 go through the
//!    soft-decision Viterbi decoder of the K=4 code (`ridscope_dsp::viterbi`,
//!    the receiver's own), terminated as on the air; a packet counts when
//!    every information bit (header, PDU, CRC) is right.
//!
//! The bound leaves out the sync, access address and coding indicator
//! (assumed found), so it is optimistic.
//!
//! Run: `cargo run --release --example ble_coded_bound [packets]`

use ridscope::phy::ble::coded::FEC;
use ridscope_dsp::gfsk::Modulator;
use ridscope_dsp::noise::Rng;
use ridscope_dsp::viterbi::Viterbi;

/// Samples per symbol for the distance integral.
const OVERSAMPLE: usize = 64;

/// The S=8 pattern of a coded bit.
fn pattern(bit: bool) -> [bool; 4] {
    if bit { [true, true, false, false] } else { [false, false, true, true] }
}

/// Squared distance (in symbol energies) between the waveforms of a middle
/// coded bit 1 and 0 between neighbours `prev` and `next`, over all three
/// patterns.
fn distance2(m: &Modulator, prev: bool, next: bool) -> f64 {
    let seq = |mid: bool| -> Vec<bool> {
        let mut b = Vec::new();
        for c in [prev, mid, next] {
            b.extend_from_slice(&pattern(c));
        }
        b
    };
    let (a, b) = (seq(true), seq(false));
    let mut d2 = 0.0;
    for i in 0..12 * OVERSAMPLE {
        let t = (i as f64 + 0.5) / OVERSAMPLE as f64;
        let (pa, pb) = (m.phase_at(&a, t), m.phase_at(&b, t));
        // |e^{ja} − e^{jb}|² = 2 − 2 cos(a − b)
        d2 += 2.0 - 2.0 * (pa - pb).cos();
    }
    d2 / OVERSAMPLE as f64
}

/// Fraction of `packets` packets of `info` information bits (terminated)
/// decoded right at antipodal Eb/N0 `ebn0_db`.
fn success(v: &mut Viterbi, rng: &mut Rng, info: usize, packets: usize, ebn0_db: f64) -> f64 {
    // amplitude 1 per coded bit: Eb = 2, N0/2 = σ²
    let sigma = (1.0 / 10f64.powf(ebn0_db / 10.0)).sqrt();
    let (mut coded, mut out, mut soft) = (Vec::new(), Vec::new(), Vec::new());
    let mut ok = 0;
    for _ in 0..packets {
        let mut bits: Vec<bool> = (0..info).map(|_| rng.next_u64() & 1 == 1).collect();
        bits.extend([false; 3]);
        coded.clear();
        let mut state = 0;
        FEC.encode(&mut state, &bits, &mut coded);
        soft.clear();
        soft.extend(coded.iter().map(|&c| (if c { 1.0 } else { -1.0 }) + (sigma * rng.gaussian()) as f32));
        out.clear();
        v.decode(&soft, Some(0), Some(0), &mut out);
        if out.get(..info) == bits.get(..info) {
            ok += 1;
        }
    }
    ok as f64 / packets as f64
}

fn main() {
    let packets: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(4000);
    let m = Modulator::new(0.5, 0.5);
    let mut d2 = 0.0;
    for (prev, next) in [(false, false), (false, true), (true, false), (true, true)] {
        let d = distance2(&m, prev, next);
        println!("d² between coded bits 1 and 0 (neighbours {prev:5}, {next:5}): {d:.3} symbol energies");
        d2 += d / 4.0;
    }
    let eta = 2.0 * (d2 / 4.0) / 8.0;
    let loss_db = -10.0 * eta.log10();
    println!("efficiency η = {eta:.3}: the S=8 waveform costs {loss_db:.2} dB against antipodal signalling\n");
    println!("Packets per point: {packets}; ideal coherent ML receiver, K=4 Viterbi.\n");
    println!("| Eb/N0 per info bit (dB) | 9-byte PDU (115 bits) | 146-byte PDU (1211 bits) |");
    println!("|---:|---:|---:|");
    let mut v = Viterbi::new(FEC);
    let mut rng = Rng::new(2026);
    for tenth in (50..=85).step_by(5) {
        let ebn0 = tenth as f64 / 10.0;
        let cells: Vec<String> = [115usize, 1211]
            .iter()
            .map(|&info| format!("{:.1} %", 100.0 * success(&mut v, &mut rng, info, packets, ebn0 - loss_db)))
            .collect();
        println!("| {ebn0:.1} | {} |", cells.join(" | "));
    }
}
