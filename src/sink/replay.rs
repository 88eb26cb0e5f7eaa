//! Replay at capture speed: a sink that hands records to another thread
//! (the tracker and the TUI) through a bounded channel, releasing each when
//! the wall clock reaches its capture time divided by the replay speed.
//! The viewer pauses it, changes its speed, or stops it, through a shared
//! [`ReplayControl`].

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use super::Sink;
use crate::decode::Record;

/// Shared between the decoding thread and the viewer.
#[derive(Debug)]
pub struct ReplayControl {
    paused: AtomicBool,
    quit: AtomicBool,
    /// Replay speed (f64 bits); infinite = as fast as decoding goes.
    speed: AtomicU64,
}

impl ReplayControl {
    /// `speed`: 1 = capture speed; `f64::INFINITY` = as fast as possible.
    pub fn new(speed: f64) -> Arc<ReplayControl> {
        Arc::new(ReplayControl {
            paused: AtomicBool::new(false),
            quit: AtomicBool::new(false),
            speed: AtomicU64::new(sanitize(speed).to_bits()),
        })
    }

    pub fn speed(&self) -> f64 {
        f64::from_bits(self.speed.load(Ordering::Relaxed))
    }

    pub fn set_speed(&self, speed: f64) {
        self.speed.store(sanitize(speed).to_bits(), Ordering::Relaxed);
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    pub fn set_paused(&self, p: bool) {
        self.paused.store(p, Ordering::Relaxed);
    }

    /// Asks the decoding thread to stop (its sink returns an error).
    pub fn quit(&self) {
        self.quit.store(true, Ordering::Relaxed);
    }

    pub fn quitting(&self) -> bool {
        self.quit.load(Ordering::Relaxed)
    }
}

fn sanitize(speed: f64) -> f64 {
    if speed.is_nan() || speed <= 0.0 { 1.0 } else { speed }
}

/// The sink side: paces and sends.
pub struct ReplaySink {
    tx: SyncSender<Record>,
    ctl: Arc<ReplayControl>,
    /// (wall clock, capture time) the pacing counts from; reset when the
    /// speed changes or after a pause.
    anchor: Option<(Instant, f64, f64)>,
}

impl ReplaySink {
    pub fn new(tx: SyncSender<Record>, ctl: Arc<ReplayControl>) -> ReplaySink {
        ReplaySink { tx, ctl, anchor: None }
    }

    fn stopped() -> io::Error {
        io::Error::new(io::ErrorKind::BrokenPipe, "replay stopped")
    }

    /// Waits until the record at capture time `t` is due.
    fn pace(&mut self, t: f64) -> io::Result<()> {
        loop {
            if self.ctl.quitting() {
                return Err(Self::stopped());
            }
            if self.ctl.paused() {
                self.anchor = None;
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let speed = self.ctl.speed();
            if speed.is_infinite() {
                self.anchor = None;
                return Ok(());
            }
            let (w0, t0, s0) = match self.anchor {
                Some(a) if a.2 == speed && t >= a.1 => a,
                _ => {
                    let a = (Instant::now(), t, speed);
                    self.anchor = Some(a);
                    a
                }
            };
            let due = w0 + Duration::from_secs_f64(((t - t0) / s0).clamp(0.0, 1e6));
            let now = Instant::now();
            if due <= now {
                return Ok(());
            }
            // short sleeps, to notice pause, quit and speed changes
            std::thread::sleep((due - now).min(Duration::from_millis(50)));
        }
    }
}

impl Sink for ReplaySink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        let t = match r {
            Record::Message(m) => m.env.time_s,
            Record::Error(e) => e.env.time_s,
        };
        self.pace(if t.is_finite() { t } else { 0.0 })?;
        self.tx.send(r.clone()).map_err(|_| Self::stopped())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Envelope, ErrorRecord};
    use crate::error::ErrorKind;

    fn rec(t: f64) -> Record {
        Record::Error(ErrorRecord {
            msg_type: "error",
            env: Envelope {
                time_s: t,
                time_utc: None,
                frame: None,
                transport: crate::protocol::Transport::WifiBeacon,
                protocol: crate::protocol::ProtocolId::Odid,
                phy: crate::frame::Phy::WifiDsss,
                channel: None,
                freq_mhz: None,
                rssi_dbm: None,
                rssi_dbfs: None,
                snr_db: None,
                cfo_hz: None,
                src_addr: None,
                counter: None,
                pack_index: None,
                pack_size: None,
            },
            error_kind: ErrorKind::Length,
            error: String::new(),
        })
    }

    #[test]
    fn paces_by_capture_time_and_speed() {
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        let ctl = ReplayControl::new(10.0);
        let mut s = ReplaySink::new(tx, ctl.clone());
        let start = Instant::now();
        for t in [0.0, 0.1, 0.2, 0.3] {
            s.record(&rec(t)).unwrap();
        }
        // 0.3 s of capture at 10x: at least 30 ms
        assert!(start.elapsed() >= Duration::from_millis(29), "{:?}", start.elapsed());
        assert_eq!(rx.try_iter().count(), 4);
        ctl.set_speed(f64::INFINITY);
        let start = Instant::now();
        s.record(&rec(1000.0)).unwrap();
        assert!(start.elapsed() < Duration::from_secs(1));
        ctl.set_speed(f64::NAN);
        assert_eq!(ctl.speed(), 1.0);
    }

    #[test]
    fn quit_and_a_gone_receiver_stop_the_decoder() {
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        let ctl = ReplayControl::new(f64::INFINITY);
        let mut s = ReplaySink::new(tx, ctl.clone());
        s.record(&rec(0.0)).unwrap();
        ctl.set_paused(true);
        ctl.quit();
        assert_eq!(s.record(&rec(1.0)).unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        drop(rx);
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        drop(rx);
        let mut s = ReplaySink::new(tx, ReplayControl::new(f64::INFINITY));
        assert!(s.record(&rec(0.0)).is_err());
    }
}
