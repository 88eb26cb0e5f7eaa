//! Live SDR input through the [`seify`] crate: RTL-SDR and HackRF with
//! pure-Rust USB drivers (no C library needed), and any SoapySDR device
//! (bladeRF, USRP, PlutoSDR, LimeSDR, ...) when ridscope is built with
//! `--features soapy`.
//!
//! Device strings, given where a file would be ([`SourceSpec::path`]) and
//! read by [`parse_device`]:
//!
//! | string | device |
//! |---|---|
//! | `rtlsdr`, `rtlsdr:N`, `rtlsdr:serial=S` | the first RTL-SDR, the N-th (from 0), the one with USB serial `S` |
//! | `hackrf`, `hackrf:N`, `hackrf:serial=HEX` | the same for a HackRF; the serial in hex, as `hackrf_info` prints it |
//! | `soapy`, `soapy:driver=lime,serial=...` | a SoapySDR device, by SoapySDR's own arguments (`SoapySDRUtil --find`); needs `--features soapy` |
//! | `seify:driver=D,...` | seify's arguments, passed through (`seify:driver=dummy` is a device that streams zeros, for tests) |
//!
//! Only these exact names, or these names followed by `:`, are devices: a
//! file named `rtlsdr.cu8` opens as a file, and `./rtlsdr` names a file
//! called `rtlsdr`.
//!
//! Opening needs `--rate` and `--freq`; the device tunes to `--freq` minus
//! `--lo-offset` ([`Tuning::lo_offset_hz`], for a downconverter in front of
//! it) and the stream reports `--freq`. The rest of [`Tuning`]:
//!
//! - `--gain DB` sets the overall gain and turns automatic gain off. Without
//!   it, automatic gain is turned on where the device has one (the RTL-SDR's
//!   tuner AGC, most SoapySDR devices). A HackRF has none and keeps its
//!   driver's default gains (LNA 8 dB, VGA 20 dB, amplifier off): give it
//!   `--gain` (0 to 116 dB in 2 dB steps, spread over amplifier, LNA and VGA
//!   by seify).
//! - `--freq-correction PPM`: seify's native drivers have no crystal
//!   correction; it is applied only where the device offers a `CORR`
//!   frequency component (SoapyRTLSDR), and ignored otherwise.
//! - `--agc` (the RTL2832's digital AGC) is rtl_tcp's only.
//!
//! An RTL-SDR tunes only up to about 1.766 GHz ([`RTLSDR_MAX_HZ`]): asking
//! for more fails before the device is opened, naming `--lo-offset` and the
//! SDRs that reach 2.4 and 5.8 GHz.
//!
//! Samples arrive as `f32` ([`SampleFormat::Cf32`]). Each block is filled to
//! the size asked. When the driver reports an overflow (SoapySDR and UHD
//! do; the native RTL-SDR and HackRF drivers do not say), the next block has
//! [`IqBlock::dropped_before`] set and [`SdrSource::overflows`] counts it;
//! no driver says how many samples were lost, so `start_sample` jumps ahead
//! to an estimate from the time since the stream started. Read timeouts are
//! retried; only 10 s without a sample ends the stream with an error.
//! [`StreamInfo::start_unix_ns`] is the system clock when streaming starts.

use std::io;
use std::time::{Duration, Instant};

use num_complex::Complex32;
use seify::{Args, DynDevice, DynRxStreamer, RxStreamer};

use super::{IqBlock, IqSource, SampleFormat, SourceError, SourceErrorKind, SourceSpec, StreamInfo, Tuning};

/// The highest frequency an RTL-SDR (R820T/R828D tuner) tunes to, in Hz.
pub const RTLSDR_MAX_HZ: f64 = 1.766e9;

/// How long one driver read may wait.
const READ_TIMEOUT_US: i64 = 250_000;

/// How long a device may deliver nothing before the stream fails.
const STALL_LIMIT: Duration = Duration::from_secs(10);

/// The driver family a device string names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// `rtlsdr`: seify's native RTL-SDR driver.
    RtlSdr,
    /// `hackrf`: seify's native HackRF driver.
    HackRf,
    /// `soapy:...`: a SoapySDR device (feature `soapy`).
    Soapy,
    /// `seify:...`: seify's arguments as given.
    Seify,
}

/// A parsed device string: the driver family and the seify arguments that
/// open it (`driver` included), in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSpec {
    pub kind: DeviceKind,
    pub args: Vec<(String, String)>,
}

impl DeviceSpec {
    /// The value of argument `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.args.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The arguments for seify.
    pub fn seify_args(&self) -> Args {
        let mut a = Args::new();
        for (k, v) in &self.args {
            a.set(k.as_str(), v.as_str());
        }
        a
    }

    /// Whether the device is an RTL-SDR: natively, through SoapySDR
    /// (`soapy:driver=rtlsdr`) or through seify's arguments.
    pub fn is_rtlsdr(&self) -> bool {
        match self.kind {
            DeviceKind::RtlSdr => true,
            DeviceKind::HackRf => false,
            DeviceKind::Soapy => self.get("soapy_driver").is_some_and(|d| is_driver(d, seify::Driver::RtlSdr)),
            DeviceKind::Seify => {
                self.get("soapy_driver").is_some_and(|d| is_driver(d, seify::Driver::RtlSdr))
                    || self.seify_driver() == Some(seify::Driver::RtlSdr)
            }
        }
    }

