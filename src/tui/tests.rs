//! Rendering tests on ratatui's `TestBackend`: fixed sizes, fixed data, no
//! clock. Snapshots are in `snapshots/` (insta); review a change with
//! `INSTA_UPDATE=always cargo test --lib tui` and `git diff`.

use std::sync::mpsc;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::model::*;
use super::update::{Action, Command, update};
use super::{ScriptedEvents, draw, run};

const SENSOR: GeoPoint = GeoPoint::new(47.397_7, 8.545_6);

/// A point `north_m`, `east_m` metres from the sensor (small offsets).
fn at(north_m: f64, east_m: f64) -> GeoPoint {
    let m_per_deg = 6_371_000.0 * std::f64::consts::PI / 180.0;
    GeoPoint::new(
        SENSOR.lat_deg + north_m / m_per_deg,
        SENSOR.lon_deg + east_m / (m_per_deg * SENSOR.lat_deg.to_radians().cos()),
    )
}

fn field(name: &str, value: &str, transport: &str, age_s: f64, stale: bool) -> FieldView {
    FieldView {
        name: name.to_string(),
        value: value.to_string(),
        transport: transport.to_string(),
        age_s: Some(age_s),
        stale,
    }
}

fn dji() -> AircraftView {
    let p = at(300.0, 200.0);
    AircraftView {
        id: "1581F5FJD228400R0M05".to_string(),
        model: Some("Mavic 3".to_string()),
        transports: vec!["ocusync".to_string(), "wifi_beacon".to_string()],
        position: Some(p),
        height_m: Some(85.5),
        speed_mps: Some(12.3),
        course_deg: Some(45.0),
        distance_m: Some(360.6),
        bearing_deg: Some(33.7),
        pilot: Some(at(-100.0, -50.0)),
        pilot_distance_m: Some(111.8),
        home: Some(at(-90.0, -40.0)),
        rssi_db: Some(-42.5),
        age_s: 0.4,
        alert: AlertState::InZone("Airport".to_string()),
        track: vec![at(-90.0, -40.0), at(0.0, 0.0), at(100.0, 150.0), at(200.0, 220.0), p],
        fields: vec![
            field("serial", "1581F5FJD228400R0M05", "ocusync", 0.4, false),
            field("model", "Mavic 3", "ocusync", 0.4, false),
            field("lat_deg", &format!("{:.7}", p.lat_deg), "ocusync", 0.4, false),
            field("lon_deg", &format!("{:.7}", p.lon_deg), "ocusync", 0.4, false),
            field("height_m", "85.5", "wifi_beacon", 1.2, false),
            field("speed_h_mps", "12.3", "ocusync", 0.4, false),
        ],
    }
}

fn odid() -> AircraftView {
    AircraftView {
        id: "ODID-TEST-0042".to_string(),
        model: Some("helicopter_or_multirotor".to_string()),
        transports: vec!["ble4_legacy".to_string()],
        position: Some(at(-150.0, -400.0)),
        height_m: Some(30.0),
        speed_mps: Some(3.5),
        course_deg: Some(270.0),
        distance_m: Some(427.2),
        bearing_deg: Some(249.4),
        pilot: None,
        pilot_distance_m: None,
        home: None,
        rssi_db: Some(-71.0),
        age_s: 12.0,
        alert: AlertState::None,
        track: vec![at(-150.0, -200.0), at(-150.0, -300.0), at(-150.0, -400.0)],
        fields: vec![
            field("uas_id", "ODID-TEST-0042", "ble4_legacy", 0.9, false),
            field("ua_type", "helicopter_or_multirotor", "ble4_legacy", 0.9, false),
            field("height_m", "30.0", "ble4_legacy", 12.0, false),
            field("operator_id", "FIN87astrdge12k8", "ble4_legacy", 45.0, true),
        ],
    }
}

