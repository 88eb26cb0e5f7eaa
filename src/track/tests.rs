use super::*;
use crate::decode::Envelope;
use crate::frame::Phy;
use crate::protocol::dji::{DjiMessage, FlightInfo, Framing};
use crate::protocol::french::FrenchId;
use crate::protocol::odid::{self, BasicId, Body, IdType, Location, MessagePack, UaType};
use crate::protocol::{Message, ProtocolId, Transport};

const SERIAL: &str = "1596AB2C3D4E5F6";
const LAT: f64 = 52.4730;
const LON: f64 = 13.4010;

fn addr(last: u8) -> MacAddr {
    MacAddr([0xC4, 0x12, 0x34, 0x56, 0x78, last])
}

fn rec(t: f64, transport: Transport, src: Option<MacAddr>, message: Message) -> MessageRecord {
    let (protocol, phy) = match (&message, transport) {
        (Message::Dji(_), Transport::Ocusync) => (ProtocolId::DjiOcusync, Phy::Ocusync),
        (Message::Dji(_), _) => (ProtocolId::DjiWifi, Phy::WifiDsss),
        (Message::French(_), _) => (ProtocolId::FrenchId, Phy::WifiDsss),
        (Message::Odid(_), Transport::Ble4Legacy | Transport::Ble5Extended) => (ProtocolId::Odid, Phy::Ble1m),
        (Message::Odid(_), _) => (ProtocolId::Odid, Phy::WifiDsss),
    };
    MessageRecord {
        env: Envelope {
            time_s: t,
            time_utc: None,
            frame: None,
            transport,
            protocol,
            phy,
            channel: None,
            freq_mhz: None,
            rssi_dbm: Some(-60.0),
            rssi_dbfs: None,
            snr_db: None,
            cfo_hz: None,
            src_addr: src,
            counter: None,
            pack_index: None,
            pack_size: None,
        },
        timestamp_utc: None,
        message,
    }
}

/// A message as a receiver decodes it: encoded and parsed back, so unknown
/// values come out the way the codec reports them.
fn wire(body: Body) -> Message {
    let m = odid::Message::v2(body);
    let bytes = m.emit_single().expect("test message encodes");
    Message::Odid(odid::Message::parse_single(&bytes).expect("test message decodes"))
}

fn basic_id(serial: &str) -> Message {
    wire(Body::BasicId(
        BasicId::with_text(IdType::SerialNumber, UaType::HelicopterOrMultirotor, serial).expect("serial fits"),
    ))
}

fn location(lat: f64, lon: f64) -> Message {
    wire(Body::Location(Location {
        lat_deg: Some(lat),
        lon_deg: Some(lon),
        alt_geo_m: Some(120.0),
        height_m: Some(80.0),
        speed_h_mps: Some(10.0),
        direction_deg: Some(90.0),
        h_accuracy: 10, // < 10 m
        ..Location::default()
    }))
}

fn dji(serial: &str, lat: f64, lon: f64) -> FlightInfo {
    let mut f = FlightInfo { product_type: 63, state_info: 0x1ff7, ..FlightInfo::default() };
    f.set_serial(serial).expect("serial fits");
    f.set_position_deg(lat, lon).expect("position encodes");
    f.set_home_deg(lat - 0.001, lon).expect("home encodes");
    f.v_east_raw = 500;
    f
}

/// Metres east of the reference point, as degrees of longitude.
fn east(m: f64) -> f64 {
    LON + m / (111_320.0 * LAT.to_radians().cos())
}

fn run(tr: &mut Tracker, recs: &[MessageRecord]) -> Vec<TrackEvent> {
    let mut out = Vec::new();
    for r in recs {
        tr.push(r, &mut out);
    }
    out
}

fn key(s: &str) -> TrackKey {
    TrackKey { kind: IdKind::Serial, id: s.to_string() }
}

