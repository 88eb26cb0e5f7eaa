//! BLE 5 Long Range (LE Coded PHY) end to end: the real frames of the
//! shared nRF Sniffer pcap put on the air by the synthesizer and received
//! again; and a synthesized BLE 5 + BLE 4 capture scored against its truth.

mod common;
use common::Cleanup;
use std::path::PathBuf;

use ridscope::cli::decode::{DecodeConfig, decode};
use ridscope::cli::synth::{SynthBleConfig, synth, truth_path};
use ridscope::decode::decode_frame;
use ridscope::frame::{Phy, ble_channel_freq_hz};
use ridscope::link::Detail;
use ridscope::link::ble::{ADV_ACCESS_ADDRESS, split_crc};
use ridscope::pcap::{PcapReader, record_to_frame};
use ridscope::phy::ble::{AuxScan, BleReceiver, BleRxConfig};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope::synth::iq::{IqConfig, render_ble};
use ridscope::synth::scenario::{BlePhy, BleTx, ScenarioConfig};
use ridscope::synth::score::{parse_jsonl, score};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ridscope-coded-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Every 8th good frame of odid_bt5_lr_sample.pcapng (AUX_ADV_IND, LE Coded
/// S=8, channels 0..36) is modulated on its channel with carrier and clock
/// errors at 15 dB Eb/N0 per information bit, received, and must come back
/// with the same bytes, PHY and channel, and decode to the same outcome
/// (messages, or the empty pack that 19 of the capture's frames carry,
/// rejected as such).
#[test]
fn bt5_pcap_frames_on_the_air_decode_to_the_same_bytes() {
    let Some(p) = common::shared_pcap("odid_bt5_lr_sample.pcapng") else { return };
    let mut start = None;
    let mut originals = Vec::new();
    for rec in PcapReader::open(&p).expect("open") {
        let rec = rec.expect("record");
        start = start.or(rec.unix_ns);
        let f = record_to_frame(&rec, start).expect("frame");
        if split_crc(&f.bytes).is_ok_and(|(_, ok)| ok) {
            originals.push(f);
        }
    }
    assert_eq!(originals.len(), 244);
    let (mut checked, mut empty) = (0, 0);
    for (i, orig) in originals.iter().enumerate().step_by(8) {
        let channel = orig.meta.channel.expect("channel") as u8;
        assert_eq!(orig.meta.phy, Phy::BleCodedS8);
        let (pdu, _) = split_crc(&orig.bytes).unwrap();
        let tx = BleTx {
            t_s: 0.5e-3,
            drone: i,
            channel,
            phy: BlePhy::CodedS8,
            access_address: ADV_ACCESS_ADDRESS,
            pdu: pdu.to_vec(),
            truth: Vec::new(),
        };
        let freq = ble_channel_freq_hz(channel).unwrap();
        let iq = IqConfig {
            sample_rate: 4e6,
            center_freq_hz: freq,
            ebn0_db: 15.0 - 9.03,
            cfo_hz: 40e3,
            ppm: 20.0,
            seed: i as u64,
            amplitude: None,
        };
        let mut cfg = BleRxConfig::new(4e6, Some(freq));
        cfg.channels = vec![channel];
        let mut rx = BleReceiver::new(&cfg).unwrap();
        let mut frames = Vec::new();
        let dur = tx.duration_s() + 2e-3;
        render_ble(std::slice::from_ref(&tx), &iq, dur, 1 << 14, |re, im| {
            rx.process(re, im, &mut frames);
            Ok::<(), ()>(())
        })
        .unwrap();
        rx.finish(&mut frames);
        assert_eq!(frames.len(), 1, "frame {i} on channel {channel}: {frames:?}");
        let got = &frames[0];
        assert_eq!(got.bytes, orig.bytes, "frame {i}");
        assert_eq!((got.meta.phy, got.meta.channel), (Phy::BleCodedS8, Some(channel as u16)));
        assert!((got.meta.time_s - 0.5e-3).abs() < 2e-6, "start {}", got.meta.time_s);
        let (a, b) = (decode_frame(orig, Detail::Full), decode_frame(got, Detail::Full));
        assert_eq!(a, b, "frame {i}: the same decode");
        if a.first_error().is_some_and(|e| e.to_string().contains("holds no messages")) {
            empty += 1;
        }
        checked += 1;
    }
    eprintln!("{checked} frames re-received, {empty} with an empty pack");
    assert_eq!(checked, 31);
    assert!(empty > 0);
    assert_eq!(rx_stats_after_noise(), 0);
}

/// Noise alone through a receiver on a data channel for 0.5 s: no packet.
fn rx_stats_after_noise() -> u64 {
    let mut cfg = BleRxConfig::new(4e6, Some(2420e6));
    cfg.channels = vec![8];
    let mut rx = BleReceiver::new(&cfg).unwrap();
    let iq = IqConfig {
        sample_rate: 4e6,
        center_freq_hz: 2420e6,
        ebn0_db: 0.0,
        cfo_hz: 0.0,
        ppm: 0.0,
        seed: 9,
        amplitude: None,
    };
    let mut frames = Vec::new();
    render_ble(&[], &iq, 0.5, 1 << 14, |re, im| {
        rx.process(re, im, &mut frames);
        Ok::<(), ()>(())
    })
    .unwrap();
    rx.finish(&mut frames);
    rx.stats.packets
}

/// A 20 MS/s capture of channels 0..8 (2402..2418 MHz: advertising
/// channel 37 and data channels 0..5) with 3 drones sending BLE 4 legacy
/// and BLE 5 Long Range (S=8) at 20 dB: every message whose packet is in
/// the band is found, nothing false; the AUX packets on other channels are
/// counted as outside the band.
#[test]
fn ble5_and_ble4_capture_decodes() {
    let p = tmp("ble5.sigmf-meta");
    let _c = Cleanup::of(&p);
    let scenario = ScenarioConfig { seed: 11, drones: 3, duration_s: 8.0, ..ScenarioConfig::default() };
    let cfg = SynthBleConfig {
        output: p.clone(),
        truth: None,
        format: SampleFormat::Cs16,
        scenario,
        iq: IqConfig {
            sample_rate: 20e6,
            center_freq_hz: 2410e6,
            ebn0_db: 20.0 - 9.03,
            cfo_hz: 30e3,
            ppm: 20.0,
            seed: 11,
            amplitude: None,
        },
        legacy: true,
        ble5: Some(BlePhy::CodedS8),
    };
    synth(&cfg).unwrap();
    let truth = parse_jsonl(&std::fs::read_to_string(truth_path(&p)).unwrap()).unwrap();
    let ble5 = truth.iter().filter(|t| t["transport"] == "ble5_extended").count();
    assert!(ble5 >= 10, "{ble5} BLE 5 messages in band");
    // guided AUX scanning (the default here: 10 channels, 37 among them),
    // then blind: the same messages, all of them
    let mut seen = Vec::new();
    for scan in [AuxScan::Auto, AuxScan::Blind] {
        let mut dc = DecodeConfig::new(p.to_string_lossy());
        dc.channels = (0..40).collect();
        dc.aux_scan = scan;
        let mut sink = VecSink::default();
        let (r, summary, _, _) = decode(&dc, &mut sink);
        r.unwrap();
        let decoded: Vec<serde_json::Value> = sink.records.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
        let s = score(&truth, &decoded);
        let phy = summary.and_then(|s| s.phy).expect("BLE ran");
        eprintln!("{scan:?}: {s:?}\n{phy:?}");
        assert!(s.found_fraction() >= 0.99, "{s:?}");
        assert_eq!(s.false_decodes, 0, "{s:?}");
        assert!(phy.coded_packets > 0 && phy.aux.primaries > 0);
        assert!(phy.aux.aux_outside_band > 0, "{:?}", phy.aux);
        assert_eq!(phy.aux.aux_missed, 0, "{:?}", phy.aux);
        assert_eq!(phy.guided_expired, 0);
        if scan == AuxScan::Blind {
            assert_eq!(phy.guided_searches, 0);
        } else {
            assert!(phy.guided_searches >= phy.aux.aux_found, "{phy:?}");
        }
        let mut msgs: Vec<String> = decoded
            .iter()
            .map(|v| {
                let mut v = v.clone();
                if let Some(o) = v.as_object_mut() {
                    // the estimates (and the start, to a fraction of a sample)
                    // may differ a little: each search starts a fresh detector
                    for k in ["rssi_dbfs", "snr_db", "cfo_hz", "time_s"] {
                        o.remove(k);
                    }
                }
                v.to_string()
            })
            .collect();
        msgs.sort();
        seen.push(msgs);
    }
    assert_eq!(seen[0], seen[1], "guided and blind scanning decode the same messages");
}
