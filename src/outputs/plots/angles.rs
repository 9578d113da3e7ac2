//! `angles.svg`/`.png`: trunk, hip, knee and upper-back flexion over time, with the rep
//! phases shaded and the faults' limits drawn as dashed threshold lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{
    draw_legend, no_data, padded_range, runs, stride, Line, Plot, PlotResult, HIP, KNEE, THORACIC,
    TRUNK,
};
use super::TimeAxis;
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::outputs::font;
use crate::outputs::timeline;
use crate::reps::{self, Phase};

const SETUP_FILL: RGBColor = RGBColor(238, 238, 238);
const PULL_FILL: RGBColor = RGBColor(255, 236, 200);
const LOWER_FILL: RGBColor = RGBColor(220, 235, 252);

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
            .flat_map(reps::phase_spans)
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
