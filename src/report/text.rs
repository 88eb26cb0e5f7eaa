//! The terminal rendering of a report.

use std::fmt::Write as _;

use super::air::secs;
use super::model::{Check, Report, Status};

fn mark(s: Status, flag: bool) -> &'static str {
    match (s, flag) {
        (Status::Pass, _) => "ok  ",
        (Status::Fail, false) => "FAIL",
        (Status::Fail, true) => "FLAG",
        (Status::Unknown, _) => "?   ",
        (Status::NotApplicable, _) => "n/a ",
    }
}

fn checks(o: &mut String, title: &str, cs: &[Check], flag: bool) {
    if cs.is_empty() {
        return;
    }
    let _ = writeln!(o, "  {title}:");
    for c in cs {
        let t = c.transport.as_deref().map_or(String::new(), |t| format!(" [{t}]"));
        let _ = writeln!(o, "    {} {}{}: {}", mark(c.status, flag), c.id, t, c.title);
        let _ = writeln!(o, "         {}", c.evidence);
    }
}

/// Plain text, for a terminal.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "ridscope report: {}", r.source);
    let when = match (&r.first_utc, &r.last_utc) {
        (Some(a), Some(b)) => format!("{a} to {b}, "),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "{when}{} of messages: {} decoded, {} decode errors",
        secs(r.duration_s),
        r.messages,
        r.decode_errors
    );
    if let (Some(lat), Some(lon)) = (r.sensor_lat_deg, r.sensor_lon_deg) {
        let _ = writeln!(o, "receiver at {lat:.6}, {lon:.6}");
    }
    let s = &r.summary;
    let _ = writeln!(
        o,
        "{} aircraft: {} expose their pilot's position; {} pass every Remote ID rule, {} fail at least one, {} heard too briefly to decide; {} flagged as possibly not genuine",
        s.aircraft, s.pilot_position_exposed, s.compliant, s.non_compliant, s.undetermined, s.flagged
    );
    for g in &r.signal_groups {
        let _ = writeln!(o, "\nONE RADIO, MANY IDs: {} ({})", g.ids.join(", "), g.evidence);
    }
    for a in &r.aircraft {
        let _ = writeln!(o, "\n== {} ({})", a.id, a.id_kind.replace('_', " "));
        let mut line = vec![a.protocols.join("+"), a.transports.join(", ")];
        if let Some(m) = &a.model {
            line.push(m.clone());
        }
        if let Some(u) = &a.ua_type {
            line.push(u.replace('_', " "));
        }
        let _ = writeln!(o, "  {}", line.join("; "));
        let span = match (&a.first_utc, &a.last_utc) {
            (Some(x), Some(y)) => format!("{x} to {y}"),
            _ => format!("t = {} to {}", secs(a.first_s), secs(a.last_s)),
        };
        let _ = writeln!(o, "  heard {span}: {} messages; {}", a.messages, a.verdict.replace('_', "-"));
        if !a.addresses.is_empty() {
            let list: Vec<String> = a.addresses.iter().map(|u| format!("{} ({})", u.addr, u.messages)).collect();
            let _ = writeln!(o, "  addresses: {}", list.join(", "));
        }
        if !a.sessions.is_empty() {
            let list: Vec<String> = a.sessions.iter().map(|s| s.to_string()).collect();
            let _ = writeln!(o, "  sessions: {}", list.join(", "));
        }

        let l = &a.leakage;
        let _ = writeln!(o, "  Leaks:");
        for it in &l.items {
            let many = if it.values > 1 { format!(" ({} values)", it.values) } else { String::new() };
            let res = it.resolution.as_deref().map_or(String::new(), |r| format!(", resolution {r}"));
            let _ = writeln!(
                o,
                "    {:<17} {}{many}  [after {}, {} messages{res}]",
                it.item,
                it.value,
                secs(it.first_after_s),
                it.messages
            );
        }
        match &l.pilot {
            Some(p) => {
                let every = p.update_interval_s.map_or(String::new(), |s| format!(", every {}", secs(s)));
                let lt = p.location_type.as_deref().map_or(String::new(), |t| format!(" ({t})"));
                let far = p
                    .max_distance_to_aircraft_m
                    .map_or(String::new(), |d| format!(", up to {d:.0} m from the aircraft"));
                let _ = writeln!(
                    o,
                    "    pilot position known {} after the first message, from {}{lt}: {} reports{every}, spread {:.0} m{far}",
                    secs(p.first_after_s),
                    p.source,
                    p.reports,
                    p.spread_m
                );
            }
            None => {
                let _ = writeln!(o, "    pilot position: not broadcast");
            }
        }
        let _ = writeln!(o, "    trackable: {}", l.trackability.note);
        let _ = writeln!(o, "    payload: {} ({})", l.payload, l.payload_note);

        let _ = writeln!(o, "  Rates:");
        for r in &a.rates {
            let rate = r.rate_hz.map_or("-".to_string(), |h| format!("{h:.2} Hz"));
            let med = r.median_interval_s.map_or("-".to_string(), secs);
            let gap = r.max_gap_s.map_or("-".to_string(), secs);
            let _ = writeln!(
                o,
                "    {:<14} {:<12} {:>6} msgs {:>6} tx  {:>9}  median {:>8}  longest gap {:>8}",
                r.transport, r.msg_type, r.messages, r.transmissions, rate, med, gap
            );
        }
        checks(&mut o, "Compliance", &a.compliance, false);
        checks(&mut o, "Authenticity", &a.authenticity, true);
    }
    o
}
