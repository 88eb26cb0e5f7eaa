//! Small inline-SVG plotting helpers for the HTML report: nice axis
//! ticks, a generic line/scatter chart over one x axis, and the map of a
//! track in local metres.
//!
//! Every number written into the SVG is finite: non-finite inputs are
//! skipped, so a bad value never breaks the markup.

use std::fmt::Write as _;

use crate::sink::cot::xml_escape;

/// Nice tick positions covering `[lo, hi]` with about `target` intervals:
/// steps of 1, 2 or 5 × 10^n. Returns the ticks (inside the range) and
/// the step. A degenerate range is widened around its value.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (Vec::new(), 1.0);
    }
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo < 1e-9 * lo.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    let mut ticks = Vec::new();
    let mut k = first;
    while k <= last && ticks.len() < 1000 {
        let v = k * step;
        // -0 reads badly
        ticks.push(if v == 0.0 { 0.0 } else { v });
        k += 1.0;
    }
    (ticks, step)
}

/// The smallest of 1, 2, 5 × 10^n at least `raw` (positive, finite).
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let m = if f <= 1.0 + 1e-9 {
        1.0
    } else if f <= 2.0 + 1e-9 {
        2.0
    } else if f <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    m * p
}

/// A range padded out to nice tick boundaries.
fn nice_range(lo: f64, hi: f64, target: usize) -> (f64, f64, Vec<f64>, f64) {
    let (t, step) = nice_ticks(lo, hi, target);
    if t.is_empty() {
        return (0.0, 1.0, vec![0.0, 1.0], 1.0);
    }
    let (lo, hi) = if hi - lo < 1e-9 * lo.abs().max(1.0) {
        (t[0], *t.last().unwrap_or(&t[0]))
    } else {
        ((lo / step).floor() * step, (hi / step).ceil() * step)
    };
    let (hi, ticks) = if hi <= lo { (lo + step, vec![lo, lo + step]) } else { (hi, nice_ticks(lo, hi, target).0) };
    (lo, hi, ticks, step)
}

/// A tick label with as many decimals as the step needs.
pub fn fmt_tick(v: f64, step: f64) -> String {
    let dec = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    let s = format!("{v:.dec$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') { s[1..].to_string() } else { s }
}

/// How one series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    Line,
    Dots,
}

/// One series of a chart.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    /// A CSS colour (`#rrggbb`).
    pub color: &'static str,
    pub mark: Mark,
    pub points: Vec<(f64, f64)>,
}

/// A chart: several series over one x axis and one y axis.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub width: f64,
    pub height: f64,
    /// The y axis starts at 0 (counts, speeds).
    pub y_from_zero: bool,
    /// The x range to show (else the data's).
    pub x_range: Option<(f64, f64)>,
    /// Small multiples: each series in a band of its own (y from 0 to
    /// its own maximum) instead of all on one y axis, so that equal
    /// series do not hide each other.
    pub panels: bool,
    pub lines: Vec<Line>,
}

