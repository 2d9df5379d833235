//! Crops and enlarges part of an image with a 10 px grid (every 50 px brighter), to measure
//! landmark positions by eye: `zoom IN OUT X Y W H FACTOR`.

use image::{Rgb, RgbImage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 8 {
        return Err("usage: zoom IN OUT X Y W H FACTOR".into());
    }
    let img = image::open(&a[1])?.to_rgb8();
    let n: Vec<u32> = a[3..8]
        .iter()
        .map(|s| s.parse())
        .collect::<Result<_, _>>()?;
    let (x0, y0, w, h, z) = (n[0], n[1], n[2], n[3], n[4]);
    let out = RgbImage::from_fn(w * z, h * z, |x, y| {
        let (sx, sy) = (x0 + x / z, y0 + y / z);
        let on_x = x % z == 0 && sx % 10 == 0;
        let on_y = y % z == 0 && sy % 10 == 0;
        if (on_x && sx % 50 == 0) || (on_y && sy % 50 == 0) {
            Rgb([255, 255, 0])
        } else if on_x || on_y {
            Rgb([0, 255, 0])
        } else {
            *img.get_pixel(sx.min(img.width() - 1), sy.min(img.height() - 1))
        }
    });
    out.save(&a[2])?;
    Ok(())
}
