//! Receiver tests on modulated frames: the frames of a real Wi-Fi beacon
//! capture, rates 20, 22 and 44 MS/s, carrier and clock errors, noise,
//! block splits, an off-centre channel, noise alone; long and short
//! preambles, CCK headers.

use std::path::PathBuf;

use ridscope_dsp::noise::Rng;

use super::plcp::{self, Preamble, Rate, Scrambler};
use super::receiver::{DsssReceiver, DsssRxConfig};
use super::tx::{Modulator, add_ppdu_with, add_symbols, differential_symbols};
use crate::frame::{Frame, LinkType, Phy};

/// A frame with its FCS: random body.
fn random_frame(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut b: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    let fcs = ridscope_dsp::crc::fcs32(&b);
    b.extend_from_slice(&fcs.to_le_bytes());
    b
}

/// The 802.11 frames (with FCS) of the shared beacon capture, or None.
fn pcap_frames() -> Option<Vec<Vec<u8>>> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/pcap/odid_wifi_bcn_sample.pcap");
    if !p.exists() {
        eprintln!("skipped: {} is absent", p.display());
        return None;
    }
    let mut out = Vec::new();
    for rec in crate::pcap::PcapReader::open(&p).expect("open pcap") {
        let rec = rec.expect("record");
        let Ok(f) = crate::pcap::record_to_frame(&rec, None) else { continue };
        if f.meta.link != LinkType::Ieee80211 {
            continue;
        }
        let mut b = f.bytes;
        if !f.meta.fcs_included {
            let fcs = ridscope_dsp::crc::fcs32(&b);
            b.extend_from_slice(&fcs.to_le_bytes());
        }
        out.push(b);
    }
    Some(out)
}

pub(crate) struct Stream {
    pub re: Vec<f32>,
    pub im: Vec<f32>,
    /// (first chip position, frame)
    pub sent: Vec<(f64, Vec<u8>)>,
}

/// Frames one after another with `gap_s` of noise between them, each with a
/// carrier offset in ±`cfo_hz`, a clock error in ±`ppm` and a random
/// phase, in white noise for a chip-rate SNR of `snr_db` (chip power / (N0·11 MHz)).
fn stream(
    frames: &[(Vec<u8>, Rate)],
    fs: f64,
    offset_hz: f64,
    snr_db: f64,
    cfo_hz: f64,
    ppm: f64,
    seed: u64,
) -> Stream {
    let frames: Vec<(Vec<u8>, Rate, Preamble)> = frames.iter().map(|(f, r)| (f.clone(), *r, Preamble::Long)).collect();
    stream_with(&frames, fs, offset_hz, snr_db, cfo_hz, ppm, seed)
}

/// [`stream`] with a preamble per frame.
fn stream_with(
    frames: &[(Vec<u8>, Rate, Preamble)],
    fs: f64,
    offset_hz: f64,
    snr_db: f64,
    cfo_hz: f64,
    ppm: f64,
    seed: u64,
) -> Stream {
    stream_gap(frames, fs, offset_hz, snr_db, cfo_hz, ppm, seed, 300e-6)
}

/// [`stream_with`] with `gap_s` of noise between frames.
#[allow(clippy::too_many_arguments)]
fn stream_gap(
    frames: &[(Vec<u8>, Rate, Preamble)],
    fs: f64,
    offset_hz: f64,
    snr_db: f64,
    cfo_hz: f64,
    ppm: f64,
    seed: u64,
    gap_s: f64,
) -> Stream {
    let mut rng = Rng::new(seed);
    let m = Modulator::new();
    let gap = (gap_s * fs) as usize;
    let dur = |f: &[u8], r: Rate, p: Preamble| {
        ((p.plcp_symbols() + f.len() * 8 / r.bits_per_symbol()) as f64 * 1e-6 * fs) as usize
    };
    let total: usize = frames.iter().map(|(f, r, p)| dur(f, *r, *p) + gap + 100).sum::<usize>() + gap;
    let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
    let amp = 0.1f32;
    let mut at = gap;
    let mut sent = Vec::new();
    for (f, r, pre) in frames {
        let c = offset_hz + cfo_hz * (2.0 * rng.next_f64() - 1.0);
        let p = ppm * (2.0 * rng.next_f64() - 1.0);
        let ph = rng.next_f64() * std::f64::consts::TAU;
        let start = add_ppdu_with(&m, f, *r, *pre, fs, at, amp, c, p, ph, &mut re, &mut im).expect("fits");
        sent.push((start, f.clone()));
        at += dur(f, *r, *pre) + gap;
    }
    let n0 = (amp as f64).powi(2) / (10f64.powf(snr_db / 10.0) * 11e6);
    let sigma = (n0 * fs / 2.0).sqrt() as f32;
    rng.add_awgn(&mut re, &mut im, sigma);
    Stream { re, im, sent }
}

