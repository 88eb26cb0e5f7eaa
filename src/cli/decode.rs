//! `ridscope decode`: IQ in (file, SigMF, stdin), JSON Lines out.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::decode::Decoder;
use crate::phy::ble::PhyStats;
use crate::phy::ocusync::OcuStats;
use crate::phy::wifi_dsss::DsssStats;
pub use crate::pipeline::PhyChoice;
use crate::pipeline::{self, Overload, PipelineConfig, RunReport, RxSettings, ScanPlan, Status};
use crate::sink::{CotSink, DbSink, JsonlSink, MqttSink, MultiSink, PcapSink, SessionInfo, Sink};
use crate::source::{self, SampleFormat, SourceSpec};

/// What to decode and where the output goes.
#[derive(Debug, Clone)]
pub struct DecodeConfig {
    pub source: SourceSpec,
    pub output: Option<PathBuf>,
    /// Also write every received frame to this pcapng file.
    pub pcap: Option<PathBuf>,
    /// Also send Cursor on Target events (drone, pilot, home).
    pub cot: Option<crate::sink::CotConfig>,
    /// Also publish to an MQTT broker.
    pub mqtt: Option<crate::sink::MqttConfig>,
    /// Also keep a SQLite history here.
    pub db: Option<PathBuf>,
    /// Sensor, zones and allow-list (tracks, the history's alerts).
    pub watch: crate::watch::WatchConfig,
    /// BLE channel indices to listen to (those inside the band).
    pub channels: Vec<u8>,
    /// Wi-Fi channels (1..=14) to listen to (those inside the band).
    pub wifi_channels: Vec<u16>,
    /// How BLE data channels are searched for auxiliary packets.
    pub aux_scan: crate::phy::ble::AuxScan,
    pub quiet: bool,
    /// Samples per block read from the source.
    pub block: usize,
    /// Receivers to run (those the capture suits).
    pub phys: Vec<PhyChoice>,
    /// Print track events and zone alerts instead of messages.
    pub tracks: Option<crate::watch::WatchConfig>,
    /// Drop blocks or wait when decoding falls behind; `None`: drop for
    /// live sources, wait for files.
    pub overload: Option<Overload>,
    /// Blocks each demodulator's queue holds.
    pub queue_blocks: usize,
    /// Frequencies to hop over (live sources).
    pub scan: Option<ScanPlan>,
    /// Record the samples as SigMF with an annotation per decoded frame.
    pub record: Option<PathBuf>,
    /// Stop after this many seconds of samples.
    pub duration_s: Option<f64>,
    /// Set to stop (Ctrl-C).
    pub stop: Arc<AtomicBool>,
    /// Print the status line on stderr every `status_every_s` seconds (live).
    pub status_every_s: Option<f64>,
    /// Where the pipeline publishes its latest status (the TUI reads it).
    pub status: Option<Arc<Mutex<Status>>>,
}

/// Wi-Fi channels received by default: the three that do not overlap,
/// where nearly every beacon is (Remote ID modules and DJI use 6).
pub const DEFAULT_WIFI_CHANNELS: [u16; 3] = [1, 6, 11];

impl DecodeConfig {
    pub fn new(path: impl Into<String>) -> Self {
        DecodeConfig {
            source: SourceSpec::new(path),
            output: None,
            pcap: None,
            cot: None,
            mqtt: None,
            db: None,
            watch: crate::watch::WatchConfig::default(),
            channels: crate::phy::ble::receiver::ADVERTISING.to_vec(),
            wifi_channels: DEFAULT_WIFI_CHANNELS.to_vec(),
            aux_scan: crate::phy::ble::AuxScan::Auto,
            quiet: false,
            block: 1 << 16,
            phys: vec![PhyChoice::Ble, PhyChoice::Dji, PhyChoice::Wifi],
            tracks: None,
            overload: None,
            queue_blocks: 16,
            scan: None,
            record: None,
            duration_s: None,
            stop: Arc::new(AtomicBool::new(false)),
            status_every_s: None,
            status: None,
        }
    }
}

/// Totals of a decode run.
#[derive(Debug, Clone, Default)]
pub struct DecodeSummary {
    pub samples: u64,
    /// BLE receiver counters, when it ran.
    pub phy: Option<PhyStats>,
    /// DroneID receiver counters, when it ran.
    pub dji: Option<OcuStats>,
    /// 802.11b receiver counters, when it ran.
    pub wifi: Option<DsssStats>,
    pub decode: crate::decode::Stats,
    pub seconds: f64,
    pub wall_s: f64,
    /// Drops, overflows, recording and memory of the run.
    pub run: RunReport,
}

