//! The pipeline fed faster than it can decode: a source that replays the
//! golden BLE capture (1 s at 2 MS/s) from memory as fast as memory copies
//! go, 100 times over. With `Overload::Drop` the reader never waits: whole
//! blocks are dropped and counted, memory stays bounded (the queues, not
//! the stream), and the frames still decoded carry their true stream time.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ridscope::decode::{Decoder, Record};
use ridscope::pipeline::{self, Overload, PhyChoice, PipelineConfig, RxSettings, Status};
use ridscope::source::{self, IqBlock, IqSource, SourceError, SourceSpec, StreamInfo};

struct Repeat {
    info: StreamInfo,
    re: Vec<f32>,
    im: Vec<f32>,
    next: u64,
}

impl IqSource for Repeat {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    fn read_block(&mut self, block: &mut IqBlock, max: usize) -> Result<usize, SourceError> {
        let len = self.re.len() as u64;
        let at = (self.next % len) as usize;
        let n = max.min(self.re.len() - at);
        block.re.clear();
        block.im.clear();
        block.re.extend_from_slice(&self.re[at..at + n]);
        block.im.extend_from_slice(&self.im[at..at + n]);
        block.start_sample = self.next;
        block.dropped_before = false;
        self.next += n as u64;
        Ok(n)
    }
}

#[test]
fn feeding_faster_than_decoding_drops_blocks_in_bounded_memory() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("captures/iq/ble_2M_ch37.sigmf-meta");
    let mut src = source::open(&SourceSpec::new(path.to_string_lossy())).unwrap();
    let info = src.info().clone();
    let (mut re, mut im) = (Vec::new(), Vec::new());
    let mut b = IqBlock::default();
    while src.read_block(&mut b, 1 << 16).unwrap() > 0 {
        re.extend_from_slice(&b.re);
        im.extend_from_slice(&b.im);
    }
    let one = re.len() as u64;
    assert_eq!(one, 2_000_000);
    // the capture's own decode: the times of its messages within the second
    let mut cfg = PipelineConfig::new(RxSettings {
        phys: vec![PhyChoice::Ble],
        channels: vec![37],
        wifi_channels: vec![],
        aux_scan: ridscope::phy::ble::AuxScan::Auto,
    });
    let mut times = Vec::new();
    let again = source::open(&SourceSpec::new(path.to_string_lossy())).unwrap();
    let (r, res) = pipeline::run(again, &cfg, &mut |_| {}, &mut |f| {
        times.extend(f.iter().map(|f| f.meta.time_s));
        Ok(())
    });
    res.unwrap();
    assert_eq!((times.len(), r.dropped_blocks()), (18, 0));

    let total = 100 * one;
    let fast = Repeat { info: StreamInfo { total_samples: None, ..info }, re, im, next: 0 };
    cfg.overload = Some(Overload::Drop);
    cfg.queue_blocks = 4;
    cfg.max_samples = Some(total);
    let status = Arc::new(Mutex::new(Status::default()));
    cfg.status = Some(status.clone());
    let mut decoder = Decoder::new();
    let mut records = Vec::new();
    let mut late = Vec::new();
    let (r, res) = pipeline::run(Box::new(fast), &cfg, &mut |_| {}, &mut |frames| {
        for f in frames.iter() {
            // every frame sits where the capture has one, modulo its length
            let t = f.meta.time_s % 1.0;
            if !times.iter().any(|&u| (u - t).abs() < 1e-6) {
                late.push(f.meta.time_s);
            }
            records.extend(decoder.push(f));
        }
        Ok(())
    });
    res.unwrap();
    eprintln!("{r:?}");
    assert_eq!(r.samples, total, "the reader read everything");
    let (phy, blocks, samples) = r.drops[0];
    assert_eq!(phy, PhyChoice::Ble);
    assert!(blocks > 0, "the decoder cannot keep up with memory copies");
    // what was not dropped was decoded
    assert_eq!(r.rx.ble.as_ref().unwrap().samples + samples, total);
    assert!(r.max_queued <= 4);
    // bounded: the stream is 1.6 GB of f32 pairs; queues, pool and the
    // source's 16 MB copy are a few tens of MB
    let peak = r.peak_rss_bytes.unwrap_or(0);
    assert!(peak < 200_000_000, "peak memory {peak} bytes");
    // frames from the blocks that got through decode, at their true times
    assert!(late.is_empty(), "frames at times the capture has none: {late:?}");
    let messages = records.iter().filter(|r| matches!(r, Record::Message(_))).count();
    assert!(messages > 0);
    // and the status shows the drops
    let s = status.lock().unwrap().clone();
    assert_eq!(s.dropped_blocks(), blocks);
    assert!(s.line().contains(&format!("dropped {blocks} blocks (BLE {blocks};")), "{}", s.line());
}
