//! The analyzer on synthesized scenarios, from frames up: transmitters
//! built from the synthesizer's drones (BLE 4 legacy adverts like
//! ArduRemoteID and Wi-Fi Beacon message packs), with one fault each, are
//! decoded like a capture and reported. Each fault must fail exactly its
//! rule; a spoofed swarm must be flagged and a real-looking flight not.

use std::collections::BTreeSet;

use super::*;
use crate::decode::{Decoder, Record};
use crate::frame::{Frame, LinkType, Phy, PhyMeta};
use crate::link::ble::{self, AdvPdu, PduType};
use crate::link::ieee80211::{self, MgmtSubtype};
use crate::protocol::odid::{self, Body, MessageType, transport as odid_tx};
use crate::synth::scenario::{Drone, ScenarioConfig};
use crate::util::MacAddr;

/// A transmitter's behaviour (faults off by default).
#[derive(Clone, Copy, Default)]
struct Faults {
    /// Send Location only every `n`-th cycle (0 or 1: every cycle).
    location_every: usize,
    no_system: bool,
    frozen_timestamps: bool,
}

/// A tiny deterministic noise source (LCG), uniform in [-1, 1).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

const EIRP_DBM: f64 = 10.0;

fn meta(cfg: &ScenarioConfig, link: LinkType, phy: Phy, t: f64, channel: u16, rssi_dbm: f64) -> PhyMeta {
    let mut m = PhyMeta::new(link, phy);
    m.fcs_included = true;
    m.time_s = t;
    m.unix_ns = Some(cfg.unix_ns(t));
    m.channel = Some(channel);
    m.rssi_dbm = Some(rssi_dbm as f32);
    if link == LinkType::BleLl {
        m.access_address = Some(ble::ADV_ACCESS_ADDRESS);
    }
    m
}

/// An ADV_NONCONN_IND from a random address.
fn advert(addr: MacAddr, data: &[u8]) -> Vec<u8> {
    AdvPdu {
        pdu_type: PduType::AdvNonconnInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: Some(addr),
        peer_a: None,
        ext: None,
        adv_data: data,
        other: &[],
    }
    .emit()
    .expect("pdu")
}

fn message(d: &Drone, mt: MessageType, t: f64, f: Faults, first_tenths: &mut Option<u16>) -> odid::Message {
    let mut m = d.message(mt, t).expect("drone message");
    if f.frozen_timestamps
        && let Body::Location(l) = &mut m.body
    {
        l.timestamp_tenths = Some(*first_tenths.get_or_insert(l.timestamp_tenths.unwrap_or(0)));
    }
    m
}

