//! The threaded receive pipeline: reader → bounded queues → one demodulator
//! worker per PHY → collector (on the caller's thread).
//!
//! ```text
//!            ┌── queue (Q blocks) ──▶ worker BLE   ──┐
//! reader ────┼── queue (Q blocks) ──▶ worker DJI   ──┼──▶ collector ──▶ emit (decode, sinks)
//! (+record)  └── queue (Q blocks) ──▶ worker Wi-Fi ──┘     (+ SigMF annotations)
//! ```
//!
//! * The **reader** reads blocks from the source, writes them to the
//!   recording (`--record`), retunes for the scan plan and hands each block
//!   (shared, not copied) to every worker whose receivers listen at the
//!   current frequency.
//! * With [`Overload::Wait`] (files, pipes) the reader waits for a full
//!   queue: nothing is lost and the output is the same as a one-thread
//!   decode. With [`Overload::Drop`] (live sources) the reader never waits:
//!   a block that does not fit in a worker's queue is dropped for that
//!   worker and counted. Memory is bounded either way: at most Q blocks
//!   per queue plus one per thread, recycled through a pool.
//! * Each **worker** runs its PHY's receivers (one per scan step) and maps
//!   their sample counts back to stream time across dropped blocks and
//!   dwells: a frame's `time_s` is always seconds since the stream started.
//! * The **collector** merges the workers' frames block by block in stream
//!   order (frames of one block sorted by time, ties in PHY order: the
//!   order a one-thread decode gives) and calls `emit`.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};

use crate::frame::{Frame, Phy};
use crate::source::{Annotation, IqBlock, IqSource, SigmfWriter, StreamInfo, WriteSummary};

pub mod rx;
pub mod scan;
mod status;

pub use rx::{PhyChoice, Rx, RxSettings, RxTotals};
pub use scan::{ScanPlan, ScanStep};
pub use status::{Status, peak_rss_bytes};

/// What the reader does when a worker's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Overload {
    /// Wait for the worker (files and pipes: nothing is lost).
    Wait,
    /// Drop the block for that worker and count it (live sources: the
    /// device cannot wait).
    Drop,
}

/// How a pipeline runs.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub rx: RxSettings,
    /// Samples per block.
    pub block: usize,
    /// Blocks each worker's queue holds.
    pub queue_blocks: usize,
    /// `None`: [`Overload::Drop`] for live sources, [`Overload::Wait`] otherwise.
    pub overload: Option<Overload>,
    pub scan: Option<ScanPlan>,
    /// Write the samples read to this SigMF recording, with an annotation
    /// per decoded frame.
    pub record: Option<PathBuf>,
    /// Set to stop reading (Ctrl-C); what was read is still decoded.
    pub stop: Arc<AtomicBool>,
    /// Stop after this many samples.
    pub max_samples: Option<u64>,
    /// Where the latest [`Status`] is published (about once a second).
    pub status: Option<Arc<Mutex<Status>>>,
}

impl PipelineConfig {
    pub fn new(rx: RxSettings) -> Self {
        PipelineConfig {
            rx,
            block: 1 << 16,
            queue_blocks: 16,
            overload: None,
            scan: None,
            record: None,
            stop: Arc::new(AtomicBool::new(false)),
            max_samples: None,
            status: None,
        }
    }
}

/// Totals of a pipeline run.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Samples read from the source (including those dropped or skipped).
    pub samples: u64,
    pub rx: RxTotals,
    /// Per worker: (PHY, blocks dropped, samples dropped).
    pub drops: Vec<(PhyChoice, u64, u64)>,
    /// Blocks the source itself reported lost before them (SDR overflows).
    pub overflows: u64,
    /// Retunes done for the scan plan.
    pub retunes: u64,
    /// Per scan step (one entry without a plan): what it listens to,
    /// seconds of samples read there, dwells, frames decoded.
    pub steps: Vec<StepReport>,
    pub wall_s: f64,
    pub overload: Option<Overload>,
    pub recorded: Option<WriteSummary>,
    /// Most blocks waiting in one queue at once.
    pub max_queued: u64,
    pub peak_rss_bytes: Option<u64>,
}

