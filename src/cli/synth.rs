//! `ridscope synth ble|dji|wifi|mixed`: a capture of drones broadcasting
//! their IDs, plus the truth of what was sent.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::source::{Annotation, RawWriter, SampleFormat, SigmfWriter, SourceError};
use crate::synth::dji::{self, DjiEmitter, DjiIqConfig, DjiPlan, DjiTx, render_dji};
use crate::synth::iq::{BleEmitter, IqConfig, render_ble};
use crate::synth::mix;
use crate::synth::scenario::{self, BleTx, ScenarioConfig};
use crate::synth::wifi::{self, WifiEmitter, WifiIqConfig, WifiPlan, WifiTx, render_wifi};

/// Where the truth goes: `X.sigmf-meta` → `X.truth.jsonl`, `X.cu8` → `X.truth.jsonl`.
pub fn truth_path(output: &Path) -> PathBuf {
    let s = output.to_string_lossy();
    let base = s
        .strip_suffix(".sigmf-meta")
        .or_else(|| s.strip_suffix(".sigmf-data"))
        .map(str::to_string)
        .unwrap_or_else(|| output.with_extension("").to_string_lossy().into_owned());
    PathBuf::from(format!("{base}.truth.jsonl"))
}

/// Prints the summary line or the error.
fn report(r: Result<String, String>) -> ExitCode {
    match r {
        Ok(msg) => {
            eprintln!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ridscope: {e}");
            ExitCode::from(1)
        }
    }
}

/// Where a synthesized capture goes.
struct Out<'a> {
    /// `X.sigmf-meta`, a raw file, or `-` (raw samples on stdout).
    path: &'a Path,
    /// Explicit truth file.
    truth: Option<&'a Path>,
    format: SampleFormat,
    sample_rate: f64,
    center_freq_hz: f64,
    start_unix_ns: i128,
    description: String,
}

enum Writer {
    Sigmf(SigmfWriter),
    Raw(RawWriter<Box<dyn Write>>),
}

impl Writer {
    fn write(&mut self, re: &[f32], im: &[f32]) -> Result<(), SourceError> {
        match self {
            Writer::Sigmf(w) => w.write(re, im),
            Writer::Raw(w) => w.write(re, im),
        }
    }
}

impl Out<'_> {
    fn is_stdout(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// The truth file: `--truth`, else beside the output.
    fn truth_file(&self) -> Result<PathBuf, String> {
        match (self.truth, self.is_stdout()) {
            (Some(t), _) => Ok(t.to_path_buf()),
            (None, false) => Ok(truth_path(self.path)),
            (None, true) => Err("with -o - the truth needs a file: --truth FILE".into()),
        }
    }

    /// Opens the output (SigMF gets `annotations`), lets `render` write
    /// every block, closes it, writes `truth`; returns what `render`
    /// returned, the number of clipped samples and the truth file.
    fn write<R>(
        &self,
        annotations: impl IntoIterator<Item = Annotation>,
        render: impl FnOnce(&mut dyn FnMut(&[f32], &[f32]) -> Result<(), SourceError>) -> Result<R, SourceError>,
        truth: &str,
    ) -> Result<(R, u64, PathBuf), String> {
        let truth_file = self.truth_file()?;
        let mut w = if self.is_stdout() {
            let out: Box<dyn Write> = Box::new(std::io::BufWriter::new(std::io::stdout().lock()));
            Writer::Raw(RawWriter::from_writer(out, self.format, "stdout"))
        } else if self.path.to_string_lossy().ends_with(".sigmf-meta") {
            let mut w = SigmfWriter::create(
                self.path,
                self.format,
                self.sample_rate,
                Some(self.center_freq_hz),
                Some(self.start_unix_ns),
                &self.description,
            )
            .map_err(|e| e.to_string())?;
            for a in annotations {
                w.annotate(a);
            }
            Writer::Sigmf(w)
        } else {
            let f = std::fs::File::create(self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
            let out: Box<dyn Write> = Box::new(std::io::BufWriter::new(f));
            Writer::Raw(RawWriter::from_writer(out, self.format, &self.path.display().to_string()))
        };
        let r = render(&mut |re, im| w.write(re, im)).map_err(|e| e.to_string())?;
        let summary = match w {
            Writer::Sigmf(w) => w.finish(),
            Writer::Raw(w) => w.finish(),
        }
        .map_err(|e| e.to_string())?;
        std::fs::write(&truth_file, truth).map_err(|e| format!("{}: {e}", truth_file.display()))?;
        Ok((r, summary.clipped, truth_file))
    }
}

fn annotation(fs: f64, t_s: f64, dur_s: f64, f_hz: f64, half_bw_hz: f64, label: String) -> Annotation {
    Annotation {
        sample_start: (t_s * fs).max(0.0).round() as u64,
        sample_count: (dur_s * fs).round() as u64,
        freq_lower_edge: Some(f_hz - half_bw_hz),
        freq_upper_edge: Some(f_hz + half_bw_hz),
        label: Some(label),
        comment: None,
    }
}

fn ble_annotations<'a>(txs: &'a [BleTx], fs: f64) -> impl Iterator<Item = Annotation> + 'a {
    txs.iter().map(move |t| {
        let kind = t.truth.first().map(|m| m.message.msg_type()).unwrap_or("advert");
        let f = t.freq_hz().unwrap_or(0.0);
        annotation(fs, t.t_s, t.duration_s(), f, 1e6, format!("ble ch{} drone{} {kind}", t.channel, t.drone))
    })
}

