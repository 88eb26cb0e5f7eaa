//! French beacon tests: the reference vector (literal and from the shared
//! JSON file), rounding, errors, unknown TLVs.

use super::*;
use crate::error::ErrorKind;
use crate::protocol::Message;

fn h(s: &str) -> Vec<u8> {
    crate::util::hex::decode(s).expect("test hex")
}

/// `frdid_build` output for the `fr_beacon_tlv` vector, kept literally so the
/// crate stands alone.
const VECTOR_HEX: &str = concat!(
    "010101",                                                           // version 1
    "021e494c4c4547414c5f44524f4e455f415050454c4900000000000000000000", // French ID, 30 bytes
    "0404004a8d4d",                                                     // lat 4885837
    "050400038048",                                                     // lon 229448
    "06020078",                                                         // altitude 120 m
    "07020055",                                                         // height 85 m
    "0804004a8cc4",                                                     // take-off lat 4885700
    "09040003807c",                                                     // take-off lon 229500
    "0a010c",                                                           // speed 12 m/s
    "0b02010e",                                                         // course 270°
);

fn vector_input() -> FrenchId {
    let mut f = FrenchId {
        protocol_version: Some(1),
        lat_deg: Some(48.858370),
        lon_deg: Some(2.294481),
        alt_msl_m: Some(120),
        height_m: Some(85),
        takeoff_lat_deg: Some(48.857),
        takeoff_lon_deg: Some(2.295),
        speed_h_mps: Some(12),
        direction_deg: Some(270),
        ..FrenchId::default()
    };
    f.set_french_id("ILLEGAL_DRONE_APPELI").unwrap();
    f
}

/// Within half a unit of 1e-5° (the encoder rounds).
fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= 0.5e-5 + 1e-12)
}

#[test]
fn literal_vector_decodes_and_reencodes() {
    let bytes = h(VECTOR_HEX);
    let f = parse(&bytes).unwrap();
    assert_eq!(f.protocol_version, Some(1));
    assert_eq!(f.french_id_str().as_deref(), Some("ILLEGAL_DRONE_APPELI"));
    assert_eq!(f.lat_deg, Some(48.85837));
    assert_eq!(f.lon_deg, Some(2.29448));
    assert_eq!((f.alt_msl_m, f.height_m), (Some(120), Some(85)));
    assert_eq!((f.takeoff_lat_deg, f.takeoff_lon_deg), (Some(48.857), Some(2.295)));
    assert_eq!((f.speed_h_mps, f.direction_deg), (Some(12), Some(270)));
    assert_eq!(f.uas_id, None);
    assert!(f.unknown.is_empty());
    assert_eq!(f.emit().unwrap(), bytes, "decoded values re-encode to the same bytes");
    assert_eq!(vector_input().emit().unwrap(), bytes, "the input values encode as frdid_build does");

    let j = serde_json::to_value(Message::French(f)).unwrap();
    assert_eq!(j["msg_type"], "fr_id");
    assert_eq!(j["protocol_version"], 1);
    assert_eq!(j["french_id"], "ILLEGAL_DRONE_APPELI");
    assert_eq!(j["french_id_manufacturer"], "ILL");
    assert_eq!(j["french_id_model"], "EGA");
    assert_eq!(j["french_id_serial"], "L_DRONE_APPELI");
    assert_eq!(j["lat_deg"], 48.85837);
    assert_eq!(j["lon_deg"], 2.29448);
    assert_eq!(j["alt_msl_m"], 120);
    assert_eq!(j["height_m"], 85);
    assert_eq!(j["takeoff_lat_deg"], 48.857);
    assert_eq!(j["takeoff_lon_deg"], 2.295);
    assert_eq!(j["speed_h_mps"], 12);
    assert_eq!(j["direction_deg"], 270);
    assert!(j.get("uas_id").is_none() && j.get("unknown_tlvs").is_none(), "{j}");
}

