//! Raw interleaved IQ: [`RawSource`] reads any [`Read`], [`RawWriter`]
//! writes any [`Write`].

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use super::convert::{decode, encode};
use super::{IqBlock, IqSource, SourceError, SourceErrorKind, StreamInfo};

/// Bytes read from the underlying reader per call; the source's only buffer.
pub(crate) const CHUNK_BYTES: usize = 256 * 1024;

/// Samples converted per write call of a [`RawWriter`] (also bounds the
/// conversion's u32 clip counter).
const WRITE_CHUNK_SAMPLES: usize = 16 * 1024;

/// Raw interleaved samples from any reader (a file, standard input, a
/// `Cursor` in tests), in the format `info.format` says.
///
/// Reads 256 KiB pieces into one buffer allocated at
/// construction, so memory does not depend on the length of the stream. A
/// stream whose length is not a whole number of samples ends with a
/// [`SourceErrorKind::Truncated`] error after the last whole sample.
pub struct RawSource<R> {
    reader: R,
    info: StreamInfo,
    /// Bytes from the reader; `buf[..carry]` is a partial sample left over
    /// from the previous read.
    buf: Box<[u8]>,
    carry: usize,
    /// Index of the next sample to return.
    next_sample: u64,
    /// An error to return once the samples before it have been handed out.
    pending: Option<SourceError>,
    /// End of stream reached, or an error returned.
    done: bool,
}

impl<R: Read> RawSource<R> {
    /// A source reading `reader`, described by `info` (`info.name` names it in errors).
    pub fn from_reader(reader: R, info: StreamInfo) -> Self {
        let bps = info.format.bytes_per_sample();
        let buf = vec![0u8; CHUNK_BYTES / bps * bps].into_boxed_slice();
        RawSource { reader, info, buf, carry: 0, next_sample: 0, pending: None, done: false }
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The underlying reader, for sending to it (rtl_tcp commands).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The stream description, for sources that retune.
    pub(crate) fn info_mut(&mut self) -> &mut StreamInfo {
        &mut self.info
    }

    /// Size of the internal byte buffer (fixed at construction).
    pub fn buffer_len(&self) -> usize {
        self.buf.len()
    }
}

/// Makes sure `v` can grow to `need` without reallocating, growing by
/// doubling but never beyond `max` (the caller's block size).
fn reserve_up_to(v: &mut Vec<f32>, need: usize, max: usize) {
    if v.capacity() < need {
        let target = need.max(v.capacity().saturating_mul(2)).min(max.max(need));
        v.reserve_exact(target - v.len());
    }
}

impl<R: Read + Send> IqSource for RawSource<R> {
    fn info(&self) -> &StreamInfo {
        &self.info
    }

    fn read_block(&mut self, block: &mut IqBlock, max_samples: usize) -> Result<usize, SourceError> {
        block.start_sample = self.next_sample;
        block.dropped_before = false;
        if let Some(e) = self.pending.take() {
            self.done = true;
            block.re.clear();
            block.im.clear();
            return Err(e);
        }
        if self.done || max_samples == 0 {
            block.re.clear();
            block.im.clear();
            return Ok(0);
        }
        // a recycled block keeps its length: samples are written over it
        // (no zero fill), and it is cut to what was read at the end
        let mut got = 0;
        let format = self.info.format;
        let bps = format.bytes_per_sample();
        let chunk_samples = self.buf.len() / bps;
        while got < max_samples {
            let want = (max_samples - got).min(chunk_samples);
            // want >= 1 and carry < bps, so the range is never empty.
            let Some(space) = self.buf.get_mut(self.carry..want * bps) else { break };
            let n = match self.reader.read(space) {
                Ok(0) => {
                    self.done = true;
                    if self.carry > 0 {
                        self.pending = Some(SourceError::new(
                            &self.info.name,
                            SourceErrorKind::Truncated { bytes: self.carry, format },
                        ));
                    }
                    break;
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.pending = Some(SourceError::io(&self.info.name, "read error", e));
                    break;
                }
            };
            let filled = self.carry + n;
            let whole = filled / bps;
            let start = got;
            got += whole;
            if block.re.len() < got || block.im.len() < got {
                reserve_up_to(&mut block.re, got, max_samples);
                reserve_up_to(&mut block.im, got, max_samples);
                block.re.resize(got, 0.0);
                block.im.resize(got, 0.0);
            }
            let used = whole * bps;
            if let (Some(bytes), Some(re), Some(im)) =
                (self.buf.get(..used), block.re.get_mut(start..got), block.im.get_mut(start..got))
            {
                decode(format, bytes, re, im);
            }
            // A partial sample moves to the front for the next read (filled <= buf.len()).
            self.carry = filled - used;
            if self.carry > 0 {
                self.buf.copy_within(used..filled, 0);
            }
        }
        block.re.truncate(got);
        block.im.truncate(got);
        self.next_sample += got as u64;
        if got == 0
            && let Some(e) = self.pending.take()
        {
            self.done = true;
            return Err(e);
        }
        Ok(got)
    }
}

/// What a writer wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Samples written.
    pub samples: u64,
    /// Samples with a part outside the format's range (or NaN), written
    /// clipped to the nearest code.
    pub clipped: u64,
}

/// Writes split `f32` samples as a raw file in any [`super::SampleFormat`],
/// rounding to the nearest code (halves to even) and clipping (and counting) values outside
/// full scale. The inverse of [`RawSource`].
pub struct RawWriter<W: Write> {
    w: W,
    format: super::SampleFormat,
    name: String,
    buf: Vec<u8>,
    summary: WriteSummary,
}

impl RawWriter<BufWriter<File>> {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: impl AsRef<Path>, format: super::SampleFormat) -> Result<Self, SourceError> {
        let path = path.as_ref();
        let name = path.to_string_lossy();
        let file = File::create(path).map_err(|e| SourceError::io(&name, "cannot create", e))?;
        Ok(RawWriter::from_writer(BufWriter::new(file), format, &name))
    }
}

impl<W: Write> RawWriter<W> {
    /// A writer into `w`; `name` names it in errors.
    pub fn from_writer(w: W, format: super::SampleFormat, name: &str) -> Self {
        RawWriter { w, format, name: name.to_string(), buf: Vec::new(), summary: WriteSummary::default() }
    }

    /// The format written.
    pub fn format(&self) -> super::SampleFormat {
        self.format
    }

    /// Appends the samples `re[k] + j·im[k]`. The slices must have the same length.
    pub fn write(&mut self, re: &[f32], im: &[f32]) -> Result<(), SourceError> {
        if re.len() != im.len() {
            return Err(SourceError::invalid(
                &self.name,
                format!("write of {} real and {} imaginary parts", re.len(), im.len()),
            ));
        }
        let bps = self.format.bytes_per_sample();
        for (r, i) in re.chunks(WRITE_CHUNK_SAMPLES).zip(im.chunks(WRITE_CHUNK_SAMPLES)) {
            self.buf.resize(r.len() * bps, 0);
            self.summary.clipped += encode(self.format, r, i, &mut self.buf);
            self.w.write_all(&self.buf).map_err(|e| SourceError::io(&self.name, "write error", e))?;
            self.summary.samples += r.len() as u64;
        }
        Ok(())
    }

    /// Samples written and clipped so far.
    pub fn summary(&self) -> WriteSummary {
        self.summary
    }

    /// Flushes the writer and returns what was written.
    pub fn finish(mut self) -> Result<WriteSummary, SourceError> {
        self.w.flush().map_err(|e| SourceError::io(&self.name, "write error", e))?;
        Ok(self.summary)
    }
}
