//! Open Drone ID: ASTM F3411-19 / F3411-22a and ASD-STAN EN 4709-002 messages
//! (protocol versions 0, 1 and 2), bit-exact with the opendroneid-core-c
//! reference library in both directions.
//!
//! Every message is 25 bytes: byte 0 holds the message type (high nibble)
//! and protocol version (low nibble). [`Message::parse`] decodes any of them
//! (and message packs); [`Message::emit`] encodes with the reference
//! library's rounding, truncation and range rules.
//!
//! Values the standard reserves for "unknown" decode to `None`, never to a
//! number: direction 361°, speed 255 m/s, vertical speed 63 m/s, altitude
//! raw 0 (−1000 m), latitude and longitude both 0, timestamp 0xFFFF.

use serde::Serialize;

use crate::error::{DecodeError, EncodeError};

pub mod auth;
pub mod basic_id;
pub mod location;
pub mod operator_id;
pub mod pack;
pub mod self_id;
pub mod system;
pub mod transport;

pub use auth::{AuthPage, AuthReassembler, AuthSignature, AuthType};
pub use basic_id::{BasicId, IdType, UaType};
pub use location::{HeightType, Location, OperationalStatus};
pub use operator_id::{OperatorId, OperatorIdType};
pub use pack::MessagePack;
pub use self_id::{DescType, SelfId};
pub use system::{ClassificationType, EuCategory, EuClass, OperatorLocationType, System};

/// Size of every ODID message.
pub const MESSAGE_SIZE: usize = 25;
/// The protocol version this codec writes by default (F3411-22a).
pub const PROTOCOL_VERSION: u8 = 2;

crate::enum_with_unknown! {
    /// Message type: the high nibble of byte 0.
    pub enum MessageType(u8) {
        BasicId = 0 => "basic_id",
        Location = 1 => "location",
        Auth = 2 => "auth",
        SelfId = 3 => "self_id",
        System = 4 => "system",
        OperatorId = 5 => "operator_id",
        Pack = 15 => "message_pack",
    }
}

/// Byte 0 of every message.
pub mod header {
    pub const TYPE_VERSION: usize = 0;

    pub fn split(b: u8) -> (u8, u8) {
        (b >> 4, b & 0x0F)
    }

    pub fn join(msg_type: u8, version: u8) -> u8 {
        (msg_type << 4) | (version & 0x0F)
    }
}

/// One ODID message with its protocol version.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Protocol version nibble: 0 = F3411-19, 1 = EN 4709-002 P1 / F3411
    /// v1.1 draft, 2 = F3411-22a; 3..14 are decoded like 2.
    pub version: u8,
    pub body: Body,
}

/// The content of a message, by type.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    BasicId(BasicId),
    Location(Location),
    Auth(AuthPage),
    SelfId(SelfId),
    System(System),
    OperatorId(OperatorId),
    Pack(MessagePack),
    /// A message of a reserved type (6..14): kept raw, never an error.
    Reserved {
        msg_type: u8,
        raw: [u8; MESSAGE_SIZE],
    },
    /// Not a wire message: a multi-page authentication signature put back
    /// together by [`AuthReassembler`].
    AuthSignature(AuthSignature),
}

impl Body {
    pub fn msg_type(&self) -> &'static str {
        match self {
            Body::BasicId(_) => "basic_id",
            Body::Location(_) => "location",
            Body::Auth(_) => "auth",
            Body::SelfId(_) => "self_id",
            Body::System(_) => "system",
            Body::OperatorId(_) => "operator_id",
            Body::Pack(_) => "message_pack",
            Body::Reserved { .. } => "reserved",
            Body::AuthSignature(_) => "auth_signature",
        }
    }

    /// The wire message type, if this is a wire message.
    pub fn wire_type(&self) -> Option<MessageType> {
        Some(match self {
            Body::BasicId(_) => MessageType::BasicId,
            Body::Location(_) => MessageType::Location,
            Body::Auth(_) => MessageType::Auth,
            Body::SelfId(_) => MessageType::SelfId,
            Body::System(_) => MessageType::System,
            Body::OperatorId(_) => MessageType::OperatorId,
            Body::Pack(_) => MessageType::Pack,
            Body::Reserved { msg_type, .. } => MessageType::Unknown(*msg_type),
            Body::AuthSignature(_) => return None,
        })
    }
}

impl Message {
    /// Decodes one message, or a message pack, from the start of `buf`.
    /// Bytes after the message (or after the pack's N messages) are ignored.
    pub fn parse(buf: &[u8]) -> Result<Message, DecodeError> {
        DecodeError::check_len("odid message", buf, 1)?;
        let (t, version) = header::split(buf[header::TYPE_VERSION]);
        if t == 0xF {
            return Ok(Message { version, body: Body::Pack(MessagePack::parse(buf)?) });
        }
        DecodeError::check_len("odid message", buf, MESSAGE_SIZE)?;
        let m: &[u8; MESSAGE_SIZE] = match buf[..MESSAGE_SIZE].try_into() {
            Ok(m) => m,
            Err(_) => return Err(DecodeError::length("odid message", MESSAGE_SIZE, buf.len())),
        };
        Self::parse_single(m)
    }

    /// Decodes one 25-byte message (never a pack).
    pub fn parse_single(m: &[u8; MESSAGE_SIZE]) -> Result<Message, DecodeError> {
        let (t, version) = header::split(m[0]);
        let body = match MessageType::from(t) {
            MessageType::BasicId => Body::BasicId(BasicId::parse(m, version)?),
            MessageType::Location => Body::Location(Location::parse(m, version)?),
            MessageType::Auth => Body::Auth(AuthPage::parse(m, version)?),
            MessageType::SelfId => Body::SelfId(SelfId::parse(m, version)?),
            MessageType::System => Body::System(System::parse(m, version)?),
            MessageType::OperatorId => Body::OperatorId(OperatorId::parse(m, version)?),
            MessageType::Pack => {
                return Err(DecodeError::sanity("odid message", "a message pack inside a message pack"));
            }
            MessageType::Unknown(t) => Body::Reserved { msg_type: t, raw: *m },
        };
        Ok(Message { version, body })
    }

