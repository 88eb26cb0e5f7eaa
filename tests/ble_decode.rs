//! Synthesize BLE Remote ID captures, decode them, score against the truth;
//! and the decoder's behaviour on broken inputs.

mod common;
use common::Cleanup;
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
        truth: None,
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
        legacy: true,
        ble5: None,
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
    let _cleanup_p = Cleanup::of(&p);
    make(&p, Cap { format: SampleFormat::Cu8, rate: 4e6, freq: 2402e6, drones: 3, secs: 20.0, ebn0: 20.0, seed: 1 });
    let s = decode_and_score(&p, DecodeConfig::new(p.to_string_lossy()));
    assert!(s.expected > 250, "{s:?}");
    assert!(s.found_fraction() >= 0.99, "{s:?}");
    assert_eq!(s.false_decodes, 0, "{s:?}");
}

#[test]
fn wideband_capture_with_two_advertising_channels() {
    let p = tmp("ble_wide.sigmf-meta");
    let _cleanup_p = Cleanup::of(&p);
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
    let _cleanup_p = Cleanup::of(&p);
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
    let _cleanup_p = Cleanup::of(&p);
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
    let _cleanup_m = Cleanup::of(&m);
    std::fs::copy(&p, &m).unwrap();
    let o = ridscope(&["decode", m.to_str().unwrap()]);
    one_error_line(&o, &["lonely.sigmf-data"]);

    // garbage metadata
    let g = tmp("garbage.sigmf-meta");
    let _cleanup_g = Cleanup::of(&g);
    std::fs::write(&g, b"{ this is not json").unwrap();
    std::fs::write(g.with_extension("sigmf-data"), [0u8; 64]).unwrap();
    let o = ridscope(&["decode", g.to_str().unwrap()]);
    one_error_line(&o, &["garbage.sigmf-meta"]);

    // a raw file without a rate
    let r = tmp("norate.cu8");
    let _cleanup_r = Cleanup::of(&r);
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
    let _cleanup_p = Cleanup::of(&p);
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

/// The SNR of every decoded packet (dB).
fn reported_snrs(input: &Path) -> Vec<f64> {
    let mut sink = VecSink::default();
    let (r, _, _, _) = decode(&DecodeConfig::new(input.to_string_lossy()), &mut sink);
    r.unwrap();
    sink.records.iter().map(|r| serde_json::to_value(r).unwrap()["snr_db"].as_f64().unwrap()).collect()
}

#[test]
fn snr_is_the_same_at_any_sample_rate() {
    // the same Eb/N0 through each kind of front end: passthrough (4),
    // interpolation (2, 3), decimation (8) and an off-centre channel (20)
    let ebn0 = 15.0;
    let mut medians = Vec::new();
    for (rate, freq) in [(2e6, 2402e6), (3e6, 2402e6), (4e6, 2402e6), (8e6, 2402e6), (20e6, 2405e6)] {
        let p = tmp(&format!("snr_{}.sigmf-meta", rate / 1e6));
        let _cleanup_p = Cleanup::of(&p);
        make(&p, Cap { format: SampleFormat::Cs8, rate, freq, drones: 3, secs: 1.0, ebn0, seed: 7 });
        let mut snr = reported_snrs(&p);
        std::fs::remove_file(p.with_extension("sigmf-data")).unwrap();
        assert!(snr.len() >= 5, "{rate}: {snr:?}");
        snr.sort_by(f64::total_cmp);
        let median = snr[snr.len() / 2];
        eprintln!("{} MS/s: median SNR {median:.2} dB of {} packets at Eb/N0 {ebn0} dB", rate / 1e6, snr.len());
        assert!((median - ebn0).abs() < 1.0, "{rate}: median {median} for {ebn0}: {snr:?}");
        medians.push(median);
    }
    let spread = medians.iter().copied().fold(f64::MIN, f64::max) - medians.iter().copied().fold(f64::MAX, f64::min);
    assert!(spread < 1.0, "{medians:?}");
}

#[test]
fn sample_rates_above_10_gs_are_refused_with_one_line() {
    use ridscope::cli::decode::parse_hz;
    for s in ["1e300", "10.5G", "inf", "NaN", "1e10000", "-4M", "0"] {
        assert!(parse_hz(s).is_err(), "{s}");
    }
    assert!(parse_hz("1e300").unwrap_err().contains("above 10G"));
    assert_eq!(parse_hz("10G"), Ok(10e9));
    assert_eq!(parse_hz("61.44M"), Ok(61.44e6));

    let r = tmp("x_2402M_999999999999999999G.cu8");

    let _cleanup_r = Cleanup::of(&r);
    std::fs::write(&r, [127u8; 100_000]).unwrap();
    let o = ridscope(&["decode", r.to_str().unwrap()]);
    one_error_line(&o, &["x_2402M_999999999999999999G.cu8", "above 10 GS/s"]);
    let o = ridscope(&["decode", r.to_str().unwrap(), "--rate", "1e300"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("above 10G"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());

    let m = tmp("fast.sigmf-meta");

    let _cleanup_m = Cleanup::of(&m);
    std::fs::write(&m, br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e300}}"#).unwrap();
    std::fs::write(m.with_extension("sigmf-data"), [127u8; 100_000]).unwrap();
    let o = ridscope(&["decode", m.to_str().unwrap()]);
    one_error_line(&o, &["fast.sigmf-meta", "core:sample_rate", "above 10 GS/s"]);
}
