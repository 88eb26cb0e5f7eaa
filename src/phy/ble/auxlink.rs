//! Linking BLE 5 extended advertising: each AUX_ADV_IND to the ADV_EXT_IND
//! primaries whose AuxPtr pointed to it, and each AUX_CHAIN_IND to the
//! packet whose AuxPtr pointed to it.
//!
//! An advertiser sends ADV_EXT_IND on channels 37, 38 and 39; each carries
//! an ADI (data and set ID) and an AuxPtr (secondary channel 0..36, offset,
//! offset unit, clock accuracy, PHY) and no data. All three point to the
//! same AUX_ADV_IND, which carries the AdvData (the Remote ID message pack)
//! and may itself point to an AUX_CHAIN_IND with more data.
//!
//! The Aux Offset is measured from the start of the packet holding the
//! AuxPtr to the start of the auxiliary packet, rounded down to the offset
//! unit (30 or 300 µs); the auxiliary packet starts between the offset and
//! the offset plus one unit, on the advertiser's clock (51..500 ppm when
//! CA = 0, 0..50 ppm when CA = 1). [`AuxLinker`] expects the auxiliary
//! packet in that window, widened by both clock tolerances and a small
//! timing slack, on the pointed-to channel and with the same ADI.
//!
//! The linker is pure and driven by the frames' `time_s` (the start of the
//! packet), never the wall clock. Frames may arrive slightly out of time
//! order (a receiver handles its channels one after another): they are held
//! in a reorder buffer for [`DEFAULT_REORDER_S`] of stream time and
//! processed in time order, so a primary is always handled before the
//! auxiliary packet it points to, and an expectation is closed (found or
//! missed) once stream time has passed its window.
//!
//! Counts are of distinct auxiliary packets, not of pointers: the three
//! primaries of one advertising event pointing to one AUX_ADV_IND count
//! once. Whether a pointed-to packet could have been received depends on the
//! channels (and, when given, the PHYs) the receiver decodes: those outside
//! are counted apart, as `outside_band` (or `other_phy`), not as missed.

use serde::Serialize;

use crate::frame::{Frame, LinkType, Phy};
use crate::link::ble::{Adi, AdvPdu, AuxPtr, CRC_LEN, ExtHeader, PduType, split_crc};

/// How long frames wait in the reorder buffer (seconds of stream time).
/// Longer than any packet (an LE Coded S=8 PDU of 255 bytes lasts 17 ms),
/// so receivers that emit a packet once it has ended stay within it.
pub const DEFAULT_REORDER_S: f64 = 0.025;
/// Timing slack added to both ends of every window (seconds): the
/// uncertainty of the packet start times the frames carry.
pub const DEFAULT_SLACK_S: f64 = 20e-6;
/// Clock tolerance allowed for the receiver itself (ppm), on top of the
/// advertiser's.
pub const RX_CLOCK_PPM: f64 = 50.0;
/// Expectations kept at most; the oldest are closed first beyond this
/// (only garbage input gets near it: real advertisers point at most 2.5 s
/// ahead).
const MAX_PENDING: usize = 4096;
/// Links of recent auxiliary packets kept for [`AuxLinker::link_of`].
const RECENT_LINKS: usize = 64;

/// Counters of the extended advertising linker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuxStats {
    /// ADV_EXT_IND on a primary channel with an AuxPtr.
    pub primaries: u64,
    /// Distinct AUX packets pointed to by primaries on channels (and PHYs)
    /// that are received: `aux_found + aux_missed`.
    pub aux_expected: u64,
    /// Of those, decoded and matched to their primaries.
    pub aux_found: u64,
    /// Of those, not decoded.
    pub aux_missed: u64,
    /// Distinct AUX packets pointed to on channels that are not received.
    pub aux_outside_band: u64,
    /// Distinct AUX packets pointed to on a received channel but a PHY that
    /// is not (only when the linker was told the PHYs).
    pub aux_other_phy: u64,
    /// AUX_ADV_IND decoded (a secondary-channel packet with AdvA) that no
    /// heard primary pointed to.
    pub aux_unmatched: u64,
    /// Distinct AUX_CHAIN_IND pointed to by an AUX packet on channels (and
    /// PHYs) that are received: `chain_found + chain_missed`.
    pub chain_expected: u64,
    pub chain_found: u64,
    pub chain_missed: u64,
    /// Chain packets pointed to on channels, or PHYs, that are not received.
    pub chain_outside_band: u64,
    /// Secondary-channel packets without AdvA (AUX_CHAIN_IND, AUX_SYNC_IND)
    /// that no heard packet pointed to.
    pub chain_unmatched: u64,
    /// Pointed-to packets on received channels (and PHYs) whose window was
    /// still open when the stream ended (not counted as expected or missed).
    pub pending_at_end: u64,
    /// Frames that arrived later than the reorder buffer allows (processed
    /// anyway; a link involving them may be missed).
    pub late_frames: u64,
}

