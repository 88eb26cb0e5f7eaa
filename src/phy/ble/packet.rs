//! BLE 1M air packets as bits: preamble, access address, whitened PDU and
//! CRC, every byte least significant bit first.

use crate::link::ble::{ADV_ACCESS_ADDRESS, CRC_LEN};

/// Bits of preamble plus access address.
pub const SYNC_BITS: usize = 40;

/// The whitening sequence generator: a 7-bit LFSR x^7 + x^4 + 1, position 0
/// set to 1 and positions 1..6 to the channel index (most significant bit at
/// position 1); the output is position 6 (Core spec Vol 6 Part B 3.2).
#[derive(Debug, Clone)]
pub struct Whitener {
    r: [u8; 7],
}

impl Whitener {
    pub fn new(channel: u8) -> Self {
        let mut r = [0u8; 7];
        r[0] = 1;
        for (i, v) in r.iter_mut().enumerate().skip(1) {
            *v = (channel >> (6 - i)) & 1;
        }
        Whitener { r }
    }

    /// The next whitening bit.
    #[inline]
    pub fn next_bit(&mut self) -> u8 {
        let r = &mut self.r;
        let o = r[6];
        *r = [o, r[0], r[1], r[2], r[3] ^ o, r[4], r[5]];
        o
    }

    /// Whitens (or dewhitens) bytes in place, LSB first.
    pub fn apply(&mut self, bytes: &mut [u8]) {
        for b in bytes {
            for i in 0..8 {
                *b ^= self.next_bit() << i;
            }
        }
    }
}

/// Preamble byte for an access address: alternating bits whose last one
/// differs from the address's first (least significant) bit.
pub fn preamble(access_address: u32) -> u8 {
    if access_address & 1 == 0 { 0xAA } else { 0x55 }
}

fn push_byte(bits: &mut Vec<bool>, b: u8) {
    for i in 0..8 {
        bits.push((b >> i) & 1 == 1);
    }
}

/// The 40 sync bits (preamble, access address) in air order.
pub fn sync_bits(access_address: u32) -> Vec<bool> {
    let mut bits = Vec::with_capacity(SYNC_BITS);
    push_byte(&mut bits, preamble(access_address));
    for b in access_address.to_le_bytes() {
        push_byte(&mut bits, b);
    }
    bits
}

/// All bits of an advertising-channel packet: sync, then `pdu_with_crc`
/// whitened for `channel`.
pub fn air_bits(channel: u8, pdu_with_crc: &[u8]) -> Vec<bool> {
    let mut bits = sync_bits(ADV_ACCESS_ADDRESS);
    let mut body = pdu_with_crc.to_vec();
    Whitener::new(channel).apply(&mut body);
    for b in body {
        push_byte(&mut bits, b);
    }
    bits
}

/// Air time of a PDU (bytes, without CRC) on the 1M PHY, in microseconds.
pub fn air_time_us(pdu_len: usize) -> f64 {
    ((1 + 4 + pdu_len + CRC_LEN) * 8) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whitening sequence as an independent reference describes it: the
    /// 127-bit m-sequence of x^7 + x^4 + 1 with a start offset per channel
    /// (offsets for channels 0, 12, 37, 38, 39, from Ubertooth's table).
    #[test]
    fn whitening_matches_the_m_sequence_offsets() {
        const M: &str = "1111010101000010110111100111001010110011000001101101011101000110010001000000100100110100111101110000111111100011101100010100101";
        let m: Vec<u8> = M.bytes().map(|c| c - b'0').collect();
        assert_eq!(m.len(), 127);
        for (ch, off) in [(0u8, 70usize), (12, 80), (37, 112), (38, 47), (39, 102)] {
            let mut w = Whitener::new(ch);
            for i in 0..254 {
                assert_eq!(w.next_bit(), m[(off + i) % 127], "channel {ch} bit {i}");
            }
        }
    }

    #[test]
    fn whitening_is_an_involution_and_channel_dependent() {
        let data: Vec<u8> = (0..40u8).collect();
        let mut x = data.clone();
        Whitener::new(37).apply(&mut x);
        assert_ne!(x, data);
        let mut y = x.clone();
        Whitener::new(38).apply(&mut y);
        assert_ne!(y, data);
        Whitener::new(37).apply(&mut x);
        assert_eq!(x, data);
    }

    #[test]
    fn sync_word_is_aa_d6_be_89_8e() {
        let bits = sync_bits(ADV_ACCESS_ADDRESS);
        let bytes: Vec<u8> =
            bits.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |a, (i, &b)| a | (b as u8) << i)).collect();
        assert_eq!(bytes, [0xAA, 0xD6, 0xBE, 0x89, 0x8E]);
        assert_eq!(air_time_us(2 + 37), 376.0, "47 bytes: the spec's 376 µs for a full BT4 advert");
    }
}