#[test]
fn mac_rotation_merges_into_one_track() {
    let (a, b) = (addr(1), addr(2));
    let ble = Transport::Ble4Legacy;
    let mut recs = Vec::new();
    for i in 0..10 {
        let t = i as f64;
        if i % 3 == 0 {
            recs.push(rec(t, ble, Some(a), basic_id(SERIAL)));
        }
        recs.push(rec(t + 0.3, ble, Some(a), location(LAT, east(10.0 * t))));
    }
    // rotation at t = 10: two Locations from the new address before its first Basic ID
    recs.push(rec(10.3, ble, Some(b), location(LAT, east(103.0))));
    recs.push(rec(11.3, ble, Some(b), location(LAT, east(113.0))));
    let mut tr = Tracker::default();
    let ev = run(&mut tr, &recs);
    assert_eq!(tr.held_records(), 2, "held until the new address says who it is");
    assert_eq!(tr.tracks().count(), 1);
    assert_eq!(ev.iter().filter(|e| e.name() == "track_new").count(), 1);
    let before = tr.find(&key(SERIAL)).expect("track").messages;

    let ev =
        run(&mut tr, &[rec(12.0, ble, Some(b), basic_id(SERIAL)), rec(12.3, ble, Some(b), location(LAT, east(123.0)))]);
    assert!(ev.iter().all(|e| e.name() == "track_update"), "{:?}", ev.iter().map(|e| e.name()).collect::<Vec<_>>());
    assert_eq!(tr.tracks().count(), 1, "one aircraft, two addresses");
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(t.messages, before + 4, "the two held Locations were replayed into the track");
    assert_eq!(tr.held_records(), 0);
    assert_eq!(tr.stats().held, 2);
    assert_eq!(tr.stats().unattributed, 0);
    assert_eq!(t.src_addr.as_ref().map(|f| f.value), Some(b));
    let p = t.position.as_ref().expect("position").value;
    assert!(p.distance_m(GeoPos::new(LAT, east(123.0))) < 0.5);
    // history in time order, including the replayed reports
    assert!(t.history.iter().any(|h| (h.time_s - 10.3).abs() < 1e-9));
    assert!(t.history.iter().zip(t.history.iter().skip(1)).all(|(x, y)| x.time_s < y.time_s));

    // the old address's association expires when it goes silent; a later
    // report from it is held, then counted as unattributed
    let mut out = Vec::new();
    tr.push(&rec(40.0, ble, Some(b), location(LAT, east(123.0))), &mut out);
    tr.push(&rec(40.5, ble, Some(a), location(LAT, east(0.0))), &mut out);
    assert_eq!(tr.held_records(), 1, "address {a} went stale after 30 s");
    tr.tick(46.0, &mut out);
    assert_eq!(tr.held_records(), 0);
    assert_eq!(tr.stats().unattributed, 1);
    // a report with neither an identifier nor an address cannot be attributed
    tr.push(&rec(46.5, ble, None, location(LAT, LON)), &mut out);
    assert_eq!(tr.stats().unattributed, 2);
    assert_eq!(tr.tracks().count(), 1);
}

