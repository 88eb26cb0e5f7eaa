//! Link-layer tests against the reference transport frames.

use super::*;
use crate::decode::{PayloadOutcome, decode_frame};
use crate::frame::{Frame, LinkType, Phy, PhyMeta};
use crate::protocol::odid::transport;
use crate::util::hex;

const BEACON: &str = concat!(
    "80000000ffffffffffff021122334455021122334455000000000000000000006400200400155249442d4142434443313233",
    "34353637383930313201018cdd85fa0bbc0d2af21905021241424344433132333435363738393031320000000000001222",
    "241603c2ea4d1f046ffd07000911098e084b53a9470200320053757276657920666c69676874000000000000000000004204",
    "70c34d1fb022fd070100000000000012530800c2eb0b00520046494e38376173747264676531326b3800000000000000"
);
const NAN_SYNC: &str = concat!(
    "80000000ffffffffffff021122334455506f9a0100ff0000000000000000000000022004dd22506f9a13000200feea010d00",
    "021122334455eafe00000000000206008869199d9209"
);
const NAN_SDF: &str = concat!(
    "d0000000516f9a010000021122334455506f9a0100ff00000409506f9a13038b008869199d920901001081",
    "2af21905021241424344433132333435363738393031320000000000001222241603c2ea4d1f046ffd07000911098e084b",
    "53a9470200320053757276657920666c6967687400000000000000000000420470c34d1fb022fd070100000000000012530800",
    "c2eb0b00520046494e38376173747264676531326b38000000000000000e04000100022a"
);
const PACK5: &str = concat!(
    "f21905021241424344433132333435363738393031320000000000001222241603c2ea4d1f046ffd07000911098e084b53a9",
    "470200320053757276657920666c6967687400000000000000000000420470c34d1fb022fd070100000000000012530800c2",
    "eb0b00520046494e38376173747264676531326b3800000000000000"
);

fn wifi(bytes: Vec<u8>, fcs: bool) -> Frame {
    let mut meta = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
    meta.fcs_included = fcs;
    Frame { bytes, meta }
}

fn decoded(f: &Frame) -> Vec<crate::protocol::Payload> {
    let fd = decode_frame(f, Detail::Brief);
    assert!(fd.link_error.is_none(), "{:?}", fd.link_error);
    fd.payloads
        .into_iter()
        .map(|p| match p {
            PayloadOutcome::Decoded(p) => p,
            PayloadOutcome::Failed { error, .. } => panic!("payload failed: {error}"),
        })
        .collect()
}

#[test]
fn beacon_vector_builds_and_decodes() {
    let sa: MacAddr = "02:11:22:33:44:55".parse().unwrap();
    let pack = hex::decode(PACK5).unwrap();
    let ies = [
        ieee80211::element(0, b"RID-ABCDC123456789012").unwrap(),
        ieee80211::element(1, &[0x8c]).unwrap(),
        transport::wifi_vendor_ie(0x2a, &pack).unwrap(),
    ]
    .concat();
    let f = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa, sa, 0, 0, 100, 0x0420, &ies);
    assert_eq!(hex::encode(&f), BEACON);
    let p = decoded(&wifi(f.clone(), false));
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].transport, p[0].counter, p[0].messages.len()), (Transport::WifiBeacon, Some(0x2a), 5));
    // with an FCS, and with a corrupted one
    let with = ieee80211::append_fcs(f);
    assert_eq!(decoded(&wifi(with.clone(), true)).len(), 1);
    let mut bad = with;
    bad[60] ^= 0x10;
    let fd = decode_frame(&wifi(bad, true), Detail::Brief);
    assert_eq!(fd.link_error.map(|e| e.kind()), Some(crate::error::ErrorKind::Crc));
}