fn dji_annotations<'a>(txs: &'a [DjiTx], fs: f64) -> impl Iterator<Item = Annotation> + 'a {
    txs.iter().map(move |t| {
        let label = format!("dji ocusync drone{} {}", t.drone, t.message.msg_type());
        annotation(fs, t.t_s, t.duration_s(), t.freq_hz, 4.5e6, label)
    })
}

fn wifi_annotations<'a>(txs: &'a [WifiTx], fs: f64) -> impl Iterator<Item = Annotation> + 'a {
    txs.iter().map(move |t| {
        let what = match t.truth.first().map(|m| m.transport) {
            Some(crate::protocol::Transport::WifiNan) => "nan",
            Some(_) => "beacon",
            None => "pcap frame",
        };
        let label = format!("wifi ch{} {} Mb/s drone{} {what}", t.channel, t.rate.mbps(), t.drone);
        annotation(fs, t.t_s, t.duration_s(), t.freq_hz().unwrap_or(0.0), 11e6, label)
    })
}

// ---------------------------------------------------------------------------
// BLE

#[derive(Debug, Clone)]
pub struct SynthBleConfig {
    pub output: PathBuf,
    pub truth: Option<PathBuf>,
    pub format: SampleFormat,
    pub scenario: ScenarioConfig,
    pub iq: IqConfig,
    /// BLE 4 legacy advertising.
    pub legacy: bool,
    /// BLE 5 Long Range extended advertising on this Coded PHY.
    pub ble5: Option<scenario::BlePhy>,
}

/// The BLE transmissions of a `synth ble`/`synth ble5` run, sorted by time.
pub fn ble_txs(cfg: &SynthBleConfig) -> Result<Vec<BleTx>, String> {
    let mut txs = Vec::new();
    if cfg.legacy {
        txs = scenario::ble4_legacy(&cfg.scenario).map_err(|e| format!("scenario: {e}"))?;
    }
    if let Some(phy) = cfg.ble5 {
        txs.extend(scenario::ble5_extended(&cfg.scenario, phy).map_err(|e| format!("scenario: {e}"))?);
        txs.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)).then(a.channel.cmp(&b.channel)));
    }
    Ok(txs)
}

pub fn run(cfg: SynthBleConfig) -> ExitCode {
    report(synth(&cfg))
}

