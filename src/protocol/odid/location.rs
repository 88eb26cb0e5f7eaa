//! Location/Vector (message type 1): where the aircraft is and where it goes.

use serde::Serialize;

use super::{MESSAGE_SIZE, altitude, latlon};
use crate::error::{DecodeError, EncodeError};

crate::wire_view! {
    /// Byte layout of a Location/Vector message.
    pub struct LocationView, min_len = MESSAGE_SIZE;
    /// Status (7..4), reserved (3), height type (2), E/W direction (1), speed multiplier (0).
    flags / set_flags: u8 @ 1;
    direction / set_direction: u8 @ 2;
    speed_h / set_speed_h: u8 @ 3;
    speed_v / set_speed_v: i8 @ 4;
    lat / set_lat: i32le @ 5;
    lon / set_lon: i32le @ 9;
    alt_baro / set_alt_baro: u16le @ 13;
    alt_geo / set_alt_geo: u16le @ 15;
    height / set_height: u16le @ 17;
    /// Vertical accuracy (7..4), horizontal accuracy (3..0).
    accuracy_vh / set_accuracy_vh: u8 @ 19;
    /// Barometric altitude accuracy (7..4), speed accuracy (3..0).
    accuracy_bs / set_accuracy_bs: u8 @ 20;
    timestamp / set_timestamp: u16le @ 21;
    /// Reserved (7..4), timestamp accuracy (3..0).
    ts_accuracy / set_ts_accuracy: u8 @ 23;
}

crate::enum_with_unknown! {
    /// Operational status.
    pub enum OperationalStatus(u8) {
        Undeclared = 0 => "undeclared",
        Ground = 1 => "ground",
        Airborne = 2 => "airborne",
        Emergency = 3 => "emergency",
        RemoteIdSystemFailure = 4 => "remote_id_system_failure",
    }
}

crate::enum_with_unknown! {
    /// What the height field is measured from.
    pub enum HeightType(u8) {
        AboveTakeoff = 0 => "above_takeoff",
        AboveGround = 1 => "above_ground",
    }
}

/// Horizontal accuracy (95 %) codes to metres; 0 and reserved codes are unknown.
pub fn h_accuracy_m(code: u8) -> Option<f64> {
    const T: [f64; 12] = [18520.0, 7408.0, 3704.0, 1852.0, 926.0, 555.6, 185.2, 92.6, 30.0, 10.0, 3.0, 1.0];
    (1..=12).contains(&code).then(|| T[code as usize - 1])
}

/// Vertical and barometric accuracy codes to metres.
pub fn v_accuracy_m(code: u8) -> Option<f64> {
    const T: [f64; 6] = [150.0, 45.0, 25.0, 10.0, 3.0, 1.0];
    (1..=6).contains(&code).then(|| T[code as usize - 1])
}

/// Speed accuracy codes to m/s.
pub fn speed_accuracy_mps(code: u8) -> Option<f64> {
    const T: [f64; 4] = [10.0, 3.0, 1.0, 0.3];
    (1..=4).contains(&code).then(|| T[code as usize - 1])
}

/// Raw value of an unknown timestamp (v1.1 and later).
pub const TIMESTAMP_UNKNOWN: u16 = 0xFFFF;

/// A Location/Vector message in real units. `None` is "unknown".
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub status: OperationalStatus,
    pub height_type: HeightType,
    /// Track over ground, degrees from true north, 0..360.
    pub direction_deg: Option<f64>,
    /// Ground speed, 0..254.25 m/s.
    pub speed_h_mps: Option<f64>,
    /// Exactly 63.75 m/s can be sent on either scale (raw 255 ×0.25, or raw
    /// 0 ×0.75 + 63.75); this records that the second was used, so decoding
    /// and re-encoding gives the same bits. It changes nothing else.
    pub speed_h_high_scale: bool,
    /// Vertical speed, up positive, −62..62 m/s.
    pub speed_v_mps: Option<f64>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    /// Pressure altitude (standard atmosphere).
    pub alt_baro_m: Option<f64>,
    /// Geodetic altitude, WGS-84 height above ellipsoid.
    pub alt_geo_m: Option<f64>,
    /// Height above take-off or ground, per `height_type`.
    pub height_m: Option<f64>,
    /// Accuracy codes (ASTM tables; see [`h_accuracy_m`] and friends).
    pub h_accuracy: u8,
    pub v_accuracy: u8,
    pub baro_accuracy: u8,
    pub speed_accuracy: u8,
    /// Tenths of a second since the start of the UTC hour (0..36000).
    pub timestamp_tenths: Option<u16>,
    /// Timestamp accuracy code: n × 0.1 s, 0 = unknown.
    pub timestamp_accuracy: u8,
    /// Fields whose wire value is impossible (direction over 359 or against
    /// its E/W bit, vertical speed beyond ±62 m/s, position beyond ±90/±180°,
    /// timestamp over 36000 tenths): decoded as absent and named here.
    /// Ignored when encoding.
    pub invalid: Vec<&'static str>,
}

