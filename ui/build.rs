//! Compiles the booth's Slint screens with bundled translations (assets/translations).

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("../assets/translations")
        .with_debug_info(true);
    slint_build::compile_with_config("ui/kiosk.slint", config).expect("Slint build failed");
}
