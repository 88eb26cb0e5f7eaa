//! Which messages belong to which aircraft.
//!
//! Offline, with the whole input at hand, so better than a live tracker can:
//!
//! * every identifier a message carries (ODID Basic ID of any ID type, the
//!   French beacon's serial and French ID, the DJI serial) is a key; keys in
//!   one message are one aircraft, and so are keys *of different kinds* sent
//!   by one address within [`ALIAS_WINDOW_S`] (a serial and a CAA
//!   registration: two Basic IDs of one aircraft). Two keys of the same kind
//!   from one address are two identities and stay apart (the
//!   `addr_ids` authenticity check reports them);
//! * a message without an identifier (an ODID Location in its own BLE 4
//!   advert) belongs to the identity its address sent nearest in time,
//!   before or after, within [`ADDR_WINDOW_S`]; one from an address that
//!   never sent an identifier is an aircraft of its own, `addr:<address>`.

use std::collections::{BTreeMap, BTreeSet};

use super::input::Rec;

/// Keys of different kinds from one address this close in time are one aircraft.
pub const ALIAS_WINDOW_S: f64 = 10.0;
/// An identifier-less message is attributed to its address's identity this close in time.
pub const ADDR_WINDOW_S: f64 = 60.0;

/// An identifier: (kind, value).
pub type Key = (String, String);

/// The identifiers a record carries.
pub fn keys(r: &Rec) -> Vec<Key> {
    let mut out = Vec::new();
    let mut push = |kind: &str, v: Option<&str>| {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            out.push((kind.to_string(), v.to_string()));
        }
    };
    match r.msg_type.as_str() {
        "basic_id" => {
            let kind = match r.s("id_type") {
                Some("serial_number") => "serial",
                Some("caa_registration") => "caa_registration",
                Some("utm_uuid") => "utm_uuid",
                Some("specific_session") => "session_id",
                _ => "uas_id",
            };
            push(kind, r.s("uas_id"));
        }
        "fr_id" => {
            push("serial", r.s("uas_id"));
            push("french_id", r.s("french_id"));
        }
        m if m.starts_with("dji_") => push("serial", r.s("serial")),
        _ => {}
    }
    out
}

/// Preference of kinds for an aircraft's primary identifier.
fn rank(kind: &str) -> usize {
    ["serial", "caa_registration", "utm_uuid", "french_id", "uas_id", "session_id"]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(9)
}

/// The grouping: one entry per aircraft.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    /// Per aircraft: its primary key, all its keys, and its records (indices).
    pub aircraft: Vec<Group>,
    /// Per address: the keys it sent.
    pub addr_keys: BTreeMap<String, BTreeSet<Key>>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub primary: Key,
    pub keys: Vec<Key>,
    pub recs: Vec<usize>,
}

/// Union-find over `0..n` (path halving; the smaller index is the root).
pub(crate) struct Dsu(Vec<usize>);

impl Dsu {
    pub(crate) fn new(n: usize) -> Dsu {
        Dsu((0..n).collect())
    }
    pub(crate) fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[b.max(a)] = a.min(b);
        }
    }
}

