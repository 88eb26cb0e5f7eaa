//! Tests of the container reader on hand-built files, of `record_to_frame`,
//! and of both over the real captures in `../shared/captures/pcap/`.

use super::*;
use crate::error::ErrorKind;

// ---------------------------------------------------------------- builders

#[derive(Clone, Copy)]
enum E {
    Le,
    Be,
}

impl E {
    fn u16(self, v: u16) -> [u8; 2] {
        match self {
            E::Le => v.to_le_bytes(),
            E::Be => v.to_be_bytes(),
        }
    }
    fn u32(self, v: u32) -> [u8; 4] {
        match self {
            E::Le => v.to_le_bytes(),
            E::Be => v.to_be_bytes(),
        }
    }
    fn i64(self, v: i64) -> [u8; 8] {
        match self {
            E::Le => v.to_le_bytes(),
            E::Be => v.to_be_bytes(),
        }
    }
}

/// A classic pcap file; `magic` is the value written in `e`'s byte order.
fn classic(e: E, magic: u32, linktype: u32, records: &[(u32, u32, &[u8])]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(e.u32(magic));
    f.extend(e.u16(2));
    f.extend(e.u16(4));
    f.extend([0; 8]);
    f.extend(e.u32(65535));
    f.extend(e.u32(linktype));
    for &(sec, frac, data) in records {
        f.extend(e.u32(sec));
        f.extend(e.u32(frac));
        f.extend(e.u32(data.len() as u32));
        f.extend(e.u32(data.len() as u32 + 10));
        f.extend(data);
    }
    f
}

fn block(e: E, btype: u32, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let total = body.len() as u32 + 12;
    let mut b = Vec::new();
    b.extend(e.u32(btype));
    b.extend(e.u32(total));
    b.extend(body);
    b.extend(e.u32(total));
    b
}

fn shb(e: E) -> Vec<u8> {
    let mut body = e.u32(0x1A2B_3C4D).to_vec();
    body.extend(e.u16(1));
    body.extend(e.u16(0));
    body.extend(e.i64(-1));
    block(e, 0x0A0D_0D0A, &body)
}

/// An option: code, length, value padded to 4.
fn opt(e: E, code: u16, value: &[u8]) -> Vec<u8> {
    let mut o = e.u16(code).to_vec();
    o.extend(e.u16(value.len() as u16));
    o.extend(value);
    while !o.len().is_multiple_of(4) {
        o.push(0);
    }
    o
}

fn idb(e: E, linktype: u16, snaplen: u32, options: &[Vec<u8>]) -> Vec<u8> {
    let mut body = e.u16(linktype).to_vec();
    body.extend(e.u16(0));
    body.extend(e.u32(snaplen));
    for o in options {
        body.extend(o);
    }
    if !options.is_empty() {
        body.extend(opt(e, 0, &[]));
    }
    block(e, 1, &body)
}

fn epb(e: E, iface: u32, ts: u64, data: &[u8]) -> Vec<u8> {
    let mut body = e.u32(iface).to_vec();
    body.extend(e.u32((ts >> 32) as u32));
    body.extend(e.u32(ts as u32));
    body.extend(e.u32(data.len() as u32));
    body.extend(e.u32(data.len() as u32));
    body.extend(data);
    block(e, 6, &body)
}

fn spb(e: E, orig_len: u32, data: &[u8]) -> Vec<u8> {
    let mut body = e.u32(orig_len).to_vec();
    body.extend(data);
    block(e, 3, &body)
}

/// Obsolete Packet Block (type 2).
fn pb(e: E, iface: u16, ts: u64, data: &[u8]) -> Vec<u8> {
    let mut body = e.u16(iface).to_vec();
    body.extend(e.u16(0));
    body.extend(e.u32((ts >> 32) as u32));
    body.extend(e.u32(ts as u32));
    body.extend(e.u32(data.len() as u32));
    body.extend(e.u32(data.len() as u32 + 1));
    body.extend(data);
    block(e, 2, &body)
}

