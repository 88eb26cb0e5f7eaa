//! Receiver tests on synthesized bursts.

use ridscope_dsp::noise::Rng;

use super::OcusyncReceiver;
use crate::frame::Frame;
use crate::protocol::dji::ocusync::BLOCK_LEN;
use crate::synth::dji::BurstRenderer;

fn test_block(seed: u8) -> [u8; BLOCK_LEN] {
    let mut b = [0u8; BLOCK_LEN];
    for (i, v) in b.iter_mut().enumerate() {
        *v = (i as u8).wrapping_mul(31).wrapping_add(seed);
    }
    crate::protocol::dji::ocusync::seal_block(&mut b);
    b
}

struct Burst {
    block: [u8; BLOCK_LEN],
    nine: bool,
    /// start (capture samples), offset from centre (Hz), clock error (ppm)
    p0: f64,
    offset_hz: f64,
    ppm: f64,
}

/// Renders bursts into `len` samples of noise for an SNR in 9 MHz, plus
/// optional extra signals added by `extra`.
fn capture(fs: f64, len: usize, snr_db: f64, bursts: &[Burst], seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut re = vec![0f32; len];
    let mut im = vec![0f32; len];
    let amp = 0.1f32;
    let sigma = (amp as f64 * amp as f64 * fs / 9e6 / 10f64.powf(snr_db / 10.0) / 2.0).sqrt() as f32;
    Rng::new(seed).add_awgn(&mut re, &mut im, sigma);
    let mut r = BurstRenderer::new();
    for b in bursts {
        let (s0, br, bi) = r.render(&b.block, b.nine, fs, b.p0, b.offset_hz, b.ppm, amp, 0.7);
        for (k, (x, y)) in br.iter().zip(&bi).enumerate() {
            let i = s0 as usize + k;
            if i < len {
                re[i] += x;
                im[i] += y;
            }
        }
    }
    (re, im)
}

fn receive(fs: f64, re: &[f32], im: &[f32], block: usize) -> (Vec<Frame>, super::OcuStats) {
    let mut rx = OcusyncReceiver::new(fs, Some(2414.5e6)).expect("rate ok");
    let mut out = Vec::new();
    for (r, i) in re.chunks(block).zip(im.chunks(block)) {
        rx.process(r, i, &mut out);
    }
    rx.finish(&mut out);
    (out, rx.stats)
}

#[test]
fn nine_symbol_burst_at_the_native_rate() {
    let fs = 15.36e6;
    let b = Burst { block: test_block(1), nine: true, p0: 20_000.3, offset_hz: 37e3, ppm: 0.0 };
    let (re, im) = capture(fs, 60_000, 15.0, &[b], 1);
    let (frames, st) = receive(fs, &re, &im, 4096);
    assert_eq!(frames.len(), 1, "{st:?}");
    let f = &frames[0];
    assert_eq!(f.bytes, test_block(1).to_vec());
    let m = &f.meta;
    assert!((m.sample.unwrap() as f64 - 20_000.3).abs() <= 2.0, "{m:?}");
    assert!((m.cfo_hz.unwrap() as f64 - 37e3).abs() < 300.0, "{m:?}");
    assert!((m.freq_hz.unwrap() - 2414.537e6).abs() < 300.0, "{m:?}");
    assert!((m.snr_db.unwrap() - 15.0).abs() < 1.5, "{m:?}");
    assert_eq!(st.bursts, 1);
}

#[test]
fn eight_symbol_bursts_at_other_rates_off_centre_with_clock_error() {
    for (fs, off, ppm) in [(20e6, -1.0e6, 20.0), (30.72e6, 6.3e6, -15.0), (50e6, -14.2e6, 10.0), (62.5e6, 3e5, -20.0)] {
        let p0 = 0.004 * fs + 0.41;
        let b = Burst { block: test_block(7), nine: false, p0, offset_hz: off, ppm };
        let len = (0.012 * fs) as usize;
        let (re, im) = capture(fs, len, 12.0, &[b], 2);
        let (frames, st) = receive(fs, &re, &im, 65536);
        assert_eq!(frames.len(), 1, "{fs}: {st:?}");
        let m = &frames[0].meta;
        assert_eq!(frames[0].bytes, test_block(7).to_vec());
        assert!((m.sample.unwrap() as f64 - p0).abs() <= 2.0 * fs / 15.36e6, "{fs}: {m:?}");
        assert!((m.cfo_hz.unwrap() as f64 - off).abs() < 500.0, "{fs}: {m:?}");
    }
}

#[test]
fn block_split_does_not_matter_and_bursts_are_not_duplicated() {
    let fs = 15.36e6;
    let bursts: Vec<Burst> = (0..4)
        .map(|i| Burst {
            block: test_block(i),
            nine: i % 2 == 0,
            p0: 3000.0 + 13_000.0 * i as f64,
            offset_hz: 0.0,
            ppm: 3.0,
        })
        .collect();
    let (re, im) = capture(fs, 60_000, 10.0, &bursts, 3);
    let (a, _) = receive(fs, &re, &im, 1000);
    let (b, _) = receive(fs, &re, &im, 60_000);
    assert_eq!(a.len(), 4);
    assert_eq!(a, b);
    for (f, i) in a.iter().zip(0..) {
        assert_eq!(f.bytes, test_block(i).to_vec());
    }
}