/// One drone on BLE 4 legacy (an advertising event every 1/6 s cycling
/// Location, Basic ID, Self-ID, System, Operator ID and a name advert, on
/// channels 37/38/39) and Wi-Fi Beacon (a message pack every 0.5 s), its
/// RSSI following free-space loss from `sensor` with ±2 dB of fading.
fn drone_frames(cfg: &ScenarioConfig, d: &Drone, f: Faults, sensor: GeoPos, seed: u64) -> Vec<Frame> {
    let mut noise = Noise(seed);
    let mut out = Vec::new();
    let addr = MacAddr([0xC0, 0x11, 0x22, 0x33, 0x44, d.index as u8]);
    let rssi = |t: f64, n: &mut Noise| {
        let s = d.state_at(t);
        let dist = sensor.distance_m(GeoPos::new(s.lat_deg, s.lon_deg));
        EIRP_DBM - checks::fspl_db(dist, 2.44e9) + 2.0 * n.next()
    };
    let every = f.location_every.max(1);
    let mut first_tenths = None;
    // BLE 4 legacy
    let slots = [
        Some(MessageType::Location),
        Some(MessageType::BasicId),
        Some(MessageType::SelfId),
        Some(MessageType::System),
        Some(MessageType::OperatorId),
        None,
    ];
    let mut counters = [0u8; 16];
    let mut k = 0usize;
    let mut t = 0.013 * (d.index + 1) as f64;
    while t < cfg.duration_s - 0.01 {
        let cycle = k / slots.len();
        let slot = slots[k % slots.len()];
        k += 1;
        let event_t = t;
        t += 1.0 / 6.0 + 0.002 * noise.next();
        let data = match slot {
            Some(MessageType::Location) if !cycle.is_multiple_of(every) => continue,
            Some(MessageType::System) if f.no_system => continue,
            Some(mt) => {
                let bytes = message(d, mt, event_t, f, &mut first_tenths).emit_single().expect("emit");
                let c = &mut counters[(mt.value() & 0x0F) as usize];
                *c = c.wrapping_add(1);
                odid_tx::ble_service_data_ad(*c, &bytes).expect("ad")
            }
            None => ble::ad_structure(ble::ad_type::COMPLETE_NAME, b"ArduRemoteID_TEST").expect("name"),
        };
        let pdu = advert(addr, &data);
        for (j, ch) in [37u16, 38, 39].into_iter().enumerate() {
            let tj = event_t + j as f64 * 0.0005;
            let m = meta(cfg, LinkType::BleLl, Phy::Ble1m, tj, ch, rssi(tj, &mut noise));
            out.push(Frame { bytes: ble::with_crc(&pdu), meta: m });
        }
    }
    // Wi-Fi beacon, a pack every 0.5 s
    let mut counter = 0u8;
    let mut t = 0.2 + 0.01 * d.index as f64;
    let mut n = 0usize;
    let wifi_addr = MacAddr([0x60, 0x55, 0xF9, 0x00, 0x00, d.index as u8]);
    while t < cfg.duration_s - 0.01 {
        let mut msgs = Vec::new();
        for mt in [
            MessageType::BasicId,
            MessageType::Location,
            MessageType::SelfId,
            MessageType::System,
            MessageType::OperatorId,
        ] {
            if (mt == MessageType::Location && !n.is_multiple_of(2 * every) && every > 1)
                || (mt == MessageType::System && f.no_system)
            {
                continue;
            }
            msgs.push(message(d, mt, t, f, &mut first_tenths));
        }
        counter = counter.wrapping_add(1);
        let pack = odid_tx::pack(2, msgs).expect("pack");
        let mut ies = ieee80211::element(ieee80211::element_id::SSID, b"RID-TEST").expect("ssid");
        ies.extend(odid_tx::wifi_vendor_ie(counter, &pack).expect("ie"));
        let frame = ieee80211::beacon(MgmtSubtype::Beacon, wifi_addr, wifi_addr, n as u16 & 0xFFF, 0, 100, 1, &ies);
        let m = meta(cfg, LinkType::Ieee80211, Phy::WifiDsss, t, 6, rssi(t, &mut noise));
        out.push(Frame { bytes: ieee80211::append_fcs(frame), meta: m });
        n += 1;
        t += 0.5 + 0.003 * noise.next();
    }
    out
}

/// A spoofer: `ids` fake serials from one ESP32-like radio on BLE 4
/// (each its own random address), all at one power, each advert a Basic
/// ID or a Location at a random place within 5 km.
fn swarm_frames(cfg: &ScenarioConfig, ids: usize) -> Vec<Frame> {
    let mut noise = Noise(99);
    let mut out = Vec::new();
    let mut counters = vec![0u8; ids];
    let mut t = 0.0;
    let mut k = 0usize;
    while t < cfg.duration_s - 0.01 {
        let i = k % ids;
        let addr = MacAddr([0xE4, 0x5F, 0x01, 0x00, 0x00, i as u8]);
        let body = if (k / ids).is_multiple_of(2) {
            Body::BasicId(odid::BasicId {
                id_type: odid::IdType::SerialNumber,
                ua_type: odid::UaType::HelicopterOrMultirotor,
                uas_id: {
                    let mut b = [0u8; 20];
                    let s = format!("1581F5BKD2{i:05}");
                    b[..s.len()].copy_from_slice(s.as_bytes());
                    b
                },
            })
        } else {
            let (dn, de) = (5000.0 * noise.next(), 5000.0 * noise.next());
            Body::Location(odid::Location {
                status: odid::OperationalStatus::Airborne,
                lat_deg: Some(cfg.origin_lat_deg + dn / 111_000.0),
                lon_deg: Some(cfg.origin_lon_deg + de / 68_000.0),
                alt_geo_m: Some(120.0),
                height_m: Some(100.0),
                speed_h_mps: Some(5.0),
                direction_deg: Some(90.0),
                speed_v_mps: Some(0.0),
                h_accuracy: 10,
                v_accuracy: 4,
                timestamp_tenths: Some((cfg.unix_ns(t).rem_euclid(3_600_000_000_000) / 100_000_000) as u16),
                ..odid::Location::default()
            })
        };
        let bytes = odid::Message::v2(body).emit_single().expect("emit");
        counters[i] = counters[i].wrapping_add(1);
        let data = odid_tx::ble_service_data_ad(counters[i], &bytes).expect("ad");
        let pdu = advert(addr, &data);
        for (j, ch) in [37u16, 38, 39].into_iter().enumerate() {
            let tj = t + j as f64 * 0.0005;
            let m = meta(cfg, LinkType::BleLl, Phy::Ble1m, tj, ch, -48.0 + 0.3 * noise.next());
            out.push(Frame { bytes: ble::with_crc(&pdu), meta: m });
        }
        k += 1;
        t += 0.02;
    }
    out
}

