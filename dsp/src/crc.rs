//! Cyclic redundancy checks used by the drone ID link layers.
//!
//! All byte-oriented CRCs are table-driven through the `crc` crate; the
//! parameters are given in the Rocksoft/`crc-catalog` convention (for a
//! reflected algorithm the `init` value is written unreflected).
//!
//! | function | used by | parameters |
//! |---|---|---|
//! | [`ble_crc24`] | BLE link layer (advertising: init 0x555555) | poly 0x00065B, reflected |
//! | [`fcs32`] | IEEE 802.11 frame check sequence | CRC-32/ISO-HDLC |
//! | [`crc24a`] | LTE CRC-24A (DJI OcuSync code block) | poly 0x864CFB, not reflected, init 0 |
//! | [`dji_crc16`] | DJI DroneID payload | poly 0x1021 reflected (0x8408), register init 0x3692 |

use crc::{Algorithm, Crc};

/// BLE CRC-24 with the advertising-channel initial value 0x555555.
pub const CRC_24_BLE_ADV: Algorithm<u32> = crc::CRC_24_BLE;

/// LTE CRC-24A (36.212 §5.1.1, g_CRC24A).
pub const CRC_24_LTE_A: Algorithm<u32> = crc::CRC_24_LTE_A;

/// DJI DroneID payload CRC-16: the reflected CCITT polynomial (0x8408) with
/// the shift register preset to 0x3692 (crcmod: `mkCrcFun(0x11021, 0x3692,
/// rev=True)`). In catalog convention the preset is written bit-reversed.
pub const CRC_16_DJI: Algorithm<u16> = Algorithm {
    width: 16,
    poly: 0x1021,
    init: 0x3692u16.reverse_bits(),
    refin: true,
    refout: true,
    xorout: 0x0000,
    check: 0x0000, // not catalogued; see the tests for the reference value
    residue: 0x0000,
};

const BLE: Crc<u32> = Crc::<u32>::new(&CRC_24_BLE_ADV);
const FCS: Crc<u32> = Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
const LTE_A: Crc<u32> = Crc::<u32>::new(&CRC_24_LTE_A);
const DJI16: Crc<u16> = Crc::<u16>::new(&CRC_16_DJI);

/// BLE CRC-24 of a PDU (header + payload) on an advertising channel.
///
/// On air the CRC is sent least significant bit first, so the three CRC
/// bytes that follow the PDU in a capture are `value.to_le_bytes()[..3]`.
pub fn ble_crc24(pdu: &[u8]) -> u32 {
    BLE.checksum(pdu)
}

/// BLE CRC-24 with an arbitrary 24-bit CRC init (data channels take theirs
/// from CONNECT_IND). `init` is given as the link layer specification writes
/// it (the value of the CRC shift register in transmission order).
pub fn ble_crc24_with_init(pdu: &[u8], init: u32) -> u32 {
    // `digest_with_initial` takes the preset in catalog (unreflected)
    // convention, which is the spec's transmission-order value.
    let mut d = BLE.digest_with_initial(init & 0xFF_FFFF);
    d.update(pdu);
    d.finalize()
}

/// The three CRC bytes as they follow the PDU on air and in captures.
pub fn ble_crc24_bytes(pdu: &[u8]) -> [u8; 3] {
    let v = ble_crc24(pdu).to_le_bytes();
    [v[0], v[1], v[2]]
}

/// IEEE 802.11 FCS (CRC-32) of a MAC frame without its FCS. The FCS is
/// appended little-endian.
pub fn fcs32(frame: &[u8]) -> u32 {
    FCS.checksum(frame)
}

/// LTE CRC-24A of a byte string (bits MSB first). Appending the value
/// big-endian makes the CRC of the whole block 0.
pub fn crc24a(data: &[u8]) -> u32 {
    LTE_A.checksum(data)
}

