//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// A capture of `../shared/captures/pcap`, or None (with the reason
/// printed) when that folder is absent, so the test skips.
#[allow(dead_code)]
pub fn shared_pcap(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/pcap").join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// Removes a capture's files (the file, a SigMF pair's data file, the
/// truth beside it) and their directory once empty, when dropped, even when
/// the test fails: synthesized captures are large.
#[allow(dead_code)]
pub struct Cleanup(Vec<PathBuf>);

#[allow(dead_code)]
impl Cleanup {
    pub fn of(p: &Path) -> Cleanup {
        let mut v = vec![p.to_path_buf(), ridscope::cli::synth::truth_path(p)];
        if p.extension().is_some_and(|e| e == "sigmf-meta") {
            v.push(p.with_extension("sigmf-data"));
        }
        Cleanup(v)
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            std::fs::remove_file(p).ok();
            if let Some(d) = p.parent() {
                std::fs::remove_dir(d).ok(); // only when empty
            }
        }
    }
}
