//! 802.11b DSSS through `ridscope decode`: the Remote ID beacons of the
//! shared Wi-Fi capture (skipped with a reason when `../shared` is absent),
//! modulated at 1 and 2 Mb/s into a 20 MS/s cf32 capture on channel 6,
//! decoded back to drone ID records.

use std::io::Write;
use std::path::Path;

use ridscope::cli::decode::{DecodeConfig, PhyChoice, decode};
use ridscope::phy::wifi_dsss::plcp::{Preamble, Rate};
use ridscope::phy::wifi_dsss::tx::{Modulator, add_ppdu};
use ridscope::sink::VecSink;
use ridscope::source::SampleFormat;
use ridscope_dsp::noise::Rng;
use serde_json::Value;

#[test]
fn beacons_modulated_decode_to_drone_ids() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/pcap/odid_wifi_bcn_sample.pcap");
    if !p.exists() {
        eprintln!("skipped: {} is absent", p.display());
        return;
    }
    let mut frames = Vec::new();
    for rec in ridscope::pcap::PcapReader::open(&p).unwrap() {
        let f = ridscope::pcap::record_to_frame(&rec.unwrap(), None).unwrap();
        let mut b = f.bytes;
        if !f.meta.fcs_included {
            let fcs = ridscope_dsp::crc::fcs32(&b);
            b.extend_from_slice(&fcs.to_le_bytes());
        }
        frames.push(b);
    }
    let fs = 20e6;
    let m = Modulator::new();
    let mut rng = Rng::new(3);
    let seg = (2.5e-3 * fs) as usize;
    let (mut re, mut im) = (vec![0f32; seg * frames.len()], vec![0f32; seg * frames.len()]);
    for (i, f) in frames.iter().enumerate() {
        let rate = if i % 2 == 0 { Rate::Mbps1 } else { Rate::Mbps2 };
        let cfo = 50e3 * (2.0 * rng.next_f64() - 1.0);
        add_ppdu(&m, f, rate, fs, i * seg + 1000, 0.2, cfo, 10.0, 0.3, &mut re, &mut im).unwrap();
    }
    rng.add_awgn(&mut re, &mut im, 0.01);
    let path = std::env::temp_dir().join(format!("ridscope-wifi-test-{}.cf32", std::process::id()));
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for (a, b) in re.iter().zip(&im) {
        w.write_all(&a.to_le_bytes()).unwrap();
        w.write_all(&b.to_le_bytes()).unwrap();
    }
    drop(w);
    let mut cfg = DecodeConfig::new(path.to_string_lossy());
    cfg.source.format = Some(SampleFormat::Cf32);
    cfg.source.rate = Some(fs);
    cfg.source.freq = Some(2437e6);
    cfg.phys = vec![PhyChoice::Wifi];
    cfg.quiet = true;
    let mut sink = VecSink::default();
    let (r, summary, _, _) = decode(&cfg, &mut sink);
    std::fs::remove_file(&path).ok();
    r.unwrap();
    let s = summary.unwrap();
    let w = s.wifi.unwrap();
    assert_eq!(w.frames, frames.len() as u64, "{w:?}");
    assert_eq!(w.fcs_errors, 0);
    let recs: Vec<Value> = sink.records.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    assert!(!recs.is_empty());
    eprintln!("{} records; first: {}", recs.len(), recs[0]);
    assert!(recs.iter().all(|r| r["channel"] == 6), "{:?}", recs[0]);
}

/// Record fields that describe the reception (time, radio, capture) rather
/// than what was sent; `timestamp_utc` completes the Location's time within
/// the hour with the receive time, which a raw IQ stream does not have.
const RECEPTION_FIELDS: [&str; 13] = [
    "timestamp_utc",
    "time_s",
    "time_utc",
    "phy",
    "channel",
    "freq_mhz",
    "rate_mbps",
    "rssi_dbfs",
    "rssi_dbm",
    "noise_dbm",
    "snr_db",
    "cfo_hz",
    "frame",
];

fn content(line: &str) -> Value {
    let mut v: Value = serde_json::from_str(line).unwrap();
    if let Some(o) = v.as_object_mut() {
        for k in RECEPTION_FIELDS {
            o.remove(k);
        }
    }
    v
}

