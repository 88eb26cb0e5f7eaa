//! Drones that fly and broadcast Remote ID like real transmitters, at frame
//! level.
//!
//! The model is split in two so that every transport can reuse it:
//!
//! * the aircraft: [`Drone`] (identity, take-off point, operator, address
//!   rotation) flying a [`FlightPath`]; [`Drone::state_at`] gives its
//!   kinematic state ([`DroneState`]) at any time and
//!   [`Drone::message_set`] the Open Drone ID messages describing it;
//! * the transmitters: [`ble4_legacy`] schedules BLE 4 legacy advertising
//!   like ArduRemoteID (one message per advertising event, cycled at 1 Hz,
//!   each event on channels 37, 38 and 39). Wi-Fi Beacon/NAN and BLE 5 Long
//!   Range schedulers will sit beside it, driven by the same drones.
//!
//! Times are seconds since the scenario start `t = 0`, which is the absolute
//! time [`ScenarioConfig::start_unix_ns`]. Every transmission ([`BleTx`])
//! holds the exact on-air PDU, its start time (first preamble bit), channel,
//! PHY and the truth of what it carries ([`TruthMessage`]): the messages as
//! a perfect receiver decodes them, so scoring can compare field by field.

use serde::Serialize;

use super::Rng;
use crate::error::EncodeError;
use crate::frame::Phy;
use crate::link::ble::{self, AdvPdu, PduType};
use crate::protocol::odid::{
    self, BasicId, Body, ClassificationType, DescType, EuCategory, EuClass, HeightType, IdType, Location, MessageType,
    OperationalStatus, OperatorId, OperatorIdType, OperatorLocationType, SelfId, System, UaType,
};
use crate::protocol::{self, Transport};
use crate::util::{MacAddr, time};

// ---------------------------------------------------------------------------
// Configuration

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    /// Everything random derives from this seed.
    pub seed: u64,
    /// Number of drones.
    pub drones: usize,
    /// Length of the scenario, seconds. Only transmissions that end by then
    /// are produced.
    pub duration_s: f64,
    /// Latitude of the centre of the area: take-off points lie within ~2 km of it.
    pub origin_lat_deg: f64,
    /// Longitude of the centre of the area.
    pub origin_lon_deg: f64,
    /// Absolute time of `t = 0`, Unix nanoseconds.
    pub start_unix_ns: i128,
}

impl Default for ScenarioConfig {
    /// One minute, three drones, Berlin Tempelhof, 2026-01-01T12:00:00Z.
    fn default() -> Self {
        ScenarioConfig {
            seed: 1,
            drones: 3,
            duration_s: 60.0,
            origin_lat_deg: 52.4730,
            origin_lon_deg: 13.4010,
            start_unix_ns: 1_767_268_800_000_000_000,
        }
    }
}

/// Most drones one scenario may hold.
pub const MAX_DRONES: usize = 10_000;

impl ScenarioConfig {
    /// Checks that the configuration can be simulated: a finite,
    /// non-negative duration, an origin within ±80° latitude and ±180°
    /// longitude, at most [`MAX_DRONES`] drones, and a start time the ODID
    /// System timestamp can express (2019-01-01 to 2155).
    pub fn validate(&self) -> Result<(), EncodeError> {
        if !self.duration_s.is_finite() || self.duration_s < 0.0 {
            return Err(EncodeError::new("duration_s", format!("{} is not a duration", self.duration_s)));
        }
        if !(-80.0..=80.0).contains(&self.origin_lat_deg) || !(-180.0..=180.0).contains(&self.origin_lon_deg) {
            return Err(EncodeError::new(
                "origin",
                format!("{} {} outside ±80° latitude / ±180° longitude", self.origin_lat_deg, self.origin_lon_deg),
            ));
        }
        if self.drones > MAX_DRONES {
            return Err(EncodeError::new("drones", format!("{} > {MAX_DRONES}", self.drones)));
        }
        let first = time::ODID_EPOCH_UNIX_S as i128 * 1_000_000_000;
        let last = (time::ODID_EPOCH_UNIX_S as i128 + u32::MAX as i128) * 1_000_000_000;
        let end = self.start_unix_ns + (self.duration_s * 1e9).ceil() as i128;
        if self.start_unix_ns < first || end > last {
            return Err(EncodeError::new(
                "start_unix_ns",
                "the scenario must lie between 2019-01-01 and 2155 (ODID System timestamp)",
            ));
        }
        Ok(())
    }

    /// Absolute time of scenario time `t_s`, Unix nanoseconds.
    pub fn unix_ns(&self, t_s: f64) -> i128 {
        self.start_unix_ns + (t_s * 1e9).round() as i128
    }
}

/// Independent random streams (the first stream identifier).
mod stream {
    pub const SCENARIO: u64 = 0;
    pub const FLIGHT: u64 = 1;
    pub const ADDRESS: u64 = 2;
    pub const BT4: u64 = 3;
    pub const BT5: u64 = 4;
}

// ---------------------------------------------------------------------------
// Local geodesy

/// East/north metres around a reference point to WGS-84 latitude/longitude
/// (local tangent plane with the ellipsoid's radii of curvature; exact to
/// centimetres over a few kilometres).
#[derive(Debug, Clone, Copy, PartialEq)]
struct LocalFrame {
    lat0_deg: f64,
    lon0_deg: f64,
    /// Metres per radian of latitude (meridian radius of curvature).
    m_per_rad_lat: f64,
    /// Metres per radian of longitude (prime vertical radius × cos lat).
    m_per_rad_lon: f64,
}

impl LocalFrame {
    fn new(lat0_deg: f64, lon0_deg: f64) -> Self {
        const A: f64 = 6_378_137.0;
        const E2: f64 = 6.694_379_990_14e-3;
        let s = lat0_deg.to_radians().sin();
        let w = 1.0 - E2 * s * s;
        let m = A * (1.0 - E2) / (w * w.sqrt());
        let n = A / w.sqrt();
        LocalFrame { lat0_deg, lon0_deg, m_per_rad_lat: m, m_per_rad_lon: n * lat0_deg.to_radians().cos() }
    }

    fn latlon(self, east_m: f64, north_m: f64) -> (f64, f64) {
        let lat = self.lat0_deg + (north_m / self.m_per_rad_lat).to_degrees();
        let lon = self.lon0_deg + (east_m / self.m_per_rad_lon).to_degrees();
        (lat, (lon + 180.0).rem_euclid(360.0) - 180.0)
    }
}

// ---------------------------------------------------------------------------
// Flight path

/// The shape of a drone's route after its climb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// A closed loop through 3 to 6 waypoints.
    Waypoints,
    /// Circling a point at a constant radius.
    Loiter,
    /// A survey: parallel rows joined by U-turns, then back to the start.
    Lawnmower,
}

/// A point on a path: position (east/north metres from the take-off point)
/// and the direction of travel (degrees clockwise from true north, 0..360).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathPoint {
    /// Metres east of the take-off point.
    pub east_m: f64,
    /// Metres north of the take-off point.
    pub north_m: f64,
    /// Direction of travel, degrees clockwise from true north.
    pub heading_deg: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Segment {
    Line {
        a: [f64; 2],
        b: [f64; 2],
        len: f64,
    },
    /// Circle arc around `c` of radius `r` starting at polar angle `phi0`
    /// (radians, counter-clockwise from east), turning left (`left`) or
    /// right for `len` metres.
    Arc {
        c: [f64; 2],
        r: f64,
        phi0: f64,
        left: bool,
        len: f64,
    },
}

fn heading_of(ve: f64, vn: f64) -> f64 {
    ve.atan2(vn).to_degrees().rem_euclid(360.0)
}

impl Segment {
    fn len(&self) -> f64 {
        match *self {
            Segment::Line { len, .. } | Segment::Arc { len, .. } => len,
        }
    }

