//! Every streaming kernel accepts any parameters and block sizes without
//! panicking: random configurations (including degenerate ones) fed random
//! blocks with mismatched re/im lengths.

use ridscope_dsp::correlate::{Correlator, DirectCorrelator, FftCorrelator, SlidingEnergy, normalized_sq};
use ridscope_dsp::fir::{ChannelDecimator, FirDecimator, FirFilter, kaiser_beta, kaiser_len, lowpass};
use ridscope_dsp::nco::Nco;
use ridscope_dsp::noise::Rng;
use ridscope_dsp::resample::FractionalResampler;

fn pick(r: &mut Rng, v: &[f64]) -> f64 {
    v[r.below(v.len() as u64) as usize]
}

#[test]
fn random_configurations_and_blocks_do_not_panic() {
    let mut r = Rng::new(99);
    let odd =
        [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.25, 1e-9, 3.7, -12.3, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    for _ in 0..60 {
        let ntaps = r.below(140) as usize;
        let taps = lowpass(ntaps, pick(&mut r, &odd), pick(&mut r, &odd));
        let decim = r.below(40) as usize;
        let mut fir = FirDecimator::new(taps.clone(), decim);
        let mut filt = FirFilter::new(taps.clone());
        let mut ch = ChannelDecimator::new(taps.clone(), pick(&mut r, &odd), decim);
        let mut rs = FractionalResampler::new(pick(&mut r, &[0.25, 4.0, 0.977, 1.0, 2.0, 0.0, f64::NAN, 1e9, 0.3]));
        let m = r.below(100) as usize;
        let t: Vec<f32> = (0..m).map(|_| r.gaussian() as f32).collect();
        let mut corr = Correlator::new(&t, &t[..m.saturating_sub(r.below(2) as usize)]);
        let mut direct = DirectCorrelator::new(&t, &t);
        let mut fft = FftCorrelator::with_fft_len(&t, &t, r.below(300) as usize);
        let mut en = SlidingEnergy::new(m);
        let mut nco = Nco::new(pick(&mut r, &odd), pick(&mut r, &odd));
        let _ = (kaiser_beta(pick(&mut r, &odd)), kaiser_len(pick(&mut r, &odd), pick(&mut r, &odd)));
        for _ in 0..20 {
            let n = match r.below(3) {
                0 => r.below(3),
                1 => r.below(100),
                _ => r.below(3000),
            } as usize;
            let ni = n.saturating_sub(r.below(3) as usize);
            let mut re: Vec<f32> = (0..n).map(|_| r.gaussian() as f32).collect();
            let mut im: Vec<f32> = (0..ni).map(|_| r.gaussian() as f32).collect();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for k in 0..8 {
                a.clear();
                b.clear();
                match k {
                    0 => fir.process(&re, &im, &mut a, &mut b),
                    1 => filt.process(&re, &im, &mut a, &mut b),
                    2 => ch.process(&re, &im, &mut a, &mut b),
                    3 => rs.process(&re, &im, &mut a, &mut b),
                    4 => corr.process(&re, &im, &mut a, &mut b) + corr.flush(&mut a, &mut b),
                    5 => direct.process(&re, &im, &mut a, &mut b),
                    6 => fft.process(&re, &im, &mut a, &mut b) + fft.flush(&mut a, &mut b),
                    _ => en.process(&re, &im, &mut a),
                };
                if k != 7 {
                    assert_eq!(a.len(), b.len(), "kernel {k}");
                }
            }
            let mut out = vec![0.0; a.len()];
            normalized_sq(&a, &a, &a, 1.0, &mut out);
            let (mut o1, mut o2) = (vec![0.0; n], vec![0.0; ni]);
            nco.mix(&re, &im, &mut o1, &mut o2);
            nco.mix_inplace(&mut re, &mut im);
            r.add_awgn(&mut re, &mut im, 0.1);
        }
    }
}

#[test]
fn kernels_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Nco>();
    check::<FirDecimator>();
    check::<FirFilter>();
    check::<ChannelDecimator>();
    check::<FractionalResampler>();
    check::<DirectCorrelator>();
    check::<FftCorrelator>();
    check::<Correlator>();
    check::<SlidingEnergy>();
    check::<Rng>();
}
