//! The scenario behind `captures/pcap/synthetic_mixed.pcapng`: four drones
//! broadcasting over every transport ridscope decodes from frames, plus
//! the edge cases a receiver must survive. Shared by the generator example
//! and the golden test, so the committed capture cannot drift from its code.

use ridscope::frame::{Frame, LinkType, Phy, PhyMeta};
use ridscope::link::{ble, ieee80211, nan};
use ridscope::protocol::dji::{self, record::FlightInfo};
use ridscope::protocol::french::FrenchId;
use ridscope::protocol::odid::*;
use ridscope::util::MacAddr;

/// 2026-01-01T12:00:00Z.
pub const T0_NS: i128 = 1_767_268_800_000_000_000;

pub struct Event {
    pub t_ns: i128,
    pub frame: Frame,
}

fn ble_meta(channel: u16, phy: Phy, rssi: f32) -> PhyMeta {
    let mut m = PhyMeta::new(LinkType::BleLl, phy);
    m.fcs_included = true;
    m.channel = Some(channel);
    m.access_address = Some(ble::ADV_ACCESS_ADDRESS);
    m.rssi_dbm = Some(rssi);
    m.crc_ok_at_capture = Some(true);
    m
}

fn wifi_meta(rssi: f32) -> PhyMeta {
    let mut m = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
    m.fcs_included = true;
    m.channel = Some(6);
    m.freq_hz = Some(2437e6);
    m.rate_mbps = Some(1.0);
    m.rssi_dbm = Some(rssi);
    m
}

fn legacy_pdu(adv_a: MacAddr, ad: &[u8]) -> Vec<u8> {
    let pdu = ble::AdvPdu {
        pdu_type: ble::PduType::AdvNonconnInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: Some(adv_a),
        peer_a: None,
        ext: None,
        adv_data: ad,
        other: &[],
    };
    ble::with_crc(&pdu.emit().expect("legacy PDU"))
}

fn aux_pdu(adv_a: MacAddr, did: u16, ad: &[u8]) -> Vec<u8> {
    let ext = ble::ExtHeader { adv_a: Some(adv_a), adi: Some(ble::Adi { did, sid: 1 }), ..Default::default() };
    let pdu = ble::AdvPdu {
        pdu_type: ble::PduType::AdvExtInd,
        ch_sel: false,
        tx_add_random: true,
        rx_add_random: false,
        adv_a: None,
        peer_a: None,
        ext: Some(ext),
        adv_data: ad,
        other: &[],
    };
    ble::with_crc(&pdu.emit().expect("AUX_ADV_IND"))
}

/// A point `r` metres from (lat0, lon0) at bearing `brg` degrees.
fn offset(lat0: f64, lon0: f64, r: f64, brg: f64) -> (f64, f64) {
    let (n, e) = (r * brg.to_radians().cos(), r * brg.to_radians().sin());
    (lat0 + n / 111_320.0, lon0 + e / (111_320.0 * lat0.to_radians().cos()))
}

fn location(t_s: f64, lat0: f64, lon0: f64) -> Location {
    let brg = (t_s * 12.0) % 360.0; // circling, radius 80 m
    let (lat, lon) = offset(lat0, lon0, 80.0, brg);
    let mut l = Location {
        status: OperationalStatus::Airborne,
        height_type: HeightType::AboveTakeoff,
        direction_deg: Some(((brg + 90.0) % 360.0).round()),
        speed_h_mps: Some(16.75),
        speed_v_mps: Some(0.5),
        lat_deg: Some(lat),
        lon_deg: Some(lon),
        alt_baro_m: Some(152.0),
        alt_geo_m: Some(160.5),
        height_m: Some(95.0),
        h_accuracy: 10,
        v_accuracy: 4,
        baro_accuracy: 4,
        speed_accuracy: 3,
        timestamp_tenths: None,
        timestamp_accuracy: 2,
        ..Location::default()
    };
    l.set_timestamp_s(Some(t_s % 3600.0)).expect("timestamp");
    l
}

