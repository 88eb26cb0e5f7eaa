//! `ridscope decode --tracks` on a golden capture: one track per drone,
//! zone alerts when they enter and leave the sensor's radius, bad zone
//! files refused with the file named.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn tracks_and_zone_alerts_from_a_capture() {
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "captures/iq/ble_2M_ch37.sigmf-meta", "--tracks", "--sensor", "52.473,13.401"])
        .args(["--radius", "2000", "-q"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ev: Vec<Value> =
        std::str::from_utf8(&o.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let kinds = |k: &str| ev.iter().filter(|e| e["event"] == k).count();
    // the truth: 3 drones
    let truth = std::fs::read_to_string(root().join("captures/iq/ble_2M_ch37.truth.jsonl")).unwrap();
    let serials: BTreeSet<String> = truth
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["uas_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(serials.len(), 3);
    let tracked: BTreeSet<String> = ev.iter().filter_map(|e| e["uas_id"].as_str()).map(str::to_string).collect();
    assert_eq!(tracked, serials);
    assert_eq!(kinds("track_new"), 3);
    assert_eq!(kinds("track_lost"), 3, "every track closed at the end");
    // each drone flies within 2 km of the sensor: entered, then left when its track closed
    let alerts: Vec<&Value> = ev.iter().filter(|e| e["event"] == "zone_alert").collect();
    assert_eq!(alerts.iter().filter(|a| a["transition"] == "entered").count(), 3, "{alerts:?}");
    assert_eq!(alerts.iter().filter(|a| a["transition"] == "left").count(), 3);
    for e in ev.iter().filter(|e| e["event"] == "track_update") {
        let d = e["distance_m"].as_f64().unwrap();
        assert!(d < 2000.0, "{e}");
    }
}

#[test]
fn a_bad_zone_file_is_refused_naming_it() {
    let dir = std::env::temp_dir().join(format!("ridscope-zones-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("zones.geojson");
    std::fs::write(&bad, "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0]]]}").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "captures/iq/ble_2M_ch37.sigmf-meta", "--tracks", "--zones"])
        .arg(&bad)
        .current_dir(root())
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("zones.geojson") && err.contains("ring"), "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "captures/iq/ble_2M_ch37.sigmf-meta", "--tracks", "--radius", "100"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--sensor"));
}
