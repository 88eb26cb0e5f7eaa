//! SigMF recordings: reading (through [`super::open`]) and [`SigmfWriter`].
//!
//! A recording is a JSON metadata file `X.sigmf-meta` and the samples in
//! `X.sigmf-data` beside it. The reader takes either file or the base name
//! `X`, and uses from the metadata:
//!
//! - `global`: `core:datatype` (`cu8`, `ci8`, `ci16_le`, `cf32_le`,
//!   `cf64_le`), `core:sample_rate`, `core:num_channels` (1 only),
//!   `core:trailing_bytes`;
//! - the first capture segment: `core:frequency`, `core:datetime` (RFC 3339,
//!   giving the time of sample 0), `core:sample_start`, `core:header_bytes`.
//!
//! Later capture segments (frequency changes, gaps) are not taken into
//! account; annotations are not read. Archives (`.sigmf`, a tar file) are
//! not read: extract them first.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use super::raw::{RawSource, RawWriter, WriteSummary};
use super::{IqSource, SampleFormat, SourceError, SourceErrorKind, SourceSpec, StreamInfo};

/// The SigMF version the writer declares.
pub const SIGMF_VERSION: &str = "1.0.0";

/// The metadata and data file of one recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SigmfPaths {
    pub meta: PathBuf,
    pub data: PathBuf,
}

