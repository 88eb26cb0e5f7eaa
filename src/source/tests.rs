//! Unit tests: conversions, file-name hints, RFC 3339 times, the streaming
//! reader's block handling, truncation and memory bounds.

use std::io::{self, Cursor, Read};

use super::convert::{decode, encode};
use super::name::{NameHints, hints_from_file_name};
use super::raw::CHUNK_BYTES;
use super::sigmf::{format_rfc3339, parse_rfc3339};
use super::*;

fn dec(format: SampleFormat, bytes: &[u8]) -> (Vec<f32>, Vec<f32>) {
    let n = bytes.len() / format.bytes_per_sample();
    let (mut re, mut im) = (vec![f32::NAN; n], vec![f32::NAN; n]);
    decode(format, bytes, &mut re, &mut im);
    (re, im)
}

fn enc(format: SampleFormat, re: &[f32], im: &[f32]) -> (Vec<u8>, u64) {
    let mut out = vec![0xAA; re.len() * format.bytes_per_sample()];
    let clipped = encode(format, re, im, &mut out);
    (out, clipped)
}

fn info(format: SampleFormat, name: &str) -> StreamInfo {
    StreamInfo {
        sample_rate: 1e6,
        center_freq_hz: None,
        format,
        start_unix_ns: None,
        name: name.to_string(),
        total_samples: None,
    }
}

// ---- conversion ----

#[test]
fn cu8_decodes_every_code_exactly() {
    let bytes: Vec<u8> = (0..=255u8).flat_map(|v| [v, 255 - v]).collect();
    let (re, im) = dec(SampleFormat::Cu8, &bytes);
    for v in 0..=255u8 {
        let want = ((f64::from(v) - 127.5) / 127.5) as f32;
        assert_eq!(re[usize::from(v)], want, "code {v}");
        assert_eq!(im[usize::from(v)], -want, "code {}", 255 - v);
    }
    assert_eq!((re[0], re[255]), (-1.0, 1.0));
    assert_eq!((re[127], re[128]), (-1.0 / 255.0, 1.0 / 255.0));
}

#[test]
fn cs8_decodes_every_code_exactly() {
    let bytes: Vec<u8> = (-128..=127i8).flat_map(|v| [v as u8, v.wrapping_neg() as u8]).collect();
    let (re, im) = dec(SampleFormat::Cs8, &bytes);
    for (k, v) in (-128..=127i8).enumerate() {
        assert_eq!(re[k], f32::from(v) / 128.0);
        assert_eq!(im[k], f32::from(v.wrapping_neg()) / 128.0);
    }
    assert_eq!((re[0], re[128], re[255]), (-1.0, 0.0, 0.9921875));
}

#[test]
fn cs16_decodes_little_endian_extremes() {
    let bytes = [0x00, 0x80, 0xFF, 0x7F, 0x01, 0x00, 0xFF, 0xFF, 0x01, 0x80, 0x00, 0x00];
    let (re, im) = dec(SampleFormat::Cs16, &bytes);
    assert_eq!(re, [-1.0, 1.0 / 32768.0, -32767.0 / 32768.0]);
    assert_eq!(im, [32767.0 / 32768.0, -1.0 / 32768.0, 0.0]);
    // every code
    let bytes: Vec<u8> = (i16::MIN..=i16::MAX).flat_map(|v| [v.to_le_bytes(), [0, 0]].concat()).collect();
    let (re, _) = dec(SampleFormat::Cs16, &bytes);
    for (k, v) in (i16::MIN..=i16::MAX).enumerate() {
        assert_eq!(re[k], f32::from(v) / 32768.0);
    }
}

#[test]
fn floats_decode_as_they_are() {
    let vals = [0.25f32, -1.5e-3, 3.0, f32::MIN_POSITIVE];
    let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let (re, im) = dec(SampleFormat::Cf32, &bytes);
    assert_eq!((re, im), (vec![0.25, 3.0], vec![-1.5e-3, f32::MIN_POSITIVE]));
    let vals = [0.1f64, -2.5, 1e300, -7.0];
    let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let (re, im) = dec(SampleFormat::Cf64, &bytes);
    assert_eq!((re, im), (vec![0.1f32, f32::INFINITY], vec![-2.5, -7.0]));
}

