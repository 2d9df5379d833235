//! Pixel buffers for the UI, made on any thread (the UI thread never decodes).

use slint::{Rgb8Pixel, SharedPixelBuffer};

/// A decoded image ready for the UI (Send; becomes a `slint::Image` on the UI thread).
pub type Pixels = SharedPixelBuffer<Rgb8Pixel>;

/// Decode a JPEG (or any image) into pixels; `mirror` flips it left-right like a mirror, which
/// is how the live view is shown (the photo itself never is).
pub fn decode(bytes: &[u8], mirror: bool) -> Option<Pixels> {
    let img = image::load_from_memory(bytes).ok()?;
    let mut rgb = img.to_rgb8();
    if mirror {
        image::imageops::flip_horizontal_in_place(&mut rgb);
    }
    let (w, h) = rgb.dimensions();
    Some(SharedPixelBuffer::clone_from_slice(rgb.as_raw(), w, h))
}

/// A crisp QR code for `text`: one pixel per module plus a four-module quiet zone (the UI
/// scales it up with pixelated rendering).
pub fn qr(text: &str) -> Option<Pixels> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let n = code.width();
    let size = (n + 8) as u32;
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(size, size);
    let colours = code.to_colors();
    for (i, px) in buf.make_mut_slice().iter_mut().enumerate() {
        let (x, y) = (i % size as usize, i / size as usize);
        let dark = x >= 4
            && y >= 4
            && x < n + 4
            && y < n + 4
            && colours[(y - 4) * n + (x - 4)] == qrcode::Color::Dark;
        let v = if dark { 0 } else { 255 };
        *px = Rgb8Pixel { r: v, g: v, b: v };
    }
    Some(buf)
}
