//! What a security team watches: decoded records → the tracker → zone
//! alerts. One `Watch` serves `ridscope decode --tracks` (printed as JSON
//! Lines) and the TUI.

use std::io::{self, Write};

use serde::Serialize;

use crate::alert::{Alert, AlertEngine};
use crate::decode::Record;
use crate::sink::Sink;
use crate::track::{TrackEvent, Tracker, TrackerConfig};

/// A track event or a zone alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WatchEvent {
    Track(TrackEvent),
    Alert(ZoneAlert),
}

/// A zone alert as an output line (`"event": "zone_alert"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename = "zone_alert")]
pub struct ZoneAlert {
    #[serde(flatten)]
    pub alert: Alert,
    pub track_id: u64,
}

/// The tracker and the alert engine, fed with records.
pub struct Watch {
    pub tracker: Tracker,
    pub alerts: AlertEngine,
    track_events: Vec<TrackEvent>,
    alert_buf: Vec<Alert>,
}

impl Watch {
    pub fn new(cfg: TrackerConfig, alerts: AlertEngine) -> Watch {
        Watch { tracker: Tracker::new(cfg), alerts, track_events: Vec::new(), alert_buf: Vec::new() }
    }

    /// Feeds one record (decode errors are ignored); appends what happened.
    pub fn push(&mut self, r: &Record, out: &mut Vec<WatchEvent>) {
        self.tracker.push_record(r, &mut self.track_events);
        self.drain(out);
    }

    /// Expires tracks silent at `time_s` (sample time).
    pub fn tick(&mut self, time_s: f64, out: &mut Vec<WatchEvent>) {
        self.tracker.tick(time_s, &mut self.track_events);
        self.drain(out);
    }

    /// The end of the input: every track is closed.
    pub fn finish(&mut self, out: &mut Vec<WatchEvent>) {
        self.tracker.finish(&mut self.track_events);
        self.drain(out);
    }

    /// Runs the alert engine on the track events and moves both out, each
    /// alert after the event that caused it.
    fn drain(&mut self, out: &mut Vec<WatchEvent>) {
        for ev in self.track_events.drain(..) {
            let s = ev.summary();
            let serial = s.key.id.clone();
            match (&ev, s.lat_deg, s.lon_deg) {
                (TrackEvent::TrackLost(_), lat, lon) => {
                    let last = lat.zip(lon);
                    self.alerts.forget(&serial, s.time_s, last, &mut self.alert_buf);
                }
                (_, Some(lat), Some(lon)) => self.alerts.report(&serial, s.time_s, lat, lon, &mut self.alert_buf),
                _ => {}
            }
            let track_id = s.track_id;
            out.push(WatchEvent::Track(ev));
            for alert in self.alert_buf.drain(..) {
                out.push(WatchEvent::Alert(ZoneAlert { alert, track_id }));
            }
        }
    }
}

/// `ridscope decode --tracks`: track events and zone alerts as JSON Lines
/// instead of the messages. The tracks are closed when the sink is flushed
/// at the end of the run.
pub struct TrackSink<W: Write> {
    w: W,
    watch: Watch,
    events: Vec<WatchEvent>,
    line: Vec<u8>,
}

impl<W: Write> TrackSink<W> {
    pub fn new(w: W, watch: Watch) -> Self {
        TrackSink { w, watch, events: Vec::new(), line: Vec::with_capacity(1024) }
    }

    fn write_events(&mut self) -> io::Result<()> {
        for e in self.events.drain(..) {
            self.line.clear();
            serde_json::to_writer(&mut self.line, &e).map_err(io::Error::other)?;
            self.line.push(b'\n');
            self.w.write_all(&self.line)?;
        }
        Ok(())
    }
}

impl<W: Write> Sink for TrackSink<W> {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        self.watch.push(r, &mut self.events);
        self.write_events()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.watch.finish(&mut self.events);
        self.write_events()?;
        self.w.flush()
    }
}

/// Where the sensor is and what to alert on (command-line options).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WatchConfig {
    /// Sensor position (latitude, longitude, degrees): distances, bearings.
    pub sensor: Option<(f64, f64)>,
    /// Alert zones (GeoJSON polygons).
    pub zones: Option<std::path::PathBuf>,
    /// An alert zone of this radius around the sensor (m).
    pub radius_m: Option<f64>,
    /// Serials that raise no alarm (one per line).
    pub allow: Option<std::path::PathBuf>,
}

impl WatchConfig {
    /// Loads the zone and allow files; errors name the file.
    pub fn build(&self) -> Result<Watch, String> {
        let mut zones = match &self.zones {
            Some(p) => crate::alert::load_geojson(p)?,
            None => Vec::new(),
        };
        if let Some(r) = self.radius_m {
            let Some((lat, lon)) = self.sensor else {
                return Err("--radius needs --sensor LAT,LON".into());
            };
            zones.push(crate::alert::Zone::circle(format!("within {r} m of the sensor"), lat, lon, r)?);
        }
        let allow = match &self.allow {
            Some(p) => crate::alert::AllowList::load(p)?,
            None => crate::alert::AllowList::default(),
        };
        let mut cfg = TrackerConfig::default();
        if let Some((lat_deg, lon_deg)) = self.sensor {
            if !(lat_deg.abs() <= 90.0 && lon_deg.abs() <= 180.0) {
                return Err(format!("--sensor {lat_deg},{lon_deg}: not a latitude, longitude in degrees"));
            }
            cfg.sensor = Some(crate::track::GeoPos { lat_deg, lon_deg });
        }
        Ok(Watch::new(cfg, AlertEngine::new(zones, allow)))
    }
}

/// Parses `LAT,LON` (degrees).
pub fn parse_lat_lon(s: &str) -> Result<(f64, f64), String> {
    let mut it = s.split(',').map(|x| x.trim().parse::<f64>());
    match (it.next(), it.next(), it.next()) {
        (Some(Ok(lat)), Some(Ok(lon)), None) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => Ok((lat, lon)),
        _ => Err(format!("{s}: expected LAT,LON in degrees, e.g. 52.473,13.401")),
    }
}
