//! The subject against the booth's known backdrop: where the crown is, and how even the
//! background is beside the head.
//!
//! In a booth the backdrop colour is known and lit evenly, so a colour-distance test separates
//! subject from background exactly enough, at a fraction of a segmentation network's cost.

use image::RgbImage;

/// The backdrop's reference colour and how far a pixel may be from it and still be backdrop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backdrop {
    /// Reference colour. CHSI's published colours: light blue (100, 197, 255), the default;
    /// white (255, 255, 255); light grey (240, 240, 240).
    pub rgb: [u8; 3],
    /// Largest Euclidean RGB distance from `rgb` still counted as backdrop.
    pub tolerance: f32,
}

impl Default for Backdrop {
    fn default() -> Self {
        // An estimate, not yet measured on a real booth: 60 is the backdrop about 18 % darker
        // (light fall-off, JPEG noise), while the simulated scene's hair is 293 and its skin 163
        // away from the reference.
        Self {
            rgb: [100, 197, 255],
            tolerance: 60.0,
        }
    }
}

impl Backdrop {
    /// Distance of a pixel from the reference colour.
    pub fn distance(&self, p: [u8; 3]) -> f32 {
        let d = |c: usize| f32::from(p[c]) - f32::from(self.rgb[c]);
        (d(0) * d(0) + d(1) * d(1) + d(2) * d(2)).sqrt()
    }

    /// Whether the pixel belongs to the subject.
    pub fn is_subject(&self, p: [u8; 3]) -> bool {
        self.distance(p) > self.tolerance
    }
}

/// The head's columns and eye row in the image being searched, from the face detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadColumns {
    /// First column of the face.
    pub left: u32,
    /// One past the last column of the face.
    pub right: u32,
    /// Row of the eye line.
    pub eye_row: u32,
}

impl HeadColumns {
    /// The columns of a detected face's box and its eye row.
    pub fn of(face: &crate::Face) -> Self {
        let eye_row = face.landmarks.eye_left.mid(face.landmarks.eye_right).y;
        Self {
            left: face.top_left.x.max(0.0) as u32,
            right: face.bottom_right.x.max(0.0) as u32,
            eye_row: eye_row.max(0.0) as u32,
        }
    }
}

/// Whether the top rows beside the head (the top 2 % of the frame, outside the face's columns)
/// are mostly backdrop. When they are not (a wrong backdrop, a dark shot) there is no
/// silhouette to read, and a "crown" at row 0 would be the backdrop itself.
pub fn backdrop_at_top(img: &RgbImage, backdrop: &Backdrop, head: HeadColumns) -> bool {
    let (w, h) = img.dimensions();
    let (mut n, mut subject) = (0u32, 0u32);
    for y in 0..(h / 50).max(1) {
        for x in (0..w).filter(|x| *x < head.left || *x >= head.right) {
            n += 1;
            subject += u32::from(backdrop.is_subject(img.get_pixel(x, y).0));
        }
    }
    n > 0 && subject * 2 <= n
}

/// The topmost row above the eyes where the subject fills part of the face's columns: the top
/// of the hair. `Some(0)` means the head touches the top of the frame (cut off); `None` means
/// nothing but backdrop above the eyes, i.e. the face box does not belong to a person here.
/// Callers in a booth check [`backdrop_at_top`] first.
///
/// A row counts when at least 3 % of the face's columns (and at least 2 pixels) are subject,
/// and the row below counts too, so sensor noise and a stray hair do not move the crown.
pub fn find_crown(img: &RgbImage, backdrop: &Backdrop, head: HeadColumns) -> Option<u32> {
    let (w, h) = img.dimensions();
    let (x0, x1) = (head.left.min(w), head.right.min(w));
    let bottom = head.eye_row.min(h);
    if x0 >= x1 {
        return None;
    }
    let need = (((x1 - x0) as f32 * 0.03).ceil() as usize).max(2);
    let row_counts = |y: u32| {
        (x0..x1)
            .filter(|&x| backdrop.is_subject(img.get_pixel(x, y).0))
            .count()
            >= need
    };
    let mut prev: Option<u32> = None;
    for y in 0..bottom {
        if row_counts(y) {
            if let Some(p) = prev {
                return Some(p);
            }
            prev = Some(y);
        } else {
            prev = None;
        }
    }
    // A single qualifying row right at the eye line still marks the head.
    prev
}

