//! Sensitivity of the 802.11b DSSS receiver: frame success rate against
//! chip-rate SNR (chip power over N0·11 MHz), 1 Mb/s with the long
//! preamble and 2 Mb/s with the short preamble.
//!
//! For each SNR, `FRAMES` frames of 200 bytes (with FCS; the size of a
//! Remote ID beacon) are sent one after another with 200 µs of noise
//! between them, each with its own carrier offset (uniform in ±50 kHz),
//! clock error (uniform in ±20 ppm) and phase, through the full streaming
//! receiver. A frame counts when it is received byte-exact; anything else
//! with a good FCS is a false decode. Columns: 1 Mb/s long preamble,
//! captures at 22 MS/s and 20 MS/s with the channel at the centre; 2 Mb/s
//! short preamble at 22 MS/s (`short_frames` per point, default `frames`).
//! Also times the receiver alone at 22 MS/s.
//!
//! Run: `cargo run --release --example wifi_sweep [frames] [lock_ratio] [snr_lo:snr_hi] [short_frames]`
//! (`WIFI_SWEEP_STATS=1` prints the receiver's counters per point).

use std::time::Instant;

use ridscope::phy::wifi_dsss::plcp::{Preamble, Rate};
use ridscope::phy::wifi_dsss::tx::{Modulator, add_ppdu, add_ppdu_with};
use ridscope::phy::wifi_dsss::{DsssReceiver, DsssRxConfig};
use ridscope_dsp::noise::Rng;

const LEN: usize = 200;
const GAP_S: f64 = 200e-6;

fn frame(i: usize, rng: &mut Rng) -> Vec<u8> {
    let mut b: Vec<u8> = (0..LEN - 4).map(|_| rng.next_u64() as u8).collect();
    b[0] = 0x80;
    b[1] = 0;
    b[2..6].copy_from_slice(&(i as u32).to_le_bytes());
    let fcs = ridscope_dsp::crc::fcs32(&b);
    b.extend_from_slice(&fcs.to_le_bytes());
    b
}

