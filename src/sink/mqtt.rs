//! `--mqtt mqtt://host:1883/prefix`: decoded messages, per-aircraft track
//! state and zone alerts published to an MQTT broker (docs/DATA_FORMAT.md,
//! "MQTT").
//!
//! | topic | payload | QoS | retained |
//! |---|---|---|---|
//! | `<prefix>/status` | `{"status":"online",...}`; last will `{"status":"offline"}` | 1 | yes |
//! | `<prefix>/messages` | every decoded message, its JSON line | 1 | no |
//! | `<prefix>/drone/<uas_id>` | the aircraft's latest track event (at most 1/s of sample time) | 1 | yes |
//! | `<prefix>/alerts` | zone alerts | 1 | no |
//!
//! With `--mqtt-ha`, a retained Home Assistant discovery config
//! `homeassistant/device_tracker/ridscope_<uas_id>/config` per aircraft.
//!
//! The client (rumqttc, pure Rust) runs on its own thread and reconnects by
//! itself. Publishes wait in a bounded queue while the broker is away; when
//! the queue is full they are dropped and counted. At the end the sink waits
//! up to 10 s for the queue to drain and reports what was not delivered.
//! Network errors never stop the decode.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rumqttc::{Client, Event, LastWill, MqttOptions, Outgoing, Packet, QoS};

use super::Sink;
use crate::decode::Record;
use crate::track::TrackEvent;
use crate::watch::{Watch, WatchEvent};

/// Publishes that may wait for the broker.
pub const QUEUE_CAPACITY: usize = 10_000;
/// The longest wait at the end for the queue to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Where MQTT goes.
#[derive(Debug, Clone, PartialEq)]
pub struct MqttTarget {
    pub host: String,
    pub port: u16,
    /// Topic prefix, without a trailing `/` (default `ridscope`).
    pub prefix: String,
}

impl MqttTarget {
    /// Parses `mqtt://host[:port][/prefix]` (port 1883, prefix `ridscope`
    /// by default).
    pub fn parse(url: &str) -> Result<MqttTarget, String> {
        let bad =
            || format!("--mqtt {url:?}: expected mqtt://host[:port][/prefix] (e.g. mqtt://localhost:1883/ridscope)");
        let rest = url.strip_prefix("mqtt://").ok_or_else(bad)?;
        let (hostport, prefix) = match rest.split_once('/') {
            Some((h, p)) => (h, p.trim_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, p) = v6.split_once(']').ok_or_else(bad)?;
            match p.strip_prefix(':') {
                Some(p) => (h, p.parse::<u16>().map_err(|_| bad())?),
                None if p.is_empty() => (h, 1883),
                None => return Err(bad()),
            }
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
                None => (hostport, 1883),
            }
        };
        if host.is_empty() || port == 0 || prefix.contains(['+', '#', '\0']) {
            return Err(bad());
        }
        let prefix = if prefix.is_empty() { "ridscope".to_string() } else { prefix.to_string() };
        Ok(MqttTarget { host: host.to_string(), port, prefix })
    }
}

/// Settings of the MQTT output.
#[derive(Debug, Clone, PartialEq)]
pub struct MqttConfig {
    pub target: MqttTarget,
    /// Home Assistant discovery configs (`--mqtt-ha`).
    pub home_assistant: bool,
    /// Least sample time between two drone topic updates of one aircraft.
    pub interval_s: f64,
}

/// What the connection thread sees.
#[derive(Default)]
struct Shared {
    /// Publishes acknowledged by the broker.
    acked: AtomicU64,
    connected: AtomicBool,
    stop: AtomicBool,
    last_error: Mutex<Option<String>>,
}

pub struct MqttSink {
    cfg: MqttConfig,
    client: Client,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    watch: Watch,
    events: Vec<WatchEvent>,
    /// Sample time of the last drone topic update, per track.
    sent_at: HashMap<u64, f64>,
    /// Aircraft announced to Home Assistant.
    announced: HashSet<String>,
    /// Publishes queued and publishes dropped (queue full).
    pub queued: u64,
    pub dropped: u64,
    done: bool,
}

