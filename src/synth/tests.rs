use std::collections::{BTreeMap, BTreeSet};

use super::scenario::*;
use crate::decode::{Decoder, Record};
use crate::frame::{Frame, LinkType, Phy, PhyMeta};
use crate::link::ble::{self, AdvPdu, PduType};
use crate::protocol::odid::{self, Body, EuCategory, EuClass, MessageType, UaType};
use crate::protocol::{self, Transport};
use crate::util::time;

fn cfg(seed: u64, drones: usize, duration_s: f64) -> ScenarioConfig {
    ScenarioConfig { seed, drones, duration_s, ..ScenarioConfig::default() }
}

fn odid_msg(t: &TruthMessage) -> &odid::Message {
    match &t.message {
        protocol::Message::Odid(m) => m,
        other => panic!("not ODID: {other:?}"),
    }
}

fn msg_type(tx: &BleTx) -> Option<MessageType> {
    tx.truth.first().and_then(|t| odid_msg(t).body.wire_type())
}

/// Message type as a number (the name advert is 0xFF), for ordered maps.
fn type_no(tx: &BleTx) -> u8 {
    msg_type(tx).map_or(0xFF, |t| t.value())
}

/// The drone's transmissions on one channel, in time order.
fn on_channel(txs: &[BleTx], drone: usize, channel: u8) -> Vec<&BleTx> {
    txs.iter().filter(|t| t.drone == drone && t.channel == channel).collect()
}

/// Metres between two positions (local flat approximation, good to 0.1 % here).
fn dist_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let n = (lat2 - lat1).to_radians() * 6_371_000.0;
    let e = (lon2 - lon1).to_radians() * 6_371_000.0 * ((lat1 + lat2) / 2.0).to_radians().cos();
    n.hypot(e)
}

fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let n = (lat2 - lat1).to_radians();
    let e = (lon2 - lon1).to_radians() * lat1.to_radians().cos();
    e.atan2(n).to_degrees().rem_euclid(360.0)
}

fn angle_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

#[test]
fn deterministic_for_a_seed() {
    let c = cfg(7, 3, 20.0);
    let a = ble4_legacy(&c).unwrap();
    let b = ble4_legacy(&c).unwrap();
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert_eq!(truth_jsonl(&a).unwrap(), truth_jsonl(&b).unwrap());
    let other = ble4_legacy(&cfg(8, 3, 20.0)).unwrap();
    assert_ne!(a, other);
    // the flight and identity do not depend on the duration
    let longer = cfg(7, 3, 40.0);
    for i in 0..3 {
        let (d1, d2) = (Drone::new(&c, i), Drone::new(&longer, i));
        assert_eq!((d1.serial.clone(), d1.path.clone()), (d2.serial.clone(), d2.path.clone()));
        assert_eq!(d1.state_at(12.3), d2.state_at(12.3));
    }
}

