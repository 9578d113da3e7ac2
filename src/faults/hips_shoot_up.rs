//! `hips_shoot_up`: the hips rise while the shoulders and the bar lag ("stripper pull").
//!
//! Definition: the trunk angle (hip→shoulder line from vertical, + forward) increases, i.e.
//! the trunk tips forward, by more than the threshold either between the set-up and lift-off
//! (hips rising before the bar leaves the floor) or between lift-off and the bar at the knee;
//! or, from lift-off to knee, the hips rise more than `max_hip_to_shoulder_rise_ratio` times
//! as much as the shoulders. Both compare the lifter with their own set-up, so the fixed
//! offset of pose keypoints from joint centres cancels.
//!
//! Rounding the upper back also tips the hip→shoulder line forward (the shoulders drop
//! forward around the bend) without the hips rising. So the trunk increase is counted net of
//! the upper-back flexion gained since the window's first frame (from the traced back shape,
//! `thoracic_flexion_deg`) times [`THORACIC_SHARE`]; only gained flexion is subtracted, so a
//! back that straightens never adds to the trunk increase.
//!
//! Source: coaching texts ("chest and hips rise at the same rate"; the trunk angle holds from
//! the floor to the knee, then the hips drive through).
//!
//! Config: `[faults.hips_shoot_up]` in `formcheck.toml`, this file's [`Config`].

