//! Many BLE channels from one polyphase filter bank: the front end of a
//! wideband capture, in place of one [`super::front`] channelizer per
//! channel.
//!
//! A 2× oversampled [`Channelizer`] with `m` channels (even) spaced
//! `S = fs / m` apart puts out every channel at `R = 2S`. The bank is
//! chosen per capture, among every even `m` with `S ≥ 2 MHz`, for the
//! least work per input sample:
//! * when `fs / 2 MHz` is an even integer and the capture centre is on the
//!   2 MHz grid of the channels (100 MS/s → 50 channels, 20 MS/s → 10),
//!   each BLE channel is a bank channel and `R` is exactly 4 MS/s: the
//!   bank's output is the channel's;
//! * otherwise (61.44 MS/s, or a centre off the grid) each BLE channel sits
//!   a residual `r` (at most `S / 2`) from its nearest bank channel. The
//!   prototype ([`prototype_band`]) is flat to `max |r|` + 0.8 MHz and
//!   50 dB down from `max |r|` + 2.2 MHz (as [`super::front`]'s channel
//!   filter) or from where a 2× output rate would alias onto the passband,
//!   whichever is nearer; a residual mixer ([`Nco`]) and a
//!   [`FractionalResampler`] then bring each channel to exactly 4 MS/s.
//!
//! Signal gain is 1 throughout, so the demodulator's SNR and RSSI figures
//! mean the same as behind [`super::front::plan_front`].

use ridscope_dsp::channelizer::{Channelizer, Oversample, prototype_band};
use ridscope_dsp::fir::kaiser_len;
use ridscope_dsp::nco::Nco;
use ridscope_dsp::resample::FractionalResampler;

use super::receiver::{CHANNEL_RATE, channel_in_band};
use crate::frame::ble_channel_freq_hz;

// The channel filter of a single-channel front end: flat to PASS_HZ beyond
// the residual (the BLE signal plus carrier offset), ATTEN_DB down from
// STOP_HZ beyond it when aliasing allows (the neighbours are 2 MHz away).
use super::front::{ATTEN_DB, FLUSH_MARGIN, PASS_HZ, STOP_HZ};
/// Narrowest transition band accepted for a bank.
const MIN_TRANSITION_HZ: f64 = 0.25e6;

/// One BLE channel's path behind the bank.
struct Path {
    /// Index into the bank's written channels.
    bank: usize,
    nco: Option<Nco>,
    rs: Option<FractionalResampler>,
    noise_bw_hz: f64,
}

/// Front end serving many BLE channels from one channelizer; see the
/// [module docs](self).
pub struct BankFront {
    channels: Vec<u8>,
    bank: Channelizer,
    /// Input samples per bank output sample.
    d: usize,
    /// Group delay of the prototype, input samples.
    delay: f64,
    paths: Vec<Path>,
    flush: usize,
    /// Every path is bank channel `i` as it is: the channelizer writes the
    /// outputs itself.
    direct: bool,
    /// Turns the input by the plan's shift; with the input so turned.
    shift: Option<Nco>,
    shift_re: Vec<f32>,
    shift_im: Vec<f32>,
    scratch: Vec<(Vec<f32>, Vec<f32>)>,
    mix_re: Vec<f32>,
    mix_im: Vec<f32>,
}

/// A bank for channel offsets `offsets` (Hz from the capture centre).
struct Plan {
    m: usize,
    /// The input is turned by −shift first (Hz): when every channel sits
    /// the same distance from the bank's grid, shifting the input puts them
    /// all on it, with no residual mixers and the shortest prototype.
    shift_hz: f64,
    pass_hz: f64,
    stop_hz: f64,
    cost: f64,
}

/// Work per input sample of turning the input (a complex multiply and the
/// oscillator), in the units of [`plan_bank`]'s cost.
const SHIFT_COST: f64 = 3.0;

