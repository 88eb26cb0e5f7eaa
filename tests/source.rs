//! IQ sources from the outside: files written by the writers read back
//! through `source::open`, hand-written SigMF, and one clear line naming the
//! file for every way an input can be wrong.

use std::fs;
use std::path::{Path, PathBuf};

use ridscope::source::{
    Annotation, IqBlock, IqSource, RawWriter, SampleFormat, SigmfWriter, SourceErrorKind, SourceSpec, open,
};

/// A fresh directory for one test.
fn tmp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ridscope-source-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

fn read_all(src: &mut dyn IqSource) -> (Vec<f32>, Vec<f32>) {
    let mut b = IqBlock::default();
    let (mut re, mut im) = (Vec::new(), Vec::new());
    while src.read_block(&mut b, 1000).unwrap() > 0 {
        re.extend_from_slice(&b.re);
        im.extend_from_slice(&b.im);
    }
    (re, im)
}

/// A test signal: a tone at 0.9 of full scale, then the extremes and zero.
fn signal() -> (Vec<f32>, Vec<f32>) {
    let mut re: Vec<f32> = (0..5000).map(|k| 0.9 * (k as f32 * 0.01).cos()).collect();
    let mut im: Vec<f32> = (0..5000).map(|k| 0.9 * (k as f32 * 0.01).sin()).collect();
    re.extend([-1.0, 0.99, 0.0]);
    im.extend([0.99, -1.0, 0.0]);
    (re, im)
}

/// Largest error of a write-read round trip: half a quantization step.
fn tolerance(f: SampleFormat) -> f32 {
    match f {
        SampleFormat::Cu8 => 0.5 / 127.5 + 1e-6,
        SampleFormat::Cs8 => 0.5 / 128.0 + 1e-6,
        SampleFormat::Cs16 => 0.5 / 32768.0 + 1e-7,
        SampleFormat::Cf32 | SampleFormat::Cf64 => 0.0,
    }
}

fn assert_close(f: SampleFormat, got: &(Vec<f32>, Vec<f32>), want: &(Vec<f32>, Vec<f32>)) {
    assert_eq!(got.0.len(), want.0.len(), "{f}");
    let worst =
        got.0.iter().chain(&got.1).zip(want.0.iter().chain(&want.1)).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(worst <= tolerance(f), "{f}: error {worst}");
}

#[test]
fn raw_files_round_trip_every_format() {
    let dir = tmp_dir("raw");
    let sig = signal();
    for format in SampleFormat::ALL {
        let path = dir.join(format!("tone_2441.5M_61440k.{format}"));
        let mut w = RawWriter::create(&path, format).unwrap();
        w.write(&sig.0[..100], &sig.1[..100]).unwrap();
        w.write(&sig.0[100..], &sig.1[100..]).unwrap();
        let summary = w.finish().unwrap();
        assert_eq!(summary.samples, sig.0.len() as u64);
        assert_eq!(fs::metadata(&path).unwrap().len(), summary.samples * format.bytes_per_sample() as u64);
        let mut src = open(&SourceSpec::new(s(&path))).unwrap();
        let info = src.info().clone();
        assert_eq!((info.format, info.sample_rate, info.center_freq_hz), (format, 61_440_000.0, Some(2_441_500_000.0)));
        assert_eq!((info.total_samples, info.start_unix_ns, info.name), (Some(summary.samples), None, s(&path)));
        assert_close(format, &read_all(&mut *src), &sig);
    }
    // --format, --rate and --freq win over extension and name
    let path = dir.join(format!("tone_2441.5M_61440k.{}", SampleFormat::Cs16));
    let spec = SourceSpec {
        path: s(&path),
        format: Some(SampleFormat::Cu8),
        rate: Some(2e6),
        freq: Some(915e6),
        ..Default::default()
    };
    let src = open(&spec).unwrap();
    let info = src.info();
    assert_eq!((info.format, info.sample_rate, info.center_freq_hz), (SampleFormat::Cu8, 2e6, Some(915e6)));
    // other extensions of the same formats
    for (ext, format) in
        [("cfile", SampleFormat::Cf32), ("fc32", SampleFormat::Cf32), ("complex16u", SampleFormat::Cu8)]
    {
        let p = dir.join(format!("x.{ext}"));
        fs::write(&p, [0u8; 16]).unwrap();
        let spec = SourceSpec { rate: Some(1e6), ..SourceSpec::new(s(&p)) };
        assert_eq!(open(&spec).unwrap().info().format, format, "{ext}");
    }
    // clipping is counted
    let mut w = RawWriter::create(dir.join("clip.cs8"), SampleFormat::Cs8).unwrap();
    w.write(&[0.0, 1.5, -0.5, 1.0], &[0.0, 0.0, -2.0, 0.0]).unwrap();
    assert_eq!(w.finish().unwrap().clipped, 3);
    // mismatched lengths are refused
    let mut w = RawWriter::create(dir.join("bad.cs8"), SampleFormat::Cs8).unwrap();
    let e = w.write(&[0.0, 1.0], &[0.0]).unwrap_err().to_string();
    assert!(e.contains("bad.cs8") && !e.contains('\n'), "{e}");
}