#[test]
fn partial_bursts_at_both_ends_of_the_capture() {
    let fs = 15.36e6;
    // the first starts 1500 samples before the capture (Gold and D1 cut),
    // the last loses its last three data symbols
    let bursts = [
        Burst { block: test_block(20), nine: true, p0: 0.0, offset_hz: 0.0, ppm: 0.0 },
        Burst { block: test_block(21), nine: true, p0: 30_000.0, offset_hz: 0.0, ppm: 0.0 },
    ];
    let (re, im) = capture(fs, 30_000 + 3368 + 2 * 1096 + 1024 + 40, 20.0, &bursts, 4);
    let (re, im) = (&re[1500..], &im[1500..]);
    let (frames, st) = receive(fs, re, im, 4096);
    let blocks: Vec<_> = frames.iter().map(|f| f.bytes.clone()).collect();
    assert_eq!(blocks, vec![test_block(20).to_vec(), test_block(21).to_vec()], "{st:?}");
    assert_eq!(st.partial, 2);
}

#[test]
fn noise_carriers_and_other_ofdm_are_not_droneid() {
    let fs = 15.36e6;
    let len = 400_000;
    let (mut re, mut im) = capture(fs, len, 0.0, &[], 5);
    // a DC offset and a carrier
    for (k, (r, i)) in re.iter_mut().zip(im.iter_mut()).enumerate() {
        let ph = 2.0 * std::f64::consts::PI * 1.234e6 * k as f64 / fs;
        *r += 0.05 + 0.05 * ph.cos() as f32;
        *i += 0.02 + 0.05 * ph.sin() as f32;
    }
    // continuous LTE-like OFDM with the same numerology (a video downlink)
    // over the second half: random QPSK on 600 subcarriers, short CPs
    let mut rng = Rng::new(9);
    let mut planner = rustfft::FftPlanner::<f32>::new();
    let ifft = planner.plan_fft_inverse(1024);
    let bins = super::burst::used_bins();
    let mut pos = len / 2;
    while pos + 1096 <= len {
        let mut buf = vec![num_complex::Complex32::new(0.0, 0.0); 1024];
        for &b in &bins {
            let (a, c) = (rng.next_u64() & 1, rng.next_u64() & 1);
            buf[b] = super::burst::qpsk(a as u8, c as u8) * (0.1 / 600f32.sqrt() / std::f32::consts::SQRT_2);
        }
        ifft.process(&mut buf);
        for (j, c) in buf[1024 - 72..].iter().chain(buf.iter()).enumerate() {
            re[pos + j] += c.re;
            im[pos + j] += c.im;
        }
        pos += 1096;
    }
    let (frames, st) = receive(fs, &re, &im, 65536);
    assert!(frames.is_empty());
    assert_eq!(st.crc_errors, 0, "{st:?}");
    // the OFDM is detected by its cyclic prefixes but has no ZC symbols
    assert!(st.rejected >= 1, "{st:?}");
}

#[test]
fn bad_rates_are_refused() {
    assert!(OcusyncReceiver::new(10e6, None).is_err());
    assert!(OcusyncReceiver::new(f64::NAN, None).is_err());
    assert!(OcusyncReceiver::new(1e12, None).is_err());
    assert!(OcusyncReceiver::new(15.36e6, None).is_ok());
}

#[test]
fn bursts_showing_one_zc_symbol_find_their_integer_cfo() {
    let fs = 15.36e6;
    // at the start: the capture begins after the first ZC symbol (only the
    // root-147 one is inside); at the end: it stops after r = 1 (only the
    // root-600 one). Offsets of a few subcarriers off the band centre.
    let p0 = 10_000.0;
    let b = [Burst { block: test_block(40), nine: true, p0, offset_hz: 41e3, ppm: 0.0 }];
    let (re, im) = capture(fs, 30_000, 25.0, &b, 6);
    let cut = p0 as usize + 3368 + 1024 + 8;
    let (frames, st) = receive(fs, &re[cut..], &im[cut..], 4096);
    assert_eq!(frames.len(), 1, "start cut: {st:?}");
    assert_eq!(frames[0].bytes, test_block(40).to_vec());
    assert!((frames[0].meta.cfo_hz.unwrap() - 41e3).abs() < 500.0, "{:?}", frames[0].meta);

    let b = [Burst { block: test_block(41), nine: false, p0, offset_hz: -33e3, ppm: 0.0 }];
    let (re, im) = capture(fs, 30_000, 25.0, &b, 7);
    // 8-symbol burst: ZC-600 window at p0 + 2264; r = 1 ends at p0 + 2264 + 1096 + 1024
    let end = p0 as usize + 2264 + 1096 + 1024 + 4;
    let (frames, st) = receive(fs, &re[..end], &im[..end], 4096);
    assert_eq!(frames.len(), 1, "end cut: {st:?}");
    assert_eq!(frames[0].bytes, test_block(41).to_vec());
    assert_eq!(st.partial, 1);
}

