//! The two DJI DroneID records, shared by the Wi-Fi and OcuSync transports.
//!
//! Offsets below are from the record's first byte: the version byte of a
//! flight info record (OcuSync byte 2, Wi-Fi body byte 4), the serial of a
//! flight purpose record. Add 2 to get the offsets of the OcuSync tables in
//! `docs/dji-droneid.md` §7. All integers are little-endian.

use serde::Serialize;

use super::{model_display, position_deg};
use crate::error::{DecodeError, EncodeError};
use crate::util::{nul_terminated_str, write_padded};

/// Length of a version 1 flight info record (Wi-Fi only).
pub const FLIGHT_INFO_V1_LEN: usize = 75;
/// Length of a version 2 flight info record (Wi-Fi and OcuSync; on OcuSync
/// the last UUID byte is the "0x00 terminator" at block offset 88).
pub const FLIGHT_INFO_V2_LEN: usize = 87;
/// Length of the serial number field that starts a flight purpose record.
pub const SERIAL_LEN: usize = 16;
/// Length of the UUID field.
pub const UUID_LEN: usize = 20;

crate::wire_view! {
    /// The part of a flight info record both versions share.
    pub struct FlightInfoCommonView, min_len = 39;
    version / set_version: u8 @ 0;
    sequence / set_sequence: u16le @ 1;
    state_info / set_state_info: u16le @ 3;
    /// ASCII, NUL-padded.
    serial / set_serial: bytes[16] @ 5;
    /// Radians × 1e7. Longitude comes before latitude.
    lon / set_lon: i32le @ 21;
    lat / set_lat: i32le @ 25;
    alt / set_alt: i16le @ 29;
    height / set_height: i16le @ 31;
    /// cm/s (uncertain).
    v_north / set_v_north: i16le @ 33;
    v_east / set_v_east: i16le @ 35;
    v_up / set_v_up: i16le @ 37;
}

crate::wire_view! {
    /// Version 1 tail (Wi-Fi, Kismet's layout): attitude, home, product, UUID.
    pub struct FlightInfoV1View, min_len = FLIGHT_INFO_V1_LEN;
    /// Centi-degrees.
    pitch / set_pitch: i16le @ 39;
    roll / set_roll: i16le @ 41;
    yaw / set_yaw: i16le @ 43;
    home_lon / set_home_lon: i32le @ 45;
    home_lat / set_home_lat: i32le @ 49;
    product_type / set_product_type: u8 @ 53;
    uuid_len / set_uuid_len: u8 @ 54;
    uuid / set_uuid: bytes[20] @ 55;
}

crate::wire_view! {
    /// Version 2 tail (Wi-Fi and OcuSync): yaw, phone GPS time, app (pilot)
    /// position, home, product, UUID.
    pub struct FlightInfoV2View, min_len = FLIGHT_INFO_V2_LEN;
    /// Centi-degrees.
    yaw / set_yaw: i16le @ 39;
    /// Milliseconds since the Unix epoch.
    gps_time / set_gps_time: u64le @ 41;
    /// Note the order: latitude then longitude here.
    app_lat / set_app_lat: i32le @ 49;
    app_lon / set_app_lon: i32le @ 53;
    /// Longitude then latitude again.
    home_lon / set_home_lon: i32le @ 57;
    home_lat / set_home_lat: i32le @ 61;
    product_type / set_product_type: u8 @ 65;
    uuid_len / set_uuid_len: u8 @ 66;
    uuid / set_uuid: bytes[20] @ 67;
}

