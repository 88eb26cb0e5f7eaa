//! The tracker: decoded messages ([`MessageRecord`]s) in, aircraft
//! ([`Track`]s) and [`TrackEvent`]s out. Pure: no I/O, no threads, no wall
//! clock. Time is the records' sample time (`time_s`), so replaying the same
//! records gives the same tracks and events.
//!
//! **Identity.** One track per aircraft, keyed by what the aircraft says it
//! is ([`TrackKey`]): the ODID Basic ID (serial, session ID, UTM UUID, CAA
//! registration), the French beacon's CTA-2063 serial (or its French ID),
//! the DJI serial. Serials of every protocol share one key kind, so an
//! aircraft heard over BLE 4, BLE 5, Wi-Fi beacons, NAN and OcuSync is one
//! track. Never by transmitter address: BLE addresses rotate.
//!
//! **Messages without an identifier** (an ODID Location in its own BLE 4
//! advert, a DJI Wi-Fi record with an empty serial) are attributed through
//! the transmitter address: every message that carries an identifier
//! associates its `src_addr` with its track; the association expires when
//! the address has been silent for [`TrackerConfig::addr_timeout_s`]. A
//! message from an address with no association is *held* (up to
//! [`TrackerConfig::hold_s`], bounded per address and in number of
//! addresses) and replayed into the track as soon as the address sends an
//! identifier; held messages that time out are counted as unattributed
//! ([`TrackerStats::unattributed`]). So after a rotation, the Locations a new
//! address sends before its first Basic ID are not lost.
//!
//! **Plausibility** (see [`TrackerConfig`] for the numbers): positions at
//! null island or out of range are not taken; a position farther from the
//! track's position than `speed limit × (elapsed + slack) + accuracies`
//! allows is a teleport: flagged, counted, not taken, unless consistent
//! reports confirm it (then it is accepted and flagged as a move). The rule
//! follows readsb/dump1090's position speed check.
//!
//! **Memory** is bounded: histories are rings, tracks expire after
//! [`TrackerConfig::track_timeout_s`] without a message (and at most
//! [`TrackerConfig::max_tracks`] live at once), address associations and
//! held messages expire too.

mod observe;
mod state;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::decode::{MessageRecord, Record};
use crate::protocol::{ProtocolId, Transport};
use crate::util::MacAddr;
use observe::{Obs, RawPos};
use state::{Candidate, set};
pub use state::{
    Field, Flag, FlagCounts, FlagKind, GeoPos, HeightRef, IdKind, MsgCounter, PositionSample, RssiSample, RssiUnit,
    Track, TrackKey,
};

/// How long each kind of field stays fresh after its last update (seconds
/// of sample time). ASTM F3411 asks for Location at 1 Hz or more and the
/// static messages about every 3 s.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleAges {
    /// Drone position.
    pub position_s: f64,
    /// Altitudes and height.
    pub altitude_s: f64,
    /// Speed, course and vertical speed.
    pub velocity_s: f64,
    /// Operator position.
    pub operator_s: f64,
    /// Home / take-off point.
    pub home_s: f64,
    /// Model, UA type, status, Self ID, Operator ID, transmitter address.
    pub identity_s: f64,
}

impl Default for StaleAges {
    fn default() -> Self {
        StaleAges {
            position_s: 5.0,
            altitude_s: 5.0,
            velocity_s: 5.0,
            operator_s: 15.0,
            home_s: 30.0,
            identity_s: 15.0,
        }
    }
}

