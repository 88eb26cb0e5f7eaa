//! The streaming 802.11b DSSS receiver (1 and 2 Mb/s, long and short
//! preambles): IQ blocks in, [`Frame`]s (MAC frame with its FCS, verified)
//! out.
//!
//! Per channel: a front end brings the channel to 22 MS/s (2 samples per
//! chip); a 22-tap Barker matched filter correlates every sample; the
//! correlation energy is averaged per phase of the 22-sample symbol. A
//! phase standing out from the others is a DSSS signal: the receiver locks
//! to it and takes one correlation per symbol at that phase (plus its
//! stronger neighbour, weighted), following the peak as the clock drifts.
//! Symbols are detected differentially (DBPSK, DQPSK), after removing the
//! carrier offset's rotation per symbol, tracked decision-directed; DQPSK
//! symbols against a reference that also remembers the older symbols
//! (decision feedback). The bits are descrambled; the SFD tells the
//! preamble: 0xF3A0 long (header at 1 Mb/s DBPSK), 0x05CF short (header
//! at 2 Mb/s DQPSK, 24 symbols); the header's CRC-16 and the FCS decide.
//! CCK headers (5.5, 11 Mb/s) count as `unsupported`.
//! Everything is per sample: the output does not depend on the block split.

use ridscope_dsp::complex;
use ridscope_dsp::fir::{self, ChipFir, FirDecimator};
use ridscope_dsp::nco::Nco;
use ridscope_dsp::resample::FractionalResampler;

use super::plcp::{self, BARKER, Descrambler, HEADER_BITS, MAX_PSDU, Preamble, Rate, SFD, SHORT_SFD, SYNC_BITS};
use crate::frame::{Frame, LinkType, Phy, PhyMeta, wifi_channel_from_mhz};

/// Demodulator rate: 2 samples per chip.
pub const RX_RATE: f64 = 22e6;
/// Samples per symbol at [`RX_RATE`].
const SPS: usize = 22;
/// Half-width of spectrum a channel needs inside the capture (the main
/// lobe is ±11 MHz; ±9 MHz of it is enough).
pub const CHANNEL_HALF_WIDTH_HZ: f64 = 9e6;
/// Input processed in chunks this long.
const CHUNK: usize = 4096;
/// Ring of correlations (power of two > SPS + 2).
const RING: usize = 64;
/// Per-phase energy averaging (per symbol).
const ALPHA: f32 = 1.0 / 32.0;
/// Symbols averaged after a reset before a lock may be declared.
const MIN_SEARCH_SYMBOLS: u32 = 24;
/// Symbols after lock within which the SFD must end.
const SFD_TIMEOUT: u32 = (SYNC_BITS + 16 + 40) as u32;
/// Energy growth since the lock (at the best phase) that means a new,
/// stronger signal, once the energy average has forgotten the lock's time
/// (`RELOCK_AFTER` symbols, its memory being 32): a lock on a frame's start
/// has mostly stopped growing by then (and when it has not, restarting the
/// carrier tracking costs nothing).
const RELOCK_GROWTH: f32 = 8.0;
const RELOCK_AFTER: u32 = 40;
/// Input power averaging, per symbol period: the decay over [`SPS`]
/// samples of a per-sample average with gain 1/256.
const POWER_ALPHA: f32 = 0.082_503;
/// CFO tracking loop gain (per symbol).
const BETA: f32 = 1.0 / 64.0;
/// Memory of the DQPSK phase reference, per symbol (0 would be plain
/// differential detection). Measured on 200-byte 2 Mb/s frames (±50 kHz,
/// ±20 ppm): 0 needs about +4.7 dB chip SNR for 90 %, 0.5 +2.8 dB, 0.8
/// +2.4 dB, 0.9–0.95 hardly better; 0.8 leaves the reference less
/// sensitive to an error of the rotation estimate (lag ≈ error·λ/(1 − λ)).
const DFDD_LAMBDA: f32 = 0.8;

/// Whether a Wi-Fi channel centred at `freq_hz` lies inside a capture:
/// ±9 MHz of it inside the band, or, below 18 MS/s, the channel at the
/// centre (from 11 MS/s).
pub fn channel_in_band(fs: f64, center_hz: f64, freq_hz: f64) -> bool {
    let off = (freq_hz - center_hz).abs();
    off + CHANNEL_HALF_WIDTH_HZ <= fs / 2.0 + 1.0 || (off < 1.0 && fs >= 10.99e6)
}