    fn at(&self, s: f64) -> PathPoint {
        match *self {
            Segment::Line { a, b, len } => {
                let f = if len > 0.0 { (s / len).clamp(0.0, 1.0) } else { 0.0 };
                let (de, dn) = (b[0] - a[0], b[1] - a[1]);
                PathPoint { east_m: a[0] + de * f, north_m: a[1] + dn * f, heading_deg: heading_of(de, dn) }
            }
            Segment::Arc { c, r, phi0, left, len } => {
                let s = s.clamp(0.0, len);
                let sign = if left { 1.0 } else { -1.0 };
                let phi = phi0 + sign * s / r;
                let (sin, cos) = phi.sin_cos();
                let (ve, vn) = (-sign * sin, sign * cos);
                PathPoint { east_m: c[0] + r * cos, north_m: c[1] + r * sin, heading_deg: heading_of(ve, vn) }
            }
        }
    }
}

fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

fn norm(v: [f64; 2]) -> f64 {
    v[0].hypot(v[1])
}

fn unit(v: [f64; 2]) -> [f64; 2] {
    let n = norm(v);
    if n > 0.0 { [v[0] / n, v[1] / n] } else { [0.0, 0.0] }
}

/// Turn angle (radians, 0..π) from direction `u` to direction `w`.
fn turn_angle(u: [f64; 2], w: [f64; 2]) -> f64 {
    (u[0] * w[0] + u[1] * w[1]).clamp(-1.0, 1.0).acos()
}

/// A corner at `p`, entered along `u` and left along `w`, rounded by a
/// circular arc of radius `r_want` whose tangent points lie at most `t_max`
/// from the corner (a tighter radius when they would not fit). Returns the
/// tangent points and the arc (none for a straight-through corner).
fn fillet(p: [f64; 2], u: [f64; 2], w: [f64; 2], r_want: f64, t_max: f64) -> ([f64; 2], [f64; 2], Option<Segment>) {
    let theta = turn_angle(u, w);
    if !(1e-9..=std::f64::consts::PI - 1e-9).contains(&theta) || t_max <= 0.0 {
        return (p, p, None);
    }
    let tan_half = (theta / 2.0).tan();
    let t = (r_want * tan_half).min(t_max);
    let r = t / tan_half;
    let a = [p[0] - u[0] * t, p[1] - u[1] * t];
    let b = [p[0] + w[0] * t, p[1] + w[1] * t];
    let left = u[0] * w[1] - u[1] * w[0] > 0.0;
    let ln = [-u[1], u[0]]; // left normal of u
    let sign = if left { 1.0 } else { -1.0 };
    let c = [a[0] + sign * r * ln[0], a[1] + sign * r * ln[1]];
    let phi0 = (a[1] - c[1]).atan2(a[0] - c[0]);
    (a, b, Some(Segment::Arc { c, r, phi0, left, len: r * theta }))
}

fn push_line(segs: &mut Vec<Segment>, a: [f64; 2], b: [f64; 2]) {
    let len = norm(sub(b, a));
    if len > 1e-9 {
        segs.push(Segment::Line { a, b, len });
    }
}

fn push_arc(segs: &mut Vec<Segment>, arc: Option<Segment>) {
    if let Some(arc) = arc.filter(|s| s.len() > 1e-9) {
        segs.push(arc);
    }
}

/// A route flown at constant speed: a transit from the take-off point into
/// a closed loop, then the loop forever. Corners are rounded with circular
/// arcs, so position and heading are continuous everywhere. Coordinates are
/// east/north metres from the take-off point.
#[derive(Debug, Clone, PartialEq)]
pub struct FlightPath {
    /// The shape of the route.
    pub kind: PathKind,
    transit: Vec<Segment>,
    transit_len: f64,
    lap: Vec<Segment>,
    lap_len: f64,
}

fn total_len(segs: &[Segment]) -> f64 {
    segs.iter().map(Segment::len).sum()
}

fn eval(segs: &[Segment], mut s: f64) -> Option<PathPoint> {
    for seg in segs {
        if s <= seg.len() {
            return Some(seg.at(s));
        }
        s -= seg.len();
    }
    segs.last().map(|seg| seg.at(seg.len()))
}

impl FlightPath {
    /// A route from the take-off point (0, 0) through the closed polygon
    /// `vertices` (flown in order, then again from the first), turning with
    /// radius `r_turn` where the sides allow it (`r_turn` = ∞ rounds every
    /// corner as much as the sides allow, which turns a regular polygon
    /// into its inscribed circle).
    fn through(kind: PathKind, vertices: &[[f64; 2]], r_turn: f64, r_entry: f64) -> FlightPath {
        let n = vertices.len();
        let takeoff = [0.0, 0.0];
        if n < 2 {
            let mut transit = Vec::new();
            if let Some(&v) = vertices.first() {
                push_line(&mut transit, takeoff, v);
            }
            let transit_len = total_len(&transit);
            return FlightPath { kind, transit, transit_len, lap: Vec::new(), lap_len: 0.0 };
        }
        let v = |i: usize| vertices[i % n];
        let mid = [(v(0)[0] + v(1)[0]) / 2.0, (v(0)[1] + v(1)[1]) / 2.0];
        // transit: take-off → (entry turn at V0) → middle of V0V1
        let mut transit = Vec::new();
        let to_v0 = sub(v(0), takeoff);
        let side01 = norm(sub(v(1), v(0)));
        let (a, b, arc) =
            fillet(v(0), unit(to_v0), unit(sub(v(1), v(0))), r_entry, (0.9 * norm(to_v0)).min(side01 / 2.0));
        push_line(&mut transit, takeoff, a);
        push_arc(&mut transit, arc);
        push_line(&mut transit, b, mid);
        // lap: middle of V0V1 → V1 → ... → V(n-1) → V0 → middle of V0V1
        let mut lap = Vec::new();
        let mut cur = mid;
        for k in 1..=n {
            let (prev, p, next) = (v(k + n - 1), v(k), v(k + 1));
            let (din, dout) = (sub(p, prev), sub(next, p));
            let t_max = norm(din).min(norm(dout)) / 2.0;
            let (a, b, arc) = fillet(p, unit(din), unit(dout), r_turn, t_max);
            push_line(&mut lap, cur, a);
            push_arc(&mut lap, arc);
            cur = b;
        }
        push_line(&mut lap, cur, mid);
        let (transit_len, lap_len) = (total_len(&transit), total_len(&lap));
        FlightPath { kind, transit, transit_len, lap, lap_len }
    }

    /// Length of the transit from the take-off point into the loop.
    pub fn transit_len_m(&self) -> f64 {
        self.transit_len
    }

    /// Length of one lap of the loop.
    pub fn lap_len_m(&self) -> f64 {
        self.lap_len
    }

    /// The point `s_m` metres along the route (the loop repeats forever).
    pub fn at(&self, s_m: f64) -> PathPoint {
        let s = s_m.max(0.0);
        let p = if s <= self.transit_len || self.lap_len <= 0.0 {
            eval(&self.transit, s)
        } else {
            eval(&self.lap, (s - self.transit_len).rem_euclid(self.lap_len))
        };
        p.unwrap_or(PathPoint { east_m: 0.0, north_m: 0.0, heading_deg: 0.0 })
    }