/// Tracker settings. Defaults in brackets.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerConfig {
    /// The sensor's position, for distance and bearing [none].
    pub sensor: Option<GeoPos>,
    /// When fields become stale.
    pub stale: StaleAges,
    /// A track without a message for this long is removed with a
    /// `track_lost` event [60 s].
    pub track_timeout_s: f64,
    /// At most this many live tracks; beyond, the least recently seen one is
    /// dropped (with `track_lost`) [4096].
    pub max_tracks: usize,
    /// An address → track association expires after the address was silent
    /// this long [30 s].
    pub addr_timeout_s: f64,
    /// Messages from an unknown address wait this long for an identifier [5 s].
    pub hold_s: f64,
    /// At most this many held messages per address [32] ...
    pub hold_max_per_addr: usize,
    /// ... and addresses with held messages [64].
    pub hold_max_addrs: usize,
    /// Speed limit of the jump check [100 m/s: faster than any multirotor;
    /// fixed-wing drones that report a higher ground speed raise it].
    pub max_speed_mps: f64,
    /// A reported ground speed times this also counts as a limit [1.3].
    pub speed_margin: f64,
    /// Added to the elapsed time of the jump check [1 s: report timing].
    pub time_slack_s: f64,
    /// Position accuracy assumed when a report does not say [30 m] ...
    pub default_accuracy_m: f64,
    /// ... and the most any one report's stated accuracy adds [500 m].
    pub max_accuracy_slack_m: f64,
    /// Consistent reports (the first included) that make a jump a move [2].
    pub confirm_reports: u32,
    /// Reports counted for a confirmation are at least this far apart, so
    /// copies of one report on several channels count once [0.5 s].
    pub confirm_min_interval_s: f64,
    /// Positions within this many degrees of 0°, 0° are null island [0.01°].
    pub null_island_deg: f64,
    /// Position history length [512] ...
    pub history_len: usize,
    /// ... one entry at most every [0.5 s].
    pub history_min_interval_s: f64,
    /// RSSI history length [256].
    pub rssi_history_len: usize,
    /// Sliding window of the message rates, whole seconds [10].
    pub rate_window_s: u32,
    /// At most one `track_update` per track per this interval; 0 = one per
    /// message [0]. Changes in between are reported by the next update.
    pub update_interval_s: f64,
    /// At most one `track_flag` event per track and flag kind per this
    /// interval (the counters count every flag) [5 s].
    pub flag_event_interval_s: f64,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            sensor: None,
            stale: StaleAges::default(),
            track_timeout_s: 60.0,
            max_tracks: 4096,
            addr_timeout_s: 30.0,
            hold_s: 5.0,
            hold_max_per_addr: 32,
            hold_max_addrs: 64,
            max_speed_mps: 100.0,
            speed_margin: 1.3,
            time_slack_s: 1.0,
            default_accuracy_m: 30.0,
            max_accuracy_slack_m: 500.0,
            confirm_reports: 2,
            confirm_min_interval_s: 0.5,
            null_island_deg: 0.01,
            history_len: 512,
            history_min_interval_s: 0.5,
            rssi_history_len: 256,
            rate_window_s: 10,
            update_interval_s: 0.0,
            flag_event_interval_s: 5.0,
        }
    }
}

/// Freshness and source of one field, as printed in `fields`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldInfo {
    /// Transport of the message that set it.
    pub source: Transport,
    /// Sample time of the last update.
    pub updated_s: f64,
    /// Whether it is stale at the summary's time.
    pub stale: bool,
}

/// A track's state at one sample time: what a `track_*` event carries.
/// Serializes with the field names of docs/DATA_FORMAT.md ("Track updates").
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackSummary {
    /// Sample time of the event.
    pub time_s: f64,
    pub track_id: u64,
    /// The primary identifier and its kind.
    #[serde(flatten)]
    pub key: TrackKey,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<TrackKey>,
    pub transports: Vec<Transport>,
    pub protocols: Vec<ProtocolId>,
    pub first_seen_s: f64,
    pub last_seen_s: f64,
    pub messages: u64,
    pub src_addr: Option<MacAddr>,
    pub model: Option<String>,
    pub ua_type: Option<String>,
    pub status: Option<String>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    pub h_accuracy_m: Option<f64>,
    pub alt_geo_m: Option<f64>,
    pub alt_baro_m: Option<f64>,
    pub alt_msl_m: Option<f64>,
    pub height_m: Option<f64>,
    pub height_type: Option<HeightRef>,
    pub speed_h_mps: Option<f64>,
    pub direction_deg: Option<f64>,
    pub speed_v_mps: Option<f64>,
    pub distance_m: Option<f64>,
    pub bearing_deg: Option<f64>,
    pub operator_lat_deg: Option<f64>,
    pub operator_lon_deg: Option<f64>,
    pub operator_alt_geo_m: Option<f64>,
    pub operator_distance_m: Option<f64>,
    pub home_lat_deg: Option<f64>,
    pub home_lon_deg: Option<f64>,
    pub self_id: Option<String>,
    pub operator_id: Option<String>,
    pub rssi_dbm: Option<f32>,
    pub rssi_dbfs: Option<f32>,
    /// Messages per second by `msg_type` over the rate window.
    pub msg_rates_hz: BTreeMap<&'static str, f64>,
    /// Names of the fields that are stale at `time_s`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<&'static str>,
    /// Source, update time and staleness of every known field.
    pub fields: BTreeMap<&'static str, FieldInfo>,
    pub flags: FlagCounts,
    pub last_flag: Option<Flag>,
}

