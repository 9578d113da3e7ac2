//! The per-video plots, each as SVG (inlined in the report) and PNG (to share elsewhere):
//! joint angles over time with rep phases shaded and the thresholds drawn, the bar path in cm
//! to scale with the mid-foot line and the `bar_drift` fault's limit (from the set-up), the bar's vertical velocity per rep,
//! and a per-rep fault chart. Owns the drawing only; the numbers come from the analysis.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font;
use super::timeline::{self, Phase};
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};

type PlotResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Continuous runs of (x, y) points; a gap in the data starts a new run.
pub(crate) type Runs = Vec<Vec<(f64, f64)>>;
/// A named, coloured line made of runs.
type Line<N> = (N, RGBColor, Runs);

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

/// Colours, shared with the annotated video's legend where it makes sense.
pub const TRUNK: RGBColor = RGBColor(31, 119, 180);
pub const HIP: RGBColor = RGBColor(214, 39, 40);
pub const KNEE: RGBColor = RGBColor(44, 160, 44);
pub const THORACIC: RGBColor = RGBColor(148, 103, 189);
/// Threshold lines are drawn in this colour family so tests and readers can find them.
pub const THRESHOLD: RGBColor = RGBColor(120, 120, 120);
const SETUP_FILL: RGBColor = RGBColor(238, 238, 238);
const PULL_FILL: RGBColor = RGBColor(255, 236, 200);
const LOWER_FILL: RGBColor = RGBColor(220, 235, 252);
/// One colour per rep (cycled).
pub const REP_COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The legend of every plot: a light box at `at`, labels at `font_px`.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: SeriesLabelPosition,
    font_px: u32,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(at)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(180, 180, 180))
        .label_font((font::FAMILY, font_px))
        .draw()?;
    Ok(())
}

/// One line per rep (possibly in several runs), with a legend entry per rep.
fn draw_rep_lines<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    reps: &[Line<String>],
    legend_at: SeriesLabelPosition,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    for (name, colour, runs) in reps {
        let mut first = true;
        for run in runs {
            let s = chart.draw_series(LineSeries::new(run.clone(), colour.stroke_width(2)))?;
            if first {
                let c = *colour;
                s.label(name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))
                });
                first = false;
            }
        }
    }
    draw_legend(chart, legend_at, 13)
}

/// Something drawable on any plotters backend.
pub(crate) trait Plot {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static;
}

pub(crate) fn render_svg<P: Plot>(plot: &P) -> std::result::Result<String, String> {
    font::register();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, plot.size()).into_drawing_area();
        plot.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

pub(crate) fn render_png<P: Plot>(plot: &P, path: &Path) -> std::result::Result<(), String> {
    font::register();
    let root = BitMapBackend::new(path, plot.size()).into_drawing_area();
    plot.draw(&root).map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
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
            &super::rep_overlay::RepOverlayPlot::new(clip, config),
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
        render_svg(&super::rep_overlay::RepOverlayPlot::new(clip, config))?,
    ])
}

/// Every how many frames to plot so a long clip stays a light SVG (~2500 points a line).
fn stride(frames: usize) -> usize {
    frames.div_ceil(2500).max(1)
}

/// Splits a gappy series into continuous runs of points.
pub(crate) fn runs(points: impl Iterator<Item = Option<(f64, f64)>>) -> Runs {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for p in points {
        match p {
            Some(p) if p.0.is_finite() && p.1.is_finite() => {
                if let Some(last) = out.last_mut() {
                    last.push(p)
                }
            }
            _ => {
                if out.last().map(|l| !l.is_empty()).unwrap_or(false) {
                    out.push(Vec::new());
                }
            }
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

pub(crate) fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    why: &str,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        title.to_string(),
        (16, 12),
        (font::FAMILY, 22).into_font().color(&BLACK),
    ))?;
    root.draw(&Text::new(
        why.to_string(),
        (w as i32 / 2 - 200, h as i32 / 2),
        (font::FAMILY, 18).into_font().color(&RGBColor(90, 90, 90)),
    ))?;
    Ok(())
}

pub(crate) fn padded_range(values: impl Iterator<Item = f64>, min_span: f64) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return None;
    }
    let span = (hi - lo).max(min_span);
    let mid = (hi + lo) / 2.0;
    Some((mid - span * 0.55, mid + span * 0.55))
}

