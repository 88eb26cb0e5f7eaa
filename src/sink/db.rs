//! `--db ridscope.db`: a SQLite history of every run (sessions, decoded
//! messages, track states and positions, zone alerts).
//!
//! - One writer thread owns the connection; the sink hands it rows through
//!   a bounded queue (a slow disk slows decoding, it never loses rows).
//! - Rows are committed in batches, one transaction at least every second
//!   (or every 2000 rows). The database is in WAL mode with
//!   `synchronous=NORMAL`: a killed process loses at most the batch being
//!   built (under a second) and never corrupts the file.
//! - The schema is versioned with `PRAGMA user_version`; opening applies
//!   the migrations the file lacks, and refuses a file from a newer
//!   ridscope. Schema (v1): see docs/DATA_FORMAT.md, "SQLite history".

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};
use rusqlite::{Connection, params};
use serde_json::Value;

use super::Sink;
use crate::decode::Record;
use crate::track::TrackEvent;
use crate::watch::{Watch, WatchEvent};

/// Schema migrations: entry `i` takes a database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_utc TEXT NOT NULL,
        source TEXT NOT NULL,
        settings TEXT NOT NULL,
        sensor_lat_deg REAL,
        sensor_lon_deg REAL,
        ridscope_version TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        time_s REAL NOT NULL,
        time_utc TEXT,
        transport TEXT,
        protocol TEXT,
        msg_type TEXT,
        uas_id TEXT,
        src_addr TEXT,
        lat_deg REAL,
        lon_deg REAL,
        alt_geo_m REAL,
        operator_lat_deg REAL,
        operator_lon_deg REAL,
        rssi_db REAL,
        record TEXT NOT NULL
    );
    CREATE INDEX messages_by_time ON messages(session_id, time_s);
    CREATE INDEX messages_by_utc ON messages(time_utc);
    CREATE INDEX messages_by_id ON messages(uas_id, time_s);
    CREATE INDEX messages_by_addr ON messages(src_addr, time_s);
    CREATE TABLE tracks (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        track_id INTEGER NOT NULL,
        uas_id TEXT NOT NULL,
        id_kind TEXT NOT NULL,
        first_seen_s REAL NOT NULL,
        last_seen_s REAL NOT NULL,
        last_utc TEXT,
        messages INTEGER NOT NULL,
        model TEXT,
        operator_lat_deg REAL,
        operator_lon_deg REAL,
        home_lat_deg REAL,
        home_lon_deg REAL,
        lost INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL,
        PRIMARY KEY (session_id, track_id)
    );
    CREATE INDEX tracks_by_id ON tracks(uas_id);
    CREATE TABLE track_points (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        track_id INTEGER NOT NULL,
        uas_id TEXT NOT NULL,
        time_s REAL NOT NULL,
        time_utc TEXT,
        lat_deg REAL NOT NULL,
        lon_deg REAL NOT NULL,
        alt_geo_m REAL,
        height_m REAL,
        speed_h_mps REAL,
        direction_deg REAL
    );
    CREATE INDEX track_points_by_id ON track_points(uas_id, time_s);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        time_s REAL NOT NULL,
        uas_id TEXT NOT NULL,
        zone TEXT NOT NULL,
        transition TEXT NOT NULL,
        lat_deg REAL NOT NULL,
        lon_deg REAL NOT NULL,
        allowed INTEGER NOT NULL
    );
    CREATE INDEX alerts_by_time ON alerts(session_id, time_s);",
];

