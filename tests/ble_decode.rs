//! Synthesize BLE Remote ID captures, decode them, score against the truth;
//! and the decoder's behaviour on broken inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use ridscope::cli::decode::{DecodeConfig, decode};
use ridscope::cli::synth::{SynthBleConfig, synth, truth_path};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope::synth::iq::IqConfig;
use ridscope::synth::scenario::ScenarioConfig;
use ridscope::synth::score::{parse_jsonl, score};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ridscope-ble-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// What to synthesize.
struct Cap {
    format: SampleFormat,
    rate: f64,
    freq: f64,
    drones: usize,
    secs: f64,
    ebn0: f64,
    seed: u64,
}

fn make(path: &Path, c: Cap) {
    let cfg = SynthBleConfig {
        output: path.to_path_buf(),
        format: c.format,
        scenario: ScenarioConfig { seed: c.seed, drones: c.drones, duration_s: c.secs, ..ScenarioConfig::default() },
        iq: IqConfig {
            sample_rate: c.rate,
            center_freq_hz: c.freq,
            ebn0_db: c.ebn0,
            cfo_hz: 20e3,
            ppm: 10.0,
            seed: c.seed,
            amplitude: None,
        },
    };
    synth(&cfg).unwrap();
}

fn decode_and_score(input: &Path, cfg: DecodeConfig) -> ridscope::synth::score::Score {
    let mut sink = VecSink::default();
    let (r, summary, _, _) = decode(&cfg, &mut sink);
    r.unwrap();
    let decoded: Vec<serde_json::Value> = sink.records.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let truth = parse_jsonl(&std::fs::read_to_string(truth_path(input)).unwrap()).unwrap();
    let s = score(&truth, &decoded);
    eprintln!("{}: {s:?}\n{:?}", input.display(), summary.map(|s| s.phy));
    s
}

#[test]
fn twenty_db_finds_99_percent_with_no_false_decodes() {
    let p = tmp("ble20.sigmf-meta");
    make(&p, Cap { format: SampleFormat::Cu8, rate: 4e6, freq: 2402e6, drones: 3, secs: 20.0, ebn0: 20.0, seed: 1 });
    let s = decode_and_score(&p, DecodeConfig::new(p.to_string_lossy()));
    assert!(s.expected > 250, "{s:?}");
    assert!(s.found_fraction() >= 0.99, "{s:?}");
    assert_eq!(s.false_decodes, 0, "{s:?}");
}

#[test]
fn wideband_capture_with_two_advertising_channels() {
    let p = tmp("ble_wide.sigmf-meta");
    make(&p, Cap { format: SampleFormat::Cs8, rate: 30.72e6, freq: 2414e6, drones: 2, secs: 4.0, ebn0: 20.0, seed: 2 });
    let s = decode_and_score(&p, DecodeConfig::new(p.to_string_lossy()));
    let truth = std::fs::read_to_string(truth_path(&p)).unwrap();
    assert!(truth.contains("\"channel\":37") && truth.contains("\"channel\":38"));
    assert!(s.found_fraction() >= 0.99, "{s:?}");
    assert_eq!(s.false_decodes, 0, "{s:?}");
}

#[test]
fn raw_file_with_an_rtl_433_name_at_2_ms_per_s() {
    let p = tmp("drone_2426M_2M.cs16");
    make(&p, Cap { format: SampleFormat::Cs16, rate: 2e6, freq: 2426e6, drones: 2, secs: 5.0, ebn0: 25.0, seed: 3 });
    let s = decode_and_score(&p, DecodeConfig::new(p.to_string_lossy()));
    assert!(s.expected > 40 && s.found_fraction() >= 0.99, "{s:?}");
    assert_eq!(s.false_decodes, 0);
}

fn ridscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ridscope")).args(args).output().unwrap()
}

fn one_error_line(o: &std::process::Output, must_contain: &[&str]) {
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("ridscope:") || l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    for m in must_contain {
        assert!(lines[0].contains(m), "{:?} lacks {m:?}", lines[0]);
    }
}

#[test]
fn broken_inputs_give_one_clear_line_and_keep_what_was_decoded() {
    // a capture cut mid-sample: the packets before the cut are printed
    let p = tmp("cut.sigmf-meta");
    make(&p, Cap { format: SampleFormat::Cs16, rate: 4e6, freq: 2402e6, drones: 1, secs: 3.0, ebn0: 25.0, seed: 4 });
    let data = p.with_extension("sigmf-data");
    let bytes = std::fs::read(&data).unwrap();
    std::fs::write(&data, &bytes[..bytes.len() / 2 + 2]).unwrap(); // 4-byte samples: 2 stray bytes
    let o = ridscope(&["decode", p.to_str().unwrap()]);
    one_error_line(&o, &["cut.sigmf-data", "truncated"]);
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() >= 5, "records before the cut");

    // an unknown --format
    let o = ridscope(&["decode", p.to_str().unwrap(), "--format", "cu12"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cu12") && err.contains("cu8"), "{err}");
    // a --format that contradicts the recording's datatype
    let o = ridscope(&["decode", p.to_str().unwrap(), "--format", "cf32"]);
    one_error_line(&o, &["cut.sigmf"]);

    // missing data file
    let m = tmp("lonely.sigmf-meta");
    std::fs::copy(&p, &m).unwrap();
    let o = ridscope(&["decode", m.to_str().unwrap()]);
    one_error_line(&o, &["lonely.sigmf-data"]);

    // garbage metadata
    let g = tmp("garbage.sigmf-meta");
    std::fs::write(&g, b"{ this is not json").unwrap();
    std::fs::write(g.with_extension("sigmf-data"), [0u8; 64]).unwrap();
    let o = ridscope(&["decode", g.to_str().unwrap()]);
    one_error_line(&o, &["garbage.sigmf-meta"]);

    // a raw file without a rate
    let r = tmp("norate.cu8");
    std::fs::write(&r, [127u8; 1000]).unwrap();
    let o = ridscope(&["decode", r.to_str().unwrap()]);
    one_error_line(&o, &["norate.cu8", "--rate"]);

    // a band without advertising channels
    let o = ridscope(&["decode", r.to_str().unwrap(), "--rate", "4M", "--freq", "2440M"]);
    one_error_line(&o, &["norate.cu8", "no BLE channel"]);
}

#[test]
fn stdin_with_format_and_rate() {
    let p = tmp("pipe_2402M_4M.cu8");
    make(&p, Cap { format: SampleFormat::Cu8, rate: 4e6, freq: 2402e6, drones: 1, secs: 2.0, ebn0: 25.0, seed: 5 });
    let f = std::fs::File::open(&p).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "-", "--format", "cu8", "--rate", "4e6", "--freq", "2402e6", "-q"])
        .stdin(f)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let decoded = parse_jsonl(&String::from_utf8_lossy(&o.stdout)).unwrap();
    let truth = parse_jsonl(&std::fs::read_to_string(truth_path(&p)).unwrap()).unwrap();
    let s = score(&truth, &decoded);
    assert!(s.expected > 5 && s.found == s.expected && s.false_decodes == 0, "{s:?}");
}
