//! The plots, read back as SVG: the markup is well formed, the axes carry their names and
//! units, and each threshold is a dashed line at the right height with its label.

use std::collections::HashMap;
use std::path::Path;

use formcheck::config::Config;
use formcheck::outputs;

/// One element: name, attributes, text content.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: HashMap<String, String>,
    text: String,
}

/// A small SVG reader: checks that every tag is closed in order and returns the elements.
fn parse_svg(svg: &str) -> Vec<Element> {
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut rest = svg;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if let Some((_, i)) = open.last() {
            out[*i].text.push_str(text.trim());
        }
        let gt = rest[lt..].find('>').expect("unclosed tag") + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let (top, _) = open.pop().expect("close without open");
            assert_eq!(top, name.trim(), "tags closed out of order");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name = tag.split_whitespace().next().unwrap().to_string();
        let mut attrs = HashMap::new();
        let mut a = &tag[name.len()..];
        while let Some(eq) = a.find("=\"") {
            let key = a[..eq].trim().to_string();
            let end = a[eq + 2..].find('"').expect("unclosed attribute") + eq + 2;
            attrs.insert(key, a[eq + 2..end].to_string());
            a = &a[end + 1..];
        }
        out.push(Element {
            name: name.clone(),
            attrs,
            text: String::new(),
        });
        if !self_closing {
            open.push((name, out.len() - 1));
        }
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
    out
}

fn texts(els: &[Element]) -> Vec<&Element> {
    els.iter().filter(|e| e.name == "text").collect()
}

fn has_text(els: &[Element], needle: &str) -> bool {
    texts(els).iter().any(|t| t.text.contains(needle))
}

