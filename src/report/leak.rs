//! What an aircraft gives away to anyone with a receiver.

use super::air::{Air, median};
use super::ident::Group;
use super::input::Rec;
use super::model::{LeakItem, Leakage, PilotLeak, PointLeak, Trackability};
use crate::track::GeoPos;

/// Position resolution of a protocol's encoding, metres (ODID 1e-7°; DJI
/// 1e-7 rad on the wire per the public decoders; the French beacon 1e-5°).
fn resolution_m(protocol: &str) -> f64 {
    match protocol {
        "fr_sgdsn" => 1.11,
        "dji_wifi" | "dji_ocusync" => 0.64,
        _ => 0.011,
    }
}

fn res_text(m: f64) -> String {
    if m < 1.0 { format!("{:.0} cm", m * 100.0) } else { format!("{m:.1} m") }
}

/// Collects one item over the records that carry it.
fn item(air: &Air, name: &str, get: impl Fn(&Rec) -> Option<String>, res: Option<String>) -> Option<LeakItem> {
    let mut first = None;
    let mut last = String::new();
    let mut values: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut n = 0;
    let mut transports: Vec<String> = Vec::new();
    for r in &air.recs {
        let Some(v) = get(r) else { continue };
        n += 1;
        first.get_or_insert(r.t);
        if !values.contains(&v) {
            values.insert(v.clone());
        }
        if !transports.contains(&r.transport) {
            transports.push(r.transport.clone());
        }
        last = v;
    }
    Some(LeakItem {
        item: name.into(),
        value: last,
        values: values.len(),
        first_after_s: first? - air.first_t,
        messages: n,
        transports,
        resolution: res,
    })
}

fn pos_text((lat, lon): (f64, f64)) -> String {
    format!("{lat:.7}, {lon:.7}")
}

pub fn leakage(g: &Group, air: &Air, sessions: usize) -> Leakage {
    let mut items = Vec::new();
    // identifiers
    for (kind, value) in &g.keys {
        if kind == "address" {
            continue;
        }
        let it = item(
            air,
            kind,
            |r| super::ident::keys(r).into_iter().find(|k| &k.0 == kind && &k.1 == value).map(|k| k.1),
            None,
        );
        items.extend(it);
    }
    let proto = air.recs.first().map_or("odid", |r| r.protocol.as_str());
    let s = |k: &'static str| move |r: &Rec| r.s(k).map(str::to_string).filter(|v| !v.trim().is_empty());
    items.extend(item(air, "operator_id", s("operator_id"), None));
    items.extend(item(air, "self_id", s("description"), None));
    items.extend(item(air, "uuid", s("uuid"), None));
    items.extend(item(air, "model", s("model"), None));
    items.extend(item(air, "ua_type", |r| r.s("ua_type").filter(|u| *u != "none").map(str::to_string), None));
    items.extend(item(air, "eu_class", |r| Some(format!("{} {}", r.s("eu_category")?, r.s("eu_class")?)), None));
    items.extend(item(air, "drone_position", |r| r.pos("").map(pos_text), Some(res_text(resolution_m(proto)))));
    items.extend(item(
        air,
        "pilot_position",
        |r| r.pos("operator_").map(pos_text),
        Some(res_text(resolution_m(proto))),
    ));
    items.extend(item(air, "operator_altitude", |r| r.f("operator_alt_geo_m").map(|a| format!("{a} m")), None));
    items.extend(item(
        air,
        "home_point",
        |r| r.pos("home_").or_else(|| r.pos("takeoff_")).map(pos_text),
        Some(res_text(resolution_m(proto))),
    ));
    items.extend(item(
        air,
        "gps_time",
        |r| {
            r.s("gps_time_utc")
                .or_else(|| (r.msg_type == "system").then(|| r.s("timestamp_utc")).flatten())
                .map(str::to_string)
        },
        None,
    ));
    items.sort_by(|a, b| a.first_after_s.total_cmp(&b.first_after_s));

    let (payload, payload_note) = payload(air);
    Leakage {
        items,
        pilot: pilot(air),
        home: home(air),
        trackability: trackability(g, air, sessions),
        payload,
        payload_note,
    }
}

