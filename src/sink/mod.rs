//! Outputs. Every output implements [`Sink`]; a run can feed several.

use std::io::{self, Write};

use crate::decode::Record;
use crate::frame::Frame;

pub mod cot;
pub mod db;
pub mod mqtt;
pub mod pcap;
pub mod replay;

pub use cot::{CotConfig, CotSink, CotTarget};
pub use db::{DbSink, SessionInfo};
pub use mqtt::{MqttConfig, MqttSink, MqttTarget};
pub use pcap::PcapSink;

/// An output. The pipeline hands each sink every received frame (before
/// decoding: [`frame`](Sink::frame)) and then the records decoded from it
/// ([`record`](Sink::record)); a sink uses what it needs.
pub trait Sink {
    /// Takes one received frame (CRC good), in stream order. Default: ignored.
    fn frame(&mut self, _f: &Frame) -> io::Result<()> {
        Ok(())
    }
    /// Writes one record.
    fn record(&mut self, r: &Record) -> io::Result<()>;
    /// Flushes buffered output (called at the end and before errors are reported).
    fn flush(&mut self) -> io::Result<()>;
}

/// JSON Lines: one record per line, the format of docs/DATA_FORMAT.md.
pub struct JsonlSink<W: Write> {
    w: W,
    line: Vec<u8>,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(w: W) -> Self {
        JsonlSink { w, line: Vec::with_capacity(1024) }
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, r).map_err(io::Error::other)?;
        self.line.push(b'\n');
        // I/O errors (a closed pipe) keep their kind
        self.w.write_all(&self.line)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Keeps the records in memory (tests, benches, embedding).
#[derive(Debug, Default)]
pub struct VecSink {
    pub records: Vec<Record>,
}

impl Sink for VecSink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        self.records.push(r.clone());
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Several outputs fed together (`-o`, `--pcap`, ...): each gets every
/// frame and record; the first error stops the run, after the others have
/// had the same item.
#[derive(Default)]
pub struct MultiSink {
    pub sinks: Vec<Box<dyn Sink>>,
}

impl MultiSink {
    fn each(&mut self, mut f: impl FnMut(&mut dyn Sink) -> io::Result<()>) -> io::Result<()> {
        let mut first = Ok(());
        for s in &mut self.sinks {
            if let Err(e) = f(s.as_mut())
                && first.is_ok()
            {
                first = Err(e);
            }
        }
        first
    }
}

impl Sink for MultiSink {
    fn frame(&mut self, f: &Frame) -> io::Result<()> {
        self.each(|s| s.frame(f))
    }

    fn record(&mut self, r: &Record) -> io::Result<()> {
        self.each(|s| s.record(r))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.each(|s| s.flush())
    }
}
