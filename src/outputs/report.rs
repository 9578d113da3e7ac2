//! `report.html`: one self-contained page per video, opened from disk, no network. The verdict
//! first (which faults, in which reps, how sure), then each fault with its before/at/after
//! frames, value against threshold and cue, the annotated video, the plots (SVG inline), the
//! per-rep table, what could not be assessed and why, and the medical note. HTML comes from
//! `templates/report.html` through minijinja with auto-escaping on: nothing from the input
//! (file names, messages) can become markup.

use std::path::Path;

use minijinja::{context, Environment, Value};
use serde::Serialize;

use super::annotated::Media;
use super::plots::Plots;
use super::timeline;
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::reps::KeyAngles;

pub const REPORT_FILE: &str = "report.html";
const TEMPLATE: &str = include_str!("../../templates/report.html");
/// The self-check script shared by the report and the index (records broken images and
/// script errors into `#selfcheck`, for the Chromium test and for anyone curious).
pub const SELFCHECK_JS: &str = include_str!("../../templates/selfcheck.js");
/// The stylesheet shared by the report and the index.
pub const STYLE_CSS: &str = include_str!("../../templates/style.css");

#[derive(Serialize)]
struct VerdictItem {
    title: String,
    reps: String,
    confidence: String,
}

#[derive(Serialize)]
struct ThumbView {
    which: &'static str,
    file: String,
    time: String,
}

#[derive(Serialize)]
struct FaultCard {
    anchor: String,
    title: String,
    kind: String,
    rep: usize,
    value: String,
    threshold: String,
    /// The absolute measure behind a relative value, when the fault gives one.
    absolute: Option<String>,
    /// What the value measures, when the fault has more than one signal.
    measure: Option<String>,
    /// Bar widths (percent) for the value/threshold gauge.
    value_pct: f64,
    threshold_pct: f64,
    confidence: String,
    cue: String,
    when: String,
    thumbs: Vec<ThumbView>,
}

#[derive(Serialize)]
struct RepRowView {
    index: usize,
    faults: String,
    concentric: String,
    eccentric: String,
    mean_v: String,
    peak_v: String,
    rom: String,
    forward: String,
    backward: String,
    peak_flexion: String,
    angles: Vec<String>,
    /// `clips/rep2_….mp4` with `--clips`.
    clip: Option<String>,
}

/// One rep's upper-back evidence: the two compared frames side by side.
#[derive(Serialize)]
struct UpperBackView {
    rep: usize,
    verdict: String,
    verdict_class: &'static str,
    panels: Vec<CropPanel>,
    /// "worst 25.1° − reference 3.0° = 22.1° ± 1.4°"
    difference: Option<String>,
    /// What the worst frame was compared with, in words.
    against: String,
    threshold: String,
    spread: Option<String>,
}

#[derive(Serialize)]
struct CropPanel {
    label: &'static str,
    /// Shown only when written.
    file: Option<String>,
    angle: String,
    when: String,
}

#[derive(Serialize)]
struct NotAssessableView {
    title: String,
    scope: String,
    reason: String,
}

#[derive(Serialize)]
struct ReportView {
    title: String,
    input: String,
    facts: Vec<(String, String)>,
    side_view: bool,
    view_reason: String,
    headline: String,
    verdict_class: &'static str,
    verdict_items: Vec<VerdictItem>,
    faults: Vec<FaultCard>,
    video_file: Option<String>,
    video_note: String,
    media_warnings: Vec<String>,
    reps: Vec<RepRowView>,
    upper_back: Vec<UpperBackView>,
    has_clips: bool,
    not_assessable: Vec<NotAssessableView>,
    /// The verdict's one-line list of what was not assessed, a check at a time with its reps
    /// ("Rounded upper back (reps 1–3, 9–10)"); the reasons follow further down.
    not_assessed_brief: Vec<String>,
    /// Why nothing was judged, said once (plain words), and how to film when it helps.
    not_judged: Option<String>,
    advice: Option<&'static str>,
    /// "first rep 1 0.52 m/s → fastest rep 2 0.61 m/s → last rep 4 0.45 m/s"
    velocity_loss: Option<String>,
    velocity_loss_pct: Option<String>,
    velocity_loss_definition: &'static str,
    notes: Vec<String>,
}

fn num(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}{unit}"),
        _ => "–".into(),
    }
}

