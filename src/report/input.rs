//! The analyzer's input: output records (docs/DATA_FORMAT.md) as JSON,
//! whatever they came from: a capture decoded now, a JSON Lines file written
//! by `decode`/`parse`, or the `record` column of a `--db` history. Working
//! on the output contract means every input gives the same analysis.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

use crate::decode::Record;
use crate::source::sigmf::parse_rfc3339;

/// The record fields the analysis reads, sorted (anything else a record
/// holds is dropped on input, so large histories fit in memory).
pub const FIELDS: &[&str] = &[
    "alt_geo_m",
    "alt_m",
    "alt_msl_m",
    "classification_type",
    "description",
    "direction_deg",
    "eu_category",
    "eu_class",
    "french_id",
    "french_id_manufacturer",
    "french_id_model",
    "freq_mhz",
    "gps_time_utc",
    "h_accuracy_m",
    "height_m",
    "home_lat_deg",
    "home_lon_deg",
    "id_type",
    "invalid",
    "lat_deg",
    "lon_deg",
    "model",
    "operator_alt_geo_m",
    "operator_id",
    "operator_lat_deg",
    "operator_location_type",
    "operator_lon_deg",
    "sequence",
    "serial",
    "serial_format_ok",
    "speed_h_mps",
    "speed_v_mps",
    "status",
    "takeoff_lat_deg",
    "takeoff_lon_deg",
    "timestamp_accuracy_s",
    "timestamp_s",
    "timestamp_utc",
    "ua_type",
    "uas_id",
    "uuid",
    "v_accuracy_m",
    "v_east_mps",
    "v_north_mps",
    "v_up_mps",
];

/// One kept field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    F(f64),
    S(Box<str>),
    B(bool),
    /// A list of strings (`invalid`).
    L(Box<[Box<str>]>),
}

/// The kept fields of a record: (index in [`FIELDS`], value), sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Vec<(u8, Val)>);

impl Fields {
    /// Keeps the [`FIELDS`] of a JSON object (numbers, strings, booleans,
    /// lists of strings; other values are dropped).
    pub fn of(v: &Value) -> Fields {
        let mut out = Vec::new();
        if let Some(o) = v.as_object() {
            for (k, x) in o {
                let Ok(i) = FIELDS.binary_search(&k.as_str()) else { continue };
                let val = match x {
                    Value::Number(n) => match n.as_f64() {
                        Some(f) if f.is_finite() => Val::F(f),
                        _ => continue,
                    },
                    Value::String(s) => Val::S(s.as_str().into()),
                    Value::Bool(b) => Val::B(*b),
                    Value::Array(a) => Val::L(a.iter().filter_map(|e| e.as_str().map(Into::into)).collect()),
                    _ => continue,
                };
                out.push((i as u8, val));
            }
        }
        out.sort_by_key(|e| e.0);
        out.shrink_to_fit();
        Fields(out)
    }

    pub fn get(&self, k: &str) -> Option<&Val> {
        let i = FIELDS.binary_search(&k);
        debug_assert!(i.is_ok(), "{k} is not in report::input::FIELDS");
        let i = i.ok()? as u8;
        self.0.binary_search_by_key(&i, |e| e.0).ok().map(|j| &self.0[j].1)
    }
}

/// One decoded message: the envelope fields the analysis uses, and the
/// message fields it reads ([`FIELDS`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    /// Report time: seconds since the report's first message (absolute
    /// time when the input has it, so sessions line up).
    pub t: f64,
    /// Receive time, Unix ns.
    pub utc_ns: Option<i128>,
    /// `--db` session.
    pub session: Option<i64>,
    pub msg_type: String,
    pub protocol: String,
    pub transport: String,
    pub src_addr: Option<String>,
    pub channel: Option<u16>,
    pub counter: Option<u8>,
    pub rssi_dbm: Option<f64>,
    pub rssi_dbfs: Option<f64>,
    pub cfo_hz: Option<f64>,
    pub v: Fields,
}

impl Rec {
    pub fn f(&self, k: &str) -> Option<f64> {
        match self.v.get(k)? {
            Val::F(x) => Some(*x),
            _ => None,
        }
    }

    pub fn s(&self, k: &str) -> Option<&str> {
        match self.v.get(k)? {
            Val::S(x) => Some(x),
            _ => None,
        }
    }

    pub fn b(&self, k: &str) -> Option<bool> {
        match self.v.get(k)? {
            Val::B(x) => Some(*x),
            _ => None,
        }
    }

