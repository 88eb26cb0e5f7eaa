//! System (message type 4): operator position, area, classification, time.

use serde::Serialize;

use super::{MESSAGE_SIZE, altitude, latlon};
use crate::error::{DecodeError, EncodeError};
use crate::util::time;

crate::wire_view! {
    /// Byte layout of a System message.
    pub struct SystemView, min_len = MESSAGE_SIZE;
    /// Reserved (7..5), classification type (4..2), operator location type (1..0).
    flags / set_flags: u8 @ 1;
    operator_lat / set_operator_lat: i32le @ 2;
    operator_lon / set_operator_lon: i32le @ 6;
    area_count / set_area_count: u16le @ 10;
    area_radius / set_area_radius: u8 @ 12;
    area_ceiling / set_area_ceiling: u16le @ 13;
    area_floor / set_area_floor: u16le @ 15;
    /// EU category (7..4), EU class (3..0).
    eu_category_class / set_eu_category_class: u8 @ 17;
    operator_alt_geo / set_operator_alt_geo: u16le @ 18;
    timestamp / set_timestamp: u32le @ 20;
}

crate::enum_with_unknown! {
    /// Where the operator position comes from.
    pub enum OperatorLocationType(u8) {
        Takeoff = 0 => "takeoff",
        LiveGnss = 1 => "live_gnss",
        Fixed = 2 => "fixed",
    }
}

crate::enum_with_unknown! {
    /// Which classification scheme bytes 17 use.
    pub enum ClassificationType(u8) {
        Undeclared = 0 => "undeclared",
        Eu = 1 => "eu",
    }
}

crate::enum_with_unknown! {
    /// EU operation category.
    pub enum EuCategory(u8) {
        Undeclared = 0 => "undeclared",
        Open = 1 => "open",
        Specific = 2 => "specific",
        Certified = 3 => "certified",
    }
}

crate::enum_with_unknown! {
    /// EU aircraft class (C0..C6).
    pub enum EuClass(u8) {
        Undeclared = 0 => "undeclared",
        C0 = 1 => "c0",
        C1 = 2 => "c1",
        C2 = 3 => "c2",
        C3 = 4 => "c3",
        C4 = 5 => "c4",
        C5 = 6 => "c5",
        C6 = 7 => "c6",
    }
}

/// A System message in real units.
///
/// Version differences: classification and operator altitude exist from
/// version 1 on, the timestamp from version 2 on; in older versions those
/// bytes are reserved and decode as `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct System {
    pub operator_location_type: OperatorLocationType,
    pub classification_type: Option<ClassificationType>,
    pub operator_lat_deg: Option<f64>,
    pub operator_lon_deg: Option<f64>,
    /// Number of aircraft in the area (1 for a single aircraft).
    pub area_count: u16,
    /// Area radius in metres, multiples of 10 up to 2550.
    pub area_radius_m: u16,
    pub area_ceiling_m: Option<f64>,
    pub area_floor_m: Option<f64>,
    pub eu_category: EuCategory,
    pub eu_class: EuClass,
    pub operator_alt_geo_m: Option<f64>,
    /// Seconds since 2019-01-01T00:00:00Z; `None` when 0 or before v2.
    pub timestamp: Option<u32>,
    /// Fields whose wire value is impossible (an operator position beyond
    /// ±90/±180°): decoded as absent and named here. Ignored when encoding.
    pub invalid: Vec<&'static str>,
}

impl Default for System {
    fn default() -> Self {
        System {
            operator_location_type: OperatorLocationType::Takeoff,
            classification_type: Some(ClassificationType::Undeclared),
            operator_lat_deg: None,
            operator_lon_deg: None,
            area_count: 1,
            area_radius_m: 0,
            area_ceiling_m: None,
            area_floor_m: None,
            eu_category: EuCategory::Undeclared,
            eu_class: EuClass::Undeclared,
            operator_alt_geo_m: None,
            timestamp: None,
            invalid: Vec::new(),
        }
    }
}

/// Largest area radius (raw 255 × 10 m).
pub const MAX_AREA_RADIUS_M: u16 = 2550;