/// Centre frequency (Hz) of a 2.4 GHz Wi-Fi channel (1..=14).
pub fn channel_freq_hz(ch: u16) -> Option<f64> {
    match ch {
        1..=13 => Some((2407 + 5 * ch as u32) as f64 * 1e6),
        14 => Some(2484e6),
        _ => None,
    }
}

/// What the receiver listens to.
#[derive(Debug, Clone)]
pub struct DsssRxConfig {
    pub sample_rate: f64,
    /// Centre frequency of the capture, if known.
    pub center_freq_hz: Option<f64>,
    /// Wi-Fi channels (1..=14) to receive; those inside the band are kept.
    /// Without a centre frequency one channel at the centre is received
    /// (and reported with no channel number).
    pub channels: Vec<u16>,
    /// Lock threshold: best phase's energy over the mean of all phases.
    pub lock_ratio: f32,
}

impl DsssRxConfig {
    pub fn new(sample_rate: f64, center_freq_hz: Option<f64>) -> Self {
        DsssRxConfig { sample_rate, center_freq_hz, channels: (1..=14).collect(), lock_ratio: 2.0 }
    }
}

/// Counters of the receiver.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DsssStats {
    pub samples: u64,
    /// Locks on a Barker-correlated signal (preamble candidates).
    pub sync_candidates: u64,
    /// Candidates whose SFD was found.
    pub sfd_found: u64,
    /// Headers whose CRC-16 failed.
    pub header_crc_errors: u64,
    /// Headers with a good CRC but a rate (CCK) or length not handled.
    pub unsupported: u64,
    /// PSDUs demodulated whose FCS failed.
    pub fcs_errors: u64,
    /// Frames with a good FCS (after de-duplication across channels).
    pub frames: u64,
}

/// Stopband attenuation of the channel filters (dB): the demodulator
/// needs ±8 MHz of passband, modest rejection (the channels overlap anyway).
const FRONT_ATTEN_DB: f64 = 50.0;

/// Front end: the channel at 22 MS/s. Off-centre channels are mixed to
/// baseband at the input rate (an NCO: 4 multiply-adds per sample); then
/// a rate that is a whole multiple of 22 MS/s is decimated by a short
/// real-tap FIR, any other rate goes through one fractional resampler
/// (its kernel is the channel filter). Real taps after the mix cost half
/// of the complex taps of a mixing decimator, and one resampler replaces a
/// decimator followed by a resampler.
struct Front {
    nco: Option<Nco>,
    dec: Option<FirDecimator>,
    decim: usize,
    rs: Option<FractionalResampler>,
    m_re: Vec<f32>,
    m_im: Vec<f32>,
}

impl Front {
    fn new(fs: f64, offset_hz: f64) -> Self {
        let nco = (offset_hz.abs() >= 1.0).then(|| Nco::new(-offset_hz, fs));
        let d = (fs / RX_RATE).round();
        let (dec, decim) = if d >= 2.0 && (fs - d * RX_RATE).abs() <= 1e-9 * fs {
            // pass ±8 MHz, stop from 13 MHz (aliases land above 9 MHz)
            let (pass, stop) = (8e6, 13e6);
            let len = fir::kaiser_len(FRONT_ATTEN_DB, (stop - pass) / fs) | 1;
            let taps = fir::lowpass(len, (pass + stop) / 2.0 / fs, fir::kaiser_beta(FRONT_ATTEN_DB));
            (Some(FirDecimator::new(taps, d as usize)), d as usize)
        } else {
            (None, 1)
        };
        let rs = (dec.is_none() && (fs - RX_RATE).abs() > 1e-9 * RX_RATE)
            .then(|| FractionalResampler::with_attenuation(RX_RATE / fs, FRONT_ATTEN_DB));
        Front { nco, dec, decim, rs, m_re: Vec::new(), m_im: Vec::new() }
    }

    fn is_passthrough(&self) -> bool {
        self.nco.is_none() && self.dec.is_none() && self.rs.is_none()
    }

