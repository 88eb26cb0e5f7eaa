//! Authenticity: can the broadcasts be believed? Spoofing Remote ID takes an
//! ESP32; these checks look for what spoofers and replays leave behind.
//! A check that fails is a *flag*, named with its evidence; it is a reason
//! to look closer, not proof.

use std::collections::{BTreeMap, BTreeSet};

use super::air::{Air, Pos, median, secs};
use super::ident::Key;
use super::model::{Check, SignalGroup, Status};
use super::rules::hour_diff;
use crate::track::GeoPos;

/// Fastest a small UAS is believed to fly (FPV racers reach ~50 m/s).
pub const MAX_SPEED_MPS: f64 = 100.0;
/// Fastest believable climb or descent.
pub const MAX_VSPEED_MPS: f64 = 30.0;
/// Geometric altitudes a small UAS can report (Dead Sea shore to 9 km).
pub const ALT_RANGE_M: (f64, f64) = (-450.0, 9000.0);
/// Highest believable EIRP at 2.4 GHz: 16 dB over the 20 dBm limit.
pub const MAX_EIRP_DBM: f64 = 36.0;
/// Lowest believable EIRP (a BLE radio at its minimum, behind a wall).
pub const MIN_EIRP_DBM: f64 = -40.0;
/// Identifiers first heard within this many seconds can be one group.
pub const GROUP_WINDOW_S: f64 = 5.0;
/// Median RSSI of a group's members within this many dB.
pub const GROUP_RSSI_DB: f64 = 2.0;
/// Median carrier offset of a group's members within this many Hz (IQ).
pub const GROUP_CFO_HZ: f64 = 1000.0;
/// A receive-time offset of Location timestamps beyond this is flagged.
pub const TIME_OFFSET_S: f64 = 10.0;

fn check(id: &str, title: &str, basis: &str, status: Status, evidence: String) -> Check {
    Check { id: id.into(), title: title.into(), basis: basis.into(), transport: None, status, evidence }
}

/// The checks of one aircraft (`groups`: the signal groups it belongs to;
/// `others`: other identifiers its addresses sent).
pub fn authenticity(
    air: &Air,
    sensor: Option<GeoPos>,
    others: &BTreeMap<String, BTreeSet<Key>>,
    groups: &[&SignalGroup],
) -> Vec<Check> {
    vec![
        teleports(&air.positions),
        kinematics(air),
        rssi_distance(air, sensor),
        addr_ids(others),
        one_radio(groups),
        counters(air),
        receive_time(air),
    ]
}

/// Positions farther apart than [`MAX_SPEED_MPS`] allows (with the declared
/// accuracies and 50 m of slack).
fn teleports(pos: &[Pos]) -> Check {
    let title = "No position jumps";
    let basis = format!("consecutive positions within {MAX_SPEED_MPS} m/s × elapsed time + accuracy + 50 m");
    if pos.len() < 2 {
        return check("teleports", title, &basis, Status::Unknown, format!("{} position(s)", pos.len()));
    }
    let mut jumps = 0;
    let mut worst: Option<(f64, f64, f64)> = None; // (t, distance, dt)
    let mut pairs = 0;
    for w in pos.windows(2) {
        let dt = w[1].t - w[0].t;
        let d = w[0].p.distance_m(w[1].p);
        if d == 0.0 {
            continue;
        }
        pairs += 1;
        let allowed = MAX_SPEED_MPS * dt.max(0.1) + w[0].acc_m.unwrap_or(30.0) + w[1].acc_m.unwrap_or(30.0) + 50.0;
        if d > allowed {
            jumps += 1;
            if worst.is_none_or(|(_, wd, wdt)| d / wdt.max(0.1) > wd / wdt.max(0.1)) {
                worst = Some((w[1].t, d, dt));
            }
        }
    }
    match worst {
        Some((t, d, dt)) => check(
            "teleports",
            title,
            &basis,
            Status::Fail,
            format!(
                "{jumps} jump(s) in {pairs} moves; worst {:.0} m in {} at t = {} ({:.0} m/s)",
                d,
                secs(dt),
                secs(t),
                d / dt.max(0.1)
            ),
        ),
        None => {
            check("teleports", title, &basis, Status::Pass, format!("{} positions, {pairs} moves, no jump", pos.len()))
        }
    }
}

