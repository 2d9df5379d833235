//! Draws what the simulated camera sees: the booth's light-blue backdrop, a seated graduate,
//! and, when they hold it up, a phone showing a QR code.
//!
//! Geometry follows the CHSI crop the kiosk makes (a centred 3:4 window 90 % of the frame
//! high): crown about 16 % from the top, eye line about 35 %, face about 40 % of the width, so a
//! simulated photo passes the kiosk's own checks the way a well-seated graduate's would. That is
//! the default [`Pose`]; a pose moves the whole person and rolls the head about the neck.
//!
//! With a portrait the graduate is a real person: the whole portrait, cut out along the person's
//! outline (hair, head, shoulders; `portrait.rs`), scaled and placed so that the portrait's eyes
//! fall exactly on the pose's eye positions. Rolling the head turns it about the neck while the
//! shoulders stay upright (the neck bends in between); below and beside the portrait's edges the
//! clothes go on as a reflection of the band along the edge. Shut eyes are lids in the person's
//! own skin tone with a fringe of lashes and a crease; teeth are a row of upper teeth between
//! parted lips. Without a portrait a drawn head and body with the cartoon face of old.

use image::{Rgb, RgbImage};

use super::portrait::{Portrait, feather, lip_colour};
use super::pose::{EYES, Pose};

/// CHSI light-blue backdrop, RGB(100,197,255).
pub const BACKDROP: Rgb<u8> = Rgb([100, 197, 255]);
const SKIN: Rgb<u8> = Rgb([232, 190, 160]);
const HAIR: Rgb<u8> = Rgb([35, 28, 25]);
const SHIRT: Rgb<u8> = Rgb([38, 48, 78]);
const COLLAR: Rgb<u8> = Rgb([245, 245, 245]);
const EYE: Rgb<u8> = Rgb([30, 25, 25]);
const LIPS: Rgb<u8> = Rgb([170, 90, 90]);
const LASHES: [f32; 3] = [45.0, 32.0, 30.0];
const TEETH: [f32; 3] = [238.0, 234.0, 224.0];
const MOUTH_INSIDE: [f32; 3] = [70.0, 30.0, 32.0];
const PHONE: Rgb<u8> = Rgb([24, 24, 28]);
const SCREEN: Rgb<u8> = Rgb([250, 250, 250]);

/// The drawn head, upright and centred, as (centre x, centre y, semi-axis x, semi-axis y) in
/// frame heights: hair behind the face, the face, the hairline above the brows, the ears.
const HAIR_BACK: (f32, f32, f32, f32) = (0.0, 0.335, 0.145, 0.14);
const FACE: (f32, f32, f32, f32) = (0.0, 0.40, 0.135, 0.165);
// Its lower edge 0.085 frame heights (0.85 eye distances) above the eyes: a forehead, not a fringe.
const HAIRLINE: (f32, f32, f32, f32) = (0.0, 0.245, 0.12, 0.04);
const EARS: [(f32, f32, f32, f32); 2] = [(-0.137, 0.39, 0.015, 0.035), (0.137, 0.39, 0.015, 0.035)];
/// The cartoon face's eyes (centred on [`EYES`]) and closed mouth.
const EYE_SIZE: (f32, f32) = (0.018, 0.011);
const MOUTH: (f32, f32) = (0.0, 0.475);
const MOUTH_HALF_WIDTH: f32 = 0.035;
/// Closed lids over the eyes.
const LID_SIZE: (f32, f32) = (0.024, 0.013);
/// The head's extent (ears, hair, chin), for the pixels to shade.
const HEAD_BOX: ((f32, f32), (f32, f32)) = ((-0.155, 0.19), (0.155, 0.57));
/// Where a real person's neck bends when they roll their head (frame heights below the top,
/// the person upright): the head above the first rolls whole, the shoulders below the second
/// stay upright.
const NECK_BEND: (f32, f32) = (0.52, 0.62);

/// What is in front of the camera.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scene {
    /// A graduate sits in the chair.
    pub person: bool,
    /// How they sit.
    pub pose: Pose,
    /// The QR payload on the phone they hold up, if they do.
    pub qr: Option<String>,
}

struct Canvas {
    img: RgbImage,
    /// Pixels per unit of frame height (all geometry is in frame heights).
    unit: f32,
    cx: f32,
    /// Where the person is moved to, frame heights.
    dx: f32,
    dy: f32,
}

