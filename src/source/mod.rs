//! IQ inputs: raw sample files, SigMF recordings and standard input behind
//! one trait, [`IqSource`], plus writers for raw files and SigMF.
//!
//! [`open`] turns a [`SourceSpec`] (what the command line gives: a path and
//! optional `--format`, `--rate`, `--freq`) into a boxed source:
//!
//! | input | format from | sample rate and frequency from |
//! |---|---|---|
//! | `X.sigmf-meta`, `X.sigmf-data` or base name `X` | `core:datatype` | `core:sample_rate`, first capture's `core:frequency` |
//! | raw file `.cu8 .cs8 .cs16 .cf32 .fc32 .cfile .cf64` | `--format`, else the extension | `--rate`/`--freq`, else an rtl_433-style name (`name_433.92M_250k.cu8`) |
//! | `-` (standard input) | `--format` (required) | `--rate` (required), `--freq` |
//! | `rtl_tcp://host:port` ([`rtl_tcp`]) | cu8 | `--rate`, `--freq` (both required; asked of the server) |
//! | SDR: `rtlsdr[:N\|:serial=S]`, `hackrf[:N\|:serial=HEX]`, `soapy:ARGS` (feature `soapy`), `seify:driver=D,...` ([`sdr`]) | cf32 | `--rate`, `--freq` (both required; asked of the device, tuned to `--freq` minus `--lo-offset`) |
//!
//! Explicit `--rate` and `--freq` always win over names and metadata. Only
//! the exact device names, alone or followed by `:`, are devices: a file
//! `rtlsdr.cu8` is a file.
//! Every source streams: memory is one fixed byte buffer plus the caller's
//! [`IqBlock`], whatever the size of the recording. Samples come out as
//! `f32` in split real/imaginary arrays, full scale ±1 ([`SampleFormat`]
//! gives the scaling of each format).
//!
//! ```no_run
//! use ridscope::source::{IqBlock, SourceSpec, open};
//! let mut src = open(&SourceSpec::new("ble_2402M_4M.cu8"))?;
//! let mut block = IqBlock::default();
//! while src.read_block(&mut block, 65_536)? > 0 {
//!     let power: f32 = block.re.iter().zip(&block.im).map(|(i, q)| i * i + q * q).sum();
//!     println!("{} {}", block.start_sample, power / block.re.len() as f32);
//! }
//! # Ok::<(), ridscope::source::SourceError>(())
//! ```
//!
//! Errors ([`SourceError`]) are one line and start with the file they are
//! about: `recording.cu8: truncated: 1 trailing byte(s) do not make a whole cu8 sample`.

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;

mod convert;
mod name;
mod raw;
pub mod rtl_tcp;
pub mod sdr;
pub mod sigmf;

pub use raw::{RawSource, RawWriter, WriteSummary};
pub use sigmf::{Annotation, SigmfWriter};

/// Sample formats of raw IQ files: interleaved I then Q, little-endian.
///
/// Conversion to `f32` (full scale ±1): `cu8` (v − 127.5) / 127.5, `cs8`
/// v / 128, `cs16` v / 32768, floats as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// Unsigned 8-bit, offset 127.5 (rtl_sdr; SigMF `cu8`).
    Cu8,
    /// Signed 8-bit (hackrf_transfer; SigMF `ci8`).
    Cs8,
    /// Signed 16-bit little-endian (SigMF `ci16_le`).
    Cs16,
    /// 32-bit float (GNU Radio `.cfile`, `.fc32`; SigMF `cf32_le`).
    Cf32,
    /// 64-bit float (SigMF `cf64_le`).
    Cf64,
}

impl SampleFormat {
    /// Every format, in the order error messages list them.
    pub const ALL: [SampleFormat; 5] =
        [SampleFormat::Cu8, SampleFormat::Cs8, SampleFormat::Cs16, SampleFormat::Cf32, SampleFormat::Cf64];

