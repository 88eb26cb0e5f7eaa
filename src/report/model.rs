//! What a report holds. Serializes as the JSON report (`--format json`,
//! docs/DATA_FORMAT.md "Reports"); the text and HTML renderings read the
//! same structure.

use serde::Serialize;

/// The whole report.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `ridscope <version>`.
    pub generator: String,
    /// What was analysed (capture path, database path, JSONL file).
    pub source: String,
    /// UTC of the first and last message, when the input gives absolute time.
    pub first_utc: Option<String>,
    pub last_utc: Option<String>,
    /// Seconds from the first to the last message.
    pub duration_s: f64,
    /// Decoded messages analysed.
    pub messages: u64,
    /// Drone ID payloads that failed to decode (`decode_error` lines).
    pub decode_errors: u64,
    /// The receiver's position (for the RSSI-distance check), when known.
    pub sensor_lat_deg: Option<f64>,
    pub sensor_lon_deg: Option<f64>,
    /// Database sessions analysed (`--db`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<i64>,
    pub summary: Summary,
    pub aircraft: Vec<Aircraft>,
    /// Sets of identifiers that come from one radio (see
    /// [`Aircraft::authenticity`], check `one_radio_many_ids`).
    pub signal_groups: Vec<SignalGroup>,
}

/// Counts over all aircraft.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub aircraft: usize,
    /// Aircraft broadcasting their pilot's (or take-off) position.
    pub pilot_position_exposed: usize,
    /// Aircraft whose Remote ID rules all passed (`transports` may be
    /// unknown: what was not heard may not have been listened to).
    pub compliant: usize,
    /// Aircraft failing at least one compliance rule.
    pub non_compliant: usize,
    /// Aircraft with rules but too little reception to decide some of
    /// them, and none failed.
    pub undetermined: usize,
    /// Aircraft with at least one authenticity flag.
    pub flagged: usize,
}

/// One aircraft: every message attributed to one identity.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aircraft {
    /// The primary identifier (an address, `addr:aa:bb:..`, when the
    /// aircraft never sent one).
    pub id: String,
    /// Its kind: `serial`, `caa_registration`, `utm_uuid`, `session_id`,
    /// `french_id`, `address`.
    pub id_kind: String,
    pub model: Option<String>,
    pub ua_type: Option<String>,
    pub protocols: Vec<String>,
    pub transports: Vec<String>,
    /// Report seconds of the first and last message.
    pub first_s: f64,
    pub last_s: f64,
    pub first_utc: Option<String>,
    pub last_utc: Option<String>,
    pub messages: u64,
    /// Database sessions the aircraft was heard in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<i64>,
    /// Transmitter addresses, in order of first use.
    pub addresses: Vec<AddressUse>,
    pub leakage: Leakage,
    /// Measured rates per transport and message type.
    pub rates: Vec<RateRow>,
    /// Compliance rules (Open Drone ID and the French beacon): one result
    /// per rule and transport.
    pub compliance: Vec<Check>,
    /// `compliant` (every rule passed), `non_compliant` (one failed),
    /// `undetermined` (none failed, some heard too briefly to decide),
    /// `no_rules` (DJI DroneID: not Remote ID).
    pub verdict: String,
    /// Authenticity checks: `fail` means flagged.
    pub authenticity: Vec<Check>,
    /// Data for the plots.
    pub series: Series,
}

/// A transmitter address an aircraft used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressUse {
    pub addr: String,
    pub transports: Vec<String>,
    pub first_s: f64,
    pub last_s: f64,
    pub messages: u64,
}

/// What the aircraft broadcast about itself and its pilot.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leakage {
    /// Every identifying or sensitive item, in order of first exposure.
    pub items: Vec<LeakItem>,
    /// The pilot's (control station's or take-off) position.
    pub pilot: Option<PilotLeak>,
    /// The home (take-off / return) point.
    pub home: Option<PointLeak>,
    /// Whether the aircraft can be followed across address changes and sessions.
    pub trackability: Trackability,
    /// `open` (every payload decoded in the clear), `encrypted` (no payload
    /// could be read), or `mixed`.
    pub payload: String,
    /// One line saying why.
    pub payload_note: String,
}