fn decode(mut frames: Vec<Frame>) -> Vec<Record> {
    frames.sort_by(|a, b| a.meta.time_s.total_cmp(&b.meta.time_s));
    let mut dec = Decoder::new();
    frames.iter().flat_map(|f| dec.push(f)).collect()
}

fn scenario() -> (ScenarioConfig, GeoPos) {
    let cfg = ScenarioConfig { seed: 7, drones: 1, duration_s: 60.0, ..ScenarioConfig::default() };
    let sensor = GeoPos::new(cfg.origin_lat_deg, cfg.origin_lon_deg);
    (cfg, sensor)
}

fn report_of(frames: Vec<Frame>, sensor: GeoPos) -> Report {
    let input = Input::from_records("test", &decode(frames));
    analyze(&input, &ReportConfig { sensor: Some((sensor.lat_deg, sensor.lon_deg)), id: None })
}

fn one_drone(f: Faults) -> (Report, Drone) {
    let (cfg, sensor) = scenario();
    let d = Drone::new(&cfg, 0);
    (report_of(drone_frames(&cfg, &d, f, sensor, 5), sensor), d)
}

fn failed(c: &[Check]) -> BTreeSet<String> {
    c.iter().filter(|c| c.status == Status::Fail).map(|c| c.id.clone()).collect()
}

fn show(c: &[Check]) -> String {
    c.iter().map(|c| format!("{} {:?} {:?}: {}\n", c.id, c.transport, c.status, c.evidence)).collect()
}

#[test]
fn a_compliant_transmitter_passes_every_rule() {
    let (r, d) = one_drone(Faults::default());
    assert_eq!(r.aircraft.len(), 1, "{:?}", r.aircraft.iter().map(|a| &a.id).collect::<Vec<_>>());
    let a = &r.aircraft[0];
    assert_eq!(a.id, d.serial);
    assert_eq!(a.transports, ["ble4_legacy", "wifi_beacon"]);
    for c in &a.compliance {
        assert_eq!(c.status, Status::Pass, "{}", show(&a.compliance));
    }
    // every rule, on both transports
    let ids: BTreeSet<&str> = a.compliance.iter().map(|c| c.id.as_str()).collect();
    for id in [
        "basic_id",
        "location_rate",
        "system",
        "static_rate",
        "operator_id",
        "location_elements",
        "accuracy",
        "timestamps",
        "values_valid",
        "transports",
    ] {
        assert!(ids.contains(id), "{id} missing");
    }
    assert_eq!(a.compliance.len(), 9 * 2 + 1);
    assert_eq!(r.summary.compliant, 1);
    // and looks genuine
    assert!(failed(&a.authenticity).is_empty(), "{}", show(&a.authenticity));
    // the leak: serial, operator ID, pilot position, all within the first seconds
    let items: BTreeSet<&str> = a.leakage.items.iter().map(|i| i.item.as_str()).collect();
    for i in ["serial", "operator_id", "self_id", "drone_position", "pilot_position", "eu_class"] {
        assert!(items.contains(i), "{i} not in {items:?}");
    }
    let p = a.leakage.pilot.as_ref().expect("pilot");
    assert!(p.first_after_s < 2.0, "{p:?}");
    assert!(a.leakage.trackability.fixed_id);
    // rates: Location about 1 Hz on BLE 4 (each advert heard on 3 channels counts once) and 2 Hz on the beacon
    let loc = |t: &str| a.rates.iter().find(|x| x.transport == t && x.msg_type == "location").expect("rate");
    let ble = loc("ble4_legacy");
    assert!((ble.rate_hz.unwrap() - 1.0).abs() < 0.02, "{ble:?}");
    assert_eq!(ble.messages, 3 * ble.transmissions);
    assert!((loc("wifi_beacon").rate_hz.unwrap() - 2.0).abs() < 0.05);
}

