//! `formcheck eval`: runs the analysis on the shared renders (`synthetic/*/video.mp4` with
//! `gt.json`) and the labelled real clips (`clips/labels.csv`), and prints markdown tables:
//! per fault, true/false positives and negatives; angle RMSE against the renders' ground
//! truth; the view verdicts. The per-clip results are written under `--out` as usual.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analyze::{analyze_video, Analysis, ClipAnalysis, RunOptions};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::kinematics::back::NoFit;

/// The four faults the clip labels and the renders cover.
pub const LABELLED_FAULTS: [&str; 4] = crate::faults::MAIN_FAULTS;

/// A render and what was injected into it.
struct Render {
    name: String,
    video: PathBuf,
    gt: serde_json::Value,
    expected: Expect,
    /// The render this one is the horizontal flip of.
    mirror_of: Option<String>,
}

/// What a render's folder name says was injected, and whether the tool must find it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// At or over its threshold plus the measurement band: must be found.
    Found(&'static str, &'static [&'static str]),
    /// Within the band around its threshold (e.g. 18° of rounding against 20°): either
    /// verdict is right, nothing else may be flagged.
    Either(&'static str),
    None,
}

impl Expect {
    fn kind(self) -> Option<&'static str> {
        match self {
            Expect::Found(k, _) | Expect::Either(k) => Some(k),
            Expect::None => None,
        }
    }
}

/// Angle targets on every render (degrees).
const TRUNK_RMSE_MAX_DEG: f64 = 4.0;
const HIP_RMSE_MAX_DEG: f64 = 7.0;

/// Measurement band (in the fault's unit) around a threshold inside which a render may go
/// either way: the renders' own silhouettes and keypoint offsets move values by a few units.
const BAND: f64 = 5.0;

/// The number that follows `tag` in `name` (`round18` → 18).
fn size_after(name: &str, tag: &str) -> Option<f64> {
    let rest = &name[name.find(tag)? + tag.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The injected fault from the render's folder name, against the default thresholds.
fn injected(name: &str) -> Expect {
    let c = Config::default();
    let rules: [(&str, &'static str, f64, &'static [&'static str]); 4] = [
        (
            "round",
            "thoracic_rounding",
            // the renders are named by their imposed thoracic flexion; the fault reads the outline
            c.faults.thoracic_rounding.max_increase_deg
                / crate::faults::thoracic_rounding::OUTLINE_PER_THORACIC_DEG,
            &["setup", "floor_to_knee", "knee_to_lockout"],
        ),
        (
            "hips_first",
            "hips_shoot_up",
            c.faults.hips_shoot_up.max_trunk_increase_deg,
            &["setup", "hips_rise_bar_on_floor", "floor_to_knee"],
        ),
        (
            "lean_back",
            "lockout_hyperextension",
            c.faults.lockout_hyperextension.max_lean_back_deg,
            &["knee_to_lockout", "lockout_hold"],
        ),
        (
            "drift",
            "bar_drift",
            c.faults.bar_drift.max_forward_cm,
            &["floor_to_knee", "knee_to_lockout"],
        ),
    ];
    for (tag, kind, threshold, phases) in rules {
        if let Some(size) = size_after(name, tag) {
            return if size >= threshold + BAND {
                Expect::Found(kind, phases)
            } else if size > threshold - BAND {
                Expect::Either(kind)
            } else {
                Expect::None
            };
        }
    }
    Expect::None
}

/// Faults a render's footage cannot show, which must come back "not assessable": the bar
/// drift needs the feet (mid-foot) in the frame.
fn must_be_not_assessable(name: &str) -> &'static [&'static str] {
    if name.contains("cropped_feet") {
        &["bar_drift"]
    } else {
        &[]
    }
}

/// One row of `labels.csv`, as text by column name.
pub type LabelRow = BTreeMap<String, String>;

/// Reads `labels.csv` (with the `csv` crate: quoted fields hold commas and quotes).
pub fn read_labels(path: &Path) -> Result<Vec<LabelRow>> {
    let read = |e: csv::Error| Error::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(read)?;
    let header: Vec<String> = reader
        .headers()
        .map_err(read)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(read)?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push(
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        );
    }
    Ok(rows)
}

/// Per-fault counts over clips.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
    /// Labelled, but the tool said it cannot judge.
    pub not_assessable: usize,
}

impl Counts {
    pub fn precision(&self) -> Option<f64> {
        let d = self.tp + self.fp;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        let d = self.tp + self.fn_;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        (p + r > 0.0).then(|| 2.0 * p * r / (p + r))
    }
}

/// The tool's verdict on one fault for one clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipVerdict {
    Found,
    NotFound,
    NotAssessable,
}

/// Found when any rep has it; not assessable when no rep could be judged.
pub fn clip_verdict(a: &Analysis, kind: &str) -> ClipVerdict {
    if a.faults.iter().any(|f| f.kind == kind) {
        return ClipVerdict::Found;
    }
    if a.reps.is_empty() {
        return ClipVerdict::NotAssessable;
    }
    let judged = a.reps.iter().any(|r| {
        !a.not_assessable
            .iter()
            .any(|n| n.kind == kind && (n.rep.is_none() || n.rep == Some(r.index)))
    });
    if judged {
        ClipVerdict::NotFound
    } else {
        ClipVerdict::NotAssessable
    }
}

fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| format!("{x:.decimals$}"))
        .unwrap_or_else(|| "–".into())
}