/// Colour statistics of one background region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionStats {
    /// Pixels measured.
    pub pixels: u64,
    /// Mean colour.
    pub mean: [f32; 3],
    /// RMS Euclidean distance of the pixels from the region's mean: unevenness (gradients,
    /// shadows) regardless of the colour itself.
    pub std_dev: f32,
    /// Largest Euclidean distance of a pixel from the reference colour.
    pub max_deviation: f32,
    /// Distance of the mean from the reference colour: the wrong backdrop or white balance.
    pub mean_deviation: f32,
    /// Share of pixels farther than the tolerance from the reference (0–1).
    pub off_colour: f32,
}

/// The background beside the head, left and right; `None` where the head is so close to the
/// edge that no region remains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BackgroundStats {
    /// Region left of the head.
    pub left: Option<RegionStats>,
    /// Region right of the head.
    pub right: Option<RegionStats>,
}

/// Measures the backdrop beside the head, from the top of the frame down to the eye line,
/// keeping a margin of half a face width from the face's columns so hair and ears stay out.
pub fn background_stats(img: &RgbImage, backdrop: &Backdrop, head: HeadColumns) -> BackgroundStats {
    let (w, h) = img.dimensions();
    let margin = (head.right.saturating_sub(head.left)) / 2;
    let rows = 0..head.eye_row.min(h);
    let left = 0..head.left.saturating_sub(margin).min(w);
    let right = head.right.saturating_add(margin).min(w)..w;
    BackgroundStats {
        left: region(img, backdrop, left, rows.clone()),
        right: region(img, backdrop, right, rows),
    }
}

