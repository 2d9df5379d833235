//! One MTCNN network: loaded once with symbolic dimensions, optimised per concrete input shape
//! on first use, and run.
//!
//! tract optimises much better for concrete image sizes: measured on P-Net at 308 × 308, the
//! plan with symbolic height and width took 67 ms, the concrete one 28 ms (2-core VM, busy). A
//! kiosk sees the same few shapes all day (one camera, one pyramid), so the cache stays small;
//! it is still bounded in case the input size keeps changing. A symbolic batch size costs
//! nothing measurable (R-Net and O-Net on the bench capture: the same within noise, 15 runs
//! each), so the patch networks have one plan, optimised at load, and run any number of
//! patches at once: no batch size is ever optimised in the middle of a shot.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;

use crate::error::PhotoError;

type Plan = Arc<TypedRunnableModel>;

/// More shapes than a pyramid of a few input sizes needs; beyond it the cache starts over.
const MAX_PLANS: usize = 64;

/// What a network's input is.
#[derive(Clone, Copy)]
enum Input {
    /// One image of any height and width.
    Image,
    /// Any number of square patches of this side.
    Patches(usize),
    /// One square image of this side.
    Single(usize),
}

/// A network and its optimised plans by input shape.
pub struct Net {
    stage: &'static str,
    path: PathBuf,
    model: TypedModel,
    symbols: Vec<Symbol>,
    plans: Mutex<HashMap<Vec<i64>, Plan>>,
}

impl Net {
    /// Loads `dir/name`. With `side` the input is a batch of `side × side` patches (symbol:
    /// the batch size); without, one image of any size (symbols: height, width).
    pub fn load(
        dir: &Path,
        name: &str,
        stage: &'static str,
        side: Option<usize>,
    ) -> Result<Self, PhotoError> {
        Self::load_as(dir, name, stage, side.map_or(Input::Image, Input::Patches))
    }

    /// Loads `dir/name` for one `side × side` image at a time: for networks converted with a
    /// batch of one written into their shapes (the face mesh and iris).
    pub fn load_single(
        dir: &Path,
        name: &str,
        stage: &'static str,
        side: usize,
    ) -> Result<Self, PhotoError> {
        Self::load_as(dir, name, stage, Input::Single(side))
    }

    fn load_as(
        dir: &Path,
        name: &str,
        stage: &'static str,
        input: Input,
    ) -> Result<Self, PhotoError> {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(PhotoError::ModelMissing { path });
        }
        let invalid = |e: TractError| PhotoError::ModelInvalid {
            path: path.clone(),
            reason: format!("{e:#}"),
        };
        let model = onnx().model_for_path(&path).map_err(invalid)?;
        let (shape, symbols): (TVec<TDim>, Vec<Symbol>) = match input {
            Input::Single(s) => (tvec![1.into(), 3.into(), s.into(), s.into()], Vec::new()),
            Input::Image => {
                let (h, w) = (model.sym("h"), model.sym("w"));
                (
                    tvec![1.into(), 3.into(), h.clone().into(), w.clone().into()],
                    vec![h, w],
                )
            }
            Input::Patches(s) => {
                let n = model.sym("n");
                (
                    tvec![n.clone().into(), 3.into(), s.into(), s.into()],
                    vec![n],
                )
            }
        };
        let model = model
            .with_input_fact(0, InferenceFact::dt_shape(f32::datum_type(), shape))
            .and_then(|m| m.into_typed())
            .and_then(|m| m.into_decluttered())
            .map_err(invalid)?;
        let net = Self {
            stage,
            path,
            model,
            symbols,
            plans: Mutex::new(HashMap::new()),
        };
        // Optimise now so a model tract cannot run fails at start-up, not mid-session (the
        // patch networks' one plan; a first image size for P-Net).
        net.plan(&net.key(&[1, 3, 12, 12]))?;
        Ok(net)
    }

    /// The plan cache's key for an input shape: height and width for P-Net; nothing for the
    /// patch networks (their batch size stays symbolic) and the single-image ones.
    fn key(&self, shape: &[usize; 4]) -> Vec<i64> {
        if self.symbols.len() == 2 {
            vec![shape[2] as i64, shape[3] as i64]
        } else {
            Vec::new()
        }
    }

    /// Optimises the plan for one N×C×H×W input shape now, so the first run at that shape
    /// does not pay for it.
    pub fn prepare(&self, shape: [usize; 4]) -> Result<(), PhotoError> {
        self.plan(&self.key(&shape)).map(drop)
    }

    fn plan(&self, values: &[i64]) -> Result<Plan, PhotoError> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = plans.get(values) {
            return Ok(p.clone());
        }
        let subs: HashMap<Symbol, TDim> = self
            .symbols
            .iter()
            .cloned()
            .zip(values.iter().map(|&v| TDim::Val(v)))
            .collect();
        let plan = self
            .model
            .set_symbols(&subs)
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| PhotoError::ModelInvalid {
                path: self.path.clone(),
                reason: format!("{e:#}"),
            })?;
        if plans.len() >= MAX_PLANS {
            plans.clear();
        }
        plans.insert(values.to_vec(), plan.clone());
        Ok(plan)
    }

    /// Runs the network on one N×C×H×W tensor.
    pub fn run(&self, shape: [usize; 4], data: Vec<f32>) -> Result<TVec<TValue>, PhotoError> {
        let stage = self.stage;
        let fail = |reason: String| PhotoError::Inference { stage, reason };
        let plan = self.plan(&self.key(&shape))?;
        let tensor = tract_ndarray::ArrayD::from_shape_vec(&shape[..], data)
            .map_err(|e| fail(e.to_string()))?
            .into_tensor();
        plan.run(tvec![tensor.into_tvalue()])
            .map_err(|e| fail(format!("{e:#}")))
    }

    /// Runs `n` patches of `side × side` as one batch. Returns, per output channel count asked
    /// for, one row per patch.
    pub fn run_patches(
        &self,
        n: usize,
        side: usize,
        data: Vec<f32>,
        channels: &[usize],
    ) -> Result<Vec<Vec<Vec<f32>>>, PhotoError> {
        let out = self.run([n, 3, side, side], data)?;
        channels
            .iter()
            .map(|&c| {
                let v = by_channels(self.stage, &out, c)?;
                Ok((0..n)
                    .map(|i| (0..c).map(|j| v[[i, j]]).collect())
                    .collect())
            })
            .collect()
    }
}

/// The output with `channels` in its second dimension (2 = probabilities, 4 = box offsets,
/// 10 = landmarks), found by shape rather than position so a re-export with another output
/// order still works.
pub fn by_channels<'a>(
    stage: &'static str,
    out: &'a TVec<TValue>,
    channels: usize,
) -> Result<tract_ndarray::ArrayViewD<'a, f32>, PhotoError> {
    out.iter()
        .filter_map(|t| t.to_plain_array_view::<f32>().ok())
        .find(|v| v.ndim() >= 2 && v.shape()[1] == channels)
        .ok_or(PhotoError::Inference {
            stage,
            reason: format!("no output with {channels} channels"),
        })
}
