//! Rendering: [`draw`] paints a [`TuiState`] into a ratatui frame. It reads
//! the state only; every layout decision depends on the frame size alone.

use std::f64::consts::PI;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::canvas::{Canvas, Circle, Context, Line as CanvasLine};
use ratatui::widgets::{Block, Cell, Clear, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};

use super::model::{AircraftView, AlertKind, AlertState, GeoPoint, TuiState, ZoneShape};
use super::update::KEY_HELP;

/// Mean Earth radius for the map's equirectangular projection, metres.
const EARTH_RADIUS_M: f64 = 6_371_000.0;

const DIM: Style = Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM);
const TITLE: Style = Style::new().add_modifier(Modifier::BOLD);
const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
const ALERT: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);

/// Draw the whole UI.
pub fn draw(frame: &mut Frame, state: &TuiState) {
    let rx_h = u16::from(state.receiver.is_some());
    let [status, body, channels, receiver] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1), Constraint::Length(rx_h)])
            .areas(frame.area());
    draw_status(frame, status, state);
    draw_channels(frame, channels, state);
    if let Some(line) = &state.receiver {
        frame.render_widget(Paragraph::new(Line::styled(format!(" receiver: {line}"), DIM)), receiver);
    }

    let middle_wanted = state.panes.map || (state.panes.detail && !state.aircraft.is_empty());
    // Table: its rows plus border and header, at most 2/5 of the body
    // when the map or detail pane is shown.
    let table_rows = if state.aircraft.is_empty() { 4 } else { state.aircraft.len() as u16 + 3 };
    let table_h = if middle_wanted { table_rows.min((body.height * 2 / 5).max(5)) } else { body.height };
    let log_lines = (state.alerts.len() + state.log.len()).max(1) as u16;
    let log_h = if state.panes.log { (log_lines + 2).clamp(3, (body.height / 4).clamp(3, 12)) } else { 0 };
    let [table_area, middle, log_area] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Min(0), Constraint::Length(log_h)]).areas(body);

    draw_table(frame, table_area, state);
    if middle.height >= 4 {
        let detail = state.panes.detail && state.selected_aircraft().is_some();
        match (state.panes.map, detail) {
            (true, true) => {
                let [map, det] =
                    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(middle);
                draw_map(frame, map, state);
                draw_detail(frame, det, state);
            }
            (true, false) => draw_map(frame, middle, state),
            (false, true) => draw_detail(frame, middle, state),
            (false, false) => {}
        }
    }
    if state.panes.log {
        draw_log(frame, log_area, state);
    }
    if state.help {
        draw_help(frame, frame.area());
    }
}

// ---------------------------------------------------------------- text

/// Capture time as `hh:mm:ss.s`.
pub fn fmt_clock(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "--:--:--.-".to_string();
    }
    let tenths = (seconds * 10.0).round() as u64;
    let (h, rest) = (tenths / 36_000, tenths % 36_000);
    format!("{h:02}:{:02}:{:02}.{}", rest / 600, rest % 600 / 10, rest % 10)
}

fn fmt_num(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}"),
        _ => "-".to_string(),
    }
}

/// Seconds: tenths below 10 s.
fn fmt_age(s: f64) -> String {
    fmt_num(Some(s), if s < 10.0 { 1 } else { 0 })
}

/// Short transport names for the table.
pub fn short_transport(t: &str) -> &str {
    match t {
        "ble4_legacy" => "BT4",
        "ble5_extended" => "BT5",
        "wifi_beacon" => "Beacon",
        "wifi_nan" => "NAN",
        "ocusync" => "OcuSync",
        other => other,
    }
}

fn transports(a: &AircraftView) -> String {
    a.transports.iter().map(|t| short_transport(t)).collect::<Vec<_>>().join("+")
}

fn alert_text(a: &AlertState) -> String {
    match a {
        AlertState::None => String::new(),
        AlertState::Allowed => "allowed".to_string(),
        AlertState::InZone(zone) => format!("IN {zone}"),
        AlertState::Flagged(what) => format!("! {what}"),
    }
}

