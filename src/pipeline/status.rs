//! The pipeline's status line: sample rate achieved, CPU load, drops and
//! what is being listened to.

use std::time::Instant;

use super::{Overload, PhyChoice};

/// A snapshot of a running pipeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// Wall-clock seconds since the pipeline started.
    pub wall_s: f64,
    /// Samples read from the source.
    pub samples: u64,
    /// Seconds of signal read (samples / nominal rate).
    pub stream_s: f64,
    /// The source's nominal rate, samples/s.
    pub nominal_rate: f64,
    /// Samples per second read over the last interval.
    pub rate_achieved: f64,
    /// CPU time of the process over the last interval, percent of one core
    /// (200 = two cores busy); `None` where it cannot be read.
    pub cpu_percent: Option<f64>,
    /// Per worker: PHY, blocks dropped, samples dropped, samples decoded.
    pub workers: Vec<(PhyChoice, u64, u64, u64)>,
    /// Overflows the source reported (samples lost before the pipeline).
    pub overflows: u64,
    /// What the receivers listen to now.
    pub listening: String,
    pub overload: Option<Overload>,
}

impl Status {
    /// Blocks dropped by all workers.
    pub fn dropped_blocks(&self) -> u64 {
        self.workers.iter().map(|w| w.1).sum()
    }

    /// Share of the samples read that a worker dropped, the worst worker.
    pub fn drop_fraction(&self) -> f64 {
        if self.samples == 0 {
            return 0.0;
        }
        self.workers.iter().map(|w| w.2 as f64 / self.samples as f64).fold(0.0, f64::max)
    }

    /// One line: `12.0 s · 2.000/2.000 MS/s · CPU 87% · dropped 0 · listening 2402.0 MHz: BLE ch37`.
    pub fn line(&self) -> String {
        let mut s =
            format!("{:.1} s · {:.3}/{:.3} MS/s", self.stream_s, self.rate_achieved / 1e6, self.nominal_rate / 1e6);
        if let Some(c) = self.cpu_percent {
            s += &format!(" · CPU {c:.0}%");
        }
        let dropped = self.dropped_blocks();
        if dropped > 0 {
            let who: Vec<String> =
                self.workers.iter().filter(|w| w.1 > 0).map(|w| format!("{} {}", w.0.as_str(), w.1)).collect();
            s += &format!(
                " · dropped {dropped} blocks ({}; {:.1}% of samples)",
                who.join(", "),
                100.0 * self.drop_fraction()
            );
        } else {
            s += " · dropped 0";
        }
        if self.overflows > 0 {
            s += &format!(" · device overflows {}", self.overflows);
        }
        if !self.listening.is_empty() {
            s += &format!(" · listening {}", self.listening);
        }
        s
    }
}

/// Rates between two snapshots.
pub(crate) struct Meter {
    t0: Instant,
    fs: f64,
    last_t: f64,
    last_samples: u64,
    last_cpu: Option<f64>,
}

impl Meter {
    pub(crate) fn new(fs: f64) -> Self {
        Meter { t0: Instant::now(), fs, last_t: 0.0, last_samples: 0, last_cpu: cpu_seconds() }
    }

    pub(crate) fn status(
        &mut self,
        samples: u64,
        workers: Vec<(PhyChoice, u64, u64, u64)>,
        overflows: u64,
        listening: String,
        overload: Overload,
    ) -> Status {
        let t = self.t0.elapsed().as_secs_f64();
        let dt = (t - self.last_t).max(1e-6);
        let rate = samples.saturating_sub(self.last_samples) as f64 / dt;
        let cpu = cpu_seconds();
        let cpu_percent = match (cpu, self.last_cpu) {
            (Some(a), Some(b)) => Some(100.0 * (a - b).max(0.0) / dt),
            _ => None,
        };
        self.last_t = t;
        self.last_samples = samples;
        self.last_cpu = cpu;
        Status {
            wall_s: t,
            samples,
            stream_s: samples as f64 / self.fs,
            nominal_rate: self.fs,
            rate_achieved: rate,
            cpu_percent,
            workers,
            overflows,
            listening,
            overload: Some(overload),
        }
    }
}

/// User + system CPU seconds of this process (Linux `/proc/self/stat`, in
/// clock ticks of 1/100 s, the value on every Linux platform Rust targets).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the command name, which is in parentheses and may hold spaces
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after ")"
    let ut: f64 = f.get(11)?.parse().ok()?;
    let st: f64 = f.get(12)?.parse().ok()?;
    Some((ut + st) / 100.0)
}

/// The process's peak resident memory (Linux `VmHWM`), bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_fractions() {
        let mut s = Status {
            samples: 1000,
            stream_s: 0.5,
            nominal_rate: 2e6,
            rate_achieved: 1.9e6,
            cpu_percent: Some(87.4),
            workers: vec![(PhyChoice::Ble, 0, 0, 1000), (PhyChoice::Wifi, 3, 250, 750)],
            listening: "2437.0 MHz: Wi-Fi ch6".into(),
            ..Status::default()
        };
        assert_eq!(s.dropped_blocks(), 3);
        assert!((s.drop_fraction() - 0.25).abs() < 1e-12);
        assert_eq!(
            s.line(),
            "0.5 s · 1.900/2.000 MS/s · CPU 87% · dropped 3 blocks (Wi-Fi 3; 25.0% of samples) · listening 2437.0 MHz: Wi-Fi ch6"
        );
        s.workers[1].1 = 0;
        s.overflows = 2;
        assert!(s.line().contains("dropped 0 · device overflows 2"));
        assert!(cpu_seconds().is_some() == cfg!(target_os = "linux"));
        assert!(peak_rss_bytes().is_some() == cfg!(target_os = "linux"));
    }
}
