//! The streaming BLE 1M receiver: IQ blocks in, [`Frame`]s out, for every
//! advertising channel inside the captured band.

use std::collections::VecDeque;

use super::bank::BankFront;
use super::coded::{self, CodedCandidate, CodedDemodulator, CodedDetector, CodedError};
use super::demod::{DemodError, Demodulator};
use super::detect::{SPS, SyncDetector};
use super::front::{Front, plan_front};
use super::history::History;
use super::packet::{self, SYNC_BITS};
use crate::frame::{Frame, LinkType, Phy, PhyMeta, ble_channel_freq_hz};
use crate::link::ble::ADV_ACCESS_ADDRESS;

/// The rate each channel is demodulated at.
pub const CHANNEL_RATE: f64 = 4e6;
/// Advertising channels.
pub const ADVERTISING: [u8; 3] = [37, 38, 39];
/// Bit errors allowed in the 40-bit preamble + access address for a candidate.
pub const DEFAULT_MAX_SYNC_ERRORS: u32 = 4;
/// Samples from a sync hit back to the first preamble sample (see detect).
const HIT_TO_START: u64 = (SYNC_BITS * SPS) as u64 - 1;
/// Window margins around a packet.
const PRE: u64 = 16;
/// The longest packet after the sync word: 2 + 255 + 3 bytes.
const MAX_AFTER_SYNC: u64 = ((2 + 255 + 3) * 8 * SPS) as u64 + 32;
/// Channels in band from which one filter bank serves them all.
const BANK_MIN_CHANNELS: usize = 4;
/// Input samples per filter-bank step.
const BANK_CHUNK: usize = 1 << 15;
/// Window margin before a coded candidate's start.
const CODED_PRE: u64 = 16;
/// Samples the coded detector may report a candidate after its start.
const CODED_LAG: u64 = (coded::SYNC_PATTERNS * coded::PAT + 4096) as u64;
/// Input is processed in chunks this long, so the scratch buffers of every
/// stage stay in the CPU caches.
const CHUNK: usize = 4096;
/// A channel's history drops its older segment once the current one holds
/// this many samples and nothing older is needed.
const TRIM: u64 = 1 << 18;
/// History a guided data channel keeps (channel-rate samples, 33 ms): a
/// primary is decoded once a longest coded packet would have ended after
/// its start, and the auxiliary packet it points to starts after it.
const GUIDED_HISTORY: u64 = 1 << 17;
/// Margin around a guided search window (channel-rate samples).
const SEARCH_MARGIN: u64 = 64;

/// How the data channels (0..36) are searched for auxiliary packets
/// (AUX_ADV_IND, AUX_CHAIN_IND).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuxScan {
    /// Guided when one filter bank serves the channels (4 or more in band)
    /// and an advertising channel is among them; blind otherwise.
    #[default]
    Auto,
    /// Both detectors run on every sample of every channel: also finds
    /// auxiliary packets whose primaries were not heard (and other traffic
    /// using the advertising access address), at several times the cost.
    Blind,
    /// A data channel is searched only in the window a decoded AuxPtr
    /// points to, on the PHY it names, as a BLE controller does (needs an
    /// advertising channel in band).
    Guided,
}

/// Half-width of spectrum a channel needs (signal ±0.6 MHz plus carrier offsets).
pub const CHANNEL_HALF_WIDTH_HZ: f64 = 0.9e6;

/// Whether a channel centred at `freq_hz` lies inside a capture centred at
/// `center_hz` sampled at `fs`.
pub fn channel_in_band(fs: f64, center_hz: f64, freq_hz: f64) -> bool {
    (freq_hz - center_hz).abs() + CHANNEL_HALF_WIDTH_HZ <= fs / 2.0
}

/// What the receiver listens to.
#[derive(Debug, Clone)]
pub struct BleRxConfig {
    pub sample_rate: f64,
    /// Centre frequency of the capture; without it, one channel at the
    /// centre is assumed and its index found by trying the advertising
    /// channels (37, 38, 39) among `channels`.
    pub center_freq_hz: Option<f64>,
    /// Channel indices to receive (those inside the band are kept;
    /// duplicates are ignored).
    pub channels: Vec<u8>,
    pub max_sync_errors: u32,
    /// How data channels are searched for auxiliary packets.
    pub aux_scan: AuxScan,
}

