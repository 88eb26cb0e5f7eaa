#![no_main]
//! `ridscope parse <HEX>` at every layer, including auto-detection.
use libfuzzer_sys::fuzz_target;
use ridscope::cli::{FcsMode, Layer, parse::decode_hex};

fuzz_target!(|data: &[u8]| {
    for layer in [Layer::Auto, Layer::Odid, Layer::BlePdu, Layer::BleAdvData, Layer::WifiFrame, Layer::DjiOcusync] {
        let _ = decode_hex(data, layer, FcsMode::Auto);
    }
});
