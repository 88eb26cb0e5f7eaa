//! `--pcap out.pcapng`: every received frame, for Wireshark and tshark.
//!
//! BLE frames as LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (256: channel, signal,
//! PHY and, for the Coded PHY, the coding indicator), 802.11 frames behind
//! radiotap (127: channel frequency, rate, signal, FCS flag), DJI OcuSync
//! code blocks as LINKTYPE_USER0 (147) behind ridscope's header
//! ([`ocusync_hdr`](crate::pcap::writer::ocusync_hdr)). `ridscope parse
//! --pcap` reads all three back. Timestamps are the frames' UTC times, or
//! their capture times counted from 1970 when the input has no clock.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use super::Sink;
use crate::decode::Record;
use crate::frame::Frame;
use crate::pcap::PcapngWriter;

pub struct PcapSink {
    w: PcapngWriter<BufWriter<File>>,
    /// Frames written.
    pub frames: u64,
}

impl PcapSink {
    /// Creates (or truncates) `path`.
    pub fn create(path: &Path) -> io::Result<PcapSink> {
        let f = File::create(path)?;
        Ok(PcapSink { w: PcapngWriter::new(BufWriter::new(f))?, frames: 0 })
    }
}

impl Sink for PcapSink {
    fn frame(&mut self, f: &Frame) -> io::Result<()> {
        let t = f.meta.unix_ns.unwrap_or((f.meta.time_s.max(0.0) * 1e9).round() as i128);
        self.w.frame(f, t)?;
        self.frames += 1;
        Ok(())
    }

    fn record(&mut self, _r: &Record) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}