#[test]
fn nan_vectors_build_and_decode() {
    let sa: MacAddr = "02:11:22:33:44:55".parse().unwrap();
    let pack = hex::decode(PACK5).unwrap();
    let attrs = transport::nan_attributes(1, 0x2a, &pack).unwrap();
    let sdf = nan::sdf_frame(sa, nan::ODID_CLUSTER_ID, 0, &attrs);
    assert_eq!(hex::encode(&sdf), NAN_SDF);
    let p = decoded(&wifi(sdf, false));
    assert_eq!((p[0].transport, p[0].counter, p[0].messages.len()), (Transport::WifiNan, Some(0x2a), 5));

    let mut rank = [0u8; 8];
    rank[..6].copy_from_slice(&sa.0);
    rank[6..].copy_from_slice(&[0xea, 0xfe]);
    let ie = nan::sync_beacon_ie(0xfe, 0xea, rank, &[transport::NAN_SERVICE_ID]).unwrap();
    let sync =
        ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa, MacAddr(nan::ODID_CLUSTER_ID), 0, 0, 512, 0x0420, &ie);
    assert_eq!(hex::encode(&sync), NAN_SYNC);
    let fd = decode_frame(&wifi(sync, false), Detail::Brief);
    assert!(fd.payloads.is_empty());
    let Some(LinkSummary::Wifi(w)) = fd.link else { panic!() };
    assert_eq!(w.frame_type, "nan_sync_beacon");
}

#[test]
fn ble_legacy_and_extended_frames() {
    let bid = hex::decode("02124142434443313233343536373839303132000000000000").unwrap();
    let ad = transport::ble_service_data_ad(7, &bid).unwrap();
    let adv_a: MacAddr = "c3:11:22:33:44:55".parse().unwrap();
    let pdu = ble::AdvPdu {
        pdu_type: ble::PduType::AdvNonconnInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: Some(adv_a),
        peer_a: None,
        ext: None,
        adv_data: &ad,
        other: &[],
    }
    .emit()
    .unwrap();
    let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
    meta.fcs_included = true;
    meta.access_address = Some(ble::ADV_ACCESS_ADDRESS);
    meta.channel = Some(37);
    let f = Frame { bytes: ble::with_crc(&pdu), meta: meta.clone() };
    let p = decoded(&f);
    assert_eq!((p[0].transport, p[0].counter, p[0].packed), (Transport::Ble4Legacy, Some(7), false));

    // BT5: AUX_ADV_IND with the pack of 5
    let pack = hex::decode(PACK5).unwrap();
    let ad = transport::ble_service_data_ad(42, &pack).unwrap();
    let ext = ble::ExtHeader { adv_a: Some(adv_a), adi: Some(ble::Adi { did: 5, sid: 1 }), ..Default::default() };
    let pdu = ble::AdvPdu {
        pdu_type: ble::PduType::AdvExtInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: None,
        peer_a: None,
        ext: Some(ext),
        adv_data: &ad,
        other: &[],
    }
    .emit()
    .unwrap();
    let mut m5 = meta.clone();
    m5.channel = Some(22);
    m5.phy = Phy::BleCodedS8;
    let f = Frame { bytes: ble::with_crc(&pdu), meta: m5 };
    let fd = decode_frame(&f, Detail::Brief);
    let Some(LinkSummary::Ble(b)) = &fd.link else { panic!() };
    assert_eq!((b.pdu_type, b.adv_addr), ("aux_adv_ind", Some(adv_a)));
    let p = decoded(&f);
    assert_eq!((p[0].transport, p[0].messages.len()), (Transport::Ble5Extended, 5));

    // the zero-message pack of the TI sample is rejected, not decoded
    let mut empty = vec![0xF0, 0x19, 0x00];
    empty.extend_from_slice(&[0u8; 225]);
    let ad = transport::ble_service_data_ad(3, &empty).unwrap();
    let pdu = ble::AdvPdu {
        pdu_type: ble::PduType::AdvExtInd,
        ch_sel: false,
        tx_add_random: false,
        rx_add_random: false,
        adv_a: None,
        peer_a: None,
        ext: Some(ble::ExtHeader { adv_a: Some(adv_a), ..Default::default() }),
        adv_data: &ad,
        other: &[],
    }
    .emit()
    .unwrap();
    let fd = decode_frame(&Frame { bytes: ble::with_crc(&pdu), meta: meta.clone() }, Detail::Brief);
    assert!(matches!(&fd.payloads[..], [PayloadOutcome::Failed { .. }]), "{fd:?}");

    // data channel access address: not an advertising PDU
    let mut md = meta;
    md.access_address = Some(0x1234_5678);
    let fd = decode_frame(&Frame { bytes: ble::with_crc(&pdu), meta: md }, Detail::Brief);
    assert_eq!(fd.link_error.map(|e| e.kind()), Some(crate::error::ErrorKind::Unsupported));
}

