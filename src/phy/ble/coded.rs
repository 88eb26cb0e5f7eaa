//! BLE LE Coded PHY (Bluetooth 5 "Long Range", Core spec Vol 6 Part B
//! 2.2, 3.3): the air format, a streaming sync detector and a demodulator.
//!
//! # Air format
//! ```text
//! preamble   80 symbols: "00111100" × 10 (uncoded)
//! FEC block 1  access address (32 bits), CI (2 bits: 0 = S=8, 1 = S=2),
//!              TERM1 (3 zero bits), always coded S=8
//! FEC block 2  PDU + CRC-24 (whitened, as on the 1M PHY) and TERM2
//!              (3 zero bits), coded S=8 or S=2 as CI says
//! ```
//! Coding is the rate-1/2, K=4 convolutional code G0 = 1 + x + x² + x³,
//! G1 = 1 + x² + x³ (two output bits per input bit, G0's first), its
//! register starting at zero in block 1 and left at zero by TERM1; then the
//! pattern mapper: S=2 sends each coded bit as one symbol, S=8 as four
//! (1 → 1100, 0 → 0011). Symbols are GFSK at 1 Msym/s with BT = 0.5 and
//! h = 0.5, 1 = the higher frequency.
//!
//! # Receiving
//! Every S=8 pattern turns the carrier phase by +π and back (1100) or by −π
//! and back (0011), so through the preamble and the S=8 parts the phase at
//! pattern boundaries is constant. The two patterns are complex conjugates
//! of each other: their common real part is a *pilot* (the same waveform
//! whatever the bit) and the bit rides on the imaginary part. The receiver:
//! 1. finds packets with a one-symbol differential correlation against the
//!    84 known S=8 patterns of preamble and coded access address (immune to
//!    carrier offset, so no frequency search), evaluated at every sample;
//! 2. on a candidate, estimates the carrier offset from that correlation's
//!    phase, refines timing and frequency with coherent per-pattern
//!    correlations, and fixes the carrier phase;
//! 3. S=8: soft bits are the imaginary-part correlations against the
//!    phase reference, which is the pilot part smoothed over ±`PILOT_SPAN`
//!    patterns (it follows residual carrier drift with no decisions);
//!    S=2: one trellis over the code and the carrier phase (see `s2_psp`);
//! 4. decides CI by trying its four values, decodes the header and then the
//!    whole block 2 with a soft Viterbi decoder (terminated by TERM2),
//!    dewhitens and checks the CRC.

use ridscope_dsp::gfsk::Modulator;
use ridscope_dsp::viterbi::{ConvCode, Viterbi};

use super::demod::{BT, H};
use super::packet::Whitener;
use crate::frame::Phy;
use crate::link::ble::{CRC_LEN, split_crc};

/// The FEC code of the LE Coded PHY.
pub const FEC: ConvCode = ConvCode::new(4, [0b1111, 0b1101]);
/// Samples per symbol the receiver works at (4 MS/s).
pub const SPS: usize = 4;
/// Samples of one S=8 pattern (4 symbols).
pub const PAT: usize = 4 * SPS;
/// Preamble symbols.
pub const PREAMBLE_SYMBOLS: usize = 80;
/// Patterns of the preamble (each "0011" or "1100").
const PRE_PATTERNS: usize = PREAMBLE_SYMBOLS / 4;
/// Information bits of FEC block 1: access address, CI, TERM1.
pub const BLOCK1_BITS: usize = 32 + 2 + 3;
/// Known S=8 patterns at the start: preamble and coded access address.
pub const SYNC_PATTERNS: usize = PRE_PATTERNS + 64;
/// Symbols before FEC block 2: preamble and block 1 (2 × 37 coded bits × 4).
pub const BLOCK2_SYMBOL: usize = PREAMBLE_SYMBOLS + 2 * BLOCK1_BITS * 4;
/// The termination bits after block 1 and block 2.
pub const TERM_BITS: usize = 3;
/// Longest packet: 255-byte PDU at S=8, in samples from the first preamble sample.
pub const MAX_PACKET_SAMPLES: usize = (BLOCK2_SYMBOL + ((2 + 255 + CRC_LEN) * 8 + TERM_BITS) * 8) * SPS;
/// Patterns each side whose pilots make a pattern's phase reference.
const PILOT_SPAN: usize = 20;
/// Coherent sync quality (normalised correlation) below which a candidate is noise.
const MIN_SYNC_QUALITY: f64 = 0.15;

/// Fractional timing steps of the demodulator's templates.
const FRAC_STEPS: usize = 8;

/// The start offset (samples, −1/2..1/2) of template `f`.
fn frac_offset(f: usize) -> f64 {
    (f as f64 - (FRAC_STEPS / 2) as f64) / FRAC_STEPS as f64
}

/// Coding of FEC block 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    S8,
    S2,
}

impl Coding {
    /// The coding indicator value.
    pub fn ci(self) -> u8 {
        match self {
            Coding::S8 => 0,
            Coding::S2 => 1,
        }
    }

    /// S=8 for 0, S=2 for 1; 2 and 3 are reserved.
    pub fn from_ci(ci: u8) -> Option<Coding> {
        match ci {
            0 => Some(Coding::S8),
            1 => Some(Coding::S2),
            _ => None,
        }
    }

    /// Symbols per coded bit.
    pub fn pattern_len(self) -> usize {
        match self {
            Coding::S8 => 4,
            Coding::S2 => 1,
        }
    }

    pub fn phy(self) -> Phy {
        match self {
            Coding::S8 => Phy::BleCodedS8,
            Coding::S2 => Phy::BleCodedS2,
        }
    }
}

fn push_lsb_first(bits: &mut Vec<bool>, bytes: &[u8]) {
    for b in bytes {
        for i in 0..8 {
            bits.push((b >> i) & 1 == 1);
        }
    }
}

fn map_patterns(coded: &[bool], coding: Coding, out: &mut Vec<bool>) {
    for &c in coded {
        match coding {
            Coding::S2 => out.push(c),
            Coding::S8 => {
                out.extend_from_slice(if c { &[true, true, false, false] } else { &[false, false, true, true] })
            }
        }
    }
}