    /// A list of strings (`invalid`).
    pub fn list(&self, k: &str) -> &[Box<str>] {
        match self.v.get(k) {
            Some(Val::L(x)) => x,
            _ => &[],
        }
    }

    /// A latitude/longitude pair under `<prefix>lat_deg`/`<prefix>lon_deg`
    /// (`prefix` one of "", "operator_", "home_", "takeoff_"); absent
    /// when out of range or 0/0.
    pub fn pos(&self, prefix: &str) -> Option<(f64, f64)> {
        let (a, b) = match prefix {
            "" => ("lat_deg", "lon_deg"),
            "operator_" => ("operator_lat_deg", "operator_lon_deg"),
            "home_" => ("home_lat_deg", "home_lon_deg"),
            "takeoff_" => ("takeoff_lat_deg", "takeoff_lon_deg"),
            _ => return None,
        };
        let (lat, lon) = (self.f(a)?, self.f(b)?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && (lat, lon) != (0.0, 0.0))
            .then_some((lat, lon))
    }

    /// Received power and its unit.
    pub fn rssi(&self) -> Option<(f64, &'static str)> {
        self.rssi_dbm.map(|r| (r, "dbm")).or(self.rssi_dbfs.map(|r| (r, "dbfs")))
    }
}

/// What was read: the messages (sorted by report time) and what else the
/// input said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub source: String,
    pub recs: Vec<Rec>,
    pub decode_errors: u64,
    /// UTC (Unix ns) of report time 0, when known.
    pub utc0_ns: Option<i128>,
    pub sessions: Vec<i64>,
    /// The receiver position from the history's session, when recorded.
    pub sensor: Option<(f64, f64)>,
}

/// Records with a larger `|time_s|` are left out.
pub const MAX_TIME_S: f64 = 1e12;

/// A record line before report times are assigned: parsed as it is read,
/// so the JSON of a large input is never held.
struct Raw {
    session: Option<i64>,
    time_s: f64,
    time_utc_ns: Option<i128>,
    /// `None` for a `decode_error` line.
    rec: Option<Rec>,
}

impl Raw {
    fn new(session: Option<i64>, time_s: f64, v: &Value) -> Raw {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let f = |k: &str| v.get(k).and_then(Value::as_f64).filter(|x| x.is_finite());
        let time_utc_ns = v.get("time_utc").and_then(Value::as_str).and_then(parse_rfc3339);
        let msg_type = s("msg_type").unwrap_or_default();
        let rec = (msg_type != "decode_error").then(|| Rec {
            t: 0.0,
            utc_ns: None,
            session,
            protocol: s("protocol").unwrap_or_default(),
            transport: s("transport").unwrap_or_default(),
            src_addr: s("src_addr"),
            channel: v.get("channel").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()),
            counter: v.get("counter").and_then(Value::as_u64).and_then(|c| u8::try_from(c).ok()),
            rssi_dbm: f("rssi_dbm"),
            rssi_dbfs: f("rssi_dbfs"),
            cfo_hz: f("cfo_hz"),
            msg_type,
            v: Fields::of(v),
        });
        Raw { session, time_s, time_utc_ns, rec }
    }
}

fn time_of(v: &Value) -> f64 {
    v.get("time_s").and_then(Value::as_f64).unwrap_or(0.0)
}

