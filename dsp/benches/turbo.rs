//! The LTE coding kernels with the DJI DroneID code block parameters
//! (K = 1408, D = 1412, E = 7200, rv 0): turbo decoding of one block
//! (8 iterations without early stop, and with the CRC-24A early stop at
//! a typical SNR), turbo encoding + rate matching, soft dematching, and the
//! 7200-bit Gold sequence. Times per block.
//!
//! Reference figures (one core of a 2-vCPU AMD EPYC Zen 3 VM at ~2.45 GHz
//! shared with other work, AVX2 clones): decode 8 iterations 65–72 µs
//! (exact one-window max-log-MAP 332 µs); with the CRC early stop ~23 µs
//! at Es/N0 = −5 dB (≈2 iterations), ~38 µs at −6 dB (≈3); encode + rate
//! match 9 µs; `RateMatcher::new` 15 µs; dematch 5.8 µs; Gold sequence of
//! 7200 bits 2.0 µs.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use ridscope_dsp::crc::crc24a;
use ridscope_dsp::lte::gold::gold_sequence;
use ridscope_dsp::lte::ratematch::RateMatcher;
use ridscope_dsp::lte::turbo::{TurboDecoder, TurboEncoder};
use ridscope_dsp::noise::Rng;

const K: usize = 1408;
const E: usize = 7200;

fn pack(bits: &[u8], out: &mut [u8]) {
    for (o, c) in out.iter_mut().zip(bits.chunks(8)) {
        *o = c.iter().fold(0u8, |a, &b| a << 1 | (b & 1));
    }
}

/// A CRC-terminated block, encoded, rate matched and received as
/// dematched LLRs at `esn0_db`.
fn received(rng: &mut Rng, esn0_db: f64) -> [Vec<f32>; 3] {
    let mut bits: Vec<u8> = (0..K - 24).map(|_| (rng.next_u64() >> 63) as u8).collect();
    let mut bytes = vec![0u8; (K - 24) / 8];
    pack(&bits, &mut bytes);
    let crc = crc24a(&bytes);
    bits.extend((0..24).rev().map(|i| ((crc >> i) & 1) as u8));
    let mut d = [Vec::new(), Vec::new(), Vec::new()];
    TurboEncoder::new(K).unwrap().encode(&bits, &mut d);
    let rm = RateMatcher::new(K + 4);
    let mut e = Vec::new();
    rm.rate_match(&d, E, 0, &mut e);
    let sigma2 = 0.5 / 10f64.powf(esn0_db / 10.0);
    let llr: Vec<f32> = e
        .iter()
        .map(|&b| ((if b == 0 { 1.0 } else { -1.0 } + sigma2.sqrt() * rng.gaussian()) * 2.0 / sigma2) as f32)
        .collect();
    let mut s = [vec![0f32; K + 4], vec![0f32; K + 4], vec![0f32; K + 4]];
    let [s0, s1, s2] = &mut s;
    rm.rate_dematch(&llr, 0, [s0, s1, s2]);
    s
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng::new(1);
    let mut g = c.benchmark_group("lte");

    let mut dec = TurboDecoder::new(K).unwrap();
    let s = received(&mut rng, -6.0);
    g.bench_function("turbo_decode_k1408_8it", |b| {
        b.iter(|| dec.decode([black_box(&s[0]), &s[1], &s[2]], 8, |_| false).iterations)
    });
    let mut exact = TurboDecoder::new(K).unwrap();
    exact.set_windowed(false);
    g.bench_function("turbo_decode_k1408_8it_exact", |b| {
        b.iter(|| exact.decode([black_box(&s[0]), &s[1], &s[2]], 8, |_| false).iterations)
    });
    // early stop with the CRC, over a set of blocks at Es/N0 = -5 dB
    // (≈2 iterations on average) and -6 dB (≈3)
    for esn0 in [-5.0, -6.0] {
        let set: Vec<[Vec<f32>; 3]> = (0..16).map(|_| received(&mut rng, esn0)).collect();
        let mut bytes = vec![0u8; K / 8];
        let mut i = 0;
        g.bench_function(format!("turbo_decode_k1408_crc_stop_{esn0}dB"), |b| {
            b.iter(|| {
                let s = &set[i % set.len()];
                i += 1;
                dec.decode([&s[0], &s[1], &s[2]], 8, |bits| {
                    pack(bits, &mut bytes);
                    crc24a(&bytes) == 0
                })
                .iterations
            })
        });
    }

    let enc = TurboEncoder::new(K).unwrap();
    let rm = RateMatcher::new(K + 4);
    let bits: Vec<u8> = (0..K).map(|_| (rng.next_u64() >> 63) as u8).collect();
    let mut d = [Vec::new(), Vec::new(), Vec::new()];
    let mut e = Vec::with_capacity(E);
    g.bench_function("turbo_encode_ratematch_k1408_e7200", |b| {
        b.iter(|| {
            enc.encode(black_box(&bits), &mut d);
            e.clear();
            rm.rate_match(&d, E, 0, &mut e);
            e[17]
        })
    });
    g.bench_function("ratematcher_new_d1412", |b| b.iter(|| RateMatcher::new(black_box(K + 4)).buffer_bits()));
    let llr: Vec<f32> = (0..E).map(|i| (i % 13) as f32 - 6.0).collect();
    let mut s = [vec![0f32; K + 4], vec![0f32; K + 4], vec![0f32; K + 4]];
    g.bench_function("rate_dematch_e7200", |b| {
        b.iter(|| {
            let [s0, s1, s2] = &mut s;
            rm.rate_dematch(black_box(&llr), 0, [s0, s1, s2]);
        })
    });
    let mut scr = vec![0u8; E];
    g.bench_function("gold_sequence_7200", |b| b.iter(|| gold_sequence(black_box(0x1234_5678), &mut scr)));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
