//! Rendering without a display: a Slint platform around the software renderer that draws into
//! memory, for the walkthrough and tests.

use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, Rgb8Pixel};

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
    width: u32,
    height: u32,
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
        width,
        height,
    })
}

impl Screen {
    /// Draw the current state of the window and return it as an RGB image.
    pub fn snapshot(&self) -> image::RgbImage {
        slint::platform::update_timers_and_animations();
        self.window
            .set_size(PhysicalSize::new(self.width, self.height));
        self.window.request_redraw();
        let mut buffer = vec![Rgb8Pixel::default(); (self.width * self.height) as usize];
        self.window.draw_if_needed(|renderer| {
            renderer.render(&mut buffer, self.width as usize);
        });
        let raw: Vec<u8> = buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        image::RgbImage::from_raw(self.width, self.height, raw).expect("buffer size matches")
    }

    /// Show the window (needed once before the first snapshot).
    pub fn show(&self, window: &impl slint::ComponentHandle) -> Result<(), slint::PlatformError> {
        window.show()
    }
}
