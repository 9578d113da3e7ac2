//! The batch outputs in `<out>/`: `index.html` (one row per video, sortable and filterable
//! by fault without a server, with a trends plot per lifter), `summary.csv` and
//! `summary.json` (one row per video and per rep). Built after a run from every
//! `<out>/*/analysis.json` present, so skipped and earlier videos are included. Every file is
//! written under a temporary name and renamed into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{context, Environment, Value};
use plotters::prelude::*;
use serde::Serialize;

use super::calendar::{video_date, ymd};
use super::plots::{self, trends::TrendsPlot};
use super::report::{SELFCHECK_JS, STYLE_CSS};
use super::summary::{self, ClipSummary};
use super::{timeline, write_atomically};
use crate::error::{Error, Result};
use crate::faults::{Finding, NotAssessable};
use crate::reps::Rep;
use crate::view::ViewVerdict;

pub const INDEX_FILE: &str = "index.html";
const TEMPLATE: &str = include_str!("../../templates/index.html");

/// One analysed video found in the output folder.
#[derive(Debug, Clone)]
pub struct Entry {
    pub folder: String,
    pub summary: ClipSummary,
    pub days: Option<i64>,
    /// Who lifts: the input's parent folder name (one folder per lifter is the usual layout).
    pub lifter: String,
    pub has_report: bool,
    pub has_thumb: bool,
}

/// `folder` is the result's path under the output folder, `/`-separated.
fn read_entry(dir: &Path, folder: String) -> Option<Entry> {
    let text = std::fs::read_to_string(dir.join("analysis.json")).ok()?;
    let analysis: serde_json::Value = serde_json::from_str(&text).ok()?;
    let input = analysis.get("input")?.as_str()?.to_string();
    let mut summary = match std::fs::read_to_string(dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<ClipSummary>(&t).ok())
    {
        Some(s) => s,
        None => {
            // an older result without summary.json: what analysis.json holds
            let part = |key: &str| analysis.get(key).cloned().unwrap_or_default();
            let reps: Vec<Rep> = serde_json::from_value(part("reps")).unwrap_or_default();
            let faults: Vec<Finding> = serde_json::from_value(part("faults")).unwrap_or_default();
            let na: Vec<NotAssessable> =
                serde_json::from_value(part("not_assessable")).unwrap_or_default();
            let view = ViewVerdict {
                side_view: analysis
                    .pointer("/view/side_view")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                reason: analysis
                    .pointer("/view/reason")
                    .and_then(|v| v.as_str())
                    .unwrap_or("no view verdict in analysis.json")
                    .to_string(),
            };
            let person_found = analysis
                .pointer("/pose/person_found")
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            summary::build(&summary::SummaryInput {
                input: &input,
                person_found,
                view: &view,
                reps: &reps,
                faults: &faults,
                not_assessable: &na,
                live: None,
            })
        }
    };
    // a summary.json from before `not_judged` existed
    if summary.video.not_judged.is_none() && (!summary.video.side_view || summary.video.reps == 0) {
        summary.video.not_judged = Some(
            if summary.video.side_view {
                "no rep found"
            } else {
                "not a side view"
            }
            .into(),
        );
    }
    let input_path = PathBuf::from(&input);
    let date = video_date(&input_path);
    summary.video.video = folder.clone();
    summary.video.input = input.clone();
    summary.video.date = date.map(|d| ymd(d.0)).unwrap_or_default();
    summary.video.date_source = date.map(|d| d.1.to_string()).unwrap_or_default();
    for r in summary.reps.iter_mut() {
        r.video = folder.clone();
        r.date = summary.video.date.clone();
    }
    let lifter = input_path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "(no folder)".into());
    summary.video.lifter = lifter.clone();
    Some(Entry {
        has_report: dir.join(super::report::REPORT_FILE).is_file(),
        has_thumb: dir.join(super::annotated::COVER_FILE).is_file(),
        folder,
        summary,
        days: date.map(|d| d.0),
        lifter,
    })
}

/// Every analysed video under `out_dir` (result folders may be nested: the layout mirrors
/// the inputs' folders), sorted by date then name. Hidden (dot) folders are temporary.
pub fn collect_entries(out_dir: &Path) -> Vec<Entry> {
    let mut entries = Vec::new();
    collect_under(out_dir, out_dir, 0, &mut entries);
    entries.sort_by(|a, b| a.days.cmp(&b.days).then(a.folder.cmp(&b.folder)));
    entries
}

/// A folder with `analysis.json` is a result; any other folder may hold results deeper down.
fn collect_under(root: &Path, dir: &Path, depth: usize, entries: &mut Vec<Entry>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let hidden = e.file_name().to_string_lossy().starts_with('.');
        // file_type does not follow symlinks: a link in the output folder is never walked.
        if hidden || !e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        let p = e.path();
        if p.join("analysis.json").is_file() {
            let folder = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect::<Vec<_>>()
                .join("/");
            entries.extend(read_entry(&p, folder));
        } else if depth < 32 {
            collect_under(root, &p, depth + 1, entries);
        }
    }
}

