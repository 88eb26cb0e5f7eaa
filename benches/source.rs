//! Conversion throughput of the IQ sources and writers, from and to memory.
//! Criterion's element rate is samples per second (complex samples).

use std::io::{self, Cursor};

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope::source::{IqBlock, IqSource, RawSource, RawWriter, SampleFormat, StreamInfo};

/// Samples per iteration: 4 Mi, more than fits in cache for every format.
const SAMPLES: usize = 4 << 20;
const BLOCK: usize = 65_536;

fn info(format: SampleFormat) -> StreamInfo {
    StreamInfo {
        sample_rate: 4e6,
        center_freq_hz: None,
        format,
        start_unix_ns: None,
        name: "bench".into(),
        total_samples: None,
    }
}

fn bytes(format: SampleFormat) -> Vec<u8> {
    let len = SAMPLES * format.bytes_per_sample();
    (0..len).map(|k| (k.wrapping_mul(2_654_435_761) >> 11) as u8).collect()
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("source_read");
    g.throughput(Throughput::Elements(SAMPLES as u64));
    g.sample_size(20);
    for format in SampleFormat::ALL {
        let data = bytes(format);
        let mut block = IqBlock::with_capacity(BLOCK);
        g.bench_function(format.as_str(), |b| {
            b.iter(|| {
                let mut src = RawSource::from_reader(Cursor::new(black_box(&data[..])), info(format));
                let mut n = 0;
                while let Ok(k @ 1..) = src.read_block(&mut block, BLOCK) {
                    n += k;
                }
                assert_eq!(n, SAMPLES);
                black_box(&block);
            })
        });
    }
    g.finish();
}

fn write(c: &mut Criterion) {
    let mut g = c.benchmark_group("source_write");
    g.throughput(Throughput::Elements(SAMPLES as u64));
    g.sample_size(20);
    let re: Vec<f32> = (0..SAMPLES).map(|k| (k as f32 * 0.013).sin() * 0.9).collect();
    let im: Vec<f32> = (0..SAMPLES).map(|k| (k as f32 * 0.013).cos() * 0.9).collect();
    for format in [SampleFormat::Cu8, SampleFormat::Cs16] {
        g.bench_function(format.as_str(), |b| {
            b.iter(|| {
                let mut w = RawWriter::from_writer(io::sink(), format, "bench");
                for (r, i) in re.chunks(BLOCK).zip(im.chunks(BLOCK)) {
                    w.write(black_box(r), black_box(i)).unwrap();
                }
                black_box(w.finish().unwrap())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, read, write);
criterion_main!(benches);
