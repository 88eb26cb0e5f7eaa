use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope_dsp::crc;

fn bench(c: &mut Criterion) {
    let data: Vec<u8> = (0..1500u32).map(|i| (i * 31 + 7) as u8).collect();
    let mut g = c.benchmark_group("crc");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("ble_crc24", |b| b.iter(|| crc::ble_crc24(black_box(&data))));
    g.bench_function("fcs32", |b| b.iter(|| crc::fcs32(black_box(&data))));
    g.bench_function("crc24a", |b| b.iter(|| crc::crc24a(black_box(&data))));
    g.bench_function("dji_crc16", |b| b.iter(|| crc::dji_crc16(black_box(&data))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