impl SigmfPaths {
    /// The pair for a metadata path, a data path or a base name (to which
    /// both extensions are appended).
    fn for_path(path: &Path) -> SigmfPaths {
        match extension(path).as_deref() {
            Some("sigmf-meta") => SigmfPaths { meta: path.to_path_buf(), data: path.with_extension("sigmf-data") },
            Some("sigmf-data") => SigmfPaths { meta: path.with_extension("sigmf-meta"), data: path.to_path_buf() },
            _ => SigmfPaths { meta: append(path, ".sigmf-meta"), data: append(path, ".sigmf-data") },
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn append(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn name_of(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Whether `path` names a SigMF recording: a `.sigmf-meta` or `.sigmf-data`
/// file, or a base name `X` that is not a file itself while `X.sigmf-meta`
/// exists. A `.sigmf` archive is an error.
pub(crate) fn paths_for_reading(path: &str) -> Result<Option<SigmfPaths>, SourceError> {
    let p = Path::new(path);
    match extension(p).as_deref() {
        Some("sigmf-meta" | "sigmf-data") => Ok(Some(SigmfPaths::for_path(p))),
        Some("sigmf") => Err(SourceError::unsupported(
            path,
            "SigMF archives (.sigmf) are not read; extract the .sigmf-meta and .sigmf-data files (tar xf) and give either",
        )),
        _ if !p.is_file() && append(p, ".sigmf-meta").is_file() => Ok(Some(SigmfPaths::for_path(p))),
        _ => Ok(None),
    }
}

/// The parts of a metadata file the reader uses; everything else is skipped
/// without being kept in memory.
#[derive(Debug, Deserialize)]
struct MetaFile {
    global: Global,
    #[serde(default)]
    captures: Captures,
}

#[derive(Debug, Deserialize)]
struct Global {
    #[serde(rename = "core:datatype")]
    datatype: Option<String>,
    #[serde(rename = "core:sample_rate")]
    sample_rate: Option<f64>,
    #[serde(rename = "core:num_channels")]
    num_channels: Option<u64>,
    #[serde(rename = "core:trailing_bytes", default)]
    trailing_bytes: u64,
}

#[derive(Debug, Deserialize)]
struct Capture {
    #[serde(rename = "core:sample_start", default)]
    sample_start: u64,
    #[serde(rename = "core:frequency")]
    frequency: Option<f64>,
    #[serde(rename = "core:datetime")]
    datetime: Option<String>,
    #[serde(rename = "core:header_bytes", default)]
    header_bytes: u64,
    /// Samples at the start of the segment recorded while the receiver
    /// settled after retuning (ridscope's scan recordings): not decoded.
    #[serde(rename = "ridscope:settle_samples", default)]
    settle_samples: u64,
}

/// The first capture segment, the later ones that retune (a frequency of
/// their own), and whether a later one has header bytes (which the reader
/// cannot skip).
#[derive(Debug, Default)]
struct Captures {
    first: Option<Capture>,
    retunes: Vec<super::Segment>,
    later_header_bytes: bool,
}

impl<'de> Deserialize<'de> for Captures {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CapturesVisitor;
        impl<'de> Visitor<'de> for CapturesVisitor {
            type Value = Captures;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of capture segments")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Captures, A::Error> {
                let mut c = Captures::default();
                while let Some(cap) = seq.next_element::<Capture>()? {
                    if c.first.is_none() {
                        c.first = Some(cap);
                        continue;
                    }
                    if cap.header_bytes > 0 {
                        c.later_header_bytes = true;
                    }
                    if let Some(f) = cap.frequency {
                        c.retunes.push(super::Segment {
                            sample_start: cap.sample_start,
                            freq_hz: f,
                            settle_samples: cap.settle_samples,
                        });
                    }
                }
                Ok(c)
            }
        }
        d.deserialize_seq(CapturesVisitor)
    }
}

/// The format of a SigMF `core:datatype`.
fn format_of_datatype(meta: &str, datatype: &str) -> Result<SampleFormat, SourceError> {
    if let Some(f) = SampleFormat::ALL.into_iter().find(|f| f.sigmf_datatype() == datatype) {
        return Ok(f);
    }
    if datatype.starts_with('r') {
        return Err(SourceError::unsupported(
            meta,
            format!("real-valued data not supported (core:datatype {datatype:?}); ridscope needs complex samples"),
        ));
    }
    Err(SourceError::unsupported(
        meta,
        format!("unsupported core:datatype {datatype:?} (supported: cu8, ci8, ci16_le, cf32_le, cf64_le)"),
    ))
}

fn open_existing(path: &Path, other: &Path, what: &str) -> Result<File, SourceError> {
    File::open(path).map_err(|e| {
        let name = name_of(path);
        if e.kind() == io::ErrorKind::NotFound {
            SourceError::missing(&name, format!("{what} not found (SigMF needs it beside {})", other.display()))
        } else {
            SourceError::io(&name, "cannot open", e)
        }
    })
}

/// What the metadata says about the recording, after the overrides.
pub(crate) struct Interpreted {
    format: super::SampleFormat,
    sample_rate: f64,
    center_freq_hz: Option<f64>,
    start_unix_ns: Option<i128>,
    header_bytes: u64,
    trailing_bytes: u64,
    /// Later capture segments at other frequencies (a scan recording).
    retunes: Vec<super::Segment>,
}

/// Parses and checks SigMF metadata (no file access), with the overrides of `spec`.
pub(crate) fn interpret_meta(
    meta_name: &str,
    json: impl std::io::Read,
    spec: &SourceSpec,
) -> Result<Interpreted, SourceError> {
    let meta: MetaFile = serde_json::from_reader(json).map_err(|e| match e.classify() {
        serde_json::error::Category::Io => SourceError::io(meta_name, "read error", e.into()),
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            SourceError::metadata(meta_name, format!("not valid JSON: {e}"))
        }
        serde_json::error::Category::Data => SourceError::metadata(meta_name, format!("not SigMF metadata: {e}")),
    })?;
    let Some(datatype) = meta.global.datatype.as_deref() else {
        return Err(SourceError::metadata(meta_name, "missing core:datatype in global"));
    };
    let format = format_of_datatype(meta_name, datatype)?;
    if let Some(f) = spec.format
        && f != format
    {
        return Err(SourceError::new(
            meta_name,
            SourceErrorKind::Format { detail: format!("--format {f} contradicts core:datatype {datatype:?}") },
        ));
    }
    if let Some(n) = meta.global.num_channels
        && n != 1
    {
        return Err(SourceError::unsupported(meta_name, format!("core:num_channels {n}: only one channel is read")));
    }
    if meta.captures.later_header_bytes {
        return Err(SourceError::unsupported(meta_name, "core:header_bytes in a capture after the first"));
    }
    let sample_rate = match (spec.rate, meta.global.sample_rate) {
        (Some(r), _) => super::check_rate(r, "--rate").map_err(|e| SourceError::invalid(meta_name, e))?,
        (None, Some(r)) => super::check_rate(r, "core:sample_rate").map_err(|e| SourceError::metadata(meta_name, e))?,
        (None, None) => {
            return Err(SourceError::metadata(meta_name, "missing core:sample_rate in global (or give --rate)"));
        }
    };
    let capture = meta.captures.first;
    let first_start = capture.as_ref().map_or(0, |c| c.sample_start);
    let mut retunes = meta.captures.retunes;
    // sample positions from the start of the data; in order, no duplicates;
    // a --freq override means the user says it is one frequency
    for r in &mut retunes {
        r.sample_start = r.sample_start.saturating_sub(first_start);
    }
    retunes.sort_by_key(|r| r.sample_start);
    retunes.dedup_by_key(|r| r.sample_start);
    if spec.freq.is_some() || retunes.iter().any(|r| !r.freq_hz.is_finite() || r.freq_hz < 0.0) {
        retunes.clear();
    }
    let center_freq_hz = spec.freq.or(capture.as_ref().and_then(|c| c.frequency));
    let (sample_start, header_bytes) = capture.as_ref().map_or((0, 0), |c| (c.sample_start, c.header_bytes));
    let start_unix_ns = match capture.as_ref().and_then(|c| c.datetime.as_deref()) {
        Some(dt) => {
            let Some(t) = parse_rfc3339(dt) else {
                return Err(SourceError::metadata(meta_name, format!("core:datetime {dt:?} is not an RFC 3339 time")));
            };
            // The datetime is the time of the capture's first sample; an
            // offset beyond any representable time leaves the start unknown.
            let offset_ns = (sample_start as f64 * 1e9 / sample_rate).round();
            (offset_ns.abs() < 1e30).then(|| t - offset_ns as i128)
        }
        None => None,
    };
    Ok(Interpreted {
        format,
        sample_rate,
        center_freq_hz,
        start_unix_ns,
        header_bytes,
        trailing_bytes: meta.global.trailing_bytes,
        retunes,
    })
}

/// Opens the recording `paths` with the overrides of `spec`.
pub(crate) fn open(paths: &SigmfPaths, spec: &SourceSpec) -> Result<Box<dyn IqSource>, SourceError> {
    let meta_name = name_of(&paths.meta);
    let meta_file = open_existing(&paths.meta, &paths.data, "SigMF metadata file")?;
    let Interpreted { format, sample_rate, center_freq_hz, start_unix_ns, header_bytes, trailing_bytes, retunes } =
        interpret_meta(&meta_name, BufReader::new(meta_file), spec)?;

    let data_name = name_of(&paths.data);
    let mut data = open_existing(&paths.data, &paths.meta, "SigMF data file")?;
    let len = data.metadata().map_err(|e| SourceError::io(&data_name, "cannot open", e))?.len();
    let Some(payload) = len.checked_sub(header_bytes).and_then(|l| l.checked_sub(trailing_bytes)) else {
        return Err(SourceError::metadata(
            &meta_name,
            format!(
                "core:header_bytes {header_bytes} and core:trailing_bytes {trailing_bytes} exceed the {len} bytes of {data_name}"
            ),
        ));
    };
    if header_bytes > 0 {
        data.seek(SeekFrom::Start(header_bytes)).map_err(|e| SourceError::io(&data_name, "read error", e))?;
    }
    let info = StreamInfo {
        sample_rate,
        center_freq_hz,
        format,
        start_unix_ns,
        name: data_name,
        total_samples: Some(payload / format.bytes_per_sample() as u64),
    };
    let inner = RawSource::from_reader(data.take(payload), info);
    if retunes.is_empty() {
        return Ok(Box::new(inner));
    }
    Ok(Box::new(SegmentedSource { inner, retunes }))
}

/// A recording whose capture segments change frequency (made while
/// scanning): the segments tell the pipeline where the tuning changed.
struct SegmentedSource<R> {
    inner: RawSource<R>,
    retunes: Vec<super::Segment>,
}

impl<R: io::Read + Send> IqSource for SegmentedSource<R> {
    fn info(&self) -> &StreamInfo {
        self.inner.info()
    }

    fn read_block(&mut self, block: &mut super::IqBlock, max_samples: usize) -> Result<usize, SourceError> {
        self.inner.read_block(block, max_samples)
    }

    fn retunes(&self) -> &[super::Segment] {
        &self.retunes
    }
}

/// One SigMF annotation: a labelled stretch of samples (and frequencies).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotation {
    /// First sample annotated (`core:sample_start`).
    pub sample_start: u64,
    /// Number of samples annotated (`core:sample_count`).
    pub sample_count: u64,
    /// Lower and upper frequency edges in Hz (`core:freq_lower_edge`,
    /// `core:freq_upper_edge`); written only when both are given and finite.
    pub freq_lower_edge: Option<f64>,
    pub freq_upper_edge: Option<f64>,
    /// Short label (`core:label`).
    pub label: Option<String>,
    /// Free text (`core:comment`).
    pub comment: Option<String>,
}

impl Annotation {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("core:sample_start".into(), json!(self.sample_start));
        m.insert("core:sample_count".into(), json!(self.sample_count));
        if let (Some(lo), Some(hi)) = (self.freq_lower_edge, self.freq_upper_edge)
            && lo.is_finite()
            && hi.is_finite()
        {
            m.insert("core:freq_lower_edge".into(), json!(lo));
            m.insert("core:freq_upper_edge".into(), json!(hi));
        }
        if let Some(l) = &self.label {
            m.insert("core:label".into(), json!(l));
        }
        if let Some(c) = &self.comment {
            m.insert("core:comment".into(), json!(c));
        }
        Value::Object(m)
    }
}