/// The 80 preamble symbols.
pub fn preamble_symbols() -> Vec<bool> {
    (0..PREAMBLE_SYMBOLS).map(|i| matches!(i % 8, 2..=5)).collect()
}

/// The coded bits of FEC block 1 (access address, CI, TERM1): 74 bits.
pub fn block1_coded(access_address: u32, ci: u8) -> Vec<bool> {
    let mut info = Vec::with_capacity(BLOCK1_BITS);
    push_lsb_first(&mut info, &access_address.to_le_bytes());
    info.extend([ci & 1 == 1, ci & 2 == 2, false, false, false]);
    let mut coded = Vec::with_capacity(2 * BLOCK1_BITS);
    FEC.encode(&mut 0, &info, &mut coded);
    coded
}

/// Every symbol of a coded packet, in air order: preamble, block 1, and
/// `pdu_with_crc` whitened for `channel` plus TERM2 as block 2.
pub fn air_symbols(access_address: u32, channel: u8, coding: Coding, pdu_with_crc: &[u8]) -> Vec<bool> {
    let mut sym = preamble_symbols();
    map_patterns(&block1_coded(access_address, coding.ci()), Coding::S8, &mut sym);
    let mut body = pdu_with_crc.to_vec();
    Whitener::new(channel).apply(&mut body);
    let mut info = Vec::with_capacity(body.len() * 8 + TERM_BITS);
    push_lsb_first(&mut info, &body);
    info.extend([false; TERM_BITS]);
    let mut coded = Vec::with_capacity(2 * info.len());
    FEC.encode(&mut 0, &info, &mut coded);
    map_patterns(&coded, coding, &mut sym);
    sym
}

/// Air time of a coded packet whose PDU (header + payload) is `pdu_len` bytes, µs.
pub fn air_time_us(coding: Coding, pdu_len: usize) -> f64 {
    let info = ((pdu_len + CRC_LEN) * 8 + TERM_BITS) as f64;
    (BLOCK2_SYMBOL as f64) + info * 2.0 * coding.pattern_len() as f64
}

/// The known S=8 pattern bits of preamble and coded access address.
pub fn sync_pattern_bits(access_address: u32) -> Vec<bool> {
    let mut b: Vec<bool> = (0..PRE_PATTERNS).map(|i| i % 2 == 1).collect();
    b.extend_from_slice(&block1_coded(access_address, 0)[..64]);
    b
}

// ---------------------------------------------------------------------------
// Detection

/// Samples the detector's correlation spans (from the first preamble sample).
const DET_SPAN: usize = SYNC_PATTERNS * PAT + 2;
/// Samples of input the correlation at `n0` reads (y up to n0 + DET_SPAN + 16).
const DET_NEED: usize = DET_SPAN + PAT + 2;
/// Samples from a packet's first sample through its header at S=8 and the
/// lookahead the header is decoded with: where a demodulation can start.
pub const HEADER_SAMPLES: usize = BLOCK2_SYMBOL * SPS + 2 * (16 + 24) * PAT + 2 * PAT + 8;
/// Samples past a packet's end its last patterns' pilots are smoothed over.
pub const TAIL_SAMPLES: usize = (PILOT_SPAN + 2) * PAT;
/// Samples the detector reads past a packet's first sample to evaluate it.
pub const DETECTOR_SPAN: usize = DET_NEED;
/// A peak is reported once the correlation has been evaluated this far past it.
const PEAK_HOLD: u64 = 48;
/// Default detection threshold on |C|² / E², see [`CodedDetector`].
pub const DEFAULT_DET_THRESHOLD: f32 = 0.022;
/// The detector's one-symbol smoothing delays its peak by about this many samples.
const DET_DELAY: u64 = 2;

/// A packet candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodedCandidate {
    /// Channel-rate sample index of the (estimated) first preamble sample.
    pub start: u64,
    /// The differential correlation (its phase gives the carrier offset).
    pub corr_re: f32,
    pub corr_im: f32,
    /// |C|² / E², 0..1.
    pub metric: f32,
}

impl CodedCandidate {
    /// Carrier offset (Hz) implied by the correlation's phase at `rate`.
    pub fn cfo_hz(&self, rate: f64) -> f64 {
        let a = (self.corr_im as f64).atan2(self.corr_re as f64) - std::f64::consts::FRAC_PI_2;
        let a = (a + std::f64::consts::PI).rem_euclid(2.0 * std::f64::consts::PI) - std::f64::consts::PI;
        a * rate / (2.0 * std::f64::consts::PI * SPS as f64)
    }
}

/// Streaming sync detector for coded packets with one access address.
///
/// y[n] = r[n]·conj(r[n − 4]) (the phase turned over one symbol, ±π/2 plus
/// the carrier offset's constant share); each S=8 pattern is scored by
/// u = Σ y over its first two symbols − Σ y over its last two, and
/// C[n0] = Σ_p ±u[n0 + 16p] over the 84 known patterns, with the pattern
/// bit's sign. Its magnitude is compared with the input energy E over the
/// same span: M = |C|² / E² is about 0.6·(S/(S+N))² for a packet and
/// ~1/1300 for noise. Local peaks of M above the threshold are candidates.
#[derive(Clone)]
pub struct CodedDetector {
    signs: Vec<f32>,
    threshold: f32,
    /// The last `HIST` input samples, then the block being processed.
    ext_re: Vec<f32>,
    ext_im: Vec<f32>,
    seen: u64,
    /// y and |r|² from absolute index `base`.
    y_re: Vec<f32>,
    y_im: Vec<f32>,
    pw: Vec<f32>,
    base: u64,
    /// Next n0 to evaluate.
    next: u64,
    peak: Option<CodedCandidate>,
    // scratch
    u_re: Vec<f32>,
    u_im: Vec<f32>,
    c_re: Vec<f32>,
    c_im: Vec<f32>,
    c2: Vec<f32>,
    z: Vec<f32>,
}

/// Evaluations per batch.
const BATCH: usize = 2048;
/// Evaluations screened together against the energy their spans share.
const SUB_BATCH: usize = 64;
/// Input history the smoothing and the differential need (3 + 4 samples).
const HIST: usize = 7;

