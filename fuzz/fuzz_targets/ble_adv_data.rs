#![no_main]
//! AD structures and the service data decoders behind them.
use libfuzzer_sys::fuzz_target;
use ridscope::protocol::{Carrier, Transport, decode_carrier};

fuzz_target!(|data: &[u8]| {
    if let Ok(ads) = ridscope::link::ble::ad_structures(data) {
        for a in ads {
            let _ = serde_json::to_string(&a);
            if let Some((uuid, d)) = a.service_data_16() {
                for transport in [Transport::Ble4Legacy, Transport::Ble5Extended] {
                    if let Some((_, Ok(p))) = decode_carrier(&Carrier::BleServiceData16 { transport, uuid, data: d }) {
                        let _ = serde_json::to_string(&p);
                    }
                }
            }
        }
    }
});
