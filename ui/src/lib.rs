//! The booth UI.
pub mod model;
slint::include_modules!();