    fn process(&mut self, re: &[f32], im: &[f32], out_re: &mut Vec<f32>, out_im: &mut Vec<f32>) {
        let n = re.len().min(im.len());
        let (mut r, mut i): (&[f32], &[f32]) = (&re[..n], &im[..n]);
        if let Some(nco) = &mut self.nco {
            self.m_re.resize(n, 0.0);
            self.m_im.resize(n, 0.0);
            nco.mix(r, i, &mut self.m_re, &mut self.m_im);
            (r, i) = (&self.m_re, &self.m_im);
        }
        if let Some(dec) = &mut self.dec {
            dec.process(r, i, out_re, out_im);
        } else if let Some(rs) = &mut self.rs {
            rs.process(r, i, out_re, out_im);
        } else {
            out_re.extend_from_slice(r);
            out_im.extend_from_slice(i);
        }
    }

    /// Input position of 22 MS/s sample `k`.
    fn input_position(&self, k: f64) -> f64 {
        match (&self.dec, &self.rs) {
            (Some(dec), _) => k * self.decim as f64 - dec.delay(),
            (None, Some(rs)) => {
                let i = k.floor().max(0.0) as u64;
                let (a, b) = (rs.input_time_of_output(i), rs.input_time_of_output(i + 1));
                a + (b - a) * (k - i as f64)
            }
            (None, None) => k,
        }
    }

    /// Input samples to push at the end so the last input reaches the output.
    fn flush_len(&self) -> usize {
        let d = self.decim as f64;
        (self.dec.as_ref().map_or(0.0, |c| c.delay() + d) + self.rs.as_ref().map_or(0.0, |r| r.taps() as f64) + 64.0)
            .ceil() as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Search,
    /// Locked, looking for the SFD.
    Sfd,
    Header,
    Psdu,
}

/// The demodulator of one channel at 22 MS/s.
struct Demod {
    mf: ChipFir,
    c_re: Vec<f32>,
    c_im: Vec<f32>,
    /// |c|² and |x|² of the block.
    q: Vec<f32>,
    p: Vec<f32>,
    /// |x|² of the current symbol period, by phase.
    pbuf: [f32; SPS],
    ring_re: [f32; RING],
    ring_im: [f32; RING],
    energy: [f32; SPS],
    /// 22 MS/s index of the next sample.
    n: u64,
    /// `n` mod [`SPS`].
    phase: usize,
    power: f32,
    lock_ratio: f32,
    state: State,
    search_symbols: u32,
    /// Index of the next symbol's correlation peak.
    pos: u64,
    symbols: u32,
    prev: (f32, f32),
    have_prev: bool,
    /// Decision-directed estimate of the rotation per symbol.
    acc: (f32, f32),
    /// Phase reference for the DQPSK decisions: the previous symbol plus
    /// the older ones brought forward by their decisions and the rotation.
    refp: (f32, f32),
    /// Energy of the best phase at the (re)lock.
    lock_energy: f32,
    /// Symbol count after which, without an SFD, the lock is dropped.
    sfd_deadline: u32,
    desc: Descrambler,
    sfd_reg: u16,
    sfd_pos: u64,
    /// The preamble whose SFD was found.
    preamble: Preamble,
    header: u64,
    rate: Rate,
    psdu_bits: usize,
    bits_done: usize,
    bytes: Vec<u8>,
    rssi: f32,
    snr: f32,
    /// Σ|z|², Σ|z|⁴ and the count since the lock (for the SNR).
    m2: f32,
    m4: f32,
    mn: u32,
}

/// A frame found by [`Demod`] (22 MS/s positions).
struct Found {
    bytes: Vec<u8>,
    start: f64,
    rate: Rate,
    cfo_hz: f32,
    rssi_dbfs: f32,
    snr_db: f32,
}

impl Demod {
    fn new(lock_ratio: f32) -> Self {
        // c[n] = Σ_k h[k]·x[n − k], h[k] = s[21 − k]/22, s the 2-sample/chip
        // Barker: the window x[n − 21 ..= n] against the chips, 2 samples each
        let chips = BARKER.map(|b| b as f32);
        Demod {
            mf: ChipFir::new(&chips, 2, 1.0 / SPS as f32),
            c_re: Vec::with_capacity(CHUNK * 2),
            c_im: Vec::with_capacity(CHUNK * 2),
            q: Vec::with_capacity(CHUNK * 2),
            p: Vec::with_capacity(CHUNK * 2),
            pbuf: [0.0; SPS],
            ring_re: [0.0; RING],
            ring_im: [0.0; RING],
            energy: [0.0; SPS],
            n: 0,
            phase: 0,
            power: 0.0,
            lock_ratio,
            state: State::Search,
            search_symbols: 0,
            pos: 0,
            symbols: 0,
            prev: (0.0, 0.0),
            have_prev: false,
            acc: (0.0, 0.0),
            refp: (0.0, 0.0),
            lock_energy: 0.0,
            sfd_deadline: SFD_TIMEOUT,
            desc: Descrambler::default(),
            sfd_reg: 0,
            sfd_pos: 0,
            preamble: Preamble::Long,
            header: 0,
            rate: Rate::Mbps1,
            psdu_bits: 0,
            bits_done: 0,
            bytes: Vec::with_capacity(MAX_PSDU),
            rssi: 0.0,
            snr: 0.0,
            m2: 0.0,
            m4: 0.0,
            mn: 0,
        }
    }