/// Writes the capture and its truth; returns a summary line.
pub fn synth(cfg: &SynthBleConfig) -> Result<String, String> {
    let txs = ble_txs(cfg)?;
    let in_band: Vec<_> = txs.iter().filter(|t| t.freq_hz().is_some_and(|f| cfg.iq.in_band(f))).cloned().collect();
    let what = match (cfg.legacy, cfg.ble5) {
        (true, None) => "ble".to_string(),
        (legacy, Some(p)) => {
            format!(
                "ble5 {}{}",
                if p == scenario::BlePhy::CodedS2 { "S=2" } else { "S=8" },
                if legacy { " + BLE 4 legacy" } else { "" }
            )
        }
        (false, None) => "nothing".to_string(),
    };
    let out = Out {
        path: &cfg.output,
        truth: cfg.truth.as_deref(),
        format: cfg.format,
        sample_rate: cfg.iq.sample_rate,
        center_freq_hz: cfg.iq.center_freq_hz,
        start_unix_ns: cfg.scenario.start_unix_ns,
        description: format!(
            "ridscope synth {what}: {} drone(s), {} s, Eb/N0 {} dB per 1 Mb/s symbol, CFO ±{} Hz, clock ±{} ppm, seed {}",
            cfg.scenario.drones, cfg.scenario.duration_s, cfg.iq.ebn0_db, cfg.iq.cfo_hz, cfg.iq.ppm, cfg.scenario.seed
        ),
    };
    let truth = scenario::truth_jsonl(&in_band).map_err(|e| format!("truth: {e}"))?;
    let (r, clipped, truth_file) = out.write(
        ble_annotations(&in_band, cfg.iq.sample_rate),
        |sink| render_ble(&txs, &cfg.iq, cfg.scenario.duration_s, 1 << 16, sink),
        &truth,
    )?;
    Ok(format!(
        "{}: {} samples, {} packets in band ({} outside the band not rendered), {clipped} clipped; truth in {}",
        cfg.output.display(),
        r.samples,
        r.packets_in_band,
        r.packets_out_of_band,
        truth_file.display()
    ))
}

// ---------------------------------------------------------------------------
// DJI

#[derive(Debug, Clone)]
pub struct SynthDjiConfig {
    pub output: PathBuf,
    pub truth: Option<PathBuf>,
    pub format: SampleFormat,
    pub scenario: ScenarioConfig,
    pub iq: DjiIqConfig,
    /// Empty `freqs_hz`: the DroneID channels inside the band, else the centre.
    pub plan: DjiPlan,
}

pub fn run_dji(cfg: SynthDjiConfig) -> ExitCode {
    report(synth_dji(&cfg))
}

/// The DroneID schedule of a capture: `plan` with its channels filled in
/// (those inside the band when none are given), checked.
fn dji_schedule(scenario: &ScenarioConfig, iq: &DjiIqConfig, plan: &DjiPlan) -> Result<(Vec<DjiTx>, DjiPlan), String> {
    let fs = iq.sample_rate;
    let max = crate::phy::ocusync::receiver::MAX_RATE;
    if !(15.36e6 * (1.0 - 1e-6)..=max).contains(&fs) {
        return Err(format!("--rate {fs}: DroneID captures are 15.36 to {} MS/s", max / 1e6));
    }
    if plan.period_s.is_nan() || plan.period_s < 0.002 {
        return Err(format!("--period {}: bursts of one drone must be at least 2 ms apart", plan.period_s));
    }
    let mut plan = plan.clone();
    if plan.freqs_hz.is_empty() {
        plan.freqs_hz =
            dji::CHANNELS_2G4_HZ.iter().chain(&dji::CHANNELS_5G8_HZ).copied().filter(|&f| iq.in_band(f)).collect();
        if plan.freqs_hz.is_empty() {
            plan.freqs_hz.push(iq.center_freq_hz);
        }
    }
    if let Some(f) = plan.freqs_hz.iter().find(|&&f| !iq.in_band(f)) {
        return Err(format!("channel {:.4} MHz does not fit inside the captured band", f / 1e6));
    }
    let txs = dji::schedule(scenario, &plan).map_err(|e| format!("scenario: {e}"))?;
    Ok((txs, plan))
}