impl Default for Location {
    fn default() -> Self {
        Location {
            status: OperationalStatus::Undeclared,
            height_type: HeightType::AboveTakeoff,
            direction_deg: None,
            speed_h_mps: None,
            speed_h_high_scale: false,
            speed_v_mps: None,
            lat_deg: None,
            lon_deg: None,
            alt_baro_m: None,
            alt_geo_m: None,
            height_m: None,
            h_accuracy: 0,
            v_accuracy: 0,
            baro_accuracy: 0,
            speed_accuracy: 0,
            timestamp_tenths: None,
            timestamp_accuracy: 0,
            invalid: Vec::new(),
        }
    }
}

impl Location {
    pub fn parse(m: &[u8; MESSAGE_SIZE], _version: u8) -> Result<Self, DecodeError> {
        let v = LocationView::new_unchecked(&m[..]);
        let flags = v.flags();
        let ew = flags & 0x02 != 0;
        let mult = flags & 0x01 != 0;

        let mut invalid = Vec::new();
        let raw_dir = v.direction() as u32;
        let direction_deg = match (raw_dir, ew) {
            (181, true) => None, // 361: unknown
            (d, false) if d < 180 => Some(d as f64),
            (d, true) if d < 180 => Some(d as f64 + 180.0),
            _ => {
                invalid.push("direction_deg");
                None
            }
        };

        let sh = v.speed_h();
        let speed_h_mps = match (mult, sh) {
            (true, 255) => None,
            (false, r) => Some(r as f64 * 0.25),
            (true, r) => Some(r as f64 * 0.75 + 63.75),
        };
        let sv = v.speed_v();
        let speed_v_mps = match sv {
            126 => None,
            -124..=124 => Some(sv as f64 * 0.5),
            _ => {
                invalid.push("speed_v_mps");
                None
            }
        };

        let (lat_deg, lon_deg) = latlon::decode(v.lat(), v.lon()).unwrap_or_else(|()| {
            invalid.extend(["lat_deg", "lon_deg"]);
            (None, None)
        });
        let ts = v.timestamp();
        let timestamp_tenths = match ts {
            TIMESTAMP_UNKNOWN => None,
            0..=36000 => Some(ts),
            _ => {
                invalid.push("timestamp_s");
                None
            }
        };
        Ok(Location {
            status: OperationalStatus::from(flags >> 4),
            height_type: HeightType::from((flags >> 2) & 1),
            direction_deg,
            speed_h_mps,
            speed_h_high_scale: mult && sh == 0,
            speed_v_mps,
            lat_deg,
            lon_deg,
            alt_baro_m: altitude::decode(v.alt_baro()),
            alt_geo_m: altitude::decode(v.alt_geo()),
            height_m: altitude::decode(v.height()),
            h_accuracy: v.accuracy_vh() & 0x0F,
            v_accuracy: v.accuracy_vh() >> 4,
            baro_accuracy: v.accuracy_bs() >> 4,
            speed_accuracy: v.accuracy_bs() & 0x0F,
            timestamp_tenths,
            timestamp_accuracy: v.ts_accuracy() & 0x0F,
            invalid,
        })
    }

    pub fn emit(&self, m: &mut [u8; MESSAGE_SIZE], _version: u8) -> Result<(), EncodeError> {
        let status = self.status.value();
        let ht = self.height_type.value();
        for (name, code) in [
            ("status", status),
            ("h_accuracy", self.h_accuracy),
            ("v_accuracy", self.v_accuracy),
            ("baro_accuracy", self.baro_accuracy),
            ("speed_accuracy", self.speed_accuracy),
            ("timestamp_accuracy", self.timestamp_accuracy),
        ] {
            if code > 15 {
                return Err(EncodeError::new(name, format!("{code} does not fit 4 bits")));
            }
        }
        if ht > 1 {
            return Err(EncodeError::new("height_type", format!("{ht} does not fit 1 bit")));
        }
        let (dir, ew) = encode_direction(self.direction_deg)?;
        let (sh, mult) = encode_speed_h(self.speed_h_mps, self.speed_h_high_scale)?;
        let sv = encode_speed_v(self.speed_v_mps)?;
        let (lat, lon) = latlon::encode("lat_deg/lon_deg", self.lat_deg, self.lon_deg)?;
        let ts = match self.timestamp_tenths {
            None => TIMESTAMP_UNKNOWN,
            Some(t) if t <= 36000 => t,
            Some(t) => return Err(EncodeError::new("timestamp", format!("{t} tenths > 36000"))),
        };

        let mut v = LocationView::new_unchecked(&mut m[..]);
        v.set_flags(status << 4 | ht << 2 | (ew as u8) << 1 | mult as u8);
        v.set_direction(dir);
        v.set_speed_h(sh);
        v.set_speed_v(sv);
        v.set_lat(lat);
        v.set_lon(lon);
        v.set_alt_baro(altitude::encode("alt_baro_m", self.alt_baro_m)?);
        v.set_alt_geo(altitude::encode("alt_geo_m", self.alt_geo_m)?);
        v.set_height(altitude::encode("height_m", self.height_m)?);
        v.set_accuracy_vh(self.v_accuracy << 4 | self.h_accuracy);
        v.set_accuracy_bs(self.baro_accuracy << 4 | self.speed_accuracy);
        v.set_timestamp(ts);
        v.set_ts_accuracy(self.timestamp_accuracy);
        Ok(())
    }

