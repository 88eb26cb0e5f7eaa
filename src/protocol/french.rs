//! PLACEHOLDER (being written): French SGDSN beacon TLVs.
use crate::error::DecodeError;
use serde::Serialize;
pub const OUI: [u8; 3] = [0x6A, 0x5C, 0x35];
pub const OUI_TYPE: u8 = 0x01;
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrenchId {}
pub fn parse(_tlvs: &[u8]) -> Result<FrenchId, DecodeError> {
    Err(DecodeError::unsupported("french", "not yet"))
}
