//! BLE PHY tests on synthesized packets.

use super::demod::{DemodError, Demodulator};
use super::detect::SPS;
use super::packet;
use crate::link::ble::ADV_ACCESS_ADDRESS;

/// A tiny deterministic Gaussian source for tests.
pub(crate) struct TestRng(u64);

impl TestRng {
    pub(crate) fn new(seed: u64) -> Self {
        TestRng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub(crate) fn u64(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn gauss(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

pub(crate) fn test_pdu(rng: &mut TestRng, payload_len: usize) -> Vec<u8> {
    let mut pdu = vec![0x42, payload_len as u8];
    pdu.extend((0..payload_len).map(|_| rng.u64() as u8));
    crate::link::ble::with_crc(&pdu)
}

/// One packet at 4 samples per symbol with padding, carrier offset, phase,
/// fractional timing and noise for `ebn0_db` (signal amplitude 1).
pub(crate) fn synth(
    rng: &mut TestRng,
    channel: u8,
    pdu_crc: &[u8],
    start: f64,
    cfo_hz: f64,
    ebn0_db: f64,
    total: usize,
) -> (Vec<f32>, Vec<f32>) {
    let bits = packet::air_bits(channel, pdu_crc);
    let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
    let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
    let phase0 = rng.uniform() * 2.0 * std::f64::consts::PI;
    m.add_to(&bits, SPS as f64, start, 1.0, phase0, cfo_hz / 4e6, &mut re, &mut im);
    // Eb = 1·T; noise variance per complex sample = N0·fs = fs·T / (Eb/N0)
    let sigma = (SPS as f64 / 10f64.powf(ebn0_db / 10.0) / 2.0).sqrt();
    for k in 0..total {
        re[k] += (sigma * rng.gauss()) as f32;
        im[k] += (sigma * rng.gauss()) as f32;
    }
    (re, im)
}

#[test]
fn clean_packets_across_timing_cfo_and_channels() {
    let mut rng = TestRng::new(1);
    let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
    let mut d = Demodulator::new(&sync);
    for (i, &ch) in [37u8, 38, 39, 0, 22].iter().enumerate() {
        for &cfo in &[0.0, 40e3, -95e3] {
            for frac in [0.0, 0.3, 0.55, 0.9] {
                let pdu = test_pdu(&mut rng, 10 + i * 6);
                let start = 100.0 + frac;
                let (re, im) = synth(&mut rng, ch, &pdu, start, cfo, 60.0, 3000);
                // the detector's estimate is within a couple of samples
                let r = d.demodulate(&re, &im, start + 1.7, &[ch], 4e6).unwrap();
                assert!(r.crc_ok, "ch {ch} cfo {cfo} frac {frac}");
                assert_eq!(r.bytes, pdu);
                assert!((r.start - start).abs() <= 0.26, "start {} vs {start}", r.start);
                assert!((r.cfo_hz - cfo).abs() < 300.0, "cfo {} vs {cfo}", r.cfo_hz);
                assert!(r.snr_db > 25.0, "snr {}", r.snr_db);
                assert!(r.rssi_dbfs.abs() < 0.5, "rssi {}", r.rssi_dbfs);
            }
        }
    }
}

#[test]
fn noise_alone_is_rejected_and_short_windows_ask_for_more() {
    let mut rng = TestRng::new(2);
    let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
    let mut d = Demodulator::new(&sync);
    let (re, im): (Vec<f32>, Vec<f32>) = (0..3000).map(|_| (rng.gauss() as f32, rng.gauss() as f32)).unzip();
    assert_eq!(d.demodulate(&re, &im, 200.0, &[37], 4e6), Err(DemodError::NoSync));
    let pdu = test_pdu(&mut rng, 37);
    let (re, im) = synth(&mut rng, 37, &pdu, 100.0, 0.0, 40.0, 900);
    assert!(matches!(d.demodulate(&re, &im, 100.0, &[37], 4e6), Err(DemodError::Truncated { .. })));
}

#[test]
fn snr_estimate_tracks_the_truth() {
    let mut rng = TestRng::new(3);
    let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
    let mut d = Demodulator::new(&sync);
    for ebn0 in [12.0, 20.0, 30.0] {
        let pdu = test_pdu(&mut rng, 37);
        let (re, im) = synth(&mut rng, 38, &pdu, 120.0, 10e3, ebn0, 2000);
        let r = d.demodulate(&re, &im, 120.0, &[38], 4e6).unwrap();
        assert!(r.crc_ok);
        assert!((r.snr_db as f64 - ebn0).abs() < 1.5, "estimated {} for {ebn0}", r.snr_db);
    }
}

/// Packet success at 10 dB Eb/N0 with ±50 kHz offsets (the full sweep is in
/// examples/ble_sweep.rs; this guards against regressions).
#[test]
fn sensitivity_at_10_db() {
    let mut rng = TestRng::new(4);
    let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
    let mut d = Demodulator::new(&sync);
    let n = 200;
    let mut ok = 0;
    for _ in 0..n {
        let pdu = test_pdu(&mut rng, 37);
        let cfo = (rng.uniform() * 2.0 - 1.0) * 50e3;
        let start = 100.0 + rng.uniform();
        let (re, im) = synth(&mut rng, 37, &pdu, start, cfo, 10.0, 1900);
        if let Ok(r) = d.demodulate(&re, &im, start + (rng.uniform() * 4.0 - 2.0), &[37], 4e6)
            && r.crc_ok
            && r.bytes == pdu
        {
            ok += 1;
        }
    }
    eprintln!("10 dB: {ok}/{n}");
    assert!(ok as f64 / n as f64 >= 0.9, "{ok}/{n}");
}

/// IQ samples and what was sent: (start sample, PDU + CRC).
type Sent = (Vec<f32>, Vec<f32>, Vec<(f64, Vec<u8>)>);

/// A stream with packets at known places, noise everywhere.
fn stream(rng: &mut TestRng, n_packets: usize, ebn0_db: f64, cfo: f64) -> Sent {
    let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
    let total = 2000 + n_packets * 2500;
    let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
    let mut sent = Vec::new();
    for i in 0..n_packets {
        let pdu = test_pdu(rng, 5 + (i * 7) % 33);
        let start = 1000.0 + i as f64 * 2500.0 + rng.uniform() * 300.0;
        let bits = packet::air_bits(37, &pdu);
        m.add_to(&bits, SPS as f64, start, 0.5, rng.uniform() * std::f64::consts::TAU, cfo / 4e6, &mut re, &mut im);
        sent.push((start, pdu));
    }
    let sigma = 0.5 * (SPS as f64 / 10f64.powf(ebn0_db / 10.0) / 2.0).sqrt();
    for k in 0..total {
        re[k] += (sigma * rng.gauss()) as f32;
        im[k] += (sigma * rng.gauss()) as f32;
    }
    (re, im, sent)
}

#[test]
fn receiver_decodes_a_stream_in_any_block_split() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let mut rng = TestRng::new(11);
    let (re, im, sent) = stream(&mut rng, 12, 25.0, 30e3);
    let mut first: Option<Vec<(u64, Vec<u8>)>> = None;
    for split in [333usize, 4096, 65536] {
        let mut rx = BleReceiver::new(&BleRxConfig::new(4e6, Some(2402e6))).unwrap();
        assert_eq!(rx.channels(), vec![(Some(37), Some(2402e6))]);
        let mut frames = Vec::new();
        for (r, i) in re.chunks(split).zip(im.chunks(split)) {
            rx.process(r, i, &mut frames);
        }
        rx.finish(&mut frames);
        assert_eq!(frames.len(), sent.len(), "split {split}: {:?}", rx.stats);
        for (f, (start, pdu)) in frames.iter().zip(&sent) {
            assert_eq!(&f.bytes, pdu);
            assert!((f.meta.sample.unwrap() as f64 - start).abs() <= 1.0);
            assert_eq!(f.meta.channel, Some(37));
            assert!((f.meta.cfo_hz.unwrap() - 30e3).abs() < 2e3);
            assert!((f.meta.rssi_dbfs.unwrap() + 6.0).abs() < 0.5, "{:?}", f.meta.rssi_dbfs);
        }
        assert_eq!(rx.stats.crc_errors, 0);
        let got: Vec<_> = frames.iter().map(|f| (f.meta.sample.unwrap(), f.bytes.clone())).collect();
        assert_eq!(first.get_or_insert(got.clone()), &got);
    }
}

#[test]
fn unknown_centre_frequency_tries_the_advertising_channels() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let mut rng = TestRng::new(12);
    let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
    let (mut re, mut im) = (vec![0f32; 12000], vec![0f32; 12000]);
    let pdu = test_pdu(&mut rng, 20);
    m.add_to(&packet::air_bits(39, &pdu), 4.0, 3000.0, 0.5, 1.0, 0.0, &mut re, &mut im);
    let mut rx = BleReceiver::new(&BleRxConfig::new(4e6, None)).unwrap();
    let mut frames = Vec::new();
    rx.process(&re, &im, &mut frames);
    rx.finish(&mut frames);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].meta.channel, Some(39));
    assert_eq!(frames[0].meta.freq_hz, Some(2480e6));
}