fn angles_text(k: &KeyAngles) -> String {
    format!(
        "{} / {} / {}",
        num(k.trunk_angle_deg, 0, "°"),
        num(k.hip_angle_deg, 0, "°"),
        num(k.knee_angle_deg, 0, "°")
    )
}

/// The file name shown as the page title (the full path is shown too).
pub fn display_name(input: &str) -> String {
    Path::new(input)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| input.to_string())
}

/// The upper-back evidence of each rep, as the report shows it: each angle with the
/// measurement's spread (± n°), the difference with √2·n (two independent readings).
fn upper_back_views(clip: &ClipAnalysis, media: &Media) -> Vec<UpperBackView> {
    let pm = |s: Option<f64>, k: f64| s.map(|s| format!(" ± {:.1}°", s * k)).unwrap_or_default();
    clip.analysis
        .upper_back
        .iter()
        .map(|e| {
            let (verdict, verdict_class) = match (e.verdict.as_str(), &e.reason) {
                ("found", _) => ("flagged: rounded upper back".to_string(), "bad"),
                (_, Some(why)) => (format!("not assessable: {why}"), "na"),
                _ => ("within the threshold".to_string(), "ok"),
            };
            let panel =
                |label: &'static str, f: &crate::faults::thoracic_evidence::ComparedFrame| {
                    CropPanel {
                        label,
                        file: media
                            .upper_back_crops
                            .contains(&f.file)
                            .then(|| f.file.clone()),
                        angle: format!("{:.1}°{}", f.curve_deg, pm(e.spread_deg, 1.0)),
                        when: format!("frame {} · {:.2} s", f.frame, f.time_s),
                    }
                };
            let (reference_label, against) = match e.compared_with.as_str() {
                "standing" => (
                    "reference: standing, nearest the standing curve",
                    "the standing back",
                ),
                "straight" => (
                    "for comparison: the rep's flattest back at this trunk tilt",
                    "a straight back (0°)",
                ),
                _ => (
                    "reference: the rep's flattest back at this trunk tilt",
                    "the rep's flattest back",
                ),
            };
            let panels = [
                e.reference.as_ref().map(|f| panel(reference_label, f)),
                e.worst
                    .as_ref()
                    .map(|f| panel("worst: where the signal peaks", f)),
            ]
            .into_iter()
            .flatten()
            .collect();
            UpperBackView {
                rep: e.rep,
                verdict,
                verdict_class,
                panels,
                difference: e
                    .worst
                    .as_ref()
                    .zip(e.reference_deg)
                    .zip(e.increase_deg)
                    .map(|((w, r), d)| {
                        format!(
                            "{:.1}° − {:.1}° = {:.1}°{}",
                            w.curve_deg,
                            r,
                            d,
                            pm(e.spread_deg, std::f64::consts::SQRT_2)
                        )
                    }),
                against: against.to_string(),
                threshold: format!("{}°", (e.threshold_deg * 10.0).round() / 10.0),
                spread: e.spread_deg.map(|s| format!("{s:.1}°")),
            }
        })
        .collect()
}

