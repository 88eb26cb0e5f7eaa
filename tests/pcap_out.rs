//! `--pcap`: the golden IQ captures decoded with a pcapng written beside
//! the JSON Lines, then (1) read by tshark (installed by `.ci/run`; the
//! tshark checks skip with a reason without it): BLE frames dissect as
//! advertising PDUs with the 0xFFFA service data, 802.11 frames as beacons
//! with the ASTM vendor IE or NAN service discovery frames, DJI blocks as
//! link type 147, nothing malformed; and (2) read back by `ridscope parse
//! --pcap`: the same messages as the IQ decode.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ridscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ridscope"))
}

fn tshark_available() -> bool {
    Command::new("tshark").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// tshark's `-T fields` output of `fields` for every packet (optionally
/// only those matching `filter`), one line per packet.
fn tshark(pcap: &Path, filter: Option<&str>, fields: &[&str]) -> Vec<String> {
    let mut c = Command::new("tshark");
    c.arg("-r").arg(pcap).args(["-T", "fields", "-E", "separator=|"]);
    if let Some(f) = filter {
        c.args(["-Y", f]);
    }
    for f in fields {
        c.args(["-e", f]);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "tshark: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect()
}

/// The records without what depends on how the frame was stored (times,
/// frame numbers, rounding of the radio fields).
/// `time_utc` is compared only when the capture had a clock (a raw file
/// has none; its pcap counts from 1970).
fn content(jsonl: &str, utc: bool) -> Vec<Value> {
    jsonl
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if let Some(o) = v.as_object_mut() {
                for k in ["time_s", "frame", "freq_mhz", "rssi_dbm", "rssi_dbfs", "snr_db", "cfo_hz"] {
                    o.remove(k);
                }
                if !utc {
                    // and what is resolved with it (the Location's hour)
                    o.remove("time_utc");
                    if o.get("msg_type").is_some_and(|m| m == "location") {
                        o.remove("timestamp_utc");
                    }
                }
            }
            v
        })
        .collect()
}

fn same(capture: &str, a: &[Value], b: &[Value]) {
    assert_eq!(a.len(), b.len(), "{capture}: record counts");
    if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
        panic!("{capture}: record {i} differs:\n{}\n{}", a[i], b[i]);
    }
}

/// Decodes a golden capture with `--pcap`; returns (pcap path, JSONL).
fn decode(capture: &str, dir: &Path) -> (PathBuf, String) {
    let pcap = dir.join(format!("{capture}.pcapng"));
    let o = ridscope()
        .arg("decode")
        .arg(root().join("captures/iq").join(capture))
        .arg("--pcap")
        .arg(&pcap)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (pcap, String::from_utf8_lossy(&o.stdout).to_string())
}

#[test]
fn decoded_frames_go_to_a_pcapng_that_wireshark_and_ridscope_read() {
    let dir = std::env::temp_dir().join(format!("ridscope-pcap-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let have_tshark = tshark_available();
    if !have_tshark {
        eprintln!("skipped the tshark checks: tshark is not installed (.ci/run installs it)");
    }
    let cases = [
        ("ble_2M_ch37.sigmf-meta", 18usize),
        ("wifi_bcn_2437M_11M.cs8", 7),
        ("wifi_nan_20M.sigmf-meta", 8),
        ("dji_15M36.sigmf-meta", 5),
    ];
    for (capture, frames) in cases {
        let (pcap, jsonl) = decode(capture, &dir);
        // read back without DSP: the same messages
        let o = ridscope().args(["parse", "-q", "--pcap"]).arg(&pcap).output().unwrap();
        assert!(o.status.success(), "{capture}: {}", String::from_utf8_lossy(&o.stderr));
        let back = String::from_utf8_lossy(&o.stdout);
        let utc = jsonl.contains("\"time_utc\"");
        same(capture, &content(&back, utc), &content(&jsonl, utc));
        assert!(!jsonl.is_empty());
        if !have_tshark {
            continue;
        }
        let all = tshark(&pcap, None, &["frame.number"]);
        assert_eq!(all.len(), frames, "{capture}: every frame written");
        assert!(
            tshark(&pcap, Some("_ws.malformed || _ws.expert.severity == error"), &["frame.number"]).is_empty(),
            "{capture}: malformed packets"
        );
        let messages = jsonl.lines().count();
        match capture {
            c if c.starts_with("ble") => {
                let rows = tshark(
                    &pcap,
                    None,
                    &["btle.advertising_header.pdu_type", "btcommon.eir_ad.entry.uuid_16", "btle_rf.channel"],
                );
                assert!(rows.iter().all(|r| r.starts_with("0x02|") || r.starts_with("0x2|")), "{rows:?}"); // ADV_NONCONN_IND
                assert_eq!(rows.iter().filter(|r| r.contains("|0xfffa|")).count(), messages, "{rows:?}");
                assert!(rows.iter().all(|r| r.ends_with("|0")), "RF channel 0 = advertising channel 37: {rows:?}");
            }
            "wifi_bcn_2437M_11M.cs8" => {
                let rows = tshark(
                    &pcap,
                    None,
                    &["wlan.fc.type_subtype", "wlan.tag.oui", "radiotap.channel.freq", "radiotap.datarate"],
                );
                // beacons carrying the ASTM OUI FA-0B-BC, on 2437 MHz at 1 Mb/s
                let astm = rows
                    .iter()
                    .filter(|r| r.starts_with("0x0008|") && r.contains("16387004") && r.ends_with("|2437|1"))
                    .count();
                assert_eq!(astm, frames, "{rows:?}");
            }
            "wifi_nan_20M.sigmf-meta" => {
                let rows = tshark(&pcap, Some("nan.sda.service_info"), &["wlan.fc.type_subtype", "nan.sda.sc.type"]);
                assert_eq!(rows.len(), frames, "NAN service discovery frames with service info: {rows:?}");
                assert!(rows.iter().all(|r| r.starts_with("0x000d|")), "action frames: {rows:?}");
            }
            _ => {
                let rows = tshark(&pcap, None, &["frame.protocols", "frame.len"]);
                // USER0 with the 28-byte header and a 176-byte code block
                assert!(rows.iter().all(|r| r.ends_with("|204")), "{rows:?}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