/// Widens one of two ranges so both axes show the same units per pixel on a plot area of
/// `w_px`×`h_px` (a bar path drawn to scale: 10 cm across looks as long as 10 cm up).
pub(crate) fn to_scale(
    x: (f64, f64),
    y: (f64, f64),
    w_px: u32,
    h_px: u32,
) -> ((f64, f64), (f64, f64)) {
    let (w, h) = (w_px.max(1) as f64, h_px.max(1) as f64);
    let per_px = ((x.1 - x.0) / w).max((y.1 - y.0) / h);
    let widen = |r: (f64, f64), px: f64| {
        let extra = (per_px * px - (r.1 - r.0)) / 2.0;
        (r.0 - extra, r.1 + extra)
    };
    (widen(x, w), widen(y, h))
}

/// The plotting area of a chart built with [`ChartBuilder::margin`] `margin`, x label area
/// `x_label_px` (bottom) and y label area `y_label_px` (left) on an area of `dims`.
pub(crate) fn plotting_px(
    dims: (u32, u32),
    margin: u32,
    x_label_px: u32,
    y_label_px: u32,
) -> (u32, u32) {
    (
        dims.0.saturating_sub(2 * margin + y_label_px),
        dims.1.saturating_sub(2 * margin + x_label_px),
    )
}

/// A horizontal threshold line with its label: `(label, value, from_s, to_s)`.
struct ThresholdLine {
    label: String,
    value_deg: f64,
    from_s: f64,
    to_s: f64,
    colour: RGBColor,
    /// Label under the line (two limits close together would overlap).
    label_below: bool,
}

/// Angles (trunk, hip, knee, upper-back flexion) over time.
pub struct AnglesPlot {
    series: Vec<Line<&'static str>>,
    phases: Vec<(Phase, f64, f64)>,
    thresholds: Vec<ThresholdLine>,
    t_range_s: (f64, f64),
    /// The plotting area's pixel columns, recorded by the last draw (for [`TimeAxis`]).
    x_px: std::cell::Cell<Option<(i32, i32)>>,
}

impl AnglesPlot {
    /// The time axis as last drawn (`None` before a draw, or with no angles to draw).
    pub fn time_axis(&self) -> Option<TimeAxis> {
        let (x0_px, x1_px) = self.x_px.get()?;
        Some(TimeAxis {
            t0_s: self.t_range_s.0,
            t1_s: self.t_range_s.1,
            x0_px,
            x1_px,
            width_px: self.size().0,
        })
    }
}

impl AnglesPlot {
    pub fn new(clip: &ClipAnalysis, config: &Config) -> Self {
        let k = &clip.kinematics;
        let t = &k.time_s;
        let step = stride(t.len());
        let zip = |s: &[Option<f64>]| {
            runs(
                t.iter()
                    .zip(s)
                    .step_by(step)
                    .map(|(t, v)| v.map(|v| (*t, v))),
            )
        };
        let series = vec![
            ("trunk from vertical", TRUNK, zip(&k.angles.trunk_angle_deg)),
            ("hip", HIP, zip(&k.angles.hip_angle_deg)),
            ("knee", KNEE, zip(&k.angles.knee_angle_deg)),
            (
                "upper-back flexion",
                THORACIC,
                zip(&clip.thoracic_flexion_deg),
            ),
        ];
        let time = |f: usize| timeline::frame_time_s(clip, f);
        let phases = clip
            .analysis
            .reps
            .iter()
            .flat_map(timeline::phase_spans)
            .map(|(p, a, b)| (p, time(a), time(b)))
            .collect();
        let t_end = t.last().copied().unwrap_or(1.0).max(0.1);
        let mut thresholds = vec![
            ThresholdLine {
                label: format!(
                    "hip at lockout ≥ {:.0}°",
                    config.faults.incomplete_lockout.min_hip_angle_deg
                ),
                value_deg: config.faults.incomplete_lockout.min_hip_angle_deg,
                from_s: 0.0,
                to_s: t_end,
                colour: HIP,
                label_below: false,
            },
            ThresholdLine {
                label: format!(
                    "knee at lockout ≥ {:.0}°",
                    config.faults.incomplete_lockout.min_knee_angle_deg
                ),
                value_deg: config.faults.incomplete_lockout.min_knee_angle_deg,
                from_s: 0.0,
                to_s: t_end,
                colour: KNEE,
                label_below: true,
            },
        ];
        // Upper-back rounding: the lower of the fault's two limits over the bent-over
        // frames, the lifter's own standing back curve + the allowed increase, or the curve
        // limit itself.
        let input = clip.fault_input(config);
        let cfg = &config.faults.thoracic_rounding;
        let standing = crate::faults::thoracic_rounding::upright_flexion_deg(&input);
        let (limit, label) = match standing {
            Some(s) if s + cfg.max_increase_deg < cfg.max_curve_deg => (
                s + cfg.max_increase_deg,
                format!(
                    "back flexion limit {:.0}° (standing {s:.0}° +{:.0}°)",
                    s + cfg.max_increase_deg,
                    cfg.max_increase_deg
                ),
            ),
            _ => (
                cfg.max_curve_deg,
                format!("back flexion limit {:.0}° (curve)", cfg.max_curve_deg),
            ),
        };
        thresholds.push(ThresholdLine {
            label,
            value_deg: limit,
            from_s: 0.0,
            to_s: t_end,
            colour: THORACIC,
            label_below: false,
        });
        AnglesPlot {
            series,
            phases,
            thresholds,
            t_range_s: (t.first().copied().unwrap_or(0.0), t_end),
            x_px: std::cell::Cell::new(None),
        }
    }
}