impl Canvas {
    fn fill_row(&mut self, y: u32, x0: u32, x1: u32, colour: Rgb<u8>) {
        let w = self.img.width() as usize;
        let (y, x0, x1) = (y as usize, x0 as usize, x1.min(self.img.width()) as usize);
        if x0 >= x1 {
            return;
        }
        let row = &mut self.img.as_mut()[(y * w + x0) * 3..(y * w + x1) * 3];
        for px in row.chunks_exact_mut(3) {
            px.copy_from_slice(&colour.0);
        }
    }

    /// A trapezoid on the person's centre line: half-width `top` at `y0`, `bottom` at `y1`.
    fn trapezoid(&mut self, y0: f32, y1: f32, top: f32, bottom: f32, colour: Rgb<u8>) {
        let h = self.img.height();
        let cx = self.cx + self.dx * self.unit;
        let (fy0, fy1) = ((y0 + self.dy) * self.unit, (y1 + self.dy) * self.unit);
        let (py0, py1) = (fy0.max(0.0) as u32, (fy1.max(0.0) as u32).min(h));
        for y in py0..py1 {
            let t = (y as f32 - fy0) / (fy1 - fy0);
            let half = (top + (bottom - top) * t) * self.unit;
            let x0 = (cx - half).max(0.0) as u32;
            let x1 = (cx + half).max(0.0) as u32;
            self.fill_row(y, x0, x1, colour);
        }
    }

    fn rect_px(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, colour: Rgb<u8>) {
        for y in y0.min(self.img.height())..y1.min(self.img.height()) {
            self.fill_row(y, x0, x1, colour);
        }
    }
}

/// Render `scene` at `width` × `height`, with `portrait`'s face in the head when given.
pub fn draw(scene: &Scene, portrait: Option<&Portrait>, width: u32, height: u32) -> RgbImage {
    let mut c = Canvas {
        img: RgbImage::from_pixel(width, height, BACKDROP),
        unit: height as f32,
        cx: width as f32 / 2.0,
        dx: scene.pose.off_centre,
        dy: scene.pose.height,
    };
    match (scene.person, portrait) {
        (false, _) => {}
        // The real person, cut out along their outline: hair, head, shoulders.
        (true, Some(p)) => Head::new(&scene.pose, p.skin, Some(p)).draw_person(&mut c),
        (true, None) => {
            // Body and shoulders (on past the frame's bottom, however high they sit), collar,
            // neck, and the drawn head.
            c.trapezoid(0.60, 1.6, 0.16, 0.81, SHIRT);
            c.trapezoid(0.58, 0.66, 0.06, 0.10, COLLAR);
            c.trapezoid(0.50, 0.62, 0.055, 0.06, SKIN);
            Head::new(&scene.pose, SKIN, None).draw(&mut c);
        }
    }
    if let Some(payload) = &scene.qr {
        draw_phone(&mut c, payload);
    }
    c.img
}

fn inside(e: (f32, f32, f32, f32), (x, y): (f32, f32)) -> bool {
    let (u, v) = ((x - e.0) / e.2, (y - e.1) / e.3);
    u * u + v * v < 1.0
}

fn radius(e: (f32, f32, f32, f32), (x, y): (f32, f32)) -> f32 {
    let (u, v) = ((x - e.0) / e.2, (y - e.1) / e.3);
    (u * u + v * v).sqrt()
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    std::array::from_fn(|i| a[i] + (b[i] - a[i]) * t)
}

fn rgb(c: Rgb<u8>) -> [f32; 3] {
    c.0.map(f32::from)
}

/// A portrait fitted into the head: a similarity (scale, rotation, shift) that puts the
/// portrait's eyes exactly on the drawn eyes ([`EYES`]).
struct Fit<'a> {
    portrait: &'a Portrait,
    /// Head coordinates (frame heights) → portrait pixels: p = m · q + b.
    m: [f32; 4],
    b: (f32, f32),
    /// Portrait pixels per frame height.
    scale: f32,
}

impl<'a> Fit<'a> {
    fn new(portrait: &'a Portrait) -> Self {
        let [pl, pr] = portrait.eyes;
        let [el, er] = EYES;
        let (vx, vy) = (pr.0 - pl.0, pr.1 - pl.1);
        let (ex, ey) = (er.0 - el.0, er.1 - el.1);
        let scale = (vx.hypot(vy)) / ex.hypot(ey);
        let angle = vy.atan2(vx) - ey.atan2(ex);
        let (sin, cos) = angle.sin_cos();
        let m = [scale * cos, -scale * sin, scale * sin, scale * cos];
        let b = (
            pl.0 - (m[0] * el.0 + m[1] * el.1),
            pl.1 - (m[2] * el.0 + m[3] * el.1),
        );
        Self {
            portrait,
            m,
            b,
            scale,
        }
    }