#[test]
fn sigmf_round_trips_every_format_with_annotations() {
    let dir = tmp_dir("sigmf");
    let sig = signal();
    let t0 = 1_714_566_896_123_456_789i128; // 2024-05-01T12:34:56.123456789Z
    for format in SampleFormat::ALL {
        let base = dir.join(format!("rec_{format}"));
        let mut w = SigmfWriter::create(
            base.with_extension("sigmf-meta"),
            format,
            4e6,
            Some(2_402_000_000.0),
            Some(t0),
            "round trip",
        )
        .unwrap();
        // readable before finish: the metadata is written at creation
        assert!(open(&SourceSpec::new(s(&base))).is_ok());
        w.write(&sig.0, &sig.1).unwrap();
        w.annotate(Annotation {
            sample_start: 900,
            sample_count: 50,
            label: Some("late".into()),
            freq_lower_edge: Some(2.401e9),
            freq_upper_edge: Some(2.403e9),
            comment: Some("second".into()),
        });
        w.annotate(Annotation { sample_start: 10, sample_count: 5, label: Some("early".into()), ..Default::default() });
        w.annotate(Annotation { sample_start: 20, freq_lower_edge: Some(1.0), ..Default::default() });
        assert_eq!(w.data_path(), base.with_extension("sigmf-data"));
        let summary = w.finish().unwrap();
        assert_eq!((summary.samples, summary.clipped), (sig.0.len() as u64, 0));

        let meta: serde_json::Value =
            serde_json::from_slice(&fs::read(base.with_extension("sigmf-meta")).unwrap()).unwrap();
        let g = &meta["global"];
        assert_eq!(g["core:datatype"], format.sigmf_datatype());
        assert_eq!(g["core:sample_rate"], 4e6);
        assert_eq!(g["core:version"], "1.0.0");
        assert_eq!(g["core:recorder"], "ridscope");
        assert_eq!(g["core:description"], "round trip");
        let c = &meta["captures"][0];
        assert_eq!(c["core:sample_start"], 0);
        assert_eq!(c["core:frequency"], 2_402_000_000.0);
        assert_eq!(c["core:datetime"], "2024-05-01T12:34:56.123456789Z");
        let a = meta["annotations"].as_array().unwrap();
        let starts: Vec<u64> = a.iter().map(|x| x["core:sample_start"].as_u64().unwrap()).collect();
        assert_eq!(starts, [10, 20, 900]);
        assert_eq!(a[0]["core:label"], "early");
        assert_eq!(a[2]["core:freq_lower_edge"], 2.401e9);
        assert_eq!(a[2]["core:freq_upper_edge"], 2.403e9);
        assert_eq!(a[2]["core:comment"], "second");
        assert!(a[1].get("core:freq_lower_edge").is_none(), "a lone edge is not written");

        // the meta file, the data file or the base name
        for p in [base.with_extension("sigmf-meta"), base.with_extension("sigmf-data"), base.clone()] {
            let mut src = open(&SourceSpec::new(s(&p))).unwrap();
            let info = src.info().clone();
            assert_eq!(info.format, format);
            assert_eq!((info.sample_rate, info.center_freq_hz), (4e6, Some(2_402_000_000.0)));
            assert_eq!((info.start_unix_ns, info.total_samples), (Some(t0), Some(sig.0.len() as u64)));
            assert_eq!(info.name, s(&base.with_extension("sigmf-data")));
            assert_close(format, &read_all(&mut *src), &sig);
        }
    }
}

