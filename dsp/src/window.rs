//! Sliding-window driver shared by the FIR filters and the direct
//! correlator.
//!
//! A stream is consumed through windows of `k` samples starting every `d`
//! samples. Windows that start in the kept history are computed from a
//! short staging copy (history plus at most `k − 1` new samples); all the
//! others are computed straight from the caller's block, so the bulk of the
//! input is never copied. Each window is handed to the same kernel either
//! way, so the output does not depend on the block split.

#[derive(Clone, Debug, Default)]
pub(crate) struct Windows {
    re: Vec<f32>,
    im: Vec<f32>,
    /// Start of the next window, relative to `re[0]`; may point past the
    /// end when `d > k` skips samples not yet received.
    pos: usize,
}

impl Windows {
    /// History of `prefill` zeros (the implicit samples before the stream).
    pub(crate) fn new(prefill: usize) -> Self {
        let mut w = Windows::default();
        w.reset(prefill);
        w
    }

    pub(crate) fn reset(&mut self, prefill: usize) {
        self.re.clear();
        self.im.clear();
        self.re.resize(prefill, 0.0);
        self.im.resize(prefill, 0.0);
        self.pos = 0;
    }

    /// Feeds a block (common length of `in_re`/`in_im`) and calls
    /// `run(xr, xi, count)` for each run of consecutive complete windows:
    /// window `m` of a run is `x[m·d .. m·d + k]`. Returns the number of
    /// windows completed. `k` and `d` must stay the same between calls.
    pub(crate) fn feed<F>(&mut self, in_re: &[f32], in_im: &[f32], k: usize, d: usize, mut run: F) -> usize
    where
        F: FnMut(&[f32], &[f32], usize),
    {
        let k = k.max(1);
        let d = d.max(1);
        let n = in_re.len().min(in_im.len());
        let (in_re, in_im) = (&in_re[..n], &in_im[..n]);
        let hl = self.re.len();
        let mut total = 0;

        // Windows starting inside the history: stage history + up to k − 1
        // new samples (the most such a window can reach).
        let staged = n.min(k - 1);
        self.re.extend_from_slice(&in_re[..staged]);
        self.im.extend_from_slice(&in_im[..staged]);
        let slen = self.re.len();
        if self.pos < hl && self.pos + k <= slen {
            // Windows starting before hl and ending within the staging.
            let fit = (slen - k - self.pos) / d + 1;
            let before_hl = (hl - self.pos).div_ceil(d);
            let c = fit.min(before_hl);
            run(&self.re[self.pos..], &self.im[self.pos..], c);
            self.pos = self.pos.saturating_add(c.saturating_mul(d));
            total += c;
        }

        // Windows starting inside the block.
        if self.pos >= hl {
            let s = self.pos - hl;
            if k <= n && s <= n - k {
                let c = (n - k - s) / d + 1;
                run(&in_re[s..], &in_im[s..], c);
                self.pos = self.pos.saturating_add(c.saturating_mul(d));
                total += c;
            }
        }

        // Keep what the next window needs.
        if self.pos >= hl {
            let s = (self.pos - hl).min(n);
            self.re.clear();
            self.im.clear();
            self.re.extend_from_slice(&in_re[s..]);
            self.im.extend_from_slice(&in_im[s..]);
            self.pos -= hl + s;
        } else {
            // No window started in the block, so the whole block is short
            // (n < k − (hl − pos)) and already staged.
            debug_assert_eq!(staged, n);
            self.re.drain(..self.pos);
            self.im.drain(..self.pos);
            self.pos = 0;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::random_blocks;

    /// Every window handed out equals the naive window of the virtual
    /// stream `prefill zeros ++ input`, in order, with none missing.
    #[test]
    fn windows_match_naive_slicing() {
        let n = 3000;
        let x: Vec<f32> = (1..=n).map(|i| i as f32).collect();
        for &(k, d, prefill) in
            &[(1usize, 1usize, 0usize), (5, 1, 4), (16, 16, 15), (7, 3, 6), (3, 40, 2), (64, 1, 0), (33, 7, 0)]
        {
            let mut virt = vec![0.0f32; prefill];
            virt.extend_from_slice(&x);
            let want: Vec<Vec<f32>> =
                (0..).map(|m| m * d).take_while(|s| s + k <= virt.len()).map(|s| virt[s..s + k].to_vec()).collect();
            for seed in 0..6 {
                let mut w = Windows::new(prefill);
                let mut got: Vec<Vec<f32>> = Vec::new();
                let mut at = 0;
                for len in random_blocks(n, seed) {
                    let c = w.feed(&x[at..at + len], &x[at..at + len], k, d, |xr, xi, count| {
                        assert_eq!(xr, xi);
                        for m in 0..count {
                            got.push(xr[m * d..m * d + k].to_vec());
                        }
                    });
                    at += len;
                    assert!(c <= len + prefill + 1);
                    // History never exceeds what the next window needs.
                    assert!(w.re.len() < k + d);
                }
                assert_eq!(got, want, "k={k} d={d} prefill={prefill} seed={seed}");
            }
        }
    }
}