    fn to_portrait(&self, (x, y): (f32, f32)) -> (f32, f32) {
        (
            self.m[0] * x + self.m[1] * y + self.b.0,
            self.m[2] * x + self.m[3] * y + self.b.1,
        )
    }

    fn to_head(&self, (x, y): (f32, f32)) -> (f32, f32) {
        let (dx, dy) = (x - self.b.0, y - self.b.1);
        let det = self.m[0] * self.m[3] - self.m[1] * self.m[2];
        (
            (self.m[3] * dx - self.m[1] * dy) / det,
            (-self.m[2] * dx + self.m[0] * dy) / det,
        )
    }
}

/// The head, shaded pixel by pixel in its own upright coordinates so that it can roll: drawn
/// hair, ears and skin, the portrait's face (or the cartoon's) inside, lids and teeth on top.
struct Head<'a> {
    pose: Pose,
    /// The drawn face's ellipse: [`FACE`], or with a portrait, ending at the portrait's chin.
    face: (f32, f32, f32, f32),
    skin: [f32; 3],
    fit: Option<Fit<'a>>,
    /// The mouth's centre and half-width, head coordinates.
    mouth: (f32, f32),
    mouth_half_width: f32,
    lips: [f32; 3],
    lids: [[f32; 3]; 2],
}

enum Layer {
    Hair,
    Face,
    Ear,
}

impl<'a> Head<'a> {
    fn new(pose: &Pose, skin: Rgb<u8>, portrait: Option<&'a Portrait>) -> Self {
        let skin = rgb(skin);
        let fit = portrait.map(Fit::new);
        let face = match &fit {
            Some(f) => {
                // Same top and width; the bottom at the portrait's chin.
                let top = FACE.1 - FACE.3;
                let chin = f.to_head((f.portrait.face.cx, f.portrait.chin)).1 + 0.004;
                (FACE.0, (top + chin) / 2.0, FACE.2, (chin - top) / 2.0)
            }
            None => FACE,
        };
        let (mouth, mouth_half_width, lids, lips) = match &fit {
            Some(f) => (
                f.to_head(f.portrait.mouth),
                f.portrait.mouth_half_width / f.scale,
                f.portrait.lids,
                lip_colour(skin),
            ),
            None => (MOUTH, MOUTH_HALF_WIDTH, [skin; 2], rgb(LIPS)),
        };
        Self {
            pose: *pose,
            face,
            skin,
            fit,
            mouth,
            mouth_half_width,
            lips,
            lids,
        }
    }

