//! DJI DroneID codec tests: CRC placement, round trips on both transports,
//! hand-written frames with hand-computed values, robustness.

use super::ocusync::{self, BLOCK_LEN, CRC24_OFFSET};
use super::record::{FLIGHT_INFO_V1_LEN, FLIGHT_INFO_V2_LEN};
use super::*;
use crate::error::ErrorKind;
use ridscope_dsp::crc::{crc24a, dji_crc16};

fn h(s: &str) -> Vec<u8> {
    crate::util::hex::decode(s).expect("test hex")
}

/// A version 2 record with every field non-zero and distinct.
fn sample_v2() -> FlightInfo {
    let mut f = FlightInfo {
        sequence: 4242,
        state_info: 0x1FF7,
        alt_raw: 141,
        height_raw: -37,
        v_north_raw: 123,
        v_east_raw: -456,
        v_up_raw: 29,
        yaw_raw: 17_999,
        product_type: 58,
        version: FlightInfoVersion::V2 { gps_time_ms: 1_690_000_000_123, app_lat_raw: 0, app_lon_raw: 0 },
        ..FlightInfo::default()
    };
    f.set_serial("1ZNBJ7U00C00AB").unwrap();
    f.set_uuid("1234567890123456789").unwrap();
    f.set_position_deg(47.3769, 8.5417).unwrap();
    f.set_home_deg(47.3770, 8.5400).unwrap();
    f.set_operator_deg(47.3771, 8.5401).unwrap();
    f
}

fn sample_v1() -> FlightInfo {
    let mut f = sample_v2();
    f.version = FlightInfoVersion::V1 { pitch_raw: -1234, roll_raw: 567 };
    f.product_type = 21;
    f
}

fn sample_purpose() -> FlightPurpose {
    let mut p = FlightPurpose { rest: vec![0xCC, 0xAA, 0x02], ..FlightPurpose::default() };
    p.set_serial("1ZNBJ7U00C00AB").unwrap();
    p
}

