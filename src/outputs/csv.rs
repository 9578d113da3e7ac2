//! `frames.csv`: one row per frame with the angles, then for each joint used the raw and
//! filtered pixel coordinates and the visibility, then the bar (position, source: plate,
//! wrist or none, cm from mid-foot, height), then the upper-back curve angle traced from the
//! person mask (`upper_back_flexion_deg`, see `kinematics::back`), then the frame's pose
//! reliability (`pose_reliability`, 0–1, see `kinematics::reliability`). Empty cell = unknown.

use std::io::Write;

use super::{cell, Exporter};
use crate::analyze::ClipAnalysis;
use crate::config::Config;

pub struct FramesCsv;

/// The angle columns, in order.
pub const ANGLE_COLUMNS: [&str; 5] = [
    "trunk_angle_deg",
    "hip_angle_deg",
    "knee_angle_deg",
    "shin_angle_deg",
    "neck_angle_deg",
];

/// The bar columns (see `bar/`), after the joints.
pub const BAR_COLUMNS: [&str; 5] = [
    "bar_x_px",
    "bar_y_px",
    "bar_source",
    "bar_x_cm_from_midfoot",
    "bar_height_cm",
];

impl Exporter for FramesCsv {
    fn file_name(&self) -> &'static str {
        "frames.csv"
    }

    fn write(
        &self,
        clip: &ClipAnalysis,
        _config: &Config,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let k = &clip.kinematics;
        let mut header: Vec<String> = ["frame", "time_s"]
            .iter()
            .chain(ANGLE_COLUMNS.iter())
            .map(|s| s.to_string())
            .collect();
        for j in &k.joints {
            let n = j.joint.name();
            for suffix in [
                "x_px",
                "y_px",
                "visibility",
                "x_px_filtered",
                "y_px_filtered",
            ] {
                header.push(format!("{n}_{suffix}"));
            }
        }
        header.extend(BAR_COLUMNS.iter().map(|s| s.to_string()));
        header.push("upper_back_flexion_deg".into());
        header.push("pose_reliability".into());
        writeln!(out, "{}", header.join(","))?;
        let a = &k.angles;
        let bar = &clip.bar;
        let facing = k.facing.sign();
        for i in 0..k.frames() {
            let mut row = vec![i.to_string(), format!("{:.4}", k.time_s[i])];
            for series in [
                &a.trunk_angle_deg,
                &a.hip_angle_deg,
                &a.knee_angle_deg,
                &a.shin_angle_deg,
                &a.neck_angle_deg,
            ] {
                row.push(cell(series[i], 2));
            }
            for j in &k.joints {
                row.push(cell(j.raw[i].map(|p| p.0), 2));
                row.push(cell(j.raw[i].map(|p| p.1), 2));
                row.push(cell(j.visibility[i].map(|v| v as f64), 3));
                row.push(cell(j.filtered[i].map(|p| p.0), 2));
                row.push(cell(j.filtered[i].map(|p| p.1), 2));
            }
            let sample = bar.samples.get(i);
            row.push(cell(sample.and_then(|s| s.x_px), 2));
            row.push(cell(sample.and_then(|s| s.y_px), 2));
            row.push(sample.map_or("none", |s| s.source.as_str()).to_string());
            row.push(cell(bar.x_cm_from_midfoot(i, facing), 2));
            row.push(cell(bar.height_cm(i), 2));
            row.push(cell(clip.thoracic_flexion_deg.get(i).copied().flatten(), 2));
            row.push(cell(k.reliability.get(i).copied().flatten(), 3));
            writeln!(out, "{}", row.join(","))?;
        }
        Ok(())
    }
}
