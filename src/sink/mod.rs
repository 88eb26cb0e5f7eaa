//! Outputs. Every output implements [`Sink`]; a run can feed several.

use std::io::{self, Write};

use crate::decode::Record;

pub trait Sink {
    /// Writes one record.
    fn record(&mut self, r: &Record) -> io::Result<()>;
    /// Flushes buffered output (called at the end and before errors are reported).
    fn flush(&mut self) -> io::Result<()>;
}

/// JSON Lines: one record per line, the format of docs/DATA_FORMAT.md.
pub struct JsonlSink<W: Write> {
    w: W,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(w: W) -> Self {
        JsonlSink { w }
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        serde_json::to_writer(&mut self.w, r).map_err(io::Error::other)?;
        self.w.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}