#[test]
fn same_drone_on_two_transports_is_one_track() {
    // ODID over BLE 4 (one message per advert) and a Wi-Fi beacon message pack
    let pack = wire_pack(vec![basic_id(SERIAL), location(LAT, east(5.0))]);
    let recs = [
        rec(0.0, Transport::Ble4Legacy, Some(addr(1)), basic_id(SERIAL)),
        rec(0.2, Transport::Ble4Legacy, Some(addr(1)), location(LAT, LON)),
        rec(0.5, Transport::WifiBeacon, Some(addr(9)), pack),
    ];
    let mut tr = Tracker::default();
    run(&mut tr, &recs);
    assert_eq!(tr.tracks().count(), 1);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(t.transports_seen().collect::<Vec<_>>(), vec![Transport::Ble4Legacy, Transport::WifiBeacon]);
    assert_eq!(t.position.as_ref().map(|p| p.source), Some(Transport::WifiBeacon));
    assert_eq!(t.ua_type.as_ref().map(|f| f.value.as_str()), Some("helicopter_or_multirotor"));

    // DJI DroneID on OcuSync (no address) and in a Wi-Fi beacon IE, same serial
    let ocu = DjiMessage::FlightInfo {
        info: dji("3NZCH7R0012345", LAT, LON),
        framing: Framing::Ocusync { payload_crc_ok: Some(true) },
    };
    let wifi = DjiMessage::FlightInfo {
        info: dji("3NZCH7R0012345", LAT, east(3.0)),
        framing: Framing::Wifi { header: [0x58, 0x62, 0x13] },
    };
    let mut out = Vec::new();
    tr.push(&rec(1.0, Transport::Ocusync, None, Message::Dji(ocu)), &mut out);
    tr.push(&rec(1.1, Transport::WifiBeacon, Some(addr(7)), Message::Dji(wifi)), &mut out);
    assert_eq!(tr.tracks().count(), 2);
    let d = tr.find(&key("3NZCH7R0012345")).expect("DJI track");
    assert_eq!(d.transports_seen().collect::<Vec<_>>(), vec![Transport::WifiBeacon, Transport::Ocusync]);
    assert_eq!(d.protocols.iter().copied().collect::<Vec<_>>(), vec![ProtocolId::DjiWifi, ProtocolId::DjiOcusync]);
    assert_eq!(d.model.as_ref().map(|f| f.value.as_str()), Some("Mini 2"));
    assert_eq!(d.status.as_ref().map(|f| f.value.as_str()), Some("airborne"));
    assert!(d.home.is_some());
    let v = d.speed_h_mps.as_ref().expect("speed").value;
    assert!((v - 5.0).abs() < 1e-9);
    assert!((d.course_deg.as_ref().expect("course").value - 90.0).abs() < 1e-9);

    // the same serial from ODID, DJI and the French beacon is one aircraft
    let fr = FrenchId {
        uas_id: Some(SERIAL.as_bytes().to_vec()),
        lat_deg: Some(LAT),
        lon_deg: Some(LON),
        ..FrenchId::default()
    };
    tr.push(&rec(1.2, Transport::WifiBeacon, Some(addr(9)), Message::French(fr)), &mut out);
    let dji_same = DjiMessage::FlightInfo {
        info: dji(SERIAL, LAT, LON),
        framing: Framing::Ocusync { payload_crc_ok: Some(true) },
    };
    tr.push(&rec(1.3, Transport::Ocusync, None, Message::Dji(dji_same)), &mut out);
    assert_eq!(tr.tracks().count(), 2);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(
        t.protocols.iter().copied().collect::<Vec<_>>(),
        vec![ProtocolId::Odid, ProtocolId::FrenchId, ProtocolId::DjiOcusync]
    );
    assert_eq!(t.transports_seen().count(), 3);
}

fn wire_pack(msgs: Vec<Message>) -> Message {
    let messages = msgs
        .into_iter()
        .filter_map(|m| match m {
            Message::Odid(o) => Some(o),
            _ => None,
        })
        .collect();
    Message::Odid(odid::Message::v2(Body::Pack(MessagePack { messages })))
}

#[test]
fn a_second_identifier_becomes_an_alias_and_the_serial_is_primary() {
    let caa = wire(Body::BasicId(
        BasicId::with_text(IdType::CaaRegistration, UaType::Aeroplane, "FIN87astrdge12k8").expect("fits"),
    ));
    let mut tr = Tracker::default();
    run(
        &mut tr,
        &[
            rec(0.0, Transport::Ble4Legacy, Some(addr(1)), caa),
            rec(0.1, Transport::Ble4Legacy, Some(addr(1)), basic_id(SERIAL)),
        ],
    );
    assert_eq!(tr.tracks().count(), 1);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(t.key, key(SERIAL));
    assert_eq!(t.aliases, vec![TrackKey { kind: IdKind::CaaRegistration, id: "FIN87astrdge12k8".into() }]);
    assert_eq!(tr.find(&t.aliases[0]).map(|x| x.id), Some(t.id));
}

