//! `ridscope export --db F --format geojson|kml|csv|gpx`: drone tracks as
//! lines, pilot and home points, from a SQLite history (or `export
//! RECORDING`: the recording decoded into a temporary history first).
//!
//! Every aircraft of every session (or `--id SERIAL`, `--session N`) with
//! its track points between `--since` and `--until` (UTC, RFC 3339; points
//! without a UTC time are left out when either is given):
//!
//! - **GeoJSON**: a FeatureCollection; per aircraft a LineString of its
//!   positions (`[lon, lat, alt]`; a Point when it has one position), and
//!   Points for its last known pilot and home positions; properties
//!   `role` (`track`, `pilot`, `home`), `uas_id`, `session_id`,
//!   `track_id`, `model`, `first_utc`, `last_utc`, `points`.
//! - **KML** (Google Earth): a Document with a Placemark per track
//!   (LineString, absolute altitude) and per pilot and home point.
//! - **GPX** 1.1: a `trk` per aircraft (`trkpt` with `ele` and `time`),
//!   `wpt` for pilots and homes.
//! - **CSV**: one row per track point.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::sink::cot::xml_escape;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Geojson,
    Kml,
    Csv,
    Gpx,
}

#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// A recording to decode into a temporary history first.
    pub input: Option<String>,
    pub db: PathBuf,
    pub format: ExportFormat,
    pub id: Option<String>,
    pub session: Option<i64>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub output: Option<PathBuf>,
}

/// One position of a track.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub time_s: f64,
    pub time_utc: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub alt: Option<f64>,
    pub height: Option<f64>,
    pub speed: Option<f64>,
    pub direction: Option<f64>,
}

/// An aircraft of one session, with its points.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackOut {
    pub session_id: i64,
    pub track_id: i64,
    pub uas_id: String,
    pub model: Option<String>,
    pub pilot: Option<(f64, f64)>,
    pub home: Option<(f64, f64)>,
    pub points: Vec<Point>,
}

/// Parses `--since`/`--until` into the form the database holds
/// (`YYYY-MM-DDTHH:MM:SS.fffZ`), so text comparison orders them.
pub fn parse_utc(s: &str) -> Result<String, String> {
    let ns = crate::source::sigmf::parse_rfc3339(s)
        .ok_or_else(|| format!("{s:?}: not an RFC 3339 time (e.g. 2026-01-01T12:00:00Z)"))?;
    Ok(crate::util::time::rfc3339_ns(ns))
}

/// Reads the tracks the configuration selects.
pub fn load(cfg: &ExportConfig) -> Result<Vec<TrackOut>, String> {
    let name = cfg.db.display();
    if !cfg.db.is_file() {
        return Err(format!("{name}: no such database (write one with decode/live --db)"));
    }
    let c = crate::sink::db::open(&cfg.db)?;
    let err = |e: rusqlite::Error| format!("{name}: {e}");
    let mut tracks = Vec::new();
    let mut q = c
        .prepare(
            "SELECT session_id, track_id, uas_id, model, operator_lat_deg, operator_lon_deg, home_lat_deg, home_lon_deg
             FROM tracks WHERE (?1 IS NULL OR uas_id = ?1) AND (?2 IS NULL OR session_id = ?2)
             ORDER BY session_id, track_id",
        )
        .map_err(err)?;
    let rows = q
        .query_map(rusqlite::params![cfg.id, cfg.session], |r| {
            Ok(TrackOut {
                session_id: r.get(0)?,
                track_id: r.get(1)?,
                uas_id: r.get(2)?,
                model: r.get(3)?,
                pilot: r.get::<_, Option<f64>>(4)?.zip(r.get::<_, Option<f64>>(5)?),
                home: r.get::<_, Option<f64>>(6)?.zip(r.get::<_, Option<f64>>(7)?),
                points: Vec::new(),
            })
        })
        .map_err(err)?;
    for t in rows {
        tracks.push(t.map_err(err)?);
    }
    let mut p = c
        .prepare(
            "SELECT time_s, time_utc, lat_deg, lon_deg, alt_geo_m, height_m, speed_h_mps, direction_deg FROM track_points
             WHERE session_id = ?1 AND track_id = ?2
               AND (?3 IS NULL OR time_utc >= ?3) AND (?4 IS NULL OR time_utc <= ?4)
             ORDER BY time_s",
        )
        .map_err(err)?;
    for t in &mut tracks {
        let pts = p
            .query_map(rusqlite::params![t.session_id, t.track_id, cfg.since, cfg.until], |r| {
                Ok(Point {
                    time_s: r.get(0)?,
                    time_utc: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                    alt: r.get(4)?,
                    height: r.get(5)?,
                    speed: r.get(6)?,
                    direction: r.get(7)?,
                })
            })
            .map_err(err)?;
        for pt in pts {
            t.points.push(pt.map_err(err)?);
        }
    }
    // with a time window, aircraft without a point in it are left out
    if cfg.since.is_some() || cfg.until.is_some() {
        tracks.retain(|t| !t.points.is_empty());
    }
    Ok(tracks)
}