impl BleRxConfig {
    pub fn new(sample_rate: f64, center_freq_hz: Option<f64>) -> Self {
        BleRxConfig {
            sample_rate,
            center_freq_hz,
            channels: ADVERTISING.to_vec(),
            max_sync_errors: DEFAULT_MAX_SYNC_ERRORS,
            aux_scan: AuxScan::Auto,
        }
    }
}

/// Counters of the receiver.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhyStats {
    pub samples: u64,
    /// Sync words found (candidates handed to the demodulator).
    pub sync_candidates: u64,
    /// Candidates whose sync word did not correlate (noise).
    pub sync_rejected: u64,
    /// Packets demodulated whose CRC failed.
    pub crc_errors: u64,
    /// Packets with a good CRC.
    pub packets: u64,
    /// LE Coded PHY: detector candidates.
    pub coded_candidates: u64,
    /// Coded candidates whose sync patterns did not correlate (noise).
    pub coded_rejected: u64,
    /// Coded packets with a reserved coding indicator (2 or 3).
    pub coded_reserved_ci: u64,
    /// Coded packets demodulated whose CRC failed.
    pub coded_crc_errors: u64,
    /// Coded packets with a good CRC (also counted in `packets`).
    pub coded_packets: u64,
    /// Guided scanning: windows searched on data channels (overlapping
    /// ones merged), and those whose samples had already been
    /// dropped (pointed too far back).
    pub guided_searches: u64,
    pub guided_expired: u64,
    /// Extended advertising: AUX packets linked to their primaries.
    pub aux: super::auxlink::AuxStats,
}

struct ChannelRx {
    /// Known channel index, or None when the capture frequency is unknown.
    channel: Option<u8>,
    /// The channels whose whitening to try: `channel` when known, the
    /// requested advertising channels otherwise.
    whitening: Vec<u8>,
    freq_hz: Option<f64>,
    /// The channel's own front end; None when the receiver's filter bank
    /// serves the channel.
    front: Option<Box<dyn Front>>,
    det: SyncDetector,
    demod: Demodulator,
    /// The channel's recent samples (channel-rate positions).
    hist: History,
    pending: VecDeque<u64>,
    skip_until: u64,
    hits: Vec<u64>,
    tmp_re: Vec<f32>,
    tmp_im: Vec<f32>,
    /// LE Coded PHY: detector, demodulator, candidates waiting for samples.
    cdet: CodedDetector,
    cdemod: CodedDemodulator,
    cpending: VecDeque<CodedCandidate>,
    /// Samples the first of `cpending` waits for (0: not tried yet).
    cneed: u64,
    cskip_until: u64,
    chits: Vec<CodedCandidate>,
    /// Guided data channel: no detector runs on the stream, only on the
    /// windows in `searches`.
    guided: bool,
    searches: Vec<Search>,
    /// End of the windows searched so far, [1M, coded].
    searched_to: [u64; 2],
    /// input position = .0 + .1 × channel-rate position
    to_input: (f64, f64),
}

/// A window of a guided data channel where an auxiliary packet should
/// start (channel-rate positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Search {
    from: u64,
    to: u64,
    coded: bool,
}

/// Per-channel output buffers of the filter bank.
type ChannelBuffers = Vec<(Vec<f32>, Vec<f32>)>;

pub struct BleReceiver {
    fs: f64,
    chans: Vec<ChannelRx>,
    /// The filter bank serving every channel, with its output buffers.
    bank: Option<(BankFront, ChannelBuffers)>,
    pub stats: PhyStats,
    aux: Box<super::auxlink::AuxLinker>,
}

