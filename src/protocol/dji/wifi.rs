use crate::error::DecodeError;
pub const OUI: [u8; 3] = [0x26, 0x37, 0x12];
pub fn parse(_b: &[u8]) -> Result<super::DjiMessage, DecodeError> {
    Err(DecodeError::unsupported("dji", "not yet"))
}
