//! The summary rows: one per video and one per rep, the numbers a coach scans across a batch.
//! Each clip folder gets its own `summary.json` (it alone knows the per-frame back flexion);
//! the batch's `summary.csv` / `summary.json` gather them (see [`super::index`]).

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{cell, timeline, Exporter};
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::faults::Finding;
use crate::reps::Rep;

/// One row per video.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct VideoRow {
    /// Output folder name (filled in by the batch).
    pub video: String,
    pub input: String,
    /// YYYY-MM-DD, from the file name or the file's modification time (filled in by the batch).
    pub date: String,
    pub date_source: String,
    pub side_view: bool,
    pub reps: usize,
    pub fault_count: usize,
    /// Fault kinds, each once, in order of first appearance.
    pub fault_kinds: Vec<String>,
    /// Rep number → fault kinds in that rep.
    pub faults_per_rep: BTreeMap<usize, Vec<String>>,
    /// The fault furthest over its threshold (value / threshold).
    pub worst_fault: Option<String>,
    pub worst_rep: Option<usize>,
    pub worst_value: Option<f64>,
    pub worst_threshold: Option<f64>,
    pub worst_unit: Option<String>,
    pub not_assessable: usize,
    pub peak_thoracic_flexion_deg: Option<f64>,
    pub max_forward_cm: Option<f64>,
    pub mean_concentric_velocity_m_per_s: Option<f64>,
}

/// One row per rep.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RepRow {
    pub video: String,
    pub date: String,
    pub rep: usize,
    pub faults: Vec<String>,
    pub concentric_s: Option<f64>,
    pub eccentric_s: Option<f64>,
    pub mean_concentric_velocity_m_per_s: Option<f64>,
    pub peak_concentric_velocity_m_per_s: Option<f64>,
    pub range_of_motion_cm: Option<f64>,
    pub max_forward_cm: Option<f64>,
    pub max_backward_cm: Option<f64>,
    pub peak_thoracic_flexion_deg: Option<f64>,
    pub setup_trunk_angle_deg: Option<f64>,
    pub setup_hip_angle_deg: Option<f64>,
    pub setup_knee_angle_deg: Option<f64>,
    pub lockout_hip_angle_deg: Option<f64>,
    pub lockout_knee_angle_deg: Option<f64>,
    /// Why the rep's figures are implausible (empty when they are not): such a rep is left
    /// out of the video's figures and the trends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implausible: Vec<String>,
}

/// A clip's rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ClipSummary {
    pub video: VideoRow,
    pub reps: Vec<RepRow>,
}

/// How far over its threshold a finding is (1 = at the threshold). Thresholds that are lower
/// limits (value under threshold is the fault) count the other way.
pub fn severity(f: &Finding) -> f64 {
    severity_of(f.value, f.threshold)
}

/// [`severity`] from the bare numbers.
pub fn severity_of(value: f64, threshold: f64) -> f64 {
    if threshold.abs() < 1e-9 {
        return value.abs();
    }
    if value >= threshold {
        value / threshold
    } else {
        threshold / value.abs().max(1e-9)
    }
}

/// The rows from the analysis' reps and faults; `thoracic` is the per-frame back flexion
/// when known (it is not in `analysis.json`).
pub fn build(
    input: &str,
    side_view: bool,
    reps: &[Rep],
    faults: &[Finding],
    not_assessable: usize,
    thoracic: Option<&[Option<f64>]>,
) -> ClipSummary {
    let mut kinds: Vec<String> = Vec::new();
    let mut per_rep: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for f in faults {
        if !kinds.contains(&f.kind) {
            kinds.push(f.kind.clone());
        }
        let list = per_rep.entry(f.rep).or_default();
        if !list.contains(&f.kind) {
            list.push(f.kind.clone());
        }
    }
    let worst = faults
        .iter()
        .max_by(|a, b| severity(a).total_cmp(&severity(b)));
    let rep_rows: Vec<RepRow> = reps
        .iter()
        .map(|r| {
            let peak = thoracic.and_then(|t| {
                let (a, b) = timeline::rep_span(r)?;
                timeline::max_over(t, a, b)
            });
            RepRow {
                rep: r.index,
                faults: per_rep.get(&r.index).cloned().unwrap_or_default(),
                concentric_s: r.concentric_s,
                eccentric_s: r.eccentric_s,
                mean_concentric_velocity_m_per_s: r.bar.mean_concentric_velocity_m_per_s,
                peak_concentric_velocity_m_per_s: r.bar.peak_concentric_velocity_m_per_s,
                range_of_motion_cm: r.bar.range_of_motion_cm,
                max_forward_cm: r.bar.max_forward_cm,
                max_backward_cm: r.bar.max_backward_cm,
                peak_thoracic_flexion_deg: peak,
                setup_trunk_angle_deg: r.setup.trunk_angle_deg,
                setup_hip_angle_deg: r.setup.hip_angle_deg,
                setup_knee_angle_deg: r.setup.knee_angle_deg,
                lockout_hip_angle_deg: r.lockout.hip_angle_deg,
                lockout_knee_angle_deg: r.lockout.knee_angle_deg,
                implausible: r.implausible.clone(),
                ..RepRow::default()
            }
        })
        .collect();
    // implausible reps feed no figure of the video and so no trend
    let plausible = || rep_rows.iter().filter(|r| r.implausible.is_empty());
    let max_of = |f: &dyn Fn(&RepRow) -> Option<f64>| plausible().filter_map(f).reduce(f64::max);
    let mean_v: Vec<f64> = plausible()
        .filter_map(|r| r.mean_concentric_velocity_m_per_s)
        .collect();
    ClipSummary {
        video: VideoRow {
            input: input.to_string(),
            side_view,
            reps: reps.len(),
            fault_count: faults.len(),
            fault_kinds: kinds,
            faults_per_rep: per_rep,
            worst_fault: worst.map(|f| f.kind.clone()),
            worst_rep: worst.map(|f| f.rep),
            worst_value: worst.map(|f| f.value),
            worst_threshold: worst.map(|f| f.threshold),
            worst_unit: worst.map(|f| f.unit.clone()),
            not_assessable,
            peak_thoracic_flexion_deg: max_of(&|r| r.peak_thoracic_flexion_deg),
            max_forward_cm: max_of(&|r| r.max_forward_cm),
            mean_concentric_velocity_m_per_s: (!mean_v.is_empty())
                .then(|| mean_v.iter().sum::<f64>() / mean_v.len() as f64),
            ..VideoRow::default()
        },
        reps: rep_rows,
    }
}

