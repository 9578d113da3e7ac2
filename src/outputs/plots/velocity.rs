//! `bar_velocity.svg`/`.png`: the bar's vertical velocity against time from lift-off, one
//! line per rep.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{
    draw_rep_lines, no_data, padded_range, runs, stride, Line, Plot, PlotResult, REP_COLOURS,
};
use crate::analyze::ClipAnalysis;
use crate::outputs::font;
use crate::outputs::timeline;
use crate::reps::bar_metrics;

/// Vertical bar velocity against time from lift-off, one line per rep.
pub struct VelocityPlot {
    reps: Vec<Line<String>>,
}

impl VelocityPlot {
    pub fn new(clip: &ClipAnalysis) -> Self {
        // ±2 frames: a line to read by eye, smoother than the frame-to-frame peak
        let v = bar_metrics::vertical_velocity_m_per_s(&clip.bar, &clip.kinematics.time_s, 2);
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
                let (a, b) = r.span(true)?;
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