impl BleReceiver {
    /// Plans one channel receiver per requested channel inside the band.
    /// Fails when no requested channel is inside it.
    pub fn new(cfg: &BleRxConfig) -> Result<Self, String> {
        if cfg.sample_rate.is_nan() || cfg.sample_rate < 1.9e6 {
            return Err(format!("sample rate {} Hz is below the 2 MS/s BLE needs", cfg.sample_rate));
        }
        if cfg.sample_rate > crate::source::MAX_SAMPLE_RATE {
            return Err(format!(
                "sample rate {} Hz is above the {} GS/s ridscope handles",
                cfg.sample_rate,
                crate::source::MAX_SAMPLE_RATE / 1e9
            ));
        }
        let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
        let mut chans = Vec::new();
        // each channel once, in the order given
        let mut requested: Vec<u8> = Vec::new();
        for &ch in &cfg.channels {
            if !requested.contains(&ch) {
                requested.push(ch);
            }
        }
        let mut listen: Vec<(Option<u8>, Option<f64>, f64)> = Vec::new();
        let mut unknown_whitening = Vec::new();
        match cfg.center_freq_hz {
            None => {
                unknown_whitening = requested.iter().copied().filter(|c| ADVERTISING.contains(c)).collect();
                if unknown_whitening.is_empty() {
                    return Err(format!(
                        "without a centre frequency the channel is found among the advertising channels 37, 38 and 39, and {:?} lists none of them (give the capture's centre frequency)",
                        cfg.channels
                    ));
                }
                listen.push((None, None, 0.0));
            }
            Some(fc) => {
                for &ch in &requested {
                    let Some(f) = ble_channel_freq_hz(ch) else { continue };
                    if channel_in_band(cfg.sample_rate, fc, f) {
                        listen.push((Some(ch), Some(f), f - fc));
                    }
                }
            }
        }
        if listen.is_empty() {
            let fc = cfg.center_freq_hz.unwrap_or(0.0);
            return Err(format!(
                "no BLE channel of {:?} lies inside {:.3}–{:.3} MHz (centre {:.3} MHz, {} MS/s)",
                cfg.channels,
                (fc - cfg.sample_rate / 2.0) / 1e6,
                (fc + cfg.sample_rate / 2.0) / 1e6,
                fc / 1e6,
                cfg.sample_rate / 1e6
            ));
        }
        // a filter bank for many channels of a capture with a known centre
        let bank = match cfg.center_freq_hz {
            Some(fc) if listen.len() >= BANK_MIN_CHANNELS => {
                let chs: Vec<u8> = listen.iter().filter_map(|l| l.0).collect();
                BankFront::new(cfg.sample_rate, fc, &chs).ok().filter(|b| b.channels() == chs.as_slice())
            }
            _ => None,
        };
        let primary_in_band = listen.iter().any(|l| l.0.is_some_and(|c| ADVERTISING.contains(&c)));
        let guided = primary_in_band
            && match cfg.aux_scan {
                AuxScan::Auto => bank.is_some(),
                AuxScan::Blind => false,
                AuxScan::Guided => true,
            };
        for (idx, (channel, freq_hz, off)) in listen.into_iter().enumerate() {
            let (front, noise_bw) = match &bank {
                Some(b) => (None, b.noise_bandwidth_hz(idx)),
                None => {
                    let f = plan_front(cfg.sample_rate, off, CHANNEL_RATE);
                    let nb = f.noise_bandwidth_hz();
                    (Some(f), nb)
                }
            };
            // the channel-to-input position map, affine over long spans
            let span = 1e6;
            let at = |k: f64| match (&bank, &front) {
                (Some(b), _) => b.input_position(idx, k),
                (None, Some(f)) => f.input_position(k),
                (None, None) => k,
            };
            let to_input = (at(0.0), (at(span) - at(0.0)) / span);
            let demod = Demodulator::new(&sync).with_noise_bandwidth(noise_bw);
            chans.push(ChannelRx {
                channel,
                whitening: channel.map_or_else(|| unknown_whitening.clone(), |c| vec![c]),
                freq_hz,
                front,
                det: SyncDetector::new(&sync, cfg.max_sync_errors),
                demod,
                hist: History::default(),
                pending: VecDeque::new(),
                skip_until: 0,
                hits: Vec::new(),
                tmp_re: Vec::new(),
                tmp_im: Vec::new(),
                cdet: CodedDetector::new(ADV_ACCESS_ADDRESS, coded::DEFAULT_DET_THRESHOLD),
                cdemod: CodedDemodulator::new(ADV_ACCESS_ADDRESS).with_noise_bandwidth(noise_bw),
                cpending: VecDeque::new(),
                cneed: 0,
                cskip_until: 0,
                chits: Vec::new(),
                guided: guided && channel.is_some_and(|c| c < 37),
                searches: Vec::new(),
                searched_to: [0; 2],
                to_input,
            });
        }
        let bank = bank.map(|b| {
            let outs = vec![(Vec::new(), Vec::new()); b.channels().len()];
            (b, outs)
        });
        let known: Vec<u8> = chans.iter().flat_map(|c| c.whitening.iter().copied()).collect();
        let aux =
            Box::new(super::auxlink::AuxLinker::new(&known).with_phys(&[Phy::Ble1m, Phy::BleCodedS8, Phy::BleCodedS2]));
        Ok(BleReceiver { fs: cfg.sample_rate, chans, bank, stats: PhyStats::default(), aux })
    }

