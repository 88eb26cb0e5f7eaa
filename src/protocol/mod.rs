//! Protocol decode: drone ID messages carried inside link-layer frames.
//!
//! The link layer (`crate::link`) walks a frame and yields [`Carrier`]s: the
//! places a drone ID payload can sit (a BLE service-data AD structure, an
//! 802.11 vendor IE, a NAN service descriptor, an OcuSync code block). The
//! [`registry`] maps each carrier to the protocol that decodes it. Adding a
//! protocol is one module here and one entry in [`registry::REGISTRY`].

use serde::Serialize;

pub mod dji;
pub mod french;
pub mod odid;
pub mod registry;

pub use registry::{ProtocolEntry, REGISTRY, decode_carrier};

/// How a drone ID payload travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Transport {
    /// BLE 4 legacy advertising (one ODID message per advert).
    #[serde(rename = "ble4_legacy")]
    Ble4Legacy,
    /// BLE 5 extended advertising (AUX_ADV_IND / AUX_CHAIN_IND, message pack).
    #[serde(rename = "ble5_extended")]
    Ble5Extended,
    /// 802.11 beacon or probe response vendor IE.
    #[serde(rename = "wifi_beacon")]
    WifiBeacon,
    /// Wi-Fi NAN service discovery frame.
    #[serde(rename = "wifi_nan")]
    WifiNan,
    /// DJI OcuSync DroneID burst.
    #[serde(rename = "ocusync")]
    Ocusync,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Ble4Legacy => "ble4_legacy",
            Transport::Ble5Extended => "ble5_extended",
            Transport::WifiBeacon => "wifi_beacon",
            Transport::WifiNan => "wifi_nan",
            Transport::Ocusync => "ocusync",
        }
    }
}

/// Which protocol decoded a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ProtocolId {
    /// ASTM F3411 / ASD-STAN EN 4709-002 Open Drone ID.
    #[serde(rename = "odid")]
    Odid,
    /// French "signalement électronique" beacon (SGDSN TLVs).
    #[serde(rename = "fr_sgdsn")]
    FrenchId,
    /// DJI DroneID in a Wi-Fi beacon vendor IE (OUI 26:37:12).
    #[serde(rename = "dji_wifi")]
    DjiWifi,
    /// DJI DroneID on OcuSync.
    #[serde(rename = "dji_ocusync")]
    DjiOcusync,
}

impl ProtocolId {
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolId::Odid => "odid",
            ProtocolId::FrenchId => "fr_sgdsn",
            ProtocolId::DjiWifi => "dji_wifi",
            ProtocolId::DjiOcusync => "dji_ocusync",
        }
    }
}

/// A place inside a link-layer frame where a drone ID payload may sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier<'a> {
    /// BLE AD structure of type 0x16 (Service Data, 16-bit UUID): `data` is
    /// what follows the UUID.
    BleServiceData16 { transport: Transport, uuid: u16, data: &'a [u8] },
    /// 802.11 vendor-specific IE (id 221): `body` is what follows the OUI.
    WifiVendorIe { transport: Transport, oui: [u8; 3], body: &'a [u8] },
    /// NAN Service Descriptor Attribute: the service ID and its service info.
    NanServiceInfo { service_id: [u8; 6], instance_id: u8, info: &'a [u8] },
    /// A DJI OcuSync code block (176 bytes with CRC-24A).
    OcusyncBlock { block: &'a [u8] },
}

impl Carrier<'_> {
    pub fn transport(&self) -> Transport {
        match *self {
            Carrier::BleServiceData16 { transport, .. } => transport,
            Carrier::WifiVendorIe { transport, .. } => transport,
            Carrier::NanServiceInfo { .. } => Transport::WifiNan,
            Carrier::OcusyncBlock { .. } => Transport::Ocusync,
        }
    }
}

/// One decoded message of any protocol. Serializes flat, with a `msg_type`
/// field naming the message (see docs/DATA_FORMAT.md).
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Odid(odid::Message),
    French(french::FrenchId),
    Dji(dji::DjiMessage),
}

impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Tagged<'a, T: Serialize> {
            msg_type: &'static str,
            #[serde(flatten)]
            inner: &'a T,
        }
        match self {
            Message::Odid(m) => m.serialize(s),
            Message::French(m) => Tagged { msg_type: "fr_id", inner: m }.serialize(s),
            Message::Dji(m) => m.serialize(s),
        }
    }
}

impl Message {
    /// The `msg_type` this message serializes with.
    pub fn msg_type(&self) -> &'static str {
        match self {
            Message::Odid(m) => m.body.msg_type(),
            Message::French(_) => "fr_id",
            Message::Dji(m) => m.msg_type(),
        }
    }
}

/// A decoded drone ID payload: everything one carrier held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payload {
    pub protocol: ProtocolId,
    pub transport: Transport,
    /// The transport's message counter (ODID), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u8>,
    /// For ODID message packs: the protocol version of the pack header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack_version: Option<u8>,
    /// True when the messages came from a message pack.
    pub packed: bool,
    pub messages: Vec<Message>,
}