/// The rows of one analysed clip.
pub fn clip_summary(clip: &ClipAnalysis) -> ClipSummary {
    let a = &clip.analysis;
    build(
        &a.input,
        a.view.side_view,
        &a.reps,
        &a.faults,
        a.not_assessable.len(),
        Some(&clip.thoracic_flexion_deg),
    )
}

/// `summary.json` in the clip folder.
pub struct ClipSummaryJson;

impl Exporter for ClipSummaryJson {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn write(
        &self,
        clip: &ClipAnalysis,
        _config: &Config,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &clip_summary(clip))?;
        writeln!(out)
    }
}

/// A CSV field: quoted when it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The columns of the batch `summary.csv`.
pub const CSV_COLUMNS: [&str; 25] = [
    "row_type",
    "video",
    "input",
    "date",
    "rep",
    "reps",
    "faults",
    "fault_count",
    "worst_fault",
    "worst_value",
    "worst_threshold",
    "worst_unit",
    "not_assessable",
    "concentric_s",
    "eccentric_s",
    "mean_concentric_velocity_m_per_s",
    "peak_concentric_velocity_m_per_s",
    "range_of_motion_cm",
    "max_forward_cm",
    "max_backward_cm",
    "peak_thoracic_flexion_deg",
    "setup_hip_angle_deg",
    "lockout_hip_angle_deg",
    "lockout_knee_angle_deg",
    "implausible",
];

/// `summary.csv`: a `video` row then its `rep` rows, for every clip.
pub fn to_csv(clips: &[ClipSummary]) -> String {
    let mut out = CSV_COLUMNS.join(",") + "\n";
    for c in clips {
        let v = &c.video;
        let faults: Vec<String> = v
            .faults_per_rep
            .iter()
            .flat_map(|(rep, kinds)| kinds.iter().map(move |k| format!("{k}@rep{rep}")))
            .collect();
        let row = [
            "video".to_string(),
            csv_field(&v.video),
            csv_field(&v.input),
            v.date.clone(),
            String::new(),
            v.reps.to_string(),
            csv_field(&faults.join(";")),
            v.fault_count.to_string(),
            csv_field(v.worst_fault.as_deref().unwrap_or("")),
            cell(v.worst_value, 2),
            cell(v.worst_threshold, 2),
            csv_field(v.worst_unit.as_deref().unwrap_or("")),
            v.not_assessable.to_string(),
            String::new(),
            String::new(),
            cell(v.mean_concentric_velocity_m_per_s, 3),
            String::new(),
            String::new(),
            cell(v.max_forward_cm, 2),
            String::new(),
            cell(v.peak_thoracic_flexion_deg, 2),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        out += &(row.join(",") + "\n");
        for r in &c.reps {
            let row = [
                "rep".to_string(),
                csv_field(&v.video),
                csv_field(&v.input),
                v.date.clone(),
                r.rep.to_string(),
                String::new(),
                csv_field(&r.faults.join(";")),
                r.faults.len().to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                cell(r.concentric_s, 3),
                cell(r.eccentric_s, 3),
                cell(r.mean_concentric_velocity_m_per_s, 3),
                cell(r.peak_concentric_velocity_m_per_s, 3),
                cell(r.range_of_motion_cm, 2),
                cell(r.max_forward_cm, 2),
                cell(r.max_backward_cm, 2),
                cell(r.peak_thoracic_flexion_deg, 2),
                cell(r.setup_hip_angle_deg, 2),
                cell(r.lockout_hip_angle_deg, 2),
                cell(r.lockout_knee_angle_deg, 2),
                csv_field(&r.implausible.join("; ")),
            ];
            out += &(row.join(",") + "\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn worst_fault_is_the_furthest_over_its_threshold() {
        let clip =
            crate::testkit::fixture::demo_clip(std::path::Path::new("x.mp4"), 640, 360, 30.0, 120);
        let s = clip_summary(&clip);
        assert_eq!(s.video.reps, 2);
        assert_eq!(s.video.fault_count, 3);
        // bar drift 8/5 = 1.6 beats rounding 26/20 = 1.3 and hips 13.5/10
        assert_eq!(s.video.worst_fault.as_deref(), Some("bar_drift"));
        assert_eq!(s.reps[1].faults, vec!["thoracic_rounding", "bar_drift"]);
        assert!(s.reps[1].peak_thoracic_flexion_deg.unwrap() > 30.0);
        let csv = to_csv(&[s]);
        assert_eq!(csv.lines().count(), 1 + 1 + 2);
        for line in csv.lines() {
            assert_eq!(line.split(',').count(), CSV_COLUMNS.len(), "{line}");
        }
    }
}