    /// The channels being received: (index if known, centre frequency if known).
    pub fn channels(&self) -> Vec<(Option<u8>, Option<f64>)> {
        self.chans.iter().map(|c| (c.channel, c.freq_hz)).collect()
    }

    /// Processes a block of input samples; appends decoded frames (CRC
    /// verified) in time order per channel.
    pub fn process(&mut self, re: &[f32], im: &[f32], out: &mut Vec<Frame>) {
        let n = re.len().min(im.len());
        self.stats.samples += n as u64;
        let first = out.len();
        match &mut self.bank {
            Some(_) => {
                for (r, i) in re[..n].chunks(BANK_CHUNK).zip(im[..n].chunks(BANK_CHUNK)) {
                    self.bank_push(r, i, false, out);
                }
            }
            None => {
                for (r, i) in re[..n].chunks(CHUNK).zip(im[..n].chunks(CHUNK)) {
                    let before = out.len();
                    for ch in &mut self.chans {
                        ch.push(r, i, false, self.fs, &mut self.stats, out);
                    }
                    self.guide(&out[before..]);
                }
            }
        }
        for f in &out[first..] {
            self.aux.push(f);
        }
        self.stats.aux = self.aux.stats().clone();
    }

    /// Input through the filter bank, each channel's output to its receiver.
    fn bank_push(&mut self, re: &[f32], im: &[f32], end: bool, out: &mut Vec<Frame>) {
        let Some((bank, outs)) = &mut self.bank else { return };
        let first = out.len();
        // the bank appends to the channels' own buffers (lent, not copied)
        for (ch, o) in self.chans.iter_mut().zip(outs.iter_mut()) {
            *o = ch.hist.lend();
        }
        bank.process(re, im, outs);
        let bank = &*bank;
        for (idx, (ch, o)) in self.chans.iter_mut().zip(outs.iter_mut()).enumerate() {
            let l = ch.hist.give_back(std::mem::take(o));
            ch.absorb(l, end, self.fs, &mut self.stats, out, &|k| bank.input_position(idx, k));
        }
        self.guide(&out[first..]);
    }

    /// Guided scanning: each decoded AuxPtr to a guided data channel
    /// becomes a search window there.
    pub(super) fn guide(&mut self, frames: &[Frame]) {
        if !self.chans.iter().any(|c| c.guided) {
            return;
        }
        for f in frames {
            let Some((_, ext)) = super::auxlink::extended_header(f) else { continue };
            let Some(ptr) = ext.aux_ptr else { continue };
            let coded = match ptr.phy {
                0 => false,
                2 => true,
                _ => continue, // LE 2M is not received
            };
            let Some(x0) = f.meta.sample else { continue };
            let Some(ch) = self.chans.iter_mut().find(|c| c.guided && c.channel == Some(ptr.channel)) else {
                continue;
            };
            let (lo, hi) = super::auxlink::window(0.0, &ptr, super::auxlink::DEFAULT_SLACK_S);
            let (a, b) = ch.to_input;
            if !(b.is_finite() && b > 0.0) {
                continue;
            }
            let k = |s: f64| ((x0 as f64 + s * self.fs - a) / b).max(0.0) as u64;
            if ch.add_search(Search { from: k(lo), to: k(hi) + 1, coded }) {
                self.stats.guided_searches += 1;
            }
        }
    }