fn fmt_distance(m: f64) -> String {
    if m >= 1000.0 { format!("{} km", trim_float(m / 1000.0)) } else { format!("{m:.0} m") }
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

// ---------------------------------------------------------------- status and channels

fn draw_status(frame: &mut Frame, area: Rect, state: &TuiState) {
    let clock = match &state.clock_utc {
        Some(utc) => utc.clone(),
        None => format!("t {}", fmt_clock(state.clock_s)),
    };
    let mut spans = vec![
        Span::styled(" ridscope ", Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)),
        Span::raw(format!(" {clock}  {}  ", state.speed.label())),
    ];
    if state.paused {
        spans.push(Span::styled(" PAUSED ", Style::new().fg(Color::Black).bg(Color::Yellow)));
    }
    if state.finished {
        spans.push(Span::styled(" END OF INPUT ", Style::new().fg(Color::Black).bg(Color::Gray)));
    }
    let in_zone = state.aircraft.iter().filter(|a| matches!(a.alert, AlertState::InZone(_))).count();
    let counts = format!(" {} aircraft  {} in zones  {} alerts  ", state.aircraft.len(), in_zone, state.alerts.len());
    spans.push(if in_zone > 0 { Span::styled(counts, ALERT) } else { Span::raw(counts) });
    spans.push(Span::styled("? help  q quit", DIM));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_channels(frame: &mut Frame, area: Rect, state: &TuiState) {
    let unit = state.rssi_unit.label();
    let line = if state.channels.is_empty() {
        Line::styled(" no channel statistics yet", DIM)
    } else {
        let mut spans = vec![Span::styled(format!(" frames/errors, {unit}: "), DIM)];
        for (i, c) in state.channels.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" | ", DIM));
            }
            spans.push(Span::styled(format!("{} ", c.name), TITLE));
            spans.push(Span::raw(c.frames.to_string()));
            let err = Span::raw(format!("/{}", c.errors));
            spans.push(if c.errors > 0 { err.style(Style::new().fg(Color::Yellow)) } else { err });
            if let Some(r) = c.last_rssi_db.filter(|r| r.is_finite()) {
                spans.push(Span::raw(format!(" {r:.0}")));
            }
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

// ---------------------------------------------------------------- table

struct Column {
    header: String,
    /// Width of the widest cell or header.
    content: u16,
    width: u16,
    /// Lower is kept longer when the terminal is narrow.
    priority: u8,
    right: bool,
}

fn cells(a: &AircraftView) -> [String; 12] {
    [
        a.id.clone(),
        a.model.clone().unwrap_or_else(|| "-".to_string()),
        transports(a),
        fmt_num(a.position.map(|p| p.lat_deg), 5),
        fmt_num(a.position.map(|p| p.lon_deg), 5),
        fmt_num(a.height_m, 1),
        fmt_num(a.speed_mps, 1),
        fmt_num(a.distance_m, 0),
        fmt_num(a.pilot_distance_m, 0),
        fmt_num(a.rssi_db, 1),
        fmt_age(a.age_s),
        alert_text(&a.alert),
    ]
}