    /// Random route of `kind` for a drone flying at `speed` m/s.
    fn random(kind: PathKind, speed: f64, rng: &mut Rng) -> FlightPath {
        use std::f64::consts::TAU;
        let r_turn = speed * speed / rng.uniform(1.5, 3.0); // lateral acceleration 1.5..3 m/s²
        let ccw = rng.chance(0.5);
        let dir = if ccw { 1.0 } else { -1.0 };
        // a point `d` metres from the take-off point at a random bearing
        let away = |rng: &mut Rng, d: f64| {
            let b = rng.uniform(0.0, TAU);
            [d * b.sin(), d * b.cos()]
        };
        match kind {
            PathKind::Waypoints => {
                let d = rng.uniform(250.0, 700.0);
                let c = away(rng, d);
                let n = 3 + rng.below(4);
                let base = rng.uniform(0.0, TAU);
                let vs: Vec<[f64; 2]> = (0..n)
                    .map(|i| {
                        let ang = base + dir * (TAU * i as f64 / n as f64 + rng.uniform(-0.25, 0.25) * TAU / n as f64);
                        let rad = rng.uniform(150.0, 450.0);
                        [c[0] + rad * ang.cos(), c[1] + rad * ang.sin()]
                    })
                    .collect();
                FlightPath::through(kind, &best_entry(&vs), r_turn, r_turn)
            }
            PathKind::Loiter => {
                const N: usize = 24;
                let radius = rng.uniform(60.0, 250.0);
                let d = radius + rng.uniform(80.0, 500.0);
                let c = away(rng, d);
                let vr = radius / (std::f64::consts::PI / N as f64).cos();
                let vs: Vec<[f64; 2]> = (0..N)
                    .map(|i| {
                        let ang = dir * TAU * i as f64 / N as f64;
                        [c[0] + vr * ang.cos(), c[1] + vr * ang.sin()]
                    })
                    .collect();
                FlightPath::through(kind, &best_entry(&vs), f64::INFINITY, r_turn)
            }
            PathKind::Lawnmower => {
                let rows = 2 * (2 + rng.below(3)); // 4, 6 or 8 rows
                let spacing = rng.uniform(30.0, 60.0);
                let length = rng.uniform(150.0, 400.0);
                let beta = rng.uniform(0.0, TAU);
                let ex = [beta.sin(), beta.cos()];
                let ey = [-dir * beta.cos(), dir * beta.sin()];
                // the take-off point sits behind and beside the first row's start
                let (ax, ay) = (rng.uniform(40.0, 200.0), rng.uniform(40.0, 200.0));
                let o = [ax * ex[0] + ay * ey[0], ax * ex[1] + ay * ey[1]];
                let pt = |x: f64, y: f64| [o[0] + x * ex[0] + y * ey[0], o[1] + x * ex[1] + y * ey[1]];
                let mut vs = Vec::with_capacity(2 * rows);
                for i in 0..rows {
                    let y = i as f64 * spacing;
                    if i % 2 == 0 {
                        vs.extend([pt(0.0, y), pt(length, y)]);
                    } else {
                        vs.extend([pt(length, y), pt(0.0, y)]);
                    }
                }
                FlightPath::through(kind, &vs, r_turn, r_turn)
            }
        }
    }
}

/// The polygon rotated to start at the vertex the take-off point enters
/// with the gentlest turn.
fn best_entry(vs: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let n = vs.len();
    let cost = |i: usize| {
        let (p, next) = (vs[i], vs[(i + 1) % n]);
        turn_angle(unit(p), unit(sub(next, p)))
    };
    let start = (0..n).min_by(|&a, &b| cost(a).total_cmp(&cost(b))).unwrap_or(0);
    (0..n).map(|k| vs[(start + k) % n]).collect()
}

/// Distance and speed of a move that accelerates at `acc` from
/// rest to `vmax` and stays there: (distance, speed) after `t` seconds.
fn ramp(t: f64, vmax: f64, acc: f64) -> (f64, f64) {
    let t_acc = vmax / acc;
    if t <= 0.0 {
        (0.0, 0.0)
    } else if t < t_acc {
        (0.5 * acc * t * t, acc * t)
    } else {
        (vmax * vmax / (2.0 * acc) + vmax * (t - t_acc), vmax)
    }
}

/// A move of `dist` from rest to rest with speed limit `vmax` and
/// acceleration `acc` (trapezoidal speed profile): its duration, and
/// (distance, speed) after `t` seconds.
fn trapezoid(dist: f64, vmax: f64, acc: f64) -> (f64, impl Fn(f64) -> (f64, f64)) {
    let vpeak = vmax.min((dist * acc).sqrt());
    let t_acc = vpeak / acc;
    let d_acc = vpeak * vpeak / (2.0 * acc);
    let total = 2.0 * t_acc + (dist - 2.0 * d_acc).max(0.0) / vpeak.max(1e-9);
    let f = move |t: f64| {
        if t <= 0.0 {
            (0.0, 0.0)
        } else if t < t_acc {
            (0.5 * acc * t * t, acc * t)
        } else if t < total - t_acc {
            (d_acc + vpeak * (t - t_acc), vpeak)
        } else if t < total {
            let rem = total - t;
            (dist - 0.5 * acc * rem * rem, acc * rem)
        } else {
            (dist, 0.0)
        }
    };
    (total, f)
}

// ---------------------------------------------------------------------------
// Drone

/// The operator (pilot) near the take-off point, maybe walking slowly to and
/// fro along a line.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pilot {
    /// Standing point, metres from the take-off point.
    east_m: f64,
    north_m: f64,
    /// Walking direction (unit vector), half-length of the walk and speed.
    dir: [f64; 2],
    walk_half_m: f64,
    walk_mps: f64,
}

impl Pilot {
    fn at(&self, t: f64) -> (f64, f64) {
        if self.walk_mps <= 0.0 || self.walk_half_m <= 0.0 {
            return (self.east_m, self.north_m);
        }
        let l = 2.0 * self.walk_half_m;
        let ph = (t * self.walk_mps).rem_euclid(2.0 * l);
        let x = if ph < l { ph } else { 2.0 * l - ph } - self.walk_half_m;
        (self.east_m + self.dir[0] * x, self.north_m + self.dir[1] * x)
    }
}

/// Accuracy codes a drone declares (ASTM tables, see `odid::location`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Accuracy {
    h: u8,
    v: u8,
    baro: u8,
    speed: u8,
    timestamp: u8,
}

/// Period of the BLE address rotation, seconds (about 15 minutes).
pub const ADDRESS_ROTATION_S: f64 = 900.0;
/// Rate of the simulated GNSS fixes: Location data describes the latest fix.
pub const GNSS_FIX_HZ: u32 = 10;

/// One simulated aircraft with its Remote ID identity, operator and flight.
///
/// Built deterministically from the scenario seed and the drone's index;
/// the flight and the identity do not depend on the scenario duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Drone {
    /// Position in the scenario's drone list.
    pub index: usize,
    /// ANSI/CTA-2063-A serial number (Basic ID, ID type serial number).
    pub serial: String,
    /// EU-style operator registration number (16 characters).
    pub operator_id: String,
    /// Self-ID text (flight purpose).
    pub self_id: String,
    /// EU class declared in the System message (category is always open).
    pub eu_class: EuClass,
    /// What the System message's operator position is: the live pilot
    /// position (`LiveGnss`) or the take-off point (`Takeoff`).
    pub operator_location_type: OperatorLocationType,
    /// The BT4 name advert's complete local name, `ArduRemoteID_XXXX`.
    pub ble_name: String,
    /// BLE random static addresses: from each time (seconds; the first
    /// entry applies from the start) the address in use.
    pub ble_addresses: Vec<(f64, MacAddr)>,
    /// Take-off point, metres east of the scenario origin.
    pub takeoff_east_m: f64,
    /// Take-off point, metres north of the scenario origin.
    pub takeoff_north_m: f64,
    /// Geodetic (WGS-84 HAE) altitude of the ground at the take-off point
    /// (the area is taken as flat).
    pub ground_alt_m: f64,
    /// Geodetic minus pressure altitude.
    pub baro_offset_m: f64,
    /// Height above take-off reached by the climb.
    pub cruise_height_m: f64,
    /// Climb rate after take-off.
    pub climb_rate_mps: f64,
    /// Ground speed along the path.
    pub speed_mps: f64,
    /// The horizontal route, relative to the take-off point.
    pub path: FlightPath,
    /// Mission time at `t = 0`: the drone takes off at `t = -mission_offset_s`
    /// (on the ground before when that is positive time).
    pub mission_offset_s: f64,
    frame: LocalFrame,
    start_unix_ns: i128,
    climb_time_s: f64,
    wobble_m: f64,
    wobble_period_s: f64,
    pilot: Pilot,
    accuracy: Accuracy,
}

