//! How ODID messages ride on BLE and Wi-Fi: the counter-prefixed payloads of
//! BLE service data (UUID 0xFFFA), the Wi-Fi beacon vendor IE and the NAN
//! service descriptor, decoding and encoding.

use super::{Body, Message, MessagePack};
use crate::error::{DecodeError, EncodeError};
use crate::protocol::{Payload, ProtocolId, Transport};

/// 16-bit service UUID assigned to ASTM International for Remote ID.
pub const BLE_UUID: u16 = 0xFFFA;
/// Application code for Open Drone ID inside the 0xFFFA service data.
pub const APP_CODE_ODID: u8 = 0x0D;
/// Vendor IE OUIs: ASD-STAN (FA-0B-BC) and the early Parrot one (90-3A-E6).
pub const WIFI_OUIS: [[u8; 3]; 2] = [[0xFA, 0x0B, 0xBC], [0x90, 0x3A, 0xE6]];
/// The OUI type byte that follows the OUI in the vendor IE.
pub const WIFI_OUI_TYPE: u8 = 0x0D;
/// NAN service ID: the first 6 bytes of SHA-256("org.opendroneid.remoteid").
pub const NAN_SERVICE_ID: [u8; 6] = [0x88, 0x69, 0x19, 0x9D, 0x92, 0x09];

/// Decodes `counter, message-or-pack` into a payload.
fn decode_counted(transport: Transport, what: &'static str, buf: &[u8]) -> Result<Payload, DecodeError> {
    let (&counter, rest) = buf.split_first().ok_or_else(|| DecodeError::length(what, 1, 0))?;
    let msg = Message::parse(rest)?;
    let (packed, pack_version, messages) = match msg.body {
        Body::Pack(p) => (true, Some(msg.version), p.messages),
        _ => (false, None, vec![msg]),
    };
    Ok(Payload {
        protocol: ProtocolId::Odid,
        transport,
        counter: Some(counter),
        pack_version,
        packed,
        messages: messages.into_iter().map(crate::protocol::Message::Odid).collect(),
    })
}

/// Service data after the 0xFFFA UUID: app code 0x0D, counter, message (BT4)
/// or message pack (BT5).
pub fn decode_service_data(transport: Transport, data: &[u8]) -> Result<Payload, DecodeError> {
    let (&app, rest) = data.split_first().ok_or_else(|| DecodeError::length("ble service data 0xfffa", 1, 0))?;
    if app != APP_CODE_ODID {
        return Err(DecodeError::unsupported(
            "ble service data 0xfffa",
            format!("application code {app:#04x} (Open Drone ID is 0x0d)"),
        ));
    }
    decode_counted(transport, "ble service data 0xfffa", rest)
}

/// Vendor IE body after the OUI: type 0x0D, counter, message pack.
pub fn decode_vendor_ie(transport: Transport, body: &[u8]) -> Result<Payload, DecodeError> {
    let (&t, rest) = body.split_first().ok_or_else(|| DecodeError::length("odid vendor ie", 1, 0))?;
    if t != WIFI_OUI_TYPE {
        return Err(DecodeError::unsupported("odid vendor ie", format!("OUI type {t:#04x} (Open Drone ID is 0x0d)")));
    }
    decode_counted(transport, "odid vendor ie", rest)
}

/// NAN service info: counter, message pack.
pub fn decode_nan_service_info(info: &[u8]) -> Result<Payload, DecodeError> {
    decode_counted(Transport::WifiNan, "nan service info", info)
}

/// The whole BLE AD structure `len 16 FA FF 0D counter <message or pack>`.
pub fn ble_service_data_ad(counter: u8, message: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let len = 1 + 2 + 1 + 1 + message.len();
    if len > 255 {
        return Err(EncodeError::new("ble service data", format!("{len} bytes do not fit an AD structure")));
    }
    let mut out = Vec::with_capacity(len + 1);
    out.extend_from_slice(&[len as u8, 0x16]);
    out.extend_from_slice(&BLE_UUID.to_le_bytes());
    out.extend_from_slice(&[APP_CODE_ODID, counter]);
    out.extend_from_slice(message);
    Ok(out)
}

/// The whole vendor IE `DD len FA 0B BC 0D counter <pack>`.
pub fn wifi_vendor_ie(counter: u8, pack: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let len = 3 + 1 + 1 + pack.len();
    if len > 255 {
        return Err(EncodeError::new("vendor ie", format!("{len} bytes do not fit an IE")));
    }
    let mut out = Vec::with_capacity(len + 2);
    out.extend_from_slice(&[0xDD, len as u8]);
    out.extend_from_slice(&WIFI_OUIS[0]);
    out.extend_from_slice(&[WIFI_OUI_TYPE, counter]);
    out.extend_from_slice(pack);
    Ok(out)
}

/// Encodes a pack of `messages` with header version `version`.
pub fn pack(version: u8, messages: Vec<Message>) -> Result<Vec<u8>, EncodeError> {
    MessagePack { messages }.emit(version)
}

/// The NAN attributes of an ODID service discovery frame: the Service
/// Descriptor (publish, service info = counter + pack) and the Service
/// Descriptor Extension whose update indicator repeats the counter.
pub fn nan_attributes(instance_id: u8, counter: u8, pack: &[u8]) -> Result<Vec<u8>, EncodeError> {
    use crate::link::nan;
    let mut info = Vec::with_capacity(1 + pack.len());
    info.push(counter);
    info.extend_from_slice(pack);
    let sda = nan::ServiceDescriptor {
        service_id: NAN_SERVICE_ID,
        instance_id,
        requestor_instance_id: 0,
        control: nan::control::SERVICE_INFO,
        binding_bitmap: None,
        matching_filter: None,
        response_filter: None,
        service_info: Some(&info),
    };
    let mut out = nan::attribute(nan::attr::SERVICE_DESCRIPTOR, &sda.emit()?)?;
    out.extend(nan::attribute(nan::attr::SERVICE_DESCRIPTOR_EXT, &[instance_id, 0x00, 0x02, counter])?);
    Ok(out)
}