impl AuxStats {
    /// Adds `o`'s counters to these.
    pub fn merge(&mut self, o: &AuxStats) {
        self.primaries += o.primaries;
        self.aux_expected += o.aux_expected;
        self.aux_found += o.aux_found;
        self.aux_missed += o.aux_missed;
        self.aux_outside_band += o.aux_outside_band;
        self.aux_other_phy += o.aux_other_phy;
        self.aux_unmatched += o.aux_unmatched;
        self.chain_expected += o.chain_expected;
        self.chain_found += o.chain_found;
        self.chain_missed += o.chain_missed;
        self.chain_outside_band += o.chain_outside_band;
        self.chain_unmatched += o.chain_unmatched;
        self.pending_at_end += o.pending_at_end;
        self.late_frames += o.late_frames;
    }

    /// True when any extended advertising packet was seen.
    pub fn any(&self) -> bool {
        self.primaries + self.aux_unmatched + self.chain_unmatched > 0
    }
}

/// A packet, by channel and start time (`meta.time_s`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PacketRef {
    pub channel: u8,
    pub time_s: f64,
}

/// What a secondary-channel packet was taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondaryKind {
    /// Pointed to by ADV_EXT_IND primaries (or, unmatched, one with AdvA).
    AuxAdvInd,
    /// Pointed to by another secondary packet (or, unmatched, one without
    /// AdvA: AUX_CHAIN_IND or AUX_SYNC_IND).
    AuxChainInd,
}

/// The link found for one secondary-channel packet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuxLink {
    pub packet: PacketRef,
    pub kind: SecondaryKind,
    pub adi: Option<Adi>,
    /// The packets whose AuxPtr pointed to it, in time order: the primaries
    /// (up to one per primary channel) of an AUX_ADV_IND, the parent of an
    /// AUX_CHAIN_IND. Empty when nothing heard pointed to it.
    pub pointers: Vec<PacketRef>,
}

impl AuxLink {
    pub fn is_matched(&self) -> bool {
        !self.pointers.is_empty()
    }
}

/// What the linker keeps of a frame.
#[derive(Debug, Clone)]
struct Item {
    time_s: f64,
    seq: u64,
    channel: u8,
    adi: Option<Adi>,
    has_adv_a: bool,
    aux_ptr: Option<AuxPtr>,
}

/// An auxiliary packet some heard packet pointed to.
#[derive(Debug, Clone)]
struct Expect {
    kind: SecondaryKind,
    channel: u8,
    adi: Option<Adi>,
    lo: f64,
    hi: f64,
    /// Channel received and PHY decoded.
    in_band: bool,
    phy_ok: bool,
    pointers: Vec<PacketRef>,
}

/// Links extended advertising packets; see the module documentation.
#[derive(Debug, Clone)]
pub struct AuxLinker {
    received: [bool; 40],
    phys: Option<Vec<Phy>>,
    reorder_s: f64,
    slack_s: f64,
    /// Frames not yet processed, in arrival order.
    buffer: Vec<Item>,
    /// Latest frame time seen.
    now: f64,
    /// Time of the last frame processed.
    done_until: f64,
    seq: u64,
    pending: Vec<Expect>,
    recent: std::collections::VecDeque<AuxLink>,
    stats: AuxStats,
}

impl AuxLinker {
    /// A linker for a receiver that decodes packets on `received_channels`
    /// (indices above 39 are ignored), on any PHY.
    pub fn new(received_channels: &[u8]) -> Self {
        let mut received = [false; 40];
        for &c in received_channels {
            if let Some(r) = received.get_mut(c as usize) {
                *r = true;
            }
        }
        AuxLinker {
            received,
            phys: None,
            reorder_s: DEFAULT_REORDER_S,
            slack_s: DEFAULT_SLACK_S,
            buffer: Vec::new(),
            now: f64::NEG_INFINITY,
            done_until: f64::NEG_INFINITY,
            seq: 0,
            pending: Vec::new(),
            recent: std::collections::VecDeque::new(),
            stats: AuxStats::default(),
        }
    }

    /// The PHYs the receiver decodes: an auxiliary packet pointed to on
    /// another PHY counts as `other_phy`, not as missed. LE Coded counts as
    /// decoded when either coding (S=8 or S=2) is listed.
    pub fn with_phys(mut self, phys: &[Phy]) -> Self {
        self.phys = Some(phys.to_vec());
        self
    }