impl DecodeSummary {
    pub fn text(&self, name: &str, rate: f64) -> String {
        let msps = self.samples as f64 / self.wall_s.max(1e-9) / 1e6;
        let mut s = format!(
            "{name}: {:.2} s of IQ ({} samples at {:.3} MS/s) in {:.2} s: {:.1} MS/s, {:.1}× real time\n",
            self.seconds,
            self.samples,
            rate / 1e6,
            self.wall_s,
            msps,
            self.seconds / self.wall_s.max(1e-9)
        );
        if let Some(p) = &self.phy {
            s += &format!(
                "  BLE: sync words {}, rejected as noise {}, CRC errors {}, packets {} ({} LE Coded)\n",
                p.sync_candidates, p.sync_rejected, p.crc_errors, p.packets, p.coded_packets
            );
            if p.coded_candidates > 0 {
                s += &format!(
                    "  BLE LE Coded: candidates {}, rejected as noise {}, reserved CI {}, CRC errors {}, packets {}\n",
                    p.coded_candidates, p.coded_rejected, p.coded_reserved_ci, p.coded_crc_errors, p.coded_packets
                );
            }
            if p.aux.any() {
                s += &format!("  {}\n", aux_line(&p.aux));
            }
            if p.guided_searches > 0 {
                s += &format!(
                    "  BLE guided AUX search: {} windows on data channels, {} already dropped\n",
                    p.guided_searches, p.guided_expired
                );
            }
        }
        if let Some(d) = &self.dji {
            s += &format!(
                "  DJI OcuSync: detections {}, not DroneID (no ZC) {}, CRC-24 errors {}, bursts {} ({} partial)\n",
                d.candidates, d.rejected, d.crc_errors, d.bursts, d.partial
            );
        }
        if let Some(w) = &self.wifi {
            s += &format!(
                "  Wi-Fi DSSS: locks {}, SFDs {}, header CRC errors {}, unsupported {}, FCS errors {}, frames {}\n",
                w.sync_candidates, w.sfd_found, w.header_crc_errors, w.unsupported, w.fcs_errors, w.frames
            );
        }
        let r = &self.run;
        if r.overload == Some(Overload::Drop) || r.dropped_blocks() > 0 || r.overflows > 0 {
            let per: Vec<String> =
                r.drops.iter().map(|d| format!("{} {} ({} samples)", d.0.as_str(), d.1, d.2)).collect();
            s += &format!(
                "  real time: blocks dropped {} [{}], device overflows {}, queue peak {} blocks\n",
                r.dropped_blocks(),
                per.join(", "),
                r.overflows,
                r.max_queued
            );
        }
        if r.retunes > 0 || r.steps.len() > 1 {
            s += &format!("  scan: {} retunes\n", r.retunes);
            for st in &r.steps {
                s += &format!(
                    "    {}: {:.1} s in {} dwells, {} frames\n",
                    st.listening, st.seconds, st.dwells, st.frames
                );
            }
        }
        if let Some(w) = &r.recorded {
            s += &format!("  recorded {} samples ({} clipped)\n", w.samples, w.clipped);
        }
        if let Some(m) = r.peak_rss_bytes {
            s += &format!("  peak memory {:.1} MB\n", m as f64 / 1e6);
        }
        s += "  ";
        s += &self.decode.summary().replace('\n', "\n  ");
        s
    }
}

/// The summary line of BLE extended advertising (see docs/DATA_FORMAT.md).
pub fn aux_line(a: &crate::phy::ble::auxlink::AuxStats) -> String {
    let mut s = format!(
        "BLE extended advertising: {} primaries, {} AUX expected in band ({} found, {} missed), {} outside the captured band, {} unmatched",
        a.primaries, a.aux_expected, a.aux_found, a.aux_missed, a.aux_outside_band, a.aux_unmatched
    );
    if a.aux_other_phy > 0 {
        s += &format!(", {} on a PHY not received", a.aux_other_phy);
    }
    if a.chain_expected + a.chain_outside_band + a.chain_unmatched > 0 {
        s += &format!(
            "; chains: {} expected ({} found, {} missed), {} not receivable, {} unmatched",
            a.chain_expected, a.chain_found, a.chain_missed, a.chain_outside_band, a.chain_unmatched
        );
    }
    if a.pending_at_end > 0 {
        s += &format!("; {} pointed past the end", a.pending_at_end);
    }
    s
}

