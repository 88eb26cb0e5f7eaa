//! Authentication (message type 2): signature pages, and their reassembly.

use serde::Serialize;

use super::MESSAGE_SIZE;
use crate::error::{DecodeError, EncodeError};
use crate::util::{hex, time};

crate::wire_view! {
    /// Byte layout of an Authentication page. Only page 0 has the
    /// last-page index, length and timestamp fields.
    pub struct AuthView, min_len = MESSAGE_SIZE;
    /// Auth type (7..4), page number (3..0).
    type_page / set_type_page: u8 @ 1;
    /// v1+: index of the last page; v0: number of pages.
    page0_last_page / set_page0_last_page: u8 @ 2;
    page0_length / set_page0_length: u8 @ 3;
    page0_timestamp / set_page0_timestamp: u32le @ 4;
    page0_data / set_page0_data: bytes[17] @ 8;
    page_n_data / set_page_n_data: bytes[23] @ 2;
}

/// Data bytes on page 0 and on each further page.
pub const PAGE0_DATA: usize = 17;
pub const PAGE_N_DATA: usize = 23;
/// Pages per signature: 16 from v1 on, 5 in F3411-19 (v0).
pub const MAX_PAGES: u8 = 16;
pub const MAX_PAGES_V0: u8 = 5;

crate::enum_with_unknown! {
    /// What the signature authenticates.
    pub enum AuthType(u8) {
        None = 0 => "none",
        UasIdSignature = 1 => "uas_id_signature",
        OperatorIdSignature = 2 => "operator_id_signature",
        MessageSetSignature = 3 => "message_set_signature",
        NetworkRemoteId = 4 => "network_remote_id",
        SpecificAuthentication = 5 => "specific_authentication",
    }
}

/// Page 0's header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFirstPage {
    /// Index of the last page (0..15). Version 0 sends the page count
    /// instead; it is converted on decode and encode.
    pub last_page_index: u8,
    /// Total signature bytes over all pages.
    pub length: u8,
    /// Seconds since 2019-01-01T00:00:00Z; 0 = not given.
    pub timestamp: u32,
}

/// One Authentication page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPage {
    pub auth_type: AuthType,
    pub page: u8,
    /// Present on page 0 only.
    pub first: Option<AuthFirstPage>,
    /// 17 bytes on page 0, 23 on the others.
    pub data: Vec<u8>,
}

impl AuthPage {
    pub fn parse(m: &[u8; MESSAGE_SIZE], version: u8) -> Result<Self, DecodeError> {
        let v = AuthView::new_unchecked(&m[..]);
        let tp = v.type_page();
        let (auth_type, page) = (AuthType::from(tp >> 4), tp & 0x0F);
        if page == 0 {
            let raw = v.page0_last_page();
            let last_page_index = if version == 0 { raw.saturating_sub(1) } else { raw };
            let max = if version == 0 { MAX_PAGES_V0 } else { MAX_PAGES };
            if last_page_index >= max {
                return Err(DecodeError::sanity("auth page 0", format!("last page index {last_page_index} ≥ {max}")));
            }
            let first = AuthFirstPage { last_page_index, length: v.page0_length(), timestamp: v.page0_timestamp() };
            Ok(AuthPage { auth_type, page, first: Some(first), data: v.page0_data().to_vec() })
        } else {
            Ok(AuthPage { auth_type, page, first: None, data: v.page_n_data().to_vec() })
        }
    }

    pub fn emit(&self, m: &mut [u8; MESSAGE_SIZE], version: u8) -> Result<(), EncodeError> {
        let t = self.auth_type.value();
        if t > 15 {
            return Err(EncodeError::new("auth_type", "does not fit 4 bits"));
        }
        if self.page >= MAX_PAGES {
            return Err(EncodeError::new("page", format!("{} ≥ 16", self.page)));
        }
        let mut v = AuthView::new_unchecked(&mut m[..]);
        v.set_type_page(t << 4 | self.page);
        if self.page == 0 {
            let Some(f) = &self.first else {
                return Err(EncodeError::new("auth page 0", "page 0 needs its last-page index, length and timestamp"));
            };
            if f.last_page_index >= MAX_PAGES {
                return Err(EncodeError::new("last_page_index", format!("{} ≥ 16", f.last_page_index)));
            }
            let capacity = PAGE0_DATA + PAGE_N_DATA * f.last_page_index as usize;
            if f.length as usize > capacity {
                return Err(EncodeError::new(
                    "length",
                    format!("{} bytes do not fit {} page(s) ({capacity} bytes)", f.length, f.last_page_index + 1),
                ));
            }
            if self.data.len() > PAGE0_DATA {
                return Err(EncodeError::new("data", format!("{} bytes > 17 on page 0", self.data.len())));
            }
            v.set_page0_last_page(if version == 0 { f.last_page_index + 1 } else { f.last_page_index });
            v.set_page0_length(f.length);
            v.set_page0_timestamp(f.timestamp);
            let mut d = [0u8; PAGE0_DATA];
            d[..self.data.len()].copy_from_slice(&self.data);
            v.set_page0_data(&d);
        } else {
            if self.data.len() > PAGE_N_DATA {
                return Err(EncodeError::new("data", format!("{} bytes > 23 on page {}", self.data.len(), self.page)));
            }
            let mut d = [0u8; PAGE_N_DATA];
            d[..self.data.len()].copy_from_slice(&self.data);
            v.set_page_n_data(&d);
        }
        Ok(())
    }
}

