//! One aircraft's records, prepared for the checks: distinct transmissions
//! per transport and message type, positions in time order.

use std::collections::BTreeMap;

use super::input::Rec;
use crate::track::GeoPos;

/// Repeats of one message (same transport, type and counter) closer than
/// this are one transmission (a BLE advertising event on three channels,
/// one beacon heard by two receivers).
pub const REPEAT_S: f64 = 0.05;

/// An aircraft position report.
#[derive(Debug, Clone, Copy)]
pub struct Pos<'a> {
    pub t: f64,
    pub p: GeoPos,
    /// Declared horizontal accuracy, metres.
    pub acc_m: Option<f64>,
    pub alt_m: Option<f64>,
    pub height_m: Option<f64>,
    pub speed_h_mps: Option<f64>,
    pub rec: &'a Rec,
}

/// One aircraft's records.
pub struct Air<'a> {
    pub recs: Vec<&'a Rec>,
    /// Distinct transmissions by (transport, msg_type).
    pub tx: BTreeMap<(String, String), Vec<&'a Rec>>,
    pub positions: Vec<Pos<'a>>,
    pub first_t: f64,
    pub last_t: f64,
}

impl<'a> Air<'a> {
    pub fn new(recs: Vec<&'a Rec>) -> Air<'a> {
        let first_t = recs.first().map_or(0.0, |r| r.t);
        let last_t = recs.last().map_or(0.0, |r| r.t);
        let mut tx: BTreeMap<(String, String), Vec<&Rec>> = BTreeMap::new();
        // a reassembled signature (`auth_signature`) was not transmitted as such
        for &r in recs.iter().filter(|r| r.msg_type != "auth_signature") {
            let list = tx.entry((r.transport.clone(), r.msg_type.clone())).or_default();
            // a repeat of one of the last transmissions (within REPEAT_S)?
            let repeat = list.iter().rev().take_while(|p| r.t - p.t < REPEAT_S).any(|p| p.counter == r.counter);
            if !repeat {
                list.push(r);
            }
        }
        let mut positions = Vec::new();
        for &r in &recs {
            if let Some((lat, lon)) = r.pos("") {
                let alt_m = r.f("alt_geo_m").or(r.f("alt_msl_m")).or(r.f("alt_m"));
                let speed = r.f("speed_h_mps").or_else(|| {
                    let (n, e) = (r.f("v_north_mps")?, r.f("v_east_mps")?);
                    Some(n.hypot(e))
                });
                positions.push(Pos {
                    t: r.t,
                    p: GeoPos::new(lat, lon),
                    acc_m: r.f("h_accuracy_m"),
                    alt_m,
                    height_m: r.f("height_m"),
                    speed_h_mps: speed,
                    rec: r,
                });
            }
        }
        Air { recs, tx, positions, first_t, last_t }
    }

    /// Transmission times of `msg_type` on `transport`.
    pub fn times(&self, transport: &str, msg_type: &str) -> Vec<f64> {
        self.tx
            .get(&(transport.to_string(), msg_type.to_string()))
            .map_or(Vec::new(), |v| v.iter().map(|r| r.t).collect())
    }

    /// Transports heard, in order.
    pub fn transports(&self) -> Vec<String> {
        let mut v: Vec<String> = self.recs.iter().map(|r| r.transport.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Records of one transport.
    pub fn on<'b>(&'b self, transport: &'b str) -> impl Iterator<Item = &'a Rec> + 'b {
        self.recs.iter().copied().filter(move |r| r.transport == transport)
    }
}

/// Median and largest interval of sorted times.
pub fn intervals(times: &[f64]) -> Option<(f64, f64)> {
    if times.len() < 2 {
        return None;
    }
    let mut d: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let max = d.iter().copied().fold(0.0, f64::max);
    Some((median(&mut d)?, max))
}

/// Median (sorts `v`).
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Seconds, printed short.
pub fn secs(s: f64) -> String {
    if s.abs() >= 100.0 {
        format!("{s:.0} s")
    } else if s.abs() >= 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.2} s")
    }
}