fn receive(cfg: &DsssRxConfig, s: &Stream, block: usize) -> (Vec<Frame>, DsssReceiver) {
    let mut rx = DsssReceiver::new(cfg).expect("receiver");
    let mut out = Vec::new();
    for (r, i) in s.re.chunks(block).zip(s.im.chunks(block)) {
        rx.process(r, i, &mut out);
    }
    rx.finish(&mut out);
    (out, rx)
}

fn check_all(s: &Stream, got: &[Frame], fs: f64) {
    let bytes: Vec<&Vec<u8>> = got.iter().map(|f| &f.bytes).collect();
    let want: Vec<&Vec<u8>> = s.sent.iter().map(|(_, f)| f).collect();
    assert_eq!(bytes.len(), want.len(), "frames received {} of {}", bytes.len(), want.len());
    assert_eq!(bytes, want);
    for (f, (start, _)) in got.iter().zip(&s.sent) {
        assert_eq!(f.meta.phy, Phy::WifiDsss);
        assert!(f.meta.fcs_included);
        let t = f.meta.sample.unwrap() as f64;
        assert!((t - start).abs() < 0.2e-6 * fs, "start {t} vs {start}");
    }
}

#[test]
fn clean_frames_1_and_2_mbps_at_22() {
    let mut rng = Rng::new(1);
    let frames = vec![(random_frame(&mut rng, 40), Rate::Mbps1), (random_frame(&mut rng, 100), Rate::Mbps2)];
    let s = stream(&frames, 22e6, 0.0, 40.0, 0.0, 0.0, 2);
    let (got, rx) = receive(&DsssRxConfig::new(22e6, None), &s, 4096);
    check_all(&s, &got, 22e6);
    assert_eq!(got[0].meta.rate_mbps, Some(1.0));
    assert_eq!(got[1].meta.rate_mbps, Some(2.0));
    assert_eq!(rx.stats.frames, 2);
    assert_eq!(rx.stats.fcs_errors, 0);
}

fn pcap_case(fs: f64, seed: u64) {
    let Some(frames) = pcap_frames() else { return };
    assert!(frames.len() >= 20);
    let list: Vec<(Vec<u8>, Rate)> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| (f.clone(), if i % 3 == 2 { Rate::Mbps2 } else { Rate::Mbps1 }))
        .collect();
    let s = stream(&list, fs, 0.0, 20.0, 50e3, 20.0, seed);
    let (got, rx) = receive(&DsssRxConfig::new(fs, Some(2437e6)), &s, 10_000);
    check_all(&s, &got, fs);
    for f in &got {
        assert_eq!(f.meta.channel, Some(6));
        assert_eq!(f.meta.freq_hz, Some(2437e6));
        let snr = f.meta.snr_db.unwrap();
        assert!((14.0..26.0).contains(&snr), "snr {snr}");
        assert!(f.meta.cfo_hz.unwrap().abs() < 110e3);
    }
    eprintln!("{fs}: {:?}", rx.stats);
}

#[test]
fn pcap_frames_at_20() {
    pcap_case(20e6, 20);
}

#[test]
fn pcap_frames_at_22() {
    pcap_case(22e6, 22);
}

#[test]
fn pcap_frames_at_44() {
    pcap_case(44e6, 44);
}

#[test]
fn cfo_is_measured() {
    let mut rng = Rng::new(5);
    for cfo in [-50e3, 30e3, 80e3] {
        let frames = vec![(random_frame(&mut rng, 60), Rate::Mbps2)];
        let s = stream(&frames, 20e6, cfo, 30.0, 0.0, 0.0, 6);
        let (got, _) = receive(&DsssRxConfig::new(20e6, None), &s, 4096);
        check_all(&s, &got, 20e6);
        let est = got[0].meta.cfo_hz.unwrap() as f64;
        assert!((est - cfo).abs() < 5e3, "{est} vs {cfo}");
    }
}

#[test]
fn block_split_does_not_matter() {
    let mut rng = Rng::new(7);
    let frames: Vec<(Vec<u8>, Rate)> = (0..4).map(|i| (random_frame(&mut rng, 30 + 20 * i), Rate::Mbps1)).collect();
    let s = stream(&frames, 20e6, 0.0, 8.0, 50e3, 20.0, 8);
    let cfg = DsssRxConfig::new(20e6, None);
    let (a, ra) = receive(&cfg, &s, 1 << 20);
    let (b, rb) = receive(&cfg, &s, 777);
    let (c, rc) = receive(&cfg, &s, 1);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(ra.stats, rb.stats);
    assert_eq!(ra.stats, rc.stats);
    assert!(!a.is_empty());
}