fn read_all(bytes: &[u8]) -> Vec<Result<Record, PcapError>> {
    PcapReader::new(bytes).unwrap().collect()
}

fn records(bytes: &[u8]) -> Vec<Record> {
    read_all(bytes).into_iter().map(|r| r.unwrap()).collect()
}

// ---------------------------------------------------------- classic pcap

#[test]
fn classic_all_magics() {
    // (byte order, magic, nanosecond resolution)
    for (e, magic, ns) in [
        (E::Le, 0xA1B2_C3D4, false),
        (E::Be, 0xA1B2_C3D4, false),
        (E::Le, 0xA1B2_3C4D, true),
        (E::Be, 0xA1B2_3C4D, true),
    ] {
        let f = classic(e, magic, 127, &[(1_600_000_000, 123_456, b"abc"), (1_600_000_001, 7, b"")]);
        let recs = records(&f);
        assert_eq!(recs.len(), 2);
        let scale = if ns { 1 } else { 1000 };
        assert_eq!(recs[0].unix_ns, Some(1_600_000_000_000_000_000 + 123_456 * scale));
        assert_eq!(recs[1].unix_ns, Some(1_600_000_001_000_000_000 + 7 * scale));
        assert_eq!(recs[0].data, b"abc");
        assert_eq!(recs[0].orig_len, 13);
        assert_eq!((recs[0].frame_no, recs[1].frame_no), (1, 2));
        assert_eq!((recs[0].linktype, recs[0].interface), (127, 0));
        assert!(recs[1].data.is_empty());
    }
}

#[test]
fn classic_linktype_fcs_bits_masked() {
    // libpcap may put an FCS length in the top bits of the network field.
    let f = classic(E::Le, 0xA1B2_C3D4, 0x1400_0000 | 105, &[(0, 0, b"x")]);
    assert_eq!(records(&f)[0].linktype, 105);
}

#[test]
fn classic_empty_file_has_no_records() {
    assert!(records(&classic(E::Be, 0xA1B2_C3D4, 1, &[])).is_empty());
}

