//! `ridscope tui` end to end, in a real terminal: tmux runs it on a golden
//! capture, keys go in with `send-keys`, the screen comes back with
//! `capture-pane`. Skipped with a reason when tmux is not installed
//! (`.ci/run` installs it).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> Option<String> {
    let o = Command::new("tmux").arg("-L").arg(socket).args(args).output().ok()?;
    o.status.success().then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Polls the screen until `pred` holds (at most `secs`).
fn wait_for(socket: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
    let t0 = Instant::now();
    let mut screen = String::new();
    while t0.elapsed() < Duration::from_secs(secs) {
        screen = tmux(socket, &["capture-pane", "-p", "-t", "rid"]).unwrap_or_default();
        if pred(&screen) {
            return screen;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out; the screen:\n{screen}");
}

#[test]
fn tui_shows_the_drones_and_an_alert_and_answers_keys() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let socket = format!("ridscope-test-{}", std::process::id());
    let cmd = format!(
        "{} tui captures/iq/ble_2M_ch37.sigmf-meta --sensor 52.473,13.401 --radius 2000 --speed max; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_ridscope")
    );
    let started =
        tmux(&socket, &["new-session", "-d", "-s", "rid", "-x", "150", "-y", "45", "-c", root.to_str().unwrap(), &cmd]);
    assert!(started.is_some(), "tmux new-session failed");
    let result = std::panic::catch_unwind(|| {
        // the drones of the capture, by serial, and their zone alerts
        let truth = std::fs::read_to_string(root.join("captures/iq/ble_2M_ch37.truth.jsonl")).unwrap();
        let serial = serde_json::from_str::<serde_json::Value>(truth.lines().next().unwrap()).unwrap()["uas_id"]
            .as_str()
            .unwrap()
            .to_string();
        let screen =
            wait_for(&socket, 30, |s| s.contains(&serial) && s.contains("ALERT") && s.contains("END OF INPUT"));
        assert!(screen.contains("Aircraft (3)"), "{screen}");
        assert!(screen.contains("entered within 2000 m of the sensor"), "{screen}");
        // help, then the detail pane of a selected aircraft
        tmux(&socket, &["send-keys", "-t", "rid", "?"]);
        wait_for(&socket, 10, |s| s.to_lowercase().contains("help") && s.contains("zoom"));
        tmux(&socket, &["send-keys", "-t", "rid", "Escape"]);
        tmux(&socket, &["send-keys", "-t", "rid", "Enter"]);
        // (waits for the whole pane: a capture can catch the screen mid-draw)
        wait_for(&socket, 10, |s| s.contains("Field") && s.contains("Value") && s.contains("position"));
        // q quits and restores the terminal
        tmux(&socket, &["send-keys", "-t", "rid", "q"]);
        wait_for(&socket, 10, |s| s.contains("EXITED 0"));
    });
    tmux(&socket, &["kill-server"]);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn live_tui_shows_the_receiver_status_line() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let socket = format!("ridscope-test-live-{}", std::process::id());
    let cmd = format!(
        "{} live --device captures/iq/ble_2M_ch37.sigmf-meta --tui; echo EXITED $?; sleep 60",
        env!("CARGO_BIN_EXE_ridscope")
    );
    let started =
        tmux(&socket, &["new-session", "-d", "-s", "rid", "-x", "150", "-y", "40", "-c", root.to_str().unwrap(), &cmd]);
    assert!(started.is_some(), "tmux new-session failed");
    let result = std::panic::catch_unwind(|| {
        let screen = wait_for(&socket, 30, |s| s.contains("receiver:") && s.contains("END OF INPUT"));
        assert!(screen.contains("dropped 0 · listening 2402.0 MHz: BLE ch37"), "{screen}");
        assert!(screen.contains("Aircraft (3)"), "{screen}");
        tmux(&socket, &["send-keys", "-t", "rid", "q"]);
        wait_for(&socket, 10, |s| s.contains("EXITED 0"));
    });
    tmux(&socket, &["kill-server"]);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