fn plan_bank(fs: f64, offsets: &[f64]) -> Option<Plan> {
    let mut best: Option<Plan> = None;
    let max_m = (fs / (CHANNEL_RATE / 2.0)).floor() as usize;
    for (m, shifted) in (2..=max_m).step_by(2).flat_map(|m| [(m, false), (m, true)]) {
        let s = fs / m as f64;
        let rate = 2.0 * s;
        let residual = |o: f64| o - (o / s).round() * s;
        let shift_hz = match offsets.first() {
            Some(&o0) if shifted => {
                let r0 = residual(o0);
                // every channel the same distance (modulo the spacing) off the grid
                let common = offsets.iter().all(|&o| {
                    let k = (o - r0) / s;
                    (k - k.round()).abs() * s < 1.0
                });
                if !common || r0.abs() <= 1.0 {
                    continue;
                }
                r0
            }
            _ if shifted => continue,
            _ => 0.0,
        };
        let res: Vec<f64> = offsets.iter().map(|&o| residual(o - shift_hz)).collect();
        let max_res = res.iter().fold(0.0f64, |a, r| a.max(r.abs()));
        let pass = max_res + PASS_HZ;
        // content beyond `rate − pass` aliases onto the passband
        let stop = (max_res + STOP_HZ).min(rate - pass).min(fs / 2.0);
        if stop - pass < MIN_TRANSITION_HZ {
            continue;
        }
        let len = (kaiser_len(ATTEN_DB, (stop - pass) / fs) | 1) as f64;
        // work per input sample: polyphase sum, FFT, and per channel the
        // residual mixer and the resampler (kernel and phase interpolation)
        let exact_rate = (rate - CHANNEL_RATE).abs() <= 1e-9 * CHANNEL_RATE;
        let rs_taps = if exact_rate {
            0.0
        } else {
            let tw = 0.4 * (CHANNEL_RATE / rate).min(1.0);
            (kaiser_len(80.0, tw).div_ceil(8) * 8) as f64
        };
        let per_channel: f64 =
            res.iter().map(|r| if r.abs() > 1.0 { rate / fs } else { 0.0 } + 2.0 * rs_taps * CHANNEL_RATE / fs).sum();
        let cost =
            2.0 * len / m as f64 + 2.0 * (m as f64).log2() * 2.0 + per_channel + if shifted { SHIFT_COST } else { 0.0 };
        if best.as_ref().is_none_or(|b| cost < b.cost) {
            best = Some(Plan { m, shift_hz, pass_hz: pass, stop_hz: stop, cost });
        }
    }
    best
}

/// `fs`·Σ h[n]·h[n + p·d] for p = 0, 1, …: the autocorrelation at lags of
/// `p` bank output samples of white noise of unit density filtered by `h`.
fn autocorrelation(h: &[f32], d: usize, fs: f64) -> Vec<f64> {
    (0..h.len().div_ceil(d).max(1))
        .map(|p| fs * h.iter().zip(&h[(p * d).min(h.len())..]).map(|(&a, &b)| a as f64 * b as f64).sum::<f64>())
        .collect()
}

/// Weights of the inputs in each output of a fresh copy of `rs`, found by
/// pushing impulses through copies: `(output time, [(input index, weight)])`.
fn resampler_weights(rs: &FractionalResampler) -> Vec<(f64, Vec<(usize, f64)>)> {
    let taps = rs.taps();
    let span = 4 * taps;
    let zeros = vec![0f32; span + taps];
    let mut w: Vec<Vec<(usize, f64)>> = Vec::new();
    let (mut o_re, mut o_im) = (Vec::new(), Vec::new());
    for j in 0..span {
        let mut x = zeros.clone();
        x[j] = 1.0;
        let mut probe = rs.clone();
        o_re.clear();
        o_im.clear();
        probe.process(&x, &zeros, &mut o_re, &mut o_im);
        for (k, &v) in o_re.iter().enumerate() {
            if w.len() <= k {
                w.push(Vec::new());
            }
            if v != 0.0 {
                w[k].push((j, v as f64));
            }
        }
    }
    // outputs whose whole kernel lies among the probed inputs
    w.into_iter()
        .enumerate()
        .map(|(k, v)| (rs.input_time_of_output(k as u64), v))
        .filter(|(t, _)| *t >= taps as f64 && *t <= (span - taps) as f64)
        .collect()
}