/// Bits of the `state_info` word (Kismet's names, bit 0 first). Kismet marks
/// bits 2, 3 and 6–11 as guesses; only bits 0, 1, 4 and 5 are reasonably
/// sure. Bit 12 is seen set on real drones and has no name.
pub mod state_bits {
    /// Bit 0: the serial number field is valid.
    pub const SERIAL_VALID: u16 = 1 << 0;
    /// Bit 1: private mode is off (position fields are sent).
    pub const PRIVATE_MODE_DISABLED: u16 = 1 << 1;
    /// Bit 2: a home point is set (guess; may be swapped with bit 3).
    pub const HOME_POINT_SET: u16 = 1 << 2;
    /// Bit 3: the UUID field is set (guess; may be swapped with bit 2).
    pub const UUID_SET: u16 = 1 << 3;
    /// Bit 4: motors running.
    pub const MOTOR_ON: u16 = 1 << 4;
    /// Bit 5: airborne.
    pub const IN_AIR: u16 = 1 << 5;
    /// Bit 6: GPS position valid (guess).
    pub const GPS_VALID: u16 = 1 << 6;
    /// Bit 7: altitude valid (guess).
    pub const ALTITUDE_VALID: u16 = 1 << 7;
    /// Bit 8: height valid (guess).
    pub const HEIGHT_VALID: u16 = 1 << 8;
    /// Bit 9: horizontal velocity valid (guess).
    pub const H_VELOCITY_VALID: u16 = 1 << 9;
    /// Bit 10: vertical velocity valid (guess).
    pub const V_UP_VALID: u16 = 1 << 10;
    /// Bit 11: attitude valid (guess).
    pub const PITCH_ROLL_YAW_VALID: u16 = 1 << 11;
}

/// The version-dependent part of a flight info record. The record's version
/// byte is 1 or 2 according to this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightInfoVersion {
    /// Version 1 (Wi-Fi): pitch and roll in centi-degrees.
    V1 {
        /// Pitch, centi-degrees.
        pitch_raw: i16,
        /// Roll, centi-degrees.
        roll_raw: i16,
    },
    /// Version 2 (Wi-Fi and OcuSync): the phone's GPS time in ms since the
    /// Unix epoch (0 = unknown) and the app (pilot) position in radians × 1e7.
    V2 {
        /// Phone GPS time, ms since the Unix epoch; 0 = unknown.
        gps_time_ms: u64,
        /// App (pilot) latitude, radians × 1e7.
        app_lat_raw: i32,
        /// App (pilot) longitude, radians × 1e7.
        app_lon_raw: i32,
    },
}

/// A flight info record (message type 0x10), raw wire values.
///
/// Scales (applied by the accessors and in JSON): positions radians × 1e7;
/// `alt_raw` × 1 m and `height_raw` × 0.1 m (both uncertain, spec §7.1);
/// velocities cm/s; angles centi-degrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlightInfo {
    /// Increments per 0x10 message.
    pub sequence: u16,
    /// Flag word, see [`state_bits`].
    pub state_info: u16,
    /// ASCII, NUL-padded.
    pub serial: [u8; SERIAL_LEN],
    /// Drone latitude, radians × 1e7; latitude and longitude both 0 = no fix.
    pub lat_raw: i32,
    /// Drone longitude, radians × 1e7.
    pub lon_raw: i32,
    /// Altitude, probably metres (uncertain).
    pub alt_raw: i16,
    /// Height, probably decimetres above take-off (uncertain).
    pub height_raw: i16,
    /// Velocity north, cm/s (uncertain).
    pub v_north_raw: i16,
    /// Velocity east, cm/s (uncertain).
    pub v_east_raw: i16,
    /// Velocity up, cm/s (uncertain).
    pub v_up_raw: i16,
    /// Heading, centi-degrees.
    pub yaw_raw: i16,
    /// Home latitude, radians × 1e7; latitude and longitude both 0 = not set.
    pub home_lat_raw: i32,
    /// Home longitude, radians × 1e7.
    pub home_lon_raw: i32,
    /// Product type code, see [`super::model_name`].
    pub product_type: u8,
    /// The UUID length byte as sent (0 or 19 on OcuSync).
    pub uuid_len: u8,
    /// ASCII decimal digits, NUL-padded.
    pub uuid: [u8; UUID_LEN],
    /// Record version and the fields that depend on it.
    pub version: FlightInfoVersion,
}

impl Default for FlightInfo {
    /// An all-zero version 2 record.
    fn default() -> Self {
        FlightInfo {
            sequence: 0,
            state_info: 0,
            serial: [0; SERIAL_LEN],
            lat_raw: 0,
            lon_raw: 0,
            alt_raw: 0,
            height_raw: 0,
            v_north_raw: 0,
            v_east_raw: 0,
            v_up_raw: 0,
            yaw_raw: 0,
            home_lat_raw: 0,
            home_lon_raw: 0,
            product_type: 0,
            uuid_len: 0,
            uuid: [0; UUID_LEN],
            version: FlightInfoVersion::V2 { gps_time_ms: 0, app_lat_raw: 0, app_lon_raw: 0 },
        }
    }
}