    /// Short name, also the usual file extension: `cu8`, `cs8`, `cs16`, `cf32`, `cf64`.
    pub fn as_str(self) -> &'static str {
        match self {
            SampleFormat::Cu8 => "cu8",
            SampleFormat::Cs8 => "cs8",
            SampleFormat::Cs16 => "cs16",
            SampleFormat::Cf32 => "cf32",
            SampleFormat::Cf64 => "cf64",
        }
    }

    /// Bytes of one complex sample (I and Q).
    pub fn bytes_per_sample(self) -> usize {
        match self {
            SampleFormat::Cu8 | SampleFormat::Cs8 => 2,
            SampleFormat::Cs16 => 4,
            SampleFormat::Cf32 => 8,
            SampleFormat::Cf64 => 16,
        }
    }

    /// The SigMF `core:datatype` of this format.
    pub fn sigmf_datatype(self) -> &'static str {
        match self {
            SampleFormat::Cu8 => "cu8",
            SampleFormat::Cs8 => "ci8",
            SampleFormat::Cs16 => "ci16_le",
            SampleFormat::Cf32 => "cf32_le",
            SampleFormat::Cf64 => "cf64_le",
        }
    }

    /// The format a file extension (without the dot, any case) stands for:
    /// `cu8`, `cs8`, `cs16`, `cf32`, `fc32`, `cfile`, `cf64`, and rtl_433's
    /// `complex16u` (cu8) and `complex16s` (cs8).
    pub fn from_extension(ext: &str) -> Option<SampleFormat> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "cu8" | "complex16u" => SampleFormat::Cu8,
            "cs8" | "complex16s" => SampleFormat::Cs8,
            "cs16" => SampleFormat::Cs16,
            "cf32" | "fc32" | "cfile" => SampleFormat::Cf32,
            "cf64" => SampleFormat::Cf64,
            _ => return None,
        })
    }

    /// `cu8, cs8, cs16, cf32, cf64`, for messages.
    fn list() -> String {
        SampleFormat::ALL.map(SampleFormat::as_str).join(", ")
    }
}