    /// Encodes the message (a pack encodes to 3 + 25·N bytes).
    pub fn emit(&self) -> Result<Vec<u8>, EncodeError> {
        if let Body::Pack(p) = &self.body {
            return p.emit(self.version);
        }
        Ok(self.emit_single()?.to_vec())
    }

    /// Encodes a single (non-pack) message into its 25 bytes.
    pub fn emit_single(&self) -> Result<[u8; MESSAGE_SIZE], EncodeError> {
        let mut m = [0u8; MESSAGE_SIZE];
        let v = self.version;
        let t = match &self.body {
            Body::BasicId(b) => {
                b.emit(&mut m)?;
                MessageType::BasicId
            }
            Body::Location(b) => {
                b.emit(&mut m, v)?;
                MessageType::Location
            }
            Body::Auth(b) => {
                b.emit(&mut m, v)?;
                MessageType::Auth
            }
            Body::SelfId(b) => {
                b.emit(&mut m)?;
                MessageType::SelfId
            }
            Body::System(b) => {
                b.emit(&mut m, v)?;
                MessageType::System
            }
            Body::OperatorId(b) => {
                b.emit(&mut m)?;
                MessageType::OperatorId
            }
            Body::Reserved { raw, .. } => return Ok(*raw),
            Body::Pack(_) => {
                return Err(EncodeError::new("message", "a message pack is not a single message"));
            }
            Body::AuthSignature(_) => {
                return Err(EncodeError::new("message", "a reassembled signature is sent as authentication pages"));
            }
        };
        if v > 0x0F {
            return Err(EncodeError::new("protocol version", format!("{v} does not fit 4 bits")));
        }
        m[0] = header::join(t.value(), v);
        Ok(m)
    }

    /// A version-2 message with `body`.
    pub fn v2(body: Body) -> Message {
        Message { version: PROTOCOL_VERSION, body }
    }
}

impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Tagged<'a, T: Serialize> {
            msg_type: &'static str,
            proto_version: u8,
            #[serde(flatten)]
            inner: &'a T,
        }
        #[derive(Serialize)]
        struct ReservedJson {
            #[serde(rename = "reserved_type")]
            msg_type: u8,
            #[serde(serialize_with = "crate::util::hex::serialize")]
            raw_hex: [u8; MESSAGE_SIZE],
        }
        let t = self.body.msg_type();
        let version = self.version;
        match &self.body {
            Body::BasicId(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::Location(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::Auth(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::SelfId(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::System(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::OperatorId(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::Pack(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::AuthSignature(b) => Tagged { msg_type: t, proto_version: version, inner: b }.serialize(s),
            Body::Reserved { msg_type, raw } => Tagged {
                msg_type: t,
                proto_version: version,
                inner: &ReservedJson { msg_type: *msg_type, raw_hex: *raw },
            }
            .serialize(s),
        }
    }
}

/// Altitude-like fields: raw = trunc((alt + 1000) / 0.5) computed in f32 as
/// the reference library does, range −1000..31767.5 m; raw 0 is "unknown".
pub(crate) mod altitude {
    use crate::error::EncodeError;

    pub const MIN: f64 = -1000.0;
    pub const MAX: f64 = 31767.5;

    pub fn decode(raw: u16) -> Option<f64> {
        if raw == 0 { None } else { Some(raw as f64 * 0.5 - 1000.0) }
    }

    pub fn encode(field: &'static str, v: Option<f64>) -> Result<u16, EncodeError> {
        let Some(v) = v else { return Ok(0) };
        if !(MIN..=MAX).contains(&v) {
            return Err(EncodeError::new(field, format!("{v} m outside -1000..31767.5 m")));
        }
        let x = ((v as f32 + 1000.0f32) / 0.5f32) as i64; // truncation toward zero
        Ok(x.clamp(0, u16::MAX as i64) as u16)
    }
}

/// Latitude/longitude: int32 in 1e-7 degrees, rounded; both 0 = unknown.
pub(crate) mod latlon {
    use crate::error::EncodeError;

    /// Both 0 is "unknown". A position outside ±90°/±180° is impossible: it
    /// decodes as absent and the caller names it in the message's `invalid`
    /// list (`Err(())`), never failing the message or its pack.
    #[allow(clippy::result_unit_err)]
    pub fn decode(lat: i32, lon: i32) -> Result<(Option<f64>, Option<f64>), ()> {
        if lat == 0 && lon == 0 {
            return Ok((None, None));
        }
        if !(-900_000_000..=900_000_000).contains(&lat) || !(-1_800_000_000..=1_800_000_000).contains(&lon) {
            return Err(());
        }
        Ok((Some(lat as f64 / 1e7), Some(lon as f64 / 1e7)))
    }

    pub fn encode(field: &'static str, lat: Option<f64>, lon: Option<f64>) -> Result<(i32, i32), EncodeError> {
        let lat = lat.unwrap_or(0.0);
        let lon = lon.unwrap_or(0.0);
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(EncodeError::new(field, format!("{lat} {lon} outside ±90/±180 degrees")));
        }
        Ok(((lat * 1e7).round() as i32, (lon * 1e7).round() as i32))
    }
}

#[cfg(test)]
mod tests;
