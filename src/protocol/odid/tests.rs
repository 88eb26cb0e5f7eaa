//! Reference vectors: literal bytes from the reference C library kept here
//! so the crate stands alone, and the full set from
//! `../shared/vectors/odid-vectors.json` when it is present.

use super::*;

fn h(s: &str) -> Vec<u8> {
    crate::util::hex::decode(s).expect("test hex")
}

fn roundtrip(hex: &str) -> Message {
    let bytes = h(hex);
    let m = Message::parse(&bytes).expect("decodes");
    assert_eq!(m.emit().expect("encodes"), bytes, "re-encodes bit-exactly");
    m
}

#[test]
fn literal_basic_id_serial() {
    let m = roundtrip("02124142434443313233343536373839303132000000000000");
    let Body::BasicId(b) = &m.body else { panic!("not basic id") };
    assert_eq!(m.version, 2);
    assert_eq!(b.id_type, IdType::SerialNumber);
    assert_eq!(b.ua_type, UaType::HelicopterOrMultirotor);
    assert_eq!(b.uas_id_string().as_deref(), Some("ABCDC123456789012"));
    assert_eq!(b.serial_check().map(|c| c.valid), Some(true));
}

#[test]
fn literal_location_typical() {
    let m = roundtrip("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200");
    let Body::Location(l) = &m.body else { panic!("not location") };
    assert_eq!(l.status, OperationalStatus::Airborne);
    assert_eq!(l.direction_deg, Some(216.0));
    assert_eq!(l.speed_h_mps, Some(5.5));
    assert_eq!(l.speed_v_mps, Some(5.0));
    assert!((l.lat_deg.unwrap() - 45.539309).abs() < 1e-9);
    assert!((l.lon_deg.unwrap() + 122.966389).abs() < 1e-9);
    assert_eq!((l.alt_baro_m, l.alt_geo_m, l.height_m), (Some(100.0), Some(110.0), Some(80.0)));
    assert_eq!(l.height_type, HeightType::AboveGround);
    assert_eq!(l.timestamp_s(), Some(360.5));
}

#[test]
fn literal_location_all_unknown_is_absent() {
    let m = roundtrip("1203b5ff7e00000000000000000000000000000000ffff0000");
    let Body::Location(l) = &m.body else { panic!("not location") };
    assert_eq!(l, &Location::default());
    let json = serde_json::to_value(&m).unwrap();
    for k in ["lat_deg", "lon_deg", "direction_deg", "speed_h_mps", "speed_v_mps", "alt_geo_m", "timestamp_s"] {
        assert!(json.get(k).is_none(), "{k} must be absent: {json}");
    }
}

#[test]
fn literal_pack_of_nine() {
    let m = roundtrip(concat!(
        "f219090212414243444331323334353637383930313200000000000002224a504e2d5245472d30303031000000",
        "00000000000000001222241603c2ea4d1f046ffd07000911098e084b53a94702002230023f15cd5b0700010203",
        "0405060708090a0b0c0d0e0f1022311112131415161718191a1b1c1d1e1f2021222324252627223228292a2b2c",
        "2d2e2f303132333435363738393a3b3c3d3e320053757276657920666c69676874000000000000000000004204",
        "70c34d1fb022fd070100000000000012530800c2eb0b00520046494e38376173747264676531326b3800000000",
        "000000",
    ));
    let Body::Pack(p) = &m.body else { panic!("not a pack") };
    assert_eq!(p.messages.len(), 9);
    let pages: Vec<&AuthPage> =
        p.messages.iter().filter_map(|m| if let Body::Auth(a) = &m.body { Some(a) } else { None }).collect();
    let sig = AuthSignature::from_pages(pages).unwrap();
    assert_eq!(sig.pages, 3);
    assert_eq!(sig.data, (0u8..63).collect::<Vec<_>>());
    assert_eq!(sig.auth_type, AuthType::MessageSetSignature);
}

