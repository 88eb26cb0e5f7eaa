//! The view model: everything the terminal UI shows, as plain data.
//!
//! Nothing here knows about ratatui or about the tracker. An adapter turns
//! tracker state into these types (values already computed: distances,
//! ages, stale flags), and [`super::update`] changes the UI-only parts
//! (selection, zoom, panes) in response to keys.

/// A WGS-84 position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Latitude, degrees north.
    pub lat_deg: f64,
    /// Longitude, degrees east.
    pub lon_deg: f64,
}

impl GeoPoint {
    pub const fn new(lat_deg: f64, lon_deg: f64) -> Self {
        Self { lat_deg, lon_deg }
    }

    /// Whether both coordinates are finite and within ±90°/±180°.
    pub fn is_valid(&self) -> bool {
        self.lat_deg.is_finite()
            && self.lon_deg.is_finite()
            && self.lat_deg.abs() <= 90.0
            && self.lon_deg.abs() <= 180.0
    }
}

/// Alert state of one aircraft, as the table's last column shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum AlertState {
    /// Nothing to report.
    #[default]
    None,
    /// On the allow-list: never alerts.
    Allowed,
    /// Inside the named alert zone.
    InZone(String),
    /// A plausibility flag (e.g. an impossible jump): short text.
    Flagged(String),
}

/// One decoded field of an aircraft, for the detail pane.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldView {
    /// Field name as in docs/DATA_FORMAT.md (e.g. `height_m`).
    pub name: String,
    /// The value as text, unit included where the name does not carry it.
    pub value: String,
    /// The transport that last reported it (`ble4_legacy`, `ocusync`, ...).
    pub transport: String,
    /// Seconds since its last update (capture time), when known.
    pub age_s: Option<f64>,
    /// Not updated for longer than the tracker's stale limit: shown dimmed.
    pub stale: bool,
}

/// One aircraft (one track), ready to show. Unknown values are `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AircraftView {
    /// UAS ID or DJI serial: the track's key.
    pub id: String,
    /// Model name (DJI) or UA type (ODID), when known.
    pub model: Option<String>,
    /// Transports heard from this aircraft, as DATA_FORMAT.md names them.
    pub transports: Vec<String>,
    /// Drone position.
    pub position: Option<GeoPoint>,
    /// Height (above take-off or ground), metres.
    pub height_m: Option<f64>,
    /// Ground speed, m/s.
    pub speed_mps: Option<f64>,
    /// Course over ground, degrees clockwise from true north.
    pub course_deg: Option<f64>,
    /// Distance from the sensor, metres.
    pub distance_m: Option<f64>,
    /// Bearing from the sensor, degrees clockwise from true north.
    pub bearing_deg: Option<f64>,
    /// Pilot / operator position.
    pub pilot: Option<GeoPoint>,
    /// Distance of the pilot from the sensor, metres.
    pub pilot_distance_m: Option<f64>,
    /// Home / take-off point.
    pub home: Option<GeoPoint>,
    /// Last received signal strength, in the state's [`RssiUnit`].
    pub rssi_db: Option<f64>,
    /// Seconds (capture time) since the last message.
    pub age_s: f64,
    /// Alert state.
    pub alert: AlertState,
    /// Drone position history, oldest first.
    pub track: Vec<GeoPoint>,
    /// Every decoded field, for the detail pane.
    pub fields: Vec<FieldView>,
}

/// The shape of an alert zone.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneShape {
    /// A closed polygon (the last point joins the first).
    Polygon(Vec<GeoPoint>),
    /// A circle.
    Circle { centre: GeoPoint, radius_m: f64 },
}

/// An alert zone drawn on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneView {
    pub name: String,
    pub shape: ZoneShape,
}

/// Whether an aircraft entered or left a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Entered,
    Left,
}

/// One line of the alert log.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertView {
    /// Capture time, seconds since the start of the input.
    pub time_s: f64,
    pub serial: String,
    pub zone: String,
    pub kind: AlertKind,
}