fn opt(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite()).map(|x| x.to_string()).unwrap_or_default()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn csv(tracks: &[TrackOut]) -> String {
    let mut o = String::from(
        "session_id,track_id,uas_id,time_s,time_utc,lat_deg,lon_deg,alt_geo_m,height_m,speed_h_mps,direction_deg\n",
    );
    for t in tracks {
        for p in &t.points {
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{},{},{},{},{}",
                t.session_id,
                t.track_id,
                csv_field(&t.uas_id),
                p.time_s,
                p.time_utc.as_deref().unwrap_or(""),
                p.lat,
                p.lon,
                opt(p.alt),
                opt(p.height),
                opt(p.speed),
                opt(p.direction)
            );
        }
    }
    o
}

pub fn geojson(tracks: &[TrackOut]) -> String {
    use serde_json::{Value, json};
    let mut features = Vec::new();
    for t in tracks {
        let props = |role: &str| {
            json!({
                "role": role,
                "uas_id": t.uas_id,
                "session_id": t.session_id,
                "track_id": t.track_id,
                "model": t.model,
                "first_utc": t.points.first().and_then(|p| p.time_utc.clone()),
                "last_utc": t.points.last().and_then(|p| p.time_utc.clone()),
                "points": t.points.len(),
            })
        };
        let coord = |p: &Point| match p.alt.filter(|a| a.is_finite()) {
            Some(a) => json!([p.lon, p.lat, a]),
            None => json!([p.lon, p.lat]),
        };
        let geometry = match t.points.len() {
            0 => Value::Null,
            1 => json!({"type": "Point", "coordinates": coord(&t.points[0])}),
            _ => json!({"type": "LineString", "coordinates": t.points.iter().map(coord).collect::<Vec<_>>()}),
        };
        if !geometry.is_null() {
            features.push(json!({"type": "Feature", "geometry": geometry, "properties": props("track")}));
        }
        for (role, at) in [("pilot", t.pilot), ("home", t.home)] {
            if let Some((lat, lon)) = at {
                features.push(json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": props(role),
                }));
            }
        }
    }
    let fc = json!({"type": "FeatureCollection", "features": features});
    format!("{fc:#}\n")
}

pub fn kml(tracks: &[TrackOut]) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n<name>ridscope tracks</name>\n",
    );
    for t in tracks {
        let id = xml_escape(&t.uas_id);
        let desc = xml_escape(&format!(
            "session {} track {}{}; {} positions",
            t.session_id,
            t.track_id,
            t.model.as_deref().map(|m| format!("; model {m}")).unwrap_or_default(),
            t.points.len()
        ));
        if !t.points.is_empty() {
            let _ = write!(o, "<Placemark><name>{id}</name><description>{desc}</description>");
            if t.points.len() == 1 {
                let p = &t.points[0];
                let _ =
                    write!(o, "<Point><coordinates>{},{},{}</coordinates></Point>", p.lon, p.lat, p.alt.unwrap_or(0.0));
            } else {
                o += "<LineString><altitudeMode>absolute</altitudeMode><coordinates>";
                for p in &t.points {
                    let _ = write!(o, "{},{},{} ", p.lon, p.lat, p.alt.filter(|a| a.is_finite()).unwrap_or(0.0));
                }
                o += "</coordinates></LineString>";
            }
            o += "</Placemark>\n";
        }
        for (role, at) in [("pilot", t.pilot), ("home", t.home)] {
            if let Some((lat, lon)) = at {
                let _ = writeln!(
                    o,
                    "<Placemark><name>{id} {role}</name><description>{desc}</description><Point><coordinates>{lon},{lat},0</coordinates></Point></Placemark>"
                );
            }
        }
    }
    o += "</Document>\n</kml>\n";
    o
}