fn pilot(air: &Air) -> Option<PilotLeak> {
    let reps: Vec<(&Rec, (f64, f64))> = air.recs.iter().filter_map(|r| Some((*r, r.pos("operator_")?))).collect();
    let (first, _) = reps.first()?;
    let (last, last_pos) = reps.last()?;
    let source = match first.protocol.as_str() {
        "odid" => "odid_system",
        "dji_wifi" | "dji_ocusync" => "dji_app",
        other => other,
    };
    let mut times: Vec<f64> = Vec::new();
    for (r, _) in &reps {
        if times.last().is_none_or(|&t| r.t - t >= super::air::REPEAT_S) {
            times.push(r.t);
        }
    }
    let mut iv: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let n = reps.len() as f64;
    let mean = GeoPos::new(reps.iter().map(|r| r.1.0).sum::<f64>() / n, reps.iter().map(|r| r.1.1).sum::<f64>() / n);
    let spread = reps.iter().map(|r| mean.distance_m(GeoPos::new(r.1.0, r.1.1))).fold(0.0, f64::max);
    // distance to the aircraft: each report against the nearest position in time (within 2 s)
    let mut max_d: Option<f64> = None;
    let mut k = 0;
    for (r, (lat, lon)) in &reps {
        let ps = &air.positions;
        while k + 1 < ps.len() && ps[k + 1].t <= r.t {
            k += 1;
        }
        if let Some(p) = ps.get(k).filter(|p| (p.t - r.t).abs() <= 2.0) {
            let d = p.p.distance_m(GeoPos::new(*lat, *lon));
            max_d = Some(max_d.map_or(d, |m: f64| m.max(d)));
        }
    }
    Some(PilotLeak {
        source: source.into(),
        location_type: last.s("operator_location_type").map(str::to_string),
        first_after_s: first.t - air.first_t,
        reports: reps.len() as u64,
        update_interval_s: median(&mut iv),
        resolution_m: resolution_m(&first.protocol),
        spread_m: spread,
        lat_deg: last_pos.0,
        lon_deg: last_pos.1,
        alt_geo_m: last.f("operator_alt_geo_m"),
        max_distance_to_aircraft_m: max_d,
    })
}

fn home(air: &Air) -> Option<PointLeak> {
    let reps: Vec<(&Rec, (f64, f64))> =
        air.recs.iter().filter_map(|r| Some((*r, r.pos("home_").or_else(|| r.pos("takeoff_"))?))).collect();
    let (first, _) = reps.first()?;
    let (_, p) = reps.last()?;
    Some(PointLeak { lat_deg: p.0, lon_deg: p.1, first_after_s: first.t - air.first_t, reports: reps.len() as u64 })
}

fn trackability(g: &Group, air: &Air, sessions: usize) -> Trackability {
    let mut addrs: Vec<&str> = air.recs.iter().filter_map(|r| r.src_addr.as_deref()).collect();
    addrs.sort();
    addrs.dedup();
    let kind = g.primary.0.as_str();
    let fixed = kind != "address" && kind != "session_id";
    let note = match kind {
        "address" => "no identifier broadcast: followed only by its transmitter address".to_string(),
        "session_id" => {
            "broadcasts a session ID (meant to be unlinkable across flights); still constant within the flight"
                .to_string()
        }
        _ => {
            let mut n = format!("{} {:?} broadcast in the clear", kind.replace('_', " "), g.primary.1);
            if addrs.len() > 1 {
                n += &format!(
                    "; constant across {} transmitter addresses: address rotation does not hide it",
                    addrs.len()
                );
            }
            if sessions > 1 {
                n += &format!("; seen again in {sessions} sessions");
            }
            n
        }
    };
    Trackability { fixed_id: fixed, addresses: addrs.len(), sessions, note }
}

fn payload(air: &Air) -> (String, String) {
    let unknown = air.recs.iter().filter(|r| r.msg_type == "dji_unknown").count();
    let auth = air.recs.iter().filter(|r| r.msg_type == "auth" || r.msg_type == "auth_signature").count();
    let open = air.recs.len() - unknown;
    let kind = if unknown == 0 {
        "open"
    } else if open == 0 {
        "encrypted"
    } else {
        "mixed"
    };
    let mut note = match kind {
        "open" => format!("all {open} messages decoded in the clear (Remote ID is not encrypted by design)"),
        "encrypted" => format!("{unknown} DJI payloads not readable (encrypted or an unknown layout)"),
        _ => format!("{open} messages in the clear, {unknown} DJI payloads not readable (encrypted or unknown layout)"),
    };
    if auth > 0 {
        note += &format!("; {auth} authentication messages (signed, not encrypted)");
    }
    (kind.into(), note)
}