#[test]
fn off_centre_channel() {
    // 44 MS/s centred on channel 6 (2437 MHz): channel 8 is 10 MHz above
    let mut rng = Rng::new(9);
    let frames: Vec<(Vec<u8>, Rate)> =
        (0..3).map(|i| (random_frame(&mut rng, 50), if i == 1 { Rate::Mbps2 } else { Rate::Mbps1 })).collect();
    let s = stream(&frames, 44e6, 10e6, 20.0, 50e3, 20.0, 10);
    let mut cfg = DsssRxConfig::new(44e6, Some(2437e6));
    cfg.channels = vec![6, 8];
    let rx = DsssReceiver::new(&cfg).unwrap();
    assert_eq!(rx.channels(), vec![(Some(6), Some(2437e6)), (Some(8), Some(2447e6))]);
    let (got, _) = receive(&cfg, &s, 5000);
    check_all(&s, &got, 44e6);
    assert!(got.iter().all(|f| f.meta.channel == Some(8)));
}

#[test]
fn noise_gives_no_frames() {
    let mut rng = Rng::new(11);
    let n = 4_000_000;
    let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
    rng.add_awgn(&mut re, &mut im, 0.05);
    let s = Stream { re, im, sent: Vec::new() };
    let (got, rx) = receive(&DsssRxConfig::new(20e6, None), &s, 8192);
    assert!(got.is_empty());
    assert_eq!(rx.stats.frames, 0);
    eprintln!("noise: {:?}", rx.stats);
}

#[test]
fn rejects_rates_below_11() {
    assert!(DsssReceiver::new(&DsssRxConfig::new(10e6, None)).is_err());
    assert!(DsssReceiver::new(&DsssRxConfig::new(11e6, None)).is_ok());
    assert!(DsssReceiver::new(&DsssRxConfig::new(20e6, Some(2412e6 + 30e6))).is_ok());
    let r = DsssReceiver::new(&DsssRxConfig::new(15.36e6, Some(2437e6))).unwrap();
    assert_eq!(r.channels(), vec![(Some(6), Some(2437e6))]);
    assert!(DsssReceiver::new(&DsssRxConfig::new(15.36e6, Some(2439e6))).is_err());
    let mut c = DsssRxConfig::new(20e6, Some(2500e6));
    c.channels = vec![1];
    assert!(DsssReceiver::new(&c).is_err());
}

#[test]
fn lowest_rate_11_msps() {
    let mut rng = Rng::new(13);
    let frames: Vec<(Vec<u8>, Rate)> =
        (0..4).map(|i| (random_frame(&mut rng, 80), if i % 2 == 0 { Rate::Mbps1 } else { Rate::Mbps2 })).collect();
    let s = stream(&frames, 11e6, 0.0, 20.0, 50e3, 20.0, 14);
    let (got, _) = receive(&DsssRxConfig::new(11e6, None), &s, 3000);
    check_all(&s, &got, 11e6);
}

#[test]
fn garbage_input_does_not_panic() {
    let n = 100_000;
    let re: Vec<f32> = (0..n).map(|i| if i % 7 == 0 { f32::NAN } else { (i as f32).sin() * 1e30 }).collect();
    let im: Vec<f32> = (0..n).map(|i| if i % 5 == 0 { f32::INFINITY } else { 0.0 }).collect();
    let s = Stream { re, im, sent: Vec::new() };
    let (got, _) = receive(&DsssRxConfig::new(20e6, None), &s, 4096);
    assert!(got.is_empty());
}

#[test]
fn bad_fcs_is_counted_not_output() {
    let mut rng = Rng::new(15);
    let mut bad = random_frame(&mut rng, 50);
    let n = bad.len();
    bad[n - 1] ^= 0x01;
    let good = random_frame(&mut rng, 50);
    let frames = vec![(bad, Rate::Mbps1), (good.clone(), Rate::Mbps2)];
    let s = stream(&frames, 20e6, 0.0, 20.0, 50e3, 20.0, 16);
    let (got, rx) = receive(&DsssRxConfig::new(20e6, None), &s, 4096);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].bytes, good);
    assert_eq!(rx.stats.fcs_errors, 1);
    assert_eq!(rx.stats.frames, 1);
    assert_eq!(rx.stats.header_crc_errors, 0);
    assert_eq!(rx.stats.sfd_found, 2);
}

