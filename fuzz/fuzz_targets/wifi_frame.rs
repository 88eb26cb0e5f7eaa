#![no_main]
//! 802.11 management frames (beacons, NAN SDFs) through the decode path.
use libfuzzer_sys::fuzz_target;
use ridscope::decode::Decoder;
use ridscope::frame::{Frame, LinkType, Phy, PhyMeta};

fuzz_target!(|data: &[u8]| {
    let mut d = Decoder::new();
    for fcs in [false, true] {
        let mut meta = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
        meta.fcs_included = fcs;
        for r in d.push(&Frame { bytes: data.to_vec(), meta }) {
            let _ = serde_json::to_string(&r);
        }
    }
    let mut meta = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
    meta.fcs_included = true;
    let _ = d.push(&Frame { bytes: ridscope::link::ieee80211::append_fcs(data.to_vec()), meta });
});
