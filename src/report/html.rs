//! The HTML rendering of a report: one self-contained page (inline CSS
//! and SVG, no script, no external resource) that also prints well.
//!
//! Per aircraft: identity, what it leaks, a map of its track with the
//! pilot and home points, altitude, ground speed, message rates and
//! received power over time, then the rate, compliance and authenticity
//! tables. Every string from the data is escaped (identifiers and
//! self-ID text come from the air).

use std::fmt::Write as _;

use super::air::secs;
use super::model::{Aircraft, Check, Report, Status};
use super::svg::{self, Chart, Line, MapData, Mark};

/// Escapes text from the data for HTML.
fn e(s: &str) -> String {
    crate::sink::cot::xml_escape(s)
}

/// Colour of the altitude line (unusual on purpose: the screenshot test
/// counts its pixels).
pub const ALT_COLOR: &str = "#0b7a75";
pub const HEIGHT_COLOR: &str = "#9c6b00";
pub const SPEED_COLOR: &str = "#7048e8";
/// RSSI dots, one colour per transport.
pub const RSSI_COLORS: [&str; 4] = ["#364fc7", "#e64980", "#2f9e44", "#f08c00"];
/// Message-rate lines, one colour per message type (the first is the
/// one the screenshot test counts).
pub const RATE_COLORS: [&str; 8] =
    ["#d9480f", "#1c7ed6", "#2b8a3e", "#ae3ec9", "#f59f00", "#0c8599", "#862e9c", "#5c940d"];
pub use super::svg::TRACK_COLOR;

