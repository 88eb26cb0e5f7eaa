//! DJI DroneID on OcuSync 2: the 176-byte code block a turbo decoder
//! delivers (`docs/dji-droneid.md` §6–7).
//!
//! ```text
//! 0      L            payload length: the payload is bytes 0..=L
//! 1      type         0x10 flight info (L = 88), 0x11 flight purpose (L = 141)
//! 2..    record       see `record.rs` (record offset + 2 = block offset)
//! L+1    CRC-16 LE    DJI CRC-16 over bytes 0..=L
//! …      stale bytes  not covered by either payload CRC; ignored
//! 173    CRC-24A BE   LTE CRC-24A over bytes 0..173
//! ```
//!
//! A CRC-24 mismatch is an error (the block is noise or mis-decoded). A
//! CRC-16 mismatch is not: the message is decoded and reported with
//! `payload_crc_ok: false`. A block whose CRC-24 passes but whose payload is
//! not a known layout (OcuSync 3/4 frames look encrypted) is reported as
//! [`DjiMessage::Unknown`].

use ridscope_dsp::crc::{crc24a, dji_crc16};

use super::record::{FLIGHT_INFO_V2_LEN, FlightInfo, FlightInfoVersion, FlightPurpose, SERIAL_LEN};
use super::{DjiMessage, Framing, MSG_FLIGHT_INFO, MSG_FLIGHT_PURPOSE};
use crate::error::{DecodeError, EncodeError};

/// Size of the code block (K = 1408 bits).
pub const BLOCK_LEN: usize = 176;
/// Offset of the CRC-24A, which covers the bytes before it.
pub const CRC24_OFFSET: usize = 173;
/// Payload length byte of a flight info (0x10, version 2) payload.
pub const FLIGHT_INFO_LEN: u8 = 88;
/// Payload length byte of a flight purpose (0x11) payload.
pub const FLIGHT_PURPOSE_LEN: u8 = 141;
/// Record bytes after the serial in a flight purpose payload (18..=141).
pub const FLIGHT_PURPOSE_REST_LEN: usize = FLIGHT_PURPOSE_LEN as usize - 1 - SERIAL_LEN;
/// Offset of the record (the version byte of a flight info record).
pub const RECORD_OFFSET: usize = 2;

crate::wire_view! {
    /// The fixed fields of a code block. The CRC-16 sits at L+1, see
    /// [`crc16_offset`].
    pub struct BlockView, min_len = BLOCK_LEN;
    /// L: the payload is bytes 0..=L.
    payload_len / set_payload_len: u8 @ 0;
    payload_type / set_payload_type: u8 @ 1;
    /// CRC-24A, most significant byte first.
    crc24 / set_crc24: bytes[3] @ CRC24_OFFSET;
}

/// Offset of the little-endian payload CRC-16 for a payload length byte L.
pub fn crc16_offset(payload_len: u8) -> usize {
    payload_len as usize + 1
}

/// Whether the payload CRC-16 matches; `None` when the payload is shorter
/// than L + 3 bytes (the CRC is not there to check).
pub fn payload_crc_ok(payload: &[u8]) -> Option<bool> {
    let l = *payload.first()?;
    let off = crc16_offset(l);
    let covered = payload.get(..off)?;
    let stored = payload.get(off..off + 2)?;
    Some(dji_crc16(covered).to_le_bytes() == stored)
}

/// Decodes a 176-byte code block: checks the CRC-24A, then decodes the
/// payload with [`parse_payload`].
pub fn parse_block(block: &[u8]) -> Result<DjiMessage, DecodeError> {
    if block.len() != BLOCK_LEN {
        return Err(DecodeError::length("ocusync block", BLOCK_LEN, block.len()));
    }
    let Some((covered, stored)) = block.split_at_checked(CRC24_OFFSET) else {
        return Err(DecodeError::length("ocusync block", BLOCK_LEN, block.len()));
    };
    let received = stored.iter().fold(0u32, |acc, &b| acc << 8 | b as u32);
    let computed = crc24a(covered);
    if received != computed {
        return Err(DecodeError::Crc { what: "ocusync block CRC-24A", received, computed });
    }
    parse_payload(covered)
}

/// Decodes a payload that starts at its length byte L, without the CRC-24
/// block around it: `payload` must hold at least L + 3 bytes for a known
/// type; more bytes (the stale tail of a block) are ignored.
///
/// Type 0x10 with L = 88 and record version 2 is flight info; type 0x11 with
/// L = 141 is flight purpose; anything else is [`DjiMessage::Unknown`] with
/// all of `payload` kept raw. The CRC-16 result goes into the framing
/// (`payload_crc_ok`); a mismatch does not drop the message.
pub fn parse_payload(payload: &[u8]) -> Result<DjiMessage, DecodeError> {
    let [l, t, ..] = *payload else {
        return Err(DecodeError::length("ocusync payload", 2, payload.len()));
    };
    let expected_len = match t {
        MSG_FLIGHT_INFO => Some(FLIGHT_INFO_LEN),
        MSG_FLIGHT_PURPOSE => Some(FLIGHT_PURPOSE_LEN),
        _ => None,
    };
    if expected_len == Some(l) {
        DecodeError::check_len("ocusync payload", payload, crc16_offset(l) + 2)?;
    }
    let crc_ok = payload_crc_ok(payload);
    // Flight info on OcuSync is always record version 2.
    let known = expected_len == Some(l) && (t != MSG_FLIGHT_INFO || payload.get(RECORD_OFFSET) == Some(&2));
    if !known {
        return Ok(DjiMessage::Unknown {
            payload_type: t,
            payload_len: l as usize,
            raw: payload.to_vec(),
            framing: Framing::Ocusync { payload_crc_ok: crc_ok },
        });
    }
    let framing = Framing::Ocusync { payload_crc_ok: Some(crc_ok == Some(true)) };
    // The record is bytes 2..=L.
    let record = payload.get(RECORD_OFFSET..=l as usize).unwrap_or(&[]);
    Ok(match t {
        MSG_FLIGHT_INFO => DjiMessage::FlightInfo { info: FlightInfo::parse(record)?, framing },
        _ => DjiMessage::FlightPurpose { purpose: FlightPurpose::parse(record)?, framing },
    })
}

