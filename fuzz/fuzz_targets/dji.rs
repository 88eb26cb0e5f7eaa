#![no_main]
//! DJI DroneID: OcuSync blocks and payloads, and the Wi-Fi vendor IE.
use libfuzzer_sys::fuzz_target;
use ridscope::protocol::dji;

fuzz_target!(|data: &[u8]| {
    for r in [dji::ocusync::parse_block(data), dji::ocusync::parse_payload(data), dji::wifi::parse(data)] {
        if let Ok(m) = r {
            let _ = serde_json::to_string(&m);
        }
    }
    // a block with a valid CRC-24, so the payload decoder is reached
    if data.len() >= 173 {
        let mut b = data[..173].to_vec();
        let c = ridscope_dsp::crc::crc24a(&b);
        b.extend_from_slice(&c.to_be_bytes()[1..]);
        if let Ok(m) = dji::ocusync::parse_block(&b) {
            let _ = serde_json::to_string(&m);
        }
    }
});
