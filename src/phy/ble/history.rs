//! A channel's recent samples, kept in two segments so that dropping the
//! oldest ones never moves the rest: new samples go to the current segment;
//! once it is long enough and nothing older is needed, the older segment is
//! dropped and the two swap roles (their memory is reused). A window that
//! straddles the two is copied into one piece on demand.

/// Samples (real, imaginary) of one channel; positions are absolute
/// channel-rate sample indices.
#[derive(Default)]
pub(super) struct History {
    old: (Vec<f32>, Vec<f32>),
    cur: (Vec<f32>, Vec<f32>),
    /// Position of `old[0]`.
    base: u64,
    /// A straddling window, copied.
    joined: (Vec<f32>, Vec<f32>),
    /// Length of the current segment when it was lent.
    lent_at: usize,
}

impl History {
    /// The oldest position kept.
    pub(super) fn base(&self) -> u64 {
        self.base
    }

    fn cur_base(&self) -> u64 {
        self.base + self.old.0.len() as u64
    }

    /// One past the newest position.
    pub(super) fn end(&self) -> u64 {
        self.cur_base() + self.cur.0.len() as u64
    }

    /// Length of the current segment (new samples are appended there).
    pub(super) fn cur_len(&self) -> usize {
        self.cur.0.len()
    }

    /// Lends the current segment (for a producer to append to); give it
    /// back with [`give_back`](Self::give_back).
    pub(super) fn lend(&mut self) -> (Vec<f32>, Vec<f32>) {
        self.lent_at = self.cur.0.len();
        std::mem::take(&mut self.cur)
    }

    /// Takes the lent segment back; returns the index from which the
    /// producer appended (for [`tail`](Self::tail)).
    pub(super) fn give_back(&mut self, (mut re, mut im): (Vec<f32>, Vec<f32>)) -> usize {
        let n = re.len().min(im.len());
        re.truncate(n);
        im.truncate(n);
        self.cur = (re, im);
        self.lent_at.min(n)
    }

    pub(super) fn push(&mut self, re: &[f32], im: &[f32]) {
        let n = re.len().min(im.len());
        self.cur.0.extend_from_slice(&re[..n]);
        self.cur.1.extend_from_slice(&im[..n]);
    }

    /// The current segment from index `l` on (the samples just appended).
    pub(super) fn tail(&self, l: usize) -> (&[f32], &[f32]) {
        let l = l.min(self.cur.0.len());
        (&self.cur.0[l..], &self.cur.1[l..])
    }

    /// Positions `lo..hi`, clamped to what is kept.
    pub(super) fn window(&mut self, lo: u64, hi: u64) -> (&[f32], &[f32]) {
        let (cb, end) = (self.cur_base(), self.end());
        let hi = hi.min(end);
        let lo = lo.max(self.base).min(hi);
        if lo >= cb {
            let (a, b) = ((lo - cb) as usize, (hi - cb) as usize);
            (&self.cur.0[a..b], &self.cur.1[a..b])
        } else if hi <= cb {
            let (a, b) = ((lo - self.base) as usize, (hi - self.base) as usize);
            (&self.old.0[a..b], &self.old.1[a..b])
        } else {
            let a = (lo - self.base) as usize;
            let b = (hi - cb) as usize;
            let (jr, ji) = &mut self.joined;
            jr.clear();
            ji.clear();
            jr.extend_from_slice(&self.old.0[a..]);
            jr.extend_from_slice(&self.cur.0[..b]);
            ji.extend_from_slice(&self.old.1[a..]);
            ji.extend_from_slice(&self.cur.1[..b]);
            (&self.joined.0[..], &self.joined.1[..])
        }
    }

    /// Drops the older segment once the current one holds `segment`
    /// samples and nothing before it is needed (`keep_from`: the oldest
    /// position still needed).
    pub(super) fn trim(&mut self, keep_from: u64, segment: u64) {
        if self.cur.0.len() as u64 >= segment && keep_from >= self.cur_base() {
            self.base = self.cur_base();
            std::mem::swap(&mut self.old, &mut self.cur);
            self.cur.0.clear();
            self.cur.1.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(a: u64, b: u64) -> Vec<f32> {
        (a..b).map(|v| v as f32).collect()
    }

    #[test]
    fn windows_across_segments_and_trimming() {
        let mut h = History::default();
        let mut pos = 0u64;
        let mut push = |h: &mut History, n: u64| {
            let r = ramp(pos, pos + n);
            let i: Vec<f32> = r.iter().map(|v| -v).collect();
            h.push(&r, &i);
            pos += n;
        };
        push(&mut h, 100);
        h.trim(0, 50); // something at 0 is still needed: nothing dropped
        assert_eq!((h.base(), h.end()), (0, 100));
        h.trim(100, 50); // the current segment becomes the old one
        assert_eq!((h.base(), h.end(), h.cur_len()), (0, 100, 0));
        push(&mut h, 30);
        // a window straddling both segments, one inside each, clamped ones
        let (r, i) = h.window(90, 110);
        assert_eq!(r, &ramp(90, 110)[..]);
        assert_eq!(i[0], -90.0);
        assert_eq!(h.window(10, 20).0, &ramp(10, 20)[..]);
        assert_eq!(h.window(105, 125).0, &ramp(105, 125)[..]);
        assert_eq!(h.window(120, 500).0, &ramp(120, 130)[..]);
        assert!(h.window(200, 300).0.is_empty());
        // segment of 30 full, nothing older needed: 0..100 dropped
        h.trim(100, 30);
        assert_eq!((h.base(), h.end()), (100, 130));
        assert_eq!(h.window(0, 105).0, &ramp(100, 105)[..]);
        // lending keeps positions
        let mut lent = h.lend();
        lent.0.extend_from_slice(&[130.0, 131.0]);
        lent.1.extend_from_slice(&[-130.0]);
        assert_eq!(h.give_back(lent), 0);
        assert_eq!(h.end(), 131);
        assert_eq!(h.tail(0).0, &[130.0][..]);
    }
}
