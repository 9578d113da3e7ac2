//! Form faults: one file per fault, each with its definition, source, title, its own
//! `Config` (the `[faults.<kind>]` section of `formcheck.toml`) and the valid range of each
//! key. A fault either reports a [`Finding`] per rep, or says why it cannot be judged
//! ([`NotAssessable`]) instead of guessing. Adding a fault is one new file implementing
//! [`Fault`], one line in [`registry`] and one field in [`FaultsConfig`] (a test checks the
//! three agree).

pub mod bar_away_from_shins;
pub mod bar_drift;
pub mod bar_jerked_off_floor;
pub mod hips_shoot_up;
pub mod hips_too_high_at_setup;
pub mod hips_too_low_at_setup;
pub mod incomplete_lockout;
pub mod lockout_hyperextension;
pub mod neck_hyperextension;
pub mod setup;
pub mod thoracic_evidence;
pub mod thoracic_rounding;

use serde::{Deserialize, Serialize};

use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;
use crate::view::ViewVerdict;

/// One fault found in one rep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Finding {
    pub kind: String,
    pub rep: usize,
    pub value: f64,
    pub threshold: f64,
    pub unit: String,
    pub start_frame: usize,
    pub end_frame: usize,
    /// 0–1: the reliability of the window's frames, capped by the visibility of the joints
    /// the fault reads.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub confidence: f64,
    pub cue: String,
    /// The absolute measure behind a relative `value` (e.g. the upper-back curve angle when
    /// `value` is its increase over standing), same unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absolute: Option<f64>,
    /// What `value` measures, for a fault with more than one signal (which one fired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
}

/// A fault that could not be judged for a rep (or the whole clip when `rep` is `None`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct NotAssessable {
    pub kind: String,
    pub rep: Option<usize>,
    pub reason: String,
}

/// Everything a fault may look at.
pub struct FaultInput<'a> {
    pub kinematics: &'a crate::kinematics::Kinematics,
    pub bar: &'a crate::bar::BarTrack,
    pub reps: &'a [crate::reps::Rep],
    /// Upper-back flexion per frame (degrees), from the traced back shape.
    pub thoracic_flexion_deg: &'a [Option<f64>],
    /// Why a traced frame's back has no curve (ragged, blurred), per frame.
    pub back_unfit: &'a [Option<crate::kinematics::back::NoFit>],
    /// The back's fitted bend per frame, unsmoothed: its frame-to-frame jitter is the
    /// measure's own spread ([`crate::kinematics::back::jitter_deg`]).
    pub back_raw_deg: &'a [Option<f64>],
    pub view: &'a ViewVerdict,
    /// Why the end of the clip is missing (a cut or damaged file), if it is.
    pub damage: Option<&'a str>,
    pub config: &'a FaultsConfig,
    /// A fault with fewer reliable frames than this share of those it reads in a rep is not
    /// judged there (`reliability.min_reliable_rep_fraction`).
    pub min_reliable_rep_fraction: f64,
}

/// Every fault's settings, one `[faults.<kind>]` section each; the types live in the
/// faults' own files.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FaultsConfig {
    pub thoracic_rounding: thoracic_rounding::Config,
    pub hips_shoot_up: hips_shoot_up::Config,
    pub lockout_hyperextension: lockout_hyperextension::Config,
    pub bar_drift: bar_drift::Config,
    pub bar_jerked_off_floor: bar_jerked_off_floor::Config,
    pub hips_too_low_at_setup: hips_too_low_at_setup::Config,
    pub hips_too_high_at_setup: hips_too_high_at_setup::Config,
    pub bar_away_from_shins: bar_away_from_shins::Config,
    pub neck_hyperextension: neck_hyperextension::Config,
    pub incomplete_lockout: incomplete_lockout::Config,
}

