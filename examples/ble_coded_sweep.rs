//! Sensitivity of the BLE LE Coded PHY receiver (S=8 and S=2): packet
//! success rate against Eb/N0 per information bit.
//!
//! For each Eb/N0, `PACKETS` packets of one size are placed in white
//! Gaussian noise (one packet every `gap`), each with its own carrier
//! offset (uniform in ±50 kHz), symbol clock error (uniform in ±20 ppm) and
//! phase, and the whole stream goes through the full BLE receiver (both
//! detectors, synchronization, demodulation, Viterbi, CRC) on a 4 MS/s
//! capture with the channel at its centre. A packet counts when it is
//! decoded with the right content; anything else decoded with a good CRC is
//! a false decode.
//!
//! Packet sizes: an ADV_EXT_IND (9-byte PDU: extended header with ADI and
//! AuxPtr) and an AUX_ADV_IND carrying a 5-message Remote ID pack (146-byte
//! PDU), the two packets of a BLE 5 Long Range Remote ID event.
//!
//! Eb/N0 is per information bit: Eb = signal power × 8 µs (S=8) or 2 µs
//! (S=2).
//!
//! Run: `cargo run --release --example ble_coded_sweep [packets] [max ppm] [Eb/N0 list]`

use ridscope::phy::ble::coded::{Coding, air_symbols, air_time_us};
use ridscope::phy::ble::{BleReceiver, BleRxConfig};
use ridscope_dsp::gfsk::Modulator;
use ridscope_dsp::noise::Rng;

const CHANNEL: u8 = 20;

struct Sent {
    start: f64,
    bytes: Vec<u8>,
}

fn stream(
    n: usize,
    pdu_len: usize,
    coding: Coding,
    ebn0_db: f64,
    max_ppm: f64,
    seed: u64,
) -> (Vec<f32>, Vec<f32>, Vec<Sent>) {
    let fs = 4e6;
    let mut rng = Rng::new(seed);
    let m = Modulator::new(0.5, 0.5).with_guard(4.0);
    let gap_s = air_time_us(coding, pdu_len) * 1e-6 + 1e-3;
    let total = ((n as f64 + 1.0) * gap_s * fs) as usize;
    let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
    let amp = 0.1f32;
    let mut sent = Vec::with_capacity(n);
    for i in 0..n {
        let mut pdu = vec![0x07u8, (pdu_len - 2) as u8];
        pdu.extend((0..pdu_len - 2).map(|_| rng.next_u64() as u8));
        let bytes = ridscope::link::ble::with_crc(&pdu);
        let cfo = (rng.next_f64() * 2.0 - 1.0) * 50e3;
        let ppm = (rng.next_f64() * 2.0 - 1.0) * max_ppm;
        let sps = fs / (1e6 * (1.0 + ppm * 1e-6));
        let start = (i as f64 + 0.5) * gap_s * fs + rng.next_f64() * 100.0;
        let phase = rng.next_f64() * std::f64::consts::TAU;
        let sym = air_symbols(ridscope::link::ble::ADV_ACCESS_ADDRESS, CHANNEL, coding, &bytes);
        m.add_to(&sym, sps, start, amp, phase, cfo / fs, &mut re, &mut im);
        sent.push(Sent { start, bytes });
    }
    // Eb = A²·Tb; noise variance per complex sample = N0·fs
    let tb = 2e-6 * coding.pattern_len() as f64;
    let n0 = (amp as f64).powi(2) * tb / 10f64.powf(ebn0_db / 10.0);
    rng.add_awgn(&mut re, &mut im, (n0 * fs / 2.0).sqrt() as f32);
    (re, im, sent)
}

/// (found, false decodes) through the full receiver.
fn receiver(re: &[f32], im: &[f32], sent: &[Sent]) -> (usize, usize) {
    let f = ridscope::frame::ble_channel_freq_hz(CHANNEL).expect("a BLE channel");
    let mut cfg = BleRxConfig::new(4e6, Some(f));
    cfg.channels = vec![CHANNEL];
    let mut rx = BleReceiver::new(&cfg).expect("channel in band");
    let mut frames = Vec::new();
    for (r, i) in re.chunks(1 << 16).zip(im.chunks(1 << 16)) {
        rx.process(r, i, &mut frames);
    }
    rx.finish(&mut frames);
    let (mut found, mut false_decodes) = (0, 0);
    let mut used = vec![false; sent.len()];
    for f in &frames {
        let s = f.meta.sample.unwrap_or(0) as f64;
        match sent.iter().position(|p| (p.start - s).abs() < 8.0 && p.bytes == f.bytes) {
            Some(i) if !used[i] => {
                used[i] = true;
                found += 1;
            }
            _ => false_decodes += 1,
        }
    }
    (found, false_decodes)
}

fn main() {
    let packets: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let ppm: f64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(20.0);
    let points: Vec<i32> = match std::env::args().nth(3) {
        Some(a) => a.split(',').filter_map(|v| v.parse().ok()).collect(),
        None => (0..=12).collect(),
    };
    println!(
        "Packets per point: {packets}; CFO uniform in ±50 kHz, clock uniform in ±{ppm} ppm; 4 MS/s, channel {CHANNEL}.\n"
    );
    println!(
        "| Eb/N0 per info bit (dB) | S=8, 9-byte PDU | S=8, 146-byte PDU | S=2, 9-byte PDU | S=2, 146-byte PDU | false decodes |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for ebn0 in points {
        let mut cells = Vec::new();
        let mut falses = 0;
        for coding in [Coding::S8, Coding::S2] {
            for len in [9usize, 146] {
                let seed = 7000 + ebn0 as u64 * 10 + len as u64 + coding.pattern_len() as u64 * 1000;
                let (re, im, sent) = stream(packets, len, coding, ebn0 as f64, ppm, seed);
                let (found, f) = receiver(&re, &im, &sent);
                falses += f;
                cells.push(format!("{:.1} %", 100.0 * found as f64 / packets as f64));
            }
        }
        println!("| {ebn0} | {} | {falses} |", cells.join(" | "));
    }
}