#[test]
fn noise_only_gives_no_frames() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let mut rng = TestRng::new(13);
    let (re, im): (Vec<f32>, Vec<f32>) = (0..2_000_000).map(|_| (rng.gauss() as f32, rng.gauss() as f32)).unzip();
    let mut rx = BleReceiver::new(&BleRxConfig::new(4e6, Some(2426e6))).unwrap();
    let mut frames = Vec::new();
    rx.process(&re, &im, &mut frames);
    rx.finish(&mut frames);
    assert!(frames.is_empty());
    eprintln!("0.5 s of noise: {:?}", rx.stats);
}

/// IQ samples and what was sent: (channel, start sample, PDU + CRC).
type SentOn = (Vec<f32>, Vec<f32>, Vec<(u8, f64, Vec<u8>)>);

/// Packets on several channels inside a capture at `fs` centred at `fc`.
fn wide_stream(rng: &mut TestRng, fs: f64, fc: f64, channels: &[u8], per_channel: usize) -> SentOn {
    let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
    let sps = fs / 1e6;
    let gap = 700.0 * sps; // 700 µs between packet starts on a channel
    let total = ((per_channel as f64 + 1.0) * gap) as usize + (400.0 * sps) as usize;
    let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
    let mut sent = Vec::new();
    for (ci, &ch) in channels.iter().enumerate() {
        let f = crate::frame::ble_channel_freq_hz(ch).unwrap();
        for i in 0..per_channel {
            let pdu = test_pdu(rng, 8 + (i * 5 + ci) % 30);
            let start = (i as f64 + 0.3 + 0.2 * ci as f64) * gap + rng.uniform() * 10.0;
            let cfo = (f - fc + (rng.uniform() - 0.5) * 60e3) / fs;
            m.add_to(
                &packet::air_bits(ch, &pdu),
                sps,
                start,
                0.3,
                rng.uniform() * std::f64::consts::TAU,
                cfo,
                &mut re,
                &mut im,
            );
            sent.push((ch, start, pdu));
        }
    }
    // noise for 25 dB Eb/N0 at amplitude 0.3
    let sigma = 0.3 * (sps / 10f64.powf(2.5) / 2.0).sqrt();
    for k in 0..total {
        re[k] += (sigma * rng.gauss()) as f32;
        im[k] += (sigma * rng.gauss()) as f32;
    }
    (re, im, sent)
}

