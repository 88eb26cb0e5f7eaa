//! Alert zones and the allow-list: named polygons from a GeoJSON file and
//! circles (a radius around the sensor), evaluated with `geo`; an
//! allow-list of serial numbers (a site's own drones); and the alert log:
//! when a drone entered or left a zone, in sample time.
//!
//! The engine is pure: it is fed (serial, time, position) reports by the
//! tracker and returns the transitions.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{Contains, Distance, Haversine, LineString, Point, Polygon};
use serde::Serialize;

/// A zone's shape, in WGS-84 degrees.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Polygons (x = longitude, y = latitude), holes allowed; a point is
    /// inside when it is inside any of them (a MultiPolygon).
    Polygons(Vec<Polygon<f64>>),
    /// All points within `radius_m` of a centre (great-circle distance).
    Circle { lat_deg: f64, lon_deg: f64, radius_m: f64 },
}

/// A named alert zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub name: String,
    pub shape: Shape,
}

impl Zone {
    /// A circle of `radius_m` around a point (e.g. the sensor).
    pub fn circle(name: impl Into<String>, lat_deg: f64, lon_deg: f64, radius_m: f64) -> Result<Zone, String> {
        check_position(lat_deg, lon_deg)?;
        if !(radius_m.is_finite() && radius_m > 0.0) {
            return Err(format!("zone radius {radius_m} m must be positive"));
        }
        Ok(Zone { name: name.into(), shape: Shape::Circle { lat_deg, lon_deg, radius_m } })
    }

    /// Whether the point lies inside (a polygon's boundary counts as outside).
    pub fn contains(&self, lat_deg: f64, lon_deg: f64) -> bool {
        let p = Point::new(lon_deg, lat_deg);
        match &self.shape {
            Shape::Polygons(polys) => polys.iter().any(|poly| poly.contains(&p)),
            Shape::Circle { lat_deg: clat, lon_deg: clon, radius_m } => {
                Haversine.distance(Point::new(*clon, *clat), p) <= *radius_m
            }
        }
    }
}

fn check_position(lat: f64, lon: f64) -> Result<(), String> {
    if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
        Ok(())
    } else {
        Err(format!("position {lat}, {lon} is not a latitude, longitude in degrees"))
    }
}

/// Reads the zones of a GeoJSON file: a FeatureCollection, a Feature or a
/// bare geometry; Polygon and MultiPolygon geometries become zones (other
/// geometry types are skipped), named by the feature's `name` property
/// (else `zone N`). Errors name the file and what is wrong.
pub fn load_geojson(path: &Path) -> Result<Vec<Zone>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_geojson(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// See [`load_geojson`].
pub fn parse_geojson(text: &str) -> Result<Vec<Zone>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let mut zones = Vec::new();
    match v.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => {
            let features =
                v.get("features").and_then(|f| f.as_array()).ok_or("a FeatureCollection without features")?;
            for (i, f) in features.iter().enumerate() {
                feature(f, i, &mut zones).map_err(|e| format!("feature {}: {e}", i + 1))?;
            }
        }
        Some("Feature") => feature(&v, 0, &mut zones)?,
        Some(_) => {
            if let Some(shape) = geometry(&v)? {
                zones.push(Zone { name: "zone 1".into(), shape });
            }
        }
        None => return Err("not GeoJSON (no \"type\")".into()),
    }
    if zones.is_empty() {
        return Err("no Polygon or MultiPolygon in it".into());
    }
    Ok(zones)
}

fn feature(f: &serde_json::Value, i: usize, zones: &mut Vec<Zone>) -> Result<(), String> {
    let Some(g) = f.get("geometry").filter(|g| !g.is_null()) else {
        return Ok(());
    };
    if let Some(shape) = geometry(g)? {
        let name = f
            .get("properties")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("zone {}", i + 1));
        zones.push(Zone { name, shape });
    }
    Ok(())
}

/// Polygon / MultiPolygon → shape; other types → None.
fn geometry(g: &serde_json::Value) -> Result<Option<Shape>, String> {
    let coords = || g.get("coordinates").ok_or_else(|| "a geometry without coordinates".to_string());
    match g.get("type").and_then(|t| t.as_str()) {
        Some("Polygon") => Ok(Some(Shape::Polygons(vec![polygon(coords()?)?]))),
        Some("MultiPolygon") => {
            let polys = coords()?.as_array().ok_or("MultiPolygon coordinates are not an array")?;
            let polys = polys.iter().map(polygon).collect::<Result<Vec<_>, _>>()?;
            if polys.is_empty() {
                return Err("an empty MultiPolygon".into());
            }
            Ok(Some(Shape::Polygons(polys)))
        }
        Some(_) => Ok(None),
        None => Err("a geometry without \"type\"".into()),
    }
}

