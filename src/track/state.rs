//! One tracked aircraft: its identity, the latest value of every field with
//! its source and time, bounded histories, counters and plausibility flags.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use crate::protocol::{ProtocolId, Transport};
use crate::util::MacAddr;

/// What kind of identifier a track key is. Serials from every protocol
/// (ODID Basic ID serial numbers, the French beacon's CTA-2063 UAS ID, DJI
/// DroneID serials) share [`IdKind::Serial`], so one aircraft seen through
/// several protocols is one track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// A manufacturer serial number (ANSI/CTA-2063-A for ODID and the French
    /// beacon; DJI's own serial for DJI DroneID).
    Serial,
    /// ODID specific session ID.
    SessionId,
    /// ODID UTM-assigned UUID.
    UtmUuid,
    /// ODID CAA registration.
    CaaRegistration,
    /// The French beacon's 30-character French ID (when no CTA-2063 serial is sent).
    FrenchId,
    /// An ODID Basic ID of type "none" or of an unknown type that still holds
    /// an identifier.
    Other,
}

impl IdKind {
    /// The name used in the output (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Serial => "serial",
            IdKind::SessionId => "session_id",
            IdKind::UtmUuid => "utm_uuid",
            IdKind::CaaRegistration => "caa_registration",
            IdKind::FrenchId => "french_id",
            IdKind::Other => "other",
        }
    }
}

/// The identifier a track is known by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TrackKey {
    /// Which kind of identifier.
    #[serde(rename = "id_kind")]
    pub kind: IdKind,
    /// The identifier as text (trimmed of padding).
    #[serde(rename = "uas_id")]
    pub id: String,
}

impl TrackKey {
    /// A key, or `None` for an empty identifier.
    pub fn new(kind: IdKind, id: &str) -> Option<TrackKey> {
        let id = id.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        (!id.is_empty()).then(|| TrackKey { kind, id: id.to_string() })
    }
}

/// A value with the transport it came over and the sample time it was last
/// updated.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// How the message that set it travelled.
    pub source: Transport,
    /// Sample time (the record's `time_s`) of the last update.
    pub updated_s: f64,
}

impl<T> Field<T> {
    /// Seconds since the last update at sample time `now_s` (never negative).
    pub fn age_s(&self, now_s: f64) -> f64 {
        (now_s - self.updated_s).max(0.0)
    }

    /// Whether the value is older than `max_age_s` at sample time `now_s`.
    pub fn is_stale(&self, now_s: f64, max_age_s: f64) -> bool {
        self.age_s(now_s) > max_age_s
    }
}

/// Sets `slot` unless it holds a value from a later sample time (records can
/// arrive slightly out of order, and held records are replayed late).
pub(crate) fn set<T>(slot: &mut Option<Field<T>>, value: T, source: Transport, t: f64) {
    if slot.as_ref().is_some_and(|f| f.updated_s > t) {
        return;
    }
    *slot = Some(Field { value, source, updated_s: t });
}

/// A WGS-84 position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GeoPos {
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
}

impl GeoPos {
    /// A position from latitude and longitude in degrees.
    pub fn new(lat_deg: f64, lon_deg: f64) -> GeoPos {
        GeoPos { lat_deg, lon_deg }
    }

    fn point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon_deg, self.lat_deg)
    }

    /// Great-circle (haversine, mean Earth radius) distance in metres.
    pub fn distance_m(self, to: GeoPos) -> f64 {
        use geo::Distance;
        geo::Haversine.distance(self.point(), to.point())
    }

    /// Initial great-circle bearing to `to`, degrees clockwise from true
    /// north, 0..360.
    pub fn bearing_deg(self, to: GeoPos) -> f64 {
        use geo::Bearing;
        geo::Haversine.bearing(self.point(), to.point())
    }
}

/// What a height is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeightRef {
    /// Above the take-off point (ODID `above_takeoff`, the French beacon, DJI).
    AboveTakeoff,
    /// Above ground level (ODID `above_ground`).
    AboveGround,
}

/// One entry of the position history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PositionSample {
    /// Sample time, seconds.
    pub time_s: f64,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Geodetic altitude at that time, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_geo_m: Option<f64>,
    /// Pressure altitude at that time, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_baro_m: Option<f64>,
    /// Height at that time, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height_m: Option<f64>,
    /// Transport of the report.
    pub transport: Transport,
}

/// Unit of a signal strength sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RssiUnit {
    /// As the capture device reported it (pcaps).
    Dbm,
    /// From IQ, relative to full scale.
    Dbfs,
}

/// One entry of the RSSI history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RssiSample {
    /// Sample time, seconds.
    pub time_s: f64,
    /// The value, in `unit`.
    pub value: f32,
    /// dBm or dBFS.
    pub unit: RssiUnit,
    /// Transport of the report.
    pub transport: Transport,
}

/// Message count and rate of one message type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MsgCounter {
    /// Messages of this type since the track began.
    pub count: u64,
    /// Per whole second of sample time: (second, messages), the last
    /// `rate_window_s` seconds only.
    buckets: VecDeque<(i64, u32)>,
}

