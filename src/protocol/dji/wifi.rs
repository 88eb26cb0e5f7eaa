//! DJI DroneID in an 802.11 beacon vendor IE (`docs/opendroneid.md` §13.2).
//!
//! ```text
//! DD len 26 37 12 | 58 62 13 | subcommand | record
//!        OUI        header     0x10 / 0x11
//! ```
//!
//! The three header bytes are accepted whatever their value (Kismet names
//! only the first, "vendor type" 0x58) and reported in the framing. The
//! flight info record (0x10) is version 1 (75 bytes) or version 2 (87 bytes,
//! the OcuSync layout); flight purpose (0x11) is a serial and raw bytes.
//! Unknown subcommands and record versions are [`DjiMessage::Unknown`].

use super::record::FlightInfo;
use super::{DjiMessage, FlightPurpose, Framing, MSG_FLIGHT_INFO, MSG_FLIGHT_PURPOSE};
use crate::error::{DecodeError, EncodeError};

/// DJI's OUI in the vendor IE.
pub const OUI: [u8; 3] = [0x26, 0x37, 0x12];
/// The header bytes DJI drones send after the OUI.
pub const HEADER: [u8; 3] = [0x58, 0x62, 0x13];
/// Vendor IE element ID.
pub const IE_VENDOR: u8 = 221;
/// Largest body (bytes after the OUI) a vendor IE can hold.
pub const MAX_BODY_LEN: usize = 255 - OUI.len();

crate::wire_view! {
    /// The fixed start of the IE body (after the OUI).
    pub struct BodyView, min_len = 4;
    header / set_header: bytes[3] @ 0;
    subcommand / set_subcommand: u8 @ 3;
}

/// Offset of the record in the body.
pub const RECORD_OFFSET: usize = 4;

/// Decodes the IE body: what follows the OUI.
pub fn parse(body: &[u8]) -> Result<DjiMessage, DecodeError> {
    let v = BodyView::new_checked(body)?;
    let framing = Framing::Wifi { header: *v.header() };
    let sub = v.subcommand();
    let record = body.get(RECORD_OFFSET..).unwrap_or(&[]);
    let unknown =
        || DjiMessage::Unknown { payload_type: sub, payload_len: record.len(), raw: record.to_vec(), framing };
    Ok(match sub {
        MSG_FLIGHT_INFO => match record.first() {
            Some(&version) if FlightInfo::record_len(version).is_some() => {
                DjiMessage::FlightInfo { info: FlightInfo::parse(record)?, framing }
            }
            Some(_) => unknown(),
            None => return Err(DecodeError::length("dji wifi flight info", 1, 0)),
        },
        MSG_FLIGHT_PURPOSE => DjiMessage::FlightPurpose { purpose: FlightPurpose::parse(record)?, framing },
        _ => unknown(),
    })
}

/// Encodes the IE body (header, subcommand, record). The header comes from
/// a Wi-Fi framing, or is [`HEADER`] for a message from another transport.
/// An OcuSync unknown message is refused: its raw bytes are a code block,
/// not a Wi-Fi record.
pub fn emit(msg: &DjiMessage) -> Result<Vec<u8>, EncodeError> {
    let header = match msg.framing() {
        Framing::Wifi { header } => header,
        Framing::Ocusync { .. } => HEADER,
    };
    let (sub, record) = match msg {
        DjiMessage::FlightInfo { info, .. } => (MSG_FLIGHT_INFO, info.emit()),
        DjiMessage::FlightPurpose { purpose, .. } => (MSG_FLIGHT_PURPOSE, purpose.emit()),
        DjiMessage::Unknown { payload_type, raw, framing: Framing::Wifi { .. }, .. } => (*payload_type, raw.clone()),
        DjiMessage::Unknown { .. } => {
            return Err(EncodeError::new("message", "an unknown OcuSync payload has no Wi-Fi form"));
        }
    };
    let mut body = Vec::with_capacity(RECORD_OFFSET + record.len());
    body.extend_from_slice(&header);
    body.push(sub);
    body.extend_from_slice(&record);
    if body.len() > MAX_BODY_LEN {
        return Err(EncodeError::new("record", format!("IE body of {} bytes, at most {MAX_BODY_LEN}", body.len())));
    }
    Ok(body)
}

/// Encodes the whole vendor IE: `DD len 26 37 12` and the body.
pub fn emit_ie(msg: &DjiMessage) -> Result<Vec<u8>, EncodeError> {
    let body = emit(msg)?;
    let mut ie = Vec::with_capacity(2 + OUI.len() + body.len());
    ie.push(IE_VENDOR);
    ie.push((OUI.len() + body.len()) as u8);
    ie.extend_from_slice(&OUI);
    ie.extend_from_slice(&body);
    Ok(ie)
}