impl FlightInfo {
    /// Record length of a version, or `None` for a version this codec does
    /// not know.
    pub fn record_len(version: u8) -> Option<usize> {
        match version {
            1 => Some(FLIGHT_INFO_V1_LEN),
            2 => Some(FLIGHT_INFO_V2_LEN),
            _ => None,
        }
    }

    /// Decodes a record starting at its version byte. Bytes after the record
    /// are ignored. Fails with `Length` on a short record and `Unsupported`
    /// on a version other than 1 or 2.
    pub fn parse(record: &[u8]) -> Result<FlightInfo, DecodeError> {
        let Some(&version) = record.first() else {
            return Err(DecodeError::length("dji flight info", 1, 0));
        };
        let Some(len) = Self::record_len(version) else {
            return Err(DecodeError::unsupported("dji flight info", format!("record version {version}")));
        };
        DecodeError::check_len("dji flight info", record, len)?;
        let c = FlightInfoCommonView::new_unchecked(record);
        let (version, yaw_raw, home_lat_raw, home_lon_raw, product_type, uuid_len, uuid) = if version == 1 {
            let v = FlightInfoV1View::new_unchecked(record);
            (
                FlightInfoVersion::V1 { pitch_raw: v.pitch(), roll_raw: v.roll() },
                v.yaw(),
                v.home_lat(),
                v.home_lon(),
                v.product_type(),
                v.uuid_len(),
                *v.uuid(),
            )
        } else {
            let v = FlightInfoV2View::new_unchecked(record);
            (
                FlightInfoVersion::V2 { gps_time_ms: v.gps_time(), app_lat_raw: v.app_lat(), app_lon_raw: v.app_lon() },
                v.yaw(),
                v.home_lat(),
                v.home_lon(),
                v.product_type(),
                v.uuid_len(),
                *v.uuid(),
            )
        };
        Ok(FlightInfo {
            sequence: c.sequence(),
            state_info: c.state_info(),
            serial: *c.serial(),
            lat_raw: c.lat(),
            lon_raw: c.lon(),
            alt_raw: c.alt(),
            height_raw: c.height(),
            v_north_raw: c.v_north(),
            v_east_raw: c.v_east(),
            v_up_raw: c.v_up(),
            yaw_raw,
            home_lat_raw,
            home_lon_raw,
            product_type,
            uuid_len,
            uuid,
            version,
        })
    }

    /// The record version byte (1 or 2).
    pub fn version_byte(&self) -> u8 {
        match self.version {
            FlightInfoVersion::V1 { .. } => 1,
            FlightInfoVersion::V2 { .. } => 2,
        }
    }

    /// Encodes the record from its version byte on (75 or 87 bytes).
    pub fn emit(&self) -> Vec<u8> {
        let len = match self.version {
            FlightInfoVersion::V1 { .. } => FLIGHT_INFO_V1_LEN,
            FlightInfoVersion::V2 { .. } => FLIGHT_INFO_V2_LEN,
        };
        let mut buf = vec![0u8; len];
        let mut c = FlightInfoCommonView::new_unchecked(&mut buf[..]);
        c.set_version(self.version_byte());
        c.set_sequence(self.sequence);
        c.set_state_info(self.state_info);
        c.set_serial(&self.serial);
        c.set_lon(self.lon_raw);
        c.set_lat(self.lat_raw);
        c.set_alt(self.alt_raw);
        c.set_height(self.height_raw);
        c.set_v_north(self.v_north_raw);
        c.set_v_east(self.v_east_raw);
        c.set_v_up(self.v_up_raw);
        match self.version {
            FlightInfoVersion::V1 { pitch_raw, roll_raw } => {
                let mut v = FlightInfoV1View::new_unchecked(&mut buf[..]);
                v.set_pitch(pitch_raw);
                v.set_roll(roll_raw);
                v.set_yaw(self.yaw_raw);
                v.set_home_lon(self.home_lon_raw);
                v.set_home_lat(self.home_lat_raw);
                v.set_product_type(self.product_type);
                v.set_uuid_len(self.uuid_len);
                v.set_uuid(&self.uuid);
            }
            FlightInfoVersion::V2 { gps_time_ms, app_lat_raw, app_lon_raw } => {
                let mut v = FlightInfoV2View::new_unchecked(&mut buf[..]);
                v.set_yaw(self.yaw_raw);
                v.set_gps_time(gps_time_ms);
                v.set_app_lat(app_lat_raw);
                v.set_app_lon(app_lon_raw);
                v.set_home_lon(self.home_lon_raw);
                v.set_home_lat(self.home_lat_raw);
                v.set_product_type(self.product_type);
                v.set_uuid_len(self.uuid_len);
                v.set_uuid(&self.uuid);
            }
        }
        buf
    }