/// The kinematic state of a drone and its operator at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DroneState {
    /// Scenario time, seconds.
    pub t_s: f64,
    /// False before take-off.
    pub airborne: bool,
    /// Position, metres east of the scenario origin.
    pub east_m: f64,
    /// Position, metres north of the scenario origin.
    pub north_m: f64,
    /// Latitude, degrees (WGS-84).
    pub lat_deg: f64,
    /// Longitude, degrees (WGS-84).
    pub lon_deg: f64,
    /// Geodetic altitude (WGS-84 HAE).
    pub alt_geo_m: f64,
    /// Pressure altitude (geodetic minus the drone's offset).
    pub alt_baro_m: f64,
    /// Height above the take-off point.
    pub height_m: f64,
    /// Track over ground, degrees clockwise from true north, 0..360.
    pub track_deg: f64,
    /// Ground speed.
    pub speed_h_mps: f64,
    /// Vertical speed, up positive.
    pub speed_v_mps: f64,
    /// The operator position the System message reports (the pilot's live
    /// position or the take-off point, per the drone's operator location
    /// type): metres east of the origin.
    pub operator_east_m: f64,
    /// Operator position, metres north of the origin.
    pub operator_north_m: f64,
    /// Operator latitude, degrees.
    pub operator_lat_deg: f64,
    /// Operator longitude, degrees.
    pub operator_lon_deg: f64,
    /// Operator geodetic altitude (WGS-84 HAE); ground + 1 m for a live pilot position.
    pub operator_alt_geo_m: f64,
}

/// Manufacturer codes used for serial numbers (arbitrary valid codes).
const MFR_CODES: [&str; 6] = ["1596", "1748", "1869", "19A2", "1B47", "1C35"];
/// Characters CTA-2063-A allows in a serial number (no O, no I).
const SERIAL_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const COUNTRIES: [&str; 10] = ["DEU", "FRA", "NLD", "BEL", "DNK", "FIN", "ESP", "ITA", "AUT", "SWE"];
const SELF_IDS: [&str; 8] = [
    "Roof inspection",
    "Survey flight",
    "Aerial photography",
    "Crop monitoring",
    "Power line check",
    "Search and rescue drill",
    "Training flight",
    "Construction survey",
];

/// Luhn mod 36 check character over lower-case alphanumerics.
fn luhn36(chars: &[u8]) -> u8 {
    const ALPHA: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let cp = |c: u8| ALPHA.iter().position(|&a| a == c).unwrap_or(0) as u32;
    let mut factor = 2;
    let mut sum = 0;
    for &c in chars.iter().rev() {
        let addend = factor * cp(c);
        factor = if factor == 2 { 1 } else { 2 };
        sum += addend / 36 + addend % 36;
    }
    ALPHA[((36 - sum % 36) % 36) as usize]
}

fn random_chars(rng: &mut Rng, alphabet: &[u8], n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.pick(alphabet).copied().unwrap_or(b'0')).collect()
}

/// A random static device address: two most significant bits set, the
/// random part neither all zeros nor all ones.
fn random_static_address(rng: &mut Rng) -> MacAddr {
    loop {
        let mut a = [0u8; 6];
        for b in a.iter_mut() {
            *b = rng.below(256) as u8;
        }
        a[0] |= 0xC0;
        let zeros = a[0] == 0xC0 && a[1..].iter().all(|&b| b == 0);
        let ones = a.iter().all(|&b| b == 0xFF);
        if !zeros && !ones {
            return MacAddr(a);
        }
    }
}

fn padded<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(s.bytes()) {
        *o = b;
    }
    out
}

impl Drone {
    /// Drone number `index` of the scenario.
    pub fn new(cfg: &ScenarioConfig, index: usize) -> Drone {
        use std::f64::consts::TAU;
        let mut rng = Rng::new(cfg.seed, &[stream::FLIGHT, index as u64]);

        // identity
        let mfr = rng.pick(&MFR_CODES).copied().unwrap_or("1596");
        let n = 6 + rng.below(10); // 6..15 characters
        let len_char = char::from_digit(n as u32, 16).unwrap_or('F').to_ascii_uppercase();
        let body = String::from_utf8_lossy(&random_chars(&mut rng, SERIAL_CHARS, n)).into_owned();
        let serial = format!("{mfr}{len_char}{body}");
        let country = rng.pick(&COUNTRIES).copied().unwrap_or("DEU");
        let alnum = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let base = random_chars(&mut rng, alnum, 12);
        let secret = random_chars(&mut rng, alnum, 3);
        let check = luhn36(&[base.as_slice(), secret.as_slice()].concat());
        let operator_id = format!("{country}{}{}", String::from_utf8_lossy(&base), check as char);
        let self_id = rng.pick(&SELF_IDS).copied().unwrap_or("Survey flight").to_string();
        let eu_class = if rng.chance(0.5) { EuClass::C1 } else { EuClass::C2 };
        let operator_location_type =
            if rng.chance(0.5) { OperatorLocationType::LiveGnss } else { OperatorLocationType::Takeoff };
        let ble_name = format!("ArduRemoteID_{:04X}", rng.below(0x10000));
        let accuracy = Accuracy {
            h: 10 + rng.below(2) as u8,
            v: 4 + rng.below(2) as u8,
            baro: 3 + rng.below(2) as u8,
            speed: 3 + rng.below(2) as u8,
            timestamp: 1 + rng.below(2) as u8,
        };

        // where and how it flies
        let (r, b) = (2000.0 * rng.f64().sqrt(), rng.uniform(0.0, TAU));
        let (takeoff_east_m, takeoff_north_m) = (r * b.sin(), r * b.cos());
        let ground_alt_m = rng.uniform(20.0, 600.0);
        let baro_offset_m = rng.uniform(-20.0, 60.0);
        let cruise_height_m = rng.uniform(40.0, 120.0);
        let climb_rate_mps = rng.uniform(2.0, 4.0);
        let scen = Rng::new(cfg.seed, &[stream::SCENARIO]).below(3);
        let kind = [PathKind::Waypoints, PathKind::Loiter, PathKind::Lawnmower][(index + scen) % 3];
        let speed_mps = match kind {
            PathKind::Lawnmower => rng.uniform(5.0, 9.0),
            _ => rng.uniform(7.0, 15.0),
        };
        let path = FlightPath::random(kind, speed_mps, &mut rng);
        let mission_offset_s = rng.uniform(-15.0, 300.0);
        let (climb_time_s, _) = trapezoid(cruise_height_m, climb_rate_mps, CLIMB_ACCEL);
        let wobble_m = rng.uniform(0.0, 6.0);
        let wobble_period_s = rng.uniform(40.0, 120.0);
        let (pr, pb) = (rng.uniform(3.0, 25.0), rng.uniform(0.0, TAU));
        let walks = rng.chance(0.4);
        let wd = rng.uniform(0.0, TAU);
        let pilot = Pilot {
            east_m: pr * pb.sin(),
            north_m: pr * pb.cos(),
            dir: [wd.sin(), wd.cos()],
            walk_half_m: if walks { rng.uniform(5.0, 15.0) } else { 0.0 },
            walk_mps: if walks { rng.uniform(0.3, 1.0) } else { 0.0 },
        };

        // address rotation: once early (the module has been on for a while
        // before t = 0), then every ~15 minutes
        let mut arng = Rng::new(cfg.seed, &[stream::ADDRESS, index as u64]);
        let mut addr = random_static_address(&mut arng);
        let mut ble_addresses = vec![(0.0, addr)];
        let span = cfg.duration_s.clamp(0.0, ADDRESS_ROTATION_S);
        let mut t = arng.uniform(0.1, 0.5) * span;
        while t < cfg.duration_s && ble_addresses.len() < 1_000_000 {
            let mut next = random_static_address(&mut arng);
            while next == addr {
                next = random_static_address(&mut arng);
            }
            addr = next;
            ble_addresses.push((t, addr));
            t += ADDRESS_ROTATION_S + arng.uniform(-30.0, 30.0);
        }

        Drone {
            index,
            serial,
            operator_id,
            self_id,
            eu_class,
            operator_location_type,
            ble_name,
            ble_addresses,
            takeoff_east_m,
            takeoff_north_m,
            ground_alt_m,
            baro_offset_m,
            cruise_height_m,
            climb_rate_mps,
            speed_mps,
            path,
            mission_offset_s,
            frame: LocalFrame::new(cfg.origin_lat_deg, cfg.origin_lon_deg),
            start_unix_ns: cfg.start_unix_ns,
            climb_time_s,
            wobble_m,
            wobble_period_s,
            pilot,
            accuracy,
        }
    }