#[test]
fn stale_fields_age_out_and_the_track_expires() {
    let mut tr = Tracker::default();
    let a = Some(addr(1));
    let mut ev = run(
        &mut tr,
        &[rec(0.0, Transport::Ble4Legacy, a, basic_id(SERIAL)), rec(1.0, Transport::Ble4Legacy, a, location(LAT, LON))],
    );
    let ages = StaleAges::default();
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(t.is_stale("position", 4.0, &ages), Some(false));
    assert_eq!(t.is_stale("position", 6.5, &ages), Some(true), "5 s after its last update");
    assert_eq!(t.is_stale("ua_type", 6.5, &ages), Some(false), "identity keeps 15 s");
    assert_eq!(t.is_stale("ua_type", 15.5, &ages), Some(true));
    assert_eq!(t.is_stale("operator", 6.5, &ages), None, "never reported");
    let s = t.summary(6.5, tr.config());
    assert!(
        s.stale.contains(&"position") && s.stale.contains(&"height") && !s.stale.contains(&"ua_type"),
        "{:?}",
        s.stale
    );
    assert!(s.fields["position"].stale && !s.fields["ua_type"].stale);
    assert_eq!(s.fields["position"].source, Transport::Ble4Legacy);
    assert_eq!(s.fields["position"].updated_s, 1.0);
    assert!(s.lat_deg.is_some(), "a stale value is still shown, marked stale");

    ev.clear();
    tr.tick(60.5, &mut ev);
    assert!(ev.is_empty(), "not yet: last message at 1 s, timeout 60 s");
    tr.tick(61.5, &mut ev);
    assert_eq!(ev.len(), 1);
    let TrackEvent::TrackLost(s) = &ev[0] else { panic!("{ev:?}") };
    assert_eq!(s.time_s, 61.0, "expired at last message + timeout");
    assert_eq!(s.uas_id_str(), SERIAL);
    assert_eq!(tr.tracks().count(), 0);
    assert_eq!(tr.stats().tracks_expired, 1);

    // the same aircraft heard again later is a new track
    ev.clear();
    tr.push(&rec(100.0, Transport::Ble4Legacy, a, basic_id(SERIAL)), &mut ev);
    assert_eq!(ev.iter().map(|e| e.name()).collect::<Vec<_>>(), vec!["track_new"]);
    assert_eq!(tr.find(&key(SERIAL)).map(|t| t.id), Some(2));
}

impl TrackSummary {
    fn uas_id_str(&self) -> &str {
        &self.key.id
    }
}

fn flags_of(ev: &[TrackEvent]) -> Vec<FlagKind> {
    ev.iter()
        .filter_map(|e| match e {
            TrackEvent::TrackFlag(s) => s.last_flag.as_ref().map(|f| f.kind),
            _ => None,
        })
        .collect()
}