impl MsgCounter {
    pub(crate) fn add(&mut self, t: f64, window_s: u32) {
        self.count += 1;
        let sec = t.floor() as i64;
        match self.buckets.back_mut() {
            Some((s, n)) if *s == sec => *n = n.saturating_add(1),
            Some((s, _)) if *s > sec => {
                // slightly out of order: count it in its own second if still kept
                if let Some((_, n)) = self.buckets.iter_mut().find(|(s, _)| *s == sec) {
                    *n = n.saturating_add(1);
                }
            }
            _ => self.buckets.push_back((sec, 1)),
        }
        while self.buckets.front().is_some_and(|(s, _)| *s <= sec - window_s as i64) {
            self.buckets.pop_front();
        }
    }

    /// Messages per second over the `window_s` whole seconds up to sample time
    /// `now_s`; over a shorter span when the track is younger (`age_s`, at
    /// least one second).
    pub fn rate_hz(&self, now_s: f64, window_s: u32, age_s: f64) -> f64 {
        let sec = now_s.floor() as i64;
        let lo = sec - window_s as i64;
        let n: u64 = self.buckets.iter().filter(|(s, _)| *s > lo && *s <= sec).map(|(_, n)| *n as u64).sum();
        let span = (age_s.ceil()).clamp(1.0, window_s.max(1) as f64);
        n as f64 / span
    }
}

/// Why a report was flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A position too far from the track's position for the time between
    /// them: rejected (the track keeps its position).
    Teleport,
    /// A position that was first flagged as a teleport, then confirmed by
    /// consistent later reports: accepted as the new position.
    MoveAccepted,
    /// A position at or next to latitude 0, longitude 0 ("null island"): not taken.
    NullIsland,
    /// A position outside ±90°/±180° or not a number: not taken.
    OutOfRange,
    /// The decoder named fields of the message as impossible (ODID `invalid`).
    InvalidValue,
}

impl FlagKind {
    /// The name used in the output (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::Teleport => "teleport",
            FlagKind::MoveAccepted => "move_accepted",
            FlagKind::NullIsland => "null_island",
            FlagKind::OutOfRange => "out_of_range",
            FlagKind::InvalidValue => "invalid_value",
        }
    }
}

/// A plausibility flag with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    /// What was wrong.
    pub kind: FlagKind,
    /// Sample time of the report.
    pub time_s: f64,
    /// Transport of the report.
    pub transport: Transport,
    /// The reported position (teleports, null island, out of range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat_deg: Option<f64>,
    /// The reported position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon_deg: Option<f64>,
    /// Teleports: the track's position it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_lat_deg: Option<f64>,
    /// Teleports: the track's position it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_lon_deg: Option<f64>,
    /// Teleports: distance between the two.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// Teleports: time between the two.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_s: Option<f64>,
    /// Teleports: distance / time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implied_speed_mps: Option<f64>,
    /// Teleports: the largest distance that would have been accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_m: Option<f64>,
    /// Invalid values: the names of the fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<&'static str>,
}

impl Flag {
    pub(crate) fn new(kind: FlagKind, time_s: f64, transport: Transport) -> Flag {
        Flag {
            kind,
            time_s,
            transport,
            lat_deg: None,
            lon_deg: None,
            from_lat_deg: None,
            from_lon_deg: None,
            distance_m: None,
            elapsed_s: None,
            implied_speed_mps: None,
            allowed_m: None,
            fields: Vec::new(),
        }
    }
}

/// Plausibility counters of a track.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FlagCounts {
    /// Positions rejected as impossible jumps.
    pub teleports: u64,
    /// Jumps accepted after they persisted.
    pub moves_accepted: u64,
    /// Positions at null island.
    pub null_island: u64,
    /// Positions out of range.
    pub out_of_range: u64,
    /// Messages with fields the decoder found impossible.
    pub invalid_values: u64,
}

/// A position that failed the speed check, waiting for confirmation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub pos: GeoPos,
    pub acc_m: Option<f64>,
    /// Sample time of the latest report counted for it.
    pub last_s: f64,
    /// Reports counted (at least `confirm_min_interval_s` apart).
    pub reports: u32,
}