impl Plot for AnglesPlot {
    fn size(&self) -> (u32, u32) {
        (960, 500)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        if self.series.iter().all(|s| s.2.is_empty()) {
            return no_data(
                root,
                "Joint angles over time",
                "no angles: no person tracked",
            );
        }
        root.fill(&WHITE)?;
        let values = self
            .series
            .iter()
            .flat_map(|s| s.2.iter().flatten().map(|p| p.1))
            .chain(self.thresholds.iter().map(|t| t.value_deg));
        let (y0, y1) = padded_range(values, 40.0).unwrap_or((0.0, 180.0));
        // room above the data for the legend
        let (y0, y1) = (y0.min(0.0), y1.max(185.0) + 70.0);
        let mut chart = ChartBuilder::on(root)
            .caption("Joint angles over time", (font::FAMILY, 22))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(self.t_range_s.0..self.t_range_s.1, y0..y1)?;
        let (columns, _) = chart.plotting_area().get_pixel_range();
        self.x_px.set(Some((columns.start, columns.end)));
        chart
            .configure_mesh()
            .x_desc("Time (s)")
            .y_desc("Angle (°)")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((font::FAMILY, 14))
            .axis_desc_style((font::FAMILY, 16))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        for (phase, a, b) in &self.phases {
            let fill = match phase {
                Phase::Setup => SETUP_FILL,
                Phase::Pull | Phase::Lockout => PULL_FILL,
                Phase::Lowering => LOWER_FILL,
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(*a, y0), (*b, y1)],
                fill.filled(),
            )))?;
        }
        for t in &self.thresholds {
            chart.draw_series(DashedLineSeries::new(
                vec![(t.from_s, t.value_deg), (t.to_s, t.value_deg)],
                8,
                5,
                t.colour.mix(0.8).stroke_width(2),
            ))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((t.from_s + (t.to_s - t.from_s) * 0.01, t.value_deg))
                    + Text::new(
                        format!("threshold: {}", t.label),
                        (2, if t.label_below { 4 } else { -17 }),
                        (font::FAMILY, 13).into_font().color(&t.colour),
                    ),
            ))?;
        }
        for (name, colour, runs) in &self.series {
            let mut first = true;
            for run in runs {
                let s = chart.draw_series(LineSeries::new(run.clone(), colour.stroke_width(2)))?;
                if first {
                    let c = *colour;
                    s.label(format!("{name} (°)")).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))
                    });
                    first = false;
                }
            }
        }
        // Phase legend entries (empty series, legend only).
        for (label, fill) in [
            ("set-up", SETUP_FILL),
            ("pull", PULL_FILL),
            ("lowering", LOWER_FILL),
        ] {
            if self.phases.is_empty() {
                break;
            }
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                .label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], fill.filled()));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, 13)
    }
}

/// Bar path: horizontal distance from mid-foot against height, in cm, one colour per rep,
/// drawn to scale. The drift limit is the `bar_drift` fault's: the bar's position at the
/// rep's set-up + `max_forward_cm` (see [`timeline::drift_reference_cm`]), one dashed line
/// per rep, or one for the set when the reps set up within 0.5 cm of each other.
pub struct BarPathPlot {
    reps: Vec<Line<String>>,
    /// (label, colour, x in cm from mid-foot) of each drift limit line.
    limits: Vec<(String, RGBColor, f64)>,
    scale_note: String,
}

