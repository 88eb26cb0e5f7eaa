//! The tracker on a synthesized capture, frames decoded without DSP: three
//! drones, each on BLE 4 legacy (with address rotation), Wi-Fi beacon
//! message packs and DJI OcuSync, give three tracks with the right serials
//! and positions next to the truth.

use ridscope::decode::Decoder;
use ridscope::frame::{Frame, LinkType, Phy, PhyMeta};
use ridscope::protocol::Transport;
use ridscope::synth::scenario::{self, Drone, ScenarioConfig};
use ridscope::synth::{dji, wifi};
use ridscope::track::{GeoPos, TrackEvent, Tracker, TrackerConfig};

#[test]
fn one_track_per_drone_with_serial_and_position() {
    let cfg = ScenarioConfig { seed: 21, drones: 3, duration_s: 90.0, ..ScenarioConfig::default() };
    let drones = Drone::fleet(&cfg);
    // (time, tie-break, frame)
    let mut frames: Vec<(f64, u8, Frame)> = Vec::new();
    for tx in scenario::ble4_legacy(&cfg).unwrap() {
        let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
        meta.fcs_included = true;
        meta.channel = Some(tx.channel as u16);
        meta.access_address = Some(tx.access_address);
        meta.time_s = tx.t_s;
        meta.rssi_dbfs = Some(-40.0);
        frames.push((tx.t_s, 0, Frame { bytes: tx.air_bytes(), meta }));
    }
    let plan = wifi::WifiPlan { period_s: 0.5, ..wifi::WifiPlan::default() };
    for tx in wifi::schedule(&cfg, &plan).unwrap() {
        let mut meta = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
        meta.fcs_included = true;
        meta.channel = Some(tx.channel);
        meta.time_s = tx.t_s;
        frames.push((tx.t_s, 1, Frame { bytes: tx.psdu, meta }));
    }
    for tx in dji::schedule(&cfg, &dji::DjiPlan::default()).unwrap() {
        let mut meta = PhyMeta::new(LinkType::DjiOcusync, Phy::Ocusync);
        meta.time_s = tx.t_s;
        meta.freq_hz = Some(tx.freq_hz);
        frames.push((tx.t_s, 2, Frame { bytes: tx.block.to_vec(), meta }));
    }
    frames.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));

    let sensor = GeoPos::new(cfg.origin_lat_deg, cfg.origin_lon_deg);
    let mut dec = Decoder::new();
    let mut tracker = Tracker::new(TrackerConfig { sensor: Some(sensor), ..TrackerConfig::default() });
    let mut events = Vec::new();
    for (_, _, f) in &frames {
        for r in dec.push(f) {
            tracker.push_record(&r, &mut events);
        }
    }

    assert_eq!(tracker.tracks().count(), 3, "{:?}", tracker.tracks().map(|t| &t.key).collect::<Vec<_>>());
    assert_eq!(events.iter().filter(|e| matches!(e, TrackEvent::TrackNew(_))).count(), 3);
    assert!(!events.iter().any(|e| matches!(e, TrackEvent::TrackLost(_))));
    assert_eq!(tracker.stats().unattributed, 0, "{:?}", tracker.stats());
    // Locations sent before an address's first Basic ID (at the start, after rotations) were held, then attributed
    assert!(tracker.stats().held > 0);
    assert_eq!(tracker.stats().attributed, tracker.stats().records);
    for d in &drones {
        let t = tracker.tracks().find(|t| t.key.id == d.serial).unwrap_or_else(|| panic!("no track for {}", d.serial));
        let transports: Vec<_> = t.transports_seen().collect();
        assert_eq!(transports, vec![Transport::Ble4Legacy, Transport::WifiBeacon, Transport::Ocusync], "{}", d.serial);
        // the drone rotated its BLE address during the capture
        assert!(d.ble_addresses.iter().filter(|(from, _)| *from < cfg.duration_s).count() >= 2);
        assert_eq!(t.flags.teleports, 0, "{:?}", t.last_flag);
        assert_eq!(t.model.as_ref().map(|m| m.value.as_str()), Some("Mini 2"));
        let p = t.position.as_ref().expect("position");
        let truth = d.state_at(p.updated_s);
        let err = p.value.distance_m(GeoPos::new(truth.lat_deg, truth.lon_deg));
        // ODID reports the latest 10 Hz fix: up to 0.1 s × speed behind
        assert!(err < 1.0 + 0.1 * truth.speed_h_mps, "{}: {err} m from the truth", d.serial);
        assert!(t.history.len() > 100, "{}", t.history.len());
        let op = t.operator.as_ref().expect("operator").value;
        let top = d.state_at(t.operator.as_ref().expect("operator").updated_s);
        assert!(op.distance_m(GeoPos::new(top.operator_lat_deg, top.operator_lon_deg)) < 5.0);
        // distance from the sensor as the summary reports it
        let s = t.summary(tracker.now_s(), tracker.config());
        let want = sensor.distance_m(p.value);
        assert!(s.distance_m.is_some_and(|x| (x - want).abs() < 1e-6));
        assert!(s.msg_rates_hz.get("location").is_some_and(|r| *r > 1.0), "{:?}", s.msg_rates_hz);
    }
}