impl fmt::Display for SampleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--format` value that names no sample format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sample format {given:?} (known: cu8, cs8, cs16, cf32, cf64)")]
pub struct UnknownFormat {
    /// What was given.
    pub given: String,
}

impl FromStr for SampleFormat {
    type Err = UnknownFormat;

    /// Parses a short name or extension ([`SampleFormat::from_extension`]) or
    /// a SigMF datatype (`ci8`, `ci16_le`, `cf32_le`, `cf64_le`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        SampleFormat::from_extension(&lower)
            .or_else(|| SampleFormat::ALL.into_iter().find(|f| f.sigmf_datatype() == lower))
            .ok_or_else(|| UnknownFormat { given: s.to_string() })
    }
}

/// The highest sample rate accepted (10 GS/s): far above any SDR's, and low
/// enough that sample counts and rate ratios stay exact in the receivers.
/// Higher rates (from `--rate`, a file name or metadata) are refused.
pub const MAX_SAMPLE_RATE: f64 = 10e9;

/// Checks a sample rate from `origin` (`--rate`, `the file name`,
/// `core:sample_rate`): finite, positive and at most [`MAX_SAMPLE_RATE`].
pub(crate) fn check_rate(rate: f64, origin: &str) -> Result<f64, String> {
    if !rate.is_finite() || rate <= 0.0 {
        Err(format!("{origin} {rate} is not a positive number"))
    } else if rate > MAX_SAMPLE_RATE {
        // 1e300, not three hundred digits
        let shown = if rate >= 1e15 { format!("{rate:e}") } else { rate.to_string() };
        Err(format!("{origin} {shown} is above {} GS/s, the highest sample rate accepted", MAX_SAMPLE_RATE / 1e9))
    } else {
        Ok(rate)
    }
}

/// What is known about a stream of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// Samples per second.
    pub sample_rate: f64,
    /// Frequency of the stream's 0 Hz, when known.
    pub center_freq_hz: Option<f64>,
    /// Format of the samples in the file or stream.
    pub format: SampleFormat,
    /// Time of sample 0 in Unix nanoseconds, when known (SigMF `core:datetime`).
    pub start_unix_ns: Option<i128>,
    /// The path samples are read from, or `-` for standard input.
    pub name: String,
    /// Number of whole samples in the stream, when known (files).
    pub total_samples: Option<u64>,
}

/// A block of complex samples as split real and imaginary arrays, and where
/// it sits in the stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IqBlock {
    /// In-phase parts, full scale ±1.
    pub re: Vec<f32>,
    /// Quadrature parts; always as long as `re`.
    pub im: Vec<f32>,
    /// Index of the first sample in the stream, counting any samples the
    /// source dropped, so `start_sample / sample_rate` is its time since the
    /// stream started.
    pub start_sample: u64,
    /// Samples were lost just before this block (an SDR overflow); always
    /// `false` for files.
    pub dropped_before: bool,
}

impl IqBlock {
    /// An empty block whose arrays can hold `n` samples without allocating.
    pub fn with_capacity(n: usize) -> Self {
        IqBlock { re: Vec::with_capacity(n), im: Vec::with_capacity(n), start_sample: 0, dropped_before: false }
    }

    /// Number of samples in the block.
    pub fn len(&self) -> usize {
        self.re.len()
    }

    /// Whether the block holds no samples.
    pub fn is_empty(&self) -> bool {
        self.re.is_empty()
    }
}

/// A stream of complex samples.
pub trait IqSource: Send {
    /// Rate, frequency, format and name of the stream.
    fn info(&self) -> &StreamInfo;

    /// Fills `block` with up to `max_samples` samples and returns how many.
    ///
    /// `re` and `im` are cleared and refilled in place: once they have grown
    /// to `max_samples`, reading does not allocate. A source may return
    /// fewer than `max_samples`; the file and standard-input sources do so
    /// only for the last block or the block just before an error. `Ok(0)`
    /// means the stream has ended (or `max_samples` is 0). An error comes
    /// only after every whole sample before it has been returned by earlier
    /// calls; after an error the stream has ended (`Ok(0)` from then on).
    fn read_block(&mut self, block: &mut IqBlock, max_samples: usize) -> Result<usize, SourceError>;

    /// Where a recording changes frequency (a SigMF recording made while
    /// scanning, one capture segment per dwell): the pipeline replays it
    /// with the receivers of each frequency. Empty for everything else.
    fn retunes(&self) -> &[Segment] {
        &[]
    }

    /// Whether the source is a receiver running in real time (an SDR or an
    /// rtl_tcp server) rather than a file or a pipe: a live source cannot
    /// wait for the decoder, so the pipeline drops blocks instead.
    fn is_live(&self) -> bool {
        false
    }

    /// Retunes a live source to `freq_hz` (for scan plans). Samples read
    /// after this call come from the new frequency, apart from the few the
    /// device needs to settle (the caller skips them), and
    /// [`info`](IqSource::info) gives the new centre. Files cannot retune.
    fn retune(&mut self, freq_hz: f64) -> Result<(), SourceError> {
        Err(SourceError::unsupported(
            &self.info().name,
            format!("cannot retune to {:.3} MHz: only SDRs and rtl_tcp can", freq_hz / 1e6),
        ))
    }
}

/// A point of a recording where the receiver was retuned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// First sample at the new frequency (from the start of the stream).
    pub sample_start: u64,
    pub freq_hz: f64,
    /// Samples recorded while the receiver settled: not decoded.
    pub settle_samples: u64,
}

/// Settings asked of a receiver (rtl_tcp, SDRs); files ignore them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tuning {
    /// Gain in dB; `None`: the tuner's automatic gain.
    pub gain_db: Option<f64>,
    /// Frequency correction, ppm.
    pub ppm: i32,
    /// The device's digital AGC (the RTL2832's), where it has one.
    pub agc: bool,
    /// Frequency of a downconverter's local oscillator below the signal
    /// (`--lo-offset`): the device tunes to the frequency asked minus this,
    /// and the stream is reported at the frequency asked. 0 without one.
    pub lo_offset_hz: f64,
}

/// What to open: a path and the command line's `--format`, `--rate` and `--freq`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceSpec {
    /// A raw file, a SigMF file or base name, `-` for standard input, an
    /// `rtl_tcp://` URL or an SDR ([`sdr::parse_device`]).
    pub path: String,
    /// Sample format; overrides the extension. Required for standard input.
    pub format: Option<SampleFormat>,
    /// Sample rate in samples per second; overrides file name and metadata.
    pub rate: Option<f64>,
    /// Center frequency in Hz; overrides file name and metadata.
    pub freq: Option<f64>,
    /// Gain and corrections asked of a device (rtl_tcp, SDRs).
    pub tuning: Tuning,
}