pub fn run(cfg: DecodeConfig) -> ExitCode {
    let out: Box<dyn Write> = match &cfg.output {
        Some(p) => match File::create(p) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => {
                eprintln!("ridscope: cannot write {}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    let main: Box<dyn Sink> = match &cfg.tracks {
        None => Box::new(JsonlSink::new(out)),
        Some(w) => match w.build() {
            Ok(watch) => Box::new(crate::watch::TrackSink::new(out, watch)),
            Err(e) => {
                eprintln!("ridscope: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let mut sink = MultiSink { sinks: vec![main] };
    if let Some(p) = &cfg.db {
        let session =
            SessionInfo { source: cfg.source.path.clone(), settings: settings_json(&cfg), sensor: cfg.watch.sensor };
        match cfg.watch.build().and_then(|w| DbSink::create(p, session, w)) {
            Ok(s) => sink.sinks.push(Box::new(s)),
            Err(e) => {
                eprintln!("ridscope: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Some(c) = &cfg.cot {
        match CotSink::new(c.clone()) {
            Ok(s) => sink.sinks.push(Box::new(s)),
            Err(e) => {
                eprintln!("ridscope: --cot {:?}: {e}", c.target);
                return ExitCode::from(1);
            }
        }
    }
    if let Some(c) = &cfg.mqtt {
        match cfg.watch.build() {
            Ok(w) => sink.sinks.push(Box::new(MqttSink::new(c.clone(), w))),
            Err(e) => {
                eprintln!("ridscope: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Some(p) = &cfg.pcap {
        match PcapSink::create(p) {
            Ok(s) => sink.sinks.push(Box::new(s)),
            Err(e) => {
                eprintln!("ridscope: cannot write {}: {e}", p.display());
                return ExitCode::from(1);
            }
        }
    }
    let (result, summary, name, rate) = decode(&cfg, &mut sink);
    let flushed = sink.flush();
    if !cfg.quiet
        && let Some(s) = &summary
    {
        eprintln!("{}", s.text(&name, rate));
    }
    match (result, flushed) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Ok(()), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Ok(()), Err(e)) => {
            eprintln!("ridscope: writing output: {e}");
            ExitCode::from(1)
        }
        (Err(e), _) => {
            eprintln!("ridscope: {e}");
            ExitCode::from(1)
        }
    }
}

/// Decodes the source into `sink` through the threaded [`pipeline`]. On an
/// error, everything decoded before it has been written; the error is one
/// line naming the input.
pub fn decode(cfg: &DecodeConfig, sink: &mut dyn Sink) -> (Result<(), String>, Option<DecodeSummary>, String, f64) {
    let mut spec = cfg.source.clone();
    if spec.freq.is_none()
        && let Some(p) = &cfg.scan
    {
        spec.freq = p.steps.first().map(|s| s.freq_hz);
    }
    let src = match source::open(&spec) {
        Ok(s) => s,
        Err(e) => return (Err(e.to_string()), None, cfg.source.path.clone(), 0.0),
    };
    let info = src.info().clone();
    let name = info.name.clone();
    let fs = info.sample_rate;
    let mut pcfg = PipelineConfig::new(RxSettings {
        phys: cfg.phys.clone(),
        channels: cfg.channels.clone(),
        wifi_channels: cfg.wifi_channels.clone(),
        aux_scan: cfg.aux_scan,
    });
    pcfg.block = cfg.block;
    pcfg.queue_blocks = cfg.queue_blocks;
    pcfg.overload = cfg.overload;
    pcfg.scan = cfg.scan.clone();
    pcfg.record = cfg.record.clone();
    pcfg.stop = cfg.stop.clone();
    pcfg.max_samples = cfg.duration_s.map(|d| (d * fs).round() as u64);
    let status = cfg.status.clone().or_else(|| cfg.status_every_s.map(|_| Arc::new(Mutex::new(Status::default()))));
    pcfg.status = status.clone();

    let mut decoder = Decoder::new();
    let progress = progress_bar(cfg, info.total_samples);
    let start = Instant::now();
    let mut started = |s: &pipeline::Started| {
        if cfg.status_every_s.is_some() && !cfg.quiet {
            eprintln!(
                "{}: {:.3} MS/s, listening to {}",
                s.info.name,
                s.info.sample_rate / 1e6,
                s.listening.join(" | ")
            );
        }
    };
    let mut closed = false;
    let mut emit = |frames: &mut Vec<crate::frame::Frame>| -> Result<(), String> {
        for f in frames.drain(..) {
            if let Err(e) = sink.frame(&f) {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    closed = true;
                    return Err(String::new());
                }
                return Err(format!("writing output: {e}"));
            }
            for r in decoder.push(&f) {
                if let Err(e) = sink.record(&r) {
                    // the reader of a pipe left (`| head`): stop quietly
                    if e.kind() == io::ErrorKind::BrokenPipe {
                        closed = true;
                        return Err(String::new());
                    }
                    return Err(format!("writing output: {e}"));
                }
            }
        }
        if let Some(p) = &progress
            && let Some(f) = frames.last()
        {
            p.set_position((f.meta.time_s * fs) as u64);
        }
        Ok(())
    };
    // the status line, on its own clock (frames may not come for a while)
    let printing = Arc::new(AtomicBool::new(true));
    let printer = match (cfg.status_every_s, &status) {
        (Some(every), Some(st)) if !cfg.quiet => {
            let (st, printing) = (st.clone(), printing.clone());
            Some(std::thread::spawn(move || {
                let mut last = Instant::now();
                while printing.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                    if last.elapsed().as_secs_f64() >= every {
                        last = Instant::now();
                        if let Ok(g) = st.lock()
                            && g.samples > 0
                        {
                            eprintln!("{}", g.line());
                        }
                    }
                }
            }))
        }
        _ => None,
    };
    let (run, result) = pipeline::run(src, &pcfg, &mut started, &mut emit);
    let result = if closed { Ok(()) } else { result };
    printing.store(false, Ordering::Relaxed);
    if let Some(p) = printer {
        let _ = p.join();
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if result.is_err() && run.samples == 0 && run.rx == pipeline::RxTotals::default() {
        // refused before reading (nothing to receive, recording not created)
        return (result, None, name, fs);
    }
    let summary = DecodeSummary {
        samples: run.samples,
        phy: run.rx.ble.clone(),
        dji: run.rx.dji.clone(),
        wifi: run.rx.wifi.clone(),
        decode: decoder.stats.clone(),
        seconds: run.samples as f64 / fs,
        wall_s: start.elapsed().as_secs_f64(),
        run,
    };
    (result, Some(summary), name, fs)
}

/// The settings of a run as JSON, for the history's sessions table.
fn settings_json(cfg: &DecodeConfig) -> String {
    serde_json::json!({
        "source": cfg.source.path,
        "format": cfg.source.format.map(|f| f.as_str()),
        "rate": cfg.source.rate,
        "freq_hz": cfg.source.freq,
        "gain_db": cfg.source.tuning.gain_db,
        "lo_offset_hz": cfg.source.tuning.lo_offset_hz,
        "phys": cfg.phys.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "ble_channels": cfg.channels,
        "wifi_channels": cfg.wifi_channels,
        "aux_scan": format!("{:?}", cfg.aux_scan).to_lowercase(),
        "scan": cfg.scan.as_ref().map(|p| p.to_string()),
        "zones": cfg.watch.zones.as_ref().map(|p| p.display().to_string()),
        "radius_m": cfg.watch.radius_m,
    })
    .to_string()
}

fn progress_bar(cfg: &DecodeConfig, total: Option<u64>) -> Option<indicatif::ProgressBar> {
    if cfg.quiet || !io::stderr().is_terminal() {
        return None;
    }
    let total = total?;
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed_precise} eta {eta} ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}

/// Parses a `--format` value.
pub fn parse_format(s: &str) -> Result<SampleFormat, String> {
    s.parse::<SampleFormat>().map_err(|e| e.to_string())
}

/// Parses a rate or frequency: plain numbers, `4e6`, or with k/M/G suffixes;
/// positive, finite and at most 10G ([`MAX_SAMPLE_RATE`](crate::source::MAX_SAMPLE_RATE),
/// which as a frequency is still above every band a drone transmits in).
pub fn parse_hz(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        Some('G') => (&t[..t.len() - 1], 1e9),
        _ => (t, 1.0),
    };
    let v: f64 = num.parse().map_err(|_| format!("{s:?} is not a frequency or rate (e.g. 4e6, 4M, 2402M)"))?;
    let v = v * mult;
    let max = crate::source::MAX_SAMPLE_RATE;
    if !(v.is_finite() && v > 0.0) {
        Err(format!("{s:?} must be a positive finite number"))
    } else if v > max {
        Err(format!("{s:?} is above {}G, the highest rate or frequency accepted", max / 1e9))
    } else {
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phy::ble::auxlink::AuxStats;

    #[test]
    fn summary_shows_extended_advertising_only_when_seen() {
        let mut s = DecodeSummary { phy: Some(PhyStats::default()), ..Default::default() };
        assert!(!s.text("x", 4e6).contains("extended advertising"));
        let aux = AuxStats {
            primaries: 6,
            aux_expected: 1,
            aux_found: 1,
            aux_outside_band: 1,
            aux_unmatched: 2,
            ..Default::default()
        };
        s.phy = Some(PhyStats { aux, ..Default::default() });
        let t = s.text("x", 4e6);
        assert!(
            t.contains(
                "  BLE extended advertising: 6 primaries, 1 AUX expected in band (1 found, 0 missed), 1 outside the captured band, 2 unmatched\n"
            ),
            "{t}"
        );
        assert!(!t.contains("chains"), "{t}");
        let aux =
            AuxStats { aux_unmatched: 1, chain_expected: 2, chain_found: 1, chain_missed: 1, ..Default::default() };
        let line = aux_line(&aux);
        assert!(line.ends_with("; chains: 2 expected (1 found, 1 missed), 0 not receivable, 0 unmatched"), "{line}");
    }
}