/// (received byte-exact, false decodes, receiver seconds, samples)
fn point(n: usize, fs: f64, snr_db: f64, seed: u64, lock: f32, rate: Rate, pre: Preamble) -> (usize, usize, f64, u64) {
    let mut rng = Rng::new(seed);
    let m = Modulator::new();
    let mut cfg = DsssRxConfig::new(fs, None);
    cfg.lock_ratio = lock;
    let mut rx = DsssReceiver::new(&cfg).unwrap();
    let amp = 0.1f32;
    let sigma = ((amp as f64).powi(2) / (10f64.powf(snr_db / 10.0) * 11e6) * fs / 2.0).sqrt() as f32;
    let seg = ((pre.plcp_symbols() + LEN * 8 / rate.bits_per_symbol()) as f64 * 1e-6 * fs + GAP_S * fs) as usize + 64;
    let mut sent = Vec::with_capacity(n);
    let mut out = Vec::new();
    let mut secs = 0.0;
    let (mut re, mut im) = (vec![0f32; seg], vec![0f32; seg]);
    for i in 0..n {
        re.fill(0.0);
        im.fill(0.0);
        let f = frame(i, &mut rng);
        let cfo = 50e3 * (2.0 * rng.next_f64() - 1.0);
        let ppm = 20.0 * (2.0 * rng.next_f64() - 1.0);
        let ph = rng.next_f64() * std::f64::consts::TAU;
        add_ppdu_with(&m, &f, rate, pre, fs, (GAP_S * fs) as usize / 2, amp, cfo, ppm, ph, &mut re, &mut im).unwrap();
        rng.add_awgn(&mut re, &mut im, sigma);
        sent.push(f);
        let t = Instant::now();
        rx.process(&re, &im, &mut out);
        secs += t.elapsed().as_secs_f64();
    }
    rx.finish(&mut out);
    if std::env::var_os("WIFI_SWEEP_STATS").is_some() {
        eprintln!("{fs} {snr_db} {rate:?} {pre:?}: {:?}", rx.stats);
    }
    let mut ok = vec![false; n];
    let mut false_decodes = 0;
    for f in &out {
        let i = f.bytes.get(2..6).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        match i {
            Some(i) if i < n && sent[i] == f.bytes => ok[i] = true,
            _ => false_decodes += 1,
        }
    }
    (ok.iter().filter(|&&b| b).count(), false_decodes, secs, rx.stats.samples)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let lock: f32 =
        std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(DsssRxConfig::new(22e6, None).lock_ratio);
    let (lo, hi): (i32, i32) =
        match std::env::args().nth(3).and_then(|a| a.split_once(':').map(|(a, b)| (a.parse(), b.parse()))) {
            Some((Ok(a), Ok(b))) => (a, b),
            _ => (-6, 10),
        };
    let ns: usize = std::env::args().nth(4).and_then(|a| a.parse().ok()).unwrap_or(n);
    println!(
        "802.11b, {LEN}-byte frames, CFO ±50 kHz, clock ±20 ppm; 1 Mb/s long preamble {n} per point, \
         2 Mb/s short preamble {ns} per point"
    );
    println!(
        "| chip SNR (dB) | Eb/N0 1 Mb/s (dB) | 1 Mb/s long, 22 MS/s | 1 Mb/s long, 20 MS/s | 2 Mb/s short, 22 MS/s | false |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    let (mut secs, mut samples) = (0.0, 0u64);
    for snr in lo..=hi {
        let (a, fa, s, k) =
            point(n, 22e6, snr as f64, 1000u64.wrapping_add(snr as u64), lock, Rate::Mbps1, Preamble::Long);
        let (b, fb, _, _) =
            point(n, 20e6, snr as f64, 2000u64.wrapping_add(snr as u64), lock, Rate::Mbps1, Preamble::Long);
        let (c, fc, _, _) =
            point(ns, 22e6, snr as f64, 3000u64.wrapping_add(snr as u64), lock, Rate::Mbps2, Preamble::Short);
        secs += s;
        samples += k;
        println!(
            "| {snr:+} | {:+.1} | {:.1} % | {:.1} % | {:.1} % | {} |",
            snr as f64 + 10.0 * 11f64.log10(),
            100.0 * a as f64 / n as f64,
            100.0 * b as f64 / n as f64,
            100.0 * c as f64 / ns.max(1) as f64,
            fa + fb + fc
        );
    }
    println!(
        "receiver at 22 MS/s: {:.1} MS/s ({:.1}× real time)",
        samples as f64 / secs / 1e6,
        samples as f64 / secs / 22e6
    );
    for (fs, freq) in [(20e6, None), (44e6, Some(2437e6)), (61.44e6, Some(2437e6))] {
        let (msps, chans, got) = speed(fs, freq);
        println!(
            "receiver at {:.2} MS/s ({chans} channel(s)): {msps:.1} MS/s ({:.1}× real time), {got} frames",
            fs / 1e6,
            msps * 1e6 / fs
        );
    }
}

/// Receiver throughput on 0.2 s holding a 200-byte frame every 2 ms at
/// 10 dB chip SNR on the centre channel.
fn speed(fs: f64, freq: Option<f64>) -> (f64, usize, usize) {
    let mut rng = Rng::new(99);
    let m = Modulator::new();
    let n = (0.2 * fs) as usize;
    let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
    let step = (2e-3 * fs) as usize;
    let mut at = 1000;
    while add_ppdu(&m, &frame(at, &mut rng), Rate::Mbps1, fs, at, 0.1, 20e3, 5.0, 0.0, &mut re, &mut im).is_some() {
        at += step;
    }
    let sigma = (0.01 / (10.0 * 11e6) * fs / 2.0).sqrt() as f32;
    rng.add_awgn(&mut re, &mut im, sigma);
    let mut rx = DsssReceiver::new(&DsssRxConfig::new(fs, freq)).unwrap();
    let mut out = Vec::new();
    let t = Instant::now();
    for (r, i) in re.chunks(1 << 16).zip(im.chunks(1 << 16)) {
        rx.process(r, i, &mut out);
    }
    rx.finish(&mut out);
    (n as f64 / t.elapsed().as_secs_f64() / 1e6, rx.channels().len(), out.len())
}