#[test]
fn encode_rounds_and_clips() {
    use SampleFormat::*;
    let re = [-1.0, 1.0, 0.0, 0.5, -1.01, 2.0, f32::NAN, 1.0 / 255.0];
    let im = [0.0; 8];
    let (b, c) = enc(Cu8, &re, &im);
    let codes: Vec<u8> = b.iter().step_by(2).copied().collect();
    assert_eq!(codes, [0, 255, 128, 191, 0, 255, 0, 128]);
    assert_eq!(c, 3, "-1.01, 2.0 and NaN clip");

    let (b, c) = enc(Cs8, &re, &im);
    let codes: Vec<i8> = b.iter().step_by(2).map(|&x| x as i8).collect();
    assert_eq!(codes, [-128, 127, 0, 64, -128, 127, -128, 1]);
    assert_eq!(c, 4, "1.0 is one code beyond cs8's 127/128");

    let (b, c) = enc(Cs16, &re, &im);
    let codes: Vec<i16> = b.chunks(4).map(|x| i16::from_le_bytes([x[0], x[1]])).collect();
    assert_eq!(codes, [-32768, 32767, 0, 16384, -32768, 32767, -32768, 129]);
    assert_eq!(c, 4);

    // the imaginary part clips too; a sample clipped in both parts counts once
    let (b, c) = enc(Cs8, &[0.0, 5.0], &[-3.0, -5.0]);
    assert_eq!((b, c), (vec![0, 0x80, 0x7F, 0x80], 2));
    let (b, c) = enc(Cs8, &[0.0], &[2.0]);
    assert_eq!((b, c), (vec![0, 127], 1));

    // the clip boundary is half a code beyond the extremes: 127.5/128 rounds to 128 and clips,
    // -128.5/128 rounds (halves to even) to -128 and does not
    let (b, c) = enc(Cs8, &[127.5 / 128.0, -128.5 / 128.0], &[0.0; 2]);
    assert_eq!((b[0] as i8, b[2] as i8, c), (127, -128, 1));
    let (_, c) = enc(Cs8, &[0.9960], &[-1.0038]);
    assert_eq!(c, 0);

    // rounding to nearest, not truncation
    let (b, _) = enc(Cs16, &[0.49 / 32768.0, 0.51 / 32768.0, -0.49 / 32768.0, -0.51 / 32768.0], &[0.0; 4]);
    let codes: Vec<i16> = b.chunks(4).map(|x| i16::from_le_bytes([x[0], x[1]])).collect();
    assert_eq!(codes, [0, 1, 0, -1]);
    // halves to even
    let (b, _) = enc(Cs16, &[0.5 / 32768.0, 1.5 / 32768.0, -0.5 / 32768.0, -1.5 / 32768.0], &[0.0; 4]);
    let codes: Vec<i16> = b.chunks(4).map(|x| i16::from_le_bytes([x[0], x[1]])).collect();
    assert_eq!(codes, [0, 2, 0, -2]);

    let (b, c) = enc(Cf32, &[1.5, -0.25], &[f32::NAN, 7.0]);
    assert_eq!(c, 0);
    assert_eq!(&b[..4], &1.5f32.to_le_bytes());
    assert!(f32::from_le_bytes([b[4], b[5], b[6], b[7]]).is_nan());
    let (b, c) = enc(Cf64, &[0.1], &[-7.0]);
    assert_eq!((c, &b[..8], &b[8..]), (0, &f64::from(0.1f32).to_le_bytes()[..], &(-7.0f64).to_le_bytes()[..]));
}

#[test]
fn every_integer_code_survives_decode_then_encode() {
    for format in [SampleFormat::Cu8, SampleFormat::Cs8, SampleFormat::Cs16] {
        let bytes: Vec<u8> = match format {
            SampleFormat::Cs16 => (0..=u16::MAX).flat_map(|v| [v.to_le_bytes(), (!v).to_le_bytes()].concat()).collect(),
            _ => (0..=255u8).flat_map(|v| [v, !v]).collect(),
        };
        let (re, im) = dec(format, &bytes);
        let (back, clipped) = enc(format, &re, &im);
        assert_eq!(clipped, 0, "{format}");
        assert!(back == bytes, "{format}");
    }
}

