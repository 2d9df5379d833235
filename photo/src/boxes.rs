//! MTCNN's box arithmetic between the three networks: pyramid scales, candidate boxes from
//! P-Net's map, non-maximum suppression, regression and squaring.
//!
//! Ported from mtcnn-runtime 1.0.0's `detector.py` (Apache-2.0), itself from TropComplique's
//! mtcnn-pytorch. Boxes keep its inclusive convention (width = x2 - x1 + 1) because the
//! networks' regression offsets were trained against it.

/// A candidate face: inclusive corners in input pixels, and the network's face probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// Left.
    pub x1: f32,
    /// Top.
    pub y1: f32,
    /// Right (inclusive).
    pub x2: f32,
    /// Bottom (inclusive).
    pub y2: f32,
    /// Face probability.
    pub score: f32,
}

impl Candidate {
    /// Width in the inclusive convention.
    pub fn w(&self) -> f32 {
        self.x2 - self.x1 + 1.0
    }

    /// Height in the inclusive convention.
    pub fn h(&self) -> f32 {
        self.y2 - self.y1 + 1.0
    }

    fn area(&self) -> f32 {
        self.w() * self.h()
    }

    /// Moves the corners by the network's offsets, given as fractions of the box size.
    pub fn calibrate(&self, d: [f32; 4]) -> Candidate {
        let (w, h) = (self.w(), self.h());
        Candidate {
            x1: self.x1 + d[0] * w,
            y1: self.y1 + d[1] * h,
            x2: self.x2 + d[2] * w,
            y2: self.y2 + d[3] * h,
            score: self.score,
        }
    }

    /// The square around the box's centre with the longer side, corners rounded: the next
    /// network looks at a square patch.
    pub fn squared(&self) -> Candidate {
        let (w, h) = (self.w(), self.h());
        let side = w.max(h);
        let x1 = self.x1 + w * 0.5 - side * 0.5;
        let y1 = self.y1 + h * 0.5 - side * 0.5;
        Candidate {
            x1: x1.round(),
            y1: y1.round(),
            x2: (x1 + side - 1.0).round(),
            y2: (y1 + side - 1.0).round(),
            score: self.score,
        }
    }
}

/// How overlap is measured in [`nms`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// Intersection over union.
    Union,
    /// Intersection over the smaller box: drops boxes nested in a better one (O-Net's last pass).
    Min,
}

/// Scales of the image pyramid: the first maps `min_face` px to P-Net's 12 px window, each next
/// one is √½ of the previous, down to a 12 px short side.
pub fn pyramid_scales(width: u32, height: u32, min_face: f32) -> Vec<f32> {
    const CELL: f32 = 12.0;
    const FACTOR: f32 = 0.707;
    let m = CELL / min_face.max(CELL);
    let mut min_len = width.min(height) as f32 * m;
    let mut scales = Vec::new();
    let mut s = m;
    while min_len > CELL {
        scales.push(s);
        s *= FACTOR;
        min_len *= FACTOR;
    }
    scales
}

/// Candidates where P-Net's face probability passes `threshold`, mapped back to input pixels.
/// `probs` is the face-class map (rows × cols), `offsets` the four regression maps.
pub fn pnet_candidates(
    probs: &[f32],
    offsets: [&[f32]; 4],
    cols: usize,
    scale: f32,
    threshold: f32,
) -> Vec<(Candidate, [f32; 4])> {
    // P-Net is a 12 × 12 window sliding with stride 2 over the scaled image.
    const STRIDE: f32 = 2.0;
    const CELL: f32 = 12.0;
    probs
        .iter()
        .enumerate()
        .filter(|&(_, &p)| p > threshold)
        .map(|(i, &p)| {
            let (row, col) = ((i / cols) as f32, (i % cols) as f32);
            let cand = Candidate {
                x1: ((STRIDE * col + 1.0) / scale).round(),
                y1: ((STRIDE * row + 1.0) / scale).round(),
                x2: ((STRIDE * col + 1.0 + CELL) / scale).round(),
                y2: ((STRIDE * row + 1.0 + CELL) / scale).round(),
                score: p,
            };
            (cand, offsets.map(|o| o[i]))
        })
        .collect()
}

