//! `ridscope decode`: IQ in (file, SigMF, stdin), JSON Lines out.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::decode::Decoder;
use crate::frame::Frame;
use crate::phy::ble::{BleReceiver, BleRxConfig, PhyStats};
use crate::phy::ocusync::{OcuStats, OcusyncReceiver};
use crate::phy::wifi_dsss::{DsssReceiver, DsssRxConfig, DsssStats};
use crate::sink::{JsonlSink, Sink};
use crate::source::{self, IqBlock, SampleFormat, SourceSpec};

/// What to decode and where the output goes.
#[derive(Debug, Clone)]
pub struct DecodeConfig {
    pub source: SourceSpec,
    pub output: Option<PathBuf>,
    /// BLE channel indices to listen to (those inside the band).
    pub channels: Vec<u8>,
    /// Wi-Fi channels (1..=14) to listen to (those inside the band).
    pub wifi_channels: Vec<u16>,
    pub quiet: bool,
    /// Samples per block read from the source.
    pub block: usize,
    /// Receivers to run (those the capture suits).
    pub phys: Vec<PhyChoice>,
    /// Print track events and zone alerts instead of messages.
    pub tracks: Option<crate::watch::WatchConfig>,
}

/// Wi-Fi channels received by default: the three that do not overlap,
/// where nearly every beacon is (Remote ID modules and DJI use 6).
pub const DEFAULT_WIFI_CHANNELS: [u16; 3] = [1, 6, 11];

/// The receivers `decode` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PhyChoice {
    /// Remote ID over BLE 1M (legacy advertising).
    Ble,
    /// DJI DroneID on OcuSync (captures of 15.36 MS/s and more).
    Dji,
    /// Wi-Fi 802.11b DSSS, 1 and 2 Mb/s (captures of 11 MS/s and more;
    /// the --wifi-channels inside the band).
    Wifi,
}

impl DecodeConfig {
    pub fn new(path: impl Into<String>) -> Self {
        DecodeConfig {
            source: SourceSpec::new(path),
            output: None,
            channels: crate::phy::ble::receiver::ADVERTISING.to_vec(),
            wifi_channels: DEFAULT_WIFI_CHANNELS.to_vec(),
            quiet: false,
            block: 1 << 16,
            phys: vec![PhyChoice::Ble, PhyChoice::Dji, PhyChoice::Wifi],
            tracks: None,
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
                "  BLE: sync words {}, rejected as noise {}, CRC errors {}, packets {}\n",
                p.sync_candidates, p.sync_rejected, p.crc_errors, p.packets
            );
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
        s += "  ";
        s += &self.decode.summary().replace('\n', "\n  ");
        s
    }
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
    let mut sink: Box<dyn Sink> = match &cfg.tracks {
        None => Box::new(JsonlSink::new(out)),
        Some(w) => match w.build() {
            Ok(watch) => Box::new(crate::watch::TrackSink::new(out, watch)),
            Err(e) => {
                eprintln!("ridscope: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let (result, summary, name, rate) = decode(&cfg, sink.as_mut());
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

/// Decodes the source into `sink`. On an error, everything decoded before
/// it has been written; the error is one line naming the input.
pub fn decode(cfg: &DecodeConfig, sink: &mut dyn Sink) -> (Result<(), String>, Option<DecodeSummary>, String, f64) {
    let mut src = match source::open(&cfg.source) {
        Ok(s) => s,
        Err(e) => return (Err(e.to_string()), None, cfg.source.path.clone(), 0.0),
    };
    let info = src.info().clone();
    let name = info.name.clone();
    let fs = info.sample_rate;
    let mut why = Vec::new();
    let mut ble = None;
    if cfg.phys.contains(&PhyChoice::Ble) {
        let mut rx_cfg = BleRxConfig::new(fs, info.center_freq_hz);
        rx_cfg.channels = cfg.channels.clone();
        match BleReceiver::new(&rx_cfg) {
            Ok(r) => ble = Some(r),
            Err(e) => why.push(format!("BLE: {e}")),
        }
    }
    let mut dji = None;
    if cfg.phys.contains(&PhyChoice::Dji) {
        match OcusyncReceiver::new(fs, info.center_freq_hz) {
            Ok(r) => dji = Some(r),
            Err(e) => why.push(format!("DJI: {e}")),
        }
    }
    let mut wifi = None;
    if cfg.phys.contains(&PhyChoice::Wifi) {
        let mut rx_cfg = DsssRxConfig::new(fs, info.center_freq_hz);
        rx_cfg.channels = cfg.wifi_channels.clone();
        match DsssReceiver::new(&rx_cfg) {
            Ok(r) => wifi = Some(r),
            Err(e) => why.push(format!("Wi-Fi: {e}")),
        }
    }
    if ble.is_none() && dji.is_none() && wifi.is_none() {
        return (Err(format!("{name}: nothing to receive: {}", why.join("; "))), None, name, fs);
    }
    let mut decoder = Decoder::new();
    let mut block = IqBlock::with_capacity(cfg.block);
    let mut frames: Vec<Frame> = Vec::new();
    let start = Instant::now();
    let mut samples = 0u64;
    let progress = progress_bar(cfg, info.total_samples);
    let mut result = Ok(());
    let mut emit = |frames: &mut Vec<Frame>, decoder: &mut Decoder| -> Result<(), String> {
        frames.sort_by(|a, b| a.meta.time_s.total_cmp(&b.meta.time_s));
        for mut f in frames.drain(..) {
            f.meta.unix_ns = info.start_unix_ns.map(|t0| t0 + (f.meta.time_s * 1e9).round() as i128);
            for r in decoder.push(&f) {
                sink.record(&r).map_err(|e| format!("writing output: {e}"))?;
            }
        }
        Ok(())
    };
    loop {
        match src.read_block(&mut block, cfg.block) {
            Ok(0) => break,
            Ok(_) => {
                if let Some(rx) = &mut ble {
                    rx.process(&block.re, &block.im, &mut frames);
                }
                if let Some(rx) = &mut dji {
                    rx.process(&block.re, &block.im, &mut frames);
                }
                if let Some(rx) = &mut wifi {
                    rx.process(&block.re, &block.im, &mut frames);
                }
                samples += block.re.len() as u64;
                if let Err(e) = emit(&mut frames, &mut decoder) {
                    result = Err(e);
                    break;
                }
                if let Some(p) = &progress {
                    p.set_position(samples);
                }
            }
            Err(e) => {
                result = Err(e.to_string());
                break;
            }
        }
    }
    // what was received before an input error still counts
    if let Some(rx) = &mut ble {
        rx.finish(&mut frames);
    }
    if let Some(rx) = &mut dji {
        rx.finish(&mut frames);
    }
    if let Some(rx) = &mut wifi {
        rx.finish(&mut frames);
    }
    if let Err(e) = emit(&mut frames, &mut decoder)
        && result.is_ok()
    {
        result = Err(e);
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let summary = DecodeSummary {
        samples,
        phy: ble.map(|r| r.stats),
        dji: dji.map(|r| r.stats),
        wifi: wifi.map(|r| r.stats),
        decode: decoder.stats.clone(),
        seconds: samples as f64 / info.sample_rate,
        wall_s: start.elapsed().as_secs_f64(),
    };
    (result, Some(summary), name, info.sample_rate)
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