/// Output power of the resampler (weights from [`resampler_weights`]) for
/// an input of autocorrelation `r` (lags ≥ 0) turned by `cycles` per
/// sample: Σ_ij w_i w_j Re r(i − j), averaged over the output phases.
fn resampled_power(weights: &[(f64, Vec<(usize, f64)>)], r: &[f64], cycles: f64) -> f64 {
    let rr = |i: usize, j: usize| {
        let p = i.abs_diff(j);
        r.get(p).map_or(0.0, |v| v * (2.0 * std::f64::consts::PI * cycles * p as f64).cos())
    };
    let mut sum = 0.0;
    for (_, w) in weights {
        sum += w.iter().map(|&(i, a)| w.iter().map(|&(j, b)| a * b * rr(i, j)).sum::<f64>()).sum::<f64>();
    }
    if weights.is_empty() { r.first().copied().unwrap_or(0.0) } else { sum / weights.len() as f64 }
}

impl BankFront {
    /// A bank for the BLE `channels` (indices; unknown and duplicate ones
    /// dropped) whose band fits a capture at `fs` centred at `center_hz`
    /// ([`channel_in_band`]). Fails when none does or no bank fits the rate.
    pub fn new(fs: f64, center_hz: f64, channels: &[u8]) -> Result<BankFront, String> {
        if !(fs.is_finite() && fs >= CHANNEL_RATE && center_hz.is_finite()) {
            return Err(format!("a filter bank needs at least {} MS/s, not {fs} S/s", CHANNEL_RATE / 1e6));
        }
        let mut kept: Vec<u8> = Vec::new();
        let mut offsets = Vec::new();
        for &ch in channels {
            let Some(f) = ble_channel_freq_hz(ch) else { continue };
            if !kept.contains(&ch) && channel_in_band(fs, center_hz, f) {
                kept.push(ch);
                offsets.push(f - center_hz);
            }
        }
        if kept.is_empty() {
            return Err(format!(
                "no BLE channel of {channels:?} lies inside {:.3}–{:.3} MHz",
                (center_hz - fs / 2.0) / 1e6,
                (center_hz + fs / 2.0) / 1e6
            ));
        }
        let plan = plan_bank(fs, &offsets).ok_or_else(|| format!("no filter bank fits {} MS/s", fs / 1e6))?;
        let m = plan.m;
        let s = fs / m as f64;
        let rate = 2.0 * s;
        let d = m / 2;
        let taps = prototype_band(plan.pass_hz / fs, plan.stop_hz / fs, ATTEN_DB);
        // bank channel of each BLE channel, each written once
        let mut bank_chans: Vec<usize> = Vec::new();
        let mut picks = Vec::new();
        for &o in &offsets {
            let o = o - plan.shift_hz;
            let c = (o / s).round();
            let res = o - c * s;
            let c = (c as i64).rem_euclid(m as i64) as usize;
            let idx = match bank_chans.iter().position(|&b| b == c) {
                Some(i) => i,
                None => {
                    bank_chans.push(c);
                    bank_chans.len() - 1
                }
            };
            picks.push((idx, res));
        }
        let bank = Channelizer::new(m, Oversample::Twice, &taps, &bank_chans)?;
        let exact_rate = (rate - CHANNEL_RATE).abs() <= 1e-9 * CHANNEL_RATE;
        let proto_rs = (!exact_rate).then(|| FractionalResampler::new(CHANNEL_RATE / rate));
        let weights = proto_rs.as_ref().map(resampler_weights);
        let r = autocorrelation(&taps, d, fs);
        let paths = picks
            .into_iter()
            .map(|(bank, res)| {
                let nco = (res.abs() > 1.0).then(|| Nco::new(-res, rate));
                let noise_bw_hz = match &weights {
                    Some(w) => resampled_power(w, &r, -res / rate),
                    None => r[0],
                };
                Path { bank, nco, rs: proto_rs.clone(), noise_bw_hz }
            })
            .collect::<Vec<Path>>();
        let direct = paths.len() == bank_chans.len()
            && paths.iter().enumerate().all(|(i, p)| p.bank == i && p.nco.is_none() && p.rs.is_none());
        let delay = (taps.len() - 1) as f64 / 2.0;
        let latency = delay
            + d as f64
            + proto_rs.as_ref().map_or(0.0, |rs| (rs.taps() as f64 / 2.0 + 1.0) * d as f64)
            + FLUSH_MARGIN * fs / CHANNEL_RATE;
        Ok(BankFront {
            channels: kept,
            d,
            delay,
            paths,
            flush: latency.ceil() as usize,
            direct,
            shift: (plan.shift_hz != 0.0).then(|| Nco::new(-plan.shift_hz, fs)),
            shift_re: Vec::new(),
            shift_im: Vec::new(),
            scratch: vec![(Vec::new(), Vec::new()); bank_chans.len()],
            bank,
            mix_re: Vec::new(),
            mix_im: Vec::new(),
        })
    }