    fn reset(&mut self) {
        self.state = State::Search;
        self.energy = [0.0; SPS];
        self.search_symbols = 0;
    }

    /// Runs a block. The matched filter and |c|² are computed for the whole
    /// block first (vectorized); the per-phase energies, the correlation
    /// ring and the input power are then updated a run of samples at a time,
    /// each run ending at the next event (the end of a symbol period, or the
    /// sample after the next symbol peak), where `check_lock` / `symbol`
    /// run exactly as they would sample by sample.
    fn process(&mut self, re: &[f32], im: &[f32], stats: &mut DsssStats, out: &mut Vec<Found>) {
        self.c_re.clear();
        self.c_im.clear();
        let len = self.mf.process(re, im, &mut self.c_re, &mut self.c_im);
        self.q.resize(len, 0.0);
        self.p.resize(len, 0.0);
        complex::magnitude_sq(&self.c_re, &self.c_im, &mut self.q);
        complex::magnitude_sq(re, im, &mut self.p);
        let mut k = 0;
        while k < len {
            let ph = self.phase;
            // the run ends at the period's last sample, or the sample after
            // the next symbol's peak (pos + 1 ≥ n while locked)
            let mut m = (SPS - ph).min(len - k);
            if self.state != State::Search {
                m = m.min((self.pos + 1).saturating_sub(self.n) as usize + 1);
            }
            // (plain loops: short runs, no memcpy calls)
            let (e, pb) = (&mut self.energy[ph..ph + m], &mut self.pbuf[ph..ph + m]);
            let (q, p) = (&self.q[k..k + m], &self.p[k..k + m]);
            for i in 0..m {
                e[i] += (q[i] - e[i]) * ALPHA;
                pb[i] = p[i];
            }
            let at = self.n as usize;
            let (cr, ci) = (&self.c_re[k..k + m], &self.c_im[k..k + m]);
            for i in 0..m {
                let j = (at + i) % RING;
                self.ring_re[j] = cr[i];
                self.ring_im[j] = ci[i];
            }
            self.n += m as u64;
            k += m;
            let n = self.n - 1;
            if ph + m == SPS {
                self.phase = 0;
                // input power: one step per period of the mean |x|² (the
                // per-sample average's decay over 22 samples)
                let mut acc = [0f32; 4];
                for c in self.pbuf.chunks_exact(4) {
                    for l in 0..4 {
                        acc[l] += c[l];
                    }
                }
                let sum = (acc[0] + acc[2]) + (acc[1] + acc[3]) + (self.pbuf[20] + self.pbuf[21]);
                self.power += (sum * (1.0 / SPS as f32) - self.power) * POWER_ALPHA;
                if matches!(self.state, State::Search | State::Sfd) {
                    self.check_lock(n, stats);
                }
            } else {
                self.phase = ph + m;
            }
            while self.state != State::Search && self.pos < n {
                // pos + 1 ≤ n: the peak and both neighbours are in the ring
                self.symbol(stats, out);
            }
        }
    }