impl CodedDetector {
    pub fn new(access_address: u32, threshold: f32) -> Self {
        let signs = sync_pattern_bits(access_address).iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
        CodedDetector {
            signs,
            threshold,
            ext_re: vec![0.0; HIST],
            ext_im: vec![0.0; HIST],
            seen: 0,
            y_re: Vec::new(),
            y_im: Vec::new(),
            pw: Vec::new(),
            base: 0,
            next: 0,
            peak: None,
            u_re: Vec::new(),
            u_im: Vec::new(),
            c_re: Vec::new(),
            c_im: Vec::new(),
            c2: Vec::new(),
            z: Vec::new(),
        }
    }

    /// Feeds channel-rate samples; appends candidates (in order).
    pub fn process(&mut self, re: &[f32], im: &[f32], out: &mut Vec<CodedCandidate>) {
        let n = re.len().min(im.len());
        if n == 0 {
            return;
        }
        // the last HIST input samples, then this block
        self.ext_re.truncate(HIST);
        self.ext_im.truncate(HIST);
        self.ext_re.extend_from_slice(&re[..n]);
        self.ext_im.extend_from_slice(&im[..n]);
        // s = one-symbol moving sum (a lowpass about the signal's width);
        // y = s[j]·conj(s[j − 4]); |s|² for the energy
        let l = self.y_re.len();
        self.y_re.resize(l + n, 0.0);
        self.y_im.resize(l + n, 0.0);
        self.pw.resize(l + n, 0.0);
        ridscope_dsp::correlate::smoothed_lag4_differential(
            &self.ext_re,
            &self.ext_im,
            &mut self.y_re[l..],
            &mut self.y_im[l..],
            &mut self.pw[l..],
        );
        // keep the history for the next block
        let len = self.ext_re.len();
        self.ext_re.drain(..len - HIST);
        self.ext_im.drain(..len - HIST);
        self.seen += n as u64;
        self.evaluate(out);
    }

    /// End of stream: reports a pending peak.
    pub fn finish(&mut self, out: &mut Vec<CodedCandidate>) {
        if let Some(p) = self.peak.take() {
            out.push(p);
        }
    }

    fn evaluate(&mut self, out: &mut Vec<CodedCandidate>) {
        let avail = self.base + self.y_re.len() as u64;
        loop {
            if self.next + (DET_NEED as u64) > avail {
                break;
            }
            // offsets next, next + 2, … whose window is complete
            let count = (((avail - DET_NEED as u64 - self.next) / 2 + 1) as usize).min(BATCH);
            self.batch(count, out);
            self.next += 2 * count as u64;
        }
        // keep what the next evaluation reads
        let drop = (self.next - self.base) as usize;
        if drop > 4 * BATCH {
            self.y_re.drain(..drop);
            self.y_im.drain(..drop);
            self.pw.drain(..drop);
            self.base += drop as u64;
        }
    }

    /// Evaluates `count` offsets n0 = next + 2i (every other sample: the
    /// correlation peak is several samples wide).
    fn batch(&mut self, count: usize, out: &mut Vec<CodedCandidate>) {
        let off = (self.next - self.base) as usize;
        let np = self.signs.len();
        // at even offsets m = off + 2i: u[m] = B8[m + 2] − B8[m + 10], with
        // B8[m] = Σ_{j<8} y[m + j] = z[i] + … + z[i + 3], z[i] = y[2i] + y[2i + 1]
        let ulen = count + (PAT / 2) * (np - 1);
        let zlen = ulen + 8;
        self.u_re.clear();
        self.u_im.clear();
        self.u_re.resize(ulen, 0.0);
        self.u_im.resize(ulen, 0.0);
        ridscope_dsp::correlate::half_rate_box_difference(&self.y_re[off..off + 2 * zlen], &mut self.u_re);
        ridscope_dsp::correlate::half_rate_box_difference(&self.y_im[off..off + 2 * zlen], &mut self.u_im);
        self.c_re.clear();
        self.c_im.clear();
        self.c_re.resize(count, 0.0);
        self.c_im.resize(count, 0.0);
        ridscope_dsp::correlate::strided_taps_accumulate(&self.u_re, PAT / 2, &self.signs, &mut self.c_re);
        ridscope_dsp::correlate::strided_taps_accumulate(&self.u_im, PAT / 2, &self.signs, &mut self.c_im);
        // |C|² per offset, and the energy in pairs: z[i] = |r|² at offsets
        // 2i and 2i + 1, so the energy over the span of offset k is
        // E[k] = Σ z[k .. k + HALF_SPAN]
        const HALF_SPAN: usize = DET_SPAN / 2;
        self.c2.clear();
        self.c2.extend(self.c_re.iter().zip(&self.c_im).map(|(a, b)| a * a + b * b));
        self.z.clear();
        let pw = &self.pw[off..off + 2 * (count + HALF_SPAN)];
        self.z.extend(pw.chunks_exact(2).map(|p| p[0] + p[1]));
        let z = &self.z;
        let mut e: f64 = z[..HALF_SPAN].iter().map(|&v| v as f64).sum();
        let thr = self.threshold as f64;
        let mut k0 = 0;
        while k0 < count {
            let k1 = (k0 + SUB_BATCH).min(count);
            // every span of this sub-batch holds the part they share:
            // unless some |C|² passes the threshold against that part's
            // energy, none passes against its own
            let shared = e - z[k0..k1 - 1].iter().map(|&v| v as f64).sum::<f64>();
            let top = self.c2[k0..k1].iter().fold(0f32, |a, &b| a.max(b)) as f64;
            if top > thr * shared * shared {
                for k in k0..k1 {
                    if k > k0 {
                        e += z[k - 1 + HALF_SPAN] as f64 - z[k - 1] as f64;
                    }
                    let n0 = self.next + 2 * k as u64;
                    if let Some(p) = self.peak
                        && n0 > p.start + DET_DELAY + PEAK_HOLD
                    {
                        out.push(p);
                        self.peak = None;
                    }
                    let c2 = self.c2[k] as f64;
                    if c2 <= thr * e * e || e <= 1e-30 {
                        continue;
                    }
                    let m = (c2 / (e * e)) as f32;
                    if m > self.threshold && self.peak.is_none_or(|p| m > p.metric) {
                        let (cr, ci) = (self.c_re[k], self.c_im[k]);
                        self.peak = Some(CodedCandidate {
                            start: n0.saturating_sub(DET_DELAY),
                            corr_re: cr,
                            corr_im: ci,
                            metric: m,
                        });
                    }
                }
                e += z[k1 - 1 + HALF_SPAN] as f64 - z[k1 - 1] as f64;
            } else {
                e += z[k0 + HALF_SPAN..k1 + HALF_SPAN].iter().map(|&v| v as f64).sum::<f64>()
                    - z[k0..k1].iter().map(|&v| v as f64).sum::<f64>();
            }
            // a peak is reported once the offsets have moved past it
            let last = self.next + 2 * (k1 - 1) as u64;
            if let Some(p) = self.peak
                && last > p.start + DET_DELAY + PEAK_HOLD
            {
                out.push(p);
                self.peak = None;
            }
            k0 = k1;
        }
    }
}

