//! Decoded messages of every protocol to one protocol-neutral observation:
//! the identifiers it carries and the values it reports.

use super::state::{HeightRef, IdKind, TrackKey};
use crate::protocol::Message;
use crate::protocol::dji::{DjiMessage, state_bits};
use crate::protocol::odid::{self, Body, HeightType, IdType, OperatorLocationType};

/// A latitude/longitude pair as sent (not yet checked).
pub(crate) type RawPos = (f64, f64);

/// What one message says.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Obs {
    pub keys: Vec<TrackKey>,
    pub position: Option<RawPos>,
    pub h_accuracy_m: Option<f64>,
    pub alt_geo_m: Option<f64>,
    pub alt_baro_m: Option<f64>,
    pub alt_msl_m: Option<f64>,
    pub height: Option<(f64, HeightRef)>,
    pub speed_h_mps: Option<f64>,
    pub course_deg: Option<f64>,
    pub speed_v_mps: Option<f64>,
    pub operator: Option<RawPos>,
    pub operator_alt_geo_m: Option<f64>,
    pub home: Option<RawPos>,
    pub model: Option<String>,
    pub ua_type: Option<String>,
    pub status: Option<String>,
    pub self_id: Option<String>,
    pub operator_id: Option<String>,
    /// Fields the decoder named impossible.
    pub invalid: Vec<&'static str>,
}

impl Obs {
    /// The observation of one message (a message pack: of all its messages).
    pub fn of(m: &Message) -> Obs {
        let mut o = Obs::default();
        match m {
            Message::Odid(om) => o.odid(om),
            Message::French(f) => {
                let serial = f.uas_id_str().and_then(|s| TrackKey::new(IdKind::Serial, &s));
                let fid = f.french_id_str().and_then(|s| TrackKey::new(IdKind::FrenchId, &s));
                o.keys.extend(serial.into_iter().chain(fid));
                o.position = f.lat_deg.zip(f.lon_deg);
                o.alt_msl_m = f.alt_msl_m.map(f64::from);
                o.height = f.height_m.map(|h| (f64::from(h), HeightRef::AboveTakeoff));
                o.home = f.takeoff_lat_deg.zip(f.takeoff_lon_deg);
                o.speed_h_mps = f.speed_h_mps.map(f64::from);
                o.course_deg = f.direction_deg.filter(|&d| d < 360).map(f64::from);
                if let [Some(mfr), Some(model), _] = f.french_id_parts() {
                    o.model = Some(format!("{mfr} {model}"));
                }
            }
            Message::Dji(d) => o.dji(d),
        }
        o
    }

    fn odid(&mut self, m: &odid::Message) {
        match &m.body {
            Body::BasicId(b) => {
                let kind = match b.id_type {
                    IdType::SerialNumber => IdKind::Serial,
                    IdType::CaaRegistration => IdKind::CaaRegistration,
                    IdType::UtmUuid => IdKind::UtmUuid,
                    IdType::SpecificSession => IdKind::SessionId,
                    IdType::None | IdType::Unknown(_) => IdKind::Other,
                };
                if let Some(k) = b.uas_id_string().and_then(|s| TrackKey::new(kind, &s)) {
                    self.keys.push(k);
                }
                if b.ua_type != odid::UaType::None {
                    self.ua_type = Some(b.ua_type.to_string());
                }
            }
            Body::Location(l) => {
                self.position = l.lat_deg.zip(l.lon_deg);
                self.h_accuracy_m = odid::location::h_accuracy_m(l.h_accuracy);
                self.alt_geo_m = l.alt_geo_m;
                self.alt_baro_m = l.alt_baro_m;
                let href = match l.height_type {
                    HeightType::AboveGround => HeightRef::AboveGround,
                    _ => HeightRef::AboveTakeoff,
                };
                self.height = l.height_m.map(|h| (h, href));
                self.speed_h_mps = l.speed_h_mps;
                self.course_deg = l.direction_deg;
                self.speed_v_mps = l.speed_v_mps;
                self.status = Some(l.status.to_string());
                self.invalid.extend(l.invalid.iter().copied());
            }
            Body::System(s) => {
                let pos = s.operator_lat_deg.zip(s.operator_lon_deg);
                self.operator = pos;
                self.operator_alt_geo_m = s.operator_alt_geo_m;
                if s.operator_location_type == OperatorLocationType::Takeoff {
                    self.home = pos;
                }
                self.invalid.extend(s.invalid.iter().copied());
            }
            Body::SelfId(s) => {
                let t = s.text();
                if !t.is_empty() {
                    self.self_id = Some(t);
                }
            }
            Body::OperatorId(op) => {
                let t = op.text();
                if !t.is_empty() {
                    self.operator_id = Some(t);
                }
            }
            Body::Pack(p) => {
                for inner in &p.messages {
                    // a pack inside a pack does not decode; one level is all there is
                    if !matches!(inner.body, Body::Pack(_)) {
                        self.odid(inner);
                    }
                }
            }
            Body::Auth(_) | Body::AuthSignature(_) | Body::Reserved { .. } => {}
        }
    }

    fn dji(&mut self, d: &DjiMessage) {
        if let Some(k) = d.serial().and_then(|s| TrackKey::new(IdKind::Serial, &s)) {
            self.keys.push(k);
        }
        let DjiMessage::FlightInfo { info, .. } = d else { return };
        self.position = info.position_deg();
        self.home = info.home_deg();
        self.operator = info.operator_deg();
        self.alt_geo_m = Some(info.alt_m());
        self.height = Some((info.height_m(), HeightRef::AboveTakeoff));
        let (vn, ve) = (info.v_north_raw as f64 / 100.0, info.v_east_raw as f64 / 100.0);
        let speed = vn.hypot(ve);
        self.speed_h_mps = Some(speed);
        // a course means nothing when standing still
        if speed >= 0.5 {
            self.course_deg = Some(ve.atan2(vn).to_degrees().rem_euclid(360.0));
        }
        self.speed_v_mps = Some(info.v_up_raw as f64 / 100.0);
        self.model = Some(crate::protocol::dji::model_display(info.product_type));
        self.status = Some(if info.state(state_bits::IN_AIR) { "airborne" } else { "ground" }.to_string());
    }
}