fn build_view(clip: &ClipAnalysis, media: &Media) -> ReportView {
    let a = &clip.analysis;
    let time = |f: usize| format!("{:.2} s", timeline::frame_time_s(clip, f));
    let mut verdict_items: Vec<VerdictItem> = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    for f in &a.faults {
        if !kinds.contains(&f.kind.as_str()) {
            kinds.push(&f.kind);
        }
    }
    for kind in kinds {
        let of_kind: Vec<_> = a.faults.iter().filter(|f| f.kind == kind).collect();
        let mut reps: Vec<usize> = of_kind.iter().map(|f| f.rep).collect();
        reps.dedup();
        let conf = of_kind.iter().map(|f| f.confidence).fold(0.0, f64::max);
        verdict_items.push(VerdictItem {
            title: timeline::fault_title(kind),
            reps: reps
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            confidence: format!("{} ({conf:.2})", timeline::confidence_word(conf)),
        });
    }
    let summary = super::summary::clip_summary(clip);
    let not_judged = summary.video.not_judged.clone();
    let (headline, verdict_class) = if let Some(why) = &not_judged {
        (not_judged_headline(why), "na")
    } else if a.faults.is_empty() {
        let reps = format!(
            "{} rep{}",
            a.reps.len(),
            if a.reps.len() == 1 { "" } else { "s" }
        );
        // "no faults" is a verdict only where the checks could look
        let judged = |kind: &str, rep: usize| {
            !a.not_assessable
                .iter()
                .any(|n| n.kind == kind && n.rep.is_none_or(|r| r == rep))
        };
        let main_judged = a.reps.iter().any(|r| {
            crate::faults::MAIN_FAULTS
                .iter()
                .any(|kind| judged(kind, r.index))
        });
        if !a.reps.is_empty() && !main_judged {
            (
                format!(
                    "Not judged: none of the four main checks could look at the {reps} (see what was not assessed)."
                ),
                "na",
            )
        } else if a.not_assessable.is_empty() {
            (format!("No faults found in {reps}."), "ok")
        } else {
            (
                format!("No faults found in {reps}, in the checks that could be judged."),
                "ok",
            )
        }
    } else {
        let faulty: std::collections::BTreeSet<usize> = a.faults.iter().map(|f| f.rep).collect();
        (
            format!(
                "{} fault{} in {} of {} rep{}.",
                a.faults.len(),
                if a.faults.len() == 1 { "" } else { "s" },
                faulty.len(),
                a.reps.len(),
                if a.reps.len() == 1 { "" } else { "s" }
            ),
            "bad",
        )
    };
    let faults = a
        .faults
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let top = f.value.abs().max(f.threshold.abs()).max(1e-9) * 1.2;
            FaultCard {
                anchor: format!("fault-{}", k + 1),
                title: timeline::fault_title(&f.kind),
                kind: f.kind.clone(),
                rep: f.rep,
                value: timeline::with_unit(f.value, &f.unit),
                threshold: timeline::with_unit(f.threshold, &f.unit),
                // shown only when it says more than the value itself
                absolute: f
                    .absolute
                    .filter(|a| (a - f.value).abs() >= 0.05)
                    .map(|a| timeline::with_unit(a, &f.unit)),
                measure: f.measure.clone(),
                value_pct: (f.value.abs() / top * 100.0).clamp(0.0, 100.0),
                threshold_pct: (f.threshold.abs() / top * 100.0).clamp(0.0, 100.0),
                confidence: format!(
                    "{} ({:.2})",
                    timeline::confidence_word(f.confidence),
                    f.confidence
                ),
                cue: f.cue.clone(),
                when: format!(
                    "{} – {} (frames {}–{})",
                    time(f.start_frame),
                    time(f.end_frame),
                    f.start_frame,
                    f.end_frame
                ),
                thumbs: media
                    .thumbs
                    .iter()
                    .filter(|t| t.finding == k)
                    .map(|t| ThumbView {
                        which: t.which,
                        file: t.file.clone(),
                        time: time(t.frame),
                    })
                    .collect(),
            }
        })
        .collect();
    let reps = a
        .reps
        .iter()
        .map(|r| {
            let peak = r
                .span(true)
                .and_then(|(s, e)| timeline::max_over(&clip.thoracic_flexion_deg, s, e));
            let mut faults: Vec<String> = a
                .faults
                .iter()
                .filter(|f| f.rep == r.index)
                .map(|f| timeline::fault_title(&f.kind))
                .collect();
            faults.dedup();
            RepRowView {
                index: r.index,
                faults: if !r.implausible.is_empty() {
                    format!("not judged, implausible: {}", r.implausible.join("; "))
                } else if faults.is_empty() {
                    "–".into()
                } else {
                    faults.join(", ")
                },
                concentric: num(r.concentric_s, 2, " s"),
                eccentric: num(r.eccentric_s, 2, " s"),
                mean_v: num(r.bar.mean_concentric_velocity_m_per_s, 2, ""),
                peak_v: num(r.bar.peak_concentric_velocity_m_per_s, 2, ""),
                rom: num(r.bar.range_of_motion_cm, 0, ""),
                forward: num(timeline::drift_from_setup_cm(clip, r), 1, ""),
                backward: num(r.bar.max_backward_cm, 1, ""),
                peak_flexion: num(peak, 0, "°"),
                angles: [&r.setup, &r.liftoff, &r.knee, &r.lockout]
                    .iter()
                    .map(|k| angles_text(k))
                    .collect(),
                clip: media
                    .rep_clips
                    .iter()
                    .find(|c| c.rep == r.index)
                    .map(|c| c.file.clone()),
            }
        })
        .collect();
    // a clip not judged says why once, in the verdict, not once per check
    let not_assessable = a
        .not_assessable
        .iter()
        .filter(|_| not_judged.is_none())
        .map(|n| NotAssessableView {
            title: timeline::fault_title(&n.kind),
            scope: match n.rep {
                Some(r) => format!("rep {r}"),
                None => "all reps".into(),
            },
            reason: n.reason.clone(),
        })
        .collect();
    let not_assessed_brief = not_assessed_brief(
        a.not_assessable
            .iter()
            .filter(|_| not_judged.is_none())
            .map(|n| (timeline::fault_title(&n.kind), n.rep)),
    );
    let info = &a.video.info;
    let facts = vec![
        (
            "Duration".into(),
            format!(
                "{:.1} s",
                a.video.decoded_frames as f64 / info.fps.max(1e-6)
            ),
        ),
        (
            "Frames".into(),
            format!("{} at {:.2} fps", a.video.decoded_frames, info.fps),
        ),
        ("Size".into(), format!("{}×{} px", info.width, info.height)),
        (
            "Lifter".into(),
            format!(
                "found in {:.0}% of frames, {} side to the camera, facing {}",
                a.pose.detected_fraction * 100.0,
                json_word(&a.pose.side),
                json_word(&a.pose.facing)
            ),
        ),
        (
            "Bar".into(),
            format!(
                "{} (scale from {}, confidence {:.2})",
                match clip.bar.samples.iter().find(|s| s.x_px.is_some()) {
                    Some(s) => format!("tracked from the {}", s.source.as_str()),
                    None => "not tracked".into(),
                },
                clip.bar.scale.source,
                clip.bar.scale.confidence
            ),
        ),
    ];
    let mut notes: Vec<String> = clip.bar.warnings.clone();
    if a.video.variable_frame_rate {
        notes.push("variable frame rate: times come from the stream's timestamps".into());
    }
    if let Some(m) = &a.pose.message {
        notes.push(m.clone());
    }
    let video_note = if media.video_file.is_some() {
        format!(
            "{} frames, encoded with {}.{}",
            media.frames_written,
            media.encoder,
            if media.h264 {
                ""
            } else {
                " This codec may not play in a browser: open annotated.mp4 in a video player."
            }
        )
    } else if media.encoder == super::annotated::OFF {
        "No annotated video: switched off (output.annotated_video = false, or --no-video).".into()
    } else {
        "No annotated video.".into()
    };
    let loss = summary.video.velocity_loss.as_ref();
    ReportView {
        advice: not_judged
            .as_deref()
            .filter(|w| super::summary::is_view_problem(w))
            .map(|_| super::summary::FILMING_ADVICE),
        not_judged,
        velocity_loss: loss.map(|l| {
            format!(
                "first (rep {}) {:.2} m/s → fastest (rep {}) {:.2} m/s → last (rep {}) {:.2} m/s",
                l.first_rep,
                l.first_m_per_s,
                l.fastest_rep,
                l.fastest_m_per_s,
                l.last_rep,
                l.last_m_per_s
            )
        }),
        velocity_loss_pct: loss.map(|l| format!("{:.0}%", l.loss_pct)),
        velocity_loss_definition: super::summary::VELOCITY_LOSS_DEFINITION,
        title: display_name(&a.input),
        input: a.input.clone(),
        facts,
        side_view: a.view.side_view,
        // the measured ratios stay in analysis.json; what the view check adds after them (the
        // feet never seen, no rep found) is shown
        view_reason: if a.view.side_view {
            std::iter::once("side view")
                .chain(a.view.reason.split("; ").skip(1))
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            super::summary::plain_view_reason(&a.view.reason)
        },
        headline,
        verdict_class,
        verdict_items,
        faults,
        video_file: media.video_file.clone(),
        video_note,
        media_warnings: clip
            .analysis
            .video
            .warnings
            .iter()
            .chain(&media.warnings)
            .cloned()
            .collect(),
        reps,
        upper_back: upper_back_views(clip, media),
        has_clips: !media.rep_clips.is_empty(),
        not_assessable,
        not_assessed_brief,
        notes,
    }
}