#[test]
fn format_names() {
    for f in SampleFormat::ALL {
        assert_eq!(f.as_str().parse::<SampleFormat>(), Ok(f));
        assert_eq!(f.sigmf_datatype().parse::<SampleFormat>(), Ok(f));
        assert_eq!(SampleFormat::from_extension(f.as_str()), Some(f));
    }
    for (ext, f) in [("CU8", SampleFormat::Cu8), ("fc32", SampleFormat::Cf32), ("cfile", SampleFormat::Cf32)] {
        assert_eq!(SampleFormat::from_extension(ext), Some(f));
    }
    assert_eq!(SampleFormat::from_extension("raw"), None);
    let e = "cu9\n".parse::<SampleFormat>().unwrap_err().to_string();
    assert_eq!(e, r#"unknown sample format "cu9\n" (known: cu8, cs8, cs16, cf32, cf64)"#);
}

// ---- rtl_433-style names ----

#[test]
fn rtl433_name_table() {
    let table: &[(&str, Option<f64>, Option<f64>)] = &[
        ("g001_433.92M_250k.cu8", Some(433_920_000.0), Some(250_000.0)),
        ("ble_2402M_4M.cu8", Some(2_402_000_000.0), Some(4_000_000.0)),
        ("wifi_2441.5M_61440k.cs16", Some(2_441_500_000.0), Some(61_440_000.0)),
        ("x_2.4G_20M.cs8", Some(2_400_000_000.0), Some(20_000_000.0)),
        ("x-868.3M-1024k.cu8", Some(868_300_000.0), Some(1_024_000.0)),
        ("/some/dir_1M/rec_915M_2M.cu8", Some(915_000_000.0), Some(2_000_000.0)),
        ("rec_4Msps_2402MHz.cf32", Some(2_402_000_000.0), Some(4_000_000.0)),
        ("rec_2402MHz_4M.cf32", Some(2_402_000_000.0), Some(4_000_000.0)),
        ("rec_250kS_433.92M.cu8", Some(433_920_000.0), Some(250_000.0)),
        ("only_433.92M.cu8", Some(433_920_000.0), None),
        ("no_hints_here.cu8", None, None),
        ("2024-05-01_10m_g3_433.92M_250k.cu8", Some(433_920_000.0), Some(250_000.0)),
        ("rec_433.92M_250k", Some(433_920_000.0), Some(250_000.0)),
        ("rec_0k_2402M_4M.cu8", Some(2_402_000_000.0), Some(4_000_000.0)),
        ("rec_1.2.3M_2402M_4M.cu8", Some(2_402_000_000.0), Some(4_000_000.0)),
        ("rec_2402M_4M_8M.cu8", Some(2_402_000_000.0), Some(4_000_000.0)),
        ("rec_250kS_433.92M_2M.cu8", Some(433_920_000.0), Some(250_000.0)),
    ];
    for &(name, freq, rate) in table {
        let path = std::path::Path::new(name);
        let file = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(hints_from_file_name(file), NameHints { center_freq_hz: freq, sample_rate: rate }, "{name}");
    }
}

// ---- RFC 3339 ----

#[test]
fn rfc3339_parse_known_values() {
    let s = 1_000_000_000i128;
    let table: &[(&str, i128)] = &[
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.000000001Z", 1),
        ("2000-03-01T00:00:00Z", 951_868_800 * s),
        ("2024-02-29T12:34:56.789Z", 1_709_210_096 * s + 789_000_000),
        ("2024-02-29T14:34:56.789+02:00", 1_709_210_096 * s + 789_000_000),
        ("2024-02-29t10:04:56.789-02:30", 1_709_210_096 * s + 789_000_000),
        ("2024-02-29 12:34:56.7891234567z", 1_709_210_096 * s + 789_123_456),
        ("2024-02-29T12:34:56.789", 1_709_210_096 * s + 789_000_000),
        ("1969-12-31T23:59:59.5Z", -s / 2),
        ("1900-01-01T00:00:00Z", -2_208_988_800 * s),
        ("0000-01-01T00:00:00Z", -62_167_219_200 * s),
        ("9999-12-31T23:59:59Z", 253_402_300_799 * s),
    ];
    for &(text, ns) in table {
        assert_eq!(parse_rfc3339(text), Some(ns), "{text}");
    }
    for bad in [
        "",
        "garbage",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-01T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:61Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00+0200",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00ZZ",
        "2024-01-01X00:00:00Z",
        "2024/01/01T00:00:00Z",
        "+024-01-01T00:00:00Z",
        "2024-01-01T00:00:00 UTC",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
    }
}

#[test]
fn rfc3339_format_round_trips() {
    assert_eq!(format_rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
    assert_eq!(format_rfc3339(1_709_210_096_789_000_000).as_deref(), Some("2024-02-29T12:34:56.789Z"));
    assert_eq!(format_rfc3339(1_709_210_096_789_100_000).as_deref(), Some("2024-02-29T12:34:56.789100Z"));
    assert_eq!(format_rfc3339(-1).as_deref(), Some("1969-12-31T23:59:59.999999999Z"));
    assert_eq!(format_rfc3339(253_402_300_800_000_000_000), None);
    assert_eq!(format_rfc3339(i128::MAX), None);
    assert_eq!(format_rfc3339(i128::MIN), None);
    // pseudo-random times over years 0000..9999
    let (lo, hi) = (-62_167_219_200_000_000_000i128, 253_402_300_799_999_999_999i128);
    let mut x = 0x1234_5678_9abc_def0u64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let t = lo + i128::from(x) * 16_777_216 % (hi - lo);
        let text = format_rfc3339(t).unwrap();
        assert_eq!(parse_rfc3339(&text), Some(t), "{text}");
    }
}

// ---- the streaming reader ----

/// Reads all of `bytes` as `format` with blocks of `max` samples through a
/// reader that hands out at most `piece` bytes per call.
fn read_all(format: SampleFormat, bytes: &[u8], max: usize, piece: usize) -> (Vec<f32>, Vec<f32>, Option<String>) {
    let mut src = RawSource::from_reader(Pieces { data: Cursor::new(bytes.to_vec()), piece }, info(format, "t"));
    let mut b = IqBlock::default();
    let (mut re, mut im) = (Vec::new(), Vec::new());
    loop {
        match src.read_block(&mut b, max) {
            Ok(0) => return (re, im, None),
            Ok(n) => {
                assert!(n <= max && n == b.re.len() && n == b.im.len());
                assert_eq!(b.start_sample, re.len() as u64);
                re.extend_from_slice(&b.re);
                im.extend_from_slice(&b.im);
            }
            Err(e) => {
                assert_eq!(src.read_block(&mut b, max).unwrap(), 0, "the stream ends after an error");
                return (re, im, Some(e.to_string()));
            }
        }
    }
}

/// A reader that returns at most `piece` bytes per call (like a pipe).
struct Pieces {
    data: Cursor<Vec<u8>>,
    piece: usize,
}

impl Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.piece);
        self.data.read(&mut buf[..n])
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

