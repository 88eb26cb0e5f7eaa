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

/// One decoded message, with the envelope fields the analysis uses parsed
/// out and the whole record kept.
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
    /// The whole record.
    pub v: Value,
}

impl Rec {
    pub fn f(&self, k: &str) -> Option<f64> {
        self.v.get(k).and_then(Value::as_f64).filter(|x| x.is_finite())
    }

    pub fn s(&self, k: &str) -> Option<&str> {
        self.v.get(k).and_then(Value::as_str)
    }

    pub fn b(&self, k: &str) -> Option<bool> {
        self.v.get(k).and_then(Value::as_bool)
    }

    /// A latitude/longitude pair under `<prefix>lat_deg`/`<prefix>lon_deg`.
    pub fn pos(&self, prefix: &str) -> Option<(f64, f64)> {
        let lat = self.f(&format!("{prefix}lat_deg"))?;
        let lon = self.f(&format!("{prefix}lon_deg"))?;
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

/// A record line before report times are assigned.
struct Raw {
    session: Option<i64>,
    time_s: f64,
    v: Value,
}

impl Input {
    /// From decoded records (a capture analysed now).
    pub fn from_records(source: &str, records: &[Record]) -> Input {
        let raws = records
            .iter()
            // through the text, like every other input (f32 fields keep their short form)
            .filter_map(|r| serde_json::to_string(r).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()))
            .map(|v| Raw { session: None, time_s: v.get("time_s").and_then(Value::as_f64).unwrap_or(0.0), v })
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
            let time_s = v.get("time_s").and_then(Value::as_f64).unwrap_or(0.0);
            raws.push(Raw { session: None, time_s, v });
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
            raws.push(Raw { session: Some(session), time_s, v });
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
                && let Some(ns) = r.v.get("time_utc").and_then(Value::as_str).and_then(parse_rfc3339)
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
        for mut r in raws {
            // raw bytes are not analysed: do not hold them
            if let Some(o) = r.v.as_object_mut() {
                o.retain(|k, _| !k.ends_with("_hex"));
            }
            let msg_type = r.v.get("msg_type").and_then(Value::as_str).unwrap_or("").to_string();
            if msg_type == "decode_error" {
                decode_errors += 1;
                continue;
            }
            let s = |k: &str| r.v.get(k).and_then(Value::as_str).map(str::to_string);
            let f = |k: &str| r.v.get(k).and_then(Value::as_f64).filter(|x| x.is_finite());
            let utc_ns = utc0.get(&r.session).map(|u| u + (r.time_s * 1e9).round() as i128);
            recs.push(Rec {
                t: r.time_s + offsets.get(&r.session).copied().unwrap_or(0.0),
                utc_ns,
                session: r.session,
                protocol: s("protocol").unwrap_or_default(),
                transport: s("transport").unwrap_or_default(),
                src_addr: s("src_addr"),
                channel: r.v.get("channel").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()),
                counter: r.v.get("counter").and_then(Value::as_u64).and_then(|c| u8::try_from(c).ok()),
                rssi_dbm: f("rssi_dbm"),
                rssi_dbfs: f("rssi_dbfs"),
                cfo_hz: f("cfo_hz"),
                msg_type,
                v: r.v,
            });
        }
        recs.sort_by(|a, b| a.t.total_cmp(&b.t));
        Input { source: source.to_string(), recs, decode_errors, utc0_ns: first_abs, sessions, sensor: None }
    }
}