fn draw_table(frame: &mut Frame, area: Rect, state: &TuiState) {
    let title = format!(" Aircraft ({}) ", state.aircraft.len());
    let block = Block::bordered().title(Span::styled(title, TITLE));
    if state.aircraft.is_empty() {
        let listening = if state.listening.is_empty() { "nothing yet".to_string() } else { state.listening.clone() };
        let text =
            Text::from(vec![Line::styled("no aircraft yet", TITLE), Line::from(format!("listening to {listening}"))])
                .alignment(Alignment::Center);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block), area);
        return;
    }

    let rows: Vec<[String; 12]> = state.aircraft.iter().map(cells).collect();
    let headers = [
        "ID",
        "Model",
        "Via",
        "Lat °",
        "Lon °",
        "Hgt m",
        "Spd m/s",
        "Dist m",
        "Pilot m",
        &format!("RSSI {}", state.rssi_unit.label()),
        "Age s",
        "Alert",
    ];
    // Narrow terminals drop the higher numbers first; latitude and
    // longitude go together (the map shows the position too).
    let priorities = [0, 2, 4, 5, 5, 1, 3, 1, 3, 4, 2, 0];
    let caps = [20, 12, 16, 10, 11, 7, 7, 7, 7, 9, 5, 16];
    let mut columns: Vec<Column> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let content = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            Column {
                content: content.max(h.chars().count()) as u16,
                header: h.to_string(),
                width: (content.min(caps[i]) as u16).max(h.chars().count() as u16),
                priority: priorities[i],
                right: !matches!(i, 0 | 1 | 2 | 11),
            }
        })
        .collect();

    // Keep columns by priority while they fit; show them in their order.
    let avail = area.width.saturating_sub(2 + 2); // borders, highlight symbol
    let groups: Vec<Vec<usize>> =
        vec![vec![0], vec![1], vec![2], vec![3, 4], vec![5], vec![6], vec![7], vec![8], vec![9], vec![10], vec![11]];
    let mut order: Vec<&Vec<usize>> = groups.iter().collect();
    order.sort_by_key(|g| (columns[g[0]].priority, g[0]));
    let mut keep = vec![false; columns.len()];
    let mut used = 0u16;
    for group in order {
        let w: u16 = group.iter().map(|&i| columns[i].width + 1).sum();
        if used + w <= avail + 1 {
            group.iter().for_each(|&i| keep[i] = true);
            used += w;
        } else if group[0] == 0 {
            keep[0] = true; // the ID always, truncated
            used = avail + 1;
        }
    }
    let shown: Vec<usize> = (0..columns.len()).filter(|&i| keep[i]).collect();
    // The ID shrinks to what is left; room to spare widens the ID, then
    // the model, then the alert up to their content.
    let others: u16 = shown.iter().filter(|&&i| i != 0).map(|&i| columns[i].width + 1).sum();
    columns[0].width = columns[0].width.min(avail.saturating_sub(others));
    let mut spare = avail.saturating_sub(others + columns[0].width);
    for i in [0, 1, 11] {
        if keep[i] {
            let grow = columns[i].content.saturating_sub(columns[i].width).min(spare);
            columns[i].width += grow;
            spare -= grow;
        }
    }

    let header = Row::new(shown.iter().map(|&i| cell(&columns[i], columns[i].header.clone()))).style(TITLE);
    let body = rows.iter().zip(&state.aircraft).map(|(r, a)| {
        let row = Row::new(shown.iter().map(|&i| cell(&columns[i], r[i].clone())));
        match a.alert {
            AlertState::InZone(_) | AlertState::Flagged(_) => row.style(Style::new().fg(Color::Red)),
            AlertState::Allowed => row.style(Style::new().fg(Color::Green)),
            AlertState::None => row,
        }
    });
    let widths: Vec<Constraint> = shown.iter().map(|&i| Constraint::Length(columns[i].width)).collect();
    let table = Table::new(body, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(SELECTED)
        .highlight_symbol("> ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut ts = TableState::default().with_selected(Some(state.selected.min(state.aircraft.len() - 1)));
    frame.render_stateful_widget(table, area, &mut ts);
}

fn cell(c: &Column, text: String) -> Cell<'static> {
    let line = Line::from(text);
    Cell::from(if c.right { line.right_aligned() } else { line })
}

// ---------------------------------------------------------------- map

/// Metres east and north of `centre` (equirectangular, good for tens of km).
pub fn project(centre: GeoPoint, p: GeoPoint) -> (f64, f64) {
    let k = EARTH_RADIUS_M * PI / 180.0;
    let mut dlon = p.lon_deg - centre.lon_deg;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    (dlon * k * centre.lat_deg.to_radians().cos(), (p.lat_deg - centre.lat_deg) * k)
}

