//! The FSK kernels of ridscope-dsp: GFSK modulation and the differential
//! sync-word search. Element rate: samples per second.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope_dsp::bitsync::FskSyncDetector;
use ridscope_dsp::gfsk::Modulator;
use ridscope_dsp::noise::Rng;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("fsk");
    // a 376-bit packet at 4 samples per symbol
    let bits: Vec<bool> = (0..376).map(|i| (i * 7 + 3) % 5 < 2).collect();
    let m = Modulator::new(0.5, 0.5);
    let n = bits.len() * 4;
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("gfsk_modulate_4sps", |b| {
        let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
        b.iter(|| {
            m.add_to(black_box(&bits), 4.0, 0.0, 1.0, 0.0, 0.001, &mut re, &mut im);
            re[n / 2]
        })
    });
    // the sync search on 64 Ki samples of noise, in 4096-sample blocks
    let len = 1 << 16;
    let (mut re, mut im) = (vec![0f32; len], vec![0f32; len]);
    Rng::new(1).add_awgn(&mut re, &mut im, 1.0);
    let sync: Vec<bool> = (0..40).map(|i| i % 3 == 0).collect();
    g.throughput(Throughput::Elements(len as u64));
    g.bench_function("fsk_sync_search_4sps", |b| {
        let mut d = FskSyncDetector::new(&sync, 4, 4);
        let mut hits = Vec::new();
        b.iter(|| {
            for (r, i) in re.chunks(4096).zip(im.chunks(4096)) {
                d.process(black_box(r), black_box(i), &mut hits);
            }
            hits.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