/// Writes a SigMF recording: samples to `X.sigmf-data` as they come, the
/// metadata `X.sigmf-meta` when created (so that an interrupted recording
/// is still readable) and again, with the annotations, by [`finish`](Self::finish).
///
/// Samples are converted like [`RawWriter`]: rounded to the nearest code,
/// clipped (and counted) outside full scale. Annotations are kept in memory
/// until `finish`.
pub struct SigmfWriter {
    data: RawWriter<BufWriter<File>>,
    meta_path: PathBuf,
    data_path: PathBuf,
    sample_rate: f64,
    center_freq: Option<f64>,
    start_unix_ns: Option<i128>,
    description: String,
    annotations: Vec<Annotation>,
    /// Capture segments after the first (retunes).
    retunes: Vec<super::Segment>,
}

impl SigmfWriter {
    /// Creates (or truncates) the recording at `meta_path` (`X.sigmf-meta`,
    /// `X.sigmf-data` or base name `X`). `start_unix_ns` is the time of the
    /// first sample, written as the capture's `core:datetime`.
    pub fn create(
        meta_path: impl AsRef<Path>,
        format: SampleFormat,
        sample_rate: f64,
        center_freq: Option<f64>,
        start_unix_ns: Option<i128>,
        description: &str,
    ) -> Result<Self, SourceError> {
        let SigmfPaths { meta, data } = SigmfPaths::for_path(meta_path.as_ref());
        let meta_name = name_of(&meta);
        super::check_rate(sample_rate, "sample rate").map_err(|e| SourceError::invalid(&meta_name, e))?;
        if let Some(f) = center_freq
            && !f.is_finite()
        {
            return Err(SourceError::invalid(&meta_name, format!("center frequency {f} is not a finite number")));
        }
        let data_w = RawWriter::create(&data, format)?;
        let w = SigmfWriter {
            data: data_w,
            meta_path: meta,
            data_path: data,
            sample_rate,
            center_freq,
            start_unix_ns,
            description: description.to_string(),
            annotations: Vec::new(),
            retunes: Vec::new(),
        };
        w.write_meta()?;
        Ok(w)
    }

