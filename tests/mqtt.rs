//! `--mqtt`: decodes published to a real broker. The test starts its own
//! `mosquitto` on a free loopback port and subscribes with `mosquitto_sub`
//! (QoS 1, persistent session) before the decode runs. The golden BLE
//! capture (three drones, 15 messages) must arrive whole: every message on
//! `test/messages`, equal to the `-o` JSON lines, a retained track per
//! drone, the status online. Then the broker is stopped mid-run and
//! restarted a second later: what was decoded while it was away is queued
//! and delivered after it comes back. Skipped (with a message) when
//! mosquitto is not installed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CAPTURE: &str = "captures/iq/ble_2M_ch37.sigmf-meta";

/// The mosquitto binary (often in /usr/sbin, off a user's PATH).
fn mosquitto() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|d| d.join("mosquitto"))
        .find(|p| p.is_file())
        .filter(|_| Command::new("mosquitto_sub").arg("--help").output().is_ok())
}

/// The MQTT tests run one at a time: each starts its own broker, and two
/// at once could be handed the same free port.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Broker {
    exe: PathBuf,
    conf: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Broker {
    fn start(exe: &Path, dir: &Path, port: u16) -> Broker {
        let conf = dir.join("mosquitto.conf");
        let data = dir.join("data/");
        std::fs::create_dir_all(&data).unwrap();
        // mosquitto started as root drops to its own user to save the database
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {}/\n\
                 max_queued_messages 0\n",
                data.display()
            ),
        )
        .unwrap();
        let mut b = Broker { exe: exe.to_path_buf(), conf, port, child: None };
        b.run();
        b
    }

    fn run(&mut self) {
        let child = Command::new(&self.exe)
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // the port answered: it must be this broker, not another one that had it
        let alive = self.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_none());
        assert!(alive, "mosquitto exited at start (port {} taken?)", self.port);
    }

    /// SIGTERM: mosquitto saves its persistence file and exits.
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            Command::new("kill").arg("-TERM").arg(c.id().to_string()).status().unwrap();
            c.wait().unwrap();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().ok();
            c.wait().ok();
        }
    }
}

/// `mosquitto_sub -v` on `test/#`: (topic, payload) lines as they come.
struct Subscriber {
    child: Child,
    got: Arc<Mutex<Vec<(String, String)>>>,
}