#[test]
fn empty_pack_rejected() {
    let mut b = vec![0xF0, 0x19, 0x00];
    b.extend_from_slice(&[0u8; 225]);
    let e = Message::parse(&b).unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Sanity, "{e}");
}

#[test]
fn pack_errors() {
    assert_eq!(Message::parse(&[0xF2, 0x18, 1]).unwrap_err().kind(), crate::error::ErrorKind::Sanity);
    assert_eq!(Message::parse(&[0xF2, 0x19, 10]).unwrap_err().kind(), crate::error::ErrorKind::Sanity);
    assert_eq!(Message::parse(&[0xF2, 0x19, 2, 0x02]).unwrap_err().kind(), crate::error::ErrorKind::Length);
    let mut nested = vec![0xF2, 0x19, 1, 0xF2];
    nested.extend_from_slice(&[0u8; 24]);
    assert_eq!(Message::parse(&nested).unwrap_err().kind(), crate::error::ErrorKind::Sanity);
    assert_eq!(Message::parse(&[0x02; 24]).unwrap_err().kind(), crate::error::ErrorKind::Length);
}

#[test]
fn impossible_values_are_absent_and_named_never_fatal() {
    // Location: lat 95°, direction raw 200 with E/W, v-speed raw 127, timestamp 50000
    let mut l = h("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200");
    l[2] = 200;
    l[4] = 127;
    l[5..9].copy_from_slice(&950_000_000i32.to_le_bytes());
    l[21..23].copy_from_slice(&50000u16.to_le_bytes());
    let Body::Location(loc) = Message::parse(&l).unwrap().body else { panic!() };
    assert_eq!(
        (loc.direction_deg, loc.speed_v_mps, loc.lat_deg, loc.lon_deg, loc.timestamp_tenths),
        (None, None, None, None, None)
    );
    assert_eq!(loc.invalid, vec!["direction_deg", "speed_v_mps", "lat_deg", "lon_deg", "timestamp_s"]);
    assert_eq!(loc.speed_h_mps, Some(5.5), "the rest still decodes");
    let j = serde_json::to_value(Message::parse(&l).unwrap()).unwrap();
    assert_eq!(j["invalid"][0], "direction_deg");
    // direction raw 180 with E/W clear is not 180 (that is raw 0 + E/W)
    let mut d = h("122024160a42bf241b6ed1b4b69808ac0870086b53150e0200");
    d[2] = 180;
    let Body::Location(loc) = Message::parse(&d).unwrap().body else { panic!() };
    assert_eq!((loc.direction_deg, loc.invalid.len()), (None, 1));
    // in a pack, the other messages survive
    let mut pack = vec![0xF2, 0x19, 0x02];
    pack.extend(h("02124142434443313233343536373839303132000000000000"));
    pack.extend(&l);
    let Body::Pack(p) = Message::parse(&pack).unwrap().body else { panic!() };
    assert_eq!(p.messages.len(), 2);
}

#[test]
fn reserved_type_kept_raw() {
    let mut b = [0u8; 25];
    b[0] = 0x72;
    b[5] = 9;
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.body, Body::Reserved { msg_type: 7, raw: b });
    assert_eq!(m.emit().unwrap(), b.to_vec());
}

#[test]
fn version0_auth_page_count() {
    // v0 sends a page count on page 0: 3 pages -> last page index 2
    let mut b = [0u8; 25];
    b[0] = 0x20;
    b[1] = 0x30;
    b[2] = 3;
    b[3] = 40;
    let m = Message::parse(&b).unwrap();
    let Body::Auth(a) = &m.body else { panic!() };
    assert_eq!(a.first.as_ref().unwrap().last_page_index, 2);
    assert_eq!(m.emit().unwrap(), b.to_vec());
}

