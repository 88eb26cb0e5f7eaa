//! 802.11b DSSS through `ridscope decode`: the Remote ID beacons of the
//! shared Wi-Fi capture (skipped with a reason when `../shared` is absent),
//! modulated at 1 and 2 Mb/s into a 20 MS/s cf32 capture on channel 6,
//! decoded back to drone ID records.

use std::io::Write;
use std::path::Path;

use ridscope::cli::decode::{DecodeConfig, PhyChoice, decode};
use ridscope::phy::wifi_dsss::plcp::Rate;
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
