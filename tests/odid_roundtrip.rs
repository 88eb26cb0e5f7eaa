//! Property tests: encode → decode round trips for every Open Drone ID
//! message type over random valid field values, and decode → encode →
//! decode stability over arbitrary bytes.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use ridscope::protocol::odid::*;

fn opt<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)].boxed()
}

/// Values exactly representable on the wire (so the round trip is exact).
fn altitude() -> BoxedStrategy<Option<f64>> {
    opt((1u16..=u16::MAX).prop_map(|r| r as f64 * 0.5 - 1000.0))
}

fn speed_h() -> impl Strategy<Value = Option<f64>> {
    opt(prop_oneof![(0u8..=255).prop_map(|r| r as f64 * 0.25), (1u8..=254).prop_map(|r| r as f64 * 0.75 + 63.75)])
}

fn latlon() -> impl Strategy<Value = Option<(f64, f64)>> {
    opt((-900_000_000i32..=900_000_000, -1_800_000_000i32..=1_800_000_000)
        .prop_filter("not both zero", |(a, b)| *a != 0 || *b != 0)
        .prop_map(|(a, b)| (a as f64 * 1e-7, b as f64 * 1e-7)))
}

fn nibble() -> impl Strategy<Value = u8> {
    0u8..16
}

fn bytes<const N: usize>() -> impl Strategy<Value = [u8; N]> {
    proptest::collection::vec(any::<u8>(), N).prop_map(|v| v.try_into().unwrap())
}

fn basic_id() -> impl Strategy<Value = Body> {
    (nibble(), nibble(), bytes::<20>()).prop_map(|(i, u, id)| {
        Body::BasicId(BasicId { id_type: IdType::from(i), ua_type: UaType::from(u), uas_id: id })
    })
}

fn location() -> impl Strategy<Value = Body> {
    (
        (nibble(), 0u8..2, opt(0u16..360), speed_h(), opt(-124i8..=124), latlon()),
        (altitude(), altitude(), altitude(), nibble(), nibble(), nibble(), nibble()),
        (opt(0u16..=36000), nibble()),
    )
        .prop_map(|((st, ht, dir, sh, sv, ll), (ab, ag, h, ha, va, ba, sa), (ts, tsa))| {
            Body::Location(Location {
                status: OperationalStatus::from(st),
                height_type: HeightType::from(ht),
                direction_deg: dir.map(|d| d as f64),
                speed_h_mps: sh,
                speed_h_high_scale: false,
                speed_v_mps: sv.map(|v| v as f64 * 0.5),
                lat_deg: ll.map(|p| p.0),
                lon_deg: ll.map(|p| p.1),
                alt_baro_m: ab,
                alt_geo_m: ag,
                height_m: h,
                h_accuracy: ha,
                v_accuracy: va,
                baro_accuracy: ba,
                speed_accuracy: sa,
                timestamp_tenths: ts,
                timestamp_accuracy: tsa,
                invalid: vec![],
            })
        })
}

fn auth() -> impl Strategy<Value = Body> {
    prop_oneof![
        (nibble(), 0u8..16, any::<u8>(), any::<u32>(), bytes::<17>()).prop_filter_map(
            "length fits the pages",
            |(t, last, len, ts, d)| {
                (len as usize <= 17 + 23 * last as usize).then(|| {
                    Body::Auth(AuthPage {
                        auth_type: AuthType::from(t),
                        page: 0,
                        first: Some(auth::AuthFirstPage { last_page_index: last, length: len, timestamp: ts }),
                        data: d.to_vec(),
                    })
                })
            }
        ),
        (nibble(), 1u8..16, bytes::<23>()).prop_map(|(t, p, d)| Body::Auth(AuthPage {
            auth_type: AuthType::from(t),
            page: p,
            first: None,
            data: d.to_vec()
        })),
    ]
}

fn self_id() -> impl Strategy<Value = Body> {
    (any::<u8>(), bytes::<23>())
        .prop_map(|(t, d)| Body::SelfId(SelfId { desc_type: DescType::from(t), description: d }))
}

fn system() -> impl Strategy<Value = Body> {
    (
        (0u8..3, 0u8..8, latlon(), any::<u16>(), 0u16..=255),
        (altitude(), altitude(), nibble(), nibble(), altitude(), opt(1u32..=u32::MAX)),
    )
        .prop_map(|((olt, ct, ll, count, radius), (ceil, floor, cat, class, oalt, ts))| {
            Body::System(System {
                operator_location_type: OperatorLocationType::from(olt),
                classification_type: Some(ClassificationType::from(ct)),
                operator_lat_deg: ll.map(|p| p.0),
                operator_lon_deg: ll.map(|p| p.1),
                area_count: count,
                area_radius_m: radius * 10,
                area_ceiling_m: ceil,
                area_floor_m: floor,
                eu_category: EuCategory::from(cat),
                eu_class: EuClass::from(class),
                operator_alt_geo_m: oalt,
                timestamp: ts,
                invalid: vec![],
            })
        })
}

fn operator_id() -> impl Strategy<Value = Body> {
    (any::<u8>(), bytes::<20>())
        .prop_map(|(t, d)| Body::OperatorId(OperatorId { id_type: OperatorIdType::from(t), operator_id: d }))
}

fn any_body() -> impl Strategy<Value = Body> {
    prop_oneof![basic_id(), location(), auth(), self_id(), system(), operator_id()]
}