    /// Whether seify opens the device with one of its own USB drivers
    /// (RTL-SDR, HackRF), not through SoapySDR.
    pub fn is_native_usb(&self) -> bool {
        match self.kind {
            DeviceKind::RtlSdr | DeviceKind::HackRf => true,
            DeviceKind::Soapy => false,
            DeviceKind::Seify => matches!(self.seify_driver(), Some(seify::Driver::RtlSdr | seify::Driver::HackRf)),
        }
    }

    fn seify_driver(&self) -> Option<seify::Driver> {
        self.get("driver").and_then(|d| d.parse().ok())
    }
}

/// Whether a driver name (any of seify's aliases, any case) is `driver`.
fn is_driver(name: &str, driver: seify::Driver) -> bool {
    name.parse::<seify::Driver>().is_ok_and(|d| d == driver)
}

/// Reads a device string: `None` when `path` is not one (it is then a file,
/// a SigMF base name, ...), `Some(Err)` with the reason when it names a
/// device family but the rest is malformed. See the [module
/// documentation](self) for the strings.
pub fn parse_device(path: &str) -> Option<Result<DeviceSpec, String>> {
    let (head, rest) = match path.split_once(':') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let kind = match head {
        "rtlsdr" => DeviceKind::RtlSdr,
        "hackrf" => DeviceKind::HackRf,
        "soapy" => DeviceKind::Soapy,
        "seify" => DeviceKind::Seify,
        _ => return None,
    };
    Some(match kind {
        DeviceKind::RtlSdr | DeviceKind::HackRf => usb_device(kind, head, rest),
        DeviceKind::Soapy => soapy_device(rest.unwrap_or("")),
        DeviceKind::Seify => seify_device(rest.unwrap_or("")),
    })
}

fn usb_device(kind: DeviceKind, head: &str, rest: Option<&str>) -> Result<DeviceSpec, String> {
    let serial_form = if kind == DeviceKind::HackRf { "serial=HEX" } else { "serial=SERIAL" };
    let usage = format!("expected {head}, {head}:N (device index from 0) or {head}:{serial_form}");
    let mut args = vec![("driver".to_string(), head.to_string())];
    let Some(rest) = rest else {
        return Ok(DeviceSpec { kind, args });
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(usage);
    }
    if rest.bytes().all(|b| b.is_ascii_digit()) {
        let n: usize = rest.parse().map_err(|_| format!("device index {rest} is too large"))?;
        args.push(("index".into(), n.to_string()));
        return Ok(DeviceSpec { kind, args });
    }
    let kv = key_values(rest).map_err(|e| format!("{e}; {usage}"))?;
    if kv.len() != 1 {
        return Err(format!("give one of index and serial; {usage}"));
    }
    let (key, value) = &kv[0];
    match key.as_str() {
        "index" => {
            let n: usize = value.parse().map_err(|_| format!("index {value:?} is not a device number; {usage}"))?;
            args.push(("index".into(), n.to_string()));
        }
        "serial" if value.is_empty() => return Err(format!("empty serial; {usage}")),
        "serial" if kind == DeviceKind::HackRf => {
            // hackrf_info prints the serial in hex; seify wants it as a decimal u128
            let hex = value.strip_prefix("0x").or_else(|| value.strip_prefix("0X")).unwrap_or(value);
            let n = u128::from_str_radix(hex, 16)
                .map_err(|_| format!("serial {value:?} is not hex (up to 32 digits, as hackrf_info prints it)"))?;
            if n == 0 {
                // seify reads serial 0 as "any HackRF"
                return Err(format!("serial {value:?} is zero; {usage}"));
            }
            args.push(("serial".into(), n.to_string()));
        }
        "serial" => args.push(("serial".into(), value.clone())),
        other => return Err(format!("unknown argument {other:?}; {usage}")),
    }
    Ok(DeviceSpec { kind, args })
}

fn soapy_device(rest: &str) -> Result<DeviceSpec, String> {
    let mut args = vec![("driver".to_string(), "soapy".to_string())];
    for (k, v) in
        key_values(rest).map_err(|e| format!("{e}; expected soapy:key=value,... (SoapySDR device arguments)"))?
    {
        // SoapySDR's `driver` (lime, uhd, bladerf, plutosdr, ...) travels as seify's `soapy_driver`
        let k = if k == "driver" { "soapy_driver".to_string() } else { k };
        if args.iter().any(|(a, _)| *a == k) {
            return Err(format!("argument {k:?} given twice"));
        }
        args.push((k, v));
    }
    Ok(DeviceSpec { kind: DeviceKind::Soapy, args })
}