    /// Once per symbol while searching (or before the SFD): lock to a
    /// phase standing out, or move to a much stronger one.
    fn check_lock(&mut self, n: u64, stats: &mut DsssStats) {
        let (mut best, mut sum) = (0usize, 0f32);
        for (i, &e) in self.energy.iter().enumerate() {
            sum += e;
            if e > self.energy[best] {
                best = i;
            }
        }
        let base = n + 1 - SPS as u64;
        let peak = self.energy[best];
        match self.state {
            State::Search => {
                self.search_symbols += 1;
                if self.search_symbols >= MIN_SEARCH_SYMBOLS
                    && peak > 1e-20
                    && peak * SPS as f32 > self.lock_ratio * sum
                {
                    stats.sync_candidates += 1;
                    self.state = State::Sfd;
                    self.pos = base + best as u64;
                    self.lock_energy = peak;
                    self.symbols = 0;
                    self.sfd_deadline = SFD_TIMEOUT;
                    self.have_prev = false;
                    self.acc = (0.0, 0.0);
                    self.sfd_reg = 0;
                    (self.m2, self.m4, self.mn) = (0.0, 0.0, 0);
                }
            }
            State::Sfd => {
                let cur = self.energy[(self.pos % SPS as u64) as usize];
                if self.symbols > RELOCK_AFTER && peak > RELOCK_GROWTH * self.lock_energy {
                    // much stronger than at the lock: the lock was on noise
                    // just before a frame (at the frame's phase or next to
                    // it, else the rule below moves it). The carrier
                    // estimate learnt from the noise may be off by more than
                    // 90°, which the decision-directed loop would keep (every
                    // bit inverted): start it again on the frame. (Counting
                    // from the lock again would not do: the SFD is only taken
                    // 16 symbols after it, and this may come late.)
                    self.lock_energy = peak;
                    self.acc = (0.0, 0.0);
                    (self.m2, self.m4, self.mn) = (0.0, 0.0, 0);
                    // and the frame's SFD may come a whole preamble from now
                    self.sfd_deadline = self.symbols + SFD_TIMEOUT;
                }
                if peak > 2.0 * cur && self.symbols > 4 {
                    // another, stronger signal at another phase: follow it
                    stats.sync_candidates += 1;
                    self.lock_energy = peak;
                    self.pos = base + best as u64;
                    if self.pos + (SPS as u64) / 2 < n {
                        self.pos += SPS as u64;
                    }
                    self.symbols = 0;
                    self.sfd_deadline = SFD_TIMEOUT;
                    self.have_prev = false;
                    self.acc = (0.0, 0.0);
                    (self.m2, self.m4, self.mn) = (0.0, 0.0, 0);
                }
            }
            _ => {}
        }
    }