// ---------------------------------------------------------------------------
// Demodulation

/// A demodulated coded packet.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedPacket {
    /// Dewhitened PDU followed by the 3 CRC bytes.
    pub bytes: Vec<u8>,
    /// The channel index whose whitening was used.
    pub channel: u8,
    pub coding: Coding,
    pub crc_ok: bool,
    /// Window position (samples) of the first preamble sample.
    pub start: f64,
    /// Samples from `start` to the end of the packet.
    pub len_samples: usize,
    /// Carrier offset in the window (Hz).
    pub cfo_hz: f64,
    /// Signal-to-noise ratio in 1 MHz, dB.
    pub snr_db: f32,
    /// Signal power relative to full scale, dB.
    pub rssi_dbfs: f32,
    /// Normalised coherent correlation of the sync patterns (0..1).
    pub sync_quality: f32,
}

/// Why a candidate did not demodulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodedError {
    /// The sync patterns do not correlate: a false trigger.
    NoSync,
    /// The coding indicator decoded to a reserved value (2 or 3).
    ReservedCi(u8),
    /// The window ends before the packet does.
    Truncated { need: usize },
}

/// Demodulator of coded packets (reusable; holds scratch buffers).
pub struct CodedDemodulator {
    aa: u32,
    /// Pattern "1100" sampled at 4 sps, (cos θ, sin θ), for FRAC_STEPS
    /// fractional start offsets −1/2..1/2 of a sample; `frac` selects one.
    tabs: Vec<([f32; PAT], [f32; PAT])>,
    frac: usize,
    /// One S=2 symbol of +1 from its start (the −1 symbol is its conjugate).
    s2_re: [f32; SPS],
    s2_im: [f32; SPS],
    t_re: [f32; PAT],
    t_im: [f32; PAT],
    sync_bits: Vec<bool>,
    /// Coded CI + TERM1 bits for each CI value (from `aa_state`).
    ci_coded: [[bool; 10]; 4],
    noise_bw_hz: f64,
    viterbi: Viterbi,
    x_re: Vec<f32>,
    x_im: Vec<f32>,
    soft: Vec<f32>,
    bits: Vec<bool>,
}

impl CodedDemodulator {
    pub fn new(access_address: u32) -> Self {
        let m = Modulator::new(BT, H);
        let pat = [true, true, false, false];
        let tabs: Vec<([f32; PAT], [f32; PAT])> = (0..FRAC_STEPS)
            .map(|f| {
                let delta = frac_offset(f);
                let (mut t_re, mut t_im) = ([0f32; PAT], [0f32; PAT]);
                for k in 0..PAT {
                    let ph = m.phase_at(&pat, (k as f64 - delta) / SPS as f64);
                    t_re[k] = ph.cos() as f32;
                    t_im[k] = ph.sin() as f32;
                }
                (t_re, t_im)
            })
            .collect();
        let frac = FRAC_STEPS / 2;
        let (t_re, t_im) = tabs[frac];
        let (mut s2_re, mut s2_im) = ([0f32; SPS], [0f32; SPS]);
        for k in 0..SPS {
            // the symbol's own phase ramp from its start
            let t = k as f64 / SPS as f64;
            let ph = 2.0 * std::f64::consts::PI * H * (m.pulse().q(t - 0.5) - m.pulse().q(-0.5));
            s2_re[k] = ph.cos() as f32;
            s2_im[k] = ph.sin() as f32;
        }
        let mut info = Vec::new();
        push_lsb_first(&mut info, &access_address.to_le_bytes());
        let mut aa_state = 0;
        FEC.encode(&mut aa_state, &info, &mut Vec::new());
        let mut ci_coded = [[false; 10]; 4];
        for (ci, row) in ci_coded.iter_mut().enumerate() {
            let mut c = Vec::new();
            let mut st = aa_state;
            FEC.encode(&mut st, &[ci & 1 == 1, ci & 2 == 2, false, false, false], &mut c);
            row.copy_from_slice(&c);
        }
        CodedDemodulator {
            aa: access_address,
            tabs,
            frac,
            s2_re,
            s2_im,
            t_re,
            t_im,
            sync_bits: sync_pattern_bits(access_address),
            ci_coded,
            noise_bw_hz: super::receiver::CHANNEL_RATE,
            viterbi: Viterbi::new(FEC),
            x_re: Vec::new(),
            x_im: Vec::new(),
            soft: Vec::new(),
            bits: Vec::new(),
        }
    }

    /// The noise bandwidth of the input (see `Front::noise_bandwidth_hz`),
    /// for the SNR estimate.
    pub fn with_noise_bandwidth(mut self, hz: f64) -> Self {
        self.noise_bw_hz = hz;
        self
    }

    pub fn access_address(&self) -> u32 {
        self.aa
    }

    /// Correlation of derotated samples at `s` with pattern bit `b`:
    /// (pilot P = Σ x·cos θ, data D = Σ x·sin θ); x ≈ A e^{jφ}(cos θ ± j sin θ).
    #[inline]
    fn pd(&self, s: usize) -> ([f32; 2], [f32; 2]) {
        let (mut p, mut d) = ([0f32; 2], [0f32; 2]);
        let xr = &self.x_re[s..s + PAT];
        let xi = &self.x_im[s..s + PAT];
        for k in 0..PAT {
            p[0] += xr[k] * self.t_re[k];
            p[1] += xi[k] * self.t_re[k];
            d[0] += xr[k] * self.t_im[k];
            d[1] += xi[k] * self.t_im[k];
        }
        (p, d)
    }