fn rmse(pairs: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let bias = pairs.iter().map(|(a, b)| a - b).sum::<f64>() / n;
    let raw = (pairs.iter().map(|(a, b)| (a - b).powi(2)).sum::<f64>() / n).sqrt();
    let centred = (pairs
        .iter()
        .map(|(a, b)| (a - b - bias).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    Some((raw, bias, centred))
}

/// Options for [`run`].
pub struct EvalOptions {
    pub shared: PathBuf,
    pub out: PathBuf,
    pub jobs: usize,
    pub models_dir: PathBuf,
    pub dev: crate::pass::DevSwitches,
    pub encoder: crate::outputs::Encoder,
}

fn analyse_all(
    inputs: &[(String, PathBuf)],
    config: &Config,
    opts: &EvalOptions,
) -> Vec<(String, Result<ClipAnalysis>)> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let jobs = opts.jobs.max(1);
    let options = RunOptions {
        models_dir: opts.models_dir.clone(),
        threads: if config.pose.threads > 0 {
            config.pose.threads
        } else {
            (cores / jobs).max(1)
        },
        cancel: None,
        dev: opts.dev.clone(),
    };
    let work = || {
        inputs
            .par_iter()
            .map(|(name, path)| {
                let r = analyze_video(path, config, &options, &mut |_, _| {});
                if let Ok(clip) = &r {
                    let dir = opts.out.join(name);
                    let _ = std::fs::create_dir_all(&dir);
                    if let Err(e) = crate::outputs::write_all(clip, config, &dir, &opts.encoder) {
                        eprintln!("warning: {e}");
                    }
                }
                eprintln!("eval: {name} done");
                (name.clone(), r)
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

fn dir_name(d: &Path) -> String {
    d.file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

fn read_gt(path: &Path) -> Result<serde_json::Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| Error::Read {
            path: path.to_path_buf(),
            reason: "not a truth file (gt.json)".into(),
        })
}

/// The horizontal flip of a render (as `synthetic-render/mirror.py` makes it): the video
/// through ffmpeg's `hflip`, the truth's `joints_2d` mirrored as x' = width − x; angles and
/// metres unchanged. Made once into `dst` and reused.
fn mirror_render(
    src: &Path,
    dst: &Path,
    gt: &serde_json::Value,
) -> Result<(PathBuf, serde_json::Value)> {
    let video = dst.join("video.mp4");
    let width = gt["meta"]["params"]["width"].as_f64().unwrap_or(0.0);
    let mut mirrored = gt.clone();
    if let Some(frames) = mirrored["frames"].as_array_mut() {
        for f in frames {
            if let Some(joints) = f["joints_2d"].as_object_mut() {
                for v in joints.values_mut() {
                    if let Some(x) = v.get(0).and_then(|x| x.as_f64()) {
                        v[0] = serde_json::json!(width - x);
                    }
                }
            }
        }
    }
    if !video.is_file() {
        std::fs::create_dir_all(dst).map_err(|e| Error::Output {
            path: dst.to_path_buf(),
            reason: e.to_string(),
        })?;
        let tmp = dst.join("video.tmp.mp4");
        let status = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(src.join("video.mp4"))
            .args([
                "-vf", "hflip", "-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p",
            ])
            .arg(&tmp)
            .status()
            .map_err(|e| Error::Output {
                path: tmp.clone(),
                reason: format!("ffmpeg for the mirror of {}: {e}", src.display()),
            })?;
        if !status.success() {
            return Err(Error::Output {
                path: tmp,
                reason: format!("ffmpeg could not mirror {}", src.display()),
            });
        }
        std::fs::rename(&tmp, &video).map_err(|e| Error::Output {
            path: video.clone(),
            reason: e.to_string(),
        })?;
    }
    Ok((video, mirrored))
}

/// Runs the evaluation and returns the markdown report with the checks that failed.
pub fn run(config: &Config, opts: &EvalOptions) -> Result<EvalReport> {
    let mut renders = Vec::new();
    let syn = opts.shared.join("synthetic");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&syn)
        .map_err(|e| Error::Read {
            path: syn.clone(),
            reason: e.to_string(),
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("gt.json").is_file() && p.join("video.mp4").is_file())
        .collect();
    dirs.sort();
    let names: Vec<String> = dirs.iter().map(|d| dir_name(d)).collect();
    for d in &dirs {
        let name = dir_name(d);
        let gt = read_gt(&d.join("gt.json"))?;
        let mirror_of = name
            .strip_suffix("_mirror")
            .filter(|src| names.iter().any(|n| n == src))
            .map(str::to_string);
        renders.push(Render {
            expected: injected(&name),
            video: d.join("video.mp4"),
            name: name.clone(),
            gt,
            mirror_of,
        });
        // every render is also judged facing the other way: its horizontal flip, made here
        // unless the shared set already has it
        if name.ends_with("_mirror") || names.contains(&format!("{name}_mirror")) {
            continue;
        }
        let mirrored = format!("{name}_mirror");
        let dst = opts.out.join("mirrored-renders").join(&mirrored);
        let (video, gt) = mirror_render(d, &dst, &renders[renders.len() - 1].gt)?;
        renders.push(Render {
            expected: injected(&name),
            video,
            name: mirrored,
            gt,
            mirror_of: Some(name),
        });
    }
    let labels = read_labels(&opts.shared.join("clips").join("labels.csv"))?;
    let mut inputs: Vec<(String, PathBuf)> = renders
        .iter()
        .map(|r| (format!("synthetic/{}", r.name), r.video.clone()))
        .collect();
    for row in &labels {
        let file = row.get("file").cloned().unwrap_or_default();
        let stem = file
            .rsplit_once('.')
            .map(|x| x.0)
            .unwrap_or(&file)
            .to_string();
        inputs.push((
            format!("clips/{stem}"),
            opts.shared.join("clips").join(&file),
        ));
    }
    let results: BTreeMap<String, Result<ClipAnalysis>> =
        analyse_all(&inputs, config, opts).into_iter().collect();
    let mut md = String::new();
    let mut failures = Vec::new();
    synthetic_report(&mut md, &renders, &results, &mut failures);
    mirror_report(&mut md, &renders, &results, &mut failures);
    clips_report(&mut md, &labels, &results);
    if !failures.is_empty() {
        let _ = writeln!(md, "\n## Failed checks\n");
        for f in &failures {
            let _ = writeln!(md, "- {f}");
        }
    }
    Ok(EvalReport {
        markdown: md,
        failures,
    })
}

/// The evaluation's tables, and every check that failed (the command exits 1 on any).
pub struct EvalReport {
    pub markdown: String,
    pub failures: Vec<String>,
}

/// Mirror invariance: a lifter facing left gets the findings of the same lift facing right,
/// and angles within what the model's own left/right asymmetry moves them (median absolute
/// difference over frames known in both: trunk <= 3°, hip <= 6°).
fn mirror_report(
    md: &mut String,
    renders: &[Render],
    results: &BTreeMap<String, Result<ClipAnalysis>>,
    failures: &mut Vec<String>,
) {
    let _ = writeln!(
        md,
        "\n### Mirror invariance (each render against its horizontal flip)\n"
    );
    let _ = writeln!(
        md,
        "| render | findings | findings, mirrored | trunk median abs diff (deg) | hip median abs diff (deg) | check |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    let get = |name: &str| match results.get(&format!("synthetic/{name}")) {
        Some(Ok(c)) => Some(c),
        _ => None,
    };
    for r in renders {
        let Some(src) = &r.mirror_of else { continue };
        let (Some(a), Some(b)) = (get(src), get(&r.name)) else {
            continue;
        };
        let kinds = |c: &ClipAnalysis| {
            let mut v: Vec<String> = c
                .analysis
                .faults
                .iter()
                .map(|f| format!("{}#{}", f.kind, f.rep))
                .collect();
            v.sort();
            v
        };
        let diff = |x: &Vec<Option<f64>>, y: &Vec<Option<f64>>| {
            let mut d: Vec<f64> = x
                .iter()
                .zip(y)
                .filter_map(|(p, q)| Some(((*p)? - (*q)?).abs()))
                .collect();
            (!d.is_empty()).then(|| crate::kinematics::filters::median_of(&mut d))
        };
        let (ka, kb) = (&a.kinematics.angles, &b.kinematics.angles);
        let trunk = diff(&ka.trunk_angle_deg, &kb.trunk_angle_deg);
        let hip = diff(&ka.hip_angle_deg, &kb.hip_angle_deg);
        let (fa, fb) = (kinds(a), kinds(b));
        let mut problems = Vec::new();
        if fa != fb {
            problems.push("findings differ".to_string());
        }
        // both declining the hip angle (the feet never seen) is the same answer
        let both_declined =
            !a.kinematics.feet_in_picture && !b.kinematics.feet_in_picture && hip.is_none();
        if trunk.is_none_or(|t| t > 3.0) || (!both_declined && hip.is_none_or(|h| h > 6.0)) {
            problems.push("angles differ".to_string());
        }
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(
            md,
            "| {src} | {} | {} | {} | {} | {} |",
            list(&fa),
            list(&fb),
            fmt_opt(trunk, 1),
            fmt_opt(hip, 1),
            if problems.is_empty() {
                "ok".to_string()
            } else {
                format!("FAIL: {}", problems.join("; "))
            }
        );
        if !problems.is_empty() {
            failures.push(format!("{src} vs {}: {}", r.name, problems.join("; ")));
        }
    }
}

fn synthetic_report(
    md: &mut String,
    renders: &[Render],
    results: &BTreeMap<String, Result<ClipAnalysis>>,
    failures: &mut Vec<String>,
) {
    let _ = writeln!(
        md,
        "## Synthetic renders (`../shared/synthetic` and the horizontal flip of each)\n"
    );
    let _ = writeln!(
        md,
        "Targets on every render: its injected fault found in the right rep and phase (where at or over the threshold + {BAND}), nothing else of the four flagged, \"not assessable\" where the footage cannot show a fault, trunk RMSE <= {TRUNK_RMSE_MAX_DEG} deg, hip RMSE <= {HIP_RMSE_MAX_DEG} deg, no angle outside its range.\n"
    );
    let _ = writeln!(
        md,
        "| render | injected | found (rep: kind value unit, frames) | right rep & phase | false alarms | reps | trunk RMSE (frames) | hip RMSE (frames) | angles out of range | check |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|");
    let mut angle_pairs: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    // the same pairs split by whether the plate hides the hip (the truth's occlusion flags)
    let mut behind_plate_pairs: BTreeMap<(&str, bool), Vec<(f64, f64)>> = BTreeMap::new();
    let mut thoracic_rows = Vec::new();
    for r in renders {
        let key = format!("synthetic/{}", r.name);
        let Some(Ok(clip)) = results.get(&key) else {
            let _ = writeln!(md, "| {} | analysis failed | | | | | | | | FAIL |", r.name);
            failures.push(format!("{}: analysis failed", r.name));
            continue;
        };
        let a = &clip.analysis;
        let frames = r.gt["frames"].as_array().cloned().unwrap_or_default();
        let phase = |i: usize| {
            frames
                .get(i)
                .and_then(|f| f["phase"].as_str())
                .unwrap_or("")
                .to_string()
        };
        let found: Vec<String> = a
            .faults
            .iter()
            .map(|f| {
                format!(
                    "{}: {} {:.1} {} ({}–{})",
                    f.rep, f.kind, f.value, f.unit, f.start_frame, f.end_frame
                )
            })
            .collect();
        let injected_kind = r.expected.kind();
        let right = match r.expected {
            Expect::Found(kind, phases) => a.faults.iter().any(|f| {
                f.kind == kind
                    && f.rep == 1
                    && (f.start_frame..=f.end_frame).any(|i| phases.contains(&phase(i).as_str()))
            }),
            _ => true,
        };
        let false_alarms: Vec<&str> = a
            .faults
            .iter()
            .filter(|f| Some(f.kind.as_str()) != injected_kind)
            .map(|f| f.kind.as_str())
            .collect();
        let unjudged_ok = must_be_not_assessable(&r.name).iter().all(|kind| {
            !a.faults.iter().any(|f| f.kind == *kind)
                && a.not_assessable.iter().any(|n| n.kind == *kind)
        });
        // per-frame angles against the ground truth
        let k = &clip.kinematics;
        let mut per_render: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
        for (name, ours) in [
            ("trunk_angle_deg", &k.angles.trunk_angle_deg),
            ("hip_angle_deg", &k.angles.hip_angle_deg),
            ("knee_angle_deg", &k.angles.knee_angle_deg),
        ] {
            for (i, f) in frames.iter().enumerate() {
                if let (Some(o), Some(g)) = (ours.get(i).copied().flatten(), f[name].as_f64()) {
                    angle_pairs.entry(name).or_default().push((o, g));
                    per_render.entry(name).or_default().push((o, g));
                    let hidden = f["occluded_by_plate"]["right_hip"].as_bool() == Some(true);
                    behind_plate_pairs
                        .entry((name, hidden))
                        .or_default()
                        .push((o, g));
                }
            }
        }
        let out_of_range: usize = crate::kinematics::angles::RANGES
            .iter()
            .zip([
                &k.angles.trunk_angle_deg,
                &k.angles.hip_angle_deg,
                &k.angles.knee_angle_deg,
                &k.angles.shin_angle_deg,
                &k.angles.neck_angle_deg,
            ])
            .map(|((_, range), series)| {
                series
                    .iter()
                    .flatten()
                    .filter(|v| !range.contains(**v))
                    .count()
            })
            .sum();
        let rmse_of = |name: &str| per_render.get(name).and_then(|p| rmse(p)).map(|x| x.0);
        let cell = |name: &str| {
            format!(
                "{} ({})",
                fmt_opt(rmse_of(name), 1),
                per_render.get(name).map_or(0, |p| p.len())
            )
        };
        let (trunk, hip) = (rmse_of("trunk_angle_deg"), rmse_of("hip_angle_deg"));
        let mut problems = Vec::new();
        if !right {
            problems.push("injected fault missed".to_string());
        }
        if !false_alarms.is_empty() {
            problems.push(format!("false alarms: {}", false_alarms.join(", ")));
        }
        if !unjudged_ok {
            problems.push("a fault the footage cannot show was judged".to_string());
        }
        if trunk.is_none_or(|t| t > TRUNK_RMSE_MAX_DEG) {
            problems.push(format!("trunk RMSE {}", fmt_opt(trunk, 1)));
        }
        // no hip angle at all is right only where the tool says the knees cannot be seen
        let hip_declined = hip.is_none() && !k.feet_in_picture;
        if !hip_declined && hip.is_none_or(|h| h > HIP_RMSE_MAX_DEG) {
            problems.push(format!("hip RMSE {}", fmt_opt(hip, 1)));
        }
        if out_of_range > 0 {
            problems.push(format!("{out_of_range} angles out of range"));
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            match r.expected {
                Expect::Found(k, _) => k.to_string(),
                Expect::Either(k) => format!("{k} (near its threshold: either)"),
                Expect::None => "none".into(),
            },
            if found.is_empty() {
                "none".into()
            } else {
                found.join("; ")
            },
            if matches!(r.expected, Expect::Found(..)) {
                if right {
                    "yes"
                } else {
                    "NO"
                }
            } else {
                "–"
            },
            if false_alarms.is_empty() {
                "none".into()
            } else {
                false_alarms.join(", ")
            },
            a.reps.len(),
            cell("trunk_angle_deg"),
            cell("hip_angle_deg"),
            out_of_range,
            if problems.is_empty() {
                "ok".to_string()
            } else {
                format!("FAIL: {}", problems.join("; "))
            }
        );
        if !problems.is_empty() {
            failures.push(format!("{}: {}", r.name, problems.join("; ")));
        }
        // thoracic: the fault's own increase (over the rep's flattest comparable back) vs
        // the reference chord flexion, bent-over frames; and its held peaks per render
        let config = Config::default();
        let input = clip.fault_input(&config);
        let mut pairs = Vec::new();
        let (mut peak_inc, mut peak_curve, mut peak_gt) = (None::<f64>, None::<f64>, f64::MIN);
        for rep in &a.reps {
            let Some(back) = crate::faults::thoracic_rounding::rep_back(&input, rep) else {
                continue;
            };
            for (p, &i) in back.bent.iter().enumerate() {
                if let (Some(o), Some(g)) = (
                    back.increase_deg[p],
                    frames
                        .get(i)
                        .and_then(|f| f["upper_back_chord_flexion_deg"].as_f64()),
                ) {
                    pairs.push((o, g));
                    peak_gt = peak_gt.max(g);
                }
            }
            let mx = |a: Option<f64>, b: Option<(usize, f64)>| match (a, b) {
                (Some(a), Some((_, b))) => Some(a.max(b)),
                (a, b) => a.or(b.map(|b| b.1)),
            };
            peak_inc = mx(peak_inc, back.peak_increase);
            peak_curve = mx(peak_curve, back.peak_curve);
        }
        let injected = r.gt["meta"]["params"]["thoracic_flex_deg"].as_f64();
        let flagged = a.faults.iter().any(|f| f.kind == "thoracic_rounding");
        if let Some((raw, bias, _)) = rmse(&pairs) {
            thoracic_rows.push((
                r.name.clone(),
                injected,
                raw,
                bias,
                peak_inc,
                peak_curve,
                peak_gt,
                flagged,
            ));
        }
    }
    // per fault over the renders: positive where that fault was injected
    let _ = writeln!(md, "\n| fault (renders) | TP | FP | FN | TN |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for kind in LABELLED_FAULTS {
        let mut c = Counts::default();
        for r in renders {
            let Some(Ok(clip)) = results.get(&format!("synthetic/{}", r.name)) else {
                continue;
            };
            let found = clip.analysis.faults.iter().any(|f| f.kind == kind);
            let injected = matches!(r.expected, Expect::Found(k, _) if k == kind);
            if matches!(r.expected, Expect::Either(k) if k == kind) {
                continue;
            }
            match (found, injected) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, true) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
        }
        let _ = writeln!(
            md,
            "| {kind} | {} | {} | {} | {} |",
            c.tp, c.fp, c.fn_, c.tn
        );
    }
    let _ = writeln!(
        md,
        "\n### Angle error against the ground truth (all renders, every frame)\n"
    );
    let _ = writeln!(
        md,
        "| angle | frames | RMSE (deg) | bias, ours − truth (deg) | RMSE without the bias (deg) |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    for (name, pairs) in &angle_pairs {
        if let Some((raw, bias, centred)) = rmse(pairs) {
            let _ = writeln!(
                md,
                "| {name} | {} | {raw:.1} | {bias:+.1} | {centred:.1} |",
                pairs.len()
            );
        }
    }
    let _ = writeln!(
        md,
        "\nSplit by the truth's `occluded_by_plate.right_hip`: where the near plate hides the hip (lockout, the top of the pull and of the descent) the model's hip is a guess.\n"
    );
    let _ = writeln!(
        md,
        "| angle | hip behind the plate | frames | RMSE (deg) | bias, ours − truth (deg) |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    for ((name, hidden), pairs) in &behind_plate_pairs {
        if let Some((raw, bias, _)) = rmse(pairs) {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {raw:.1} | {bias:+.1} |",
                if *hidden { "yes" } else { "no" },
                pairs.len()
            );
        }
    }
    let _ = writeln!(
        md,
        "\n### Upper-back rounding per render: the fault's increase (over the lifter's flattest back in the rep at a comparable trunk tilt and hip angle, held 0.2 s) and curve, vs `upper_back_chord_flexion_deg` over the bent-over frames\n"
    );
    let _ = writeln!(
        md,
        "| render | injected (deg) | peak truth (deg) | increase, held peak (deg) | curve, held peak (deg) | flagged | RMSE increase vs truth (deg) | bias (deg) |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    let mut fit = Vec::new();
    let mut groups: Vec<(&'static str, Vec<(f64, f64)>)> = Vec::new();
    for (name, inj, raw, bias, inc, curve, pg, flagged) in &thoracic_rows {
        let _ = writeln!(
            md,
            "| {name} | {} | {pg:.1} | {} | {} | {} | {raw:.1} | {bias:+.1} |",
            fmt_opt(*inj, 0),
            fmt_opt(*inc, 1),
            fmt_opt(*curve, 1),
            if *flagged { "yes" } else { "no" }
        );
        if let (Some(x), Some(y)) = (inj, inc) {
            fit.push((*x, *y));
            let g = render_group(name);
            match groups.iter_mut().find(|(k, _)| *k == g) {
                Some((_, v)) => v.push((*x, *y)),
                None => groups.push((g, vec![(*x, *y)])),
            }
        }
    }
    if let Some((slope, rank)) = slope_and_rank(&fit) {
        let _ = writeln!(
            md,
            "\nIncrease against injected flexion over {} renders: slope {slope:.2} deg/deg, Spearman rank correlation {rank:.2}.",
            fit.len(),
        );
    }
    for (g, pairs) in &groups {
        if let Some((slope, rank)) = slope_and_rank(pairs) {
            let _ = writeln!(
                md,
                "- {g}: {} renders, slope {slope:.2} deg/deg, Spearman {rank:.2}",
                pairs.len()
            );
        }
    }
}

/// The body and camera a render was made with, from its name (the shared set's naming).
fn render_group(name: &str) -> &'static str {
    const GROUPS: [(&str, &str); 7] = [
        ("body2_", "second body (dark clothes), 3.3 m"),
        ("male720_", "male body, 720p"),
        ("far6_", "far camera, 6 m, 720p"),
        ("lowcam_", "low camera, 0.35 m"),
        ("highcam_", "high camera, 1.6 m"),
        ("cropped_feet_", "feet out of frame"),
        ("fps60_", "60 fps"),
    ];
    GROUPS
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map(|g| g.1)
        .unwrap_or("first body, 3.3 m")
}

/// Least-squares slope and Spearman rank correlation of `(injected, measured)` pairs; `None`
/// with fewer than three pairs or a single injected value.
fn slope_and_rank(fit: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = fit.len() as f64;
    let (mx, my) = (
        fit.iter().map(|p| p.0).sum::<f64>() / n,
        fit.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = fit.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = fit.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (fit.len() >= 3 && sxx > 1e-9).then(|| (sxy / sxx, spearman(fit)))
}

/// Spearman's rank correlation of the pairs (ties get their mean rank).
fn spearman(pairs: &[(f64, f64)]) -> f64 {
    let ranks = |v: Vec<f64>| -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for &k in &idx[i..=j] {
                r[k] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    };
    let rx = ranks(pairs.iter().map(|p| p.0).collect());
    let ry = ranks(pairs.iter().map(|p| p.1).collect());
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt().max(1e-12)
}

/// The upper-back curve itself on the side clips labelled for thoracic rounding: the standing
/// value the fault compares with, the bent-over level (90th percentile) and their difference.
/// Shows whether the labels follow the curve or its increase over standing.
fn thoracic_curve_table(
    md: &mut String,
    labels: &[LabelRow],
    results: &BTreeMap<String, Result<ClipAnalysis>>,
    side: &dyn Fn(&LabelRow) -> bool,
) {
    let _ = writeln!(
        md,
        "### Upper-back curve on the side clips labelled for `thoracic_rounding`\n"
    );
    let _ = writeln!(
        md,
        "| clip | label | standing curve (deg) | bent-over curve, 90th percentile (deg) | increase over standing (deg) | per rep: increase over its own flattest back, held peak / curve, held peak (deg) | ragged / blurred frames |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    let config = Config::default();
    for row in labels.iter().filter(|r| side(r)) {
        let label = row.get("thoracic_rounding").map(|l| l.trim().to_string());
        let (Some(label @ ("0" | "1")), Some(file)) = (label.as_deref(), row.get("file")) else {
            continue;
        };
        let stem = file.rsplit_once('.').map(|x| x.0).unwrap_or(file);
        let Some(Ok(clip)) = results.get(&format!("clips/{stem}")) else {
            continue;
        };
        let k = &clip.kinematics;
        let standing =
            crate::faults::thoracic_rounding::upright_flexion_deg(&clip.fault_input(&config));
        let mut bent: Vec<f64> = (0..k.frames())
            .filter(|&i| {
                k.angles.trunk_angle_deg[i]
                    .is_some_and(|t| t > config.faults.thoracic_rounding.min_bent_trunk_deg)
            })
            .filter_map(|i| clip.thoracic_flexion_deg.get(i).copied().flatten())
            .collect();
        bent.sort_by(f64::total_cmp);
        let p90 = (!bent.is_empty()).then(|| bent[(bent.len() - 1) * 9 / 10]);
        let id = row.get("id").cloned().unwrap_or_default();
        let increase = standing.zip(p90).map(|(s, b)| b - s);
        let input = clip.fault_input(&config);
        let per_rep: Vec<String> = clip
            .analysis
            .reps
            .iter()
            .filter_map(|rep| crate::faults::thoracic_rounding::rep_back(&input, rep))
            .map(|b| {
                format!(
                    "{} / {}",
                    fmt_opt(b.peak_increase.map(|p| p.1), 1),
                    fmt_opt(b.peak_curve.map(|p| p.1), 1)
                )
            })
            .collect();
        let count = |why| clip.back_unfit.iter().filter(|&&u| u == Some(why)).count();
        let (ragged, blurred) = (count(NoFit::Ragged), count(NoFit::Blurred));
        let _ = writeln!(
            md,
            "| {id} | {label} | {} | {} | {} | {} | {ragged} / {blurred} |",
            fmt_opt(standing, 1),
            fmt_opt(p90, 1),
            fmt_opt(increase, 1),
            per_rep.join("; ")
        );
    }
}

fn clips_report(
    md: &mut String,
    labels: &[LabelRow],
    results: &BTreeMap<String, Result<ClipAnalysis>>,
) {
    let get = |row: &LabelRow, k: &str| row.get(k).cloned().unwrap_or_default();
    let analysis = |row: &LabelRow| -> Option<&Analysis> {
        let file = get(row, "file");
        let stem = file
            .rsplit_once('.')
            .map(|x| x.0)
            .unwrap_or(&file)
            .to_string();
        match results.get(&format!("clips/{stem}")) {
            Some(Ok(c)) => Some(&c.analysis),
            _ => None,
        }
    };
    // labelled side views: A and B clips whose view is a side view
    let side = |row: &LabelRow| {
        let id = get(row, "id");
        (id.starts_with('A') || id.starts_with('B')) && get(row, "view").starts_with("side")
    };
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut details = Vec::new();
    for row in labels.iter().filter(|r| side(r)) {
        let Some(a) = analysis(row) else { continue };
        for kind in LABELLED_FAULTS {
            let label = get(row, kind);
            let truth = match label.trim() {
                "1" => true,
                "0" => false,
                _ => continue,
            };
            let c = counts.entry(kind).or_default();
            let v = clip_verdict(a, kind);
            match (v, truth) {
                (ClipVerdict::Found, true) => c.tp += 1,
                (ClipVerdict::Found, false) => c.fp += 1,
                (ClipVerdict::NotFound, true) => c.fn_ += 1,
                (ClipVerdict::NotFound, false) => c.tn += 1,
                (ClipVerdict::NotAssessable, _) => c.not_assessable += 1,
            }
            let mark = match (v, truth) {
                (ClipVerdict::Found, true) | (ClipVerdict::NotFound, false) => "agree",
                (ClipVerdict::NotAssessable, _) => "n/a",
                _ => "DISAGREE",
            };
            let value = a
                .faults
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| format!("{:.1} {}", f.value, f.unit))
                .collect::<Vec<_>>()
                .join(", ");
            details.push(format!(
                "| {} | {kind} | {} | {:?} {value} | {mark} |",
                get(row, "id"),
                label,
                v
            ));
        }
    }
    let _ = writeln!(
        md,
        "\n## Real clips (`../shared/clips`, labelled side views: A/B ids whose view is a side view)\n"
    );
    let _ = writeln!(
        md,
        "| fault | TP | FP | FN | TN | not assessable | precision | recall | F1 |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
    for kind in LABELLED_FAULTS {
        let c = counts.get(kind).copied().unwrap_or_default();
        let _ = writeln!(
            md,
            "| {kind} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.tp,
            c.fp,
            c.fn_,
            c.tn,
            c.not_assessable,
            fmt_opt(c.precision(), 2),
            fmt_opt(c.recall(), 2),
            fmt_opt(c.f1(), 2)
        );
    }
    // clips labelled good: no labelled fault is 1 and at least one is 0 (the labels are coarse:
    // an empty column is unlabelled)
    let good: Vec<(String, Vec<&str>)> = labels
        .iter()
        .filter(|r| side(r))
        .filter(|r| {
            let l: Vec<String> = LABELLED_FAULTS
                .iter()
                .map(|k| get(r, k).trim().to_string())
                .collect();
            l.iter().all(|x| x != "1") && l.iter().any(|x| x == "0")
        })
        .filter_map(|r| {
            let a = analysis(r)?;
            let found = LABELLED_FAULTS
                .iter()
                .copied()
                .filter(|k| clip_verdict(a, k) == ClipVerdict::Found)
                .collect();
            Some((get(r, "id"), found))
        })
        .collect();
    let clean = good.iter().filter(|(_, f)| f.is_empty()).count();
    let flagged: Vec<String> = good
        .iter()
        .filter(|(_, f)| !f.is_empty())
        .map(|(id, f)| format!("{id} ({})", f.join(", ")))
        .collect();
    let _ = writeln!(
        md,
        "\nClips labelled good (no labelled fault, at least one labelled absent): {clean} of {} get none of the four{}.",
        good.len(),
        if flagged.is_empty() {
            String::new()
        } else {
            format!("; flagged: {}", flagged.join("; "))
        }
    );
    let _ = writeln!(md, "\n<details><summary>Per clip</summary>\n");
    let _ = writeln!(md, "| clip | fault | label | tool | |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for d in details {
        let _ = writeln!(md, "{d}");
    }
    let _ = writeln!(md, "\n</details>\n");
    thoracic_curve_table(md, labels, results, &side);
    // every clip: view verdict, reps, faults
    let _ = writeln!(md, "### Every clip: view verdict, reps and faults\n");
    let _ = writeln!(
        md,
        "| clip | labelled view | side view? | reps | faults | check |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for row in labels {
        let id = get(row, "id");
        let Some(a) = analysis(row) else {
            let _ = writeln!(
                md,
                "| {id} | {} | analysis failed | | | |",
                get(row, "view")
            );
            continue;
        };
        let kinds: Vec<String> = a
            .faults
            .iter()
            .map(|f| format!("{}#{}", f.kind, f.rep))
            .collect();
        let check = if id.starts_with('C') {
            if !a.view.side_view && a.faults.is_empty() {
                "ok (not a side view, no faults)"
            } else {
                "FAIL (C clip must be not-a-side-view)"
            }
        } else if id.starts_with('E') || id.starts_with('F') {
            if a.reps.is_empty() {
                "ok (no deadlift)"
            } else {
                "deadlift reps reported"
            }
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "| {id} | {} | {} ({}) | {} | {} | {check} |",
            get(row, "view"),
            if a.view.side_view { "yes" } else { "no" },
            a.view.reason.replace('|', "/"),
            a.reps.len(),
            if kinds.is_empty() {
                "none".into()
            } else {
                kinds.join(", ")
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_read_by_column_with_quoted_commas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.csv");
        std::fs::write(
            &path,
            "file,label,note\nA01.mp4,good,\"side, 3 m\"\n\nB02.mp4,rounded,\"says \"\"lumbar\"\"\"\n",
        )
        .unwrap();
        let rows = read_labels(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["note"], "side, 3 m");
        assert_eq!(rows[1]["label"], "rounded");
        assert_eq!(rows[1]["note"], "says \"lumbar\"");
        let missing = read_labels(&dir.path().join("none.csv")).unwrap_err();
        assert!(
            missing.to_string().contains("none.csv: cannot read"),
            "{missing}"
        );
    }
}