fn system(lat: f64, lon: f64, ts: u32) -> System {
    System {
        operator_location_type: OperatorLocationType::LiveGnss,
        classification_type: Some(ClassificationType::Eu),
        operator_lat_deg: Some(lat),
        operator_lon_deg: Some(lon),
        eu_category: EuCategory::Open,
        eu_class: EuClass::C1,
        operator_alt_geo_m: Some(66.0),
        timestamp: Some(ts),
        ..System::default()
    }
}

/// Every frame of the capture, in time order.
pub fn events() -> Vec<Event> {
    let mut ev = Vec::new();
    let sec = 1_000_000_000i128;
    // seconds since the hour and since 2019-01-01 for the message timestamps
    let t_hour = 0.0;
    let odid_ts = ((T0_NS / sec) as i64 - ridscope::util::time::ODID_EPOCH_UNIX_S) as u32;

    // Drone 1: a BT4 + BT5 module (serial 1596A1B2C3D4E5), Berlin Tempelhof.
    let (lat1, lon1) = (52.4730, 13.4010);
    let bid1 = BasicId::with_text(IdType::SerialNumber, UaType::HelicopterOrMultirotor, "1596AB2C3D4E5F6").unwrap();
    let op1 = OperatorId::with_text(OperatorIdType::OperatorId, "DEUabcd1234efgh5").unwrap();
    let self1 = SelfId::with_text(DescType::Text, "Roof inspection").unwrap();
    let sig1 = AuthSignature {
        auth_type: AuthType::UasIdSignature,
        pages: 0,
        timestamp: odid_ts,
        data: (0u8..48).map(|i| i.wrapping_mul(37) ^ 0x5a).collect(),
        extra: vec![],
    };
    let mut counters = [0u8; 8];
    for s in 0..4 {
        // MAC rotation after two seconds, as privacy-minded modules do
        let adv_a: MacAddr = if s < 2 { "c4:12:34:56:78:9a" } else { "d8:9a:bc:de:f0:11" }.parse().unwrap();
        let t = T0_NS + s * sec;
        let loc = location(t_hour + s as f64, lat1, lon1);
        let mut cycle: Vec<Body> = vec![
            Body::Location(loc.clone()),
            Body::BasicId(bid1.clone()),
            Body::SelfId(self1.clone()),
            Body::System(system(lat1 - 0.0009, lon1 + 0.0004, odid_ts + s as u32)),
            Body::OperatorId(op1.clone()),
        ];
        if s == 1 {
            cycle.extend(sig1.to_pages().unwrap().into_iter().map(Body::Auth));
        }
        for (i, body) in cycle.into_iter().enumerate() {
            let wt = body.wire_type().map(|w| w.value() as usize).unwrap_or(7).min(7);
            counters[wt] = counters[wt].wrapping_add(1);
            let msg = Message::v2(body).emit().unwrap();
            let ad = transport::ble_service_data_ad(counters[wt], &msg).unwrap();
            for (k, ch) in [37u16, 38, 39].into_iter().enumerate() {
                let tt = t + i as i128 * 110_000_000 + k as i128 * 400_000;
                let mut bytes = legacy_pdu(adv_a, &ad);
                let mut meta = ble_meta(ch, Phy::Ble1m, -58.0 - k as f32);
                if s == 3 && i == 0 && ch == 38 {
                    // interference: a corrupted copy (flagged bad by the sniffer too)
                    bytes[12] ^= 0x21;
                    meta.crc_ok_at_capture = Some(false);
                }
                ev.push(Event { t_ns: tt, frame: Frame { bytes, meta } });
            }
        }
        // BT5 Long Range: the whole set in one pack on a data channel
        let pack = transport::pack(
            2,
            vec![
                Message::v2(Body::BasicId(bid1.clone())),
                Message::v2(Body::Location(loc)),
                Message::v2(Body::SelfId(self1.clone())),
                Message::v2(Body::System(system(lat1 - 0.0009, lon1 + 0.0004, odid_ts + s as u32))),
                Message::v2(Body::OperatorId(op1.clone())),
            ],
        )
        .unwrap();
        counters[7] = counters[7].wrapping_add(1);
        let ad = transport::ble_service_data_ad(counters[7], &pack).unwrap();
        let aux_ch = [9u16, 22, 3, 30][s as usize];
        ev.push(Event {
            t_ns: t + 700_000_000,
            frame: Frame {
                bytes: aux_pdu(adv_a, 0x100 + s as u16, &ad),
                meta: ble_meta(aux_ch, Phy::BleCodedS8, -71.0),
            },
        });
    }
    // A BT5 transmitter with an empty pack area (N = 0): must be rejected.
    let mut empty = vec![0xF2, 0x19, 0x00];
    empty.resize(228, 0);
    let ad = transport::ble_service_data_ad(9, &empty).unwrap();
    ev.push(Event {
        t_ns: T0_NS + 2_500_000_000,
        frame: Frame {
            bytes: aux_pdu("e0:7d:ea:00:00:01".parse().unwrap(), 7, &ad),
            meta: ble_meta(17, Phy::BleCodedS8, -80.0),
        },
    });

    // Drone 2: Wi-Fi Beacon + NAN (EU module), Paris, protocol v2.
    let (lat2, lon2) = (48.8400, 2.2900);
    let sa2: MacAddr = "02:5e:11:22:33:44".parse().unwrap();
    let bid2 = BasicId::with_text(IdType::SerialNumber, UaType::Aeroplane, "1581F5FKD229400A2B").unwrap();
    let op2 = OperatorId::with_text(OperatorIdType::OperatorId, "FRA87astrdge12k8").unwrap();
    for s in 0..4 {
        let t = T0_NS + s * sec + 250_000_000;
        let pack = transport::pack(
            2,
            vec![
                Message::v2(Body::BasicId(bid2.clone())),
                Message::v2(Body::Location(location(t_hour + s as f64 + 0.25, lat2, lon2))),
                Message::v2(Body::System(system(lat2 + 0.0005, lon2 - 0.0007, odid_ts + s as u32))),
                Message::v2(Body::OperatorId(op2.clone())),
            ],
        )
        .unwrap();
        let ies = [
            ieee80211::element(0, b"RID-1581F5FKD229400A2B").unwrap(),
            ieee80211::element(1, &[0x82, 0x84, 0x8b, 0x96]).unwrap(),
            ieee80211::element(3, &[6]).unwrap(),
            transport::wifi_vendor_ie(s as u8, &pack).unwrap(),
        ]
        .concat();
        let b = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa2, sa2, 100 + s as u16, 0, 100, 0x0401, &ies);
        let mut bytes = ieee80211::append_fcs(b);
        let meta = wifi_meta(-47.0);
        if s == 2 {
            bytes[70] ^= 0x04; // a bit error: the FCS catches it
        }
        ev.push(Event { t_ns: t, frame: Frame { bytes, meta } });
        // NAN: sync beacon then the service discovery frame
        let mut rank = [0u8; 8];
        rank[..6].copy_from_slice(&sa2.0);
        rank[6..].copy_from_slice(&[0xea, 0xfe]);
        let ie = nan::sync_beacon_ie(0xfe, 0xea, rank, &[transport::NAN_SERVICE_ID]).unwrap();
        let sync = ieee80211::beacon(
            ieee80211::MgmtSubtype::Beacon,
            sa2,
            MacAddr(nan::ODID_CLUSTER_ID),
            200 + s as u16,
            0,
            512,
            0x0420,
            &ie,
        );
        ev.push(Event {
            t_ns: t + 2_000_000,
            frame: Frame { bytes: ieee80211::append_fcs(sync), meta: wifi_meta(-48.0) },
        });
        let attrs = transport::nan_attributes(1, s as u8, &pack).unwrap();
        let sdf = nan::sdf_frame(sa2, nan::ODID_CLUSTER_ID, 300 + s as u16, &attrs);
        ev.push(Event {
            t_ns: t + 4_000_000,
            frame: Frame { bytes: ieee80211::append_fcs(sdf), meta: wifi_meta(-48.0) },
        });
    }

    // Drone 3: French "signalement électronique" beacon.
    let sa3: MacAddr = "0a:fb:00:11:22:33".parse().unwrap();
    for s in 0..2 {
        let mut f = FrenchId {
            protocol_version: Some(1),
            lat_deg: Some(43.6045 + 0.0001 * s as f64),
            lon_deg: Some(1.4440),
            alt_msl_m: Some(260),
            height_m: Some(110),
            takeoff_lat_deg: Some(43.6040),
            takeoff_lon_deg: Some(1.4432),
            speed_h_mps: Some(9),
            direction_deg: Some(35),
            ..FrenchId::default()
        };
        f.set_french_id("PAROPR000000000000000000123456").unwrap();
        let mut body = vec![0x6A, 0x5C, 0x35, 0x01];
        body.extend(f.emit().unwrap());
        let ies =
            [ieee80211::element(0, b"ILLEGAL_DRONE_APPELI").unwrap(), ieee80211::element(221, &body).unwrap()].concat();
        let b = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa3, sa3, 10 + s as u16, 0, 100, 0x0001, &ies);
        ev.push(Event {
            t_ns: T0_NS + s as i128 * 3 * sec + 600_000_000,
            frame: Frame { bytes: ieee80211::append_fcs(b), meta: wifi_meta(-63.0) },
        });
    }

    // Drone 4: a DJI Wi-Fi drone's beacon with the DroneID IE (v2 telemetry + flight purpose).
    let sa4: MacAddr = "60:60:1f:aa:bb:cc".parse().unwrap();
    let mut fi = FlightInfo { sequence: 412, state_info: 0x1FF7, ..FlightInfo::default() };
    fi.set_serial("08QDE3Q0123456").unwrap();
    fi.set_position_deg(51.4775, -0.4614).unwrap();
    (fi.alt_raw, fi.height_raw, fi.yaw_raw) = (141, 452, 9050);
    (fi.v_north_raw, fi.v_east_raw, fi.v_up_raw) = (120, -35, 27);
    fi.version = dji::record::FlightInfoVersion::V2 { gps_time_ms: 1_767_268_801_500, app_lat_raw: 0, app_lon_raw: 0 };
    fi.set_operator_deg(51.4771, -0.4620).unwrap();
    fi.set_home_deg(51.4772, -0.4619).unwrap();
    fi.product_type = 58;
    fi.set_uuid("1234567890123456789").unwrap();
    let ie = dji::wifi::emit_ie(&dji::DjiMessage::FlightInfo {
        info: fi,
        framing: dji::Framing::Wifi { header: dji::wifi::HEADER },
    })
    .unwrap();
    let ies = [ieee80211::element(0, b"MavicAir2-ABCDEF").unwrap(), ie].concat();
    let b = ieee80211::beacon(ieee80211::MgmtSubtype::Beacon, sa4, sa4, 77, 0, 100, 0x0431, &ies);
    ev.push(Event {
        t_ns: T0_NS + 3_300_000_000,
        frame: Frame { bytes: ieee80211::append_fcs(b), meta: wifi_meta(-52.0) },
    });

    ev.sort_by_key(|e| e.t_ns);
    ev
}

/// The capture as pcapng bytes.
pub fn pcapng() -> Vec<u8> {
    let mut w = ridscope::pcap::PcapngWriter::new(Vec::new()).expect("in memory");
    for e in events() {
        w.frame(&e.frame, e.t_ns).expect("in memory");
    }
    w.into_inner()
}