    /// Path of the metadata file.
    pub fn meta_path(&self) -> &Path {
        &self.meta_path
    }

    /// Path of the data file.
    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    /// Appends the samples `re[k] + j·im[k]`. The slices must have the same length.
    pub fn write(&mut self, re: &[f32], im: &[f32]) -> Result<(), SourceError> {
        self.data.write(re, im)
    }

    /// Adds an annotation (written, sorted by `sample_start`, by [`finish`](Self::finish)).
    pub fn annotate(&mut self, a: Annotation) {
        self.annotations.push(a);
    }

    /// Starts a new capture segment at the next sample written: the
    /// receiver was retuned to `freq_hz`, and its first `settle_samples`
    /// were recorded while it settled (`ridscope:settle_samples`).
    pub fn retune(&mut self, freq_hz: f64, settle_samples: u64) {
        let sample_start = self.data.summary().samples;
        self.retunes.retain(|r| r.sample_start != sample_start);
        self.retunes.push(super::Segment { sample_start, freq_hz, settle_samples });
    }

    /// Samples written and clipped so far.
    pub fn summary(&self) -> WriteSummary {
        self.data.summary()
    }

    /// Flushes the samples and writes the final metadata.
    pub fn finish(mut self) -> Result<WriteSummary, SourceError> {
        self.annotations.sort_by_key(|a| a.sample_start);
        self.write_meta()?;
        self.data.finish()
    }