fn timestamp_utc(ts: u32) -> Option<String> {
    (ts != 0).then(|| time::rfc3339_s(time::ODID_EPOCH_UNIX_S + ts as i64))
}

impl Serialize for AuthPage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J {
            auth_type: AuthType,
            page: u8,
            last_page_index: Option<u8>,
            length_bytes: Option<u8>,
            timestamp_utc: Option<String>,
            data_hex: String,
        }
        J {
            auth_type: self.auth_type,
            page: self.page,
            last_page_index: self.first.as_ref().map(|f| f.last_page_index),
            length_bytes: self.first.as_ref().map(|f| f.length),
            timestamp_utc: self.first.as_ref().and_then(|f| timestamp_utc(f.timestamp)),
            data_hex: hex::encode(&self.data),
        }
        .serialize(s)
    }
}

/// A complete authentication signature, put back together from its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSignature {
    pub auth_type: AuthType,
    pub pages: u8,
    pub timestamp: u32,
    /// The `length` signature bytes.
    pub data: Vec<u8>,
    /// Extra bytes after the signature (e.g. forward error correction),
    /// when the byte after the data announces them.
    pub extra: Vec<u8>,
}

impl AuthSignature {
    /// Splits a signature into pages (the encoder side of reassembly).
    pub fn to_pages(&self) -> Result<Vec<AuthPage>, EncodeError> {
        let mut all = self.data.clone();
        if !self.extra.is_empty() {
            all.push(self.extra.len() as u8);
            all.extend_from_slice(&self.extra);
        }
        let length = u8::try_from(self.data.len())
            .map_err(|_| EncodeError::new("data", format!("{} bytes > 255", self.data.len())))?;
        let pages = if all.len() <= PAGE0_DATA { 1 } else { 1 + (all.len() - PAGE0_DATA).div_ceil(PAGE_N_DATA) };
        if pages > MAX_PAGES as usize {
            return Err(EncodeError::new("data", format!("{} bytes need {pages} pages > 16", all.len())));
        }
        let mut out = Vec::with_capacity(pages);
        for p in 0..pages {
            let (lo, hi) = if p == 0 {
                (0, PAGE0_DATA)
            } else {
                (PAGE0_DATA + (p - 1) * PAGE_N_DATA, PAGE0_DATA + p * PAGE_N_DATA)
            };
            let data = all.get(lo..hi.min(all.len())).unwrap_or(&[]).to_vec();
            out.push(AuthPage {
                auth_type: self.auth_type,
                page: p as u8,
                first: (p == 0).then(|| AuthFirstPage {
                    last_page_index: (pages - 1) as u8,
                    length,
                    timestamp: self.timestamp,
                }),
                data,
            });
        }
        Ok(out)
    }