    /// How long frames are held to restore time order (seconds, ≥ 0).
    pub fn with_reorder_s(mut self, s: f64) -> Self {
        self.reorder_s = if s.is_finite() { s.max(0.0) } else { DEFAULT_REORDER_S };
        self
    }

    /// Timing slack at both ends of every window (seconds, ≥ 0).
    pub fn with_slack_s(mut self, s: f64) -> Self {
        self.slack_s = if s.is_finite() { s.max(0.0) } else { DEFAULT_SLACK_S };
        self
    }

    pub fn stats(&self) -> &AuxStats {
        &self.stats
    }

    /// Takes a BLE frame (any other, and frames that are not extended
    /// advertising PDUs with a good CRC and a channel, are ignored). Frames
    /// should come in time order, give or take the reorder window. Returns
    /// the links decided by this call: secondary packets processed now,
    /// which may be earlier frames released from the reorder buffer.
    pub fn push(&mut self, frame: &Frame) -> Vec<AuxLink> {
        let mut links = Vec::new();
        let Some(item) = self.item(frame) else { return links };
        if item.time_s > self.now {
            self.now = item.time_s;
        }
        if item.time_s < self.done_until {
            // older than what has been processed: too late to order
            self.stats.late_frames += 1;
            self.process(item, &mut links);
        } else {
            self.buffer.push(item);
        }
        self.release(self.now - self.reorder_s, &mut links);
        links
    }

    /// Ends the stream: processes what is buffered, then closes every
    /// expectation. Receivable ones whose window had not ended by the last
    /// frame count as `pending_at_end`, not as missed.
    pub fn finish(&mut self) -> Vec<AuxLink> {
        self.finish_at(f64::NEG_INFINITY)
    }

    /// Like [`finish`](Self::finish), when the stream is known to end at
    /// `end_s` (e.g. the last sample of an IQ capture): expectations whose
    /// window ended before then are missed, the others pending.
    pub fn finish_at(&mut self, end_s: f64) -> Vec<AuxLink> {
        let mut links = Vec::new();
        self.release(f64::INFINITY, &mut links);
        let end = if end_s.is_nan() { self.now } else { end_s.max(self.now) };
        for e in std::mem::take(&mut self.pending) {
            if e.hi < end || !(e.in_band && e.phy_ok) {
                self.close(e);
            } else {
                self.stats.pending_at_end += 1;
            }
        }
        links
    }

    /// The link decided for a recent secondary packet (one of the last 64),
    /// by channel and start time.
    pub fn link_of(&self, channel: u8, time_s: f64) -> Option<&AuxLink> {
        self.recent.iter().rev().find(|l| l.packet.channel == channel && (l.packet.time_s - time_s).abs() < 1e-9)
    }

    fn item(&mut self, frame: &Frame) -> Option<Item> {
        let (channel, ext) = extended_header(frame)?;
        // a pointer to a channel no auxiliary packet can be on is no pointer
        let aux_ptr = ext.aux_ptr.filter(|a| a.channel < 37);
        if channel >= 37 && aux_ptr.is_none() {
            return None;
        }
        self.seq += 1;
        Some(Item {
            time_s: frame.meta.time_s,
            seq: self.seq,
            channel,
            adi: ext.adi,
            has_adv_a: ext.adv_a.is_some(),
            aux_ptr,
        })
    }

    /// Processes, in time order, the buffered frames up to `until`.
    fn release(&mut self, until: f64, links: &mut Vec<AuxLink>) {
        if !self.buffer.iter().any(|i| i.time_s <= until) {
            return;
        }
        let (mut ready, keep): (Vec<Item>, Vec<Item>) =
            std::mem::take(&mut self.buffer).into_iter().partition(|i| i.time_s <= until);
        self.buffer = keep;
        ready.sort_by(|a, b| a.time_s.total_cmp(&b.time_s).then(a.seq.cmp(&b.seq)));
        for item in ready {
            self.done_until = self.done_until.max(item.time_s);
            self.process(item, links);
        }
    }

