#![no_main]
//! IQ source parsers: SigMF metadata, file-name hints, times, raw samples.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ridscope::source::fuzz_entry(data);
});
