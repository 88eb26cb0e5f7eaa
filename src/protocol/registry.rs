//! The one table that says which protocol decodes which carrier.
//!
//! To add a protocol: write its module, then add one [`ProtocolEntry`] here.
//! Entries are tried in order; the first whose `matches` accepts the carrier
//! decodes it.

use super::{Carrier, Payload, ProtocolId, Transport, dji, french, odid};
use crate::error::DecodeError;

/// How to recognise and decode one protocol's carrier.
pub struct ProtocolEntry {
    pub protocol: ProtocolId,
    /// What the entry recognises, for `--help` texts and docs.
    pub description: &'static str,
    pub matches: fn(&Carrier<'_>) -> bool,
    pub decode: fn(&Carrier<'_>) -> Result<Payload, DecodeError>,
}

pub static REGISTRY: &[ProtocolEntry] = &[
    ProtocolEntry {
        protocol: ProtocolId::Odid,
        description: "ODID in BLE service data, UUID 0xFFFA, app code 0x0D (BT4 legacy, BT5 extended)",
        matches: |c| matches!(c, Carrier::BleServiceData16 { uuid: odid::transport::BLE_UUID, .. }),
        decode: |c| match *c {
            Carrier::BleServiceData16 { transport, data, .. } => odid::transport::decode_service_data(transport, data),
            _ => Err(mismatch()),
        },
    },
    ProtocolEntry {
        protocol: ProtocolId::Odid,
        description: "ODID in an 802.11 beacon vendor IE, OUI FA-0B-BC or 90-3A-E6, type 0x0D",
        matches: |c| matches!(c, Carrier::WifiVendorIe { oui, .. } if odid::transport::WIFI_OUIS.contains(oui)),
        decode: |c| match *c {
            Carrier::WifiVendorIe { transport, body, .. } => odid::transport::decode_vendor_ie(transport, body),
            _ => Err(mismatch()),
        },
    },
    ProtocolEntry {
        protocol: ProtocolId::Odid,
        description: "ODID in a Wi-Fi NAN service discovery frame, service ID 88 69 19 9D 92 09",
        matches: |c| matches!(c, Carrier::NanServiceInfo { service_id, .. } if *service_id == odid::transport::NAN_SERVICE_ID),
        decode: |c| match *c {
            Carrier::NanServiceInfo { info, .. } => odid::transport::decode_nan_service_info(info),
            _ => Err(mismatch()),
        },
    },
    ProtocolEntry {
        protocol: ProtocolId::FrenchId,
        description: "French SGDSN beacon TLVs in a vendor IE, OUI 6A-5C-35, type 0x01",
        matches: |c| matches!(c, Carrier::WifiVendorIe { oui: french::OUI, .. }),
        decode: |c| match *c {
            Carrier::WifiVendorIe { transport, body, .. } => {
                let tlvs = match body.split_first() {
                    Some((&french::OUI_TYPE, rest)) => rest,
                    Some((&t, _)) => {
                        return Err(DecodeError::unsupported(
                            "french beacon IE",
                            format!("vendor type {t:#04x} (expected 0x01)"),
                        ));
                    }
                    None => return Err(DecodeError::length("french beacon IE", 1, 0)),
                };
                Ok(single(ProtocolId::FrenchId, transport, super::Message::French(french::parse(tlvs)?)))
            }
            _ => Err(mismatch()),
        },
    },
    ProtocolEntry {
        protocol: ProtocolId::DjiWifi,
        description: "DJI DroneID in a Wi-Fi beacon vendor IE, OUI 26:37:12",
        matches: |c| matches!(c, Carrier::WifiVendorIe { oui: dji::wifi::OUI, .. }),
        decode: |c| match *c {
            Carrier::WifiVendorIe { transport, body, .. } => {
                Ok(single(ProtocolId::DjiWifi, transport, super::Message::Dji(dji::wifi::parse(body)?)))
            }
            _ => Err(mismatch()),
        },
    },
    ProtocolEntry {
        protocol: ProtocolId::DjiOcusync,
        description: "DJI DroneID on OcuSync: 176-byte code block, CRC-24A, message types 0x10/0x11",
        matches: |c| matches!(c, Carrier::OcusyncBlock { .. }),
        decode: |c| match *c {
            Carrier::OcusyncBlock { block } => Ok(single(
                ProtocolId::DjiOcusync,
                Transport::Ocusync,
                super::Message::Dji(dji::ocusync::parse_block(block)?),
            )),
            _ => Err(mismatch()),
        },
    },
];

fn mismatch() -> DecodeError {
    DecodeError::unsupported("registry", "carrier does not fit the entry")
}

fn single(protocol: ProtocolId, transport: Transport, m: super::Message) -> Payload {
    Payload { protocol, transport, counter: None, pack_version: None, packed: false, messages: vec![m] }
}

/// Decodes a carrier with the first registry entry that accepts it; `None`
/// when no protocol claims it (an ordinary vendor IE, another service UUID).
pub fn decode_carrier(c: &Carrier<'_>) -> Option<(ProtocolId, Result<Payload, DecodeError>)> {
    REGISTRY.iter().find(|e| (e.matches)(c)).map(|e| (e.protocol, (e.decode)(c)))
}
