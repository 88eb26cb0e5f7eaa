//! `ridscope synth ble`: a capture of drones broadcasting Remote ID, plus
//! the truth of what was sent.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::source::{Annotation, RawWriter, SampleFormat, SigmfWriter};
use crate::synth::dji::{self, DjiIqConfig, DjiPlan, render_dji};
use crate::synth::iq::{IqConfig, render_ble};
use crate::synth::scenario::{self, ScenarioConfig};

#[derive(Debug, Clone)]
pub struct SynthBleConfig {
    pub output: PathBuf,
    pub format: SampleFormat,
    pub scenario: ScenarioConfig,
    pub iq: IqConfig,
}

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

pub fn run(cfg: SynthBleConfig) -> ExitCode {
    match synth(&cfg) {
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

/// Writes the capture and its truth; returns a summary line.
pub fn synth(cfg: &SynthBleConfig) -> Result<String, String> {
    let txs = scenario::ble4_legacy(&cfg.scenario).map_err(|e| format!("scenario: {e}"))?;
    let in_band: Vec<_> = txs.iter().filter(|t| t.freq_hz().is_some_and(|f| cfg.iq.in_band(f))).cloned().collect();
    let sigmf = cfg.output.to_string_lossy().ends_with(".sigmf-meta");
    let out = cfg.output.display().to_string();
    let desc = format!(
        "ridscope synth ble: {} drone(s), {} s, Eb/N0 {} dB, CFO ±{} Hz, clock ±{} ppm, seed {}",
        cfg.scenario.drones, cfg.scenario.duration_s, cfg.iq.ebn0_db, cfg.iq.cfo_hz, cfg.iq.ppm, cfg.scenario.seed
    );
    let fs = cfg.iq.sample_rate;
    let report = if sigmf {
        let mut w = SigmfWriter::create(
            &cfg.output,
            cfg.format,
            fs,
            Some(cfg.iq.center_freq_hz),
            Some(cfg.scenario.start_unix_ns),
            &desc,
        )
        .map_err(|e| e.to_string())?;
        for t in &in_band {
            let f = t.freq_hz().unwrap_or(0.0);
            let kind = t.truth.first().map(|m| m.message.msg_type()).unwrap_or("advert");
            w.annotate(Annotation {
                sample_start: (t.t_s * fs).round() as u64,
                sample_count: (t.duration_s() * fs).round() as u64,
                freq_lower_edge: Some(f - 1e6),
                freq_upper_edge: Some(f + 1e6),
                label: Some(format!("ble ch{} drone{} {kind}", t.channel, t.drone)),
                comment: None,
            });
        }
        let r = render_ble(&txs, &cfg.iq, cfg.scenario.duration_s, 1 << 16, |re, im| w.write(re, im))
            .map_err(|e| e.to_string())?;
        let s = w.finish().map_err(|e| e.to_string())?;
        (r, s)
    } else {
        let mut w = RawWriter::create(&cfg.output, cfg.format).map_err(|e| e.to_string())?;
        let r = render_ble(&txs, &cfg.iq, cfg.scenario.duration_s, 1 << 16, |re, im| w.write(re, im))
            .map_err(|e| e.to_string())?;
        let s = w.finish().map_err(|e| e.to_string())?;
        (r, s)
    };
    let truth = truth_path(&cfg.output);
    let jsonl = scenario::truth_jsonl(&in_band).map_err(|e| format!("truth: {e}"))?;
    std::fs::write(&truth, jsonl).map_err(|e| format!("{}: {e}", truth.display()))?;
    let (r, s) = report;
    Ok(format!(
        "{out}: {} samples, {} packets in band ({} outside the band not rendered), {} clipped; truth in {}",
        r.samples,
        r.packets_in_band,
        r.packets_out_of_band,
        s.clipped,
        truth.display()
    ))
}

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
    match synth_dji(&cfg) {
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

/// Writes a DroneID capture and its truth; returns a summary line.
pub fn synth_dji(cfg: &SynthDjiConfig) -> Result<String, String> {
    let fs = cfg.iq.sample_rate;
    let max = crate::phy::ocusync::receiver::MAX_RATE;
    if !(15.36e6 * (1.0 - 1e-6)..=max).contains(&fs) {
        return Err(format!("--rate {fs}: DroneID captures are 15.36 to {} MS/s", max / 1e6));
    }
    if cfg.plan.period_s.is_nan() || cfg.plan.period_s < 0.002 {
        return Err(format!("--period {}: bursts of one drone must be at least 2 ms apart", cfg.plan.period_s));
    }
    let mut plan = cfg.plan.clone();
    if plan.freqs_hz.is_empty() {
        plan.freqs_hz =
            dji::CHANNELS_2G4_HZ.iter().chain(&dji::CHANNELS_5G8_HZ).copied().filter(|&f| cfg.iq.in_band(f)).collect();
        if plan.freqs_hz.is_empty() {
            plan.freqs_hz.push(cfg.iq.center_freq_hz);
        }
    }
    if let Some(f) = plan.freqs_hz.iter().find(|&&f| !cfg.iq.in_band(f)) {
        return Err(format!("channel {:.4} MHz does not fit inside the captured band", f / 1e6));
    }
    let txs = dji::schedule(&cfg.scenario, &plan).map_err(|e| format!("scenario: {e}"))?;
    let stdout = cfg.output.as_os_str() == "-";
    let truth = match (&cfg.truth, stdout) {
        (Some(t), _) => t.clone(),
        (None, false) => truth_path(&cfg.output),
        (None, true) => return Err("with -o - the truth needs a file: --truth FILE".into()),
    };
    let out = cfg.output.display().to_string();
    let desc = format!(
        "ridscope synth dji: {} drone(s), {} s, SNR {} dB in 9 MHz, CFO ±{} Hz, clock ±{} ppm, {} symbols, seed {}",
        cfg.scenario.drones,
        cfg.scenario.duration_s,
        cfg.iq.snr_db,
        cfg.iq.cfo_hz,
        cfg.iq.ppm,
        if plan.nine_symbols { 9 } else { 8 },
        cfg.scenario.seed
    );
    let dur = cfg.scenario.duration_s;
    let (r, clipped) = if stdout {
        let mut w = RawWriter::from_writer(std::io::BufWriter::new(std::io::stdout().lock()), cfg.format, "stdout");
        let r = render_dji(&txs, &cfg.iq, dur, 1 << 16, |re, im| w.write(re, im)).map_err(|e| e.to_string())?;
        (r, w.finish().map_err(|e| e.to_string())?.clipped)
    } else if cfg.output.to_string_lossy().ends_with(".sigmf-meta") {
        let mut w = SigmfWriter::create(
            &cfg.output,
            cfg.format,
            fs,
            Some(cfg.iq.center_freq_hz),
            Some(cfg.scenario.start_unix_ns),
            &desc,
        )
        .map_err(|e| e.to_string())?;
        let len = if plan.nine_symbols { 9880.0 } else { 8776.0 } / 15.36e6;
        for t in txs.iter().filter(|t| cfg.iq.in_band(t.freq_hz)) {
            w.annotate(Annotation {
                sample_start: (t.t_s * fs).round() as u64,
                sample_count: (len * fs).round() as u64,
                freq_lower_edge: Some(t.freq_hz - 4.5e6),
                freq_upper_edge: Some(t.freq_hz + 4.5e6),
                label: Some(format!("dji ocusync drone{} {}", t.drone, t.message.msg_type())),
                comment: None,
            });
        }
        let r = render_dji(&txs, &cfg.iq, dur, 1 << 16, |re, im| w.write(re, im)).map_err(|e| e.to_string())?;
        (r, w.finish().map_err(|e| e.to_string())?.clipped)
    } else {
        let mut w = RawWriter::create(&cfg.output, cfg.format).map_err(|e| e.to_string())?;
        let r = render_dji(&txs, &cfg.iq, dur, 1 << 16, |re, im| w.write(re, im)).map_err(|e| e.to_string())?;
        (r, w.finish().map_err(|e| e.to_string())?.clipped)
    };
    let in_band: Vec<_> = txs.into_iter().filter(|t| cfg.iq.in_band(t.freq_hz)).collect();
    let jsonl = dji::truth_jsonl(&in_band).map_err(|e| format!("truth: {e}"))?;
    std::fs::write(&truth, jsonl).map_err(|e| format!("{}: {e}", truth.display()))?;
    Ok(format!(
        "{out}: {} samples, {} bursts ({} outside the band not rendered), {} clipped; truth in {}",
        r.samples,
        r.bursts_in_band,
        r.bursts_out_of_band,
        clipped,
        truth.display()
    ))
}
