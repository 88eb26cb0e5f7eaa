//! French "signalement électronique" beacon (SGDSN, decree of 2019-12-27):
//! TLVs in an 802.11 beacon vendor IE `DD len 6A 5C 35 01 <TLVs>`
//! (`docs/opendroneid.md` §13.1).
//!
//! Each TLV is `type(1) length(1) value`; values are big-endian:
//!
//! | type | len | field | JSON |
//! |---:|---:|---|---|
//! | 1 | 1 | protocol version (1) | `protocol_version` |
//! | 2 | 30 | French ID: 3-char manufacturer, 3-char model, 24-char serial | `french_id` (+ parts) |
//! | 3 | var | ANSI/CTA-2063 UAS ID | `uas_id` |
//! | 4, 5 | 4 | latitude, longitude: int32, 1e-5° | `lat_deg`, `lon_deg` |
//! | 6 | 2 | altitude MSL: int16, m | `alt_msl_m` |
//! | 7 | 2 | height above take-off: int16, m | `height_m` |
//! | 8, 9 | 4 | take-off latitude, longitude | `takeoff_lat_deg`, `takeoff_lon_deg` |
//! | 10 | 1 | horizontal speed: uint8, m/s | `speed_h_mps` |
//! | 11 | 2 | true course: uint16, degrees | `direction_deg` |
//!
//! Decoding: a TLV running past the end is a `Length` error; a known type
//! with the wrong length, a repeated known type, or a position outside
//! ±90/±180° is a `Sanity` error; unknown types are kept (type and value).
//!
//! Encoding writes TLVs in type order. Coordinates are rounded the way the
//! reference library's `frdid_build` does for positive values,
//! trunc(x·1e5 + 0.5); for negative values that formula rounds toward zero
//! instead of to nearest (−1.7 → −1), so this codec mirrors it,
//! trunc(x·1e5 − 0.5), i.e. rounds half away from zero. The two agree on
//! every non-negative coordinate and differ by one unit (1e-5°) on some
//! negative ones (western longitudes, southern latitudes).

use serde::Serialize;

use crate::error::{DecodeError, EncodeError};
use crate::util::{hex, nul_terminated_str};

/// SGDSN's OUI.
pub const OUI: [u8; 3] = [0x6A, 0x5C, 0x35];
/// Vendor IE type byte after the OUI.
pub const OUI_TYPE: u8 = 0x01;
/// The protocol version the decree defines.
pub const PROTOCOL_VERSION: u8 = 1;
/// Length of the French ID value.
pub const FRENCH_ID_LEN: usize = 30;

crate::enum_with_unknown! {
    /// TLV type codes.
    pub enum TlvType(u8) {
        ProtocolVersion = 1 => "protocol_version",
        FrenchId = 2 => "french_id",
        UasId = 3 => "uas_id",
        Latitude = 4 => "latitude",
        Longitude = 5 => "longitude",
        AltitudeMsl = 6 => "altitude_msl",
        Height = 7 => "height",
        TakeoffLatitude = 8 => "takeoff_latitude",
        TakeoffLongitude = 9 => "takeoff_longitude",
        HorizontalSpeed = 10 => "horizontal_speed",
        TrueCourse = 11 => "true_course",
    }
}

impl TlvType {
    /// The value length a known type must have; `None` for variable-length
    /// (UAS ID) and unknown types.
    pub fn fixed_len(self) -> Option<usize> {
        Some(match self {
            TlvType::ProtocolVersion | TlvType::HorizontalSpeed => 1,
            TlvType::FrenchId => FRENCH_ID_LEN,
            TlvType::Latitude | TlvType::Longitude | TlvType::TakeoffLatitude | TlvType::TakeoffLongitude => 4,
            TlvType::AltitudeMsl | TlvType::Height | TlvType::TrueCourse => 2,
            TlvType::UasId | TlvType::Unknown(_) => return None,
        })
    }
}

/// A TLV of a type this codec does not know, kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownTlv {
    /// The TLV type byte.
    #[serde(rename = "type")]
    pub tlv_type: u8,
    /// The value bytes.
    #[serde(rename = "value_hex", serialize_with = "hex::serialize")]
    pub value: Vec<u8>,
}

/// One French beacon: every field is optional (a TLV may be left out).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrenchId {
    /// TLV 1 (the decree defines version 1).
    pub protocol_version: Option<u8>,
    /// The 30-byte French identifier as sent (ASCII, NUL-padded).
    pub french_id: Option<[u8; FRENCH_ID_LEN]>,
    /// ANSI/CTA-2063 serial number (ASCII).
    pub uas_id: Option<Vec<u8>>,
    /// Aircraft latitude, degrees (resolution 1e-5°).
    pub lat_deg: Option<f64>,
    /// Aircraft longitude, degrees.
    pub lon_deg: Option<f64>,
    /// Altitude above mean sea level, metres.
    pub alt_msl_m: Option<i16>,
    /// Height above the take-off point, metres.
    pub height_m: Option<i16>,
    /// Take-off latitude, degrees.
    pub takeoff_lat_deg: Option<f64>,
    /// Take-off longitude, degrees.
    pub takeoff_lon_deg: Option<f64>,
    /// Ground speed, m/s.
    pub speed_h_mps: Option<u8>,
    /// True course, degrees from north (0..359 per the decree; not checked).
    pub direction_deg: Option<u16>,
    /// TLVs of unknown types, in the order received.
    pub unknown: Vec<UnknownTlv>,
}