fn populated() -> TuiState {
    let mut s = TuiState::new("test.sigmf-data (BLE 37, 38, 39; Wi-Fi 6)");
    s.speed = ReplaySpeed::Times(1);
    let airport = ZoneView {
        name: "Airport".to_string(),
        shape: ZoneShape::Polygon(vec![at(200.0, 100.0), at(200.0, 350.0), at(450.0, 350.0), at(450.0, 100.0)]),
    };
    let ring =
        ZoneView { name: "Ring".to_string(), shape: ZoneShape::Circle { centre: at(0.0, 0.0), radius_m: 250.0 } };
    let actions = vec![
        Action::SetSensor(Some(SENSOR)),
        Action::SetZones(vec![airport, ring]),
        Action::SetAircraft(vec![dji(), odid()]),
        Action::PushLog(LogView { time_s: 3.0, text: "new aircraft ODID-TEST-0042 (ble4_legacy)".to_string() }),
        Action::PushLog(LogView { time_s: 5.5, text: "new aircraft 1581F5FJD228400R0M05 (ocusync)".to_string() }),
        Action::PushAlert(AlertView {
            time_s: 61.2,
            serial: "1581F5FJD228400R0M05".to_string(),
            zone: "Airport".to_string(),
            kind: AlertKind::Entered,
        }),
        Action::SetChannels(vec![
            ChannelStat { name: "BLE 37".to_string(), frames: 412, errors: 3, last_rssi_db: Some(-70.8) },
            ChannelStat { name: "BLE 38".to_string(), frames: 398, errors: 0, last_rssi_db: Some(-71.2) },
            ChannelStat { name: "Wi-Fi 6".to_string(), frames: 95, errors: 1, last_rssi_db: Some(-44.0) },
            ChannelStat { name: "OcuSync".to_string(), frames: 640, errors: 0, last_rssi_db: Some(-42.5) },
        ]),
        Action::SetClock { time_s: 83.45, utc: None },
    ];
    for a in actions {
        update(&mut s, a);
    }
    s
}

fn render(state: &TuiState, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| draw::draw(f, state)).unwrap();
    t
}