#[test]
fn every_pdu_parses_and_carries_exactly_its_truth() {
    let c = cfg(11, 4, 30.0);
    let drones = Drone::fleet(&c);
    let txs = ble4_legacy(&c).unwrap();
    let mut names = 0;
    for tx in &txs {
        assert_eq!(tx.access_address, ble::ADV_ACCESS_ADDRESS);
        assert_eq!(tx.phy, BlePhy::Le1m);
        assert!([37, 38, 39].contains(&tx.channel));
        let air = tx.air_bytes();
        let (pdu, crc_ok) = ble::split_crc(&air).unwrap();
        assert!(crc_ok);
        assert_eq!(pdu, &tx.pdu[..]);
        let p = AdvPdu::parse(&tx.pdu).unwrap();
        assert_eq!(p.pdu_type, PduType::AdvNonconnInd);
        assert!(p.tx_add_random);
        let adv_a = p.adv_a.unwrap();
        assert_eq!(adv_a.0[0] & 0xC0, 0xC0, "random static address");
        let ads = ble::ad_structures(p.adv_data).unwrap();
        assert_eq!(ads.len(), 1);
        if tx.truth.is_empty() {
            names += 1;
            assert_eq!(ads[0].ad_type, ble::ad_type::COMPLETE_NAME);
            let name = std::str::from_utf8(ads[0].data).unwrap();
            assert_eq!(name, drones[tx.drone].ble_name);
            let suffix = name.strip_prefix("ArduRemoteID_").unwrap();
            assert!(suffix.len() == 4 && suffix.chars().all(|c| c.is_ascii_hexdigit() && !c.is_lowercase()));
            continue;
        }
        assert_eq!(tx.pdu.len(), 2 + 37, "legacy RID advert: 37-byte payload");
        assert_eq!(tx.truth.len(), 1);
        let t = &tx.truth[0];
        let (uuid, data) = ads[0].service_data_16().unwrap();
        assert_eq!(uuid, odid::transport::BLE_UUID);
        let payload = odid::transport::decode_service_data(Transport::Ble4Legacy, data).unwrap();
        assert_eq!(payload.counter, Some(t.counter));
        assert!(!payload.packed);
        assert_eq!(payload.messages, vec![t.message.clone()]);
        assert_eq!((t.t_s, t.channel, t.drone, t.src_addr), (tx.t_s, tx.channel, tx.drone, adv_a));
        assert_eq!(t.transport, Transport::Ble4Legacy);
        assert_eq!(t.phy, Phy::Ble1m);
        assert_eq!(t.uas_id, drones[tx.drone].serial);
        assert_eq!(t.time_utc, time::rfc3339_ns(c.unix_ns(t.t_s)));
    }
    assert!(names > 0);
}

/// The truth serializes with the decoder's field names and values: a frame
/// of every packet through `Decoder` gives the truth line's fields.
#[test]
fn truth_matches_the_decoder_output() {
    let c = cfg(12, 2, 8.0);
    let txs = ble4_legacy(&c).unwrap();
    let mut dec = Decoder::new();
    let mut compared = 0;
    for tx in &txs {
        let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
        meta.fcs_included = true;
        meta.channel = Some(tx.channel as u16);
        meta.access_address = Some(tx.access_address);
        meta.time_s = tx.t_s;
        meta.unix_ns = Some(c.unix_ns(tx.t_s));
        let recs = dec.push(&Frame { bytes: tx.air_bytes(), meta });
        assert_eq!(recs.len(), tx.truth.len());
        for (r, t) in recs.iter().zip(&tx.truth) {
            let Record::Message(m) = r else { panic!("decode error {r:?}") };
            let got = serde_json::to_value(m).unwrap();
            let want = serde_json::to_value(t).unwrap();
            for (k, v) in want.as_object().unwrap() {
                if ["t_s", "drone", "uas_id"].contains(&k.as_str()) {
                    continue;
                }
                assert_eq!(got.get(k), Some(v), "field {k}");
            }
            compared += 1;
        }
    }
    assert!(compared > 100);
}

#[test]
fn each_message_type_at_1_hz_per_channel_and_location_fresh() {
    let c = cfg(3, 4, 60.0);
    let txs = ble4_legacy(&c).unwrap();
    for d in 0..4 {
        for ch in [37u8, 38, 39] {
            let mut count: BTreeMap<u8, usize> = BTreeMap::new();
            for tx in on_channel(&txs, d, ch) {
                *count.entry(type_no(tx)).or_default() += 1;
            }
            assert_eq!(count.len(), 6, "{count:?}");
            for (t, n) in count {
                assert!((57..=63).contains(&n), "drone {d} ch {ch} {t:?}: {n} in 60 s");
            }
        }
    }
    let mut locations = 0;
    for t in txs.iter().flat_map(|tx| &tx.truth) {
        if let Body::Location(l) = &odid_msg(t).body {
            let rx = c.unix_ns(t.t_s);
            let ts = time::location_time_unix_ns(l.timestamp_tenths.unwrap(), rx);
            let age = (rx - ts) as f64 / 1e9;
            assert!((0.0..1.0).contains(&age), "age {age}");
            assert!(age < 0.1 + 1e-3, "10 Hz fixes: age {age}");
            locations += 1;
        }
    }
    assert!(locations > 4 * 3 * 55);
}

