//! DJI DroneID from IQ: the shared real and synthetic captures (skipped with
//! a reason when `../shared` is absent), and synthesized captures scored
//! against their truth.

mod common;
use common::Cleanup;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ridscope::cli::decode::{DecodeConfig, PhyChoice, decode};
use ridscope::cli::synth::{SynthDjiConfig, synth_dji, truth_path};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope::synth::dji::{DjiIqConfig, DjiPlan};
use ridscope::synth::scenario::ScenarioConfig;
use serde_json::Value;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ridscope-dji-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn run(cfg: &DecodeConfig) -> (Vec<Value>, ridscope::cli::decode::DecodeSummary) {
    let mut sink = VecSink::default();
    let (r, summary, _, _) = decode(cfg, &mut sink);
    r.unwrap();
    let recs = sink.records.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    (recs, summary.unwrap())
}

fn dji_only(path: &Path, format: SampleFormat, rate: f64) -> DecodeConfig {
    let mut cfg = DecodeConfig::new(path.to_string_lossy());
    cfg.source.format = Some(format);
    cfg.source.rate = Some(rate);
    cfg.phys = vec![PhyChoice::Dji];
    cfg.quiet = true;
    cfg
}

#[test]
fn real_mini2_burst_decodes_with_both_crcs() {
    let Some(p) = shared("captures/dji/mini2_real_8sym_15M36.cf64") else { return };
    let (recs, s) = run(&dji_only(&p, SampleFormat::Cf64, 15.36e6));
    eprintln!("{recs:#?}\n{:?}", s.dji);
    assert_eq!(recs.len(), 1, "{recs:?}");
    let r = &recs[0];
    assert_eq!(r["protocol"], "dji_ocusync");
    // a flight purpose (0x11) message: serial, then cc aa 02 and zeros
    assert_eq!(r["msg_type"], "dji_flight_purpose");
    assert_eq!(r["payload_crc_ok"], true);
    assert_eq!(r["serial"], "3NZCHCQ0043XV1");
    assert!(r["rest_hex"].as_str().unwrap().starts_with("ccaa02000000"));
    // the burst fills the file; SNR and CFO as the spec's reference decoder saw them
    assert!(r["time_s"].as_f64().unwrap().abs() < 1.0 / 15.36e6, "{r}");
    assert!(r["snr_db"].as_f64().unwrap() > 12.0);
    assert!(r["cfo_hz"].as_f64().unwrap().abs() < 7.5e3);
    assert_eq!(s.dji.unwrap().bursts, 1);
}

#[test]
fn shared_synthetic_burst_decodes_and_its_payload_crc_is_reported_wrong() {
    let Some(p) = shared("captures/dji/synthetic_8sym_15M36.cf32") else { return };
    let (recs, s) = run(&dji_only(&p, SampleFormat::Cf32, 15.36e6));
    eprintln!("{recs:#?}\n{:?}", s.dji);
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0]["protocol"], "dji_ocusync");
    assert_eq!(recs[0]["payload_crc_ok"], false);
    assert_eq!(s.dji.unwrap().bursts, 1);
}

fn synth(path: &Path, rate: f64, secs: f64, snr: f64, nine: bool, drones: usize, seed: u64) {
    let cfg = SynthDjiConfig {
        output: path.to_path_buf(),
        truth: None,
        format: SampleFormat::Cf32,
        scenario: ScenarioConfig { seed, drones, duration_s: secs, ..ScenarioConfig::default() },
        iq: DjiIqConfig {
            sample_rate: rate,
            center_freq_hz: 2420e6,
            snr_db: snr,
            cfo_hz: 20e3,
            ppm: 10.0,
            seed,
            amplitude: None,
        },
        plan: DjiPlan { nine_symbols: nine, freqs_hz: vec![], ..DjiPlan::default() },
    };
    eprintln!("{}", synth_dji(&cfg).unwrap());
}

/// Decoded messages matched with the truth by time (±1 ms) and content.
fn score(path: &Path, recs: &[Value]) -> (usize, usize, usize) {
    let truth: Vec<Value> =
        std::fs::read_to_string(truth_path(path)).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut found = 0;
    let mut used = vec![false; recs.len()];
    for t in &truth {
        let tt = t["t_s"].as_f64().unwrap();
        let hit = recs.iter().enumerate().position(|(i, r)| {
            !used[i]
                && (r["time_s"].as_f64().unwrap() - tt).abs() < 1e-3
                && r["msg_type"] == t["message"]["msg_type"]
                && r["serial"] == t["message"]["serial"]
                && r.get("sequence") == t["message"].get("sequence")
                && r.get("lat_deg") == t["message"].get("lat_deg")
        });
        if let Some(i) = hit {
            used[i] = true;
            found += 1;
        }
    }
    let false_ = used.iter().filter(|u| !**u).count();
    (truth.len(), found, false_)
}