#[test]
fn other_vendor_ies_are_ignored() {
    let sa: MacAddr = "02:00:00:00:00:01".parse().unwrap();
    let ies = [
        ieee80211::element(0, b"home").unwrap(),
        ieee80211::element(221, &[0x00, 0x50, 0xf2, 0x02, 0x01, 0x01]).unwrap(),
    ]
    .concat();
    let f = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa, sa, 1, 0, 100, 0x0401, &ies);
    let fd = decode_frame(&wifi(f, false), Detail::Brief);
    assert!(fd.link_error.is_none() && fd.payloads.is_empty());
}

#[test]
fn odid_pack_counts_through_the_decoder() {
    // the whole path through Decoder: records with envelopes, pack indices
    let f = wifi(hex::decode(BEACON).unwrap(), false);
    let mut d = crate::decode::Decoder::new();
    let recs = d.push(&f);
    assert_eq!(recs.len(), 5);
    let j = serde_json::to_value(&recs[1]).unwrap();
    assert_eq!(j["msg_type"], "location");
    assert_eq!(j["pack_index"], 1);
    assert_eq!(j["pack_size"], 5);
    assert_eq!(j["src_addr"], "02:11:22:33:44:55");
    assert_eq!(j["transport"], "wifi_beacon");
    assert_eq!(d.stats.messages["odid.location"], 1);
}

mod ble_unit {
    use crate::link::ble::*;
    #[allow(unused_imports)]
    use crate::util::{MacAddr, hex};

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn legacy_nonconn_roundtrip() {
        let adv = h("1e16faff0d0702124142434443313233343536373839303132000000000000");
        let a: MacAddr = "c0:11:22:33:44:55".parse().unwrap();
        let pdu = AdvPdu {
            pdu_type: PduType::AdvNonconnInd,
            ch_sel: false,
            tx_add_random: true,
            rx_add_random: false,
            adv_a: Some(a),
            peer_a: None,
            ext: None,
            adv_data: &adv,
            other: &[],
        };
        let bytes = pdu.emit().unwrap();
        assert_eq!(bytes[0], 0x42);
        assert_eq!(bytes[1], 37, "payload length 37 per the spec");
        assert_eq!(&bytes[2..8], &[0x55, 0x44, 0x33, 0x22, 0x11, 0xc0]);
        let back = AdvPdu::parse(&bytes).unwrap();
        assert_eq!(back, pdu);
        let ads = ad_structures(back.adv_data).unwrap();
        assert_eq!(ads.len(), 1);
        assert_eq!(ads[0].service_data_16().unwrap().0, 0xFFFA);
        let framed = with_crc(&bytes);
        assert_eq!(split_crc(&framed).unwrap(), (&bytes[..], true));
        let mut bad = framed.clone();
        bad[10] ^= 4;
        assert!(!split_crc(&bad).unwrap().1);
    }