#[test]
fn shared_vector_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/odid-vectors.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("skipping the French beacon vector: {} ({e})", path.display());
            return;
        }
    };
    let all: serde_json::Value = serde_json::from_str(&text).expect("vectors parse as JSON");
    let v = all
        .as_array()
        .and_then(|a| a.iter().find(|v| v["name"] == "fr_beacon_tlv"))
        .expect("the file has an fr_beacon_tlv entry");
    let bytes = h(v["hex"].as_str().unwrap());
    let i = &v["input"];
    let num = |k: &str| i[k].as_f64().unwrap_or_else(|| panic!("input {k}"));

    let f = parse(&bytes).unwrap();
    assert_eq!(f.french_id_str().as_deref(), i["Identifier"].as_str());
    assert!(close(f.lat_deg, num("Latitude")));
    assert!(close(f.lon_deg, num("Longitude")));
    assert!(close(f.takeoff_lat_deg, num("TakeoffLatitude")));
    assert!(close(f.takeoff_lon_deg, num("TakeoffLongitude")));
    assert_eq!(f.alt_msl_m.map(f64::from), Some(num("Altitude")));
    assert_eq!(f.height_m.map(f64::from), Some(num("Height")));
    assert_eq!(f.speed_h_mps.map(f64::from), Some(num("HorizontalSpeed")));
    assert_eq!(f.direction_deg.map(f64::from), Some(num("TrueCourse")));
    assert_eq!(f.emit().unwrap(), bytes);

    let mut from_input = FrenchId {
        protocol_version: Some(PROTOCOL_VERSION),
        lat_deg: Some(num("Latitude")),
        lon_deg: Some(num("Longitude")),
        alt_msl_m: Some(num("Altitude") as i16),
        height_m: Some(num("Height") as i16),
        takeoff_lat_deg: Some(num("TakeoffLatitude")),
        takeoff_lon_deg: Some(num("TakeoffLongitude")),
        speed_h_mps: Some(num("HorizontalSpeed") as u8),
        direction_deg: Some(num("TrueCourse") as u16),
        ..FrenchId::default()
    };
    from_input.set_french_id(i["Identifier"].as_str().unwrap()).unwrap();
    assert_eq!(from_input.emit().unwrap(), bytes);
}

#[test]
fn coordinate_rounding() {
    let enc = |d: f64| encode_coord("lat", d, 90.0).unwrap();
    // positive values: trunc(x·1e5 + 0.5), as frdid_build
    assert_eq!(enc(48.858376), 4_885_838);
    assert_eq!(enc(48.858374), 4_885_837);
    assert_eq!(enc(2.294481), 229_448);
    // negative values round to nearest too (frdid_build would give −4885837 and −46139)
    assert_eq!(enc(-48.858376), -4_885_838);
    assert_eq!(enc(-0.461396), -46_140);
    assert_eq!(enc(-0.4614), -46_140);
    assert_eq!(enc(0.0), 0);
    assert!(encode_coord("lat", 90.0001, 90.0).is_err());
    assert!(encode_coord("lat", f64::NAN, 90.0).is_err());

    // a western/southern position survives a round trip byte for byte
    let f = FrenchId { lat_deg: Some(-33.86882), lon_deg: Some(-70.64827), ..FrenchId::default() };
    let b = f.emit().unwrap();
    assert_eq!(b, h("0404ffcc51fe0504ff943305"));
    assert_eq!(parse(&b).unwrap(), f);
}

#[test]
fn errors() {
    let kind = |hex: &str| parse(&h(hex)).unwrap_err().kind();
    // truncated TLVs
    assert_eq!(kind("01"), ErrorKind::Length);
    assert_eq!(kind("0101"), ErrorKind::Length);
    assert_eq!(kind("0404004a8d"), ErrorKind::Length);
    assert_eq!(kind("010101ff"), ErrorKind::Length);
    assert_eq!(kind("021d"), ErrorKind::Length);
    // wrong length for a known type
    assert_eq!(kind("01020101"), ErrorKind::Sanity);
    let mut id29 = h("021d");
    id29.extend_from_slice(&[b'A'; 29]);
    assert_eq!(parse(&id29).unwrap_err().kind(), ErrorKind::Sanity);
    assert_eq!(kind("040300000a"), ErrorKind::Sanity);
    assert_eq!(kind("0a02000c"), ErrorKind::Sanity);
    assert_eq!(kind("0b0110"), ErrorKind::Sanity);
    // a repeated known type
    assert_eq!(kind("010101010101"), ErrorKind::Sanity);
    // impossible positions
    assert_eq!(kind("040400895441"), ErrorKind::Sanity); // 90.00001°
    assert_eq!(kind("0504feed3070"), ErrorKind::Sanity); // −180.1°
    // empty TLV list: nothing known, not an error
    assert_eq!(parse(&[]).unwrap(), FrenchId::default());
}