#[test]
fn a_teleport_is_flagged_and_a_persistent_move_accepted() {
    let a = Some(addr(1));
    let ble = Transport::Ble4Legacy;
    let mut recs = vec![rec(0.0, ble, a, basic_id(SERIAL))];
    for i in 0..10 {
        recs.push(rec(i as f64, ble, a, location(LAT, east(10.0 * i as f64))));
    }
    // every flag as an event (by default one per kind per 5 s; the counters count all)
    let mut tr = Tracker::new(TrackerConfig { flag_event_interval_s: 0.0, ..TrackerConfig::default() });
    run(&mut tr, &recs);
    let good = GeoPos::new(LAT, east(90.0));

    // 5 km in one second: 5000 m/s
    let ev = run(&mut tr, &[rec(10.0, ble, a, location(LAT, east(5000.0)))]);
    assert_eq!(flags_of(&ev), vec![FlagKind::Teleport]);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert!(t.position.as_ref().expect("pos").value.distance_m(good) < 0.5, "the good position stays");
    assert_eq!(t.flags.teleports, 1);
    let f = t.last_flag.as_ref().expect("flag");
    assert!(f.distance_m.is_some_and(|d| (d - 4910.0).abs() < 20.0), "{f:?}");
    assert!(f.implied_speed_mps.is_some_and(|v| v > 4000.0));
    // 100 m/s × (1 s + 1 s slack) + 10 m + 10 m accuracy
    assert!(f.allowed_m.is_some_and(|m| (m - 220.0).abs() < 1e-6), "{f:?}");
    let json = serde_json::to_value(&ev[0]).expect("serializes");
    assert_eq!(json["event"], "track_flag");
    assert_eq!(json["last_flag"]["kind"], "teleport");
    assert!(json["last_flag"]["implied_speed_mps"].as_f64().is_some());

    // back on course: accepted, the candidate is forgotten
    let ev = run(&mut tr, &[rec(11.0, ble, a, location(LAT, east(110.0)))]);
    assert!(flags_of(&ev).is_empty());
    let t = tr.find(&key(SERIAL)).expect("track");
    assert!(t.position.as_ref().expect("pos").value.distance_m(GeoPos::new(LAT, east(110.0))) < 0.5);

    // a move that persists: the jump, its copies on other channels (counted
    // once), then a consistent report a second later: accepted
    let far = |m: f64| location(LAT + 0.05, east(m));
    let ev = run(
        &mut tr,
        &[
            rec(12.0, ble, a, far(0.0)),
            rec(12.001, ble, a, far(0.0)),
            rec(12.002, ble, a, far(0.0)),
            rec(13.0, ble, a, far(10.0)),
        ],
    );
    assert_eq!(flags_of(&ev), vec![FlagKind::Teleport, FlagKind::MoveAccepted]);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert!(t.position.as_ref().expect("pos").value.distance_m(GeoPos::new(LAT + 0.05, east(10.0))) < 0.5);
    assert_eq!((t.flags.teleports, t.flags.moves_accepted), (2, 1));
    assert!(t.history.back().is_some_and(|h| (h.time_s - 13.0).abs() < 1e-9));
}

#[test]
fn a_reported_high_speed_raises_the_limit() {
    // a fixed-wing reporting 150 m/s, one report per second
    let a = Some(addr(1));
    let fast = |t: f64| {
        wire(Body::Location(Location {
            lat_deg: Some(LAT),
            lon_deg: Some(east(150.0 * t)),
            speed_h_mps: Some(150.0),
            h_accuracy: 10,
            ..Location::default()
        }))
    };
    let mut recs = vec![rec(0.0, Transport::Ble4Legacy, a, basic_id(SERIAL))];
    recs.extend((0..5).map(|i| rec(i as f64 * 2.0, Transport::Ble4Legacy, a, fast(i as f64 * 2.0))));
    let mut tr = Tracker::default();
    let ev = run(&mut tr, &recs);
    assert!(flags_of(&ev).is_empty(), "{:?}", flags_of(&ev));
    assert_eq!(tr.find(&key(SERIAL)).expect("track").flags.teleports, 0);
}

