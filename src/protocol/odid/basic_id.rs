//! Basic ID (message type 0): who the aircraft is.

use serde::Serialize;

use super::MESSAGE_SIZE;
use crate::error::{DecodeError, EncodeError};
use crate::util::hex;

crate::wire_view! {
    /// Byte layout of a Basic ID message.
    pub struct BasicIdView, min_len = MESSAGE_SIZE;
    /// ID type (bits 7..4) and UA type (bits 3..0).
    id_ua_type / set_id_ua_type: u8 @ 1;
    uas_id / set_uas_id: bytes[20] @ 2;
}

crate::enum_with_unknown! {
    /// Which kind of identifier the UAS ID field holds.
    pub enum IdType(u8) {
        None = 0 => "none",
        SerialNumber = 1 => "serial_number",
        CaaRegistration = 2 => "caa_registration",
        UtmUuid = 3 => "utm_uuid",
        SpecificSession = 4 => "specific_session",
    }
}

crate::enum_with_unknown! {
    /// The kind of aircraft.
    pub enum UaType(u8) {
        None = 0 => "none",
        Aeroplane = 1 => "aeroplane",
        HelicopterOrMultirotor = 2 => "helicopter_or_multirotor",
        Gyroplane = 3 => "gyroplane",
        HybridLift = 4 => "hybrid_lift",
        Ornithopter = 5 => "ornithopter",
        Glider = 6 => "glider",
        Kite = 7 => "kite",
        FreeBalloon = 8 => "free_balloon",
        CaptiveBalloon = 9 => "captive_balloon",
        Airship = 10 => "airship",
        FreeFallParachute = 11 => "free_fall_parachute",
        Rocket = 12 => "rocket",
        TetheredPoweredAircraft = 13 => "tethered_powered_aircraft",
        GroundObstacle = 14 => "ground_obstacle",
        Other = 15 => "other",
    }
}

/// A Basic ID message. The 20 UAS ID bytes are kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicId {
    pub id_type: IdType,
    pub ua_type: UaType,
    pub uas_id: [u8; 20],
}

impl BasicId {
    /// A Basic ID with a text identifier (serial number, CAA registration),
    /// NUL-padded; fails if the text is longer than 20 bytes.
    pub fn with_text(id_type: IdType, ua_type: UaType, text: &str) -> Result<Self, EncodeError> {
        let mut uas_id = [0u8; 20];
        crate::util::write_padded(&mut uas_id, text.as_bytes()).map_err(|e| EncodeError::new("uas_id", e.detail))?;
        Ok(BasicId { id_type, ua_type, uas_id })
    }

    pub fn parse(m: &[u8; MESSAGE_SIZE], _version: u8) -> Result<Self, DecodeError> {
        let v = BasicIdView::new_unchecked(&m[..]);
        let t = v.id_ua_type();
        Ok(BasicId { id_type: IdType::from(t >> 4), ua_type: UaType::from(t & 0x0F), uas_id: *v.uas_id() })
    }

    pub fn emit(&self, m: &mut [u8; MESSAGE_SIZE]) -> Result<(), EncodeError> {
        let (i, u) = (self.id_type.value(), self.ua_type.value());
        if i > 15 || u > 15 {
            return Err(EncodeError::new("id_type/ua_type", "value does not fit 4 bits"));
        }
        let mut v = BasicIdView::new_unchecked(&mut m[..]);
        v.set_id_ua_type(i << 4 | u);
        v.set_uas_id(&self.uas_id);
        Ok(())
    }

    /// The identifier as a user reads it: the UUID form for UTM UUIDs, hex
    /// for specific session IDs, and otherwise the text up to the first NUL
    /// when it is printable ASCII followed only by NULs (serial numbers, CAA
    /// registrations, and the serials some transmitters send with ID type
    /// "none"), else hex. `None` when all 20 bytes are zero.
    pub fn uas_id_string(&self) -> Option<String> {
        if self.uas_id.iter().all(|&b| b == 0) {
            return None;
        }
        let end = self.uas_id.iter().position(|&b| b == 0).unwrap_or(20);
        let printable =
            self.uas_id[..end].iter().all(|b| (0x20..0x7F).contains(b)) && self.uas_id[end..].iter().all(|&b| b == 0);
        Some(match self.id_type {
            IdType::UtmUuid => {
                let h = hex::encode(&self.uas_id[..16]);
                format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
            }
            IdType::SpecificSession => hex::encode(&self.uas_id),
            _ if printable => crate::util::nul_terminated_str(&self.uas_id),
            _ => hex::encode(&self.uas_id),
        })
    }

    /// ANSI/CTA-2063-A check of a serial number: 4-character manufacturer
    /// code, a length character ('1'..'9', 'A'..'F' = 1..15), then exactly
    /// that many serial characters. `None` unless the ID type is a serial.
    pub fn serial_check(&self) -> Option<SerialCheck> {
        if self.id_type != IdType::SerialNumber {
            return None;
        }
        let end = self.uas_id.iter().position(|&b| b == 0).unwrap_or(20);
        let s = &self.uas_id[..end];
        let allowed = |c: &u8| c.is_ascii_digit() || (c.is_ascii_uppercase() && *c != b'O' && *c != b'I');
        let len_code = s.get(4).and_then(|&c| match c {
            b'1'..=b'9' => Some(c - b'0'),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        });
        let valid = s.len() >= 6 && s.iter().all(allowed) && len_code.is_some_and(|n| s.len() == 5 + n as usize);
        Some(SerialCheck { manufacturer_code: s.get(..4).map(|m| String::from_utf8_lossy(m).into_owned()), valid })
    }
}

/// Result of the CTA-2063-A serial number format check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SerialCheck {
    pub manufacturer_code: Option<String>,
    pub valid: bool,
}

impl Serialize for BasicId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J {
            id_type: IdType,
            ua_type: UaType,
            uas_id: Option<String>,
            uas_id_hex: String,
            serial_mfr_code: Option<String>,
            serial_format_ok: Option<bool>,
        }
        let chk = self.serial_check();
        J {
            id_type: self.id_type,
            ua_type: self.ua_type,
            uas_id: self.uas_id_string(),
            uas_id_hex: hex::encode(&self.uas_id),
            serial_mfr_code: chk.as_ref().and_then(|c| c.manufacturer_code.clone()),
            serial_format_ok: chk.map(|c| c.valid),
        }
        .serialize(s)
    }
}