    /// True when every bit of `mask` (see [`state_bits`]) is set.
    pub fn state(&self, mask: u16) -> bool {
        self.state_info & mask == mask
    }

    /// The serial number text; `None` when empty.
    pub fn serial_str(&self) -> Option<String> {
        non_empty(nul_terminated_str(&self.serial))
    }

    /// Sets the serial number (at most 16 bytes, NUL-padded).
    pub fn set_serial(&mut self, serial: &str) -> Result<(), EncodeError> {
        write_padded(&mut self.serial, serial.as_bytes()).map_err(|e| EncodeError::new("serial", e.detail))
    }

    /// The UUID text: the first `uuid_len` bytes (at most 20) up to a NUL;
    /// `None` when empty.
    pub fn uuid_str(&self) -> Option<String> {
        let n = (self.uuid_len as usize).min(UUID_LEN);
        non_empty(nul_terminated_str(self.uuid.get(..n).unwrap_or(&[])))
    }

    /// Sets the UUID and its length byte (at most 20 bytes, NUL-padded).
    pub fn set_uuid(&mut self, uuid: &str) -> Result<(), EncodeError> {
        write_padded(&mut self.uuid, uuid.as_bytes()).map_err(|e| EncodeError::new("uuid", e.detail))?;
        self.uuid_len = uuid.len() as u8;
        Ok(())
    }

    /// Drone position (latitude, longitude) in degrees, see [`position_deg`].
    pub fn position_deg(&self) -> Option<(f64, f64)> {
        position_deg(self.lat_raw, self.lon_raw)
    }

    /// Home point (latitude, longitude) in degrees.
    pub fn home_deg(&self) -> Option<(f64, f64)> {
        position_deg(self.home_lat_raw, self.home_lon_raw)
    }

    /// App (operator/pilot phone) position in degrees; version 2 only.
    pub fn operator_deg(&self) -> Option<(f64, f64)> {
        match self.version {
            FlightInfoVersion::V2 { app_lat_raw, app_lon_raw, .. } => position_deg(app_lat_raw, app_lon_raw),
            FlightInfoVersion::V1 { .. } => None,
        }
    }

    /// Sets the drone position from degrees (both 0 = no fix).
    pub fn set_position_deg(&mut self, lat: f64, lon: f64) -> Result<(), EncodeError> {
        (self.lat_raw, self.lon_raw) = latlon_raw("lat_deg/lon_deg", lat, lon)?;
        Ok(())
    }

    /// Sets the home point from degrees.
    pub fn set_home_deg(&mut self, lat: f64, lon: f64) -> Result<(), EncodeError> {
        (self.home_lat_raw, self.home_lon_raw) = latlon_raw("home_lat_deg/home_lon_deg", lat, lon)?;
        Ok(())
    }

    /// Sets the app (operator) position from degrees; fails on a version 1
    /// record, which has no such field.
    pub fn set_operator_deg(&mut self, lat: f64, lon: f64) -> Result<(), EncodeError> {
        let (la, lo) = latlon_raw("operator_lat_deg/operator_lon_deg", lat, lon)?;
        match &mut self.version {
            FlightInfoVersion::V2 { app_lat_raw, app_lon_raw, .. } => {
                (*app_lat_raw, *app_lon_raw) = (la, lo);
                Ok(())
            }
            FlightInfoVersion::V1 { .. } => Err(EncodeError::new("operator position", "version 1 has no app position")),
        }
    }

    /// Altitude in metres assuming raw × 1 m (uncertain; DS divides by 3.281).
    pub fn alt_m(&self) -> f64 {
        self.alt_raw as f64
    }

    /// Height in metres assuming raw × 0.1 m (uncertain; probably height
    /// above take-off).
    pub fn height_m(&self) -> f64 {
        self.height_raw as f64 / 10.0
    }

    /// Phone GPS time in ms since the Unix epoch; `None` for version 1 and
    /// for 0.
    pub fn gps_time_ms(&self) -> Option<u64> {
        match self.version {
            FlightInfoVersion::V2 { gps_time_ms, .. } if gps_time_ms != 0 => Some(gps_time_ms),
            _ => None,
        }
    }
}

