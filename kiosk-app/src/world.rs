//! What the runtime drives, in one value: the devices, the collection service, the journal,
//! the photo lab and the metrics. Its own module so that what only needs the parts (the
//! diagnostics, the maintenance screen, `kiosk doctor`) does not depend on the runtime.

use std::sync::Arc;

use camera_driver::CameraActor;
use chair_control::{Chair, Lights};
use collection_service::CollectionService;

use crate::journal::Journal;

/// What the runtime drives: the devices, the collection service and the journal.
#[derive(Clone)]
pub struct World {
    /// The camera thread.
    pub camera: Arc<CameraActor>,
    /// Studio lights.
    pub lights: Arc<Lights>,
    /// The chair.
    pub chair: Arc<Chair>,
    /// The collection service.
    pub service: Arc<dyn CollectionService>,
    /// The journal.
    pub journal: Arc<Journal>,
    /// The photo lab (detector loaded once).
    pub photo: Arc<crate::photo_lab::PhotoLab>,
    /// What Prometheus scrapes.
    pub metrics: Arc<kiosk_ops::metrics::Metrics>,
    /// The time the runtime goes by: the wall clock, or the walkthrough's own.
    pub clock: kiosk_core::clock::Clock,
}