/// What the tracker reports. Serializes as one JSON object with an `event`
/// field (`track_new`, `track_update`, `track_flag`, `track_lost`) and the
/// [`TrackSummary`] fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TrackEvent {
    /// The first message of a new aircraft (or of one that had expired).
    TrackNew(TrackSummary),
    /// The track changed.
    TrackUpdate(TrackSummary),
    /// A report failed a plausibility check; `last_flag` says which.
    TrackFlag(TrackSummary),
    /// No message for the track timeout (`time_s` is when it expired), or
    /// dropped to stay under `max_tracks`: the track is removed.
    TrackLost(TrackSummary),
}

impl TrackEvent {
    /// The track state the event carries.
    pub fn summary(&self) -> &TrackSummary {
        match self {
            TrackEvent::TrackNew(s)
            | TrackEvent::TrackUpdate(s)
            | TrackEvent::TrackFlag(s)
            | TrackEvent::TrackLost(s) => s,
        }
    }

    /// The event name as serialized.
    pub fn name(&self) -> &'static str {
        match self {
            TrackEvent::TrackNew(_) => "track_new",
            TrackEvent::TrackUpdate(_) => "track_update",
            TrackEvent::TrackFlag(_) => "track_flag",
            TrackEvent::TrackLost(_) => "track_lost",
        }
    }
}

/// Tracker counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrackerStats {
    /// Records pushed.
    pub records: u64,
    /// Records attributed to a track (held ones when they are replayed).
    pub attributed: u64,
    /// Records held for an address to send its identifier.
    pub held: u64,
    /// Records that could not be attributed: no identifier and no (or an
    /// unknown) address, or held until they timed out.
    pub unattributed: u64,
    /// Records with a time that is not a number.
    pub bad_time: u64,
    pub tracks_created: u64,
    pub tracks_expired: u64,
    /// Tracks dropped to stay under `max_tracks`.
    pub tracks_evicted: u64,
}

/// The tracker. See the module documentation.
#[derive(Debug, Clone)]
pub struct Tracker {
    cfg: TrackerConfig,
    tracks: BTreeMap<u64, Track>,
    index: BTreeMap<TrackKey, u64>,
    /// Address → (track, sample time the address was last heard).
    addrs: BTreeMap<MacAddr, (u64, f64)>,
    held: BTreeMap<MacAddr, VecDeque<MessageRecord>>,
    next_id: u64,
    now_s: f64,
    stats: TrackerStats,
}

/// Field names, in output order, with the stale age that applies.
const FIELD_NAMES: [&str; 17] = [
    "position",
    "alt_geo",
    "alt_baro",
    "alt_msl",
    "height",
    "speed_h",
    "direction",
    "speed_v",
    "operator",
    "operator_alt_geo",
    "home",
    "model",
    "ua_type",
    "status",
    "self_id",
    "operator_id",
    "src_addr",
];

