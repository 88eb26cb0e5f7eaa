//! Scan plans: for an SDR narrower than the band, a list of frequencies to
//! dwell on in turn (`--scan`).
//!
//! A plan is a comma-separated list of steps, each a preset name or a
//! frequency, optionally followed by `:` and a dwell time in seconds:
//!
//! | step | frequency | default dwell |
//! |---|---|---|
//! | `ble37`, `ble38`, `ble39` | 2402, 2426, 2480 MHz (BLE advertising) | 0.3 s |
//! | `ble` | the three above | 0.3 s each |
//! | `wifi1` … `wifi14` | the Wi-Fi channel's centre | 1 s |
//! | `dji` | 2414.5, 2429.5, 2444.5, 2459.5 MHz (DroneID, 2.4 GHz) | 1.3 s each |
//! | `dji58` | 5741.5, 5756.5, 5771.5, 5786.5, 5801.5, 5816.5, 5831.5 MHz | 1.3 s each |
//! | `2437M`, `2.4e9`, ... | that frequency | 1 s |
//!
//! `all` is `ble,wifi6,dji`. Dwell times follow the transmitters: BLE
//! adverts come several times a second on each channel, Wi-Fi beacons about
//! every 0.1–1 s, and DJI DroneID bursts every ~0.6 s on a channel that
//! changes every few seconds (`../shared/docs/dji-droneid.md` §8), so 1.3 s
//! hears one or two bursts when the drone is there.

use std::fmt;

/// One frequency of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanStep {
    pub freq_hz: f64,
    pub dwell_s: f64,
    /// The preset it came from (`ble37`, `wifi6`, `dji`), or the frequency.
    pub label: String,
}

/// Frequencies to dwell on in turn, and how long the device takes to settle
/// after retuning (samples read in that time are not decoded).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPlan {
    pub steps: Vec<ScanStep>,
    pub settle_s: f64,
}

/// Seconds skipped after each retune by default: an R820T settles in a few
/// ms, but rtl_tcp and USB buffers still hold samples of the old frequency.
pub const DEFAULT_SETTLE_S: f64 = 0.05;

const DJI_24_MHZ: [f64; 4] = [2414.5, 2429.5, 2444.5, 2459.5];
const DJI_58_MHZ: [f64; 7] = [5741.5, 5756.5, 5771.5, 5786.5, 5801.5, 5816.5, 5831.5];

impl ScanPlan {
    /// Parses a `--scan` value (see the [module documentation](self)).
    pub fn parse(s: &str) -> Result<ScanPlan, String> {
        let mut steps = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, dwell) = match item.split_once(':') {
                Some((n, d)) => {
                    let v: f64 =
                        d.trim().parse().map_err(|_| format!("{item:?}: dwell {d:?} is not a number of seconds"))?;
                    if !(v.is_finite() && v > 0.0 && v <= 3600.0) {
                        return Err(format!("{item:?}: dwell must be above 0 and at most 3600 s"));
                    }
                    (n.trim(), Some(v))
                }
                None => (item, None),
            };
            expand(name, dwell, &mut steps).map_err(|e| format!("--scan {item:?}: {e}"))?;
        }
        if steps.is_empty() {
            return Err("--scan: no step given (e.g. ble,wifi6,dji or 2402M:0.5,2437M:1)".into());
        }
        Ok(ScanPlan { steps, settle_s: DEFAULT_SETTLE_S })
    }

    /// Seconds for one pass over every step.
    pub fn cycle_s(&self) -> f64 {
        self.steps.iter().map(|s| s.dwell_s).sum()
    }
}

fn expand(name: &str, dwell: Option<f64>, out: &mut Vec<ScanStep>) -> Result<(), String> {
    let lower = name.to_ascii_lowercase();
    let mut push = |mhz: f64, default: f64, label: String| {
        out.push(ScanStep { freq_hz: mhz * 1e6, dwell_s: dwell.unwrap_or(default), label });
    };
    match lower.as_str() {
        "all" => {
            for n in ["ble", "wifi6", "dji"] {
                expand(n, dwell, out)?;
            }
        }
        "ble" => {
            for c in [37u8, 38, 39] {
                push(ble_mhz(c), 0.3, format!("ble{c}"));
            }
        }
        "ble37" | "ble38" | "ble39" => {
            let c: u8 = lower[3..].parse().map_err(|_| "bad BLE channel".to_string())?;
            push(ble_mhz(c), 0.3, lower.clone());
        }
        "dji" => DJI_24_MHZ.iter().for_each(|&f| push(f, 1.3, format!("dji {f} MHz"))),
        "dji58" => DJI_58_MHZ.iter().for_each(|&f| push(f, 1.3, format!("dji {f} MHz"))),
        w if w.starts_with("wifi") => {
            let ch: u16 = w[4..].parse().map_err(|_| format!("{name:?}: expected wifi1 … wifi14"))?;
            let mhz = match ch {
                1..=13 => 2407.0 + 5.0 * f64::from(ch),
                14 => 2484.0,
                _ => return Err(format!("{name:?}: Wi-Fi channels are 1 … 14")),
            };
            push(mhz, 1.0, lower.clone());
        }
        _ => {
            let hz = crate::cli::decode::parse_hz(name).map_err(|_| {
                format!(
                    "{name:?} is neither a preset (ble, ble37-39, wifi1-14, dji, dji58, all) nor a frequency (2437M)"
                )
            })?;
            push(hz / 1e6, 1.0, format!("{:.3} MHz", hz / 1e6));
        }
    }
    Ok(())
}

fn ble_mhz(c: u8) -> f64 {
    crate::frame::ble_channel_freq_hz(c).map_or(0.0, |f| f / 1e6)
}

impl fmt::Display for ScanPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {:.1} MHz {} s", s.label, s.freq_hz / 1e6, s.dwell_s)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_frequencies_and_dwells() {
        let p = ScanPlan::parse("ble, wifi6:2, dji, 915M:0.5").unwrap();
        let f: Vec<f64> = p.steps.iter().map(|s| s.freq_hz / 1e6).collect();
        assert_eq!(f, [2402.0, 2426.0, 2480.0, 2437.0, 2414.5, 2429.5, 2444.5, 2459.5, 915.0]);
        let d: Vec<f64> = p.steps.iter().map(|s| s.dwell_s).collect();
        assert_eq!(d, [0.3, 0.3, 0.3, 2.0, 1.3, 1.3, 1.3, 1.3, 0.5]);
        assert_eq!(p.steps[0].label, "ble37");
        assert!((p.cycle_s() - 8.6).abs() < 1e-9);
        assert_eq!(ScanPlan::parse("wifi14").unwrap().steps[0].freq_hz, 2484e6);
        assert_eq!(ScanPlan::parse("all").unwrap().steps.len(), 8);
        assert_eq!(ScanPlan::parse("ble:0.1").unwrap().steps[2].dwell_s, 0.1);
        for bad in ["", ",", "wifi15", "ble40", "dji:0", "dji:x", "2437M:-1", "foo", "ble:nan"] {
            assert!(ScanPlan::parse(bad).is_err(), "{bad}");
        }
    }
}