/// Declared values a small UAS cannot have, and declared speed against the
/// ground track.
fn kinematics(air: &Air) -> Check {
    let title = "Believable kinematics";
    let basis = format!(
        "declared speed ≤ {MAX_SPEED_MPS} m/s, climb ≤ {MAX_VSPEED_MPS} m/s, altitude {}..{} m; declared speed matches the track",
        ALT_RANGE_M.0, ALT_RANGE_M.1
    );
    let mut bad = Vec::new();
    let fast = air.recs.iter().filter(|r| r.f("speed_h_mps").is_some_and(|s| s > MAX_SPEED_MPS)).count();
    if fast > 0 {
        bad.push(format!("{fast} messages declare a ground speed over {MAX_SPEED_MPS} m/s"));
    }
    let climb = air
        .recs
        .iter()
        .filter(|r| r.f("speed_v_mps").or(r.f("v_up_mps")).is_some_and(|s| s.abs() > MAX_VSPEED_MPS))
        .count();
    if climb > 0 {
        bad.push(format!("{climb} messages declare a vertical speed over {MAX_VSPEED_MPS} m/s"));
    }
    let alt = air.positions.iter().filter(|p| p.alt_m.is_some_and(|a| a < ALT_RANGE_M.0 || a > ALT_RANGE_M.1)).count();
    if alt > 0 {
        bad.push(format!("{alt} positions with an altitude outside {}..{} m", ALT_RANGE_M.0, ALT_RANGE_M.1));
    }
    // declared speed vs the ground track, over windows of 5..10 s
    let pos = &air.positions;
    let mut windows = 0;
    let mut off = 0;
    let mut worst = (0.0f64, 0.0f64);
    let mut j = 0;
    let mut i = 0;
    while i < pos.len() {
        while j < pos.len() && pos[j].t - pos[i].t < 5.0 {
            j += 1;
        }
        if j >= pos.len() || pos[j].t - pos[i].t > 10.0 {
            i += 1;
            continue;
        }
        let dt = pos[j].t - pos[i].t;
        let measured = pos[i].p.distance_m(pos[j].p) / dt;
        let mut declared: Vec<f64> = pos[i..=j].iter().filter_map(|p| p.speed_h_mps).collect();
        if let Some(d) = median(&mut declared) {
            windows += 1;
            let slack =
                10.0 + 0.2 * d.max(measured) + (pos[i].acc_m.unwrap_or(30.0) + pos[j].acc_m.unwrap_or(30.0)) / dt;
            if (measured - d).abs() > slack {
                off += 1;
                if (measured - d).abs() > (worst.0 - worst.1).abs() {
                    worst = (measured, d);
                }
            }
        }
        i = j; // windows end to end
    }
    if windows >= 3 && off * 2 > windows {
        bad.push(format!(
            "declared speed disagrees with the track in {off} of {windows} windows (e.g. track {:.1} m/s, declared {:.1} m/s)",
            worst.0, worst.1
        ));
    }
    if bad.is_empty() {
        let ev = if windows > 0 {
            format!("declared speeds agree with the track in {} of {windows} windows", windows - off)
        } else {
            format!("{} positions; nothing impossible declared", air.positions.len())
        };
        let status = if air.positions.is_empty() && fast + climb == 0 { Status::Unknown } else { Status::Pass };
        check("kinematics", title, &basis, status, ev)
    } else {
        check("kinematics", title, &basis, Status::Fail, bad.join("; "))
    }
}

/// Free-space path loss at `freq_hz` over `d_m`.
pub fn fspl_db(d_m: f64, freq_hz: f64) -> f64 {
    20.0 * d_m.max(1.0).log10() + 20.0 * freq_hz.log10() - 147.55
}