impl BarPathPlot {
    pub fn new(clip: &ClipAnalysis, config: &Config) -> Self {
        let n = clip.bar.samples.len();
        let path = |a: usize, b: usize| {
            runs(
                (a..=b.min(n.saturating_sub(1)))
                    .step_by(stride(b.saturating_sub(a)))
                    .map(|i| Some((timeline::bar_x_cm(clip, i)?, clip.bar.height_cm(i)?))),
            )
        };
        let max = config.faults.bar_drift.max_forward_cm;
        let mut reps = Vec::new();
        let mut limits: Vec<(String, RGBColor, f64)> = Vec::new();
        for (i, r) in clip.analysis.reps.iter().enumerate() {
            let Some((a, b)) = timeline::rep_span(r) else {
                continue;
            };
            let colour = REP_COLOURS[i % REP_COLOURS.len()];
            reps.push((format!("rep {}", r.index), colour, path(a, b)));
            if let Some(reference) = timeline::drift_reference_cm(clip, r) {
                limits.push((
                    format!("threshold: rep {} set-up + {max:.0} cm", r.index),
                    colour,
                    reference + max,
                ));
            }
        }
        let xs = || limits.iter().map(|l| l.2);
        let spread = xs().fold(f64::NEG_INFINITY, f64::max) - xs().fold(f64::INFINITY, f64::min);
        if limits.len() > 1 && spread <= 0.5 {
            let mean = xs().sum::<f64>() / limits.len() as f64;
            limits = vec![(
                format!("threshold: set-up position + {max:.0} cm"),
                THRESHOLD,
                mean,
            )];
        } else if limits.len() == 1 {
            limits[0].0 = format!("threshold: set-up position + {max:.0} cm");
            limits[0].1 = THRESHOLD;
        }
        if reps.is_empty() && n > 0 {
            reps.push((
                "whole clip (no reps found)".into(),
                RGBColor(90, 90, 90),
                path(0, n - 1),
            ));
        }
        let source = match clip.bar.samples.iter().find(|s| s.x_px.is_some()) {
            Some(s) => s.source.as_str(),
            None => "none",
        };
        BarPathPlot {
            reps,
            limits,
            scale_note: format!(
                "to scale (same cm per pixel across and up); bar from: {source}; scale from: {} (confidence {:.2})",
                clip.bar.scale.source, clip.bar.scale.confidence
            ),
        }
    }
}

impl Plot for BarPathPlot {
    fn size(&self) -> (u32, u32) {
        (600, 680)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        let points = || self.reps.iter().flat_map(|r| r.2.iter().flatten());
        if points().next().is_none() {
            return no_data(
                root,
                "Bar path",
                "no bar position or no scale (mid-foot, floor)",
            );
        }
        root.fill(&WHITE)?;
        let xs = points()
            .map(|p| p.0)
            .chain(self.limits.iter().map(|l| l.2))
            .chain([0.0]);
        let (x0, x1) = padded_range(xs, 30.0).unwrap_or((-15.0, 15.0));
        let (h0, h1) = padded_range(points().map(|p| p.1), 60.0).unwrap_or((0.0, 100.0));
        let (_, h) = root.dim_in_pixel();
        let (upper, lower) = root.split_vertically(h.saturating_sub(26));
        let upper = upper.titled("Bar path (side view)", (font::FAMILY, 22))?;
        let (margin, x_label, y_label) = (12, 64, 60);
        let (pw, ph) = plotting_px(upper.dim_in_pixel(), margin, x_label, y_label);
        // headroom above the path for the legend
        let h1 = h1 + (h1 - h0.min(0.0)) * 0.25;
        let ((x0, x1), (h0, h1)) = to_scale((x0, x1), (h0.min(0.0), h1), pw, ph);
        let mut chart = ChartBuilder::on(&upper)
            .margin(margin)
            .x_label_area_size(x_label)
            .y_label_area_size(y_label)
            .build_cartesian_2d(x0..x1, h0..h1)?;
        chart
            .configure_mesh()
            .x_desc("Bar from mid-foot (cm, + = forward, towards the toes)")
            .y_desc("Bar height above the floor (cm)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((font::FAMILY, 14))
            .axis_desc_style((font::FAMILY, 15))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        // beyond the (nearest) limit is where the fault fires
        if let Some(limit) = self.limits.iter().map(|l| l.2).reduce(f64::min) {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(limit, h0), (x1, h1)],
                RGBColor(250, 215, 210).mix(0.5).filled(),
            )))?;
        }
        for (label, colour, x) in &self.limits {
            let c = *colour;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(*x, h0), (*x, h1)],
                    8,
                    5,
                    c.stroke_width(1),
                ))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(1))
                });
        }
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, h0), (0.0, h1)],
                BLACK.stroke_width(2),
            ))?
            .label("mid-foot")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        draw_rep_lines(&mut chart, &self.reps, SeriesLabelPosition::UpperLeft)?;
        lower.draw(&Text::new(
            self.scale_note.clone(),
            (14, 4),
            (font::FAMILY, 12)
                .into_font()
                .color(&RGBColor(100, 100, 100)),
        ))?;
        Ok(())
    }
}

