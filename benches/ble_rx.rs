//! The BLE receiver end to end on recorded (synthesized, then read back
//! from disk) captures: SigMF cu8 file → source → channel front end → sync
//! detection → coherent demodulation → decode. Criterion's element rate is
//! input samples per second on one core.
//!
//! Captures are made once into the temp directory: a 4 MS/s capture of
//! channel 37 at its centre, and a 61.44 MS/s capture centred at 2414 MHz
//! holding channels 37 and 38 (±12 MHz).

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ridscope::cli::decode::{DecodeConfig, PhyChoice, decode};
use ridscope::cli::synth::{SynthBleConfig, synth};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope::synth::iq::IqConfig;
use ridscope::synth::scenario::ScenarioConfig;

fn capture(name: &str, rate: f64, freq: f64, seconds: f64) -> PathBuf {
    let dir = std::env::temp_dir().join("ridscope-bench");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.sigmf-meta"));
    if !path.exists() {
        let cfg = SynthBleConfig {
            truth: None,
            output: path.clone(),
            format: SampleFormat::Cu8,
            scenario: ScenarioConfig { seed: 7, drones: 4, duration_s: seconds, ..ScenarioConfig::default() },
            iq: IqConfig {
                sample_rate: rate,
                center_freq_hz: freq,
                ebn0_db: 20.0,
                cfo_hz: 20e3,
                ppm: 10.0,
                seed: 7,
                amplitude: None,
            },
            legacy: true,
            ble5: None,
        };
        synth(&cfg).expect("synthesize the bench capture");
    }
    path
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ble_rx");
    g.sample_size(10);
    for (name, rate, freq, secs) in [("ble_4M_ch37", 4e6, 2402e6, 10.0), ("ble_61M44_ch37_38", 61.44e6, 2414e6, 1.0)] {
        let path = capture(name, rate, freq, secs);
        let samples = (rate * secs).round() as u64;
        g.throughput(Throughput::Elements(samples));
        let cfg = DecodeConfig { quiet: true, phys: vec![PhyChoice::Ble], ..DecodeConfig::new(path.to_string_lossy()) };
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = VecSink::default();
                let (r, s, _, _) = decode(&cfg, &mut sink);
                r.expect("decodes");
                assert!(s.and_then(|s| s.phy).map_or(0, |p| p.packets) > 0);
                sink.records.len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
