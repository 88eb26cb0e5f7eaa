//! `ridscope live` against tiny rtl_tcp servers written for the tests:
//! recording while decoding (the recording decodes to the same records),
//! and a scan plan hopping between two BLE advertising channels, each with
//! its own drone on the air.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ridscope-live-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ridscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ridscope"))
}

/// Greets with the rtl_tcp header and records the commands received;
/// `freq` follows the last SET_FREQUENCY.
fn greet(s: &mut TcpStream, commands: Arc<Mutex<Vec<[u8; 5]>>>, freq: Arc<AtomicU32>) -> std::thread::JoinHandle<()> {
    s.write_all(b"RTL0\x00\x00\x00\x05\x00\x00\x00\x1d").unwrap();
    let mut r = s.try_clone().unwrap();
    std::thread::spawn(move || {
        let mut c = [0u8; 5];
        while r.read_exact(&mut c).is_ok() {
            if c[0] == 1 {
                freq.store(u32::from_be_bytes([c[1], c[2], c[3], c[4]]), Ordering::SeqCst);
            }
            commands.lock().unwrap().push(c);
        }
    })
}

fn messages(jsonl: &str) -> Vec<Value> {
    jsonl.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|r| r["msg_type"] != "error").collect()
}

#[test]
fn live_rtl_tcp_recording_decodes_to_the_same_records() {
    let samples = std::fs::read(root().join("captures/iq/ble_2M_ch37.sigmf-data")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let commands = Arc::new(Mutex::new(Vec::new()));
    let got = commands.clone();
    let sent = samples.clone();
    let server = std::thread::spawn(move || {
        let samples = sent;
        let (mut s, _) = listener.accept().unwrap();
        let reader = greet(&mut s, got, Arc::new(AtomicU32::new(0)));
        std::thread::sleep(Duration::from_millis(100));
        // at the real rate (2 MS/s, 4 MB/s), as a device would
        let t0 = Instant::now();
        for (i, chunk) in samples.chunks(40_000).enumerate() {
            let due = Duration::from_secs_f64(i as f64 * 40_000.0 / 4e6);
            if let Some(w) = due.checked_sub(t0.elapsed()) {
                std::thread::sleep(w);
            }
            if s.write_all(chunk).is_err() {
                break;
            }
        }
        let _ = s.shutdown(std::net::Shutdown::Write);
        let _ = reader.join();
    });
    let dir = tmp("record");
    let rec = dir.join("rec.sigmf-meta");
    let out = dir.join("live.jsonl");
    // a queue of 64 blocks holds the whole second: a slow debug build
    // falls behind without dropping
    let o = ridscope()
        .args(["live", "--device", &format!("rtl_tcp://127.0.0.1:{port}"), "--rate", "2M", "--freq", "2402M"])
        .args(["--queue", "64", "--status-every", "0.2", "--record"])
        .arg(&rec)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    server.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // the status line and the summary
    assert!(err.contains("listening to 2402.0 MHz: BLE ch37"), "{err}");
    assert!(err.contains("MS/s") && err.contains("dropped"), "{err}");
    assert!(err.contains("real time: blocks dropped 0"), "{err}");
    assert!(err.contains("recorded 2000000 samples"), "{err}");
    let live = std::fs::read_to_string(&out).unwrap();
    let live_msgs = messages(&live);
    assert_eq!(live_msgs.len(), 15, "{live}");
    assert!(live_msgs.iter().all(|m| m["time_utc"].is_string()), "live records carry the clock's time");

    // the recording: same samples, one annotation per decoded frame
    let data = std::fs::read(rec.with_extension("sigmf-data")).unwrap();
    assert_eq!(data, samples);
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    let ann = meta["annotations"].as_array().unwrap();
    // one per frame: 15 drone ID adverts and 3 others
    assert_eq!(ann.len(), 18);
    assert!(ann.iter().all(|a| a["core:label"] == "Ble1m ch37" && a["core:freq_lower_edge"] == 2401e6), "{ann:?}");
    let o = ridscope().args(["decode", "-q"]).arg(&rec).output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), live, "decoding the recording gives the same records");

    // the commands arrived as sent
    let c = commands.lock().unwrap().clone();
    assert_eq!(c[0], [2, 0, 0x1E, 0x84, 0x80]); // 2 000 000 S/s
    assert_eq!(c[1][0], 1);
    assert_eq!(u32::from_be_bytes([c[1][1], c[1][2], c[1][3], c[1][4]]), 2_402_000_000);
    std::fs::remove_dir_all(&dir).ok();
}

fn synth(path: &Path, freq: &str, seed: &str) -> Vec<u8> {
    let o = ridscope()
        .args(["synth", "ble", "--rate", "2M", "--freq", freq, "--drones", "1", "--duration", "6", "--seed", seed])
        .args(["--format", "cu8", "-o"])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(path.with_extension("sigmf-data")).unwrap()
}