/// `[[[lon, lat], ...], hole, ...]` → polygon.
fn polygon(rings: &serde_json::Value) -> Result<Polygon<f64>, String> {
    let rings = rings.as_array().ok_or("polygon coordinates are not an array of rings")?;
    let mut rings = rings.iter().map(ring);
    let exterior = rings.next().ok_or("a polygon without rings")??;
    let holes = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

fn ring(r: &serde_json::Value) -> Result<LineString<f64>, String> {
    let pts = r.as_array().ok_or("a ring is not an array of positions")?;
    if pts.len() < 4 {
        return Err(format!("a ring of {} positions (a closed ring needs at least 4)", pts.len()));
    }
    let mut out = Vec::with_capacity(pts.len());
    for p in pts {
        let lon = p.get(0).and_then(|x| x.as_f64());
        let lat = p.get(1).and_then(|x| x.as_f64());
        let (Some(lon), Some(lat)) = (lon, lat) else {
            return Err(format!("position {p} is not [longitude, latitude]"));
        };
        check_position(lat, lon)?;
        out.push((lon, lat));
    }
    Ok(LineString::from(out))
}

/// Serial numbers that raise no alarm (a site's own drones): their alerts
/// are still logged, marked `allowed`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllowList(HashSet<String>);

impl AllowList {
    /// One serial per line; blank lines and `#` comments ignored.
    pub fn parse(text: &str) -> AllowList {
        AllowList(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or("").trim())
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    pub fn load(path: &Path) -> Result<AllowList, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(AllowList::parse(&text))
    }

    pub fn contains(&self, serial: &str) -> bool {
        self.0.contains(serial)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Entering or leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Entered,
    Left,
}

/// One line of the alert log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Sample time of the report that crossed the boundary (s).
    pub time_s: f64,
    pub serial: String,
    pub zone: String,
    pub transition: Transition,
    /// The drone's position at that report.
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// The serial is on the allow-list.
    pub allowed: bool,
}

/// Keeps, per drone and zone, whether the drone is inside, and reports the
/// crossings.
#[derive(Debug, Clone, Default)]
pub struct AlertEngine {
    zones: Vec<Zone>,
    allow: AllowList,
    /// serial → the zones (indices) it is inside
    inside: HashMap<String, Vec<usize>>,
}

impl AlertEngine {
    pub fn new(zones: Vec<Zone>, allow: AllowList) -> AlertEngine {
        AlertEngine { zones, allow, inside: HashMap::new() }
    }

    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    pub fn allow_list(&self) -> &AllowList {
        &self.allow
    }

    /// The zones `serial` is inside now.
    pub fn zones_of(&self, serial: &str) -> impl Iterator<Item = &Zone> {
        self.inside.get(serial).into_iter().flatten().filter_map(|&i| self.zones.get(i))
    }

    /// A position report of `serial` at `time_s`: appends an alert for
    /// every zone entered or left since its previous report. Positions that
    /// are not finite degrees are ignored.
    pub fn report(&mut self, serial: &str, time_s: f64, lat_deg: f64, lon_deg: f64, out: &mut Vec<Alert>) {
        if check_position(lat_deg, lon_deg).is_err() {
            return;
        }
        let now: Vec<usize> =
            self.zones.iter().enumerate().filter(|(_, z)| z.contains(lat_deg, lon_deg)).map(|(i, _)| i).collect();
        let before = self.inside.get(serial).cloned().unwrap_or_default();
        let allowed = self.allow.contains(serial);
        let mut push = |i: usize, transition| {
            out.push(Alert {
                time_s,
                serial: serial.to_string(),
                zone: self.zones[i].name.clone(),
                transition,
                lat_deg,
                lon_deg,
                allowed,
            })
        };
        for &i in now.iter().filter(|i| !before.contains(i)) {
            push(i, Transition::Entered);
        }
        for &i in before.iter().filter(|i| !now.contains(i)) {
            push(i, Transition::Left);
        }
        if now.is_empty() {
            self.inside.remove(serial);
        } else {
            self.inside.insert(serial.to_string(), now);
        }
    }

    /// The drone is gone (its track expired): it leaves every zone it was
    /// in, at `time_s`, at its last known position.
    pub fn forget(&mut self, serial: &str, time_s: f64, last: Option<(f64, f64)>, out: &mut Vec<Alert>) {
        let Some(zs) = self.inside.remove(serial) else { return };
        let (lat_deg, lon_deg) = last.unwrap_or((f64::NAN, f64::NAN));
        let allowed = self.allow.contains(serial);
        for i in zs {
            out.push(Alert {
                time_s,
                serial: serial.to_string(),
                zone: self.zones[i].name.clone(),
                transition: Transition::Left,
                lat_deg,
                lon_deg,
                allowed,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r#"{
      "type": "FeatureCollection",
      "features": [
        {"type": "Feature", "properties": {"name": "prison"},
         "geometry": {"type": "Polygon", "coordinates": [
           [[13.40, 52.47], [13.41, 52.47], [13.41, 52.48], [13.40, 52.48], [13.40, 52.47]],
           [[13.404, 52.474], [13.406, 52.474], [13.406, 52.476], [13.404, 52.476], [13.404, 52.474]]
         ]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "MultiPolygon", "coordinates": [
           [[[13.42, 52.47], [13.43, 52.47], [13.43, 52.48], [13.42, 52.47]]],
           [[[13.44, 52.47], [13.45, 52.47], [13.45, 52.48], [13.44, 52.47]]]
         ]}},
        {"type": "Feature", "properties": {"name": "a road"},
         "geometry": {"type": "LineString", "coordinates": [[13.4, 52.4], [13.5, 52.5]]}}
      ]
    }"#;

    #[test]
    fn geojson_polygons_holes_and_multipolygons() {
        let z = parse_geojson(SITE).unwrap();
        assert_eq!(z.len(), 2, "the LineString is not a zone");
        assert_eq!(z[0].name, "prison");
        assert_eq!(z[1].name, "zone 2");
        assert!(z[0].contains(52.471, 13.401));
        assert!(!z[0].contains(52.475, 13.405), "inside the hole");
        assert!(!z[0].contains(52.49, 13.401));
        assert!(z[1].contains(52.472, 13.428));
        assert!(z[1].contains(52.472, 13.448));
        assert!(!z[1].contains(52.472, 13.435));
    }

    #[test]
    fn bad_geojson_is_an_error_not_a_panic() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"type": "FeatureCollection"}"#,
            r#"{"type": "Polygon"}"#,
            r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}"#,
            r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], ["x", 0]]]}"#,
            r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 95]]]}"#,
            r#"{"type": "Polygon", "coordinates": []}"#,
            r#"{"type": "MultiPolygon", "coordinates": []}"#,
            r#"{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}"#,
        ] {
            assert!(parse_geojson(bad).is_err(), "{bad}");
        }
        let e = load_geojson(Path::new("/nonexistent/site.geojson")).unwrap_err();
        assert!(e.contains("/nonexistent/site.geojson"), "{e}");
    }

    #[test]
    fn circle_around_the_sensor() {
        let z = Zone::circle("sensor 500 m", 52.4730, 13.4010, 500.0).unwrap();
        // 0.004° of latitude ≈ 445 m, 0.005° ≈ 556 m
        assert!(z.contains(52.4770, 13.4010));
        assert!(!z.contains(52.4780, 13.4010));
        assert!(Zone::circle("x", 52.0, 13.0, -1.0).is_err());
        assert!(Zone::circle("x", 95.0, 13.0, 10.0).is_err());
    }

    #[test]
    fn entering_and_leaving_are_logged_once_with_the_allow_list() {
        let mut zones = parse_geojson(SITE).unwrap();
        zones.push(Zone::circle("sensor 2 km", 52.475, 13.405, 2000.0).unwrap());
        let allow = AllowList::parse("# our drones\n1596OWN123 \n\n");
        assert!(allow.contains("1596OWN123") && allow.len() == 1);
        let mut e = AlertEngine::new(zones, allow);
        let mut out = Vec::new();
        // far away, then inside the circle, then inside the prison too, again, then out of the prison, then gone
        e.report("1596ABC", 0.0, 52.60, 13.40, &mut out);
        assert!(out.is_empty());
        e.report("1596ABC", 1.0, 52.49, 13.40, &mut out);
        e.report("1596ABC", 2.0, 52.471, 13.401, &mut out);
        e.report("1596ABC", 3.0, 52.472, 13.401, &mut out);
        e.report("1596ABC", 4.0, 52.475, 13.405, &mut out); // the hole
        assert_eq!(e.zones_of("1596ABC").map(|z| z.name.as_str()).collect::<Vec<_>>(), ["sensor 2 km"]);
        e.report("1596ABC", 5.0, f64::NAN, 13.405, &mut out); // ignored
        e.forget("1596ABC", 9.0, Some((52.475, 13.405)), &mut out);
        let got: Vec<(f64, &str, Transition)> = out.iter().map(|a| (a.time_s, a.zone.as_str(), a.transition)).collect();
        assert_eq!(
            got,
            [
                (1.0, "sensor 2 km", Transition::Entered),
                (2.0, "prison", Transition::Entered),
                (4.0, "prison", Transition::Left),
                (9.0, "sensor 2 km", Transition::Left),
            ]
        );
        assert!(out.iter().all(|a| !a.allowed));
        out.clear();
        e.report("1596OWN123", 10.0, 52.471, 13.401, &mut out);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|a| a.allowed && a.transition == Transition::Entered));
        let j = serde_json::to_string(&out[0]).unwrap();
        assert!(j.contains("\"transition\":\"entered\"") && j.contains("\"time_s\":10.0"), "{j}");
    }
}