#[test]
fn advertising_events_every_167_ms() {
    let c = cfg(5, 3, 30.0);
    let txs = ble4_legacy(&c).unwrap();
    for d in 0..3 {
        let starts: Vec<f64> = on_channel(&txs, d, 37).iter().map(|t| t.t_s).collect();
        let gaps: Vec<f64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        for g in &gaps {
            assert!((g - 0.167).abs() <= 0.010, "gap {g}");
            assert!(*g >= BT4_ADV_INTERVAL_S - 1e-12 && *g <= BT4_ADV_INTERVAL_S + ADV_DELAY_MAX_S + 1e-12);
        }
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        // six events (interval + mean advDelay) make the 1 Hz cycle
        let cycle = BT4_CYCLE.len() as f64 * (BT4_ADV_INTERVAL_S + ADV_DELAY_MAX_S / 2.0);
        assert!((cycle - 1.0 / BT4_RATE_HZ).abs() < 0.002, "cycle {cycle}");
        assert!((mean - (1.0 / 6.0)).abs() < 0.002, "mean gap {mean}");
        // the advDelay is random, not constant
        let spread = gaps.iter().cloned().fold(f64::MIN, f64::max) - gaps.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread > 0.008, "advDelay spread {spread}");
    }
}

#[test]
fn each_event_on_37_38_39_in_order() {
    let c = cfg(6, 3, 20.0);
    let txs = ble4_legacy(&c).unwrap();
    for d in 0..3 {
        let mine: Vec<&BleTx> = txs.iter().filter(|t| t.drone == d).collect();
        let events: Vec<&[&BleTx]> = mine.chunks(3).collect();
        for (i, ev) in events.iter().enumerate() {
            let chans: Vec<u8> = ev.iter().map(|t| t.channel).collect();
            if ev.len() < 3 {
                assert_eq!(i, events.len() - 1, "only the last event may be cut by the end");
                assert_eq!(chans, [37u8, 38][..ev.len()]);
            } else {
                assert_eq!(chans, [37, 38, 39]);
            }
            for w in ev.windows(2) {
                let hop = w[1].t_s - w[0].t_s;
                assert!((CHANNEL_HOP_MIN_S..=CHANNEL_HOP_MAX_S).contains(&hop), "hop {hop}");
                assert!(hop > w[0].duration_s());
                assert_eq!(w[0].pdu, w[1].pdu, "same advert on every channel");
                assert_eq!(w[0].truth.first().map(|t| t.counter), w[1].truth.first().map(|t| t.counter));
            }
        }
    }
    // ADV_NONCONN_IND air time: (1 + 4 + 39 + 3) bytes × 8 µs
    assert!((txs[0].duration_s() - if txs[0].truth.is_empty() { 35.0 * 8e-6 } else { 376e-6 }).abs() < 1e-12);
}

#[test]
fn counters_increment_per_transmission_and_wrap() {
    let c = cfg(9, 8, 60.0);
    let txs = ble4_legacy(&c).unwrap();
    let mut wraps = 0;
    for d in 0..8 {
        let mut last: BTreeMap<u8, u8> = BTreeMap::new();
        for tx in on_channel(&txs, d, 37) {
            let Some(t) = tx.truth.first() else { continue };
            let mt = type_no(tx);
            if let Some(prev) = last.insert(mt, t.counter) {
                assert_eq!(t.counter, prev.wrapping_add(1), "drone {d} {mt:?}");
                if t.counter == 0 {
                    wraps += 1;
                }
            }
        }
        assert_eq!(last.len(), 5);
    }
    assert!(wraps > 0, "some counter wraps 255 → 0");
}