#[test]
fn null_island_and_unknown_values_are_not_taken() {
    let a = Some(addr(1));
    let ble = Transport::Ble4Legacy;
    // every value "unknown" on the wire: lat/lon 0/0, altitudes −1000 m,
    // speed 255, vertical speed 63, direction 361
    let unknown = wire(Body::Location(Location::default()));
    let Message::Odid(odid::Message { body: Body::Location(l), .. }) = &unknown else { panic!() };
    assert_eq!((l.lat_deg, l.alt_geo_m, l.speed_h_mps, l.speed_v_mps, l.direction_deg), (None, None, None, None, None));
    let mut tr = Tracker::default();
    run(&mut tr, &[rec(0.0, ble, a, basic_id(SERIAL)), rec(0.5, ble, a, unknown)]);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert!(t.position.is_none() && t.alt_geo_m.is_none() && t.speed_h_mps.is_none() && t.course_deg.is_none());
    assert!(t.speed_v_mps.is_none() && t.height_m.is_none() && t.history.is_empty());
    let json = serde_json::to_value(t.summary(0.5, tr.config())).expect("serializes");
    for f in ["lat_deg", "lon_deg", "alt_geo_m", "speed_h_mps", "speed_v_mps", "direction_deg", "height_m"] {
        assert!(json.get(f).is_none(), "{f} must be absent, not null or 0: {json}");
    }

    // next to null island (a 0/0 with a few units of noise) and out of range
    let near_zero = location(0.0001, -0.0002);
    let fr = FrenchId {
        uas_id: Some(SERIAL.as_bytes().to_vec()),
        lat_deg: Some(95.0),
        lon_deg: Some(10.0),
        ..FrenchId::default()
    };
    let ev = run(
        &mut tr,
        &[rec(1.0, ble, a, near_zero), rec(1.5, Transport::WifiBeacon, Some(addr(5)), Message::French(fr))],
    );
    assert_eq!(flags_of(&ev), vec![FlagKind::NullIsland, FlagKind::OutOfRange]);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert!(t.position.is_none());
    assert_eq!((t.flags.null_island, t.flags.out_of_range), (1, 1));

    // a DJI record without a fix (0/0) is no position either
    let mut nofix = dji(SERIAL, LAT, LON);
    nofix.lat_raw = 0;
    nofix.lon_raw = 0;
    let m = DjiMessage::FlightInfo { info: nofix, framing: Framing::Ocusync { payload_crc_ok: Some(true) } };
    run(&mut tr, &[rec(2.0, Transport::Ocusync, None, Message::Dji(m))]);
    assert!(tr.find(&key(SERIAL)).expect("track").position.is_none());

    // a position the decoder found impossible (latitude beyond 90°) is flagged
    let mut raw = odid::Message::v2(Body::Location(Location::default())).emit_single().expect("encodes");
    raw[5..9].copy_from_slice(&1_000_000_000i32.to_le_bytes());
    let bad = Message::Odid(odid::Message::parse_single(&raw).expect("decodes with invalid fields"));
    let ev = run(&mut tr, &[rec(3.0, ble, a, bad)]);
    assert_eq!(flags_of(&ev), vec![FlagKind::InvalidValue]);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(t.flags.invalid_values, 1);
    assert_eq!(t.last_flag.as_ref().map(|f| f.fields.clone()), Some(vec!["lat_deg", "lon_deg"]));
    assert!(t.position.is_none());
}

/// A mixed sequence: two drones, rotation, two transports, a teleport, expiry.
fn scripted() -> Vec<MessageRecord> {
    let mut v = Vec::new();
    for i in 0..40 {
        let t = i as f64 * 0.5;
        let a = if t < 10.0 { addr(1) } else { addr(2) };
        if i % 4 == 0 {
            v.push(rec(t, Transport::Ble4Legacy, Some(a), basic_id(SERIAL)));
        }
        let lon = if i == 20 { east(9000.0) } else { east(5.0 * t) };
        v.push(rec(t + 0.1, Transport::Ble4Legacy, Some(a), location(LAT, lon)));
        let d = DjiMessage::FlightInfo {
            info: dji("3NZCH7R0012345", LAT + 0.01, east(t)),
            framing: Framing::Ocusync { payload_crc_ok: Some(true) },
        };
        v.push(rec(t + 0.2, Transport::Ocusync, None, Message::Dji(d)));
    }
    v.push(rec(200.0, Transport::Ble4Legacy, Some(addr(3)), basic_id("OTHER123")));
    v
}