fn seify_device(rest: &str) -> Result<DeviceSpec, String> {
    let args = key_values(rest).map_err(|e| format!("{e}; expected seify:driver=NAME,key=value,..."))?;
    // without a driver, seify would open whatever answers first (its dummy device included)
    if !args.iter().any(|(k, _)| k == "driver") {
        return Err("seify:... needs driver=NAME (rtlsdr, hackrf, soapy, dummy)".to_string());
    }
    Ok(DeviceSpec { kind: DeviceKind::Seify, args })
}

/// `key=value,key=value` (spaces around items trimmed, empty items skipped);
/// every item needs `=` and a key, and no key comes twice.
fn key_values(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((k, v)) = item.split_once('=') else {
            return Err(format!("{item:?} is not key=value"));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(format!("{item:?} has no usable key"));
        }
        if out.iter().any(|(a, _)| a == k) {
            return Err(format!("argument {k:?} given twice"));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// The frequency the device itself tunes to: `freq_hz` minus the
/// downconverter's LO. Fails when that is not a positive frequency, or when
/// an RTL-SDR cannot reach it.
pub fn device_frequency(device: &DeviceSpec, freq_hz: f64, lo_offset_hz: f64) -> Result<f64, String> {
    let hz = freq_hz - lo_offset_hz;
    let origin = if lo_offset_hz != 0.0 { " (--freq minus --lo-offset)" } else { "" };
    if !hz.is_finite() || hz <= 0.0 {
        return Err(format!("cannot tune to {hz} Hz{origin}: not a positive frequency"));
    }
    if device.is_rtlsdr() && hz > RTLSDR_MAX_HZ {
        return Err(format!(
            "cannot tune to {:.3} MHz{origin}: an RTL-SDR tunes only up to about {:.0} MHz; \
             put a downconverter in front of it and give its LO with --lo-offset, \
             or use a wider-range SDR (HackRF, bladeRF, USRP, Pluto, LimeSDR)",
            hz / 1e6,
            RTLSDR_MAX_HZ / 1e6
        ));
    }
    Ok(hz)
}

/// A streaming SDR.
pub struct SdrSource {
    info: StreamInfo,
    device: DynDevice,
    spec: DeviceSpec,
    streamer: DynRxStreamer,
    lo_offset_hz: f64,
    /// ppm written to the `CORR` frequency component after every tune.
    corr_ppm: Option<f64>,
    /// Reused for every read: grows to the largest block asked for.
    buf: Vec<Complex32>,
    next_sample: u64,
    started: Instant,
    overflows: u64,
    drop_pending: bool,
    pending_error: Option<SourceError>,
    ended: bool,
}

impl SdrSource {
    /// Overflows the driver has reported so far (samples were lost at each).
    pub fn overflows(&self) -> u64 {
        self.overflows
    }

    /// The parsed device string.
    pub fn device_spec(&self) -> &DeviceSpec {
        &self.spec
    }

    /// Index the sample arriving now would have, from the time since the
    /// stream started; for placing blocks after samples were lost.
    fn clock_sample(&self) -> u64 {
        (self.started.elapsed().as_secs_f64() * self.info.sample_rate) as u64
    }

    fn read_error(&self, e: seify::Error) -> SourceError {
        let msg = match e {
            seify::Error::DeviceDisconnected => "device disconnected".to_string(),
            e => e.to_string(),
        };
        SourceError::io(&self.info.name, "reading", io::Error::other(msg))
    }
}

impl IqSource for SdrSource {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    fn read_block(&mut self, block: &mut IqBlock, max_samples: usize) -> Result<usize, SourceError> {
        block.re.clear();
        block.im.clear();
        block.dropped_before = false;
        block.start_sample = self.next_sample;
        if let Some(e) = self.pending_error.take() {
            self.ended = true;
            return Err(e);
        }
        if self.ended || max_samples == 0 {
            return Ok(0);
        }
        if self.buf.len() < max_samples {
            self.buf.resize(max_samples, Complex32::new(0.0, 0.0));
        }
        let mut dropped = std::mem::take(&mut self.drop_pending);
        let mut filled = 0;
        let mut stalled_since: Option<Instant> = None;
        let mut error = None;
        while filled < max_samples {
            match self.streamer.read(&mut [&mut self.buf[filled..max_samples]], READ_TIMEOUT_US) {
                Ok(n) if n > 0 => {
                    filled += n.min(max_samples - filled);
                    stalled_since = None;
                }
                Ok(_) | Err(seify::Error::Timeout) => {
                    let since = *stalled_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= STALL_LIMIT {
                        error = Some(SourceError::io(
                            &self.info.name,
                            "reading",
                            io::Error::new(
                                io::ErrorKind::TimedOut,
                                format!("no samples from the device for {} s", STALL_LIMIT.as_secs()),
                            ),
                        ));
                        break;
                    }
                }
                Err(seify::Error::Overrun) => {
                    self.overflows += 1;
                    if filled > 0 {
                        // keep the block contiguous: the gap goes before the next one
                        self.drop_pending = true;
                        break;
                    }
                    dropped = true;
                }
                Err(e) => {
                    error = Some(self.read_error(e));
                    break;
                }
            }
        }
        if let Some(e) = error {
            if filled == 0 {
                self.ended = true;
                return Err(e);
            }
            self.pending_error = Some(e);
        }
        if dropped {
            // the block's last sample arrived about now
            let estimate = self.clock_sample().saturating_sub(filled as u64);
            self.next_sample = self.next_sample.max(estimate);
        }
        block.start_sample = self.next_sample;
        block.dropped_before = dropped;
        block.re.extend(self.buf[..filled].iter().map(|c| c.re));
        block.im.extend(self.buf[..filled].iter().map(|c| c.im));
        self.next_sample += filled as u64;
        Ok(filled)
    }

    fn is_live(&self) -> bool {
        true
    }

    fn retune(&mut self, freq_hz: f64) -> Result<(), SourceError> {
        let name = self.info.name.clone();
        let device_hz =
            device_frequency(&self.spec, freq_hz, self.lo_offset_hz).map_err(|e| SourceError::invalid(&name, e))?;
        tune(&self.device, device_hz, self.corr_ppm).map_err(|e| setting_error(&name, "frequency", device_hz, e))?;
        self.info.center_freq_hz = Some(freq_hz);
        Ok(())
    }
}

impl Drop for SdrSource {
    fn drop(&mut self) {
        // drivers also clean up when the streamer is dropped; errors here have no one to go to
        let _ = self.streamer.deactivate();
    }
}

/// Opens the device `device` (parsed from `spec.path`), sets it up from
/// `spec` and starts streaming (see the [module documentation](self)).
pub fn open(spec: &SourceSpec, device: &DeviceSpec) -> Result<SdrSource, SourceError> {
    let name = spec.path.as_str();
    let Some(rate) = spec.rate else {
        return Err(SourceError::missing(name, "an SDR needs --rate (the sample rate to ask for)"));
    };
    let Some(freq) = spec.freq else {
        return Err(SourceError::missing(name, "an SDR needs --freq (the frequency to tune to)"));
    };
    if spec.format.is_some_and(|f| f != SampleFormat::Cf32) {
        return Err(SourceError::invalid(name, "SDR samples arrive as cf32 floats: --format does not apply"));
    }
    let tuning: Tuning = spec.tuning;
    let device_hz = device_frequency(device, freq, tuning.lo_offset_hz).map_err(|e| SourceError::invalid(name, e))?;
    if device.kind == DeviceKind::Soapy && !cfg!(feature = "soapy") {
        return Err(no_soapy(name));
    }

    if device.is_native_usb() && no_usb_bus() {
        // nusb would fail listing it with a bare "not found": there are no USB devices at all
        return Err(not_found(name, "is it plugged in? permissions: udev rules; this system shows no USB bus"));
    }
    let dev = DynDevice::from_args(device.seify_args()).map_err(|e| open_error(name, device, e))?;
    let setup = |what: &'static str, v: f64| move |e| setting_error(name, what, v, e);
    let rx = dev.rx(0).map_err(|e| open_error(name, device, e))?;
    rx.sample_rate().set(rate).map_err(setup("sample rate", rate))?;
    match tuning.gain_db {
        Some(g) => {
            ignore_unsupported(rx.agc().disable()).map_err(setup("automatic gain off", 0.0))?;
            // a gain between two steps (HackRF: 2 dB) goes to the nearest one
            let g = match rx.gain().range() {
                Ok(r) if (r.min()..=r.max()).contains(&g) && !r.contains(g) => r.closest(g),
                _ => g,
            };
            rx.gain().set(g).map_err(setup("gain", g))?;
        }
        None => ignore_unsupported(rx.agc().enable()).map_err(setup("automatic gain on", 1.0))?,
    }
    let corr_ppm = match tuning.ppm {
        0 => None,
        ppm => rx
            .frequency()
            .components()
            .ok()
            .filter(|c| c.iter().any(|n| n.eq_ignore_ascii_case("CORR")))
            .map(|_| f64::from(ppm)),
    };
    tune(&dev, device_hz, corr_ppm).map_err(setup("frequency", device_hz))?;
    let mut streamer = dev.rx_streamer(&[0]).map_err(|e| open_error(name, device, e))?;
    streamer.activate().map_err(|e| open_error(name, device, e))?;
    let start_unix_ns = crate::util::time::now_unix_ns();
    Ok(SdrSource {
        info: StreamInfo {
            sample_rate: rate,
            center_freq_hz: Some(freq),
            format: SampleFormat::Cf32,
            start_unix_ns,
            name: name.to_string(),
            total_samples: None,
        },
        device: dev,
        spec: device.clone(),
        streamer,
        lo_offset_hz: tuning.lo_offset_hz,
        corr_ppm,
        buf: Vec::new(),
        next_sample: 0,
        started: Instant::now(),
        overflows: 0,
        drop_pending: false,
        pending_error: None,
        ended: false,
    })
}

/// Tunes the device to `device_hz`, then sets the `CORR` component to
/// `corr_ppm` when given (SoapySDR's overall tuning rewrites it with a
/// residue, so it goes after).
fn tune(dev: &DynDevice, device_hz: f64, corr_ppm: Option<f64>) -> Result<(), seify::Error> {
    let rx = dev.rx(0)?;
    rx.frequency().set(device_hz)?;
    if let Some(ppm) = corr_ppm {
        rx.frequency().component("CORR").set(ppm)?;
    }
    Ok(())
}

/// Whether this is Linux without `/sys/bus/usb/devices` (a container
/// without USB, for one), where no USB device can be found.
fn no_usb_bus() -> bool {
    cfg!(target_os = "linux") && !std::path::Path::new("/sys/bus/usb/devices").exists()
}

fn not_found(name: &str, hint: &str) -> SourceError {
    SourceError::io(name, "cannot open", io::Error::new(io::ErrorKind::NotFound, format!("no device found ({hint})")))
}

fn ignore_unsupported(r: Result<(), seify::Error>) -> Result<(), seify::Error> {
    match r {
        Err(e) if e.is_unsupported() => Ok(()),
        r => r,
    }
}

fn no_soapy(name: &str) -> SourceError {
    SourceError::unsupported(
        name,
        "SoapySDR devices need a ridscope built with them: rebuild with `cargo build --release --features soapy` \
         (needs libsoapysdr-dev)",
    )
}

/// Why opening failed, one line, with the usual fixes.
fn open_error(name: &str, device: &DeviceSpec, e: seify::Error) -> SourceError {
    let soapy = device.kind == DeviceKind::Soapy || device.get("driver").is_some_and(|d| d.starts_with("soapy"));
    let kind = match e {
        seify::Error::DeviceNotFound => {
            let hint = if soapy {
                "is it plugged in, with its SoapySDR module installed? `SoapySDRUtil --find` lists what SoapySDR sees"
            } else {
                "is it plugged in? permissions: udev rules"
            };
            return not_found(name, hint);
        }
        seify::Error::Busy => {
            let also = if device.is_rtlsdr() {
                ", or the kernel's dvb_usb_rtl28xxu driver holds it (unload or blacklist it)"
            } else {
                ""
            };
            return SourceError::io(
                name,
                "cannot open",
                io::Error::new(io::ErrorKind::ResourceBusy, format!("device busy: another program has it open{also}")),
            );
        }
        seify::Error::DriverFeatureNotEnabled { driver: seify::Driver::Soapy } => return no_soapy(name),
        seify::Error::DriverFeatureNotEnabled { driver } => SourceErrorKind::Unsupported {
            detail: format!(
                "seify driver {driver:?} is not built into ridscope: use rtlsdr, hackrf, or soapy:driver=... (--features soapy)"
            ),
        },
        seify::Error::InvalidArgument { name: arg, reason } => {
            SourceErrorKind::Invalid { detail: format!("device argument {arg}: {reason}") }
        }
        e => {
            let text = e.to_string();
            let lower = text.to_ascii_lowercase();
            let (kind, text) = if lower.contains("permission") || lower.contains("access denied") {
                (io::ErrorKind::PermissionDenied, format!("{text} (permissions: udev rules for the device)"))
            } else if soapy {
                (io::ErrorKind::Other, format!("{text} (`SoapySDRUtil --find` lists the devices SoapySDR sees)"))
            } else {
                (io::ErrorKind::Other, text)
            };
            return SourceError::io(name, "cannot open", io::Error::new(kind, text));
        }
    };
    SourceError::new(name, kind)
}

/// A setting the device refused: `what` (`sample rate`, `gain`, ...) and the value asked.
fn setting_error(name: &str, what: &str, value: f64, e: seify::Error) -> SourceError {
    let (scale, unit) = match what {
        "sample rate" => (1e6, " MS/s"),
        "frequency" => (1e6, " MHz"),
        "gain" => (1.0, " dB"),
        _ => (1.0, ""),
    };
    let detail = match &e {
        seify::Error::OutOfRange { range, .. } => format!(
            "{what} {}{unit} is outside the device's range {}–{}{unit}",
            value / scale,
            range.min() / scale,
            range.max() / scale
        ),
        e => format!("cannot set {what}: {e}"),
    };
    SourceError::invalid(name, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(path: &str) -> SourceSpec {
        SourceSpec { rate: Some(2.4e6), freq: Some(1.09e9), ..SourceSpec::new(path) }
    }

    fn parsed(s: &str) -> DeviceSpec {
        match parse_device(s) {
            Some(Ok(d)) => d,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn args(d: &DeviceSpec) -> Vec<(&str, &str)> {
        d.args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn source_sdr_device_strings() {
        assert_eq!(args(&parsed("rtlsdr")), [("driver", "rtlsdr")]);
        assert_eq!(args(&parsed("rtlsdr:1")), [("driver", "rtlsdr"), ("index", "1")]);
        assert_eq!(args(&parsed("rtlsdr:index=2")), [("driver", "rtlsdr"), ("index", "2")]);
        assert_eq!(args(&parsed("rtlsdr:serial=00000001")), [("driver", "rtlsdr"), ("serial", "00000001")]);
        assert_eq!(parsed("rtlsdr").kind, DeviceKind::RtlSdr);
        assert_eq!(args(&parsed("hackrf")), [("driver", "hackrf")]);
        assert_eq!(args(&parsed("hackrf:0")), [("driver", "hackrf"), ("index", "0")]);
        // hex as hackrf_info prints it, decimal for seify
        assert_eq!(
            args(&parsed("hackrf:serial=0000000000000000457863c82a5d6d4f")),
            [
                ("driver", "hackrf"),
                ("serial", u128::from_str_radix("457863c82a5d6d4f", 16).unwrap().to_string().as_str())
            ]
        );
        assert_eq!(args(&parsed("hackrf:serial=0x10")), [("driver", "hackrf"), ("serial", "16")]);
        let s = parsed("soapy:driver=lime,serial=1D5");
        assert_eq!(s.kind, DeviceKind::Soapy);
        assert_eq!(args(&s), [("driver", "soapy"), ("soapy_driver", "lime"), ("serial", "1D5")]);
        assert_eq!(args(&parsed("soapy")), [("driver", "soapy")]);
        assert_eq!(args(&parsed("soapy:")), [("driver", "soapy")]);
        assert_eq!(args(&parsed("soapy: driver = uhd , type=b200,")).len(), 3);
        let s = parsed("seify:driver=dummy");
        assert_eq!((s.kind, args(&s)), (DeviceKind::Seify, vec![("driver", "dummy")]));
    }

    #[test]
    fn source_sdr_files_are_not_devices() {
        for p in [
            "rtlsdr.cu8",
            "rtlsdr_433.92M_250k.cu8",
            "./rtlsdr",
            "dir/rtlsdr",
            "hackrf.cs8",
            "hackrf-capture",
            "RTLSDR",
            "soapysdr",
            "seify.sigmf-meta",
            "rtl_tcp://host:1234",
            "-",
            "",
        ] {
            assert!(parse_device(p).is_none(), "{p}");
        }
    }

    #[test]
    fn source_sdr_malformed_device_strings() {
        for (s, needle) in [
            ("rtlsdr:", "rtlsdr:N"),
            ("rtlsdr:abc", "not key=value"),
            ("rtlsdr:serial=", "empty serial"),
            ("rtlsdr:index=x", "not a device number"),
            ("rtlsdr:99999999999999999999999", "too large"),
            ("rtlsdr:index=1,serial=2", "one of index and serial"),
            ("rtlsdr:gain=3", "unknown argument"),
            ("hackrf:serial=xyz", "not hex"),
            ("hackrf:serial=0000", "zero"),
            ("hackrf:serial=123456789012345678901234567890123", "not hex"),
            ("soapy:driver", "not key=value"),
            ("soapy:driver=a,driver=b", "twice"),
            ("soapy:=x", "no usable key"),
            ("seify:", "needs driver"),
            ("seify:serial=1", "needs driver"),
        ] {
            match parse_device(s) {
                Some(Err(e)) => assert!(e.contains(needle), "{s}: {e}"),
                other => panic!("{s}: {other:?}"),
            }
        }
    }

    #[test]
    fn source_sdr_rtl_range_check() {
        let rtl = parsed("rtlsdr");
        assert_eq!(device_frequency(&rtl, 1.09e9, 0.0), Ok(1.09e9));
        assert_eq!(device_frequency(&rtl, RTLSDR_MAX_HZ, 0.0), Ok(RTLSDR_MAX_HZ));
        let e = device_frequency(&rtl, 2.44e9, 0.0).unwrap_err();
        assert!(e.contains("1766 MHz") && e.contains("--lo-offset") && e.contains("HackRF"), "{e}");
        assert!(e.contains("2440.000 MHz"), "{e}");
        // a downconverter's LO brings 2.4 GHz within reach
        assert_eq!(device_frequency(&rtl, 2.44e9, 1.6e9), Ok(2.44e9 - 1.6e9));
        let e = device_frequency(&rtl, 5.8e9, 1.6e9).unwrap_err();
        assert!(e.contains("--freq minus --lo-offset"), "{e}");
        // the same RTL-SDR through SoapySDR or seify's arguments
        for s in ["soapy:driver=rtlsdr", "seify:driver=rtlsdr", "seify:driver=soapy,soapy_driver=rtlsdr"] {
            assert!(device_frequency(&parsed(s), 2.44e9, 0.0).is_err(), "{s}");
        }
        for s in ["hackrf", "soapy:driver=lime", "seify:driver=dummy"] {
            assert_eq!(device_frequency(&parsed(s), 5.8e9, 0.0), Ok(5.8e9), "{s}");
        }
        assert!(device_frequency(&parsed("hackrf"), 1e9, 2e9).unwrap_err().contains("not a positive"));
    }

    #[test]
    fn source_sdr_rtl_range_fails_before_opening() {
        let e = super::super::open(&SourceSpec { freq: Some(2.44e9), ..spec("rtlsdr") }).err().unwrap();
        assert!(matches!(e.kind, SourceErrorKind::Invalid { .. }), "{e}");
        assert!(e.to_string().starts_with("rtlsdr: cannot tune to 2440.000 MHz"), "{e}");
    }

    #[test]
    fn source_sdr_needs_rate_and_freq() {
        let e = super::super::open(&SourceSpec { rate: None, ..spec("rtlsdr") }).err().unwrap();
        assert!(matches!(e.kind, SourceErrorKind::Missing { .. }) && e.to_string().contains("--rate"), "{e}");
        let e = super::super::open(&SourceSpec { freq: None, ..spec("hackrf") }).err().unwrap();
        assert!(matches!(e.kind, SourceErrorKind::Missing { .. }) && e.to_string().contains("--freq"), "{e}");
        let e = super::super::open(&spec("rtlsdr:serial=")).err().unwrap();
        assert!(e.to_string().starts_with("rtlsdr:serial=: empty serial"), "{e}");
        let e = super::super::open(&SourceSpec { format: Some(SampleFormat::Cu8), ..spec("rtlsdr") }).err().unwrap();
        assert!(e.to_string().contains("--format"), "{e}");
    }

    /// Opening an absent USB device gives one clean "no device found" line,
    /// not a panic. The selectors name devices no machine has; plain
    /// `rtlsdr` and `hackrf` are checked too unless one is plugged in.
    #[test]
    fn source_sdr_absent_usb_devices() {
        for path in [
            "rtlsdr",
            "hackrf",
            "rtlsdr:97",
            "rtlsdr:serial=ridscope-absent",
            "hackrf:97",
            "seify:driver=rtlsdr,index=97",
        ] {
            let e = match super::super::open(&spec(path)) {
                Err(e) => e,
                Ok(_) if !path.contains("97") && !path.contains("absent") => {
                    eprintln!("{path}: a device is plugged in, not checked");
                    continue;
                }
                Ok(_) => panic!("{path} opened"),
            };
            let text = e.to_string();
            assert!(
                matches!(&e.kind, SourceErrorKind::Io { source, .. } if source.kind() == io::ErrorKind::NotFound),
                "{text}"
            );
            assert!(
                text.starts_with(&format!(
                    "{path}: cannot open: no device found (is it plugged in? permissions: udev rules"
                )),
                "{text}"
            );
            assert!(!text.contains('\n'), "{text}");
        }
    }

    #[test]
    fn source_sdr_soapy_needs_the_feature() {
        let r = super::super::open(&spec("soapy:driver=nosuchdriver"));
        let e = r.err().unwrap();
        let text = e.to_string();
        assert!(text.starts_with("soapy:driver=nosuchdriver: "), "{text}");
        assert!(!text.contains('\n'), "{text}");
        if cfg!(feature = "soapy") {
            assert!(!text.contains("--features soapy"), "{text}");
        } else {
            assert!(text.contains("--features soapy"), "{text}");
            assert!(matches!(e.kind, SourceErrorKind::Unsupported { .. }));
            let e = super::super::open(&spec("seify:driver=soapy")).err().unwrap();
            assert!(e.to_string().contains("--features soapy"), "{e}");
        }
    }

    fn dummy(tuning: Tuning, freq: f64) -> SdrSource {
        let s = SourceSpec { tuning, freq: Some(freq), ..spec("seify:driver=dummy") };
        open(&s, &parsed(&s.path)).unwrap()
    }

    #[test]
    fn source_sdr_dummy_streams_through_open() {
        let mut src = super::super::open(&spec("seify:driver=dummy")).unwrap();
        assert!(src.is_live());
        let info = src.info().clone();
        assert_eq!(info.format, SampleFormat::Cf32);
        assert_eq!((info.sample_rate, info.center_freq_hz), (2.4e6, Some(1.09e9)));
        assert_eq!(info.name, "seify:driver=dummy");
        assert!(info.start_unix_ns.is_some() && info.total_samples.is_none());
        let mut block = IqBlock::default();
        let mut expect_start = 0;
        for n in [4096, 100_000, 1, 4096] {
            assert_eq!(src.read_block(&mut block, n).unwrap(), n);
            assert_eq!((block.re.len(), block.im.len(), block.start_sample), (n, n, expect_start));
            assert!(!block.dropped_before);
            assert!(block.re.iter().chain(&block.im).all(|&v| v == 0.0));
            expect_start += n as u64;
        }
        // buffers that have grown are reused: no reallocation
        let (pre, pim) = (block.re.as_ptr(), block.im.as_ptr());
        assert_eq!(src.read_block(&mut block, 50_000).unwrap(), 50_000);
        assert_eq!((block.re.as_ptr(), block.im.as_ptr()), (pre, pim));
        assert_eq!(src.read_block(&mut block, 0).unwrap(), 0);
    }

    #[test]
    fn source_sdr_dummy_tuning_and_retune() {
        let t = Tuning { gain_db: Some(30.0), lo_offset_hz: 1.6e9, ..Tuning::default() };
        let mut src = dummy(t, 2.44e9);
        assert_eq!(src.info().center_freq_hz, Some(2.44e9));
        let rx = src.device.rx(0).unwrap();
        assert_eq!(rx.frequency().value().unwrap(), 2.44e9 - 1.6e9);
        src.retune(2.46e9).unwrap();
        assert_eq!(src.info().center_freq_hz, Some(2.46e9));
        let rx = src.device.rx(0).unwrap();
        assert_eq!(rx.frequency().value().unwrap(), 2.46e9 - 1.6e9);
        assert_eq!(rx.sample_rate().value().unwrap(), 2.4e6);
        assert_eq!(rx.gain().value().unwrap(), Some(30.0));
        assert!(!rx.agc().enabled().unwrap());
        assert!(src.retune(1.0e9).unwrap_err().to_string().contains("not a positive"));
        assert_eq!(src.info().center_freq_hz, Some(2.46e9));
        assert_eq!(src.overflows(), 0);

        let src = dummy(Tuning::default(), 1.09e9);
        let rx = src.device.rx(0).unwrap();
        assert!(rx.agc().enabled().unwrap(), "no --gain: automatic gain");
        assert_eq!(rx.gain().value().unwrap(), None);
    }

    /// What a scripted driver does on each read.
    enum Step {
        Data(usize),
        Overrun,
        Timeout,
        Disconnected,
    }

    /// A streamer that plays `steps`, numbering the samples it gives.
    struct Scripted {
        steps: std::collections::VecDeque<Step>,
        next: f32,
    }

    impl RxStreamer for Scripted {
        fn mtu(&self) -> Result<usize, seify::Error> {
            Ok(1024)
        }
        fn activate_at(&mut self, _: Option<i64>) -> Result<(), seify::Error> {
            Ok(())
        }
        fn deactivate_at(&mut self, _: Option<i64>) -> Result<(), seify::Error> {
            Ok(())
        }
        fn read(&mut self, buffers: &mut [&mut [Complex32]], _: i64) -> Result<usize, seify::Error> {
            match self.steps.pop_front() {
                Some(Step::Data(n)) => {
                    let n = n.min(buffers[0].len());
                    for c in &mut buffers[0][..n] {
                        *c = Complex32::new(self.next, -self.next);
                        self.next += 1.0;
                    }
                    Ok(n)
                }
                Some(Step::Overrun) => Err(seify::Error::Overrun),
                Some(Step::Timeout) => Err(seify::Error::Timeout),
                Some(Step::Disconnected) | None => Err(seify::Error::DeviceDisconnected),
            }
        }
    }

    fn scripted(steps: Vec<Step>) -> SdrSource {
        let mut src = dummy(Tuning::default(), 1.09e9);
        src.streamer = Box::new(Scripted { steps: steps.into(), next: 0.0 });
        src
    }

    #[test]
    fn source_sdr_blocks_fill_and_retry_timeouts() {
        use Step::*;
        let mut src = scripted(vec![Data(3), Timeout, Data(0), Data(3), Data(2), Disconnected]);
        let mut block = IqBlock::default();
        assert_eq!(src.read_block(&mut block, 6).unwrap(), 6);
        assert_eq!(block.re, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(block.im, [0.0, -1.0, -2.0, -3.0, -4.0, -5.0]);
        assert_eq!((block.start_sample, block.dropped_before), (0, false));
        assert_eq!(src.read_block(&mut block, 6).unwrap(), 2);
        assert_eq!((block.re.as_slice(), block.start_sample), ([6.0, 7.0].as_slice(), 6));
        // the error comes after the samples before it, then the stream has ended
        let e = src.read_block(&mut block, 6).unwrap_err();
        assert_eq!(e.to_string(), "seify:driver=dummy: reading: device disconnected");
        assert!(block.is_empty());
        assert_eq!(src.read_block(&mut block, 6).unwrap(), 0);
    }

    #[test]
    fn source_sdr_overflows_mark_the_next_block() {
        use Step::*;
        let mut src = scripted(vec![Data(3), Overrun, Data(4), Overrun, Overrun, Data(4)]);
        // as if the stream had started a second ago: lost samples are placed by the clock
        src.started = Instant::now() - Duration::from_secs(1);
        let mut block = IqBlock::default();
        // the overflow ends the block early, so that each block is contiguous
        assert_eq!(src.read_block(&mut block, 4).unwrap(), 3);
        assert_eq!((block.start_sample, block.dropped_before, src.overflows()), (0, false, 1));
        assert_eq!(src.read_block(&mut block, 4).unwrap(), 4);
        assert!(block.dropped_before);
        assert_eq!(block.re, [3.0, 4.0, 5.0, 6.0]);
        let rate = 2.4e6;
        let first = block.start_sample;
        assert!((rate as u64 - 4..rate as u64 + rate as u64 / 2).contains(&first), "{first}");
        // two overflows before any sample: one drop, counted twice
        assert_eq!(src.read_block(&mut block, 4).unwrap(), 4);
        assert!(block.dropped_before);
        assert_eq!(src.overflows(), 3);
        assert!(block.start_sample >= first + 4, "{} after {first}", block.start_sample);
    }
}
