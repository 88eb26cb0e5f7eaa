//! `--cot URL`: Cursor on Target events for ATAK, WinTAK and iTAK.
//!
//! The sink runs its own tracker over the decoded records and, for each
//! aircraft, sends up to three markers as CoT 2.0 XML events:
//!
//! | marker | uid | type |
//! |---|---|---|
//! | the drone | `ridscope-<uas_id>` | `a-u-A-M-H-Q` (rotary UAV; `a-u-A-M-F-Q` fixed wing, `a-u-A` other) |
//! | the pilot / operator | `ridscope-<uas_id>-pilot` | `a-u-G` |
//! | the home / take-off point | `ridscope-<uas_id>-home` | `b-m-p-s-m` (spot marker) |
//!
//! Each event carries `time`/`start` (the computer's clock), `stale`
//! (`time` + `--cot-stale`, default 30 s), `how="m-g"` (machine, GPS: the
//! drone's own report), a `point` (`hae` the geodetic altitude, `ce` the
//! horizontal accuracy, 9999999 when unknown), and in `detail` a `contact`
//! callsign, the drone's `track` (course, speed) and `remarks` with serial,
//! model, operator ID, self-ID, transports and RSSI. A lost track sends its
//! markers once more with `stale` = now, which removes them from the map.
//! Updates go out at most once per `--cot-interval` (default 1 s of sample
//! time) per aircraft, and at once when a marker first becomes known.
//!
//! Transports: `udp://239.2.3.1:6969` (the SA multicast group ATAK listens
//! to) or any `udp://host:port`, one event per datagram; `tcp://host:8087`
//! (a TAK server's plain streaming port), events back to back, reconnecting
//! at most every 5 s when the connection drops. Network errors never stop
//! the decode: they are counted and reported at the end.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use super::Sink;
use crate::decode::Record;
use crate::frame::Frame;
use crate::track::{TrackEvent, TrackSummary, Tracker, TrackerConfig};

/// Where CoT goes.
#[derive(Debug, Clone, PartialEq)]
pub enum CotTarget {
    Udp(String),
    Tcp(String),
}

impl CotTarget {
    /// Parses `udp://host:port` or `tcp://host:port`.
    pub fn parse(url: &str) -> Result<CotTarget, String> {
        let bad = || format!("--cot {url:?}: expected udp://host:port or tcp://host:port (e.g. udp://239.2.3.1:6969)");
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(bad());
        }
        match scheme {
            "udp" => Ok(CotTarget::Udp(rest.to_string())),
            "tcp" => Ok(CotTarget::Tcp(rest.to_string())),
            _ => Err(bad()),
        }
    }
}

/// Settings of the CoT output.
#[derive(Debug, Clone, PartialEq)]
pub struct CotConfig {
    pub target: CotTarget,
    /// Seconds after `time` at which a marker goes stale.
    pub stale_s: f64,
    /// Least sample time between two updates of one aircraft.
    pub interval_s: f64,
}

enum Conn {
    Udp(UdpSocket, std::net::SocketAddr),
    Tcp { addr: String, stream: Option<TcpStream>, last_try: Option<Instant> },
}

/// What was sent for one aircraft.
#[derive(Default)]
struct Sent {
    at_s: f64,
    /// Markers known at the last send: drone, pilot, home.
    known: [bool; 3],
}

pub struct CotSink {
    cfg: CotConfig,
    conn: Conn,
    tracker: Tracker,
    events: Vec<TrackEvent>,
    sent: HashMap<u64, Sent>,
    /// Events sent and send errors.
    pub events_sent: u64,
    pub errors: u64,
    last_error: Option<String>,
}

impl CotSink {
    /// Opens the socket (UDP) or connects (TCP; a server that is not up yet
    /// is retried later).
    pub fn new(cfg: CotConfig) -> io::Result<CotSink> {
        let conn = match &cfg.target {
            CotTarget::Udp(a) => {
                let addr = a
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{a}: no address")))?;
                let bind = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
                let s = UdpSocket::bind(bind)?;
                if let std::net::IpAddr::V4(v4) = addr.ip()
                    && v4.is_multicast()
                {
                    // routed a few hops, as ATAK's own SA traffic
                    s.set_multicast_ttl_v4(8)?;
                }
                Conn::Udp(s, addr)
            }
            CotTarget::Tcp(a) => Conn::Tcp { addr: a.clone(), stream: None, last_try: None },
        };
        Ok(CotSink {
            cfg,
            conn,
            tracker: Tracker::new(TrackerConfig::default()),
            events: Vec::new(),
            sent: HashMap::new(),
            events_sent: 0,
            errors: 0,
            last_error: None,
        })
    }