fn map_centre(state: &TuiState) -> Option<GeoPoint> {
    let valid = |p: &Option<GeoPoint>| p.filter(GeoPoint::is_valid);
    valid(&state.sensor)
        .or_else(|| state.selected_aircraft().and_then(|a| valid(&a.position)))
        .or_else(|| state.aircraft.iter().find_map(|a| valid(&a.position)))
        .or_else(|| {
            state.zones.iter().find_map(|z| match &z.shape {
                ZoneShape::Polygon(points) => points.iter().copied().find(GeoPoint::is_valid),
                ZoneShape::Circle { centre, .. } => Some(*centre).filter(GeoPoint::is_valid),
            })
        })
}

/// Half the map's width in metres at auto zoom: everything (aircraft,
/// tracks, pilots, homes; zones when there is no aircraft) fits.
fn auto_half_width(state: &TuiState, centre: GeoPoint, aspect: f64) -> f64 {
    // Half-width needed to show a point `margin` metres around `p`.
    let need_for = |p: GeoPoint, margin: f64| -> f64 {
        if !p.is_valid() || !margin.is_finite() {
            return 0.0;
        }
        let (x, y) = project(centre, p);
        (x.abs() + margin).max((y.abs() + margin) / aspect)
    };
    let mut need: f64 = 0.0;
    for a in &state.aircraft {
        for p in a.position.iter().chain(&a.pilot).chain(&a.home).chain(&a.track) {
            need = need.max(need_for(*p, 0.0));
        }
    }
    if need == 0.0 {
        for z in &state.zones {
            match &z.shape {
                ZoneShape::Polygon(points) => points.iter().for_each(|p| need = need.max(need_for(*p, 0.0))),
                ZoneShape::Circle { centre: c, radius_m } => need = need.max(need_for(*c, *radius_m)),
            }
        }
    }
    if need > 0.0 && need.is_finite() { (need * 1.15).max(100.0) } else { 1000.0 }
}

fn short_id(id: &str) -> String {
    let n = id.chars().count();
    id.chars().skip(n.saturating_sub(4)).collect()
}