#[test]
fn any_rate_and_channels_anywhere_in_the_band() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let cases: &[(f64, f64, &[u8])] = &[
        (2e6, 2402e6, &[37]),
        (8e6, 2427e6, &[38]),      // ch 38 at −1 MHz
        (20e6, 2475e6, &[39]),     // ch 39 at +5 MHz
        (40e6, 2414e6, &[37, 38]), // ±12 MHz
        (61.44e6, 2414e6, &[37, 38]),
        (100e6, 2441e6, &[37, 38, 39]),
    ];
    for &(fs, fc, chans) in cases {
        let mut rng = TestRng::new(fs as u64);
        let (re, im, sent) = wide_stream(&mut rng, fs, fc, chans, 3);
        let mut rx = BleReceiver::new(&BleRxConfig::new(fs, Some(fc))).unwrap();
        let listening: Vec<u8> = rx.channels().iter().filter_map(|c| c.0).collect();
        for c in chans {
            assert!(listening.contains(c), "{fs}: not listening to {c}: {listening:?}");
        }
        let mut frames = Vec::new();
        for (r, i) in re.chunks(50_000).zip(im.chunks(50_000)) {
            rx.process(r, i, &mut frames);
        }
        rx.finish(&mut frames);
        for (ch, start, pdu) in &sent {
            let f = frames.iter().find(|f| f.meta.channel == Some(*ch as u16) && &f.bytes == pdu);
            let f = f.unwrap_or_else(|| panic!("{fs}: channel {ch} packet at {start} not decoded: {:?}", rx.stats));
            let err = f.meta.sample.unwrap() as f64 - start;
            assert!(err.abs() <= fs / 1e6 * 0.5 + 1.0, "{fs} ch {ch}: start {} vs {start}", f.meta.sample.unwrap());
        }
        assert_eq!(frames.len(), sent.len(), "{fs}: {:?}", rx.stats);
        assert_eq!(rx.stats.crc_errors, 0, "{fs}");
    }
}

