//! Small helpers shared by the codecs: hex, addresses, UTC time, enums.

pub mod hex;
#[macro_use]
pub mod macros;
pub mod time;

/// Fixed-size text field: bytes up to the first NUL (or all of them),
/// lossily converted to UTF-8 (non-ASCII bytes become U+FFFD).
pub fn nul_terminated_str(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Copies `text` into `out`, NUL-padding the rest; fails if it does not fit.
pub fn write_padded(out: &mut [u8], text: &[u8]) -> Result<(), crate::error::EncodeError> {
    if text.len() > out.len() {
        return Err(crate::error::EncodeError::new(
            "text",
            format!("{} bytes do not fit in a {}-byte field", text.len(), out.len()),
        ));
    }
    out.fill(0);
    out[..text.len()].copy_from_slice(text);
    Ok(())
}

/// A 48-bit IEEE MAC / BLE device address, printed `aa:bb:cc:dd:ee:ff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    pub const BROADCAST: MacAddr = MacAddr([0xFF; 6]);

    /// From bytes in transmission order (802.11 addresses).
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        Some(MacAddr(b.get(..6)?.try_into().ok()?))
    }

    /// From a BLE device address, which is sent least significant byte first.
    pub fn from_ble_le(b: &[u8]) -> Option<Self> {
        let mut a: [u8; 6] = b.get(..6)?.try_into().ok()?;
        a.reverse();
        Some(MacAddr(a))
    }

    /// Bytes in BLE on-air order (least significant byte first).
    pub fn to_ble_le(self) -> [u8; 6] {
        let mut a = self.0;
        a.reverse();
        a
    }
}

impl std::fmt::Display for MacAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0], a[1], a[2], a[3], a[4], a[5])
    }
}

impl std::str::FromStr for MacAddr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split([':', '-']).collect();
        if parts.len() != 6 {
            return Err(format!("{s:?} is not a MAC address (expected 6 hex octets)"));
        }
        let mut a = [0u8; 6];
        for (o, p) in a.iter_mut().zip(parts) {
            *o = u8::from_str_radix(p, 16).map_err(|_| format!("{s:?}: bad octet {p:?}"))?;
        }
        Ok(MacAddr(a))
    }
}

impl serde::Serialize for MacAddr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Rounds `x` to the nearest integer, halves away from zero (C `round`).
#[inline]
pub fn c_round(x: f64) -> f64 {
    x.round()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_terminated() {
        assert_eq!(nul_terminated_str(b"AB\0CD"), "AB");
        assert_eq!(nul_terminated_str(b"ABCD"), "ABCD");
        assert_eq!(nul_terminated_str(b""), "");
    }

    #[test]
    fn mac_roundtrip() {
        let m: MacAddr = "84:cc:a8:60:43:24".parse().unwrap();
        assert_eq!(m.to_string(), "84:cc:a8:60:43:24");
        assert_eq!(MacAddr::from_ble_le(&m.to_ble_le()), Some(m));
        assert!("84:cc".parse::<MacAddr>().is_err());
        assert_eq!(MacAddr::from_slice(&[1, 2, 3]), None);
    }
}