fn screen(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

#[test]
fn table_two_aircraft_map_and_alert_80x24() {
    let t = render(&populated(), 80, 24);
    let s = screen(&t);
    assert!(s.contains("1581F5FJD228400R0M05"), "{s}");
    assert!(s.contains("ODID-TEST-0042"), "{s}");
    assert!(s.contains("Hgt m") && s.contains("Dist m"), "units in headers: {s}");
    assert!(s.contains("ALERT 1581F5FJD228400R0M05 entered Airport"), "{s}");
    insta::assert_snapshot!("two_aircraft_80x24", t.backend());
}

#[test]
fn large_terminal_all_columns_and_detail() {
    let mut s = populated();
    update(&mut s, Action::ToggleDetail);
    let t = render(&s, 180, 50);
    let text = screen(&t);
    for header in
        ["ID", "Model", "Via", "Lat °", "Lon °", "Hgt m", "Spd m/s", "Dist m", "Pilot m", "RSSI dBFS", "Age s", "Alert"]
    {
        assert!(text.contains(header), "{header} missing: {text}");
    }
    insta::assert_snapshot!("two_aircraft_detail_180x50", t.backend());
}

#[test]
fn map_with_zones_and_tracks() {
    let mut s = populated();
    s.panes.log = false;
    update(&mut s, Action::ZoomIn); // 50 km
    for _ in 0..6 {
        update(&mut s, Action::ZoomIn); // ... 500 m
    }
    assert_eq!(s.zoom.half_width_m(), Some(500.0));
    let t = render(&s, 70, 30);
    let text = screen(&t);
    assert!(text.contains("Map ±500 m"), "{text}");
    assert_eq!(text.matches("Airport").count(), 2, "table and map: {text}");
    for marker in ["S", "*0M05", "*0042", "P", "H", "Ring"] {
        assert!(text.contains(marker), "{marker} missing: {text}");
    }
    insta::assert_snapshot!("map_zones_tracks_500m_70x30", t.backend());
}

#[test]
fn detail_pane_of_selected_aircraft_dims_stale_fields() {
    let mut s = populated();
    update(&mut s, Action::Down);
    update(&mut s, Action::ToggleDetail);
    let t = render(&s, 100, 30);
    let text = screen(&t);
    assert!(text.contains("operator_id") && text.contains("FIN87astrdge12k8"), "{text}");
    insta::assert_snapshot!("detail_odid_100x30", t.backend());

    // The stale field's row is dimmed, a fresh one is not.
    let buf = t.backend().buffer();
    let find = |needle: &str| {
        (0..buf.area.height)
            .find_map(|y| {
                let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
                row.find(needle).map(|col| (row[..col].chars().count() as u16, y))
            })
            .unwrap()
    };
    let (x, y) = find("FIN87astrdge12k8");
    assert!(buf[(x, y)].modifier.contains(Modifier::DIM));
    let (x, y) = find("helicopter_or_multirotor  ");
    assert!(!buf[(x, y)].modifier.contains(Modifier::DIM));
}

#[test]
fn empty_state() {
    let s = TuiState::new("capture.sigmf-data (BLE 37, 38, 39)");
    let t = render(&s, 80, 24);
    let text = screen(&t);
    assert!(text.contains("no aircraft yet"), "{text}");
    assert!(text.contains("listening to capture.sigmf-data (BLE 37, 38, 39)"), "{text}");
    insta::assert_snapshot!("empty_80x24", t.backend());
}

#[test]
fn help_overlay() {
    let mut s = populated();
    update(&mut s, Action::ToggleHelp);
    let t = render(&s, 80, 24);
    let text = screen(&t);
    assert!(text.contains("Help") && text.contains("replay speed"), "{text}");
    insta::assert_snapshot!("help_80x24", t.backend());
}

#[test]
fn status_shows_pause_speed_and_end() {
    let mut s = populated();
    update(&mut s, Action::TogglePause);
    update(&mut s, Action::Faster);
    update(&mut s, Action::Finished);
    let text = screen(&render(&s, 120, 24));
    let status = text.lines().next().unwrap();
    assert!(status.contains("00:01:23.5"), "{status}");
    assert!(status.contains("x2") && status.contains("PAUSED") && status.contains("END OF INPUT"), "{status}");
    assert!(status.contains("2 aircraft  1 in zones  1 alerts"), "{status}");
}

#[test]
fn live_receiver_line_at_the_bottom() {
    let mut s = populated();
    let line = "12.0 s · 2.000/2.000 MS/s · CPU 34% · dropped 3 blocks (BLE 3; 1.0% of samples) · listening 2402.0 MHz: BLE ch37";
    let before = screen(&render(&s, 160, 24));
    assert!(!before.contains("receiver:"), "replays have no receiver line");
    update(&mut s, Action::SetReceiver(line.into()));
    let text = screen(&render(&s, 160, 24));
    let last = text.lines().last().unwrap();
    assert!(last.contains(&format!("receiver: {line}")), "{last}");
    // the channel statistics stay, just above it
    let above = text.lines().rev().nth(1).unwrap();
    assert!(above.contains("frames/errors"), "{above}");
}

#[test]
fn any_size_and_odd_data_do_not_panic() {
    let mut s = populated();
    let mut odd = odid();
    odd.id = "\u{1b}[2Jevil\u{7}\r\n".to_string();
    odd.fields.push(field("self_id", "\u{1b}]0;title\u{7}", "ble4_legacy", 1.0, false));
    odd.position = Some(GeoPoint::new(f64::NAN, 500.0));
    odd.pilot = Some(GeoPoint::new(0.0, 179.9999));
    odd.home = Some(GeoPoint::new(-90.0, -180.0));
    odd.height_m = Some(f64::INFINITY);
    odd.age_s = f64::NAN;
    odd.track = vec![GeoPoint::new(91.0, 0.0), GeoPoint::new(f64::NAN, f64::NAN)];
    let zone = ZoneView {
        name: "bad".to_string(),
        shape: ZoneShape::Circle { centre: GeoPoint::new(1e300, 0.0), radius_m: f64::NAN },
    };
    update(&mut s, Action::SetAircraft(vec![dji(), odd, odid()]));
    update(&mut s, Action::SetZones(vec![zone, ZoneView { name: "empty".into(), shape: ZoneShape::Polygon(vec![]) }]));
    update(&mut s, Action::ToggleDetail);
    update(&mut s, Action::ToggleHelp);
    for (w, h) in [(1, 1), (2, 2), (10, 3), (20, 5), (40, 10), (79, 23), (250, 80)] {
        render(&s, w, h);
    }
    // Control characters from outside never reach the terminal.
    s.selected = 1;
    s.help = false;
    let text = screen(&render(&s, 120, 40));
    assert!(text.contains("evil") && text.contains("title"), "{text}");
    assert!(!text.contains(|c: char| c.is_control() && c != '\n'), "{text:?}");
    let mut none = TuiState::new("");
    none.sensor = None;
    for (w, h) in [(1, 1), (80, 24)] {
        render(&none, w, h);
    }
    // No sensor: the map centres on the selected aircraft.
    s.sensor = None;
    s.help = false;
    assert!(screen(&render(&s, 100, 40)).contains("centre first position"));
}

#[test]
fn run_loop_with_scripted_keys() {
    let (tx, rx) = mpsc::channel();
    tx.send(Action::SetSensor(Some(SENSOR))).unwrap();
    tx.send(Action::SetAircraft(vec![dji(), odid()])).unwrap();
    drop(tx); // input ended
    let key = |c| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut events = ScriptedEvents::new([
        key(KeyCode::Down),
        key(KeyCode::Enter),
        key(KeyCode::Char('+')),
        key(KeyCode::Char('p')),
        Event::Resize(100, 30),
        key(KeyCode::Char('x')),
        key(KeyCode::Char('q')),
    ]);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut state = TuiState::new("test");
    state.speed = ReplaySpeed::Times(1);
    let mut commands = Vec::new();
    run(&mut terminal, &mut state, &rx, &mut events, |c| commands.push(c)).unwrap();
    assert_eq!(commands, vec![Command::SetSpeed(ReplaySpeed::Times(2)), Command::SetPaused(true), Command::Quit]);
    assert!(state.quit && state.finished && state.paused && state.panes.detail);
    assert_eq!(state.selected_aircraft().map(|a| a.id.as_str()), Some("ODID-TEST-0042"));
    assert!(events.0.is_empty());
    let text = screen(&terminal);
    assert!(text.contains("END OF INPUT") && text.contains("operator_id"), "{text}");

    // Events running out is an error, not a hang.
    let (_tx, rx) = mpsc::channel();
    let err = run(&mut terminal, &mut TuiState::new("x"), &rx, &mut ScriptedEvents::default(), |_| {}).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
}

#[test]
fn clock_format() {
    assert_eq!(draw::fmt_clock(0.0), "00:00:00.0");
    assert_eq!(draw::fmt_clock(83.45), "00:01:23.5");
    assert_eq!(draw::fmt_clock(3599.96), "01:00:00.0");
    assert_eq!(draw::fmt_clock(-1.0), "--:--:--.-");
    assert_eq!(draw::fmt_clock(f64::NAN), "--:--:--.-");
}

#[test]
fn projection() {
    let (x, y) = draw::project(SENSOR, at(300.0, 200.0));
    assert!((x - 200.0).abs() < 1e-6 && (y - 300.0).abs() < 1e-6, "{x} {y}");
    // Across the antimeridian.
    let (x, _) = draw::project(GeoPoint::new(0.0, 179.9), GeoPoint::new(0.0, -179.9));
    assert!((x - 22_239.0).abs() < 1.0, "{x}");
}