/// Decodes the TLVs that follow `6A 5C 35 01` in the vendor IE.
pub fn parse(tlvs: &[u8]) -> Result<FrenchId, DecodeError> {
    FrenchId::parse(tlvs)
}

const WHAT: &str = "french beacon";

impl FrenchId {
    /// Decodes the TLVs that follow `6A 5C 35 01` in the vendor IE.
    pub fn parse(tlvs: &[u8]) -> Result<FrenchId, DecodeError> {
        let mut out = FrenchId::default();
        let mut seen = [false; 12];
        let mut rest = tlvs;
        while !rest.is_empty() {
            let [t, l, tail @ ..] = rest else {
                return Err(DecodeError::length("french beacon TLV header", 2, rest.len()));
            };
            let Some((value, next)) = tail.split_at_checked(*l as usize) else {
                return Err(DecodeError::length("french beacon TLV value", *l as usize, tail.len()));
            };
            rest = next;
            let ty = TlvType::from(*t);
            if let Some(flag) = seen.get_mut(*t as usize).filter(|_| ty.name().is_some()) {
                if *flag {
                    return Err(DecodeError::sanity(WHAT, format!("TLV type {t} repeated")));
                }
                *flag = true;
            }
            if let Some(need) = ty.fixed_len()
                && value.len() != need
            {
                return Err(DecodeError::sanity(
                    WHAT,
                    format!("TLV type {t} ({ty}) has length {}, expected {need}", value.len()),
                ));
            }
            out.set_value(ty, value)?;
        }
        Ok(out)
    }

    /// Stores one TLV's value (its length already checked).
    fn set_value(&mut self, ty: TlvType, v: &[u8]) -> Result<(), DecodeError> {
        let bad = || DecodeError::sanity(WHAT, format!("TLV type {} has a wrong length", ty.value()));
        let i16be = |v: &[u8]| v.try_into().map(i16::from_be_bytes).map_err(|_| bad());
        let i32be = |v: &[u8]| v.try_into().map(i32::from_be_bytes).map_err(|_| bad());
        let coord = |v: &[u8], limit: f64, name: &str| -> Result<f64, DecodeError> {
            let d = i32be(v)? as f64 / 1e5;
            if !(-limit..=limit).contains(&d) {
                return Err(DecodeError::sanity(WHAT, format!("{name} {d} outside ±{limit} degrees")));
            }
            Ok(d)
        };
        match ty {
            TlvType::ProtocolVersion => self.protocol_version = v.first().copied(),
            TlvType::FrenchId => self.french_id = Some(v.try_into().map_err(|_| bad())?),
            TlvType::UasId => self.uas_id = Some(v.to_vec()),
            TlvType::Latitude => self.lat_deg = Some(coord(v, 90.0, "latitude")?),
            TlvType::Longitude => self.lon_deg = Some(coord(v, 180.0, "longitude")?),
            TlvType::AltitudeMsl => self.alt_msl_m = Some(i16be(v)?),
            TlvType::Height => self.height_m = Some(i16be(v)?),
            TlvType::TakeoffLatitude => self.takeoff_lat_deg = Some(coord(v, 90.0, "take-off latitude")?),
            TlvType::TakeoffLongitude => self.takeoff_lon_deg = Some(coord(v, 180.0, "take-off longitude")?),
            TlvType::HorizontalSpeed => self.speed_h_mps = v.first().copied(),
            TlvType::TrueCourse => self.direction_deg = Some(v.try_into().map(u16::from_be_bytes).map_err(|_| bad())?),
            TlvType::Unknown(t) => self.unknown.push(UnknownTlv { tlv_type: t, value: v.to_vec() }),
        }
        Ok(())
    }

