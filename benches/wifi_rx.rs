//! The 802.11b DSSS receiver alone (no file reading) on synthesized
//! captures held in memory: channel front ends → Barker matched filter →
//! per-phase energy search → symbol demodulation → PLCP/FCS. Criterion's
//! element rate is input samples per second on one core.
//!
//! Each capture is 0.1 s of white noise holding a 200-byte 1 Mb/s frame
//! every 4 ms (about half the air time), at 6 dB chip SNR, each frame with
//! its own carrier offset (±50 kHz) and clock error (±20 ppm). Cases:
//! 22 and 20 MS/s with the channel at the centre; 44 MS/s centred on
//! channel 6 receiving only channel 6; 44 MS/s and 61.44 MS/s centred on
//! channel 6 receiving every channel inside the band (5 and 9), the frames
//! spread over those channels.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope::phy::wifi_dsss::plcp::Rate;
use ridscope::phy::wifi_dsss::receiver::channel_freq_hz;
use ridscope::phy::wifi_dsss::tx::{Modulator, add_ppdu};
use ridscope::phy::wifi_dsss::{DsssReceiver, DsssRxConfig};
use ridscope_dsp::noise::Rng;

const SECONDS: f64 = 0.1;
const EVERY_S: f64 = 4e-3;
const LEN: usize = 200;
const SNR_DB: f64 = 6.0;
const AMP: f32 = 0.1;

struct Capture {
    cfg: DsssRxConfig,
    re: Vec<f32>,
    im: Vec<f32>,
    frames: usize,
}

/// `fs`, capture centre (None: the channel at the centre, unnamed) and the
/// channels received; frames go round the channels in turn.
fn capture(fs: f64, center: Option<f64>, channels: &[u16]) -> Capture {
    let mut cfg = DsssRxConfig::new(fs, center);
    if center.is_some() {
        cfg.channels = channels.to_vec();
    }
    let listen = DsssReceiver::new(&cfg).expect("receiver").channels();
    let offsets: Vec<f64> = listen.iter().map(|(_, f)| f.zip(center).map_or(0.0, |(f, c)| f - c)).collect();
    let mut rng = Rng::new(17);
    let m = Modulator::new();
    let n = (SECONDS * fs) as usize;
    let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
    let step = (EVERY_S * fs) as usize;
    let (mut at, mut frames) = (step / 4, 0);
    loop {
        let mut b: Vec<u8> = (0..LEN - 4).map(|_| rng.next_u64() as u8).collect();
        b[0] = 0x80;
        b[1] = 0;
        let fcs = ridscope_dsp::crc::fcs32(&b);
        b.extend_from_slice(&fcs.to_le_bytes());
        let off = offsets[frames % offsets.len()];
        let cfo = off + 50e3 * (2.0 * rng.next_f64() - 1.0);
        let ppm = 20.0 * (2.0 * rng.next_f64() - 1.0);
        let ph = rng.next_f64() * std::f64::consts::TAU;
        if add_ppdu(&m, &b, Rate::Mbps1, fs, at, AMP, cfo, ppm, ph, &mut re, &mut im).is_none() {
            break;
        }
        frames += 1;
        at += step;
    }
    let sigma = ((AMP as f64).powi(2) / (10f64.powf(SNR_DB / 10.0) * 11e6) * fs / 2.0).sqrt() as f32;
    rng.add_awgn(&mut re, &mut im, sigma);
    Capture { cfg, re, im, frames }
}

fn receive(c: &Capture) -> usize {
    let mut rx = DsssReceiver::new(&c.cfg).expect("receiver");
    let mut out = Vec::new();
    for (r, i) in c.re.chunks(1 << 16).zip(c.im.chunks(1 << 16)) {
        rx.process(black_box(r), black_box(i), &mut out);
    }
    rx.finish(&mut out);
    out.len()
}

fn bench(c: &mut Criterion) {
    let ch6 = channel_freq_hz(6);
    let all: Vec<u16> = (1..=14).collect();
    let cases: [(&str, f64, Option<f64>, &[u16]); 5] = [
        ("22M_1ch", 22e6, None, &all),
        ("20M_1ch", 20e6, None, &all),
        ("44M_ch6_only", 44e6, ch6, &[6]),
        ("44M_all_5ch", 44e6, ch6, &all),
        ("61M44_all_9ch", 61.44e6, ch6, &all),
    ];
    let mut g = c.benchmark_group("wifi_rx");
    g.sample_size(10);
    for (name, fs, center, channels) in cases {
        let cap = capture(fs, center, channels);
        // nearly every frame is received (6 dB is above the knee)
        let got = receive(&cap);
        assert!(got * 10 >= cap.frames * 9, "{name}: {got} of {} frames", cap.frames);
        g.throughput(Throughput::Elements(cap.re.len() as u64));
        g.bench_function(name, |b| b.iter(|| receive(&cap)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