    fn meta_json(&self) -> Value {
        let mut global = Map::new();
        global.insert("core:datatype".into(), json!(self.data.format().sigmf_datatype()));
        global.insert("core:sample_rate".into(), json!(self.sample_rate));
        global.insert("core:version".into(), json!(SIGMF_VERSION));
        global.insert("core:description".into(), json!(self.description));
        global.insert("core:recorder".into(), json!("ridscope"));
        let mut capture = Map::new();
        capture.insert("core:sample_start".into(), json!(0));
        if let Some(f) = self.center_freq {
            capture.insert("core:frequency".into(), json!(f));
        }
        if let Some(dt) = self.start_unix_ns.and_then(format_rfc3339) {
            capture.insert("core:datetime".into(), json!(dt));
        }
        let mut captures = vec![Value::Object(capture)];
        for r in &self.retunes {
            let mut c = Map::new();
            c.insert("core:sample_start".into(), json!(r.sample_start));
            c.insert("core:frequency".into(), json!(r.freq_hz));
            if let Some(dt) = self
                .start_unix_ns
                .and_then(|t| format_rfc3339(t + (r.sample_start as f64 * 1e9 / self.sample_rate).round() as i128))
            {
                c.insert("core:datetime".into(), json!(dt));
            }
            if r.settle_samples > 0 {
                c.insert("ridscope:settle_samples".into(), json!(r.settle_samples));
            }
            captures.push(Value::Object(c));
        }
        let mut root = Map::new();
        root.insert("global".into(), Value::Object(global));
        root.insert("captures".into(), Value::Array(captures));
        root.insert("annotations".into(), Value::Array(self.annotations.iter().map(Annotation::to_json).collect()));
        Value::Object(root)
    }

    fn write_meta(&self) -> Result<(), SourceError> {
        let name = name_of(&self.meta_path);
        let file = File::create(&self.meta_path).map_err(|e| SourceError::io(&name, "cannot create", e))?;
        let mut w = BufWriter::new(file);
        serde_json::to_writer_pretty(&mut w, &self.meta_json())
            .map_err(io::Error::from)
            .and_then(|()| w.write_all(b"\n"))
            .and_then(|()| w.flush())
            .map_err(|e| SourceError::io(&name, "write error", e))
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Leap years in [1, y): counting with floor division also works for y <= 0.
    let leaps_before = |y: i64| (y - 1).div_euclid(4) - (y - 1).div_euclid(100) + (y - 1).div_euclid(400);
    let before_month: i64 = (1..month).map(|m| i64::from(days_in_month(year, m))).sum();
    365 * (year - 1970) + leaps_before(year) - leaps_before(1970) + before_month + i64::from(day) - 1
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The date of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let mut year = 1970 + days.div_euclid(365);
    while days_from_civil(year, 1, 1) > days {
        year -= 1;
    }
    while days_from_civil(year + 1, 1, 1) <= days {
        year += 1;
    }
    let mut rest = days - days_from_civil(year, 1, 1);
    let mut month = 1;
    while month < 12 && rest >= i64::from(days_in_month(year, month)) {
        rest -= i64::from(days_in_month(year, month));
        month += 1;
    }
    (year, month, rest as u32 + 1)
}

/// Parses an RFC 3339 time (`2024-05-01T12:34:56.789Z`, `...+02:00`) to Unix
/// nanoseconds. Lenient in three ways: `t` or a space may separate date and
/// time, a missing offset means UTC, and fractions beyond nanoseconds are
/// cut off. `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let d = b.get(from..from + len)?;
        d.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let year = i64::from(year);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut frac_ns: i128 = 0;
    if at(i, b".") {
        i += 1;
        let mut digits = 0;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if digits < 9 {
                frac_ns = frac_ns * 10 + i128::from(c - b'0');
                digits += 1;
            }
            i += 1;
        }
        if digits == 0 {
            return None;
        }
        frac_ns *= 10i128.pow(9 - digits);
    }
    let offset_s: i64 = match b.get(i..)? {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = i64::from(h * 3600 + m * 60);
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };
    let secs = days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_s;
    Some(i128::from(secs) * 1_000_000_000 + frac_ns)
}

/// Formats Unix nanoseconds as RFC 3339 UTC (`2024-05-01T12:34:56.789Z`),
/// with 0, 3, 6 or 9 fraction digits. `None` outside years 0000 to 9999.
pub(crate) fn format_rfc3339(unix_ns: i128) -> Option<String> {
    let secs = i64::try_from(unix_ns.div_euclid(1_000_000_000)).ok()?;
    let ns = unix_ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    if !(days_from_civil(0, 1, 1)..days_from_civil(10_000, 1, 1)).contains(&days) {
        return None;
    }
    let (year, month, day) = civil_from_days(days);
    let sod = secs.rem_euclid(86_400);
    let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
    let frac = match ns {
        0 => String::new(),
        _ if ns % 1_000_000 == 0 => format!(".{:03}", ns / 1_000_000),
        _ if ns % 1_000 == 0 => format!(".{:06}", ns / 1_000),
        _ => format!(".{ns:09}"),
    };
    Some(format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{frac}Z"))
}
