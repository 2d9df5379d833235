//! The `kiosk` command: parse the command line and hand over to [`kiosk_app::cli`].

fn main() -> std::process::ExitCode {
    kiosk_app::cli::main()
}