#[test]
fn block_size_and_read_size_do_not_change_the_samples() {
    for format in SampleFormat::ALL {
        let bytes = if format == SampleFormat::Cf32 || format == SampleFormat::Cf64 {
            // finite floats only, so that the comparison below is meaningful
            (0..10_000u32)
                .flat_map(|k| {
                    let v = (k as f32 * 0.37).sin();
                    if format == SampleFormat::Cf32 {
                        v.to_le_bytes().to_vec()
                    } else {
                        f64::from(v).to_le_bytes().to_vec()
                    }
                })
                .collect()
        } else {
            pattern(20_000)
        };
        let n = bytes.len() / format.bytes_per_sample();
        let reference = dec(format, &bytes);
        for max in [1, 7, 4096, 1 << 20] {
            for piece in [1, 3, 5, 4093, usize::MAX] {
                if max == 1 && piece == 1 && format == SampleFormat::Cf64 {
                    continue; // slow at opt-level 1, and covered by the other pairs
                }
                let (re, im, err) = read_all(format, &bytes, max, piece);
                assert_eq!(err, None);
                assert_eq!(re.len(), n, "{format} max {max} piece {piece}");
                assert!(re == reference.0 && im == reference.1, "{format} max {max} piece {piece}");
            }
        }
    }
}