/// Every Remote ID frame of the shared Wi-Fi pcaps, put on the air by
/// `ridscope synth wifi --from-pcap` at 30 dB chip SNR (20 MS/s, cs8,
/// channel 6, random carrier and clock errors) and piped into `ridscope
/// decode`, gives the same records as `ridscope parse --pcap`.
#[test]
fn shared_wifi_pcaps_through_the_air_decode_like_parse() {
    use std::process::{Command, Stdio};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/pcap");
    if !dir.exists() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let exe = env!("CARGO_BIN_EXE_ridscope");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut tested = 0;
    for pcap in names {
        let frames = ridscope::pcap::PcapReader::open(&pcap)
            .unwrap()
            .filter_map(|r| ridscope::pcap::record_to_frame(&r.ok()?, None).ok())
            .filter(|f| f.meta.link == ridscope::frame::LinkType::Ieee80211)
            .count();
        if frames == 0 {
            continue;
        }
        // the long captures at 2 Mb/s, to keep the test short
        let mbps = if frames > 500 { "2" } else { "1" };
        let truth = std::env::temp_dir().join(format!("ridscope-wifi-pcap-{}.truth.jsonl", std::process::id()));
        let mut synth = Command::new(exe)
            .args(["synth", "wifi", "-o", "-", "--truth", truth.to_str().unwrap(), "--from-pcap"])
            .arg(&pcap)
            .args(["--rate", "20e6", "--freq", "2437e6", "--snr-db", "30", "--format", "cs8", "--period", "0.0015"])
            .args(["--mbps", mbps, "--cfo-hz", "50e3", "--ppm", "20", "--seed", "5"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let decode = Command::new(exe)
            .args(["decode", "-", "--format", "cs8", "--rate", "20e6", "--freq", "2437e6", "--phy", "wifi", "-q"])
            .stdin(synth.stdout.take().unwrap())
            .output()
            .unwrap();
        let s = synth.wait_with_output().unwrap();
        std::fs::remove_file(&truth).ok();
        assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        assert!(decode.status.success(), "{}", String::from_utf8_lossy(&decode.stderr));
        let parse = Command::new(exe).args(["parse", "-q", "--pcap"]).arg(&pcap).output().unwrap();
        assert!(parse.status.success(), "{}", String::from_utf8_lossy(&parse.stderr));
        let got: Vec<&str> = std::str::from_utf8(&decode.stdout).unwrap().lines().collect();
        let want: Vec<&str> = std::str::from_utf8(&parse.stdout).unwrap().lines().collect();
        eprintln!(
            "{}: {frames} 802.11 frames at {mbps} Mb/s: {} records from IQ, {} from parse --pcap",
            pcap.display(),
            got.len(),
            want.len()
        );
        assert_eq!(got.len(), want.len(), "{}", pcap.display());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(content(g), content(w), "{}\nfrom IQ: {g}\nparse:   {w}", pcap.display());
            assert_eq!(serde_json::from_str::<Value>(g).unwrap()["phy"], "wifi_dsss");
        }
        tested += 1;
    }
    assert!(tested >= 2, "only {tested} pcaps with 802.11 frames");
}

/// Every Wi-Fi transport the synthesizer speaks (ODID beacon, NAN, French
/// beacon, DJI's DroneID beacon IE), at 1 and 2 Mb/s, long and short
/// preamble, through the DSSS receiver at 20 MS/s: one record per message sent, with the same content.
#[test]
fn every_wifi_transport_round_trips_through_iq() {
    use ridscope::cli::synth::{SynthWifiConfig, synth_wifi, truth_path};
    use ridscope::synth::scenario::ScenarioConfig;
    use ridscope::synth::wifi::{WifiIqConfig, WifiPlan, WifiTransport};
    const ENVELOPE: [&str; 10] =
        ["t_s", "time_utc", "drone", "phy", "transport", "uas_id", "collided", "channel", "src_addr", "counter"];
    let kinds = [
        (WifiTransport::Beacon, Rate::Mbps1, Preamble::Long, "wifi_beacon", "odid"),
        (WifiTransport::Nan, Rate::Mbps2, Preamble::Short, "wifi_nan", "odid"),
        (WifiTransport::French, Rate::Mbps1, Preamble::Long, "wifi_beacon", "fr_sgdsn"),
        (WifiTransport::Dji, Rate::Mbps2, Preamble::Long, "wifi_beacon", "dji_wifi"),
    ];
    for (i, (transport, rate, preamble, transport_name, protocol)) in kinds.into_iter().enumerate() {
        let path = std::env::temp_dir().join(format!("ridscope-wifi-rt-{}-{i}.sigmf-meta", std::process::id()));
        let cfg = SynthWifiConfig {
            output: path.clone(),
            truth: None,
            format: SampleFormat::Cs8,
            scenario: ScenarioConfig { seed: 40 + i as u64, drones: 2, duration_s: 0.4, ..ScenarioConfig::default() },
            iq: WifiIqConfig {
                sample_rate: 20e6,
                center_freq_hz: 2437e6,
                snr_db: 8.0,
                cfo_hz: 50e3,
                ppm: 20.0,
                seed: 40 + i as u64,
                amplitude: None,
            },
            plan: WifiPlan { transport, period_s: 0.05, channel: 6, rate, preamble },
            from_pcap: None,
        };
        eprintln!("{}", synth_wifi(&cfg).unwrap());
        let mut dc = DecodeConfig::new(path.to_string_lossy());
        dc.phys = vec![PhyChoice::Wifi];
        dc.quiet = true;
        let mut sink = VecSink::default();
        let (r, _, _, _) = decode(&dc, &mut sink);
        r.unwrap();
        let truth_file = truth_path(&path);
        let truth: Vec<Value> =
            std::fs::read_to_string(&truth_file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        for p in [path.clone(), path.with_extension("sigmf-data"), truth_file] {
            std::fs::remove_file(p).ok();
        }
        let recs: Vec<Value> = sink.records.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
        assert!(truth.len() >= 12, "{transport:?}: {} truth lines", truth.len());
        assert_eq!(recs.len(), truth.len(), "{transport:?}");
        for (r, t) in recs.iter().zip(&truth) {
            assert_eq!(r["transport"], transport_name);
            assert_eq!(r["protocol"], protocol);
            assert_eq!(r["src_addr"], t["src_addr"]);
            assert!((r["time_s"].as_f64().unwrap() - t["t_s"].as_f64().unwrap()).abs() < 2e-6, "{r} {t}");
            for (k, v) in t.as_object().unwrap() {
                let same = match (r[k].as_f64(), v.as_f64()) {
                    (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    _ => &r[k] == v,
                };
                assert!(ENVELOPE.contains(&k.as_str()) || same, "{transport:?}: {k}\n{r}\n{t}");
            }
        }
    }
}