fn json_lines(ev: &[TrackEvent]) -> Vec<String> {
    ev.iter().map(|e| serde_json::to_string(e).expect("serializes")).collect()
}

#[test]
fn deterministic_the_same_records_give_the_same_events() {
    let recs = scripted();
    let cfg = TrackerConfig { sensor: Some(GeoPos::new(LAT - 0.01, LON)), ..TrackerConfig::default() };
    let mut a = Tracker::new(cfg.clone());
    let mut b = Tracker::new(cfg);
    let ea = run(&mut a, &recs);
    let eb = run(&mut b, &recs);
    assert_eq!(ea, eb);
    assert_eq!(json_lines(&ea), json_lines(&eb));
    // the tick calls in between do not change anything for a tracker that
    // is driven by the records alone
    let mut c = Tracker::new(a.config().clone());
    let mut ec = Vec::new();
    for r in &recs {
        c.tick(r.env.time_s, &mut ec);
        c.push(r, &mut ec);
    }
    assert_eq!(json_lines(&ea), json_lines(&ec));
    // what the sequence holds
    let names: Vec<_> = ea.iter().map(|e| e.name()).collect();
    assert_eq!(names.iter().filter(|n| **n == "track_new").count(), 3);
    assert_eq!(names.iter().filter(|n| **n == "track_lost").count(), 2, "both expire before t = 200");
    assert_eq!(flags_of(&ea), vec![FlagKind::Teleport]);
    assert_eq!(a.tracks().count(), 1);
}

#[test]
fn event_json_fields() {
    let cfg = TrackerConfig { sensor: Some(GeoPos::new(LAT, LON)), ..TrackerConfig::default() };
    let mut tr = Tracker::new(cfg);
    let ev = run(
        &mut tr,
        &[
            rec(0.0, Transport::Ble4Legacy, Some(addr(1)), basic_id(SERIAL)),
            rec(0.5, Transport::Ble4Legacy, Some(addr(1)), location(LAT + 0.01, LON)),
        ],
    );
    let j = serde_json::to_value(&ev[1]).expect("serializes");
    assert_eq!(j["event"], "track_update");
    assert_eq!(j["track_id"], 1);
    assert_eq!(j["uas_id"], SERIAL);
    assert_eq!(j["id_kind"], "serial");
    assert_eq!(j["transports"], serde_json::json!(["ble4_legacy"]));
    assert_eq!(j["protocols"], serde_json::json!(["odid"]));
    assert_eq!(j["src_addr"], "c4:12:34:56:78:01");
    assert_eq!(j["height_type"], "above_takeoff");
    assert_eq!(j["rssi_dbm"], -60.0);
    assert_eq!(j["fields"]["position"]["source"], "ble4_legacy");
    assert_eq!(j["fields"]["position"]["stale"], false);
    assert_eq!(j["flags"]["teleports"], 0);
    assert_eq!(j["msg_rates_hz"]["location"], 1.0);
    let d = j["distance_m"].as_f64().expect("distance");
    assert!((d - 1112.0).abs() < 2.0, "{d}");
    let b = j["bearing_deg"].as_f64().expect("bearing");
    assert!(b.abs() < 0.01, "{b}");
    for absent in ["aliases", "stale", "last_flag", "operator_lat_deg", "rssi_dbfs"] {
        assert!(j.get(absent).is_none(), "{absent}");
    }
}

