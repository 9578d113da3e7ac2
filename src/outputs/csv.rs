//! `frames.csv`: one row per frame with the angles, then for each joint used the raw and
//! filtered pixel coordinates and the visibility. Empty cell = unknown.

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
        writeln!(out, "{}", header.join(","))?;
        let a = &k.angles;
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
            writeln!(out, "{}", row.join(","))?;
        }
        Ok(())
    }
}