fn num(e: &Element, key: &str) -> f64 {
    e.attrs
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Image y of an axis value, from two tick labels of the y axis (labels sit left of x=72).
fn y_of(els: &[Element], value: f64) -> f64 {
    let ticks: Vec<(f64, f64)> = texts(els)
        .iter()
        .filter(|t| {
            t.attrs
                .get("text-anchor")
                .map(|a| a == "end")
                .unwrap_or(false)
        })
        .filter_map(|t| Some((t.text.trim().parse::<f64>().ok()?, num(t, "y"))))
        .collect();
    assert!(ticks.len() >= 2, "no y tick labels");
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    a.1 + (value - a.0) * (b.1 - a.1) / (b.0 - a.0)
}

/// The positions of the dashed lines drawn in `colour`: each is several short segments at
/// one height (`Axis::Y`: horizontal lines, their y) or at one x (`Axis::X`: vertical ones).
fn dashes(els: &[Element], colour: &str, axis: Axis) -> Vec<f64> {
    let mut count: HashMap<i64, usize> = HashMap::new();
    for e in els.iter().filter(|e| e.name == "polyline") {
        if e.attrs
            .get("stroke")
            .map(|s| s.eq_ignore_ascii_case(colour))
            != Some(true)
        {
            continue;
        }
        let pts: Vec<(f64, f64)> = e.attrs["points"]
            .split_whitespace()
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect();
        // (the coordinate that stays, the one that runs) of each end
        let ends: Vec<(f64, f64)> = pts
            .iter()
            .map(|&(x, y)| match axis {
                Axis::Y => (y, x),
                Axis::X => (x, y),
            })
            .collect();
        if ends.len() == 2 && ends[0].0 == ends[1].0 && (ends[1].1 - ends[0].1).abs() < 20.0 {
            *count.entry(ends[0].0 as i64).or_default() += 1;
        }
    }
    count
        .into_iter()
        .filter(|(_, n)| *n >= 5)
        .map(|(at, _)| at as f64)
        .collect()
}

#[derive(Clone, Copy)]
enum Axis {
    X,
    Y,
}

fn dashed_heights(els: &[Element], colour: &str) -> Vec<f64> {
    dashes(els, colour, Axis::Y)
}

fn demo() -> formcheck::analyze::ClipAnalysis {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    formcheck::testkit::fixture::demo_clip(&sample, 640, 360, 30.0, 120)
}

#[test]
fn angle_plot_has_labelled_axes_and_threshold_lines() {
    let config = Config::default();
    let svgs = outputs::plots::render_all_svg(&demo(), &config).unwrap();
    let els = parse_svg(&svgs[0]);
    assert!(has_text(&els, "Time (s)"), "x axis name and unit");
    assert!(has_text(&els, "Angle (°)"), "y axis name and unit");
    for series in [
        "trunk from vertical (°)",
        "hip (°)",
        "knee (°)",
        "upper-back flexion (°)",
    ] {
        assert!(has_text(&els, series), "legend entry {series}");
    }
    for (label, colour, value) in [
        (
            "threshold: hip at lockout ≥ 165°",
            "#D62728",
            config.faults.incomplete_lockout.min_hip_angle_deg,
        ),
        (
            "threshold: knee at lockout ≥ 160°",
            "#2CA02C",
            config.faults.incomplete_lockout.min_knee_angle_deg,
        ),
    ] {
        assert!(has_text(&els, label), "{label}");
        let want = y_of(&els, value);
        let found = dashed_heights(&els, colour);
        assert!(
            found.iter().any(|y| (y - want).abs() <= 2.0),
            "{label}: dashes at {found:?}, expected y≈{want:.1}"
        );
    }
    // rounding limit: the lower of the lifter's standing back curve + 20° and the 20°
    // curve limit, the fault's own references
    let clip = demo();
    let standing =
        formcheck::faults::thoracic_rounding::upright_flexion_deg(&clip.fault_input(&config))
            .expect("standing frames");
    let limit = (standing + config.faults.thoracic_rounding.max_increase_deg)
        .min(config.faults.thoracic_rounding.max_curve_deg);
    let label = format!("threshold: back flexion limit {limit:.0}°");
    assert_eq!(
        texts(&els)
            .iter()
            .filter(|t| t.text.contains(&label))
            .count(),
        1,
        "{label}"
    );
    let want = y_of(&els, limit);
    assert!(dashed_heights(&els, "#9467BD")
        .iter()
        .any(|y| (y - want).abs() <= 2.0));
}

/// Image x of an axis value, from the x axis' tick labels (centred under their tick).
fn x_of(els: &[Element], value: f64) -> f64 {
    let ticks: Vec<(f64, f64)> = texts(els)
        .iter()
        .filter(|t| t.attrs.get("text-anchor").map(|a| a == "middle") == Some(true))
        .filter_map(|t| Some((t.text.trim().parse::<f64>().ok()?, num(t, "x"))))
        .collect();
    assert!(ticks.len() >= 2, "no x tick labels");
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    a.1 + (value - a.0) * (b.1 - a.1) / (b.0 - a.0)
}

fn dashed_columns(els: &[Element], colour: &str) -> Vec<f64> {
    dashes(els, colour, Axis::X)
}

/// Pixels per axis unit across and up, from the tick labels.
fn px_per_unit(els: &[Element]) -> (f64, f64) {
    (
        (x_of(els, 10.0) - x_of(els, 0.0)) / 10.0,
        (y_of(els, 0.0) - y_of(els, 10.0)) / 10.0,
    )
}

#[test]
fn bar_path_plot_is_to_scale_with_the_drift_faults_limit() {
    let config = Config::default();
    let mut clip = demo();
    // the lifter sets up 3 cm in front of mid-foot: the bar_drift fault measures from there,
    // so the limit sits at 3 + 5 cm, not at ±5 cm around mid-foot
    let px = 3.0 / clip.bar.scale.cm_per_px;
    for s in clip.bar.samples.iter_mut() {
        s.x_px = s.x_px.map(|x| x + px);
    }
    let svgs = outputs::plots::render_all_svg(&clip, &config).unwrap();
    let els = parse_svg(&svgs[1]);
    assert!(has_text(&els, "Bar from mid-foot (cm"), "x axis in cm");
    assert!(
        has_text(&els, "Bar height above the floor (cm)"),
        "y axis in cm"
    );
    assert!(has_text(&els, "mid-foot"));
    assert!(has_text(&els, "threshold: set-up position + 5 cm"));
    assert!(
        has_text(&els, "rep 1") && has_text(&els, "rep 2"),
        "one line per rep"
    );
    let want = x_of(&els, 3.0 + config.faults.bar_drift.max_forward_cm);
    let found = dashed_columns(&els, "#787878");
    assert!(
        found.iter().any(|x| (x - want).abs() <= 2.0),
        "limit dashes at {found:?}, expected x≈{want:.1}"
    );
    let (across, up) = px_per_unit(&els);
    assert!(
        (across / up - 1.0).abs() < 0.02,
        "to scale: {across} px/cm across, {up} up"
    );
}

#[test]
fn rep_overlay_plot_draws_every_rep_from_its_set_up_to_scale() {
    let config = Config::default();
    let svgs = outputs::plots::render_all_svg(&demo(), &config).unwrap();
    let els = parse_svg(&svgs[4]);
    assert!(has_text(&els, "Bar forward of its set-up position (cm)"));
    assert!(
        has_text(&els, "rep 1, ") && has_text(&els, "rep 2, "),
        "a line per rep"
    );
    assert!(has_text(&els, "threshold: set-up + 5 cm (bar drift)"));
    let want = x_of(&els, config.faults.bar_drift.max_forward_cm);
    assert!(dashed_columns(&els, "#787878")
        .iter()
        .any(|x| (x - want).abs() <= 2.0));
    let (across, up) = px_per_unit(&els);
    assert!(
        (across / up - 1.0).abs() < 0.02,
        "to scale: {across} vs {up}"
    );
}

#[test]
fn velocity_and_fault_charts_name_their_units() {
    let svgs = outputs::plots::render_all_svg(&demo(), &Config::default()).unwrap();
    let v = parse_svg(&svgs[2]);
    assert!(has_text(&v, "Time from lift-off (s)"));
    assert!(has_text(&v, "Velocity (m/s, + = up)"));
    let f = parse_svg(&svgs[3]);
    assert!(has_text(&f, "Rounded upper back"));
    assert!(
        has_text(&f, "26.0° / 20.0°"),
        "value against threshold in the cell"
    );
    assert!(has_text(&f, "8.0 cm / 5.0 cm"));
}

#[test]
fn plots_say_so_when_there_is_nothing_to_draw() {
    let mut clip = demo();
    clip.analysis.reps.clear();
    clip.analysis.faults.clear();
    clip.analysis.not_assessable.clear();
    let svgs = outputs::plots::render_all_svg(&clip, &Config::default()).unwrap();
    let f = parse_svg(&svgs[3]);
    assert!(has_text(&f, "no reps found"));
    // the bar path falls back to the whole clip
    assert!(has_text(&parse_svg(&svgs[1]), "whole clip (no reps found)"));
}