#[test]
fn synthesized_captures_at_several_rates_decode_every_burst() {
    for (rate, nine, drones) in [(15.36e6, true, 1), (20e6, false, 1), (50e6, true, 2)] {
        let p = tmp(&format!("dji_{}.sigmf-meta", rate as u64));
        let _cleanup = Cleanup::of(&p);
        synth(&p, rate, 3.0, 10.0, nine, drones, 5);
        let mut cfg = DecodeConfig::new(p.to_string_lossy());
        cfg.quiet = true;
        let (recs, s) = run(&cfg);
        let (n, found, false_) = score(&p, &recs);
        eprintln!("{rate}: truth {n}, found {found}, false {false_}; {:?}", s.dji);
        assert!(n >= 5 * drones);
        assert_eq!(found, n);
        assert_eq!(false_, 0);
        let mut kinds = BTreeMap::new();
        for r in &recs {
            *kinds.entry(r["msg_type"].as_str().unwrap().to_string()).or_insert(0) += 1;
            assert_eq!(r["payload_crc_ok"], true);
            assert!(r["freq_mhz"].as_f64().is_some() && r["snr_db"].as_f64().is_some());
        }
        assert!(kinds.contains_key("dji_flight_info") && kinds.contains_key("dji_flight_purpose"), "{kinds:?}");
    }
}

/// A long capture streamed straight from the synthesizer into the receiver
/// (no file): every burst decodes and the receiver's buffer stays bounded.
/// The 10-minute version of this runs as a pipe, see docs/CAPTURES.md.
#[test]
fn long_stream_decodes_every_burst_in_bounded_memory() {
    use ridscope::phy::ocusync::OcusyncReceiver;
    use ridscope::synth::dji::{render_dji, schedule};
    let rate = 30.72e6;
    let scenario = ScenarioConfig { seed: 21, drones: 1, duration_s: 6.0, ..ScenarioConfig::default() };
    let plan = DjiPlan { period_s: 0.3, freqs_hz: vec![2414.5e6, 2429.5e6], hop_every: 4, ..DjiPlan::default() };
    let iq = DjiIqConfig {
        sample_rate: rate,
        center_freq_hz: 2422e6,
        snr_db: 5.0,
        cfo_hz: 20e3,
        ppm: 10.0,
        seed: 21,
        amplitude: None,
    };
    let txs = schedule(&scenario, &plan).unwrap();
    let mut rx = OcusyncReceiver::new(rate, Some(2422e6)).unwrap();
    let mut frames = Vec::new();
    let mut max_buf = 0;
    render_dji(&txs, &iq, scenario.duration_s, 1 << 16, |re, im| {
        rx.process(re, im, &mut frames);
        max_buf = max_buf.max(rx.buffered_samples());
        Ok::<(), ()>(())
    })
    .unwrap();
    rx.finish(&mut frames);
    eprintln!("{} bursts sent, {} decoded, buffer at most {max_buf} samples; {:?}", txs.len(), frames.len(), rx.stats);
    assert!(txs.len() >= 19);
    assert_eq!(frames.len(), txs.len());
    for (f, t) in frames.iter().zip(&txs) {
        assert_eq!(f.bytes, t.block.to_vec());
        assert!((f.meta.time_s - t.t_s).abs() < 1e-6);
    }
    // 2^18 samples of slack plus a few bursts' worth at 30.72 MS/s
    assert!(max_buf < (1 << 18) + 3 * 9880 * 2 + 65536, "{max_buf}");
}

/// A block whose CRC-24 passes but whose payload is no known layout (like
/// OcuSync 3 frames, `80 10 49 4e 46 50 …`) is reported as `dji_unknown`
/// with the burst's frequency, RSSI and SNR, not dropped.
#[test]
fn unknown_payloads_are_reported_with_their_radio_fields() {
    use ridscope::protocol::dji::ocusync::seal_block;
    use ridscope::source::RawWriter;
    use ridscope::synth::dji::BurstRenderer;
    let fs = 15.36e6;
    let mut block = [0u8; 176];
    block[..8].copy_from_slice(&[0x80, 0x10, 0x49, 0x4e, 0x46, 0x50, 0x12, 0x34]);
    for (i, b) in block[8..173].iter_mut().enumerate() {
        *b = (i * 89 + 7) as u8;
    }
    seal_block(&mut block);
    let (s0, br, bi) = BurstRenderer::new().render(&block, true, fs, 3000.5, -250e3, 0.0, 0.2, 1.0);
    let len = 20_000;
    let (mut re, mut im) = (vec![0f32; len], vec![0f32; len]);
    ridscope_dsp::noise::Rng::new(4).add_awgn(&mut re, &mut im, 0.01);
    for k in 0..br.len() {
        re[s0 as usize + k] += br[k];
        im[s0 as usize + k] += bi[k];
    }
    let p = tmp("unknown.cf32");
    let _cleanup = Cleanup::of(&p);
    let mut w = RawWriter::create(&p, SampleFormat::Cf32).unwrap();
    w.write(&re, &im).unwrap();
    w.finish().unwrap();
    let mut cfg = dji_only(&p, SampleFormat::Cf32, fs);
    cfg.source.freq = Some(5776.5e6);
    let (recs, _) = run(&cfg);
    assert_eq!(recs.len(), 1, "{recs:?}");
    let r = &recs[0];
    assert_eq!(r["msg_type"], "dji_unknown");
    assert!(r["raw_hex"].as_str().unwrap().starts_with("801049"), "{r}");
    assert!((r["freq_mhz"].as_f64().unwrap() - 5776.25).abs() < 0.001, "{r}");
    assert!(r["rssi_dbfs"].as_f64().is_some() && r["snr_db"].as_f64().unwrap() > 15.0, "{r}");
}