/// Greedy non-maximum suppression: indices of the kept boxes, best first.
pub fn nms<T>(
    items: &[T],
    get: impl Fn(&T) -> Candidate,
    threshold: f32,
    mode: Overlap,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| get(&items[b]).score.total_cmp(&get(&items[a]).score));
    let mut keep = Vec::new();
    let mut dropped = vec![false; items.len()];
    for (pos, &i) in order.iter().enumerate() {
        if dropped[i] {
            continue;
        }
        keep.push(i);
        let a = get(&items[i]);
        for &j in &order[pos + 1..] {
            if dropped[j] {
                continue;
            }
            let b = get(&items[j]);
            let iw = (a.x2.min(b.x2) - a.x1.max(b.x1) + 1.0).max(0.0);
            let ih = (a.y2.min(b.y2) - a.y1.max(b.y1) + 1.0).max(0.0);
            let inter = iw * ih;
            let overlap = match mode {
                Overlap::Union => inter / (a.area() + b.area() - inter),
                Overlap::Min => inter / a.area().min(b.area()),
            };
            if overlap > threshold {
                dropped[j] = true;
            }
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(x1: f32, y1: f32, x2: f32, y2: f32, score: f32) -> Candidate {
        Candidate {
            x1,
            y1,
            x2,
            y2,
            score,
        }
    }

    #[test]
    fn pyramid_starts_at_min_face_and_ends_above_the_cell() {
        let s = pyramid_scales(512, 512, 20.0);
        assert_eq!(s[0], 0.6);
        // 512 × 0.6 = 307 px short side, shrinking by 0.707 while above 12 px: 10 levels.
        assert_eq!(s.len(), 10);
        assert!(s.windows(2).all(|w| (w[1] / w[0] - 0.707).abs() < 1e-4));
        assert!(pyramid_scales(10, 10, 20.0).is_empty());
    }

    #[test]
    fn candidates_map_the_window_back_to_input_pixels() {
        let probs = [0.1, 0.9, 0.2, 0.95];
        let off = [0.0, 0.0, 0.0, 0.0];
        let c = pnet_candidates(&probs, [&off, &off, &off, &off], 2, 0.5, 0.7);
        assert_eq!(c.len(), 2);
        // Cell (row 0, col 1): x from (2+1)/0.5 = 6 to (2+1+12)/0.5 = 30.
        assert_eq!(c[0].0, cand(6.0, 2.0, 30.0, 26.0, 0.9));
        assert_eq!(c[1].0, cand(6.0, 6.0, 30.0, 30.0, 0.95));
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes_and_separate_ones() {
        let boxes = [
            cand(0.0, 0.0, 9.0, 9.0, 0.8),
            cand(1.0, 1.0, 10.0, 10.0, 0.9),
            cand(50.0, 50.0, 59.0, 59.0, 0.7),
        ];
        assert_eq!(nms(&boxes, |c| *c, 0.5, Overlap::Union), vec![1, 2]);
        // A small box inside a big one: union overlap is low, min overlap is 1.
        let nested = [
            cand(0.0, 0.0, 99.0, 99.0, 0.9),
            cand(10.0, 10.0, 19.0, 19.0, 0.8),
        ];
        assert_eq!(nms(&nested, |c| *c, 0.5, Overlap::Union), vec![0, 1]);
        assert_eq!(nms(&nested, |c| *c, 0.5, Overlap::Min), vec![0]);
    }

    #[test]
    fn calibrate_and_square() {
        let c = cand(10.0, 20.0, 29.0, 59.0, 1.0).calibrate([0.1, 0.0, -0.1, 0.0]);
        assert_eq!(c, cand(12.0, 20.0, 27.0, 59.0, 1.0));
        let s = c.squared();
        assert_eq!((s.w(), s.h()), (40.0, 40.0));
        assert_eq!((s.x1 + s.x2) / 2.0, (c.x1 + c.x2) / 2.0);
    }
}