/// A config key's valid range, both ends inclusive: `(key, min, max)`.
pub type KeyRange = (&'static str, f64, f64);

/// What one fault says about one rep.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Judged, and within the threshold.
    Fine,
    Found(Finding),
    NotAssessable(String),
}

/// One form fault.
pub trait Fault: Sync {
    /// The `kind` in `analysis.json`, and its config section `[faults.<kind>]`.
    fn kind(&self) -> &'static str;
    /// What a lifter reads in the report ("Rounded upper back").
    fn title(&self) -> &'static str;
    /// The valid range of each key of the fault's config section.
    fn config_ranges(&self) -> &'static [KeyRange];
    /// Judges one rep.
    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict;
    /// The frames of `rep` this fault reads, and what they are ("this rep's lockout"): the
    /// pose must be reliable on enough of them for the fault to be judged. The whole rep unless
    /// the fault looks at one phase, so a top the camera cuts off does not stop the pull from
    /// the floor being judged.
    fn frames_read(&self, k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        let _ = k;
        rep.span(true).map(|(a, b)| (a, b, "this rep"))
    }
}

/// The four faults the user named (and the clip labels and renders cover): the report's
/// verdict says when none of them could be judged.
pub const MAIN_FAULTS: [&str; 4] = [
    "thoracic_rounding",
    "hips_shoot_up",
    "lockout_hyperextension",
    "bar_drift",
];

/// Every fault, in report order.
pub fn registry() -> Vec<Box<dyn Fault>> {
    vec![
        Box::new(thoracic_rounding::ThoracicRounding),
        Box::new(hips_shoot_up::HipsShootUp),
        Box::new(lockout_hyperextension::LockoutHyperextension),
        Box::new(bar_drift::BarDrift),
        Box::new(bar_jerked_off_floor::BarJerked),
        Box::new(hips_too_low_at_setup::HipsTooLow),
        Box::new(hips_too_high_at_setup::HipsTooHigh),
        Box::new(bar_away_from_shins::BarAwayFromShins),
        Box::new(neck_hyperextension::NeckHyperextension),
        Box::new(incomplete_lockout::IncompleteLockout),
    ]
}