#[test]
fn channels_outside_the_band_are_refused_with_a_clear_message() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let e = BleReceiver::new(&BleRxConfig::new(4e6, Some(2440e6))).err().unwrap();
    assert!(e.contains("no BLE channel") && e.contains("2438.000") && e.contains("2442.000"), "{e}");
    assert!(BleReceiver::new(&BleRxConfig::new(1e6, Some(2402e6))).is_err());
    for fs in [1e300, f64::INFINITY, f64::NAN, 10.5e9] {
        let e = BleReceiver::new(&BleRxConfig::new(fs, Some(2402e6))).err().unwrap();
        assert!(e.contains("sample rate"), "{e}");
    }
    assert!(BleReceiver::new(&BleRxConfig::new(10e9, Some(2402e6))).is_ok());
}

/// A packet of `payload_len` bytes on `ch` at `sps` samples per symbol,
/// amplitude 0.5, starting at `start`, plus noise for 25 dB Eb/N0.
fn capture_with(rng: &mut TestRng, ch: u8, starts: &[f64], sps: f64, cfo: f64, total: usize) -> Sent {
    let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
    let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
    let mut sent = Vec::new();
    for &start in starts {
        let pdu = test_pdu(rng, 24);
        let bits = packet::air_bits(ch, &pdu);
        m.add_to(&bits, sps, start, 0.5, rng.uniform() * std::f64::consts::TAU, cfo, &mut re, &mut im);
        sent.push((start, pdu));
    }
    let sigma = 0.5 * (sps / 10f64.powf(2.5) / 2.0).sqrt();
    for k in 0..total {
        re[k] += (sigma * rng.gauss()) as f32;
        im[k] += (sigma * rng.gauss()) as f32;
    }
    (re, im, sent)
}

fn receive(cfg: &super::receiver::BleRxConfig, re: &[f32], im: &[f32]) -> (Vec<crate::frame::Frame>, super::PhyStats) {
    let mut rx = super::receiver::BleReceiver::new(cfg).unwrap();
    let mut frames = Vec::new();
    for (r, i) in re.chunks(10_000).zip(im.chunks(10_000)) {
        rx.process(r, i, &mut frames);
    }
    rx.finish(&mut frames);
    (frames, rx.stats.clone())
}

#[test]
fn a_channel_requested_twice_is_received_once() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let mut rng = TestRng::new(21);
    let (re, im, sent) = capture_with(&mut rng, 37, &[1000.0, 4000.0], 4.0, 0.0, 7000);
    for fc in [Some(2402e6), None] {
        let cfg = BleRxConfig { channels: vec![37, 37, 38, 37], ..BleRxConfig::new(4e6, fc) };
        assert_eq!(BleReceiver::new(&cfg).unwrap().channels().len(), 1, "{fc:?}");
        let (frames, stats) = receive(&cfg, &re, &im);
        assert_eq!(frames.len(), sent.len(), "{fc:?}: {stats:?}");
        assert_eq!(stats.packets, sent.len() as u64);
    }
}

