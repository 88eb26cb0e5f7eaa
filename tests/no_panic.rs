//! Arbitrary bytes never panic any parser: every `parse` layer, the link
//! layers through the decoder, and the pcap reader. (The fuzz targets in
//! fuzz/ do the same with coverage guidance; this runs in every `cargo test`.)

use proptest::prelude::*;
use ridscope::cli::{FcsMode, Layer, parse::decode_hex};
use ridscope::decode::Decoder;
use ridscope::frame::{Frame, LinkType, Phy, PhyMeta};

const LAYERS: [Layer; 6] =
    [Layer::Auto, Layer::Odid, Layer::BlePdu, Layer::BleAdvData, Layer::WifiFrame, Layer::DjiOcusync];

fn frames(bytes: &[u8]) -> Vec<Frame> {
    let mut out = Vec::new();
    for (link, phy) in
        [(LinkType::BleLl, Phy::Ble1m), (LinkType::Ieee80211, Phy::WifiDsss), (LinkType::DjiOcusync, Phy::Ocusync)]
    {
        for fcs in [false, true] {
            let mut meta = PhyMeta::new(link, phy);
            meta.fcs_included = fcs;
            out.push(Frame { bytes: bytes.to_vec(), meta });
        }
    }
    // with a valid CRC/FCS so the payload decoders are reached
    let mut m = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
    m.fcs_included = true;
    out.push(Frame { bytes: ridscope::link::ble::with_crc(bytes), meta: m });
    let mut m = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
    m.fcs_included = true;
    out.push(Frame { bytes: ridscope::link::ieee80211::append_fcs(bytes.to_vec()), meta: m });
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        for l in LAYERS {
            let _ = decode_hex(&b, l, FcsMode::Auto);
        }
        let mut d = Decoder::new();
        for f in frames(&b) {
            for r in d.push(&f) {
                serde_json::to_string(&r).unwrap();
            }
        }
        ridscope::pcap::fuzz_read_all(&b);
        ridscope::source::fuzz_entry(&b);
    }

    /// Structured-looking input: a valid header followed by random bytes.
    #[test]
    fn plausible_prefixes(kind in 0usize..6, tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let prefix: &[u8] = match kind {
            0 => &[0xF2, 0x19, 0x03],                                     // ODID pack
            1 => &[0x07, 0xF0, 0x09, 0x09],                               // BLE extended PDU
            2 => &[0x80, 0x00, 0x00, 0x00],                               // 802.11 beacon
            3 => &[0xD0, 0x00, 0x00, 0x00],                               // 802.11 action
            4 => &[0x0A, 0x0D, 0x0D, 0x0A, 0x1C, 0x00, 0x00, 0x00, 0x4D, 0x3C, 0x2B, 0x1A], // pcapng
            _ => br#"{"global":{"core:datatype":"cu8","core:sample_rate":"#,                // SigMF metadata
        };
        let b = [prefix, &tail[..]].concat();
        for l in LAYERS {
            let _ = decode_hex(&b, l, FcsMode::Auto);
        }
        let mut d = Decoder::new();
        for f in frames(&b) {
            let _ = d.push(&f);
        }
        ridscope::pcap::fuzz_read_all(&b);
        ridscope::source::fuzz_entry(&b);
    }
}
