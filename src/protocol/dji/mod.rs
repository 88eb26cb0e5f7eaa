//! DJI DroneID: the proprietary drone ID DJI aircraft broadcast, on two
//! transports that carry the same records.
//!
//! - [`wifi`]: an 802.11 beacon vendor IE (OUI 26:37:12) from Wi-Fi drones
//!   (Spark, Mavic Air, Mavic Pro era): `58 62 13 <subcommand> <record>`.
//! - [`ocusync`]: a 176-byte turbo-decoded code block from an OcuSync 2
//!   DroneID burst: `L, type, record…, CRC-16, …, CRC-24A`.
//!
//! The message type (Wi-Fi subcommand, OcuSync type byte) is 0x10 for flight
//! info (telemetry, [`FlightInfo`]) and 0x11 for flight purpose
//! ([`FlightPurpose`]). The 0x10 record from its version byte onward has the
//! same layout on both transports (version 2); Wi-Fi also has a version 1.
//! Anything a transport recognises as DJI but cannot lay out (OcuSync 3/4
//! encrypted frames, unknown subcommands or versions) becomes
//! [`DjiMessage::Unknown`] with its raw bytes: reported, never dropped.
//!
//! Records keep every value as the raw wire integer, so decoding and
//! re-encoding is lossless; the scales (several of them uncertain, see
//! `docs/dji-droneid.md` §7) are applied when serializing and by the
//! accessors on [`FlightInfo`].

use serde::Serialize;

use crate::error::EncodeError;

pub mod ocusync;
pub mod record;
pub mod wifi;

pub use record::{FlightInfo, FlightInfoVersion, FlightPurpose, PurposeText, state_bits};

/// Message type / subcommand of a flight info (telemetry) record.
pub const MSG_FLIGHT_INFO: u8 = 0x10;
/// Message type / subcommand of a flight purpose record.
pub const MSG_FLIGHT_PURPOSE: u8 = 0x11;

/// How a DJI message travelled, with the framing fields that go with the
/// transport. Serializes flat: Wi-Fi as `ie_vendor_type` and
/// `ie_unknown_hex`, OcuSync as `payload_crc_ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Wi-Fi vendor IE: the three bytes between the OUI and the subcommand.
    /// Normally `58 62 13`; Kismet calls 0x58 the vendor type and the other
    /// two unknown. Any value is accepted and reported.
    Wifi {
        /// The bytes between the OUI and the subcommand.
        header: [u8; 3],
    },
    /// OcuSync code block: whether the payload CRC-16 matched. Always known
    /// for flight info and flight purpose; `None` only for an unknown payload
    /// whose length byte puts the CRC-16 outside the block.
    Ocusync {
        /// CRC-16 result; see the variant docs.
        payload_crc_ok: Option<bool>,
    },
}

impl Serialize for Framing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J {
            ie_vendor_type: Option<u8>,
            ie_unknown_hex: Option<String>,
            payload_crc_ok: Option<bool>,
        }
        match *self {
            Framing::Wifi { header } => J {
                ie_vendor_type: Some(header[0]),
                ie_unknown_hex: Some(crate::util::hex::encode(&header[1..])),
                payload_crc_ok: None,
            },
            Framing::Ocusync { payload_crc_ok } => J { ie_vendor_type: None, ie_unknown_hex: None, payload_crc_ok },
        }
        .serialize(s)
    }
}

/// One decoded DJI DroneID message. Serializes flat with a `msg_type` of
/// `dji_flight_info`, `dji_flight_purpose` or `dji_unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "msg_type")]
pub enum DjiMessage {
    /// Type 0x10: telemetry, position, home and operator position, model.
    #[serde(rename = "dji_flight_info")]
    FlightInfo {
        /// The record.
        #[serde(flatten)]
        info: FlightInfo,
        /// Transport framing.
        #[serde(flatten)]
        framing: Framing,
    },
    /// Type 0x11: serial number and user-entered flight purpose.
    #[serde(rename = "dji_flight_purpose")]
    FlightPurpose {
        /// The record.
        #[serde(flatten)]
        purpose: FlightPurpose,
        /// Transport framing.
        #[serde(flatten)]
        framing: Framing,
    },
    /// Recognisably DJI (OcuSync CRC-24 passed, or the DJI OUI) but not a
    /// layout this codec knows: OcuSync 3/4 encrypted frames, other types,
    /// lengths or record versions. Kept raw.
    #[serde(rename = "dji_unknown")]
    Unknown {
        /// OcuSync: byte 1 (message type); Wi-Fi: the subcommand byte.
        payload_type: u8,
        /// OcuSync: byte 0 (L); Wi-Fi: the number of bytes after the subcommand.
        payload_len: usize,
        /// OcuSync: bytes 0..173 of the block (everything before the
        /// CRC-24); Wi-Fi: the bytes after the subcommand.
        #[serde(rename = "raw_hex", serialize_with = "crate::util::hex::serialize")]
        raw: Vec<u8>,
        /// Transport framing.
        #[serde(flatten)]
        framing: Framing,
    },
}

