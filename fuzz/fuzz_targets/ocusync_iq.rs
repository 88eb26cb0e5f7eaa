#![no_main]
//! The DJI OcuSync receiver on arbitrary samples: the first byte picks the
//! rate and block size, the rest is cs8 IQ (with a synthesized burst mixed
//! in when the second byte is odd, so the demodulator and decoder run on
//! corrupted bursts too).
use libfuzzer_sys::fuzz_target;
use ridscope::phy::ocusync::OcusyncReceiver;
use std::sync::OnceLock;

fn burst() -> &'static (Vec<f32>, Vec<f32>) {
    static B: OnceLock<(Vec<f32>, Vec<f32>)> = OnceLock::new();
    B.get_or_init(|| {
        let mut block = [0u8; 176];
        block[0] = 0x58;
        block[1] = 0x10;
        ridscope::protocol::dji::ocusync::seal_block(&mut block);
        let (_, re, im) =
            ridscope::synth::dji::BurstRenderer::new().render(&block, true, 15.36e6, 0.0, 0.0, 0.0, 0.5, 0.0);
        (re, im)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let rate = [15.36e6, 20e6, 30.72e6, 62.5e6][(sel & 3) as usize];
    let block = 1 + ((sel >> 2) as usize) * 97;
    let mix = rest.first().is_some_and(|b| b & 1 == 1) && rate == 15.36e6;
    let n = rest.len() / 2;
    let mut re: Vec<f32> = (0..n).map(|i| rest[2 * i] as i8 as f32 / 128.0).collect();
    let mut im: Vec<f32> = (0..n).map(|i| rest[2 * i + 1] as i8 as f32 / 128.0).collect();
    if mix {
        let (br, bi) = burst();
        for i in 0..n.min(br.len()) {
            re[i] = re[i] * 0.1 + br[i];
            im[i] = im[i] * 0.1 + bi[i];
        }
    }
    let mut rx = OcusyncReceiver::new(rate, Some(2.4e9)).expect("valid rate");
    let mut out = Vec::new();
    for (r, i) in re.chunks(block).zip(im.chunks(block)) {
        rx.process(r, i, &mut out);
    }
    rx.finish(&mut out);
});