const CSS: &str = r#"
:root{--fg:#212529;--muted:#5c636a;--line:#dee2e6;--bg2:#f8f9fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);margin:0;background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:21px;margin:36px 0 6px;padding-top:10px;border-top:3px solid var(--fg)}
h3{font-size:16px;margin:22px 0 8px}
.muted,.gen{color:var(--muted)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px;background:var(--bg2)}
.card b{display:block;font-size:24px}
.card.bad b{color:#c92a2a}.card.warn b{color:#d9480f}.card.good b{color:#2b8a3e}
.alert{border:2px solid #c92a2a;background:#fff5f5;border-radius:6px;padding:10px 14px;margin:14px 0}
.alert h3{margin:0 0 6px;color:#c92a2a}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600;font-size:13px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.basis{font-size:12px;color:var(--muted)}
table.checks{table-layout:fixed}
table.checks th:nth-child(1){width:76px}table.checks th:nth-child(2){width:150px}table.checks th:nth-child(3){width:110px}
table.checks th:nth-child(4){width:22%}table.checks th:nth-child(6){width:24%}
table.checks td{overflow-wrap:anywhere}
td.ev{font-size:13px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:700;line-height:18px;white-space:nowrap;margin-right:3px}
.b-pass{background:#d3f9d8;color:#1b5e20}.b-fail{background:#c92a2a;color:#fff}.b-flag{background:#e8590c;color:#fff}
.b-unknown{background:#e9ecef;color:#495057}.b-na{background:#f8f9fa;color:#868e96;border:1px solid #dee2e6}
.b-pilot{background:#1864ab;color:#fff}.b-none{background:#f1f3f5;color:#868e96}
.ident{margin:4px 0 8px}
.ident span{margin-right:14px}
figure{margin:10px 0 16px;break-inside:avoid;page-break-inside:avoid}
figcaption{font-size:12px;color:var(--muted)}
svg{max-width:100%;height:auto;display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .grid{stroke:#e9ecef;stroke-width:1}
svg .frame{fill:none;stroke:#adb5bd;stroke-width:1}
svg .mapbg{fill:#fbfcf8;stroke:#adb5bd}
svg .tl{font-size:11px;fill:#495057}
svg .al{font-size:12px;fill:#212529}
svg .lg{font-size:12px;fill:#212529}
svg .ct{font-size:13px;font-weight:600;fill:#212529}
.note{color:var(--muted);font-style:italic;margin:6px 0}
.leakp p{margin:4px 0}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
@media print{
 main{max-width:none;padding:0}
 body{font-size:11px}
 section.aircraft{break-before:page;page-break-before:always}
 h2{border-top:none}
 a{color:inherit;text-decoration:none}
 tr{break-inside:avoid}
}
"#;

fn badge(s: Status, flag: bool) -> &'static str {
    match (s, flag) {
        (Status::Pass, _) => r#"<span class="badge b-pass">pass</span>"#,
        (Status::Fail, false) => r#"<span class="badge b-fail">FAIL</span>"#,
        (Status::Fail, true) => r#"<span class="badge b-flag">FLAG</span>"#,
        (Status::Unknown, _) => r#"<span class="badge b-unknown">unknown</span>"#,
        (Status::NotApplicable, _) => r#"<span class="badge b-na">n/a</span>"#,
    }
}

/// A number with `dec` decimals, or `–` when missing or not finite.
fn num(v: Option<f64>, dec: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.dec$}"),
        _ => "–".to_string(),
    }
}

fn s_or_dash(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => secs(x),
        _ => "–".to_string(),
    }
}

fn fails(c: &[Check]) -> bool {
    c.iter().any(|c| c.status == Status::Fail)
}

/// The badges of one aircraft: compliance, authenticity, pilot.
fn status_badges(a: &Aircraft) -> String {
    let mut o = String::new();
    o.push_str(match a.verdict.as_str() {
        "compliant" => r#"<span class="badge b-pass">compliant</span>"#,
        "non_compliant" => r#"<span class="badge b-fail">non-compliant</span>"#,
        "undetermined" => r#"<span class="badge b-unknown">heard too briefly</span>"#,
        _ => r#"<span class="badge b-unknown">no Remote ID rules</span>"#,
    });
    if fails(&a.authenticity) {
        o.push_str(r#"<span class="badge b-flag">flagged</span>"#);
    } else {
        o.push_str(r#"<span class="badge b-none">no flags</span>"#);
    }
    if a.leakage.pilot.is_some() {
        o.push_str(r#"<span class="badge b-pilot">pilot exposed</span>"#);
    }
    o
}

/// Time axis: seconds, or minutes for long spans.
fn time_axis(a: &Aircraft) -> (f64, &'static str) {
    let span = a.last_s - a.first_s;
    if span.is_finite() && span > 900.0 { (60.0, "time (min)") } else { (1.0, "time (s)") }
}

fn heard(a: &Aircraft) -> String {
    match (&a.first_utc, &a.last_utc) {
        (Some(x), Some(y)) => format!("{} to {} ({})", e(x), e(y), secs(a.last_s - a.first_s)),
        _ => format!("t = {} to {}", secs(a.first_s), secs(a.last_s)),
    }
}

/// The plots of one aircraft, as `<figure>`s (or notes when a series is empty).
fn plots(o: &mut String, r: &Report, a: &Aircraft) {
    let s = &a.series;
    let (tdiv, tlabel) = time_axis(a);
    let xr = Some((a.first_s / tdiv, a.last_s / tdiv));

    // (a) map
    let md = MapData {
        track: s.track.iter().map(|p| (p.lat_deg, p.lon_deg)).collect(),
        pilot: s.pilot.iter().map(|p| (p.lat_deg, p.lon_deg)).collect(),
        home: a.leakage.home.as_ref().map(|h| (h.lat_deg, h.lon_deg)),
        sensor: r.sensor_lat_deg.zip(r.sensor_lon_deg),
    };
    let has_place = !md.track.is_empty() || !md.pilot.is_empty() || md.home.is_some();
    let m = if has_place { svg::map(&md) } else { String::new() };
    if m.is_empty() {
        o.push_str(r#"<p class="note">Map: no position was broadcast.</p>"#);
    } else {
        let _ = write!(
            o,
            "<figure>{m}<figcaption>Track ({} positions) in metres east and north of its centre (equal scale); grid lines at the scale bar's length.</figcaption></figure>",
            s.track.len()
        );
    }

    // (b) altitude and speed
    let mut alt = Chart::new("Altitude", tlabel, "metres");
    alt.x_range = xr;
    let ap: Vec<(f64, f64)> = s.track.iter().filter_map(|p| Some((p.t_s / tdiv, p.alt_m?))).collect();
    let hp: Vec<(f64, f64)> = s.track.iter().filter_map(|p| Some((p.t_s / tdiv, p.height_m?))).collect();
    if !ap.is_empty() {
        alt.lines.push(Line { name: "altitude".into(), color: ALT_COLOR, mark: Mark::Line, points: ap });
    }
    if !hp.is_empty() {
        alt.lines.push(Line { name: "height".into(), color: HEIGHT_COLOR, mark: Mark::Line, points: hp });
    }
    figure(o, &alt, "Altitude: no altitude was broadcast.");
    let mut spd = Chart::new("Ground speed", tlabel, "m/s");
    spd.x_range = xr;
    spd.y_from_zero = true;
    let sp: Vec<(f64, f64)> = s.track.iter().filter_map(|p| Some((p.t_s / tdiv, p.speed_h_mps?))).collect();
    if !sp.is_empty() {
        spd.lines.push(Line { name: "ground speed".into(), color: SPEED_COLOR, mark: Mark::Line, points: sp });
    }
    figure(o, &spd, "Ground speed: no speed was broadcast.");

    // (c) message rates
    let bin = s.rate_bin_s;
    let mut rate = Chart::new(
        "Message rate by type",
        tlabel,
        &match bin {
            b if b.is_finite() && b > 0.0 && b.fract() == 0.0 => format!("transmissions / {b:.0} s"),
            b if b.is_finite() && b > 0.0 => format!("transmissions / {}", secs(b)),
            _ => "transmissions per bin".to_string(),
        },
    );
    rate.x_range = xr;
    rate.y_from_zero = true;
    rate.panels = true;
    if bin.is_finite() && bin > 0.0 {
        for (i, (mt, bins)) in s.rate_bins.iter().enumerate() {
            let pts: Vec<(f64, f64)> = bins
                .iter()
                .enumerate()
                .map(|(k, &n)| ((a.first_s + (k as f64 + 0.5) * bin).min(a.last_s) / tdiv, n as f64))
                .collect();
            rate.lines.push(Line {
                name: mt.clone(),
                color: RATE_COLORS[i % RATE_COLORS.len()],
                mark: Mark::Line,
                points: pts,
            });
        }
    }
    figure(o, &rate, "Message rate: no transmissions to count.");

    // (d) received power
    let unit = match s.rssi_unit.as_deref() {
        Some("dbm") => "dBm".to_string(),
        Some("dbfs") => "dBFS".to_string(),
        Some(u) => u.to_string(),
        None => "dB".to_string(),
    };
    let mut rs = Chart::new(&format!("Received power ({unit})"), tlabel, &unit);
    rs.x_range = xr;
    // one colour per transport (they are received differently)
    let mut transports: Vec<&str> = s.rssi.iter().map(|p| p.transport.as_str()).collect();
    transports.sort();
    transports.dedup();
    for (i, t) in transports.iter().enumerate() {
        rs.lines.push(Line {
            name: t.to_string(),
            color: RSSI_COLORS[i % RSSI_COLORS.len()],
            mark: Mark::Dots,
            points: s.rssi.iter().filter(|p| p.transport == *t).map(|p| (p.t_s / tdiv, p.rssi)).collect(),
        });
    }
    figure(o, &rs, "Received power: no RSSI in the input.");
}

fn figure(o: &mut String, c: &Chart, empty: &str) {
    let svg = c.render();
    if svg.is_empty() {
        let _ = write!(o, r#"<p class="note">{}</p>"#, e(empty));
    } else {
        let _ = write!(o, "<figure>{svg}</figure>");
    }
}

fn checks_table(o: &mut String, title: &str, cs: &[Check], flag: bool) {
    let _ = write!(o, "<h3>{title}</h3>");
    if cs.is_empty() {
        o.push_str(r#"<p class="note">None apply.</p>"#);
        return;
    }
    o.push_str(
        r#"<table class="checks"><thead><tr><th>status</th><th>check</th><th>transport</th><th>what</th><th>evidence</th><th>basis</th></tr></thead><tbody>"#,
    );
    for c in cs {
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td class="ev">{}</td><td class="basis">{}</td></tr>"#,
            badge(c.status, flag),
            e(&c.id),
            e(c.transport.as_deref().unwrap_or("–")),
            e(&c.title),
            e(&c.evidence),
            e(&c.basis)
        );
    }
    o.push_str("</tbody></table>");
}

fn aircraft(o: &mut String, r: &Report, i: usize, a: &Aircraft) {
    let _ = write!(
        o,
        r#"<section class="aircraft" id="aircraft-{}"><h2>{}. <span class="mono">{}</span> {}</h2>"#,
        i + 1,
        i + 1,
        e(&a.id),
        status_badges(a)
    );
    // identity
    o.push_str(r#"<dl class="facts">"#);
    let mut fact = |k: &str, v: String| {
        let _ = write!(o, "<dt>{k}</dt><dd>{v}</dd>");
    };
    fact("identifier", format!("<code>{}</code> ({})", e(&a.id), e(&a.id_kind.replace('_', " "))));
    if let Some(m) = &a.model {
        fact("model", e(m));
    }
    if let Some(u) = &a.ua_type {
        fact("UA type", e(&u.replace('_', " ")));
    }
    fact("protocols", e(&a.protocols.join(", ")));
    fact("transports", e(&a.transports.join(", ")));
    fact("heard", format!("{}: {} message{}", heard(a), a.messages, if a.messages == 1 { "" } else { "s" }));
    if !a.addresses.is_empty() {
        let list: Vec<String> = a
            .addresses
            .iter()
            .map(|u| {
                format!(
                    "<code>{}</code> ({}, {} msgs, {}–{})",
                    e(&u.addr),
                    e(&u.transports.join(", ")),
                    u.messages,
                    secs(u.first_s),
                    secs(u.last_s)
                )
            })
            .collect();
        fact("addresses", list.join("<br>"));
    }
    if !a.sessions.is_empty() {
        fact("sessions", a.sessions.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "));
    }
    o.push_str("</dl>");

    // leakage
    let l = &a.leakage;
    o.push_str("<h3>What it broadcasts</h3>");
    if l.items.is_empty() {
        o.push_str(r#"<p class="note">No identifying item decoded.</p>"#);
    } else {
        o.push_str(r#"<table class="leak"><thead><tr><th>item</th><th>value</th><th class="n">first after</th><th class="n">messages</th><th>transports</th><th>resolution</th></tr></thead><tbody>"#);
        for it in &l.items {
            let many = if it.values > 1 {
                format!(r#" <span class="muted">({} values)</span>"#, it.values)
            } else {
                String::new()
            };
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="mono">{}{many}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
                e(&it.item.replace('_', " ")),
                e(&it.value),
                secs(it.first_after_s),
                it.messages,
                e(&it.transports.join(", ")),
                e(it.resolution.as_deref().unwrap_or("–"))
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str(r#"<div class="leakp">"#);
    match &l.pilot {
        Some(p) => {
            let lt = p.location_type.as_deref().map_or(String::new(), |t| format!(" ({})", e(t)));
            let every =
                p.update_interval_s.filter(|x| x.is_finite()).map_or(String::new(), |s| format!(", every {}", secs(s)));
            let far = p
                .max_distance_to_aircraft_m
                .filter(|x| x.is_finite())
                .map_or(String::new(), |d| format!("; up to {d:.0} m from the aircraft"));
            let alt = p.alt_geo_m.filter(|x| x.is_finite()).map_or(String::new(), |a| format!(", {a:.0} m"));
            let _ = write!(
                o,
                "<p><b>Pilot position exposed</b> {} after the first message, from {}{lt}: {} reports{every}, resolution {}, spread {}{far}. Last at <span class=\"mono\">{:.6}, {:.6}</span>{alt}.</p>",
                secs(p.first_after_s),
                e(&p.source),
                p.reports,
                svg::fmt_dist(p.resolution_m),
                svg::fmt_dist(p.spread_m.max(0.0)).replace("0 cm", "0 m"),
                p.lat_deg,
                p.lon_deg
            );
        }
        None => o.push_str("<p><b>Pilot position:</b> not broadcast.</p>"),
    }
    if let Some(h) = &l.home {
        let _ = write!(
            o,
            "<p><b>Home point</b> <span class=\"mono\">{:.6}, {:.6}</span>, known {} after the first message ({} reports).</p>",
            h.lat_deg,
            h.lon_deg,
            secs(h.first_after_s),
            h.reports
        );
    }
    let t = &l.trackability;
    let mut how = vec![
        format!("fixed identifier: {}", if t.fixed_id { "yes" } else { "no" }),
        format!("{} address{}", t.addresses, if t.addresses == 1 { "" } else { "es" }),
    ];
    if t.sessions > 0 {
        how.push(format!("{} session{}", t.sessions, if t.sessions == 1 { "" } else { "s" }));
    }
    let _ = write!(o, "<p><b>Trackable:</b> {} <span class=\"muted\">({})</span></p>", e(&t.note), how.join(", "));
    let _ = write!(o, "<p><b>Payload:</b> {} ({})</p></div>", e(&l.payload), e(&l.payload_note));

    o.push_str("<h3>Plots</h3>");
    plots(o, r, a);

    // rates
    o.push_str("<h3>Message rates</h3>");
    if a.rates.is_empty() {
        o.push_str(r#"<p class="note">No transmissions counted.</p>"#);
    } else {
        o.push_str(r#"<table class="rates"><thead><tr><th>transport</th><th>message type</th><th class="n">messages</th><th class="n">transmissions</th><th class="n">rate</th><th class="n">median interval</th><th class="n">longest gap</th><th class="n">heard</th></tr></thead><tbody>"#);
        for x in &a.rates {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{} – {}</td></tr>"#,
                e(&x.transport),
                e(&x.msg_type),
                x.messages,
                x.transmissions,
                x.rate_hz.filter(|h| h.is_finite()).map_or("–".to_string(), |h| format!("{h:.2} Hz")),
                s_or_dash(x.median_interval_s),
                s_or_dash(x.max_gap_s),
                secs(x.first_s),
                secs(x.last_s)
            );
        }
        o.push_str("</tbody></table>");
    }
    checks_table(o, "Compliance", &a.compliance, false);
    checks_table(
        o,
        "Authenticity <span class=\"muted\" style=\"font-weight:400;font-size:13px\">(FLAG: the check found something suspicious)</span>",
        &a.authenticity,
        true,
    );
    o.push_str(r##"<p class="muted"><a href="#top">↑ contents</a></p></section>"##);
}

/// A self-contained HTML page.
pub fn render(r: &Report) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="{}"><title>Remote ID report: {}</title><style>{CSS}</style></head><body><main id="top">"#,
        e(&r.generator),
        e(&r.source)
    );
    let _ = write!(o, r#"<h1>Remote ID report</h1><div class="gen">{}</div>"#, e(&r.generator));
    o.push_str(r#"<dl class="facts">"#);
    let _ = write!(o, "<dt>source</dt><dd><code>{}</code></dd>", e(&r.source));
    let span = match (&r.first_utc, &r.last_utc) {
        (Some(a), Some(b)) => format!("{} to {} ({})", e(a), e(b), secs(r.duration_s)),
        _ => secs(r.duration_s),
    };
    let _ = write!(o, "<dt>time span</dt><dd>{span}</dd>");
    let _ = write!(o, "<dt>messages</dt><dd>{} decoded, {} decode errors</dd>", r.messages, r.decode_errors);
    match (r.sensor_lat_deg, r.sensor_lon_deg) {
        (Some(la), Some(lo)) if la.is_finite() && lo.is_finite() => {
            let _ = write!(o, r#"<dt>receiver</dt><dd class="mono">{la:.6}, {lo:.6}</dd>"#);
        }
        _ => o.push_str(r#"<dt>receiver</dt><dd class="muted">position unknown</dd>"#),
    }
    if !r.sessions.is_empty() {
        let _ = write!(
            o,
            "<dt>sessions</dt><dd>{}</dd>",
            r.sessions.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    o.push_str("</dl>");
    let s = &r.summary;
    let card = |cls: &str, n: usize, what: &str| format!(r#"<div class="card {cls}"><b>{n}</b>{what}</div>"#);
    o.push_str(r#"<div class="cards">"#);
    o.push_str(&card("", s.aircraft, "aircraft"));
    o.push_str(&card(
        if s.pilot_position_exposed > 0 { "warn" } else { "" },
        s.pilot_position_exposed,
        "expose their pilot's position",
    ));
    o.push_str(&card(if s.compliant > 0 { "good" } else { "" }, s.compliant, "pass every Remote ID rule"));
    o.push_str(&card(if s.non_compliant > 0 { "bad" } else { "" }, s.non_compliant, "fail at least one rule"));
    o.push_str(&card("", s.undetermined, "heard too briefly to decide"));
    o.push_str(&card(if s.flagged > 0 { "bad" } else { "" }, s.flagged, "flagged as possibly not genuine"));
    o.push_str("</div>");

    for g in &r.signal_groups {
        let ids: Vec<String> = g.ids.iter().map(|i| format!("<code>{}</code>", e(i))).collect();
        let mut extra = Vec::new();
        if !g.transports.is_empty() {
            extra.push(format!("transports {}", e(&g.transports.join(", "))));
        }
        if !g.channels.is_empty() {
            extra.push(format!("channels {}", g.channels.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")));
        }
        extra.push(format!("appeared within {}", secs(g.appeared_within_s)));
        if let Some(m) = g.rssi_median.filter(|x| x.is_finite()) {
            extra.push(format!(
                "median power {m:.1} {} (spread {} dB)",
                e(g.rssi_unit.as_deref().unwrap_or("")),
                num(g.rssi_spread_db, 1)
            ));
        }
        if let Some(c) = g.cfo_median_hz.filter(|x| x.is_finite()) {
            extra.push(format!("carrier offset {c:.0} Hz"));
        }
        extra.push(format!("{} addresses", g.addresses));
        let _ = write!(
            o,
            r#"<div class="alert"><h3>One radio, many identities</h3><p>{}</p><p>{}</p><p class="muted">{}</p></div>"#,
            ids.join(", "),
            extra.join("; "),
            e(&g.evidence)
        );
    }

    // contents
    if !r.aircraft.is_empty() {
        o.push_str(r#"<h3>Aircraft</h3><table class="toc"><thead><tr><th class="n">#</th><th>identifier</th><th>kind</th><th>model</th><th>protocols</th><th class="n">messages</th><th>status</th></tr></thead><tbody>"#);
        for (i, a) in r.aircraft.iter().enumerate() {
            let _ = write!(
                o,
                r##"<tr><td class="n">{}</td><td><a class="mono" href="#aircraft-{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td>{}</td></tr>"##,
                i + 1,
                i + 1,
                e(&a.id),
                e(&a.id_kind.replace('_', " ")),
                e(a.model.as_deref().unwrap_or("–")),
                e(&a.protocols.join(", ")),
                a.messages,
                status_badges(a)
            );
        }
        o.push_str("</tbody></table>");
    } else {
        o.push_str(r#"<p class="note">No aircraft in the input.</p>"#);
    }

    for (i, a) in r.aircraft.iter().enumerate() {
        aircraft(&mut o, r, i, a);
    }
    let _ = writeln!(
        o,
        "<footer>Generated by {} from <code>{}</code>. Times are seconds from the first message of the input unless given in UTC.</footer></main></body></html>",
        e(&r.generator),
        e(&r.source)
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::*;

    fn synthetic() -> Report {
        let mut sink = crate::sink::VecSink::default();
        let path =
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/captures/pcap/synthetic_mixed.pcapng"));
        crate::cli::parse::decode_pcap(&path, &mut sink).expect("decode synthetic_mixed");
        let input = crate::report::Input::from_records("synthetic_mixed.pcapng", &sink.records);
        crate::report::analyze(&input, &Default::default())
    }

    /// `<svg` elements the page should hold for `a`.
    fn expected_svgs(a: &Aircraft) -> usize {
        let s = &a.series;
        let map = !s.track.is_empty() || !s.pilot.is_empty() || a.leakage.home.is_some();
        let alt = s.track.iter().any(|p| p.alt_m.is_some() || p.height_m.is_some());
        let spd = s.track.iter().any(|p| p.speed_h_mps.is_some());
        let rate = !s.rate_bins.is_empty();
        let rssi = !s.rssi.is_empty();
        [map, alt, spd, rate, rssi].iter().filter(|&&b| b).count()
    }

    fn empty_aircraft(id: &str) -> Aircraft {
        Aircraft {
            id: id.into(),
            id_kind: "serial".into(),
            model: Some("<b>model</b>".into()),
            ua_type: None,
            protocols: vec!["odid".into()],
            transports: vec!["wifi_beacon".into()],
            first_s: 0.0,
            last_s: 10.0,
            first_utc: None,
            last_utc: None,
            messages: 3,
            sessions: vec![],
            addresses: vec![],
            leakage: Leakage {
                items: vec![LeakItem {
                    item: "self_id".into(),
                    value: "</td><script>alert(1)</script>".into(),
                    values: 1,
                    first_after_s: 0.0,
                    messages: 1,
                    transports: vec![],
                    resolution: None,
                }],
                pilot: None,
                home: None,
                trackability: Trackability { fixed_id: true, addresses: 1, sessions: 0, note: "n".into() },
                payload: "open".into(),
                payload_note: "x".into(),
            },
            rates: vec![],
            compliance: vec![],
            verdict: "no_rules".into(),
            authenticity: vec![Check {
                id: "teleports".into(),
                title: "t".into(),
                basis: "b".into(),
                transport: None,
                status: Status::Fail,
                evidence: "a & b".into(),
            }],
            series: Series::default(),
        }
    }

    fn report_of(a: Vec<Aircraft>) -> Report {
        Report {
            generator: "ridscope test".into(),
            source: "x.pcap".into(),
            first_utc: None,
            last_utc: None,
            duration_s: 10.0,
            messages: 3,
            decode_errors: 0,
            sensor_lat_deg: None,
            sensor_lon_deg: None,
            sessions: vec![],
            summary: Summary::default(),
            aircraft: a,
            signal_groups: vec![],
        }
    }

    #[test]
    fn data_is_escaped() {
        let mut r = report_of(vec![empty_aircraft(r#"<script>&"x"#)]);
        r.source = "<img src=x onerror=alert(1)>".into();
        r.signal_groups.push(SignalGroup {
            ids: vec!["<i>".into()],
            transports: vec![],
            channels: vec![6],
            appeared_within_s: 1.0,
            rssi_median: Some(f64::NAN),
            rssi_spread_db: None,
            rssi_unit: None,
            cfo_median_hz: None,
            addresses: 1,
            evidence: "\"q\"".into(),
        });
        let h = render(&r);
        assert!(!h.contains("<script"), "raw script tag in output");
        assert!(!h.contains("<img"), "raw img tag in output");
        assert!(!h.contains("<i>") && !h.contains("<b>model"));
        assert!(h.contains("&lt;script&gt;&amp;&quot;x"));
        assert!(h.contains("a &amp; b"));
        assert!(!h.contains("NaN"));
        assert!(h.contains("One radio, many identities"));
        assert!(h.contains(r#"<span class="badge b-flag">FLAG</span>"#));
        assert!(h.ends_with("</html>\n"));
    }

    #[test]
    fn empty_series_give_notes_not_svg() {
        let h = render(&report_of(vec![empty_aircraft("A")]));
        assert_eq!(h.matches("<svg").count(), 0);
        assert!(h.contains("Map: no position was broadcast."));
        assert!(h.contains("Received power: no RSSI"));
        // and a report without aircraft
        let h = render(&report_of(vec![]));
        assert!(h.contains("No aircraft in the input.") && h.ends_with("</html>\n"));
    }

    #[test]
    fn bad_numbers_do_not_break_svg() {
        let mut a = empty_aircraft("A");
        a.series.track = vec![
            TrackPoint {
                t_s: 0.0,
                lat_deg: 48.0,
                lon_deg: 2.0,
                alt_m: Some(f64::NAN),
                height_m: None,
                speed_h_mps: Some(f64::INFINITY),
            },
            TrackPoint {
                t_s: 1.0,
                lat_deg: f64::NAN,
                lon_deg: 2.0,
                alt_m: Some(100.0),
                height_m: None,
                speed_h_mps: None,
            },
            TrackPoint {
                t_s: 2.0,
                lat_deg: 48.001,
                lon_deg: 2.001,
                alt_m: Some(110.0),
                height_m: Some(5.0),
                speed_h_mps: Some(3.0),
            },
        ];
        a.series.rssi = vec![RssiPoint { t_s: f64::NAN, rssi: -50.0, transport: "w".into() }];
        a.series.rate_bin_s = f64::NAN;
        a.series.rate_bins.insert("location".into(), vec![1, 2]);
        let h = render(&report_of(vec![a]));
        assert!(!h.contains("NaN") && !h.contains("inf"), "non-finite number in output");
        for svg in h.split("<svg").skip(1) {
            assert!(svg.contains("</svg>"));
        }
        // map, altitude, speed (rate bins without a bin width and the bad RSSI are skipped)
        assert_eq!(h.matches("<svg").count(), 3);
    }

    #[test]
    fn one_svg_per_plot_of_a_real_report() {
        let r = synthetic();
        assert!(r.aircraft.len() >= 2);
        let h = render(&r);
        let want: usize = r.aircraft.iter().map(expected_svgs).sum();
        assert!(want >= r.aircraft.len() * 3, "synthetic capture should have most plots ({want})");
        assert_eq!(h.matches("<svg").count(), want);
        assert_eq!(h.matches("</svg>").count(), want);
        for (i, _) in r.aircraft.iter().enumerate() {
            assert!(h.contains(&format!(r##"href="#aircraft-{}""##, i + 1)));
            assert!(h.contains(&format!(r#"id="aircraft-{}""#, i + 1)));
        }
        assert!(!h.contains("NaN") && !h.contains("<script"));
        assert!(h.contains(TRACK_COLOR) && h.contains(ALT_COLOR) && h.contains(RATE_COLORS[0]));
        // no network reference but the SVG namespace
        assert_eq!(h.matches("http").count(), h.matches(r#"xmlns="http://www.w3.org/2000/svg""#).count());
    }
}