impl System {
    pub fn parse(m: &[u8; MESSAGE_SIZE], version: u8) -> Result<Self, DecodeError> {
        let v = SystemView::new_unchecked(&m[..]);
        let flags = v.flags();
        let mut invalid = Vec::new();
        let (operator_lat_deg, operator_lon_deg) =
            latlon::decode(v.operator_lat(), v.operator_lon()).unwrap_or_else(|()| {
                invalid.extend(["operator_lat_deg", "operator_lon_deg"]);
                (None, None)
            });
        let cc = v.eu_category_class();
        let v1 = version >= 1;
        let ts = v.timestamp();
        Ok(System {
            operator_location_type: OperatorLocationType::from(flags & 0x03),
            classification_type: v1.then(|| ClassificationType::from((flags >> 2) & 0x07)),
            operator_lat_deg,
            operator_lon_deg,
            area_count: v.area_count(),
            area_radius_m: v.area_radius() as u16 * 10,
            area_ceiling_m: altitude::decode(v.area_ceiling()),
            area_floor_m: altitude::decode(v.area_floor()),
            eu_category: if v1 { EuCategory::from(cc >> 4) } else { EuCategory::Undeclared },
            eu_class: if v1 { EuClass::from(cc & 0x0F) } else { EuClass::Undeclared },
            operator_alt_geo_m: if v1 { altitude::decode(v.operator_alt_geo()) } else { None },
            timestamp: (version >= 2 && ts != 0).then_some(ts),
            invalid,
        })
    }

    pub fn emit(&self, m: &mut [u8; MESSAGE_SIZE], _version: u8) -> Result<(), EncodeError> {
        let olt = self.operator_location_type.value();
        if olt > 3 {
            return Err(EncodeError::new("operator_location_type", format!("{olt} does not fit 2 bits")));
        }
        let ct = self.classification_type.map(|c| c.value()).unwrap_or(0);
        if ct > 7 {
            return Err(EncodeError::new("classification_type", format!("{ct} does not fit 3 bits")));
        }
        let (cat, class) = (self.eu_category.value(), self.eu_class.value());
        if cat > 15 || class > 15 {
            return Err(EncodeError::new("eu_category/eu_class", "does not fit 4 bits"));
        }
        if self.area_radius_m > MAX_AREA_RADIUS_M {
            return Err(EncodeError::new("area_radius_m", format!("{} m > 2550 m", self.area_radius_m)));
        }
        let (lat, lon) = latlon::encode("operator_lat_deg/lon_deg", self.operator_lat_deg, self.operator_lon_deg)?;
        let mut v = SystemView::new_unchecked(&mut m[..]);
        v.set_flags(ct << 2 | olt);
        v.set_operator_lat(lat);
        v.set_operator_lon(lon);
        v.set_area_count(self.area_count);
        v.set_area_radius((self.area_radius_m / 10) as u8);
        v.set_area_ceiling(altitude::encode("area_ceiling_m", self.area_ceiling_m)?);
        v.set_area_floor(altitude::encode("area_floor_m", self.area_floor_m)?);
        v.set_eu_category_class(cat << 4 | class);
        v.set_operator_alt_geo(altitude::encode("operator_alt_geo_m", self.operator_alt_geo_m)?);
        v.set_timestamp(self.timestamp.unwrap_or(0));
        Ok(())
    }

    /// UTC of the system timestamp.
    pub fn timestamp_utc(&self) -> Option<String> {
        self.timestamp.map(|t| time::rfc3339_s(time::ODID_EPOCH_UNIX_S + t as i64))
    }
}

impl Serialize for System {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[serde_with::skip_serializing_none]
        #[derive(Serialize)]
        struct J<'a> {
            operator_location_type: OperatorLocationType,
            operator_lat_deg: Option<f64>,
            operator_lon_deg: Option<f64>,
            operator_alt_geo_m: Option<f64>,
            area_count: u16,
            area_radius_m: u16,
            area_ceiling_m: Option<f64>,
            area_floor_m: Option<f64>,
            classification_type: Option<ClassificationType>,
            eu_category: Option<EuCategory>,
            eu_class: Option<EuClass>,
            timestamp_utc: Option<String>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            invalid: &'a [&'static str],
        }
        let eu = self.classification_type == Some(ClassificationType::Eu);
        J {
            operator_location_type: self.operator_location_type,
            operator_lat_deg: self.operator_lat_deg,
            operator_lon_deg: self.operator_lon_deg,
            operator_alt_geo_m: self.operator_alt_geo_m,
            area_count: self.area_count,
            area_radius_m: self.area_radius_m,
            area_ceiling_m: self.area_ceiling_m,
            area_floor_m: self.area_floor_m,
            classification_type: self.classification_type,
            eu_category: eu.then_some(self.eu_category),
            eu_class: eu.then_some(self.eu_class),
            timestamp_utc: self.timestamp_utc(),
            invalid: &self.invalid,
        }
        .serialize(s)
    }
}
