//! From the tracker and the alert engine ([`Watch`]) to the view model.

use crate::alert::{Shape, Transition};
use crate::track::{Track, TrackSummary};
use crate::watch::{Watch, WatchEvent};

use super::model::{AircraftView, AlertKind, AlertState, AlertView, FieldView, GeoPoint, LogView, ZoneShape, ZoneView};

fn point(lat: Option<f64>, lon: Option<f64>) -> Option<GeoPoint> {
    Some(GeoPoint::new(lat?, lon?)).filter(|p| p.is_valid())
}

fn transport_name(t: &crate::protocol::Transport) -> String {
    t.as_str().to_string()
}

/// The rows of the aircraft table, most recently seen first.
pub fn aircraft_views(w: &Watch) -> Vec<AircraftView> {
    let now = w.tracker.now_s();
    let cfg = w.tracker.config();
    let mut rows: Vec<AircraftView> = w.tracker.tracks().map(|t| aircraft(w, t, &t.summary(now, cfg), now)).collect();
    rows.sort_by(|a, b| a.age_s.total_cmp(&b.age_s).then(a.id.cmp(&b.id)));
    rows
}

fn aircraft(w: &Watch, t: &Track, s: &TrackSummary, now: f64) -> AircraftView {
    let id = s.key.id.clone();
    let alert = if w.alerts.allow_list().contains(&id) {
        AlertState::Allowed
    } else if let Some(z) = w.alerts.zones_of(&id).next() {
        AlertState::InZone(z.name.clone())
    } else if let Some(f) = s.last_flag.as_ref().filter(|f| now - f.time_s < 30.0) {
        AlertState::Flagged(
            serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        )
    } else {
        AlertState::None
    };
    let mut fields = Vec::new();
    let mut field = |name: &str, key: &str, value: Option<String>| {
        let Some(value) = value else { return };
        let info = s.fields.get(key);
        fields.push(FieldView {
            name: name.to_string(),
            value,
            transport: info.map(|i| transport_name(&i.source)).unwrap_or_default(),
            age_s: info.map(|i| (now - i.updated_s).max(0.0)),
            stale: info.is_some_and(|i| i.stale),
        });
    };
    let f1 = |v: Option<f64>, unit: &str| v.map(|v| format!("{v:.1} {unit}"));
    field("ID", "", Some(format!("{} ({:?})", id, s.key.kind)));
    field("model", "model", s.model.clone());
    field("UA type", "ua_type", s.ua_type.clone());
    field("status", "status", s.status.clone());
    field("position", "position", s.lat_deg.zip(s.lon_deg).map(|(a, b)| format!("{a:.6}, {b:.6}")));
    field("h accuracy", "position", f1(s.h_accuracy_m, "m"));
    field("alt geo", "alt_geo", f1(s.alt_geo_m, "m"));
    field("alt baro", "alt_baro", f1(s.alt_baro_m, "m"));
    field("alt MSL", "alt_msl", f1(s.alt_msl_m, "m"));
    field("height", "height", f1(s.height_m, "m"));
    field("speed", "speed_h", f1(s.speed_h_mps, "m/s"));
    field("course", "direction", f1(s.direction_deg, "°"));
    field("vertical speed", "speed_v", f1(s.speed_v_mps, "m/s"));
    field("distance", "position", f1(s.distance_m, "m"));
    field("bearing", "position", f1(s.bearing_deg, "°"));
    field("pilot", "operator", s.operator_lat_deg.zip(s.operator_lon_deg).map(|(a, b)| format!("{a:.6}, {b:.6}")));
    field("pilot distance", "operator", f1(s.operator_distance_m, "m"));
    field("home", "home", s.home_lat_deg.zip(s.home_lon_deg).map(|(a, b)| format!("{a:.6}, {b:.6}")));
    field("self ID", "self_id", s.self_id.clone());
    field("operator ID", "operator_id", s.operator_id.clone());
    field("address", "src_addr", s.src_addr.map(|a| a.to_string()));
    field("messages", "", Some(s.messages.to_string()));
    for (k, r) in &s.msg_rates_hz {
        field(&format!("rate {k}"), "", Some(format!("{r:.2} Hz")));
    }
    let flags = &s.flags;
    let flag_text = serde_json::to_string(flags).unwrap_or_default();
    field("flags", "", Some(flag_text));
    AircraftView {
        id,
        model: s.model.clone().or_else(|| s.ua_type.clone()),
        transports: s.transports.iter().map(transport_name).collect(),
        position: point(s.lat_deg, s.lon_deg),
        height_m: s.height_m.or(s.alt_geo_m),
        speed_mps: s.speed_h_mps,
        course_deg: s.direction_deg,
        distance_m: s.distance_m,
        bearing_deg: s.bearing_deg,
        pilot: point(s.operator_lat_deg, s.operator_lon_deg),
        pilot_distance_m: s.operator_distance_m,
        home: point(s.home_lat_deg, s.home_lon_deg),
        rssi_db: s.rssi_dbfs.or(s.rssi_dbm).map(f64::from),
        age_s: (now - s.last_seen_s).max(0.0),
        alert,
        track: t.history.iter().map(|p| GeoPoint::new(p.lat_deg, p.lon_deg)).collect(),
        fields,
    }
}

/// The zones to draw.
pub fn zone_views(w: &Watch) -> Vec<ZoneView> {
    let mut out = Vec::new();
    for z in w.alerts.zones() {
        match &z.shape {
            Shape::Polygons(polys) => {
                for p in polys {
                    let pts = p.exterior().points().map(|q| GeoPoint::new(q.y(), q.x())).collect();
                    out.push(ZoneView { name: z.name.clone(), shape: ZoneShape::Polygon(pts) });
                }
            }
            Shape::Circle { lat_deg, lon_deg, radius_m } => out.push(ZoneView {
                name: z.name.clone(),
                shape: ZoneShape::Circle { centre: GeoPoint::new(*lat_deg, *lon_deg), radius_m: *radius_m },
            }),
        }
    }
    out
}

/// Alerts and log lines for the events of a push.
pub fn event_views(events: &[WatchEvent]) -> (Vec<AlertView>, Vec<LogView>) {
    let (mut alerts, mut log) = (Vec::new(), Vec::new());
    for e in events {
        match e {
            WatchEvent::Alert(a) => {
                let a = &a.alert;
                let kind = match a.transition {
                    Transition::Entered => AlertKind::Entered,
                    Transition::Left => AlertKind::Left,
                };
                alerts.push(AlertView { time_s: a.time_s, serial: a.serial.clone(), zone: a.zone.clone(), kind });
            }
            WatchEvent::Track(t) => {
                use crate::track::TrackEvent::*;
                let s = t.summary();
                let text = match t {
                    TrackNew(_) => format!(
                        "new aircraft {} ({})",
                        s.key.id,
                        s.transports.iter().map(transport_name).collect::<Vec<_>>().join(", ")
                    ),
                    TrackLost(_) => format!("lost {}", s.key.id),
                    TrackFlag(_) => {
                        format!("{}: {}", s.key.id, s.last_flag.as_ref().map_or("flag", |f| f.kind.as_str()))
                    }
                    TrackUpdate(_) => continue,
                };
                log.push(LogView { time_s: s.time_s, text });
            }
        }
    }
    (alerts, log)
}
