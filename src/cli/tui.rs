//! `ridscope tui INPUT`: replay a capture (or stdin) into the tracker and
//! the terminal UI. Three threads: the decoder (paced to capture time ×
//! `--speed` by a [`ReplaySink`]), the watcher (tracker + zone alerts →
//! view-model actions, a few times a second), and the UI on this thread.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::decode::{DecodeConfig, decode};
use crate::decode::Record;
use crate::pipeline::Status;
use crate::sink::replay::{ReplayControl, ReplaySink};
use crate::tui::model::{ChannelStat, GeoPoint, ReplaySpeed, TuiState};
use crate::tui::{Action, Command, adapter};
use crate::watch::WatchConfig;

/// What `ridscope tui` runs.
#[derive(Debug, Clone)]
pub struct TuiConfig {
    pub decode: DecodeConfig,
    pub watch: WatchConfig,
    /// Replay speed factor; infinite: as fast as decoding goes.
    pub speed: f64,
    /// `ridscope live`: no pacing, and the receiver's status line shown.
    pub live: bool,
}

/// Parses `--speed`: a factor (1, 4, 0.5) or `max`.
pub fn parse_speed(s: &str) -> Result<f64, String> {
    if s.eq_ignore_ascii_case("max") {
        return Ok(f64::INFINITY);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{s}: a positive factor (1, 4, 0.5) or max")),
    }
}

fn replay_speed(f: f64) -> ReplaySpeed {
    if f.is_infinite() {
        return ReplaySpeed::Max;
    }
    ReplaySpeed::STEPS
        .iter()
        .copied()
        .filter(|s| s.factor().is_some())
        .min_by(|a, b| {
            let d = |s: &ReplaySpeed| (s.factor().unwrap_or(f64::INFINITY).ln() - f.ln()).abs();
            d(a).total_cmp(&d(b))
        })
        .unwrap_or(ReplaySpeed::Max)
}

/// Records per (transport, channel), for the stats line.
#[derive(Default)]
struct ChannelCounts(BTreeMap<String, ChannelStat>);

impl ChannelCounts {
    fn add(&mut self, r: &Record) {
        let (env, err) = match r {
            Record::Message(m) => (&m.env, false),
            Record::Error(e) => (&e.env, true),
        };
        let t = env.transport.as_str();
        let name = match env.channel {
            Some(c) => format!("{t} ch{c}"),
            None => t.to_string(),
        };
        let s = self.0.entry(name.clone()).or_insert(ChannelStat { name, frames: 0, errors: 0, last_rssi_db: None });
        if err {
            s.errors += 1;
        } else {
            s.frames += 1;
        }
        if let Some(r) = env.rssi_dbfs.or(env.rssi_dbm) {
            s.last_rssi_db = Some(f64::from(r));
        }
    }
}

pub fn run(cfg: TuiConfig) -> ExitCode {
    match tui(cfg) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ridscope: {e}");
            ExitCode::from(1)
        }
    }
}

fn tui(cfg: TuiConfig) -> Result<(), String> {
    let mut watch = cfg.watch.build()?;
    // refuse a bad input before taking over the terminal
    crate::source::open(&cfg.decode.source).map_err(|e| e.to_string())?;
    let ctl = ReplayControl::new(cfg.speed);
    let (rec_tx, rec_rx) = mpsc::sync_channel::<Record>(4096);
    let (act_tx, act_rx) = mpsc::channel::<Action>();

    let mut dcfg = cfg.decode.clone();
    dcfg.quiet = true; // stderr would draw over the screen
    dcfg.output = None;
    // live sources publish their status for the bottom line
    let status = Arc::new(Mutex::new(Status::default()));
    dcfg.status = Some(status.clone());
    let dctl = ctl.clone();
    let decoder = std::thread::spawn(move || {
        let mut sink = ReplaySink::new(rec_tx, dctl);
        let (r, summary, _, _) = decode(&dcfg, &mut sink);
        (r, summary)
    });

    let live = cfg.live || crate::source::is_device(&cfg.decode.source.path);
    let sensor = cfg.watch.sensor.map(|(lat, lon)| GeoPoint::new(lat, lon));
    let _ = act_tx.send(Action::SetSensor(sensor));
    let _ = act_tx.send(Action::SetZones(adapter::zone_views(&watch)));
    let watcher = std::thread::spawn(move || {
        let mut events = Vec::new();
        let mut counts = ChannelCounts::default();
        let mut last = Instant::now();
        let mut last_status = Instant::now();
        let mut dirty = false;
        loop {
            let done = match rec_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(r) => {
                    counts.add(&r);
                    watch.push(&r, &mut events);
                    dirty = true;
                    false
                }
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => true,
            };
            let (alerts, log) = adapter::event_views(&events);
            events.clear();
            for a in alerts {
                if act_tx.send(Action::PushAlert(a)).is_err() {
                    return;
                }
            }
            for l in log {
                let _ = act_tx.send(Action::PushLog(l));
            }
            if live
                && let Ok(st) = status.lock()
                && st.samples > 0
                && (done || last_status.elapsed() >= Duration::from_millis(500))
            {
                last_status = Instant::now();
                if act_tx.send(Action::SetReceiver(st.line())).is_err() {
                    return;
                }
            }
            if done || (dirty && last.elapsed() >= Duration::from_millis(200)) {
                last = Instant::now();
                dirty = false;
                let updates = [
                    Action::SetAircraft(adapter::aircraft_views(&watch)),
                    Action::SetChannels(counts.0.values().cloned().collect()),
                    Action::SetClock { time_s: watch.tracker.now_s(), utc: None },
                ];
                for a in updates {
                    if act_tx.send(a).is_err() {
                        return;
                    }
                }
            }
            if done {
                let _ = act_tx.send(Action::Finished);
                return;
            }
        }
    });

    let what = if live { "live" } else { "replay" };
    let mut state = TuiState::new(format!("{} ({what})", cfg.decode.source.path));
    state.sensor = sensor;
    state.speed = replay_speed(cfg.speed);
    let ui = crate::tui::run_terminal(&mut state, &act_rx, |c| match c {
        Command::SetPaused(p) => ctl.set_paused(p),
        Command::SetSpeed(s) => ctl.set_speed(s.factor().unwrap_or(f64::INFINITY)),
        Command::Quit => ctl.quit(),
        Command::None => {}
    });
    // an error of the decoder that ended on its own (not stopped by quitting)
    let ended = decoder.is_finished();
    ctl.quit();
    drop(act_rx);
    let decoded = decoder.join();
    let _ = watcher.join();
    ui.map_err(|e| format!("terminal: {e}"))?;
    match decoded {
        Ok((Err(e), _)) if ended => Err(e),
        Ok(_) => Ok(()),
        Err(_) => Err("the decoder thread panicked".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds() {
        assert_eq!(parse_speed("max"), Ok(f64::INFINITY));
        assert_eq!(parse_speed("4"), Ok(4.0));
        assert!(parse_speed("0").is_err() && parse_speed("x").is_err() && parse_speed("nan").is_err());
        assert_eq!(replay_speed(f64::INFINITY), ReplaySpeed::Max);
        assert_eq!(replay_speed(4.0).factor(), Some(4.0));
        assert_eq!(replay_speed(3.0).factor(), Some(4.0));
    }
}