    /// The channels served, in output order.
    pub fn channels(&self) -> &[u8] {
        &self.channels
    }

    /// Feeds an input block and appends each channel's new 4 MS/s baseband
    /// samples to `outs[i]` (for `channels()[i]`; `outs` needs that many).
    pub fn process(&mut self, re: &[f32], im: &[f32], outs: &mut [(Vec<f32>, Vec<f32>)]) {
        let (re, im) = match &mut self.shift {
            Some(nco) => {
                let n = re.len().min(im.len());
                self.shift_re.resize(n, 0.0);
                self.shift_im.resize(n, 0.0);
                nco.mix(re, im, &mut self.shift_re, &mut self.shift_im);
                (&self.shift_re[..], &self.shift_im[..])
            }
            None => (re, im),
        };
        if self.direct && outs.len() >= self.paths.len() {
            self.bank.process(re, im, outs);
            return;
        }
        for s in &mut self.scratch {
            s.0.clear();
            s.1.clear();
        }
        self.bank.process(re, im, &mut self.scratch);
        for (p, out) in self.paths.iter_mut().zip(outs.iter_mut()) {
            let Some((sr, si)) = self.scratch.get(p.bank) else { continue };
            let (r, i): (&[f32], &[f32]) = match &mut p.nco {
                Some(nco) => {
                    self.mix_re.resize(sr.len(), 0.0);
                    self.mix_im.resize(sr.len(), 0.0);
                    nco.mix(sr, si, &mut self.mix_re, &mut self.mix_im);
                    (&self.mix_re, &self.mix_im)
                }
                None => (sr, si),
            };
            match &mut p.rs {
                Some(rs) => {
                    rs.process(r, i, &mut out.0, &mut out.1);
                }
                None => {
                    out.0.extend_from_slice(r);
                    out.1.extend_from_slice(i);
                }
            }
        }
    }

    /// The input-stream sample position of channel-rate position `k` of
    /// channel `idx` (filter delays included).
    pub fn input_position(&self, idx: usize, k: f64) -> f64 {
        let t = match self.paths.get(idx).and_then(|p| p.rs.as_ref()) {
            None => k,
            Some(rs) => {
                let i = k.floor().max(0.0) as u64;
                let (a, b) = (rs.input_time_of_output(i), rs.input_time_of_output(i + 1));
                a + (b - a) * (k - i as f64)
            }
        };
        t * self.d as f64 - self.delay
    }

    /// Equivalent noise bandwidth of channel `idx`'s output (Hz), as
    /// [`super::front::Front::noise_bandwidth_hz`]: white input noise of
    /// density N0 comes out with power N0 × this per sample.
    pub fn noise_bandwidth_hz(&self, idx: usize) -> f64 {
        self.paths.get(idx).map_or(CHANNEL_RATE, |p| p.noise_bw_hz)
    }