    /// One symbol at `self.pos`.
    fn symbol(&mut self, stats: &mut DsssStats, out: &mut Vec<Found>) {
        let pos = self.pos;
        let at = |p: u64| (p as usize) % RING;
        let ph = |p: u64| (p % SPS as u64) as usize;
        let (el, e0, er) = (self.energy[ph(pos - 1)], self.energy[ph(pos)], self.energy[ph(pos + 1)]);
        // the stronger neighbour added, weighted by its energy ratio (measured
        // best among amplitude ratio, energy ratio and none)
        let (nb, enb) = if er >= el { (pos + 1, er) } else { (pos - 1, el) };
        let w = if e0 > 0.0 { (enb / e0).min(1.0) } else { 0.0 };
        let zr = self.ring_re[at(pos)] + w * self.ring_re[at(nb)];
        let zi = self.ring_im[at(pos)] + w * self.ring_im[at(nb)];
        // timing: follow the peak
        self.pos += SPS as u64;
        if er > e0 && er >= el {
            self.pos += 1;
        } else if el > e0 {
            self.pos -= 1;
        }
        let (pr, pi) = self.prev;
        self.prev = (zr, zi);
        if !self.have_prev {
            self.have_prev = true;
            self.refp = (zr, zi);
            return;
        }
        self.symbols += 1;
        if self.state == State::Sfd {
            let q = zr * zr + zi * zi;
            self.m2 += q;
            self.m4 += q * q;
            self.mn += 1;
        }
        // differential product, derotated by the tracked CFO
        let (dr, di) = (zr * pr + zi * pi, zi * pr - zr * pi);
        let m = (self.acc.0 * self.acc.0 + self.acc.1 * self.acc.1).sqrt();
        let (ur, ui) = if m > 0.0 { (self.acc.0 / m, self.acc.1 / m) } else { (1.0, 0.0) };
        let (xr, xi) = (dr * ur + di * ui, di * ur - dr * ui);
        let dbpsk = match self.state {
            State::Header => self.preamble == Preamble::Long,
            State::Psdu => self.rate == Rate::Mbps1,
            _ => true,
        };
        // DQPSK: decided against the reference rather than the previous
        // symbol alone (decision-feedback differential detection)
        let (xr, xi) = if dbpsk {
            (xr, xi)
        } else {
            let (qr, qi) = self.refp;
            let (dr, di) = (zr * qr + zi * qi, zi * qr - zr * qi);
            (dr * ur + di * ui, di * ur - dr * ui)
        };
        let (b0, b1, sr, si) = if dbpsk {
            if xr >= 0.0 { (0u8, 0u8, 1.0, 0.0) } else { (1, 0, -1.0, 0.0) }
        } else if xr.abs() >= xi.abs() {
            if xr >= 0.0 { (0, 0, 1.0, 0.0) } else { (1, 1, -1.0, 0.0) }
        } else if xi >= 0.0 {
            (0, 1, 0.0, 1.0)
        } else {
            (1, 0, 0.0, -1.0)
        };
        // d·conj(decision): the rotation estimate (magnitude-normalized by the symbol energy)
        let g = 1.0 / (dr * dr + di * di).sqrt().max(1e-30);
        let (tr, ti) = ((dr * sr + di * si) * g, (di * sr - dr * si) * g);
        self.acc.0 += (tr - self.acc.0) * BETA;
        self.acc.1 += (ti - self.acc.1) * BETA;
        // reference ← z + λ·reference·decision·rotation
        let (qr, qi) = self.refp;
        let (ar, ai) = (qr * sr - qi * si, qr * si + qi * sr);
        let (br, bi) = (ar * ur - ai * ui, ar * ui + ai * ur);
        self.refp = (zr + DFDD_LAMBDA * br, zi + DFDD_LAMBDA * bi);

        match self.state {
            State::Search => {}
            State::Sfd => {
                let b = self.desc.descramble(b0);
                self.sfd_reg = (self.sfd_reg >> 1) | ((b as u16) << 15);
                let found = match self.sfd_reg {
                    _ if self.symbols < 16 => None,
                    SFD => Some(Preamble::Long),
                    SHORT_SFD => Some(Preamble::Short),
                    _ => None,
                };
                if let Some(preamble) = found {
                    stats.sfd_found += 1;
                    self.preamble = preamble;
                    self.state = State::Header;
                    self.sfd_pos = pos;
                    self.header = 0;
                    self.bits_done = 0;
                    // SNR per symbol from the moments of |z| (M2M4, constant
                    // modulus), per chip: 11 chips per symbol
                    let (m2, m4) = (self.m2 / self.mn as f32, self.m4 / self.mn as f32);
                    let sig = (2.0 * m2 * m2 - m4).max(0.0).sqrt();
                    let snr_sym = sig / (m2 - sig).max(1e-6 * m2);
                    self.snr = 10.0 * (snr_sym.max(1e-6) / 11.0).log10();
                    self.rssi = 10.0 * self.power.max(1e-30).log10();
                } else if self.symbols > self.sfd_deadline {
                    self.reset();
                }
            }
            State::Header => {
                // long preamble: 1 bit (DBPSK) per symbol; short: 2 (DQPSK)
                for raw in [b0, b1].into_iter().take(self.preamble.header_bits_per_symbol()) {
                    let b = self.desc.descramble(raw);
                    self.header = (self.header << 1) | b as u64;
                    self.bits_done += 1;
                }
                if self.bits_done == HEADER_BITS {
                    let h = plcp::parse_header(self.header);
                    if !h.crc_ok {
                        stats.header_crc_errors += 1;
                        self.reset();
                        return;
                    }
                    let rate = Rate::from_signal(h.signal);
                    let octets = rate.map_or(0, |r| r.octets(h.length));
                    match rate {
                        Some(r) if (4..=MAX_PSDU).contains(&octets) => {
                            self.rate = r;
                            self.state = State::Psdu;
                            self.psdu_bits = octets * 8;
                            self.bits_done = 0;
                            self.bytes.clear();
                            self.bytes.resize(octets, 0);
                        }
                        _ => {
                            stats.unsupported += 1;
                            self.reset();
                        }
                    }
                }
            }
            State::Psdu => {
                for (i, raw) in [b0, b1].into_iter().enumerate() {
                    if i == 1 && self.rate == Rate::Mbps1 {
                        break;
                    }
                    let b = self.desc.descramble(raw);
                    self.bytes[self.bits_done / 8] |= b << (self.bits_done % 8);
                    self.bits_done += 1;
                    if self.bits_done == self.psdu_bits {
                        break;
                    }
                }
                if self.bits_done == self.psdu_bits {
                    let n = self.bytes.len();
                    let fcs = u32::from_le_bytes([
                        self.bytes[n - 4],
                        self.bytes[n - 3],
                        self.bytes[n - 2],
                        self.bytes[n - 1],
                    ]);
                    if ridscope_dsp::crc::fcs32(&self.bytes[..n - 4]) == fcs {
                        let cfo = self.acc.1.atan2(self.acc.0) / (2.0 * std::f32::consts::PI) * 1e6;
                        out.push(Found {
                            bytes: self.bytes.clone(),
                            start: self.sfd_pos as f64
                                - ((self.preamble.sync_bits() + 15) * SPS) as f64
                                - (SPS - 1) as f64,
                            rate: self.rate,
                            cfo_hz: cfo,
                            rssi_dbfs: self.rssi,
                            snr_db: self.snr,
                        });
                    } else {
                        stats.fcs_errors += 1;
                    }
                    self.reset();
                }
            }
        }
    }
}

struct ChannelRx {
    channel: Option<u16>,
    freq_hz: Option<f64>,
    front: Front,
    demod: Demod,
    tmp_re: Vec<f32>,
    tmp_im: Vec<f32>,
    found: Vec<Found>,
}

/// The streaming receiver over every requested channel inside the band.
pub struct DsssReceiver {
    fs: f64,
    chans: Vec<ChannelRx>,
    pub stats: DsssStats,
    /// Frames held until the other channels had the chance to receive them
    /// too (a strong frame is received on neighbouring channels): (input
    /// position when found, frame).
    held: Vec<(u64, Frame)>,
}

/// How long (s) a frame is held for de-duplication across channels.
const HOLD_S: f64 = 100e-6;
/// Starts closer than this (s) with the same bytes are the same frame.
const SAME_FRAME_S: f64 = 4e-6;

impl DsssReceiver {
    pub fn new(cfg: &DsssRxConfig) -> Result<Self, String> {
        if cfg.sample_rate.is_nan() || cfg.sample_rate < 10.99e6 {
            return Err(format!("sample rate {} Hz is below the 11 MS/s 802.11b needs", cfg.sample_rate));
        }
        if cfg.sample_rate > crate::source::MAX_SAMPLE_RATE {
            return Err(format!("sample rate {} Hz is too high", cfg.sample_rate));
        }
        let mut listen: Vec<(Option<u16>, Option<f64>, f64)> = Vec::new();
        match cfg.center_freq_hz {
            None => listen.push((None, None, 0.0)),
            Some(fc) => {
                for &ch in &cfg.channels {
                    let Some(f) = channel_freq_hz(ch) else { continue };
                    if channel_in_band(cfg.sample_rate, fc, f) && !listen.iter().any(|l| l.0 == Some(ch)) {
                        listen.push((Some(ch), Some(f), f - fc));
                    }
                }
            }
        }
        if listen.is_empty() {
            return Err(format!(
                "no Wi-Fi channel of {:?} lies inside the band (centre {:.3} MHz, {} MS/s)",
                cfg.channels,
                cfg.center_freq_hz.unwrap_or(0.0) / 1e6,
                cfg.sample_rate / 1e6
            ));
        }
        let chans = listen
            .into_iter()
            .map(|(channel, freq_hz, off)| ChannelRx {
                channel,
                freq_hz,
                front: Front::new(cfg.sample_rate, off),
                demod: Demod::new(cfg.lock_ratio),
                tmp_re: Vec::with_capacity(CHUNK * 2),
                tmp_im: Vec::with_capacity(CHUNK * 2),
                found: Vec::new(),
            })
            .collect();
        Ok(DsssReceiver { fs: cfg.sample_rate, chans, stats: DsssStats::default(), held: Vec::new() })
    }