/// One exposed item.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakItem {
    /// `serial`, `caa_registration`, `utm_uuid`, `session_id`,
    /// `french_id`, `operator_id`, `self_id`, `uuid`, `model`,
    /// `drone_position`, `pilot_position`, `home_point`, `gps_time`,
    /// `operator_altitude`, `eu_class`.
    pub item: String,
    /// The value (the last one when it changed; positions as `lat, lon`).
    pub value: String,
    /// Distinct values seen.
    pub values: usize,
    /// Seconds after the aircraft's first message when it was first sent.
    pub first_after_s: f64,
    /// Messages that carried it.
    pub messages: u64,
    pub transports: Vec<String>,
    /// Resolution of the encoding (`1 cm`, `1.1 m`, ...).
    pub resolution: Option<String>,
}

/// The pilot position as broadcast.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PilotLeak {
    /// Where it came from: `odid_system` (with `location_type`),
    /// `dji_app` (the phone running the DJI app), `fr_takeoff`.
    pub source: String,
    /// ODID operator location type: `takeoff`, `live_gnss`, `fixed`.
    pub location_type: Option<String>,
    /// Seconds after the aircraft's first message when it was first known.
    pub first_after_s: f64,
    pub reports: u64,
    /// Median seconds between reports.
    pub update_interval_s: Option<f64>,
    /// Resolution of the encoding, metres.
    pub resolution_m: f64,
    /// Largest distance of a report from their mean, metres (0: a fixed point).
    pub spread_m: f64,
    /// The last reported position.
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_geo_m: Option<f64>,
    /// Largest distance between the aircraft and its pilot, metres.
    pub max_distance_to_aircraft_m: Option<f64>,
}

/// A broadcast point (home).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointLeak {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub first_after_s: f64,
    pub reports: u64,
}

/// Can the aircraft be followed?
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trackability {
    /// The identifier stays the same across transmitter addresses and sessions.
    pub fixed_id: bool,
    pub addresses: usize,
    pub sessions: usize,
    pub note: String,
}

/// Rate of one message type on one transport.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRow {
    pub transport: String,
    pub msg_type: String,
    /// Decoded messages (a BLE advert heard on three channels counts three times).
    pub messages: u64,
    /// Distinct transmissions (repeats of one message within 50 ms, with
    /// the same counter, count once).
    pub transmissions: u64,
    /// Transmissions per second over the span heard.
    pub rate_hz: Option<f64>,
    /// Median and largest interval between transmissions.
    pub median_interval_s: Option<f64>,
    pub max_gap_s: Option<f64>,
    pub first_s: f64,
    pub last_s: f64,
}

/// Outcome of a rule or check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    /// The rule is broken (compliance) or the check raised a flag (authenticity).
    Fail,
    /// Not enough data to decide.
    Unknown,
    /// The rule does not apply to this aircraft.
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// One rule or check with its evidence.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable identifier (`location_rate`, `teleports`, ...).
    pub id: String,
    /// What is required or checked, in one line.
    pub title: String,
    /// Where the rule comes from (compliance) or what the check looks for.
    pub basis: String,
    /// The transport the result is for (per-transport rules).
    pub transport: Option<String>,
    pub status: Status,
    /// The numbers behind the status.
    pub evidence: String,
}

/// Identifiers that appear to come from one radio.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalGroup {
    pub ids: Vec<String>,
    pub transports: Vec<String>,
    pub channels: Vec<u16>,
    /// Seconds between the first and the last identifier's first message.
    pub appeared_within_s: f64,
    /// Median received power of the group's messages and their spread.
    pub rssi_median: Option<f64>,
    pub rssi_spread_db: Option<f64>,
    pub rssi_unit: Option<String>,
    /// Median carrier offset (IQ inputs).
    pub cfo_median_hz: Option<f64>,
    /// Addresses the group used.
    pub addresses: usize,
    pub evidence: String,
}

/// Time series for the plots (report seconds; thinned to a few thousand
/// points each).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Series {
    pub track: Vec<TrackPoint>,
    pub pilot: Vec<PilotPoint>,
    pub rssi: Vec<RssiPoint>,
    /// `dbm` or `dbfs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rssi_unit: Option<String>,
    /// Transmissions per bin of `rate_bin_s` seconds, by message type,
    /// bins from the aircraft's first message.
    pub rate_bin_s: f64,
    pub rate_bins: std::collections::BTreeMap<String, Vec<u32>>,
}

/// One aircraft position.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrackPoint {
    pub t_s: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Geometric (or the protocol's only) altitude.
    pub alt_m: Option<f64>,
    pub height_m: Option<f64>,
    pub speed_h_mps: Option<f64>,
}

/// One pilot position report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PilotPoint {
    pub t_s: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// One received power reading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RssiPoint {
    pub t_s: f64,
    pub rssi: f64,
    pub transport: String,
}