impl Input {
    /// From decoded records (a capture analysed now).
    pub fn from_records(source: &str, records: &[Record]) -> Input {
        let raws = records
            .iter()
            // through the text, like every other input (f32 fields keep their short form)
            .filter_map(|r| serde_json::to_string(r).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()))
            .map(|v| Raw::new(None, time_of(&v), &v))
            .collect();
        Input::build(source, raws)
    }

    /// From a JSON Lines file of records (`decode -o`, `parse --pcap`).
    /// Lines that are not message records (track events, alerts) are
    /// skipped; a line that is not JSON is an error naming the line.
    pub fn from_jsonl(path: &Path) -> Result<Input, String> {
        let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Input::from_jsonl_reader(&path.display().to_string(), std::io::BufReader::new(f))
    }

    /// [`Input::from_jsonl`] from any reader; `name` names it in errors.
    pub fn from_jsonl_reader(name: &str, r: impl BufRead) -> Result<Input, String> {
        let mut raws = Vec::new();
        for (i, line) in r.lines().enumerate() {
            let line = line.map_err(|e| format!("{name}: line {}: {e}", i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| {
                format!("{name}: line {}: not a JSON record (expected ridscope JSON Lines): {e}", i + 1)
            })?;
            if v.get("msg_type").is_none() || v.get("event").is_some() {
                continue;
            }
            raws.push(Raw::new(None, time_of(&v), &v));
        }
        Ok(Input::build(name, raws))
    }

    /// From a `--db` history: every message of the sessions asked for (all
    /// when `sessions` is empty).
    pub fn from_db(path: &Path, sessions: &[i64]) -> Result<Input, String> {
        let c = crate::sink::db::open(path)?;
        let name = path.display();
        let mut raws = Vec::new();
        let mut sensor = None;
        {
            let mut st = c
                .prepare("SELECT id, sensor_lat_deg, sensor_lon_deg FROM sessions ORDER BY id")
                .map_err(|e| format!("{name}: {e}"))?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?, r.get::<_, Option<f64>>(2)?)))
                .map_err(|e| format!("{name}: {e}"))?;
            for row in rows {
                let (id, lat, lon) = row.map_err(|e| format!("{name}: {e}"))?;
                if (sessions.is_empty() || sessions.contains(&id))
                    && let (Some(lat), Some(lon)) = (lat, lon)
                {
                    sensor = Some((lat, lon));
                }
            }
        }
        let mut st = c
            .prepare("SELECT session_id, time_s, record FROM messages ORDER BY session_id, time_s, id")
            .map_err(|e| format!("{name}: {e}"))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| format!("{name}: {e}"))?;
        for row in rows {
            let (session, time_s, text) = row.map_err(|e| format!("{name}: {e}"))?;
            if !sessions.is_empty() && !sessions.contains(&session) {
                continue;
            }
            let v: Value =
                serde_json::from_str(&text).map_err(|e| format!("{name}: message of session {session}: {e}"))?;
            raws.push(Raw::new(Some(session), time_s, &v));
        }
        let mut input = Input::build(&name.to_string(), raws);
        input.sensor = sensor;
        Ok(input)
    }

    /// Assigns report times: absolute time where a session (or the stream)
    /// has it, else sessions one after the other.
    fn build(source: &str, mut raws: Vec<Raw>) -> Input {
        // a time no capture has (beyond ±30 000 years) is not a time
        raws.retain(|r| r.time_s.is_finite() && r.time_s.abs() < MAX_TIME_S);
        // each session's UTC of its time_s 0, from any record with time_utc
        let mut utc0: BTreeMap<Option<i64>, i128> = BTreeMap::new();
        let mut span: BTreeMap<Option<i64>, (f64, f64)> = BTreeMap::new();
        for r in &raws {
            if !utc0.contains_key(&r.session)
                && let Some(ns) = r.time_utc_ns
            {
                utc0.insert(r.session, ns - (r.time_s * 1e9).round() as i128);
            }
            let e = span.entry(r.session).or_insert((r.time_s, r.time_s));
            e.0 = e.0.min(r.time_s);
            e.1 = e.1.max(r.time_s);
        }
        let first_abs = span.iter().filter_map(|(s, (lo, _))| utc0.get(s).map(|u| u + (lo * 1e9) as i128)).min();
        // sessions without absolute time: laid end to end after those with it
        let mut offsets: BTreeMap<Option<i64>, f64> = BTreeMap::new();
        let mut next = span
            .iter()
            .filter_map(|(s, (_, hi))| Some((utc0.get(s)? + (hi * 1e9) as i128 - first_abs?) as f64 / 1e9))
            .fold(0.0f64, f64::max);
        for (s, (lo, hi)) in &span {
            let off = match (utc0.get(s), first_abs) {
                (Some(u), Some(f)) => (u - f) as f64 / 1e9,
                _ => {
                    let o = next - lo + if next > 0.0 { 1.0 } else { 0.0 };
                    next = o + hi;
                    o
                }
            };
            offsets.insert(*s, off);
        }
        let mut decode_errors = 0;
        let mut sessions: Vec<i64> = span.keys().flatten().copied().collect();
        sessions.dedup();
        let mut recs = Vec::with_capacity(raws.len());
        for r in raws {
            let Some(mut rec) = r.rec else {
                decode_errors += 1;
                continue;
            };
            rec.utc_ns = utc0.get(&r.session).map(|u| u + (r.time_s * 1e9).round() as i128);
            rec.t = r.time_s + offsets.get(&r.session).copied().unwrap_or(0.0);
            recs.push(rec);
        }
        recs.sort_by(|a, b| a.t.total_cmp(&b.t));
        Input { source: source.to_string(), recs, decode_errors, utc0_ns: first_abs, sessions, sensor: None }
    }
}