#[test]
fn unknown_centre_frequency_tries_only_the_requested_advertising_channels() {
    use super::receiver::{BleReceiver, BleRxConfig};
    let mut rng = TestRng::new(22);
    let (re, im, sent) = capture_with(&mut rng, 39, &[1000.0], 4.0, 0.0, 5000);
    let with = |channels: Vec<u8>| BleRxConfig { channels, ..BleRxConfig::new(4e6, None) };
    // 39's whitening is not tried unless asked for
    let (frames, stats) = receive(&with(vec![37, 38]), &re, &im);
    assert!(frames.is_empty(), "{frames:?}");
    assert_eq!(stats.crc_errors, 1, "{stats:?}");
    let (frames, _) = receive(&with(vec![39, 0]), &re, &im);
    assert_eq!(frames.len(), 1);
    assert_eq!((frames[0].meta.channel, &frames[0].bytes), (Some(39), &sent[0].1));
    // nothing to try: refused
    let e = BleReceiver::new(&with(vec![0, 22])).err().unwrap();
    assert!(e.contains("37, 38 and 39") && e.contains("[0, 22]"), "{e}");
}

#[test]
fn a_fresh_window_is_derotated_even_when_the_offset_is_unchanged() {
    // A window of zeros leaves the carrier offset at exactly 0; the next
    // candidate's first de-rotation (offset 0 too) must not reuse it.
    let mut rng = TestRng::new(23);
    let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
    let mut d = Demodulator::new(&sync);
    let zeros = vec![0f32; 3000];
    assert_eq!(d.demodulate(&zeros, &zeros, 101.0, &[37], 4e6), Err(DemodError::NoSync));
    let pdu = test_pdu(&mut rng, 30);
    let (re, im) = synth(&mut rng, 37, &pdu, 100.3, 20e3, 30.0, 3000);
    let r = d.demodulate(&re, &im, 101.0, &[37], 4e6).unwrap();
    assert!(r.crc_ok && r.bytes == pdu, "{r:?}");
}

#[test]
fn a_packet_ending_with_the_capture_is_decoded() {
    use super::receiver::BleRxConfig;
    // (rate, centre, channel): passthrough, interpolated, decimated, off-centre
    let cases = [(4e6, 2402e6, 37u8), (2e6, 2402e6, 37), (3e6, 2426e6, 38), (8e6, 2427e6, 38), (20e6, 2475e6, 39)];
    for (fs, fc, ch) in cases {
        let mut rng = TestRng::new(fs as u64 + 24);
        let sps = fs / 1e6;
        let bits = 8 * (1 + 4 + 2 + 24 + 3);
        let total = (3000.0 * sps) as usize;
        // the second packet's last sample is the capture's last
        let starts = [500.0 * sps + 0.4, total as f64 - bits as f64 * sps];
        let cfo = (crate::frame::ble_channel_freq_hz(ch).unwrap() - fc + 15e3) / fs;
        let (re, im, sent) = capture_with(&mut rng, ch, &starts, sps, cfo, total);
        let (frames, stats) = receive(&BleRxConfig::new(fs, Some(fc)), &re, &im);
        assert_eq!(frames.len(), 2, "{fs}: {stats:?}");
        for (f, (start, pdu)) in frames.iter().zip(&sent) {
            assert_eq!(&f.bytes, pdu, "{fs}");
            assert!((f.meta.sample.unwrap() as f64 - start).abs() <= sps / 2.0 + 1.0, "{fs}: {:?} vs {start}", f.meta);
        }
        assert_eq!((stats.crc_errors, stats.sync_rejected), (0, 0), "{fs}: {stats:?}");
        // noise alone gives nothing, flush included
        let (frames, stats) = receive(&BleRxConfig::new(fs, Some(fc)), &re[..total / 10], &im[..total / 10]);
        assert!(frames.is_empty() && stats.crc_errors == 0, "{fs}: {stats:?}");
    }
}

