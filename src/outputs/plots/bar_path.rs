//! `bar_path.svg`/`.png`: the bar's side-view path per rep in cm, to scale, with the
//! mid-foot line and the `bar_drift` fault's limit.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{
    draw_rep_lines, no_data, padded_range, plotting_px, runs, stride, to_scale, Line, Plot,
    PlotResult, REP_COLOURS, THRESHOLD,
};
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::outputs::font;
use crate::outputs::timeline;

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
            let Some((a, b)) = r.span(true) else {
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