    /// Coherent correlation with a known pattern: P − j·s·D (s = ±1).
    #[inline]
    fn z(&self, s: usize, bit: bool) -> (f32, f32) {
        let (p, d) = self.pd(s);
        let sg = if bit { 1.0 } else { -1.0 };
        // P − j s D = (p0 + s d1, p1 − s d0)
        (p[0] + sg * d[1], p[1] - sg * d[0])
    }

    /// Demodulates the candidate whose first preamble sample is near
    /// window position `coarse`, with the detector's carrier estimate
    /// `cfo_hz`, trying the whitening of each of `channels`.
    pub fn demodulate(
        &mut self,
        re: &[f32],
        im: &[f32],
        coarse: usize,
        cfo_hz: f64,
        channels: &[u8],
        rate: f64,
    ) -> Result<CodedPacket, CodedError> {
        let n = re.len().min(im.len());
        let tau_search = 3usize;
        self.set_frac(FRAC_STEPS / 2);
        let sync_end = coarse + tau_search + BLOCK2_SYMBOL * SPS;
        if coarse < tau_search {
            return Err(CodedError::NoSync);
        }
        if sync_end > n {
            return Err(CodedError::Truncated { need: sync_end });
        }
        // derotate the sync, CI and header (at S=8) by the coarse offset;
        // the rest of the packet only once the candidate has passed them
        let w0 = coarse - tau_search;
        let two_pi = 2.0 * std::f64::consts::PI;
        let mut freq = cfo_hz;
        let head_end = n.min(sync_end + tau_search + 2 * (16 + 24) * PAT + 2 * PAT);
        self.derotate(re, im, w0, head_end, freq / rate, 0.0);
        let np = self.sync_bits.len();
        // timing: for each offset, the pattern-to-pattern rotation gives a
        // fine frequency; the offset with the largest coherent sum wins
        let mut best: Option<(usize, f64, f64, (f64, f64))> = None;
        let mut zs: Vec<(f32, f32)> = Vec::with_capacity(np);
        let mut rot: Vec<(f64, f64)> = Vec::with_capacity(np);
        for tau in 0..=2 * tau_search {
            zs.clear();
            let mut acc = (0f64, 0f64);
            for p in 0..np {
                let z = self.z(tau + p * PAT, self.sync_bits[p]);
                if let Some(&prev) = zs.last() {
                    let prev: (f32, f32) = prev;
                    acc.0 += (z.0 * prev.0 + z.1 * prev.1) as f64;
                    acc.1 += (z.1 * prev.0 - z.0 * prev.1) as f64;
                }
                zs.push(z);
            }
            let dphi = acc.1.atan2(acc.0);
            rotations(-dphi, np, &mut rot);
            let mut g = (0f64, 0f64);
            for (z, &(c, s)) in zs.iter().zip(&rot) {
                g.0 += z.0 as f64 * c - z.1 as f64 * s;
                g.1 += z.0 as f64 * s + z.1 as f64 * c;
            }
            let mag = g.0.hypot(g.1);
            if best.is_none_or(|b| mag > b.1) {
                best = Some((tau, mag, dphi, g));
            }
        }
        let Some((tau, _, dphi, _)) = best else { return Err(CodedError::NoSync) };
        // fractional timing: the template offset with the largest coherent sum
        rotations(-dphi, np, &mut rot);
        let mut bestf = (f64::MIN, self.frac);
        for f in 0..FRAC_STEPS {
            self.set_frac(f);
            let mut g = (0f64, 0f64);
            for (p, &(c, s)) in rot.iter().enumerate() {
                let z = self.z(tau + p * PAT, self.sync_bits[p]);
                g.0 += z.0 as f64 * c - z.1 as f64 * s;
                g.1 += z.0 as f64 * s + z.1 as f64 * c;
            }
            let mag = g.0.hypot(g.1);
            if mag > bestf.0 {
                bestf = (mag, f);
            }
        }
        self.set_frac(bestf.1);
        // the fine frequency, and the carrier phase at the first pattern
        freq += dphi / (two_pi * PAT as f64) * rate;
        self.derotate(re, im, w0, head_end, freq / rate, 0.0);
        // the coherent sum again, on samples turned by the final frequency
        let mut g = (0f64, 0f64);
        for p in 0..np {
            let z = self.z(tau + p * PAT, self.sync_bits[p]);
            g.0 += z.0 as f64;
            g.1 += z.1 as f64;
        }
        let gmag = g.0.hypot(g.1);
        let mut e = 0f64;
        let span = &self.x_re[tau..tau + np * PAT];
        let span_i = &self.x_im[tau..tau + np * PAT];
        for (a, b) in span.iter().zip(span_i) {
            e += (a * a + b * b) as f64;
        }
        let tn = (np * PAT) as f64;
        let quality = if e > 0.0 { gmag / (e * tn).sqrt() } else { 0.0 };
        if quality < MIN_SYNC_QUALITY {
            return Err(CodedError::NoSync);
        }
        // amplitude and noise from the sync part
        let amp = gmag / tn;
        let noise = (e / tn - amp * amp).max(amp * amp * 1e-6);
        let phase = (g.1 / gmag, g.0 / gmag); // (sin, cos) of the carrier phase
        // turn the carrier phase out too: x ← x·e^{−jφ}
        let phi = phase.0.atan2(phase.1);
        self.derotate(re, im, w0, head_end, freq / rate, phi);

        // CI + TERM1: 10 S=8 coded bits after the sync patterns
        let ci_start = tau + np * PAT;
        self.soft.clear();
        self.s8_soft(ci_start, 10, amp as f32, ci_start + 10 * PAT);
        let mut best_ci = (f32::MIN, 0u8);
        for (ci, row) in self.ci_coded.iter().enumerate() {
            let m: f32 = row.iter().zip(&self.soft).map(|(&b, &s)| if b { s } else { -s }).sum();
            if m > best_ci.0 {
                best_ci = (m, ci as u8);
            }
        }
        let Some(coding) = Coding::from_ci(best_ci.1) else { return Err(CodedError::ReservedCi(best_ci.1)) };
        let b2 = tau + BLOCK2_SYMBOL * SPS;
        let per_coded = coding.pattern_len() * SPS;

        // header: 16 bits plus a lookahead, decoded without termination
        let head_bits = 16 + 24;
        let need = b2 + 2 * head_bits * per_coded + SPS;
        if need > n - w0 {
            return Err(CodedError::Truncated { need: w0 + need });
        }
        self.decode_block2(coding, b2, head_bits, false, amp as f32);
        let head_raw = bits_to_bytes(&self.bits[..16]);
        let mut result: Option<CodedPacket> = None;
        for &ch in channels {
            let mut head = [head_raw[0], head_raw[1]];
            Whitener::new(ch).apply(&mut head);
            let len = head[1] as usize;
            let info = (2 + len + CRC_LEN) * 8 + TERM_BITS;
            let end = b2 + 2 * info * per_coded;
            if end + SPS > n - w0 {
                if result.is_none() {
                    return Err(CodedError::Truncated { need: w0 + end + SPS });
                }
                continue;
            }
            if end + 2 * PAT > self.x_re.len() && self.x_re.len() < n - w0 {
                // the whole packet (and a little after it, for the pilots)
                self.derotate(re, im, w0, n.min(w0 + end + (PILOT_SPAN + 2) * PAT), freq / rate, phi);
            }
            self.decode_block2(coding, b2, info, true, amp as f32);
            let mut bytes = bits_to_bytes(&self.bits[..info - TERM_BITS]);
            Whitener::new(ch).apply(&mut bytes);
            let crc_ok = split_crc(&bytes).is_ok_and(|(_, ok)| ok);
            let snr = amp * amp / noise * self.noise_bw_hz / 1e6;
            let pkt = CodedPacket {
                bytes,
                channel: ch,
                coding,
                crc_ok,
                start: (w0 + tau) as f64 + frac_offset(self.frac),
                len_samples: end - tau,
                cfo_hz: freq,
                snr_db: (10.0 * snr.log10()) as f32,
                rssi_dbfs: (20.0 * amp.max(1e-10).log10()) as f32,
                sync_quality: quality as f32,
            };
            let ok = pkt.crc_ok;
            if result.is_none() || ok {
                result = Some(pkt);
            }
            if ok {
                break;
            }
        }
        result.ok_or(CodedError::NoSync)
    }