/// DJI DroneID payload CRC-16, appended little-endian.
pub fn dji_crc16(data: &[u8]) -> u16 {
    DJI16.checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-serial reference for reflected CRCs: the register holds the
    /// reflected value, `poly_r` is the reflected polynomial.
    fn reflected_ref(data: &[u8], width: u32, poly_r: u32, reg_init: u32) -> u32 {
        let mask = if width == 32 { u32::MAX } else { (1 << width) - 1 };
        let mut reg = reg_init & mask;
        for &b in data {
            reg ^= b as u32;
            for _ in 0..8 {
                reg = if reg & 1 != 0 { (reg >> 1) ^ poly_r } else { reg >> 1 };
            }
        }
        reg & mask
    }

    /// Bit-serial reference for non-reflected CRCs, MSB first.
    fn normal_ref(data: &[u8], width: u32, poly: u32, init: u32) -> u32 {
        let top = 1u32 << (width - 1);
        let mask = (1u32 << width) - 1;
        let mut reg = init & mask;
        for &b in data {
            for i in (0..8).rev() {
                let bit = (b >> i) & 1 != 0;
                let fb = (reg & top != 0) ^ bit;
                reg = (reg << 1) & mask;
                if fb {
                    reg ^= poly;
                }
            }
        }
        reg
    }

    fn reflect(v: u32, width: u32) -> u32 {
        v.reverse_bits() >> (32 - width)
    }

    const CHECK: &[u8] = b"123456789";

    #[test]
    fn fcs_check_value() {
        assert_eq!(fcs32(CHECK), 0xCBF4_3926);
        let data: Vec<u8> = (0..=255u8).collect();
        assert_eq!(fcs32(&data), reflected_ref(&data, 32, 0xEDB8_8320, 0xFFFF_FFFF) ^ 0xFFFF_FFFF);
    }

    #[test]
    fn ble_matches_bit_serial_reference() {
        // The BLE spec: LFSR preset with 0x555555 (bit 0 of the preset in the
        // position of x^0), polynomial x^24+x^10+x^9+x^6+x^4+x^3+x+1, data LSB first.
        assert_eq!(ble_crc24(CHECK), 0xC25A56);
        let data: Vec<u8> = (0..=255u8).rev().collect();
        let r = reflected_ref(&data, 24, reflect(0x00065B, 24), reflect(0x555555, 24));
        assert_eq!(ble_crc24(&data), r);
        assert_eq!(ble_crc24_with_init(&data, 0x555555), r);
        assert_eq!(
            ble_crc24_with_init(&data, 0x123456),
            reflected_ref(&data, 24, reflect(0x00065B, 24), reflect(0x123456, 24))
        );
    }

    #[test]
    fn ble_crc_bytes_are_little_endian() {
        // A short hand-built legacy ADV PDU; real captured PDUs are checked
        // in the link layer tests.
        let pdu = [0x42u8, 0x06, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66];
        let want = reflected_ref(&pdu, 24, reflect(0x00065B, 24), reflect(0x555555, 24));
        assert_eq!(ble_crc24(&pdu), want);
        assert_eq!(ble_crc24_bytes(&pdu), [(want & 0xFF) as u8, (want >> 8) as u8, (want >> 16) as u8]);
    }

    #[test]
    fn crc24a_check_and_residue() {
        assert_eq!(crc24a(CHECK), 0xCDE703);
        let data: Vec<u8> = (0..173u32).map(|i| (i * 37 + 11) as u8).collect();
        let c = crc24a(&data);
        assert_eq!(c, normal_ref(&data, 24, 0x864CFB, 0));
        let mut block = data.clone();
        block.extend_from_slice(&c.to_be_bytes()[1..]);
        assert_eq!(crc24a(&block), 0, "CRC over block + CRC ends at 0");
    }

    #[test]
    fn dji_crc16_matches_crcmod_definition() {
        // crcmod rev=True: register preset 0x3692, reflected poly 0x8408.
        let data: Vec<u8> = (0..89u32).map(|i| (i * 13 + 5) as u8).collect();
        assert_eq!(dji_crc16(&data) as u32, reflected_ref(&data, 16, 0x8408, 0x3692));
        assert_eq!(dji_crc16(&[]), 0x3692);
        // DJI's table: entry 1 is 0x1189.
        assert_eq!(reflected_ref(&[1], 16, 0x8408, 0), 0x1189);
    }
}