fn latlon_raw(field: &'static str, lat: f64, lon: f64) -> Result<(i32, i32), EncodeError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(EncodeError::new(field, format!("latitude {lat} outside ±90 degrees")));
    }
    Ok((super::deg_to_raw(field, lat)?, super::deg_to_raw(field, lon)?))
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Latest time RFC 3339 can show with a four-digit year (9999-12-31T23:59:59.999Z).
const MAX_RFC3339_MS: u64 = 253_402_300_799_999;

impl Serialize for FlightInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use state_bits as b;
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J {
            version: u8,
            sequence: u16,
            serial: Option<String>,
            state_info: u16,
            serial_valid: bool,
            private_mode_disabled: bool,
            home_point_set: bool,
            uuid_set: bool,
            motor_on: bool,
            in_air: bool,
            gps_valid: bool,
            altitude_valid: bool,
            height_valid: bool,
            h_velocity_valid: bool,
            v_up_valid: bool,
            pitch_roll_yaw_valid: bool,
            lat_deg: Option<f64>,
            lon_deg: Option<f64>,
            alt_m: f64,
            alt_raw: i16,
            height_m: f64,
            height_raw: i16,
            v_north_mps: f64,
            v_east_mps: f64,
            v_up_mps: f64,
            pitch_deg: Option<f64>,
            roll_deg: Option<f64>,
            yaw_deg: f64,
            gps_time_utc: Option<String>,
            operator_lat_deg: Option<f64>,
            operator_lon_deg: Option<f64>,
            home_lat_deg: Option<f64>,
            home_lon_deg: Option<f64>,
            product_type: u8,
            model: String,
            uuid: Option<String>,
        }
        let (pitch_deg, roll_deg) = match self.version {
            FlightInfoVersion::V1 { pitch_raw, roll_raw } => {
                (Some(pitch_raw as f64 / 100.0), Some(roll_raw as f64 / 100.0))
            }
            FlightInfoVersion::V2 { .. } => (None, None),
        };
        let pos = self.position_deg();
        let home = self.home_deg();
        let op = self.operator_deg();
        J {
            version: self.version_byte(),
            sequence: self.sequence,
            serial: self.serial_str(),
            state_info: self.state_info,
            serial_valid: self.state(b::SERIAL_VALID),
            private_mode_disabled: self.state(b::PRIVATE_MODE_DISABLED),
            home_point_set: self.state(b::HOME_POINT_SET),
            uuid_set: self.state(b::UUID_SET),
            motor_on: self.state(b::MOTOR_ON),
            in_air: self.state(b::IN_AIR),
            gps_valid: self.state(b::GPS_VALID),
            altitude_valid: self.state(b::ALTITUDE_VALID),
            height_valid: self.state(b::HEIGHT_VALID),
            h_velocity_valid: self.state(b::H_VELOCITY_VALID),
            v_up_valid: self.state(b::V_UP_VALID),
            pitch_roll_yaw_valid: self.state(b::PITCH_ROLL_YAW_VALID),
            lat_deg: pos.map(|p| p.0),
            lon_deg: pos.map(|p| p.1),
            alt_m: self.alt_m(),
            alt_raw: self.alt_raw,
            height_m: self.height_m(),
            height_raw: self.height_raw,
            v_north_mps: self.v_north_raw as f64 / 100.0,
            v_east_mps: self.v_east_raw as f64 / 100.0,
            v_up_mps: self.v_up_raw as f64 / 100.0,
            pitch_deg,
            roll_deg,
            yaw_deg: self.yaw_raw as f64 / 100.0,
            gps_time_utc: self
                .gps_time_ms()
                .filter(|&ms| ms <= MAX_RFC3339_MS)
                .map(|ms| crate::util::time::rfc3339_ns(ms as i128 * 1_000_000)),
            operator_lat_deg: op.map(|p| p.0),
            operator_lon_deg: op.map(|p| p.1),
            home_lat_deg: home.map(|p| p.0),
            home_lon_deg: home.map(|p| p.1),
            product_type: self.product_type,
            model: model_display(self.product_type),
            uuid: self.uuid_str(),
        }
        .serialize(s)
    }
}