/// Percent-encodes one path segment for an `href` (everything but unreserved characters).
pub fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect()
}

#[derive(Serialize)]
struct RowView {
    name: String,
    input: String,
    report_href: Option<String>,
    thumb_src: Option<String>,
    date: String,
    date_source: String,
    days: i64,
    lifter: String,
    reps: usize,
    /// "rep 2: Rounded upper back, Bar drifts…"
    faults_per_rep: Vec<String>,
    fault_kinds: String,
    fault_count: usize,
    worst: String,
    worst_severity: f64,
    peak_flexion: String,
    peak_flexion_sort: f64,
    drift: String,
    drift_sort: f64,
    /// "0.52 → 0.61 → 0.45 m/s"
    velocity: String,
    /// "loss 26%"
    velocity_loss: String,
    velocity_loss_sort: f64,
    status: String,
    /// "front or angled view": the row is grey and counts in no figure.
    not_judged: Option<String>,
}

/// The trends plot's points: one per judged, dated video and measure.
fn trends_plot(entries: &[Entry]) -> TrendsPlot {
    let mut flexion: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut drift: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    // a clip not judged has no figures (see `summary::build`); skipped here too so a
    // stale summary.json cannot put one on the trend
    for e in entries
        .iter()
        .filter(|e| e.summary.video.not_judged.is_none())
    {
        let Some(day) = e.days else { continue };
        if let Some(v) = e.summary.video.peak_thoracic_flexion_deg {
            flexion
                .entry(e.lifter.clone())
                .or_default()
                .push((day as f64, v));
        }
        if let Some(v) = e.summary.video.max_drift_from_setup_cm {
            drift
                .entry(e.lifter.clone())
                .or_default()
                .push((day as f64, v));
        }
    }
    TrendsPlot { flexion, drift }
}