    fn process(&mut self, item: Item, links: &mut Vec<AuxLink>) {
        // windows that ended before this packet started are closed
        let t = item.time_s;
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].hi < t {
                let e = self.pending.swap_remove(i);
                self.close(e);
            } else {
                i += 1;
            }
        }
        let me = PacketRef { channel: item.channel, time_s: t };
        if item.channel >= 37 {
            self.stats.primaries += 1;
            if let Some(ptr) = item.aux_ptr {
                self.expect(SecondaryKind::AuxAdvInd, me, item.adi, &ptr);
            }
            return;
        }
        // a secondary packet: the expectation it fulfils, if any
        let fits = |e: &Expect| {
            e.channel == item.channel
                && e.lo <= t
                && t <= e.hi
                && match e.kind {
                    SecondaryKind::AuxAdvInd => e.adi == item.adi,
                    // a chain packet may leave out the ADI
                    SecondaryKind::AuxChainInd => item.adi.is_none() || e.adi == item.adi,
                }
        };
        let best = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, e)| fits(e))
            .min_by(|a, b| a.1.lo.total_cmp(&b.1.lo))
            .map(|(k, _)| k);
        let link = match best {
            Some(k) => {
                let e = self.pending.swap_remove(k);
                match e.kind {
                    SecondaryKind::AuxAdvInd => {
                        self.stats.aux_expected += 1;
                        self.stats.aux_found += 1;
                    }
                    SecondaryKind::AuxChainInd => {
                        self.stats.chain_expected += 1;
                        self.stats.chain_found += 1;
                    }
                }
                AuxLink { packet: me, kind: e.kind, adi: item.adi, pointers: e.pointers }
            }
            None => {
                let kind = if item.has_adv_a {
                    self.stats.aux_unmatched += 1;
                    SecondaryKind::AuxAdvInd
                } else {
                    self.stats.chain_unmatched += 1;
                    SecondaryKind::AuxChainInd
                };
                AuxLink { packet: me, kind, adi: item.adi, pointers: Vec::new() }
            }
        };
        if let Some(ptr) = item.aux_ptr {
            self.expect(SecondaryKind::AuxChainInd, me, item.adi, &ptr);
        }
        if self.recent.len() == RECENT_LINKS {
            self.recent.pop_front();
        }
        self.recent.push_back(link.clone());
        links.push(link);
    }

    /// Records that `from` points to an auxiliary packet; primaries of one
    /// event pointing to the same packet share one expectation.
    fn expect(&mut self, kind: SecondaryKind, from: PacketRef, adi: Option<Adi>, ptr: &AuxPtr) {
        let (lo, hi) = window(from.time_s, ptr, self.slack_s);
        if kind == SecondaryKind::AuxAdvInd
            && let Some(e) = self
                .pending
                .iter_mut()
                .find(|e| e.kind == kind && e.channel == ptr.channel && e.adi == adi && e.lo <= hi && lo <= e.hi)
        {
            e.lo = e.lo.min(lo);
            e.hi = e.hi.max(hi);
            e.pointers.push(from);
            return;
        }
        if self.pending.len() >= MAX_PENDING {
            // close the one whose window ends first
            if let Some(k) = self.pending.iter().enumerate().min_by(|a, b| a.1.hi.total_cmp(&b.1.hi)).map(|(k, _)| k) {
                let e = self.pending.swap_remove(k);
                self.close(e);
            }
        }
        let phy_ok = match &self.phys {
            None => true,
            Some(phys) => phys.iter().any(|p| {
                matches!((ptr.phy, p), (0, Phy::Ble1m) | (1, Phy::Ble2m) | (2, Phy::BleCodedS8 | Phy::BleCodedS2))
            }),
        };
        self.pending.push(Expect {
            kind,
            channel: ptr.channel,
            adi,
            lo,
            hi,
            in_band: self.received.get(ptr.channel as usize).copied().unwrap_or(false),
            phy_ok,
            pointers: vec![from],
        });
    }

    /// Counts an expectation that was not fulfilled.
    fn close(&mut self, e: Expect) {
        let s = &mut self.stats;
        match (e.kind, e.in_band, e.phy_ok) {
            (SecondaryKind::AuxAdvInd, false, _) => s.aux_outside_band += 1,
            (SecondaryKind::AuxAdvInd, true, false) => s.aux_other_phy += 1,
            (SecondaryKind::AuxAdvInd, true, true) => {
                s.aux_expected += 1;
                s.aux_missed += 1;
            }
            (SecondaryKind::AuxChainInd, true, true) => {
                s.chain_expected += 1;
                s.chain_missed += 1;
            }
            (SecondaryKind::AuxChainInd, _, _) => s.chain_outside_band += 1,
        }
    }
}

/// The channel (0..39) and extended header of an extended advertising
/// frame (PDU type 7: ADV_EXT_IND, AUX_ADV_IND, AUX_CHAIN_IND, …) whose CRC
/// is good; None for anything else.
pub fn extended_header(frame: &Frame) -> Option<(u8, ExtHeader)> {
    let m = &frame.meta;
    if m.link != LinkType::BleLl || m.crc_ok_at_capture == Some(false) {
        return None;
    }
    let channel = u8::try_from(m.channel?).ok().filter(|&c| c < 40)?;
    if !m.time_s.is_finite() {
        return None;
    }
    // only the extended advertising family (PDU type 7) matters
    if frame.bytes.first().is_none_or(|b| b & 0x0F != PduType::AdvExtInd.value()) {
        return None;
    }
    let pdu = if m.fcs_included && m.crc_ok_at_capture == Some(true) {
        // the receiver checked the CRC: no need to compute it again
        frame.bytes.get(..frame.bytes.len().checked_sub(CRC_LEN)?)?
    } else if m.fcs_included {
        match split_crc(&frame.bytes) {
            Ok((pdu, true)) => pdu,
            _ => return None,
        }
    } else {
        &frame.bytes[..]
    };
    let p = AdvPdu::parse(pdu).ok()?;
    if p.pdu_type != PduType::AdvExtInd {
        return None;
    }
    Some((channel, p.ext?))
}