/// The verdict's headline for a clip not judged.
fn not_judged_headline(why: &str) -> String {
    match why {
        "no lifter found" => "Not judged: no lifter found in the video.".into(),
        "front or angled view" => {
            "Not judged: this video is not filmed from the side, so its angles and bar path cannot be measured.".into()
        }
        "no rep found" => "Not judged: no deadlift rep found in the video.".into(),
        "pose unreliable" => {
            "Not judged: the body could not be tracked reliably in any rep (hidden by the plates, out of frame or blurred).".into()
        }
        other => format!("Not judged: {other}."),
    }
}

fn json_word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The report's HTML.
pub fn render_report(clip: &ClipAnalysis, plots: &Plots, media: &Media) -> Result<String> {
    let mut env = Environment::new();
    // auto-escaping follows the template name: ".html" escapes everything not marked safe
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::Template {
            template: "report",
            reason: e.to_string(),
        })?;
    let plots: Vec<Value> = plots
        .files
        .iter()
        .map(|p| {
            context! {
                title => p.title,
                stem => p.stem,
                axis => p.time_axis.map(|t| context! {
                    t0 => t.t0_s, t1 => t.t1_s, x0 => t.x0_px, x1 => t.x1_px, w => t.width_px,
                }),
                png => format!("{}.png", p.stem),
                svg_file => format!("{}.svg", p.stem),
                svg => Value::from_safe_string(strip_xml_declaration(&p.svg).to_string()),
            }
        })
        .collect();
    let view = build_view(clip, media);
    env.get_template("report.html")
        .and_then(|t| {
            t.render(context! {
                r => Value::from_serialize(&view),
                plots => plots,
                style => Value::from_safe_string(STYLE_CSS.to_string()),
                selfcheck => Value::from_safe_string(SELFCHECK_JS.to_string()),
            })
        })
        .map_err(|e| Error::Template {
            template: "report",
            reason: e.to_string(),
        })
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// Writes `report.html` into `dir`.
pub fn write_report(
    clip: &ClipAnalysis,
    _config: &Config,
    dir: &Path,
    plots: &Plots,
    media: &Media,
) -> Result<()> {
    let html = render_report(clip, plots, media)?;
    let path = dir.join(REPORT_FILE);
    std::fs::write(&path, html).map_err(|e| Error::Output {
        path,
        reason: e.to_string(),
    })
}

