//! Scoring a receiver against a synthesizer's truth.
//!
//! A decoded message matches a truth line when channel, sender address,
//! message type and counter agree, the times agree within a millisecond,
//! and every message field of the truth has the same value in the decode.
//! Packets that overlapped another on the same channel (`collided`) are not
//! expected, but count as found if decoded.

use std::collections::HashMap;

use serde_json::Value;

/// Truth fields that describe the transmission rather than the message.
const ENVELOPE: &[&str] =
    &["t_s", "time_utc", "drone", "phy", "transport", "uas_id", "collided", "channel", "src_addr", "counter"];

/// The outcome of a comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Truth messages a receiver should find (not collided).
    pub expected: usize,
    /// Of those, found with identical content.
    pub found: usize,
    /// Collided truth messages that were decoded anyway.
    pub found_collided: usize,
    /// Decoded messages that match no truth message (wrong content included).
    pub false_decodes: usize,
    /// The first few problems, for humans.
    pub examples: Vec<String>,
}

impl Score {
    /// Fraction of expected messages found.
    pub fn found_fraction(&self) -> f64 {
        if self.expected == 0 { 1.0 } else { self.found as f64 / self.expected as f64 }
    }
}

/// (channel, sender address, message type, counter)
type Key = (u64, String, String, u64);

fn key(v: &Value) -> Option<Key> {
    Some((
        v.get("channel")?.as_u64()?,
        v.get("src_addr")?.as_str()?.to_string(),
        v.get("msg_type")?.as_str()?.to_string(),
        v.get("counter")?.as_u64()?,
    ))
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// Scores decoded records (JSON Lines values) against truth lines.
pub fn score(truth: &[Value], decoded: &[Value]) -> Score {
    let mut s = Score::default();
    let mut index: HashMap<Key, Vec<(usize, f64)>> = HashMap::new();
    let mut used = vec![false; truth.len()];
    for (i, t) in truth.iter().enumerate() {
        if let (Some(k), Some(ts)) = (key(t), t.get("t_s").and_then(Value::as_f64)) {
            index.entry(k).or_default().push((i, ts));
        }
        if t.get("collided") != Some(&Value::Bool(true)) {
            s.expected += 1;
        }
    }
    for d in decoded {
        if d.get("msg_type").and_then(Value::as_str) == Some("decode_error") {
            continue;
        }
        let (Some(k), Some(td)) = (key(d), d.get("time_s").and_then(Value::as_f64)) else {
            s.false_decodes += 1;
            continue;
        };
        let hit =
            index.get(&k).and_then(|c| c.iter().find(|&&(i, ts)| !used[i] && (ts - td).abs() < 1e-3)).map(|&(i, _)| i);
        let Some(i) = hit else {
            s.false_decodes += 1;
            if s.examples.len() < 5 {
                s.examples.push(format!("no truth for {k:?} at {td}"));
            }
            continue;
        };
        let t = &truth[i];
        let mismatch = t
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, _)| !ENVELOPE.contains(&name.as_str()))
            .find(|(name, v)| !d.get(name.as_str()).is_some_and(|dv| same(dv, v)));
        if let Some((name, v)) = mismatch {
            s.false_decodes += 1;
            if s.examples.len() < 5 {
                s.examples.push(format!("{k:?} at {td}: {name} is {:?}, truth {v}", d.get(name.as_str())));
            }
            continue;
        }
        used[i] = true;
        if t.get("collided") == Some(&Value::Bool(true)) {
            s.found_collided += 1;
        } else {
            s.found += 1;
        }
    }
    s
}

/// Parses JSON Lines, skipping blank lines; fails on the first bad line.
pub fn parse_jsonl(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matching_rules() {
        let t = |ts: f64, c: u64, lat: f64, collided: bool| {
            json!({"t_s": ts, "channel": 37, "src_addr": "aa:bb:cc:dd:ee:ff", "counter": c, "msg_type": "location",
                   "lat_deg": lat, "drone": 0, "collided": collided})
        };
        let d = |ts: f64, c: u64, lat: f64| {
            json!({"time_s": ts, "channel": 37, "src_addr": "aa:bb:cc:dd:ee:ff", "counter": c, "msg_type": "location",
                   "lat_deg": lat, "rssi_dbfs": -10.0})
        };
        let truth = vec![t(1.0, 5, 52.1, false), t(2.0, 6, 52.2, false), t(3.0, 7, 52.3, true), t(4.0, 8, 52.4, false)];
        let decoded = vec![d(1.0, 5, 52.1), d(2.0, 6, 52.25), d(3.0, 7, 52.3), d(9.0, 8, 52.4), d(1.0, 5, 52.1)];
        let s = score(&truth, &decoded);
        assert_eq!(s.expected, 3);
        assert_eq!(s.found, 1, "{s:?}");
        assert_eq!(s.found_collided, 1);
        // wrong latitude, wrong time, and a duplicate of a used truth line
        assert_eq!(s.false_decodes, 3, "{s:?}");
        assert!((s.found_fraction() - 1.0 / 3.0).abs() < 1e-12);
    }
}