#[test]
fn version_differences_in_system() {
    let b = h("420430b3241ba0e0b4b60100000000000012f90700c2eb0b00");
    let mut v0 = b.clone();
    v0[0] = 0x40;
    let Body::System(s0) = Message::parse(&v0).unwrap().body else { panic!() };
    assert_eq!((s0.classification_type, s0.operator_alt_geo_m, s0.timestamp), (None, None, None));
    let mut v1 = b.clone();
    v1[0] = 0x41;
    let Body::System(s1) = Message::parse(&v1).unwrap().body else { panic!() };
    assert_eq!(s1.timestamp, None);
    assert_eq!(s1.operator_alt_geo_m, Some(20.5));
    let Body::System(s2) = Message::parse(&b).unwrap().body else { panic!() };
    assert_eq!(s2.timestamp, Some(200_000_000));
    assert_eq!(s2.timestamp_utc().as_deref(), Some("2025-05-03T19:33:20Z"));
}

#[test]
fn encoder_rejects_what_the_reference_rejects() {
    let l = Location { speed_h_mps: Some(300.0), ..Location::default() };
    assert!(Message::v2(Body::Location(l)).emit().is_err());
    let l = Location { speed_h_mps: Some(254.5), ..Location::default() };
    assert!(Message::v2(Body::Location(l)).emit().is_err());
    let l = Location { direction_deg: Some(360.5), ..Location::default() };
    assert!(Message::v2(Body::Location(l)).emit().is_err());
    let a = AuthPage {
        auth_type: AuthType::UasIdSignature,
        page: 0,
        first: Some(auth::AuthFirstPage { last_page_index: 0, length: 18, timestamp: 0 }),
        data: vec![0; 17],
    };
    assert!(Message::v2(Body::Auth(a)).emit().is_err());
}

#[test]
fn auth_signature_split_and_reassemble() {
    let sig = AuthSignature {
        auth_type: AuthType::OperatorIdSignature,
        pages: 0,
        timestamp: 42,
        data: (0u8..100).collect(),
        extra: vec![7, 8, 9],
    };
    let pages = sig.to_pages().unwrap();
    assert_eq!(pages.len(), 5); // 17 + 23*4 = 109 >= 104
    let mut r: AuthReassembler<u32> = AuthReassembler::new(5.0);
    let mut out = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let bytes = Message::v2(Body::Auth(p.clone())).emit().unwrap();
        let Body::Auth(back) = Message::parse(&bytes).unwrap().body else { panic!() };
        out.push(r.push(1, i as f64 * 0.1, &back));
    }
    assert!(out[..4].iter().all(|o| o.is_none()));
    let got = out[4].clone().expect("complete after the last page");
    assert_eq!(got.data, sig.data);
    assert_eq!(got.extra, sig.extra);
    assert_eq!(got.pages, 5);

    // Pages in reverse order: page 0 comes last and starts afresh (pages
    // before a page 0 are never trusted); the next repetition completes it.
    let mut r: AuthReassembler<u32> = AuthReassembler::new(5.0);
    let rev: Vec<_> = pages.iter().rev().map(|p| r.push(1, 0.0, p)).collect();
    assert!(rev.iter().all(|o| o.is_none()));
    let again: Vec<_> = pages.iter().rev().map(|p| r.push(1, 1.0, p)).collect();
    assert_eq!(again[3].as_ref().map(|s| s.data.clone()), Some(sig.data.clone()));
}

#[test]
fn reassembler_never_mixes_two_signatures() {
    let a = AuthSignature {
        auth_type: AuthType::UasIdSignature,
        pages: 0,
        timestamp: 1,
        data: vec![0xA; 60],
        extra: vec![],
    };
    let b = AuthSignature {
        auth_type: AuthType::UasIdSignature,
        pages: 0,
        timestamp: 2,
        data: vec![0xB; 40],
        extra: vec![],
    };
    let (pa, pb) = (a.to_pages().unwrap(), b.to_pages().unwrap());
    assert_eq!((pa.len(), pb.len()), (3, 2));
    let mut r: AuthReassembler<u8> = AuthReassembler::new(10.0);
    assert!(r.push(1, 0.0, &pa[0]).is_none());
    assert!(r.push(1, 0.1, &pa[2]).is_none()); // A1 lost
    assert!(r.push(1, 1.0, &pb[0]).is_none());
    let got = r.push(1, 1.1, &pb[1]).expect("B completes");
    assert_eq!(got.data, b.data, "nothing of A in B");
    // A2 left over from before cannot complete a later A either
    assert!(r.push(1, 2.0, &pa[0]).is_none());
    assert!(r.push(1, 2.1, &pa[1]).is_none());
    assert_eq!(r.push(1, 2.2, &pa[2]).unwrap().data, a.data);
}

