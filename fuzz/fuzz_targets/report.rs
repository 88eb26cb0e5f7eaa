#![no_main]
//! The analyzer on arbitrary JSON Lines: reading, analysis and every rendering.
use libfuzzer_sys::fuzz_target;
use ridscope::report::{self, Input, ReportConfig};

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = Input::from_jsonl_reader("fuzz", data) {
        let r = report::analyze(&input, &ReportConfig { sensor: Some((52.47, 13.40)), id: None });
        let _ = report::text::render(&r);
        let _ = report::html::render(&r);
        let _ = serde_json::to_string(&r);
    }
});
