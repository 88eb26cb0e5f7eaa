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