impl DjiMessage {
    /// The `msg_type` this message serializes with.
    pub fn msg_type(&self) -> &'static str {
        match self {
            DjiMessage::FlightInfo { .. } => "dji_flight_info",
            DjiMessage::FlightPurpose { .. } => "dji_flight_purpose",
            DjiMessage::Unknown { .. } => "dji_unknown",
        }
    }

    /// The transport framing of the message.
    pub fn framing(&self) -> Framing {
        match self {
            DjiMessage::FlightInfo { framing, .. }
            | DjiMessage::FlightPurpose { framing, .. }
            | DjiMessage::Unknown { framing, .. } => *framing,
        }
    }

    /// The drone's serial number, when the message carries one (the key to
    /// track a drone by: both 0x10 and 0x11 carry it).
    pub fn serial(&self) -> Option<String> {
        match self {
            DjiMessage::FlightInfo { info, .. } => info.serial_str(),
            DjiMessage::FlightPurpose { purpose, .. } => purpose.serial_str(),
            DjiMessage::Unknown { .. } => None,
        }
    }
}

/// Degrees to the DJI coordinate encoding, radians × 1e7, rounded to the
/// nearest integer; fails outside ±180°.
pub fn deg_to_raw(field: &'static str, deg: f64) -> Result<i32, EncodeError> {
    if !(-180.0..=180.0).contains(&deg) {
        return Err(EncodeError::new(field, format!("{deg} outside ±180 degrees")));
    }
    Ok((deg.to_radians() * 1e7).round() as i32)
}

/// The DJI coordinate encoding (radians × 1e7) to degrees:
/// raw × 180 / (π × 1e7), spec §7.4. (DS and Kismet divide by 174533.0,
/// which differs by about 4e-7 relative.)
pub fn raw_to_deg(raw: i32) -> f64 {
    raw as f64 * 180.0 / (std::f64::consts::PI * 1e7)
}

/// A raw latitude/longitude pair in degrees; `None` when both are 0 (no
/// fix) or when either is outside ±90/±180° (a garbled or spoofed value is
/// not shown as a position; the raw integers stay in the record).
pub fn position_deg(lat_raw: i32, lon_raw: i32) -> Option<(f64, f64)> {
    if lat_raw == 0 && lon_raw == 0 {
        return None;
    }
    let (lat, lon) = (raw_to_deg(lat_raw), raw_to_deg(lon_raw));
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// The model name of a product type code: DroneSecurity's table (spec §7.5)
/// plus later codes; `None` for codes not in the table.
pub fn model_name(product_type: u8) -> Option<&'static str> {
    Some(match product_type {
        1 => "Inspire 1",
        2 | 3 => "Phantom 3 Series",
        4 => "Phantom 3 Std",
        5 => "M100",
        11 => "Phantom 4",
        14 => "M600",
        16 => "Mavic Pro",
        17 => "Inspire 2",
        18 => "Phantom 4 Pro",
        21 => "Spark",
        24 => "Mavic Air",
        25 => "M200",
        27 => "Phantom 4 Adv",
        28 => "M210",
        30 => "M210RTK",
        35 => "Phantom 4 RTK",
        36 => "Phantom 4 Pro V2.0",
        41 => "Mavic 2",
        44 => "M200 V2",
        51 => "Mavic 2 Enterprise",
        53 => "Mavic Mini",
        58 => "Mavic Air 2",
        59 => "P4M",
        60 => "M300 RTK",
        61 => "DJI FPV",
        63 => "Mini 2",
        64 => "AGRAS T10",
        65 => "AGRAS T30",
        66 => "Air 2S",
        67 => "M30",
        68 => "Mavic 3",
        69 => "Mavic 2 Enterprise Advanced",
        70 => "Mini SE",
        72 => "AGRAS T40",
        73 => "Mini 3 Pro",
        75 => "DJI Avata",
        76 => "Inspire 3",
        77 => "Mavic 3 Enterprise",
        78 => "FlyCart 30",
        82 => "AGRAS T25",
        83 => "AGRAS T50",
        84 => "Mavic 3 Pro",
        86 => "Mavic 3 Classic",
        87 => "Mini 3",
        88 => "Mini 2 SE",
        89 => "M350 RTK",
        90 => "Air 3",
        _ => return None,
    })
}

/// The model name for display: the table name, or `"unknown (n)"`.
pub fn model_display(product_type: u8) -> String {
    match model_name(product_type) {
        Some(n) => n.to_string(),
        None => format!("unknown ({product_type})"),
    }
}

#[cfg(test)]
mod tests;