/// Writes a DroneID capture and its truth; returns a summary line.
pub fn synth_dji(cfg: &SynthDjiConfig) -> Result<String, String> {
    let (txs, plan) = dji_schedule(&cfg.scenario, &cfg.iq, &cfg.plan)?;
    let out = Out {
        path: &cfg.output,
        truth: cfg.truth.as_deref(),
        format: cfg.format,
        sample_rate: cfg.iq.sample_rate,
        center_freq_hz: cfg.iq.center_freq_hz,
        start_unix_ns: cfg.scenario.start_unix_ns,
        description: format!(
            "ridscope synth dji: {} drone(s), {} s, SNR {} dB in 9 MHz, CFO ±{} Hz, clock ±{} ppm, {} symbols, seed {}",
            cfg.scenario.drones,
            cfg.scenario.duration_s,
            cfg.iq.snr_db,
            cfg.iq.cfo_hz,
            cfg.iq.ppm,
            if plan.nine_symbols { 9 } else { 8 },
            cfg.scenario.seed
        ),
    };
    let in_band: Vec<_> = txs.iter().filter(|t| cfg.iq.in_band(t.freq_hz)).cloned().collect();
    let truth = dji::truth_jsonl(&in_band).map_err(|e| format!("truth: {e}"))?;
    let (r, clipped, truth_file) = out.write(
        dji_annotations(&in_band, cfg.iq.sample_rate),
        |sink| render_dji(&txs, &cfg.iq, cfg.scenario.duration_s, 1 << 16, sink),
        &truth,
    )?;
    Ok(format!(
        "{}: {} samples, {} bursts ({} outside the band not rendered), {clipped} clipped; truth in {}",
        cfg.output.display(),
        r.samples,
        r.bursts_in_band,
        r.bursts_out_of_band,
        truth_file.display()
    ))
}

// ---------------------------------------------------------------------------
// Wi-Fi

#[derive(Debug, Clone)]
pub struct SynthWifiConfig {
    pub output: PathBuf,
    pub truth: Option<PathBuf>,
    pub format: SampleFormat,
    pub scenario: ScenarioConfig,
    pub iq: WifiIqConfig,
    pub plan: WifiPlan,
    /// Put the 802.11 frames of this pcap on the air instead of the scenario's.
    pub from_pcap: Option<PathBuf>,
}

pub fn run_wifi(cfg: SynthWifiConfig) -> ExitCode {
    report(synth_wifi(&cfg))
}

fn check_wifi(iq: &WifiIqConfig, plan: &WifiPlan) -> Result<(), String> {
    if iq.sample_rate.is_nan() || iq.sample_rate < 10.99e6 || iq.sample_rate > crate::source::MAX_SAMPLE_RATE {
        return Err(format!("--rate {}: 802.11b needs 11 MS/s or more", iq.sample_rate));
    }
    match crate::phy::wifi_dsss::receiver::channel_freq_hz(plan.channel) {
        Some(f) if iq.in_band(f) => Ok(()),
        Some(f) => {
            Err(format!("Wi-Fi channel {} ({:.0} MHz) does not fit inside the captured band", plan.channel, f / 1e6))
        }
        None => Err(format!("--channel {}: not a 2.4 GHz Wi-Fi channel (1..14)", plan.channel)),
    }
}

