//! A capture where BLE 4 Remote ID, Wi-Fi beacons (802.11b DSSS, channel 6)
//! and DJI DroneID bursts overlap in time, made by `ridscope synth mixed`
//! and piped into `ridscope decode`: every message of all three decodes.

use std::process::{Command, Stdio};

use serde_json::Value;

/// Air time (s) of what a truth line describes, by transport: BLE 4
/// advert ≥ 0.3 ms, a Wi-Fi beacon with a 5-message pack ≥ 1.3 ms at
/// 1 Mb/s, a 9-symbol DroneID burst 0.64 ms.
fn airtime(t: &Value) -> f64 {
    match t["transport"].as_str() {
        Some("ble4_legacy") => 0.3e-3,
        Some("wifi_beacon") => 1.3e-3,
        _ => 0.64e-3,
    }
}

fn kind(t: &Value) -> &'static str {
    match t["transport"].as_str() {
        Some("ble4_legacy") => "ble",
        Some("wifi_beacon") => "wifi",
        _ => "dji",
    }
}

#[test]
fn ble_wifi_and_dji_overlapping_in_time_all_decode() {
    let exe = env!("CARGO_BIN_EXE_ridscope");
    let truth_file = std::env::temp_dir().join(format!("ridscope-mixed-{}.truth.jsonl", std::process::id()));
    // 50 MS/s at 2430 MHz: BLE channel 38 (2426), Wi-Fi channel 6 (2437),
    // DroneID at 2414.5 MHz; 4 drones, dense Wi-Fi and DroneID
    let mut synth = Command::new(exe)
        .args(["synth", "mixed", "-o", "-", "--truth", truth_file.to_str().unwrap()])
        .args(["--rate", "50e6", "--freq", "2430e6", "--drones", "4", "--duration", "0.6", "--seed", "3"])
        .args(["--wifi-period", "0.01", "--dji-period", "0.01", "--dji-channel", "2414.5e6", "--format", "cs16"])
        .args(["--ebn0-db", "20", "--wifi-snr-db", "10", "--dji-snr-db", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let decode = Command::new(exe)
        .args(["decode", "-", "--format", "cs16", "--rate", "50e6", "--freq", "2430e6", "--phy", "ble,dji,wifi"])
        .stdin(synth.stdout.take().unwrap())
        .output()
        .unwrap();
    let s = synth.wait_with_output().unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    assert!(decode.status.success(), "{}", String::from_utf8_lossy(&decode.stderr));
    eprintln!("{}{}", String::from_utf8_lossy(&s.stderr), String::from_utf8_lossy(&decode.stderr));
    let truth: Vec<Value> =
        std::fs::read_to_string(&truth_file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    std::fs::remove_file(&truth_file).ok();
    let recs: Vec<Value> =
        std::str::from_utf8(&decode.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();

    // moments where one transmission of each kind is on the air at once
    let mut triples = 0;
    for b in truth.iter().filter(|t| kind(t) == "ble") {
        let (b0, b1) = (b["t_s"].as_f64().unwrap(), b["t_s"].as_f64().unwrap() + airtime(b));
        let overlaps = |k: &str| {
            truth.iter().any(|t| {
                let t0 = t["t_s"].as_f64().unwrap();
                kind(t) == k && t0 < b1 && t0 + airtime(t) > b0
            })
        };
        if overlaps("wifi") && overlaps("dji") {
            triples += 1;
        }
    }
    eprintln!(
        "{} truth lines, {} records, {triples} BLE messages overlapping a Wi-Fi frame and a DroneID burst",
        truth.len(),
        recs.len()
    );
    assert!(triples >= 1, "the scenario has no three-way overlap");

    // every truth line matched by a record of the same kind, time and content
    let mut used = vec![false; recs.len()];
    let mut missed = Vec::new();
    let mut collided = 0;
    for t in &truth {
        // two transmissions of one kind on one channel at once: either may be lost
        if t["collided"] == true {
            collided += 1;
            continue;
        }
        let tt = t["t_s"].as_f64().unwrap();
        let hit = recs.iter().enumerate().position(|(i, r)| {
            let same = match kind(t) {
                "dji" => {
                    r["msg_type"] == t["message"]["msg_type"]
                        && r["serial"] == t["message"]["serial"]
                        && r.get("sequence") == t["message"].get("sequence")
                }
                _ => {
                    r["transport"] == t["transport"]
                        && r["msg_type"] == t["msg_type"]
                        && r["src_addr"] == t["src_addr"]
                        && r["counter"] == t["counter"]
                }
            };
            !used[i] && same && (r["time_s"].as_f64().unwrap() - tt).abs() < 1e-3
        });
        match hit {
            Some(i) => used[i] = true,
            None => missed.push(t),
        }
    }
    eprintln!("{collided} truth lines collided with one of their kind (not required)");
    for k in ["ble", "wifi", "dji"] {
        let n = truth.iter().filter(|t| kind(t) == k).count();
        let m = missed.iter().filter(|t| kind(t) == k).count();
        eprintln!("{k}: {n} sent, {m} missed");
        assert!(n >= 5, "{k}: only {n} in the truth");
    }
    let brief: Vec<String> = missed.iter().map(|t| format!("{} at {} s", kind(t), t["t_s"])).collect();
    assert!(missed.is_empty(), "missed: {brief:?}");
    // records of collided transmissions may decode; nothing else may appear
    let extra = used.iter().filter(|u| !**u).count();
    assert!(extra <= collided, "{extra} records match nothing in the truth");
}