pub fn gpx(tracks: &[TrackOut]) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"ridscope\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n",
    );
    // GPX wants waypoints first, then tracks
    for t in tracks {
        let id = xml_escape(&t.uas_id);
        for (role, at) in [("pilot", t.pilot), ("home", t.home)] {
            if let Some((lat, lon)) = at {
                let _ = writeln!(o, "<wpt lat=\"{lat}\" lon=\"{lon}\"><name>{id} {role}</name></wpt>");
            }
        }
    }
    for t in tracks.iter().filter(|t| !t.points.is_empty()) {
        let _ = write!(o, "<trk><name>{}</name><trkseg>", xml_escape(&t.uas_id));
        for p in &t.points {
            let _ = write!(o, "<trkpt lat=\"{}\" lon=\"{}\">", p.lat, p.lon);
            if let Some(a) = p.alt.filter(|a| a.is_finite()) {
                let _ = write!(o, "<ele>{a}</ele>");
            }
            if let Some(u) = &p.time_utc {
                let _ = write!(o, "<time>{}</time>", xml_escape(u));
            }
            o += "</trkpt>";
        }
        o += "</trkseg></trk>\n";
    }
    o += "</gpx>\n";
    o
}

/// Decodes `input` into a temporary history (removed when dropped).
struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", self.0.display()));
        }
    }
}

fn decode_to_db(input: &str) -> Result<TempDb, String> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tmp = TempDb(std::env::temp_dir().join(format!("ridscope-export-{}-{nanos}.db", std::process::id())));
    let cfg = super::decode::DecodeConfig::new(input);
    let session = crate::sink::SessionInfo { source: input.to_string(), settings: "{}".into(), sensor: None };
    let mut sink = crate::sink::DbSink::create(&tmp.0, session, cfg.watch.build()?)?;
    let (result, _, _, _) = super::decode::decode(&cfg, &mut sink);
    crate::sink::Sink::flush(&mut sink).map_err(|e| e.to_string())?;
    drop(sink);
    result?;
    Ok(tmp)
}

pub fn run(mut cfg: ExportConfig) -> ExitCode {
    let _tmp = match cfg.input.as_deref().map(decode_to_db) {
        Some(Ok(t)) => {
            cfg.db = t.0.clone();
            Some(t)
        }
        Some(Err(e)) => {
            eprintln!("ridscope: {e}");
            return ExitCode::from(1);
        }
        None => None,
    };
    let tracks = match load(&cfg) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ridscope: {e}");
            return ExitCode::from(1);
        }
    };
    let text = match cfg.format {
        ExportFormat::Geojson => geojson(&tracks),
        ExportFormat::Kml => kml(&tracks),
        ExportFormat::Csv => csv(&tracks),
        ExportFormat::Gpx => gpx(&tracks),
    };
    let written = match &cfg.output {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("writing output: {e}")),
    };
    match written {
        Ok(()) => {
            let points: usize = tracks.iter().map(|t| t.points.len()).sum();
            eprintln!("{} aircraft, {points} positions", tracks.len());
            ExitCode::SUCCESS
        }
        Err(e) if e.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ridscope: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_escape_and_count() {
        let t = TrackOut {
            session_id: 1,
            track_id: 2,
            uas_id: "AB<&>,\"C".into(),
            model: Some("Mini 2".into()),
            pilot: Some((52.1, 13.1)),
            home: None,
            points: vec![
                Point {
                    time_s: 0.0,
                    time_utc: Some("2026-01-01T12:00:00.000Z".into()),
                    lat: 52.0,
                    lon: 13.0,
                    alt: Some(100.0),
                    height: None,
                    speed: None,
                    direction: None,
                },
                Point {
                    time_s: 1.0,
                    time_utc: None,
                    lat: 52.001,
                    lon: 13.001,
                    alt: None,
                    height: Some(5.0),
                    speed: Some(3.0),
                    direction: Some(90.0),
                },
            ],
        };
        let c = csv(std::slice::from_ref(&t));
        assert_eq!(c.lines().count(), 3);
        assert!(c.contains("\"AB<&>,\"\"C\""), "{c}");
        let g: serde_json::Value = serde_json::from_str(&geojson(std::slice::from_ref(&t))).unwrap();
        assert_eq!(g["features"].as_array().unwrap().len(), 2);
        assert_eq!(g["features"][0]["geometry"]["type"], "LineString");
        assert_eq!(g["features"][1]["properties"]["role"], "pilot");
        for x in [kml(std::slice::from_ref(&t)), gpx(std::slice::from_ref(&t))] {
            assert!(x.contains("AB&lt;&amp;&gt;,&quot;C"), "{x}");
        }
        assert_eq!(parse_utc("2026-01-01T12:00:00Z").unwrap(), "2026-01-01T12:00:00.000Z");
        assert!(parse_utc("yesterday").is_err());
    }
}