fn row_view(e: &Entry) -> RowView {
    let v = &e.summary.video;
    let enc = e
        .folder
        .split('/')
        .map(url_segment)
        .collect::<Vec<_>>()
        .join("/");
    let worst = match (&v.worst_fault, v.worst_value, v.worst_threshold) {
        _ if v.not_judged.is_some() => "–".into(),
        (Some(k), Some(val), Some(th)) => {
            let unit = v.worst_unit.clone().unwrap_or_default();
            format!(
                "{} {} (limit {}{})",
                timeline::fault_title(k),
                timeline::with_unit(val, &unit),
                timeline::with_unit(th, &unit),
                v.worst_rep
                    .map(|r| format!(", rep {r}"))
                    .unwrap_or_default()
            )
        }
        _ => "–".into(),
    };
    let worst_severity = match (v.worst_value, v.worst_threshold) {
        _ if v.not_judged.is_some() => -1.0,
        (Some(value), Some(threshold)) => summary::severity_of(value, threshold),
        _ => 0.0,
    };
    let status = match &v.not_judged {
        Some(why) => format!("not judged: {why}"),
        None if v.fault_count == 0 => "no faults".to_string(),
        None => format!(
            "{} fault{}",
            v.fault_count,
            if v.fault_count == 1 { "" } else { "s" }
        ),
    };
    let judged = v.not_judged.is_none();
    let loss = v.velocity_loss.as_ref().filter(|_| judged);
    RowView {
        name: e.folder.clone(),
        input: v.input.clone(),
        report_href: e
            .has_report
            .then(|| format!("{enc}/{}", super::report::REPORT_FILE)),
        thumb_src: e
            .has_thumb
            .then(|| format!("{enc}/{}", super::annotated::COVER_FILE)),
        date: if v.date.is_empty() {
            "–".into()
        } else {
            v.date.clone()
        },
        date_source: v.date_source.clone(),
        days: e.days.unwrap_or(0),
        lifter: e.lifter.clone(),
        reps: v.reps,
        faults_per_rep: v
            .faults_per_rep
            .iter()
            .filter(|_| judged)
            .map(|(rep, kinds)| {
                format!(
                    "rep {rep}: {}",
                    kinds
                        .iter()
                        .map(|k| timeline::fault_title(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .chain(
                e.summary
                    .reps
                    .iter()
                    .filter(|r| judged && !r.counts())
                    .map(|r| {
                        let why = if r.implausible.is_empty() {
                            r.not_judged
                                .as_deref()
                                .map(short_reason)
                                .unwrap_or("not judged")
                        } else {
                            "implausible figures"
                        };
                        format!("rep {}: not judged, {why}", r.rep)
                    }),
            )
            .collect(),
        fault_kinds: v.fault_kinds.join(" "),
        fault_count: v.fault_count,
        worst,
        worst_severity,
        peak_flexion: v
            .peak_thoracic_flexion_deg
            .filter(|_| judged)
            .map(|x| format!("{x:.0}°"))
            .unwrap_or_else(|| "–".into()),
        peak_flexion_sort: v.peak_thoracic_flexion_deg.unwrap_or(-1.0),
        drift: v
            .max_drift_from_setup_cm
            .map(|x| format!("{x:.1} cm"))
            .unwrap_or_else(|| "–".into()),
        drift_sort: v.max_drift_from_setup_cm.unwrap_or(-1000.0),
        velocity: loss
            .map(|l| {
                format!(
                    "{:.2} → {:.2} → {:.2} m/s",
                    l.first_m_per_s, l.fastest_m_per_s, l.last_m_per_s
                )
            })
            .unwrap_or_else(|| "–".into()),
        velocity_loss: loss
            .map(|l| format!("loss {:.0}%", l.loss_pct))
            .unwrap_or_default(),
        velocity_loss_sort: loss.map(|l| l.loss_pct).unwrap_or(-1.0),
        status,
        not_judged: v.not_judged.clone(),
    }
}

/// A rep's not-judged reason without its counts ("pose unreliable in 40 of 50 frames" →
/// "pose unreliable").
fn short_reason(reason: &str) -> &str {
    if reason.starts_with("pose unreliable") {
        "pose unreliable"
    } else {
        reason
    }
}

/// One lifter's best and weakest rep of one date, side by side at one scale.
#[derive(Serialize)]
struct RepPairView {
    lifter: String,
    date: String,
    best: String,
    weakest: String,
    svg: String,
}

/// A counted rep of a date with the video it is in.
struct DatedRep<'a> {
    video: &'a str,
    row: &'a summary::RepRow,
}

/// "2 faults, 0.35 m/s": short enough for the legend of a small panel.
fn legend_label(r: &summary::RepRow) -> String {
    let faults = match r.faults.len() {
        0 => "no faults".to_string(),
        1 => "1 fault".to_string(),
        n => format!("{n} faults"),
    };
    match r.mean_concentric_velocity_m_per_s {
        Some(v) => format!("{faults}, {v:.2} m/s"),
        None => faults,
    }
}

/// For each lifter and date with two counted reps or more: the best and the weakest rep
/// ([`summary::rep_order`]: fewest faults, then fastest), their bar paths side by side.
fn rep_pairs(entries: &[Entry], limit_cm: f64) -> Vec<RepPairView> {
    let mut groups: BTreeMap<(String, String), Vec<DatedRep>> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.summary.video.not_judged.is_none())
    {
        for r in e.summary.reps.iter().filter(|r| r.counts()) {
            groups
                .entry((e.lifter.clone(), e.summary.video.date.clone()))
                .or_default()
                .push(DatedRep {
                    video: &e.folder,
                    row: r,
                });
        }
    }
    groups
        .into_iter()
        .filter(|(_, reps)| reps.len() >= 2)
        .filter_map(|((lifter, date), mut reps)| {
            reps.sort_by(|a, b| summary::rep_order(a.row, b.row));
            let (best, weakest) = (reps.first()?, reps.last()?);
            let describe = |r: &DatedRep| {
                let faults = if r.row.faults.is_empty() {
                    "no faults".to_string()
                } else {
                    r.row
                        .faults
                        .iter()
                        .map(|k| timeline::fault_title(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let speed = r
                    .row
                    .mean_concentric_velocity_m_per_s
                    .map(|v| format!(", {v:.2} m/s"))
                    .unwrap_or_default();
                format!("{} rep {}: {faults}{speed}", r.video, r.row.rep)
            };
            let panel = |title: &str, r: &DatedRep, colour: RGBColor| plots::rep_overlay::Panel {
                title: format!("{title}: {} rep {}", r.video, r.row.rep),
                paths: vec![plots::rep_overlay::OverlayPath {
                    // the fault names are in the text above the plot
                    label: legend_label(r.row),
                    colour,
                    runs: plots::runs(r.row.bar_path_cm.iter().map(|p| p.map(|[x, y]| (x, y)))),
                }],
            };
            let plot = plots::rep_overlay::RepOverlayPlot::side_by_side(
                format!("{lifter}, {date}: best and weakest rep"),
                vec![
                    panel("best", best, RGBColor(44, 160, 44)),
                    panel("weakest", weakest, RGBColor(214, 39, 40)),
                ],
                limit_cm,
            );
            let svg = plots::render_svg(&plot).ok()?;
            Some(RepPairView {
                lifter,
                date,
                best: describe(best),
                weakest: describe(weakest),
                svg: svg
                    .find("<svg")
                    .map(|i| svg[i..].to_string())
                    .unwrap_or(svg),
            })
        })
        .collect()
}

/// The index page for `entries`; `trends_svg` is the inline plot (if any).
pub fn render_index(entries: &[Entry], trends_svg: Option<String>) -> Result<String> {
    render_index_with(entries, trends_svg, &crate::config::Config::default())
}

/// [`render_index`] with the drift limit of `config`.
pub fn render_index_with(
    entries: &[Entry],
    trends_svg: Option<String>,
    config: &crate::config::Config,
) -> Result<String> {
    let mut env = Environment::new();
    env.add_template("index.html", TEMPLATE)
        .map_err(|e| Error::Template {
            template: "index",
            reason: e.to_string(),
        })?;
    let rows: Vec<RowView> = entries.iter().map(row_view).collect();
    let mut kinds: Vec<(String, String)> = Vec::new();
    for e in entries {
        for k in &e.summary.video.fault_kinds {
            if !kinds.iter().any(|(kk, _)| kk == k) {
                kinds.push((k.clone(), timeline::fault_title(k)));
            }
        }
    }
    let lifters: std::collections::BTreeSet<&str> =
        entries.iter().map(|e| e.lifter.as_str()).collect();
    let not_judged = rows.iter().filter(|r| r.not_judged.is_some()).count();
    let view_problems = rows
        .iter()
        .filter_map(|r| r.not_judged.as_deref())
        .filter(|w| summary::is_view_problem(w))
        .count();
    let pairs: Vec<Value> = rep_pairs(entries, config.faults.bar_drift.max_forward_cm)
        .into_iter()
        .map(|p| {
            context! {
                lifter => p.lifter, date => p.date, best => p.best, weakest => p.weakest,
                svg => Value::from_safe_string(p.svg),
            }
        })
        .collect();
    env.get_template("index.html")
        .and_then(|t| {
            t.render(context! {
                rows => Value::from_serialize(&rows),
                kinds => Value::from_serialize(&kinds),
                lifters => Value::from_serialize(&lifters),
                not_judged => not_judged,
                judged => rows.len() - not_judged,
                view_problems => view_problems,
                filming_advice => summary::FILMING_ADVICE,
                velocity_loss_definition => summary::VELOCITY_LOSS_DEFINITION,
                pairs => pairs,
                trends => trends_svg.map(Value::from_safe_string),
                style => Value::from_safe_string(STYLE_CSS.to_string()),
                selfcheck => Value::from_safe_string(SELFCHECK_JS.to_string()),
            })
        })
        .map_err(|e| Error::Template {
            template: "index",
            reason: e.to_string(),
        })
}

/// Writes `index.html`, `summary.csv`, `summary.json` (and the trends plot as
/// `trends.svg`/`trends.png`) into `out_dir` from every result folder in it.
pub fn write_batch(out_dir: &Path) -> Result<usize> {
    let entries = collect_entries(out_dir);
    let summaries: Vec<ClipSummary> = entries.iter().map(|e| e.summary.clone()).collect();
    write_atomically(
        &out_dir.join("summary.csv"),
        summary::to_csv(&summaries).as_bytes(),
    )?;
    #[derive(Serialize)]
    struct BatchSummary<'a> {
        videos: Vec<&'a summary::VideoRow>,
        reps: Vec<&'a summary::RepRow>,
    }
    let json = BatchSummary {
        videos: summaries.iter().map(|s| &s.video).collect(),
        reps: summaries.iter().flat_map(|s| s.reps.iter()).collect(),
    };
    let json = serde_json::to_string_pretty(&json).map_err(|e| Error::Output {
        path: out_dir.join("summary.json"),
        reason: e.to_string(),
    })?;
    write_atomically(&out_dir.join("summary.json"), (json + "\n").as_bytes())?;
    let trends = trends_plot(&entries);
    let trends_svg = if trends.is_empty() {
        None
    } else {
        let svg = plots::render_svg(&trends).map_err(|reason| Error::Output {
            path: out_dir.join("trends.svg"),
            reason,
        })?;
        write_atomically(&out_dir.join("trends.svg"), svg.as_bytes())?;
        let png = out_dir.join(format!(".trends-{}.tmp.png", std::process::id()));
        plots::render_png(&trends, &png).map_err(|reason| Error::Output {
            path: out_dir.join("trends.png"),
            reason,
        })?;
        std::fs::rename(&png, out_dir.join("trends.png")).map_err(|e| Error::Output {
            path: out_dir.join("trends.png"),
            reason: e.to_string(),
        })?;
        Some(svg)
    };
    let html = render_index(&entries, trends_svg)?;
    write_atomically(&out_dir.join(INDEX_FILE), html.as_bytes())?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_segments_are_percent_encoded() {
        assert_eq!(url_segment("<b>x<_b>"), "%3Cb%3Ex%3C_b%3E");
        assert_eq!(url_segment("a b#c"), "a%20b%23c");
    }
}
