//! Message Pack (message type 0xF): up to 9 messages in one frame (BT5, Wi-Fi).

use serde::Serialize;

use super::{Body, MESSAGE_SIZE, Message, header};
use crate::error::{DecodeError, EncodeError};

crate::wire_view! {
    /// Byte layout of a message pack header (the messages follow at byte 3).
    pub struct PackView, min_len = 3;
    type_version / set_type_version: u8 @ 0;
    single_message_size / set_single_message_size: u8 @ 1;
    count / set_count: u8 @ 2;
}

/// Offset of the first packed message.
pub const MESSAGES_OFFSET: usize = 3;
/// Most messages in a pack: 9 from version 1 on (the BT5 payload limit), 10 in v0.
pub const MAX_MESSAGES: usize = 9;
pub const MAX_MESSAGES_V0: usize = 10;

/// A message pack. Packs with no messages, a single-message size other than
/// 25, more messages than allowed, or a pack inside a pack are rejected.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessagePack {
    pub messages: Vec<Message>,
}

impl MessagePack {
    /// Decodes a pack from the start of `buf`; trailing bytes (some
    /// transmitters send a fixed 228-byte area) are ignored.
    pub fn parse(buf: &[u8]) -> Result<Self, DecodeError> {
        let v = PackView::new_checked(buf)?;
        let (_, version) = header::split(v.type_version());
        let size = v.single_message_size();
        if size as usize != MESSAGE_SIZE {
            return Err(DecodeError::sanity("message pack", format!("single message size {size}, must be 25")));
        }
        let n = v.count() as usize;
        if n == 0 {
            return Err(DecodeError::sanity("message pack", "holds no messages (count 0)"));
        }
        let max = if version == 0 { MAX_MESSAGES_V0 } else { MAX_MESSAGES };
        if n > max {
            return Err(DecodeError::sanity("message pack", format!("count {n} > {max}")));
        }
        let need = MESSAGES_OFFSET + n * MESSAGE_SIZE;
        DecodeError::check_len("message pack", buf, need)?;
        let messages = buf[MESSAGES_OFFSET..need]
            .chunks_exact(MESSAGE_SIZE)
            .map(|c| {
                let m: &[u8; MESSAGE_SIZE] =
                    c.try_into().map_err(|_| DecodeError::length("message pack", need, buf.len()))?;
                Message::parse_single(m)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MessagePack { messages })
    }

    /// Encodes the pack with header version `version`.
    pub fn emit(&self, version: u8) -> Result<Vec<u8>, EncodeError> {
        let n = self.messages.len();
        let max = if version == 0 { MAX_MESSAGES_V0 } else { MAX_MESSAGES };
        if n == 0 || n > max {
            return Err(EncodeError::new("message pack", format!("{n} messages, must be 1..={max}")));
        }
        let mut out = vec![0u8; MESSAGES_OFFSET + n * MESSAGE_SIZE];
        {
            let mut v = PackView::new_unchecked(&mut out[..]);
            v.set_type_version(header::join(0xF, version));
            v.set_single_message_size(MESSAGE_SIZE as u8);
            v.set_count(n as u8);
        }
        for (m, chunk) in self.messages.iter().zip(out[MESSAGES_OFFSET..].chunks_exact_mut(MESSAGE_SIZE)) {
            if matches!(m.body, Body::Pack(_)) {
                return Err(EncodeError::new("message pack", "a pack cannot hold a pack"));
            }
            chunk.copy_from_slice(&m.emit_single()?);
        }
        Ok(out)
    }
}

impl Serialize for MessagePack {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct J<'a> {
            message_count: usize,
            messages: &'a [Message],
        }
        J { message_count: self.messages.len(), messages: &self.messages }.serialize(s)
    }
}
