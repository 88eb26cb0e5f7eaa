//! `--db`: the SQLite history survives `kill -9`. A decode reads the
//! golden BLE capture, over and over, from a pipe fed a little at a time;
//! it is killed mid-run. The database then opens, passes `PRAGMA
//! integrity_check`, and holds exactly the first messages of the stream:
//! the same records, in order, as a complete decode of the same samples
//! (nothing torn, nothing out of order, nothing invented).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_killed_decode_leaves_a_sound_history() {
    let dir = std::env::temp_dir().join(format!("ridscope-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let one = std::fs::read(root().join("captures/iq/ble_2M_ch37.sigmf-data")).unwrap();
    let copies = 12;
    let all: Vec<u8> = one.iter().copied().cycle().take(one.len() * copies).collect();
    let raw = dir.join("long.cu8");
    std::fs::write(&raw, &all).unwrap();
    let exe = env!("CARGO_BIN_EXE_ridscope");
    let args = ["--format", "cu8", "--rate", "2M", "--freq", "2402M", "-q"];
    // the reference: every record of the whole stream
    let o = Command::new(exe).arg("decode").arg(&raw).args(args).output().unwrap();
    assert!(o.status.success());
    let reference: Vec<String> = String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect();
    assert_eq!(reference.len(), 15 * copies);

    let db = dir.join("history.db");
    let mut child = Command::new(exe)
        .args(["decode", "-"])
        .args(args)
        .arg("--db")
        .arg(&db)
        .args(["-o", "/dev/null"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // a copy every 0.25 s; killed after about 2.6 s, mid-stream
    for c in all.chunks(one.len()).take(copies - 1) {
        stdin.write_all(c).unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(250));
        if child.try_wait().unwrap().is_some() {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the decode was killed, not finished");
    drop(stdin);

    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let records: Vec<String> = c
        .prepare("SELECT record FROM messages ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let sessions: i64 = c.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(sessions, 1);
    // committed at least once a second: most of what was decoded is there
    assert!(records.len() >= 15, "{} messages", records.len());
    assert!(records.len() < reference.len(), "killed before the end");
    for (i, (got, want)) in records.iter().zip(&reference).enumerate() {
        let (g, w): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(got).unwrap(), serde_json::from_str(want).unwrap());
        assert_eq!(g, w, "message {i}");
    }
    // tracks and their points were kept too
    let tracks: i64 = c.query_row("SELECT count(*) FROM tracks", [], |r| r.get(0)).unwrap();
    assert!(tracks >= 3, "{tracks} tracks");
    drop(c);
    std::fs::remove_dir_all(&dir).ok();
}