/// White noise through each kind of front end comes out with the power its
/// noise bandwidth says.
#[test]
fn front_ends_report_their_noise_bandwidth() {
    use super::front::plan_front;
    let cases = [
        (4e6, 0.0, 4e6, 4e6),
        (2e6, 0.0, 1.9e6, 2.0e6),
        (2.4e6, 0.0, 2.2e6, 2.4e6),
        (3e6, 0.0, 2.8e6, 3.0e6),
        (3e6, 0.5e6, 2.0e6, 3.0e6),
        (5e6, 0.0, 3.0e6, 4.0e6),
        (8e6, 0.0, 2.5e6, 3.5e6),
        (20e6, 5e6, 2.5e6, 3.5e6),
        (61.44e6, -12e6, 2.5e6, 3.5e6),
    ];
    for (fs, off, lo, hi) in cases {
        let mut f = plan_front(fs, off, 4e6);
        let bw = f.noise_bandwidth_hz();
        assert!((lo..=hi).contains(&bw), "{fs} {off}: {bw}");
        // unit density: variance fs per complex sample
        let mut rng = TestRng::new(fs as u64);
        let sigma = (fs / 2.0).sqrt();
        let n = (fs / 4e6 * 400_000.0) as usize;
        let (re, im): (Vec<f32>, Vec<f32>) =
            (0..n).map(|_| ((sigma * rng.gauss()) as f32, (sigma * rng.gauss()) as f32)).unzip();
        let (mut ore, mut oim) = (Vec::new(), Vec::new());
        if f.is_passthrough() {
            (ore, oim) = (re, im);
        } else {
            f.process(&re, &im, &mut ore, &mut oim);
        }
        let skip = 1000; // the filters' start
        let p: f64 =
            ore[skip..].iter().zip(&oim[skip..]).map(|(&a, &b)| (a as f64).powi(2) + (b as f64).powi(2)).sum::<f64>()
                / (ore.len() - skip) as f64;
        let err_db = 10.0 * (p / bw).log10();
        eprintln!("{fs} Hz, channel at {off} Hz: noise bandwidth {bw:.0} Hz, measured {p:.0} ({err_db:+.3} dB)");
        assert!(err_db.abs() < 0.05, "{fs} {off}: measured {p}, reported {bw} ({err_db:.2} dB)");
    }
}

/// Guided AUX scanning: a pointer becomes a search window on its data
/// channel; pointers to a window already searched add nothing; a window
/// whose samples were dropped before the pointer came is counted apart.
#[test]
fn guided_search_windows_are_searched_once_or_counted_as_dropped() {
    use super::receiver::{AuxScan, BleReceiver, BleRxConfig};
    use crate::link::ble::{AuxPtr, ExtHeader};
    let fs = 20e6;
    // a primary on 37 starting at input sample `at`, pointing `offset_us` ahead to channel 1
    let primary = |at: u64, offset_us: u16| {
        let ptr = AuxPtr { channel: 1, ca: true, offset_units_us: 30, offset: offset_us / 30, phy: 2 };
        let ext = ExtHeader { aux_ptr: Some(ptr), ..Default::default() };
        let mut f = super::auxlink::tests::frame(37, at as f64 / fs, ext, &[]);
        f.meta.sample = Some(at);
        f
    };
    let mut cfg = BleRxConfig::new(fs, Some(2410e6));
    cfg.channels = (0..40).collect();
    cfg.aux_scan = AuxScan::Guided;
    let mut rx = BleReceiver::new(&cfg).unwrap();
    let zeros = vec![0f32; 1 << 16];
    let mut out = Vec::new();
    let mut fed = 0u64;
    let mut feed = |rx: &mut BleReceiver, secs: f64| {
        while (fed as f64) < secs * fs {
            rx.process(&zeros, &zeros, &mut out);
            fed += zeros.len() as u64;
        }
    };
    feed(&mut rx, 0.2);
    // pointing into the first 10 ms: long dropped
    rx.guide(&[primary(20_000, 600)]);
    // pointing 3 ms past what has been fed, twice (as the three primaries of an event do)
    let now = rx.stats.samples;
    rx.guide(&[primary(now, 3000), primary(now + 20_000, 2000)]);
    feed(&mut rx, 0.3);
    rx.finish(&mut out);
    assert_eq!(rx.stats.guided_searches, 2, "{:?}", rx.stats);
    assert_eq!(rx.stats.guided_expired, 1, "{:?}", rx.stats);
    assert!(out.is_empty());
}