    /// Flushes packets still waiting for samples at the end of the stream:
    /// zeros push the last input samples out of each front end's filters,
    /// then the candidates left are demodulated with what there is.
    pub fn finish(&mut self, out: &mut Vec<Frame>) {
        let first = out.len();
        let zeros = vec![0f32; CHUNK];
        if let Some((bank, _)) = &self.bank {
            let mut left = bank.flush_len();
            while left > 0 {
                let n = left.min(CHUNK);
                self.bank_push(&zeros[..n], &zeros[..n], false, out);
                left -= n;
            }
            self.bank_push(&[], &[], true, out);
        } else {
            for ch in &mut self.chans {
                let mut left = ch.front.as_ref().map_or(0, |f| f.flush_len());
                while left > 0 {
                    let n = left.min(CHUNK);
                    ch.push(&zeros[..n], &zeros[..n], false, self.fs, &mut self.stats, out);
                    left -= n;
                }
                ch.push(&[], &[], true, self.fs, &mut self.stats, out);
            }
            self.guide(&out[first..]);
        }
        // windows pointed to by the last packets (and by what they find)
        for _ in 0..8 {
            if self.chans.iter().all(|c| c.searches.is_empty()) {
                break;
            }
            let before = out.len();
            for (idx, ch) in self.chans.iter_mut().enumerate() {
                if ch.searches.is_empty() {
                    continue;
                }
                match &self.bank {
                    Some((bank, _)) => {
                        ch.consume(&[], &[], true, self.fs, &mut self.stats, out, &|k| bank.input_position(idx, k))
                    }
                    None => ch.push(&[], &[], true, self.fs, &mut self.stats, out),
                }
            }
            self.guide(&out[before..]);
        }
        for f in &out[first..] {
            self.aux.push(f);
        }
        self.aux.finish_at(self.stats.samples as f64 / self.fs);
        self.stats.aux = self.aux.stats().clone();
    }
}

/// What a demodulator measured on a packet.
struct Quality {
    channel: u8,
    rssi_dbfs: f32,
    snr_db: f32,
    cfo_hz: f64,
}

impl ChannelRx {
    /// The frame metadata of a packet starting at input position `start_in`.
    fn meta(&self, phy: Phy, start_in: f64, fs: f64, q: Quality) -> PhyMeta {
        let mut meta = PhyMeta::new(LinkType::BleLl, phy);
        meta.sample = Some(start_in.max(0.0).round() as u64);
        meta.time_s = start_in / fs;
        meta.channel = Some(q.channel as u16);
        meta.freq_hz = self.freq_hz.or_else(|| ble_channel_freq_hz(q.channel));
        meta.rssi_dbfs = Some(q.rssi_dbfs);
        meta.snr_db = Some(q.snr_db);
        meta.cfo_hz = Some(q.cfo_hz as f32);
        meta.access_address = Some(ADV_ACCESS_ADDRESS);
        meta.fcs_included = true;
        meta.crc_ok_at_capture = Some(true);
        meta
    }

    /// Input through the channel's own front end.
    fn push(&mut self, re: &[f32], im: &[f32], end: bool, fs: f64, stats: &mut PhyStats, out: &mut Vec<Frame>) {
        let Some(mut front) = self.front.take() else { return };
        if front.is_passthrough() {
            self.consume(re, im, end, fs, stats, out, &|k| front.input_position(k));
        } else {
            let (mut tr, mut ti) = (std::mem::take(&mut self.tmp_re), std::mem::take(&mut self.tmp_im));
            tr.clear();
            ti.clear();
            front.process(re, im, &mut tr, &mut ti);
            self.consume(&tr, &ti, end, fs, stats, out, &|k| front.input_position(k));
            (self.tmp_re, self.tmp_im) = (tr, ti);
        }
        self.front = Some(front);
    }

    /// Channel-rate samples in; `pos` maps a channel-rate position to the
    /// input stream's.
    #[allow(clippy::too_many_arguments)]
    fn consume(
        &mut self,
        cr: &[f32],
        ci: &[f32],
        end: bool,
        fs: f64,
        stats: &mut PhyStats,
        out: &mut Vec<Frame>,
        pos: &dyn Fn(f64) -> f64,
    ) {
        let l = self.hist.cur_len();
        self.hist.push(cr, ci);
        self.absorb(l, end, fs, stats, out, pos);
    }