/// Short-preamble 2 Mb/s frames at `fs` with carrier (±50 kHz) and clock
/// (±20 ppm) errors.
fn short_case(fs: f64, seed: u64) {
    let mut rng = Rng::new(seed);
    let frames: Vec<(Vec<u8>, Rate, Preamble)> =
        (0..6).map(|i| (random_frame(&mut rng, 20 + 37 * i), Rate::Mbps2, Preamble::Short)).collect();
    let s = stream_with(&frames, fs, 0.0, 15.0, 50e3, 20.0, seed + 1);
    let (got, rx) = receive(&DsssRxConfig::new(fs, None), &s, 5000);
    check_all(&s, &got, fs);
    assert!(got.iter().all(|f| f.meta.rate_mbps == Some(2.0)));
    assert_eq!(rx.stats.header_crc_errors, 0);
    assert_eq!(rx.stats.fcs_errors, 0);
}

#[test]
fn short_preamble_2_mbps_at_20() {
    short_case(20e6, 30);
}

#[test]
fn short_preamble_2_mbps_at_22() {
    short_case(22e6, 32);
}

#[test]
fn short_preamble_2_mbps_at_44() {
    short_case(44e6, 34);
}

#[test]
fn short_preamble_cfo_extremes() {
    // the short SYNC leaves fewer symbols for the rotation estimate before
    // the DQPSK header: the carrier offset at ±50 kHz exactly
    let mut rng = Rng::new(36);
    for cfo in [-50e3, 50e3] {
        let frames: Vec<(Vec<u8>, Rate, Preamble)> =
            (0..3).map(|_| (random_frame(&mut rng, 100), Rate::Mbps2, Preamble::Short)).collect();
        let s = stream_with(&frames, 20e6, cfo, 15.0, 0.0, 20.0, 37);
        let (got, _) = receive(&DsssRxConfig::new(20e6, None), &s, 4096);
        check_all(&s, &got, 20e6);
        let est = got[0].meta.cfo_hz.unwrap() as f64;
        assert!((est - cfo).abs() < 5e3, "{est} vs {cfo}");
    }
}

#[test]
fn long_and_short_preambles_mixed() {
    let mut rng = Rng::new(38);
    let kinds = [
        (Rate::Mbps1, Preamble::Long),
        (Rate::Mbps2, Preamble::Short),
        (Rate::Mbps2, Preamble::Long),
        (Rate::Mbps2, Preamble::Short),
        (Rate::Mbps2, Preamble::Short),
        (Rate::Mbps1, Preamble::Long),
    ];
    let frames: Vec<(Vec<u8>, Rate, Preamble)> =
        kinds.iter().enumerate().map(|(i, &(r, p))| (random_frame(&mut rng, 30 + 25 * i), r, p)).collect();
    for (fs, seed) in [(20e6, 39), (22e6, 40), (44e6, 41)] {
        let s = stream_with(&frames, fs, 0.0, 12.0, 50e3, 20.0, seed);
        let (got, rx) = receive(&DsssRxConfig::new(fs, None), &s, 3333);
        check_all(&s, &got, fs);
        let rates: Vec<Option<f32>> = got.iter().map(|f| f.meta.rate_mbps).collect();
        let want: Vec<Option<f32>> = kinds.iter().map(|(r, _)| Some(r.mbps())).collect();
        assert_eq!(rates, want);
        assert_eq!(rx.stats.sfd_found, kinds.len() as u64, "{:?}", rx.stats);
    }
}

#[test]
fn short_preamble_1_mbps_is_refused() {
    let m = Modulator::new();
    let (mut re, mut im) = (vec![0f32; 100_000], vec![0f32; 100_000]);
    let r = add_ppdu_with(&m, &[0; 20], Rate::Mbps1, Preamble::Short, 20e6, 0, 0.1, 0.0, 0.0, 0.0, &mut re, &mut im);
    assert!(r.is_none());
    assert!(re.iter().chain(&im).all(|&x| x == 0.0));
}

/// A short-preamble PPDU whose header (good CRC) announces a CCK rate
/// (SIGNAL 55 or 110), followed by `n_data` random DQPSK symbols in
/// place of the CCK PSDU, which the receiver does not demodulate.
fn cck_symbols(signal: u8, octets: usize, n_data: usize, rng: &mut Rng) -> Vec<(f64, f64)> {
    let mut bits = Vec::new();
    plcp::preamble_bits_of(Preamble::Short, &mut bits);
    let length_us = (octets * 8 * 10).div_ceil(signal as usize) as u16;
    plcp::header_bits(signal, 0x04, length_us, &mut bits);
    bits.extend((0..2 * n_data).map(|_| (rng.next_u64() & 1) as u8));
    let mut s = Scrambler::new(plcp::SHORT_PREAMBLE_SEED);
    let sc: Vec<u8> = bits.iter().map(|&b| s.scramble(b)).collect();
    differential_symbols(&sc, Preamble::Short.sync_bits() + 16)
}