    #[test]
    fn real_aux_adv_ind_header() {
        // Header and extended header of the nRF Sniffer capture's AUX_ADV_IND:
        // type 7, length 244, ext header length 9, flags AdvA + ADI.
        let mut pdu = h("07f409091c2febea7de0750e");
        pdu.resize(2 + 244, 0);
        let p = AdvPdu::parse(&pdu).unwrap();
        let e = p.ext.as_ref().unwrap();
        assert_eq!(e.adv_mode, 0);
        assert_eq!(e.adv_a.unwrap().to_string(), "e0:7d:ea:eb:2f:1c");
        assert_eq!(e.adi, Some(Adi { did: 0xe75, sid: 0 }));
        assert_eq!(p.adv_data.len(), 234);
        assert_eq!(p.name(Some(10)), "aux_adv_ind");
        assert_eq!(p.name(Some(37)), "adv_ext_ind");
        assert_eq!(p.emit().unwrap(), pdu);
    }

    #[test]
    fn ext_ind_with_auxptr_roundtrip() {
        let ext = ExtHeader {
            adv_mode: 0,
            adi: Some(Adi { did: 0x123, sid: 2 }),
            aux_ptr: Some(AuxPtr { channel: 22, ca: true, offset_units_us: 300, offset: 17, phy: 2 }),
            tx_power_dbm: Some(-4),
            ..Default::default()
        };
        let pdu = AdvPdu {
            pdu_type: PduType::AdvExtInd,
            ch_sel: false,
            tx_add_random: false,
            rx_add_random: false,
            adv_a: None,
            peer_a: None,
            ext: Some(ext),
            adv_data: &[],
            other: &[],
        };
        let b = pdu.emit().unwrap();
        let back = AdvPdu::parse(&b).unwrap();
        assert_eq!(back, pdu);
        assert_eq!(back.ext.unwrap().aux_ptr.unwrap().offset_us(), 5100);
    }

    #[test]
    fn malformed_pdus_are_errors() {
        assert!(AdvPdu::parse(&[]).is_err());
        assert!(AdvPdu::parse(&[0x42, 5, 1, 2]).is_err()); // length mismatch
        assert!(AdvPdu::parse(&[0x42, 3, 1, 2, 3]).is_err()); // AdvA cut short
        assert!(AdvPdu::parse(&[0x07, 2, 0x05, 0x01]).is_err()); // ext header cut short
        assert!(AdvPdu::parse(&[0x0F, 0]).is_err()); // reserved type
        assert!(ad_structures(&[5, 0x16, 1]).is_err());
        assert_eq!(ad_structures(&[2, 1, 6, 0, 0xFF, 0xFF]).unwrap().len(), 1);
    }
}

mod ieee80211_unit {
    use crate::link::ieee80211::*;
    use crate::util::{MacAddr, hex};

    #[test]
    fn beacon_parse_and_build() {
        let ies = [element(0, b"RID").unwrap(), element(1, &[0x8c]).unwrap()].concat();
        let sa: MacAddr = "02:11:22:33:44:55".parse().unwrap();
        let f = beacon(MgmtSubtype::Beacon, sa, sa, 7, 0, 100, 0x0420, &ies);
        let m = MgmtFrame::parse(&f).unwrap();
        assert_eq!(m.subtype, MgmtSubtype::Beacon);
        assert_eq!((m.sa, m.da, m.seq), (sa, MacAddr::BROADCAST, 7));
        assert_eq!(m.ssid().as_deref(), Some("RID"));
        let with = append_fcs(f.clone());
        assert!(has_valid_fcs(&with));
        assert_eq!(split_fcs(&with, true).unwrap(), (&f[..], FcsStatus::Ok));
        let mut bad = with.clone();
        bad[30] ^= 1;
        assert_eq!(split_fcs(&bad, true).unwrap().1, FcsStatus::Bad);
    }

