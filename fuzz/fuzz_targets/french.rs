#![no_main]
//! French SGDSN beacon TLVs.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = ridscope::protocol::french::parse(data) {
        let _ = serde_json::to_string(&f);
    }
});