impl SourceSpec {
    /// A spec for `path` with nothing else given.
    pub fn new(path: impl Into<String>) -> Self {
        SourceSpec { path: path.into(), ..SourceSpec::default() }
    }
}

/// Why a source could not be opened, read or written.
///
/// Displays as one line starting with the file it is about (`stdin` for
/// standard input): `recording.cu8: cannot open: No such file or directory (os error 2)`.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {kind}")]
pub struct SourceError {
    /// The file the error is about, printable on one line.
    pub name: String,
    /// What went wrong.
    pub kind: SourceErrorKind,
}

/// What went wrong, without the file name.
#[derive(Debug, thiserror::Error)]
pub enum SourceErrorKind {
    /// Opening, reading or writing failed; `op` says which.
    #[error("{op}: {source}")]
    Io {
        op: &'static str,
        #[source]
        source: io::Error,
    },
    /// The sample format is unknown or cannot be told.
    #[error("{detail}")]
    Format { detail: String },
    /// A required parameter (sample rate, format) is not given.
    #[error("{detail}")]
    Missing { detail: String },
    /// A parameter or argument has an impossible value.
    #[error("{detail}")]
    Invalid { detail: String },
    /// SigMF metadata that is not JSON, or not usable SigMF.
    #[error("{detail}")]
    Metadata { detail: String },
    /// Well-formed input this reader does not handle.
    #[error("{detail}")]
    Unsupported { detail: String },
    /// The data ends inside a sample.
    #[error("truncated: {bytes} trailing byte(s) do not make a whole {format} sample")]
    Truncated { bytes: usize, format: SampleFormat },
}

impl SourceError {
    /// An error about `name` (a path, or `-` for standard input).
    pub fn new(name: &str, kind: SourceErrorKind) -> Self {
        SourceError { name: display_name(name), kind }
    }

    pub(crate) fn io(name: &str, op: &'static str, source: io::Error) -> Self {
        Self::new(name, SourceErrorKind::Io { op, source })
    }

    pub(crate) fn missing(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, SourceErrorKind::Missing { detail: detail.into() })
    }

    pub(crate) fn invalid(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, SourceErrorKind::Invalid { detail: detail.into() })
    }

    pub(crate) fn metadata(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, SourceErrorKind::Metadata { detail: detail.into() })
    }

    pub(crate) fn unsupported(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, SourceErrorKind::Unsupported { detail: detail.into() })
    }
}