#[test]
fn classic_truncated_record() {
    let f = classic(E::Le, 0xA1B2_C3D4, 127, &[(1, 0, b"first"), (2, 0, b"second record")]);
    // Cut inside the second record's data: the first is yielded, then one error, then the end.
    let cut = &f[..f.len() - 3];
    let mut it = PcapReader::new(cut).unwrap();
    assert_eq!(it.next().unwrap().unwrap().data, b"first");
    match it.next() {
        Some(Err(PcapError::Truncated { offset, detail })) => {
            assert_eq!(offset, 24 + 16 + 5);
            assert!(detail.contains("13"), "{detail}");
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    assert!(it.next().is_none());
    assert!(it.next().is_none());

    // Cut inside a record header.
    let cut = &f[..24 + 16 + 5 + 7];
    let all = read_all(cut);
    assert_eq!(all.len(), 2);
    assert!(matches!(all[1], Err(PcapError::Truncated { offset: 45, .. })));

    // Cut inside the file header.
    assert!(matches!(PcapReader::new(&f[..10]), Err(PcapError::Truncated { offset: 0, .. })));
}

#[test]
fn classic_absurd_length_is_rejected() {
    let mut f = classic(E::Le, 0xA1B2_C3D4, 127, &[(1, 0, b"ok"), (2, 0, b"bad")]);
    // Second record's incl_len at 24 + 16 + 2 + 8.
    let at = 24 + 16 + 2 + 8;
    f[at..at + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    let all = read_all(&f);
    assert_eq!(all.len(), 2);
    assert!(all[0].is_ok());
    match &all[1] {
        Err(e @ PcapError::Malformed { offset: 42, .. }) => assert!(e.to_string().contains("2147483647")),
        other => panic!("expected Malformed, got {other:?}"),
    }
    // Exactly the limit is allowed (and here simply truncated).
    f[at..at + 4].copy_from_slice(&MAX_BLOCK_LEN.to_le_bytes());
    assert!(matches!(read_all(&f)[1], Err(PcapError::Truncated { .. })));
}

#[test]
fn wrong_magic() {
    let e = PcapReader::new(&b"<!DOCTYPE html>"[..]).unwrap_err();
    assert!(matches!(e, PcapError::NotPcap { .. }));
    let msg = e.to_string();
    assert!(msg.contains("3c21444f") && msg.contains("<!DO") && msg.contains("a1b2c3d4"), "{msg}");
    assert!(!msg.contains('\n'));
    assert!(PcapReader::new(&b""[..]).unwrap_err().to_string().contains("empty"));
    assert!(matches!(PcapReader::new(&[0xD4, 0xC3][..]), Err(PcapError::NotPcap { .. })));
}

// ---------------------------------------------------------------- pcapng

#[test]
fn pcapng_both_byte_orders_and_skipped_blocks() {
    for e in [E::Le, E::Be] {
        let f = [
            shb(e),
            block(e, 4, b"name resolution"), // NRB: skipped
            idb(e, 127, 0, &[]),
            epb(e, 0, 1_700_000_000_123_456, b"hello"),
            block(e, 5, &[0; 20]), // ISB: skipped
            block(e, 0x0000_0BAD, b"custom block"),
            epb(e, 0, 1_700_000_001_000_000, b"world!"),
        ]
        .concat();
        let recs = records(&f);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].data, b"hello");
        assert_eq!(recs[1].data, b"world!");
        // Default resolution: microseconds.
        assert_eq!(recs[0].unix_ns, Some(1_700_000_000_123_456_000));
        assert_eq!(recs[1].frame_no, 2);
        assert_eq!(recs[0].linktype, 127);
    }
}

#[test]
fn pcapng_if_tsresol_and_tsoffset() {
    let e = E::Le;
    let f = [
        shb(e),
        idb(e, 105, 0, &[opt(e, 2, b"wlan0"), opt(e, 9, &[9])]),
        idb(e, 105, 0, &[opt(e, 9, &[0x80 | 10])]), // 2^-10 s
        idb(e, 105, 0, &[opt(e, 9, &[3]), opt(e, 14, &1_000i64.to_le_bytes())]), // ms, +1000 s
        epb(e, 0, 1_712_065_417_252_574_593, b"a"),
        epb(e, 1, 1024 * 5 + 512, b"b"),
        epb(e, 2, 1_500, b"c"),
    ]
    .concat();
    let recs = records(&f);
    assert_eq!(recs[0].unix_ns, Some(1_712_065_417_252_574_593));
    assert_eq!(recs[1].unix_ns, Some(5_500_000_000));
    assert_eq!(recs[2].unix_ns, Some(1_001_500_000_000));
    assert_eq!(recs.iter().map(|r| r.interface).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn pcapng_simple_and_obsolete_packet_blocks() {
    for e in [E::Le, E::Be] {
        let f = [
            shb(e),
            idb(e, 251, 4, &[]),
            spb(e, 6, b"abcdef"), // snaplen 4 → 4 bytes
            spb(e, 3, b"xyz"),    // padding bytes are not data
            pb(e, 0, 42, b"pkt"),
        ]
        .concat();
        let recs = records(&f);
        assert_eq!(recs.len(), 3);
        assert_eq!((recs[0].data.as_slice(), recs[0].orig_len, recs[0].unix_ns), (&b"abcd"[..], 6, None));
        assert_eq!(recs[1].data, b"xyz");
        assert_eq!((recs[2].data.as_slice(), recs[2].orig_len), (&b"pkt"[..], 4));
        assert_eq!(recs[2].unix_ns, Some(42_000));
        assert_eq!(recs[2].linktype, 251);
    }
}

#[test]
fn pcapng_multiple_sections() {
    let f = [
        shb(E::Le),
        idb(E::Le, 127, 0, &[]),
        idb(E::Le, 105, 0, &[]),
        epb(E::Le, 1, 1, b"s1"),
        shb(E::Be),
        idb(E::Be, 272, 0, &[opt(E::Be, 9, &[9])]),
        epb(E::Be, 0, 7, b"s2"),
    ]
    .concat();
    let recs = records(&f);
    assert_eq!(recs.len(), 2);
    assert_eq!((recs[0].interface, recs[0].linktype, recs[0].unix_ns), (1, 105, Some(1000)));
    // Interfaces restart per section; numbered across the file.
    assert_eq!((recs[1].interface, recs[1].linktype, recs[1].unix_ns), (2, 272, Some(7)));
}

#[test]
fn pcapng_errors() {
    let e = E::Le;
    let good = [shb(e), idb(e, 127, 0, &[]), epb(e, 0, 0, b"one")].concat();

    // Truncated block: first record yielded, then Truncated at the block start.
    let mut f = [good.clone(), epb(e, 0, 0, b"two")].concat();
    let second = good.len() as u64;
    f.truncate(f.len() - 5);
    let all = read_all(&f);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].as_ref().unwrap().data, b"one");
    match &all[1] {
        Err(e @ PcapError::Truncated { offset, .. }) => {
            assert_eq!(*offset, second);
            assert!(e.to_string().starts_with(&format!("truncated at byte {second}: enhanced packet block")));
        }
        other => panic!("{other:?}"),
    }
    // Truncated inside a skipped block and in a block header.
    let f = [good.clone(), block(e, 4, &[0; 40])[..30].to_vec()].concat();
    assert!(matches!(read_all(&f)[1], Err(PcapError::Truncated { .. })));
    let f = [good.clone(), vec![6, 0, 0]].concat();
    assert!(matches!(read_all(&f)[1], Err(PcapError::Truncated { .. })));

    // Absurd block length.
    let mut f = [good.clone(), epb(e, 0, 0, b"two")].concat();
    let at = good.len() + 4;
    f[at..at + 4].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    let all = read_all(&f);
    assert!(matches!(&all[1], Err(PcapError::Malformed { detail, .. }) if detail.contains("limit")), "{all:?}");

    // Length not a multiple of 4; too small; trailer mismatch.
    for bad_len in [30u32, 8] {
        let mut f = [good.clone(), epb(e, 0, 0, b"two")].concat();
        f[at..at + 4].copy_from_slice(&bad_len.to_le_bytes());
        assert!(matches!(read_all(&f)[1], Err(PcapError::Malformed { .. })), "len {bad_len}");
    }
    let mut f = [good.clone(), epb(e, 0, 0, b"two")].concat();
    let n = f.len();
    f[n - 4] ^= 0x04;
    assert!(matches!(read_all(&f)[1], Err(PcapError::Malformed { .. })));

    // Packet for an undescribed interface; captured length past the block.
    let f = [good.clone(), epb(e, 3, 0, b"two")].concat();
    assert!(matches!(&read_all(&f)[1], Err(PcapError::Malformed { detail, .. }) if detail.contains("interface 3")));
    let mut f = [good.clone(), epb(e, 0, 0, b"two")].concat();
    let cap = good.len() + 8 + 12;
    f[cap..cap + 4].copy_from_slice(&100u32.to_le_bytes());
    assert!(matches!(read_all(&f)[1], Err(PcapError::Malformed { .. })));
    // Packet before any interface.
    let f = [shb(e), epb(e, 0, 0, b"x")].concat();
    assert!(matches!(read_all(&f)[0], Err(PcapError::Malformed { .. })));

    // Bad byte-order magic; unsupported major version; SHB cut short.
    let mut f = good.clone();
    f[8] = 0x00;
    assert!(matches!(PcapReader::new(&f[..]), Err(PcapError::Malformed { offset: 0, .. })));
    let mut f = good.clone();
    f[12] = 2;
    assert!(PcapReader::new(&f[..]).unwrap_err().to_string().contains("version 2.0"));
    assert!(matches!(PcapReader::new(&good[..20]), Err(PcapError::Truncated { offset: 0, .. })));
}

// --------------------------------------------------------- record_to_frame

fn rec(linktype: u32, data: &[u8]) -> Record {
    Record {
        frame_no: 7,
        interface: 0,
        linktype,
        unix_ns: Some(2_500_000_000),
        orig_len: data.len() as u32,
        data: data.to_vec(),
    }
}

#[test]
fn frame_times_and_numbers() {
    let f = record_to_frame(&rec(linktype::IEEE802_11, b"\x80\x00"), Some(1_000_000_000)).unwrap();
    assert_eq!(f.meta.time_s, 1.5);
    assert_eq!(f.meta.unix_ns, Some(2_500_000_000));
    assert_eq!(f.meta.frame_no, Some(7));
    assert_eq!(f.meta.link, LinkType::Ieee80211);
    assert!(!f.meta.fcs_included);
    assert_eq!(f.bytes, b"\x80\x00");
    let f = record_to_frame(&rec(linktype::IEEE802_11, b""), None).unwrap();
    assert_eq!(f.meta.time_s, 0.0);
}

#[test]
fn unsupported_linktype() {
    let e = record_to_frame(&rec(1, b"ethernet"), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("link type 1"));
}

#[test]
fn radiotap_record() {
    // odid_wifi_sample.pcap frame 1's 17-byte radiotap header (note pad 0x7e).
    let mut data =
        vec![0x00, 0x7e, 0x11, 0x00, 0x2e, 0x18, 0x00, 0x00, 0x00, 0x02, 0x85, 0x09, 0xa0, 0x00, 0xdb, 0x01, 0x01];
    data.extend(b"\x80\x00mac frame");
    let f = record_to_frame(&rec(linktype::IEEE802_11_RADIOTAP, &data), Some(0)).unwrap();
    assert_eq!(f.bytes, b"\x80\x00mac frame");
    assert_eq!(f.meta.phy, Phy::WifiDsss);
    assert_eq!(f.meta.freq_hz, Some(2437e6));
    assert_eq!(f.meta.channel, Some(6));
    assert_eq!(f.meta.rate_mbps, Some(1.0));
    assert_eq!(f.meta.rssi_dbm, Some(-37.0));
    assert_eq!(f.meta.noise_dbm, None);
    assert!(!f.meta.fcs_included);
    assert_eq!(f.meta.crc_ok_at_capture, None);

    // Flags: FCS at end + bad FCS.
    data[8] = 0x50;
    let f = record_to_frame(&rec(linktype::IEEE802_11_RADIOTAP, &data), None).unwrap();
    assert!(f.meta.fcs_included);
    assert_eq!(f.meta.crc_ok_at_capture, Some(false));

    assert_eq!(record_to_frame(&rec(127, &data[..5]), None).unwrap_err().kind(), ErrorKind::Length);
}

#[test]
fn fuzz_entry_survives_garbage() {
    fuzz_read_all(b"");
    fuzz_read_all(&[0xD4, 0xC3, 0xB2, 0xA1]);
    let f =
        [shb(E::Le), idb(E::Le, 272, 0, &[opt(E::Le, 9, &[0xFF])]), epb(E::Le, 0, u64::MAX, &[0xBE, 0xEF])].concat();
    fuzz_read_all(&f);
    // Extreme resolutions do not overflow.
    for r in [0u8, 9, 19, 38, 47, 48, 127, 0x80, 0x80 | 64, 0xFF] {
        let f = [shb(E::Be), idb(E::Be, 127, 0, &[opt(E::Be, 9, &[r])]), epb(E::Be, 0, u64::MAX, &[0; 8])].concat();
        let recs = records(&f);
        assert_eq!(recs.len(), 1, "tsresol {r:#x}");
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<u8> {
        let e = E::Le;
        [
            shb(e),
            idb(e, 127, 0, &[opt(e, 9, &[9])]),
            epb(e, 0, 5, &[0, 0, 8, 0, 0, 0, 0, 0, 0x80, 0]),
            idb(e, 272, 0, &[]),
            epb(e, 1, 6, &[3, 8, 0, 3, 0, 0, 2, 10, 0x21, 10, 50, 0, 0, 0, 0, 0, 0]),
            spb(e, 3, b"abc"),
        ]
        .concat()
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            fuzz_read_all(&bytes);
            let mut with_magic = vec![0xD4, 0xC3, 0xB2, 0xA1];
            with_magic.extend(&bytes);
            fuzz_read_all(&with_magic);
            let mut ng = shb(E::Le);
            ng.extend(&bytes);
            fuzz_read_all(&ng);
        }

        #[test]
        fn mutated_file_never_panics(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            let mut f = sample();
            for (at, x) in flips {
                let n = f.len();
                f[at % n] ^= x;
            }
            fuzz_read_all(&f);
        }

        /// Any prefix of a valid file yields a prefix of its records and at
        /// most one error, last.
        #[test]
        fn truncation_yields_prefix(cut in 0usize..200) {
            let f = sample();
            let full = records(&f);
            let cut = cut.min(f.len());
            let Ok(reader) = PcapReader::new(&f[..cut]) else { return Ok(()) };
            let got: Vec<_> = reader.collect();
            let errors = got.iter().filter(|r| r.is_err()).count();
            prop_assert!(errors <= 1);
            if errors == 1 {
                prop_assert!(got.last().is_some_and(|r| r.is_err()));
            }
            for (g, want) in got.iter().filter_map(|r| r.as_ref().ok()).zip(&full) {
                prop_assert_eq!(g, want);
            }
        }
    }
}

// ----------------------------------------------------------- real captures

mod real {
    use super::*;
    use ridscope_dsp::crc::{ble_crc24_bytes, fcs32};
    use std::path::PathBuf;

    fn capture(name: &str) -> Option<PathBuf> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/pcap").join(name);
        if p.exists() {
            Some(p)
        } else {
            eprintln!("skipping: {} not found", p.display());
            None
        }
    }

    fn read(name: &str) -> Option<Vec<Record>> {
        let p = capture(name)?;
        Some(PcapReader::open(p).unwrap().map(|r| r.unwrap()).collect())
    }

    fn frames(recs: &[Record]) -> Vec<Frame> {
        let start = recs.first().and_then(|r| r.unix_ns);
        recs.iter().map(|r| record_to_frame(r, start).unwrap()).collect()
    }

    /// Record counts as reported by `tshark -r FILE | wc -l`.
    #[test]
    fn record_counts_match_tshark() {
        for (name, count) in [
            ("odid_wifi_sample.pcap", 63),
            ("odid_wifi_bcn_sample.pcap", 21),
            ("odid_bt5_lr_sample.pcapng", 274),
            ("edri_relay_test_EDRI-D2_F4relay.pcapng", 4309),
            ("edri_latency-test-YS7.pcapng", 1198),
        ] {
            let Some(recs) = read(name) else { continue };
            assert_eq!(recs.len(), count, "{name}");
            assert!(recs.iter().enumerate().all(|(i, r)| r.frame_no == i as u64 + 1));
        }
    }

    /// Radiotap values against `tshark -T fields -e frame.number -e frame.time_epoch
    /// -e frame.len -e radiotap.length -e radiotap.channel.freq -e radiotap.dbm_antsignal
    /// -e radiotap.flags.fcs -e radiotap.datarate`.
    #[test]
    fn radiotap_matches_tshark() {
        /// (file, frame, unix_ns, frame.len, radiotap.length, freq, first antsignal, fcs flag)
        type Case = (&'static str, u64, i128, u32, usize, f64, f32, bool);
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("odid_wifi_bcn_sample.pcap", 1, 1_621_633_931_161_999_000, 207, 17, 2437e6, -33.0, false),
            ("odid_wifi_bcn_sample.pcap", 2, 1_621_633_932_362_764_000, 207, 17, 2437e6, -31.0, false),
            ("odid_wifi_bcn_sample.pcap", 21, 1_621_633_945_961_949_000, 207, 17, 2437e6, -33.0, false),
            ("odid_wifi_sample.pcap", 1, 1_620_849_805_191_866_000, 89, 17, 2437e6, -37.0, false),
            ("odid_wifi_sample.pcap", 10, 1_620_849_807_992_974_000, 89, 17, 2437e6, -35.0, false),
            ("odid_wifi_sample.pcap", 63, 1_620_849_819_994_699_000, 107, 17, 2437e6, -39.0, false),
            ("edri_latency-test-YS7.pcapng", 1, 1_712_065_417_252_574_593, 239, 56, 2437e6, -39.0, true),
            ("edri_latency-test-YS7.pcapng", 2, 1_712_065_417_255_014_838, 239, 56, 2437e6, -31.0, true),
            ("edri_latency-test-YS7.pcapng", 1198, 1_712_065_477_157_767_156, 239, 56, 2437e6, -27.0, true),
            ("edri_relay_test_EDRI-D2_F4relay.pcapng", 1, 1_714_567_906_140_169_442, 160, 56, 2437e6, -68.0, false),
            ("edri_relay_test_EDRI-D2_F4relay.pcapng", 10, 1_714_567_907_537_931_250, 160, 56, 2437e6, -70.0, false),
            ("edri_relay_test_EDRI-D2_F4relay.pcapng", 4309, 1_714_568_918_366_613_075, 160, 56, 2437e6, -77.0, false),
        ];
        let mut loaded: Option<(&str, Vec<Record>)> = None;
        for &(name, no, unix_ns, len, rt_len, freq, rssi, fcs) in cases {
            if loaded.as_ref().map(|l| l.0) != Some(name) {
                let Some(recs) = read(name) else { continue };
                loaded = Some((name, recs));
            }
            let Some((_, recs)) = &loaded else { continue };
            let r = &recs[no as usize - 1];
            let start = recs[0].unix_ns;
            assert_eq!(r.unix_ns, Some(unix_ns), "{name} #{no}");
            assert_eq!((r.orig_len, r.data.len()), (len, len as usize), "{name} #{no}");
            assert_eq!(radiotap::Radiotap::parse(&r.data).unwrap().len, rt_len);
            let f = record_to_frame(r, start).unwrap();
            assert_eq!(f.bytes.len(), len as usize - rt_len);
            assert_eq!(f.meta.freq_hz, Some(freq), "{name} #{no}");
            assert_eq!(f.meta.channel, Some(6));
            assert_eq!(f.meta.rssi_dbm, Some(rssi), "{name} #{no}");
            assert_eq!(f.meta.fcs_included, fcs, "{name} #{no}");
            assert_eq!(f.meta.rate_mbps, Some(1.0));
            assert_eq!(f.meta.phy, Phy::WifiDsss);
            assert_eq!(f.meta.noise_dbm, None);
            assert_eq!(f.meta.crc_ok_at_capture, None);
            assert_eq!(f.meta.time_s, (unix_ns - start.unwrap()) as f64 / 1e9);
        }
    }

    /// Every radiotap header in the files parses completely, and every frame
    /// that carries an FCS has a correct one.
    #[test]
    fn wifi_fcs_verifies() {
        for name in [
            "odid_wifi_sample.pcap",
            "odid_wifi_bcn_sample.pcap",
            "edri_relay_test_EDRI-D2_F4relay.pcapng",
            "edri_latency-test-YS7.pcapng",
        ] {
            let Some(recs) = read(name) else { continue };
            let (mut with_fcs, mut action) = (0, 0);
            for (r, f) in recs.iter().zip(frames(&recs)) {
                assert_eq!(radiotap::Radiotap::parse(&r.data).unwrap().stopped_at, None, "{name} #{}", r.frame_no);
                // Beacons (0x80) and, in odid_wifi_sample.pcap, NAN action frames (0xd0).
                match f.bytes.first() {
                    Some(0x80) => {}
                    Some(0xd0) => action += 1,
                    other => panic!("{name} #{}: frame control {other:?}", r.frame_no),
                }
                if f.meta.fcs_included {
                    with_fcs += 1;
                    let (body, fcs) = f.bytes.split_at(f.bytes.len() - 4);
                    assert_eq!(fcs32(body).to_le_bytes(), fcs, "{name} #{}", r.frame_no);
                }
            }
            let expect = if name.starts_with("edri_latency") { recs.len() } else { 0 };
            assert_eq!(with_fcs, expect, "{name}");
            assert_eq!(action, if name == "odid_wifi_sample.pcap" { 21 } else { 0 }, "{name}");
        }
    }

    /// nRF Sniffer capture: channel, RSSI, PHY/CI and CRC verdict against
    /// `tshark -T fields -e nordic_ble.channel -e nordic_ble.rssi -e nordic_ble.crcok
    /// -e nordic_ble.phy -e btle.coding_indicator`; the BLE CRC verifies exactly
    /// when the sniffer says it did.
    #[test]
    fn nordic_matches_tshark_and_crc() {
        let Some(recs) = read("odid_bt5_lr_sample.pcapng") else { return };
        let fr = frames(&recs);
        // (frame, channel, rssi, crc ok, unix_ns)
        for (no, ch, rssi, ok, ns) in [
            (1usize, 10u16, -53.0f32, true, 1_696_390_917_558_003_000i128),
            (2, 11, -54.0, true, 1_696_390_917_567_013_000),
            (8, 17, -57.0, false, 1_696_390_917_613_001_000),
            (9, 18, -59.0, false, 1_696_390_917_620_001_000),
            (274, 28, -57.0, true, 1_696_390_935_168_293_000),
        ] {
            let m = &fr[no - 1].meta;
            assert_eq!(m.channel, Some(ch), "#{no}");
            assert_eq!(m.freq_hz, crate::frame::ble_channel_freq_hz(ch as u8));
            assert_eq!(m.rssi_dbm, Some(rssi), "#{no}");
            assert_eq!(m.crc_ok_at_capture, Some(ok), "#{no}");
            assert_eq!(m.unix_ns, Some(ns));
        }
        let mut bad = 0;
        for (r, f) in recs.iter().zip(&fr) {
            assert_eq!(r.linktype, linktype::NORDIC_BLE);
            assert_eq!(f.meta.phy, Phy::BleCodedS8, "#{}", r.frame_no);
            assert_eq!(f.meta.access_address, Some(0x8e89_bed6));
            assert!(f.meta.fcs_included);
            // 271-byte records: board + 6 header + 10 event + AA + CI + PDU(246) + CRC.
            assert_eq!(f.bytes.len(), 271 - 1 - 6 - 10 - 4 - 1);
            assert_eq!(f.bytes[..2], [0x07, 244], "#{}: AUX_ADV_IND, length 244", r.frame_no);
            let (pdu, crc) = f.bytes.split_at(f.bytes.len() - 3);
            let crc_ok = ble_crc24_bytes(pdu) == crc;
            assert_eq!(Some(crc_ok), f.meta.crc_ok_at_capture, "#{}", r.frame_no);
            bad += usize::from(!crc_ok);
        }
        assert_eq!(bad, 30);
    }
}