/// One aircraft.
///
/// Every field is the latest value any transport reported, with its source
/// and time ([`Field`]); `None` when never reported (or only as the
/// protocol's "unknown"). Whether a value is stale depends on the sample
/// time it is looked at: see [`Track::is_stale`] and
/// [`super::StaleAges`].
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// Stable number of the track (1, 2, ... in order of creation).
    pub id: u64,
    /// The identifier shown for the track: the best of the keys it is known
    /// by (serial, then session ID, UTM UUID, CAA registration, French ID).
    pub key: TrackKey,
    /// Other identifiers the same aircraft sent (e.g. a CAA registration
    /// beside its serial).
    pub aliases: Vec<TrackKey>,
    /// Sample time of the first and the latest message.
    pub first_seen_s: f64,
    /// Sample time of the latest message.
    pub last_seen_s: f64,
    /// Messages attributed to the track.
    pub messages: u64,
    /// Messages per transport.
    pub transports: BTreeMap<Transport, u64>,
    /// Protocols seen.
    pub protocols: BTreeSet<ProtocolId>,
    /// The latest transmitter address (BLE AdvA, 802.11 TA); it may rotate.
    pub src_addr: Option<Field<MacAddr>>,

    /// Drone position (after the plausibility checks).
    pub position: Option<Field<GeoPos>>,
    /// Horizontal accuracy (95 %) of that position, when sent.
    pub h_accuracy_m: Option<f64>,
    /// Geodetic altitude (ODID; DJI's altitude, whose reference is uncertain).
    pub alt_geo_m: Option<Field<f64>>,
    /// Pressure altitude (ODID).
    pub alt_baro_m: Option<Field<f64>>,
    /// Altitude above mean sea level (French beacon).
    pub alt_msl_m: Option<Field<f64>>,
    /// Height and what it is measured from.
    pub height_m: Option<Field<(f64, HeightRef)>>,
    /// Ground speed.
    pub speed_h_mps: Option<Field<f64>>,
    /// Course over ground, degrees from true north.
    pub course_deg: Option<Field<f64>>,
    /// Vertical speed, up positive.
    pub speed_v_mps: Option<Field<f64>>,
    /// Pilot / control station (or take-off point, per the ODID operator location type).
    pub operator: Option<Field<GeoPos>>,
    /// Operator geodetic altitude (ODID System).
    pub operator_alt_geo_m: Option<Field<f64>>,
    /// Home / take-off point.
    pub home: Option<Field<GeoPos>>,
    /// Model name (DJI product type; the French ID's manufacturer/model codes).
    pub model: Option<Field<String>>,
    /// ODID UA type (snake_case name).
    pub ua_type: Option<Field<String>>,
    /// Operational status: ODID status name, DJI `airborne`/`ground` (from the in-air bit).
    pub status: Option<Field<String>>,
    /// ODID Self ID description.
    pub self_id: Option<Field<String>>,
    /// ODID Operator ID.
    pub operator_id: Option<Field<String>>,

    /// Position history, oldest first, at most `history_len` entries.
    pub history: VecDeque<PositionSample>,
    /// RSSI history, oldest first, at most `rssi_history_len` entries.
    pub rssi: VecDeque<RssiSample>,
    /// Counts and rates per message type (`msg_type`).
    pub msg_types: BTreeMap<&'static str, MsgCounter>,
    /// Plausibility counters.
    pub flags: FlagCounts,
    /// The latest plausibility flag, with its evidence.
    pub last_flag: Option<Flag>,

    pub(crate) candidate: Option<Candidate>,
    /// Sample time of the last event emitted for the track.
    pub(crate) last_event_s: f64,
    /// Changed since the last event.
    pub(crate) dirty: bool,
    /// Sample time of the last flag event per kind (rate limit).
    pub(crate) last_flag_event_s: BTreeMap<&'static str, f64>,
}

impl Track {
    pub(crate) fn new(id: u64, key: TrackKey, t: f64) -> Track {
        Track {
            id,
            key,
            aliases: Vec::new(),
            first_seen_s: t,
            last_seen_s: t,
            messages: 0,
            transports: BTreeMap::new(),
            protocols: BTreeSet::new(),
            src_addr: None,
            position: None,
            h_accuracy_m: None,
            alt_geo_m: None,
            alt_baro_m: None,
            alt_msl_m: None,
            height_m: None,
            speed_h_mps: None,
            course_deg: None,
            speed_v_mps: None,
            operator: None,
            operator_alt_geo_m: None,
            home: None,
            model: None,
            ua_type: None,
            status: None,
            self_id: None,
            operator_id: None,
            history: VecDeque::new(),
            rssi: VecDeque::new(),
            msg_types: BTreeMap::new(),
            flags: FlagCounts::default(),
            last_flag: None,
            candidate: None,
            last_event_s: t,
            dirty: false,
            last_flag_event_s: BTreeMap::new(),
        }
    }

    /// Every key the track is known by: the primary one first.
    pub fn keys(&self) -> impl Iterator<Item = &TrackKey> {
        std::iter::once(&self.key).chain(self.aliases.iter())
    }

    /// The transports the aircraft was heard on.
    pub fn transports_seen(&self) -> impl Iterator<Item = Transport> + '_ {
        self.transports.keys().copied()
    }

    /// Distance (m) and bearing (degrees) of the drone from `from`.
    pub fn distance_bearing_from(&self, from: GeoPos) -> Option<(f64, f64)> {
        self.position.as_ref().map(|p| (from.distance_m(p.value), from.bearing_deg(p.value)))
    }

    /// Messages per second of one message type at sample time `now_s`.
    pub fn rate_hz(&self, msg_type: &str, now_s: f64, window_s: u32) -> f64 {
        self.msg_types.get(msg_type).map_or(0.0, |c| c.rate_hz(now_s, window_s, now_s - self.first_seen_s))
    }

    /// The latest RSSI sample.
    pub fn last_rssi(&self) -> Option<&RssiSample> {
        self.rssi.back()
    }
}