#[test]
fn location_at_half_a_hertz_fails_the_location_rate_only() {
    let (r, _) = one_drone(Faults { location_every: 2, ..Faults::default() });
    let a = &r.aircraft[0];
    assert_eq!(failed(&a.compliance), BTreeSet::from(["location_rate".to_string()]), "{}", show(&a.compliance));
    for c in a.compliance.iter().filter(|c| c.id == "location_rate") {
        assert!(c.evidence.contains("median interval 2.0"), "{}", c.evidence);
    }
    assert!(failed(&a.authenticity).is_empty(), "{}", show(&a.authenticity));
}

#[test]
fn a_missing_system_message_fails_the_system_rule_only() {
    let (r, _) = one_drone(Faults { no_system: true, ..Faults::default() });
    let a = &r.aircraft[0];
    assert_eq!(failed(&a.compliance), BTreeSet::from(["system".to_string()]), "{}", show(&a.compliance));
    // without System no EU classification is declared: the operator ID rule does not apply
    assert!(a.compliance.iter().any(|c| c.id == "operator_id" && c.status == Status::NotApplicable));
    assert!(a.leakage.pilot.is_none());
    assert!(failed(&a.authenticity).is_empty(), "{}", show(&a.authenticity));
}

#[test]
fn frozen_timestamps_fail_the_timestamp_rule_and_are_flagged() {
    let (r, _) = one_drone(Faults { frozen_timestamps: true, ..Faults::default() });
    let a = &r.aircraft[0];
    assert_eq!(failed(&a.compliance), BTreeSet::from(["timestamps".to_string()]), "{}", show(&a.compliance));
    assert_eq!(failed(&a.authenticity), BTreeSet::from(["receive_time".to_string()]), "{}", show(&a.authenticity));
    let c = a.compliance.iter().find(|c| c.id == "timestamps").unwrap();
    assert!(c.evidence.contains("frozen"), "{}", c.evidence);
}

#[test]
fn a_spoofed_swarm_is_flagged_and_the_real_flight_beside_it_is_not() {
    let (cfg, sensor) = scenario();
    let cfg = ScenarioConfig { duration_s: 30.0, ..cfg };
    let d = Drone::new(&cfg, 0);
    let mut frames = drone_frames(&cfg, &d, Faults::default(), sensor, 5);
    frames.extend(swarm_frames(&cfg, 10));
    let r = report_of(frames, sensor);
    assert_eq!(r.aircraft.len(), 11, "{:?}", r.aircraft.iter().map(|a| &a.id).collect::<Vec<_>>());
    assert_eq!(r.signal_groups.len(), 1, "{:?}", r.signal_groups);
    assert_eq!(r.signal_groups[0].ids.len(), 10);
    for a in &r.aircraft {
        let flags = failed(&a.authenticity);
        if a.id == d.serial {
            assert!(flags.is_empty(), "real flight flagged: {}", show(&a.authenticity));
        } else {
            for f in ["teleports", "one_radio_many_ids", "rssi_distance"] {
                assert!(flags.contains(f), "{} not flagged {f}: {}", a.id, show(&a.authenticity));
            }
        }
    }
    assert_eq!(r.summary.flagged, 10);
}

