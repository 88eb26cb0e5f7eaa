//! The analyzer behind `ridscope report`: what each drone leaks, whether
//! it complies with the Remote ID rules, and whether it is real.
//!
//! Input is the output contract itself ([`input`]: records as JSON, from a
//! capture decoded now, a JSON Lines file or a `--db` history), so the
//! analysis is the same whatever the source. Messages are grouped into
//! aircraft ([`ident`]), each aircraft's transmissions are counted and its
//! positions ordered ([`air`]), then:
//!
//! * [`leak`]: every identifying or sensitive item it broadcast, how soon
//!   the pilot's position was known and how precisely, trackability;
//! * [`rules`]: compliance rules per transport with evidence;
//! * [`checks`]: authenticity flags (teleports, kinematics, RSSI against
//!   distance, one address with many identities, one radio with many
//!   identities, frozen counters, timestamps against receive time).
//!
//! The [`model::Report`] renders as text ([`text`]), JSON, or a
//! self-contained HTML page with SVG plots ([`html`]).

pub mod air;
pub mod checks;
pub mod html;
pub mod ident;
pub mod input;
pub mod leak;
pub mod model;
pub mod rules;
pub mod svg;
pub mod text;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use air::Air;
pub use input::{Input, Rec};
pub use model::*;

use crate::track::GeoPos;

/// Most points of one plotted series (longer ones are thinned evenly).
pub const MAX_SERIES_POINTS: usize = 2000;
/// Most bins of a rate timeline.
pub const MAX_RATE_BINS: usize = 600;

/// Analysis settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportConfig {
    /// The receiver's position (else the input's, when it has one).
    pub sensor: Option<(f64, f64)>,
    /// Only aircraft with this identifier (any of its identifiers).
    pub id: Option<String>,
}

/// Analyses `input`.
pub fn analyze(input: &Input, cfg: &ReportConfig) -> Report {
    let sensor = cfg.sensor.or(input.sensor);
    let sensor_pos = sensor.map(|(lat, lon)| GeoPos::new(lat, lon));
    let grouping = ident::group(&input.recs);
    let airs: Vec<(ident::Group, Air)> = grouping
        .aircraft
        .iter()
        .map(|g| (g.clone(), Air::new(g.recs.iter().map(|&i| &input.recs[i]).collect())))
        .collect();

    // signal groups over all aircraft
    let sigs: Vec<checks::Signature> =
        airs.iter().enumerate().map(|(i, (g, a))| checks::Signature::of(i, &g.primary.1, a)).collect();
    let groups = checks::signal_groups(&sigs);
    let mut groups_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (gi, (members, _)) in groups.iter().enumerate() {
        for &m in members {
            groups_of.entry(m).or_default().push(gi);
        }
    }

    let t_end = input.recs.last().map_or(0.0, |r| r.t);
    let utc = |t: f64| input.utc0_ns.map(|u| crate::util::time::rfc3339_ns(u + (t * 1e9).round() as i128));
    let mut aircraft = Vec::new();
    for (i, (g, air)) in airs.iter().enumerate() {
        if let Some(want) = &cfg.id
            && !g.keys.iter().any(|k| &k.1 == want)
            && &g.primary.1 != want
        {
            continue;
        }
        // other identifiers (of kinds this aircraft has) its addresses sent
        let kinds: BTreeSet<&str> = g.keys.iter().map(|k| k.0.as_str()).collect();
        let mut others: BTreeMap<String, BTreeSet<ident::Key>> = BTreeMap::new();
        for a in air.recs.iter().filter_map(|r| r.src_addr.as_ref()).collect::<BTreeSet<_>>() {
            if let Some(ks) = grouping.addr_keys.get(a) {
                let o: BTreeSet<ident::Key> =
                    ks.iter().filter(|k| kinds.contains(k.0.as_str()) && !g.keys.contains(k)).cloned().collect();
                if !o.is_empty() {
                    others.insert(a.clone(), o);
                }
            }
        }
        let my_groups: Vec<&SignalGroup> =
            groups_of.get(&i).map_or(Vec::new(), |v| v.iter().map(|&gi| &groups[gi].1).collect());
        let mut sessions: Vec<i64> = air.recs.iter().filter_map(|r| r.session).collect();
        sessions.sort();
        sessions.dedup();
        let mut protocols: Vec<String> = air.recs.iter().map(|r| r.protocol.clone()).collect();
        protocols.sort();
        protocols.dedup();
        let compliance = rules::compliance(air);
        let verdict = if compliance.is_empty() {
            "no_rules"
        } else if compliance.iter().any(|c| c.status == Status::Fail) {
            "non_compliant"
        } else if compliance.iter().any(|c| c.status == Status::Unknown && c.id != "transports") {
            "undetermined"
        } else {
            "compliant"
        };
        aircraft.push(Aircraft {
            id: g.primary.1.clone(),
            id_kind: g.primary.0.clone(),
            model: air.recs.iter().rev().find_map(|r| r.s("model").map(str::to_string)).or_else(|| {
                air.recs
                    .iter()
                    .rev()
                    .find_map(|r| Some(format!("{} {}", r.s("french_id_manufacturer")?, r.s("french_id_model")?)))
            }),
            ua_type: air.recs.iter().rev().find_map(|r| r.s("ua_type").map(str::to_string)),
            protocols,
            transports: air.transports(),
            first_s: air.first_t,
            last_s: air.last_t,
            first_utc: utc(air.first_t),
            last_utc: utc(air.last_t),
            messages: air.recs.len() as u64,
            sessions: sessions.clone(),
            addresses: addresses(air),
            leakage: leak::leakage(g, air, sessions.len()),
            rates: rates(air),
            compliance,
            verdict: verdict.into(),
            authenticity: checks::authenticity(air, sensor_pos, &others, &my_groups),
            series: series(air),
        });
    }
    aircraft.sort_by(|a, b| a.first_s.total_cmp(&b.first_s).then(a.id.cmp(&b.id)));
    let fails = |c: &[Check]| c.iter().any(|c| c.status == Status::Fail);
    let verdicts = |v: &str| aircraft.iter().filter(|a| a.verdict == v).count();
    let summary = Summary {
        aircraft: aircraft.len(),
        pilot_position_exposed: aircraft.iter().filter(|a| a.leakage.pilot.is_some()).count(),
        compliant: verdicts("compliant"),
        non_compliant: verdicts("non_compliant"),
        undetermined: verdicts("undetermined"),
        flagged: aircraft.iter().filter(|a| fails(&a.authenticity)).count(),
    };
    Report {
        generator: format!("ridscope {}", env!("CARGO_PKG_VERSION")),
        source: input.source.clone(),
        first_utc: utc(input.recs.first().map_or(0.0, |r| r.t)),
        last_utc: utc(t_end),
        duration_s: t_end - input.recs.first().map_or(0.0, |r| r.t),
        messages: input.recs.len() as u64,
        decode_errors: input.decode_errors,
        sensor_lat_deg: sensor.map(|s| s.0),
        sensor_lon_deg: sensor.map(|s| s.1),
        sessions: input.sessions.clone(),
        summary,
        aircraft,
        signal_groups: groups.into_iter().map(|g| g.1).collect(),
    }
}

