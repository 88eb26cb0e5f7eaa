#![no_main]
//! BLE advertising PDUs through the whole decode path (with and without CRC).
use libfuzzer_sys::fuzz_target;
use ridscope::decode::Decoder;
use ridscope::frame::{Frame, LinkType, Phy, PhyMeta};
use ridscope::link::ble::AdvPdu;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = AdvPdu::parse(data)
        && let Ok(b) = p.emit()
    {
        assert_eq!(AdvPdu::parse(&b).expect("re-encoded PDU decodes"), p);
    }
    let mut d = Decoder::new();
    for crc in [false, true] {
        let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
        meta.fcs_included = crc;
        let _ = d.push(&Frame { bytes: data.to_vec(), meta });
        // and with a valid CRC appended, so the fuzzer reaches the payload decoders
        let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
        meta.fcs_included = true;
        let _ = d.push(&Frame { bytes: ridscope::link::ble::with_crc(data), meta });
    }
});