    fn set_frac(&mut self, f: usize) {
        self.frac = f;
        (self.t_re, self.t_im) = self.tabs[f];
    }

    /// x = (re, im)[w0..n] · e^{−j(2π f k + phase0)}, k counted from w0.
    fn derotate(&mut self, re: &[f32], im: &[f32], w0: usize, n: usize, cycles_per_sample: f64, phase0: f64) {
        self.x_re.clear();
        self.x_im.clear();
        let len = n.saturating_sub(w0);
        self.x_re.reserve(len);
        self.x_im.reserve(len);
        let step = -2.0 * std::f64::consts::PI * cycles_per_sample;
        // exact phase every 256 samples, a rotation in between
        let mut k = 0;
        while k < len {
            let m = (len - k).min(256);
            let (s0, c0) = (step * k as f64 - phase0).sin_cos();
            let (ds, dc) = step.sin_cos();
            let (mut c, mut s) = (c0, s0);
            for j in 0..m {
                let (a, b) = (re[w0 + k + j] as f64, im[w0 + k + j] as f64);
                self.x_re.push((a * c - b * s) as f32);
                self.x_im.push((a * s + b * c) as f32);
                let nc = c * dc - s * ds;
                s = s * dc + c * ds;
                c = nc;
            }
            k += m;
        }
    }

    /// Appends soft values of `count` S=8 coded bits starting at `start`
    /// (x already turned to the sync's carrier phase): Im of the data
    /// correlation against the smoothed pilot phase.
    fn s8_soft(&mut self, start: usize, count: usize, amp: f32, pilot_end: usize) {
        // pilots over the range and PILOT_SPAN patterns before (the sync,
        // whose phase is 0 here) and after (clamped to the window)
        let lo = start.saturating_sub(PILOT_SPAN * PAT);
        let first = (start - lo) / PAT;
        let avail = (self.x_re.len().min(pilot_end).saturating_sub(start)) / PAT;
        let after = (count + PILOT_SPAN).min(avail);
        let total = first + after;
        let mut pil: Vec<(f32, f32)> = Vec::with_capacity(total);
        let mut dat: Vec<(f32, f32)> = Vec::with_capacity(total);
        for q in 0..total {
            let s = start - first * PAT + q * PAT;
            let (p, d) = self.pd(s);
            pil.push((p[0], p[1]));
            dat.push((d[0], d[1]));
        }
        // prefix sums of pilots
        let mut pre = Vec::with_capacity(total + 1);
        pre.push((0f32, 0f32));
        for p in &pil {
            let l = pre[pre.len() - 1];
            pre.push((l.0 + p.0, l.1 + p.1));
        }
        let scale = 1.0 / amp.max(1e-12);
        for k in 0..count {
            let q = first + k;
            if q >= total {
                self.soft.push(0.0);
                continue;
            }
            let a = q.saturating_sub(PILOT_SPAN);
            let b = (q + PILOT_SPAN + 1).min(total);
            let r = (pre[b].0 - pre[a].0, pre[b].1 - pre[a].1);
            let m = (r.0 * r.0 + r.1 * r.1).sqrt().max(1e-20);
            let (c, s) = (r.0 / m, r.1 / m);
            let d = dat[q];
            // Im(d · e^{−jψ}) = d.im·cos ψ − d.re·sin ψ
            self.soft.push((d.1 * c - d.0 * s) * scale);
        }
    }

    /// Decodes `info` bits of block 2 starting at `b2` into `self.bits`
    /// (`terminated`: the encoder ends in state 0).
    fn decode_block2(&mut self, coding: Coding, b2: usize, info: usize, terminated: bool, amp: f32) {
        self.bits.clear();
        match coding {
            Coding::S8 => {
                self.soft.clear();
                self.s8_soft(b2, 2 * info, amp, usize::MAX);
                self.viterbi.decode(&self.soft, Some(0), terminated.then_some(0), &mut self.bits);
            }
            Coding::S2 => self.s2_psp(b2, info, terminated),
        }
    }