#[test]
fn flight_is_smooth_consistent_and_local() {
    let c = cfg(21, 6, 60.0);
    let txs = ble4_legacy(&c).unwrap();
    let drones = Drone::fleet(&c);
    let kinds: BTreeSet<String> = drones.iter().map(|d| format!("{:?}", d.path.kind)).collect();
    assert_eq!(kinds.len(), 3, "waypoints, loiter and lawnmower all flown");
    for d in 0..6 {
        let locs: Vec<(f64, odid::Location)> = on_channel(&txs, d, 37)
            .into_iter()
            .filter_map(|tx| match &odid_msg(tx.truth.first()?).body {
                Body::Location(l) => Some((tx.t_s, l.clone())),
                _ => None,
            })
            .collect();
        assert!(locs.len() >= 58);
        for (t, l) in &locs {
            let r = dist_m(c.origin_lat_deg, c.origin_lon_deg, l.lat_deg.unwrap(), l.lon_deg.unwrap());
            assert!(r < 4000.0, "{r} m from the origin");
            assert!(l.speed_h_mps.unwrap() <= 15.0 + 0.25, "speed at {t}");
            assert!(l.height_m.unwrap() <= 130.0 && l.height_m.unwrap() >= 0.0);
        }
        for w in locs.windows(2) {
            let ((t0, a), (t1, b)) = (&w[0], &w[1]);
            let ts =
                |t: f64, l: &odid::Location| time::location_time_unix_ns(l.timestamp_tenths.unwrap(), c.unix_ns(t));
            let dt = (ts(*t1, b) - ts(*t0, a)) as f64 / 1e9;
            assert!((0.9..=1.2).contains(&dt), "dt {dt}");
            let (la, oa, lb, ob) = (a.lat_deg.unwrap(), a.lon_deg.unwrap(), b.lat_deg.unwrap(), b.lon_deg.unwrap());
            let v = dist_m(la, oa, lb, ob) / dt;
            assert!(v <= 15.05, "drone {d}: {v} m/s between Locations (teleport?)");
            let (va, vb) = (a.speed_h_mps.unwrap(), b.speed_h_mps.unwrap());
            assert!((v - (va + vb) / 2.0).abs() < 1.0, "drone {d} at {t0}: moved {v} m/s, reported {va}/{vb}");
            if v > 3.0 {
                let brg = bearing_deg(la, oa, lb, ob);
                let (da, db) = (a.direction_deg.unwrap(), b.direction_deg.unwrap());
                let mid = (da + angle_diff(db, da) * if (db - da).rem_euclid(360.0) <= 180.0 { 0.5 } else { -0.5 })
                    .rem_euclid(360.0);
                assert!(angle_diff(brg, mid) < 20.0, "drone {d} at {t0}: bearing {brg}, tracks {da}/{db}");
            }
            let climb = (b.alt_geo_m.unwrap() - a.alt_geo_m.unwrap()) / dt;
            assert!(climb.abs() <= 4.6, "climb {climb}");
        }
    }
}

