//! Rendering without a display: a Slint platform around the software renderer that draws into
//! memory, for the walkthrough and tests.

use std::cell::Cell;
use std::rc::Rc;

use slint::PhysicalSize;
pub use slint::Rgb8Pixel;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// The in-memory screen.
pub struct Screen {
    window: Rc<MinimalSoftwareWindow>,
    width: Cell<u32>,
    height: Cell<u32>,
}

/// Install the headless platform (once per process) with a screen of `width` × `height`.
pub fn install(width: u32, height: u32) -> Result<Screen, slint::PlatformError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    window.set_size(PhysicalSize::new(width, height));
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
    }))
    .map_err(|e| slint::PlatformError::Other(e.to_string()))?;
    Ok(Screen {
        window,
        width: Cell::new(width),
        height: Cell::new(height),
    })
}

impl Screen {
    /// Draw the current state of the window and return it as an RGB image.
    pub fn snapshot(&self) -> image::RgbImage {
        let (width, height) = (self.width.get(), self.height.get());
        slint::platform::update_timers_and_animations();
        self.window.set_size(PhysicalSize::new(width, height));
        self.window.request_redraw();
        let mut buffer = vec![Rgb8Pixel::default(); (width * height) as usize];
        self.window.draw_if_needed(|renderer| {
            renderer.render(&mut buffer, width as usize);
        });
        let raw: Vec<u8> = buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        image::RgbImage::from_raw(width, height, raw).expect("buffer size matches")
    }

    /// Draw the whole window into `buffer` (resized to fit), as a display's frame would be:
    /// the frame-time benchmark's unit of work.
    pub fn draw_into(&self, buffer: &mut Vec<Rgb8Pixel>) {
        let (width, height) = (self.width.get(), self.height.get());
        buffer.resize((width * height) as usize, Rgb8Pixel::default());
        slint::platform::update_timers_and_animations();
        self.window.request_redraw();
        self.window.draw_if_needed(|renderer| {
            renderer.render(buffer, width as usize);
        });
    }

    /// Change the screen's size (landscape ↔ portrait).
    pub fn resize(&self, width: u32, height: u32) {
        self.width.set(width);
        self.height.set(height);
        self.window.set_size(PhysicalSize::new(width, height));
    }

    /// Show the window (needed once before the first snapshot).
    pub fn show(&self, window: &impl slint::ComponentHandle) -> Result<(), slint::PlatformError> {
        window.show()
    }
}