impl Subscriber {
    fn start(port: u16) -> Subscriber {
        let mut child = Command::new("mosquitto_sub")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-v",
                "-q",
                "1",
                "-c",
                "-i",
                &format!("ridscope-test-sub-{port}"),
            ])
            .args(["-t", "test/#"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let (t, p) = line.split_once(' ').unwrap_or((&line, ""));
                g.lock().unwrap().push((t.to_string(), p.to_string()));
            }
        });
        let s = Subscriber { child, got };
        // subscribed once a probe comes back
        let start = Instant::now();
        loop {
            Command::new("mosquitto_pub")
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-t", "test/probe", "-m", "probe"])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(100));
            if s.topic("test/probe").next().is_some() {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "mosquitto_sub did not subscribe");
        }
        s
    }

    fn topic(&self, t: &str) -> std::vec::IntoIter<String> {
        let g = self.got.lock().unwrap();
        g.iter().filter(|(x, _)| x == t).map(|(_, p)| p.clone()).collect::<Vec<_>>().into_iter()
    }

    fn all(&self) -> Vec<(String, String)> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most `s` seconds) until `n` messages have come on `test/messages`.
    fn wait_messages(&self, n: usize, s: u64) {
        let start = Instant::now();
        while self.topic("test/messages").count() < n && start.elapsed() < Duration::from_secs(s) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ridscope-mqtt-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn golden_capture_published() {
    let _serial = serial();
    let Some(exe) = mosquitto() else {
        eprintln!(
            "mosquitto or mosquitto_sub not found: skipping the MQTT test (apt-get install mosquitto mosquitto-clients)"
        );
        return;
    };
    let dir = temp_dir("golden");
    let port = free_port();
    let _broker = Broker::start(&exe, &dir, port);
    let sub = Subscriber::start(port);

    let ridscope = env!("CARGO_BIN_EXE_ridscope");
    let reference = Command::new(ridscope).current_dir(root()).args(["decode", CAPTURE, "-q"]).output().unwrap();
    assert!(reference.status.success());
    let reference: Vec<Value> = String::from_utf8_lossy(&reference.stdout).lines().map(json).collect();
    assert_eq!(reference.len(), 15);

    let url = format!("mqtt://127.0.0.1:{port}/test");
    let o = Command::new(ridscope)
        .current_dir(root())
        .args(["decode", CAPTURE, "--mqtt", &url, "-q", "-o", "/dev/null"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("not delivered"), "{stderr}");
    sub.wait_messages(15, 10);

    let messages: Vec<Value> = sub.topic("test/messages").map(|p| json(&p)).collect();
    assert_eq!(messages, reference);

    let status: Vec<Value> = sub.topic("test/status").map(|p| json(&p)).collect();
    assert_eq!(status.first().map(|s| s["status"].clone()), Some("online".into()), "{status:?}");
    assert_eq!(status.last().map(|s| s["status"].clone()), Some("offline".into()), "{status:?}");

    // one retained track topic per drone, its payload a track event of it
    let mut drones: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (t, p) in sub.all() {
        if let Some(id) = t.strip_prefix("test/drone/") {
            let v = json(&p);
            assert_eq!(v["uas_id"].as_str(), Some(id), "{p}");
            assert!(v["event"].as_str().is_some_and(|e| e.starts_with("track_")), "{p}");
            drones.entry(id.to_string()).or_default().push(v);
        }
    }
    let serials: BTreeSet<String> = reference.iter().filter_map(|r| r["uas_id"].as_str().map(str::to_string)).collect();
    assert_eq!(drones.len(), 3, "{:?}", drones.keys());
    if !serials.is_empty() {
        assert_eq!(drones.keys().cloned().collect::<BTreeSet<_>>(), serials);
    }
    for (id, evs) in &drones {
        assert_eq!(evs.first().and_then(|e| e["event"].as_str()), Some("track_new"), "{id}");
        assert_eq!(evs.last().and_then(|e| e["event"].as_str()), Some("track_lost"), "{id}");
    }

    // retained: a late subscriber still gets each drone's last state and the status
    let late = Command::new("mosquitto_sub")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-v", "-t", "test/#", "-W", "2"])
        .output()
        .unwrap();
    let late = String::from_utf8_lossy(&late.stdout);
    for id in drones.keys() {
        assert!(late.lines().any(|l| l.starts_with(&format!("test/drone/{id} "))), "{id}: {late}");
    }
    assert!(late.lines().any(|l| l.starts_with("test/status ")), "{late}");
    assert!(!late.lines().any(|l| l.starts_with("test/messages ")), "{late}");
    drop(sub);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn broker_restart_loses_nothing() {
    let _serial = serial();
    let Some(exe) = mosquitto() else {
        eprintln!(
            "mosquitto or mosquitto_sub not found: skipping the MQTT test (apt-get install mosquitto mosquitto-clients)"
        );
        return;
    };
    let dir = temp_dir("restart");
    let port = free_port();
    let mut broker = Broker::start(&exe, &dir, port);
    let sub = Subscriber::start(port);

    let one = std::fs::read(root().join("captures/iq/ble_2M_ch37.sigmf-data")).unwrap();
    let copies = 6;
    let ridscope = env!("CARGO_BIN_EXE_ridscope");
    let args = ["--format", "cu8", "--rate", "2M", "--freq", "2402M", "-q"];
    let url = format!("mqtt://127.0.0.1:{port}/test");
    let mut child = Command::new(ridscope)
        .args(["decode", "-"])
        .args(args)
        .args(["--mqtt", &url, "-o"])
        .arg(dir.join("out.jsonl"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut outage = 0;
    for i in 0..copies {
        stdin.write_all(&one).unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(400));
        if i == 1 {
            broker.stop();
        }
        if i == 3 {
            // down for about a second, two copies decoded meanwhile
            outage = sub.topic("test/messages").count();
            assert!(child.try_wait().unwrap().is_none(), "the decode is still running");
            broker.run();
        }
    }
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("not delivered"), "{stderr}");

    let decoded: Vec<Value> = std::fs::read_to_string(dir.join("out.jsonl")).unwrap().lines().map(json).collect();
    assert_eq!(decoded.len(), 15 * copies);
    // what came before the restart: not everything
    assert!(outage < decoded.len(), "{outage} messages before the restart");
    sub.wait_messages(decoded.len(), 20);
    // QoS 1: at least once (a message in flight at the stop may come twice)
    let got: Vec<String> = sub.topic("test/messages").collect();
    let unique: BTreeSet<String> = got.iter().map(|p| json(p).to_string()).collect();
    let want: BTreeSet<String> = decoded.iter().map(Value::to_string).collect();
    assert!(got.len() >= decoded.len(), "{} of {} messages arrived", got.len(), decoded.len());
    assert_eq!(unique.len(), want.len(), "{} distinct of {}", unique.len(), want.len());
    assert_eq!(unique, want);
    drop(sub);
    drop(broker);
    std::fs::remove_dir_all(&dir).ok();
}