/// Writes a Wi-Fi (802.11b DSSS) capture and its truth; returns a summary line.
pub fn synth_wifi(cfg: &SynthWifiConfig) -> Result<String, String> {
    check_wifi(&cfg.iq, &cfg.plan)?;
    let (txs, duration_s, source) = match &cfg.from_pcap {
        Some(p) => {
            let (txs, skipped) = wifi::from_pcap(p, &cfg.plan)?;
            let Some(last) = txs.last() else {
                return Err(format!(
                    "{}: no 802.11 frame to put on the air ({} records of other link types, {} with a bad FCS, {} too long, {} unreadable)",
                    p.display(),
                    skipped.not_80211,
                    skipped.bad_fcs,
                    skipped.too_long,
                    skipped.unreadable
                ));
            };
            let dur = last.t_s + last.duration_s() + cfg.plan.period_s / 2.0;
            let s = format!(
                "{} frames of {} ({} not 802.11, {} with a bad FCS, {} too long, {} unreadable)",
                txs.len(),
                p.display(),
                skipped.not_80211,
                skipped.bad_fcs,
                skipped.too_long,
                skipped.unreadable
            );
            (txs, dur, s)
        }
        None => {
            let txs = wifi::schedule(&cfg.scenario, &cfg.plan).map_err(|e| format!("scenario: {e}"))?;
            let s = format!("{} drone(s), {} frames", cfg.scenario.drones, txs.len());
            (txs, cfg.scenario.duration_s, s)
        }
    };
    let out = Out {
        path: &cfg.output,
        truth: cfg.truth.as_deref(),
        format: cfg.format,
        sample_rate: cfg.iq.sample_rate,
        center_freq_hz: cfg.iq.center_freq_hz,
        start_unix_ns: cfg.scenario.start_unix_ns,
        description: format!(
            "ridscope synth wifi: {source}, {} s, channel {}, {} Mb/s, chip SNR {} dB, CFO ±{} Hz, clock ±{} ppm, seed {}",
            duration_s,
            cfg.plan.channel,
            cfg.plan.rate.mbps(),
            cfg.iq.snr_db,
            cfg.iq.cfo_hz,
            cfg.iq.ppm,
            cfg.iq.seed
        ),
    };
    let truth = wifi::truth_jsonl(&txs).map_err(|e| format!("truth: {e}"))?;
    let (r, clipped, truth_file) = out.write(
        wifi_annotations(&txs, cfg.iq.sample_rate),
        |sink| render_wifi(&txs, &cfg.iq, duration_s, 1 << 16, sink),
        &truth,
    )?;
    Ok(format!(
        "{}: {} samples, {source}, {} frames rendered, {clipped} clipped; truth in {}",
        cfg.output.display(),
        r.samples,
        r.frames_in_band,
        truth_file.display()
    ))
}

// ---------------------------------------------------------------------------
// Mixed: BLE, Wi-Fi and DJI from the same drones in one capture

#[derive(Debug, Clone)]
pub struct SynthMixedConfig {
    pub output: PathBuf,
    pub truth: Option<PathBuf>,
    pub format: SampleFormat,
    pub scenario: ScenarioConfig,
    /// Sample rate, centre frequency and seed of the capture, and the BLE
    /// Eb/N0 (`amplitude` is ignored: one noise floor for all).
    pub ble: IqConfig,
    /// The Wi-Fi chip SNR, carrier and clock errors.
    pub wifi: WifiIqConfig,
    pub wifi_plan: WifiPlan,
    /// The DroneID SNR in 9 MHz, carrier and clock errors.
    pub dji: DjiIqConfig,
    pub dji_plan: DjiPlan,
    /// Also BLE 5 Long Range extended advertising on this Coded PHY (its
    /// packets get the BLE Eb/N0 per 1 Mb/s symbol, so 9 dB more per
    /// information bit at S=8).
    pub ble5: Option<scenario::BlePhy>,
}

pub fn run_mixed(cfg: SynthMixedConfig) -> ExitCode {
    report(synth_mixed(&cfg))
}

