//! `--cot`: the golden BLE capture (three drones, one second) decoded with
//! Cursor on Target sent over loopback, by UDP and to a TCP listener
//! standing in for a TAK server. Every event is well-formed XML with the
//! attributes ATAK needs, and the drone and pilot markers sit where the
//! tracker puts each drone and its pilot.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CAPTURE: &str = "captures/iq/ble_2M_ch37.sigmf-meta";

/// (uid, type, lat, lon, callsign, remarks) of one event, after checking it.
fn check(xml: &str) -> (String, String, f64, f64, String, String) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"));
    let ev = doc.root_element();
    assert_eq!(ev.tag_name().name(), "event");
    assert_eq!(ev.attribute("version"), Some("2.0"));
    assert_eq!(ev.attribute("how"), Some("m-g"));
    let time = ev.attribute("time").unwrap();
    let stale = ev.attribute("stale").unwrap();
    assert_eq!(ev.attribute("start"), Some(time));
    // ISO 8601 UTC, stale 30 s after time (same day here)
    assert!(time.ends_with('Z') && time.len() == 24 && stale.len() == 24, "{time} {stale}");
    assert!(stale > time, "{time} {stale}");
    let point = ev.children().find(|n| n.has_tag_name("point")).expect("point");
    let lat: f64 = point.attribute("lat").unwrap().parse().unwrap();
    let lon: f64 = point.attribute("lon").unwrap().parse().unwrap();
    for a in ["hae", "ce", "le"] {
        assert!(point.attribute(a).unwrap().parse::<f64>().is_ok(), "{a}: {xml}");
    }
    let detail = ev.children().find(|n| n.has_tag_name("detail")).expect("detail");
    let callsign = detail.children().find(|n| n.has_tag_name("contact")).and_then(|c| c.attribute("callsign")).unwrap();
    let remarks = detail.children().find(|n| n.has_tag_name("remarks")).and_then(|r| r.text()).unwrap_or("");
    (
        ev.attribute("uid").unwrap().into(),
        ev.attribute("type").unwrap().into(),
        lat,
        lon,
        callsign.into(),
        remarks.into(),
    )
}

/// What the tracker knows at the end (`decode --tracks`), per serial: the
/// drone's last position and its pilot's, when known. (One drone of the
/// capture changes its MAC address after sending its System message, so
/// its pilot is never attributed: ridscope does not guess.)
/// Per serial: the drone's (lat, lon) and its pilot's, when known.
type Expected = BTreeMap<String, ((f64, f64), Option<(f64, f64)>)>;

fn expected() -> Expected {
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "-q", "--tracks"])
        .arg(root().join(CAPTURE))
        .output()
        .unwrap();
    let mut m = BTreeMap::new();
    for l in String::from_utf8_lossy(&o.stdout).lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        let (Some(lat), Some(lon)) = (v["lat_deg"].as_f64(), v["lon_deg"].as_f64()) else { continue };
        let pilot = v["operator_lat_deg"].as_f64().zip(v["operator_lon_deg"].as_f64());
        m.insert(v["uas_id"].as_str().unwrap().to_string(), ((lat, lon), pilot));
    }
    m
}

fn check_all(events: &[String]) {
    let want = expected();
    assert_eq!(want.len(), 3);
    assert_eq!(want.values().filter(|w| w.1.is_some()).count(), 2);
    let mut seen = BTreeMap::new();
    for xml in events {
        let (uid, ty, lat, lon, callsign, remarks) = check(xml);
        seen.insert(uid.clone(), (ty, lat, lon, callsign, remarks));
    }
    for (serial, (drone, pilot)) in &want {
        let (ty, lat, lon, callsign, remarks) = seen.get(&format!("ridscope-{serial}")).expect("drone marker");
        assert_eq!(ty, "a-u-A-M-H-Q");
        assert!((lat - drone.0).abs() < 1e-6 && (lon - drone.1).abs() < 1e-6, "{serial}: {lat},{lon} vs {drone:?}");
        assert_eq!(callsign, serial);
        assert!(remarks.contains(&format!("serial {serial}")) && remarks.contains("ble4_legacy"), "{remarks}");
        let marker = seen.get(&format!("ridscope-{serial}-pilot"));
        let Some(pilot) = pilot else {
            assert!(marker.is_none(), "{serial}: no pilot known, none marked");
            continue;
        };
        let (ty, lat, lon, _, _) = marker.expect("pilot marker");
        assert_eq!(ty, "a-u-G");
        assert!((lat - pilot.0).abs() < 1e-6 && (lon - pilot.1).abs() < 1e-6, "{serial} pilot");
    }
}

#[test]
fn cot_over_udp_marks_each_drone_and_pilot() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let url = format!("udp://{}", rx.local_addr().unwrap());
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "-q", "-o", "/dev/null", "--cot", &url])
        .arg(root().join(CAPTURE))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut events = Vec::new();
    let mut buf = vec![0u8; 65536];
    rx.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    while let Ok(n) = rx.recv(&mut buf) {
        events.push(String::from_utf8(buf[..n].to_vec()).expect("UTF-8"));
    }
    // one event per datagram, each drone and pilot at least once, at most
    // a few updates each in one second
    assert!((6..=30).contains(&events.len()), "{} events", events.len());
    check_all(&events);
}

#[test]
fn cot_to_a_tak_server_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("tcp://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut all = String::new();
        s.read_to_string(&mut all).unwrap();
        all
    });
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", "-q", "-o", "/dev/null", "--cot", &url])
        .arg(root().join(CAPTURE))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let all = server.join().unwrap();
    // events back to back on the stream
    let events: Vec<String> = all.split("<?xml").filter(|p| !p.is_empty()).map(|p| format!("<?xml{p}")).collect();
    check_all(&events);
}