/// The schema version this ridscope writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Opens (creating if needed) a history database and brings its schema up
/// to date.
pub fn open(path: &Path) -> Result<Connection, String> {
    let name = path.display();
    let mut c = Connection::open(path).map_err(|e| format!("{name}: cannot open: {e}"))?;
    c.busy_timeout(Duration::from_secs(5)).map_err(|e| format!("{name}: {e}"))?;
    let mode: String =
        c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(|e| format!("{name}: not a database? {e}"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("{name}: cannot switch to WAL mode (got {mode})"));
    }
    c.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;").map_err(|e| format!("{name}: {e}"))?;
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| format!("{name}: {e}"))?;
    let v = usize::try_from(v).map_err(|_| format!("{name}: schema version {v}?"))?;
    if v > SCHEMA_VERSION {
        return Err(format!(
            "{name}: schema version {v} is newer than this ridscope's ({SCHEMA_VERSION}): upgrade ridscope"
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(v) {
        let tx = c.transaction().map_err(|e| format!("{name}: {e}"))?;
        tx.execute_batch(sql).map_err(|e| format!("{name}: migration to v{}: {e}", i + 1))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(|e| format!("{name}: {e}"))?;
        tx.commit().map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(c)
}

/// What a run records about itself.
#[derive(Debug, Clone, Default)]
pub struct SessionInfo {
    pub source: String,
    /// The run's settings as JSON text.
    pub settings: String,
    pub sensor: Option<(f64, f64)>,
}

enum Row {
    Message { time_s: f64, v: Value, text: String },
    Track { lost: bool, v: Value, text: String },
    Point { v: Value },
    Alert { v: Value },
    Flush(Sender<Result<(), String>>),
}

/// The SQLite output.
pub struct DbSink {
    tx: Option<Sender<Row>>,
    writer: Option<JoinHandle<Result<u64, String>>>,
    watch: Watch,
    events: Vec<WatchEvent>,
    path: PathBuf,
    /// UTC of sample time 0 (ns), once a record gives it.
    utc0_ns: Option<i128>,
    /// Address → identifier of the aircraft the tracker ties it to.
    owners: std::collections::HashMap<crate::util::MacAddr, String>,
}

const BATCH_ROWS: usize = 2000;
const BATCH_S: f64 = 1.0;

impl DbSink {
    /// Opens the database, records the session and starts the writer.
    pub fn create(path: &Path, session: SessionInfo, watch: Watch) -> Result<DbSink, String> {
        let c = open(path)?;
        let now = crate::util::time::rfc3339_ns(crate::util::time::now_unix_ns().unwrap_or(0));
        c.execute(
            "INSERT INTO sessions (started_utc, source, settings, sensor_lat_deg, sensor_lon_deg, ridscope_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                now,
                session.source,
                session.settings,
                session.sensor.map(|s| s.0),
                session.sensor.map(|s| s.1),
                env!("CARGO_PKG_VERSION")
            ],
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        let session_id = c.last_insert_rowid();
        let (tx, rx) = bounded::<Row>(8192);
        let name = path.display().to_string();
        let writer = std::thread::spawn(move || write_loop(c, session_id, rx, &name));
        Ok(DbSink {
            tx: Some(tx),
            writer: Some(writer),
            watch,
            events: Vec::new(),
            path: path.to_path_buf(),
            owners: Default::default(),
            utc0_ns: None,
        })
    }

    fn send(&mut self, row: Row) -> std::io::Result<()> {
        let failed = match &self.tx {
            Some(tx) => tx.send(row).is_err(),
            None => true,
        };
        if failed {
            return Err(std::io::Error::other(self.writer_error()));
        }
        Ok(())
    }

    /// The writer's error once it has stopped.
    fn writer_error(&mut self) -> String {
        self.tx = None;
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            Some(Err(_)) => format!("{}: the database writer panicked", self.path.display()),
            _ => format!("{}: the database writer stopped", self.path.display()),
        }
    }

    fn push_events(&mut self) -> std::io::Result<()> {
        let events = std::mem::take(&mut self.events);
        for ev in &events {
            match ev {
                WatchEvent::Track(t) => {
                    let text = serde_json::to_string(t).map_err(std::io::Error::other)?;
                    let mut v = serde_json::to_value(t).map_err(std::io::Error::other)?;
                    if let (Some(t0), Some(o)) = (self.utc0_ns, v.as_object_mut()) {
                        let at = t0 + (t.summary().time_s * 1e9).round() as i128;
                        o.insert("time_utc".into(), Value::String(crate::util::time::rfc3339_ns(at)));
                    }
                    let moved = matches!(t, TrackEvent::TrackNew(_) | TrackEvent::TrackUpdate(_))
                        && t.summary().lat_deg.is_some()
                        && t.summary().fields.get("position").is_some_and(|f| f.updated_s == t.summary().time_s);
                    if moved {
                        self.send(Row::Point { v: v.clone() })?;
                    }
                    self.send(Row::Track { lost: matches!(t, TrackEvent::TrackLost(_)), v, text })?;
                }
                WatchEvent::Alert(a) => {
                    let v = serde_json::to_value(a).map_err(std::io::Error::other)?;
                    self.send(Row::Alert { v })?;
                }
            }
        }
        self.events = events;
        self.events.clear();
        Ok(())
    }
}

impl Sink for DbSink {
    fn record(&mut self, r: &Record) -> std::io::Result<()> {
        let mut events = std::mem::take(&mut self.events);
        self.watch.push(r, &mut events);
        self.events = events;
        // addresses the tracker has tied to an aircraft
        for ev in &self.events {
            if let WatchEvent::Track(t) = ev {
                let s = t.summary();
                if let Some(a) = s.src_addr {
                    if matches!(t, TrackEvent::TrackLost(_)) {
                        self.owners.remove(&a);
                    } else {
                        self.owners.insert(a, s.key.id.clone());
                    }
                }
            }
        }
        // the stream's clock: UTC of sample time 0, from any record that has it
        let env = match r {
            Record::Message(m) => &m.env,
            Record::Error(e) => &e.env,
        };
        if self.utc0_ns.is_none()
            && let Some(ns) = env.time_utc.as_deref().and_then(crate::source::sigmf::parse_rfc3339)
        {
            self.utc0_ns = Some(ns - (env.time_s * 1e9).round() as i128);
        }
        if let Record::Message(m) = r {
            // the record column is the JSON line exactly as -o writes it
            // (f32 fields keep their short form); the columns come from v
            let text = serde_json::to_string(r).map_err(std::io::Error::other)?;
            let mut v = serde_json::to_value(r).map_err(std::io::Error::other)?;
            if s(&v, "uas_id").or_else(|| s(&v, "serial")).is_none()
                && let Some(id) = m.env.src_addr.and_then(|a| self.owners.get(&a))
                && let Some(o) = v.as_object_mut()
            {
                o.insert("uas_id".into(), Value::String(id.clone()));
            }
            self.send(Row::Message { time_s: m.env.time_s, v, text })?;
        }
        self.push_events()
    }

    /// Commits everything written so far (waits for the writer).
    fn flush(&mut self) -> std::io::Result<()> {
        let (ack, done) = bounded(1);
        self.send(Row::Flush(ack))?;
        match done.recv() {
            Ok(r) => r.map_err(std::io::Error::other),
            Err(_) => Err(std::io::Error::other(self.writer_error())),
        }
    }
}

impl Drop for DbSink {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// The writer thread: batches rows into transactions.
fn write_loop(mut c: Connection, session: i64, rx: Receiver<Row>, name: &str) -> Result<u64, String> {
    let err = |e: rusqlite::Error| format!("{name}: {e}");
    let mut written = 0u64;
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH_ROWS);
    let mut started = Instant::now();
    loop {
        let (row, closed) = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(r) => (Some(r), false),
            Err(RecvTimeoutError::Timeout) => (None, false),
            Err(RecvTimeoutError::Disconnected) => (None, true),
        };
        let mut ack = None;
        match row {
            Some(Row::Flush(a)) => ack = Some(a),
            Some(r) => {
                if batch.is_empty() {
                    started = Instant::now();
                }
                batch.push(r);
            }
            None => {}
        }
        let due = ack.is_some()
            || closed
            || batch.len() >= BATCH_ROWS
            || (!batch.is_empty() && started.elapsed().as_secs_f64() >= BATCH_S);
        if due && !batch.is_empty() {
            let tx = c.transaction().map_err(err)?;
            for r in batch.drain(..) {
                insert(&tx, session, r).map_err(err)?;
                written += 1;
            }
            tx.commit().map_err(err)?;
        }
        if let Some(a) = ack {
            let _ = a.send(Ok(()));
        }
        if closed {
            return Ok(written);
        }
    }
}

fn insert(tx: &rusqlite::Transaction<'_>, session: i64, r: Row) -> rusqlite::Result<()> {
    match r {
        Row::Message { time_s, v, text } => {
            let uas = s(&v, "uas_id").or_else(|| s(&v, "serial"));
            let rssi = f(&v, "rssi_dbm").or_else(|| f(&v, "rssi_dbfs"));
            tx.prepare_cached(
                "INSERT INTO messages (session_id, time_s, time_utc, transport, protocol, msg_type, uas_id, src_addr,
                 lat_deg, lon_deg, alt_geo_m, operator_lat_deg, operator_lon_deg, rssi_db, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                session,
                time_s,
                s(&v, "time_utc"),
                s(&v, "transport"),
                s(&v, "protocol"),
                s(&v, "msg_type"),
                uas,
                s(&v, "src_addr"),
                f(&v, "lat_deg"),
                f(&v, "lon_deg"),
                f(&v, "alt_geo_m"),
                f(&v, "operator_lat_deg"),
                f(&v, "operator_lon_deg"),
                rssi,
                text
            ])?;
        }
        Row::Track { lost, v, text } => {
            tx.prepare_cached(
                "INSERT INTO tracks (session_id, track_id, uas_id, id_kind, first_seen_s, last_seen_s, last_utc, messages,
                 model, operator_lat_deg, operator_lon_deg, home_lat_deg, home_lon_deg, lost, summary)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (session_id, track_id) DO UPDATE SET uas_id = excluded.uas_id, id_kind = excluded.id_kind,
                 last_seen_s = excluded.last_seen_s, last_utc = excluded.last_utc, messages = excluded.messages,
                 model = excluded.model, operator_lat_deg = excluded.operator_lat_deg,
                 operator_lon_deg = excluded.operator_lon_deg, home_lat_deg = excluded.home_lat_deg,
                 home_lon_deg = excluded.home_lon_deg, lost = excluded.lost, summary = excluded.summary",
            )?
            .execute(params![
                session,
                v.get("track_id").and_then(Value::as_i64),
                s(&v, "uas_id"),
                s(&v, "id_kind"),
                f(&v, "first_seen_s"),
                f(&v, "last_seen_s"),
                s(&v, "time_utc"),
                v.get("messages").and_then(Value::as_i64),
                s(&v, "model"),
                f(&v, "operator_lat_deg"),
                f(&v, "operator_lon_deg"),
                f(&v, "home_lat_deg"),
                f(&v, "home_lon_deg"),
                lost,
                text
            ])?;
        }
        Row::Point { v } => {
            tx.prepare_cached(
                "INSERT INTO track_points (session_id, track_id, uas_id, time_s, time_utc, lat_deg, lon_deg, alt_geo_m,
                 height_m, speed_h_mps, direction_deg) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                session,
                v.get("track_id").and_then(Value::as_i64),
                s(&v, "uas_id"),
                f(&v, "time_s"),
                s(&v, "time_utc"),
                f(&v, "lat_deg"),
                f(&v, "lon_deg"),
                f(&v, "alt_geo_m"),
                f(&v, "height_m"),
                f(&v, "speed_h_mps"),
                f(&v, "direction_deg")
            ])?;
        }
        Row::Alert { v } => {
            tx.prepare_cached(
                "INSERT INTO alerts (session_id, time_s, uas_id, zone, transition, lat_deg, lon_deg, allowed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                session,
                f(&v, "time_s"),
                s(&v, "serial"),
                s(&v, "zone"),
                s(&v, "transition"),
                f(&v, "lat_deg"),
                f(&v, "lon_deg"),
                v.get("allowed").and_then(Value::as_bool).unwrap_or(false)
            ])?;
        }
        Row::Flush(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_newer_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("ridscope-db-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("h.db");
        let c = open(&p).unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v as usize, SCHEMA_VERSION);
        drop(c);
        // again: nothing to apply, tables kept
        let c = open(&p).unwrap();
        let n: i64 = c.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 5);
        c.pragma_update(None, "user_version", 99).unwrap();
        drop(c);
        let e = open(&p).err().unwrap();
        assert!(e.contains("schema version 99 is newer"), "{e}");
        // not a database
        let junk = dir.join("junk.db");
        std::fs::write(&junk, b"this is not sqlite, just text that is long enough to have a header........").unwrap();
        assert!(open(&junk).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