/// Vertical bar velocity against time from lift-off, one line per rep.
pub struct VelocityPlot {
    reps: Vec<Line<String>>,
}

impl VelocityPlot {
    pub fn new(clip: &ClipAnalysis) -> Self {
        let v = timeline::bar_velocity_m_per_s(clip, 2);
        let time = |f: usize| timeline::frame_time_s(clip, f);
        let series = |a: usize, b: usize, t0: f64| {
            runs(
                (a..=b.min(v.len().saturating_sub(1)))
                    .step_by(stride(b.saturating_sub(a)))
                    .map(|i| Some((time(i) - t0, v.get(i).copied().flatten()?))),
            )
        };
        let mut reps: Vec<_> = clip
            .analysis
            .reps
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let (a, b) = timeline::rep_span(r)?;
                let t0 = time(r.liftoff_frame.unwrap_or(a));
                let mean = r
                    .bar
                    .mean_concentric_velocity_m_per_s
                    .map(|m| format!(", mean up {m:.2} m/s"))
                    .unwrap_or_default();
                Some((
                    format!("rep {}{mean}", r.index),
                    REP_COLOURS[i % REP_COLOURS.len()],
                    series(a, b, t0),
                ))
            })
            .collect();
        if reps.is_empty() && !v.is_empty() {
            reps.push((
                "whole clip (no reps found)".into(),
                RGBColor(90, 90, 90),
                series(0, v.len() - 1, 0.0),
            ));
        }
        VelocityPlot { reps }
    }
}