/// Writes a capture where the drones broadcast BLE 4 Remote ID, Wi-Fi
/// beacons (or NAN) and DJI DroneID at once, with one merged truth file
/// (sorted by time; BLE and Wi-Fi lines per message, DJI lines per burst).
pub fn synth_mixed(cfg: &SynthMixedConfig) -> Result<String, String> {
    let (fs, fc) = (cfg.ble.sample_rate, cfg.ble.center_freq_hz);
    let wifi_iq = WifiIqConfig { sample_rate: fs, center_freq_hz: fc, seed: cfg.ble.seed, ..cfg.wifi.clone() };
    let dji_iq = DjiIqConfig { sample_rate: fs, center_freq_hz: fc, seed: cfg.ble.seed, ..cfg.dji.clone() };
    check_wifi(&wifi_iq, &cfg.wifi_plan)?;
    let mut ble_txs = scenario::ble4_legacy(&cfg.scenario).map_err(|e| format!("scenario: {e}"))?;
    if let Some(phy) = cfg.ble5 {
        ble_txs.extend(scenario::ble5_extended(&cfg.scenario, phy).map_err(|e| format!("scenario: {e}"))?);
        ble_txs.sort_by(|a, b| a.t_s.total_cmp(&b.t_s).then(a.drone.cmp(&b.drone)).then(a.channel.cmp(&b.channel)));
    }
    let ble_in: Vec<_> = ble_txs.iter().filter(|t| t.freq_hz().is_some_and(|f| cfg.ble.in_band(f))).cloned().collect();
    if ble_in.is_empty() && !ble_txs.is_empty() {
        return Err(format!(
            "no BLE advertising channel inside the band ({:.1} MHz ± {} MS/s / 2)",
            fc / 1e6,
            fs / 1e6
        ));
    }
    let wifi_txs = wifi::schedule(&cfg.scenario, &cfg.wifi_plan).map_err(|e| format!("scenario: {e}"))?;
    let (dji_txs, _) = dji_schedule(&cfg.scenario, &dji_iq, &cfg.dji_plan)?;

    // one noise floor; each kind's amplitude from its own SNR, the total
    // (all three at once plus noise) about a quarter of full scale
    let c_ble = cfg.ble.amplitude_for_sigma(1.0);
    let c_wifi = wifi_iq.amplitude_for_sigma(1.0);
    let c_dji = dji_iq.amplitude_for_sigma(1.0);
    let sigma = 0.25 / (c_ble * c_ble + c_wifi * c_wifi + c_dji * c_dji + 2.0).sqrt();

    let mut lines: Vec<(f64, String)> = Vec::new();
    let to_lines = |s: String, lines: &mut Vec<(f64, String)>| {
        for l in s.lines() {
            let t = serde_json::from_str::<serde_json::Value>(l).ok().and_then(|v| v["t_s"].as_f64()).unwrap_or(0.0);
            lines.push((t, l.to_string()));
        }
    };
    to_lines(scenario::truth_jsonl(&ble_in).map_err(|e| format!("truth: {e}"))?, &mut lines);
    to_lines(wifi::truth_jsonl(&wifi_txs).map_err(|e| format!("truth: {e}"))?, &mut lines);
    let dji_in: Vec<_> = dji_txs.iter().filter(|t| dji_iq.in_band(t.freq_hz)).cloned().collect();
    to_lines(dji::truth_jsonl(&dji_in).map_err(|e| format!("truth: {e}"))?, &mut lines);
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    let truth: String = lines.into_iter().flat_map(|(_, l)| [l, "\n".to_string()]).collect();

    let out = Out {
        path: &cfg.output,
        truth: cfg.truth.as_deref(),
        format: cfg.format,
        sample_rate: fs,
        center_freq_hz: fc,
        start_unix_ns: cfg.scenario.start_unix_ns,
        description: format!(
            "ridscope synth mixed: {} drone(s), {} s: BLE 4 at Eb/N0 {} dB, Wi-Fi channel {} at chip SNR {} dB, DJI DroneID at SNR {} dB in 9 MHz; seed {}",
            cfg.scenario.drones,
            cfg.scenario.duration_s,
            cfg.ble.ebn0_db,
            cfg.wifi_plan.channel,
            wifi_iq.snr_db,
            dji_iq.snr_db,
            cfg.scenario.seed
        ),
    };
    let annotations =
        ble_annotations(&ble_in, fs).chain(wifi_annotations(&wifi_txs, fs)).chain(dji_annotations(&dji_in, fs));
    let total = (cfg.scenario.duration_s * fs).round().max(0.0) as u64;
    let mut ble = BleEmitter::new(&ble_txs, &cfg.ble, c_ble * sigma);
    let mut wifi = WifiEmitter::new(&wifi_txs, &wifi_iq, c_wifi * sigma);
    let mut dji = DjiEmitter::new(&dji_txs, &dji_iq, c_dji * sigma);
    let ((), clipped, truth_file) = out.write(
        annotations,
        |sink| {
            mix::render(&mut [&mut ble, &mut wifi, &mut dji], total, 1 << 16, sigma, cfg.ble.seed ^ 0x006d_6978, sink)
        },
        &truth,
    )?;
    Ok(format!(
        "{}: {total} samples, {} BLE packets, {} Wi-Fi frames, {} DJI bursts, {clipped} clipped; truth in {}",
        cfg.output.display(),
        ble.report.packets_in_band,
        wifi.report.frames_in_band,
        dji.report.bursts_in_band,
        truth_file.display()
    ))
}
