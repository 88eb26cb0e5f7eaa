//! The whole 2.4 GHz BLE band at once: a 100 MS/s capture centred on
//! 2441 MHz (all 40 channels) where drones send BLE 4 legacy Remote ID and
//! BLE 5 Long Range (LE Coded S=8 extended advertising, AUX packets on
//! random data channels), decoded on all 40 channels and scored against
//! the truth: messages found, false decodes, AUX packets linked, speed.
//!
//! Run: `cargo run --release --example ble5_fullband [drones] [seconds] [Eb/N0 per 1 Mb/s symbol, dB]`
//! (defaults 5, 4, 20: the legacy adverts at 20 dB per bit, the coded
//! packets at 29 dB per information bit).

use ridscope::cli::decode::{DecodeConfig, decode};
use ridscope::cli::synth::{SynthBleConfig, synth, truth_path};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope::synth::iq::IqConfig;
use ridscope::synth::scenario::{BlePhy, ScenarioConfig};
use ridscope::synth::score::{parse_jsonl, score};

fn main() -> Result<(), String> {
    let arg = |i: usize| std::env::args().nth(i);
    let drones: usize = arg(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let secs: f64 = arg(2).and_then(|a| a.parse().ok()).unwrap_or(4.0);
    let ebn0: f64 = arg(3).and_then(|a| a.parse().ok()).unwrap_or(20.0);
    let dir = std::env::temp_dir().join(format!("ridscope-fullband-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("fullband.sigmf-meta");
    let cfg = SynthBleConfig {
        output: path.clone(),
        truth: None,
        format: SampleFormat::Cu8,
        scenario: ScenarioConfig { seed: 5, drones, duration_s: secs, ..ScenarioConfig::default() },
        iq: IqConfig {
            sample_rate: 100e6,
            center_freq_hz: 2441e6,
            ebn0_db: ebn0,
            cfo_hz: 20e3,
            ppm: 10.0,
            seed: 5,
            amplitude: None,
        },
        legacy: true,
        ble5: Some(BlePhy::CodedS8),
    };
    println!("{}", synth(&cfg)?);
    let mut dc = DecodeConfig::new(path.to_string_lossy());
    dc.channels = (0..40).collect();
    let mut sink = VecSink::default();
    let (r, summary, _, _) = decode(&dc, &mut sink);
    r.map_err(|e| e.to_string())?;
    let decoded: Vec<serde_json::Value> =
        sink.records.iter().map(|r| serde_json::to_value(r).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    let truth_text = std::fs::read_to_string(truth_path(&path)).map_err(|e| e.to_string())?;
    let truth = parse_jsonl(&truth_text)?;
    let by = |t: &str| truth.iter().filter(|m| m["transport"] == t).count();
    let s = score(&truth, &decoded);
    if let Some(sum) = &summary {
        println!("{}", sum.text(&path.display().to_string(), 100e6).trim_end());
    }
    println!(
        "truth: {} messages ({} BLE 4 legacy, {} BLE 5 extended; {} expected, the others collided); found {} ({:.2} %), false decodes {}",
        truth.len(),
        by("ble4_legacy"),
        by("ble5_extended"),
        s.expected,
        s.found,
        100.0 * s.found_fraction(),
        s.false_decodes
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
