//! The per-video plots, each as SVG (inlined in the report) and PNG (to share elsewhere),
//! one file per plot: joint angles over time with rep phases shaded and the thresholds drawn
//! ([`angles`]), the bar path in cm to scale with the mid-foot line and the `bar_drift`
//! fault's limit from the set-up ([`bar_path`]), every rep's path from its own set-up
//! ([`rep_overlay`]), the bar's vertical velocity per rep ([`velocity`]) and a per-rep fault
//! chart ([`faults`]); the batch index's per-lifter trends ([`trends`]). What they share is in
//! [`common`]. Owns the drawing only; the numbers come from the analysis.

pub mod angles;
pub mod bar_path;
pub mod common;
pub mod faults;
pub mod rep_overlay;
pub mod trends;
pub mod velocity;

use std::path::Path;

pub use angles::AnglesPlot;
pub use bar_path::BarPathPlot;
pub use common::{draw_legend, HIP, KNEE, REP_COLOURS, THORACIC, THRESHOLD, TRUNK};
pub(crate) use common::{render_png, render_svg, runs, Plot};
pub use faults::FaultChart;
pub use velocity::VelocityPlot;

use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};

/// One plot written to the clip folder.
#[derive(Debug, Clone)]
pub struct PlotFile {
    /// File stem: `<stem>.svg` and `<stem>.png`.
    pub stem: &'static str,
    pub title: &'static str,
    /// The SVG text (also written to `<stem>.svg`).
    pub svg: String,
    /// Where time runs along the x axis, for a plot over time (the report's video cursor).
    pub time_axis: Option<TimeAxis>,
}

/// A time axis in the SVG's own pixels: `t0_s` at `x0_px`, `t1_s` at `x1_px`, in an SVG
/// `width_px` wide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeAxis {
    pub t0_s: f64,
    pub t1_s: f64,
    pub x0_px: i32,
    pub x1_px: i32,
    pub width_px: u32,
}

/// The plots of one clip, in report order.
#[derive(Debug, Clone, Default)]
pub struct Plots {
    pub files: Vec<PlotFile>,
}

fn write_plot<P: Plot>(
    plot: &P,
    dir: &Path,
    stem: &'static str,
    title: &'static str,
) -> Result<PlotFile> {
    let svg_path = dir.join(format!("{stem}.svg"));
    let err = |path: &Path, reason: String| Error::Output {
        path: path.to_path_buf(),
        reason,
    };
    let svg = render_svg(plot).map_err(|e| err(&svg_path, e))?;
    std::fs::write(&svg_path, &svg).map_err(|e| err(&svg_path, e.to_string()))?;
    let png_path = dir.join(format!("{stem}.png"));
    render_png(plot, &png_path).map_err(|e| err(&png_path, e))?;
    Ok(PlotFile {
        stem,
        title,
        svg,
        time_axis: None,
    })
}

/// Writes every plot of `clip` into `dir`.
pub fn write_plots(clip: &ClipAnalysis, config: &Config, dir: &Path) -> Result<Plots> {
    let angles = AnglesPlot::new(clip, config);
    let mut angles_file = write_plot(&angles, dir, "angles", "Joint angles over time")?;
    angles_file.time_axis = angles.time_axis();
    let files = vec![
        angles_file,
        write_plot(&BarPathPlot::new(clip, config), dir, "bar_path", "Bar path")?,
        write_plot(
            &rep_overlay::RepOverlayPlot::new(clip, config),
            dir,
            "rep_overlay",
            "Reps overlaid (bar path from each rep's set-up)",
        )?,
        write_plot(
            &VelocityPlot::new(clip),
            dir,
            "bar_velocity",
            "Bar velocity per rep",
        )?,
        write_plot(&FaultChart::new(clip), dir, "faults", "Faults per rep")?,
    ];
    Ok(Plots { files })
}

/// The SVGs only, without files (tests).
pub fn render_all_svg(
    clip: &ClipAnalysis,
    config: &Config,
) -> std::result::Result<Vec<String>, String> {
    Ok(vec![
        render_svg(&AnglesPlot::new(clip, config))?,
        render_svg(&BarPathPlot::new(clip, config))?,
        render_svg(&VelocityPlot::new(clip))?,
        render_svg(&FaultChart::new(clip))?,
        render_svg(&rep_overlay::RepOverlayPlot::new(clip, config))?,
    ])
}
