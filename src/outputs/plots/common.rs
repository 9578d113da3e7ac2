//! What every plot shares: the [`Plot`] trait and its SVG/PNG renderers, the colours, the
//! legend and per-rep lines, and the helpers that turn series into runs and ranges into axes.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::outputs::font;

pub(crate) type PlotResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Continuous runs of (x, y) points; a gap in the data starts a new run.
pub(crate) type Runs = Vec<Vec<(f64, f64)>>;
/// A named, coloured line made of runs.
pub(crate) type Line<N> = (N, RGBColor, Runs);

/// Colours, shared with the annotated video's legend where it makes sense.
pub const TRUNK: RGBColor = RGBColor(31, 119, 180);
pub const HIP: RGBColor = RGBColor(214, 39, 40);
pub const KNEE: RGBColor = RGBColor(44, 160, 44);
pub const THORACIC: RGBColor = RGBColor(148, 103, 189);
/// Threshold lines are drawn in this colour family so tests and readers can find them.
pub const THRESHOLD: RGBColor = RGBColor(120, 120, 120);
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
pub(crate) fn draw_rep_lines<'a, DB: DrawingBackend + 'a>(
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

/// Every how many frames to plot so a long clip stays a light SVG (~2500 points a line).
pub(crate) fn stride(frames: usize) -> usize {
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