#[test]
fn non_finite_samples_do_not_stop_the_receiver() {
    let fs = 15.36e6;
    let b = [Burst { block: test_block(50), nine: true, p0: 40_000.0, offset_hz: 0.0, ppm: 0.0 }];
    let (mut re, mut im) = capture(fs, 60_000, 15.0, &b, 8);
    re[1000] = f32::NAN;
    im[2000] = f32::INFINITY;
    re[3000] = 3e38;
    let (frames, st) = receive(fs, &re, &im, 4096);
    assert_eq!(frames.len(), 1, "{st:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Any samples at any supported rate, in any block split: no panic.
    #[test]
    fn arbitrary_input_never_panics(
        rate in 15.36e6f64..80e6,
        vals in proptest::collection::vec(proptest::num::f32::ANY, 0..40_000),
        block in 1usize..5000,
    ) {
        let mut rx = OcusyncReceiver::new(rate, Some(2.4e9)).unwrap();
        let (re, im): (Vec<f32>, Vec<f32>) = vals.chunks(2).map(|c| (c[0], *c.get(1).unwrap_or(&0.0))).unzip();
        let mut out = Vec::new();
        for (r, i) in re.chunks(block).zip(im.chunks(block)) {
            rx.process(r, i, &mut out);
        }
        rx.finish(&mut out);
    }
}

/// Continuous LTE-like OFDM (same numerology) at `ofdm_db` relative to the
/// burst, `sep_hz` away, in a 61.44 MS/s capture.
fn burst_beside_ofdm(ofdm_db: f32, seed: u64) -> (Vec<Frame>, super::OcuStats) {
    let fs = 61.44e6;
    let len = 160_000;
    let b = [Burst { block: test_block(60), nine: true, p0: 60_000.0, offset_hz: -12e6, ppm: 0.0 }];
    let (mut re, mut im) = capture(fs, len, 20.0, &b, seed);
    let mut rng = Rng::new(seed + 100);
    let n = 4096; // 15 kHz spacing at 61.44 MS/s
    let ifft = rustfft::FftPlanner::<f32>::new().plan_fft_inverse(n);
    let amp = 0.1 * 10f32.powf(ofdm_db / 20.0) / 600f32.sqrt() / std::f32::consts::SQRT_2;
    let (cp, sym) = (288, 4096 + 288);
    let shift = (12e6 / 15e3) as i32; // +12 MHz in subcarriers
    let mut pos = 0;
    while pos + sym <= len {
        let mut buf = vec![num_complex::Complex32::new(0.0, 0.0); n];
        for k in (-300..0).chain(1..=300) {
            let (a, c) = (rng.next_u64() & 1, rng.next_u64() & 1);
            buf[(k + shift).rem_euclid(n as i32) as usize] = super::burst::qpsk(a as u8, c as u8) * amp;
        }
        ifft.process(&mut buf);
        for (j, c) in buf[n - cp..].iter().chain(buf.iter()).enumerate() {
            re[pos + j] += c.re;
            im[pos + j] += c.im;
        }
        pos += sym;
    }
    receive(fs, &re, &im, 65536)
}

#[test]
fn a_burst_beside_a_stronger_ofdm_signal_decodes() {
    // a video-downlink-like OFDM signal 24 MHz away, 10 dB stronger and
    // with the same numerology, in the same capture
    for seed in [30, 31, 32] {
        let (frames, st) = burst_beside_ofdm(10.0, seed);
        assert_eq!(frames.len(), 1, "{seed}: {st:?}");
        assert_eq!(frames[0].bytes, test_block(60).to_vec());
    }
}

#[test]
fn two_drones_bursting_at_the_same_time_on_different_channels() {
    let fs = 50e6;
    for (i, dt) in [0.0, 60e-6, 300e-6].into_iter().enumerate() {
        let p0 = 0.002 * fs;
        let b = [
            Burst { block: test_block(70), nine: true, p0, offset_hz: -10e6, ppm: 5.0 },
            Burst { block: test_block(71), nine: false, p0: p0 + dt * fs, offset_hz: 10e6, ppm: -5.0 },
        ];
        let (re, im) = capture(fs, (0.006 * fs) as usize, 15.0, &b, 40 + i as u64);
        let (frames, st) = receive(fs, &re, &im, 65536);
        let mut blocks: Vec<_> = frames.iter().map(|f| f.bytes.clone()).collect();
        blocks.sort();
        assert_eq!(blocks, vec![test_block(70).to_vec(), test_block(71).to_vec()], "{dt}: {st:?}");
        let mut starts: Vec<f64> = frames.iter().map(|f| f.meta.sample.unwrap() as f64).collect();
        starts.sort_by(f64::total_cmp);
        assert!((starts[0] - p0).abs() < 4.0 && (starts[1] - (p0 + dt * fs)).abs() < 4.0, "{dt}: {starts:?}");
    }
}