fn status_json(online: bool) -> String {
    let now = crate::util::time::now_unix_ns().unwrap_or(0);
    serde_json::json!({
        "status": if online { "online" } else { "offline" },
        "software": "ridscope",
        "version": env!("CARGO_PKG_VERSION"),
        "time": crate::util::time::rfc3339_ns(now),
    })
    .to_string()
}

/// A topic-level-safe form of an identifier (no `/`, `+`, `#`, controls).
pub fn topic_part(s: &str) -> String {
    let t: String = s.chars().map(|c| if "/+#".contains(c) || c.is_control() { '_' } else { c }).collect();
    if t.is_empty() { "_".into() } else { t }
}

/// An object-id-safe form for Home Assistant: letters, digits, `_`, `-`.
fn ha_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

impl MqttSink {
    /// Starts the client thread; the broker need not be up yet.
    pub fn new(cfg: MqttConfig, watch: Watch) -> MqttSink {
        let t = &cfg.target;
        let mut opts = MqttOptions::new(format!("ridscope-{}", std::process::id()), t.host.clone(), t.port);
        opts.set_keep_alive(Duration::from_secs(30));
        opts.set_max_packet_size(1 << 20, 1 << 20);
        opts.set_last_will(LastWill::new(
            format!("{}/status", t.prefix),
            serde_json::json!({"status": "offline"}).to_string(),
            QoS::AtLeastOnce,
            true,
        ));
        let (client, mut connection) = Client::new(opts, QUEUE_CAPACITY);
        let shared = Arc::new(Shared::default());
        let sh = shared.clone();
        let thread = std::thread::Builder::new()
            .name("mqtt".into())
            .spawn(move || {
                for ev in connection.iter() {
                    match ev {
                        Ok(Event::Incoming(Packet::ConnAck(_))) => sh.connected.store(true, Ordering::Relaxed),
                        Ok(Event::Incoming(Packet::PubAck(_))) => {
                            sh.acked.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(Event::Outgoing(Outgoing::Disconnect)) => break,
                        Ok(_) => {}
                        Err(e) => {
                            sh.connected.store(false, Ordering::Relaxed);
                            if let Ok(mut l) = sh.last_error.lock() {
                                *l = Some(e.to_string());
                            }
                            if sh.stop.load(Ordering::Relaxed) {
                                break;
                            }
                            // the next poll reconnects
                            std::thread::sleep(Duration::from_millis(500));
                        }
                    }
                    if sh.stop.load(Ordering::Relaxed) && !sh.connected.load(Ordering::Relaxed) {
                        break;
                    }
                }
            })
            .ok();
        let mut sink = MqttSink {
            cfg,
            client,
            shared,
            thread,
            watch,
            events: Vec::new(),
            sent_at: HashMap::new(),
            announced: HashSet::new(),
            queued: 0,
            dropped: 0,
            done: false,
        };
        let topic = format!("{}/status", sink.cfg.target.prefix);
        sink.publish(topic, true, status_json(true).into_bytes());
        sink
    }

    /// Queues one QoS 1 publish; a full queue drops it.
    fn publish(&mut self, topic: String, retain: bool, payload: Vec<u8>) {
        match self.client.try_publish(topic, QoS::AtLeastOnce, retain, payload) {
            Ok(()) => self.queued += 1,
            Err(_) => self.dropped += 1,
        }
    }

    fn handle_track(&mut self, ev: &TrackEvent) {
        let s = ev.summary();
        let lost = matches!(ev, TrackEvent::TrackLost(_));
        let due = self.sent_at.get(&s.track_id).is_none_or(|t| s.time_s - t >= self.cfg.interval_s);
        if !lost && !due {
            return;
        }
        let Ok(json) = serde_json::to_vec(ev) else { return };
        let id = topic_part(&s.key.id);
        let topic = format!("{}/drone/{id}", self.cfg.target.prefix);
        if self.cfg.home_assistant && !self.announced.contains(&id) {
            self.announced.insert(id.clone());
            let obj = format!("ridscope_{}", ha_part(&s.key.id));
            let config = serde_json::json!({
                "name": s.key.id,
                "unique_id": obj,
                "object_id": obj,
                "json_attributes_topic": topic,
                "json_attributes_template":
                    "{{ {'latitude': value_json.lat_deg, 'longitude': value_json.lon_deg, \
                     'gps_accuracy': value_json.h_accuracy_m | default(0), 'altitude': value_json.alt_geo_m, \
                     'speed': value_json.speed_h_mps, 'event': value_json.event} | tojson }}",
                "source_type": "gps",
                "device": {"identifiers": [obj], "name": format!("Drone {}", s.key.id), "manufacturer": "ridscope"},
            });
            self.publish(format!("homeassistant/device_tracker/{obj}/config"), true, config.to_string().into_bytes());
        }
        self.publish(topic, true, json);
        if lost {
            self.sent_at.remove(&s.track_id);
        } else {
            self.sent_at.insert(s.track_id, s.time_s);
        }
    }

    fn publish_events(&mut self) {
        let mut events = std::mem::take(&mut self.events);
        for e in events.drain(..) {
            match &e {
                WatchEvent::Track(ev) => self.handle_track(ev),
                WatchEvent::Alert(_) => {
                    if let Ok(json) = serde_json::to_vec(&e) {
                        let topic = format!("{}/alerts", self.cfg.target.prefix);
                        self.publish(topic, false, json);
                    }
                }
            }
        }
        self.events = events;
    }
}

impl Sink for MqttSink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        if let Ok(json) = serde_json::to_vec(r) {
            let topic = format!("{}/messages", self.cfg.target.prefix);
            self.publish(topic, false, json);
        }
        let mut events = std::mem::take(&mut self.events);
        self.watch.push(r, &mut events);
        self.events = events;
        self.publish_events();
        Ok(())
    }

    /// The end: closes the tracks, marks the status offline, waits (at
    /// most 10 s) for the broker to acknowledge everything, disconnects.
    fn flush(&mut self) -> io::Result<()> {
        if self.done {
            return Ok(());
        }
        self.done = true;
        let mut events = std::mem::take(&mut self.events);
        self.watch.finish(&mut events);
        self.events = events;
        self.publish_events();
        let topic = format!("{}/status", self.cfg.target.prefix);
        self.publish(topic, true, status_json(false).into_bytes());
        let start = Instant::now();
        while self.shared.acked.load(Ordering::Relaxed) < self.queued && start.elapsed() < DRAIN_TIMEOUT {
            std::thread::sleep(Duration::from_millis(20));
        }
        let acked = self.shared.acked.load(Ordering::Relaxed).min(self.queued);
        self.shared.stop.store(true, Ordering::Relaxed);
        let _ = self.client.try_disconnect();
        if let Some(t) = self.thread.take() {
            // the thread ends at the disconnect or at the next connection error
            let start = Instant::now();
            while !t.is_finished() && start.elapsed() < Duration::from_secs(2) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let lost = self.queued - acked + self.dropped;
        if lost > 0 {
            let err = self.shared.last_error.lock().ok().and_then(|l| l.clone()).unwrap_or_default();
            eprintln!(
                "ridscope: MQTT {}:{}: {lost} of {} messages not delivered ({} dropped with the queue full, {} not acknowledged){}",
                self.cfg.target.host,
                self.cfg.target.port,
                self.queued + self.dropped,
                self.dropped,
                self.queued - acked,
                if err.is_empty() { String::new() } else { format!(": {err}") },
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_topics() {
        let t = |h: &str, p: u16, x: &str| Ok(MqttTarget { host: h.into(), port: p, prefix: x.into() });
        assert_eq!(MqttTarget::parse("mqtt://127.0.0.1:1884/test"), t("127.0.0.1", 1884, "test"));
        assert_eq!(MqttTarget::parse("mqtt://broker"), t("broker", 1883, "ridscope"));
        assert_eq!(MqttTarget::parse("mqtt://broker:1883/"), t("broker", 1883, "ridscope"));
        assert_eq!(MqttTarget::parse("mqtt://b/site/a/"), t("b", 1883, "site/a"));
        assert_eq!(MqttTarget::parse("mqtt://[::1]:1990/x"), t("::1", 1990, "x"));
        for bad in ["broker:1883", "tcp://b:1", "mqtt://", "mqtt://:1", "mqtt://b:0", "mqtt://b:x", "mqtt://b/#"] {
            assert!(MqttTarget::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(topic_part("a/b+c#d\n"), "a_b_c_d_");
        assert_eq!(topic_part(""), "_");
        assert_eq!(ha_part("1581F 5/x"), "1581F_5_x");
    }
}
