//! Golden capture: the bundled `captures/pcap/synthetic_mixed.pcapng` is
//! exactly what its generator makes, and `ridscope parse --pcap` on it prints
//! exactly `captures/pcap/synthetic_mixed.jsonl`. `UPDATE_GOLDEN=1` rewrites
//! both after a deliberate change (review the diff!).

#[path = "../examples/common/golden_scenario.rs"]
mod golden_scenario;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn update() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn check_or_write(path: &Path, got: &[u8]) {
    let want = std::fs::read(path).unwrap_or_default();
    if update() {
        // only when different: the other test may be reading the file
        if want != got {
            std::fs::write(path, got).unwrap();
        }
        return;
    }
    if want != got {
        let g = String::from_utf8_lossy(got);
        let w = String::from_utf8_lossy(&want);
        let first = g.lines().zip(w.lines()).position(|(a, b)| a != b);
        panic!(
            "{} differs from what the code produces (first differing line {:?}); if the change is intended, run UPDATE_GOLDEN=1 cargo test --test golden",
            path.display(),
            first.map(|i| i + 1)
        );
    }
}

#[test]
fn capture_matches_its_generator() {
    check_or_write(&root().join("captures/pcap/synthetic_mixed.pcapng"), &golden_scenario::pcapng());
}

#[test]
fn decode_matches_expected_jsonl() {
    let out = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["parse", "--pcap", "captures/pcap/synthetic_mixed.pcapng"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("frames 89") && stderr.contains("CRC/FCS errors 2"), "{stderr}");
    check_or_write(&root().join("captures/pcap/synthetic_mixed.jsonl"), &out.stdout);

    // And independently of the golden file: what the scenario put on the air.
    let recs: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| recs.iter().filter(|r| f(r)).count();
    // drone 1: 4 s × 5 messages × 3 channels over BT4, minus the corrupted one, plus 3 auth pages × 3
    assert_eq!(count(&|r| r["transport"] == "ble4_legacy" && r["msg_type"] != "auth_signature"), 4 * 5 * 3 - 1 + 9);
    assert_eq!(count(&|r| r["transport"] == "ble5_extended" && r["msg_type"] != "decode_error"), 4 * 5);
    assert_eq!(count(&|r| r["uas_id"] == "1596AB2C3D4E5F6"), 4 * 3 + 4);
    // MAC rotation: both advertiser addresses carry the same UAS ID
    for mac in ["c4:12:34:56:78:9a", "d8:9a:bc:de:f0:11"] {
        assert!(count(&|r| r["src_addr"] == mac && r["uas_id"] == "1596AB2C3D4E5F6") > 0, "{mac}");
    }
    // the 48-byte signature, reassembled from three BT4 pages
    let sig: Vec<_> = recs.iter().filter(|r| r["msg_type"] == "auth_signature").collect();
    assert_eq!(sig.len(), 1);
    let want: Vec<u8> = (0u8..48).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    assert_eq!(sig[0]["data_hex"], ridscope::util::hex::encode(&want));
    // drone 2: 4 beacons (one with a bad FCS) and 4 NAN SDFs, 4 messages each
    assert_eq!(count(&|r| r["transport"] == "wifi_beacon" && r["protocol"] == "odid"), 3 * 4);
    assert_eq!(count(&|r| r["transport"] == "wifi_nan"), 4 * 4);
    assert_eq!(count(&|r| r["operator_id"] == "FRA87astrdge12k8"), 3 + 4);
    // drone 3 and 4
    assert_eq!(count(&|r| r["msg_type"] == "fr_id"), 2);
    let dji: Vec<_> = recs.iter().filter(|r| r["msg_type"] == "dji_flight_info").collect();
    assert_eq!(dji.len(), 1);
    assert_eq!(dji[0]["serial"], "08QDE3Q0123456");
    assert!((dji[0]["lat_deg"].as_f64().unwrap() - 51.4775).abs() < 5e-5);
    // the empty pack: one decode_error of kind sanity
    let errs: Vec<_> = recs.iter().filter(|r| r["msg_type"] == "decode_error").collect();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["error_kind"], "sanity");
    // location times: full UTC reconstructed from the receive time
    let loc = recs.iter().find(|r| r["msg_type"] == "location").unwrap();
    assert_eq!(loc["timestamp_utc"], "2026-01-01T12:00:00.000Z");
    // and every line carries the envelope
    for r in &recs {
        for k in ["time_s", "time_utc", "frame", "transport", "protocol", "msg_type"] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
    }
}