    #[test]
    fn errors_not_panics() {
        assert!(MgmtFrame::parse(&[]).is_err());
        assert!(MgmtFrame::parse(&[0x80; 30]).is_err()); // beacon fixed fields cut short / bad IEs
        assert!(
            MgmtFrame::parse(&hex::decode("0800000000000000000000000000000000000000000000000000").unwrap()).is_err()
        );
        assert!(elements(&[0xdd, 5, 1]).is_err());
        assert!(elements(&[0xdd]).is_err());
        assert_eq!(elements(&[]).unwrap().len(), 0);
    }
}

mod nan_unit {
    use crate::link::nan::*;
    #[allow(unused_imports)]
    use crate::util::{MacAddr, hex};

    #[test]
    fn sda_roundtrip_and_errors() {
        let info = [0x2a, 1, 2, 3];
        let sda = ServiceDescriptor {
            service_id: [0x88, 0x69, 0x19, 0x9D, 0x92, 0x09],
            instance_id: 1,
            requestor_instance_id: 0,
            control: control::SERVICE_INFO,
            binding_bitmap: None,
            matching_filter: None,
            response_filter: None,
            service_info: Some(&info),
        };
        let b = sda.emit().unwrap();
        assert_eq!(ServiceDescriptor::parse(&b).unwrap(), sda);
        assert!(ServiceDescriptor::parse(&b[..b.len() - 1]).is_err());
        assert!(ServiceDescriptor::parse(&b[..5]).is_err());
        let a = attribute(attr::SERVICE_DESCRIPTOR, &b).unwrap();
        assert_eq!(attributes(&a).unwrap(), vec![Attribute { id: 3, body: &b }]);
        assert!(attributes(&a[..a.len() - 1]).is_err());
        let e = ServiceDescriptorExt::parse(&[1, 0, 2, 0x2a]).unwrap();
        assert_eq!(e.service_update_indicator, Some(0x2a));
        assert!(ServiceDescriptorExt::parse(&[1, 0, 2]).is_err());
    }
}

#[test]
fn a_bad_trailing_structure_keeps_the_carriers_before_it() {
    let sa: MacAddr = "02:11:22:33:44:55".parse().unwrap();
    let pack = hex::decode(PACK5).unwrap();
    let mut ies = transport::wifi_vendor_ie(1, &pack).unwrap();
    ies.push(0xdd); // one stray byte
    let f = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa, sa, 0, 0, 100, 0x0420, &ies);
    let fd = decode_frame(&wifi(f, false), Detail::Brief);
    assert_eq!(fd.payloads.len(), 1);
    let Some(LinkSummary::Wifi(w)) = &fd.link else { panic!() };
    assert!(w.malformed.as_deref().unwrap().contains("information element"));
    // without a drone ID element before the fault it stays an error
    let f = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa, sa, 0, 0, 100, 0x0420, &[0x00, 0x05, 0x41]);
    assert_eq!(
        decode_frame(&wifi(f, false), Detail::Brief).link_error.map(|e| e.kind()),
        Some(crate::error::ErrorKind::Length)
    );
    // BLE: service data then a truncated AD structure
    let bid = hex::decode("02124142434443313233343536373839303132000000000000").unwrap();
    let mut adv = transport::ble_service_data_ad(3, &bid).unwrap();
    adv.push(0x05); // then a structure claiming 5 bytes that are not there
    let pdu = ble::AdvPdu {
        pdu_type: ble::PduType::AdvExtInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: None,
        peer_a: None,
        ext: Some(ble::ExtHeader { adv_a: Some(sa), ..Default::default() }),
        adv_data: &adv,
        other: &[],
    }
    .emit()
    .unwrap();
    let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
    meta.fcs_included = true;
    let fd = decode_frame(&Frame { bytes: ble::with_crc(&pdu), meta }, Detail::Brief);
    assert!(matches!(&fd.payloads[..], [PayloadOutcome::Decoded(p)] if p.counter == Some(3)), "{fd:?}");
    let Some(LinkSummary::Ble(b)) = &fd.link else { panic!() };
    assert!(b.malformed.is_some());
}
