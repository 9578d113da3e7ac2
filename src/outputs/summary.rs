//! The summary rows: one per video and one per rep, the numbers a coach scans across a batch.
//! Each clip folder gets its own `summary.json` (it alone knows the per-frame back flexion);
//! the batch's `summary.csv` / `summary.json` gather them (see [`super::index`]).

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{cell, timeline, Exporter};
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::faults::{Finding, NotAssessable};
use crate::reps::Rep;
use crate::view::ViewVerdict;

/// One row per video.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct VideoRow {
    /// Output folder name (filled in by the batch).
    pub video: String,
    pub input: String,
    /// Who lifts: the input's folder name (filled in by the batch).
    pub lifter: String,
    /// YYYY-MM-DD, from the file name or the file's modification time (filled in by the batch).
    pub date: String,
    pub date_source: String,
    pub side_view: bool,
    /// Why the clip could not be judged, in plain words ("front or angled view", "no rep
    /// found", "pose unreliable"); `None` when it was. A clip not judged feeds no figure
    /// below and no trend.
    pub not_judged: Option<String>,
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
    /// Largest forward bar drift from the set-up position (what `bar_drift` measures).
    pub max_drift_from_setup_cm: Option<f64>,
    pub mean_concentric_velocity_m_per_s: Option<f64>,
    /// First → fastest → last rep's mean concentric velocity and the loss (see
    /// [`velocity_loss`]).
    pub velocity_loss: Option<VelocityLoss>,
    /// The set's best rep (fewest faults, then fastest) and its weakest (most faults or the
    /// furthest over a threshold, then slowest), judged reps only.
    pub best_rep: Option<usize>,
    pub weakest_rep: Option<usize>,
}

/// Velocity loss across a set, as VBT apps (Metric VBT) report it: the mean concentric
/// velocity of the first, the fastest and the last rep, and the loss
/// `(fastest − last) / fastest` in percent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct VelocityLoss {
    pub first_rep: usize,
    pub first_m_per_s: f64,
    pub fastest_rep: usize,
    pub fastest_m_per_s: f64,
    pub last_rep: usize,
    pub last_m_per_s: f64,
    pub loss_pct: f64,
}

/// The definition printed next to the figure.
pub const VELOCITY_LOSS_DEFINITION: &str =
    "velocity loss = (fastest rep − last rep) / fastest rep, mean concentric velocity";

/// [`VelocityLoss`] from `(rep, mean concentric velocity)` in rep order; needs two reps.
pub fn velocity_loss(reps: &[(usize, f64)]) -> Option<VelocityLoss> {
    let reps: Vec<(usize, f64)> = reps
        .iter()
        .copied()
        .filter(|r| r.1.is_finite() && r.1 > 0.0)
        .collect();
    let (first, last) = (*reps.first()?, *reps.last()?);
    if reps.len() < 2 {
        return None;
    }
    let fastest = reps
        .iter()
        .copied()
        .reduce(|a, b| if b.1 > a.1 { b } else { a })?;
    Some(VelocityLoss {
        first_rep: first.0,
        first_m_per_s: first.1,
        fastest_rep: fastest.0,
        fastest_m_per_s: fastest.1,
        last_rep: last.0,
        last_m_per_s: last.1,
        loss_pct: (fastest.1 - last.1) / fastest.1 * 100.0,
    })
}

/// How to film so the clip can be judged: said once wherever a view is not judged.
pub const FILMING_ADVICE: &str = "Film from the side: camera side-on to the lifter (within about 15°), 3–5 m away at hip height, the whole body and the near plate in frame all the time.";

/// Why a clip cannot be judged, in plain words, or `None` when it can: no lifter, not a side
/// view (the measured ratios stay in `analysis.json`), no rep, or no rep that could be
/// judged (every check not assessable: the pose unreliable, figures implausible).
pub fn not_judged_reason(
    person_found: bool,
    view: &ViewVerdict,
    reps: &[Rep],
    not_assessable: &[NotAssessable],
) -> Option<String> {
    if !person_found || view.reason == "no person found" {
        return Some("no lifter found".into());
    }
    if !view.side_view {
        return Some(plain_view_reason(&view.reason));
    }
    if reps.is_empty() {
        return Some("no rep found".into());
    }
    let reasons: Vec<String> = reps
        .iter()
        .map(|r| rep_not_judged(r, not_assessable))
        .collect::<Option<Vec<_>>>()?;
    let all = |word: &str| reasons.iter().all(|r| r.starts_with(word));
    Some(if all("pose unreliable") {
        "pose unreliable".into()
    } else if all("implausible") {
        "implausible figures (cut clip or lost bar)".into()
    } else {
        "no rep could be judged".into()
    })
}

