//! 802.11b (DSSS) PLCP framing, per IEEE 802.11-2016 clauses 16 (DSSS)
//! and 17 (HR/DSSS): the long preamble (128 scrambled ones, SFD 0xF3A0,
//! header at 1 Mb/s DBPSK) and the short one (56 scrambled zeros, SFD
//! 0x05CF, header at 2 Mb/s DQPSK), both preambles at 1 Mb/s DBPSK; the
//! PLCP header (SIGNAL, SERVICE, LENGTH, CRC-16), the x^7 + x^4 + 1
//! self-synchronizing scrambler. Bits go on air LSB first within each
//! octet, except the CRC-16, sent x^15 first.

/// Barker sequence, first chip first in time.
pub const BARKER: [i8; 11] = [1, -1, 1, 1, -1, 1, 1, 1, -1, -1, -1];
/// Chip rate (chips per second).
pub const CHIP_RATE: f64 = 11e6;
/// Symbol rate (symbols per second).
pub const SYMBOL_RATE: f64 = 1e6;
/// SYNC field length of the long preamble (scrambled ones).
pub const SYNC_BITS: usize = 128;
/// Start frame delimiter of the long preamble (sent LSB first).
pub const SFD: u16 = 0xF3A0;
/// SYNC field length of the short preamble (scrambled zeros).
pub const SHORT_SYNC_BITS: usize = 56;
/// Start frame delimiter of the short preamble (sent LSB first): the long
/// SFD's bits in reverse order.
pub const SHORT_SFD: u16 = 0x05CF;
/// PLCP header length in bits (SIGNAL 8, SERVICE 8, LENGTH 16, CRC 16).
pub const HEADER_BITS: usize = 48;
/// Transmit scrambler seed for the long preamble: delay elements z1..z7
/// (z1 the most recent output) = 1, 1, 0, 1, 1, 0, 0; bit i of the value is z(i+1).
pub const LONG_PREAMBLE_SEED: u8 = 0b001_1011;
/// Transmit scrambler seed for the short preamble: z1..z7 = 0, 0, 1, 1, 0, 1, 1.
pub const SHORT_PREAMBLE_SEED: u8 = 0b110_1100;
/// SIGNAL field values.
pub const SIGNAL_1M: u8 = 0x0A;
pub const SIGNAL_2M: u8 = 0x14;
/// SIGNAL values of the CCK rates (not demodulated).
pub const SIGNAL_5M5: u8 = 0x37;
pub const SIGNAL_11M: u8 = 0x6E;
/// The longest PSDU the receiver accepts (octets).
pub const MAX_PSDU: usize = 4095;

/// PLCP preamble format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preamble {
    /// 128-bit SYNC, header at 1 Mb/s (192 µs before the PSDU).
    #[default]
    Long,
    /// 56-bit SYNC, header at 2 Mb/s (96 µs before the PSDU); not allowed
    /// with a 1 Mb/s PSDU.
    Short,
}

impl Preamble {
    /// SYNC length in bits (= µs).
    pub fn sync_bits(self) -> usize {
        match self {
            Preamble::Long => SYNC_BITS,
            Preamble::Short => SHORT_SYNC_BITS,
        }
    }
    /// The SFD value (sent LSB first).
    pub fn sfd(self) -> u16 {
        match self {
            Preamble::Long => SFD,
            Preamble::Short => SHORT_SFD,
        }
    }
    /// The transmit scrambler's seed.
    pub fn seed(self) -> u8 {
        match self {
            Preamble::Long => LONG_PREAMBLE_SEED,
            Preamble::Short => SHORT_PREAMBLE_SEED,
        }
    }
    /// Bits per header symbol: 1 (DBPSK) long, 2 (DQPSK) short.
    pub fn header_bits_per_symbol(self) -> usize {
        match self {
            Preamble::Long => 1,
            Preamble::Short => 2,
        }
    }
    /// Symbols (µs) from the first SYNC symbol to the first PSDU symbol.
    pub fn plcp_symbols(self) -> usize {
        self.sync_bits() + 16 + HEADER_BITS / self.header_bits_per_symbol()
    }
    /// The SYNC bit value (before scrambling).
    fn sync_bit(self) -> u8 {
        match self {
            Preamble::Long => 1,
            Preamble::Short => 0,
        }
    }
}

/// DSSS data rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// DBPSK, 1 bit per symbol.
    Mbps1,
    /// DQPSK, 2 bits per symbol.
    Mbps2,
}

