//! Throughput of the streaming signal kernels, in input samples per second
//! (single thread, 16384-sample blocks fed repeatedly to one stateful
//! instance, as a receiver would).
//!
//! Reference figures (MS/s of input, one core of a 2-vCPU AMD EPYC Zen 3
//! VM at ~2.45 GHz, AVX2+FMA clones, best of repeated runs on a shared
//! machine): NCO mix ~2300; FIR 16 taps ~850; FIR 64 taps decim 16
//! ~2200; channel decimator 120 taps decim 15 ~800 per channel; resampler
//! 4.096 → 4.0 ~180; direct correlation M = 64 ~160; FFT correlation
//! M = 64 ~290, M = 1024 ~200; add_awgn ~65.

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope_dsp::complex;
use ridscope_dsp::correlate::{DirectCorrelator, FftCorrelator, SlidingEnergy};
use ridscope_dsp::fir::{ChannelDecimator, ChipFir, FirDecimator, FirFilter, kaiser_beta, lowpass};
use ridscope_dsp::nco::Nco;
use ridscope_dsp::noise::Rng;
use ridscope_dsp::resample::FractionalResampler;
use std::time::Duration;

const BLOCK: usize = 16384;

fn signal(n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut r = Rng::new(1);
    let mut re = vec![0.0f32; n];
    let mut im = vec![0.0f32; n];
    r.add_awgn(&mut re, &mut im, 0.5);
    (re, im)
}

fn bench(c: &mut Criterion) {
    let (xr, xi) = signal(BLOCK);
    let (mut yr, mut yi) = (Vec::with_capacity(2 * BLOCK), Vec::with_capacity(2 * BLOCK));

    let mut g = c.benchmark_group("nco");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let mut nco = Nco::new(1.234e6, 61.44e6);
    let (mut or, mut oi) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    g.bench_function("mix", |b| b.iter(|| nco.mix(black_box(&xr), black_box(&xi), &mut or, &mut oi)));
    g.bench_function("mix_inplace", |b| b.iter(|| nco.mix_inplace(black_box(&mut or), black_box(&mut oi))));
    g.finish();

    let mut g = c.benchmark_group("fir");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let mut f = FirFilter::new(lowpass(16, 0.2, kaiser_beta(50.0)));
    g.bench_function("filter_16taps", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            f.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    // 11-chip Barker matched filter at 2 samples per chip (22 taps of ±1/22)
    let barker = [1.0f32, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0];
    let mut f = ChipFir::new(&barker, 2, 1.0 / 22.0);
    g.bench_function("chip_11x2", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            f.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    let mut f = FirFilter::new(barker.iter().flat_map(|&c| [c / 22.0; 2]).collect());
    g.bench_function("filter_22taps_barker", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            f.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    let mut f = FirDecimator::new(lowpass(64, 0.5 / 16.0, kaiser_beta(60.0)), 16);
    g.bench_function("decim16_64taps", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            f.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    g.finish();

    // 61.44 MS/s holding two or three 2 MHz channels, each brought to
    // 4.096 MS/s (decim 15) with a 120-tap lowpass.
    let mut g = c.benchmark_group("channel");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let taps = lowpass(120, 1.0 / 30.0, kaiser_beta(60.0));
    let mut ch = ChannelDecimator::new(taps.clone(), 0.0325, 15);
    g.bench_function("decim15_120taps", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            ch.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    for n_ch in [2usize, 3] {
        let mut chans: Vec<ChannelDecimator> =
            (0..n_ch).map(|k| ChannelDecimator::new(taps.clone(), -0.2 + 0.15 * k as f64, 15)).collect();
        g.bench_with_input(BenchmarkId::new("decim15_120taps_same_block", n_ch), &n_ch, |b, _| {
            b.iter(|| {
                for ch in chans.iter_mut() {
                    yr.clear();
                    yi.clear();
                    ch.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi);
                }
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("resample");
    g.throughput(Throughput::Elements(BLOCK as u64));
    for (name, ratio) in [("4.096_to_4.0", 4.0 / 4.096), ("x2.5", 2.5), ("x0.25", 0.25)] {
        let mut r = FractionalResampler::new(ratio);
        g.bench_function(name, |b| {
            b.iter(|| {
                yr.clear();
                yi.clear();
                r.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("correlate");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let (t64r, t64i) = signal(64);
    let mut d = DirectCorrelator::new(&t64r, &t64i);
    g.bench_function("direct_64", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            d.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    let mut f64c = FftCorrelator::new(&t64r, &t64i);
    g.bench_function("fft_64", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            f64c.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    let (t1kr, t1ki) = signal(1024);
    let mut f = FftCorrelator::new(&t1kr, &t1ki);
    g.bench_function("fft_1024", |b| {
        b.iter(|| {
            yr.clear();
            yi.clear();
            f.process(black_box(&xr), black_box(&xi), &mut yr, &mut yi)
        })
    });
    let mut e = SlidingEnergy::new(1024);
    let mut eo = Vec::with_capacity(BLOCK);
    g.bench_function("sliding_energy_1024", |b| {
        b.iter(|| {
            eo.clear();
            e.process(black_box(&xr), black_box(&xi), &mut eo)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("misc");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let mut m = vec![0.0f32; BLOCK];
    g.bench_function("magnitude_sq", |b| b.iter(|| complex::magnitude_sq(black_box(&xr), black_box(&xi), &mut m)));
    let mut rng = Rng::new(3);
    let (mut nr, mut ni) = (xr.clone(), xi.clone());
    g.bench_function("add_awgn", |b| b.iter(|| rng.add_awgn(black_box(&mut nr), black_box(&mut ni), 0.1)));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
