//! Golden IQ captures in captures/iq: they are what `ridscope synth` makes
//! from the commands below, and `ridscope decode` on them prints the
//! expected JSON Lines (floats within a tolerance, so a CPU with another
//! SIMD path does not break the test) and finds every transmitted message.
//! `UPDATE_GOLDEN=1` rewrites the captures, their truth and the expected
//! output after a deliberate change.

use std::path::{Path, PathBuf};
use std::process::Command;

use ridscope::synth::score::{parse_jsonl, score};
use serde_json::Value;

struct Golden {
    /// `synth` subcommand that made it: "ble", "dji" or "wifi".
    kind: &'static str,
    file: &'static str,
    data: &'static str,
    synth: &'static [&'static str],
}

const GOLDEN: &[Golden] = &[
    Golden {
        kind: "ble",
        file: "captures/iq/ble_2M_ch37.sigmf-meta",
        data: "captures/iq/ble_2M_ch37.sigmf-data",
        synth: &[
            "--rate",
            "2e6",
            "--freq",
            "2402e6",
            "--drones",
            "3",
            "--duration",
            "1.0",
            "--ebn0-db",
            "20",
            "--cfo-hz",
            "20e3",
            "--ppm",
            "10",
            "--seed",
            "11",
            "--format",
            "cu8",
        ],
    },
    Golden {
        kind: "ble",
        file: "captures/iq/ble_2426M_4M.cs8",
        data: "captures/iq/ble_2426M_4M.cs8",
        synth: &[
            "--rate",
            "4e6",
            "--freq",
            "2426e6",
            "--drones",
            "3",
            "--duration",
            "0.5",
            "--ebn0-db",
            "12",
            "--cfo-hz",
            "40e3",
            "--ppm",
            "20",
            "--seed",
            "12",
            "--format",
            "cs8",
        ],
    },
    Golden {
        kind: "dji",
        file: "captures/iq/dji_15M36.sigmf-meta",
        data: "captures/iq/dji_15M36.sigmf-data",
        synth: &[
            "--rate",
            "15.36e6",
            "--freq",
            "2414.5e6",
            "--duration",
            "0.1",
            "--period",
            "0.02",
            "--snr-db",
            "8",
            "--cfo-hz",
            "20e3",
            "--ppm",
            "10",
            "--seed",
            "13",
            "--format",
            "cs8",
        ],
    },
    Golden {
        kind: "wifi",
        file: "captures/iq/wifi_bcn_2437M_11M.cs8",
        data: "captures/iq/wifi_bcn_2437M_11M.cs8",
        synth: &[
            "--rate",
            "11e6",
            "--freq",
            "2437e6",
            "--drones",
            "2",
            "--duration",
            "0.06",
            "--period",
            "0.015",
            "--mbps",
            "1",
            "--snr-db",
            "10",
            "--cfo-hz",
            "50e3",
            "--ppm",
            "20",
            "--seed",
            "14",
            "--format",
            "cs8",
        ],
    },
    Golden {
        kind: "wifi",
        file: "captures/iq/wifi_nan_20M.sigmf-meta",
        data: "captures/iq/wifi_nan_20M.sigmf-data",
        synth: &[
            "--rate",
            "20e6",
            "--freq",
            "2437e6",
            "--drones",
            "2",
            "--duration",
            "0.06",
            "--period",
            "0.015",
            "--transport",
            "nan",
            "--mbps",
            "2",
            "--snr-db",
            "10",
            "--cfo-hz",
            "50e3",
            "--ppm",
            "20",
            "--seed",
            "15",
            "--format",
            "cs8",
        ],
    },
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected_path(file: &str) -> PathBuf {
    let truth = ridscope::cli::synth::truth_path(Path::new(file));
    let s = truth.to_string_lossy().replace(".truth.jsonl", ".expected.jsonl");
    root().join(s)
}

/// Radio estimates may move a little with the CPU's SIMD path; decoded
/// content may not.
const LOOSE: &[&str] = &["rssi_dbfs", "snr_db", "cfo_hz"];

fn close(a: &Value, b: &Value) -> bool {
    let (Value::Object(x), Value::Object(y)) = (a, b) else { return a == b };
    x.len() == y.len()
        && x.iter().all(|(k, v)| {
            let Some(w) = y.get(k) else { return false };
            match (v.as_f64(), w.as_f64()) {
                (Some(p), Some(q)) if LOOSE.contains(&k.as_str()) => {
                    (p - q).abs() <= 0.05 + 1e-3 * p.abs().max(q.abs())
                }
                // burst start times are estimates (to a fraction of a sample)
                (Some(p), Some(q)) if k == "time_s" => (p - q).abs() <= 2e-7,
                (Some(p), Some(q)) if k == "freq_mhz" => (p - q).abs() <= 1e-4,
                (Some(p), Some(q)) => (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0),
                _ => v == w,
            }
        })
}

#[test]
fn captures_are_what_the_synthesizer_makes() {
    for g in GOLDEN {
        let dir = std::env::temp_dir().join(format!("ridscope-golden-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let name = Path::new(g.file).file_name().unwrap();
        let out = dir.join(name);
        let mut args = vec!["synth", g.kind, "-o", out.to_str().unwrap()];
        args.extend_from_slice(g.synth);
        let o = Command::new(env!("CARGO_BIN_EXE_ridscope")).args(&args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            // a deliberate change of the synthesizer: the new capture and truth become the golden ones
            for p in [ridscope::cli::synth::truth_path(Path::new(g.file)), PathBuf::from(g.file), PathBuf::from(g.data)]
            {
                let name = p.file_name().unwrap();
                std::fs::copy(dir.join(name), root().join(&p)).unwrap();
            }
        }
        // the truth is exact; the samples may differ by one step where another CPU rounds differently
        let truth_new = std::fs::read(ridscope::cli::synth::truth_path(&out)).unwrap();
        let truth_old = std::fs::read(root().join(ridscope::cli::synth::truth_path(Path::new(g.file)))).unwrap();
        assert_eq!(truth_new, truth_old, "{}: truth differs", g.file);
        let data_new = std::fs::read(dir.join(Path::new(g.data).file_name().unwrap())).unwrap();
        let data_old = std::fs::read(root().join(g.data)).unwrap();
        assert_eq!(data_new.len(), data_old.len(), "{}", g.data);
        let differ: Vec<i32> =
            data_new.iter().zip(&data_old).filter(|(a, b)| a != b).map(|(a, b)| *a as i32 - *b as i32).collect();
        assert!(differ.len() * 10_000 <= data_old.len(), "{}: {} bytes differ", g.data, differ.len());
        assert!(differ.iter().all(|d| d.abs() <= 1 || d.abs() == 255), "{}: {differ:?}", g.data);
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn decoding_gives_the_expected_output_and_every_message() {
    for g in GOLDEN {
        let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
            .args(["decode", g.file, "--phy", "ble,dji,wifi"])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let got = String::from_utf8(o.stdout).unwrap();
        let expected = expected_path(g.file);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&expected, &got).unwrap();
        }
        let want = std::fs::read_to_string(&expected).unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        let (got, want) = (parse_jsonl(&got).unwrap(), parse_jsonl(&want).unwrap());
        assert_eq!(got.len(), want.len(), "{}: record count", g.file);
        for (a, b) in got.iter().zip(&want) {
            assert!(
                close(a, b),
                "{}:\n got  {a}\n want {b}\n(UPDATE_GOLDEN=1 cargo test --test golden_iq after a deliberate change)",
                g.file
            );
        }
        let truth = std::fs::read_to_string(root().join(ridscope::cli::synth::truth_path(Path::new(g.file)))).unwrap();
        let truth = parse_jsonl(&truth).unwrap();
        if g.kind == "dji" {
            // one message per burst, in time order, with the sent content
            assert_eq!(got.len(), truth.len(), "{}", g.file);
            for (d, t) in got.iter().zip(&truth) {
                assert!((d["time_s"].as_f64().unwrap() - t["t_s"].as_f64().unwrap()).abs() < 1e-5, "{d} {t}");
                for k in ["msg_type", "serial", "sequence", "lat_deg", "lon_deg", "operator_lat_deg", "home_lat_deg"] {
                    assert_eq!(d.get(k), t["message"].get(k), "{}: {k}", g.file);
                }
            }
            continue;
        }
        let s = score(&truth, &got);
        assert_eq!((s.found, s.false_decodes), (s.expected, 0), "{}: {s:?}", g.file);
    }
}