fn draw_map(frame: &mut Frame, area: Rect, state: &TuiState) {
    let Some(centre) = map_centre(state) else {
        let block = Block::bordered().title(Span::styled(" Map ", TITLE));
        let text = Paragraph::new(Line::styled("no positions yet", DIM).centered()).block(block);
        frame.render_widget(text, area);
        return;
    };
    let inner = Block::bordered().inner(area);
    // Terminal cells are about twice as tall as wide: equal metres per
    // cell-width in both directions.
    let aspect = if inner.width == 0 { 1.0 } else { f64::from(inner.height) * 2.0 / f64::from(inner.width) };
    let half_w = state.zoom.half_width_m().unwrap_or_else(|| auto_half_width(state, centre, aspect));
    let half_h = half_w * aspect;
    let zoom_label = match state.zoom.half_width_m() {
        Some(_) => String::new(),
        None => " auto".to_string(),
    };
    let centre_name = if state.sensor.is_some() { "sensor" } else { "first position" };
    let title = format!(" Map ±{}{zoom_label}, centre {centre_name} ", fmt_distance(half_w));

    let pro = |p: &GeoPoint| p.is_valid().then(|| project(centre, *p));
    struct Drawn {
        label: String,
        selected: bool,
        drone: Option<(f64, f64)>,
        pilot: Option<(f64, f64)>,
        home: Option<(f64, f64)>,
        track: Vec<(f64, f64)>,
    }
    let drawn: Vec<Drawn> = state
        .aircraft
        .iter()
        .enumerate()
        .map(|(i, a)| Drawn {
            label: short_id(&a.id),
            selected: i == state.selected,
            drone: a.position.as_ref().and_then(pro),
            pilot: a.pilot.as_ref().and_then(pro),
            home: a.home.as_ref().and_then(pro),
            track: a.track.iter().filter_map(pro).collect(),
        })
        .collect();
    let zones: Vec<(String, ZoneDrawn)> = state
        .zones
        .iter()
        .filter_map(|z| {
            let shape = match &z.shape {
                ZoneShape::Polygon(points) => ZoneDrawn::Polygon(points.iter().filter_map(pro).collect()),
                ZoneShape::Circle { centre: c, radius_m } => {
                    let (x, y) = pro(c)?;
                    ZoneDrawn::Circle(x, y, *radius_m)
                }
            };
            Some((z.name.clone(), shape))
        })
        .collect();
    let has_sensor = state.sensor.is_some_and(|s| s.is_valid());

    let paint = |ctx: &mut Context| {
        for (name, zone) in &zones {
            let label_at = match zone {
                ZoneDrawn::Polygon(points) => {
                    for (i, &(x1, y1)) in points.iter().enumerate() {
                        let (x2, y2) = points[(i + 1) % points.len()];
                        ctx.draw(&CanvasLine::new(x1, y1, x2, y2, Color::Red));
                    }
                    // The corner nearest the centre: most likely on screen.
                    points.iter().copied().min_by(|a, b| a.0.hypot(a.1).total_cmp(&b.0.hypot(b.1)))
                }
                ZoneDrawn::Circle(x, y, r) => {
                    if r.is_finite() && *r > 0.0 {
                        ctx.draw(&Circle { x: *x, y: *y, radius: *r, color: Color::Red });
                    }
                    Some((*x, *y - r.max(0.0)))
                }
            };
            if let Some((x, y)) = label_at {
                ctx.print(x, y, Line::styled(name.clone(), Style::new().fg(Color::Red)));
            }
        }
        for d in &drawn {
            let colour = if d.selected { Color::Yellow } else { Color::Cyan };
            for w in d.track.windows(2) {
                ctx.draw(&CanvasLine::new(w[0].0, w[0].1, w[1].0, w[1].1, colour));
            }
            if let (Some((x1, y1)), Some((x2, y2))) = (d.drone, d.pilot) {
                ctx.draw(&CanvasLine::new(x1, y1, x2, y2, Color::DarkGray));
            }
        }
        ctx.layer();
        if has_sensor {
            ctx.print(0.0, 0.0, Line::styled("S", Style::new().fg(Color::White).add_modifier(Modifier::BOLD)));
        }
        for d in &drawn {
            if let Some((x, y)) = d.home {
                ctx.print(x, y, Line::styled("H", Style::new().fg(Color::Green)));
            }
            if let Some((x, y)) = d.pilot {
                ctx.print(x, y, Line::styled("P", Style::new().fg(Color::Magenta)));
            }
        }
        // The selected drone last, so its label is on top.
        for d in drawn.iter().filter(|d| !d.selected).chain(drawn.iter().filter(|d| d.selected)) {
            if let Some((x, y)) = d.drone {
                let style = if d.selected {
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
                } else {
                    Style::new().fg(Color::Cyan)
                };
                ctx.print(x, y, Line::styled(format!("*{}", d.label), style));
            }
        }
    };
    let canvas = Canvas::default()
        .block(Block::bordered().title(Span::styled(title, TITLE)))
        .marker(Marker::Braille)
        .x_bounds([-half_w, half_w])
        .y_bounds([-half_h, half_h])
        .paint(paint);
    frame.render_widget(canvas, area);
}

enum ZoneDrawn {
    Polygon(Vec<(f64, f64)>),
    Circle(f64, f64, f64),
}

// ---------------------------------------------------------------- detail