fn info_of(m: &DjiMessage) -> &FlightInfo {
    match m {
        DjiMessage::FlightInfo { info, .. } => info,
        other => panic!("not flight info: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// CRC placement

#[test]
fn ocusync_crc_placement() {
    let b = ocusync::emit_flight_info(&sample_v2()).unwrap();
    assert_eq!(b.len(), BLOCK_LEN);
    assert_eq!((b[0], b[1], b[2]), (88, 0x10, 2));
    // CRC-16 over bytes 0..=88, little-endian at 89..91
    assert_eq!(b[89..91], dji_crc16(&b[..89]).to_le_bytes());
    // CRC-24A over 0..173, MSB first at 173..176; the residue over all 176 bytes is 0
    let c = crc24a(&b[..173]);
    assert_eq!(b[173..176], [(c >> 16) as u8, (c >> 8) as u8, c as u8]);
    assert_eq!(crc24a(&b), 0);
    // nothing after the CRC-16 but zeros
    assert!(b[91..173].iter().all(|&x| x == 0));

    let p = ocusync::emit_flight_purpose(&sample_purpose()).unwrap();
    assert_eq!((p[0], p[1]), (141, 0x11));
    assert_eq!(p[142..144], dji_crc16(&p[..142]).to_le_bytes());
    assert_eq!(crc24a(&p), 0);
}

#[test]
fn crc24_mismatch_is_a_crc_error() {
    let good = ocusync::emit_flight_info(&sample_v2()).unwrap();
    for pos in [0, 1, 30, 88, 89, 100, 172, 173, 175] {
        let mut b = good;
        b[pos] ^= 0x01;
        let e = ocusync::parse_block(&b).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Crc, "byte {pos}: {e}");
    }
    assert!(ocusync::parse_block(&good).is_ok());
}

#[test]
fn crc16_mismatch_is_reported_not_dropped() {
    let good = ocusync::emit_flight_info(&sample_v2()).unwrap();
    let m = ocusync::parse_block(&good).unwrap();
    assert_eq!(m.framing(), Framing::Ocusync { payload_crc_ok: Some(true) });

    // corrupt a payload byte (the altitude, offset 31), re-seal only the CRC-24
    let mut b = good;
    b[31] = 0x7F;
    ocusync::seal_block(&mut b);
    let m = ocusync::parse_block(&b).unwrap();
    assert_eq!(m.framing(), Framing::Ocusync { payload_crc_ok: Some(false) });
    assert_eq!(info_of(&m).alt_raw, 0x7F, "the corrupted value is still decoded");
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["payload_crc_ok"], false);
    assert_eq!(json["msg_type"], "dji_flight_info");

    // corrupt the stored CRC-16 itself
    let mut b = good;
    b[90] ^= 0x80;
    ocusync::seal_block(&mut b);
    assert_eq!(ocusync::parse_block(&b).unwrap().framing(), Framing::Ocusync { payload_crc_ok: Some(false) });

    // the CRC-16 sits at L+1 = 89, not at 90 (Ka-zam's encoder bug)
    let mut b = good;
    b.copy_within(89..91, 90);
    ocusync::seal_block(&mut b);
    assert_eq!(ocusync::parse_block(&b).unwrap().framing(), Framing::Ocusync { payload_crc_ok: Some(false) });

    // stale bytes after the CRC-16 are outside it
    let mut b = good;
    b[120] = 0x55;
    ocusync::seal_block(&mut b);
    assert_eq!(ocusync::parse_block(&b).unwrap().framing(), Framing::Ocusync { payload_crc_ok: Some(true) });

    // the purpose message, too
    let mut p = ocusync::emit_flight_purpose(&sample_purpose()).unwrap();
    p[141] ^= 1;
    ocusync::seal_block(&mut p);
    let m = ocusync::parse_block(&p).unwrap();
    assert_eq!(m.msg_type(), "dji_flight_purpose");
    assert_eq!(m.framing(), Framing::Ocusync { payload_crc_ok: Some(false) });
}

// ---------------------------------------------------------------------------
// Round trips

#[test]
fn ocusync_round_trip_flight_info() {
    let info = sample_v2();
    let b = ocusync::emit_flight_info(&info).unwrap();
    let m = ocusync::parse_block(&b).unwrap();
    assert_eq!(
        m,
        DjiMessage::FlightInfo { info: info.clone(), framing: Framing::Ocusync { payload_crc_ok: Some(true) } }
    );
    assert_eq!(ocusync::emit_block(&m).unwrap(), b);
    // parse_payload on the payload alone (L + 3 bytes) gives the same message
    assert_eq!(ocusync::parse_payload(&b[..91]).unwrap(), m);
    // version 1 records do not travel on OcuSync
    assert!(ocusync::emit_flight_info(&sample_v1()).is_err());
}

#[test]
fn ocusync_round_trip_flight_purpose() {
    let mut purpose = sample_purpose();
    let b = ocusync::emit_flight_purpose(&purpose).unwrap();
    let m = ocusync::parse_block(&b).unwrap();
    // the rest is zero-padded to 124 bytes on the way out
    purpose.rest.resize(ocusync::FLIGHT_PURPOSE_REST_LEN, 0);
    assert_eq!(m, DjiMessage::FlightPurpose { purpose, framing: Framing::Ocusync { payload_crc_ok: Some(true) } });
    assert_eq!(ocusync::emit_block(&m).unwrap(), b);
    assert_eq!(m.serial().as_deref(), Some("1ZNBJ7U00C00AB"));

    let too_long = FlightPurpose { rest: vec![0; 125], ..FlightPurpose::default() };
    assert!(ocusync::emit_flight_purpose(&too_long).is_err());
}

#[test]
fn wifi_round_trips() {
    for info in [sample_v1(), sample_v2()] {
        let m = DjiMessage::FlightInfo { info: info.clone(), framing: Framing::Wifi { header: wifi::HEADER } };
        let body = wifi::emit(&m).unwrap();
        let len =
            if matches!(info.version, FlightInfoVersion::V1 { .. }) { FLIGHT_INFO_V1_LEN } else { FLIGHT_INFO_V2_LEN };
        assert_eq!(body.len(), 4 + len);
        assert_eq!(body[..4], [0x58, 0x62, 0x13, 0x10]);
        assert_eq!(wifi::parse(&body).unwrap(), m);
    }
    let m =
        DjiMessage::FlightPurpose { purpose: sample_purpose(), framing: Framing::Wifi { header: [0x58, 0x99, 0x01] } };
    let body = wifi::emit(&m).unwrap();
    assert_eq!(body[..4], [0x58, 0x99, 0x01, 0x11]);
    assert_eq!(wifi::parse(&body).unwrap(), m);

    let ie = wifi::emit_ie(&m).unwrap();
    assert_eq!(ie[0], 221);
    assert_eq!(ie[1] as usize, ie.len() - 2);
    assert_eq!(ie[2..5], wifi::OUI);
    assert_eq!(ie[5..], body[..]);
}

#[test]
fn the_record_is_shared_between_transports() {
    let info = sample_v2();
    let block = ocusync::emit_flight_info(&info).unwrap();
    let wifi_body =
        wifi::emit(&DjiMessage::FlightInfo { info, framing: Framing::Wifi { header: wifi::HEADER } }).unwrap();
    assert_eq!(block[2..89], wifi_body[4..]);
}

// ---------------------------------------------------------------------------
// Hand-written frames

/// An OcuSync flight info payload written out byte by byte. Positions were
/// converted by hand: deg × π/180 × 1e7, rounded.
///   51.4775° → 0.898451866 rad → 8984519 = 0x008917C7
///   −0.4614° → −0.008052949 rad → −80529 = 0xFFFEC56F
const HAND_PAYLOAD: &str = concat!(
    "58",                                     // 0: L = 88
    "10",                                     // 1: type 0x10
    "02",                                     // 2: version 2
    "2301",                                   // 3: sequence 0x0123 = 291
    "f71f",                                   // 5: state 0x1FF7
    "5445535453455249414c303030310000",       // 7: "TESTSERIAL0001"
    "6fc5feff",                               // 23: lon −80529 (−0.4614°)
    "c7178900",                               // 27: lat 8984519 (51.4775°)
    "8d00",                                   // 31: alt 141 m
    "2a00",                                   // 33: height 42 → 4.2 m
    "9600",                                   // 35: v_north 150 cm/s
    "06ff",                                   // 37: v_east −250 cm/s
    "1c00",                                   // 39: v_up 28 cm/s
    "d8dc",                                   // 41: yaw −9000 → −90.00°
    "0068e5cf8b010000",                       // 43: 1_700_000_000_000 ms = 2023-11-14T22:13:20Z
    "aa128900",                               // 51: app lat 8983210 (51.4700°)
    "46cafeff",                               // 55: app lon −79290 (−0.4543°)
    "63c6feff",                               // 59: home lon −80285 (−0.4600°)
    "cc188900",                               // 63: home lat 8984780 (51.4790°)
    "3f",                                     // 67: product 63 = Mini 2
    "13",                                     // 68: UUID length 19
    "31323334353637383930313233343536373839", // 69: UUID "1234567890123456789"
    "00",                                     // 88: terminator
);

fn hand_block() -> [u8; BLOCK_LEN] {
    let p = h(HAND_PAYLOAD);
    assert_eq!(p.len(), 89);
    let mut b = [0u8; BLOCK_LEN];
    b[..89].copy_from_slice(&p);
    ocusync::write_crc16(&mut b).unwrap();
    ocusync::seal_block(&mut b);
    b
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 5e-5)
}