#[test]
fn one_address_with_many_ids_is_flagged() {
    let (cfg, sensor) = scenario();
    let cfg = ScenarioConfig { duration_s: 10.0, ..cfg };
    let mut frames = swarm_frames(&cfg, 4);
    // all from one address
    for f in &mut frames {
        let (pdu, _) = ble::split_crc(&f.bytes).unwrap();
        let mut pdu = pdu.to_vec();
        pdu[2..8].copy_from_slice(&MacAddr([0xE4, 0x5F, 0x01, 0, 0, 0xAA]).to_ble_le());
        f.bytes = ble::with_crc(&pdu);
    }
    let r = report_of(frames, sensor);
    assert_eq!(r.aircraft.len(), 4);
    for a in &r.aircraft {
        let c = a.authenticity.iter().find(|c| c.id == "addr_ids").unwrap();
        assert_eq!(c.status, Status::Fail, "{}", show(&a.authenticity));
        assert!(c.evidence.contains("also sent 3 other identifier"), "{}", c.evidence);
    }
}

#[test]
fn formats_render_every_aircraft() {
    let (r, d) = one_drone(Faults::default());
    let text = text::render(&r);
    assert!(text.contains(&d.serial) && text.contains("location_rate") && text.contains("pilot position known"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["aircraft"][0]["id"], d.serial.as_str());
    assert_eq!(json["summary"]["compliant"], 1);
}

#[test]
fn jsonl_and_record_inputs_agree() {
    let (cfg, sensor) = scenario();
    let d = Drone::new(&cfg, 0);
    let recs = decode(drone_frames(&cfg, &d, Faults::default(), sensor, 5));
    let dir = std::env::temp_dir().join(format!("ridscope-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("x.jsonl");
    let text: String = recs.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
    std::fs::write(&p, text).unwrap();
    let a = analyze(&Input::from_records("x", &recs), &ReportConfig::default());
    let mut b = analyze(&Input::from_jsonl(&p).unwrap(), &ReportConfig::default());
    b.source = "x".into();
    let (a, b) = (serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    assert!(a == b, "the two inputs give different reports");
    std::fs::write(&p, "{\"msg_type\":\"location\"}\nnot json\n").unwrap();
    let e = Input::from_jsonl(&p).unwrap_err();
    assert!(e.contains("line 2") && e.contains("x.jsonl"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn odd_records_never_panic() {
    // real records with every field replaced by odd values, one at a time
    let (cfg, sensor) = scenario();
    let cfg = ScenarioConfig { duration_s: 5.0, ..cfg };
    let d = Drone::new(&cfg, 0);
    let recs = decode(drone_frames(&cfg, &d, Faults::default(), sensor, 5));
    let lines: Vec<serde_json::Value> =
        recs.iter().map(|r| serde_json::from_str(&serde_json::to_string(r).unwrap()).unwrap()).collect();
    let odd = [
        serde_json::json!(null),
        serde_json::json!(-1e300),
        serde_json::json!(1e300),
        serde_json::json!(-0.0),
        serde_json::json!("x<&>"),
        serde_json::json!([1, 2]),
        serde_json::json!({"a": 1}),
        serde_json::json!(u64::MAX),
        serde_json::json!(i64::MIN),
        serde_json::json!(true),
    ];
    let keys: BTreeSet<String> =
        lines.iter().flat_map(|l| l.as_object().unwrap().keys().cloned().collect::<Vec<_>>()).collect();
    for (k, key) in keys.iter().enumerate() {
        let bad = &odd[k % odd.len()];
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut l = l.clone();
                if i % 3 == 0 {
                    l[key.as_str()] = bad.clone();
                }
                l.to_string() + "\n"
            })
            .collect();
        let input = Input::from_jsonl_reader("odd", text.as_bytes()).unwrap();
        let r = analyze(&input, &ReportConfig { sensor: Some((0.0, 0.0)), id: None });
        let _ = text::render(&r);
        let _ = html::render(&r);
        serde_json::to_string(&r).unwrap();
    }
}

#[test]
fn the_kept_fields_are_sorted_for_binary_search() {
    assert!(input::FIELDS.windows(2).all(|w| w[0] < w[1]));
    assert!(input::FIELDS.len() < 256);
}
