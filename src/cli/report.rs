//! `ridscope report <capture|--db F>`: what each drone leaks, whether it
//! complies, whether it is real (see [`crate::report`]).
//!
//! The input is decoded first when it is a capture (a pcap/pcapng, or IQ:
//! a raw file or SigMF recording, with the same options as `decode`); a
//! JSON Lines file of records (`decode -o`, `parse --pcap`) or a `--db`
//! history is analysed as it is.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::report::{Input, ReportConfig};
use crate::sink::VecSink;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Html,
}

#[derive(Debug, Clone)]
pub struct ReportRun {
    /// A capture or JSON Lines file (else `db`).
    pub input: Option<String>,
    /// Decoder settings for IQ inputs.
    pub decode: Option<super::decode::DecodeConfig>,
    pub db: Option<PathBuf>,
    pub sessions: Vec<i64>,
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    pub cfg: ReportConfig,
}

/// What kind of file `path` is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Pcap,
    Jsonl,
    Iq,
}

pub fn sniff(path: &Path) -> InputKind {
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    if crate::pcap::is_pcap_magic(&head[..n]) {
        return InputKind::Pcap;
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let sigmf = matches!(ext.as_str(), "sigmf-meta" | "sigmf-data" | "sigmf");
    if !sigmf && (matches!(ext.as_str(), "jsonl" | "json" | "ndjson") || (n >= 1 && head[0] == b'{')) {
        InputKind::Jsonl
    } else {
        InputKind::Iq
    }
}

/// Reads and decodes the input. On a decode error the records decoded
/// before it are kept and the error is returned beside them.
pub fn load(run: &ReportRun) -> (Option<Input>, Option<String>) {
    if let Some(db) = &run.db {
        return match Input::from_db(db, &run.sessions) {
            Ok(i) => (Some(i), None),
            Err(e) => (None, Some(e)),
        };
    }
    let Some(input) = run.input.as_deref() else {
        return (None, Some("give a capture, a JSON Lines file or --db FILE".into()));
    };
    let path = Path::new(input);
    let kind = if input == "-" || !path.is_file() { InputKind::Iq } else { sniff(path) };
    let mut sink = VecSink::default();
    let err = match kind {
        InputKind::Jsonl => {
            return match Input::from_jsonl(path) {
                Ok(i) => (Some(i), None),
                Err(e) => (None, Some(e)),
            };
        }
        InputKind::Pcap => {
            super::parse::decode_pcap(&path.to_path_buf(), &mut sink).err().map(|e| format!("{input}: {}", e.error))
        }
        InputKind::Iq => {
            let cfg = run.decode.clone().unwrap_or_else(|| super::decode::DecodeConfig::new(input));
            super::decode::decode(&cfg, &mut sink).0.err()
        }
    };
    (Some(Input::from_records(input, &sink.records)), err)
}

pub fn run(run: ReportRun) -> ExitCode {
    let (input, err) = load(&run);
    if let Some(e) = &err {
        eprintln!("ridscope: {e}");
    }
    let Some(input) = input else { return ExitCode::from(1) };
    if err.is_some() {
        eprintln!("ridscope: reporting on the {} messages decoded before the error", input.recs.len());
    }
    let report = crate::report::analyze(&input, &run.cfg);
    let text = match run.format {
        ReportFormat::Text => crate::report::text::render(&report),
        ReportFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("ridscope: {e}");
                return ExitCode::from(1);
            }
        },
        ReportFormat::Html => crate::report::html::render(&report),
    };
    let written = match &run.output {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("writing output: {e}")),
    };
    match written {
        Ok(()) => {}
        Err(e) if e.contains("Broken pipe") => {}
        Err(e) => {
            eprintln!("ridscope: {e}");
            return ExitCode::from(1);
        }
    }
    let s = &report.summary;
    eprintln!(
        "{} messages, {} aircraft: {} expose the pilot, {} compliant, {} non-compliant, {} undetermined, {} flagged",
        report.messages, s.aircraft, s.pilot_position_exposed, s.compliant, s.non_compliant, s.undetermined, s.flagged
    );
    if err.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