fn addresses(air: &Air) -> Vec<AddressUse> {
    let mut out: Vec<AddressUse> = Vec::new();
    for r in &air.recs {
        let Some(a) = &r.src_addr else { continue };
        match out.iter_mut().find(|u| &u.addr == a) {
            Some(u) => {
                u.last_s = r.t;
                u.messages += 1;
                if !u.transports.contains(&r.transport) {
                    u.transports.push(r.transport.clone());
                }
            }
            None => out.push(AddressUse {
                addr: a.clone(),
                transports: vec![r.transport.clone()],
                first_s: r.t,
                last_s: r.t,
                messages: 1,
            }),
        }
    }
    out
}

fn rates(air: &Air) -> Vec<RateRow> {
    air.tx
        .iter()
        .map(|((transport, mt), list)| {
            let times: Vec<f64> = list.iter().map(|r| r.t).collect();
            let n = times.len();
            let span = times.last().copied().unwrap_or(0.0) - times.first().copied().unwrap_or(0.0);
            let iv = air::intervals(&times);
            RateRow {
                transport: transport.clone(),
                msg_type: mt.clone(),
                messages: air.recs.iter().filter(|r| &r.transport == transport && &r.msg_type == mt).count() as u64,
                transmissions: n as u64,
                rate_hz: (n >= 2 && span > 0.0).then(|| (n - 1) as f64 / span),
                median_interval_s: iv.map(|i| i.0),
                max_gap_s: iv.map(|i| i.1),
                first_s: times.first().copied().unwrap_or(0.0),
                last_s: times.last().copied().unwrap_or(0.0),
            }
        })
        .collect()
}

/// Every `k`-th item so that at most `max` remain (the last one kept).
fn thin<T: Clone>(v: Vec<T>, max: usize) -> Vec<T> {
    if v.len() <= max {
        return v;
    }
    let k = v.len().div_ceil(max);
    let last = v.last().cloned();
    let mut out: Vec<T> = v.into_iter().step_by(k).collect();
    if let Some(l) = last {
        out.pop();
        out.push(l);
    }
    out
}

fn series(air: &Air) -> Series {
    let track: Vec<TrackPoint> = air
        .positions
        .iter()
        .map(|p| TrackPoint {
            t_s: p.t,
            lat_deg: p.p.lat_deg,
            lon_deg: p.p.lon_deg,
            alt_m: p.alt_m,
            height_m: p.height_m,
            speed_h_mps: p.speed_h_mps,
        })
        .collect();
    let pilot: Vec<PilotPoint> = air
        .recs
        .iter()
        .filter_map(|r| {
            let (lat, lon) = r.pos("operator_")?;
            Some(PilotPoint { t_s: r.t, lat_deg: lat, lon_deg: lon })
        })
        .collect();
    let mut unit = None;
    let mut rssi: Vec<RssiPoint> = Vec::new();
    for r in &air.recs {
        let Some((x, u)) = r.rssi() else { continue };
        unit.get_or_insert(u.to_string());
        // one point per frame (the messages of a pack share it)
        if rssi.last().is_some_and(|p| p.t_s == r.t && p.transport == r.transport) {
            continue;
        }
        rssi.push(RssiPoint { t_s: r.t, rssi: x, transport: r.transport.clone() });
    }
    let span = air.last_t - air.first_t;
    let bin = (span / MAX_RATE_BINS as f64).ceil().max(1.0);
    let nbins = ((span / bin).floor() as usize + 1).min(MAX_RATE_BINS + 1);
    let mut rate_bins: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for ((_, mt), list) in &air.tx {
        let bins = rate_bins.entry(mt.clone()).or_insert_with(|| vec![0; nbins]);
        for r in list {
            let b = (((r.t - air.first_t) / bin).floor() as usize).min(nbins - 1);
            bins[b] += 1;
        }
    }
    Series {
        track: thin(track, MAX_SERIES_POINTS),
        pilot: thin(pilot, MAX_SERIES_POINTS / 4),
        rssi: thin(rssi, MAX_SERIES_POINTS),
        rssi_unit: unit,
        rate_bin_s: bin,
        rate_bins,
    }
}