    fn draw(&self, c: &mut Canvas) {
        let (w, h) = c.img.dimensions();
        let placement = self.pose.placement();
        // The pixels the rolled and moved head can cover.
        let ((x0, y0), (x1, y1)) = HEAD_BOX;
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|p| placement.place(p));
        let px = |x: f32| c.cx + x * c.unit;
        let py = |y: f32| y * c.unit;
        let left = corners
            .iter()
            .map(|p| px(p.0))
            .fold(f32::INFINITY, f32::min);
        let right = corners
            .iter()
            .map(|p| px(p.0))
            .fold(f32::NEG_INFINITY, f32::max);
        let top = corners
            .iter()
            .map(|p| py(p.1))
            .fold(f32::INFINITY, f32::min);
        let bottom = corners
            .iter()
            .map(|p| py(p.1))
            .fold(f32::NEG_INFINITY, f32::max);
        let (bx0, bx1) = (left.max(0.0) as u32, (right.ceil().max(0.0) as u32).min(w));
        let (by0, by1) = (top.max(0.0) as u32, (bottom.ceil().max(0.0) as u32).min(h));
        let (unit, cx) = (c.unit, c.cx);
        for y in by0..by1 {
            for x in bx0..bx1 {
                let world = ((x as f32 + 0.5 - cx) / unit, (y as f32 + 0.5) / unit);
                if let Some(colour) = self.shade(placement.unplace(world)) {
                    c.img
                        .put_pixel(x, y, Rgb(colour.map(|v| v.round().clamp(0.0, 255.0) as u8)));
                }
            }
        }
    }

    /// The colour at head coordinates `q`, or None where the head is not.
    fn shade(&self, q: (f32, f32)) -> Option<[f32; 3]> {
        let mut layer = None;
        if inside(HAIR_BACK, q) {
            layer = Some(Layer::Hair);
        }
        if inside(self.face, q) {
            layer = Some(Layer::Face);
        }
        if inside(HAIRLINE, q) {
            layer = Some(Layer::Hair);
        }
        if EARS.iter().any(|e| inside(*e, q)) {
            layer = Some(Layer::Ear);
        }
        Some(match layer? {
            Layer::Hair => rgb(HAIR),
            Layer::Ear => self.skin,
            Layer::Face => self.face(q),
        })
    }

    /// The real person with a portrait: every pixel of the frame looked up in the portrait
    /// through the pose (the head rolled about the neck, the shoulders upright, the neck bent
    /// in between), kept where the portrait's outline says the person is, with the pose's
    /// lids and teeth on the face. Without a portrait, the drawn head.
    fn draw_person(&self, c: &mut Canvas) {
        let Some(fit) = &self.fit else {
            return self.draw(c);
        };
        let upright = Pose {
            tilt_deg: 0.0,
            ..self.pose
        }
        .placement();
        let rolled = self.pose.placement();
        let w = c.img.width() as usize;
        let (unit, cx) = (c.unit, c.cx);
        // One row of the frame: every pixel looked up in the portrait.
        let row = |y: usize, pixels: &mut [u8]| {
            let world_y = (y as f32 + 0.5) / unit;
            // How much of the head's roll this row takes: all of it down to the chin, none
            // from the shoulders on.
            let t = ((world_y - self.pose.height - NECK_BEND.0) / (NECK_BEND.1 - NECK_BEND.0))
                .clamp(0.0, 1.0);
            let roll = 1.0 - t * t * (3.0 - 2.0 * t);
            for (x, px) in pixels.chunks_exact_mut(3).enumerate() {
                let world = ((x as f32 + 0.5 - cx) / unit, world_y);
                let q = match roll {
                    1.0 => rolled.unplace(world),
                    0.0 => upright.unplace(world),
                    _ => {
                        let (a, b) = (rolled.unplace(world), upright.unplace(world));
                        (b.0 + (a.0 - b.0) * roll, b.1 + (a.1 - b.1) * roll)
                    }
                };
                let p = fit.to_portrait(q);
                let a = fit.portrait.outline.coverage(p.0, p.1);
                if a <= 0.0 {
                    continue;
                }
                let person = self.overlays(fit.portrait.sample_beyond(p.0, p.1), q);
                let old = [px[0], px[1], px[2]].map(f32::from);
                let colour = mix(old, person, a);
                for (o, v) in px.iter_mut().zip(colour) {
                    *o = v.round().clamp(0.0, 255.0) as u8;
                }
            }
        };
        // A 24 MP capture is drawn in two halves at once (the camera's thread waits for it).
        let raw: &mut [u8] = &mut c.img;
        let half_rows = raw.len().div_ceil(w * 3).div_ceil(2).max(1);
        std::thread::scope(|s| {
            for (i, part) in raw.chunks_mut(half_rows * w * 3).enumerate() {
                let row = &row;
                s.spawn(move || {
                    for (j, pixels) in part.chunks_exact_mut(w * 3).enumerate() {
                        row(i * half_rows + j, pixels);
                    }
                });
            }
        });
    }

    /// The drawn face (the cartoon's eyes and mouth on skin), with the pose's lids and teeth.
    fn face(&self, q: (f32, f32)) -> [f32; 3] {
        let mut c = self.skin;
        if EYES
            .iter()
            .any(|e| inside((e.0, e.1, EYE_SIZE.0, EYE_SIZE.1), q))
        {
            c = rgb(EYE);
        }
        if inside((MOUTH.0, MOUTH.1, MOUTH_HALF_WIDTH, 0.008), q) {
            c = rgb(LIPS);
        }
        self.overlays(c, q)
    }

    /// Colour `c` at head coordinates `q` with the pose's teeth and closed lids on it.
    fn overlays(&self, mut c: [f32; 3], q: (f32, f32)) -> [f32; 3] {
        if self.pose.teeth {
            c = self.teeth(c, q);
        }
        if self.pose.eyes_closed {
            for (eye, lid) in EYES.iter().zip(self.lids) {
                c = closed_lid(c, q, *eye, lid);
            }
        }
        c
    }

    /// Parted lips with the upper teeth between them: a band of tooth colour, shaded at its
    /// edges and toward the corners, with the gaps between teeth and a dark gap under them.
    fn teeth(&self, c: [f32; 3], q: (f32, f32)) -> [f32; 3] {
        let (mx, my) = self.mouth;
        let w = self.mouth_half_width;
        let lips = feather(radius((mx, my, w * 0.92, 0.014), q), 0.3);
        let c = mix(c, self.lips, lips);
        let inside = (mx, my + 0.0005, w * 0.78, 0.0095);
        let teeth = feather(radius(inside, q), 0.3);
        if teeth <= 0.0 {
            return c;
        }
        let u = (q.0 - mx) / (w * 0.76);
        let v = (q.1 - inside.1) / inside.3;
        // Six upper teeth across, narrower toward the corners; a thin darker gap between them.
        let k = u.abs().powf(0.8) * 3.0;
        let gap = (1.0 - (k - k.round()).abs() / 0.06).clamp(0.0, 1.0);
        let shade = (1.0 - 0.25 * u * u) * (1.0 - 0.18 * v.abs()) * (1.0 - 0.2 * gap);
        let tooth = TEETH.map(|x| x * shade);
        // Below the teeth, the dark of the open mouth.
        let mouth = (0.0f32).max((v - 0.55) / 0.45).min(1.0);
        mix(c, mix(tooth, MOUTH_INSIDE, mouth), teeth)
    }
}