    /// Input zeros to push after the end of the stream so that every output
    /// up to the last real input sample (and two symbols beyond) comes out.
    pub fn flush_len(&self) -> usize {
        self.flush
    }

    /// Channels of the filter bank and its output rate relative to the
    /// input (for reports and benches).
    pub fn bank_size(&self) -> (usize, usize) {
        (self.bank.num_channels(), self.d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::ble::ADV_ACCESS_ADDRESS;
    use crate::phy::ble::demod::{BT, Demodulator, H};
    use crate::phy::ble::front::plan_front;
    use crate::phy::ble::packet;
    use ridscope_dsp::gfsk::Modulator;
    use ridscope_dsp::noise::Rng;

    /// A capture at `fs` centred at `center_hz` with one packet per
    /// channel of `packets` (channel, start in input samples, carrier
    /// offset Hz), and the PDUs (with CRC).
    fn capture(fs: f64, center_hz: f64, packets: &[(u8, f64, f64)], len: usize) -> (Vec<f32>, Vec<f32>, Vec<Vec<u8>>) {
        let (mut re, mut im) = (vec![0f32; len], vec![0f32; len]);
        let mut rng = Rng::new(7);
        rng.add_awgn(&mut re, &mut im, 0.01);
        let m = Modulator::new(BT, H);
        let mut pdus = Vec::new();
        for (n, &(ch, start, cfo)) in packets.iter().enumerate() {
            let mut pdu = vec![0x42, 12];
            pdu.extend((0..12).map(|i| (i * 37 + n * 11 + ch as usize) as u8));
            let pdu = crate::link::ble::with_crc(&pdu);
            let bits = packet::air_bits(ch, &pdu);
            let off = ble_channel_freq_hz(ch).unwrap() - center_hz;
            m.add_to(&bits, fs / 1e6, start, 1.0, 0.3 * n as f64, (off + cfo) / fs, &mut re, &mut im);
            pdus.push(pdu);
        }
        (re, im, pdus)
    }

    /// Runs `re`, `im` and the flush through the bank.
    fn run(bank: &mut BankFront, re: &[f32], im: &[f32]) -> Vec<(Vec<f32>, Vec<f32>)> {
        let mut outs = vec![(Vec::new(), Vec::new()); bank.channels().len()];
        bank.process(re, im, &mut outs);
        let z = vec![0f32; bank.flush_len()];
        bank.process(&z, &z, &mut outs);
        outs
    }

    /// Channel-rate position of input position `p` (the map is affine).
    fn channel_pos(bank: &BankFront, idx: usize, p: f64) -> f64 {
        let (a, b) = (bank.input_position(idx, 0.0), bank.input_position(idx, 1000.0));
        (p - a) / (b - a) * 1000.0
    }

    /// Sample rate, centre frequency, packets (channel, start, carrier offset).
    type Setup = (f64, f64, &'static [(u8, f64, f64)]);

    const SETUPS: [Setup; 3] = [
        // on the grid: bank channels are BLE channels
        (100e6, 2440e6, &[(37, 3000.0, 20e3), (0, 5123.4, -90e3), (17, 4000.0, 0.0), (39, 2500.7, 140e3)]),
        // 30 channels of 2.048 MHz, residual mixer and resampler
        (61.44e6, 2440e6, &[(38, 2000.0, 30e3), (8, 3100.2, -120e3), (17, 2600.0, 0.0), (23, 1900.5, 80e3)]),
        // off the grid
        (100e6, 2441.3e6, &[(38, 3000.0, 0.0), (12, 4100.0, 60e3)]),
    ];

    #[test]
    fn packets_demodulate_on_many_channels() {
        let sync = packet::sync_bits(ADV_ACCESS_ADDRESS);
        for (fs, fc, packets) in SETUPS {
            let chans: Vec<u8> = packets.iter().map(|p| p.0).collect();
            let len = (fs * 250e-6) as usize;
            let (re, im, pdus) = capture(fs, fc, packets, len);
            let mut bank = BankFront::new(fs, fc, &chans).unwrap();
            assert_eq!(bank.channels(), &chans[..]);
            let outs = run(&mut bank, &re, &im);
            for (idx, (&(ch, start, cfo), pdu)) in packets.iter().zip(&pdus).enumerate() {
                let (r, i) = &outs[idx];
                let k = channel_pos(&bank, idx, start);
                let mut dm = Demodulator::new(&sync).with_noise_bandwidth(bank.noise_bandwidth_hz(idx));
                let got = dm.demodulate(r, i, k + 1.3, &[ch], CHANNEL_RATE).unwrap();
                assert!(got.crc_ok, "{fs} {fc} channel {ch}");
                assert_eq!(&got.bytes, pdu);
                let t = bank.input_position(idx, got.start);
                assert!((t - start).abs() <= 0.25e-6 * fs, "{fs} channel {ch}: start {t} vs {start}");
                assert!((got.cfo_hz - cfo).abs() < 2e3, "{fs} channel {ch}: cfo {} vs {cfo}", got.cfo_hz);
            }
        }
    }

    /// Catmull-Rom interpolation of `x` at fractional index `t`.
    fn interp(x: &[f32], t: f64) -> f64 {
        let i = t.floor() as usize;
        let u = t - i as f64;
        let p = |k: usize| x[k.min(x.len() - 1)] as f64;
        let (p0, p1, p2, p3) = (p(i.saturating_sub(1)), p(i), p(i + 1), p(i + 2));
        p1 + 0.5 * u * (p2 - p0 + u * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + u * (3.0 * (p1 - p2) + p3 - p0)))
    }

    #[test]
    fn outputs_match_the_single_channel_front_end() {
        for (fs, fc, packets) in SETUPS {
            let chans: Vec<u8> = packets.iter().map(|p| p.0).collect();
            let len = (fs * 250e-6) as usize;
            let (re, im, _) = capture(fs, fc, packets, len);
            let mut bank = BankFront::new(fs, fc, &chans).unwrap();
            let outs = run(&mut bank, &re, &im);
            for (idx, &(ch, start, _)) in packets.iter().enumerate() {
                let off = ble_channel_freq_hz(ch).unwrap() - fc;
                let mut front = plan_front(fs, off, CHANNEL_RATE);
                let (mut fr, mut fi) = (Vec::new(), Vec::new());
                front.process(&re, &im, &mut fr, &mut fi);
                let z = vec![0f32; front.flush_len()];
                front.process(&z, &z, &mut fr, &mut fi);
                // the packet's span, in bank samples
                let k0 = channel_pos(&bank, idx, start).ceil() as usize;
                let k1 = channel_pos(&bank, idx, start + 170e-6 * fs) as usize;
                let (fa, fb) = (front.input_position(0.0), front.input_position(1000.0));
                let (mut cr, mut ci, mut pa, mut pb) = (0.0, 0.0, 0.0, 0.0);
                for k in k0..k1 {
                    let j = (bank.input_position(idx, k as f64) - fa) / (fb - fa) * 1000.0;
                    let (br, bi) = (outs[idx].0[k] as f64, outs[idx].1[k] as f64);
                    let (gr, gi) = (interp(&fr, j), interp(&fi, j));
                    cr += br * gr + bi * gi;
                    ci += bi * gr - br * gi;
                    pa += br * br + bi * bi;
                    pb += gr * gr + gi * gi;
                }
                let rho = (cr * cr + ci * ci).sqrt() / (pa * pb).sqrt();
                assert!(rho > 0.99, "{fs} {fc} channel {ch}: correlation {rho:.4}");
                // same gain, and the same noise bandwidth to a few per cent
                assert!((pa / pb - 1.0).abs() < 0.05, "{fs} channel {ch}: power ratio {}", pa / pb);
                let (nb, nf) = (bank.noise_bandwidth_hz(idx), front.noise_bandwidth_hz());
                assert!(nb > 1.5e6 && nb < 4.1e6, "{fs} channel {ch}: noise bandwidth {nb}");
                // equal on the grid; off it the bank's channels are wider
                // (residual + 0.8 MHz flat) and let through about 30 % more
                assert!(nb / nf > 0.999 && nb / nf < 1.4, "{fs} channel {ch}: noise bandwidth {nb} vs {nf}");
            }
        }
    }

    #[test]
    fn noise_bandwidth_is_the_output_noise_power() {
        for (fs, fc, packets) in SETUPS {
            let chans: Vec<u8> = packets.iter().map(|p| p.0).collect();
            let len = (fs * 4e-3) as usize;
            let (mut re, mut im) = (vec![0f32; len], vec![0f32; len]);
            Rng::new(3).add_awgn(&mut re, &mut im, 1.0);
            let n0 = 2.0 / fs;
            let mut bank = BankFront::new(fs, fc, &chans).unwrap();
            let mut outs = vec![(Vec::new(), Vec::new()); chans.len()];
            bank.process(&re, &im, &mut outs);
            for (idx, (r, i)) in outs.iter().enumerate() {
                let skip = 200;
                let p = r[skip..].iter().zip(&i[skip..]).map(|(a, b)| (a * a + b * b) as f64).sum::<f64>()
                    / (r.len() - skip) as f64;
                let want = n0 * bank.noise_bandwidth_hz(idx);
                assert!((p / want - 1.0).abs() < 0.04, "{fs} {fc} channel {}: {p} vs {want}", chans[idx]);
            }
        }
    }

    #[test]
    fn block_splits_do_not_change_the_output() {
        for (fs, fc, packets) in SETUPS {
            let chans: Vec<u8> = packets.iter().map(|p| p.0).collect();
            let len = (fs * 100e-6) as usize;
            let (re, im, _) = capture(fs, fc, packets, len);
            let mut one = BankFront::new(fs, fc, &chans).unwrap();
            let a = run(&mut one, &re, &im);
            let mut split = BankFront::new(fs, fc, &chans).unwrap();
            let mut b = vec![(Vec::new(), Vec::new()); chans.len()];
            let mut i = 0;
            for step in [1usize, 0, 7, 4096, 333, 25, 10_000, 2].iter().cycle() {
                if i >= re.len() {
                    break;
                }
                let j = (i + step).min(re.len());
                split.process(&re[i..j], &im[i..j], &mut b);
                i = j;
            }
            let z = vec![0f32; split.flush_len()];
            split.process(&z, &z, &mut b);
            assert!(a == b, "{fs} {fc}");
        }
    }

    #[test]
    fn channels_outside_the_band_are_refused() {
        // 20 MS/s at 2440 MHz: 2431..2449 MHz usable
        assert!(BankFront::new(20e6, 2440e6, &[37, 39]).is_err());
        let b = BankFront::new(20e6, 2440e6, &[37, 16, 17, 17, 18, 39, 200]).unwrap();
        assert_eq!(b.channels(), &[16, 17, 18]);
        assert_eq!(b.bank_size(), (10, 5));
        assert!(BankFront::new(2e6, 2440e6, &[17]).is_err());
        assert!(BankFront::new(f64::NAN, 2440e6, &[17]).is_err());
    }

    #[test]
    fn a_common_offset_from_the_grid_is_shifted_out_of_the_input() {
        let all: Vec<u8> = (0..40).collect();
        // 2441 MHz: every channel 1 MHz off the 2 MHz grid of a 50-channel bank
        let b = BankFront::new(100e6, 2441e6, &all).unwrap();
        assert_eq!(b.bank_size().0, 50);
        assert!(b.shift.is_some());
        assert!(b.paths.iter().all(|p| p.nco.is_none() && p.rs.is_none()));
        // on the grid: nothing to shift
        let b = BankFront::new(100e6, 2440e6, &all).unwrap();
        assert!(b.shift.is_none());
        assert!(b.paths.iter().all(|p| p.nco.is_none() && p.rs.is_none()));
    }
}