/// Groups `recs` (sorted by time) into aircraft.
pub fn group(recs: &[Rec]) -> Grouping {
    let mut ids: BTreeMap<Key, usize> = BTreeMap::new();
    let mut rec_keys: Vec<Vec<usize>> = Vec::with_capacity(recs.len());
    let mut key_count: Vec<u64> = Vec::new();
    for r in recs {
        let ks: Vec<usize> = keys(r)
            .into_iter()
            .map(|k| {
                let n = ids.len();
                let i = *ids.entry(k).or_insert(n);
                if i == key_count.len() {
                    key_count.push(0);
                }
                key_count[i] += 1;
                i
            })
            .collect();
        rec_keys.push(ks);
    }
    let key_of: Vec<Key> = {
        let mut v = vec![(String::new(), String::new()); ids.len()];
        for (k, &i) in &ids {
            v[i] = k.clone();
        }
        v
    };
    let mut dsu = Dsu::new(ids.len());
    // keys in one message
    for ks in &rec_keys {
        for w in ks.windows(2) {
            dsu.union(w[0], w[1]);
        }
    }
    // keys of different kinds from one address, close in time
    let mut addr_keys: BTreeMap<String, BTreeSet<Key>> = BTreeMap::new();
    let mut recent: BTreeMap<&str, Vec<(f64, usize)>> = BTreeMap::new();
    for (r, ks) in recs.iter().zip(&rec_keys) {
        let Some(a) = r.src_addr.as_deref() else { continue };
        for &k in ks {
            addr_keys.entry(a.to_string()).or_default().insert(key_of[k].clone());
            let list = recent.entry(a).or_default();
            list.retain(|&(t, _)| r.t - t <= ALIAS_WINDOW_S);
            for &(_, other) in list.iter() {
                if key_of[other].0 != key_of[k].0 {
                    dsu.union(other, k);
                }
            }
            list.retain(|&(_, o)| o != k);
            list.push((r.t, k));
            // an address cycling through thousands of identifiers (a
            // spoofer) must not make this quadratic
            if list.len() > 64 {
                list.remove(0);
            }
        }
    }
    // per address, the times it sent each key (for identifier-less messages)
    let mut addr_times: BTreeMap<&str, Vec<(f64, usize)>> = BTreeMap::new();
    for (r, ks) in recs.iter().zip(&rec_keys) {
        if let (Some(a), Some(&k)) = (r.src_addr.as_deref(), ks.first()) {
            addr_times.entry(a).or_default().push((r.t, k));
        }
    }
    let mut roots: BTreeMap<usize, usize> = BTreeMap::new(); // dsu root -> aircraft index
    let mut anon: BTreeMap<String, usize> = BTreeMap::new(); // address / protocol -> aircraft index
    let mut out: Vec<Group> = Vec::new();
    for (i, (r, ks)) in recs.iter().zip(&rec_keys).enumerate() {
        let key = match ks.first() {
            Some(&k) => Some(k),
            None => r.src_addr.as_deref().and_then(|a| nearest(addr_times.get(a)?, r.t)),
        };
        let idx = match key {
            Some(k) => {
                let root = dsu.find(k);
                *roots.entry(root).or_insert_with(|| {
                    out.push(Group { primary: key_of[root].clone(), keys: Vec::new(), recs: Vec::new() });
                    out.len() - 1
                })
            }
            None => {
                let name = match &r.src_addr {
                    Some(a) => ("address".to_string(), format!("addr:{a}")),
                    None => ("address".to_string(), format!("unidentified:{}", r.protocol)),
                };
                *anon.entry(name.1.clone()).or_insert_with(|| {
                    out.push(Group { primary: name.clone(), keys: vec![name], recs: Vec::new() });
                    out.len() - 1
                })
            }
        };
        out[idx].recs.push(i);
    }
    // keys and primary key of each aircraft
    for (k, key) in key_of.iter().enumerate() {
        let root = dsu.find(k);
        if let Some(&idx) = roots.get(&root) {
            out[idx].keys.push(key.clone());
        }
    }
    for g in &mut out {
        if g.primary.0 == "address" {
            continue;
        }
        g.keys
            .sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(key_count[ids[b]].cmp(&key_count[ids[a]])).then(a.cmp(b)));
        if let Some(p) = g.keys.first() {
            g.primary = p.clone();
        }
    }
    Grouping { aircraft: out, addr_keys }
}

/// The key sent nearest `t` (within [`ADDR_WINDOW_S`]) in a time-sorted list.
fn nearest(list: &[(f64, usize)], t: f64) -> Option<usize> {
    let i = list.partition_point(|&(tt, _)| tt < t);
    let before = i.checked_sub(1).and_then(|j| list.get(j));
    let after = list.get(i);
    let best = match (before, after) {
        (Some(b), Some(a)) => {
            if t - b.0 <= a.0 - t {
                b
            } else {
                a
            }
        }
        (Some(b), None) => b,
        (None, Some(a)) => a,
        (None, None) => return None,
    };
    ((best.0 - t).abs() <= ADDR_WINDOW_S).then_some(best.1)
}