#[test]
fn state_is_consistent_with_its_own_derivatives() {
    let c = cfg(4, 6, 600.0);
    for d in Drone::fleet(&c) {
        let mut prev_track: Option<f64> = None;
        let mut saw = (false, false, false); // ground, climbing, cruising
        let mut t = -320.0;
        while t < 600.0 {
            let s = d.state_at(t);
            let h = 1e-3;
            let (a, b) = (d.state_at(t - h), d.state_at(t + h));
            let v = (b.east_m - a.east_m).hypot(b.north_m - a.north_m) / (2.0 * h);
            assert!((v - s.speed_h_mps).abs() < 0.05, "drone {} t {t}: speed {} vs {v}", d.index, s.speed_h_mps);
            if s.speed_h_mps > 1.0 {
                let trk = (b.east_m - a.east_m).atan2(b.north_m - a.north_m).to_degrees().rem_euclid(360.0);
                assert!(angle_diff(trk, s.track_deg) < 1.0, "track {} vs {trk}", s.track_deg);
            }
            let vz = (b.height_m - a.height_m) / (2.0 * h);
            assert!((vz - s.speed_v_mps).abs() < 0.02, "t {t}: vz {} vs {vz}", s.speed_v_mps);
            assert!((s.alt_geo_m - s.height_m - d.ground_alt_m).abs() < 1e-9);
            assert!((s.alt_geo_m - s.alt_baro_m - d.baro_offset_m).abs() < 1e-9);
            assert!(s.speed_h_mps <= 15.0 && s.speed_v_mps.abs() <= 4.0);
            if let Some(p) = prev_track {
                assert!(angle_diff(p, s.track_deg) < 60.0, "no heading jumps");
            }
            prev_track = Some(s.track_deg);
            let op = (s.operator_east_m - d.takeoff_east_m).hypot(s.operator_north_m - d.takeoff_north_m);
            assert!(op < 45.0, "operator {op} m from take-off");
            match (s.airborne, s.speed_h_mps > 0.0) {
                (false, _) => {
                    saw.0 = true;
                    assert_eq!((s.height_m, s.speed_h_mps), (0.0, 0.0));
                }
                (true, false) => saw.1 = true,
                (true, true) => {
                    saw.2 = true;
                    assert!(s.height_m >= 40.0 - 1e-9 && s.height_m <= 126.0);
                }
            }
            t += 0.25;
        }
        assert_eq!(saw, (true, true, true));
    }
}

#[test]
fn paths_are_continuous_and_loop_seamlessly() {
    let c = cfg(2, 9, 60.0);
    for d in Drone::fleet(&c) {
        let p = &d.path;
        let end = p.transit_len_m() + 2.0 * p.lap_len_m();
        let step = 0.25;
        let mut prev = p.at(0.0);
        let mut s = step;
        while s < end {
            let q = p.at(s);
            let moved = (q.east_m - prev.east_m).hypot(q.north_m - prev.north_m);
            assert!(moved <= step + 1e-6 && moved > 0.9 * step, "{:?} at {s}: moved {moved}", p.kind);
            assert!(angle_diff(q.heading_deg, prev.heading_deg) < 15.0, "{:?} at {s}: sharp turn", p.kind);
            prev = q;
            s += step;
        }
        let (a, b) = (p.at(p.transit_len_m() + 1e-6), p.at(p.transit_len_m() + p.lap_len_m() - 1e-6));
        assert!((a.east_m - b.east_m).hypot(a.north_m - b.north_m) < 1e-3);
        assert!(angle_diff(a.heading_deg, b.heading_deg) < 1e-3);
        let far = (0..200).map(|i| p.at(i as f64 * end / 200.0)).map(|q| q.east_m.hypot(q.north_m));
        assert!(far.fold(0.0, f64::max) < 1500.0);
    }
}