    fn send(&mut self, xml: &str) {
        let r = match &mut self.conn {
            Conn::Udp(s, addr) => s.send_to(xml.as_bytes(), *addr).map(|_| ()),
            Conn::Tcp { addr, stream, last_try } => {
                if stream.is_none() && last_try.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                    *last_try = Some(Instant::now());
                    *stream = addr
                        .to_socket_addrs()
                        .ok()
                        .and_then(|mut a| a.next())
                        .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).ok());
                }
                match stream {
                    Some(s) => {
                        let r = s.write_all(xml.as_bytes());
                        if r.is_err() {
                            *stream = None;
                        }
                        r
                    }
                    None => Err(io::Error::new(io::ErrorKind::NotConnected, format!("{addr}: not connected"))),
                }
            }
        };
        match r {
            Ok(()) => self.events_sent += 1,
            Err(e) => {
                self.errors += 1;
                self.last_error = Some(e.to_string());
            }
        }
    }

    fn handle(&mut self, ev: &TrackEvent) {
        let s = ev.summary();
        let lost = matches!(ev, TrackEvent::TrackLost(_));
        let known = [s.lat_deg.is_some(), s.operator_lat_deg.is_some(), s.home_lat_deg.is_some()];
        let prev = self.sent.get(&s.track_id);
        let grew = prev.is_none_or(|p| known.iter().zip(p.known).any(|(k, was)| *k && !was));
        let due = prev.is_none_or(|p| s.time_s - p.at_s >= self.cfg.interval_s);
        if !lost && !grew && !due {
            return;
        }
        let now = crate::util::time::now_unix_ns().unwrap_or(0);
        let stale = if lost { now } else { now + (self.cfg.stale_s * 1e9) as i128 };
        for xml in events(s, now, stale) {
            self.send(&xml);
        }
        if lost {
            self.sent.remove(&s.track_id);
        } else {
            self.sent.insert(s.track_id, Sent { at_s: s.time_s, known });
        }
    }
}

impl Sink for CotSink {
    fn frame(&mut self, _f: &Frame) -> io::Result<()> {
        Ok(())
    }

    fn record(&mut self, r: &Record) -> io::Result<()> {
        let mut events = std::mem::take(&mut self.events);
        self.tracker.push_record(r, &mut events);
        for ev in events.drain(..) {
            self.handle(&ev);
        }
        self.events = events;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Conn::Tcp { stream: Some(s), .. } = &mut self.conn {
            let _ = s.flush();
        }
        if self.errors > 0 {
            eprintln!(
                "ridscope: CoT: {} of {} events not sent ({})",
                self.errors,
                self.errors + self.events_sent,
                self.last_error.as_deref().unwrap_or("")
            );
            self.errors = 0;
        }
        Ok(())
    }
}

/// Escapes text for an XML attribute or element, dropping control characters.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// A uid-safe form of an identifier: letters, digits, `-`, `_`, `.`.
fn uid_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

const UNKNOWN: f64 = 9_999_999.0;

fn num(v: Option<f64>, digits: usize) -> String {
    match v.filter(|x| x.is_finite()) {
        Some(x) => format!("{x:.digits$}"),
        None => format!("{UNKNOWN:.1}"),
    }
}

/// The drone type from the ODID UA type (or DJI: rotary).
fn drone_type(s: &TrackSummary) -> &'static str {
    match s.ua_type.as_deref() {
        Some("aeroplane") | Some("hybrid_lift") => "a-u-A-M-F-Q",
        Some("helicopter_or_multirotor") | None => "a-u-A-M-H-Q",
        Some(_) => "a-u-A",
    }
}

