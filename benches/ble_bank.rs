//! The BLE filter-bank front end ([`BankFront`]) alone: one input block of
//! noise fed repeatedly, every served channel brought to 4 MS/s. Criterion's
//! element rate is input samples per second on one core.
//!
//! * 100 MS/s centred at 2440 MHz: all 40 BLE channels (2402–2480 MHz) on
//!   the 2 MHz grid, a 50-channel bank whose output is the channels;
//! * 100 MS/s centred at 2441 MHz (off the grid): all 40 channels, each
//!   1 MHz from a bank channel;
//! * 61.44 MS/s centred at 2440 MHz: the 29 channels inside the band, a
//!   bank of 2.048 MHz channels, residual mixers and resamplers;
//! * for comparison, one `plan_front` channelizer per channel for the
//!   three advertising channels at 100 MS/s.
//!
//! Reference figures (MS/s of input, one core of the 2-vCPU AMD EPYC VM,
//! shared with another build, so ranges over runs): 100 MS/s on the grid,
//! 40 channels 180–230; off the grid, 40 channels (a residual mixer each)
//! 140–160; 61.44 MS/s, 29 channels 48–75 (about 60 % of it in the 29
//! fractional resamplers); three `plan_front` channels at 100 MS/s 230–350.

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use ridscope::phy::ble::bank::BankFront;
use ridscope::phy::ble::front::plan_front;
use ridscope_dsp::noise::Rng;
use std::time::Duration;

const BLOCK: usize = 65536;

fn bench(c: &mut Criterion) {
    let mut r = Rng::new(1);
    let (mut xr, mut xi) = (vec![0f32; BLOCK], vec![0f32; BLOCK]);
    r.add_awgn(&mut xr, &mut xi, 0.3);
    let all: Vec<u8> = (0..40).collect();
    let mut g = c.benchmark_group("ble_bank");
    g.throughput(Throughput::Elements(BLOCK as u64));
    for (name, fs, fc) in [("100M_grid", 100e6, 2440e6), ("100M_off_grid", 100e6, 2441e6), ("61M44", 61.44e6, 2440e6)] {
        let mut bank = BankFront::new(fs, fc, &all).expect("a bank");
        let mut outs = vec![(Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK)); bank.channels().len()];
        let id = format!("{name}_{}ch_m{}", bank.channels().len(), bank.bank_size().0);
        g.bench_with_input(BenchmarkId::from_parameter(id), &(), |b, _| {
            b.iter(|| {
                for o in outs.iter_mut() {
                    o.0.clear();
                    o.1.clear();
                }
                bank.process(black_box(&xr), black_box(&xi), &mut outs)
            })
        });
    }
    // the per-channel front ends, three channels
    let mut fronts: Vec<_> = [2402e6, 2426e6, 2480e6].iter().map(|f| plan_front(100e6, f - 2440e6, 4e6)).collect();
    let (mut or, mut oi) = (Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK));
    g.bench_with_input(BenchmarkId::from_parameter("100M_plan_front_3ch"), &(), |b, _| {
        b.iter(|| {
            for f in fronts.iter_mut() {
                or.clear();
                oi.clear();
                f.process(black_box(&xr), black_box(&xi), &mut or, &mut oi);
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
