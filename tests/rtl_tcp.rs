//! `ridscope decode rtl_tcp://...` against a tiny rtl_tcp server written
//! for the test: it greets with the 12-byte header, records the 5-byte
//! commands it receives, and streams the golden BLE capture (cu8, 2 MS/s)
//! over loopback. Every message of the capture decodes, and the commands
//! arrive as sent.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (transport, src_addr, msg_type, counter) of each message record.
fn keys(jsonl: &str) -> Vec<(String, String, String, u64)> {
    let mut v: Vec<_> = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["msg_type"] != "error")
        .map(|r| {
            (
                r["transport"].as_str().unwrap_or("").to_string(),
                r["src_addr"].as_str().unwrap_or("").to_string(),
                r["msg_type"].as_str().unwrap_or("").to_string(),
                r["counter"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn decodes_a_stream_from_an_rtl_tcp_server() {
    let samples = std::fs::read(root().join("captures/iq/ble_2M_ch37.sigmf-data")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let commands = Arc::new(Mutex::new(Vec::<[u8; 5]>::new()));
    let got = commands.clone();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        // RTL0, tuner R820T (5), 29 gain steps
        s.write_all(b"RTL0\x00\x00\x00\x05\x00\x00\x00\x1d").unwrap();
        let mut r = s.try_clone().unwrap();
        let reader = std::thread::spawn(move || {
            let mut c = [0u8; 5];
            while r.read_exact(&mut c).is_ok() {
                got.lock().unwrap().push(c);
            }
        });
        // give the client time to tune, as a real server would before samples flow
        std::thread::sleep(std::time::Duration::from_millis(200));
        for chunk in samples.chunks(16384) {
            if s.write_all(chunk).is_err() {
                break;
            }
        }
        // end of stream: the client sees EOF, finishes, and closes its side
        let _ = s.shutdown(std::net::Shutdown::Write);
        let _ = reader.join();
    });
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", &format!("rtl_tcp://127.0.0.1:{port}"), "--rate", "2e6", "--freq", "2402e6"])
        .args(["--gain", "40.2", "--freq-correction", "-2", "-q"])
        // the server sends faster than real time: wait rather than drop
        .args(["--overload", "wait"])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = std::fs::read_to_string(root().join("captures/iq/ble_2M_ch37.expected.jsonl")).unwrap();
    let got_keys = keys(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(got_keys.len(), 15);
    assert_eq!(got_keys, keys(&expected));
    let be = |v: u32| v.to_be_bytes();
    let c = commands.lock().unwrap().clone();
    let want: Vec<[u8; 5]> = [(2u8, 2_000_000u32), (1, 2_402_000_000), (3, 1), (4, 402), (5, (-2i32) as u32), (8, 0)]
        .iter()
        .map(|&(code, p)| {
            let b = be(p);
            [code, b[0], b[1], b[2], b[3]]
        })
        .collect();
    assert_eq!(c, want);
}

#[test]
fn a_server_that_is_not_rtl_tcp_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    let url = format!("rtl_tcp://127.0.0.1:{port}");
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope"))
        .args(["decode", &url, "--rate", "2e6", "--freq", "2402e6"])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&url) && err.contains("RTL0"), "{err}");
    // no rate: told what is missing, naming the input
    let o = Command::new(env!("CARGO_BIN_EXE_ridscope")).args(["decode", &url, "--freq", "2402e6"]).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("--rate"));
}