    /// All drones of a scenario.
    pub fn fleet(cfg: &ScenarioConfig) -> Vec<Drone> {
        (0..cfg.drones).map(|i| Drone::new(cfg, i)).collect()
    }

    /// The BLE advertiser address in use at `t_s`.
    pub fn ble_address_at(&self, t_s: f64) -> MacAddr {
        self.ble_addresses
            .iter()
            .take_while(|(from, _)| *from <= t_s)
            .last()
            .or(self.ble_addresses.first())
            .map_or(MacAddr([0xC0, 0, 0, 0, 0, 1]), |&(_, a)| a)
    }

    /// Time of take-off (scenario seconds; negative when before `t = 0`).
    pub fn takeoff_time_s(&self) -> f64 {
        -self.mission_offset_s
    }

    /// The drone's and operator's state at `t_s`.
    ///
    /// On the ground until take-off; then a vertical climb (trapezoidal
    /// speed profile, 1 m/s²) to the cruise height; then the path at
    /// constant ground speed (reached at 1.5 m/s²) with a gentle height
    /// wobble of a few metres.
    pub fn state_at(&self, t_s: f64) -> DroneState {
        let tau = t_s + self.mission_offset_s;
        let initial_heading = self.path.at(0.0).heading_deg;
        let (e, n, track, vh, height, vz) = if tau < 0.0 {
            (0.0, 0.0, initial_heading, 0.0, 0.0, 0.0)
        } else if tau < self.climb_time_s {
            let (_, f) = trapezoid(self.cruise_height_m, self.climb_rate_mps, CLIMB_ACCEL);
            let (h, vz) = f(tau);
            (0.0, 0.0, initial_heading, 0.0, h, vz)
        } else {
            let tp = tau - self.climb_time_s;
            let (s, v) = ramp(tp, self.speed_mps, HORIZONTAL_ACCEL);
            let p = self.path.at(s);
            let w = std::f64::consts::TAU / self.wobble_period_s;
            let h = self.cruise_height_m + self.wobble_m * (1.0 - (w * tp).cos()) / 2.0;
            let vz = self.wobble_m * w * (w * tp).sin() / 2.0;
            (p.east_m, p.north_m, p.heading_deg, v, h, vz)
        };
        let (east_m, north_m) = (self.takeoff_east_m + e, self.takeoff_north_m + n);
        let (lat_deg, lon_deg) = self.frame.latlon(east_m, north_m);
        let alt_geo_m = self.ground_alt_m + height;
        let (oe, on, oalt) = match self.operator_location_type {
            OperatorLocationType::LiveGnss => {
                let (pe, pn) = self.pilot.at(t_s);
                (self.takeoff_east_m + pe, self.takeoff_north_m + pn, self.ground_alt_m + 1.0)
            }
            _ => (self.takeoff_east_m, self.takeoff_north_m, self.ground_alt_m),
        };
        let (operator_lat_deg, operator_lon_deg) = self.frame.latlon(oe, on);
        DroneState {
            t_s,
            airborne: tau >= 0.0,
            east_m,
            north_m,
            lat_deg,
            lon_deg,
            alt_geo_m,
            alt_baro_m: alt_geo_m - self.baro_offset_m,
            height_m: height,
            track_deg: track,
            speed_h_mps: vh,
            speed_v_mps: vz,
            operator_east_m: oe,
            operator_north_m: on,
            operator_lat_deg,
            operator_lon_deg,
            operator_alt_geo_m: oalt,
        }
    }

    /// The latest GNSS fix at or before `t_s`: (Unix ns, scenario seconds).
    /// Fixes come at [`GNSS_FIX_HZ`] on the UTC grid.
    pub fn fix_time(&self, t_s: f64) -> (i128, f64) {
        let step = 1_000_000_000 / GNSS_FIX_HZ as i128;
        let abs = self.start_unix_ns + (t_s * 1e9).round() as i128;
        let fix = abs.div_euclid(step) * step;
        (fix, (fix - self.start_unix_ns) as f64 / 1e9)
    }

    /// Location/Vector message for a transmission at `t_s`: the state at the
    /// latest GNSS fix (less than 0.1 s old), timestamped with that fix
    /// time in tenths of a second since the UTC hour.
    pub fn location(&self, t_s: f64) -> Location {
        let (fix_ns, fix_s) = self.fix_time(t_s);
        let st = self.state_at(fix_s);
        let tenths = fix_ns.rem_euclid(3_600_000_000_000) / 100_000_000;
        Location {
            status: if st.airborne { OperationalStatus::Airborne } else { OperationalStatus::Ground },
            height_type: HeightType::AboveTakeoff,
            direction_deg: Some(st.track_deg),
            speed_h_mps: Some(st.speed_h_mps.clamp(0.0, 254.25)),
            speed_v_mps: Some(st.speed_v_mps.clamp(-62.0, 62.0)),
            lat_deg: Some(st.lat_deg),
            lon_deg: Some(st.lon_deg),
            alt_baro_m: Some(st.alt_baro_m),
            alt_geo_m: Some(st.alt_geo_m),
            height_m: Some(st.height_m),
            h_accuracy: self.accuracy.h,
            v_accuracy: self.accuracy.v,
            baro_accuracy: self.accuracy.baro,
            speed_accuracy: self.accuracy.speed,
            timestamp_tenths: Some(tenths as u16),
            timestamp_accuracy: self.accuracy.timestamp,
            ..Location::default()
        }
    }

    /// Basic ID: serial number, helicopter or multirotor.
    pub fn basic_id(&self) -> BasicId {
        BasicId {
            id_type: IdType::SerialNumber,
            ua_type: UaType::HelicopterOrMultirotor,
            uas_id: padded::<20>(&self.serial),
        }
    }

    /// Self-ID: the flight purpose text.
    pub fn self_id_message(&self) -> SelfId {
        SelfId { desc_type: DescType::Text, description: padded::<23>(&self.self_id) }
    }

    /// System message for a transmission at `t_s` (same GNSS fix as
    /// [`Drone::location`]): operator position, EU open category, class
    /// C1/C2, single aircraft, timestamp in seconds since 2019-01-01.
    pub fn system(&self, t_s: f64) -> System {
        let (fix_ns, fix_s) = self.fix_time(t_s);
        let st = self.state_at(fix_s);
        let secs = fix_ns.div_euclid(1_000_000_000) - time::ODID_EPOCH_UNIX_S as i128;
        System {
            operator_location_type: self.operator_location_type,
            classification_type: Some(ClassificationType::Eu),
            operator_lat_deg: Some(st.operator_lat_deg),
            operator_lon_deg: Some(st.operator_lon_deg),
            area_count: 1,
            area_radius_m: 0,
            area_ceiling_m: None,
            area_floor_m: None,
            eu_category: EuCategory::Open,
            eu_class: self.eu_class,
            operator_alt_geo_m: Some(st.operator_alt_geo_m),
            timestamp: u32::try_from(secs).ok().filter(|&s| s > 0),
            invalid: Vec::new(),
        }
    }

