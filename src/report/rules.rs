//! Compliance: the public rules of ../shared/docs/opendroneid.md §12 (ASTM
//! F3411 message rates and data age, FAA 14 CFR Part 89 minimum elements
//! and performance, EU EN 4709-002 content) and the French beacon's rate,
//! checked on what was received.
//!
//! Each fact is one rule, so a fault fails one rule: a missing System
//! message fails `system` (not also "operator position missing"), a slow
//! Location fails `location_rate` only. Rates and contents are checked per
//! transport (each transport must carry the whole message set).
//!
//! Reception losses make rates look worse than they are, so a rate is
//! judged on the *median* interval between distinct transmissions (robust
//! to lost packets), with 5 % slack for advertising-delay jitter; the
//! longest gap is given as evidence. A rate needs [`MIN_SPAN_S`] of
//! reception to be judged.

use super::air::{Air, intervals, median, secs};
use super::input::Rec;
use super::model::{Check, Status};

/// Slack on required intervals (BLE advertising delay, beacon jitter).
pub const RATE_SLACK: f64 = 1.05;
/// Reception needed before rates are judged.
pub const MIN_SPAN_S: f64 = 3.0;
/// Intervals needed before a rate is judged (a median of fewer is one lost
/// packet away from wrong).
pub const MIN_INTERVALS: usize = 5;
/// Location timestamps may differ from the receive-time advance by this
/// much (0.1 s resolution, the fix time, receive jitter).
pub const TS_TOLERANCE_S: f64 = 1.2;
/// FAA 89.310: position accuracy 100 ft, geometric altitude 150 ft (95 %).
pub const FAA_H_ACCURACY_M: f64 = 30.48;
pub const FAA_V_ACCURACY_M: f64 = 45.72;

const ASTM_RATE: &str = "ASTM F3411: Location at least once per second; FAA 89.310 (1 message/s); EN 4709-002";
const ASTM_STATIC: &str = "ASTM F3411: static messages at least every 3 s; FAA 89.305(a)";
const ASTM_SYSTEM: &str = "ASTM F3411 (≤3 s); FAA 89.305(c) control-station position; EN 4709-002 operator position";

fn check(id: &str, title: &str, basis: &str, transport: Option<&str>, status: Status, evidence: String) -> Check {
    Check {
        id: id.into(),
        title: title.into(),
        basis: basis.into(),
        transport: transport.map(str::to_string),
        status,
        evidence,
    }
}

