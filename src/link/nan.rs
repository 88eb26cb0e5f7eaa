//! Wi-Fi Aware (NAN) attributes: the synchronization beacon's NAN IE and the
//! service discovery frame's Service Descriptor (SDA) and Service
//! Descriptor Extension (SDEA) attributes.

use serde::Serialize;

use crate::error::{DecodeError, EncodeError};

/// NAN attribute IDs ridscope reads.
pub mod attr {
    pub const MASTER_INDICATION: u8 = 0x00;
    pub const CLUSTER: u8 = 0x01;
    pub const SERVICE_ID_LIST: u8 = 0x02;
    pub const SERVICE_DESCRIPTOR: u8 = 0x03;
    pub const SERVICE_DESCRIPTOR_EXT: u8 = 0x0E;
}

/// One NAN attribute: `id u8, length u16le, body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub id: u8,
    pub body: &'a [u8],
}

/// Splits NAN attributes; one running past the end is a length error.
pub fn attributes(data: &[u8]) -> Result<Vec<Attribute<'_>>, DecodeError> {
    match attributes_partial(data) {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

/// Like [`attributes`], but keeps the attributes before a malformed one and
/// returns the fault beside them.
pub fn attributes_partial(mut data: &[u8]) -> (Vec<Attribute<'_>>, Option<DecodeError>) {
    let mut out = Vec::new();
    while !data.is_empty() {
        let [id, l0, l1, rest @ ..] = data else {
            return (out, Some(DecodeError::length("nan attribute", 3, data.len())));
        };
        let len = u16::from_le_bytes([*l0, *l1]) as usize;
        if rest.len() < len {
            return (out, Some(DecodeError::length("nan attribute", len, rest.len())));
        }
        out.push(Attribute { id: *id, body: &rest[..len] });
        data = &rest[len..];
    }
    (out, None)
}

/// Encodes one NAN attribute.
pub fn attribute(id: u8, body: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let len = u16::try_from(body.len()).map_err(|_| EncodeError::new("nan attribute", "body > 65535 bytes"))?;
    let mut v = Vec::with_capacity(3 + body.len());
    v.push(id);
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(body);
    Ok(v)
}

/// Service control bits of the SDA.
pub mod control {
    pub const TYPE_MASK: u8 = 0x03;
    pub const MATCHING_FILTER: u8 = 0x04;
    pub const RESPONSE_FILTER: u8 = 0x08;
    pub const SERVICE_INFO: u8 = 0x10;
    pub const DISCOVERY_RANGE_LIMITED: u8 = 0x20;
    pub const BINDING_BITMAP: u8 = 0x40;
}

/// A Service Descriptor Attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDescriptor<'a> {
    pub service_id: [u8; 6],
    pub instance_id: u8,
    pub requestor_instance_id: u8,
    pub control: u8,
    pub binding_bitmap: Option<u16>,
    pub matching_filter: Option<&'a [u8]>,
    pub response_filter: Option<&'a [u8]>,
    pub service_info: Option<&'a [u8]>,
}

impl<'a> ServiceDescriptor<'a> {
    pub fn parse(b: &'a [u8]) -> Result<Self, DecodeError> {
        let [s0, s1, s2, s3, s4, s5, instance_id, requestor_instance_id, control, rest @ ..] = b else {
            return Err(DecodeError::length("nan service descriptor", 9, b.len()));
        };
        let mut rest: &'a [u8] = rest;
        let mut take = |n: usize| -> Result<&'a [u8], DecodeError> {
            if rest.len() < n {
                return Err(DecodeError::length("nan service descriptor field", n, rest.len()));
            }
            let (a, r) = rest.split_at(n);
            rest = r;
            Ok(a)
        };
        let c = *control;
        let binding_bitmap = if c & control::BINDING_BITMAP != 0 {
            let a = take(2)?;
            Some(u16::from_le_bytes([a[0], a[1]]))
        } else {
            None
        };
        let mut lv = |present: bool| -> Result<Option<&'a [u8]>, DecodeError> {
            if !present {
                return Ok(None);
            }
            let n = take(1)?[0] as usize;
            take(n).map(Some)
        };
        let matching_filter = lv(c & control::MATCHING_FILTER != 0)?;
        let response_filter = lv(c & control::RESPONSE_FILTER != 0)?;
        let service_info = lv(c & control::SERVICE_INFO != 0)?;
        Ok(ServiceDescriptor {
            service_id: [*s0, *s1, *s2, *s3, *s4, *s5],
            instance_id: *instance_id,
            requestor_instance_id: *requestor_instance_id,
            control: c,
            binding_bitmap,
            matching_filter,
            response_filter,
            service_info,
        })
    }

    /// Publish / subscribe / follow-up.
    pub fn control_type(&self) -> &'static str {
        match self.control & control::TYPE_MASK {
            0 => "publish",
            1 => "subscribe",
            2 => "follow_up",
            _ => "reserved",
        }
    }

    pub fn emit(&self) -> Result<Vec<u8>, EncodeError> {
        let mut v = self.service_id.to_vec();
        let mut c = self.control
            & !(control::BINDING_BITMAP | control::MATCHING_FILTER | control::RESPONSE_FILTER | control::SERVICE_INFO);
        c |= if self.binding_bitmap.is_some() { control::BINDING_BITMAP } else { 0 };
        c |= if self.matching_filter.is_some() { control::MATCHING_FILTER } else { 0 };
        c |= if self.response_filter.is_some() { control::RESPONSE_FILTER } else { 0 };
        c |= if self.service_info.is_some() { control::SERVICE_INFO } else { 0 };
        v.extend_from_slice(&[self.instance_id, self.requestor_instance_id, c]);
        if let Some(b) = self.binding_bitmap {
            v.extend_from_slice(&b.to_le_bytes());
        }
        for f in [self.matching_filter, self.response_filter, self.service_info].into_iter().flatten() {
            let n =
                u8::try_from(f.len()).map_err(|_| EncodeError::new("nan service descriptor", "field > 255 bytes"))?;
            v.push(n);
            v.extend_from_slice(f);
        }
        Ok(v)
    }
}