#[test]
fn truncated_stream_returns_whole_samples_then_one_line() {
    for (format, extra) in [(SampleFormat::Cu8, 1), (SampleFormat::Cs16, 3), (SampleFormat::Cf64, 15)] {
        let bps = format.bytes_per_sample();
        let bytes = pattern(bps * 10 + extra);
        for max in [1, 3, 5, 10, 64] {
            let (re, _, err) = read_all(format, &bytes, max, 7);
            assert_eq!(re.len(), 10, "{format} {max}");
            assert_eq!(
                err.as_deref(),
                Some(format!("t: truncated: {extra} trailing byte(s) do not make a whole {format} sample").as_str())
            );
        }
    }
}

/// A reader that fails after `ok` bytes, and is interrupted now and then.
struct Failing {
    pos: usize,
    ok: usize,
    calls: usize,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(3) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        if self.pos >= self.ok {
            return Err(io::Error::other("device unplugged"));
        }
        let n = buf.len().min(self.ok - self.pos).min(5);
        buf[..n].fill(255);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn read_errors_come_after_the_samples_before_them() {
    let mut src = RawSource::from_reader(Failing { pos: 0, ok: 21, calls: 0 }, info(SampleFormat::Cu8, "-"));
    let mut b = IqBlock::default();
    assert_eq!(src.read_block(&mut b, 4).unwrap(), 4);
    assert_eq!(src.read_block(&mut b, 100).unwrap(), 6, "the samples before the error");
    assert_eq!(b.start_sample, 4);
    assert!(b.re.iter().all(|&v| v == 1.0));
    let e = src.read_block(&mut b, 100).unwrap_err().to_string();
    assert_eq!(e, "stdin: read error: device unplugged");
    assert_eq!(src.read_block(&mut b, 100).unwrap(), 0);
}

/// Generates `len` bytes of a known pattern without storing them, and
/// records the largest read it was asked for.
struct Generator {
    pos: u64,
    len: u64,
    largest_read: usize,
    reads: u64,
}

impl Read for Generator {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.largest_read = self.largest_read.max(buf.len());
        self.reads += 1;
        let n = buf.len().min((self.len - self.pos) as usize);
        for (k, b) in buf[..n].iter_mut().enumerate() {
            *b = (self.pos + k as u64) as u8;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[test]
fn memory_stays_bounded_whatever_the_stream_length() {
    const LEN: u64 = 96 << 20; // 96 MiB, 48 Mi cu8 samples
    const MAX: usize = 200_003; // more than one chunk of bytes, and not a power of two
    let mut src = RawSource::from_reader(
        Generator { pos: 0, len: LEN, largest_read: 0, reads: 0 },
        info(SampleFormat::Cu8, "gen"),
    );
    let buffer = src.buffer_len();
    assert!(buffer <= CHUNK_BYTES);
    let mut b = IqBlock::default();
    let (mut total, mut calls) = (0u64, 0u64);
    let mut first_alloc = None;
    loop {
        let n = src.read_block(&mut b, MAX).unwrap();
        if n == 0 {
            break;
        }
        calls += 1;
        assert!(n <= MAX);
        assert_eq!(b.start_sample, total);
        assert!(b.re.capacity() <= MAX && b.im.capacity() <= MAX, "capacity {}", b.re.capacity());
        let ptrs = (b.re.as_ptr(), b.im.as_ptr());
        assert_eq!(*first_alloc.get_or_insert(ptrs), ptrs, "the block's arrays were reallocated");
        // the pattern: byte k is k mod 256, so sample s is (2s mod 256, 2s+1 mod 256)
        for (k, (&r, &i)) in b.re.iter().zip(&b.im).enumerate() {
            let byte = (2 * (total + k as u64)) as u8;
            if r != (f32::from(byte) - 127.5) / 127.5 || i != (f32::from(byte.wrapping_add(1)) - 127.5) / 127.5 {
                panic!("sample {} differs", total + k as u64);
            }
        }
        total += n as u64;
    }
    assert_eq!(total, LEN / 2);
    assert_eq!(calls, (LEN / 2).div_ceil(MAX as u64));
    assert_eq!(src.buffer_len(), buffer);
    let g = src.get_ref();
    assert!(g.largest_read <= CHUNK_BYTES, "asked for {} bytes at once", g.largest_read);
    assert!(g.reads <= LEN / (CHUNK_BYTES as u64 / 2) + calls + 1, "{} reads: too small", g.reads);
}

#[test]
fn zero_max_samples_reads_nothing() {
    let mut src = RawSource::from_reader(Cursor::new(vec![0u8; 8]), info(SampleFormat::Cu8, "t"));
    let mut b = IqBlock::default();
    assert_eq!(src.read_block(&mut b, 0).unwrap(), 0);
    assert_eq!(src.read_block(&mut b, 10).unwrap(), 4);
}

#[test]
fn error_names_stay_on_one_line() {
    let e = SourceError::missing("a\nb.cu8", "x");
    assert_eq!(e.to_string(), "a\\nb.cu8: x");
    assert_eq!(SourceError::missing("-", "x").to_string(), "stdin: x");
}

#[test]
fn sample_rates_above_10_gs_are_refused_wherever_they_come_from() {
    let dir = std::env::temp_dir().join(format!("ridscope-src-rate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = |r: Result<Box<dyn IqSource>, SourceError>| r.err().expect("refused").to_string();
    // a raw file whose name says 1e27 S/s, and the same with --rate
    let p = dir.join("x_2402M_999999999999999999G.cu8");
    std::fs::write(&p, [127u8; 64]).unwrap();
    let path = p.to_string_lossy().to_string();
    let e = err(open(&SourceSpec::new(&path)));
    assert!(e.starts_with(&path) && e.contains("file name") && e.contains("above 10 GS/s"), "{e}");
    let ok = open(&SourceSpec { rate: Some(4e6), ..SourceSpec::new(&path) }).unwrap();
    assert_eq!(ok.info().sample_rate, 4e6, "--rate wins over the name");
    for rate in [1e300, 10.000001e9, f64::INFINITY] {
        let e = err(open(&SourceSpec { rate: Some(rate), ..SourceSpec::new(&path) }));
        assert!(e.contains("--rate"), "{e}");
        let e = err(open(&SourceSpec { rate: Some(rate), format: Some(SampleFormat::Cu8), ..SourceSpec::new("-") }));
        assert!(e.starts_with("stdin: --rate"), "{e}");
    }
    assert_eq!(open(&SourceSpec { rate: Some(10e9), ..SourceSpec::new(&path) }).unwrap().info().sample_rate, 10e9);
    // SigMF metadata, with and without --rate
    let meta = br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e300}}"#;
    let e = super::sigmf::interpret_meta("m.sigmf-meta", &meta[..], &SourceSpec::new("m")).err().unwrap().to_string();
    assert_eq!(e, "m.sigmf-meta: core:sample_rate 1e300 is above 10 GS/s, the highest sample rate accepted");
    assert!(
        super::sigmf::interpret_meta(
            "m.sigmf-meta",
            &meta[..],
            &SourceSpec { rate: Some(2e6), ..SourceSpec::new("m") }
        )
        .is_ok()
    );
    let e = super::sigmf::interpret_meta(
        "m.sigmf-meta",
        &meta[..],
        &SourceSpec { rate: Some(1e11), ..SourceSpec::new("m") },
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("--rate 100000000000 is above"), "{e}");
    // nor are such recordings written
    let e = SigmfWriter::create(dir.join("w.sigmf-meta"), SampleFormat::Cu8, 2e10, None, None, "").err().unwrap();
    assert!(e.to_string().contains("above 10 GS/s"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- no panics on outside data ----

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    #[test]
    fn text_parsers_never_panic(text in "\\PC{0,40}", near in "[0-9TZ:+. kMGHzsp_-]{0,32}") {
        let _ = parse_rfc3339(&text);
        let _ = parse_rfc3339(&near);
        let _ = hints_from_file_name(&text);
        let h = hints_from_file_name(&near);
        proptest::prop_assert!(h.sample_rate.is_none_or(|r| r > 0.0 && r.is_finite()));
        let _ = text.parse::<SampleFormat>();
    }

    #[test]
    fn any_bytes_give_the_whole_samples(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        f in 0..5usize,
        max in 1..40usize,
        piece in 1..20usize,
    ) {
        let format = SampleFormat::ALL[f];
        let (re, im, err) = read_all(format, &bytes, max, piece);
        let bps = format.bytes_per_sample();
        proptest::prop_assert_eq!(re.len(), bytes.len() / bps);
        proptest::prop_assert_eq!(im.len(), re.len());
        proptest::prop_assert_eq!(err.is_some(), bytes.len() % bps != 0);
    }
}