impl RunReport {
    pub fn dropped_blocks(&self) -> u64 {
        self.drops.iter().map(|d| d.1).sum()
    }
}

/// What one scan step heard.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepReport {
    /// `2402.0 MHz: BLE ch37 (ble37 for 0.3 s)`.
    pub listening: String,
    /// Seconds of samples read at this step (settling included).
    pub seconds: f64,
    /// Times the scan came to this step.
    pub dwells: u64,
    /// Frames decoded from this step's samples.
    pub frames: u64,
}

/// The stream as the pipeline started it.
#[derive(Debug, Clone)]
pub struct Started {
    pub info: StreamInfo,
    /// Time of sample 0: from the source's metadata, or the clock when a
    /// live source started.
    pub start_unix_ns: Option<i128>,
    /// What each scan step listens to (one entry without a plan).
    pub listening: Vec<String>,
}

struct Job {
    seq: u64,
    step: usize,
    block: Arc<IqBlock>,
}

enum WorkerMsg {
    Batch { worker: usize, seq: u64, step: usize, frames: Vec<Frame> },
    Done { worker: usize, frames: Vec<Frame>, lanes: Vec<Rx> },
}

/// Counters shared by the threads.
struct Shared {
    /// Per scan step: samples read there (settling included) and dwells begun.
    step_samples: Vec<AtomicU64>,
    step_dwells: Vec<AtomicU64>,
    samples: AtomicU64,
    overflows: AtomicU64,
    retunes: AtomicU64,
    step: AtomicU64,
    max_queued: AtomicU64,
}

struct WorkerCounters {
    dropped_blocks: AtomicU64,
    dropped_samples: AtomicU64,
    done_samples: AtomicU64,
}

/// Builds the receivers for every step; returns per PHY the lanes (one per
/// step, `None` where the PHY cannot run), and the reasons of PHYs that run
/// nowhere.
type Lanes = Vec<(PhyChoice, Vec<Option<Rx>>)>;

fn build_lanes(cfg: &PipelineConfig, info: &StreamInfo, steps: &[Option<f64>]) -> (Lanes, Vec<String>) {
    let mut lanes = Vec::new();
    let mut why = Vec::new();
    let mut phys = cfg.rx.phys.clone();
    phys.sort();
    phys.dedup();
    for phy in phys {
        let mut v = Vec::new();
        let mut last_err = String::new();
        for &center in steps {
            match Rx::build(phy, &cfg.rx, info.sample_rate, center) {
                Ok(r) => v.push(Some(r)),
                Err(e) => {
                    last_err = e;
                    v.push(None);
                }
            }
        }
        if v.iter().any(Option::is_some) {
            lanes.push((phy, v));
        } else {
            why.push(format!("{}: {last_err}", phy.as_str()));
        }
    }
    (lanes, why)
}

