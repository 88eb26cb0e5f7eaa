use crate::error::DecodeError;
pub fn parse_block(_b: &[u8]) -> Result<super::DjiMessage, DecodeError> {
    Err(DecodeError::unsupported("dji", "not yet"))
}
pub fn parse_payload(_b: &[u8]) -> Result<super::DjiMessage, DecodeError> {
    Err(DecodeError::unsupported("dji", "not yet"))
}
