# The cargo features every build in the tests and CI uses (sourced by scripts/test.sh and .ci/run).
# One feature set means one build of Slint and of our crates, shared by clippy's, the tests' and
# the benchmarks' builds; a second set rebuilds Slint and everything above it (minutes on 2 cores).
# - kiosk-app/linuxkms: the booth's display backend, so it keeps compiling and linking.
# - kiosk-app/ui-introspection: `kiosk demo` in a window with Slint's introspection server, for
#   the window test (kiosk-app/tests/window/: Xvfb, touched by accessible label). Never in a
#   booth's build.
# - kiosk-app/layout-check: the walkthrough's layout check (Slint's testing backend), which the
#   walkthrough and layout tests assert on. Never in a booth's build.
TEST_FEATURES="kiosk-app/linuxkms,kiosk-app/ui-introspection,kiosk-app/layout-check"