    /// Processes the samples appended to the buffer from index `l` on.
    #[allow(clippy::too_many_arguments)]
    fn absorb(
        &mut self,
        l: usize,
        end: bool,
        fs: f64,
        stats: &mut PhyStats,
        out: &mut Vec<Frame>,
        pos: &dyn Fn(f64) -> f64,
    ) {
        self.hits.clear();
        self.chits.clear();
        if !self.guided {
            let (nr, ni) = self.hist.tail(l);
            self.det.process(nr, ni, &mut self.hits);
            self.cdet.process(nr, ni, &mut self.chits);
            if end {
                self.det.finish(&mut self.hits);
                self.cdet.finish(&mut self.chits);
            }
        }
        if self.guided {
            self.search(end, stats);
        }
        stats.coded_candidates += self.chits.len() as u64;
        // in start order (a guided search may come after a later one's)
        for &c in &self.chits {
            let at = self.cpending.partition_point(|p| p.start <= c.start);
            self.cpending.insert(at, c);
        }
        stats.sync_candidates += self.hits.len() as u64;
        for &h in &self.hits {
            let at = self.pending.partition_point(|&p| p <= h);
            self.pending.insert(at, h);
        }
        let avail = self.hist.end();

        while let Some(&c) = self.pending.front() {
            if c < self.skip_until || c < HIT_TO_START + PRE {
                self.pending.pop_front();
                continue;
            }
            if !end && c + MAX_AFTER_SYNC > avail {
                break; // wait for the rest of a possibly long packet
            }
            self.pending.pop_front();
            let ws = (c - HIT_TO_START - PRE).max(self.hist.base());
            let coarse = (c - HIT_TO_START - ws) as f64;
            let (wr, wi) = self.hist.window(ws, c + MAX_AFTER_SYNC);
            match self.demod.demodulate(wr, wi, coarse, &self.whitening, CHANNEL_RATE) {
                Ok(d) if d.crc_ok => {
                    stats.packets += 1;
                    let start_ch = ws as f64 + d.start;
                    self.skip_until = start_ch as u64 + d.len_samples as u64;
                    let q = Quality { channel: d.channel, rssi_dbfs: d.rssi_dbfs, snr_db: d.snr_db, cfo_hz: d.cfo_hz };
                    let meta = self.meta(Phy::Ble1m, pos(start_ch), fs, q);
                    out.push(Frame { bytes: d.bytes, meta });
                }
                Ok(_) => {
                    stats.crc_errors += 1;
                }
                Err(DemodError::NoSync) => stats.sync_rejected += 1,
                Err(DemodError::Truncated { .. }) => {
                    // only at the end of the stream: the packet was cut off
                    stats.crc_errors += 1;
                }
            }
        }
        self.coded(end, avail, fs, stats, out, pos);
        // keep what pending candidates (and the next ones) may need
        let keep_from = self
            .pending
            .front()
            .copied()
            .unwrap_or(avail)
            .min(avail)
            .saturating_sub(HIT_TO_START + PRE + 8)
            .min(self.cpending.front().map_or(avail, |c| c.start).saturating_sub(CODED_PRE))
            // the coded detector reports a packet once its sync has passed
            .min(avail.saturating_sub(CODED_LAG))
            // a guided channel keeps the windows still to search, and a
            // history for windows not known yet
            .min(self.searches.iter().map(|s| s.from.saturating_sub(SEARCH_MARGIN)).min().unwrap_or(u64::MAX))
            .min(if self.guided { avail.saturating_sub(GUIDED_HISTORY) } else { u64::MAX });
        self.hist.trim(keep_from, if self.guided { GUIDED_HISTORY } else { TRIM });
    }

    /// Adds a search window, merged with an overlapping one and clipped to
    /// what was not searched yet; false when nothing is left to search.
    fn add_search(&mut self, s: Search) -> bool {
        let from = s.from.max(self.searched_to[s.coded as usize]);
        if from > s.to {
            return false;
        }
        if let Some(o) = self.searches.iter_mut().find(|o| o.coded == s.coded && o.from <= s.to && from <= o.to) {
            o.from = o.from.min(from);
            o.to = o.to.max(s.to);
            return false;
        }
        self.searches.push(Search { from, ..s });
        self.searches.sort_by_key(|s| s.from);
        true
    }

