//! The rep overlay plot (`rep_overlay.svg`/`.png`): every rep's bar path of a set on one
//! to-scale plot, each drawn from its own set-up position, so reps compare by shape: the one
//! that swings out, the one that is cut short. The x origin and the drift limit are the
//! `bar_drift` fault's (see [`timeline::drift_reference_cm`]). The same drawing, in two
//! panels at one scale, shows a lifter's best and weakest rep of a date in the batch index.
//! Owns the drawing only; the paths come from the analysis or from `summary.json`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{self as plots, Plot, PlotResult, Runs, REP_COLOURS};
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::outputs::{font, timeline};

/// One rep's path: cm forward of its set-up position against cm above the floor.
pub struct OverlayPath {
    pub label: String,
    pub colour: RGBColor,
    pub runs: Runs,
}

/// One panel of paths under a title.
pub struct Panel {
    pub title: String,
    pub paths: Vec<OverlayPath>,
}

/// Panels of rep paths, all at one scale (the same cm per pixel across, up, and from panel to
/// panel).
pub struct RepOverlayPlot {
    title: String,
    panels: Vec<Panel>,
    limit_cm: f64,
}

const MARGIN: u32 = 10;
const X_LABEL: u32 = 56;
const Y_LABEL: u32 = 56;
const TITLE_PX: u32 = 34;
const PANEL_TITLE_PX: u32 = 24;

impl RepOverlayPlot {
    /// Every rep of `clip`, in the rep colours; reps not judged say so in the legend.
    pub fn new(clip: &ClipAnalysis, config: &Config) -> Self {
        let paths = clip
            .analysis
            .reps
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let points = timeline::rep_path_from_setup_cm(clip, r, 2500);
                let mean = r
                    .bar
                    .mean_concentric_velocity_m_per_s
                    .map(|v| format!(", {v:.2} m/s"))
                    .unwrap_or_default();
                let faults = clip
                    .analysis
                    .faults
                    .iter()
                    .filter(|f| f.rep == r.index)
                    .count();
                let what = if !r.implausible.is_empty() {
                    ", implausible".to_string()
                } else if faults > 0 {
                    format!(", {faults} fault{}", if faults == 1 { "" } else { "s" })
                } else {
                    String::new()
                };
                OverlayPath {
                    label: format!("rep {}{mean}{what}", r.index),
                    colour: REP_COLOURS[i % REP_COLOURS.len()],
                    runs: plots::runs(points.into_iter()),
                }
            })
            .collect();
        RepOverlayPlot {
            title: "Reps overlaid: bar path from each rep's set-up".into(),
            panels: vec![Panel {
                title: String::new(),
                paths,
            }],
            limit_cm: config.faults.bar_drift.max_forward_cm,
        }
    }

    /// Panels side by side (the index's best and weakest rep).
    pub fn side_by_side(title: String, panels: Vec<Panel>, limit_cm: f64) -> Self {
        RepOverlayPlot {
            title,
            panels,
            limit_cm,
        }
    }

    fn points(&self) -> impl Iterator<Item = &(f64, f64)> {
        self.panels
            .iter()
            .flat_map(|p| p.paths.iter())
            .flat_map(|p| p.runs.iter().flatten())
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        x: (f64, f64),
        y: (f64, f64),
    ) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        let mut chart = ChartBuilder::on(area)
            .margin(MARGIN)
            .x_label_area_size(X_LABEL)
            .y_label_area_size(Y_LABEL)
            .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
        chart
            .configure_mesh()
            .x_desc("Bar forward of its set-up position (cm)")
            .y_desc("Bar height (cm)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((font::FAMILY, 13))
            .axis_desc_style((font::FAMILY, 14))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let limit = self.limit_cm;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(limit, y.0), (x.1, y.1)],
            RGBColor(250, 215, 210).mix(0.5).filled(),
        )))?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(limit, y.0), (limit, y.1)],
                8,
                5,
                plots::THRESHOLD.stroke_width(1),
            ))?
            .label(format!("threshold: set-up + {limit:.0} cm (bar drift)"))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], plots::THRESHOLD.stroke_width(1))
            });
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, y.0), (0.0, y.1)],
                BLACK.stroke_width(1),
            ))?
            .label("set-up position")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
        for p in &panel.paths {
            let c = p.colour;
            for (k, run) in p.runs.iter().enumerate() {
                let s = chart.draw_series(LineSeries::new(run.clone(), c.stroke_width(2)))?;
                if k == 0 {
                    s.label(p.label.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))
                    });
                }
            }
        }
        plots::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 12)
    }
}

impl Plot for RepOverlayPlot {
    fn size(&self) -> (u32, u32) {
        match self.panels.len() {
            0 | 1 => (600, 640),
            n => (380 * n as u32, 560),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> PlotResult
    where
        DB::ErrorType: 'static,
    {
        if self.points().next().is_none() {
            return plots::no_data(
                root,
                "Reps overlaid",
                "no rep with a bar path and a scale to overlay",
            );
        }
        root.fill(&WHITE)?;
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            self.title.clone(),
            (14, 8),
            (font::FAMILY, 20).into_font().color(&BLACK),
        ))?;
        let body = root.margin(TITLE_PX as i32, 0, 0, 0);
        let n = self.panels.len().max(1);
        let panel_w = w / n as u32;
        let titled = self.panels.iter().any(|p| !p.title.is_empty());
        let top = if titled { PANEL_TITLE_PX } else { 0 };
        let (pw, ph) = plots::plotting_px(
            (panel_w, h.saturating_sub(TITLE_PX + top)),
            MARGIN,
            X_LABEL,
            Y_LABEL,
        );
        let xs = self.points().map(|p| p.0).chain([0.0, self.limit_cm + 2.0]);
        let (x0, x1) = plots::padded_range(xs, 20.0).unwrap_or((-10.0, 10.0));
        let (y0, y1) =
            plots::padded_range(self.points().map(|p| p.1), 60.0).unwrap_or((0.0, 100.0));
        // headroom above the paths for the legend
        let y1 = y1 + (y1 - y0.min(0.0)) * 0.25;
        let (x, y) = plots::to_scale((x0, x1), (y0.min(0.0), y1), pw, ph);
        let areas = body.split_evenly((1, n));
        for (area, panel) in areas.iter().zip(&self.panels) {
            if titled {
                area.draw(&Text::new(
                    panel.title.clone(),
                    (Y_LABEL as i32, 2),
                    (font::FAMILY, 15).into_font().color(&RGBColor(60, 60, 60)),
                ))?;
            }
            let chart_area = area.margin(top as i32, 0, 0, 0);
            self.draw_panel(&chart_area, panel, x, y)?;
        }
        Ok(())
    }
}
