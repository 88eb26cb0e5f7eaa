//! `ridscope parse` from the outside: hex at every layer, exit codes, and
//! clear one-line errors on bad input files with everything before the
//! fault still printed.

use std::path::PathBuf;
use std::process::{Command, Output};

fn ridscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ridscope")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

const LOCATION: &str = "122624160a42bf241b6ed1b4b69808ac0870086b53150e0200";
const BT4_ADV: &str = "1e16faff0d0702124142434443313233343536373839303132000000000000";

#[test]
fn odid_message_auto_and_explicit() {
    for args in [vec!["parse", LOCATION], vec!["parse", "--layer", "odid", LOCATION]] {
        let o = ridscope(&args);
        assert!(o.status.success());
        let j = json(&o);
        assert_eq!(j["layer"], "odid");
        assert_eq!(j["message"]["msg_type"], "location");
        assert_eq!(j["message"]["lat_deg"], 45.539309);
        assert_eq!(j["message"]["direction_deg"], 216.0);
    }
}

#[test]
fn ble_adv_data_and_pdu() {
    let o = ridscope(&["parse", BT4_ADV]);
    assert!(o.status.success());
    let j = json(&o);
    assert_eq!(j["layer"], "ble-adv-data");
    assert_eq!(j["payloads"][0]["messages"][0]["uas_id"], "ABCDC123456789012");
    assert_eq!(j["payloads"][0]["counter"], 7);

    // the same as a whole PDU with access address and CRC
    let adv = ridscope::util::hex::decode(BT4_ADV).unwrap();
    let mut pdu = vec![0x42, 6 + adv.len() as u8, 0x55, 0x44, 0x33, 0x22, 0x11, 0xc0];
    pdu.extend_from_slice(&adv);
    let mut full = ridscope::link::ble::ADV_ACCESS_ADDRESS.to_le_bytes().to_vec();
    full.extend(ridscope::link::ble::with_crc(&pdu));
    let o = ridscope(&["parse", &ridscope::util::hex::encode(&full)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(&o);
    assert_eq!(j["layer"], "ble-pdu");
    assert_eq!(j["crc"], "ok");
    assert_eq!(j["adv_addr"], "c0:11:22:33:44:55");
    assert_eq!(j["payloads"][0]["transport"], "ble4_legacy");
    // a flipped bit: the CRC fails and nothing is decoded
    full[20] ^= 1;
    let o = ridscope(&["parse", "--layer", "ble-pdu", &ridscope::util::hex::encode(&full)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("CRC"));
}

#[test]
fn auto_detection_does_not_mistake_ble_or_odid_for_wifi() {
    // ADV_IND (header 00 25) with a Basic ID, no CRC: a BLE PDU, not an 802.11 assoc request
    let pdu = format!("0025112233445566{BT4_ADV}");
    let o = ridscope(&["parse", &pdu]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(&o);
    assert_eq!((j["layer"].as_str(), j["pdu_type"].as_str()), (Some("ble-pdu"), Some("adv_ind")));
    assert_eq!(j["payloads"][0]["messages"][0]["uas_id"], "ABCDC123456789012");
    // a v0 Basic ID with one stray byte, and a pack with a wrong length: not decodable
    for bad in ["00124142434443313233343536373839303132000000000000ff", "f0190241424344"] {
        let o = ridscope(&["parse", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", String::from_utf8_lossy(&o.stdout));
    }
    // random-looking bytes that start like an 802.11 management header
    let o = ridscope(&["parse", "0000000000000000000000000000000000000000000000000000000000"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn wifi_frame_with_and_without_fcs() {
    let sa: ridscope::util::MacAddr = "02:11:22:33:44:55".parse().unwrap();
    let pack = ridscope::protocol::odid::transport::pack(
        2,
        vec![ridscope::protocol::odid::Message::parse(&ridscope::util::hex::decode(LOCATION).unwrap()).unwrap()],
    )
    .unwrap();
    let ie = ridscope::protocol::odid::transport::wifi_vendor_ie(5, &pack).unwrap();
    let f =
        ridscope::link::ieee80211::beacon(ridscope::link::ieee80211::MgmtSubtype::Beacon, sa, sa, 1, 0, 100, 0x21, &ie);
    for (bytes, fcs) in [(f.clone(), "absent"), (ridscope::link::ieee80211::append_fcs(f), "ok")] {
        let o = ridscope(&["parse", &ridscope::util::hex::encode(&bytes)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let j = json(&o);
        assert_eq!((j["layer"].as_str(), j["fcs"].as_str()), (Some("wifi-frame"), Some(fcs)));
        assert_eq!(j["payloads"][0]["messages"][0]["msg_type"], "location");
    }
}

#[test]
fn empty_pack_is_rejected_with_exit_2() {
    let mut ad = vec![0xE9, 0x16, 0xFA, 0xFF, 0x0D, 0x0C, 0xF0, 0x19, 0x00];
    ad.resize(234, 0);
    let o = ridscope(&["parse", "--layer", "ble-adv-data", &ridscope::util::hex::encode(&ad)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no messages"), "{err}");
    assert_eq!(json(&o)["payloads"][0]["error"]["kind"], "sanity");
}

#[test]
fn undecodable_bytes_exit_2_with_one_line() {
    for args in [
        vec!["parse", "00"],
        vec!["parse", "zz"],
        vec!["parse", "--layer", "odid", "0212"],
        vec!["parse", "--layer", "wifi-frame", "080000"],
        vec!["parse", "--layer", "dji-ocusync", "58"],
        vec!["parse", "--layer", "ble-pdu", "4225"],
    ] {
        let o = ridscope(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("ridscope: "), "{err}");
    }
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ridscope-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn bad_files_give_one_clear_line_and_keep_what_was_decoded() {
    let good =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("captures/pcap/synthetic_mixed.pcapng")).unwrap();
    // truncated in the middle of a block: everything before it is printed
    let cut = tmp("cut.pcapng", &good[..good.len() / 2 + 3]);
    let o = ridscope(&["parse", "--pcap", cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    let first = err.lines().next().unwrap();
    assert!(first.contains("cut.pcapng") && first.contains("truncated"), "{err}");
    let lines = String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(lines > 40, "only {lines} records before the cut");
    // not a capture at all
    let txt = tmp("notes.pcap", b"<html>this is not a capture</html>\n");
    let o = ridscope(&["parse", "--pcap", txt.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.lines().next().unwrap().contains("notes.pcap") && err.contains("not a pcap"), "{err}");
    // missing
    let o = ridscope(&["parse", "--pcap", "/nonexistent/x.pcap"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/x.pcap"));
    // empty
    let e = tmp("empty.pcap", b"");
    let o = ridscope(&["parse", "--pcap", e.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).lines().next().unwrap().contains("empty.pcap"));
}

#[test]
fn output_file_option() {
    let out = std::env::temp_dir().join(format!("ridscope-out-{}.jsonl", std::process::id()));
    let o = ridscope(&["parse", "--pcap", "captures/pcap/synthetic_mixed.pcapng", "-o", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 121);
}