/// Encodes a flight info record as a full code block (L = 88, correct CRC-16
/// and CRC-24A, zeros after the CRC-16). Only version 2 records travel on
/// OcuSync.
pub fn emit_flight_info(info: &FlightInfo) -> Result<[u8; BLOCK_LEN], EncodeError> {
    if !matches!(info.version, FlightInfoVersion::V2 { .. }) {
        return Err(EncodeError::new("version", "OcuSync carries only version 2 flight info records"));
    }
    let record = info.emit();
    debug_assert_eq!(record.len(), FLIGHT_INFO_V2_LEN);
    build_block(FLIGHT_INFO_LEN, MSG_FLIGHT_INFO, &record)
}

/// Encodes a flight purpose record as a full code block (L = 141). `rest`
/// may be up to 124 bytes; shorter is zero-padded.
pub fn emit_flight_purpose(purpose: &FlightPurpose) -> Result<[u8; BLOCK_LEN], EncodeError> {
    if purpose.rest.len() > FLIGHT_PURPOSE_REST_LEN {
        return Err(EncodeError::new(
            "flight purpose",
            format!("{} bytes after the serial, at most {FLIGHT_PURPOSE_REST_LEN} fit", purpose.rest.len()),
        ));
    }
    let mut record = purpose.emit();
    record.resize(SERIAL_LEN + FLIGHT_PURPOSE_REST_LEN, 0);
    build_block(FLIGHT_PURPOSE_LEN, MSG_FLIGHT_PURPOSE, &record)
}

/// Encodes any message as a code block. Flight info and flight purpose get
/// fresh, correct CRCs (a decoded `payload_crc_ok: false` is not
/// reproduced; corrupt the block and call [`seal_block`] for that). An
/// unknown message's raw bytes (at most 173) are written back as they were,
/// zero-padded, with a fresh CRC-24A.
pub fn emit_block(msg: &DjiMessage) -> Result<[u8; BLOCK_LEN], EncodeError> {
    match msg {
        DjiMessage::FlightInfo { info, .. } => emit_flight_info(info),
        DjiMessage::FlightPurpose { purpose, .. } => emit_flight_purpose(purpose),
        DjiMessage::Unknown { raw, .. } => {
            if raw.len() > CRC24_OFFSET {
                return Err(EncodeError::new("raw", format!("{} bytes, at most {CRC24_OFFSET} fit", raw.len())));
            }
            let mut b = [0u8; BLOCK_LEN];
            b[..raw.len()].copy_from_slice(raw);
            seal_block(&mut b);
            Ok(b)
        }
    }
}

fn build_block(l: u8, t: u8, record: &[u8]) -> Result<[u8; BLOCK_LEN], EncodeError> {
    let end = RECORD_OFFSET + record.len();
    if end != l as usize + 1 {
        return Err(EncodeError::new("record", format!("{} bytes do not fill L = {l}", record.len())));
    }
    let mut b = [0u8; BLOCK_LEN];
    let mut v = BlockView::new_unchecked(&mut b[..]);
    v.set_payload_len(l);
    v.set_payload_type(t);
    b[RECORD_OFFSET..end].copy_from_slice(record);
    write_crc16(&mut b)?;
    seal_block(&mut b);
    Ok(b)
}

/// Writes the payload CRC-16 at L+1 (little-endian) over bytes 0..=L.
pub fn write_crc16(block: &mut [u8; BLOCK_LEN]) -> Result<(), EncodeError> {
    let off = crc16_offset(block[0]);
    if off + 2 > CRC24_OFFSET {
        return Err(EncodeError::new("payload_len", format!("L = {} leaves no room for the CRC-16", block[0])));
    }
    let crc = dji_crc16(&block[..off]);
    block[off..off + 2].copy_from_slice(&crc.to_le_bytes());
    Ok(())
}

/// Writes the CRC-24A of bytes 0..173 into bytes 173..176, most significant
/// byte first.
pub fn seal_block(block: &mut [u8; BLOCK_LEN]) {
    let crc = crc24a(&block[..CRC24_OFFSET]).to_be_bytes();
    let mut v = BlockView::new_unchecked(&mut block[..]);
    v.set_crc24(&[crc[1], crc[2], crc[3]]);
}