#[test]
fn identity_and_system_contents() {
    let c = cfg(13, 5, 30.0);
    let drones = Drone::fleet(&c);
    let txs = ble4_legacy(&c).unwrap();
    let mut seen = BTreeSet::new();
    for t in txs.iter().flat_map(|tx| &tx.truth) {
        let d = &drones[t.drone];
        match &odid_msg(t).body {
            Body::BasicId(b) => {
                let chk = b.serial_check().unwrap();
                assert!(chk.valid, "CTA-2063-A: {}", d.serial);
                assert_eq!(b.uas_id_string().as_deref(), Some(d.serial.as_str()));
                assert_eq!(b.ua_type, UaType::HelicopterOrMultirotor);
            }
            Body::OperatorId(o) => {
                let id = o.text();
                assert_eq!(id.len(), 16);
                assert!(id[..3].chars().all(|c| c.is_ascii_uppercase()));
                assert!(id[3..].chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
                assert_eq!(id, d.operator_id);
            }
            Body::SelfId(s) => assert_eq!(s.text(), d.self_id),
            Body::System(s) => {
                assert_eq!(s.eu_category, EuCategory::Open);
                assert!([EuClass::C1, EuClass::C2].contains(&s.eu_class));
                assert_eq!(s.operator_location_type, d.operator_location_type);
                let rx_s = (c.unix_ns(t.t_s) / 1_000_000_000) as i64 - time::ODID_EPOCH_UNIX_S;
                let ts = s.timestamp.unwrap() as i64;
                assert!(ts == rx_s || ts == rx_s - 1, "system timestamp {ts} vs {rx_s}");
                let (tlat, tlon) = {
                    let st = d.state_at(-1e6); // on the ground at the take-off point
                    (st.lat_deg, st.lon_deg)
                };
                let r = dist_m(tlat, tlon, s.operator_lat_deg.unwrap(), s.operator_lon_deg.unwrap());
                assert!(r < 45.0, "operator {r} m from take-off");
                assert!((s.operator_alt_geo_m.unwrap() - d.ground_alt_m).abs() <= 1.5);
            }
            Body::Location(_) => {}
            other => panic!("unexpected {other:?}"),
        }
        seen.insert(odid_msg(t).body.msg_type());
    }
    assert_eq!(seen.len(), 5);
}

#[test]
fn address_rotates_and_counters_continue() {
    let c = cfg(17, 4, 60.0);
    let txs = ble4_legacy(&c).unwrap();
    for d in 0..4 {
        let mine = on_channel(&txs, d, 37);
        let addrs: Vec<_> = mine.iter().map(|tx| AdvPdu::parse(&tx.pdu).unwrap().adv_a.unwrap()).collect();
        let change = addrs.windows(2).position(|w| w[0] != w[1]).expect("the address rotates");
        assert!(mine[change + 1].t_s < 30.0 + 0.2, "first rotation in the first half");
        assert_eq!(addrs.iter().collect::<BTreeSet<_>>().len(), 2, "one rotation in a minute");
        for a in &addrs {
            assert_eq!(a.0[0] >> 6, 0b11);
        }
        // each message type's counter goes on across the change
        for mt in super::scenario::MESSAGE_SET {
            let before = mine[..=change].iter().rev().find(|tx| msg_type(tx) == Some(mt)).map(|tx| tx.truth[0].counter);
            let after = mine[change + 1..].iter().find(|tx| msg_type(tx) == Some(mt)).map(|tx| tx.truth[0].counter);
            if let (Some(b), Some(a)) = (before, after) {
                assert_eq!(a, b.wrapping_add(1), "{mt:?}");
            }
        }
    }
    // long scenarios: about every 15 minutes
    let long = cfg(17, 1, 3000.0);
    let d = Drone::new(&long, 0);
    assert!(d.ble_addresses.len() >= 4);
    assert!(d.ble_addresses[1].0 <= 450.0);
    for w in d.ble_addresses[1..].windows(2) {
        let gap = w[1].0 - w[0].0;
        assert!((870.0..=930.0).contains(&gap), "rotation gap {gap}");
        assert_ne!(w[0].1, w[1].1);
    }
    assert_eq!(d.ble_address_at(-1.0), d.ble_addresses[0].1);
    assert_eq!(d.ble_address_at(d.ble_addresses[1].0), d.ble_addresses[1].1);
}

fn tx(t_s: f64, channel: u8) -> BleTx {
    BleTx {
        t_s,
        drone: 0,
        channel,
        phy: BlePhy::Le1m,
        access_address: ble::ADV_ACCESS_ADDRESS,
        pdu: vec![0x42, 37].into_iter().chain(std::iter::repeat_n(0, 37)).collect(),
        truth: Vec::new(),
    }
}

#[test]
fn collisions_count_overlaps_on_one_channel() {
    let a = tx(1.0, 37);
    assert!((a.duration_s() - 376e-6).abs() < 1e-12);
    let b = tx(1.0002, 37); // overlaps a
    let c = tx(1.0001, 38); // same time, other channel
    let d = tx(a.end_s().max(b.end_s()) + 0.01, 37); // later
    let e = tx(d.end_s(), 37); // starts exactly when d ends: no overlap
    let txs = vec![d.clone(), a, c, b, e];
    assert_eq!(collided(&txs), vec![false, true, false, true, false]);
    assert_eq!(collisions(&txs), 2);
    assert_eq!(collisions(&[]), 0);
    let mut three = txs.clone();
    three.push(tx(1.00001, 37));
    assert_eq!(collisions(&three), 3);

    // a crowded scenario: same count as the obvious quadratic check
    let txs = ble4_legacy(&cfg(1, 40, 5.0)).unwrap();
    let brute = (0..txs.len())
        .filter(|&i| {
            (0..txs.len()).any(|j| {
                i != j && txs[i].channel == txs[j].channel && txs[i].t_s < txs[j].end_s() && txs[j].t_s < txs[i].end_s()
            })
        })
        .count();
    assert!(brute > 0);
    assert_eq!(collisions(&txs), brute);
}

#[test]
fn truth_jsonl_lines() {
    let c = cfg(19, 3, 10.0);
    let txs = ble4_legacy(&c).unwrap();
    let text = truth_jsonl(&txs).unwrap();
    let n_truth: usize = txs.iter().map(|t| t.truth.len()).sum();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), n_truth);
    let types = ["location", "basic_id", "self_id", "system", "operator_id"];
    let mut prev = (f64::MIN, 0u64);
    for v in &lines {
        assert!(types.contains(&v["msg_type"].as_str().unwrap()));
        assert!(v["uas_id"].as_str().unwrap().len() >= 11);
        let ch = v["channel"].as_u64().unwrap();
        assert!((37..=39).contains(&ch));
        assert!(v["counter"].as_u64().unwrap() <= 255);
        assert_eq!(v["transport"], "ble4_legacy");
        assert_eq!(v["proto_version"], 2);
        assert_eq!(v["phy"], "ble1m");
        assert!(v["collided"].is_boolean());
        assert!(v["src_addr"].as_str().unwrap().parse::<crate::util::MacAddr>().is_ok());
        assert!(v["time_utc"].as_str().unwrap().starts_with("2026-01-01T12:00:"));
        let key = (v["t_s"].as_f64().unwrap(), ch);
        assert!(key.0 > prev.0 || (key.0 == prev.0 && key.1 >= prev.1), "sorted by time then channel");
        prev = key;
        if v["msg_type"] == "location" {
            for f in ["lat_deg", "lon_deg", "alt_geo_m", "alt_baro_m", "height_m", "direction_deg", "timestamp_s"] {
                assert!(v[f].is_number(), "{f}");
            }
        }
    }
}

