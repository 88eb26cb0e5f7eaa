//! Hex encoding and lenient hex parsing (for the `parse` command).

/// Lower-case hex of `bytes`, no separators.
pub fn encode(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// Parses hex, ignoring whitespace, `:`/`-`/`_` separators and a leading `0x`.
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    let digits: Vec<u8> = t.bytes().filter(|c| !c.is_ascii_whitespace() && !matches!(c, b':' | b'-' | b'_')).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    let val = |c: u8| -> Result<u8, String> {
        (c as char).to_digit(16).map(|d| d as u8).ok_or_else(|| format!("{:?} is not a hex digit", c as char))
    };
    digits.chunks_exact(2).map(|p| Ok(val(p[0])? << 4 | val(p[1])?)).collect()
}

/// Serializes a byte slice as a hex string (serde `serialize_with`).
pub fn serialize<S: serde::Serializer, T: AsRef<[u8]>>(b: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&encode(b.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        assert_eq!(encode(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(decode("0x00 AB:10").unwrap(), vec![0, 0xab, 0x10]);
        assert!(decode("abc").is_err());
        assert!(decode("zz").is_err());
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }
}
