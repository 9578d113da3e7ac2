//! The one font every raster plot uses: DejaVu Sans, shipped in `assets/fonts/` with its
//! licence (Bitstream Vera / public domain), so PNG plots look the same on every machine.
//! SVG plots name the family `sans-serif` and let the viewer pick.

use std::sync::Once;

/// DejaVu Sans 2.37 (Debian fonts-dejavu-core); licence in `assets/fonts/LICENSE-DejaVu.txt`.
pub static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name the plots ask for.
pub const FAMILY: &str = "sans-serif";

/// Registers the font with plotters once per process.
pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [
            plotters::style::FontStyle::Normal,
            plotters::style::FontStyle::Bold,
        ] {
            if plotters::style::register_font(FAMILY, style, DEJAVU_SANS).is_err() {
                eprintln!("warning: the bundled plot font could not be loaded");
            }
        }
    });
}