/// `stdin` for `-`, otherwise the path with control characters escaped so
/// that messages stay on one line.
fn display_name(name: &str) -> String {
    if name == "-" {
        return "stdin".to_string();
    }
    if !name.contains(char::is_control) {
        return name.to_string();
    }
    name.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// Whether `path` names a receiver (rtl_tcp or an SDR device string)
/// rather than a file or standard input.
pub fn is_device(path: &str) -> bool {
    rtl_tcp::is_rtl_tcp(path) || sdr::parse_device(path).is_some()
}

/// Opens the source `spec` describes (see the [module documentation](self)).
pub fn open(spec: &SourceSpec) -> Result<Box<dyn IqSource>, SourceError> {
    check_param(&spec.path, "--rate", spec.rate, false)?;
    check_param(&spec.path, "--freq", spec.freq, true)?;
    if let Some(r) = spec.rate {
        check_rate(r, "--rate").map_err(|e| SourceError::invalid(&spec.path, e))?;
    }
    if spec.path == "-" {
        return open_stdin(spec);
    }
    if rtl_tcp::is_rtl_tcp(&spec.path) {
        return Ok(Box::new(rtl_tcp::open(spec, &spec.tuning)?));
    }
    if let Some(device) = sdr::parse_device(&spec.path) {
        let device = device.map_err(|e| SourceError::invalid(&spec.path, e))?;
        return Ok(Box::new(sdr::open(spec, &device)?));
    }
    if let Some(paths) = sigmf::paths_for_reading(&spec.path)? {
        return sigmf::open(&paths, spec);
    }
    open_raw_file(spec)
}

/// Rejects a rate that is not finite and positive, or a frequency that is not
/// finite and non-negative.
fn check_param(name: &str, what: &str, v: Option<f64>, zero_ok: bool) -> Result<(), SourceError> {
    match v {
        Some(x) if !x.is_finite() || x < 0.0 || (x == 0.0 && !zero_ok) => Err(SourceError::invalid(
            name,
            format!("{what} {x} is not a {} number", if zero_ok { "non-negative" } else { "positive" }),
        )),
        _ => Ok(()),
    }
}

fn open_stdin(spec: &SourceSpec) -> Result<Box<dyn IqSource>, SourceError> {
    let Some(format) = spec.format else {
        return Err(SourceError::missing(
            "-",
            format!("reading standard input needs --format ({})", SampleFormat::list()),
        ));
    };
    let Some(sample_rate) = spec.rate else {
        return Err(SourceError::missing("-", "reading standard input needs --rate (samples per second)"));
    };
    let info = StreamInfo {
        sample_rate,
        center_freq_hz: spec.freq,
        format,
        start_unix_ns: None,
        name: "-".to_string(),
        total_samples: None,
    };
    Ok(Box::new(RawSource::from_reader(io::stdin(), info)))
}

fn open_raw_file(spec: &SourceSpec) -> Result<Box<dyn IqSource>, SourceError> {
    let path = Path::new(&spec.path);
    let file_name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy()).unwrap_or_default();
    let format = match spec.format.or_else(|| SampleFormat::from_extension(&ext)) {
        Some(f) => f,
        None => {
            let what =
                if ext.is_empty() { "no extension".to_string() } else { format!("extension {:?}", format!(".{ext}")) };
            return Err(SourceError::new(
                &spec.path,
                SourceErrorKind::Format {
                    detail: format!(
                        "cannot tell the sample format from {what}; give --format ({}) or use .cu8 .cs8 .cs16 .cf32 .fc32 .cfile .cf64",
                        SampleFormat::list()
                    ),
                },
            ));
        }
    };
    let hints = name::hints_from_file_name(&file_name);
    let Some(sample_rate) = spec.rate.or(hints.sample_rate) else {
        return Err(SourceError::missing(
            &spec.path,
            "sample rate unknown: give --rate, or name the file like rtl_433 does (name_433.92M_250k.cu8: frequency, then rate)",
        ));
    };
    if spec.rate.is_none() {
        check_rate(sample_rate, "sample rate from the file name")
            .map_err(|e| SourceError::invalid(&spec.path, format!("{e} (give --rate)")))?;
    }
    let file = std::fs::File::open(path).map_err(|e| SourceError::io(&spec.path, "cannot open", e))?;
    let total_samples =
        file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len() / format.bytes_per_sample() as u64);
    let info = StreamInfo {
        sample_rate,
        center_freq_hz: spec.freq.or(hints.center_freq_hz),
        format,
        start_unix_ns: None,
        name: spec.path.clone(),
        total_samples,
    };
    Ok(Box::new(RawSource::from_reader(file, info)))
}

#[cfg(test)]
mod tests;

/// Runs every parser of this module over arbitrary bytes, ignoring all
/// errors: SigMF metadata, rtl_433 name hints, RFC 3339 times, and raw
/// sample decoding in every format. For fuzzing: it must never panic.
pub fn fuzz_entry(bytes: &[u8]) {
    let spec = SourceSpec::new("fuzz");
    let _ = sigmf::interpret_meta("fuzz.sigmf-meta", bytes, &spec);
    let text = String::from_utf8_lossy(bytes);
    let _ = name::hints_from_file_name(&text);
    let _ = sigmf::parse_rfc3339(&text);
    for format in SampleFormat::ALL {
        let info = StreamInfo {
            sample_rate: 1e6,
            center_freq_hz: None,
            format,
            start_unix_ns: None,
            name: "fuzz".into(),
            total_samples: None,
        };
        let mut src = RawSource::from_reader(bytes, info);
        let mut block = IqBlock::default();
        while let Ok(n) = src.read_block(&mut block, 7) {
            if n == 0 {
                break;
            }
        }
    }
}