#[test]
fn reassembler_bounded_by_evicting_the_oldest() {
    let s =
        AuthSignature { auth_type: AuthType::UasIdSignature, pages: 0, timestamp: 1, data: vec![7; 30], extra: vec![] };
    let p = s.to_pages().unwrap();
    let mut r: AuthReassembler<u32> = AuthReassembler::new(1e9);
    for k in 0..10_000u32 {
        r.push(k, k as f64 * 1e-3, &p[0]);
    }
    assert_eq!(r.pending_senders(), AuthReassembler::<u32>::MAX_SENDERS);
    // the most recent senders are still pending
    assert_eq!(r.push(9_999, 20.0, &p[1]).unwrap().data, s.data);
}

#[test]
fn reassembler_forgets_old_pages() {
    let sig =
        AuthSignature { auth_type: AuthType::UasIdSignature, pages: 0, timestamp: 1, data: vec![1; 50], extra: vec![] };
    let pages = sig.to_pages().unwrap();
    let mut r: AuthReassembler<u8> = AuthReassembler::new(2.0);
    assert!(r.push(9, 0.0, &pages[0]).is_none());
    assert!(r.push(9, 0.5, &pages[1]).is_none());
    // page 2 arrives too late: pages 0 and 1 were dropped
    assert!(r.push(9, 10.0, &pages[2]).is_none());
}

// ---------------------------------------------------------------------------
// The shared reference vectors.

mod vectors {
    use super::*;
    use serde_json::Value;