fn ids(jsonl: &str, channel: u64) -> std::collections::BTreeSet<String> {
    messages(jsonl)
        .iter()
        .filter(|m| m["channel"] == channel)
        .filter_map(|m| m["src_addr"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_scan_plan_hops_between_channels_and_hears_the_drone_on_each() {
    let dir = tmp("scan");
    let a = synth(&dir.join("a.sigmf-meta"), "2402M", "1");
    let b = synth(&dir.join("b.sigmf-meta"), "2426M", "2");
    let decode = |p: &str| {
        let o = ridscope().args(["decode", "-q"]).arg(dir.join(p)).output().unwrap();
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let (ida, idb) = (ids(&decode("a.sigmf-meta"), 37), ids(&decode("b.sigmf-meta"), 38));
    assert!(!ida.is_empty() && !idb.is_empty() && ida.is_disjoint(&idb), "{ida:?} {idb:?}");

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let commands = Arc::new(Mutex::new(Vec::new()));
    let freq = Arc::new(AtomicU32::new(0));
    let (got, f) = (commands.clone(), freq.clone());
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let reader = greet(&mut s, got, f.clone());
        std::thread::sleep(Duration::from_millis(100));
        // 6 s of air at 2 MS/s: the chunk of whichever capture the tuner is on
        let t0 = Instant::now();
        let chunk = 20_000;
        for (i, at) in (0..a.len()).step_by(chunk).enumerate() {
            let due = Duration::from_secs_f64(i as f64 * chunk as f64 / 4e6);
            if let Some(w) = due.checked_sub(t0.elapsed()) {
                std::thread::sleep(w);
            }
            let src = if f.load(Ordering::SeqCst) == 2_426_000_000 { &b } else { &a };
            if s.write_all(&src[at..(at + chunk).min(src.len())]).is_err() {
                break;
            }
        }
        let _ = s.shutdown(std::net::Shutdown::Write);
        let _ = reader.join();
    });
    let rec = dir.join("scan.sigmf-meta");
    let o = ridscope()
        .args(["live", "--device", &format!("rtl_tcp://127.0.0.1:{port}"), "--rate", "2M"])
        .args(["--scan", "ble37:0.5,ble38:0.5", "--settle", "0.02", "--queue", "128", "--record"])
        .arg(&rec)
        .output()
        .unwrap();
    server.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("2402.0 MHz: BLE ch37 (ble37 for 0.5 s) | 2426.0 MHz: BLE ch38 (ble38 for 0.5 s)"),
        "what is listened to is reported: {err}"
    );
    assert!(err.contains("scan: ") && err.contains("retunes"), "{err}");
    // per step: seconds listened, dwells and frames heard, about half each
    for step in ["2402.0 MHz: BLE ch37 (ble37 for 0.5 s): ", "2426.0 MHz: BLE ch38 (ble38 for 0.5 s): "] {
        let line = err.lines().find(|l| l.trim_start().starts_with(step)).unwrap_or_else(|| panic!("{step}: {err}"));
        let rest = &line.trim_start()[step.len()..];
        let secs: f64 = rest.split(' ').next().unwrap().parse().unwrap();
        assert!((2.0..=4.0).contains(&secs), "{line}");
        assert!(!rest.ends_with(" 0 frames"), "{line}");
    }
    let out = String::from_utf8_lossy(&o.stdout);
    // each drone is heard on its own channel, and only there
    let (la, lb) = (ids(&out, 37), ids(&out, 38));
    assert_eq!((&la, &lb), (&ida, &idb), "{err}\n{out}");
    // about 12 retunes in 6 s, alternating
    let tunes: Vec<u32> = commands
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c[0] == 1)
        .map(|c| u32::from_be_bytes([c[1], c[2], c[3], c[4]]))
        .collect();
    assert!(tunes.len() >= 8, "{tunes:?}");
    assert!(tunes.windows(2).all(|w| w[0] != w[1]), "{tunes:?}");
    assert_eq!(tunes[0], 2_402_000_000);

    // the recording holds one capture segment per dwell, and replays to
    // the same records: each segment through its frequency's receivers,
    // the settling samples skipped as they were live
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    let caps = meta["captures"].as_array().unwrap();
    assert_eq!(caps.len(), tunes.len(), "{caps:?}");
    assert!(caps[1..].iter().all(|c| c["ridscope:settle_samples"] == 40_000), "{caps:?}");
    let o = ridscope().args(["decode", "-q"]).arg(&rec).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), out, "replaying the scan recording gives the live records");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ctrl_c_stops_cleanly_and_finishes_the_outputs() {
    let samples = std::fs::read(root().join("captures/iq/ble_2M_ch37.sigmf-data")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let reader = greet(&mut s, Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicU32::new(0)));
        // the capture over and over at the real rate, until the client leaves
        let t0 = Instant::now();
        for (i, chunk) in samples.chunks(40_000).cycle().enumerate() {
            let due = Duration::from_secs_f64(i as f64 * 40_000.0 / 4e6);
            if let Some(w) = due.checked_sub(t0.elapsed()) {
                std::thread::sleep(w);
            }
            if s.write_all(chunk).is_err() || i > 2000 {
                break;
            }
        }
        let _ = reader.join();
    });
    let dir = tmp("ctrlc");
    let rec = dir.join("rec.sigmf-meta");
    let out = dir.join("live.jsonl");
    let child = ridscope()
        .args(["live", "--device", &format!("rtl_tcp://127.0.0.1:{port}"), "--rate", "2M", "--freq", "2402M"])
        .args(["--queue", "64", "--record"])
        .arg(&rec)
        .arg("-o")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    server.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("recorded") && err.contains("messages"), "the summary is printed: {err}");
    // the output holds the messages of the seconds heard, and the recording
    // its annotations and decodes to the same records
    let live = std::fs::read_to_string(&out).unwrap();
    assert!(messages(&live).len() >= 15, "{live}");
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    assert!(meta["annotations"].as_array().unwrap().len() >= 18);
    let o = ridscope().args(["decode", "-q"]).arg(&rec).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), live);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_reader_that_leaves_the_pipe_ends_the_decode_quietly() {
    // `ridscope decode X | head -1`: the closed pipe stops the pipeline, no error
    let mut child = ridscope()
        .args(["decode", "-q"])
        .arg(root().join("captures/iq/ble_2M_ch37.sigmf-meta"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}