    /// Operator ID: the registration number.
    pub fn operator_id_message(&self) -> OperatorId {
        OperatorId { id_type: OperatorIdType::OperatorId, operator_id: padded::<20>(&self.operator_id) }
    }

    /// The version-2 message of type `t` for a transmission at `t_s`
    /// (`None` for types the drone does not send: authentication, packs).
    pub fn message(&self, t: MessageType, t_s: f64) -> Option<odid::Message> {
        let body = match t {
            MessageType::BasicId => Body::BasicId(self.basic_id()),
            MessageType::Location => Body::Location(self.location(t_s)),
            MessageType::SelfId => Body::SelfId(self.self_id_message()),
            MessageType::System => Body::System(self.system(t_s)),
            MessageType::OperatorId => Body::OperatorId(self.operator_id_message()),
            _ => return None,
        };
        Some(odid::Message::v2(body))
    }

    /// The drone's whole message set at `t_s`, in BT4 cycle order: Location,
    /// Basic ID, Self-ID, System, Operator ID.
    pub fn message_set(&self, t_s: f64) -> Vec<odid::Message> {
        MESSAGE_SET.iter().filter_map(|&t| self.message(t, t_s)).collect()
    }
}

const CLIMB_ACCEL: f64 = 1.0;
const HORIZONTAL_ACCEL: f64 = 1.5;

/// The message types of a drone's message set, in BT4 cycle order.
pub const MESSAGE_SET: [MessageType; 5] =
    [MessageType::Location, MessageType::BasicId, MessageType::SelfId, MessageType::System, MessageType::OperatorId];

// ---------------------------------------------------------------------------
// Transmissions and truth

/// BLE PHYs a transmission can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BlePhy {
    /// LE 1M (legacy advertising).
    #[serde(rename = "ble1m")]
    Le1m,
    /// LE 2M.
    #[serde(rename = "ble2m")]
    Le2m,
    /// LE Coded, S=8.
    #[serde(rename = "ble_coded_s8")]
    CodedS8,
    /// LE Coded, S=2.
    #[serde(rename = "ble_coded_s2")]
    CodedS2,
}

impl BlePhy {
    /// The matching frame-level PHY.
    pub fn phy(self) -> Phy {
        match self {
            BlePhy::Le1m => Phy::Ble1m,
            BlePhy::Le2m => Phy::Ble2m,
            BlePhy::CodedS8 => Phy::BleCodedS8,
            BlePhy::CodedS2 => Phy::BleCodedS2,
        }
    }

    /// Air time of a packet whose PDU (header + payload) is `pdu_len` bytes:
    /// uncoded, (preamble + access address + PDU + CRC) × 8 µs (1M: 1-byte
    /// preamble) or × 4 µs (2M: 2-byte preamble); coded, 80 µs preamble +
    /// 256 µs access address + 16 µs CI + 24 µs TERM1, then PDU + CRC and
    /// TERM2 at 8 µs (S=8) or 2 µs (S=2) per bit.
    pub fn airtime_s(self, pdu_len: usize) -> f64 {
        let bits = ((pdu_len + ble::CRC_LEN) * 8) as f64;
        let us = match self {
            BlePhy::Le1m => (1 + 4 + pdu_len + ble::CRC_LEN) as f64 * 8.0,
            BlePhy::Le2m => (2 + 4 + pdu_len + ble::CRC_LEN) as f64 * 4.0,
            BlePhy::CodedS8 => 80.0 + 256.0 + 16.0 + 24.0 + (bits + 3.0) * 8.0,
            BlePhy::CodedS2 => 80.0 + 256.0 + 16.0 + 24.0 + (bits + 3.0) * 2.0,
        };
        us * 1e-6
    }
}

/// One message one packet carries, as a perfect receiver decodes it: a
/// line of the truth file ([`truth_jsonl`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthMessage {
    /// Start of the packet (first preamble bit), scenario seconds.
    pub t_s: f64,
    /// The same as RFC 3339 UTC (millisecond precision).
    pub time_utc: String,
    /// Index of the drone.
    pub drone: usize,
    /// BLE channel index.
    pub channel: u8,
    /// PHY of the packet.
    pub phy: Phy,
    /// Advertiser address of the packet.
    pub src_addr: MacAddr,
    /// The transport's message counter.
    pub counter: u8,
    /// How the message travelled (`ble4_legacy`).
    pub transport: Transport,
    /// The drone's serial number (its Basic ID), whatever the message.
    pub uas_id: String,
    /// The message, serialized like the decoder's output (`msg_type`,
    /// `proto_version` and the message's fields).
    #[serde(flatten)]
    pub message: protocol::Message,
}

/// One BLE packet on the air.
#[derive(Debug, Clone, PartialEq)]
pub struct BleTx {
    /// Start of the packet (first preamble bit), scenario seconds.
    pub t_s: f64,
    /// Index of the transmitting drone.
    pub drone: usize,
    /// BLE channel index (37, 38, 39: primary advertising channels).
    pub channel: u8,
    /// PHY the packet is sent on.
    pub phy: BlePhy,
    /// Access address (0x8E89BED6 for advertising).
    pub access_address: u32,
    /// PDU header + payload, without the CRC (the PHY adds CRC and
    /// whitening; see [`BleTx::air_bytes`]).
    pub pdu: Vec<u8>,
    /// What the packet carries (empty for non-Remote-ID adverts, like the
    /// name advert).
    pub truth: Vec<TruthMessage>,
}

impl BleTx {
    /// Air time of the packet.
    pub fn duration_s(&self) -> f64 {
        self.phy.airtime_s(self.pdu.len())
    }

    /// End of the packet, scenario seconds.
    pub fn end_s(&self) -> f64 {
        self.t_s + self.duration_s()
    }

    /// The PDU followed by its CRC-24 (advertising init 0x555555), before
    /// whitening.
    pub fn air_bytes(&self) -> Vec<u8> {
        ble::with_crc(&self.pdu)
    }

    /// Centre frequency of the channel, Hz.
    pub fn freq_hz(&self) -> Option<f64> {
        crate::frame::ble_channel_freq_hz(self.channel)
    }
}

/// For each transmission, whether it overlaps in time another one on the
/// same channel (a collision: the receiver may lose either or both).
/// Packets that only touch (one ends exactly when the other starts) do not
/// overlap.
pub fn collided(txs: &[BleTx]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..txs.len()).collect();
    order.sort_by(|&a, &b| txs[a].channel.cmp(&txs[b].channel).then(txs[a].t_s.total_cmp(&txs[b].t_s)));
    let mut hit = vec![false; txs.len()];
    for (k, &i) in order.iter().enumerate() {
        let end = txs[i].end_s();
        for &j in &order[k + 1..] {
            if txs[j].channel != txs[i].channel || txs[j].t_s >= end {
                break;
            }
            hit[i] = true;
            hit[j] = true;
        }
    }
    hit
}

/// Number of transmissions that overlap another on the same channel.
pub fn collisions(txs: &[BleTx]) -> usize {
    collided(txs).into_iter().filter(|&c| c).count()
}

