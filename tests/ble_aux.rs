//! BLE 5 extended advertising on a real capture: the nRF Sniffer pcap in
//! ../shared/captures/pcap fed through the AUX linker. Skips with a reason
//! when the file is absent.

mod common;
use std::collections::BTreeMap;

use ridscope::link::ble::{AdvPdu, PduType, split_crc};
use ridscope::pcap::{PcapReader, record_to_frame};
use ridscope::phy::ble::auxlink::AuxLinker;

/// odid_bt5_lr_sample.pcapng was recorded by an nRF Sniffer following the
/// advertiser's AuxPtrs: it holds only the AUX_ADV_IND packets (LE Coded
/// S=8, channels 0..36), no ADV_EXT_IND primary. So the linker finds
/// nothing to match: every AUX_ADV_IND with a good CRC is unmatched, and
/// no AUX is expected, missed or outside the band.
#[test]
fn bt5_sample_has_aux_packets_but_no_primaries() {
    let Some(p) = common::shared_pcap("odid_bt5_lr_sample.pcapng") else { return };
    let mut linker = AuxLinker::new(&(0..40).collect::<Vec<u8>>());
    let (mut start, mut frames, mut good) = (None, 0u64, 0u64);
    let mut kinds: BTreeMap<(&'static str, bool), u64> = BTreeMap::new();
    for rec in PcapReader::open(&p).expect("open") {
        let rec = rec.expect("record");
        start = start.or(rec.unix_ns);
        let f = record_to_frame(&rec, start).expect("frame");
        frames += 1;
        let ch = f.meta.channel;
        if let Ok((pdu, true)) = split_crc(&f.bytes) {
            good += 1;
            let a = AdvPdu::parse(pdu).expect("pdu");
            assert_eq!(a.pdu_type, PduType::AdvExtInd);
            let primary = ch.is_some_and(|c| c >= 37);
            *kinds.entry((a.name(ch), primary)).or_default() += 1;
            let e = a.ext.expect("extended header");
            assert!(e.adv_a.is_some() && e.adi.is_some(), "#{}", rec.frame_no);
        }
        let links = linker.push(&f);
        assert!(links.iter().all(|l| !l.is_matched()));
    }
    linker.finish();
    let s = linker.stats().clone();
    eprintln!("odid_bt5_lr_sample.pcapng: {frames} frames, {good} with a good CRC, {kinds:?}");
    eprintln!("linker: {s:?}");
    assert_eq!((frames, good), (274, 244));
    assert_eq!(kinds.len(), 1);
    assert_eq!(kinds.get(&("aux_adv_ind", false)), Some(&244));
    assert_eq!((s.primaries, s.aux_expected, s.aux_found, s.aux_missed, s.aux_outside_band), (0, 0, 0, 0, 0));
    assert_eq!((s.aux_unmatched, s.chain_unmatched, s.chain_expected, s.late_frames), (244, 0, 0, 0));
}