    /// The channels being received: (number if known, centre frequency if known).
    pub fn channels(&self) -> Vec<(Option<u16>, Option<f64>)> {
        self.chans.iter().map(|c| (c.channel, c.freq_hz)).collect()
    }

    /// Processes a block of input samples; appends frames with a good FCS.
    pub fn process(&mut self, re: &[f32], im: &[f32], out: &mut Vec<Frame>) {
        let n = re.len().min(im.len());
        self.stats.samples += n as u64;
        for (r, i) in re[..n].chunks(CHUNK).zip(im[..n].chunks(CHUNK)) {
            for ch in &mut self.chans {
                ch.push(r, i, self.fs, &mut self.stats, &mut self.held);
            }
        }
        self.release(false, out);
    }

    /// Emits the held frames old enough (all at the end), one per
    /// duplicate group: the one with the best SNR.
    fn release(&mut self, all: bool, out: &mut Vec<Frame>) {
        if self.held.is_empty() {
            return;
        }
        let now = self.stats.samples;
        let hold = (HOLD_S * self.fs) as u64 + CHUNK as u64;
        let same = SAME_FRAME_S * self.fs;
        while let Some(i) = self.held.iter().position(|(t, _)| all || t + hold <= now) {
            let (_, f) = self.held.remove(i);
            let s0 = f.meta.sample.unwrap_or(0) as f64;
            let mut best = f;
            let mut k = 0;
            while k < self.held.len() {
                let g = &self.held[k].1;
                if g.bytes == best.bytes && (g.meta.sample.unwrap_or(0) as f64 - s0).abs() < same {
                    let (_, g) = self.held.remove(k);
                    if g.meta.snr_db > best.meta.snr_db {
                        best = g;
                    }
                } else {
                    k += 1;
                }
            }
            self.stats.frames += 1;
            out.push(best);
        }
    }