use super::{at, confidence, finding, max_in, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub max_trunk_increase_deg: f64,
    pub max_hip_to_shoulder_rise_ratio: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_trunk_increase_deg: 10.0,
            max_hip_to_shoulder_rise_ratio: 1.5,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_trunk_increase_deg", 0.0, 90.0),
    ("max_hip_to_shoulder_rise_ratio", 0.0, 20.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct HipsShootUp;

/// Degrees of hip→shoulder tip per degree of upper-back flexion. Geometry: a bend at the
/// mid-thoracic apex (about half-way up the hip→shoulder line, the lower end of the flexing
/// segment at T12) turns the shoulder about the apex, which rotates the hip→shoulder chord by
/// about the share of the torso above the bend. On the renders 22.5° of chord flexion tipped
/// the true trunk line by 10.4° (0.46).
pub const THORACIC_SHARE: f64 = 0.5;

/// The longest gap in the upper-back series bridged for [`net_trunk_deg`] (s): a frame whose
/// outline was blurred or ragged says nothing about the back, and a gap read as "no flexion
/// gained" would put the rounding's tip back into the trunk increase.
const BACK_GAP_S: f64 = 0.3;

/// Trunk angle at `i` less the part explained by upper-back flexion gained since `base`
/// (`back`: the upper-back series with its short gaps bridged).
fn net_trunk_deg(input: &FaultInput, back: &[Option<f64>], base: usize, i: usize) -> Option<f64> {
    let t = at(&input.kinematics.angles.trunk_angle_deg, i)?;
    let gained = match (at(back, i), at(back, base)) {
        (Some(now), Some(then)) => (now - then).max(0.0),
        _ => 0.0,
    };
    Some(t - THORACIC_SHARE * gained)
}

/// How long a trunk tip must hold to count (s), and the span the set-up level is the median
/// of: single frames of the model's trunk line scatter by 3–5° on far or dark footage.
const SUSTAIN_S: f64 = 0.1;

const CUE: &str = "Hips rise before the chest: push the floor away with the legs and lift chest and hips together.";

impl Fault for HipsShootUp {
    fn kind(&self) -> &'static str {
        "hips_shoot_up"
    }

    fn title(&self) -> &'static str {
        "Hips shoot up first"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn frames_read(&self, _: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        let liftoff = rep.liftoff_frame?;
        let from = rep.start_frame.unwrap_or(liftoff);
        Some((
            from,
            rep.knee_frame.unwrap_or(liftoff),
            "this rep's pull to the knee",
        ))
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.hips_shoot_up;
        let k = input.kinematics;
        let trunk = &k.angles.trunk_angle_deg;
        let Some(liftoff) = rep.liftoff_frame else {
            return Verdict::NotAssessable(
                "the clip does not show the bar leaving the floor".into(),
            );
        };
        let from = rep.start_frame.unwrap_or(liftoff);
        let to = rep.knee_frame.unwrap_or(liftoff);
        if to == from {
            return Verdict::NotAssessable(
                "neither the set-up nor the bar at knee is in the clip".into(),
            );
        }
        let confidence = confidence(k, &[Joint::Shoulder, Joint::Hip], from, to);
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let back = crate::kinematics::filters::fill_gaps(
            input.thoracic_flexion_deg,
            (BACK_GAP_S * k.fps).round() as usize,
        );
        // before lift-off: from the set-up to the most tipped frame up to lift-off
        let net = |base: usize, to: usize| -> Option<(f64, usize, usize)> {
            // one frame's reading moves by a few degrees: the start is the median over
            // SUSTAIN_S centred on it, the peak the level held over SUSTAIN_S
            let h = ((SUSTAIN_S * k.fps / 2.0).floor() as usize).max(1);
            let last = (to + h).min(k.frames().saturating_sub(1));
            let series: Vec<Option<f64>> = (0..=last)
                .map(|i| {
                    if i < base {
                        None
                    } else {
                        net_trunk_deg(input, &back, base, i)
                    }
                })
                .collect();
            let start = super::median_around(k, base, h, |i| at(trunk, i))?;
            let held: Vec<Option<f64>> = (0..=to)
                .map(|i| {
                    let window = (i.saturating_sub(h).max(base)..=(i + h).min(last))
                        .filter_map(|j| series.get(j).copied().flatten());
                    series.get(i).copied().flatten()?;
                    Some(window.fold(f64::INFINITY, f64::min))
                })
                .collect();
            let (peak, t) = max_in(&held, base, to)?;
            Some((t - start, base, peak))
        };
        let before = rep.start_frame.and_then(|s| net(s, liftoff));
        // lift-off to knee
        let after = rep.knee_frame.and_then(|kf| net(liftoff, kf));
        let worst = [before, after]
            .into_iter()
            .flatten()
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((inc, a, b)) = worst {
            if inc > cfg.max_trunk_increase_deg {
                return Verdict::Found(finding(
                    self.kind(),
                    rep,
                    inc,
                    cfg.max_trunk_increase_deg,
                    "deg",
                    (a, b),
                    confidence,
                    CUE,
                ));
            }
        }
        // second signal: hip rise over shoulder rise from lift-off to knee
        if let (Some(kf), Some(torso)) = (rep.knee_frame, k.torso_px()) {
            let rise = |j: Joint| Some(k.at(j, liftoff)?.1 - k.at(j, kf)?.1);
            if let (Some(hip), Some(sh)) = (rise(Joint::Hip), rise(Joint::Shoulder)) {
                // a ratio of small rises is noise: needs a real hip rise
                if hip > 0.1 * torso {
                    let ratio = hip / sh.max(0.02 * torso);
                    if ratio > cfg.max_hip_to_shoulder_rise_ratio {
                        return Verdict::Found(finding(
                            self.kind(),
                            rep,
                            ratio,
                            cfg.max_hip_to_shoulder_rise_ratio,
                            "ratio",
                            (liftoff, kf),
                            confidence,
                            CUE,
                        ));
                    }
                }
            }
        }
        if worst.is_none() {
            return Verdict::NotAssessable("no trunk angle around lift-off".into());
        }
        Verdict::Fine
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn run(keys: &[Key]) -> (Vec<Rep>, Verdict) {
        assess_first_rep(&HipsShootUp, keys, None)
    }

    #[test]
    fn clean_pull_is_fine() {
        assert_eq!(run(&clean()).1, Verdict::Fine);
    }

    #[test]
    fn hips_rising_before_the_bar_leaves_the_floor_are_found() {
        let (reps, v) = run(&hips_first());
        let Verdict::Found(f) = v else {
            panic!("{v:?}")
        };
        assert!(f.value > 12.0, "{f:?}");
        // the window ends at or before lift-off: the fault is in the set-up phase
        assert!(
            f.end_frame <= reps[0].liftoff_frame.unwrap() + 1,
            "{f:?} {:?}",
            reps[0]
        );
    }

    #[test]
    fn trunk_tip_from_a_rounding_upper_back_is_not_hips_shooting_up() {
        // without a back shape the 12° tip is flagged ...
        let (reps, v) = run(&tipping_trunk());
        let Verdict::Found(f) = v else {
            panic!("a 12° trunk tip should be found without a back shape: {v:?} {reps:?}")
        };
        assert!(f.value > 10.0, "{f:?}");
        // ... with the upper back rounding 25° over the same frames it is not
        let rounding = |_: &crate::kinematics::Kinematics, i: usize| {
            if (20..=60).contains(&i) {
                50.0
            } else {
                25.0
            }
        };
        let (_, v) = assess_first_rep(&HipsShootUp, &tipping_trunk(), Some(&rounding));
        assert_eq!(v, Verdict::Fine);
        // ... nor when the outline is blurred on a few frames of the rounding (gaps, not 0)
        let mut scene = Scene::new(&tipping_trunk());
        scene.flexion = (0..scene.kinematics.frames())
            .map(|i| (!(25..=31).contains(&i)).then(|| rounding(&scene.kinematics, i)))
            .collect();
        assert_eq!(
            HipsShootUp.assess(&scene.input(), &scene.reps[0]),
            Verdict::Fine
        );
    }

    #[test]
    fn hips_first_is_found_even_when_the_back_rounds_a_little() {
        let rounding = |_: &crate::kinematics::Kinematics, i: usize| {
            if i >= 20 {
                30.0
            } else {
                25.0
            }
        };
        let (_, v) = assess_first_rep(&HipsShootUp, &hips_first(), Some(&rounding));
        assert!(matches!(v, Verdict::Found(_)), "{v:?}");
    }
}