impl Rate {
    pub fn signal(self) -> u8 {
        match self {
            Rate::Mbps1 => SIGNAL_1M,
            Rate::Mbps2 => SIGNAL_2M,
        }
    }
    pub fn from_signal(s: u8) -> Option<Rate> {
        match s {
            SIGNAL_1M => Some(Rate::Mbps1),
            SIGNAL_2M => Some(Rate::Mbps2),
            _ => None,
        }
    }
    pub fn mbps(self) -> f32 {
        match self {
            Rate::Mbps1 => 1.0,
            Rate::Mbps2 => 2.0,
        }
    }
    pub fn bits_per_symbol(self) -> usize {
        match self {
            Rate::Mbps1 => 1,
            Rate::Mbps2 => 2,
        }
    }
    /// LENGTH field (µs) for a PSDU of `octets`.
    pub fn length_us(self, octets: usize) -> u16 {
        (octets * 8 / self.bits_per_symbol()) as u16
    }
    /// PSDU octets for a LENGTH field (µs).
    pub fn octets(self, length_us: u16) -> usize {
        length_us as usize * self.bits_per_symbol() / 8
    }
}

/// The PLCP header's CRC-16 (CCITT, x^16 + x^12 + x^5 + 1, preset to ones,
/// ones-complemented) over SIGNAL, SERVICE and LENGTH in transmission order.
/// Bit 15 of the value is the x^15 coefficient, transmitted first.
pub fn header_crc(signal: u8, service: u8, length: u16) -> u16 {
    let bytes = [signal, service, length as u8, (length >> 8) as u8];
    let mut reg: u16 = 0xFFFF;
    for b in bytes {
        for i in 0..8 {
            let bit = (b >> i) & 1; // LSB first on air
            let fb = ((reg >> 15) as u8 & 1) ^ bit;
            reg <<= 1;
            if fb != 0 {
                reg ^= 0x1021;
            }
        }
    }
    !reg
}

/// The 48 header bits in transmission order.
pub fn header_bits(signal: u8, service: u8, length: u16, out: &mut Vec<u8>) {
    push_lsb_first(&[signal, service, length as u8, (length >> 8) as u8], out);
    let crc = header_crc(signal, service, length);
    out.extend((0..16).rev().map(|i| ((crc >> i) & 1) as u8));
}

/// A received header: fields and whether the CRC matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub signal: u8,
    pub service: u8,
    pub length: u16,
    pub crc_ok: bool,
}

/// Parses the 48 descrambled header bits (transmission order).
pub fn parse_header(bits: u64) -> Header {
    // bits: first received bit in bit 47
    let get = |first: usize, n: usize| -> u32 {
        // LSB-first field of n bits starting at stream position `first`
        (0..n).map(|i| (((bits >> (47 - first - i)) & 1) as u32) << i).sum()
    };
    let signal = get(0, 8) as u8;
    let service = get(8, 8) as u8;
    let length = get(16, 16) as u16;
    let crc = (bits & 0xFFFF) as u16;
    Header { signal, service, length, crc_ok: crc == header_crc(signal, service, length) }
}

/// Appends the bits of `bytes`, each octet LSB first.
pub fn push_lsb_first(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.extend((0..8).map(|i| (b >> i) & 1));
    }
}

/// The unscrambled long preamble (SYNC then SFD) bits.
pub fn preamble_bits(out: &mut Vec<u8>) {
    preamble_bits_of(Preamble::Long, out);
}

/// The unscrambled SYNC then SFD bits of either preamble.
pub fn preamble_bits_of(p: Preamble, out: &mut Vec<u8>) {
    out.extend(std::iter::repeat_n(p.sync_bit(), p.sync_bits()));
    push_lsb_first(&p.sfd().to_le_bytes(), out);
}

/// The transmitter's scrambler: out = in ⊕ z4 ⊕ z7, z1 ← out.
#[derive(Debug, Clone)]
pub struct Scrambler {
    state: u8,
}

impl Scrambler {
    pub fn new(seed: u8) -> Self {
        Scrambler { state: seed & 0x7F }
    }
    pub fn scramble(&mut self, bit: u8) -> u8 {
        let out = (bit ^ (self.state >> 3) ^ (self.state >> 6)) & 1;
        self.state = ((self.state << 1) | out) & 0x7F;
        out
    }
}

/// The receiver's descrambler: out = in ⊕ in(n−4) ⊕ in(n−7); synchronizes
/// itself after 7 bits.
#[derive(Debug, Clone, Default)]
pub struct Descrambler {
    state: u8,
}

