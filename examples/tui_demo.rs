//! The terminal UI on made-up data, without the tracker or an input file:
//! one drone circling the sensor, flying into a zone and out again.
//! `cargo run --example tui_demo` (keys: `?` in the UI; `q` quits).

use std::f64::consts::PI;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use ridscope::tui::model::{
    AircraftView, AlertKind, AlertState, AlertView, ChannelStat, FieldView, GeoPoint, ReplaySpeed, TuiState, ZoneShape,
    ZoneView,
};
use ridscope::tui::{Action, Command, run_terminal};

const SENSOR: GeoPoint = GeoPoint::new(47.3977, 8.5456);

fn at(north_m: f64, east_m: f64) -> GeoPoint {
    let k = 6_371_000.0 * PI / 180.0;
    GeoPoint::new(SENSOR.lat_deg + north_m / k, SENSOR.lon_deg + east_m / (k * SENSOR.lat_deg.to_radians().cos()))
}

fn main() -> std::io::Result<()> {
    let (tx, rx) = mpsc::channel();
    let control = Arc::new(Mutex::new((false, ReplaySpeed::Times(1))));
    let driver_control = Arc::clone(&control);
    let zone_north = (150.0, 400.0);
    thread::spawn(move || {
        let _ = tx.send(Action::SetSensor(Some(SENSOR)));
        let _ = tx.send(Action::SetZones(vec![ZoneView {
            name: "North".to_string(),
            shape: ZoneShape::Polygon(vec![at(150.0, -150.0), at(150.0, 150.0), at(400.0, 150.0), at(400.0, -150.0)]),
        }]));
        let mut t = 0.0_f64;
        let mut track = Vec::new();
        let mut inside = false;
        for _ in 0..100_000 {
            let (paused, speed) = driver_control.lock().map(|g| *g).unwrap_or((false, ReplaySpeed::Times(1)));
            thread::sleep(Duration::from_millis(100));
            if paused {
                continue;
            }
            t += 0.1 * speed.factor().unwrap_or(32.0);
            let angle = t / 60.0 * 2.0 * PI;
            let (n, e) = (300.0 * angle.cos(), 300.0 * angle.sin());
            let p = at(n, e);
            track.push(p);
            if track.len() > 200 {
                track.remove(0);
            }
            let now_inside = n > zone_north.0 && n < zone_north.1 && e.abs() < 150.0;
            if now_inside != inside {
                inside = now_inside;
                let kind = if inside { AlertKind::Entered } else { AlertKind::Left };
                let alert = AlertView { time_s: t, serial: "1581F5FJD228400R0M05".into(), zone: "North".into(), kind };
                let _ = tx.send(Action::PushAlert(alert));
            }
            let aircraft = AircraftView {
                id: "1581F5FJD228400R0M05".to_string(),
                model: Some("Mavic 3".to_string()),
                transports: vec!["ocusync".to_string()],
                position: Some(p),
                height_m: Some(80.0),
                speed_mps: Some(2.0 * PI * 300.0 / 60.0),
                course_deg: Some((angle.to_degrees() + 90.0).rem_euclid(360.0)),
                distance_m: Some(300.0),
                bearing_deg: Some(angle.to_degrees().rem_euclid(360.0)),
                pilot: Some(at(-50.0, -20.0)),
                pilot_distance_m: Some(53.9),
                home: Some(at(-45.0, -20.0)),
                rssi_db: Some(-40.0),
                age_s: 0.1,
                alert: if inside { AlertState::InZone("North".into()) } else { AlertState::None },
                track: track.clone(),
                fields: vec![FieldView {
                    name: "lat_deg".into(),
                    value: format!("{:.7}", p.lat_deg),
                    transport: "ocusync".into(),
                    age_s: Some(0.1),
                    stale: false,
                }],
            };
            let _ = tx.send(Action::SetAircraft(vec![aircraft]));
            let frames = (t * 1.7) as u64;
            let _ = tx.send(Action::SetChannels(vec![ChannelStat {
                name: "OcuSync".into(),
                frames,
                errors: frames / 50,
                last_rssi_db: Some(-40.0),
            }]));
            if tx.send(Action::SetClock { time_s: t, utc: None }).is_err() {
                break;
            }
        }
    });
    let mut state = TuiState::new("a made-up drone (tui_demo)");
    state.speed = ReplaySpeed::Times(1);
    run_terminal(&mut state, &rx, |command| {
        if let Ok(mut c) = control.lock() {
            match command {
                Command::SetPaused(p) => c.0 = p,
                Command::SetSpeed(s) => c.1 = s,
                Command::Quit | Command::None => {}
            }
        }
    })
}