/// The title of a fault kind; a kind no registered fault has is written out from its name.
pub fn title(kind: &str) -> String {
    if let Some(f) = registry().iter().find(|f| f.kind() == kind) {
        return f.title().into();
    }
    let s = kind.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Runs every registered fault.
pub fn assess(input: &FaultInput) -> (Vec<Finding>, Vec<NotAssessable>) {
    let faults = registry();
    let mut found = Vec::new();
    let mut not = Vec::new();
    let clip_wide = |reason: &str| -> Vec<NotAssessable> {
        faults
            .iter()
            .map(|f| NotAssessable {
                kind: f.kind().into(),
                rep: None,
                reason: reason.into(),
            })
            .collect()
    };
    if !input.view.side_view {
        return (found, clip_wide(&input.view.reason));
    }
    if input.reps.is_empty() {
        return (found, clip_wide("no deadlift rep found"));
    }
    for rep in input.reps {
        if let Some(reason) = rep_not_judged(input, rep) {
            not.extend(faults.iter().map(|f| NotAssessable {
                kind: f.kind().into(),
                rep: Some(rep.index),
                reason: reason.clone(),
            }));
            continue;
        }
        for f in &faults {
            if let Some(reason) = unreliable_frames_read(input, f.as_ref(), rep) {
                not.push(NotAssessable {
                    kind: f.kind().into(),
                    rep: Some(rep.index),
                    reason,
                });
                continue;
            }
            match f.assess(input, rep) {
                Verdict::Fine => {}
                Verdict::Found(x) => found.push(x),
                Verdict::NotAssessable(reason) => not.push(NotAssessable {
                    kind: f.kind().into(),
                    rep: Some(rep.index),
                    reason,
                }),
            }
        }
    }
    (found, not)
}

/// Why `fault` cannot judge `rep` from the pose: too few reliable frames among those it reads.
fn unreliable_frames_read(input: &FaultInput, fault: &dyn Fault, rep: &Rep) -> Option<String> {
    let k = input.kinematics;
    let (from, to, what) = fault.frames_read(k, rep)?;
    let (reliable, total) = k.reliable_count(from, to);
    let min = input.min_reliable_rep_fraction;
    (total > 0 && (reliable as f64) < min * total as f64).then(|| {
        format!(
            "pose unreliable in {} of {total} frames of {what}",
            total - reliable
        )
    })
}

/// Why a whole rep cannot be judged, if it cannot: figures no deadlift shows, or a rep that
/// runs into the missing part of a damaged file.
fn rep_not_judged(input: &FaultInput, rep: &Rep) -> Option<String> {
    if !rep.implausible.is_empty() {
        return Some(format!(
            "implausible figures: {}",
            rep.implausible.join("; ")
        ));
    }
    let k = input.kinematics;
    if let Some(damage) = input.damage {
        let last = k.frames().saturating_sub(1);
        let reaches_end = rep.span(false).is_none_or(|(_, to)| to + 1 >= last);
        if rep.end_frame.is_none() && reaches_end {
            return Some(damage.to_string());
        }
    }
    None
}

// ---- helpers shared by the faults ----

/// A finding's confidence over `from..=to`, 0–1: per frame, the pose reliability (see
/// `kinematics::reliability`: bone lengths, motion, facing, visibility, size) capped by the
/// model's mean visibility of the `joints` the fault reads; averaged over the window, with
/// frames of unknown pose counting 0. So a window half made of unreliable frames can not be
/// more than half sure.
pub fn confidence(k: &Kinematics, joints: &[Joint], from: usize, to: usize) -> f64 {
    let to = to.min(k.frames().saturating_sub(1));
    if from > to || joints.is_empty() {
        return 0.0;
    }
    let sum: f64 = (from..=to)
        .map(|i| {
            let seen = joints
                .iter()
                .map(|&j| {
                    k.joint(j)
                        .visibility
                        .get(i)
                        .copied()
                        .flatten()
                        .unwrap_or(0.0) as f64
                })
                .sum::<f64>()
                / joints.len() as f64;
            // frames the model skipped carry no visibility: their neighbours' reliability
            // stands for them
            let ran = k.joint(joints[0]).raw.get(i).copied().flatten().is_some();
            let r = k.reliability.get(i).copied().flatten().unwrap_or(0.0);
            if ran {
                r.min(seen)
            } else {
                r
            }
        })
        .sum();
    sum / (to - from + 1) as f64
}

/// The median of `value` over the frames within `half_frames` of `frame` (where known):
/// one frame's keypoints move by several pixels, a short span around it does not. With
/// fewer than [`MIN_LEVEL_READINGS`] readings there (a clip or a track that starts at that
/// frame, unreliable neighbours) the span widens, up to four times, until it has them: a
/// level read from a single frame carries that frame's whole error.
pub fn median_around(
    k: &Kinematics,
    frame: usize,
    half_frames: usize,
    value: impl Fn(usize) -> Option<f64>,
) -> Option<f64> {
    let last = k.frames().checked_sub(1)?;
    let read = |h: usize| -> Vec<f64> {
        (frame.saturating_sub(h)..=(frame + h).min(last))
            .filter_map(&value)
            .collect()
    };
    let mut h = half_frames;
    let mut v = read(h);
    while v.len() < MIN_LEVEL_READINGS && h < 4 * half_frames.max(1) {
        h += 1;
        v = read(h);
    }
    (!v.is_empty()).then(|| crate::kinematics::filters::median_of(&mut v))
}

/// Readings a level (a set-up's trunk angle, hip height, bar place) is the median of.
pub const MIN_LEVEL_READINGS: usize = 3;

/// `Verdict::NotAssessable` when `confidence` is under `min`.
pub fn low_confidence(confidence: f64, min: f64) -> Option<Verdict> {
    (confidence < min).then(|| {
        Verdict::NotAssessable(format!(
            "landmarks too uncertain over the window (confidence {confidence:.2} < {min:.2})"
        ))
    })
}

/// Value of a gappy series at `frame`.
pub fn at(series: &[Option<f64>], frame: usize) -> Option<f64> {
    series.get(frame).copied().flatten()
}

/// The frame in `from..=to` where `series` is largest, with its value.
pub fn max_in(series: &[Option<f64>], from: usize, to: usize) -> Option<(usize, f64)> {
    (from..=to)
        .filter_map(|i| Some((i, at(series, i)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The frame in `from..=to` where `series` is smallest, with its value.
pub fn min_in(series: &[Option<f64>], from: usize, to: usize) -> Option<(usize, f64)> {
    (from..=to)
        .filter_map(|i| Some((i, at(series, i)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The highest level `series` holds over `2 * half + 1` frames within `from..=to`: each
/// window's value is its lowest reading, and a window needs more than half of its frames
/// known (a gap of a few frames does not end a posture). One frame's spike is not a posture.
/// `half` shrinks to fit a shorter range, which is then one window.
pub fn held_max_in(
    series: &[Option<f64>],
    from: usize,
    to: usize,
    half: usize,
) -> Option<(usize, f64)> {
    if to < from {
        return None;
    }
    let half = half.min((to - from) / 2);
    let window = |i: usize| -> Option<f64> {
        let known: Vec<f64> = (i - half..=i + half)
            .filter_map(|j| at(series, j))
            .collect();
        (known.len() > half).then(|| known.iter().copied().fold(f64::INFINITY, f64::min))
    };
    (from + half..=to - half)
        .filter_map(|i| Some((i, window(i)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Decimals a finding's value is kept and shown with: a fraction or a ratio near its limit
/// needs two (0.93 against 0.9 read "0.9 (limit 0.9)" with one), degrees and cm one.
pub fn value_decimals(unit: &str) -> usize {
    match unit {
        "fraction" | "ratio" => 2,
        _ => 1,
    }
}

/// A finding with the common fields filled in.
#[allow(clippy::too_many_arguments)]
pub fn finding(
    kind: &str,
    rep: &Rep,
    value: f64,
    threshold: f64,
    unit: &str,
    window: (usize, usize),
    confidence: f64,
    cue: &str,
) -> Finding {
    let scale = 10f64.powi(value_decimals(unit) as i32);
    Finding {
        kind: kind.into(),
        rep: rep.index,
        value: (value * scale).round() / scale,
        threshold,
        unit: unit.into(),
        start_frame: window.0,
        end_frame: window.1,
        confidence: (confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0,
        cue: cue.into(),
        absolute: None,
        measure: None,
    }
}

/// The frames the lockout faults read: the lockout frame to [`lockout_end`].
pub fn lockout_frames(k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
    Some((
        rep.lockout_frame?,
        lockout_end(k, rep)?,
        "this rep's lockout",
    ))
}

/// The last frame of a rep's lockout: the descent start, else half a second after lockout.
pub fn lockout_end(k: &Kinematics, rep: &Rep) -> Option<usize> {
    let l = rep.lockout_frame?;
    let last = k.frames().saturating_sub(1);
    Some(
        rep.descent_frame
            .unwrap_or_else(|| (l + (0.5 * k.fps).round() as usize).min(last))
            .max(l),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    #[test]
    fn a_level_is_not_read_from_a_single_frame() {
        // the track starts at frame 3 with one wrong reading (−1°), its next readings at
        // frames 6 and 7 (20°, 24°): the level widens to three readings
        let k = lifter(&clean(), 20);
        let v = |i: usize| match i {
            3 => Some(-1.0),
            6 => Some(20.0),
            7 => Some(24.0),
            _ => None,
        };
        assert_eq!(median_around(&k, 3, 1, v), Some(20.0));
        // three readings inside the span: the span stays
        let w = |i: usize| (2..=4).contains(&i).then_some(i as f64);
        assert_eq!(median_around(&k, 3, 1, w), Some(3.0));
    }

    #[test]
    fn held_max_is_the_level_a_window_holds_through_spikes_and_short_gaps() {
        let s = |v: &[f64]| -> Vec<Option<f64>> {
            v.iter().map(|&x| (!x.is_nan()).then_some(x)).collect()
        };
        // a one-frame spike of 9 over a plateau of 3 held for 5 frames
        let series = s(&[0.0, 3.0, 3.0, 9.0, 3.0, 3.0, 0.0, 0.0]);
        assert_eq!(held_max_in(&series, 0, 7, 2), Some((3, 3.0)));
        // a one-frame gap inside the plateau does not end it; a window mostly unknown is none
        let gappy = s(&[0.0, 3.0, f64::NAN, 3.0, 3.0, 0.0]);
        assert_eq!(held_max_in(&gappy, 0, 5, 1).map(|x| x.1), Some(3.0));
        assert_eq!(held_max_in(&s(&[f64::NAN, 5.0, f64::NAN]), 0, 2, 1), None);
        // a range shorter than the window is one window: its lowest reading
        assert_eq!(held_max_in(&series, 2, 4, 5), Some((3, 3.0)));
    }

    #[test]
    fn every_registered_fault_has_its_section_title_ranges_and_a_test_of_assess() {
        let sections = match toml::Value::try_from(FaultsConfig::default()) {
            Ok(toml::Value::Table(t)) => t,
            other => panic!("{other:?}"),
        };
        let faults = registry();
        let mut kinds: Vec<&str> = faults.iter().map(|f| f.kind()).collect();
        let mut section_names: Vec<&str> = sections.keys().map(String::as_str).collect();
        kinds.sort();
        section_names.sort();
        assert_eq!(
            kinds, section_names,
            "registry and [faults.<kind>] sections"
        );
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/faults");
        for f in &faults {
            assert!(!f.title().is_empty(), "{}", f.kind());
            assert_eq!(title(f.kind()), f.title());
            let Some(toml::Value::Table(section)) = sections.get(f.kind()) else {
                panic!("{}: no section", f.kind())
            };
            for (key, _, _) in f.config_ranges() {
                assert!(
                    section.contains_key(*key),
                    "{}: range for unknown {key}",
                    f.kind()
                );
            }
            let file = std::fs::read_to_string(src.join(format!("{}.rs", f.kind())))
                .unwrap_or_else(|e| panic!("{}: one file per fault, named by kind: {e}", f.kind()));
            let tests = file.split("#[cfg(test)]").nth(1).unwrap_or("");
            assert!(
                tests.contains(".assess(") || tests.contains("assess_first_rep("),
                "{}: no unit test of assess",
                f.kind()
            );
        }
    }

    #[test]
    fn a_front_view_makes_every_fault_not_assessable() {
        let mut scene = Scene::new(&hips_first());
        scene.view = crate::view::ViewVerdict {
            side_view: false,
            reason: "not a side view".into(),
        };
        let (found, not) = assess(&scene.input());
        assert!(found.is_empty());
        assert_eq!(not.len(), registry().len());
        assert!(not.iter().all(|n| n.rep.is_none()));
    }

    #[test]
    fn no_rep_says_so() {
        let mut scene = Scene::new(&clean());
        scene.reps.clear();
        let (found, not) = assess(&scene.input());
        assert!(found.is_empty());
        assert!(not.iter().all(|n| n.reason == "no deadlift rep found"));
    }

    #[test]
    fn a_rep_with_an_unreliable_pose_is_not_judged_and_says_how_unreliable() {
        let mut scene = Scene::new(&hips_first());
        let (from, to) = scene.reps[0].span(true).unwrap();
        // 70 % of the rep's frames unreliable
        for i in from..=(from + (to - from) * 7 / 10) {
            scene.kinematics.reliability[i] = Some(0.2);
        }
        let (found, not) = assess(&scene.input());
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(not.len(), registry().len());
        assert!(
            not.iter().all(|n| n.rep == Some(1)
                && n.reason.starts_with("pose unreliable in ")
                && n.reason.contains(" frames of this rep")),
            "{not:?}"
        );
    }

    #[test]
    fn a_top_out_of_the_picture_leaves_the_pull_from_the_floor_judged() {
        let mut scene = Scene::new(&hips_first());
        let rep = scene.reps[0].clone();
        // the lockout and the descent unreliable (a low camera cuts the head off at the top)
        let (_, to) = rep.span(true).unwrap();
        for i in rep.knee_frame.unwrap() + 1..=to {
            scene.kinematics.reliability[i] = Some(0.2);
        }
        let (found, not) = assess(&scene.input());
        assert!(
            found.iter().any(|f| f.kind == "hips_shoot_up"),
            "{found:?} {not:?}"
        );
        let lockout = not
            .iter()
            .find(|n| n.kind == "lockout_hyperextension")
            .unwrap();
        assert!(
            lockout.reason.ends_with("frames of this rep's lockout"),
            "{lockout:?}"
        );
    }

    #[test]
    fn confidence_follows_the_reliability_of_the_window() {
        let mut scene = Scene::new(&clean());
        let k = &mut scene.kinematics;
        let sure = confidence(k, &[Joint::Shoulder, Joint::Hip], 10, 29);
        // visibility 0.95 everywhere, reliability 1: confidence is the visibility
        assert!((sure - 0.95).abs() < 1e-6, "{sure}");
        // half the window unreliable at 0.1, the other half at 1
        for i in 10..20 {
            k.reliability[i] = Some(0.1);
        }
        let half = confidence(k, &[Joint::Shoulder, Joint::Hip], 10, 29);
        assert!((half - (0.1 + 0.95) / 2.0).abs() < 1e-6, "{half}");
        // frames with no pose count as nothing
        for i in 10..30 {
            k.reliability[i] = None;
        }
        assert_eq!(confidence(k, &[Joint::Shoulder], 10, 29), 0.0);
    }

    #[test]
    fn an_implausible_rep_feeds_no_fault() {
        let mut scene = Scene::new(&hips_first());
        scene.reps[0].implausible = vec!["peak bar velocity 8.4 m/s".into()];
        let (found, not) = assess(&scene.input());
        assert!(found.is_empty());
        assert!(not.iter().all(|n| n.reason.contains("implausible figures")));
    }

    #[test]
    fn a_rep_cut_off_by_a_damaged_file_is_not_judged() {
        let mut scene = Scene::new(&hips_first());
        let rep = &mut scene.reps[0];
        rep.end_frame = None;
        rep.bottom_frame = None;
        rep.descent_frame = None;
        let n = scene.kinematics.frames();
        rep.lockout_frame = Some(n - 1);
        let damage = "only 60 of 120 frames could be decoded".to_string();
        let mut input = scene.input();
        input.damage = Some(&damage);
        let (found, not) = assess(&input);
        assert!(found.is_empty());
        assert!(not.iter().all(|n| n.reason == damage), "{not:?}");
    }

    #[test]
    fn a_clean_rep_has_none_of_the_four_main_faults() {
        let mut scene = Scene::new(&clean());
        // a real lifter's flat back: ~12° standing (arms over the back), ~2° bent over
        scene.set_flexion_by_posture(Some(12.0), 2.0);
        let (found, _) = assess(&scene.input());
        let four = [
            "thoracic_rounding",
            "hips_shoot_up",
            "lockout_hyperextension",
            "bar_drift",
        ];
        assert!(
            found.iter().all(|f| !four.contains(&f.kind.as_str())),
            "{found:?}"
        );
    }
}