/// A lid shut over the eye centred at `eye`: skin the colour of `lid`, shaded a little toward
/// the dark fringe of lashes along its sagging lower edge, with the lid's crease above.
fn closed_lid(c: [f32; 3], q: (f32, f32), eye: (f32, f32), lid: [f32; 3]) -> [f32; 3] {
    let (rx, ry) = LID_SIZE;
    let shape = (eye.0, eye.1 - 0.001, rx, ry);
    let a = feather(radius(shape, q), 0.4);
    if a <= 0.0 {
        return c;
    }
    let v = ((q.1 - shape.1) / ry).clamp(-1.0, 1.0);
    let shade = 0.96 - 0.06 * v;
    let c = mix(c, lid.map(|x| x * shade), a);
    let t = (q.0 - eye.0) / rx;
    if t.abs() >= 0.95 {
        return c;
    }
    let arc = 1.0 - t * t;
    // A dark arc `half` thick (frame heights) centred on row `at`, fading toward the corners.
    let line = |at: f32, half: f32| (1.0 - (q.1 - at).abs() / half.max(1e-6)).clamp(0.0, 1.0);
    let lashes = line(eye.1 + ry * 0.45 * arc, 0.003 * arc.sqrt());
    let crease = 0.25 * line(eye.1 - ry * 0.75 * arc.sqrt(), 0.0012 * arc.sqrt());
    let c = mix(c, lid.map(|x| x * 0.6), crease);
    mix(c, LASHES, lashes)
}