#[test]
fn unknown_tlvs_are_kept_and_emitted_in_type_order() {
    let bytes = h("0101010c03abcdef0a01050000");
    let f = parse(&bytes).unwrap();
    assert_eq!(
        f.unknown,
        vec![UnknownTlv { tlv_type: 12, value: h("abcdef") }, UnknownTlv { tlv_type: 0, value: vec![] }]
    );
    assert_eq!(f.speed_h_mps, Some(5));
    // re-encoded in type order: 0, 1, 10, 12
    assert_eq!(f.emit().unwrap(), h("00000101010a01050c03abcdef"));
    let j = serde_json::to_value(&f).unwrap();
    assert_eq!(j["unknown_tlvs"][0]["type"], 12);
    assert_eq!(j["unknown_tlvs"][0]["value_hex"], "abcdef");

    let bad = FrenchId { unknown: vec![UnknownTlv { tlv_type: 4, value: vec![0; 4] }], ..FrenchId::default() };
    assert!(bad.emit().is_err(), "a known type in the unknown list");
    let long = FrenchId { uas_id: Some(vec![b'A'; 256]), ..FrenchId::default() };
    assert!(long.emit().is_err());
}

#[test]
fn ansi_uas_id_and_registry() {
    // a beacon in the style DJI sends: version, ANSI/CTA-2063 serial, position
    let mut f = FrenchId {
        protocol_version: Some(1),
        uas_id: Some(b"1581F4XYZ0000000000".to_vec()),
        lat_deg: Some(43.60426),
        lon_deg: Some(1.44367),
        alt_msl_m: Some(-3),
        height_m: Some(-1),
        speed_h_mps: Some(255),
        direction_deg: Some(359),
        ..FrenchId::default()
    };
    let tlvs = f.emit().unwrap();
    assert_eq!(&tlvs[..5], &h("0101010313")[..]);
    assert_eq!(parse(&tlvs).unwrap(), f);
    let j = serde_json::to_value(&f).unwrap();
    assert_eq!(j["uas_id"], "1581F4XYZ0000000000");
    assert_eq!(j["alt_msl_m"], -3);
    assert!(j.get("french_id").is_none());

    use crate::protocol::{Carrier, ProtocolId, Transport, decode_carrier};
    let mut body = vec![OUI_TYPE];
    body.extend_from_slice(&tlvs);
    let c = Carrier::WifiVendorIe { transport: Transport::WifiBeacon, oui: OUI, body: &body };
    let p = decode_carrier(&c).unwrap().1.unwrap();
    assert_eq!(p.protocol, ProtocolId::FrenchId);
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["messages"][0]["msg_type"], "fr_id");
    assert_eq!(j["messages"][0]["lat_deg"], 43.60426);

    f.set_french_id("ABC").unwrap();
    assert_eq!(f.french_id_parts(), [Some("ABC".to_string()), None, None]);
    assert!(f.set_french_id(&"x".repeat(31)).is_err());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any valid raw values round-trip byte for byte through f64 degrees.
        #[test]
        fn raw_round_trip(
            lat in -9_000_000i32..=9_000_000, lon in -18_000_000i32..=18_000_000,
            tlat in -9_000_000i32..=9_000_000, tlon in -18_000_000i32..=18_000_000,
            alt: i16, hgt: i16, speed: u8, course: u16,
            id in proptest::collection::vec(any::<u8>(), 0..=255usize),
        ) {
            let mut b = h("010101");
            b.push(3);
            b.push(id.len() as u8);
            b.extend_from_slice(&id);
            for (t, v) in [(4u8, lat), (5, lon)] {
                b.extend_from_slice(&[t, 4]);
                b.extend_from_slice(&v.to_be_bytes());
            }
            b.extend_from_slice(&[6, 2]);
            b.extend_from_slice(&alt.to_be_bytes());
            b.extend_from_slice(&[7, 2]);
            b.extend_from_slice(&hgt.to_be_bytes());
            for (t, v) in [(8u8, tlat), (9, tlon)] {
                b.extend_from_slice(&[t, 4]);
                b.extend_from_slice(&v.to_be_bytes());
            }
            b.extend_from_slice(&[10, 1, speed, 11, 2]);
            b.extend_from_slice(&course.to_be_bytes());
            let f = parse(&b).unwrap();
            prop_assert_eq!(f.emit().unwrap(), b);
        }

        #[test]
        fn never_panics(buf in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(f) = parse(&buf) {
                serde_json::to_string(&f).unwrap();
                f.emit().unwrap();
            }
        }
    }
}