fn lat_close(a: &Body, b: &Body) -> bool {
    // lat/lon go through 1e-7 scaling: compare those within 1e-12 and the rest exactly
    match (a, b) {
        (Body::Location(x), Body::Location(y)) => {
            let mut y2 = y.clone();
            y2.invalid = x.invalid.clone(); // names wire values, which re-encoding normalizes
            y2.lat_deg = x.lat_deg;
            y2.lon_deg = x.lon_deg;
            close(x.lat_deg, y.lat_deg) && close(x.lon_deg, y.lon_deg) && x == &y2
        }
        (Body::System(x), Body::System(y)) => {
            let mut y2 = y.clone();
            y2.invalid = x.invalid.clone();
            y2.operator_lat_deg = x.operator_lat_deg;
            y2.operator_lon_deg = x.operator_lon_deg;
            close(x.operator_lat_deg, y.operator_lat_deg) && close(x.operator_lon_deg, y.operator_lon_deg) && x == &y2
        }
        _ => a == b,
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-12,
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_message_type_round_trips(body in any_body()) {
        let m = Message::v2(body);
        let bytes = m.emit().expect("valid values encode");
        prop_assert_eq!(bytes.len(), MESSAGE_SIZE);
        let back = Message::parse(&bytes).expect("what we encode decodes");
        prop_assert_eq!(back.version, 2);
        prop_assert!(lat_close(&m.body, &back.body), "{:?}\n!=\n{:?}", m.body, back.body);
        prop_assert_eq!(back.emit().unwrap(), bytes);
    }

    #[test]
    fn packs_round_trip(bodies in proptest::collection::vec(any_body(), 1..=9)) {
        let msgs: Vec<Message> = bodies.into_iter().map(Message::v2).collect();
        let bytes = transport::pack(2, msgs.clone()).unwrap();
        prop_assert_eq!(bytes.len(), 3 + 25 * msgs.len());
        let Body::Pack(p) = Message::parse(&bytes).unwrap().body else { panic!("not a pack") };
        prop_assert_eq!(p.messages.len(), msgs.len());
        for (a, b) in msgs.iter().zip(&p.messages) {
            prop_assert!(lat_close(&a.body, &b.body));
        }
    }

    /// Arbitrary (quantizable) real values: the decoded value is within half
    /// a quantization step (or one step where the reference truncates).
    #[test]
    fn location_quantization_bounds(
        dir in 0.0f64..359.4, sh in 0.0f64..254.0, sv in -61.9f64..61.9,
        lat in -90.0f64..90.0, lon in -180.0f64..180.0, alt in -999.0f64..31000.0, ts in 0.0f64..3599.9,
    ) {
        let mut l = Location {
            direction_deg: Some(dir), speed_h_mps: Some(sh), speed_v_mps: Some(sv),
            lat_deg: Some(lat), lon_deg: Some(lon), alt_geo_m: Some(alt), ..Location::default()
        };
        l.set_timestamp_s(Some(ts)).unwrap();
        let bytes = Message::v2(Body::Location(l)).emit().unwrap();
        let Body::Location(d) = Message::parse(&bytes).unwrap().body else { panic!() };
        let got = |v: Option<f64>, name: &str| v.ok_or_else(|| TestCaseError::fail(format!("{name} absent in {d:?}")));
        // the reference takes single precision: 208.4999998 becomes 208.5f and rounds up
        prop_assert!((got(d.direction_deg, "direction")? - dir).abs() <= 0.5 + 1e-4);
        let step = if sh <= 63.75 { 0.25 } else { 0.75 };
        prop_assert!((got(d.speed_h_mps, "speed_h")? - sh).abs() <= step / 2.0 + 1e-4);
        let v = got(d.speed_v_mps, "speed_v")?;
        prop_assert!((v - sv).abs() < 0.5 + 1e-4 && v.abs() <= sv.abs() + 1e-4);
        if (lat * 1e7).round() == 0.0 && (lon * 1e7).round() == 0.0 {
            prop_assert_eq!((d.lat_deg, d.lon_deg), (None, None), "0/0 means unknown");
        } else {
            prop_assert!((got(d.lat_deg, "lat")? - lat).abs() <= 0.5e-7 + 1e-12);
            prop_assert!((got(d.lon_deg, "lon")? - lon).abs() <= 0.5e-7 + 1e-12);
        }
        let a = got(d.alt_geo_m, "alt")?;
        // truncation toward zero in single precision: up to one f32 ulp of (alt + 1000) above
        let ulp = ((alt + 1000.0) as f32).abs() as f64 * f32::EPSILON as f64;
        prop_assert!(alt - a >= -ulp - 1e-9 && alt - a < 0.5 + 1e-2, "alt {} decoded {}", alt, a);
        prop_assert!((got(d.timestamp_s(), "timestamp")? - ts).abs() <= 0.05 + 1e-3);
    }

    /// Any 25 bytes: parsing never panics, and what parses re-encodes to a
    /// message that decodes to the same values.
    #[test]
    fn arbitrary_bytes_are_stable(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(m) = Message::parse(&b)
            && let Ok(e) = m.emit() {
                let again = Message::parse(&e).expect("re-encoded message decodes");
                let same = match (&m.body, &again.body) {
                    (Body::Pack(a), Body::Pack(b)) => a.messages.len() == b.messages.len(),
                    (a, b) => lat_close(a, b),
                };
                prop_assert!(same, "{:?} re-decoded as {:?}", m, again);
            }
    }
}