fn finite(p: &(f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

impl Chart {
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Chart {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            width: 900.0,
            height: 260.0,
            y_from_zero: false,
            x_range: None,
            panels: false,
            lines: Vec::new(),
        }
    }

    /// Whether any series has a finite point.
    pub fn has_data(&self) -> bool {
        self.lines.iter().any(|l| l.points.iter().any(finite))
    }

    /// The chart as an `<svg>` element (empty string when there is no data).
    pub fn render(&self) -> String {
        if !self.has_data() {
            return String::new();
        }
        let pts = || self.lines.iter().flat_map(|l| l.points.iter().filter(|p| finite(p)));
        let (mut x0, mut x1) = pts().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
        if let Some((a, b)) = self.x_range
            && a.is_finite()
            && b.is_finite()
            && b >= a
        {
            x0 = a;
            x1 = b;
        }
        let (mut y0, mut y1) = pts().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
        if self.y_from_zero {
            y0 = y0.min(0.0);
            y1 = y1.max(0.0);
        }
        if x1 - x0 < 1e-9 {
            x0 -= 1.0;
            x1 += 1.0;
        }
        let (xt, xstep) = nice_ticks(x0, x1, 10);
        let nonempty: Vec<&Line> = self.lines.iter().filter(|l| l.points.iter().any(finite)).collect();
        let bands = if self.panels { nonempty.len().max(1) } else { 1 };
        let (w, mut h) = (self.width, self.height);
        let (ml, mr, mt, mb) = (64.0, 16.0, 30.0, 44.0);
        if self.panels {
            h = mt + mb + (64.0 * bands as f64).max(150.0);
        }
        let (pw, ph) = (w - ml - mr, h - mt - mb);
        let bh = ph / bands as f64;
        let sx = |x: f64| ml + (x - x0) / (x1 - x0) * pw;
        let mut o = String::new();
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="{}">"#,
            xml_escape(&self.title)
        );
        let _ = write!(o, r#"<text class="ct" x="{ml:.0}" y="18">{}</text>"#, xml_escape(&self.title));
        for &t in xt.iter().filter(|&&t| t >= x0 - 1e-9 && t <= x1 + 1e-9) {
            let x = sx(t);
            let _ = write!(
                o,
                r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{mt:.1}" y2="{:.1}"/><text class="tl" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                mt + ph,
                mt + ph + 16.0,
                fmt_tick(t, xstep)
            );
        }
        // one y scale per band: all series (or, as panels, one series each)
        for band in 0..bands {
            let members: Vec<&Line> =
                if self.panels { nonempty.get(band).into_iter().copied().collect() } else { nonempty.clone() };
            let (by0, by1) = if self.panels {
                let m =
                    members.iter().flat_map(|l| l.points.iter().filter(|p| finite(p))).fold(0.0f64, |a, p| a.max(p.1));
                (0.0, m)
            } else {
                (y0, y1)
            };
            let (mut by0, mut by1, mut yt, mut ystep) = nice_range(by0, by1, if self.panels { 1 } else { 5 });
            // keep data off the frame: a step of room where it touches
            if !self.panels {
                let eps = 1e-9 * ystep;
                let low = !self.y_from_zero && (y0 - by0).abs() < eps;
                let high = (by1 - y1).abs() < eps;
                if low || high {
                    by0 -= if low { ystep } else { 0.0 };
                    by1 += if high { ystep } else { 0.0 };
                    (yt, ystep) = nice_ticks(by0, by1, 6);
                }
            }
            let top = mt + bh * band as f64;
            let (pad_t, pad_b) = if self.panels { (6.0, 2.0) } else { (0.0, 0.0) };
            let bph = bh - pad_t - pad_b;
            let sy = |y: f64| top + pad_t + bph - (y - by0) / (by1 - by0) * bph;
            for &t in &yt {
                let y = sy(t);
                // a band labels only its top (0 is its bottom line)
                if self.panels && t == by0 {
                    continue;
                }
                let _ = write!(
                    o,
                    r#"<line class="grid" x1="{ml:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="tl" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                    ml + pw,
                    ml - 6.0,
                    y + 4.0,
                    fmt_tick(t, ystep)
                );
            }
            if self.panels {
                let _ = write!(o, r#"<rect class="frame" x="{ml:.1}" y="{top:.1}" width="{pw:.1}" height="{bh:.1}"/>"#);
                if let Some(l) = members.first() {
                    let _ = write!(
                        o,
                        r#"<text class="lg" x="{:.1}" y="{:.1}" fill="{}">{}</text>"#,
                        ml + 6.0,
                        top + 14.0,
                        l.color,
                        xml_escape(&l.name)
                    );
                }
            }
            for l in members {
                let p: Vec<(f64, f64)> = l.points.iter().copied().filter(finite).map(|(x, y)| (sx(x), sy(y))).collect();
                if p.is_empty() {
                    continue;
                }
                match l.mark {
                    Mark::Line if p.len() >= 2 => {
                        let _ = write!(
                            o,
                            r#"<polyline fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round" points="{}"/>"#,
                            l.color,
                            poly(&p)
                        );
                    }
                    _ => {
                        let _ = write!(o, r#"<g fill="{}">"#, l.color);
                        for (x, y) in p {
                            let _ = write!(o, r#"<circle cx="{x:.1}" cy="{y:.1}" r="2.5"/>"#);
                        }
                        o.push_str("</g>");
                    }
                }
            }
        }
        let _ = write!(o, r#"<rect class="frame" x="{ml:.1}" y="{mt:.1}" width="{pw:.1}" height="{ph:.1}"/>"#);
        let _ = write!(
            o,
            r#"<text class="al" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            ml + pw / 2.0,
            h - 6.0,
            xml_escape(&self.x_label)
        );
        let _ = write!(
            o,
            r#"<text class="al" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            mt + ph / 2.0,
            xml_escape(&self.y_label)
        );
        if self.panels {
            o.push_str("</svg>");
            return o;
        }
        // legend (top right, above the plot)
        let mut lx = ml + pw;
        for l in self.lines.iter().rev() {
            let tw = 7.0 * l.name.chars().count() as f64 + 26.0;
            lx -= tw;
            let _ = write!(
                o,
                r#"<rect x="{lx:.1}" y="9" width="14" height="8" fill="{}"/><text class="lg" x="{:.1}" y="17">{}</text>"#,
                l.color,
                lx + 18.0,
                xml_escape(&l.name)
            );
        }
        o.push_str("</svg>");
        o
    }
}

/// `x,y x,y ...` for a polyline.
pub fn poly(p: &[(f64, f64)]) -> String {
    let mut s = String::with_capacity(p.len() * 12);
    for (i, (x, y)) in p.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:.1},{y:.1}");
    }
    s
}

/// Metres from a centre, east and north (local equirectangular projection).
#[derive(Debug, Clone, Copy)]
pub struct Proj {
    lat0: f64,
    lon0: f64,
    k: f64,
}

const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

impl Proj {
    pub fn new(lat0: f64, lon0: f64) -> Proj {
        Proj { lat0, lon0, k: lat0.to_radians().cos() }
    }
    /// (east, north) in metres.
    pub fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        let mut dlon = lon - self.lon0;
        if dlon > 180.0 {
            dlon -= 360.0;
        } else if dlon < -180.0 {
            dlon += 360.0;
        }
        (dlon * self.k * M_PER_DEG, (lat - self.lat0) * M_PER_DEG)
    }
}

/// A valid latitude/longitude pair.
pub fn valid_ll(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0
}

/// What the map shows.
#[derive(Debug, Clone, Default)]
pub struct MapData {
    pub track: Vec<(f64, f64)>,
    pub pilot: Vec<(f64, f64)>,
    pub home: Option<(f64, f64)>,
    pub sensor: Option<(f64, f64)>,
}

pub const TRACK_COLOR: &str = "#c2187a";
pub const PILOT_COLOR: &str = "#1864ab";
pub const HOME_COLOR: &str = "#e67700";
pub const SENSOR_COLOR: &str = "#495057";

/// The map of a track: an `<svg>` (empty string when there is nothing to draw).
pub fn map(d: &MapData) -> String {
    let ok = |p: &&(f64, f64)| valid_ll(p.0, p.1);
    let track: Vec<(f64, f64)> = d.track.iter().filter(ok).copied().collect();
    let pilot: Vec<(f64, f64)> = d.pilot.iter().filter(ok).copied().collect();
    let home = d.home.filter(|p| valid_ll(p.0, p.1));
    let sensor = d.sensor.filter(|p| valid_ll(p.0, p.1));
    let all: Vec<(f64, f64)> =
        track.iter().chain(pilot.iter()).chain(home.iter()).chain(sensor.iter()).copied().collect();
    if all.is_empty() {
        return String::new();
    }
    // centre: middle of the track's bounding box (else of everything)
    let basis = if track.is_empty() { &all } else { &track };
    let (la0, la1) = basis.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
    let (lo0, lo1) = basis.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    let proj = Proj::new((la0 + la1) / 2.0, (lo0 + lo1) / 2.0);
    let xy = |p: &(f64, f64)| proj.xy(p.0, p.1);
    // the receiver joins the fit unless it is far beyond everything else
    // (then an arrow at the map's edge points to it)
    let near: Vec<(f64, f64)> = track.iter().chain(pilot.iter()).chain(home.iter()).map(xy).collect();
    let sensor_far = match (sensor, near.is_empty()) {
        (Some(sp), false) => {
            let (a0, a1) = near.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
            let (b0, b1) = near.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
            let half = ((a1 - a0).max(b1 - b0) / 2.0).max(100.0);
            let (sx, sy) = xy(&sp);
            let (dx, dy) = (sx - (a0 + a1) / 2.0, sy - (b0 + b1) / 2.0);
            let far = dx.abs().max(dy.abs()) > 4.0 * half;
            far.then_some((dx, dy, (a0 + a1) / 2.0, (b0 + b1) / 2.0))
        }
        _ => None,
    };
    let pts: Vec<(f64, f64)> = if sensor_far.is_some() { near.clone() } else { all.iter().map(xy).collect() };
    let (mut x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
    let (mut y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    // at least 100 m across
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (w, h) = (900.0, 560.0);
    let (ml, mr, mt, mb) = (2.0, 2.0, 2.0, 34.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let hx = ((x1 - x0) / 2.0).max(50.0);
    let hy = ((y1 - y0) / 2.0).max(50.0);
    // equal scale: metres per pixel, with a margin for markers and the legend
    let scale = ((2.0 * hx) / pw).max((2.0 * hy) / ph) * 1.25;
    let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
    x0 = cx - pw / 2.0 * scale;
    y0 = cy - ph / 2.0 * scale;
    let sx = |x: f64| ml + (x - x0) / scale;
    let sy = |y: f64| mt + ph - (y - y0) / scale;
    let px = |p: &(f64, f64)| {
        let (x, y) = xy(p);
        (sx(x), sy(y))
    };
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="map of the track">"#
    );
    let _ = write!(o, r#"<rect class="mapbg" x="{ml}" y="{mt}" width="{pw}" height="{ph}"/>"#);
    // grid every scale-bar length
    // scale bar: a nice length near a sixth of the width
    let bar_m = nice_step(pw * scale / 6.0);
    let bar_m = if bar_m / scale > pw / 4.0 { bar_m / 2.0 } else { bar_m };
    let g = bar_m.max(1e-3);
    let mut gx = (x0 / g).ceil() * g;
    let mut n = 0;
    while gx <= x0 + pw * scale && n < 200 {
        let x = sx(gx);
        let _ = write!(o, r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{mt}" y2="{:.1}"/>"#, mt + ph);
        gx += g;
        n += 1;
    }
    let mut gy = (y0 / g).ceil() * g;
    n = 0;
    while gy <= y0 + ph * scale && n < 200 {
        let y = sy(gy);
        let _ = write!(o, r#"<line class="grid" x1="{ml}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/>"#, ml + pw);
        gy += g;
        n += 1;
    }
    // pilot to last aircraft position, dashed (how far apart they are)
    if let (Some(p), Some(t)) = (pilot.last(), track.last()) {
        let (a, b) = (px(p), px(t));
        let _ = write!(
            o,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#868e96" stroke-width="1" stroke-dasharray="4 4"/>"##,
            a.0, a.1, b.0, b.1
        );
    }
    let tp: Vec<(f64, f64)> = track.iter().map(px).collect();
    if tp.len() >= 2 {
        let _ = write!(
            o,
            r#"<polyline fill="none" stroke="{TRACK_COLOR}" stroke-width="4" stroke-linejoin="round" stroke-linecap="round" points="{}"/>"#,
            poly(&tp)
        );
    }
    // pilot reports: blue squares (the last one larger)
    for (i, p) in pilot.iter().enumerate() {
        let (x, y) = px(p);
        let r = if i + 1 == pilot.len() { 7.0 } else { 3.0 };
        let _ = write!(
            o,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{PILOT_COLOR}" stroke="#fff" stroke-width="1"/>"##,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        );
    }
    if let Some(hm) = home {
        let (x, y) = px(&hm);
        let _ = write!(
            o,
            r##"<path d="M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{HOME_COLOR}" stroke="#fff" stroke-width="1"/>"##,
            x,
            y - 9.0,
            x + 8.0,
            y + 6.0,
            x - 8.0,
            y + 6.0
        );
    }
    if let Some((dx, dy, ox, oy)) = sensor_far {
        // from the centre of the drawing towards the receiver, stopped at the edge
        let (cxp, cyp) = (sx(ox), sy(oy));
        let (ux, uy) = (dx / dx.hypot(dy), -dy / dx.hypot(dy));
        let (ix0, ix1, iy0, iy1) = (ml + 40.0, ml + pw - 40.0, mt + 40.0, mt + ph - 40.0);
        let tx = if ux > 0.0 {
            (ix1 - cxp) / ux
        } else if ux < 0.0 {
            (ix0 - cxp) / ux
        } else {
            f64::INFINITY
        };
        let ty = if uy > 0.0 {
            (iy1 - cyp) / uy
        } else if uy < 0.0 {
            (iy0 - cyp) / uy
        } else {
            f64::INFINITY
        };
        let t = tx.min(ty).max(0.0);
        let (x, y) = (cxp + ux * t, cyp + uy * t);
        if x.is_finite() && y.is_finite() {
            let ang = uy.atan2(ux).to_degrees();
            let d = dx.hypot(dy);
            let label = if d >= 1000.0 { format!("{:.1} km", d / 1000.0) } else { format!("{d:.0} m") };
            let _ = write!(
                o,
                r##"<g transform="translate({x:.1} {y:.1})"><g transform="rotate({ang:.1})"><path d="M14,0 L-4,-8 L-4,8 Z" fill="{SENSOR_COLOR}"/></g><text class="lg" x="0" y="{:.1}" text-anchor="middle">receiver {label}</text></g>"##,
                if uy > 0.0 { -14.0 } else { 24.0 }
            );
        }
    } else if let Some(s) = sensor {
        let (x, y) = px(&s);
        let _ = write!(
            o,
            r##"<g stroke="{SENSOR_COLOR}" stroke-width="2" fill="none"><circle cx="{x:.1}" cy="{y:.1}" r="7"/><line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"/></g>"##,
            x - 10.0,
            x + 10.0,
            y - 10.0,
            y + 10.0
        );
    }
    if let (Some(a), Some(b)) = (tp.first(), tp.last()) {
        let _ = write!(
            o,
            r##"<circle cx="{:.1}" cy="{:.1}" r="6" fill="#2b8a3e" stroke="#fff" stroke-width="1.5"/>"##,
            a.0, a.1
        );
        if tp.len() >= 2 {
            let _ = write!(
                o,
                r##"<circle cx="{:.1}" cy="{:.1}" r="6" fill="#c92a2a" stroke="#fff" stroke-width="1.5"/>"##,
                b.0, b.1
            );
        }
    }
    // scale bar, bottom left
    let bl = bar_m / scale;
    let (bx, by) = (ml + 16.0, mt + ph - 18.0);
    let _ = write!(
        o,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="26" fill="#fff" fill-opacity="0.85"/><path d="M{bx:.1},{:.1} V{by:.1} H{:.1} V{:.1}" fill="none" stroke="#212529" stroke-width="2"/><text class="tl" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
        bx - 6.0,
        by - 20.0,
        bl + 12.0,
        by - 6.0,
        bx + bl,
        by - 6.0,
        bx + bl / 2.0,
        by - 6.0,
        fmt_dist(bar_m)
    );
    // north arrow, top right
    let (nx, ny) = (ml + pw - 24.0, mt + 14.0);
    let _ = write!(
        o,
        r##"<path d="M{nx:.1},{ny:.1} l8,22 l-8,-6 l-8,6 Z" fill="#212529"/><text class="al" x="{nx:.1}" y="{:.1}" text-anchor="middle">N</text>"##,
        ny + 36.0
    );
    // legend, top left
    let mut items: Vec<String> = Vec::new();
    if tp.len() >= 2 {
        items.push(format!(r#"<rect x="0" y="-5" width="18" height="3" fill="{TRACK_COLOR}"/>"#) + "track");
    }
    if !tp.is_empty() {
        items.push(r##"<circle cx="9" cy="-4" r="5" fill="#2b8a3e"/>"##.to_string() + "first position");
    }
    if tp.len() >= 2 {
        items.push(r##"<circle cx="9" cy="-4" r="5" fill="#c92a2a"/>"##.to_string() + "last position");
    }
    if !pilot.is_empty() {
        items.push(
            format!(r#"<rect x="4" y="-9" width="10" height="10" fill="{PILOT_COLOR}"/>"#) + "pilot (last: large)",
        );
    }
    if home.is_some() {
        items.push(format!(r#"<path d="M9,-11 L16,1 L2,1 Z" fill="{HOME_COLOR}"/>"#) + "home point");
    }
    if sensor_far.is_some() {
        items.push(format!(r#"<path d="M18,-4 L4,-11 L4,3 Z" fill="{SENSOR_COLOR}"/>"#) + "receiver (off the map)");
    } else if sensor.is_some() {
        items.push(
            format!(r#"<circle cx="9" cy="-4" r="5" fill="none" stroke="{SENSOR_COLOR}" stroke-width="2"/>"#)
                + "receiver",
        );
    }
    // legend: one row under the map
    let mut lx = ml;
    for it in &items {
        let (sym, label) = it.split_at(it.rfind('>').map_or(0, |k| k + 1));
        let _ = write!(
            o,
            r#"<g transform="translate({lx:.1} {:.1})">{sym}<text class="lg" x="24" y="0">{label}</text></g>"#,
            mt + ph + 24.0
        );
        lx += 40.0 + 7.0 * label.chars().count() as f64;
    }
    o.push_str("</svg>");
    o
}

/// `250 m`, `1.5 km`.
pub fn fmt_dist(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        if (km - km.round()).abs() < 1e-9 { format!("{km:.0} km") } else { format!("{km} km") }
    } else if m >= 1.0 {
        format!("{m:.0} m")
    } else {
        format!("{} cm", (m * 100.0).round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_1_2_5() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(130.0), 200.0);
        assert!((nice_step(0.023) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn ticks_cover_the_range() {
        let (t, s) = nice_ticks(0.0, 1020.0, 10);
        assert_eq!(s, 200.0);
        assert_eq!(t, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        let (t, s) = nice_ticks(-83.0, -41.0, 5);
        assert_eq!(s, 10.0);
        assert_eq!(t, vec![-80.0, -70.0, -60.0, -50.0]);
        // degenerate and bad ranges
        let (t, _) = nice_ticks(5.0, 5.0, 5);
        assert!(!t.is_empty() && t.iter().all(|v| v.is_finite()));
        assert!(nice_ticks(f64::NAN, 1.0, 5).0.is_empty());
        assert_eq!(fmt_tick(0.30000000000000004, 0.1), "0.3");
        assert_eq!(fmt_tick(-0.0, 1.0), "0");
        assert_eq!(fmt_tick(1500.0, 500.0), "1500");
    }

    #[test]
    fn distances() {
        assert_eq!(fmt_dist(500.0), "500 m");
        assert_eq!(fmt_dist(2000.0), "2 km");
        assert_eq!(fmt_dist(0.5), "50 cm");
    }

    #[test]
    fn non_finite_points_are_skipped() {
        let mut c = Chart::new("t", "x", "y");
        c.lines.push(Line {
            name: "a".into(),
            color: "#000000",
            mark: Mark::Line,
            points: vec![(0.0, 1.0), (f64::NAN, 2.0), (1.0, f64::INFINITY), (2.0, 3.0)],
        });
        let s = c.render();
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(!s.contains("NaN") && !s.contains("inf"));
        let mut e = Chart::new("t", "x", "y");
        e.lines.push(Line { name: "a".into(), color: "#000000", mark: Mark::Dots, points: vec![(f64::NAN, 1.0)] });
        assert_eq!(e.render(), "");
        let m = map(&MapData { track: vec![(f64::NAN, 0.0), (91.0, 0.0)], ..Default::default() });
        assert_eq!(m, "");
    }

    #[test]
    fn far_receiver_is_an_arrow() {
        let d = MapData { track: vec![(48.0, 2.0), (48.001, 2.001)], sensor: Some((48.2, 2.0)), ..Default::default() };
        let s = map(&d);
        assert!(s.contains("receiver 22.") && s.contains("off the map"), "{s}");
        assert!(!s.contains("NaN") && !s.contains("inf"));
        let near = map(&MapData { sensor: Some((48.0005, 2.0)), ..d });
        assert!(!near.contains("off the map") && near.contains(">receiver<"));
    }

    #[test]
    fn map_of_one_point_and_far_pilot() {
        let one = map(&MapData { track: vec![(48.0, 2.0)], ..Default::default() });
        assert!(one.starts_with("<svg") && !one.contains("NaN") && !one.contains("inf"));
        let d = MapData {
            track: vec![(48.0, 2.0), (48.0001, 2.0001)],
            pilot: vec![(48.05, 2.05)],
            home: Some((48.0, 2.0)),
            sensor: Some((47.99, 1.99)),
        };
        let s = map(&d);
        assert!(!s.contains("NaN") && !s.contains("inf"));
        // every coordinate inside the viewBox
        for part in s.split(['"', ' ', ',']) {
            if let Ok(v) = part.parse::<f64>() {
                assert!((-20.0..=920.0).contains(&v), "{v} outside: {s}");
            }
        }
    }
}