/// The view verdict without its measurements.
pub fn plain_view_reason(reason: &str) -> String {
    if reason.starts_with("not a side view") {
        "front or angled view".into()
    } else if reason.contains("too small") {
        "lifter too small in the picture".into()
    } else if reason.contains("person is found in only") {
        "lifter seen in too few frames".into()
    } else {
        reason.split(" (").next().unwrap_or(reason).to_string()
    }
}

/// Whether the footage said something about the view (advice on filming helps) rather than
/// about the lift.
pub fn is_view_problem(not_judged: &str) -> bool {
    matches!(
        not_judged,
        "front or angled view"
            | "lifter too small in the picture"
            | "lifter seen in too few frames"
            | "no lifter found"
    )
}

/// Why `rep` was not judged at all (every registered check not assessable for it), if so.
fn rep_not_judged(rep: &Rep, not_assessable: &[NotAssessable]) -> Option<String> {
    if !rep.implausible.is_empty() {
        return Some(format!("implausible: {}", rep.implausible.join("; ")));
    }
    let kinds = crate::faults::registry();
    let mut reason = None;
    for k in &kinds {
        let n = not_assessable
            .iter()
            .find(|n| n.kind == k.kind() && n.rep.is_none_or(|r| r == rep.index))?;
        reason.get_or_insert_with(|| n.reason.clone());
    }
    reason
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
    /// Largest forward drift from the set-up position: the `bar_drift` fault's measure.
    pub drift_from_setup_cm: Option<f64>,
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
    /// Why no check could judge this rep (pose unreliable, implausible figures), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_judged: Option<String>,
    /// The bar path relative to the set-up: `[cm forward, cm above the floor]` (null where
    /// unknown), ~80 points, for the index's best/worst rep plot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bar_path_cm: Vec<Option<[f64; 2]>>,
}

impl RepRow {
    /// A rep that feeds the video's figures: judged, and plausible.
    pub fn counts(&self) -> bool {
        self.implausible.is_empty() && self.not_judged.is_none()
    }
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

/// What the summary rows are built from: `analysis.json`'s parts, and the per-frame figures
/// only a live analysis knows (`None` when rebuilt from an older `analysis.json`).
pub struct SummaryInput<'a> {
    pub input: &'a str,
    pub person_found: bool,
    pub view: &'a ViewVerdict,
    pub reps: &'a [Rep],
    pub faults: &'a [Finding],
    pub not_assessable: &'a [NotAssessable],
    pub live: Option<&'a ClipAnalysis>,
}

/// Points kept of each rep's bar path in `summary.json`.
const PATH_POINTS: usize = 80;