    /// S=2: maximum-likelihood sequence detection over the code and the
    /// carrier phase together. Each S=2 symbol turns the phase by ±π/2, so
    /// the phase at a symbol's start is a multiple of π/2 (block 2 starts at
    /// the sync's phase, 0 here): the trellis state is (encoder state,
    /// quadrant), 32 states, and a branch's metric is the coherent
    /// correlation of its two symbols with their templates turned to the
    /// state's quadrant. Slow carrier drift is followed per survivor (each
    /// state carries its own phase estimate, updated with its decisions).
    fn s2_psp(&mut self, b2: usize, info: usize, terminated: bool) {
        const NS: usize = 32;
        const MU: f32 = 0.06;
        let nsym = 2 * info;
        // per symbol: correlations with the +1 and −1 single-symbol templates
        let mut cp: Vec<(f32, f32)> = Vec::with_capacity(nsym);
        let mut cm: Vec<(f32, f32)> = Vec::with_capacity(nsym);
        for k in 0..nsym {
            let s = b2 + k * SPS;
            let (mut p, mut m) = ((0f32, 0f32), (0f32, 0f32));
            if s + SPS <= self.x_re.len() {
                for j in 0..SPS {
                    let (xr, xi) = (self.x_re[s + j], self.x_im[s + j]);
                    let (wr, wi) = (self.s2_re[j], self.s2_im[j]);
                    // x·conj(w) and x·w (the −1 template is conj(w))
                    p.0 += xr * wr + xi * wi;
                    p.1 += xi * wr - xr * wi;
                    m.0 += xr * wr - xi * wi;
                    m.1 += xi * wr + xr * wi;
                }
            }
            cp.push(p);
            cm.push(m);
        }
        // rotate (re, im) by −q·π/2
        let rot = |z: (f32, f32), q: usize| match q & 3 {
            0 => z,
            1 => (z.1, -z.0),
            2 => (-z.0, -z.1),
            _ => (-z.1, z.0),
        };
        let neg = -1e30f32;
        let mut metric = [neg; NS];
        let mut ph = [(1f32, 0f32); NS];
        metric[0] = 0.0;
        let mut next = [neg; NS];
        let mut nph = [(1f32, 0f32); NS];
        let mut dec: Vec<u8> = vec![0; info * NS];
        for t in 0..info {
            next.fill(neg);
            for st in 0..NS {
                if metric[st] <= neg {
                    continue;
                }
                let (e, q) = ((st >> 2) as u32, st & 3);
                for u in [false, true] {
                    let (o, e2) = FEC.step(e, u);
                    let c0 = if o[0] { cp[2 * t] } else { cm[2 * t] };
                    let q1 = if o[0] { q + 1 } else { q + 3 } & 3;
                    let c1 = if o[1] { cp[2 * t + 1] } else { cm[2 * t + 1] };
                    let q2 = if o[1] { q1 + 1 } else { q1 + 3 } & 3;
                    let z0 = rot(c0, q);
                    let z1 = rot(c1, q1);
                    let z = (z0.0 + z1.0, z0.1 + z1.1);
                    // turn by the survivor's phase estimate: z·conj(ph)
                    let (pr, pi) = ph[st];
                    let zr = z.0 * pr + z.1 * pi;
                    let zi = z.1 * pr - z.0 * pi;
                    let m = metric[st] + zr;
                    let ns = ((e2 as usize) << 2) | q2;
                    if m > next[ns] {
                        next[ns] = m;
                        dec[t * NS + ns] = st as u8;
                        // phase error of this branch, a small step towards it
                        let err = zi.atan2(zr.max(1e-30)).clamp(-0.5, 0.5) * MU;
                        let (sn, cs) = err.sin_cos();
                        nph[ns] = (pr * cs - pi * sn, pr * sn + pi * cs);
                    }
                }
            }
            std::mem::swap(&mut metric, &mut next);
            std::mem::swap(&mut ph, &mut nph);
        }
        let mut st = (0..NS)
            .filter(|s| !terminated || s >> 2 == 0)
            .max_by(|&a, &b| metric[a].total_cmp(&metric[b]))
            .unwrap_or(0);
        let first = self.bits.len();
        self.bits.resize(first + info, false);
        for t in (0..info).rev() {
            // the input bit is the newest bit of the encoder state
            self.bits[first + t] = (st >> 2) & 1 == 1;
            st = dec[t * NS + st] as usize;
        }
    }
}

/// (cos, sin) of `step · p` for p = 0..n, by rotation (n is small).
fn rotations(step: f64, n: usize, out: &mut Vec<(f64, f64)>) {
    out.clear();
    let (ds, dc) = step.sin_cos();
    let (mut c, mut s) = (1f64, 0f64);
    for _ in 0..n {
        out.push((c, s));
        (c, s) = (c * dc - s * ds, s * dc + c * ds);
    }
}