#[test]
fn short_preamble_cck_is_unsupported() {
    for fs in [20e6, 22e6] {
        let mut rng = Rng::new(42);
        let m = Modulator::new();
        let n = (6e-3 * fs) as usize;
        let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
        let slot = (1.5e-3 * fs) as usize;
        let good = random_frame(&mut rng, 60);
        let a = cck_symbols(plcp::SIGNAL_11M, 300, 300, &mut rng);
        let b = cck_symbols(plcp::SIGNAL_5M5, 100, 200, &mut rng);
        add_symbols(&m, &a, fs, 1000, 0.1, 30e3, 10.0, 0.5, &mut re, &mut im).expect("fits");
        add_symbols(&m, &b, fs, 1000 + slot, 0.1, -40e3, -10.0, 1.5, &mut re, &mut im).expect("fits");
        let start = add_ppdu_with(
            &m,
            &good,
            Rate::Mbps2,
            Preamble::Short,
            fs,
            1000 + 2 * slot,
            0.1,
            20e3,
            5.0,
            2.5,
            &mut re,
            &mut im,
        )
        .expect("fits");
        rng.add_awgn(&mut re, &mut im, 0.1 * (fs / 2.0 / 11e6 / 10f64.powf(2.0)).sqrt() as f32);
        let s = Stream { re, im, sent: vec![(start, good)] };
        let (got, rx) = receive(&DsssRxConfig::new(fs, None), &s, 4096);
        check_all(&s, &got, fs);
        assert_eq!(rx.stats.unsupported, 2, "{:?}", rx.stats);
        assert_eq!(rx.stats.header_crc_errors, 0, "{:?}", rx.stats);
        assert_eq!(rx.stats.fcs_errors, 0, "{:?}", rx.stats);
    }
}

#[test]
fn short_preamble_at_0_db() {
    // 14-byte frames (an ACK's size) with the short preamble at 0 dB chip
    // SNR: the SFD is found for (nearly) all, the DQPSK header and PSDU
    // for most (measured 40 SFDs, 38 headers, 34 frames of 40)
    let mut rng = Rng::new(44);
    let frames: Vec<(Vec<u8>, Rate, Preamble)> =
        (0..40).map(|_| (random_frame(&mut rng, 10), Rate::Mbps2, Preamble::Short)).collect();
    let s = stream_with(&frames, 22e6, 0.0, 0.0, 50e3, 20.0, 45);
    let (got, rx) = receive(&DsssRxConfig::new(22e6, None), &s, 4096);
    eprintln!("0 dB: {:?}", rx.stats);
    assert!(rx.stats.sfd_found >= 39, "{:?}", rx.stats);
    let headers_ok = rx.stats.fcs_errors + rx.stats.frames + rx.stats.unsupported;
    assert!(headers_ok >= 35, "{:?}", rx.stats);
    assert!(got.len() >= 30, "{:?}", rx.stats);
    let sent: Vec<&Vec<u8>> = s.sent.iter().map(|(_, f)| f).collect();
    assert!(got.iter().all(|f| sent.contains(&&f.bytes)));
}

/// Frames 100 µs apart (a busy channel) in an 8-bit capture: the receiver
/// often locks on the noise between them, then must let go for the frame, even when the
/// frame's symbol phase is next to the noise lock's (it used to keep the
/// noise's carrier estimate and time out before the frame's SFD).
#[test]
fn frames_100_us_apart_all_decode() {
    let mut rng = Rng::new(77);
    let frames: Vec<(Vec<u8>, Rate, Preamble)> =
        (0..300).map(|_| (random_frame(&mut rng, 150), Rate::Mbps1, Preamble::Long)).collect();
    let fs = 20e6;
    let mut s = stream_gap(&frames, fs, 0.0, 30.0, 50e3, 20.0, 78, 100e-6);
    // as an 8-bit capture: the gaps are mostly zeros and ±1 steps, on
    // which the receiver locks easily
    for v in s.re.iter_mut().chain(s.im.iter_mut()) {
        *v = (*v * 127.0).round() / 127.0;
    }
    let (got, rx) = receive(&DsssRxConfig::new(fs, None), &s, 4096);
    assert_eq!(rx.stats.frames, 300, "{:?}", rx.stats);
    check_all(&s, &got, fs);
}