/// One entry per check, in first-seen order, with its reps as ranges: "Rounded upper back
/// (reps 1–3, 9–10)", "Bar drifts away from the legs (all reps)".
fn not_assessed_brief(items: impl Iterator<Item = (String, Option<usize>)>) -> Vec<String> {
    let mut checks: Vec<(String, Vec<Option<usize>>)> = Vec::new();
    for (title, rep) in items {
        match checks.iter_mut().find(|(t, _)| *t == title) {
            Some((_, reps)) => reps.push(rep),
            None => checks.push((title, vec![rep])),
        }
    }
    checks
        .into_iter()
        .map(|(title, reps)| {
            let mut numbers: Vec<usize> = reps.iter().flatten().copied().collect();
            if numbers.len() < reps.len() {
                return format!("{title} (all reps)");
            }
            numbers.sort_unstable();
            numbers.dedup();
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for n in numbers {
                match runs.last_mut() {
                    Some((_, end)) if *end + 1 == n => *end = n,
                    _ => runs.push((n, n)),
                }
            }
            let one = runs.len() == 1 && runs[0].0 == runs[0].1;
            let list: Vec<String> = runs
                .iter()
                .map(|&(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}–{b}")
                    }
                })
                .collect();
            format!(
                "{title} (rep{} {})",
                if one { "" } else { "s" },
                list.join(", ")
            )
        })
        .collect()
}

#[cfg(test)]
mod brief_tests {
    use super::not_assessed_brief;

    #[test]
    fn not_assessed_checks_are_listed_once_with_rep_ranges() {
        let items = [
            ("Rounded upper back", Some(1)),
            ("Hips shoot up first", Some(1)),
            ("Rounded upper back", Some(2)),
            ("Rounded upper back", Some(3)),
            ("Rounded upper back", Some(9)),
            ("Hips shoot up first", Some(4)),
            ("Rounded upper back", Some(10)),
            ("Bar drifts away from the legs", None),
        ]
        .map(|(t, r)| (t.to_string(), r));
        assert_eq!(
            not_assessed_brief(items.into_iter()),
            [
                "Rounded upper back (reps 1–3, 9–10)",
                "Hips shoot up first (reps 1, 4)",
                "Bar drifts away from the legs (all reps)"
            ]
        );
        let one = not_assessed_brief([("Neck over-extended".to_string(), Some(2))].into_iter());
        assert_eq!(one, ["Neck over-extended (rep 2)"]);
    }
}