#[test]
fn hand_written_sigmf() {
    let dir = tmp_dir("hand");
    let meta = r#"{
        "global": {"core:datatype": "ci16_le", "core:sample_rate": 2000000, "core:version": "1.0.0",
                   "core:author": "someone", "vendor:thing": [1, 2, {"x": null}]},
        "captures": [
            {"core:sample_start": 0, "core:frequency": 433920000, "core:datetime": "2023-11-14T22:13:20.5+01:00",
             "core:header_bytes": 4},
            {"core:sample_start": 2, "core:frequency": 434000000}
        ],
        "annotations": [{"core:sample_start": 0, "core:sample_count": 1, "core:label": "ignored"}]
    }"#;
    fs::write(dir.join("h.sigmf-meta"), meta).unwrap();
    let mut data = vec![0xEE; 4]; // header bytes
    for v in [16384i16, -16384, i16::MIN, i16::MAX, 1, -1] {
        data.extend(v.to_le_bytes());
    }
    data.push(7); // one stray trailing byte
    fs::write(dir.join("h.sigmf-data"), &data).unwrap();
    let mut src = open(&SourceSpec::new(s(&dir.join("h.sigmf-meta")))).unwrap();
    let info = src.info().clone();
    assert_eq!(info.format, SampleFormat::Cs16);
    assert_eq!((info.sample_rate, info.center_freq_hz, info.total_samples), (2e6, Some(433_920_000.0), Some(3)));
    // 2023-11-14T21:13:20.5Z
    assert_eq!(info.start_unix_ns, Some(1_699_996_400_500_000_000));
    let mut b = IqBlock::default();
    assert_eq!(src.read_block(&mut b, 10).unwrap(), 3);
    assert_eq!(b.re, [0.5, -1.0, 1.0 / 32768.0]);
    assert_eq!(b.im, [-0.5, 32767.0 / 32768.0, -1.0 / 32768.0]);
    let e = src.read_block(&mut b, 10).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: truncated: 1 trailing byte(s) do not make a whole cs16 sample", s(&dir.join("h.sigmf-data")))
    );

    // trailing bytes declared, capture at a later sample: the datetime is that sample's
    let meta = r#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e3, "core:trailing_bytes": 1},
                   "captures": [{"core:sample_start": 500, "core:datetime": "1970-01-01T00:00:01Z"}]}"#;
    fs::write(dir.join("t.sigmf-meta"), meta).unwrap();
    fs::write(dir.join("t.sigmf-data"), [0, 255, 9]).unwrap();
    let mut src = open(&SourceSpec::new(s(&dir.join("t")))).unwrap();
    assert_eq!(src.info().start_unix_ns, Some(500_000_000));
    assert_eq!(src.info().center_freq_hz, None);
    assert_eq!(read_all(&mut *src), (vec![-1.0], vec![1.0]));
    // a capture start beyond any representable time leaves the start unknown
    let meta = r#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e-300},
                   "captures": [{"core:sample_start": 18446744073709551615, "core:datetime": "2024-01-01T00:00:00Z"}]}"#;
    fs::write(dir.join("far.sigmf-meta"), meta).unwrap();
    fs::write(dir.join("far.sigmf-data"), [0, 0]).unwrap();
    assert_eq!(open(&SourceSpec::new(s(&dir.join("far")))).unwrap().info().start_unix_ns, None);
    // explicit --rate and --freq win; a matching --format is fine
    let spec = SourceSpec {
        rate: Some(5e3),
        freq: Some(1e9),
        format: Some(SampleFormat::Cu8),
        ..SourceSpec::new(s(&dir.join("t")))
    };
    let src = open(&spec).unwrap();
    assert_eq!((src.info().sample_rate, src.info().center_freq_hz), (5e3, Some(1e9)));
}

/// Opens `spec`, expects an error, and checks it is one line starting with `file`.
fn open_err(spec: &SourceSpec, file: &Path) -> (String, SourceErrorKind) {
    let e = match open(spec) {
        Ok(_) => panic!("{} opened", spec.path),
        Err(e) => e,
    };
    let msg = e.to_string();
    assert_eq!(msg.lines().count(), 1, "{msg}");
    assert!(msg.starts_with(&format!("{}: ", file.display())), "{msg}");
    (msg, e.kind)
}

