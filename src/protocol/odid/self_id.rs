//! Self-ID (message type 3): free text, e.g. the purpose of the flight.

use serde::Serialize;

use super::MESSAGE_SIZE;
use crate::error::{DecodeError, EncodeError};

crate::wire_view! {
    /// Byte layout of a Self-ID message.
    pub struct SelfIdView, min_len = MESSAGE_SIZE;
    desc_type / set_desc_type: u8 @ 1;
    description / set_description: bytes[23] @ 2;
}

crate::enum_with_unknown! {
    /// What the text is.
    pub enum DescType(u8) {
        Text = 0 => "text",
        Emergency = 1 => "emergency",
        ExtendedStatus = 2 => "extended_status",
    }
}

/// A Self-ID message; the 23 text bytes are kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfId {
    pub desc_type: DescType,
    pub description: [u8; 23],
}

impl SelfId {
    pub fn with_text(desc_type: DescType, text: &str) -> Result<Self, EncodeError> {
        let mut description = [0u8; 23];
        crate::util::write_padded(&mut description, text.as_bytes())
            .map_err(|e| EncodeError::new("description", e.detail))?;
        Ok(SelfId { desc_type, description })
    }

    pub fn text(&self) -> String {
        crate::util::nul_terminated_str(&self.description)
    }

    pub fn parse(m: &[u8; MESSAGE_SIZE], _version: u8) -> Result<Self, DecodeError> {
        let v = SelfIdView::new_unchecked(&m[..]);
        Ok(SelfId { desc_type: DescType::from(v.desc_type()), description: *v.description() })
    }

    pub fn emit(&self, m: &mut [u8; MESSAGE_SIZE]) -> Result<(), EncodeError> {
        let mut v = SelfIdView::new_unchecked(&mut m[..]);
        v.set_desc_type(self.desc_type.value());
        v.set_description(&self.description);
        Ok(())
    }
}

impl Serialize for SelfId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct J {
            desc_type: DescType,
            description: String,
        }
        J { desc_type: self.desc_type, description: self.text() }.serialize(s)
    }
}