    /// Encodes the TLVs (without the `6A 5C 35 01` prefix) in type order,
    /// unknown TLVs included. See the module docs for coordinate rounding.
    pub fn emit(&self) -> Result<Vec<u8>, EncodeError> {
        let mut tlvs: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut put = |t: TlvType, v: Vec<u8>| tlvs.push((t.value(), v));
        if let Some(v) = self.protocol_version {
            put(TlvType::ProtocolVersion, vec![v]);
        }
        if let Some(id) = &self.french_id {
            put(TlvType::FrenchId, id.to_vec());
        }
        if let Some(id) = &self.uas_id {
            put(TlvType::UasId, id.clone());
        }
        let coords = [
            (TlvType::Latitude, "lat_deg", self.lat_deg, 90.0),
            (TlvType::Longitude, "lon_deg", self.lon_deg, 180.0),
            (TlvType::TakeoffLatitude, "takeoff_lat_deg", self.takeoff_lat_deg, 90.0),
            (TlvType::TakeoffLongitude, "takeoff_lon_deg", self.takeoff_lon_deg, 180.0),
        ];
        for (t, field, v, limit) in coords {
            if let Some(d) = v {
                put(t, encode_coord(field, d, limit)?.to_be_bytes().to_vec());
            }
        }
        if let Some(a) = self.alt_msl_m {
            put(TlvType::AltitudeMsl, a.to_be_bytes().to_vec());
        }
        if let Some(h) = self.height_m {
            put(TlvType::Height, h.to_be_bytes().to_vec());
        }
        if let Some(s) = self.speed_h_mps {
            put(TlvType::HorizontalSpeed, vec![s]);
        }
        if let Some(c) = self.direction_deg {
            put(TlvType::TrueCourse, c.to_be_bytes().to_vec());
        }
        for u in &self.unknown {
            if TlvType::from(u.tlv_type).name().is_some() {
                return Err(EncodeError::new("unknown TLV", format!("type {} is a known type", u.tlv_type)));
            }
            tlvs.push((u.tlv_type, u.value.clone()));
        }
        tlvs.sort_by_key(|(t, _)| *t); // stable: unknown TLVs of one type keep their order
        let mut out = Vec::new();
        for (t, v) in tlvs {
            let Ok(l) = u8::try_from(v.len()) else {
                return Err(EncodeError::new("TLV", format!("type {t}: {} bytes exceed 255", v.len())));
            };
            out.push(t);
            out.push(l);
            out.extend_from_slice(&v);
        }
        Ok(out)
    }

    /// Sets the French ID from text (at most 30 bytes, NUL-padded).
    pub fn set_french_id(&mut self, id: &str) -> Result<(), EncodeError> {
        let mut b = [0u8; FRENCH_ID_LEN];
        crate::util::write_padded(&mut b, id.as_bytes()).map_err(|e| EncodeError::new("french_id", e.detail))?;
        self.french_id = Some(b);
        Ok(())
    }

    /// The French ID as text (up to the first NUL); `None` when absent or empty.
    pub fn french_id_str(&self) -> Option<String> {
        self.french_id.as_ref().map(|b| nul_terminated_str(b)).filter(|s| !s.is_empty())
    }

    /// The French ID split as the decree (and Wireshark) do: manufacturer
    /// code (bytes 0..3), model code (3..6), serial (6..30); each `None`
    /// when empty.
    pub fn french_id_parts(&self) -> [Option<String>; 3] {
        let part = |r: std::ops::Range<usize>| {
            self.french_id.as_ref().and_then(|b| b.get(r)).map(nul_terminated_str).filter(|s| !s.is_empty())
        };
        [part(0..3), part(3..6), part(6..FRENCH_ID_LEN)]
    }

    /// The ANSI/CTA-2063 UAS ID as text (up to a NUL); `None` when absent or empty.
    pub fn uas_id_str(&self) -> Option<String> {
        self.uas_id.as_deref().map(nul_terminated_str).filter(|s| !s.is_empty())
    }
}

/// Degrees to int32 1e-5°: trunc(x·1e5 ± 0.5) (+ for x ≥ 0 as core-c, − for
/// negative values, i.e. round half away from zero).
fn encode_coord(field: &'static str, deg: f64, limit: f64) -> Result<i32, EncodeError> {
    if !(-limit..=limit).contains(&deg) {
        return Err(EncodeError::new(field, format!("{deg} outside ±{limit} degrees")));
    }
    let y = deg * 1e5;
    Ok(if y >= 0.0 { (y + 0.5).trunc() } else { (y - 0.5).trunc() } as i32)
}

impl Serialize for FrenchId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J<'a> {
            protocol_version: Option<u8>,
            french_id: Option<String>,
            french_id_manufacturer: Option<String>,
            french_id_model: Option<String>,
            french_id_serial: Option<String>,
            uas_id: Option<String>,
            lat_deg: Option<f64>,
            lon_deg: Option<f64>,
            alt_msl_m: Option<i16>,
            height_m: Option<i16>,
            takeoff_lat_deg: Option<f64>,
            takeoff_lon_deg: Option<f64>,
            speed_h_mps: Option<u8>,
            direction_deg: Option<u16>,
            unknown_tlvs: Option<&'a [UnknownTlv]>,
        }
        let [manufacturer, model, serial] = self.french_id_parts();
        J {
            protocol_version: self.protocol_version,
            french_id: self.french_id_str(),
            french_id_manufacturer: manufacturer,
            french_id_model: model,
            french_id_serial: serial,
            uas_id: self.uas_id_str(),
            lat_deg: self.lat_deg,
            lon_deg: self.lon_deg,
            alt_msl_m: self.alt_msl_m,
            height_m: self.height_m,
            takeoff_lat_deg: self.takeoff_lat_deg,
            takeoff_lon_deg: self.takeoff_lon_deg,
            speed_h_mps: self.speed_h_mps,
            direction_deg: self.direction_deg,
            unknown_tlvs: (!self.unknown.is_empty()).then_some(&self.unknown[..]),
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests;