fn remarks(s: &TrackSummary) -> String {
    let mut r = format!("{} {}", s.key.kind.as_str(), s.key.id);
    if let Some(m) = &s.model {
        r += &format!("; model {m}");
    }
    if let Some(o) = &s.operator_id {
        r += &format!("; operator ID {o}");
    }
    if let Some(t) = &s.self_id {
        r += &format!("; self-ID \"{t}\"");
    }
    let via: Vec<&str> = s.transports.iter().map(|t| t.as_str()).collect();
    r += &format!("; via {}", via.join(", "));
    if let Some(x) = s.rssi_dbm {
        r += &format!("; RSSI {x:.0} dBm");
    } else if let Some(x) = s.rssi_dbfs {
        r += &format!("; RSSI {x:.0} dBFS");
    }
    r + "; ridscope"
}

/// The CoT events of one aircraft: drone, pilot and home, those known.
pub fn events(s: &TrackSummary, now_ns: i128, stale_ns: i128) -> Vec<String> {
    let t = crate::util::time::rfc3339_ns(now_ns);
    let stale = crate::util::time::rfc3339_ns(stale_ns);
    let id = uid_part(&s.key.id);
    let name = xml_escape(&s.key.id);
    let rem = xml_escape(&remarks(s));
    let event = |uid: String, ty: &str, lat: f64, lon: f64, hae: Option<f64>, ce: Option<f64>, detail: String| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <event version=\"2.0\" uid=\"{uid}\" type=\"{ty}\" how=\"m-g\" time=\"{t}\" start=\"{t}\" stale=\"{stale}\">\
             <point lat=\"{lat:.7}\" lon=\"{lon:.7}\" hae=\"{}\" ce=\"{}\" le=\"{UNKNOWN:.1}\"/>\
             <detail>{detail}</detail></event>",
            num(hae, 1),
            num(ce, 1),
        )
    };
    let mut out = Vec::new();
    if let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) {
        let track = match (s.direction_deg, s.speed_h_mps) {
            (Some(c), Some(v)) if c.is_finite() && v.is_finite() => {
                format!("<track course=\"{c:.1}\" speed=\"{v:.2}\"/>")
            }
            _ => String::new(),
        };
        let detail = format!("<contact callsign=\"{name}\"/>{track}<remarks>{rem}</remarks>");
        out.push(event(format!("ridscope-{id}"), drone_type(s), lat, lon, s.alt_geo_m, s.h_accuracy_m, detail));
    }
    if let (Some(lat), Some(lon)) = (s.operator_lat_deg, s.operator_lon_deg) {
        let detail = format!("<contact callsign=\"{name} pilot\"/><remarks>pilot of {rem}</remarks>");
        out.push(event(format!("ridscope-{id}-pilot"), "a-u-G", lat, lon, s.operator_alt_geo_m, None, detail));
    }
    if let (Some(lat), Some(lon)) = (s.home_lat_deg, s.home_lon_deg) {
        let detail = format!("<contact callsign=\"{name} home\"/><remarks>home point of {rem}</remarks>");
        out.push(event(format!("ridscope-{id}-home"), "b-m-p-s-m", lat, lon, None, None, detail));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_escaping() {
        assert_eq!(CotTarget::parse("udp://239.2.3.1:6969"), Ok(CotTarget::Udp("239.2.3.1:6969".into())));
        assert_eq!(CotTarget::parse("tcp://tak.local:8087"), Ok(CotTarget::Tcp("tak.local:8087".into())));
        for bad in ["239.2.3.1:6969", "udp://host", "udp://:1", "http://x:1", "udp://x:0", "udp://x:70000"] {
            assert!(CotTarget::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(xml_escape("a<b>&\"c'\u{7}d"), "a&lt;b&gt;&amp;&quot;c&apos;d");
        assert_eq!(uid_part("1748 AB/<x>"), "1748_AB__x_");
        assert_eq!(num(None, 1), "9999999.0");
        assert_eq!(num(Some(f64::NAN), 1), "9999999.0");
        assert_eq!(num(Some(12.345), 1), "12.3");
        use crate::track::IdKind;
        for k in [
            IdKind::Serial,
            IdKind::SessionId,
            IdKind::UtmUuid,
            IdKind::CaaRegistration,
            IdKind::FrenchId,
            IdKind::Other,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