/// The truth file: one JSON object per [`TruthMessage`], sorted by time,
/// then channel, then drone, each with an added `collided` field (true when
/// its packet overlaps another on the same channel, see [`collided`]).
pub fn truth_jsonl(txs: &[BleTx]) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Line<'a> {
        #[serde(flatten)]
        truth: &'a TruthMessage,
        collided: bool,
    }
    let hit = collided(txs);
    let mut lines: Vec<Line> =
        txs.iter().zip(hit).flat_map(|(tx, c)| tx.truth.iter().map(move |truth| Line { truth, collided: c })).collect();
    lines.sort_by(|a, b| {
        a.truth
            .t_s
            .total_cmp(&b.truth.t_s)
            .then(a.truth.channel.cmp(&b.truth.channel))
            .then(a.truth.drone.cmp(&b.truth.drone))
    });
    let mut out = String::new();
    for l in &lines {
        out.push_str(&serde_json::to_string(l)?);
        out.push('\n');
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// BLE 4 legacy advertising (ArduRemoteID-like)

/// Rate of the whole BT4 message cycle (ArduRemoteID `BT4_RATE`).
pub const BT4_RATE_HZ: f64 = 1.0;
/// Advertising interval: 259 × 0.625 ms = 161.875 ms, the 0.625 ms step
/// nearest 1000/6 ms minus the mean advDelay, so that events (interval +
/// advDelay) come every 166.875 ms on average and the 6-event cycle at
/// ~1 Hz.
pub const BT4_ADV_INTERVAL_S: f64 = 259.0 * 0.625e-3;
/// Largest advDelay, the pseudo-random 0..10 ms the link layer adds to each
/// advertising event.
pub const ADV_DELAY_MAX_S: f64 = 10e-3;
/// Range of the time from one channel's packet start to the next one's
/// within an advertising event.
pub const CHANNEL_HOP_MIN_S: f64 = 0.40e-3;
/// See [`CHANNEL_HOP_MIN_S`].
pub const CHANNEL_HOP_MAX_S: f64 = 0.60e-3;
/// Per-packet jitter of the channel hop, microseconds (on top of a
/// per-drone hop in 400..580 µs).
const HOP_JITTER_US: usize = 20;
/// Primary advertising channels, in the order an event uses them.
pub const ADV_CHANNELS: [u8; 3] = [37, 38, 39];

/// What one BT4 advertising event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bt4Slot {
    /// One Open Drone ID message.
    Odid(MessageType),
    /// The complete local name `ArduRemoteID_XXXX` (not Remote ID).
    Name,
}

/// ArduRemoteID's BT4 cycle: Location, Basic ID, Self-ID, System,
/// Operator ID, then the name advert.
pub const BT4_CYCLE: [Bt4Slot; 6] = [
    Bt4Slot::Odid(MessageType::Location),
    Bt4Slot::Odid(MessageType::BasicId),
    Bt4Slot::Odid(MessageType::SelfId),
    Bt4Slot::Odid(MessageType::System),
    Bt4Slot::Odid(MessageType::OperatorId),
    Bt4Slot::Name,
];

/// BLE 4 legacy advertising of every drone of the scenario, sorted by time
/// (then drone, then channel). See [`ble4_legacy_for`].
pub fn ble4_legacy(cfg: &ScenarioConfig) -> Result<Vec<BleTx>, EncodeError> {
    cfg.validate()?;
    ble4_legacy_for(cfg, &Drone::fleet(cfg))
}

/// BLE 4 legacy advertising of `drones`, sorted by time (then drone, then
/// channel), like ArduRemoteID:
///
/// * one message per advertising event, in the order of [`BT4_CYCLE`],
///   starting at a random place in the cycle;
/// * events every [`BT4_ADV_INTERVAL_S`] + advDelay (uniform 0..10 ms), the
///   first at a random time in the first interval; drones are independent,
///   so their packets may collide;
/// * each event on channels 37, 38, 39 in that order, ADV_NONCONN_IND from
///   the drone's random static address (TxAdd = 1), 1M PHY; each packet
///   starts 0.40..0.60 ms after the previous one's (a per-drone step plus
///   up to 20 µs jitter);
/// * each message type has its own 8-bit counter (starting at a random
///   value), incremented once per event (the three channels repeat it),
///   wrapping 255 → 0;
/// * message contents are computed at the event time (see
///   [`Drone::location`]), identical on the three channels.
///
/// Only packets that end within the scenario are kept.
pub fn ble4_legacy_for(cfg: &ScenarioConfig, drones: &[Drone]) -> Result<Vec<BleTx>, EncodeError> {
    cfg.validate()?;
    let mut out = Vec::new();
    for d in drones {
        bt4_drone(cfg, d, &mut out)?;
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)).then(a.channel.cmp(&b.channel)));
    Ok(out)
}

fn legacy_pdu(adv_a: MacAddr, adv_data: &[u8]) -> Result<Vec<u8>, EncodeError> {
    AdvPdu {
        pdu_type: PduType::AdvNonconnInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: Some(adv_a),
        peer_a: None,
        ext: None,
        adv_data,
        other: &[],
    }
    .emit()
}

fn bt4_drone(cfg: &ScenarioConfig, d: &Drone, out: &mut Vec<BleTx>) -> Result<(), EncodeError> {
    // times in whole nanoseconds (drawn in microseconds, like a controller's timer)
    const US: i64 = 1_000;
    let interval_ns = (BT4_ADV_INTERVAL_S * 1e9).round() as i64;
    let delay_max_us = (ADV_DELAY_MAX_S * 1e6).round() as usize;
    let (hop_min_us, hop_max_us) =
        ((CHANNEL_HOP_MIN_S * 1e6).round() as usize, (CHANNEL_HOP_MAX_S * 1e6).round() as usize);
    let end_ns = (cfg.duration_s * 1e9).floor() as i64;

    let mut rng = Rng::new(cfg.seed, &[stream::BT4, d.index as u64]);
    let mut counters = [0u8; 16];
    for c in counters.iter_mut() {
        *c = rng.below(256) as u8;
    }
    let hop_ns = (hop_min_us + rng.below(hop_max_us - hop_min_us - HOP_JITTER_US + 1)) as i64 * US;
    let mut slot = rng.below(BT4_CYCLE.len());
    let mut t_ns = rng.below(interval_ns as usize / 1000 + delay_max_us) as i64 * US;
    while t_ns < end_ns {
        let t = t_ns as f64 / 1e9;
        let adv_a = d.ble_address_at(t);
        let (adv_data, carried) = match BT4_CYCLE[slot] {
            Bt4Slot::Name => (ble::ad_structure(ble::ad_type::COMPLETE_NAME, d.ble_name.as_bytes())?, None),
            Bt4Slot::Odid(mt) => {
                let msg = d.message(mt, t).ok_or_else(|| EncodeError::new("bt4 cycle", "no such message"))?;
                let bytes = msg.emit_single()?;
                let c = &mut counters[(mt.value() & 0x0F) as usize];
                *c = c.wrapping_add(1);
                let counter = *c;
                let ad = odid::transport::ble_service_data_ad(counter, &bytes)?;
                // the truth is what a perfect receiver decodes (quantized values)
                let decoded = odid::Message::parse_single(&bytes)
                    .map_err(|e| EncodeError::new("synthesized message", e.to_string()))?;
                (ad, Some((counter, decoded)))
            }
        };
        let pdu = legacy_pdu(adv_a, &adv_data)?;
        let airtime_ns = ((1 + 4 + pdu.len() + ble::CRC_LEN) * 8) as i64 * US;
        let jitter = [0, rng.below(HOP_JITTER_US + 1) as i64 * US, rng.below(HOP_JITTER_US + 1) as i64 * US];
        let mut tk_ns = t_ns;
        for (k, &channel) in ADV_CHANNELS.iter().enumerate() {
            if k > 0 {
                tk_ns += hop_ns + jitter[k];
            }
            if tk_ns + airtime_ns > end_ns {
                break;
            }
            let tk = tk_ns as f64 / 1e9;
            let truth = carried
                .iter()
                .map(|(counter, msg)| TruthMessage {
                    t_s: tk,
                    time_utc: time::rfc3339_ns(cfg.start_unix_ns + tk_ns as i128),
                    drone: d.index,
                    channel,
                    phy: Phy::Ble1m,
                    src_addr: adv_a,
                    counter: *counter,
                    transport: Transport::Ble4Legacy,
                    uas_id: d.serial.clone(),
                    message: protocol::Message::Odid(msg.clone()),
                })
                .collect();
            out.push(BleTx {
                t_s: tk,
                drone: d.index,
                channel,
                phy: BlePhy::Le1m,
                access_address: ble::ADV_ACCESS_ADDRESS,
                pdu: pdu.clone(),
                truth,
            });
        }
        slot = (slot + 1) % BT4_CYCLE.len();
        t_ns += interval_ns + rng.below(delay_max_us + 1) as i64 * US;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// BLE 5 extended advertising (Long Range)

/// ArduRemoteID's BT5 events (BT5_RATE 1 Hz): one every 750..1000 ms.
pub const BT5_INTERVAL_MIN_S: f64 = 0.75;
/// See [`BT5_INTERVAL_MIN_S`].
pub const BT5_INTERVAL_MAX_S: f64 = 1.0;
/// AuxPtr offset unit used (µs).
const AUX_UNIT_US: i64 = 30;
/// Inter-frame space before an AUX packet (T_MAFS), µs.
const T_MAFS_US: i64 = 300;

fn coded_airtime_ns(phy: BlePhy, pdu_len: usize) -> i64 {
    (phy.airtime_s(pdu_len) * 1e9).round() as i64
}

/// BLE 5 Long Range extended advertising of every drone of the scenario,
/// sorted by time. See [`ble5_extended_for`].
pub fn ble5_extended(cfg: &ScenarioConfig, phy: BlePhy) -> Result<Vec<BleTx>, EncodeError> {
    cfg.validate()?;
    ble5_extended_for(cfg, &Drone::fleet(cfg), phy)
}

/// BLE 5 extended advertising of `drones` on `phy` (LE Coded S=8 or S=2),
/// like ArduRemoteID:
///
/// * an event every 750..1000 ms (uniform), the first at a random time in
///   the first second;
/// * each event sends ADV_EXT_IND on 37, 38 and 39 (1.5..1.8 ms apart),
///   each holding the set's ADI and an AuxPtr (Coded PHY, 30 µs units,
///   clock accuracy 0..50 ppm) to one AUX_ADV_IND on a data channel drawn
///   uniformly from 0..36, which starts 0.3..2.1 ms after the last primary
///   ends, on the 30 µs grid of every pointer;
/// * the AUX_ADV_IND (AdvMode 0, AdvA + ADI) carries the service data
///   `LL 16 FA FF 0D CC <message pack>` with every message of the drone
///   (Basic ID, Location, Self-ID, System, Operator ID); the pack counter
///   and the ADI's DID (random start) step once per event;
/// * only packets that end within the scenario are kept.
pub fn ble5_extended_for(cfg: &ScenarioConfig, drones: &[Drone], phy: BlePhy) -> Result<Vec<BleTx>, EncodeError> {
    cfg.validate()?;
    if !matches!(phy, BlePhy::CodedS8 | BlePhy::CodedS2) {
        return Err(EncodeError::new("ble5", "extended advertising is synthesized on the Coded PHY (S=8 or S=2)"));
    }
    let mut out = Vec::new();
    for d in drones {
        bt5_drone(cfg, d, phy, &mut out)?;
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)).then(a.channel.cmp(&b.channel)));
    Ok(out)
}