    fn load() -> Option<Vec<Value>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/odid-vectors.json");
        match std::fs::read_to_string(&path) {
            Ok(s) => Some(serde_json::from_str(&s).expect("vectors parse as JSON")),
            Err(e) => {
                eprintln!("skipping reference vectors: {} ({e})", path.display());
                None
            }
        }
    }

    fn f(v: &Value, k: &str) -> f64 {
        v[k].as_f64().unwrap_or_else(|| panic!("field {k} in {v}"))
    }
    fn u(v: &Value, k: &str) -> u64 {
        v[k].as_u64().unwrap_or_else(|| panic!("field {k} in {v}"))
    }

    fn sentinel(x: f64, unknown: f64) -> Option<f64> {
        if x == unknown { None } else { Some(x) }
    }

    /// Builds our repr from a vector's `input` (the reference API's values,
    /// where unknowns are sentinels).
    fn body_from_input(kind: &str, i: &Value) -> Body {
        match kind {
            "basicid" => {
                let raw = crate::util::hex::decode(i["UASID_hex"].as_str().unwrap()).unwrap();
                Body::BasicId(BasicId {
                    id_type: IdType::from(u(i, "IDType") as u8),
                    ua_type: UaType::from(u(i, "UAType") as u8),
                    uas_id: raw.try_into().unwrap(),
                })
            }
            "location" => {
                let (lat, lon) = (f(i, "Latitude"), f(i, "Longitude"));
                let both0 = lat == 0.0 && lon == 0.0;
                let mut l = Location {
                    status: OperationalStatus::from(u(i, "Status") as u8),
                    height_type: HeightType::from(u(i, "HeightType") as u8),
                    direction_deg: sentinel(f(i, "Direction"), 361.0),
                    speed_h_mps: sentinel(f(i, "SpeedHorizontal"), 255.0),
                    speed_h_high_scale: false,
                    speed_v_mps: sentinel(f(i, "SpeedVertical"), 63.0),
                    lat_deg: (!both0).then_some(lat),
                    lon_deg: (!both0).then_some(lon),
                    alt_baro_m: Some(f(i, "AltitudeBaro")),
                    alt_geo_m: Some(f(i, "AltitudeGeo")),
                    height_m: Some(f(i, "Height")),
                    h_accuracy: u(i, "HorizAccuracy") as u8,
                    v_accuracy: u(i, "VertAccuracy") as u8,
                    baro_accuracy: u(i, "BaroAccuracy") as u8,
                    speed_accuracy: u(i, "SpeedAccuracy") as u8,
                    timestamp_tenths: None,
                    timestamp_accuracy: u(i, "TSAccuracy") as u8,
                    invalid: vec![],
                };
                let ts = f(i, "TimeStamp");
                l.set_timestamp_s(sentinel(ts, 65535.0)).ok();
                if ts > 3600.0 && ts != 65535.0 {
                    l.timestamp_tenths = Some(u16::MAX - 1); // out of range: the encoder must refuse
                }
                Body::Location(l)
            }
            "auth" => {
                let data = crate::util::hex::decode(i["AuthData_hex"].as_str().unwrap()).unwrap();
                let page = u(i, "DataPage") as u8;
                Body::Auth(AuthPage {
                    auth_type: AuthType::from(u(i, "AuthType") as u8),
                    page,
                    first: (page == 0).then(|| auth::AuthFirstPage {
                        last_page_index: u(i, "LastPageIndex") as u8,
                        length: u(i, "Length") as u8,
                        timestamp: u(i, "Timestamp") as u32,
                    }),
                    data,
                })
            }
            "selfid" => Body::SelfId(
                SelfId::with_text(DescType::from(u(i, "DescType") as u8), i["Desc"].as_str().unwrap()).unwrap(),
            ),
            "system" => {
                let (lat, lon) = (f(i, "OperatorLatitude"), f(i, "OperatorLongitude"));
                let both0 = lat == 0.0 && lon == 0.0;
                let ts = u(i, "Timestamp") as u32;
                Body::System(System {
                    operator_location_type: OperatorLocationType::from(u(i, "OperatorLocationType") as u8),
                    classification_type: Some(ClassificationType::from(u(i, "ClassificationType") as u8)),
                    operator_lat_deg: (!both0).then_some(lat),
                    operator_lon_deg: (!both0).then_some(lon),
                    area_count: u(i, "AreaCount") as u16,
                    area_radius_m: u(i, "AreaRadius") as u16,
                    area_ceiling_m: Some(f(i, "AreaCeiling")),
                    area_floor_m: Some(f(i, "AreaFloor")),
                    eu_category: EuCategory::from(u(i, "CategoryEU") as u8),
                    eu_class: EuClass::from(u(i, "ClassEU") as u8),
                    operator_alt_geo_m: Some(f(i, "OperatorAltitudeGeo")),
                    timestamp: (ts != 0).then_some(ts),
                    invalid: vec![],
                })
            }
            "operatorid" => Body::OperatorId(
                OperatorId::with_text(
                    OperatorIdType::from(u(i, "OperatorIdType") as u8),
                    i["OperatorId"].as_str().unwrap(),
                )
                .unwrap(),
            ),
            other => panic!("no input builder for {other}"),
        }
    }

    fn close(a: Option<f64>, b: f64, unknown: Option<f64>, what: &str) {
        match a {
            None => assert_eq!(Some(b), unknown, "{what}: decoded unknown, reference says {b}"),
            Some(a) => assert!((a - b).abs() < 1e-6, "{what}: {a} vs reference {b}"),
        }
    }

    /// Checks our decode against the reference library's `decoded.fields`.
    fn check_decoded(m: &Message, d: &Value) {
        let fl = &d["fields"];
        assert_eq!(m.version as u64, u(d, "protocol_version"));
        match &m.body {
            Body::BasicId(b) => {
                assert_eq!(b.id_type.value() as u64, u(fl, "IDType"));
                assert_eq!(b.ua_type.value() as u64, u(fl, "UAType"));
                assert_eq!(crate::util::hex::encode(&b.uas_id), fl["UASID_hex"].as_str().unwrap());
                if matches!(b.id_type, IdType::SerialNumber | IdType::CaaRegistration) {
                    assert_eq!(b.uas_id_string().unwrap_or_default(), fl["UASID"].as_str().unwrap());
                }
            }
            Body::Location(l) => {
                assert_eq!(l.status.value() as u64, u(fl, "Status"));
                close(l.direction_deg, f(fl, "Direction"), Some(361.0), "direction");
                close(l.speed_h_mps, f(fl, "SpeedHorizontal"), Some(255.0), "speed_h");
                close(l.speed_v_mps, f(fl, "SpeedVertical"), Some(63.0), "speed_v");
                let both0 = f(fl, "Latitude") == 0.0 && f(fl, "Longitude") == 0.0;
                close(l.lat_deg, f(fl, "Latitude"), both0.then_some(0.0), "lat");
                close(l.lon_deg, f(fl, "Longitude"), both0.then_some(0.0), "lon");
                close(l.alt_baro_m, f(fl, "AltitudeBaro"), Some(-1000.0), "alt_baro");
                close(l.alt_geo_m, f(fl, "AltitudeGeo"), Some(-1000.0), "alt_geo");
                close(l.height_m, f(fl, "Height"), Some(-1000.0), "height");
                assert_eq!(l.height_type.value() as u64, u(fl, "HeightType"));
                assert_eq!(l.h_accuracy as u64, u(fl, "HorizAccuracy"));
                assert_eq!(l.v_accuracy as u64, u(fl, "VertAccuracy"));
                assert_eq!(l.baro_accuracy as u64, u(fl, "BaroAccuracy"));
                assert_eq!(l.speed_accuracy as u64, u(fl, "SpeedAccuracy"));
                assert_eq!(l.timestamp_accuracy as u64, u(fl, "TSAccuracy"));
                close(l.timestamp_s(), f(fl, "TimeStamp"), Some(65535.0), "timestamp");
            }
            Body::Auth(a) => {
                assert_eq!(a.page as u64, u(fl, "DataPage"));
                assert_eq!(a.auth_type.value() as u64, u(fl, "AuthType"));
                assert_eq!(crate::util::hex::encode(&a.data), fl["AuthData_hex"].as_str().unwrap());
                if let Some(first) = &a.first {
                    assert_eq!(first.last_page_index as u64, u(fl, "LastPageIndex"));
                    assert_eq!(first.length as u64, u(fl, "Length"));
                    assert_eq!(first.timestamp as u64, u(fl, "Timestamp"));
                }
            }
            Body::SelfId(s) => {
                assert_eq!(s.desc_type.value() as u64, u(fl, "DescType"));
                assert_eq!(s.text(), fl["Desc"].as_str().unwrap());
            }
            Body::System(s) => {
                assert_eq!(s.operator_location_type.value() as u64, u(fl, "OperatorLocationType"));
                assert_eq!(s.classification_type.map(|c| c.value() as u64), Some(u(fl, "ClassificationType")));
                let both0 = f(fl, "OperatorLatitude") == 0.0 && f(fl, "OperatorLongitude") == 0.0;
                close(s.operator_lat_deg, f(fl, "OperatorLatitude"), both0.then_some(0.0), "op lat");
                close(s.operator_lon_deg, f(fl, "OperatorLongitude"), both0.then_some(0.0), "op lon");
                assert_eq!(s.area_count as u64, u(fl, "AreaCount"));
                assert_eq!(s.area_radius_m as u64, u(fl, "AreaRadius"));
                close(s.area_ceiling_m, f(fl, "AreaCeiling"), Some(-1000.0), "ceiling");
                close(s.area_floor_m, f(fl, "AreaFloor"), Some(-1000.0), "floor");
                assert_eq!(s.eu_category.value() as u64, u(fl, "CategoryEU"));
                assert_eq!(s.eu_class.value() as u64, u(fl, "ClassEU"));
                close(s.operator_alt_geo_m, f(fl, "OperatorAltitudeGeo"), Some(-1000.0), "op alt");
                assert_eq!(s.timestamp.unwrap_or(0) as u64, u(fl, "Timestamp"));
            }
            Body::OperatorId(o) => {
                assert_eq!(o.id_type.value() as u64, u(fl, "OperatorIdType"));
                assert_eq!(o.text(), fl["OperatorId"].as_str().unwrap());
            }
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn every_message_vector_decodes_and_reencodes() {
        let Some(vs) = load() else { return };
        let mut checked = 0;
        for v in &vs {
            let name = v["name"].as_str().unwrap();
            let kind = v["type"].as_str().unwrap();
            if kind == "transport" {
                continue;
            }
            let hex_s = v["hex"].as_str();
            if kind == "messagepack" {
                let bytes = h(hex_s.unwrap());
                let m = Message::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(m.emit().unwrap(), bytes, "{name}: pack re-encodes");
                let Body::Pack(p) = &m.body else { panic!("{name}: not a pack") };
                let dm = v["decoded"]["messages"].as_array().unwrap();
                assert_eq!(p.messages.len(), dm.len(), "{name}");
                for (ours, theirs) in p.messages.iter().zip(dm) {
                    check_decoded(ours, theirs);
                }
                checked += 1;
                continue;
            }
            // encode from the reference inputs
            let body = body_from_input(kind, &v["input"]);
            let enc = Message::v2(body).emit();
            if v["encode_ok"].as_bool() == Some(false) {
                assert!(enc.is_err(), "{name}: the reference encoder rejects this, we accepted it");
                checked += 1;
                continue;
            }
            let want = h(hex_s.unwrap());
            assert_eq!(enc.unwrap_or_else(|e| panic!("{name}: {e}")), want, "{name}: encoding differs");
            // decode the reference bytes and compare to the reference decode
            let m = Message::parse(&want).unwrap_or_else(|e| panic!("{name}: {e}"));
            check_decoded(&m, &v["decoded"]);
            assert_eq!(m.emit().unwrap(), want, "{name}: decode→encode");
            checked += 1;
        }
        assert!(checked >= 29, "only {checked} vectors checked");
    }

    #[test]
    fn transport_vectors() {
        let Some(vs) = load() else { return };
        let get = |n: &str| h(vs.iter().find(|v| v["name"] == n).unwrap()["hex"].as_str().unwrap());
        // BT4: one AD structure, service data 0xFFFA, counter 7, a Basic ID
        let ad = get("ble4_legacy_advdata_basicid");
        let p = transport::decode_service_data(crate::protocol::Transport::Ble4Legacy, &ad[4..]).unwrap();
        assert_eq!(p.counter, Some(7));
        assert_eq!(p.messages.len(), 1);
        let crate::protocol::Message::Odid(m) = &p.messages[0] else { panic!() };
        assert_eq!(transport::ble_service_data_ad(7, &m.emit().unwrap()).unwrap(), ad);
        // BT5: the pack of 5
        let ad = get("ble5_ext_advdata_pack");
        let p = transport::decode_service_data(crate::protocol::Transport::Ble5Extended, &ad[4..]).unwrap();
        assert_eq!((p.counter, p.messages.len(), p.packed), (Some(42), 5, true));
        let msgs: Vec<Message> = p
            .messages
            .iter()
            .map(|m| match m {
                crate::protocol::Message::Odid(m) => m.clone(),
                _ => panic!(),
            })
            .collect();
        let pk = transport::pack(2, msgs).unwrap();
        assert_eq!(transport::ble_service_data_ad(42, &pk).unwrap(), ad);
    }
}