/// A free-text line of the log pane (new track, track lost, input ended, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct LogView {
    /// Capture time, seconds since the start of the input.
    pub time_s: f64,
    pub text: String,
}

/// Per-channel receive statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelStat {
    /// Short name, e.g. `BLE 37` or `Wi-Fi 6`.
    pub name: String,
    /// Frames received.
    pub frames: u64,
    /// Frames or payloads that failed (CRC, decode errors).
    pub errors: u64,
    /// RSSI of the last frame, in the state's [`RssiUnit`].
    pub last_rssi_db: Option<f64>,
}

/// What the RSSI numbers are relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RssiUnit {
    /// dB full scale (from IQ).
    #[default]
    Dbfs,
    /// dBm (as a capture device reported it).
    Dbm,
}

impl RssiUnit {
    pub fn label(self) -> &'static str {
        match self {
            RssiUnit::Dbfs => "dBFS",
            RssiUnit::Dbm => "dBm",
        }
    }
}

/// Replay speed: a factor over capture speed, or as fast as possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplaySpeed {
    /// 1, 2, 4, 8 or 16 times capture speed.
    Times(u8),
    /// As fast as the input can be read.
    #[default]
    Max,
}

impl ReplaySpeed {
    /// The steps `+` and `-` walk through.
    pub const STEPS: [ReplaySpeed; 6] = [
        ReplaySpeed::Times(1),
        ReplaySpeed::Times(2),
        ReplaySpeed::Times(4),
        ReplaySpeed::Times(8),
        ReplaySpeed::Times(16),
        ReplaySpeed::Max,
    ];

    /// Factor over capture speed; `None` for [`ReplaySpeed::Max`].
    pub fn factor(self) -> Option<f64> {
        match self {
            ReplaySpeed::Times(n) => Some(f64::from(n)),
            ReplaySpeed::Max => None,
        }
    }

    fn step_index(self) -> usize {
        // A factor not in STEPS counts as the nearest step below it.
        match self {
            ReplaySpeed::Max => Self::STEPS.len() - 1,
            ReplaySpeed::Times(n) => {
                Self::STEPS.iter().rposition(|s| matches!(s, ReplaySpeed::Times(m) if *m <= n)).unwrap_or(0)
            }
        }
    }

    /// The next faster step (saturates at max).
    pub fn faster(self) -> Self {
        let i = self.step_index();
        Self::STEPS[(i + 1).min(Self::STEPS.len() - 1)]
    }

    /// The next slower step (saturates at 1×). A factor between two steps
    /// goes to the step below it.
    pub fn slower(self) -> Self {
        let i = self.step_index();
        if Self::STEPS.contains(&self) { Self::STEPS[i.saturating_sub(1)] } else { Self::STEPS[i] }
    }

    /// Text for the status line: `x4`, `max`.
    pub fn label(self) -> String {
        match self {
            ReplaySpeed::Times(n) => format!("x{n}"),
            ReplaySpeed::Max => "max".to_string(),
        }
    }
}

/// Map zoom: fit everything, or a fixed half-width around the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zoom {
    /// Fit all aircraft, pilots and home points.
    #[default]
    Auto,
    /// Index into [`Zoom::HALF_WIDTHS_M`].
    Level(usize),
}

impl Zoom {
    /// Fixed zoom levels: half the map's width, metres (widest first).
    pub const HALF_WIDTHS_M: [f64; 8] = [50_000.0, 20_000.0, 10_000.0, 5_000.0, 2_000.0, 1_000.0, 500.0, 250.0];

    /// `z`: Auto → widest → ... → closest → Auto.
    pub fn zoom_in(self) -> Self {
        match self {
            Zoom::Auto => Zoom::Level(0),
            Zoom::Level(i) if i + 1 < Self::HALF_WIDTHS_M.len() => Zoom::Level(i + 1),
            Zoom::Level(_) => Zoom::Auto,
        }
    }