#[test]
fn hand_written_ocusync_values() {
    let m = ocusync::parse_block(&hand_block()).unwrap();
    let f = info_of(&m);
    assert_eq!(f.version_byte(), 2);
    assert_eq!(f.sequence, 291);
    assert_eq!(f.serial_str().as_deref(), Some("TESTSERIAL0001"));
    assert_eq!((f.lat_raw, f.lon_raw), (8_984_519, -80_529));
    assert_eq!((f.home_lat_raw, f.home_lon_raw), (8_984_780, -80_285));
    assert_eq!(f.uuid_str().as_deref(), Some("1234567890123456789"));

    let j = serde_json::to_value(&m).unwrap();
    assert_eq!(j["msg_type"], "dji_flight_info");
    assert!(close(j["lat_deg"].as_f64(), 51.4775), "{j}");
    assert!(close(j["lon_deg"].as_f64(), -0.4614), "{j}");
    assert!(close(j["operator_lat_deg"].as_f64(), 51.4700), "{j}");
    assert!(close(j["operator_lon_deg"].as_f64(), -0.4543), "{j}");
    assert!(close(j["home_lat_deg"].as_f64(), 51.4790), "{j}");
    assert!(close(j["home_lon_deg"].as_f64(), -0.4600), "{j}");
    assert_eq!(j["alt_m"], 141.0);
    assert_eq!(j["alt_raw"], 141);
    assert_eq!(j["height_m"], 4.2);
    assert_eq!(j["height_raw"], 42);
    assert_eq!(j["v_north_mps"], 1.5);
    assert_eq!(j["v_east_mps"], -2.5);
    assert_eq!(j["v_up_mps"], 0.28);
    assert_eq!(j["yaw_deg"], -90.0);
    assert_eq!(j["gps_time_utc"], "2023-11-14T22:13:20.000Z");
    assert_eq!(j["product_type"], 63);
    assert_eq!(j["model"], "Mini 2");
    assert_eq!(j["state_info"], 0x1FF7);
    // 0x1FF7: bits 0-2 and 4-12
    for k in ["serial_valid", "private_mode_disabled", "home_point_set", "motor_on", "in_air", "gps_valid"] {
        assert_eq!(j[k], true, "{k}");
    }
    assert_eq!(j["uuid_set"], false);
    assert_eq!(j["pitch_roll_yaw_valid"], true);
    assert_eq!(j["payload_crc_ok"], true);
    assert!(j.get("pitch_deg").is_none() && j.get("roll_deg").is_none(), "v2 has no pitch/roll");
    assert!(j.get("ie_vendor_type").is_none());
}