    /// Reassembles a complete set of pages 0..=last (any order, duplicates
    /// allowed if identical). Fails if pages are missing or inconsistent.
    pub fn from_pages<'a>(pages: impl IntoIterator<Item = &'a AuthPage>) -> Result<Self, DecodeError> {
        let mut slots: [Option<&AuthPage>; MAX_PAGES as usize] = [None; MAX_PAGES as usize];
        for p in pages {
            let slot = slots
                .get_mut(p.page as usize)
                .ok_or_else(|| DecodeError::sanity("auth signature", format!("page {} ≥ 16", p.page)))?;
            if let Some(old) = slot
                && old != &p
            {
                return Err(DecodeError::sanity("auth signature", format!("two different copies of page {}", p.page)));
            }
            *slot = Some(p);
        }
        let first_page = slots[0].ok_or_else(|| DecodeError::sanity("auth signature", "page 0 missing"))?;
        let Some(first) = &first_page.first else {
            return Err(DecodeError::sanity("auth signature", "page 0 without its header"));
        };
        let last = first.last_page_index as usize;
        let mut all = Vec::with_capacity(PAGE0_DATA + PAGE_N_DATA * last);
        for (i, slot) in slots.iter().enumerate().take(last + 1) {
            let p = slot.ok_or_else(|| DecodeError::sanity("auth signature", format!("page {i} missing")))?;
            if p.auth_type != first_page.auth_type {
                return Err(DecodeError::sanity("auth signature", format!("page {i} has another auth type")));
            }
            all.extend_from_slice(&p.data);
        }
        let len = first.length as usize;
        if len > all.len() {
            return Err(DecodeError::sanity(
                "auth signature",
                format!("length {len} exceeds the {} bytes of {} page(s)", all.len(), last + 1),
            ));
        }
        let extra = match all.get(len) {
            Some(&n) if n != 0 => all.get(len + 1..len + 1 + n as usize).unwrap_or(&all[len + 1..]).to_vec(),
            _ => Vec::new(),
        };
        Ok(AuthSignature {
            auth_type: first_page.auth_type,
            pages: (last + 1) as u8,
            timestamp: first.timestamp,
            data: all[..len].to_vec(),
            extra,
        })
    }
}

impl Serialize for AuthSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J {
            auth_type: AuthType,
            pages: u8,
            length_bytes: usize,
            timestamp_utc: Option<String>,
            data_hex: String,
            extra_hex: Option<String>,
        }
        J {
            auth_type: self.auth_type,
            pages: self.pages,
            length_bytes: self.data.len(),
            timestamp_utc: timestamp_utc(self.timestamp),
            data_hex: hex::encode(&self.data),
            extra_hex: (!self.extra.is_empty()).then(|| hex::encode(&self.extra)),
        }
        .serialize(s)
    }
}

/// Collects authentication pages per sender until a signature is complete.
///
/// BT4 sends each page as its own advert, so pages of one signature arrive
/// over time; packs may carry all of them at once. Pages older than
/// `max_age_s` (capture time) are dropped, so memory stays bounded.
#[derive(Debug)]
pub struct AuthReassembler<K> {
    pending: std::collections::HashMap<(K, u8), Pending>,
    max_age_s: f64,
    max_senders: usize,
}

#[derive(Debug)]
struct Pending {
    first_seen_s: f64,
    pages: Vec<AuthPage>,
}

impl<K: std::hash::Hash + Eq + Clone> AuthReassembler<K> {
    /// Most (sender, auth type) pairs waiting for pages at once.
    pub const MAX_SENDERS: usize = 4096;

    pub fn new(max_age_s: f64) -> Self {
        AuthReassembler { pending: std::collections::HashMap::new(), max_age_s, max_senders: Self::MAX_SENDERS }
    }

    /// Number of (sender, auth type) pairs with pages waiting.
    pub fn pending_senders(&self) -> usize {
        self.pending.len()
    }

    /// Adds a page from `sender` received at `time_s`; returns the signature
    /// when this page completes one.
    ///
    /// Pages of two different signatures are never mixed: a page 0 that is
    /// not identical to the pending one (another timestamp, length or page
    /// count, or none pending) starts afresh and drops every page collected
    /// so far. Transmitters send page 0 first; a signature whose pages
    /// arrive out of order completes on its next repetition.
    pub fn push(&mut self, sender: K, time_s: f64, page: &AuthPage) -> Option<AuthSignature> {
        let age = self.max_age_s;
        self.pending.retain(|_, p| time_s - p.first_seen_s <= age);
        let key = (sender, page.auth_type.value());
        if !self.pending.contains_key(&key) && self.pending.len() >= self.max_senders {
            // full: make room by forgetting the sender waiting longest
            let oldest = self
                .pending
                .iter()
                .min_by(|a, b| a.1.first_seen_s.total_cmp(&b.1.first_seen_s))
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.pending.remove(&k);
            }
        }
        let entry =
            self.pending.entry(key.clone()).or_insert_with(|| Pending { first_seen_s: time_s, pages: Vec::new() });
        if page.page == 0 {
            let same = entry.pages.iter().find(|p| p.page == 0).is_some_and(|old| old.first == page.first);
            if !same {
                // Pages that came before this page 0 may belong to an older
                // signature whose page 0 was lost: never glue them on.
                entry.pages.clear();
                entry.first_seen_s = time_s;
            }
        }
        entry.pages.retain(|p| p.page != page.page);
        entry.pages.push(page.clone());
        let sig = AuthSignature::from_pages(&entry.pages).ok()?;
        self.pending.remove(&key);
        Some(sig)
    }
}