/// A phone held up in front of the chest, its screen showing the QR code. It stays where it is
/// however the graduate sits: they hold it up to the scan screen's target square.
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::super::portrait;
    use super::*;

    /// The real portrait, as `scripts/fetch-models.sh` leaves it; these tests fail without it.
    fn grace() -> Arc<Portrait> {
        let path = std::env::var_os("KIOSK_PORTRAIT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/photo-cache/portraits")
            })
            .join("grace_hopper.jpg");
        portrait::cached(&path).unwrap_or_else(|| {
            panic!(
                "portrait {} unavailable; run scripts/fetch-models.sh (or set KIOSK_PORTRAIT_DIR)",
                path.display()
            )
        })
    }

    fn person(pose: Pose) -> Scene {
        Scene {
            person: true,
            pose,
            qr: None,
        }
    }

    fn poses() -> Vec<Pose> {
        vec![
            Pose::default(),
            Pose {
                tilt_deg: 8.0,
                ..Pose::default()
            },
            Pose {
                tilt_deg: -8.0,
                off_centre: 0.2,
                ..Pose::default()
            },
            Pose {
                height: -0.19,
                ..Pose::default()
            },
            Pose {
                height: 0.13,
                off_centre: -0.1,
                tilt_deg: 5.0,
                ..Pose::default()
            },
        ]
    }

    /// Mean of the 3 × 3 pixels around (x, y).
    fn around(img: &RgbImage, (x, y): (f32, f32)) -> [f32; 3] {
        let mut sum = [0.0; 3];
        for dy in -1..=1 {
            for dx in -1..=1 {
                let p = img.get_pixel((x as i32 + dx) as u32, (y as i32 + dy) as u32);
                for (s, c) in sum.iter_mut().zip(p.0) {
                    *s += f32::from(c) / 9.0;
                }
            }
        }
        sum
    }

    fn diff(a: [f32; 3], b: [f32; 3]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }

    fn brightness(c: [f32; 3]) -> f32 {
        c.iter().sum::<f32>() / 3.0
    }

    #[test]
    fn the_portraits_eyes_land_where_the_pose_says() {
        let grace = grace();
        let [pl, pr] = grace.eyes;
        let irises = [grace.sample(pl.0, pl.1), grace.sample(pr.0, pr.1)];
        let skin = rgb(grace.skin);
        for pose in poses() {
            let img = draw(&person(pose), Some(&grace), 1500, 1000);
            for (eye, iris) in pose.eyes_px(1500, 1000).into_iter().zip(irises) {
                let got = around(&img, eye);
                assert!(
                    diff(got, iris) < 30.0,
                    "{pose:?}: {got:?} at {eye:?}, the iris is {iris:?}"
                );
                assert!(brightness(got) < brightness(skin) - 60.0, "{got:?}");
            }
        }
    }

    #[test]
    fn the_cartoon_face_has_its_eyes_where_the_pose_says() {
        for pose in poses() {
            let img = draw(&person(pose), None, 1500, 1000);
            for eye in pose.eyes_px(1500, 1000) {
                let got = around(&img, eye);
                assert!(diff(got, rgb(EYE)) < 0.5, "{pose:?}: {got:?} at {eye:?}");
            }
        }
    }

    #[test]
    fn closed_eyes_are_lids_and_teeth_are_white() {
        let grace = grace();
        for portrait in [Some(&*grace), None] {
            let open = Pose::default();
            let shut = Pose {
                eyes_closed: true,
                teeth: true,
                ..open
            };
            let a = draw(&person(open), portrait, 1500, 1000);
            let b = draw(&person(shut), portrait, 1500, 1000);
            for eye in open.eyes_px(1500, 1000) {
                let (o, s) = (around(&a, eye), around(&b, eye));
                assert!(
                    brightness(s) > brightness(o) + 50.0,
                    "open {o:?}, shut {s:?}"
                );
            }
            // In the middle of a front tooth, a little beside the mouth's centre.
            let head = Head::new(&open, SKIN, portrait);
            let tooth = (head.mouth.0 + 0.1 * head.mouth_half_width, head.mouth.1);
            let tooth = open.place(tooth);
            let tooth = (750.0 + tooth.0 * 1000.0, tooth.1 * 1000.0);
            let teeth = around(&b, tooth);
            assert!(diff(teeth, TEETH) < 25.0, "{teeth:?} at {tooth:?}");
            assert!(diff(around(&a, tooth), TEETH) > 60.0);
        }
    }

    #[test]
    fn the_person_follows_the_pose_and_the_body_fills_the_frame_below() {
        let crown = |img: &RgbImage| {
            (0..img.height())
                .find(|y| *img.get_pixel(img.width() / 2, *y) != BACKDROP)
                .unwrap()
        };
        let grace = grace();
        let up = Pose {
            height: -0.1,
            ..Pose::default()
        };
        let a = draw(&person(Pose::default()), Some(&grace), 1500, 1000);
        let b = draw(&person(up), Some(&grace), 1500, 1000);
        // The top of her cap, 0.2 frame heights above the eyes; lifted 100 px with the seat.
        assert!((160..=180).contains(&crown(&a)), "{}", crown(&a));
        assert_eq!(crown(&a) - crown(&b), 100);
        // Her jacket goes on to the frame's bottom, also below where the portrait ends.
        for img in [&a, &b] {
            let jacket = around(img, (750.0, 998.0));
            assert!(brightness(jacket) < 80.0, "{jacket:?}");
        }
        // A rolled head leaves the shoulders where they were.
        let tilted = draw(
            &person(Pose {
                tilt_deg: 8.0,
                ..Pose::default()
            }),
            Some(&grace),
            1500,
            1000,
        );
        for x in [520.0, 980.0] {
            assert_eq!(around(&a, (x, 760.0)), around(&tilted, (x, 760.0)));
        }
        assert_ne!(around(&a, (750.0, 250.0)), around(&tilted, (750.0, 250.0)));
    }
}
