//! Operator ID (message type 5): the operator's registration number.

use serde::Serialize;

use super::MESSAGE_SIZE;
use crate::error::{DecodeError, EncodeError};

crate::wire_view! {
    /// Byte layout of an Operator ID message.
    pub struct OperatorIdView, min_len = MESSAGE_SIZE;
    id_type / set_id_type: u8 @ 1;
    operator_id / set_operator_id: bytes[20] @ 2;
}

crate::enum_with_unknown! {
    /// Kind of operator identifier (201..255 private use).
    pub enum OperatorIdType(u8) {
        OperatorId = 0 => "operator_id",
    }
}

/// An Operator ID message; the 20 ID bytes are kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorId {
    pub id_type: OperatorIdType,
    pub operator_id: [u8; 20],
}

impl OperatorId {
    pub fn with_text(id_type: OperatorIdType, text: &str) -> Result<Self, EncodeError> {
        let mut operator_id = [0u8; 20];
        crate::util::write_padded(&mut operator_id, text.as_bytes())
            .map_err(|e| EncodeError::new("operator_id", e.detail))?;
        Ok(OperatorId { id_type, operator_id })
    }

    pub fn text(&self) -> String {
        crate::util::nul_terminated_str(&self.operator_id)
    }

    pub fn parse(m: &[u8; MESSAGE_SIZE], _version: u8) -> Result<Self, DecodeError> {
        let v = OperatorIdView::new_unchecked(&m[..]);
        Ok(OperatorId { id_type: OperatorIdType::from(v.id_type()), operator_id: *v.operator_id() })
    }

    pub fn emit(&self, m: &mut [u8; MESSAGE_SIZE]) -> Result<(), EncodeError> {
        let mut v = OperatorIdView::new_unchecked(&mut m[..]);
        v.set_id_type(self.id_type.value());
        v.set_operator_id(&self.operator_id);
        Ok(())
    }
}

impl Serialize for OperatorId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct J {
            operator_id_type: OperatorIdType,
            operator_id: String,
        }
        J { operator_id_type: self.id_type, operator_id: self.text() }.serialize(s)
    }
}
