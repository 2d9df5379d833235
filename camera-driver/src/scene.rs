//! Draws what the simulated camera sees: the booth's light-blue backdrop, a seated graduate,
//! and, when they hold it up, a phone showing a QR code.
//!
//! Geometry follows the CHSI crop the kiosk makes (a centred 3:4 window 90 % of the frame
//! high): crown about 16 % from the top, eye line about 35 %, face about 40 % of the width, so a
//! simulated photo passes the kiosk's own checks the way a well-seated graduate's would.

use image::{Rgb, RgbImage};

/// CHSI light-blue backdrop, RGB(100,197,255).
pub const BACKDROP: Rgb<u8> = Rgb([100, 197, 255]);
const SKIN: Rgb<u8> = Rgb([232, 190, 160]);
const HAIR: Rgb<u8> = Rgb([35, 28, 25]);
const SHIRT: Rgb<u8> = Rgb([38, 48, 78]);
const COLLAR: Rgb<u8> = Rgb([245, 245, 245]);
const EYE: Rgb<u8> = Rgb([30, 25, 25]);
const LIPS: Rgb<u8> = Rgb([170, 90, 90]);
const PHONE: Rgb<u8> = Rgb([24, 24, 28]);
const SCREEN: Rgb<u8> = Rgb([250, 250, 250]);

/// What is in front of the camera.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scene {
    /// A graduate sits in the chair.
    pub person: bool,
    /// The QR payload on the phone they hold up, if they do.
    pub qr: Option<String>,
}

struct Canvas {
    img: RgbImage,
    /// Pixels per unit of frame height (all geometry is in frame heights).
    unit: f32,
    cx: f32,
}

impl Canvas {
    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, colour: Rgb<u8>) {
        let (w, h) = self.img.dimensions();
        let (cx, cy) = (self.cx + cx * self.unit, cy * self.unit);
        let (rx, ry) = (rx * self.unit, ry * self.unit);
        let y0 = (cy - ry).max(0.0) as u32;
        let y1 = ((cy + ry).ceil() as u32).min(h);
        for y in y0..y1 {
            let dy = (y as f32 + 0.5 - cy) / ry;
            let half = rx * (1.0 - dy * dy).max(0.0).sqrt();
            let x0 = (cx - half).max(0.0) as u32;
            let x1 = ((cx + half).ceil() as u32).min(w);
            for x in x0..x1 {
                self.img.put_pixel(x, y, colour);
            }
        }
    }

    /// A trapezoid centred on `cx`: half-width `top` at `y0`, `bottom` at `y1`.
    fn trapezoid(&mut self, cx: f32, y0: f32, y1: f32, top: f32, bottom: f32, colour: Rgb<u8>) {
        let (w, h) = self.img.dimensions();
        let cx = self.cx + cx * self.unit;
        let (py0, py1) = ((y0 * self.unit) as u32, ((y1 * self.unit) as u32).min(h));
        for y in py0..py1 {
            let t = (y as f32 / self.unit - y0) / (y1 - y0);
            let half = (top + (bottom - top) * t) * self.unit;
            let x0 = (cx - half).max(0.0) as u32;
            let x1 = ((cx + half) as u32).min(w);
            for x in x0..x1 {
                self.img.put_pixel(x, y, colour);
            }
        }
    }

    fn rect_px(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, colour: Rgb<u8>) {
        let (w, h) = self.img.dimensions();
        for y in y0.min(h)..y1.min(h) {
            for x in x0.min(w)..x1.min(w) {
                self.img.put_pixel(x, y, colour);
            }
        }
    }
}

/// Render `scene` at `width` × `height`.
pub fn draw(scene: &Scene, width: u32, height: u32) -> RgbImage {
    let mut c = Canvas {
        img: RgbImage::from_pixel(width, height, BACKDROP),
        unit: height as f32,
        cx: width as f32 / 2.0,
    };
    if scene.person {
        // Body and shoulders, collar, neck.
        c.trapezoid(0.0, 0.60, 1.0, 0.16, 0.42, SHIRT);
        c.trapezoid(0.0, 0.58, 0.66, 0.06, 0.10, COLLAR);
        c.trapezoid(0.0, 0.50, 0.62, 0.055, 0.06, SKIN);
        // Hair behind the face, then the face.
        c.ellipse(0.0, 0.335, 0.145, 0.14, HAIR);
        c.ellipse(0.0, 0.40, 0.135, 0.165, SKIN);
        // Hairline above the eyebrows, ears clear.
        c.ellipse(0.0, 0.265, 0.12, 0.05, HAIR);
        // Eyes on the eye line, mouth closed.
        c.ellipse(-0.05, 0.37, 0.018, 0.011, EYE);
        c.ellipse(0.05, 0.37, 0.018, 0.011, EYE);
        c.ellipse(0.0, 0.475, 0.035, 0.008, LIPS);
        // Ears, symmetric.
        c.ellipse(-0.137, 0.39, 0.015, 0.035, SKIN);
        c.ellipse(0.137, 0.39, 0.015, 0.035, SKIN);
    }
    if let Some(payload) = &scene.qr {
        draw_phone(&mut c, payload);
    }
    c.img
}

/// A phone held up in front of the chest, its screen showing the QR code.
fn draw_phone(c: &mut Canvas, payload: &str) {
    let Ok(code) = qrcode::QrCode::new(payload.as_bytes()) else {
        return;
    };
    let modules = code.width() as u32;
    let colours = code.to_colors();
    let unit = c.unit;
    let (pw, ph) = ((0.30 * unit) as u32, (0.54 * unit) as u32);
    let x0 = c.cx as u32 - pw / 2;
    let y0 = (0.44 * unit) as u32;
    c.rect_px(x0, y0, x0 + pw, y0 + ph, PHONE);
    let bezel = pw / 16;
    let (sx0, sy0, sw) = (x0 + bezel, y0 + bezel * 2, pw - 2 * bezel);
    c.rect_px(sx0, sy0, sx0 + sw, y0 + ph - bezel * 2, SCREEN);
    // Quiet zone of four modules on each side.
    let module = (sw / (modules + 8)).max(1);
    let qx0 = sx0 + (sw - module * modules) / 2;
    let qy0 = sy0 + module * 6;
    for (i, colour) in colours.iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            let (mx, my) = (i as u32 % modules, i as u32 / modules);
            let (x, y) = (qx0 + mx * module, qy0 + my * module);
            c.rect_px(x, y, x + module, y + module, PHONE);
        }
    }
}

/// Encode as JPEG at `quality`.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 10);
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(encoder)
        .expect("JPEG encoding into memory");
    out
}
