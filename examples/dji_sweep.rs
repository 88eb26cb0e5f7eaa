//! Sensitivity sweep of the DJI DroneID receiver: burst success against
//! SNR in the 9 MHz occupied band.
//!
//! Each burst is rendered alone into white noise (its own capture with
//! margins), with a random start, a carrier offset of up to ±1 MHz from the
//! capture centre (the spec's off-grid bursts), a clock error of up to
//! ±20 ppm, 8- and 9-symbol formats alternating, and a random block, then
//! received by the streaming receiver. Fixed seeds: the table is repeatable.
//!
//! ```text
//! cargo run --release --example dji_sweep -- [BURSTS_PER_POINT] [RATE]
//! ```

use ridscope::phy::ocusync::OcusyncReceiver;
use ridscope::protocol::dji::ocusync::{BLOCK_LEN, seal_block};
use ridscope::synth::dji::BurstRenderer;
use ridscope_dsp::noise::Rng;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let per_point: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let fs: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(15.36e6);
    let mut renderer = BurstRenderer::new();
    println!(
        "| SNR in 9 MHz (dB) | bursts | demodulated (ZC found) | CRC-24 failed | decoded | success | false decodes |"
    );
    println!("|---|---|---|---|---|---|---|");
    for snr10 in (-40..=60).step_by(10) {
        let snr = snr10 as f64 / 10.0;
        let mut rng = Rng::new(1000 + snr10 as u64);
        let (mut ok, mut bad, mut zc, mut crc) = (0usize, 0usize, 0u64, 0u64);
        for i in 0..per_point {
            let mut block = [0u8; BLOCK_LEN];
            for b in block.iter_mut() {
                *b = rng.next_u64() as u8;
            }
            seal_block(&mut block);
            let len = (0.0015 * fs) as usize;
            let p0 = (0.0002 + 0.0002 * rng.next_f64()) * fs;
            let off = (rng.next_f64() * 2.0 - 1.0) * 1e6;
            let ppm = (rng.next_f64() * 2.0 - 1.0) * 20.0;
            let amp = 0.1f32;
            let sigma = (amp as f64 * amp as f64 * fs / 9e6 / 10f64.powf(snr / 10.0) / 2.0).sqrt() as f32;
            let mut re = vec![0f32; len];
            let mut im = vec![0f32; len];
            rng.add_awgn(&mut re, &mut im, sigma);
            let phase = rng.next_f64() * std::f64::consts::TAU;
            let (s0, br, bi) = renderer.render(&block, i % 2 == 0, fs, p0, off, ppm, amp, phase);
            for (k, (x, y)) in br.iter().zip(&bi).enumerate() {
                if let Some(j) = Some(s0 as usize + k).filter(|&j| j < len) {
                    re[j] += x;
                    im[j] += y;
                }
            }
            let mut rx = OcusyncReceiver::new(fs, None).expect("rate");
            let mut frames = Vec::new();
            rx.process(&re, &im, &mut frames);
            rx.finish(&mut frames);
            zc += rx.stats.bursts + rx.stats.crc_errors;
            crc += rx.stats.crc_errors;
            for f in &frames {
                if f.bytes == block {
                    ok += 1;
                } else {
                    bad += 1;
                }
            }
        }
        println!(
            "| {snr:+.0} | {per_point} | {zc} | {crc} | {ok} | {:.1}% | {bad} |",
            100.0 * ok as f64 / per_point as f64
        );
    }
}
