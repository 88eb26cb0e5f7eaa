//! The DJI DroneID receiver end to end on recorded (synthesized, then read
//! back from disk) captures: SigMF cs16 file → source → cyclic-prefix
//! detector at the capture rate → per burst: band centre, resampling to
//! 15.36 MS/s, sync, demodulation, turbo decoding → decode. Criterion's
//! element rate is input samples per second on one core.
//!
//! Captures (made once into the temp directory): 15.36 MS/s and 50 MS/s,
//! 2 s each, one drone bursting every 600 ms at 10 dB SNR in 9 MHz (at
//! 50 MS/s the burst sits 7.5 MHz off centre). Also: one burst's turbo
//! decode (12 iterations at most, stops at the CRC) and the whole burst
//! demodulation + decode from a window.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ridscope::cli::decode::{DecodeConfig, PhyChoice, decode};
use ridscope::cli::synth::{SynthDjiConfig, synth_dji};
use ridscope::phy::ocusync::coding::Codec;
use ridscope::phy::ocusync::rx::{BurstDemod, Hint};
use ridscope::protocol::dji::ocusync::{BLOCK_LEN, seal_block};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope::synth::dji::{BurstRenderer, DjiIqConfig, DjiPlan};
use ridscope::synth::scenario::ScenarioConfig;
use ridscope_dsp::noise::Rng;

fn capture(name: &str, rate: f64, channel: f64, seconds: f64) -> PathBuf {
    let dir = std::env::temp_dir().join("ridscope-bench");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.sigmf-meta"));
    if !path.exists() {
        let cfg = SynthDjiConfig {
            output: path.clone(),
            truth: None,
            format: SampleFormat::Cs16,
            scenario: ScenarioConfig { seed: 7, drones: 1, duration_s: seconds, ..ScenarioConfig::default() },
            iq: DjiIqConfig {
                sample_rate: rate,
                center_freq_hz: 2422e6,
                snr_db: 10.0,
                cfo_hz: 20e3,
                ppm: 10.0,
                seed: 7,
                amplitude: None,
            },
            plan: DjiPlan { freqs_hz: vec![channel], ..DjiPlan::default() },
        };
        synth_dji(&cfg).expect("synthesize the bench capture");
    }
    path
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("dji_rx");
    g.sample_size(10);
    for (name, rate, channel) in [("dji_15M36", 15.36e6, 2422e6), ("dji_50M", 50e6, 2429.5e6)] {
        let secs = 2.0;
        let path = capture(name, rate, channel, secs);
        g.throughput(Throughput::Elements((rate * secs).round() as u64));
        let cfg = DecodeConfig { quiet: true, phys: vec![PhyChoice::Dji], ..DecodeConfig::new(path.to_string_lossy()) };
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = VecSink::default();
                let (r, s, _, _) = decode(&cfg, &mut sink);
                r.expect("decodes");
                assert!(s.and_then(|s| s.dji).map_or(0, |d| d.bursts) >= 3);
                sink.records.len()
            })
        });
    }
    g.finish();

    // one burst at 3 dB: window demodulation, and the turbo decode alone
    let fs = 15.36e6;
    let mut block = [0u8; BLOCK_LEN];
    block[0] = 0x58;
    block[1] = 0x10;
    seal_block(&mut block);
    let (s0, br, bi) = BurstRenderer::new().render(&block, true, fs, 2000.0, 2e4, 0.0, 0.1, 0.3);
    let mut re = vec![0f32; 16000];
    let mut im = vec![0f32; 16000];
    let sigma = (0.01 * fs / 9e6 / 10f64.powf(0.3) / 2.0).sqrt() as f32;
    Rng::new(3).add_awgn(&mut re, &mut im, sigma);
    for k in 0..br.len() {
        re[s0 as usize + k] += br[k];
        im[s0 as usize + k] += bi[k];
    }
    let mut demod = BurstDemod::new();
    let hint = Hint { cp_start: 2000.0 + 1104.0 };
    let d = demod.demodulate_bands(&re, &im, fs, hint).expect("burst").remove(0);
    let mut codec = Codec::new();
    assert!(codec.decode(&d.llr).block.is_some());
    let mut g = c.benchmark_group("dji_burst");
    g.bench_function("demodulate_window", |b| b.iter(|| demod.demodulate_bands(&re, &im, fs, hint).map(|d| d.len())));
    g.bench_function("turbo_decode_3dB", |b| b.iter(|| codec.decode(&d.llr).iterations));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