fn bits_to_bytes(bits: &[bool]) -> Vec<u8> {
    bits.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |a, (i, &b)| a | (b as u8) << i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::ble::{ADV_ACCESS_ADDRESS, with_crc};

    #[test]
    fn air_format_lengths_and_preamble() {
        let pdu = [0x07u8, 0x03, 0x01, 0x02, 0x03];
        let bytes = with_crc(&pdu);
        for coding in [Coding::S8, Coding::S2] {
            let s = air_symbols(ADV_ACCESS_ADDRESS, 37, coding, &bytes);
            assert_eq!(s.len() as f64, air_time_us(coding, pdu.len()));
            let pre: String = s[..16].iter().map(|&b| if b { '1' } else { '0' }).collect();
            assert_eq!(pre, "0011110000111100");
        }
        // S=8: 80 + 296 + (8·8 + 3)·8 = 912 µs for a 5-byte PDU
        assert_eq!(air_time_us(Coding::S8, 5), 80.0 + 296.0 + 67.0 * 8.0);
        // the TI sample's 16 336 µs is a 246-byte PDU at S=8
        assert_eq!(air_time_us(Coding::S8, 246), 16_336.0);
    }

    #[test]
    fn block1_is_the_access_address_then_ci_then_term1() {
        let c0 = block1_coded(ADV_ACCESS_ADDRESS, 0);
        let c1 = block1_coded(ADV_ACCESS_ADDRESS, 1);
        assert_eq!(c0.len(), 74);
        assert_eq!(c0[..64], c1[..64], "the access address part does not depend on CI");
        assert_ne!(c0[64..], c1[64..]);
        // decodes back
        let mut v = Viterbi::new(FEC);
        let soft: Vec<f32> = c1.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
        let mut out = Vec::new();
        v.decode(&soft, Some(0), Some(0), &mut out);
        assert_eq!(bits_to_bytes(&out[..32]), ADV_ACCESS_ADDRESS.to_le_bytes());
        assert_eq!(&out[32..], &[true, false, false, false, false]);
    }

    /// A capture at 4 MS/s holding `packets` (symbols, start sample) with
    /// carrier offset `cfo_hz`, noise for `ebn0_db` per information bit of
    /// `coding` at amplitude 1.
    pub(crate) fn render(
        packets: &[(Vec<bool>, f64)],
        len: usize,
        cfo_hz: f64,
        coding: Coding,
        ebn0_db: f64,
        seed: u64,
    ) -> (Vec<f32>, Vec<f32>) {
        let (mut re, mut im) = (vec![0f32; len], vec![0f32; len]);
        let m = Modulator::new(BT, H).with_guard(4.0);
        for (i, (sym, start)) in packets.iter().enumerate() {
            m.add_to(sym, SPS as f64, *start, 1.0, 0.7 + i as f64, cfo_hz / 4e6, &mut re, &mut im);
        }
        let tb = 1e-6 * 2.0 * coding.pattern_len() as f64;
        let n0 = tb / 10f64.powf(ebn0_db / 10.0);
        let sigma = (n0 * 4e6 / 2.0).sqrt() as f32;
        ridscope_dsp::noise::Rng::new(seed).add_awgn(&mut re, &mut im, sigma);
        (re, im)
    }

    pub(crate) fn decode_all(re: &[f32], im: &[f32], channels: &[u8]) -> Vec<CodedPacket> {
        let mut det = CodedDetector::new(ADV_ACCESS_ADDRESS, DEFAULT_DET_THRESHOLD);
        let mut cands = Vec::new();
        for (a, b) in re.chunks(1000).zip(im.chunks(1000)) {
            det.process(a, b, &mut cands);
        }
        det.finish(&mut cands);
        let mut d = CodedDemodulator::new(ADV_ACCESS_ADDRESS);
        let mut out: Vec<CodedPacket> = Vec::new();
        let mut skip = 0usize;
        for c in cands {
            if (c.start as usize) < skip {
                continue;
            }
            if let Ok(p) = d.demodulate(re, im, c.start as usize, c.cfo_hz(4e6), channels, 4e6)
                && p.crc_ok
            {
                skip = (p.start as usize) + p.len_samples;
                out.push(p);
            }
        }
        out
    }

    fn pdu(n: usize) -> Vec<u8> {
        let mut v = vec![0x07u8, n as u8];
        v.extend((0..n).map(|i| (i * 37 + 11) as u8));
        v
    }

    #[test]
    fn clean_packets_decode_s8_and_s2() {
        for (coding, cfo) in [(Coding::S8, 0.0), (Coding::S8, 120e3), (Coding::S2, -80e3), (Coding::S2, 0.0)] {
            let p = pdu(40);
            let sym = air_symbols(ADV_ACCESS_ADDRESS, 5, coding, &with_crc(&p));
            let (re, im) = render(&[(sym.clone(), 1000.0)], sym.len() * SPS + 3000, cfo, coding, 60.0, 1);
            let got = decode_all(&re, &im, &[5]);
            assert_eq!(got.len(), 1, "{coding:?} {cfo}");
            assert_eq!(got[0].bytes, with_crc(&p));
            assert_eq!(got[0].coding, coding);
            assert!((got[0].start - 1000.0).abs() <= 1.0, "{}", got[0].start);
            assert!((got[0].cfo_hz - cfo).abs() < 2e3, "{} vs {cfo}", got[0].cfo_hz);
            assert!(got[0].rssi_dbfs.abs() < 1.0, "{}", got[0].rssi_dbfs);
        }
    }

    #[test]
    fn noisy_s8_packets_decode() {
        let mut ok = 0;
        for seed in 0..20u64 {
            let p = pdu(30);
            let sym = air_symbols(ADV_ACCESS_ADDRESS, 9, Coding::S8, &with_crc(&p));
            let (re, im) = render(&[(sym.clone(), 3000.0)], sym.len() * SPS + 6000, 30e3, Coding::S8, 8.0, seed);
            let got = decode_all(&re, &im, &[9]);
            ok += got.iter().filter(|g| g.bytes == with_crc(&p)).count();
        }
        assert!(ok >= 18, "{ok}/20 at 8 dB");
    }

    /// On white noise the detector fires a few times a second; at 6 dB
    /// Eb/N0 it finds every packet's start.
    #[test]
    fn detector_false_alarms_and_detection() {
        let n = 2_000_000;
        let (mut re, mut im) = (vec![0f32; n], vec![0f32; n]);
        ridscope_dsp::noise::Rng::new(5).add_awgn(&mut re, &mut im, 1.0);
        let mut det = CodedDetector::new(ADV_ACCESS_ADDRESS, DEFAULT_DET_THRESHOLD);
        let mut c = Vec::new();
        det.process(&re, &im, &mut c);
        det.finish(&mut c);
        assert!(c.len() <= 20, "{} candidates in 0.5 s of noise", c.len());
        let mut found = 0;
        for seed in 0..20u64 {
            let sym = air_symbols(ADV_ACCESS_ADDRESS, 9, Coding::S8, &with_crc(&pdu(20)));
            let (re, im) = render(&[(sym.clone(), 3000.0)], sym.len() * SPS + 6000, 30e3, Coding::S8, 6.0, seed);
            let mut det = CodedDetector::new(ADV_ACCESS_ADDRESS, DEFAULT_DET_THRESHOLD);
            let mut c = Vec::new();
            det.process(&re, &im, &mut c);
            det.finish(&mut c);
            found += c.iter().any(|c| (c.start as i64 - 3000).abs() <= 3) as usize;
        }
        assert!(found >= 19, "{found}/20 detected at 6 dB");
    }
}
