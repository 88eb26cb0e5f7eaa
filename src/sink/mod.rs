//! Outputs. Every output implements [`Sink`]; a run can feed several.

use std::io::{self, Write};

use crate::decode::Record;

pub mod replay;

pub trait Sink {
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
