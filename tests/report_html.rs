//! `ridscope report --format html`: the page is self-contained and holds
//! one SVG per plot; with Chromium on PATH, a headless screenshot of it
//! shows the track and the plot lines (pixels of their exact colours).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ridscope");
const CAPTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/pcap/synthetic_mixed.pcapng");

/// The colours the page draws with (src/report/html.rs, src/report/svg.rs).
const TRACK: [u8; 3] = [0xc2, 0x18, 0x7a];
const ALTITUDE: [u8; 3] = [0x0b, 0x7a, 0x75];
const SPEED: [u8; 3] = [0x70, 0x48, 0xe8];
const RATE0: [u8; 3] = [0xd9, 0x48, 0x0f];
/// Fewest exact-colour pixels each must have in the screenshot.
const MIN_PIXELS: usize = 300;

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `<svg` elements the page should have, from the JSON report: a map,
/// altitude, speed, rate and RSSI plot per aircraft when it has the data.
fn expected_svgs(json: &serde_json::Value) -> usize {
    let mut n = 0;
    for a in json["aircraft"].as_array().expect("aircraft") {
        let s = &a["series"];
        let track = s["track"].as_array().expect("track");
        let has = |k: &str| track.iter().any(|p| p.get(k).is_some_and(|v| !v.is_null()));
        let map = !track.is_empty()
            || !s["pilot"].as_array().expect("pilot").is_empty()
            || a["leakage"].get("home").is_some_and(|h| !h.is_null());
        let rate = !s["rate_bins"].as_object().expect("rate_bins").is_empty();
        let rssi = !s["rssi"].as_array().expect("rssi").is_empty();
        n += [map, has("alt_m") || has("height_m"), has("speed_h_mps"), rate, rssi].iter().filter(|&&b| b).count();
    }
    n
}

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs `cmd`, killing it after `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result<std::process::ExitStatus, String> {
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(st);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn count_colours(png_path: &Path, colours: &[[u8; 3]]) -> (u32, u32, Vec<usize>) {
    let f = std::fs::File::open(png_path).expect("open screenshot");
    let dec = png::Decoder::new(std::io::BufReader::new(f));
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let bpp = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "8-bit PNG expected");
    let mut counts = vec![0; colours.len()];
    for row in buf[..info.buffer_size()].chunks(info.line_size) {
        for px in row.chunks_exact(bpp) {
            for (i, c) in colours.iter().enumerate() {
                if px[..3] == c[..] {
                    counts[i] += 1;
                }
            }
        }
    }
    (info.width, info.height, counts)
}

#[test]
fn html_report_is_self_contained_and_shows_the_plots() {
    let t0 = Instant::now();
    let dir = TempDir(std::env::temp_dir().join(format!("ridscope-report-html-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let html = dir.0.join("report.html");

    let out = Command::new(BIN)
        .args(["report", "--format", "html", "-o"])
        .arg(&html)
        .arg(CAPTURE)
        .output()
        .expect("run ridscope report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Argument names must be unique"),
        "ridscope report's argument definitions clash (clap's debug assertions): {stderr}"
    );
    assert!(out.status.success(), "report failed: {stderr}");
    let page = std::fs::read_to_string(&html).expect("read the page");
    let json = Command::new(BIN).args(["report", "--format", "json", CAPTURE]).output().expect("json report");
    assert!(json.status.success());
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report parses");

    // well-formed enough, and self-contained
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert_eq!(page.matches("<body").count(), 1);
    let want = expected_svgs(&json);
    let n_aircraft = json["aircraft"].as_array().map_or(0, Vec::len);
    assert_eq!(n_aircraft, 4, "synthetic_mixed has 4 aircraft");
    assert!(want >= 3 * n_aircraft, "expected most plots, got {want}");
    assert_eq!(page.matches("<svg").count(), want, "one <svg> per plot");
    assert_eq!(page.matches("</svg>").count(), want);
    let xmlns = page.matches(r#"xmlns="http://www.w3.org/2000/svg""#).count();
    assert_eq!(page.matches("http://").count(), xmlns, "a http:// reference outside an xmlns attribute");
    assert_eq!(page.matches("https://").count(), 0, "a https:// reference");
    assert!(!page.contains("<script"), "the page needs no script");
    assert!(!page.contains("NaN") && !page.contains("url("));
    for i in 1..=n_aircraft {
        assert!(page.contains(&format!(r##"href="#aircraft-{i}""##)));
    }

    let Some(chromium) = find_chromium() else {
        eprintln!("chromium not installed: screenshot check skipped");
        return;
    };
    let png_path = dir.0.join("report.png");
    let profile = dir.0.join("profile");
    let status = run_with_timeout(
        Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
            .args(["--disable-extensions", "--force-device-scale-factor=1", "--force-color-profile=srgb"])
            .arg("--window-size=1280,4000")
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", png_path.display()))
            .arg(format!("file://{}", html.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
        Duration::from_secs(60),
    );
    match status {
        Ok(st) => assert!(st.success(), "chromium failed: {st}"),
        Err(e) => panic!("chromium {}: {e}", chromium.display()),
    }
    assert!(png_path.is_file(), "chromium wrote no screenshot");
    let names = ["track", "altitude", "ground speed", "first message-rate line"];
    let (w, h, counts) = count_colours(&png_path, &[TRACK, ALTITUDE, SPEED, RATE0]);
    eprintln!("screenshot {w}x{h}: exact-colour pixels {names:?} = {counts:?} ({:?} in all)", t0.elapsed());
    assert_eq!((w, h), (1280, 4000));
    for (name, c) in names.iter().zip(&counts) {
        assert!(*c >= MIN_PIXELS, "only {c} pixels of the {name} colour in the screenshot (want {MIN_PIXELS})");
    }
}