/// A Wi-Fi version 1 IE body written out by hand (not a captured frame).
const HAND_WIFI_V1: &str = concat!(
    "586213",                                   // header
    "10",                                       // subcommand: flight info
    "01",                                       // version 1
    "0700",                                     // sequence 7
    "3300",                                     // state 0x0033: serial valid, private disabled, motor on, in air
    "4142434445464748494a4b4c4d4e0000",         // serial "ABCDEFGHIJKLMN"
    "6fc5feff",                                 // lon −80529 (−0.4614°)
    "c7178900",                                 // lat 8984519 (51.4775°)
    "6400",                                     // alt 100
    "f401",                                     // height 500 → 50.0 m
    "0000",                                     // v_north 0
    "0000",                                     // v_east 0
    "0000",                                     // v_up 0
    "e803",                                     // pitch 1000 → 10.00°
    "18fc",                                     // roll −1000 → −10.00°
    "5046",                                     // yaw 18000 → 180.00°
    "00000000",                                 // home lon: unknown
    "00000000",                                 // home lat: unknown
    "15",                                       // product 21 = Spark
    "00",                                       // UUID length 0
    "0000000000000000000000000000000000000000", // UUID
);

#[test]
fn hand_written_wifi_v1() {
    let body = h(HAND_WIFI_V1);
    assert_eq!(body.len(), 4 + FLIGHT_INFO_V1_LEN);
    let m = wifi::parse(&body).unwrap();
    let f = info_of(&m);
    assert_eq!(f.version, FlightInfoVersion::V1 { pitch_raw: 1000, roll_raw: -1000 });
    let j = serde_json::to_value(&m).unwrap();
    assert_eq!(j["msg_type"], "dji_flight_info");
    assert_eq!(j["version"], 1);
    assert_eq!(j["sequence"], 7);
    assert_eq!(j["serial"], "ABCDEFGHIJKLMN");
    assert!(close(j["lat_deg"].as_f64(), 51.4775), "{j}");
    assert!(close(j["lon_deg"].as_f64(), -0.4614), "{j}");
    assert_eq!(j["pitch_deg"], 10.0);
    assert_eq!(j["roll_deg"], -10.0);
    assert_eq!(j["yaw_deg"], 180.0);
    assert_eq!(j["height_m"], 50.0);
    assert_eq!(j["model"], "Spark");
    assert_eq!(j["ie_vendor_type"], 0x58);
    assert_eq!(j["ie_unknown_hex"], "6213");
    assert_eq!(j["motor_on"], true);
    assert_eq!(j["in_air"], true);
    assert_eq!(j["gps_valid"], false);
    for k in ["home_lat_deg", "home_lon_deg", "uuid", "gps_time_utc", "operator_lat_deg", "payload_crc_ok"] {
        assert!(j.get(k).is_none(), "{k} must be absent: {j}");
    }
    assert_eq!(wifi::emit(&m).unwrap(), body, "re-encodes bit-exactly");
}