    /// Runs the detectors on the search windows whose samples are all
    /// there (at the end of the stream, on what there is); their candidates
    /// join those waiting for demodulation.
    fn search(&mut self, end: bool, stats: &mut PhyStats) {
        let avail = self.hist.end();
        let mut i = 0;
        while i < self.searches.len() {
            let s = self.searches[i];
            let lo = s.from.saturating_sub(SEARCH_MARGIN);
            let hi = s.to + SEARCH_MARGIN + if s.coded { coded::DETECTOR_SPAN as u64 } else { HIT_TO_START + 1 };
            if hi > avail && !end {
                i += 1;
                continue;
            }
            self.searches.remove(i);
            let slot = &mut self.searched_to[s.coded as usize];
            *slot = (*slot).max(s.to);
            let (lo, hi) = (lo.max(self.hist.base()), hi.min(avail));
            if hi <= lo + SEARCH_MARGIN {
                stats.guided_expired += 1;
                continue;
            }
            let (wr, wi) = self.hist.window(lo, hi);
            let keep = |start: u64| start + SEARCH_MARGIN >= s.from && start <= s.to + SEARCH_MARGIN;
            if s.coded {
                // a fresh detector (the stream's own never ran) over the window
                let mut det = self.cdet.clone();
                let mut hits = Vec::new();
                det.process(wr, wi, &mut hits);
                det.finish(&mut hits);
                self.chits.extend(
                    hits.into_iter().map(|h| CodedCandidate { start: h.start + lo, ..h }).filter(|h| keep(h.start)),
                );
            } else {
                let mut det = self.det.clone();
                let mut hits = Vec::new();
                det.process(wr, wi, &mut hits);
                det.finish(&mut hits);
                self.hits.extend(hits.into_iter().map(|h| h + lo).filter(|&h| keep(h.saturating_sub(HIT_TO_START))));
            }
        }
        self.chits.sort_by_key(|c| c.start);
        self.hits.sort_unstable();
    }

    /// Demodulates the coded candidates whose packets are complete.
    fn coded(
        &mut self,
        end: bool,
        avail: u64,
        fs: f64,
        stats: &mut PhyStats,
        out: &mut Vec<Frame>,
        pos: &dyn Fn(f64) -> f64,
    ) {
        while let Some(&c) = self.cpending.front() {
            if c.start < self.cskip_until || c.start < CODED_PRE {
                self.cpending.pop_front();
                self.cneed = 0;
                continue;
            }
            // first up to the header, whose length field then says how
            // far the packet goes (the pilots want a few patterns more)
            let full = c.start + coded::MAX_PACKET_SAMPLES as u64 + 64;
            let want = self.cneed.max(c.start + coded::HEADER_SAMPLES as u64).min(full);
            if !end && want > avail {
                break; // wait for the rest of the packet
            }
            let ws = (c.start - CODED_PRE).max(self.hist.base());
            let (wr, wi) = self.hist.window(ws, full);
            let r = self.cdemod.demodulate(
                wr,
                wi,
                (c.start - ws) as usize,
                c.cfo_hz(CHANNEL_RATE),
                &self.whitening,
                CHANNEL_RATE,
            );
            if let Err(CodedError::Truncated { need }) = r {
                let need = (ws + (need + coded::TAIL_SAMPLES) as u64).min(full);
                if !end && need > avail {
                    self.cneed = need;
                    continue;
                }
            }
            self.cpending.pop_front();
            self.cneed = 0;
            match r {
                Ok(d) if d.crc_ok => {
                    stats.packets += 1;
                    stats.coded_packets += 1;
                    let start_ch = ws as f64 + d.start;
                    self.cskip_until = start_ch as u64 + d.len_samples as u64;
                    let q = Quality { channel: d.channel, rssi_dbfs: d.rssi_dbfs, snr_db: d.snr_db, cfo_hz: d.cfo_hz };
                    let meta = self.meta(d.coding.phy(), pos(start_ch), fs, q);
                    out.push(Frame { bytes: d.bytes, meta });
                }
                Ok(_) => stats.coded_crc_errors += 1,
                Err(CodedError::NoSync) => stats.coded_rejected += 1,
                Err(CodedError::ReservedCi(_)) => stats.coded_reserved_ci += 1,
                Err(CodedError::Truncated { .. }) => stats.coded_crc_errors += 1,
            }
        }
    }
}