/// The parts of a Service Descriptor Extension Attribute ridscope uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ServiceDescriptorExt {
    pub instance_id: u8,
    pub control: u16,
    /// Service update indicator (ODID puts its message counter here).
    pub service_update_indicator: Option<u8>,
}

impl ServiceDescriptorExt {
    pub fn parse(b: &[u8]) -> Result<Self, DecodeError> {
        let [instance_id, c0, c1, rest @ ..] = b else {
            return Err(DecodeError::length("nan service descriptor extension", 3, b.len()));
        };
        let control = u16::from_le_bytes([*c0, *c1]);
        let mut rest = rest;
        if control & 0x0100 != 0 {
            // range limit: ingress and egress, 2 bytes each
            rest = rest.get(4..).ok_or_else(|| DecodeError::length("nan sdea range limit", 4, rest.len()))?;
        }
        let service_update_indicator = if control & 0x0200 != 0 {
            Some(*rest.first().ok_or_else(|| DecodeError::length("nan sdea update indicator", 1, 0))?)
        } else {
            None
        };
        Ok(ServiceDescriptorExt { instance_id: *instance_id, control, service_update_indicator })
    }
}

/// NAN network ID: destination of service discovery frames.
pub const NETWORK_ID: [u8; 6] = [0x51, 0x6F, 0x9A, 0x01, 0x00, 0x00];
/// The fixed NAN cluster ID of Remote ID (F3411 v1.1 on).
pub const ODID_CLUSTER_ID: [u8; 6] = [0x50, 0x6F, 0x9A, 0x01, 0x00, 0xFF];

/// A NAN service discovery frame (public action, vendor specific, WFA NAN)
/// carrying `attributes` (encoded). No FCS.
pub fn sdf_frame(sa: crate::util::MacAddr, cluster: [u8; 6], seq: u16, attributes: &[u8]) -> Vec<u8> {
    use super::ieee80211::{self, MgmtSubtype};
    use crate::util::MacAddr;
    let mut f = ieee80211::mgmt_header(MgmtSubtype::Action, MacAddr(NETWORK_ID), sa, MacAddr(cluster), seq).to_vec();
    f.extend_from_slice(&[ieee80211::CATEGORY_PUBLIC, ieee80211::PUBLIC_ACTION_VENDOR_SPECIFIC]);
    f.extend_from_slice(&ieee80211::WFA_OUI);
    f.push(ieee80211::WFA_TYPE_NAN);
    f.extend_from_slice(attributes);
    f
}

/// The NAN IE of a synchronization beacon: master indication, cluster and
/// service ID list attributes. `anchor_master_rank` is the 8-byte rank.
pub fn sync_beacon_ie(
    master_pref: u8,
    random_factor: u8,
    anchor_master_rank: [u8; 8],
    service_ids: &[[u8; 6]],
) -> Result<Vec<u8>, EncodeError> {
    let mut body = super::ieee80211::WFA_OUI.to_vec();
    body.push(super::ieee80211::WFA_TYPE_NAN);
    body.extend(attribute(attr::MASTER_INDICATION, &[master_pref, random_factor])?);
    let mut cluster = anchor_master_rank.to_vec();
    cluster.extend_from_slice(&[0, 0, 0, 0, 0]); // hop count to anchor master, AMBTT
    body.extend(attribute(attr::CLUSTER, &cluster)?);
    body.extend(attribute(attr::SERVICE_ID_LIST, &service_ids.concat())?);
    super::ieee80211::element(super::ieee80211::element_id::VENDOR_SPECIFIC, &body)
}