fn rep_row(r: &Rep, s: &SummaryInput, per_rep: &BTreeMap<usize, Vec<String>>) -> RepRow {
    let live = s.live;
    let peak = live.and_then(|c| {
        let (a, b) = r.span(true)?;
        timeline::max_over(&c.thoracic_flexion_deg, a, b)
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
        drift_from_setup_cm: live.and_then(|c| timeline::drift_from_setup_cm(c, r)),
        peak_thoracic_flexion_deg: peak,
        setup_trunk_angle_deg: r.setup.trunk_angle_deg,
        setup_hip_angle_deg: r.setup.hip_angle_deg,
        setup_knee_angle_deg: r.setup.knee_angle_deg,
        lockout_hip_angle_deg: r.lockout.hip_angle_deg,
        lockout_knee_angle_deg: r.lockout.knee_angle_deg,
        implausible: r.implausible.clone(),
        not_judged: rep_not_judged(r, s.not_assessable),
        bar_path_cm: live
            .map(|c| {
                timeline::rep_path_from_setup_cm(c, r, PATH_POINTS)
                    .into_iter()
                    .map(|p| p.map(|(x, y)| [round2(x), round2(y)]))
                    .collect()
            })
            .unwrap_or_default(),
        ..RepRow::default()
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The best and the weakest of the counted reps: fewest faults first, then the fastest mean
/// concentric velocity (the index ranks a date's reps the same way, see [`rep_order`]).
fn best_and_weakest(rows: &[RepRow]) -> (Option<usize>, Option<usize>) {
    let counted: Vec<&RepRow> = rows.iter().filter(|r| r.counts()).collect();
    if counted.len() < 2 {
        return (None, None);
    }
    let best = counted
        .iter()
        .copied()
        .min_by(|a, b| rep_order(a, b))
        .map(|r| r.rep);
    let weakest = counted
        .iter()
        .copied()
        .max_by(|a, b| rep_order(a, b))
        .map(|r| r.rep);
    (best, weakest.filter(|w| Some(*w) != best))
}

/// Better reps first: fewer faults, then faster.
pub fn rep_order(a: &RepRow, b: &RepRow) -> std::cmp::Ordering {
    let speed = |r: &RepRow| r.mean_concentric_velocity_m_per_s.unwrap_or(0.0);
    a.faults
        .len()
        .cmp(&b.faults.len())
        .then(speed(b).total_cmp(&speed(a)))
}

/// The rows from the analysis' reps and faults.
pub fn build(s: &SummaryInput) -> ClipSummary {
    let (reps, faults) = (s.reps, s.faults);
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
    let rep_rows: Vec<RepRow> = reps.iter().map(|r| rep_row(r, s, &per_rep)).collect();
    let not_judged = not_judged_reason(s.person_found, s.view, reps, s.not_assessable);
    // implausible or unjudged reps, and clips not judged, feed no figure and so no trend
    let counted: Vec<&RepRow> = rep_rows
        .iter()
        .filter(|r| r.counts() && not_judged.is_none())
        .collect();
    let max_of =
        |f: &dyn Fn(&RepRow) -> Option<f64>| counted.iter().filter_map(|r| f(r)).reduce(f64::max);
    let speeds: Vec<(usize, f64)> = counted
        .iter()
        .filter_map(|r| Some((r.rep, r.mean_concentric_velocity_m_per_s?)))
        .collect();
    let (best_rep, weakest_rep) = if not_judged.is_none() {
        best_and_weakest(&rep_rows)
    } else {
        (None, None)
    };
    ClipSummary {
        video: VideoRow {
            input: s.input.to_string(),
            side_view: s.view.side_view,
            not_judged,
            reps: reps.len(),
            fault_count: faults.len(),
            fault_kinds: kinds,
            faults_per_rep: per_rep,
            worst_fault: worst.map(|f| f.kind.clone()),
            worst_rep: worst.map(|f| f.rep),
            worst_value: worst.map(|f| f.value),
            worst_threshold: worst.map(|f| f.threshold),
            worst_unit: worst.map(|f| f.unit.clone()),
            not_assessable: s.not_assessable.len(),
            peak_thoracic_flexion_deg: max_of(&|r| r.peak_thoracic_flexion_deg),
            max_forward_cm: max_of(&|r| r.max_forward_cm),
            max_drift_from_setup_cm: max_of(&|r| r.drift_from_setup_cm),
            mean_concentric_velocity_m_per_s: (!speeds.is_empty())
                .then(|| speeds.iter().map(|p| p.1).sum::<f64>() / speeds.len() as f64),
            velocity_loss: velocity_loss(&speeds),
            best_rep,
            weakest_rep,
            ..VideoRow::default()
        },
        reps: rep_rows,
    }
}

/// The rows of one analysed clip.
pub fn clip_summary(clip: &ClipAnalysis) -> ClipSummary {
    let a = &clip.analysis;
    build(&SummaryInput {
        input: &a.input,
        person_found: a.pose.person_found,
        view: &a.view,
        reps: &a.reps,
        faults: &a.faults,
        not_assessable: &a.not_assessable,
        live: Some(clip),
    })
}

/// The verdict in a few words, for the terminal's per-video line: "2 reps, rounded upper back
/// in rep 2", "1 rep, no faults", "not judged: front or angled view".
pub fn verdict_line(clip: &ClipAnalysis) -> String {
    let s = clip_summary(clip);
    let v = &s.video;
    if let Some(why) = &v.not_judged {
        return format!("not judged: {why}");
    }
    let reps = format!("{} rep{}", v.reps, if v.reps == 1 { "" } else { "s" });
    if v.faults_per_rep.is_empty() {
        return format!("{reps}, no faults");
    }
    // each kind once, with the reps it is in: "rounded upper back in reps 1, 2"
    let faults: Vec<String> = v
        .fault_kinds
        .iter()
        .map(|k| {
            let in_reps: Vec<String> = v
                .faults_per_rep
                .iter()
                .filter(|(_, kinds)| kinds.contains(k))
                .map(|(r, _)| r.to_string())
                .collect();
            format!(
                "{} in rep{} {}",
                timeline::fault_title(k).to_lowercase(),
                if in_reps.len() == 1 { "" } else { "s" },
                in_reps.join(", ")
            )
        })
        .collect();
    format!("{reps}, {}", faults.join("; "))
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

/// The columns of the batch `summary.csv`.
pub const CSV_COLUMNS: [&str; 37] = [
    "row_type",
    "video",
    "input",
    "lifter",
    "date",
    "side_view",
    "judged",
    "judged_reason",
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
    "first_rep_velocity_m_per_s",
    "fastest_rep",
    "fastest_rep_velocity_m_per_s",
    "last_rep_velocity_m_per_s",
    "velocity_loss_pct",
    "range_of_motion_cm",
    "max_forward_cm",
    "max_backward_cm",
    "drift_from_setup_cm",
    "peak_thoracic_flexion_deg",
    "setup_hip_angle_deg",
    "lockout_hip_angle_deg",
    "lockout_knee_angle_deg",
    "best_rep",
    "weakest_rep",
    "implausible",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn video_record(v: &VideoRow) -> Vec<String> {
    let faults: Vec<String> = v
        .faults_per_rep
        .iter()
        .flat_map(|(rep, kinds)| kinds.iter().map(move |k| format!("{k}@rep{rep}")))
        .collect();
    let loss = v.velocity_loss.as_ref();
    vec![
        "video".into(),
        v.video.clone(),
        v.input.clone(),
        v.lifter.clone(),
        v.date.clone(),
        v.side_view.to_string(),
        v.not_judged.is_none().to_string(),
        v.not_judged.clone().unwrap_or_default(),
        String::new(),
        v.reps.to_string(),
        faults.join(";"),
        v.fault_count.to_string(),
        v.worst_fault.clone().unwrap_or_default(),
        cell(v.worst_value, 2),
        cell(v.worst_threshold, 2),
        v.worst_unit.clone().unwrap_or_default(),
        v.not_assessable.to_string(),
        String::new(),
        String::new(),
        cell(v.mean_concentric_velocity_m_per_s, 3),
        String::new(),
        cell(loss.map(|l| l.first_m_per_s), 3),
        opt(loss.map(|l| l.fastest_rep)),
        cell(loss.map(|l| l.fastest_m_per_s), 3),
        cell(loss.map(|l| l.last_m_per_s), 3),
        cell(loss.map(|l| l.loss_pct), 1),
        String::new(),
        cell(v.max_forward_cm, 2),
        String::new(),
        cell(v.max_drift_from_setup_cm, 2),
        cell(v.peak_thoracic_flexion_deg, 2),
        String::new(),
        String::new(),
        String::new(),
        opt(v.best_rep),
        opt(v.weakest_rep),
        String::new(),
    ]
}

fn rep_record(v: &VideoRow, r: &RepRow) -> Vec<String> {
    let mut row = vec![String::new(); CSV_COLUMNS.len()];
    let mut put = |col: &str, value: String| {
        if let Some(i) = CSV_COLUMNS.iter().position(|c| *c == col) {
            row[i] = value;
        }
    };
    put("row_type", "rep".into());
    put("video", v.video.clone());
    put("input", v.input.clone());
    put("lifter", v.lifter.clone());
    put("date", v.date.clone());
    put("side_view", v.side_view.to_string());
    let judged = v.not_judged.is_none() && r.not_judged.is_none() && r.implausible.is_empty();
    put("judged", judged.to_string());
    put(
        "judged_reason",
        v.not_judged
            .clone()
            .or(r.not_judged.clone())
            .unwrap_or_default(),
    );
    put("rep", r.rep.to_string());
    put("faults", r.faults.join(";"));
    put("fault_count", r.faults.len().to_string());
    put("concentric_s", cell(r.concentric_s, 3));
    put("eccentric_s", cell(r.eccentric_s, 3));
    put(
        "mean_concentric_velocity_m_per_s",
        cell(r.mean_concentric_velocity_m_per_s, 3),
    );
    put(
        "peak_concentric_velocity_m_per_s",
        cell(r.peak_concentric_velocity_m_per_s, 3),
    );
    put("range_of_motion_cm", cell(r.range_of_motion_cm, 2));
    put("max_forward_cm", cell(r.max_forward_cm, 2));
    put("max_backward_cm", cell(r.max_backward_cm, 2));
    put("drift_from_setup_cm", cell(r.drift_from_setup_cm, 2));
    put(
        "peak_thoracic_flexion_deg",
        cell(r.peak_thoracic_flexion_deg, 2),
    );
    put("setup_hip_angle_deg", cell(r.setup_hip_angle_deg, 2));
    put("lockout_hip_angle_deg", cell(r.lockout_hip_angle_deg, 2));
    put("lockout_knee_angle_deg", cell(r.lockout_knee_angle_deg, 2));
    put("implausible", r.implausible.join("; "));
    row
}

/// `summary.csv`: a `video` row then its `rep` rows, for every clip (quoting by the `csv`
/// crate).
pub fn to_csv(clips: &[ClipSummary]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut write = |rec: &[String]| {
        // writing to a Vec cannot fail but for a bug in the record's shape
        if let Err(e) = w.write_record(rec) {
            eprintln!("warning: summary.csv row not written: {e}");
        }
    };
    write(&CSV_COLUMNS.map(String::from));
    for c in clips {
        write(&video_record(&c.video));
        for r in &c.reps {
            write(&rep_record(&c.video, r));
        }
    }
    match w.into_inner() {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("warning: summary.csv not written: {e}");
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> ClipAnalysis {
        crate::testkit::fixture::demo_clip(std::path::Path::new("x.mp4"), 640, 360, 30.0, 120)
    }

    #[test]
    fn the_terminal_line_says_the_verdict() {
        let mut clip = demo();
        assert_eq!(
            verdict_line(&clip),
            "2 reps, hips shoot up first in rep 1; rounded upper back in rep 2; bar drifts away from the legs in rep 2"
        );
        clip.analysis.faults.clear();
        assert_eq!(verdict_line(&clip), "2 reps, no faults");
        clip.analysis.view.side_view = false;
        clip.analysis.view.reason = "not a side view (front, rear or oblique): 0.6".into();
        assert_eq!(verdict_line(&clip), "not judged: front or angled view");
    }

    #[test]
    fn velocity_loss_runs_from_the_fastest_rep_to_the_last() {
        // rep 2 is the fastest; the set ends at 0.45 m/s
        let v = velocity_loss(&[(1, 0.55), (2, 0.60), (3, 0.52), (4, 0.45)]).unwrap();
        assert_eq!((v.first_rep, v.fastest_rep, v.last_rep), (1, 2, 4));
        assert_eq!(
            (v.first_m_per_s, v.fastest_m_per_s, v.last_m_per_s),
            (0.55, 0.60, 0.45)
        );
        assert!((v.loss_pct - 25.0).abs() < 1e-9, "{v:?}");
        // a set that speeds up to its last rep lost nothing
        let v = velocity_loss(&[(1, 0.4), (2, 0.5)]).unwrap();
        assert_eq!(v.loss_pct, 0.0);
        assert_eq!(velocity_loss(&[(1, 0.5)]), None, "one rep is no set");
        assert_eq!(velocity_loss(&[]), None);
    }

    #[test]
    fn implausible_reps_stay_out_of_the_velocity_loss() {
        let mut clip = demo();
        let slow = clip.analysis.reps[1]
            .bar
            .mean_concentric_velocity_m_per_s
            .unwrap();
        let fast = clip.analysis.reps[0]
            .bar
            .mean_concentric_velocity_m_per_s
            .unwrap();
        let loss = clip_summary(&clip).video.velocity_loss.unwrap();
        assert_eq!(loss.last_m_per_s, slow);
        assert!((loss.loss_pct - (fast.max(slow) - slow) / fast.max(slow) * 100.0).abs() < 1e-9);
        // a third rep at 3 m/s, flagged implausible: no velocity loss figure changes
        let mut third = clip.analysis.reps[1].clone();
        third.index = 3;
        third.bar.mean_concentric_velocity_m_per_s = Some(3.0);
        third.implausible = vec!["peak bar velocity 4.0 m/s".into()];
        clip.analysis.reps.push(third);
        let s = clip_summary(&clip);
        assert_eq!(s.video.velocity_loss, Some(loss));
        assert!(!s.reps[2].counts());
    }

    #[test]
    fn a_front_view_is_not_judged_in_plain_words() {
        let mut clip = demo();
        clip.analysis.view = ViewVerdict {
            side_view: false,
            reason: "not a side view (front, rear or oblique): left/right shoulders 0.61 and hips 0.40 torso lengths apart (side view: under 0.35 and 0.30)".into(),
        };
        let s = clip_summary(&clip);
        assert_eq!(s.video.not_judged.as_deref(), Some("front or angled view"));
        assert_eq!(
            s.video.peak_thoracic_flexion_deg, None,
            "no figure from a clip not judged"
        );
        assert_eq!(s.video.velocity_loss, None);
        assert!(is_view_problem("front or angled view"));
    }

    #[test]
    fn a_clip_whose_every_rep_has_an_unreliable_pose_is_not_judged() {
        let mut clip = demo();
        assert_eq!(clip_summary(&clip).video.not_judged, None);
        clip.analysis.not_assessable = clip
            .analysis
            .reps
            .iter()
            .flat_map(|r| {
                crate::faults::registry()
                    .into_iter()
                    .map(move |f| NotAssessable {
                        kind: f.kind().into(),
                        rep: Some(r.index),
                        reason: "pose unreliable in 40 of 50 frames of this rep".into(),
                    })
            })
            .collect();
        let s = clip_summary(&clip);
        assert_eq!(s.video.not_judged.as_deref(), Some("pose unreliable"));
        assert!(s.reps.iter().all(|r| r.not_judged.is_some()));
        clip.analysis.reps.clear();
        assert_eq!(
            clip_summary(&clip).video.not_judged.as_deref(),
            Some("no rep found")
        );
    }

    #[test]
    fn worst_fault_is_the_furthest_over_its_threshold() {
        let s = clip_summary(&demo());
        assert_eq!(s.video.reps, 2);
        assert_eq!(s.video.fault_count, 3);
        // bar drift 8/5 = 1.6 beats rounding 26/20 = 1.3 and hips 13.5/10
        assert_eq!(s.video.worst_fault.as_deref(), Some("bar_drift"));
        assert_eq!(s.reps[1].faults, vec!["thoracic_rounding", "bar_drift"]);
        assert!(s.reps[1].peak_thoracic_flexion_deg.unwrap() > 30.0);
        // the drift from the set-up position is the bar_drift fault's value
        assert!((s.reps[1].drift_from_setup_cm.unwrap() - 8.0).abs() < 0.3);
        assert_eq!((s.video.best_rep, s.video.weakest_rep), (Some(1), Some(2)));
        let mut s = s;
        s.video.input = "a \"quoted\", name.mp4".into();
        let csv = to_csv(&[s]);
        let mut r = ::csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(r.headers().unwrap().len(), CSV_COLUMNS.len());
        let rows: Vec<::csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 1 + 2);
        let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        assert_eq!(&rows[0][col("input")], "a \"quoted\", name.mp4");
        assert_eq!(&rows[0][col("judged")], "true");
        assert_eq!(&rows[1][col("rep")], "1");
        assert!(!rows[0][col("velocity_loss_pct")].is_empty());
    }
}
