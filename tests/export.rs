//! `ridscope export`: a synthesized flight (3 drones, 8 s) decoded into a
//! `--db` history, exported in every format. GeoJSON parses as a
//! FeatureCollection with one LineString per drone (one position a
//! second), a Point per known pilot and home; KML and GPX are well-formed
//! XML with the same counts; CSV has a row per position; `--id` and
//! `--since` select.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn ridscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ridscope"))
}

fn run(args: &[&str], db: &Path) -> String {
    let o = ridscope().arg("export").arg("--db").arg(db).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn tracks_export_as_geojson_kml_gpx_and_csv() {
    let dir = std::env::temp_dir().join(format!("ridscope-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cap = dir.join("flight.sigmf-meta");
    let o = ridscope()
        .args(["synth", "ble", "--rate", "2M", "--drones", "3", "--duration", "8", "--seed", "5", "-o"])
        .arg(&cap)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db: PathBuf = dir.join("h.db");
    let o = ridscope().args(["decode", "-q", "-o", "/dev/null", "--db"]).arg(&db).arg(&cap).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let c = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let points = count("SELECT count(*) FROM track_points");
    let lines = count("SELECT count(*) FROM (SELECT track_id FROM track_points GROUP BY track_id HAVING count(*) > 1)");
    let pilots = count("SELECT count(*) FROM tracks WHERE operator_lat_deg IS NOT NULL");
    let homes = count("SELECT count(*) FROM tracks WHERE home_lat_deg IS NOT NULL");
    assert_eq!(lines, 3, "a line per drone");
    assert!(points >= 3 * 6, "about one position a second: {points}");
    assert!(pilots >= 1);
    let no_utc = count("SELECT count(*) FROM track_points WHERE time_utc IS NULL");
    assert_eq!(no_utc, 0, "positions carry UTC from the recording's clock");

    // GeoJSON
    let g: Value = serde_json::from_str(&run(&["--format", "geojson"], &db)).unwrap();
    assert_eq!(g["type"], "FeatureCollection");
    let feats = g["features"].as_array().unwrap();
    let n = |ty: &str, role: &str| {
        feats.iter().filter(|f| f["geometry"]["type"] == ty && f["properties"]["role"] == role).count() as i64
    };
    assert_eq!(n("LineString", "track"), lines);
    assert_eq!(n("Point", "pilot"), pilots);
    assert_eq!(n("Point", "home"), homes);
    let coords: usize = feats
        .iter()
        .filter(|f| f["properties"]["role"] == "track")
        .map(|f| f["geometry"]["coordinates"].as_array().unwrap().len())
        .sum();
    assert_eq!(coords as i64, points);
    for f in feats {
        let c = &f["geometry"]["coordinates"];
        let first = if c[0].is_array() { &c[0] } else { c };
        let (lon, lat) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
        assert!((lat - 52.473).abs() < 0.1 && (lon - 13.401).abs() < 0.1, "{lat},{lon}");
    }

    // KML and GPX: well-formed, same counts
    let kml = run(&["--format", "kml"], &db);
    let doc = roxmltree::Document::parse(&kml).expect("KML is well-formed XML");
    let count_tag = |d: &roxmltree::Document, t: &str| d.descendants().filter(|n| n.has_tag_name(t)).count() as i64;
    assert_eq!(count_tag(&doc, "LineString"), lines);
    assert_eq!(count_tag(&doc, "Placemark"), lines + pilots + homes);
    let gpx = run(&["--format", "gpx"], &db);
    let doc = roxmltree::Document::parse(&gpx).expect("GPX is well-formed XML");
    assert_eq!(count_tag(&doc, "trk"), lines);
    assert_eq!(count_tag(&doc, "trkpt"), points);
    assert_eq!(count_tag(&doc, "wpt"), pilots + homes);

    // CSV, and the selections
    let csv = run(&["--format", "csv"], &db);
    assert_eq!(csv.lines().count() as i64, points + 1);
    let id: String = c.query_row("SELECT uas_id FROM tracks LIMIT 1", [], |r| r.get(0)).unwrap();
    let one = run(&["--format", "csv", "--id", &id], &db);
    assert!(one.lines().skip(1).all(|l| l.contains(&id)) && one.lines().count() > 2, "{one}");
    let late = run(&["--format", "csv", "--since", "2026-01-01T12:00:04Z"], &db);
    let early = run(&["--format", "csv", "--until", "2026-01-01T12:00:04Z"], &db);
    assert!(late.lines().count() > 1 && early.lines().count() > 1);
    assert_eq!(late.lines().count() + early.lines().count() - 2, points as usize);
    assert!(late.lines().skip(1).all(|l| l.contains(",2026-01-01T12:00:0") && !l.contains(":00:03.")));

    // straight from the recording: the same export
    let o = ridscope().arg("export").arg(&cap).args(["--format", "geojson"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), run(&["--format", "geojson"], &db));

    // no database: one clear line
    let o = ridscope().args(["export", "--db"]).arg(dir.join("none.db")).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such database"));
    drop(c);
    std::fs::remove_dir_all(&dir).ok();
}