impl Descrambler {
    pub fn descramble(&mut self, bit: u8) -> u8 {
        let out = (bit ^ (self.state >> 3) ^ (self.state >> 6)) & 1;
        self.state = ((self.state << 1) | (bit & 1)) & 0x7F;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits_str(bits: &[u8]) -> String {
        bits.iter().map(|b| if *b == 1 { '1' } else { '0' }).collect()
    }

    /// The standard's example (802.11-2016 §16.2.3.7): SIGNAL, SERVICE and
    /// LENGTH for a DBPSK PPDU of 192 µs are 0101 0000 0000 0000 0000 0011
    /// 0000 0000 and their ones-complemented CRC 0101 1011 0101 0111
    /// (leftmost first in time).
    #[test]
    fn crc16_standard_example() {
        let mut b = Vec::new();
        header_bits(SIGNAL_1M, 0, 192, &mut b);
        assert_eq!(bits_str(&b[..32]), "01010000000000000000001100000000");
        assert_eq!(bits_str(&b[32..]), "0101101101010111");
        let v = b.iter().fold(0u64, |a, &x| (a << 1) | x as u64);
        let h = parse_header(v);
        assert_eq!(h, Header { signal: 0x0A, service: 0, length: 192, crc_ok: true });
        let h = parse_header(v ^ (1 << 20));
        assert!(!h.crc_ok);
    }

    #[test]
    fn sfd_bits_lsb_first() {
        let mut b = Vec::new();
        preamble_bits(&mut b);
        assert_eq!(b.len(), 144);
        assert!(b[..128].iter().all(|&x| x == 1));
        // 0xF3A0 LSB first
        assert_eq!(bits_str(&b[128..]), "0000010111001111");
    }

    #[test]
    fn short_preamble_bits() {
        let mut b = Vec::new();
        preamble_bits_of(Preamble::Short, &mut b);
        assert_eq!(b.len(), 72);
        assert!(b[..56].iter().all(|&x| x == 0));
        // 0x05CF LSB first: the long SFD's bits in reverse order
        assert_eq!(bits_str(&b[56..]), "1111001110100000");
        let long: String = bits_str(&b[56..]).chars().rev().collect();
        assert_eq!(long, "0000010111001111");
        assert_eq!(Preamble::Long.plcp_symbols(), 192);
        assert_eq!(Preamble::Short.plcp_symbols(), 96);
        // the short seed is the long one with z1..z7 reversed
        let rev = (0..7).fold(0u8, |a, i| a | (((LONG_PREAMBLE_SEED >> i) & 1) << (6 - i)));
        assert_eq!(rev, SHORT_PREAMBLE_SEED);
        assert_eq!(Rate::from_signal(SIGNAL_5M5), None);
        assert_eq!(Rate::from_signal(SIGNAL_11M), None);
    }

    #[test]
    fn scrambler_roundtrip_and_self_sync() {
        let mut s = Scrambler::new(LONG_PREAMBLE_SEED);
        let data: Vec<u8> = (0..200u32).map(|i| ((i * 7 + i / 3) % 2) as u8).collect();
        let tx: Vec<u8> = data.iter().map(|&b| s.scramble(b)).collect();
        // a descrambler in any state recovers everything after 7 bits
        let mut d = Descrambler { state: 0x55 };
        let rx: Vec<u8> = tx.iter().map(|&b| d.descramble(b)).collect();
        assert_eq!(&rx[7..], &data[7..]);
        // scrambled all-ones SYNC is not constant (it whitens)
        let mut s = Scrambler::new(LONG_PREAMBLE_SEED);
        let sync: Vec<u8> = (0..127).map(|_| s.scramble(1)).collect();
        let ones = sync.iter().filter(|&&b| b == 1).count();
        assert!((50..80).contains(&ones), "{ones}");
        // x^7 + x^4 + 1 is primitive: period 127 for a zero input
        let mut s = Scrambler::new(1);
        let seq: Vec<u8> = (0..254).map(|_| s.scramble(0)).collect();
        assert_eq!(seq[..127], seq[127..]);
        assert!((1..127).all(|p| seq[..127] != seq[p..p + 127]));
    }

    #[test]
    fn rate_lengths() {
        assert_eq!(Rate::Mbps1.length_us(24), 192);
        assert_eq!(Rate::Mbps2.length_us(24), 96);
        assert_eq!(Rate::Mbps2.octets(96), 24);
        assert_eq!(Rate::from_signal(0x14), Some(Rate::Mbps2));
        assert_eq!(Rate::from_signal(0x37), None);
    }
}