#[test]
fn every_bad_input_gives_one_line_naming_the_file() {
    let dir = tmp_dir("errors");
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        fs::write(&p, bytes).unwrap();
        p
    };
    let formats = "cu8, cs8, cs16, cf32, cf64";

    // unknown extension, no extension
    let p = put("capture_2402M_4M.bin", &[0; 8]);
    let (m, k) = open_err(&SourceSpec::new(s(&p)), &p);
    assert!(
        matches!(k, SourceErrorKind::Format { .. })
            && m.contains(formats)
            && m.contains("--format")
            && m.contains(".bin"),
        "{m}"
    );
    let p = put("capture", &[0; 8]);
    let (m, _) = open_err(&SourceSpec::new(s(&p)), &p);
    assert!(m.contains(formats) && m.contains("no extension"), "{m}");
    // ... but fine with --format (and rate from the name)
    let p2 = dir.join("capture_2402M_4M.bin");
    assert_eq!(
        open(&SourceSpec { format: Some(SampleFormat::Cs8), ..SourceSpec::new(s(&p2)) }).unwrap().info().sample_rate,
        4e6
    );

    // missing sample rate
    let p = put("capture.cu8", &[0; 8]);
    let (m, k) = open_err(&SourceSpec::new(s(&p)), &p);
    assert!(matches!(k, SourceErrorKind::Missing { .. }) && m.contains("--rate"), "{m}");
    let p = put("capture_433.92M.cu8", &[0; 8]);
    let (m, _) = open_err(&SourceSpec::new(s(&p)), &p);
    assert!(m.contains("sample rate unknown"), "{m}");

    // impossible --rate / --freq
    for (rate, freq) in [(Some(-1.0), None), (Some(0.0), None), (Some(f64::NAN), None), (None, Some(f64::INFINITY))] {
        let (m, k) = open_err(&SourceSpec { rate, freq, ..SourceSpec::new(s(&p)) }, &p);
        assert!(matches!(k, SourceErrorKind::Invalid { .. }), "{m}");
    }

    // no such file
    let p = dir.join("absent_2402M_4M.cu8");
    let (m, k) = open_err(&SourceSpec::new(s(&p)), &p);
    assert!(matches!(k, SourceErrorKind::Io { .. }) && m.contains("cannot open"), "{m}");

    // standard input without format or rate
    let stdin = Path::new("stdin");
    let (m, _) = open_err(&SourceSpec { rate: Some(1e6), ..SourceSpec::new("-") }, stdin);
    assert!(m.contains("--format") && m.contains(formats), "{m}");
    let (m, _) = open_err(&SourceSpec { format: Some(SampleFormat::Cu8), ..SourceSpec::new("-") }, stdin);
    assert!(m.contains("--rate"), "{m}");
    let ok = open(&SourceSpec {
        format: Some(SampleFormat::Cs8),
        rate: Some(2e6),
        freq: None,
        path: "-".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!((ok.info().name.as_str(), ok.info().total_samples), ("-", None));

    // truncated raw file: the whole samples, then the error
    let p = put("cut_2402M_4M.cs16", &[0, 0, 0, 0x40, 1, 2, 3]);
    let mut src = open(&SourceSpec::new(s(&p))).unwrap();
    let mut b = IqBlock::default();
    assert_eq!(src.read_block(&mut b, 100).unwrap(), 1);
    assert_eq!((b.re[0], b.im[0]), (0.0, 0.5));
    let m = src.read_block(&mut b, 100).unwrap_err().to_string();
    assert_eq!(m, format!("{}: truncated: 3 trailing byte(s) do not make a whole cs16 sample", p.display()));

    // SigMF: data file missing, metadata missing
    let meta_ok = br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6}}"#;
    let p = put("nodata.sigmf-meta", meta_ok);
    let (m, _) = open_err(&SourceSpec::new(s(&p)), &dir.join("nodata.sigmf-data"));
    assert!(m.contains("not found") && m.contains("nodata.sigmf-meta"), "{m}");
    let p = put("nometa.sigmf-data", &[0; 4]);
    let (m, _) = open_err(&SourceSpec::new(s(&p)), &dir.join("nometa.sigmf-meta"));
    assert!(m.contains("not found"), "{m}");

    // SigMF metadata problems, each with a data file present
    let cases: &[(&str, &[u8], &str)] = &[
        ("garbage", b"\x00\xffnot json at all", "not valid JSON"),
        ("empty", b"", "not valid JSON"),
        ("cut", br#"{"global": {"core:datatype": "cu8""#, "not valid JSON"),
        ("array", b"[1, 2, 3]", "not SigMF metadata"),
        ("noglobal", br#"{"captures": []}"#, "missing field `global`"),
        ("wrongtype", br#"{"global": {"core:datatype": "cu8", "core:sample_rate": "fast"}}"#, "not SigMF metadata"),
        ("nodatatype", br#"{"global": {"core:sample_rate": 1e6}}"#, "missing core:datatype"),
        ("norate", br#"{"global": {"core:datatype": "cu8"}}"#, "missing core:sample_rate"),
        ("zerorate", br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 0}}"#, "not a positive number"),
        ("ci32", br#"{"global": {"core:datatype": "ci32_le", "core:sample_rate": 1e6}}"#, "unsupported core:datatype \"ci32_le\""),
        ("bigendian", br#"{"global": {"core:datatype": "ci16_be", "core:sample_rate": 1e6}}"#, "unsupported core:datatype"),
        ("real", br#"{"global": {"core:datatype": "rf32_le", "core:sample_rate": 1e6}}"#, "real-valued data not supported"),
        ("newline", b"{\"global\": {\"core:datatype\": \"c\\nu8\", \"core:sample_rate\": 1e6}}", "unsupported core:datatype \"c\\nu8\""),
        ("channels", br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6, "core:num_channels": 2}}"#, "core:num_channels 2"),
        (
            "datetime",
            br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6}, "captures": [{"core:datetime": "yesterday"}]}"#,
            "core:datetime \"yesterday\" is not an RFC 3339 time",
        ),
        (
            "header",
            br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6}, "captures": [{"core:header_bytes": 99}]}"#,
            "exceed the 4 bytes",
        ),
        (
            "laterheader",
            br#"{"global": {"core:datatype": "cu8", "core:sample_rate": 1e6}, "captures": [{}, {"core:sample_start": 1, "core:header_bytes": 2}]}"#,
            "core:header_bytes in a capture after the first",
        ),
    ];
    for &(name, meta, want) in cases {
        let mp = put(&format!("{name}.sigmf-meta"), meta);
        put(&format!("{name}.sigmf-data"), &[0; 4]);
        for p in [mp.clone(), dir.join(format!("{name}.sigmf-data")), dir.join(name)] {
            let (m, _) = open_err(&SourceSpec::new(s(&p)), &mp);
            assert!(m.contains(want), "{name}: {m}");
        }
    }
    // missing core:sample_rate is fine with --rate
    let p = dir.join("norate.sigmf-meta");
    assert_eq!(open(&SourceSpec { rate: Some(3e6), ..SourceSpec::new(s(&p)) }).unwrap().info().sample_rate, 3e6);
    // --format contradicting the datatype
    let p = put("fmt.sigmf-meta", meta_ok);
    put("fmt.sigmf-data", &[0; 4]);
    let (m, k) = open_err(&SourceSpec { format: Some(SampleFormat::Cs16), ..SourceSpec::new(s(&p)) }, &p);
    assert!(
        matches!(k, SourceErrorKind::Format { .. }) && m.contains("--format cs16 contradicts core:datatype \"cu8\""),
        "{m}"
    );
    // archives
    let p = put("rec.sigmf", b"tar");
    let (m, _) = open_err(&SourceSpec::new(s(&p)), &p);
    assert!(m.contains("archives"), "{m}");
}

#[test]
fn huge_sparse_file_opens_lazily() {
    const LEN: u64 = 20 << 30; // 20 GiB, almost all of it a hole
    let dir = tmp_dir("sparse");
    let p = dir.join("big_2402M_4M.cu8");
    let f = fs::File::create(&p).unwrap();
    if let Err(e) = f.set_len(LEN) {
        eprintln!("skipped: cannot make a {LEN}-byte sparse file here: {e}");
        return;
    }
    drop(f);
    let mut src = open(&SourceSpec::new(s(&p))).unwrap();
    assert_eq!(src.info().total_samples, Some(LEN / 2));
    let mut b = IqBlock::with_capacity(1 << 16);
    let cap = b.re.capacity();
    for k in 0..64u64 {
        assert_eq!(src.read_block(&mut b, 1 << 16).unwrap(), 1 << 16);
        assert_eq!(b.start_sample, k << 16);
        assert!(b.re.iter().chain(&b.im).all(|&v| v == -1.0));
        assert_eq!(b.re.capacity(), cap);
    }
    drop(src);
    fs::remove_file(&p).unwrap();
}