/// Compliance results for one aircraft: ODID rules per transport, the
/// French beacon's rate; empty for DJI DroneID (not Remote ID).
pub fn compliance(air: &Air) -> Vec<Check> {
    let mut out = Vec::new();
    let odid_transports: Vec<String> = {
        let mut v: Vec<String> =
            air.recs.iter().filter(|r| r.protocol == "odid").map(|r| r.transport.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    for t in &odid_transports {
        odid_rules(air, t, &mut out);
    }
    if !odid_transports.is_empty() {
        out.push(transports_rule(&odid_transports));
    }
    let fr: Vec<f64> = air.recs.iter().filter(|r| r.protocol == "fr_sgdsn").map(|r| r.t).collect();
    if !fr.is_empty() {
        out.push(rate_rule(
            "fr_rate",
            "French beacon at least every 3 s",
            "arrêté du 27/12/2019 (signalement électronique)",
            "wifi_beacon",
            "French beacon",
            &dedup_times(&fr),
            3.0,
            air,
        ));
    }
    out
}

fn dedup_times(t: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = Vec::with_capacity(t.len());
    for &x in t {
        if v.last().is_none_or(|&l| x - l >= super::air::REPEAT_S) {
            v.push(x);
        }
    }
    v
}

/// The span of one transport's reception for this aircraft.
fn span(air: &Air, transport: &str) -> f64 {
    let mut it = air.on(transport).map(|r| r.t);
    let first = it.next().unwrap_or(0.0);
    it.fold(first, f64::max) - first
}

/// A "sent at least every `max_s`" rule.
#[allow(clippy::too_many_arguments)]
fn rate_rule(
    id: &str,
    title: &str,
    basis: &str,
    transport: &str,
    what: &str,
    times: &[f64],
    max_s: f64,
    air: &Air,
) -> Check {
    let heard = span(air, transport);
    if times.is_empty() {
        // none in twice the required interval is a failure whatever the losses
        let status = if heard >= MIN_SPAN_S.max(2.0 * max_s) { Status::Fail } else { Status::Unknown };
        return check(id, title, basis, Some(transport), status, format!("no {what} in {} of reception", secs(heard)));
    }
    match intervals(times) {
        Some((med, max)) if heard >= MIN_SPAN_S && times.len() > MIN_INTERVALS => {
            let n = times.len();
            let span = times[n - 1] - times[0];
            let rate = (n - 1) as f64 / span.max(1e-9);
            let ok = med <= max_s * RATE_SLACK;
            let status = if ok { Status::Pass } else { Status::Fail };
            check(
                id,
                title,
                basis,
                Some(transport),
                status,
                format!(
                    "{what}: {n} transmissions over {}, {rate:.2} Hz, median interval {} (required {}), longest gap {}",
                    secs(span),
                    secs(med),
                    if ok { format!("≤ {}", secs(max_s)) } else { format!("≤ {}: NOT met", secs(max_s)) },
                    secs(max)
                ),
            )
        }
        // too few to measure, but fewer than half of what the rule needs in
        // the time heard is a failure whatever the losses
        _ if heard >= MIN_SPAN_S && times.len() as f64 * max_s * 2.0 < heard => check(
            id,
            title,
            basis,
            Some(transport),
            Status::Fail,
            format!(
                "{what}: only {} transmission(s) in {} of reception (at least {:.0} required)",
                times.len(),
                secs(heard),
                (heard / max_s).floor()
            ),
        ),
        _ => check(
            id,
            title,
            basis,
            Some(transport),
            Status::Unknown,
            format!(
                "{what}: {} transmission(s) in {} of reception: too few to measure a rate",
                times.len(),
                secs(heard)
            ),
        ),
    }
}

fn odid_rules(air: &Air, t: &str, out: &mut Vec<Check>) {
    let odid = |mt: &'static str| air.recs.iter().copied().filter(move |r| r.transport == t && r.msg_type == mt);

    // Basic ID: present, often enough, a valid identifier
    let mut basic = rate_rule(
        "basic_id",
        "Basic ID with a valid UAS ID at least every 3 s",
        ASTM_STATIC,
        t,
        "Basic ID",
        &air.times(t, "basic_id"),
        3.0,
        air,
    );
    let mut problems = Vec::new();
    for r in odid("basic_id") {
        let id = r.s("uas_id").unwrap_or("");
        let p = match (r.s("id_type"), r.b("serial_format_ok")) {
            (_, _) if id.is_empty() => "UAS ID empty (all zero)".to_string(),
            (Some("none"), _) => format!("ID type none for {id:?}"),
            (Some("serial_number"), Some(false)) => {
                format!("serial {id:?} does not follow ANSI/CTA-2063-A (length character)")
            }
            _ => continue,
        };
        if !problems.contains(&p) {
            problems.push(p);
        }
    }
    if !problems.is_empty() {
        basic.status = Status::Fail;
        basic.evidence = format!("{}; {}", problems.join("; "), basic.evidence);
    }
    out.push(basic);

    out.push(rate_rule(
        "location_rate",
        "Location at least once per second",
        ASTM_RATE,
        t,
        "Location",
        &air.times(t, "location"),
        1.0,
        air,
    ));

    // System: present, every 3 s, with the operator position
    let mut system = rate_rule(
        "system",
        "System with the operator (or take-off) position at least every 3 s",
        ASTM_SYSTEM,
        t,
        "System",
        &air.times(t, "system"),
        3.0,
        air,
    );
    let sys: Vec<&Rec> = odid("system").collect();
    if !sys.is_empty() {
        let with = sys.iter().filter(|r| r.pos("operator_").is_some()).count();
        if with == 0 {
            system.status = Status::Fail;
            system.evidence = format!("no operator position in {} System messages; {}", sys.len(), system.evidence);
        } else if with < sys.len() {
            system.evidence =
                format!("operator position in {with} of {} System messages; {}", sys.len(), system.evidence);
        }
    }
    out.push(system);

    // the other message types, when sent
    let others: Vec<(&str, &str)> = [("self_id", "Self-ID"), ("operator_id", "Operator ID")]
        .into_iter()
        .filter(|(m, _)| odid(m).next().is_some())
        .collect();
    if others.is_empty() {
        out.push(check(
            "static_rate",
            "Self-ID and Operator ID, when sent, at least every 3 s",
            ASTM_STATIC,
            Some(t),
            Status::NotApplicable,
            "neither sent".into(),
        ));
    } else {
        let rs: Vec<Check> = others
            .iter()
            .map(|(m, name)| rate_rule("static_rate", "", "", t, name, &air.times(t, m), 3.0, air))
            .collect();
        let status = if rs.iter().any(|c| c.status == Status::Fail) {
            Status::Fail
        } else if rs.iter().all(|c| c.status == Status::Pass) {
            Status::Pass
        } else {
            Status::Unknown
        };
        out.push(check(
            "static_rate",
            "Self-ID and Operator ID, when sent, at least every 3 s",
            ASTM_STATIC,
            Some(t),
            status,
            rs.iter().map(|c| c.evidence.as_str()).collect::<Vec<_>>().join("; "),
        ));
    }

    // EU: the operator registration number
    let eu = sys.iter().any(|r| r.s("classification_type") == Some("eu"));
    let n_op = odid("operator_id").count();
    out.push(if !eu {
        check(
            "operator_id",
            "Operator registration number (EU)",
            "EN 4709-002: UAS operator registration number",
            Some(t),
            Status::NotApplicable,
            "no EU classification declared in System".into(),
        )
    } else if n_op > 0 {
        let ids: Vec<&str> = {
            let mut v: Vec<&str> = odid("operator_id").filter_map(|r| r.s("operator_id")).collect();
            v.sort();
            v.dedup();
            v
        };
        check(
            "operator_id",
            "Operator registration number (EU)",
            "EN 4709-002: UAS operator registration number",
            Some(t),
            if ids.is_empty() { Status::Fail } else { Status::Pass },
            if ids.is_empty() {
                format!("{n_op} Operator ID messages, all empty")
            } else {
                format!("{n_op} Operator ID messages: {}", ids.join(", "))
            },
        )
    } else {
        let heard = span(air, t);
        check(
            "operator_id",
            "Operator registration number (EU)",
            "EN 4709-002: UAS operator registration number",
            Some(t),
            if heard >= 6.0 { Status::Fail } else { Status::Unknown },
            format!("EU classification declared but no Operator ID message in {} of reception", secs(heard)),
        )
    });

    let locs: Vec<&Rec> = odid("location").collect();
    out.push(location_elements(&locs, t));
    out.push(accuracy(&locs, t));
    out.push(timestamps(air, t));
    out.push(values_valid(air, t));
}

fn pct(n: usize, of: usize) -> String {
    format!("{:.0}%", 100.0 * n as f64 / of.max(1) as f64)
}

/// FAA 89.305: position, geometric altitude, velocity, status.
fn location_elements(locs: &[&Rec], t: &str) -> Check {
    let title = "Location carries position, geometric altitude, speed and track";
    let basis = "FAA 89.305(b)(e)(f) minimum message elements; EN 4709-002 position, track, speed";
    if locs.is_empty() {
        return check("location_elements", title, basis, Some(t), Status::Unknown, "no Location message".into());
    }
    let n = locs.len();
    let count = |f: &dyn Fn(&Rec) -> bool| locs.iter().filter(|r| f(r)).count();
    let pos = count(&|r| r.pos("").is_some());
    let alt = count(&|r| r.f("alt_geo_m").is_some());
    let speed = count(&|r| r.f("speed_h_mps").is_some());
    let track = count(&|r| r.f("direction_deg").is_some());
    let declared = count(&|r| r.s("status").is_some_and(|s| s != "undeclared"));
    let need = (n as f64 * 0.95).ceil() as usize;
    let missing: Vec<&str> = [(pos, "position"), (alt, "geometric altitude"), (speed, "speed"), (track, "track")]
        .iter()
        .filter(|(c, _)| *c < need)
        .map(|(_, name)| *name)
        .collect();
    let evidence = format!(
        "of {n} Location messages: position {}, geometric altitude {}, speed {}, track {}, status declared {}{}",
        pct(pos, n),
        pct(alt, n),
        pct(speed, n),
        pct(track, n),
        pct(declared, n),
        if missing.is_empty() { String::new() } else { format!("; missing: {}", missing.join(", ")) }
    );
    let status = if missing.is_empty() { Status::Pass } else { Status::Fail };
    check("location_elements", title, basis, Some(t), status, evidence)
}

/// FAA 89.310: declared accuracy within 100 ft / 150 ft.
fn accuracy(locs: &[&Rec], t: &str) -> Check {
    let title = "Declared accuracy: horizontal ≤ 30 m (100 ft), vertical ≤ 45 m (150 ft)";
    let basis = "FAA 89.310(e)(f) (95 %)";
    if locs.is_empty() {
        return check("accuracy", title, basis, Some(t), Status::Unknown, "no Location message".into());
    }
    let n = locs.len();
    let h_ok = locs.iter().filter(|r| r.f("h_accuracy_m").is_some_and(|a| a <= FAA_H_ACCURACY_M)).count();
    let v_ok = locs.iter().filter(|r| r.f("v_accuracy_m").is_some_and(|a| a <= FAA_V_ACCURACY_M)).count();
    let mut h: Vec<f64> = locs.iter().filter_map(|r| r.f("h_accuracy_m")).collect();
    let mut v: Vec<f64> = locs.iter().filter_map(|r| r.f("v_accuracy_m")).collect();
    let show = |x: &mut Vec<f64>| median(x).map_or("not declared".to_string(), |m| format!("median < {m} m"));
    let need = (n as f64 * 0.95).ceil() as usize;
    let status = if h_ok >= need && v_ok >= need { Status::Pass } else { Status::Fail };
    check(
        "accuracy",
        title,
        basis,
        Some(t),
        status,
        format!(
            "of {n} Location messages: horizontal {} ({} within 30 m), vertical {} ({} within 45 m)",
            show(&mut h),
            pct(h_ok, n),
            show(&mut v),
            pct(v_ok, n)
        ),
    )
}

/// Signed difference of two times since the hour, wrapped to ±1800 s.
pub fn hour_diff(a: f64, b: f64) -> f64 {
    (a - b + 1800.0).rem_euclid(3600.0) - 1800.0
}

/// Location timestamps: present, advancing with receive time, and (with
/// absolute receive time) no older than 1 s.
fn timestamps(air: &Air, t: &str) -> Check {
    let title = "Location timestamps advance with receive time, data no older than 1 s";
    let basis = "ASTM F3411: data no older than 1 s; FAA 89.305(g) time mark, 89.310 latency ≤ 1 s";
    let locs = air.tx.get(&(t.to_string(), "location".to_string())).map_or(&[][..], |v| &v[..]);
    if locs.is_empty() {
        return check("timestamps", title, basis, Some(t), Status::Unknown, "no Location message".into());
    }
    let stamped: Vec<(&Rec, f64)> = locs.iter().filter_map(|r| Some((*r, r.f("timestamp_s")?))).collect();
    if stamped.is_empty() {
        return check(
            "timestamps",
            title,
            basis,
            Some(t),
            Status::Fail,
            format!("no timestamp in {} Location transmissions", locs.len()),
        );
    }
    let mut notes = Vec::new();
    let mut fail = false;
    if stamped.len() < locs.len() {
        notes.push(format!(
            "{} of {} Location transmissions without a timestamp",
            locs.len() - stamped.len(),
            locs.len()
        ));
        fail = stamped.len() * 20 < locs.len() * 19;
    }
    // advance against receive time
    let mut pairs = 0;
    let mut frozen = 0;
    let mut off = 0;
    let mut worst: f64 = 0.0;
    // pairs of transmissions at least 0.5 s apart (end to end), so fast
    // senders are checked over spans their 0.1 s timestamps can resolve
    let mut i = 0;
    let mut j = 0;
    while i < stamped.len() {
        while j < stamped.len() && stamped[j].0.t - stamped[i].0.t < 0.5 {
            j += 1;
        }
        let Some(b) = stamped.get(j) else { break };
        let a = stamped[i];
        i = j;
        let drx = b.0.t - a.0.t;
        if drx > 30.0 {
            continue;
        }
        pairs += 1;
        let dts = hour_diff(b.1, a.1);
        if dts == 0.0 {
            frozen += 1;
        }
        let e = dts - drx;
        if e.abs() > TS_TOLERANCE_S {
            off += 1;
            if e.abs() > worst.abs() {
                worst = e;
            }
        }
    }
    if pairs >= 3 {
        if frozen * 2 >= pairs {
            let vals: Vec<f64> = {
                let mut v: Vec<f64> = stamped.iter().map(|s| s.1).collect();
                v.sort_by(f64::total_cmp);
                v.dedup();
                v
            };
            let shown = if vals.len() == 1 { format!(" (always {} s)", vals[0]) } else { String::new() };
            notes.push(format!("timestamp frozen in {frozen} of {pairs} transmission pairs{shown}"));
            fail = true;
        } else if off * 5 > pairs {
            notes.push(format!(
                "timestamp advance differs from receive time by more than {TS_TOLERANCE_S} s in {off} of {pairs} pairs (worst {worst:+.1} s)"
            ));
            fail = true;
        } else {
            notes.push(format!("timestamps advance with receive time in {} of {pairs} pairs", pairs - off));
        }
    } else {
        notes.push(format!("{pairs} transmission pairs: too few to check the advance"));
    }
    // data age against absolute receive time
    let mut ages: Vec<f64> = stamped
        .iter()
        .filter_map(|(r, ts)| {
            let rx = r.utc_ns?;
            let rx_hour_s = (rx.rem_euclid(3_600_000_000_000)) as f64 / 1e9;
            Some(hour_diff(rx_hour_s, *ts))
        })
        .collect();
    let acc = stamped.iter().filter_map(|(r, _)| r.f("timestamp_accuracy_s")).fold(0.0, f64::max);
    if let Some(age) = median(&mut ages) {
        if age > 1.0 + acc + 0.05 {
            notes.push(format!(
                "data {} old at reception (median; ≤ 1 s required; receive clock from the input)",
                secs(age)
            ));
            fail = true;
        } else if age < -(1.0 + acc + 0.05) {
            notes.push(format!("timestamps {} ahead of the receive clock (median)", secs(-age)));
            fail = true;
        } else {
            notes.push(format!("median age at reception {}", secs(age)));
        }
    } else {
        notes.push("no absolute receive time: data age not checked".into());
    }
    let status = if fail {
        Status::Fail
    } else if pairs >= 3 {
        Status::Pass
    } else {
        Status::Unknown
    };
    check("timestamps", title, basis, Some(t), status, notes.join("; "))
}

/// No field the decoder found impossible.
fn values_valid(air: &Air, t: &str) -> Check {
    let title = "Values in range (no impossible wire values)";
    let basis = "ASTM F3411 field ranges (direction, speeds, position, timestamp)";
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut n = 0;
    for r in air.on(t).filter(|r| r.protocol == "odid") {
        n += 1;
        for f in r.list("invalid") {
            *counts.entry(format!("{}.{f}", r.msg_type)).or_default() += 1;
        }
    }
    if counts.is_empty() {
        check("values_valid", title, basis, Some(t), Status::Pass, format!("no impossible value in {n} messages"))
    } else {
        let list: Vec<String> = counts.iter().map(|(k, c)| format!("{k} ×{c}")).collect();
        check("values_valid", title, basis, Some(t), Status::Fail, format!("impossible values: {}", list.join(", ")))
    }
}

/// The transport set (F3586 MoC: BT4 and BT5, or Wi-Fi Beacon; EU: BT5,
/// NAN or Beacon). What was not heard may not have been listened to, so
/// this rule passes or is unknown, never fails.
fn transports_rule(ts: &[String]) -> Check {
    let has = |x: &str| ts.iter().any(|t| t == x);
    let faa = has("wifi_beacon") || (has("ble4_legacy") && has("ble5_extended"));
    let eu = has("wifi_beacon") || has("ble5_extended") || has("wifi_nan");
    let status = if faa && eu { Status::Pass } else { Status::Unknown };
    let mut ev = format!("heard on {}", ts.join(", "));
    if !faa {
        ev += "; FAA MoC needs BT4 with BT5, or Wi-Fi Beacon (not heard: maybe not listened to)";
    }
    if !eu {
        ev += "; EU needs BT5, NAN or Beacon (not heard: maybe not listened to)";
    }
    check(
        "transports",
        "Broadcast on an accepted transport set",
        "ASTM F3586-22 MoC (FAA): BT4 + BT5, or Wi-Fi Beacon; EN 4709-002: BT5, Wi-Fi NAN or Beacon",
        None,
        status,
        ev,
    )
}