#[test]
fn histories_are_bounded_and_rates_follow_the_window() {
    let cfg = TrackerConfig { history_len: 16, rssi_history_len: 8, ..TrackerConfig::default() };
    let mut tr = Tracker::new(cfg);
    let a = Some(addr(1));
    let mut recs = vec![rec(0.0, Transport::Ble4Legacy, a, basic_id(SERIAL))];
    // 3 Locations a second for 100 s
    for i in 0..300 {
        let t = i as f64 / 3.0;
        recs.push(rec(t, Transport::Ble4Legacy, a, location(LAT, east(5.0 * t))));
    }
    run(&mut tr, &recs);
    let t = tr.find(&key(SERIAL)).expect("track");
    assert_eq!(t.history.len(), 16);
    assert_eq!(t.rssi.len(), 8);
    assert_eq!(t.msg_types["location"].count, 300);
    let r = t.rate_hz("location", tr.now_s(), 10);
    assert!((r - 3.0).abs() < 0.15, "{r}");
    // one message in the window at t = 0: the Basic ID rate falls to 0 later
    assert_eq!(t.rate_hz("basic_id", tr.now_s(), 10), 0.0);
}

#[test]
fn held_records_and_live_tracks_are_bounded() {
    let cfg = TrackerConfig { hold_max_per_addr: 4, hold_max_addrs: 3, max_tracks: 5, ..TrackerConfig::default() };
    let mut tr = Tracker::new(cfg);
    let mut out = Vec::new();
    for i in 0..10u8 {
        for k in 0..6 {
            tr.push(&rec(0.01 * k as f64, Transport::Ble4Legacy, Some(addr(i)), location(LAT, LON)), &mut out);
        }
    }
    assert!(tr.held_records() <= 12);
    assert_eq!(tr.stats().held, 60);
    assert_eq!(tr.stats().unattributed + tr.held_records() as u64, 60);
    for i in 0..20u8 {
        tr.push(
            &rec(1.0 + i as f64, Transport::Ble4Legacy, Some(addr(100 + i)), basic_id(&format!("SER{i}"))),
            &mut out,
        );
    }
    assert_eq!(tr.tracks().count(), 5);
    assert_eq!(tr.stats().tracks_evicted, 15);
    assert_eq!(out.iter().filter(|e| e.name() == "track_lost").count(), 15);
}

#[test]
fn update_interval_limits_updates_and_flushes_the_last_one() {
    let cfg = TrackerConfig { update_interval_s: 1.0, ..TrackerConfig::default() };
    let mut tr = Tracker::new(cfg);
    let a = Some(addr(1));
    let mut recs = vec![rec(0.0, Transport::Ble4Legacy, a, basic_id(SERIAL))];
    for i in 1..=20 {
        recs.push(rec(i as f64 * 0.1, Transport::Ble4Legacy, a, location(LAT, east(i as f64))));
    }
    let mut ev = run(&mut tr, &recs);
    let updates = ev.iter().filter(|e| e.name() == "track_update").count();
    assert_eq!(updates, 2, "at 1.0 s and 2.0 s");
    tr.finish(&mut ev);
    assert_eq!(ev.last().map(|e| e.name()), Some("track_lost"));
    assert_eq!(tr.tracks().count(), 0);
}

#[test]
fn flag_events_are_rate_limited_but_every_flag_is_counted() {
    let a = Some(addr(1));
    let ble = Transport::Ble4Legacy;
    let mut recs = vec![rec(0.0, ble, a, basic_id(SERIAL))];
    // a transmitter stuck at null island, 3 reports a second for 10 s
    for i in 0..30 {
        recs.push(rec(i as f64 / 3.0, ble, a, location(0.0001, 0.0001)));
    }
    let mut tr = Tracker::default();
    let ev = run(&mut tr, &recs);
    assert_eq!(flags_of(&ev), vec![FlagKind::NullIsland; 2], "at 0 s and 5 s");
    assert_eq!(tr.find(&key(SERIAL)).expect("track").flags.null_island, 30);
}

#[test]
fn flag_names_are_their_serialized_names() {
    use crate::track::FlagKind::*;
    for k in [Teleport, MoveAccepted, NullIsland, OutOfRange, InvalidValue] {
        assert_eq!(serde_json::to_value(k).expect("serializes"), k.as_str());
    }
}
