//! `ridscope report` end to end: the Remote ID pcaps of ../shared (their
//! identifiers, rates and findings), a `--db` history of two sessions
//! against the recording it came from, and bad inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn ridscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ridscope"))
}

fn report_json(args: &[&str]) -> Value {
    let o = ridscope().arg("report").arg("--format").arg("json").args(args).output().unwrap();
    assert!(o.status.success(), "{:?}: {}", args, String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/pcap").join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {} not found (../shared not beside the checkout)", p.display());
        None
    }
}

fn rate(a: &Value, transport: &str, msg_type: &str) -> Value {
    a["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["transport"] == transport && r["msg_type"] == msg_type)
        .cloned()
        .unwrap_or(Value::Null)
}

fn status(a: &Value, list: &str, id: &str, transport: Option<&str>) -> String {
    a[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id && transport.is_none_or(|t| c["transport"] == t))
        .map(|c| c["status"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

fn failed(a: &Value, list: &str) -> Vec<String> {
    let mut v: Vec<String> = a[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    v.dedup();
    v
}

#[test]
fn remote_id_wifi_pcaps() {
    // the ESP32 test transmitter's beacons: one aircraft, a message pack about every 0.6 s
    if let Some(p) = shared("odid_wifi_bcn_sample.pcap") {
        let r = report_json(&[p.to_str().unwrap()]);
        let a = &r["aircraft"][0];
        assert_eq!(r["aircraft"].as_array().unwrap().len(), 1);
        assert_eq!(a["id"], "MFG1A0123456789");
        let loc = rate(a, "wifi_beacon", "location");
        assert_eq!(loc["transmissions"], 21);
        assert!((loc["rate_hz"].as_f64().unwrap() - 1.35).abs() < 0.01, "{loc}");
        assert_eq!(status(a, "compliance", "location_rate", Some("wifi_beacon")), "pass");
        // ID type none, and a timestamp that never leaves 0
        assert_eq!(failed(a, "compliance"), ["basic_id", "timestamps"]);
        assert_eq!(failed(a, "authenticity"), ["receive_time"]);
        let pilot = &a["leakage"]["pilot"];
        assert_eq!(pilot["location_type"], "takeoff");
        assert_eq!(pilot["first_after_s"], 0.0);
        let items: Vec<&str> =
            a["leakage"]["items"].as_array().unwrap().iter().map(|i| i["item"].as_str().unwrap()).collect();
        for i in ["uas_id", "operator_id", "self_id", "drone_position", "pilot_position"] {
            assert!(items.contains(&i), "{i}: {items:?}");
        }
    }
    // the same transmitter on beacon and NAN, one message per frame, never a Basic ID
    if let Some(p) = shared("odid_wifi_sample.pcap") {
        let r = report_json(&[p.to_str().unwrap()]);
        let a = &r["aircraft"][0];
        assert_eq!(r["aircraft"].as_array().unwrap().len(), 1);
        assert_eq!(a["id"], "addr:84:cc:a8:60:43:24");
        assert_eq!(a["transports"], serde_json::json!(["wifi_beacon", "wifi_nan"]));
        assert_eq!(rate(a, "wifi_nan", "location")["transmissions"], 16);
        assert_eq!(status(a, "compliance", "basic_id", Some("wifi_nan")), "fail");
        assert_eq!(status(a, "compliance", "system", Some("wifi_beacon")), "fail");
        assert_eq!(a["leakage"]["trackability"]["fixed_id"], false);
    }
    // EDRI relay: 17 minutes of beacons holding Basic ID and Location only
    if let Some(p) = shared("edri_relay_test_EDRI-D2_F4relay.pcapng") {
        let r = report_json(&[p.to_str().unwrap()]);
        let a = &r["aircraft"][0];
        assert_eq!(a["id"], "EDRI-D2");
        let loc = rate(a, "wifi_beacon", "location");
        assert_eq!(loc["transmissions"], 4309);
        assert!(loc["max_gap_s"].as_f64().unwrap() > 50.0, "{loc}");
        assert_eq!(status(a, "compliance", "location_rate", None), "pass");
        assert_eq!(status(a, "compliance", "system", None), "fail");
        assert!(a["leakage"].get("pilot").is_none());
    }
    // EDRI latency test: one serial from two addresses, ten packs a second
    if let Some(p) = shared("edri_latency-test-YS7.pcapng") {
        let r = report_json(&[p.to_str().unwrap()]);
        let a = &r["aircraft"][0];
        assert_eq!(r["aircraft"].as_array().unwrap().len(), 1);
        assert_eq!(a["id"], "EDRI");
        assert_eq!(a["addresses"].as_array().unwrap().len(), 2);
        let loc = rate(a, "wifi_beacon", "location");
        assert!((loc["rate_hz"].as_f64().unwrap() - 10.0).abs() < 0.1, "{loc}");
        assert_eq!(status(a, "authenticity", "addr_ids", None), "pass");
    }
}

#[test]
fn a_history_reports_like_the_recording_it_came_from() {
    let dir = std::env::temp_dir().join(format!("ridscope-report-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cap = dir.join("flight.sigmf-meta");
    let o = ridscope()
        .args(["synth", "ble", "--rate", "2M", "--drones", "2", "--duration", "12", "--seed", "3", "-o"])
        .arg(&cap)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db = dir.join("h.db");
    for _ in 0..2 {
        let o = ridscope().args(["decode", "-q", "-o", "/dev/null", "--db"]).arg(&db).arg(&cap).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let direct = report_json(&[cap.to_str().unwrap()]);
    let one = report_json(&["--db", db.to_str().unwrap(), "--session", "1"]);
    let both = report_json(&["--db", db.to_str().unwrap()]);
    let ids = |r: &Value| -> Vec<String> {
        let mut v: Vec<String> =
            r["aircraft"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&direct).len(), 2);
    assert_eq!(ids(&direct), ids(&one));
    assert_eq!(ids(&direct), ids(&both));
    // one session of the history is the recording: same rules, same outcomes
    let outcomes = |r: &Value| -> Vec<(String, String, String)> {
        let mut v = Vec::new();
        for a in r["aircraft"].as_array().unwrap() {
            for c in a["compliance"].as_array().unwrap().iter().chain(a["authenticity"].as_array().unwrap()) {
                v.push((
                    a["id"].as_str().unwrap().to_string(),
                    c["id"].as_str().unwrap().to_string(),
                    c["status"].as_str().unwrap().to_string(),
                ));
            }
        }
        v.sort();
        v
    };
    assert_eq!(outcomes(&direct), outcomes(&one));
    assert_eq!(direct["messages"], one["messages"]);
    // both sessions: each aircraft seen again, same identifier
    assert_eq!(both["sessions"], serde_json::json!([1, 2]));
    assert_eq!(both["messages"].as_u64().unwrap(), 2 * one["messages"].as_u64().unwrap());
    for a in both["aircraft"].as_array().unwrap() {
        assert_eq!(a["sessions"], serde_json::json!([1, 2]));
        let t = &a["leakage"]["trackability"];
        assert_eq!(t["sessions"], 2);
        assert!(t["note"].as_str().unwrap().contains("seen again in 2 sessions"), "{t}");
    }
    // --id selects one aircraft; text and html render
    let id = ids(&direct)[0].clone();
    let sel = report_json(&[cap.to_str().unwrap(), "--id", &id]);
    assert_eq!(ids(&sel), std::slice::from_ref(&id));
    let o = ridscope().args(["report", "--db"]).arg(&db).output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(&id) && text.contains("Compliance:") && text.contains("Authenticity:"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_inputs_fail_clearly_and_keep_what_was_decoded() {
    let dir = std::env::temp_dir().join(format!("ridscope-report-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // missing file
    let o = ridscope().args(["report", "no/such/file.pcap"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/file.pcap"));
    // a truncated pcapng: the report covers what came before the cut
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/pcap/synthetic_mixed.pcapng");
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.join("cut.pcapng");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3 + 7]).unwrap();
    let o = ridscope().args(["report", "--format", "json"]).arg(&cut).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cut.pcapng") && err.contains("decoded before the error"), "{err}");
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["messages"].as_u64().unwrap() > 0);
    // a JSON Lines file with a broken line
    let j = dir.join("x.jsonl");
    std::fs::write(&j, "{\"msg_type\":\"location\",\"time_s\":0}\n{broken\n").unwrap();
    let o = ridscope().arg("report").arg(&j).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2"));
    // not a history
    let o = ridscope().args(["report", "--db"]).arg(&j).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}