    /// Seconds since the start of the UTC hour.
    pub fn timestamp_s(&self) -> Option<f64> {
        self.timestamp_tenths.map(|t| t as f64 / 10.0)
    }

    /// Sets the timestamp from seconds since the hour with the reference
    /// library's rule: round(s × 10) in single precision, clamped to 0..36000.
    pub fn set_timestamp_s(&mut self, s: Option<f64>) -> Result<(), EncodeError> {
        self.timestamp_tenths = match s {
            None => None,
            Some(s) if (0.0..=3600.0).contains(&s) => Some(((s as f32) * 10.0f32).round().clamp(0.0, 36000.0) as u16),
            Some(s) => return Err(EncodeError::new("timestamp", format!("{s} s outside 0..3600 s"))),
        };
        Ok(())
    }
}

/// Direction: round to an integer degree (single precision, half away from
/// zero); 360 wraps to 0; ≥ 180 sets E/W and subtracts 180; 361 = unknown.
fn encode_direction(d: Option<f64>) -> Result<(u8, bool), EncodeError> {
    let d = d.unwrap_or(361.0);
    if !(0.0..=361.0).contains(&d) || (d > 360.0 && d < 361.0) {
        return Err(EncodeError::new("direction_deg", format!("{d} outside 0..360 (361 = unknown)")));
    }
    let mut i = (d as f32).round() as u32;
    if i == 360 {
        i = 0;
    }
    Ok(if i < 180 { (i as u8, false) } else { ((i - 180).min(255) as u8, true) })
}

/// Horizontal speed: ≤ 63.75 m/s in 0.25 m/s steps, above in 0.75 m/s steps
/// from 63.75 (multiplier bit set), rounded; 255 = unknown.
fn encode_speed_h(v: Option<f64>, high_scale: bool) -> Result<(u8, bool), EncodeError> {
    let v = v.unwrap_or(255.0);
    if !(0.0..=255.0).contains(&v) || (v > 254.25 && v < 255.0) {
        return Err(EncodeError::new("speed_h_mps", format!("{v} outside 0..254.25 m/s (255 = unknown)")));
    }
    if v == 255.0 {
        return Ok((255, true));
    }
    if v == 63.75 && high_scale {
        return Ok((0, true));
    }
    let f = v as f32;
    if f <= 63.75 {
        Ok(((f / 0.25f32).round().min(255.0) as u8, false))
    } else {
        Ok((((f - 63.75f32) / 0.75f32).round().clamp(0.0, 254.0) as u8, true))
    }
}

/// Vertical speed: trunc(v / 0.5) toward zero, −62..62 m/s; 63 = unknown.
fn encode_speed_v(v: Option<f64>) -> Result<i8, EncodeError> {
    let v = v.unwrap_or(63.0);
    if !(-62.0..=63.0).contains(&v) || (v > 62.0 && v < 63.0) {
        return Err(EncodeError::new("speed_v_mps", format!("{v} outside -62..62 m/s (63 = unknown)")));
    }
    Ok(((v as f32) / 0.5f32) as i32 as i8)
}

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J<'a> {
            status: OperationalStatus,
            lat_deg: Option<f64>,
            lon_deg: Option<f64>,
            alt_geo_m: Option<f64>,
            alt_baro_m: Option<f64>,
            height_m: Option<f64>,
            height_type: HeightType,
            direction_deg: Option<f64>,
            speed_h_mps: Option<f64>,
            speed_v_mps: Option<f64>,
            h_accuracy_m: Option<f64>,
            v_accuracy_m: Option<f64>,
            baro_accuracy_m: Option<f64>,
            speed_accuracy_mps: Option<f64>,
            timestamp_s: Option<f64>,
            timestamp_accuracy_s: Option<f64>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            invalid: &'a [&'static str],
        }
        J {
            status: self.status,
            lat_deg: self.lat_deg,
            lon_deg: self.lon_deg,
            alt_geo_m: self.alt_geo_m,
            alt_baro_m: self.alt_baro_m,
            height_m: self.height_m,
            height_type: self.height_type,
            direction_deg: self.direction_deg,
            speed_h_mps: self.speed_h_mps,
            speed_v_mps: self.speed_v_mps,
            h_accuracy_m: h_accuracy_m(self.h_accuracy),
            v_accuracy_m: v_accuracy_m(self.v_accuracy),
            baro_accuracy_m: v_accuracy_m(self.baro_accuracy),
            speed_accuracy_mps: speed_accuracy_mps(self.speed_accuracy),
            timestamp_s: self.timestamp_s(),
            timestamp_accuracy_s: (self.timestamp_accuracy != 0).then(|| self.timestamp_accuracy as f64 / 10.0),
            invalid: &self.invalid,
        }
        .serialize(s)
    }
}
