//! The threaded pipeline against one thread, on a wideband capture held in
//! memory: 1 s at 50 MS/s centred on 2432 MHz (`synth mixed` defaults with
//! 4 drones: BLE channel 38, a Wi-Fi channel 6 beacon per drone every
//! 100 ms, a DroneID burst per drone every 600 ms), all three receivers
//! (BLE, DJI, Wi-Fi DSSS on the channels inside the band).
//!
//! - `one_thread`: the receivers one after the other on each block, as a
//!   one-core decode would run them.
//! - `pipeline`: `pipeline::run` (reader thread, one worker per PHY,
//!   collector), waiting rather than dropping, so both decode every block.
//!
//! Criterion's element rate is input samples per second; the real-time
//! factor is that rate over 50 MS/s. The speed-up is bounded by the slowest
//! receiver (DJI) and the cores of the machine.

use std::sync::Arc;

use clap::Parser;
use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope::pipeline::{self, Overload, PhyChoice, PipelineConfig, Rx, RxSettings};
use ridscope::source::{self, IqBlock, IqSource, SourceError, SourceSpec, StreamInfo};

const BLOCK: usize = 1 << 16;

struct Memory {
    info: StreamInfo,
    re: Arc<Vec<f32>>,
    im: Arc<Vec<f32>>,
    at: usize,
}

impl IqSource for Memory {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    fn read_block(&mut self, block: &mut IqBlock, max: usize) -> Result<usize, SourceError> {
        let n = max.min(self.re.len() - self.at);
        block.re.clear();
        block.im.clear();
        block.re.extend_from_slice(&self.re[self.at..self.at + n]);
        block.im.extend_from_slice(&self.im[self.at..self.at + n]);
        block.start_sample = self.at as u64;
        self.at += n;
        Ok(n)
    }
}

fn settings() -> RxSettings {
    RxSettings {
        phys: vec![PhyChoice::Ble, PhyChoice::Dji, PhyChoice::Wifi],
        channels: vec![37, 38, 39],
        wifi_channels: vec![1, 6, 11],
        aux_scan: ridscope::phy::ble::AuxScan::Auto,
    }
}

fn capture() -> (StreamInfo, Vec<f32>, Vec<f32>) {
    let dir = std::env::temp_dir().join(format!("ridscope-bench-pipeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("mixed.sigmf-meta");
    let args = [
        "ridscope",
        "synth",
        "mixed",
        "-o",
        path.to_str().expect("path"),
        "--rate",
        "50e6",
        "--freq",
        "2432e6",
        "--drones",
        "4",
        "--duration",
        "1",
        "--seed",
        "3",
        "--format",
        "cs8",
    ];
    let cli = ridscope::cli::Cli::try_parse_from(args).expect("arguments");
    let _ = ridscope::cli::dispatch(cli);
    let mut src = source::open(&SourceSpec::new(path.to_string_lossy())).expect("capture");
    let info = src.info().clone();
    let (mut re, mut im) = (Vec::new(), Vec::new());
    let mut b = IqBlock::default();
    while src.read_block(&mut b, BLOCK).expect("read") > 0 {
        re.extend_from_slice(&b.re);
        im.extend_from_slice(&b.im);
    }
    std::fs::remove_dir_all(&dir).ok();
    (info, re, im)
}

fn bench(c: &mut Criterion) {
    let (info, re, im) = capture();
    let (re, im) = (Arc::new(re), Arc::new(im));
    let mut g = c.benchmark_group("pipeline_50M_ble_dji_wifi");
    g.sample_size(10);
    g.throughput(Throughput::Elements(re.len() as u64));
    let fs = info.sample_rate;
    g.bench_function("one_thread", |b| {
        b.iter(|| {
            let s = settings();
            let mut rxs: Vec<Rx> =
                s.phys.iter().map(|&p| Rx::build(p, &s, fs, info.center_freq_hz).expect("receiver")).collect();
            let mut out = Vec::new();
            for (r, i) in re.chunks(BLOCK).zip(im.chunks(BLOCK)) {
                for rx in &mut rxs {
                    rx.process(black_box(r), black_box(i), &mut out);
                }
            }
            for rx in &mut rxs {
                rx.finish(&mut out);
            }
            assert!(out.len() > 40);
            out.len()
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            let src = Memory { info: info.clone(), re: Arc::clone(&re), im: Arc::clone(&im), at: 0 };
            let mut cfg = PipelineConfig::new(settings());
            cfg.overload = Some(Overload::Wait);
            let mut n = 0;
            let (_, r) = pipeline::run(Box::new(src), &cfg, &mut |_| {}, &mut |f| {
                n += f.len();
                Ok(())
            });
            r.expect("pipeline");
            assert!(n > 40);
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
