#![no_main]
//! pcap / pcapng containers and every link-type pseudo-header.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ridscope::pcap::fuzz_read_all(data);
});
