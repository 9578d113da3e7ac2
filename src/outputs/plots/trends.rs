//! `trends.svg`/`.png` of the batch index: per lifter, each video's peak upper-back flexion
//! and max bar drift from the set-up against its date. The index picks the points.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{draw_legend, padded_range, Plot, REP_COLOURS};
use crate::outputs::{calendar, font};

/// Trends of one lifter's videos over dates: peak upper-back flexion and max forward drift.
pub struct TrendsPlot {
    /// lifter → points (day, value) per metric
    pub flexion: BTreeMap<String, Vec<(f64, f64)>>,
    pub drift: BTreeMap<String, Vec<(f64, f64)>>,
}

impl TrendsPlot {
    pub fn is_empty(&self) -> bool {
        self.flexion.is_empty() && self.drift.is_empty()
    }

    fn panel<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        title: &str,
        y_desc: &str,
        data: &BTreeMap<String, Vec<(f64, f64)>>,
    ) -> std::result::Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let all = || data.values().flatten();
        if all().next().is_none() {
            area.draw(&Text::new(
                format!("{title}: no data yet (needs reps with this measure)"),
                (20, 30),
                (font::FAMILY, 15).into_font().color(&RGBColor(90, 90, 90)),
            ))?;
            return Ok(());
        }
        let (x0, x1) = padded_range(all().map(|p| p.0), 4.0).unwrap_or((0.0, 1.0));
        let (y0, y1) = padded_range(all().map(|p| p.1), 5.0).unwrap_or((0.0, 1.0));
        let mut chart = ChartBuilder::on(area)
            .caption(title, (font::FAMILY, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0.min(0.0)..y1)?;
        chart
            .configure_mesh()
            .x_desc("Date")
            .y_desc(y_desc)
            .x_labels(5)
            .x_label_formatter(&|d| calendar::ymd(d.round() as i64))
            .label_style((font::FAMILY, 12))
            .axis_desc_style((font::FAMILY, 14))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        for (i, (lifter, pts)) in data.iter().enumerate() {
            let c = REP_COLOURS[i % REP_COLOURS.len()];
            let mut pts = pts.clone();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
                .label(format!("lifter: {lifter}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))
                });
            chart.draw_series(pts.iter().map(|p| Circle::new(*p, 4, c.filled())))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 12)
    }
}

impl Plot for TrendsPlot {
    fn size(&self) -> (u32, u32) {
        (1000, 360)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (left, right) = root.split_horizontally(500);
        Self::panel(
            &left,
            "Peak upper-back flexion per video",
            "Flexion (°)",
            &self.flexion,
        )?;
        Self::panel(
            &right,
            "Max bar drift from the set-up per video",
            "Drift (cm)",
            &self.drift,
        )?;
        Ok(())
    }
}