fn region(
    img: &RgbImage,
    backdrop: &Backdrop,
    cols: std::ops::Range<u32>,
    rows: std::ops::Range<u32>,
) -> Option<RegionStats> {
    let pixels = u64::from(cols.end.saturating_sub(cols.start))
        * u64::from(rows.end.saturating_sub(rows.start));
    if pixels == 0 {
        return None;
    }
    let each = || {
        rows.clone()
            .flat_map(|y| cols.clone().map(move |x| img.get_pixel(x, y).0))
    };
    let mut sum = [0f64; 3];
    let (mut max_dev, mut off) = (0f32, 0u64);
    for p in each() {
        for c in 0..3 {
            sum[c] += f64::from(p[c]);
        }
        let d = backdrop.distance(p);
        max_dev = max_dev.max(d);
        off += u64::from(d > backdrop.tolerance);
    }
    let n = pixels as f64;
    let mean = sum.map(|s| (s / n) as f32);
    // Second pass for the spread around the mean: exact and still only one cheap loop.
    let var: f64 = each()
        .map(|p| {
            (0..3)
                .map(|c| (f64::from(p[c]) - f64::from(mean[c])).powi(2))
                .sum::<f64>()
        })
        .sum::<f64>()
        / n;
    let mean_dev = (0..3)
        .map(|c| (mean[c] - f32::from(backdrop.rgb[c])).powi(2))
        .sum::<f32>()
        .sqrt();
    Some(RegionStats {
        pixels,
        mean,
        std_dev: var.sqrt() as f32,
        max_deviation: max_dev,
        mean_deviation: mean_dev,
        off_colour: (off as f64 / n) as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    const BLUE: Rgb<u8> = Rgb([100, 197, 255]);

    /// A 200 × 240 booth frame with a dark head whose hair starts at `crown`, and light noise
    /// on the backdrop (a deterministic pattern, ±6 per channel).
    fn booth(crown: u32) -> RgbImage {
        RgbImage::from_fn(200, 240, |x, y| {
            let (dx, dy) = (x as f32 - 100.0, y as f32 - (crown as f32 + 50.0));
            if (dx / 40.0).powi(2) + (dy / 50.0).powi(2) <= 1.0 || (y > 180 && dx.abs() < 80.0) {
                Rgb([40, 30, 25])
            } else {
                let n = ((x * 7 + y * 13) % 13) as i16 - 6;
                Rgb(BLUE.0.map(|c| (i16::from(c) + n).clamp(0, 255) as u8))
            }
        })
    }

    const HEAD: HeadColumns = HeadColumns {
        left: 70,
        right: 130,
        eye_row: 100,
    };

    #[test]
    fn crown_is_the_top_of_the_hair() {
        let b = Backdrop::default();
        // The ellipse's topmost row is a single pixel; the next is the first that counts.
        assert_eq!(find_crown(&booth(30), &b, HEAD), Some(31));
        assert_eq!(find_crown(&booth(12), &b, HEAD), Some(13));
    }

    #[test]
    fn a_head_above_the_frame_reports_row_zero() {
        // The ellipse's top is 20 px above the frame.
        let img = booth(0);
        let shifted = RgbImage::from_fn(200, 220, |x, y| *img.get_pixel(x, y + 20));
        assert_eq!(find_crown(&shifted, &Backdrop::default(), HEAD), Some(0));
    }

    #[test]
    fn empty_backdrop_and_single_specks_have_no_crown() {
        let mut img = RgbImage::from_pixel(200, 240, BLUE);
        assert_eq!(find_crown(&img, &Backdrop::default(), HEAD), None);
        // One dark row (a speck line) is not a head: it needs the row below too.
        for x in 70..130 {
            img.put_pixel(x, 40, Rgb([0, 0, 0]));
        }
        assert_eq!(find_crown(&img, &Backdrop::default(), HEAD), None);
        let empty = HeadColumns {
            left: 130,
            right: 70,
            eye_row: 100,
        };
        assert_eq!(find_crown(&booth(30), &Backdrop::default(), empty), None);
    }

    #[test]
    fn even_backdrop_has_small_spread_and_a_gradient_shows() {
        let b = Backdrop::default();
        let s = background_stats(&booth(30), &b, HEAD);
        let left = s.left.unwrap();
        // Left region: columns 0..40, rows 0..100.
        assert_eq!(left.pixels, 40 * 100);
        assert!(
            left.std_dev < 8.0 && left.max_deviation < 12.0 && left.off_colour == 0.0,
            "{left:?}"
        );
        assert!(left.mean_deviation < 2.0, "{left:?}");

        let mut shaded = booth(30);
        for y in 0..100 {
            for x in 160..200 {
                let k = 1.0 - (x - 160) as f32 / 80.0; // darker towards the edge: a shadow
                let p = shaded.get_pixel(x, y).0.map(|c| (f32::from(c) * k) as u8);
                shaded.put_pixel(x, y, Rgb(p));
            }
        }
        let right = background_stats(&shaded, &b, HEAD).right.unwrap();
        assert!(
            right.std_dev > 25.0 && right.max_deviation > 100.0 && right.off_colour > 0.3,
            "{right:?}"
        );
    }

    #[test]
    fn a_head_at_the_edge_leaves_no_region_and_white_is_far_from_blue() {
        let b = Backdrop::default();
        let edge = HeadColumns {
            left: 0,
            right: 60,
            eye_row: 100,
        };
        let white = RgbImage::from_pixel(200, 240, Rgb([255, 255, 255]));
        let s = background_stats(&white, &b, edge);
        assert_eq!(s.left, None);
        let r = s.right.unwrap();
        assert!(
            r.mean_deviation > 150.0 && r.off_colour == 1.0 && r.std_dev == 0.0,
            "{r:?}"
        );
    }
}