/// Runs the pipeline on `src` until it ends, fails or is stopped. `started`
/// is called once the receivers are built; `emit` gets the decoded frames
/// in stream order, `time_s` from the stream's start and `unix_ns` set
/// when the start time is known. Returns the report and the first error
/// (of the source, the recording or `emit`); everything decoded before an
/// error has been emitted.
pub fn run(
    mut src: Box<dyn IqSource>,
    cfg: &PipelineConfig,
    started: &mut dyn FnMut(&Started),
    emit: &mut dyn FnMut(&mut Vec<Frame>) -> Result<(), String>,
) -> (RunReport, Result<(), String>) {
    let t0 = Instant::now();
    let mut report = RunReport::default();
    let live = src.is_live();
    let overload = cfg.overload.unwrap_or(if live { Overload::Drop } else { Overload::Wait });
    report.overload = Some(overload);
    let name = src.info().name.clone();

    // the first scan step's frequency before anything is built
    if let Some(plan) = &cfg.scan {
        if plan.steps.len() > 1 && !live {
            return (
                report,
                Err(format!("{name}: --scan needs a live source (an SDR or rtl_tcp): a file cannot retune")),
            );
        }
        if src.info().center_freq_hz != Some(plan.steps[0].freq_hz)
            && let Err(e) = src.retune(plan.steps[0].freq_hz)
        {
            return (report, Err(e.to_string()));
        }
    }
    let info = src.info().clone();
    let fs = info.sample_rate;
    let mut centers: Vec<Option<f64>> = match &cfg.scan {
        Some(p) => p.steps.iter().map(|s| Some(s.freq_hz)).collect(),
        None => vec![info.center_freq_hz],
    };
    // a recording made while scanning: (sample, step, settle) where each
    // segment starts, one step per frequency
    let mut bounds: Vec<(u64, usize, u64)> = Vec::new();
    if cfg.scan.is_none() && !live {
        for seg in src.retunes() {
            let k = match centers.iter().position(|c| *c == Some(seg.freq_hz)) {
                Some(k) => k,
                None => {
                    centers.push(Some(seg.freq_hz));
                    centers.len() - 1
                }
            };
            bounds.push((seg.sample_start, k, seg.settle_samples));
        }
    }
    let (lanes, why) = build_lanes(cfg, &info, &centers);
    if lanes.is_empty() {
        return (report, Err(format!("{name}: nothing to receive: {}", why.join("; "))));
    }
    let listening: Vec<String> = (0..centers.len())
        .map(|i| {
            let what: Vec<String> = lanes.iter().filter_map(|(_, v)| v[i].as_ref().map(Rx::describe)).collect();
            let at = centers[i].map(|f| format!("{:.1} MHz: ", f / 1e6)).unwrap_or_default();
            let what = if what.is_empty() { "nothing".to_string() } else { what.join(", ") };
            match &cfg.scan {
                Some(p) => format!("{at}{what} ({} for {} s)", p.steps[i].label, p.steps[i].dwell_s),
                None => format!("{at}{what}"),
            }
        })
        .collect();
    let start_unix_ns = info.start_unix_ns.or_else(|| if live { crate::util::time::now_unix_ns() } else { None });
    started(&Started { info: info.clone(), start_unix_ns, listening: listening.clone() });

    let mut recorder = match &cfg.record {
        Some(p) => {
            let desc = format!("ridscope recording of {name}");
            match SigmfWriter::create(p, info.format, fs, info.center_freq_hz, start_unix_ns, &desc) {
                Ok(w) => Some(w),
                Err(e) => return (report, Err(e.to_string())),
            }
        }
        None => None,
    };

    let shared = Arc::new(Shared {
        step_samples: centers.iter().map(|_| AtomicU64::new(0)).collect(),
        step_dwells: centers.iter().map(|_| AtomicU64::new(0)).collect(),
        samples: AtomicU64::new(0),
        overflows: AtomicU64::new(0),
        retunes: AtomicU64::new(0),
        step: AtomicU64::new(0),
        max_queued: AtomicU64::new(0),
    });
    shared.step_dwells[0].store(1, Ordering::Relaxed);
    let n_workers = lanes.len();
    let counters: Arc<Vec<WorkerCounters>> = Arc::new(
        (0..n_workers)
            .map(|_| WorkerCounters {
                dropped_blocks: AtomicU64::new(0),
                dropped_samples: AtomicU64::new(0),
                done_samples: AtomicU64::new(0),
            })
            .collect(),
    );
    let queue = cfg.queue_blocks.max(1);
    let (pool_tx, pool_rx) = bounded::<IqBlock>(queue * n_workers + 2);
    let (out_tx, out_rx) = bounded::<WorkerMsg>(4 * queue * n_workers + 16);
    let mut job_txs: Vec<Sender<Job>> = Vec::new();
    // which steps each worker listens at
    let mut listens: Vec<Vec<bool>> = Vec::new();
    let phys: Vec<PhyChoice> = lanes.iter().map(|l| l.0).collect();

    let result = std::thread::scope(|scope| {
        let mut workers = Vec::new();
        for (w, (_, lane_rxs)) in lanes.into_iter().enumerate() {
            let (tx, rx) = bounded::<Job>(queue);
            job_txs.push(tx);
            listens.push(lane_rxs.iter().map(Option::is_some).collect());
            let out = out_tx.clone();
            let pool = pool_tx.clone();
            let counters = counters.clone();
            workers.push(scope.spawn(move || worker(w, lane_rxs, fs, rx, out, pool, &counters[w])));
        }
        drop(out_tx);
        drop(pool_tx);

        // the reader
        let reader_shared = shared.clone();
        let reader_counters = counters.clone();
        let stop = cfg.stop.clone();
        let plan = cfg.scan.clone();
        let block_len = cfg.block.max(1);
        let max_samples = cfg.max_samples;
        let reader = scope.spawn(move || {
            let sh = reader_shared;
            let mut seq = 0u64;
            let mut step = 0usize;
            let mut in_step = 0u64;
            let mut skip = 0u64;
            let mut next_b = 0usize;
            let mut err: Result<(), String> = Ok(());
            while !stop.load(Ordering::Relaxed) {
                let pos = sh.samples.load(Ordering::Relaxed);
                // a recording's own retunes: the segment starting here
                while let Some(b) = bounds.get(next_b).filter(|b| b.0 <= pos) {
                    step = b.1;
                    skip = b.2;
                    next_b += 1;
                    sh.step.store(step as u64, Ordering::Relaxed);
                    if let Some(c) = sh.step_dwells.get(step) {
                        c.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let mut want = match max_samples {
                    Some(m) if pos >= m => break,
                    Some(m) => block_len.min((m - pos) as usize),
                    None => block_len,
                };
                // blocks end where settling ends and where a segment starts,
                // so a block is all at one frequency and skipped or not
                if skip > 0 {
                    want = want.min(skip as usize);
                }
                if let Some(b) = bounds.get(next_b) {
                    want = want.min((b.0 - pos) as usize).max(1);
                }
                let mut block = pool_rx.try_recv().unwrap_or_else(|_| IqBlock::with_capacity(block_len));
                let n = match src.read_block(&mut block, want) {
                    Ok(0) => break,
                    Ok(n) => n as u64,
                    Err(e) => {
                        err = Err(e.to_string());
                        break;
                    }
                };
                // block.start_sample counts samples the source lost; the
                // pipeline's own count is what was read
                if block.dropped_before {
                    sh.overflows.fetch_add(1, Ordering::Relaxed);
                }
                sh.samples.fetch_add(n, Ordering::Relaxed);
                if let Some(r) = &mut recorder
                    && let Err(e) = r.write(&block.re, &block.im)
                {
                    err = Err(e.to_string());
                    break;
                }
                // the block was read at the current step; retuning comes after it
                let block_step = step;
                if let Some(c) = sh.step_samples.get(step) {
                    c.fetch_add(n, Ordering::Relaxed);
                }
                // settling after a retune: recorded, not decoded
                let send = skip == 0;
                skip = skip.saturating_sub(n);
                if let Some(p) = &plan {
                    in_step += n;
                    if in_step as f64 >= p.steps[step].dwell_s * fs && p.steps.len() > 1 {
                        step = (step + 1) % p.steps.len();
                        in_step = 0;
                        if let Err(e) = src.retune(p.steps[step].freq_hz) {
                            err = Err(e.to_string());
                            break;
                        }
                        sh.retunes.fetch_add(1, Ordering::Relaxed);
                        if let Some(c) = sh.step_dwells.get(step) {
                            c.fetch_add(1, Ordering::Relaxed);
                        }
                        sh.step.store(step as u64, Ordering::Relaxed);
                        skip = (p.settle_s * fs) as u64;
                        if let Some(r) = &mut recorder {
                            r.retune(p.steps[step].freq_hz, skip);
                        }
                    }
                }
                if !send {
                    continue;
                }
                let arc = Arc::new(block);
                for (w, tx) in job_txs.iter().enumerate() {
                    if !listens[w][block_step] {
                        continue;
                    }
                    let job = Job { seq, step: block_step, block: arc.clone() };
                    let sent = match overload {
                        Overload::Wait => tx.send(job).is_ok(),
                        Overload::Drop => match tx.try_send(job) {
                            Ok(()) => true,
                            Err(TrySendError::Full(_)) => {
                                reader_counters[w].dropped_blocks.fetch_add(1, Ordering::Relaxed);
                                reader_counters[w].dropped_samples.fetch_add(n, Ordering::Relaxed);
                                false
                            }
                            Err(TrySendError::Disconnected(_)) => false,
                        },
                    };
                    if sent {
                        sh.max_queued.fetch_max(tx.len() as u64, Ordering::Relaxed);
                    }
                }
                seq += 1;
            }
            drop(job_txs);
            (err, recorder)
        });

        // the collector, on this thread
        let mut pending: BTreeMap<u64, Vec<(usize, Vec<Frame>)>> = BTreeMap::new();
        let mut mark = vec![0u64; n_workers];
        let mut step_frames = vec![0u64; centers.len()];
        let mut done_lanes: Vec<(usize, Vec<Rx>)> = Vec::new();
        let mut finals: Vec<(usize, Vec<Frame>)> = Vec::new();
        let mut annotations: Vec<Annotation> = Vec::new();
        let want_annotations = cfg.record.is_some();
        let mut emit_err: Result<(), String> = Ok(());
        let mut batch: Vec<Frame> = Vec::new();
        let mut stat = status::Meter::new(fs);
        let mut flush = |mut parts: Vec<(usize, Vec<Frame>)>,
                         batch: &mut Vec<Frame>,
                         annotations: &mut Vec<Annotation>,
                         emit_err: &mut Result<(), String>| {
            parts.sort_by_key(|p| p.0);
            batch.clear();
            for (_, f) in parts {
                batch.extend(f);
            }
            batch.sort_by(|a, b| a.meta.time_s.total_cmp(&b.meta.time_s));
            for f in batch.iter_mut() {
                f.meta.unix_ns = start_unix_ns.map(|t0| t0 + (f.meta.time_s * 1e9).round() as i128);
                if want_annotations {
                    annotations.push(annotation(f, fs));
                }
            }
            if emit_err.is_ok()
                && !batch.is_empty()
                && let Err(e) = emit(batch)
            {
                *emit_err = Err(e);
                cfg.stop.store(true, Ordering::Relaxed);
            }
        };
        let mut last_tick = Instant::now();
        while done_lanes.len() < n_workers {
            match out_rx.recv_timeout(Duration::from_millis(200)) {
                Ok(WorkerMsg::Batch { worker, seq, step, frames }) => {
                    mark[worker] = seq + 1;
                    if let Some(c) = step_frames.get_mut(step) {
                        *c += frames.len() as u64;
                    }
                    if !frames.is_empty() {
                        pending.entry(seq).or_default().push((worker, frames));
                    }
                }
                Ok(WorkerMsg::Done { worker, frames, lanes }) => {
                    mark[worker] = u64::MAX;
                    finals.push((worker, frames));
                    done_lanes.push((worker, lanes));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let low = mark.iter().copied().min().unwrap_or(u64::MAX);
            while let Some(entry) = pending.first_entry() {
                if *entry.key() >= low {
                    break;
                }
                let parts = entry.remove();
                flush(parts, &mut batch, &mut annotations, &mut emit_err);
            }
            if let Some(slot) = &cfg.status
                && last_tick.elapsed() >= Duration::from_millis(500)
            {
                last_tick = Instant::now();
                let s = snapshot(&mut stat, &shared, &counters, &phys, &listening, overload);
                if let Ok(mut g) = slot.lock() {
                    *g = s;
                }
            }
        }
        for (_, parts) in std::mem::take(&mut pending) {
            flush(parts, &mut batch, &mut annotations, &mut emit_err);
        }
        flush(finals, &mut batch, &mut annotations, &mut emit_err);

        let (read_err, recorder) = match reader.join() {
            Ok(r) => r,
            Err(_) => (Err(format!("{name}: the reader thread panicked")), None),
        };
        for w in workers {
            if w.join().is_err() && emit_err.is_ok() {
                emit_err = Err(format!("{name}: a demodulator thread panicked"));
            }
        }
        done_lanes.sort_by_key(|d| d.0);
        for (_, lanes) in &done_lanes {
            for l in lanes {
                l.add_stats(&mut report.rx);
            }
        }
        let mut rec_err = Ok(());
        if let Some(mut r) = recorder {
            for a in annotations {
                r.annotate(a);
            }
            match r.finish() {
                Ok(s) => report.recorded = Some(s),
                Err(e) => rec_err = Err(e.to_string()),
            }
        }
        if let Some(slot) = &cfg.status {
            let s = snapshot(&mut stat, &shared, &counters, &phys, &listening, overload);
            if let Ok(mut g) = slot.lock() {
                *g = s;
            }
        }
        report.steps = listening
            .iter()
            .zip(&step_frames)
            .zip(shared.step_samples.iter().zip(&shared.step_dwells))
            .map(|((l, &frames), (n, d))| StepReport {
                listening: l.clone(),
                seconds: n.load(Ordering::Relaxed) as f64 / fs,
                dwells: d.load(Ordering::Relaxed),
                frames,
            })
            .collect();
        read_err.and(emit_err).and(rec_err)
    });

    report.samples = shared.samples.load(Ordering::Relaxed);
    report.overflows = shared.overflows.load(Ordering::Relaxed);
    report.retunes = shared.retunes.load(Ordering::Relaxed);
    report.max_queued = shared.max_queued.load(Ordering::Relaxed);
    report.drops = phys
        .iter()
        .zip(counters.iter())
        .map(|(p, c)| (*p, c.dropped_blocks.load(Ordering::Relaxed), c.dropped_samples.load(Ordering::Relaxed)))
        .collect();
    report.wall_s = t0.elapsed().as_secs_f64();
    report.peak_rss_bytes = peak_rss_bytes();
    (report, result)
}

fn snapshot(
    m: &mut status::Meter,
    sh: &Shared,
    counters: &[WorkerCounters],
    phys: &[PhyChoice],
    listening: &[String],
    overload: Overload,
) -> Status {
    let samples = sh.samples.load(Ordering::Relaxed);
    let step = sh.step.load(Ordering::Relaxed) as usize;
    m.status(
        samples,
        phys.iter()
            .zip(counters)
            .map(|(p, c)| {
                (
                    *p,
                    c.dropped_blocks.load(Ordering::Relaxed),
                    c.dropped_samples.load(Ordering::Relaxed),
                    c.done_samples.load(Ordering::Relaxed),
                )
            })
            .collect(),
        sh.overflows.load(Ordering::Relaxed),
        listening.get(step).cloned().unwrap_or_default(),
        overload,
    )
}

/// A decoded frame as a SigMF annotation: its samples (estimated from its
/// length and bit rate), its channel's band, the PHY and link as label and
/// the bytes in hex as comment.
fn annotation(f: &Frame, fs: f64) -> Annotation {
    let m = &f.meta;
    let (bw, dur_s) = match m.phy {
        Phy::Ble1m => (2e6, (f.bytes.len() as f64 + 1.0 + 4.0 + 3.0) * 8e-6),
        Phy::Ble2m => (2e6, (f.bytes.len() as f64 + 2.0 + 4.0 + 3.0) * 4e-6),
        Phy::BleCodedS8 | Phy::BleCodedS2 => (2e6, 80e-6 + (f.bytes.len() as f64 + 7.0) * 8.0 * 8e-6),
        Phy::Ocusync => (10e6, 0.65e-3),
        _ => {
            let mbps = f64::from(m.rate_mbps.unwrap_or(1.0)).max(0.1);
            (22e6, 192e-6 + f.bytes.len() as f64 * 8.0 / (mbps * 1e6))
        }
    };
    let start = m.sample.unwrap_or((m.time_s * fs).max(0.0) as u64);
    let hex = crate::util::hex::encode(&f.bytes);
    let chan = m.channel.map(|c| format!(" ch{c}")).unwrap_or_default();
    Annotation {
        sample_start: start,
        sample_count: (dur_s * fs).ceil().max(1.0) as u64,
        freq_lower_edge: m.freq_hz.map(|c| c - bw / 2.0),
        freq_upper_edge: m.freq_hz.map(|c| c + bw / 2.0),
        label: Some(format!("{:?}{chan}", m.phy)),
        comment: Some(hex),
    }
}

/// A receiver at one scan step and how its sample count maps to the stream.
struct Lane {
    rx: Rx,
    /// Samples the receiver has been given.
    internal: u64,
    /// The stream sample that should come next if nothing is skipped.
    next_stream: u64,
    /// (receiver sample, stream sample) where each contiguous run starts.
    segs: VecDeque<(u64, u64)>,
}

/// How many runs a lane remembers: frames are emitted well within a few
/// blocks of their samples.
const MAX_SEGS: usize = 64;

impl Lane {
    fn map(&self, f: &mut Frame, fs: f64) {
        let at = f.meta.sample.unwrap_or((f.meta.time_s * fs).max(0.0) as u64);
        let seg = self.segs.iter().rev().find(|s| s.0 <= at).or(self.segs.front());
        if let Some(&(i, s)) = seg {
            let off = s as i128 - i as i128;
            if off != 0 {
                f.meta.sample = f.meta.sample.map(|x| (x as i128 + off).max(0) as u64);
                f.meta.time_s += off as f64 / fs;
            }
        }
    }
}

fn worker(
    w: usize,
    lane_rxs: Vec<Option<Rx>>,
    fs: f64,
    jobs: Receiver<Job>,
    out: Sender<WorkerMsg>,
    pool: Sender<IqBlock>,
    c: &WorkerCounters,
) {
    let mut lanes: Vec<Option<Lane>> = lane_rxs
        .into_iter()
        .map(|r| r.map(|rx| Lane { rx, internal: 0, next_stream: 0, segs: VecDeque::new() }))
        .collect();
    for job in jobs.iter() {
        let mut frames = Vec::new();
        if let Some(Some(lane)) = lanes.get_mut(job.step) {
            let b = &job.block;
            if lane.segs.is_empty() || b.start_sample != lane.next_stream {
                lane.segs.push_back((lane.internal, b.start_sample));
                if lane.segs.len() > MAX_SEGS {
                    lane.segs.pop_front();
                }
            }
            lane.rx.process(&b.re, &b.im, &mut frames);
            for f in &mut frames {
                lane.map(f, fs);
            }
            let n = b.re.len() as u64;
            lane.internal += n;
            lane.next_stream = b.start_sample + n;
            c.done_samples.fetch_add(n, Ordering::Relaxed);
        }
        let (seq, step) = (job.seq, job.step);
        if let Ok(b) = Arc::try_unwrap(job.block) {
            let _ = pool.try_send(b);
        }
        if out.send(WorkerMsg::Batch { worker: w, seq, step, frames }).is_err() {
            return;
        }
    }
    let mut frames = Vec::new();
    let mut rxs = Vec::new();
    for lane in lanes.into_iter().flatten() {
        let mut lane = lane;
        let k = frames.len();
        lane.rx.finish(&mut frames);
        for f in &mut frames[k..] {
            lane.map(f, fs);
        }
        rxs.push(lane.rx);
    }
    let _ = out.send(WorkerMsg::Done { worker: w, frames, lanes: rxs });
}
