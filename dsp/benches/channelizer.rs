//! Throughput of the polyphase channelizer, in input samples per second
//! (one thread, 65536-sample blocks fed repeatedly to one instance):
//! the whole BLE band (2 MHz spacing, 40 channels written) at 100 MS/s
//! (50-channel bank) and at 61.44 MS/s (30-channel bank, 2.048 MHz
//! spacing), and 20 channels of 1 MHz at 20 MS/s; 2× oversampled and
//! critically sampled, 8 prototype taps per channel (about 70 dB).
//!
//! Reference figures (MS/s of input, one core of the 2-vCPU AMD EPYC VM,
//! AVX2+FMA clone; the VM was shared with another build, so ranges over
//! runs): 100 MS/s 2× oversampled 200–230 (was 61–80 with rustfft and the
//! per-frame polyphase sum), critically sampled 365–400 (was 172);
//! 61.44 MS/s 2× 180–218 (was 72–77); 20 MS/s 1 MHz 2× 220–255 (was 75–79).
//! Frames run eight to a vector (one per lane): the polyphase sum, a
//! Stockham FFT over rows of frames and the channel copies take about
//! 35 / 35 / 20 % (the rest: the input transpose).

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope_dsp::channelizer::{Channelizer, Oversample, prototype};
use ridscope_dsp::noise::Rng;
use std::time::Duration;

const BLOCK: usize = 65536;

fn bench(c: &mut Criterion) {
    let mut r = Rng::new(1);
    let (mut xr, mut xi) = (vec![0f32; BLOCK], vec![0f32; BLOCK]);
    r.add_awgn(&mut xr, &mut xi, 0.5);
    let mut g = c.benchmark_group("channelizer");
    g.throughput(Throughput::Elements(BLOCK as u64));
    for (name, m, keep, os) in [
        ("100M_2MHz_x2", 50usize, 40usize, Oversample::Twice),
        ("100M_2MHz_crit", 50, 40, Oversample::Critical),
        ("61M44_2MHz_x2", 30, 30, Oversample::Twice),
        ("20M_1MHz_x2", 20, 20, Oversample::Twice),
    ] {
        let taps = prototype(m, 8, 70.0);
        let chans: Vec<usize> = (0..keep).collect();
        let mut ch = Channelizer::new(m, os, &taps, &chans).unwrap();
        let mut out = vec![(Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK)); keep];
        g.bench_with_input(BenchmarkId::from_parameter(name), &(), |b, _| {
            b.iter(|| {
                for o in out.iter_mut() {
                    o.0.clear();
                    o.1.clear();
                }
                ch.process(black_box(&xr), black_box(&xi), &mut out)
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