/// A flight purpose record (message type 0x11): a 16-byte serial, then bytes
/// whose layout is disputed, kept raw.
///
/// On OcuSync the record is 140 bytes (serial + 124); real drones send
/// `cc aa 02` then zeros after the serial, on both transports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlightPurpose {
    /// ASCII, NUL-padded.
    pub serial: [u8; SERIAL_LEN],
    /// Everything after the serial.
    pub rest: Vec<u8>,
}

/// Text fields read from a flight purpose record's `rest`, each present only
/// when the length byte that announces it agrees with the data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PurposeText {
    /// Kismet's "drone ID" (length byte at 0, fixed 10-byte field at 1..11).
    pub drone_id: Option<String>,
    /// The user-entered purpose: Kismet's (length at 11, text from 12) or,
    /// failing that, scapy-uas-remoteid's "plan" (length at 0, text from 1).
    pub purpose: Option<String>,
}

impl FlightPurpose {
    /// Decodes a record starting at the serial; the rest is kept as is.
    pub fn parse(record: &[u8]) -> Result<FlightPurpose, DecodeError> {
        let Some((serial, rest)) = record.split_first_chunk::<SERIAL_LEN>() else {
            return Err(DecodeError::length("dji flight purpose", SERIAL_LEN, record.len()));
        };
        Ok(FlightPurpose { serial: *serial, rest: rest.to_vec() })
    }

    /// Encodes the record: the serial, then `rest`.
    pub fn emit(&self) -> Vec<u8> {
        let mut v = self.serial.to_vec();
        v.extend_from_slice(&self.rest);
        v
    }

    /// The serial number text; `None` when empty.
    pub fn serial_str(&self) -> Option<String> {
        non_empty(nul_terminated_str(&self.serial))
    }

    /// Sets the serial number (at most 16 bytes, NUL-padded).
    pub fn set_serial(&mut self, serial: &str) -> Result<(), EncodeError> {
        write_padded(&mut self.serial, serial.as_bytes()).map_err(|e| EncodeError::new("serial", e.detail))
    }

    /// Reads the text fields under the two published layouts, keeping only
    /// what the length bytes support:
    ///
    /// 1. Kismet: `n` at 0 (≤ 10), drone ID at 1..1+n in a 10-byte field
    ///    NUL-padded up to 11, `m` at 11 (≥ 1), purpose at 12..12+m. Used
    ///    only when all of it is consistent.
    /// 2. Otherwise scapy-uas-remoteid: `n` at 0, purpose at 1..1+n.
    ///
    /// A text must be non-empty UTF-8 without control characters (trailing
    /// NULs inside the announced length are dropped first) and lie inside
    /// the record. Real drones send `cc aa 02 00…`, which fits neither.
    pub fn text(&self) -> PurposeText {
        let r = &self.rest;
        let n = r.first().copied().unwrap_or(0) as usize;
        let m = r.get(11).copied().unwrap_or(0) as usize;
        let id_field = if n <= 10 { r.get(1..11) } else { None };
        let id_ok = id_field.is_some_and(|f| f.get(n..).is_some_and(|pad| pad.iter().all(|&b| b == 0)));
        let drone_id = id_field.and_then(|f| f.get(..n)).and_then(clean_text);
        let kismet_purpose = if m >= 1 { r.get(12..12 + m).and_then(clean_text) } else { None };
        if id_ok && (n == 0 || drone_id.is_some()) && kismet_purpose.is_some() {
            return PurposeText { drone_id, purpose: kismet_purpose };
        }
        let purpose = if n >= 1 { r.get(1..1 + n).and_then(clean_text) } else { None };
        PurposeText { drone_id: None, purpose }
    }
}

/// Text when `b` (without trailing NULs) is non-empty UTF-8 without control
/// characters.
fn clean_text(b: &[u8]) -> Option<String> {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    let s = std::str::from_utf8(b.get(..end)?).ok()?;
    (!s.is_empty() && !s.chars().any(char::is_control)).then(|| s.to_string())
}

impl Serialize for FlightPurpose {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J<'a> {
            serial: Option<String>,
            drone_id: Option<String>,
            purpose: Option<String>,
            #[serde(serialize_with = "crate::util::hex::serialize")]
            rest_hex: &'a [u8],
        }
        let t = self.text();
        J { serial: self.serial_str(), drone_id: t.drone_id, purpose: t.purpose, rest_hex: &self.rest }.serialize(s)
    }
}