impl Plot for VelocityPlot {
    fn size(&self) -> (u32, u32) {
        (760, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        let points = || self.reps.iter().flat_map(|r| r.2.iter().flatten());
        if points().next().is_none() {
            return no_data(
                root,
                "Bar velocity",
                "no bar height (no bar track or no scale)",
            );
        }
        root.fill(&WHITE)?;
        let (t0, t1) = padded_range(points().map(|p| p.0), 1.0).unwrap_or((0.0, 1.0));
        let (v0, v1) = padded_range(points().map(|p| p.1), 1.0).unwrap_or((-1.0, 1.0));
        let mut chart = ChartBuilder::on(root)
            .caption("Vertical bar velocity per rep", (font::FAMILY, 22))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(t0..t1, v0..v1)?;
        chart
            .configure_mesh()
            .x_desc("Time from lift-off (s)")
            .y_desc("Velocity (m/s, + = up)")
            .label_style((font::FAMILY, 14))
            .axis_desc_style((font::FAMILY, 16))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        chart.draw_series(LineSeries::new(
            vec![(t0, 0.0), (t1, 0.0)],
            RGBColor(120, 120, 120).stroke_width(1),
        ))?;
        draw_rep_lines(&mut chart, &self.reps, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

/// One cell of the fault chart.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Fault {
        value: f64,
        threshold: f64,
        unit: String,
    },
    Clear,
    NotAssessable,
}

/// Rows = fault kinds, columns = reps; red = found (value / threshold), green = assessed and
/// clear, grey = could not be judged.
pub struct FaultChart {
    reps: Vec<usize>,
    rows: Vec<(String, Vec<Cell>)>,
}

impl FaultChart {
    pub fn new(clip: &ClipAnalysis) -> Self {
        let a = &clip.analysis;
        let reps: Vec<usize> = a.reps.iter().map(|r| r.index).collect();
        let mut kinds: Vec<String> = Vec::new();
        for k in a
            .faults
            .iter()
            .map(|f| &f.kind)
            .chain(a.not_assessable.iter().map(|n| &n.kind))
        {
            if !kinds.contains(k) {
                kinds.push(k.clone());
            }
        }
        let rows = kinds
            .into_iter()
            .map(|kind| {
                let cells = reps
                    .iter()
                    .map(|&rep| {
                        if let Some(f) = a
                            .faults
                            .iter()
                            .filter(|f| f.kind == kind && f.rep == rep)
                            .max_by(|x, y| x.value.total_cmp(&y.value))
                        {
                            Cell::Fault {
                                value: f.value,
                                threshold: f.threshold,
                                unit: f.unit.clone(),
                            }
                        } else if a
                            .not_assessable
                            .iter()
                            .any(|n| n.kind == kind && n.rep.is_none_or(|r| r == rep))
                        {
                            Cell::NotAssessable
                        } else {
                            Cell::Clear
                        }
                    })
                    .collect();
                (kind, cells)
            })
            .collect();
        FaultChart { reps, rows }
    }
}

impl Plot for FaultChart {
    fn size(&self) -> (u32, u32) {
        let cols = self.reps.len().max(1) as u32;
        (
            (260 + 130 * cols).max(560),
            130 + 46 * self.rows.len().max(1) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        if self.reps.is_empty() {
            return no_data(root, "Faults per rep", "no reps found, so no faults judged");
        }
        if self.rows.is_empty() {
            return no_data(root, "Faults per rep", "no faults reported for any rep");
        }
        root.fill(&WHITE)?;
        let text = |s: &str, x: i32, y: i32, size: u32, colour: RGBColor| {
            Text::new(
                s.to_string(),
                (x, y),
                (font::FAMILY, size).into_font().color(&colour),
            )
        };
        root.draw(&text("Faults per rep", 16, 10, 22, BLACK))?;
        let (left, top, cw, ch) = (240, 74, 130, 46);
        root.draw(&text("Rep", left - 40, top - 26, 15, BLACK))?;
        for (c, rep) in self.reps.iter().enumerate() {
            root.draw(&text(
                &format!("{rep}"),
                left + c as i32 * cw + cw / 2 - 4,
                top - 26,
                15,
                BLACK,
            ))?;
        }
        for (r, (kind, cells)) in self.rows.iter().enumerate() {
            let y = top + r as i32 * ch;
            root.draw(&text(&timeline::fault_title(kind), 12, y + 14, 14, BLACK))?;
            for (c, cell) in cells.iter().enumerate() {
                let x = left + c as i32 * cw;
                let (fill, label) = match cell {
                    Cell::Fault {
                        value,
                        threshold,
                        unit,
                    } => (
                        RGBColor(230, 85, 75),
                        format!(
                            "{} / {}",
                            timeline::with_unit(*value, unit),
                            timeline::with_unit(*threshold, unit)
                        ),
                    ),
                    Cell::Clear => (RGBColor(170, 220, 170), "ok".to_string()),
                    Cell::NotAssessable => (RGBColor(215, 215, 215), "n/a".to_string()),
                };
                root.draw(&Rectangle::new(
                    [(x + 2, y + 2), (x + cw - 2, y + ch - 2)],
                    fill.filled(),
                ))?;
                let colour = if matches!(cell, Cell::Fault { .. }) {
                    WHITE
                } else {
                    BLACK
                };
                root.draw(&text(&label, x + 8, y + 14, 13, colour))?;
            }
        }
        let y = top + self.rows.len() as i32 * ch + 14;
        root.draw(&text(
            "red: fault (value / threshold)   green: judged, no fault   grey: not assessable",
            12,
            y,
            12,
            RGBColor(90, 90, 90),
        ))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_scale_gives_both_axes_the_same_cm_per_pixel() {
        // 30 cm across on 400 px, 80 cm up on 500 px: the x range widens to 64 cm
        let ((x0, x1), (y0, y1)) = to_scale((-15.0, 15.0), (0.0, 80.0), 400, 500);
        assert!(((x1 - x0) / 400.0 - (y1 - y0) / 500.0).abs() < 1e-12);
        assert!((x1 - x0 - 64.0).abs() < 1e-9 && (y0, y1) == (0.0, 80.0));
        assert!((x0 + x1).abs() < 1e-9, "widened about its middle");
        assert_eq!(plotting_px((600, 654), 12, 64, 60), (516, 566));
    }
}