#[test]
fn invalid_configurations_are_refused() {
    let ok = ScenarioConfig::default();
    assert!(ok.validate().is_ok());
    for bad in [
        ScenarioConfig { duration_s: f64::NAN, ..ok.clone() },
        ScenarioConfig { duration_s: -1.0, ..ok.clone() },
        ScenarioConfig { origin_lat_deg: 85.0, ..ok.clone() },
        ScenarioConfig { origin_lon_deg: f64::INFINITY, ..ok.clone() },
        ScenarioConfig { start_unix_ns: 1_500_000_000_000_000_000, ..ok.clone() },
        ScenarioConfig { drones: MAX_DRONES + 1, ..ok.clone() },
    ] {
        assert!(ble4_legacy(&bad).is_err(), "{bad:?}");
    }
    assert!(ble4_legacy(&ScenarioConfig { drones: 0, ..ok.clone() }).unwrap().is_empty());
    assert!(ble4_legacy(&ScenarioConfig { duration_s: 0.0, ..ok }).unwrap().is_empty());
}

#[test]
fn coded_phy_airtime_matches_the_sample() {
    // a 9-message pack in AUX_ADV_IND (AdvA + ADI) at S=8: 16 336 µs
    let pdu_len = 2 + 1 + 1 + 6 + 2 + (1 + 1 + 2 + 1 + 1 + 3 + 9 * 25);
    assert!((BlePhy::CodedS8.airtime_s(pdu_len) - 16_336e-6).abs() < 1e-9);
    assert!((BlePhy::Le1m.airtime_s(39) - 376e-6).abs() < 1e-12);
}