fn draw_detail(frame: &mut Frame, area: Rect, state: &TuiState) {
    let Some(a) = state.selected_aircraft() else {
        return;
    };
    let block = Block::bordered().title(Span::styled(format!(" {} ", a.id), TITLE));
    let summary = [
        ("transports", a.transports.join(", ")),
        ("distance_m", fmt_num(a.distance_m, 0)),
        ("bearing_deg", fmt_num(a.bearing_deg, 0)),
        ("course_deg", fmt_num(a.course_deg, 0)),
        ("pilot_distance_m", fmt_num(a.pilot_distance_m, 0)),
        ("track_points", a.track.len().to_string()),
        ("alert", alert_text(&a.alert)),
    ];
    let summary: Vec<(&str, String)> = summary.into_iter().filter(|(_, v)| !v.is_empty() && v != "-").collect();
    let name_w = summary
        .iter()
        .map(|(k, _)| k.len())
        .chain(a.fields.iter().map(|f| f.name.chars().count()))
        .max()
        .unwrap_or(0)
        .clamp(6, 20) as u16;
    let via_w =
        a.fields.iter().map(|f| short_transport(&f.transport).chars().count()).max().unwrap_or(0).clamp(3, 7) as u16;
    let mut rows: Vec<Row> = summary
        .into_iter()
        .map(|(k, v)| Row::new([Cell::from(k), Cell::from(v), Cell::from(""), Cell::from("")]).style(TITLE))
        .collect();
    rows.extend(a.fields.iter().map(|f| {
        let age = f.age_s.map(fmt_age).unwrap_or_default();
        let row = Row::new([
            Cell::from(f.name.clone()),
            Cell::from(f.value.clone()),
            Cell::from(short_transport(&f.transport).to_string()),
            Cell::from(Line::from(age).right_aligned()),
        ]);
        if f.stale { row.style(DIM) } else { row }
    }));
    let widths = [Constraint::Length(name_w), Constraint::Min(6), Constraint::Length(via_w), Constraint::Length(5)];
    let header = Row::new(["Field", "Value", "Via", "Age s"]).style(DIM);
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1).block(block), area);
}

// ---------------------------------------------------------------- log

fn draw_log(frame: &mut Frame, area: Rect, state: &TuiState) {
    let title = format!(" Alerts ({}) / log ", state.alerts.len());
    let block = Block::bordered().title(Span::styled(title, TITLE));
    let room = area.height.saturating_sub(2) as usize;
    // Newest first: the last `room` of each list, merged by time.
    let mut lines: Vec<(f64, bool, Line)> = Vec::new();
    for a in state.alerts.iter().rev().take(room) {
        let (verb, style) = match a.kind {
            AlertKind::Entered => ("entered", ALERT),
            AlertKind::Left => ("left", Style::new().fg(Color::Green)),
        };
        let line = Line::from(vec![
            Span::raw(format!("{} ", fmt_clock(a.time_s))),
            Span::styled(format!("ALERT {} {verb} {}", a.serial, a.zone), style),
        ]);
        lines.push((a.time_s, true, line));
    }
    for l in state.log.iter().rev().take(room) {
        lines.push((l.time_s, false, Line::raw(format!("{} {}", fmt_clock(l.time_s), l.text))));
    }
    // Stable: at equal times alerts come first.
    lines.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let text: Vec<Line> = if lines.is_empty() {
        vec![Line::styled("no alerts", DIM)]
    } else {
        lines.into_iter().take(room).map(|(_, _, l)| l).collect()
    };
    frame.render_widget(Paragraph::new(text).block(block), area);
}

// ---------------------------------------------------------------- help

fn draw_help(frame: &mut Frame, area: Rect) {
    let key_w = KEY_HELP.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut lines: Vec<Line> = KEY_HELP
        .iter()
        .map(|(k, what)| Line::from(vec![Span::styled(format!("{k:<key_w$}  "), TITLE), Span::raw(*what)]))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Map: S sensor, *ID drone, P pilot, H home", DIM));
    lines.push(Line::styled("Detail: stale fields are dimmed", DIM));
    let text_w = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let w = (text_w + 4).min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(" Help (? or Esc to close) ", TITLE));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