fn ext_pdu(ext: ExtHeaderSpec, adv_data: &[u8]) -> Result<Vec<u8>, EncodeError> {
    AdvPdu {
        pdu_type: PduType::AdvExtInd,
        ch_sel: false,
        tx_add_random: ext.adv_a.is_some(),
        rx_add_random: false,
        adv_a: None,
        peer_a: None,
        ext: Some(ble::ExtHeader {
            adv_mode: 0,
            adv_a: ext.adv_a,
            adi: Some(ext.adi),
            aux_ptr: ext.aux_ptr,
            ..Default::default()
        }),
        adv_data,
        other: &[],
    }
    .emit()
}

struct ExtHeaderSpec {
    adv_a: Option<MacAddr>,
    adi: ble::Adi,
    aux_ptr: Option<ble::AuxPtr>,
}

fn bt5_drone(cfg: &ScenarioConfig, d: &Drone, phy: BlePhy, out: &mut Vec<BleTx>) -> Result<(), EncodeError> {
    const US: i64 = 1_000;
    let end_ns = (cfg.duration_s * 1e9).floor() as i64;
    let mut rng = Rng::new(cfg.seed, &[stream::BT5, d.index as u64]);
    let mut counter = rng.below(256) as u8;
    let mut did = rng.below(4096) as u16;
    let sid = rng.below(16) as u8;
    let (imin, imax) = ((BT5_INTERVAL_MIN_S * 1e6) as usize, (BT5_INTERVAL_MAX_S * 1e6) as usize);
    let mut t_ns = rng.below(1_000_000) as i64 * US;
    // the primaries' length does not depend on the event
    let probe = ext_pdu(
        ExtHeaderSpec {
            adv_a: None,
            adi: ble::Adi { did: 0, sid },
            aux_ptr: Some(ble::AuxPtr { channel: 0, ca: true, offset_units_us: 30, offset: 0, phy: 2 }),
        },
        &[],
    )?;
    let primary_air_ns = coded_airtime_ns(phy, probe.len());
    while t_ns < end_ns {
        let t = t_ns as f64 / 1e9;
        counter = counter.wrapping_add(1);
        did = (did + 1) & 0x0FFF;
        let adi = ble::Adi { did, sid };
        let adv_a = d.ble_address_at(t);
        let hop_us = AUX_UNIT_US * (50 + rng.below(11) as i64);
        let aux_ch = rng.below(37) as u8;
        let min_off_us = 2 * hop_us + (primary_air_ns + US - 1) / US + T_MAFS_US;
        let aux_off_us =
            (min_off_us + AUX_UNIT_US - 1) / AUX_UNIT_US * AUX_UNIT_US + AUX_UNIT_US * rng.below(61) as i64;
        let aux_ns = t_ns + aux_off_us * US;

        let pack = odid::transport::pack(2, d.message_set(t))?;
        let decoded =
            odid::MessagePack::parse(&pack).map_err(|e| EncodeError::new("synthesized pack", e.to_string()))?.messages;
        let ad = odid::transport::ble_service_data_ad(counter, &pack)?;
        let aux_pdu = ext_pdu(ExtHeaderSpec { adv_a: Some(adv_a), adi, aux_ptr: None }, &ad)?;
        for (k, &channel) in ADV_CHANNELS.iter().enumerate() {
            let tk_ns = t_ns + k as i64 * hop_us * US;
            if tk_ns + primary_air_ns > end_ns {
                break;
            }
            let offset = ((aux_ns - tk_ns) / (AUX_UNIT_US * US)) as u16;
            let aux_ptr = ble::AuxPtr { channel: aux_ch, ca: true, offset_units_us: 30, offset, phy: 2 };
            let pdu = ext_pdu(ExtHeaderSpec { adv_a: None, adi, aux_ptr: Some(aux_ptr) }, &[])?;
            out.push(BleTx {
                t_s: tk_ns as f64 / 1e9,
                drone: d.index,
                channel,
                phy,
                access_address: ble::ADV_ACCESS_ADDRESS,
                pdu,
                truth: Vec::new(),
            });
        }
        if aux_ns + coded_airtime_ns(phy, aux_pdu.len()) <= end_ns {
            let ta = aux_ns as f64 / 1e9;
            let truth = decoded
                .iter()
                .map(|msg| TruthMessage {
                    t_s: ta,
                    time_utc: time::rfc3339_ns(cfg.start_unix_ns + aux_ns as i128),
                    drone: d.index,
                    channel: aux_ch,
                    phy: phy.phy(),
                    src_addr: adv_a,
                    counter,
                    transport: Transport::Ble5Extended,
                    uas_id: d.serial.clone(),
                    message: protocol::Message::Odid(msg.clone()),
                })
                .collect();
            out.push(BleTx {
                t_s: ta,
                drone: d.index,
                channel: aux_ch,
                phy,
                access_address: ble::ADV_ACCESS_ADDRESS,
                pdu: aux_pdu,
                truth,
            });
        }
        t_ns += (imin + rng.below(imax - imin + 1)) as i64 * US;
    }
    Ok(())
}