/// The start-time window of the auxiliary packet `ptr` points to from a
/// packet starting at `t`: [offset, offset + one unit], widened by the
/// advertiser's clock accuracy, the receiver's and `slack`.
pub fn window(t: f64, ptr: &AuxPtr, slack: f64) -> (f64, f64) {
    let off = ptr.offset_us() as f64 * 1e-6;
    let unit = ptr.offset_units_us as f64 * 1e-6;
    let ppm = if ptr.ca { 50.0 } else { 500.0 } + RX_CLOCK_PPM;
    let drift = |d: f64| d * ppm * 1e-6;
    (t + off - drift(off) - slack, t + off + unit + drift(off + unit) + slack)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::frame::PhyMeta;
    use crate::link::ble::{ExtHeader, with_crc};
    use crate::util::MacAddr;

    const ADV_A: MacAddr = MacAddr([0xc0, 1, 2, 3, 4, 5]);
    const ADI: Adi = Adi { did: 0x123, sid: 1 };

    /// An extended advertising frame (FCS included) heard on `channel` at `time_s`.
    pub(crate) fn frame(channel: u8, time_s: f64, ext: ExtHeader, data: &[u8]) -> Frame {
        let pdu = AdvPdu {
            pdu_type: PduType::AdvExtInd,
            ch_sel: false,
            tx_add_random: true,
            rx_add_random: false,
            adv_a: None,
            peer_a: None,
            ext: Some(ext),
            adv_data: data,
            other: &[],
        };
        let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
        meta.channel = Some(channel as u16);
        meta.time_s = time_s;
        meta.fcs_included = true;
        Frame { bytes: with_crc(&pdu.emit().expect("test pdu")), meta }
    }

    fn ptr(channel: u8, offset_us: u32) -> AuxPtr {
        // rounded down to 30 µs units, as an advertiser does
        AuxPtr { channel, ca: false, offset_units_us: 30, offset: (offset_us / 30) as u16, phy: 0 }
    }

    fn primary(channel: u8, t: f64, adi: Adi, p: AuxPtr) -> Frame {
        frame(channel, t, ExtHeader { adi: Some(adi), aux_ptr: Some(p), ..Default::default() }, &[])
    }

    fn aux(channel: u8, t: f64, adi: Adi, chain: Option<AuxPtr>) -> Frame {
        let ext = ExtHeader { adv_a: Some(ADV_A), adi: Some(adi), aux_ptr: chain, ..Default::default() };
        frame(channel, t, ext, &[3, 0x16, 0xfa, 0xff])
    }

    fn chain(channel: u8, t: f64, adi: Adi) -> Frame {
        frame(channel, t, ExtHeader { adi: Some(adi), ..Default::default() }, &[2, 0x01, 0x06])
    }

    /// The three primaries of one event at `t0` (1 ms apart, each pointing to
    /// the AUX at `t_aux` on `ch`), and the AUX.
    fn event(t0: f64, ch: u8, t_aux: f64, adi: Adi) -> (Vec<Frame>, Frame) {
        let prim = (0..3)
            .map(|k| {
                let t = t0 + k as f64 * 1e-3;
                primary(37 + k as u8, t, adi, ptr(ch, ((t_aux - t) * 1e6).round() as u32))
            })
            .collect();
        (prim, aux(ch, t_aux, adi, None))
    }

    fn run(l: &mut AuxLinker, frames: &[Frame]) -> Vec<AuxLink> {
        let mut links = Vec::new();
        for f in frames {
            links.extend(l.push(f));
        }
        links.extend(l.finish());
        links
    }

    fn all() -> Vec<u8> {
        (0..40).collect()
    }

    #[test]
    fn three_primaries_one_aux() {
        let (mut v, a) = event(1.0, 12, 1.0045, ADI);
        v.push(a);
        let mut l = AuxLinker::new(&all());
        let links = run(&mut l, &v);
        let s = l.stats();
        assert_eq!((s.primaries, s.aux_expected, s.aux_found, s.aux_missed), (3, 1, 1, 0), "{s:?}");
        assert_eq!((s.aux_outside_band, s.aux_unmatched, s.pending_at_end), (0, 0, 0));
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].kind, SecondaryKind::AuxAdvInd);
        assert_eq!(links[0].packet, PacketRef { channel: 12, time_s: 1.0045 });
        let from: Vec<u8> = links[0].pointers.iter().map(|p| p.channel).collect();
        assert_eq!(from, [37, 38, 39]);
        assert_eq!(l.link_of(12, 1.0045), Some(&links[0]));
        assert_eq!(l.link_of(12, 1.0046), None);
    }

    #[test]
    fn aux_on_a_channel_not_received_is_outside_band() {
        // two events: one to a received channel, one outside
        let (mut v, a) = event(1.0, 12, 1.0045, ADI);
        v.push(a);
        let (v2, a2) = event(1.1, 30, 1.1045, Adi { did: 0x124, sid: 1 });
        v.extend(v2);
        let _ = a2; // not decoded: the receiver does not listen there
        let mut l = AuxLinker::new(&[37, 38, 39, 12]);
        run(&mut l, &v);
        let s = l.stats();
        assert_eq!((s.primaries, s.aux_expected, s.aux_found, s.aux_missed), (6, 1, 1, 0), "{s:?}");
        assert_eq!(s.aux_outside_band, 1);
    }

    #[test]
    fn aux_not_decoded_is_missed() {
        let (v, _) = event(1.0, 12, 1.0045, ADI);
        // a later frame moves stream time past the window
        let (mut later, a) = event(2.0, 5, 2.003, ADI);
        later.push(a);
        let mut l = AuxLinker::new(&all());
        let mut frames = v;
        frames.extend(later);
        run(&mut l, &frames);
        let s = l.stats();
        assert_eq!((s.aux_expected, s.aux_found, s.aux_missed, s.pending_at_end), (2, 1, 1, 0), "{s:?}");
    }

    #[test]
    fn missed_or_pending_at_the_end() {
        let (v, _) = event(1.0, 12, 1.0045, ADI);
        let mut l = AuxLinker::new(&all());
        run(&mut l, &v);
        // the window outlasts the last frame: the capture may have ended first
        assert_eq!((l.stats().aux_missed, l.stats().pending_at_end), (0, 1));
        let mut l = AuxLinker::new(&all());
        for f in &v {
            l.push(f);
        }
        l.finish_at(1.5);
        assert_eq!((l.stats().aux_missed, l.stats().pending_at_end), (1, 0));
    }

    #[test]
    fn aux_without_primary_is_unmatched() {
        let mut l = AuxLinker::new(&all());
        let links = run(&mut l, &[aux(12, 1.0, ADI, None), chain(3, 1.01, ADI)]);
        let s = l.stats();
        assert_eq!((s.aux_unmatched, s.chain_unmatched, s.aux_expected), (1, 1, 0), "{s:?}");
        assert!(links.iter().all(|k| !k.is_matched()));
        assert_eq!(links[1].kind, SecondaryKind::AuxChainInd);
        assert!(s.any());
    }

    #[test]
    fn chain_is_linked_to_its_aux() {
        let (mut v, _) = event(1.0, 12, 1.0045, ADI);
        v.push(aux(12, 1.0045, ADI, Some(ptr(20, 2400))));
        v.push(chain(20, 1.0045 + 2400e-6 + 10e-6, ADI));
        let mut l = AuxLinker::new(&all());
        let links = run(&mut l, &v);
        let s = l.stats();
        assert_eq!((s.aux_found, s.chain_expected, s.chain_found, s.chain_unmatched), (1, 1, 1, 0), "{s:?}");
        assert_eq!(links[1].kind, SecondaryKind::AuxChainInd);
        assert_eq!(links[1].pointers, [PacketRef { channel: 12, time_s: 1.0045 }]);
        // a chain that is not decoded is missed; one outside the band is counted apart
        let (mut v, _) = event(1.0, 12, 1.0045, ADI);
        v.push(aux(12, 1.0045, ADI, Some(ptr(20, 2400))));
        let (mut w, _) = event(1.2, 13, 1.2045, ADI);
        w.push(aux(13, 1.2045, ADI, Some(ptr(25, 2400))));
        v.extend(w);
        v.push(aux(14, 2.0, Adi { did: 9, sid: 1 }, None));
        let mut l = AuxLinker::new(&[12, 13, 14, 20, 37, 38, 39]);
        run(&mut l, &v);
        let s = l.stats();
        assert_eq!((s.chain_expected, s.chain_missed, s.chain_outside_band), (1, 1, 1), "{s:?}");
    }

    #[test]
    fn out_of_order_arrival_within_a_few_ms() {
        // the AUX (channel 12) is emitted before the primary on 39 that
        // started earlier, and the 38 one before 37
        let (v, a) = event(1.0, 12, 1.0025, ADI);
        let frames = [v[1].clone(), a, v[0].clone(), v[2].clone()];
        let mut l = AuxLinker::new(&all());
        let links = run(&mut l, &frames);
        let s = l.stats();
        assert_eq!((s.primaries, s.aux_found, s.aux_unmatched, s.late_frames), (3, 1, 0, 0), "{s:?}");
        assert_eq!(links[0].pointers.len(), 3);
    }

    #[test]
    fn later_than_the_reorder_window_is_late() {
        let (v, a) = event(1.0, 12, 1.0045, ADI);
        let mut frames = vec![v[0].clone(), v[1].clone(), a, aux(14, 1.5, ADI, None)];
        frames.push(v[2].clone());
        let mut l = AuxLinker::new(&all());
        run(&mut l, &frames);
        let s = l.stats();
        assert_eq!((s.late_frames, s.aux_found, s.primaries), (1, 1, 3), "{s:?}");
    }

    #[test]
    fn wrong_adi_channel_or_time_does_not_match() {
        let t_aux = 1.0045;
        for bad in [
            aux(12, t_aux, Adi { did: 0x124, sid: 1 }, None),
            aux(12, t_aux, Adi { did: 0x123, sid: 2 }, None),
            aux(13, t_aux, ADI, None),
            aux(12, t_aux - 200e-6, ADI, None),
            aux(12, t_aux + 200e-6, ADI, None),
        ] {
            let (mut v, _) = event(1.0, 12, t_aux, ADI);
            v.push(bad);
            v.push(aux(14, 3.0, Adi { did: 7, sid: 0 }, None));
            let mut l = AuxLinker::new(&all());
            run(&mut l, &v);
            let s = l.stats();
            assert_eq!((s.aux_found, s.aux_missed, s.aux_unmatched), (0, 1, 2), "{s:?}");
        }
        // the window: offset rounded down, at most one unit late, plus drift
        let (mut v, _) = event(1.0, 12, t_aux, ADI);
        v.push(aux(12, t_aux + 29e-6, ADI, None));
        let mut l = AuxLinker::new(&all());
        run(&mut l, &v);
        assert_eq!(l.stats().aux_found, 1);
    }

    #[test]
    fn window_widens_with_clock_accuracy_and_unit() {
        let p = AuxPtr { channel: 1, ca: false, offset_units_us: 300, offset: 1000, phy: 2 };
        let (lo, hi) = window(0.0, &p, 0.0);
        assert!((lo - (0.3 - 0.3 * 550e-6)).abs() < 1e-12, "{lo}");
        assert!((hi - (0.3003 + 0.3003 * 550e-6)).abs() < 1e-12, "{hi}");
        let (lo1, hi1) = window(0.0, &AuxPtr { ca: true, ..p }, 0.0);
        assert!(lo1 > lo && hi1 < hi);
    }

    #[test]
    fn other_phy_is_counted_apart() {
        let mut p = ptr(12, 4500);
        p.phy = 2;
        let v = [primary(37, 1.0, ADI, p), aux(14, 2.0, Adi { did: 7, sid: 0 }, None)];
        let mut l = AuxLinker::new(&all()).with_phys(&[Phy::Ble1m]);
        run(&mut l, &v);
        assert_eq!((l.stats().aux_other_phy, l.stats().aux_missed), (1, 0));
        let mut l = AuxLinker::new(&all()).with_phys(&[Phy::Ble1m, Phy::BleCodedS8]);
        run(&mut l, &v);
        assert_eq!((l.stats().aux_other_phy, l.stats().aux_missed), (0, 1));
    }

    #[test]
    fn other_frames_are_ignored() {
        let mut l = AuxLinker::new(&all());
        // a bad CRC, a legacy PDU, no channel, a primary without AuxPtr, Wi-Fi
        let mut bad = aux(12, 1.0, ADI, None);
        if let Some(b) = bad.bytes.last_mut() {
            *b ^= 1;
        }
        let legacy = {
            let mut f = aux(37, 1.0, ADI, None);
            f.bytes = with_crc(&[0x42, 6, 1, 2, 3, 4, 5, 6]);
            f
        };
        let mut nochan = aux(12, 1.0, ADI, None);
        nochan.meta.channel = None;
        let bare = frame(37, 1.0, ExtHeader { adi: Some(ADI), ..Default::default() }, &[]);
        let mut wifi = aux(12, 1.0, ADI, None);
        wifi.meta.link = LinkType::Ieee80211;
        run(&mut l, &[bad, legacy, nochan, bare, wifi]);
        assert_eq!(*l.stats(), AuxStats::default());
        assert!(!l.stats().any());
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut l = AuxLinker::new(&all()).with_phys(&[Phy::Ble1m]);
        for k in 0..20_000u64 {
            let len = (next() % 40) as usize;
            let mut pdu: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if pdu.len() >= 2 {
                pdu[0] = 0x07 | (pdu[0] & 0xF0);
                pdu[1] = (len - 2) as u8;
            }
            let mut meta = PhyMeta::new(LinkType::BleLl, Phy::Ble1m);
            meta.channel = Some((next() % 45) as u16);
            meta.time_s = match k % 500 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => -1e300,
                _ => k as f64 * 1e-4 + (next() % 100) as f64 * 1e-4,
            };
            meta.fcs_included = next() % 2 == 0;
            meta.crc_ok_at_capture = [None, Some(true), Some(false)][(next() % 3) as usize];
            let bytes = match next() % 3 {
                0 if meta.fcs_included => with_crc(&pdu),
                _ => pdu,
            };
            l.push(&Frame { bytes, meta });
        }
        l.finish_at(f64::NAN);
        l.finish();
        let s = l.stats();
        assert!(s.primaries > 0 && s.aux_unmatched + s.chain_unmatched > 0, "{s:?}");
        assert_eq!(s.aux_expected, s.aux_found + s.aux_missed);
        assert_eq!(s.chain_expected, s.chain_found + s.chain_missed);
    }

    /// The receiver links what it decodes: an 8 MS/s capture at 2402.5 MHz
    /// holds channels 37 (2402 MHz) and 0 (2404 MHz), not 1 (2406 MHz).
    #[test]
    fn receiver_links_primaries_and_aux_from_iq() {
        use super::super::packet;
        use super::super::receiver::{BleReceiver, BleRxConfig};
        let (fs, fc) = (8e6, 2402.5e6);
        let m = ridscope_dsp::gfsk::Modulator::new(0.5, 0.5);
        let total = (6e-3 * fs) as usize;
        let (mut re, mut im) = (vec![0f32; total], vec![0f32; total]);
        let mut put = |f: &Frame, ch: u8, t: f64| {
            let off = (crate::frame::ble_channel_freq_hz(ch).unwrap_or(0.0) - fc) / fs;
            m.add_to(&packet::air_bits(ch, &f.bytes), fs / 1e6, t * fs, 0.3, 0.7, off, &mut re, &mut im);
        };
        let adi2 = Adi { did: 0x124, sid: 1 };
        let adi3 = Adi { did: 0x125, sid: 1 };
        // found: 37 at 0.2 ms → AUX on 0 at 0.8 ms
        put(&primary(37, 0.0, ADI, ptr(0, 600)), 37, 200e-6);
        put(&aux(0, 0.0, ADI, None), 0, 800e-6);
        // outside the band: 37 at 1.5 ms → channel 1
        put(&primary(37, 0.0, adi2, ptr(1, 600)), 37, 1.5e-3);
        // missed: 37 at 3 ms → channel 0 at 3.9 ms, not sent
        put(&primary(37, 0.0, adi3, ptr(0, 900)), 37, 3e-3);
        let mut rng = crate::phy::ble::tests::TestRng::new(5);
        for k in 0..total {
            re[k] += (0.01 * rng.gauss()) as f32;
            im[k] += (0.01 * rng.gauss()) as f32;
        }
        let cfg = BleRxConfig { channels: vec![37, 0, 1], ..BleRxConfig::new(fs, Some(fc)) };
        let mut rx = BleReceiver::new(&cfg).expect("receiver");
        let mut frames = Vec::new();
        for (r, i) in re.chunks(3000).zip(im.chunks(3000)) {
            rx.process(r, i, &mut frames);
        }
        rx.finish(&mut frames);
        assert_eq!(frames.len(), 4, "{:?}", rx.stats);
        let a = &rx.stats.aux;
        assert_eq!((a.primaries, a.aux_expected, a.aux_found, a.aux_missed), (3, 2, 1, 1), "{a:?}");
        assert_eq!((a.aux_outside_band, a.aux_unmatched, a.pending_at_end, a.late_frames), (1, 0, 0, 0), "{a:?}");
    }

    #[test]
    fn stats_merge_and_serialize() {
        let mut a = AuxStats { primaries: 3, aux_found: 1, ..Default::default() };
        a.merge(&AuxStats { primaries: 2, aux_missed: 4, ..Default::default() });
        assert_eq!((a.primaries, a.aux_found, a.aux_missed), (5, 1, 4));
        let j = serde_json::to_value(&a).expect("json");
        assert_eq!(j["primaries"], 5);
        assert_eq!(j["aux_outside_band"], 0);
    }
}