impl Track {
    /// Source, update time and staleness at `now_s` of every field that has a
    /// value, by name (`position`, `alt_geo`, ..., `src_addr`).
    pub fn field_info(&self, now_s: f64, ages: &StaleAges) -> BTreeMap<&'static str, FieldInfo> {
        let mut out = BTreeMap::new();
        for name in FIELD_NAMES {
            if let Some((source, updated_s)) = self.field_meta(name) {
                let age = stale_age(name, ages);
                out.insert(name, FieldInfo { source, updated_s, stale: now_s - updated_s > age });
            }
        }
        out
    }

    /// Whether field `name` (see [`Track::field_info`]) is stale at `now_s`;
    /// `None` when it has no value.
    pub fn is_stale(&self, name: &str, now_s: f64, ages: &StaleAges) -> Option<bool> {
        self.field_meta(name).map(|(_, updated_s)| now_s - updated_s > stale_age(name, ages))
    }

    fn field_meta(&self, name: &str) -> Option<(Transport, f64)> {
        fn m<T>(f: &Option<Field<T>>) -> Option<(Transport, f64)> {
            f.as_ref().map(|f| (f.source, f.updated_s))
        }
        match name {
            "position" => m(&self.position),
            "alt_geo" => m(&self.alt_geo_m),
            "alt_baro" => m(&self.alt_baro_m),
            "alt_msl" => m(&self.alt_msl_m),
            "height" => m(&self.height_m),
            "speed_h" => m(&self.speed_h_mps),
            "direction" => m(&self.course_deg),
            "speed_v" => m(&self.speed_v_mps),
            "operator" => m(&self.operator),
            "operator_alt_geo" => m(&self.operator_alt_geo_m),
            "home" => m(&self.home),
            "model" => m(&self.model),
            "ua_type" => m(&self.ua_type),
            "status" => m(&self.status),
            "self_id" => m(&self.self_id),
            "operator_id" => m(&self.operator_id),
            "src_addr" => m(&self.src_addr),
            _ => None,
        }
    }

    /// The track's state at sample time `now_s`.
    pub fn summary(&self, now_s: f64, cfg: &TrackerConfig) -> TrackSummary {
        let fields = self.field_info(now_s, &cfg.stale);
        let stale = fields.iter().filter(|(_, f)| f.stale).map(|(n, _)| *n).collect();
        let pos = self.position.as_ref().map(|f| f.value);
        let op = self.operator.as_ref().map(|f| f.value);
        let home = self.home.as_ref().map(|f| f.value);
        let v = |f: &Option<Field<f64>>| f.as_ref().map(|f| f.value);
        let s = |f: &Option<Field<String>>| f.as_ref().map(|f| f.value.clone());
        let dist_bearing = cfg.sensor.zip(pos).map(|(s, p)| (s.distance_m(p), s.bearing_deg(p)));
        let last = |unit| self.rssi.iter().rev().find(|r| r.unit == unit).map(|r| r.value);
        TrackSummary {
            time_s: now_s,
            track_id: self.id,
            key: self.key.clone(),
            aliases: self.aliases.clone(),
            transports: self.transports_seen().collect(),
            protocols: self.protocols.iter().copied().collect(),
            first_seen_s: self.first_seen_s,
            last_seen_s: self.last_seen_s,
            messages: self.messages,
            src_addr: self.src_addr.as_ref().map(|f| f.value),
            model: s(&self.model),
            ua_type: s(&self.ua_type),
            status: s(&self.status),
            lat_deg: pos.map(|p| p.lat_deg),
            lon_deg: pos.map(|p| p.lon_deg),
            h_accuracy_m: self.h_accuracy_m,
            alt_geo_m: v(&self.alt_geo_m),
            alt_baro_m: v(&self.alt_baro_m),
            alt_msl_m: v(&self.alt_msl_m),
            height_m: self.height_m.as_ref().map(|f| f.value.0),
            height_type: self.height_m.as_ref().map(|f| f.value.1),
            speed_h_mps: v(&self.speed_h_mps),
            direction_deg: v(&self.course_deg),
            speed_v_mps: v(&self.speed_v_mps),
            distance_m: dist_bearing.map(|d| d.0),
            bearing_deg: dist_bearing.map(|d| d.1),
            operator_lat_deg: op.map(|p| p.lat_deg),
            operator_lon_deg: op.map(|p| p.lon_deg),
            operator_alt_geo_m: v(&self.operator_alt_geo_m),
            operator_distance_m: cfg.sensor.zip(op).map(|(s, p)| s.distance_m(p)),
            home_lat_deg: home.map(|p| p.lat_deg),
            home_lon_deg: home.map(|p| p.lon_deg),
            self_id: s(&self.self_id),
            operator_id: s(&self.operator_id),
            rssi_dbm: last(RssiUnit::Dbm),
            rssi_dbfs: last(RssiUnit::Dbfs),
            msg_rates_hz: self
                .msg_types
                .iter()
                .map(|(k, c)| (*k, c.rate_hz(now_s, cfg.rate_window_s, now_s - self.first_seen_s)))
                .collect(),
            stale,
            fields,
            flags: self.flags.clone(),
            last_flag: self.last_flag.clone(),
        }
    }
}

fn stale_age(name: &str, a: &StaleAges) -> f64 {
    match name {
        "position" => a.position_s,
        "alt_geo" | "alt_baro" | "alt_msl" | "height" => a.altitude_s,
        "speed_h" | "direction" | "speed_v" => a.velocity_s,
        "operator" | "operator_alt_geo" => a.operator_s,
        "home" => a.home_s,
        _ => a.identity_s,
    }
}

/// Rank of a key kind for the primary identifier (lower is better).
fn rank(k: IdKind) -> u8 {
    match k {
        IdKind::Serial => 0,
        IdKind::SessionId => 1,
        IdKind::UtmUuid => 2,
        IdKind::CaaRegistration => 3,
        IdKind::FrenchId => 4,
        IdKind::Other => 5,
    }
}

/// Most aliases one track keeps.
const MAX_ALIASES: usize = 8;

impl Default for Tracker {
    fn default() -> Self {
        Tracker::new(TrackerConfig::default())
    }
}