/// RSSI against the distance the aircraft claims from the receiver.
fn rssi_distance(air: &Air, sensor: Option<GeoPos>) -> Check {
    let title = "Received power consistent with the claimed distance";
    let basis = format!(
        "implied EIRP (RSSI + free-space loss) within {MIN_EIRP_DBM}..{MAX_EIRP_DBM} dBm; RSSI falls as the claimed distance grows"
    );
    let Some(sensor) = sensor else {
        return check(
            "rssi_distance",
            title,
            &basis,
            Status::Unknown,
            "no receiver position (give --sensor LAT,LON)".into(),
        );
    };
    // each RSSI reading with the aircraft's latest position (within 2 s)
    let mut pts: Vec<(f64, f64, bool)> = Vec::new(); // (path loss dB, rssi, is dBm)
    let mut k = 0;
    for r in &air.recs {
        let Some((rssi, unit)) = r.rssi() else { continue };
        while k + 1 < air.positions.len() && air.positions[k + 1].t <= r.t {
            k += 1;
        }
        let Some(p) = air.positions.get(k).filter(|p| (r.t - p.t).abs() <= 2.0) else { continue };
        let f = r.f("freq_mhz").map_or(2.44e9, |m| m * 1e6);
        pts.push((fspl_db(sensor.distance_m(p.p), f), rssi, unit == "dbm"));
    }
    if pts.len() < 5 {
        return check(
            "rssi_distance",
            title,
            &basis,
            Status::Unknown,
            format!("{} RSSI readings with a position", pts.len()),
        );
    }
    let mut bad = Vec::new();
    let mut notes = Vec::new();
    let dbm: Vec<f64> = pts.iter().filter(|p| p.2).map(|p| p.0 + p.1).collect();
    if dbm.len() >= 5 {
        let mut e = dbm.clone();
        if let Some(m) = median(&mut e) {
            if m > MAX_EIRP_DBM {
                bad.push(format!("needs {m:.0} dBm EIRP at the claimed distance (median; transmitters are ≤ 20 dBm)"));
            } else if m < MIN_EIRP_DBM {
                bad.push(format!("implies {m:.0} dBm EIRP (median): much farther away than claimed"));
            } else {
                notes.push(format!("implied EIRP {m:.0} dBm (median)"));
            }
        }
    }
    // slope of RSSI against path loss: about −1 when the distance is real
    let n = pts.len() as f64;
    let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let (lo, hi) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    if hi - lo >= 10.0 && pts.len() >= 20 && sxx > 0.0 {
        let slope = sxy / sxx;
        if slope > -0.25 {
            bad.push(format!(
                "RSSI does not fall with distance: {:.1} dB per dB of path loss while the claimed distance changed the path loss by {:.0} dB (≈ −1 expected)",
                slope,
                hi - lo
            ));
        } else {
            notes.push(format!("RSSI follows the claimed distance ({slope:.2} dB per dB over {:.0} dB)", hi - lo));
        }
    } else {
        notes
            .push(format!("claimed distance changed the path loss by {:.0} dB: too little to test the trend", hi - lo));
    }
    if bad.is_empty() {
        check("rssi_distance", title, &basis, Status::Pass, format!("{} readings; {}", pts.len(), notes.join("; ")))
    } else {
        check("rssi_distance", title, &basis, Status::Fail, format!("{} readings; {}", pts.len(), bad.join("; ")))
    }
}

/// Addresses of this aircraft that also sent other identifiers of a kind it has.
fn addr_ids(others: &BTreeMap<String, BTreeSet<Key>>) -> Check {
    let title = "One address, one identity";
    let basis = "a transmitter address sends one identifier of each kind";
    if others.is_empty() {
        return check("addr_ids", title, basis, Status::Pass, "its addresses sent no other identifier".into());
    }
    let parts: Vec<String> = others
        .iter()
        .map(|(a, ks)| {
            let shown: Vec<&str> = ks.iter().take(5).map(|k| k.1.as_str()).collect();
            let more = if ks.len() > 5 { format!(" and {} more", ks.len() - 5) } else { String::new() };
            format!("{a} also sent {} other identifier(s): {}{more}", ks.len(), shown.join(", "))
        })
        .collect();
    check("addr_ids", title, basis, Status::Fail, parts.join("; "))
}

fn one_radio(groups: &[&SignalGroup]) -> Check {
    let title = "Not one of many identities from one radio";
    let basis = format!(
        "3 or more identifiers first heard within {GROUP_WINDOW_S} s with one radio signature (transport, channels, median RSSI within {GROUP_RSSI_DB} dB, carrier offset within {GROUP_CFO_HZ} Hz)"
    );
    match groups.first() {
        None => check("one_radio_many_ids", title, &basis, Status::Pass, "no group".into()),
        Some(g) => check("one_radio_many_ids", title, &basis, Status::Fail, g.evidence.clone()),
    }
}