    /// Pushes the last samples through the front ends.
    pub fn finish(&mut self, out: &mut Vec<Frame>) {
        let zeros = vec![0f32; CHUNK];
        for ch in &mut self.chans {
            let mut left = ch.front.flush_len();
            while left > 0 {
                let n = left.min(CHUNK);
                ch.push(&zeros[..n], &zeros[..n], self.fs, &mut self.stats, &mut self.held);
                left -= n;
            }
        }
        self.release(true, out);
    }
}

impl ChannelRx {
    fn push(&mut self, re: &[f32], im: &[f32], fs: f64, stats: &mut DsssStats, out: &mut Vec<(u64, Frame)>) {
        let now = stats.samples;
        let (cr, ci): (&[f32], &[f32]) = if self.front.is_passthrough() {
            (re, im)
        } else {
            self.tmp_re.clear();
            self.tmp_im.clear();
            self.front.process(re, im, &mut self.tmp_re, &mut self.tmp_im);
            (&self.tmp_re, &self.tmp_im)
        };
        self.demod.process(cr, ci, stats, &mut self.found);
        for f in self.found.drain(..) {
            let start_in = self.front.input_position(f.start);
            let mut meta = PhyMeta::new(LinkType::Ieee80211, Phy::WifiDsss);
            meta.sample = Some(start_in.max(0.0).round() as u64);
            meta.time_s = start_in / fs;
            meta.channel = self.channel.or_else(|| self.freq_hz.and_then(|f| wifi_channel_from_mhz((f / 1e6) as u32)));
            meta.freq_hz = self.freq_hz;
            meta.rate_mbps = Some(f.rate.mbps());
            meta.rssi_dbfs = Some(f.rssi_dbfs);
            meta.snr_db = Some(f.snr_db);
            meta.cfo_hz = Some(f.cfo_hz);
            meta.fcs_included = true;
            meta.crc_ok_at_capture = Some(true);
            out.push((now, Frame { bytes: f.bytes, meta }));
        }
    }
}