impl Tracker {
    pub fn new(cfg: TrackerConfig) -> Tracker {
        Tracker {
            cfg,
            tracks: BTreeMap::new(),
            index: BTreeMap::new(),
            addrs: BTreeMap::new(),
            held: BTreeMap::new(),
            next_id: 1,
            now_s: f64::NEG_INFINITY,
            stats: TrackerStats::default(),
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    pub fn stats(&self) -> &TrackerStats {
        &self.stats
    }

    /// The latest sample time seen (−∞ before the first record).
    pub fn now_s(&self) -> f64 {
        self.now_s
    }

    /// The live tracks, in order of creation.
    pub fn tracks(&self) -> impl Iterator<Item = &Track> {
        self.tracks.values()
    }

    pub fn track(&self, id: u64) -> Option<&Track> {
        self.tracks.get(&id)
    }

    /// The live track known by `key` (primary or alias).
    pub fn find(&self, key: &TrackKey) -> Option<&Track> {
        self.index.get(key).and_then(|id| self.tracks.get(id))
    }

    /// Records held for their address to send an identifier.
    pub fn held_records(&self) -> usize {
        self.held.values().map(VecDeque::len).sum()
    }

    /// Pushes an output record; decode errors are ignored.
    pub fn push_record(&mut self, rec: &Record, out: &mut Vec<TrackEvent>) {
        if let Record::Message(m) = rec {
            self.push(m, out);
        }
    }

    /// Pushes one decoded message; events go to `out`.
    pub fn push(&mut self, rec: &MessageRecord, out: &mut Vec<TrackEvent>) {
        self.stats.records += 1;
        let t = rec.env.time_s;
        if !t.is_finite() {
            self.stats.bad_time += 1;
            return;
        }
        self.tick(t, out);
        let obs = Obs::of(&rec.message);
        let addr = rec.env.src_addr;
        let resolved = if obs.keys.is_empty() { None } else { self.resolve(&obs.keys, addr, t, out) };
        let id = if let Some(id) = resolved {
            id
        } else {
            match addr.and_then(|a| self.addrs.get(&a).filter(|(_, last)| t - last <= self.cfg.addr_timeout_s)) {
                Some(&(id, _)) => id,
                None => {
                    match addr {
                        Some(a) => self.hold(a, rec),
                        None => self.stats.unattributed += 1,
                    }
                    return;
                }
            }
        };
        if let Some(a) = addr {
            self.addrs.insert(a, (id, t));
            if let Some(held) = self.held.remove(&a) {
                for h in held {
                    let o = Obs::of(&h.message);
                    self.apply(id, &h, &o, out);
                }
            }
        }
        self.apply(id, rec, &obs, out);
    }

    /// Advances sample time to `time_s`: expires tracks, address
    /// associations and held records, and sends the updates that
    /// `update_interval_s` held back. Pushing a record does this too.
    pub fn tick(&mut self, time_s: f64, out: &mut Vec<TrackEvent>) {
        if !time_s.is_finite() {
            return;
        }
        let t = time_s.max(self.now_s);
        self.now_s = t;
        // expired tracks, in order of expiry
        let timeout = self.cfg.track_timeout_s;
        let mut gone: Vec<(f64, u64)> =
            self.tracks.values().filter(|tr| t - tr.last_seen_s > timeout).map(|tr| (tr.last_seen_s, tr.id)).collect();
        gone.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (last, id) in gone {
            self.remove(id, last + timeout, out);
            self.stats.tracks_expired += 1;
        }
        // updates held back by the interval
        if self.cfg.update_interval_s > 0.0 {
            for tr in self.tracks.values_mut() {
                if tr.dirty && t - tr.last_event_s >= self.cfg.update_interval_s {
                    tr.dirty = false;
                    tr.last_event_s = tr.last_seen_s;
                    out.push(TrackEvent::TrackUpdate(tr.summary(tr.last_seen_s, &self.cfg)));
                }
            }
        }
        let addr_timeout = self.cfg.addr_timeout_s;
        self.addrs.retain(|_, (_, last)| t - *last <= addr_timeout);
        let hold_s = self.cfg.hold_s;
        let mut dropped = 0u64;
        self.held.retain(|_, q| {
            while q.front().is_some_and(|r| t - r.env.time_s > hold_s) {
                q.pop_front();
                dropped += 1;
            }
            !q.is_empty()
        });
        self.stats.unattributed += dropped;
    }

    /// Removes every track (with `track_lost` events at the current time),
    /// e.g. at the end of a capture.
    pub fn finish(&mut self, out: &mut Vec<TrackEvent>) {
        let ids: Vec<u64> = self.tracks.keys().copied().collect();
        let t = self.now_s;
        for id in ids {
            self.remove(id, t, out);
        }
        self.stats.unattributed += self.held.values().map(|q| q.len() as u64).sum::<u64>();
        self.held.clear();
        self.addrs.clear();
    }

    fn remove(&mut self, id: u64, at_s: f64, out: &mut Vec<TrackEvent>) {
        let Some(tr) = self.tracks.remove(&id) else { return };
        if tr.dirty {
            out.push(TrackEvent::TrackUpdate(tr.summary(tr.last_seen_s, &self.cfg)));
        }
        out.push(TrackEvent::TrackLost(tr.summary(at_s, &self.cfg)));
        for k in tr.keys() {
            if self.index.get(k) == Some(&id) {
                self.index.remove(k);
            }
        }
        self.addrs.retain(|_, (tid, _)| *tid != id);
    }

    fn hold(&mut self, addr: MacAddr, rec: &MessageRecord) {
        if !self.held.contains_key(&addr) && self.held.len() >= self.cfg.hold_max_addrs {
            // drop the address whose oldest held record is the oldest
            let oldest = self
                .held
                .iter()
                .filter_map(|(a, q)| q.front().map(|r| (r.env.time_s, *a)))
                .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            if let Some((_, a)) = oldest {
                let n = self.held.remove(&a).map_or(0, |q| q.len());
                self.stats.unattributed += n as u64;
            }
        }
        if self.cfg.hold_max_per_addr == 0 || self.cfg.hold_max_addrs == 0 {
            self.stats.unattributed += 1;
            return;
        }
        let q = self.held.entry(addr).or_default();
        if q.len() >= self.cfg.hold_max_per_addr {
            q.pop_front();
            self.stats.unattributed += 1;
        }
        q.push_back(rec.clone());
        self.stats.held += 1;
    }

    /// The track of a message with identifiers: found by any key, else by a
    /// fresh address association, else new. Keys it did not know become
    /// aliases (the best one the primary key).
    fn resolve(&mut self, keys: &[TrackKey], addr: Option<MacAddr>, t: f64, out: &mut Vec<TrackEvent>) -> Option<u64> {
        let found = keys.iter().find_map(|k| self.index.get(k).copied()).or_else(|| {
            addr.and_then(|a| self.addrs.get(&a))
                .filter(|(_, last)| t - last <= self.cfg.addr_timeout_s)
                .map(|&(id, _)| id)
        });
        let id = match found.filter(|id| self.tracks.contains_key(id)) {
            Some(id) => id,
            None => {
                if self.tracks.len() >= self.cfg.max_tracks.max(1) {
                    let victim = self
                        .tracks
                        .values()
                        .min_by(|a, b| a.last_seen_s.total_cmp(&b.last_seen_s).then(a.id.cmp(&b.id)))
                        .map(|tr| tr.id);
                    if let Some(v) = victim {
                        self.remove(v, t, out);
                        self.stats.tracks_evicted += 1;
                    }
                }
                let best = keys.iter().min_by_key(|k| rank(k.kind))?.clone();
                let id = self.next_id;
                self.next_id += 1;
                self.stats.tracks_created += 1;
                self.index.insert(best.clone(), id);
                self.tracks.insert(id, Track::new(id, best, t));
                id
            }
        };
        for k in keys {
            if self.index.contains_key(k) {
                continue;
            }
            let Some(tr) = self.tracks.get_mut(&id) else { break };
            if tr.aliases.len() >= MAX_ALIASES {
                break;
            }
            self.index.insert(k.clone(), id);
            if rank(k.kind) < rank(tr.key.kind) {
                let old = std::mem::replace(&mut tr.key, k.clone());
                tr.aliases.push(old);
            } else {
                tr.aliases.push(k.clone());
            }
        }
        Some(id)
    }

    fn apply(&mut self, id: u64, rec: &MessageRecord, obs: &Obs, out: &mut Vec<TrackEvent>) {
        let cfg = &self.cfg;
        let Some(tr) = self.tracks.get_mut(&id) else { return };
        self.stats.attributed += 1;
        let t = rec.env.time_s;
        let src = rec.env.transport;
        let is_new = tr.messages == 0;
        tr.messages += 1;
        tr.first_seen_s = tr.first_seen_s.min(t);
        tr.last_seen_s = tr.last_seen_s.max(t);
        *tr.transports.entry(src).or_default() += 1;
        tr.protocols.insert(rec.env.protocol);
        tr.msg_types.entry(rec.message.msg_type()).or_default().add(t, cfg.rate_window_s);
        if let Some(a) = rec.env.src_addr {
            set(&mut tr.src_addr, a, src, t);
        }
        let rssi = match (rec.env.rssi_dbm, rec.env.rssi_dbfs) {
            (Some(v), _) => Some((v, RssiUnit::Dbm)),
            (None, Some(v)) => Some((v, RssiUnit::Dbfs)),
            _ => None,
        };
        if let Some((value, unit)) = rssi.filter(|(v, _)| v.is_finite()) {
            push_ring(&mut tr.rssi, RssiSample { time_s: t, value, unit, transport: src }, cfg.rssi_history_len);
        }

        let mut flags: Vec<Flag> = Vec::new();
        if !obs.invalid.is_empty() {
            tr.flags.invalid_values += 1;
            let mut f = Flag::new(FlagKind::InvalidValue, t, src);
            f.fields = obs.invalid.clone();
            flags.push(f);
        }
        let fin = |x: Option<f64>| x.filter(|v| v.is_finite());
        // values first: the jump check uses the reported speed
        if let Some(v) = fin(obs.speed_h_mps).filter(|v| *v >= 0.0) {
            set(&mut tr.speed_h_mps, v, src, t);
        }
        if let Some(v) = fin(obs.course_deg) {
            set(&mut tr.course_deg, v.rem_euclid(360.0), src, t);
        }
        if let Some(v) = fin(obs.speed_v_mps) {
            set(&mut tr.speed_v_mps, v, src, t);
        }
        if let Some(v) = fin(obs.alt_geo_m) {
            set(&mut tr.alt_geo_m, v, src, t);
        }
        if let Some(v) = fin(obs.alt_baro_m) {
            set(&mut tr.alt_baro_m, v, src, t);
        }
        if let Some(v) = fin(obs.alt_msl_m) {
            set(&mut tr.alt_msl_m, v, src, t);
        }
        if let Some(h) = obs.height.filter(|h| h.0.is_finite()) {
            set(&mut tr.height_m, h, src, t);
        }
        if let Some(v) = fin(obs.operator_alt_geo_m) {
            set(&mut tr.operator_alt_geo_m, v, src, t);
        }
        for (slot, v) in [
            (&mut tr.model, &obs.model),
            (&mut tr.ua_type, &obs.ua_type),
            (&mut tr.status, &obs.status),
            (&mut tr.self_id, &obs.self_id),
            (&mut tr.operator_id, &obs.operator_id),
        ] {
            if let Some(v) = v {
                set(slot, v.clone(), src, t);
            }
        }
        for (raw, is_home) in [(obs.operator, false), (obs.home, true)] {
            let Some(raw) = raw else { continue };
            match check_range(raw, cfg) {
                Ok(p) => set(if is_home { &mut tr.home } else { &mut tr.operator }, p, src, t),
                Err(kind) => flags.push(range_flag(tr, kind, raw, t, src)),
            }
        }
        if let Some(raw) = obs.position {
            match check_range(raw, cfg) {
                Err(kind) => flags.push(range_flag(tr, kind, raw, t, src)),
                Ok(p) => {
                    if let Some(f) = accept_position(tr, cfg, p, obs.h_accuracy_m, t, src) {
                        flags.push(f);
                    }
                }
            }
        }

        if is_new {
            tr.dirty = false;
            tr.last_event_s = t;
            out.push(TrackEvent::TrackNew(tr.summary(t, cfg)));
        } else {
            tr.dirty = true;
        }
        for f in flags {
            tr.last_flag = Some(f.clone());
            let key = match f.kind {
                FlagKind::Teleport => "teleport",
                FlagKind::MoveAccepted => "move_accepted",
                FlagKind::NullIsland => "null_island",
                FlagKind::OutOfRange => "out_of_range",
                FlagKind::InvalidValue => "invalid_value",
            };
            let due = tr.last_flag_event_s.get(key).is_none_or(|&l| t - l >= cfg.flag_event_interval_s || t < l);
            if due {
                tr.last_flag_event_s.insert(key, t);
                out.push(TrackEvent::TrackFlag(tr.summary(t, cfg)));
            }
        }
        if tr.dirty && t - tr.last_event_s >= cfg.update_interval_s {
            tr.dirty = false;
            tr.last_event_s = t;
            out.push(TrackEvent::TrackUpdate(tr.summary(t, cfg)));
        }
    }
}

fn push_ring<T>(q: &mut VecDeque<T>, v: T, cap: usize) {
    if cap == 0 {
        return;
    }
    while q.len() >= cap {
        q.pop_front();
    }
    q.push_back(v);
}

/// A position as sent to a checked one, or why not.
fn check_range((lat, lon): RawPos, cfg: &TrackerConfig) -> Result<GeoPos, FlagKind> {
    if !lat.is_finite() || !lon.is_finite() || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(FlagKind::OutOfRange);
    }
    if lat.abs() <= cfg.null_island_deg && lon.abs() <= cfg.null_island_deg {
        return Err(FlagKind::NullIsland);
    }
    Ok(GeoPos::new(lat, lon))
}

fn range_flag(tr: &mut Track, kind: FlagKind, (lat, lon): RawPos, t: f64, src: Transport) -> Flag {
    match kind {
        FlagKind::NullIsland => tr.flags.null_island += 1,
        _ => tr.flags.out_of_range += 1,
    }
    let mut f = Flag::new(kind, t, src);
    f.lat_deg = lat.is_finite().then_some(lat);
    f.lon_deg = lon.is_finite().then_some(lon);
    f
}

/// The jump check: how far the aircraft may have gone from `from` (reported
/// at `from_s` with accuracy `from_acc`) by `t`.
fn allowed_m(
    cfg: &TrackerConfig,
    elapsed_s: f64,
    from_acc: Option<f64>,
    acc: Option<f64>,
    speed_hint: Option<f64>,
) -> f64 {
    let slack = |a: Option<f64>| a.unwrap_or(cfg.default_accuracy_m).min(cfg.max_accuracy_slack_m);
    let limit = cfg.max_speed_mps.max(speed_hint.unwrap_or(0.0) * cfg.speed_margin);
    limit * (elapsed_s + cfg.time_slack_s) + slack(from_acc) + slack(acc)
}

/// Takes a checked position if it passes the jump check (or confirms an
/// earlier jump); returns the flag to raise, if any.
fn accept_position(
    tr: &mut Track,
    cfg: &TrackerConfig,
    p: GeoPos,
    acc: Option<f64>,
    t: f64,
    src: Transport,
) -> Option<Flag> {
    let speed_hint =
        tr.speed_h_mps.as_ref().filter(|f| (t - f.updated_s).abs() <= cfg.stale.velocity_s).map(|f| f.value);
    let take = |tr: &mut Track, flag: Option<Flag>| {
        if tr.position.as_ref().is_some_and(|f| f.updated_s > t) {
            return flag; // an older report arriving late: not the current position
        }
        tr.position = Some(Field { value: p, source: src, updated_s: t });
        tr.h_accuracy_m = acc;
        tr.candidate = None;
        let due = tr.history.back().is_none_or(|h| (t - h.time_s).abs() >= cfg.history_min_interval_s);
        if due {
            let v = |f: &Option<Field<f64>>| f.as_ref().filter(|f| f.updated_s == t).map(|f| f.value);
            let sample = PositionSample {
                time_s: t,
                lat_deg: p.lat_deg,
                lon_deg: p.lon_deg,
                alt_geo_m: v(&tr.alt_geo_m),
                alt_baro_m: v(&tr.alt_baro_m),
                height_m: tr.height_m.as_ref().filter(|f| f.updated_s == t).map(|f| f.value.0),
                transport: src,
            };
            push_ring(&mut tr.history, sample, cfg.history_len);
        }
        flag
    };
    let Some(cur) = tr.position.clone() else { return take(tr, None) };
    let elapsed = (t - cur.updated_s).abs();
    let dist = cur.value.distance_m(p);
    let allowed = allowed_m(cfg, elapsed, tr.h_accuracy_m, acc, speed_hint);
    if dist <= allowed {
        return take(tr, None);
    }
    let mut flag = Flag::new(FlagKind::Teleport, t, src);
    flag.lat_deg = Some(p.lat_deg);
    flag.lon_deg = Some(p.lon_deg);
    flag.from_lat_deg = Some(cur.value.lat_deg);
    flag.from_lon_deg = Some(cur.value.lon_deg);
    flag.distance_m = Some(dist);
    flag.elapsed_s = Some(elapsed);
    flag.implied_speed_mps = Some(dist / elapsed.max(1e-3));
    flag.allowed_m = Some(allowed);
    // consistent with the waiting candidate?
    if let Some(c) = tr.candidate.as_mut() {
        let ce = (t - c.last_s).abs();
        if c.pos.distance_m(p) <= allowed_m(cfg, ce, c.acc_m, acc, speed_hint) {
            if ce < cfg.confirm_min_interval_s {
                return None; // a copy of the report already flagged
            }
            c.reports += 1;
            c.last_s = t;
            c.pos = p;
            c.acc_m = acc;
            if c.reports >= cfg.confirm_reports {
                tr.flags.moves_accepted += 1;
                flag.kind = FlagKind::MoveAccepted;
                return take(tr, Some(flag));
            }
            tr.flags.teleports += 1;
            return Some(flag);
        }
    }
    if cfg.confirm_reports <= 1 {
        tr.flags.moves_accepted += 1;
        flag.kind = FlagKind::MoveAccepted;
        return take(tr, Some(flag));
    }
    tr.candidate = Some(Candidate { pos: p, acc_m: acc, last_s: t, reports: 1 });
    tr.flags.teleports += 1;
    Some(flag)
}