/// ODID message counters and the DJI sequence number advance.
fn counters(air: &Air) -> Check {
    let title = "Message counters advance";
    let basis =
        "the ODID counter (per message type) and the DJI sequence number change from one transmission to the next";
    let mut pairs = 0;
    let mut same = 0;
    let mut example = None;
    // ODID: distinct transmissions per (transport, type) and address
    for ((transport, mt), list) in &air.tx {
        let mut last: BTreeMap<Option<&str>, (f64, u8)> = BTreeMap::new();
        for r in list {
            let Some(c) = r.counter else { continue };
            if let Some(&(t0, c0)) = last.get(&r.src_addr.as_deref())
                && r.t - t0 >= super::air::REPEAT_S
            {
                pairs += 1;
                if c == c0 {
                    same += 1;
                    example.get_or_insert(format!("{transport} {mt} counter stays {c}"));
                }
            }
            last.insert(r.src_addr.as_deref(), (r.t, c));
        }
    }
    // DJI sequence
    let mut last: Option<(f64, u64)> = None;
    for r in air.recs.iter().filter(|r| r.msg_type == "dji_flight_info") {
        let Some(s) = r.f("sequence").filter(|s| *s >= 0.0).map(|s| s as u64) else { continue };
        if let Some((t0, s0)) = last
            && r.t - t0 >= super::air::REPEAT_S
        {
            pairs += 1;
            if s == s0 {
                same += 1;
                example.get_or_insert(format!("DJI sequence stays {s}"));
            }
        }
        last = Some((r.t, s));
    }
    if pairs < 5 {
        return check(
            "counters",
            title,
            basis,
            Status::Unknown,
            format!("{pairs} consecutive transmissions with a counter"),
        );
    }
    if same * 2 >= pairs {
        check(
            "counters",
            title,
            basis,
            Status::Fail,
            format!(
                "counter unchanged in {same} of {pairs} consecutive transmissions ({})",
                example.unwrap_or_default()
            ),
        )
    } else {
        check(
            "counters",
            title,
            basis,
            Status::Pass,
            format!("counter changed in {} of {pairs} transmissions", pairs - same),
        )
    }
}

/// Location timestamps and DJI GPS time against receive time.
fn receive_time(air: &Air) -> Check {
    let title = "Timestamps match receive time";
    let basis = format!(
        "ODID Location timestamps (and DJI GPS time) within {TIME_OFFSET_S} s of the receive time and advancing with it"
    );
    let locs: Vec<(f64, Option<i128>, f64)> = air
        .tx
        .iter()
        .filter(|((_, mt), _)| mt == "location")
        .flat_map(|(_, l)| l.iter())
        .filter_map(|r| Some((r.t, r.utc_ns, r.f("timestamp_s")?)))
        .collect();
    let dji: Vec<(Option<i128>, i128)> = air
        .recs
        .iter()
        .filter_map(|r| Some((r.utc_ns, crate::source::sigmf::parse_rfc3339(r.s("gps_time_utc")?)?)))
        .collect();
    if locs.is_empty() && dji.is_empty() {
        return check("receive_time", title, &basis, Status::Unknown, "no timestamps broadcast".into());
    }
    let mut bad = Vec::new();
    let mut notes = Vec::new();
    if !locs.is_empty() {
        let mut sorted = locs.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let span_rx = sorted.last().map_or(0.0, |l| l.0) - sorted[0].0;
        let distinct: BTreeSet<u64> = sorted.iter().map(|l| l.2.to_bits()).collect();
        if span_rx >= 5.0 && distinct.len() == 1 {
            bad.push(format!("Location timestamp frozen at {} s over {} of reception", sorted[0].2, secs(span_rx)));
        }
        let mut offs: Vec<f64> = sorted
            .iter()
            .filter_map(|&(_, utc, ts)| Some(hour_diff((utc?.rem_euclid(3_600_000_000_000)) as f64 / 1e9, ts)))
            .collect();
        if let Some(m) = median(&mut offs) {
            if m.abs() > TIME_OFFSET_S {
                bad.push(format!(
                    "Location timestamps {} {} the receive time (median)",
                    secs(m.abs()),
                    if m > 0.0 { "behind" } else { "ahead of" }
                ));
            } else {
                notes.push(format!("Location timestamps within {} of receive time (median)", secs(m.abs())));
            }
        } else {
            notes.push("no absolute receive time to compare with".into());
        }
    }
    let mut offs: Vec<f64> = dji.iter().filter_map(|&(rx, gps)| Some((rx? - gps) as f64 / 1e9)).collect();
    if let Some(m) = median(&mut offs) {
        if m.abs() > TIME_OFFSET_S {
            bad.push(format!("DJI GPS time {} from the receive time (median)", secs(m.abs())));
        } else {
            notes.push(format!("DJI GPS time within {} of receive time", secs(m.abs())));
        }
    }
    if bad.is_empty() {
        check("receive_time", title, &basis, Status::Pass, notes.join("; "))
    } else {
        check("receive_time", title, &basis, Status::Fail, bad.join("; "))
    }
}

