//! `ridscope parse --pcap` on the real captures in ../shared/captures/pcap:
//! every Remote ID frame decodes, the empty BT5 packs are rejected cleanly,
//! corrupt frames are counted. Skips with a reason when ../shared is absent.

mod common;
use std::collections::BTreeMap;
use std::process::Command;

struct Run {
    records: Vec<serde_json::Value>,
    stderr: String,
}

fn run(name: &str) -> Option<Run> {
    let p = common::shared_pcap(name)?;
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope")).args(["parse", "--pcap"]).arg(&p).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let records = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    Some(Run { records, stderr: String::from_utf8_lossy(&o.stderr).into_owned() })
}

fn by_type(r: &Run) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for x in &r.records {
        *m.entry(x["msg_type"].as_str().unwrap().to_string()).or_default() += 1;
    }
    m
}

fn frames(r: &Run) -> usize {
    let mut f: Vec<u64> = r.records.iter().map(|x| x["frame"].as_u64().unwrap()).collect();
    f.dedup();
    f.len()
}

#[test]
fn wifi_beacon_sample() {
    let Some(r) = run("odid_wifi_bcn_sample.pcap") else { return };
    assert_eq!(frames(&r), 21);
    let t = by_type(&r);
    for k in ["basic_id", "location", "self_id", "system", "operator_id"] {
        assert_eq!(t[k], 21, "{k}");
    }
    assert!(r.records.iter().all(|x| x["proto_version"] == 0 && x["transport"] == "wifi_beacon"));
    assert!(r.records.iter().any(|x| x["uas_id"] == "MFG1A0123456789"));
    assert!(r.records.iter().any(|x| x["operator_id"] == "GBR-OP-123ABCD"));
    assert!(r.stderr.contains("frames 21: drone ID 21"), "{}", r.stderr);
}

#[test]
fn wifi_nan_sample() {
    let Some(r) = run("odid_wifi_sample.pcap") else { return };
    // 21 ODID beacons and 21 NAN SDFs, one message per pack; 21 NAN sync beacons carry none
    assert_eq!(r.records.len(), 42);
    assert_eq!(r.records.iter().filter(|x| x["transport"] == "wifi_nan").count(), 21);
    assert_eq!(r.records.iter().filter(|x| x["transport"] == "wifi_beacon").count(), 21);
    assert!(r.records.iter().all(|x| x["pack_size"] == 1));
    assert!(r.stderr.contains("frames 63: drone ID 42, other 21"), "{}", r.stderr);
}

#[test]
fn edri_relay() {
    let Some(r) = run("edri_relay_test_EDRI-D2_F4relay.pcapng") else { return };
    assert_eq!(frames(&r), 4309);
    let t = by_type(&r);
    // the packs hold two messages (count byte 2), not three
    assert_eq!((t["basic_id"], t["location"], t.len()), (4309, 4309, 2));
    assert!(r.records.iter().all(|x| x["pack_size"] == 2));
    assert!(r.records.iter().any(|x| x["uas_id"] == "EDRI-D2"));
}

#[test]
fn edri_latency_two_transmitters_with_fcs() {
    let Some(r) = run("edri_latency-test-YS7.pcapng") else { return };
    assert_eq!(frames(&r), 1198);
    assert_eq!(r.records.len(), 5 * 1198);
    let macs: std::collections::BTreeSet<_> = r.records.iter().map(|x| x["src_addr"].as_str().unwrap()).collect();
    assert_eq!(macs.len(), 2);
    // position unknown (0/0) is absent, never null island
    let locs: Vec<_> = r.records.iter().filter(|x| x["msg_type"] == "location").collect();
    assert!(locs.iter().all(|x| x.get("lat_deg").is_none() && x.get("lon_deg").is_none()));
    assert!(r.records.iter().filter(|x| x["msg_type"] == "basic_id").all(|x| x["ua_type"] == "rocket"));
    assert!(r.stderr.contains("CRC/FCS errors 0"), "{}", r.stderr);
}

#[test]
fn bt5_long_range_sample() {
    let Some(r) = run("odid_bt5_lr_sample.pcapng") else { return };
    // 274 AUX_ADV_IND: 30 fail the CRC (the sniffer flags them too), 19 hold an
    // empty message pack (rejected as sanity errors), 225 decode.
    assert!(r.stderr.contains("frames 274: drone ID 244, other 0, CRC/FCS errors 30"), "{}", r.stderr);
    assert!(r.stderr.contains("payloads decoded 225, rejected (sanity 19)"), "{}", r.stderr);
    let errs: Vec<_> = r.records.iter().filter(|x| x["msg_type"] == "decode_error").collect();
    assert_eq!(errs.len(), 19);
    assert!(errs.iter().all(|e| e["error"].as_str().unwrap().contains("no messages")));
    assert!(r.records.iter().all(|x| x["transport"] == "ble5_extended" && x["phy"] == "ble_coded_s8"));
    assert_eq!(r.records.iter().filter(|x| x["msg_type"] != "decode_error").count(), 1069);
}