// ---------------------------------------------------------------------------
// Unknown layouts are reported, not dropped

#[test]
fn ocusync_unknown_layouts() {
    // an OcuSync 3 style frame: CRC-24 fine, L = 0x80, type 0x10, then noise
    let mut b = [0u8; BLOCK_LEN];
    b[..6].copy_from_slice(&[0x80, 0x10, 0x49, 0x4e, 0x46, 0x50]);
    for (i, x) in b[6..CRC24_OFFSET].iter_mut().enumerate() {
        *x = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    ocusync::seal_block(&mut b);
    let m = ocusync::parse_block(&b).unwrap();
    let DjiMessage::Unknown { payload_type, payload_len, raw, framing } = &m else { panic!("{m:?}") };
    assert_eq!((*payload_type, *payload_len), (0x10, 0x80));
    assert_eq!(raw[..], b[..CRC24_OFFSET]);
    assert_eq!(*framing, Framing::Ocusync { payload_crc_ok: Some(false) });
    let j = serde_json::to_value(&m).unwrap();
    assert_eq!(j["msg_type"], "dji_unknown");
    assert_eq!(j["payload_type"], 16);
    assert_eq!(j["payload_len"], 128);
    assert_eq!(j["raw_hex"].as_str().unwrap().len(), 2 * CRC24_OFFSET);
    assert!(j["raw_hex"].as_str().unwrap().starts_with("8010494e4650"));
    assert_eq!(ocusync::emit_block(&m).unwrap(), b, "unknown blocks re-encode as they were");

    // a right-length 0x10 with another record version
    let mut b = hand_block();
    b[2] = 3;
    ocusync::write_crc16(&mut b).unwrap();
    ocusync::seal_block(&mut b);
    assert_eq!(ocusync::parse_block(&b).unwrap().msg_type(), "dji_unknown");

    // known type, wrong length
    let mut b = ocusync::emit_flight_purpose(&sample_purpose()).unwrap();
    b[0] = 140;
    ocusync::seal_block(&mut b);
    assert_eq!(ocusync::parse_block(&b).unwrap().msg_type(), "dji_unknown");

    // L so large the CRC-16 would lie outside the block: CRC state unknown
    let mut b = [0u8; BLOCK_LEN];
    b[0] = 0xFF;
    b[1] = 0x42;
    ocusync::seal_block(&mut b);
    let m = ocusync::parse_block(&b).unwrap();
    assert_eq!(m.framing(), Framing::Ocusync { payload_crc_ok: None });
    assert!(serde_json::to_value(&m).unwrap().get("payload_crc_ok").is_none());
}

#[test]
fn wifi_unknown_layouts() {
    let m = wifi::parse(&h("58621312deadbeef")).unwrap();
    assert_eq!(
        m,
        DjiMessage::Unknown {
            payload_type: 0x12,
            payload_len: 4,
            raw: h("deadbeef"),
            framing: Framing::Wifi { header: [0x58, 0x62, 0x13] }
        }
    );
    assert_eq!(wifi::emit(&m).unwrap(), h("58621312deadbeef"));
    let mut body = h(HAND_WIFI_V1);
    body[4] = 9; // record version 9
    assert_eq!(wifi::parse(&body).unwrap().msg_type(), "dji_unknown");
}

// ---------------------------------------------------------------------------
// Robustness

#[test]
fn short_and_garbage_inputs_are_errors() {
    for n in [0, 1, 2, 100, 173, 175, 177, 300] {
        let e = ocusync::parse_block(&vec![0u8; n]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Length, "{n}");
    }
    // an all-zero block has CRC-24 0 (init 0): it passes and is an unknown payload
    assert_eq!(ocusync::parse_block(&[0u8; BLOCK_LEN]).unwrap().msg_type(), "dji_unknown");

    // payloads cut short
    let b = hand_block();
    for n in [0, 1, 2, 3, 50, 89, 90] {
        assert_eq!(ocusync::parse_payload(&b[..n]).unwrap_err().kind(), ErrorKind::Length, "{n}");
    }
    assert!(ocusync::parse_payload(&b[..91]).is_ok());

    // Wi-Fi bodies cut short
    let body = h(HAND_WIFI_V1);
    for n in [0, 1, 3, 4, 5, 40, body.len() - 1] {
        assert_eq!(wifi::parse(&body[..n]).unwrap_err().kind(), ErrorKind::Length, "{n}");
    }
    let v2 = wifi::emit(&DjiMessage::FlightInfo { info: sample_v2(), framing: Framing::Wifi { header: wifi::HEADER } })
        .unwrap();
    assert_eq!(wifi::parse(&v2[..v2.len() - 1]).unwrap_err().kind(), ErrorKind::Length);
    assert_eq!(wifi::parse(&h("586213110102")).unwrap_err().kind(), ErrorKind::Length, "purpose without a serial");
    // extra bytes after a record are ignored
    let mut long = v2.clone();
    long.extend_from_slice(&[1, 2, 3]);
    assert_eq!(wifi::parse(&long).unwrap(), wifi::parse(&v2).unwrap());
}

#[test]
fn no_panics_on_noise() {
    // a cheap deterministic generator; known type bytes are planted often
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..3000 {
        let len = (next() % 200) as usize;
        let mut buf: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 3 == 0 && len >= 4 {
            buf[3] = 0x10 + (round % 2) as u8; // known subcommands
            if len > 4 {
                buf[4] = 1 + (round % 4 == 0) as u8;
            }
        }
        let _ = wifi::parse(&buf);
        let _ = ocusync::parse_payload(&buf);
        let _ = ocusync::parse_block(&buf);
        if len >= BLOCK_LEN {
            let mut b: [u8; BLOCK_LEN] = buf[..BLOCK_LEN].try_into().unwrap();
            if round % 2 == 0 {
                b[0] = if round % 4 == 0 { 88 } else { 141 };
                b[1] = if round % 4 == 0 { 0x10 } else { 0x11 };
                b[2] = 2;
            }
            ocusync::seal_block(&mut b);
            let m = ocusync::parse_block(&b).expect("CRC-24 passes, so it decodes");
            serde_json::to_string(&m).unwrap();
        }
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn any_info() -> impl Strategy<Value = FlightInfo> {
        (
            any::<(u16, u16, [u8; 16], i32, i32, i16, i16)>(),
            any::<(i16, i16, i16, i16, i32, i32, u8, u8)>(),
            any::<[u8; 20]>(),
            prop_oneof![
                any::<(i16, i16)>().prop_map(|(p, r)| FlightInfoVersion::V1 { pitch_raw: p, roll_raw: r }),
                any::<(u64, i32, i32)>().prop_map(|(t, la, lo)| FlightInfoVersion::V2 {
                    gps_time_ms: t,
                    app_lat_raw: la,
                    app_lon_raw: lo
                }),
            ],
        )
            .prop_map(
                |((seq, st, serial, la, lo, alt, hgt), (vn, ve, vu, yaw, hla, hlo, pt, ul), uuid, version)| {
                    FlightInfo {
                        sequence: seq,
                        state_info: st,
                        serial,
                        lat_raw: la,
                        lon_raw: lo,
                        alt_raw: alt,
                        height_raw: hgt,
                        v_north_raw: vn,
                        v_east_raw: ve,
                        v_up_raw: vu,
                        yaw_raw: yaw,
                        home_lat_raw: hla,
                        home_lon_raw: hlo,
                        product_type: pt,
                        uuid_len: ul,
                        uuid,
                        version,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn record_round_trip(info in any_info()) {
            let framing = Framing::Wifi { header: wifi::HEADER };
            let m = DjiMessage::FlightInfo { info: info.clone(), framing };
            let body = wifi::emit(&m).unwrap();
            prop_assert_eq!(wifi::parse(&body).unwrap(), m.clone());
            serde_json::to_string(&m).unwrap();
            if matches!(info.version, FlightInfoVersion::V2 { .. }) {
                let b = ocusync::emit_flight_info(&info).unwrap();
                prop_assert_eq!(
                    ocusync::parse_block(&b).unwrap(),
                    DjiMessage::FlightInfo { info, framing: Framing::Ocusync { payload_crc_ok: Some(true) } }
                );
            }
        }

        #[test]
        fn parsers_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..260)) {
            let _ = wifi::parse(&buf);
            let _ = ocusync::parse_payload(&buf);
            let _ = ocusync::parse_block(&buf);
        }
    }
}

// ---------------------------------------------------------------------------
// Flight purpose text, models, coordinates

#[test]
fn purpose_text_only_when_consistent() {
    let p = |rest: Vec<u8>| FlightPurpose { rest, ..FlightPurpose::default() }.text();
    // what real drones send: no text
    assert_eq!(p(h("ccaa02000000000000000000000000")), PurposeText::default());
    assert_eq!(p(vec![0; 124]), PurposeText::default());
    assert_eq!(p(vec![]), PurposeText::default());

    // Kismet's layout: id length, 10-byte id field, purpose length, purpose
    let mut r = vec![4];
    r.extend_from_slice(b"D123\0\0\0\0\0\0");
    r.push(6);
    r.extend_from_slice(b"Survey");
    r.resize(124, 0);
    assert_eq!(p(r.clone()), PurposeText { drone_id: Some("D123".into()), purpose: Some("Survey".into()) });
    // a purpose length past the end: Kismet's layout does not hold, and the
    // length-prefixed reading gives the four id characters as the purpose
    r[11] = 200;
    assert_eq!(p(r), PurposeText { drone_id: None, purpose: Some("D123".into()) });

    // scapy's layout: a length byte, then the text
    let mut r = vec![17];
    r.extend_from_slice(b"Roof inspection 3");
    r.resize(124, 0);
    assert_eq!(p(r.clone()), PurposeText { drone_id: None, purpose: Some("Roof inspection 3".into()) });
    // a length longer than the data: nothing
    r[0] = 130;
    assert_eq!(p(r), PurposeText::default());
    // control characters: nothing
    assert_eq!(p(vec![3, b'a', 0x07, b'b']), PurposeText::default());

    let json = serde_json::to_value(DjiMessage::FlightPurpose {
        purpose: FlightPurpose { rest: h("ccaa02"), ..sample_purpose() },
        framing: Framing::Wifi { header: wifi::HEADER },
    })
    .unwrap();
    assert_eq!(json["msg_type"], "dji_flight_purpose");
    assert_eq!(json["serial"], "1ZNBJ7U00C00AB");
    assert_eq!(json["rest_hex"], "ccaa02");
    assert!(json.get("purpose").is_none() && json.get("drone_id").is_none());
}

#[test]
fn models() {
    assert_eq!(model_display(58), "Mavic Air 2");
    assert_eq!(model_display(63), "Mini 2");
    assert_eq!(model_display(2), "Phantom 3 Series");
    assert_eq!(model_display(90), "Air 3");
    assert_eq!(model_display(200), "unknown (200)");
    assert_eq!(model_display(0), "unknown (0)");
}

#[test]
fn coordinates() {
    assert_eq!(deg_to_raw("x", 51.4775).unwrap(), 8_984_519);
    assert_eq!(deg_to_raw("x", -0.4614).unwrap(), -80_529);
    assert!(deg_to_raw("x", 180.5).is_err());
    assert!(deg_to_raw("x", f64::NAN).is_err());
    // one raw step is 1e-7 rad = 5.7e-6°
    assert!((raw_to_deg(8_984_519) - 51.4775).abs() < 3e-6);
    // DS/Kismet's constant agrees to better than 5e-5°
    assert!((8_984_519f64 / 174_533.0 - raw_to_deg(8_984_519)).abs() < 5e-5);
    assert_eq!(position_deg(0, 0), None);
    // a latitude beyond 90° (a spoofer swapping fields) is not shown
    assert_eq!(position_deg(-20_779_223, 5_994_672), None);
    assert!(position_deg(5_994_672, -20_779_223).is_some());
    let mut f = FlightInfo::default();
    assert!(f.set_position_deg(91.0, 0.0).is_err());
    f.version = FlightInfoVersion::V1 { pitch_raw: 0, roll_raw: 0 };
    assert!(f.set_operator_deg(1.0, 1.0).is_err());
}

#[test]
fn zero_values_are_absent() {
    let m = DjiMessage::FlightInfo {
        info: FlightInfo::default(),
        framing: Framing::Ocusync { payload_crc_ok: Some(true) },
    };
    let j = serde_json::to_value(&m).unwrap();
    for k in [
        "serial",
        "lat_deg",
        "lon_deg",
        "home_lat_deg",
        "home_lon_deg",
        "operator_lat_deg",
        "operator_lon_deg",
        "gps_time_utc",
        "uuid",
        "pitch_deg",
    ] {
        assert!(j.get(k).is_none(), "{k} must be absent: {j}");
    }
    assert_eq!(j["model"], "unknown (0)");
    assert_eq!(j["version"], 2);
}

#[test]
fn through_the_registry() {
    use crate::protocol::{Carrier, ProtocolId, Transport, decode_carrier};
    let block = hand_block();
    let p = decode_carrier(&Carrier::OcusyncBlock { block: &block }).unwrap().1.unwrap();
    assert_eq!(p.protocol, ProtocolId::DjiOcusync);
    assert_eq!(p.messages[0].msg_type(), "dji_flight_info");
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["messages"][0]["msg_type"], "dji_flight_info");
    assert_eq!(j["messages"][0]["serial"], "TESTSERIAL0001");

    let body = h(HAND_WIFI_V1);
    let c = Carrier::WifiVendorIe { transport: Transport::WifiBeacon, oui: wifi::OUI, body: &body };
    let p = decode_carrier(&c).unwrap().1.unwrap();
    assert_eq!(p.protocol, ProtocolId::DjiWifi);
    assert_eq!(serde_json::to_value(&p).unwrap()["messages"][0]["model"], "Spark");

    let mut bad = block;
    bad[10] ^= 0xFF;
    let e = decode_carrier(&Carrier::OcusyncBlock { block: &bad }).unwrap().1.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Crc);
}