    /// `Z`: the reverse cycle.
    pub fn zoom_out(self) -> Self {
        match self {
            Zoom::Auto => Zoom::Level(Self::HALF_WIDTHS_M.len() - 1),
            Zoom::Level(0) => Zoom::Auto,
            Zoom::Level(i) => Zoom::Level(i.min(Self::HALF_WIDTHS_M.len()) - 1),
        }
    }

    /// Fixed half-width, metres; `None` for auto.
    pub fn half_width_m(self) -> Option<f64> {
        match self {
            Zoom::Auto => None,
            Zoom::Level(i) => Self::HALF_WIDTHS_M.get(i).copied(),
        }
    }
}

/// Which panes are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub map: bool,
    pub detail: bool,
    pub log: bool,
}

impl Default for Panes {
    fn default() -> Self {
        Self { map: true, detail: false, log: true }
    }
}

/// The whole UI state: data from outside plus the UI's own choices.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TuiState {
    // Data, replaced from outside.
    pub aircraft: Vec<AircraftView>,
    pub zones: Vec<ZoneView>,
    pub alerts: Vec<AlertView>,
    pub log: Vec<LogView>,
    pub channels: Vec<ChannelStat>,
    /// The sensor's position: the map's centre and the origin of distances.
    pub sensor: Option<GeoPoint>,
    /// What is being listened to (input name, channels), for the empty state.
    pub listening: String,
    /// Unit of every RSSI number.
    pub rssi_unit: RssiUnit,
    /// Replay clock: capture time, seconds since the start of the input.
    pub clock_s: f64,
    /// The same instant as UTC text, when the input has absolute time.
    pub clock_utc: Option<String>,
    /// The input has ended (the view stays until `q`).
    pub finished: bool,
    /// Live input: the receiver's status line, shown at the bottom.
    pub receiver: Option<String>,

    // The UI's own state, changed by keys.
    pub paused: bool,
    pub speed: ReplaySpeed,
    /// Selected row of the aircraft table.
    pub selected: usize,
    pub zoom: Zoom,
    pub panes: Panes,
    pub help: bool,
    pub quit: bool,
}

impl TuiState {
    /// An empty state listening to `listening`.
    pub fn new(listening: impl Into<String>) -> Self {
        Self { listening: listening.into(), ..Self::default() }
    }

    /// The selected aircraft, if there is any aircraft.
    pub fn selected_aircraft(&self) -> Option<&AircraftView> {
        self.aircraft.get(self.selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_steps() {
        let mut s = ReplaySpeed::Times(1);
        let mut seen = vec![s];
        for _ in 0..7 {
            s = s.faster();
            seen.push(s);
        }
        assert_eq!(&seen[..6], &ReplaySpeed::STEPS);
        assert_eq!(seen[7], ReplaySpeed::Max);
        for _ in 0..7 {
            s = s.slower();
        }
        assert_eq!(s, ReplaySpeed::Times(1));
        assert_eq!(ReplaySpeed::Times(3).faster(), ReplaySpeed::Times(4));
        assert_eq!(ReplaySpeed::Times(3).slower(), ReplaySpeed::Times(2));
        assert_eq!(ReplaySpeed::Times(4).factor(), Some(4.0));
        assert_eq!(ReplaySpeed::Max.factor(), None);
    }

    #[test]
    fn zoom_cycles() {
        let mut z = Zoom::Auto;
        for _ in 0..=Zoom::HALF_WIDTHS_M.len() {
            z = z.zoom_in();
        }
        assert_eq!(z, Zoom::Auto);
        assert_eq!(Zoom::Auto.zoom_in().half_width_m(), Some(50_000.0));
        assert_eq!(Zoom::Auto.zoom_out().half_width_m(), Some(250.0));
        assert_eq!(Zoom::Level(0).zoom_out(), Zoom::Auto);
        assert_eq!(Zoom::Level(99).zoom_out(), Zoom::Level(7));
        assert_eq!(Zoom::Level(99).half_width_m(), None);
    }
}