/// What identifies one radio: seen per aircraft.
pub struct Signature {
    pub index: usize,
    pub id: String,
    pub first_t: f64,
    pub transports: Vec<String>,
    pub channels: Vec<u16>,
    pub rssi: Option<(f64, &'static str)>,
    pub rssi_all: Vec<f64>,
    pub cfo: Option<f64>,
    pub addresses: BTreeSet<String>,
}

impl Signature {
    pub fn of(index: usize, id: &str, air: &Air) -> Signature {
        let mut rssi: Vec<f64> = Vec::new();
        let mut unit = "dbm";
        for r in &air.recs {
            if let Some((x, u)) = r.rssi() {
                rssi.push(x);
                unit = u;
            }
        }
        let all = rssi.clone();
        let mut cfo: Vec<f64> = air.recs.iter().filter_map(|r| r.cfo_hz).collect();
        let mut channels: Vec<u16> = air.recs.iter().filter_map(|r| r.channel).collect();
        channels.sort();
        channels.dedup();
        Signature {
            index,
            id: id.to_string(),
            first_t: air.first_t,
            transports: air.transports(),
            channels,
            rssi: median(&mut rssi).map(|m| (m, unit)),
            rssi_all: all,
            cfo: median(&mut cfo),
            addresses: air.recs.iter().filter_map(|r| r.src_addr.clone()).collect(),
        }
    }

    fn alike(&self, o: &Signature) -> bool {
        let rssi = match (self.rssi, o.rssi) {
            (Some((a, ua)), Some((b, ub))) => ua == ub && (a - b).abs() <= GROUP_RSSI_DB,
            _ => false,
        };
        let cfo = match (self.cfo, o.cfo) {
            (Some(a), Some(b)) => (a - b).abs() <= GROUP_CFO_HZ,
            _ => true,
        };
        (self.first_t - o.first_t).abs() <= GROUP_WINDOW_S
            && self.transports == o.transports
            && self.channels == o.channels
            && rssi
            && cfo
    }
}

/// Groups of three or more identifiers that look like one radio.
pub fn signal_groups(sigs: &[Signature]) -> Vec<(Vec<usize>, SignalGroup)> {
    let n = sigs.len();
    let mut comp = super::ident::Dsu::new(n);
    for i in 0..n {
        for j in i + 1..n {
            if sigs[i].alike(&sigs[j]) {
                comp.union(i, j);
            }
        }
    }
    let mut by: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = comp.find(i);
        by.entry(r).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in by.into_values().filter(|m| m.len() >= 3) {
        let ms: Vec<&Signature> = members.iter().map(|&i| &sigs[i]).collect();
        let firsts: Vec<f64> = ms.iter().map(|s| s.first_t).collect();
        let within = firsts.iter().copied().fold(f64::MIN, f64::max) - firsts.iter().copied().fold(f64::MAX, f64::min);
        let mut all: Vec<f64> = ms.iter().flat_map(|s| s.rssi_all.iter().copied()).collect();
        let med = median(&mut all);
        let spread = med.map(|m| {
            let mut dev: Vec<f64> = all.iter().map(|x| (x - m).abs()).collect();
            median(&mut dev).unwrap_or(0.0)
        });
        let mut cfos: Vec<f64> = ms.iter().filter_map(|s| s.cfo).collect();
        let cfo = median(&mut cfos);
        let addrs: BTreeSet<&String> = ms.iter().flat_map(|s| s.addresses.iter()).collect();
        let unit = ms[0].rssi.map(|r| r.1.to_string());
        let ids: Vec<String> = ms.iter().map(|s| s.id.clone()).collect();
        let evidence = format!(
            "{} identifiers first heard within {} on {} (channels {}), median RSSI {:.1} {} ± {:.1} dB{}, {} address(es)",
            ids.len(),
            secs(within),
            ms[0].transports.join("+"),
            ms[0].channels.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","),
            med.unwrap_or(f64::NAN),
            unit.as_deref().unwrap_or(""),
            spread.unwrap_or(0.0),
            cfo.map_or(String::new(), |c| format!(", carrier offset {c:.0} Hz")),
            addrs.len()
        );
        out.push((
            members.clone(),
            SignalGroup {
                ids,
                transports: ms[0].transports.clone(),
                channels: ms[0].channels.clone(),
                appeared_within_s: within,
                rssi_median: med,
                rssi_spread_db: spread,
                rssi_unit: unit,
                cfo_median_hz: cfo,
                addresses: addrs.len(),
                evidence,
            },
        ));
    }
    out
}
