//! Sample rate and center frequency from rtl_433-style file names.
//!
//! rtl_433 names its recordings `g001_433.92M_250k.cu8`: after splitting
//! the name on `_` and `-`, tokens made of a decimal number and a `k`, `M`
//! or `G` multiplier are frequencies and rates, the frequency first. A unit
//! after the multiplier settles which is which: `Hz` for a frequency, `sps`
//! or `S` for a rate (`2402MHz_4Msps`, in any order).

/// What a file name says about its recording.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct NameHints {
    pub center_freq_hz: Option<f64>,
    pub sample_rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// No unit: the position decides.
    None,
    Hz,
    Sps,
}

/// Reads the frequency and rate tokens of a file name (with or without the
/// directory and extension).
pub(crate) fn hints_from_file_name(file_name: &str) -> NameHints {
    // Drop an extension (a last dot followed by a letter); "433.92M" keeps its dot.
    let stem = match file_name.rsplit_once('.') {
        Some((stem, ext)) if ext.starts_with(|c: char| c.is_ascii_alphabetic()) => stem,
        _ => file_name,
    };
    let (mut freq, mut rate) = (None, None);
    let mut untagged = Vec::new();
    for (value, unit) in stem.split(['_', '-']).filter_map(parse_token) {
        match unit {
            Unit::Hz => freq = freq.or(Some(value)),
            Unit::Sps => rate = rate.or(Some(value)),
            Unit::None => untagged.push(value),
        }
    }
    let mut untagged = untagged.into_iter();
    let center_freq_hz = freq.or_else(|| untagged.next());
    let sample_rate = rate.or_else(|| untagged.next());
    NameHints { center_freq_hz, sample_rate }
}

/// Parses `<digits>[.<digits>](k|K|M|G)[Hz|sps|S]` (units in any case) to a
/// positive value in Hz or samples per second.
fn parse_token(tok: &str) -> Option<(f64, Unit)> {
    let num_end = tok.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (num, rest) = tok.split_at(num_end);
    let mut rest = rest.chars();
    let exp: i32 = match rest.next()? {
        'k' | 'K' => 3,
        'M' => 6,
        'G' => 9,
        _ => return None,
    };
    let unit = match rest.as_str().to_ascii_lowercase().as_str() {
        "" => Unit::None,
        "hz" => Unit::Hz,
        "sps" | "s" => Unit::Sps,
        _ => return None,
    };
    let value = parse_scaled(num, exp)?;
    (value > 0.0).then_some((value, unit))
}

/// `num × 10^exp` for a decimal `num` of digits with at most one dot, exact
/// whenever the result is an integer (433.92M is 433 920 000, not 433 919 999.99…).
fn parse_scaled(num: &str, exp: i32) -> Option<f64> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() || frac.contains('.') || int.len() + frac.len() > 18 {
        return None;
    }
    let digits: u64 = format!("{int}{frac}").parse().ok()?;
    let shift = exp - frac.len() as i32;
    Some(if shift >= 0 { digits as f64 * 10f64.powi(shift) } else { digits as f64 / 10f64.powi(-shift) })
}
