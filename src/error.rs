//! Typed decode and encode errors shared by every codec.
//!
//! A decoder never panics on outside data: it returns one of four kinds of
//! [`DecodeError`], which the pipeline counts per kind and, where a frame was
//! recognisably a drone ID carrier, reports with the frame.

use serde::Serialize;

/// The coarse class of a decode failure, used for counters and JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Too few (or too many) bytes for the structure.
    Length,
    /// A CRC or FCS did not match.
    Crc,
    /// The bytes are well-formed but a value is impossible.
    Sanity,
    /// The bytes are a structure this codec does not decode.
    Unsupported,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Length => "length",
            ErrorKind::Crc => "crc",
            ErrorKind::Sanity => "sanity",
            ErrorKind::Unsupported => "unsupported",
        }
    }
}

/// Why a byte string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("{what}: need {need} bytes, have {have}")]
    Length { what: &'static str, need: usize, have: usize },
    #[error("{what}: CRC mismatch (received {received:#08x}, computed {computed:#08x})")]
    Crc { what: &'static str, received: u32, computed: u32 },
    #[error("{what}: {detail}")]
    Sanity { what: &'static str, detail: String },
    #[error("{what}: {detail}")]
    Unsupported { what: &'static str, detail: String },
}

impl DecodeError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            DecodeError::Length { .. } => ErrorKind::Length,
            DecodeError::Crc { .. } => ErrorKind::Crc,
            DecodeError::Sanity { .. } => ErrorKind::Sanity,
            DecodeError::Unsupported { .. } => ErrorKind::Unsupported,
        }
    }

    pub fn length(what: &'static str, need: usize, have: usize) -> Self {
        DecodeError::Length { what, need, have }
    }

    pub fn sanity(what: &'static str, detail: impl Into<String>) -> Self {
        DecodeError::Sanity { what, detail: detail.into() }
    }

    pub fn unsupported(what: &'static str, detail: impl Into<String>) -> Self {
        DecodeError::Unsupported { what, detail: detail.into() }
    }

    /// Fails with [`DecodeError::Length`] unless `buf` holds at least `need` bytes.
    pub fn check_len(what: &'static str, buf: &[u8], need: usize) -> Result<(), Self> {
        if buf.len() < need { Err(Self::length(what, need, buf.len())) } else { Ok(()) }
    }
}

impl Serialize for DecodeError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("DecodeError", 2)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("detail", &self.to_string())?;
        st.end()
    }
}

/// Why a value could not be encoded (the reference encoder would fail too).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot encode {field}: {detail}")]
pub struct EncodeError {
    pub field: &'static str,
    pub detail: String,
}

impl EncodeError {
    pub fn new(field: &'static str, detail: impl Into<String>) -> Self {
        EncodeError { field, detail: detail.into() }
    }
}
