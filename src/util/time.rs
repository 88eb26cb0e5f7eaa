//! UTC time without a calendar dependency: Unix nanoseconds to RFC 3339.

/// Seconds from the Unix epoch to 2019-01-01T00:00:00Z, the ODID epoch.
pub const ODID_EPOCH_UNIX_S: i64 = 1_546_300_800;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The computer's clock now, Unix nanoseconds (`None` before 1970).
pub fn now_unix_ns() -> Option<i128> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
    i128::try_from(d.as_nanos()).ok()
}

/// Formats Unix time in nanoseconds as `YYYY-MM-DDTHH:MM:SS.fffZ`
/// (millisecond precision; whole seconds print `.000`).
pub fn rfc3339_ns(unix_ns: i128) -> String {
    let ms = unix_ns.div_euclid(1_000_000);
    let secs = ms.div_euclid(1000) as i64;
    let milli = ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z", sod / 3600, (sod / 60) % 60, sod % 60)
}

/// Formats whole Unix seconds as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`).
pub fn rfc3339_s(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let sod = unix_s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", sod / 3600, (sod / 60) % 60, sod % 60)
}

/// Reconstructs the full time of an ODID Location timestamp (tenths of a
/// second since the start of the UTC hour) from the receive time: of the
/// candidate hours (previous, current, next) it picks the one that puts the
/// timestamp nearest to the receive time, which handles the rollover at the
/// top of the hour. Returns Unix nanoseconds.
pub fn location_time_unix_ns(tenths_since_hour: u16, rx_unix_ns: i128) -> i128 {
    const HOUR_NS: i128 = 3_600_000_000_000;
    let hour_start = rx_unix_ns.div_euclid(HOUR_NS) * HOUR_NS;
    let off = tenths_since_hour as i128 * 100_000_000;
    [hour_start - HOUR_NS, hour_start, hour_start + HOUR_NS]
        .into_iter()
        .map(|h| h + off)
        .min_by_key(|t| (t - rx_unix_ns).abs())
        .unwrap_or(hour_start + off)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339_s(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_s(ODID_EPOCH_UNIX_S), "2019-01-01T00:00:00Z");
        // the vector note: 200000000 s after 2019-01-01 = 2025-05-03T19:33:20Z
        assert_eq!(rfc3339_s(ODID_EPOCH_UNIX_S + 200_000_000), "2025-05-03T19:33:20Z");
        assert_eq!(rfc3339_s(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_ns(1_696_390_917_558_003_000), "2023-10-04T03:41:57.558Z");
        assert_eq!(rfc3339_ns(-1_000_000), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn location_time_rollover() {
        let h = 1_700_000_000i128 / 3600 * 3600; // an hour boundary
        let ns = |s: i128| s * 1_000_000_000;
        // received 2 s after the top of the hour, timestamp 3599.0 s: previous hour
        assert_eq!(location_time_unix_ns(35990, ns(h + 2)), ns(h - 1));
        // received just before the hour, timestamp 0.5 s: next hour
        assert_eq!(location_time_unix_ns(5, ns(h - 1)), ns(h) + 500_000_000);
        // ordinary case
        assert_eq!(location_time_unix_ns(18000, ns(h + 1801)), ns(h + 1800));
    }
}
