//! `thoracic_rounding`: the upper back flexes (rounds) under the load.
//!
//! Definition: the upper-back curve angle is measured from the shape of the back, not from
//! the trunk line: the dorsal edge of the person mask is traced between hip and shoulder
//! ([`crate::kinematics::back`]) and the angle between its lower (lumbar → mid-thoracic) and
//! upper (mid-thoracic → base of the neck) chords is taken per frame. Normal kyphosis is
//! 20–40° standing, so the flag is the increase of that angle, while bent over in the rep,
//! over the lifter's own upright posture in the same video (median over the standing frames).
//! Second signal: the bent-over curve itself over `max_curve_deg` (a straight back line reads
//! 0°). On real lifters the standing silhouette is a poor reference: the arms and an
//! incomplete lockout overlap the back, so it reads 9–17° while a flat back bent over reads
//! 0–2° and the labelled rounded backs 22–25° (docs/accuracy.md, "Upper-back curve" table); the curve
//! itself separates them. `value` is the increase when it fires, else the curve; `absolute`
//! is always the curve angle.
//!
//! Source: coaching texts ("brace and keep the chest up", neutral spine under load); the 20°
//! threshold is the user's request; kyphosis norms (20–40° standing) from the spine literature.
//!
//! Config: `[faults.thoracic_rounding]` in `formcheck.toml`, this file's [`Config`].

use super::{confidence, finding, max_in, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Flag: the bent-over curve exceeds the lifter's own standing curve by more than this.
    pub max_increase_deg: f64,
    /// Second signal: the bent-over curve itself (0 = a straight back line) exceeds this.
    pub max_curve_deg: f64,
    pub min_confidence: f64,
    /// Fraction of the bent-over frames whose back contour must be traced.
    pub min_traced_fraction: f64,
    /// Frames count as bent over (judged) above this trunk angle.
    pub min_bent_trunk_deg: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_increase_deg: 20.0,
            max_curve_deg: 20.0,
            min_confidence: 0.5,
            min_traced_fraction: 0.5,
            min_bent_trunk_deg: 25.0,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_increase_deg", 0.0, 90.0),
    ("max_curve_deg", 0.0, 90.0),
    ("min_confidence", 0.0, 1.0),
    ("min_traced_fraction", 0.0, 1.0),
    ("min_bent_trunk_deg", 0.0, 90.0),
];

pub struct ThoracicRounding;

/// Median flexion over the frames where the lifter stands upright; `None` without enough.
/// Upright: trunk within 15° of vertical and hips opened past 140° (a soft, incomplete
/// lockout at ~150° still shows the standing back shape; a squat bottom would not).
pub fn upright_flexion_deg(input: &FaultInput) -> Option<f64> {
    let k = input.kinematics;
    let mut v: Vec<f64> = (0..k.frames())
        .filter(|&i| {
            let trunk = super::at(&k.angles.trunk_angle_deg, i);
            let hip = super::at(&k.angles.hip_angle_deg, i);
            trunk.is_some_and(|t| t.abs() < 15.0) && hip.is_some_and(|h| h > 140.0)
        })
        .filter_map(|i| super::at(input.thoracic_flexion_deg, i))
        .collect();
    if v.len() < 5 {
        return None;
    }
    Some(crate::kinematics::filters::median_of(&mut v))
}

impl Fault for ThoracicRounding {
    fn kind(&self) -> &'static str {
        "thoracic_rounding"
    }

    fn title(&self) -> &'static str {
        "Rounded upper back"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.thoracic_rounding;
        let k = input.kinematics;
        let Some((from, to)) = rep.span(true) else {
            return Verdict::NotAssessable("the rep has no pull or descent in the clip".into());
        };
        // only bent-over frames: standing frames are the reference, not the test
        let bent: Vec<usize> = (from..=to)
            .filter(|&i| {
                super::at(&k.angles.trunk_angle_deg, i).is_some_and(|t| t > cfg.min_bent_trunk_deg)
            })
            .collect();
        if bent.is_empty() {
            return Verdict::NotAssessable("the lifter is never bent over in this rep".into());
        }
        let traced = bent
            .iter()
            .filter(|&&i| super::at(input.thoracic_flexion_deg, i).is_some())
            .count() as f64
            / bent.len() as f64;
        if traced < cfg.min_traced_fraction {
            return Verdict::NotAssessable(format!(
                "the back contour was traced in only {:.0}% of the bent-over frames",
                traced * 100.0
            ));
        }
        let masked: Vec<Option<f64>> = (0..k.frames())
            .map(|i| {
                if bent.binary_search(&i).is_ok() {
                    super::at(input.thoracic_flexion_deg, i)
                } else {
                    None
                }
            })
            .collect();
        let Some((peak, curve_deg)) = max_in(&masked, from, to) else {
            return Verdict::NotAssessable("no back shape in the bent-over frames".into());
        };
        let confidence = confidence(k, &[Joint::Shoulder, Joint::Hip], from, to) * traced;
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let upright = upright_flexion_deg(input);
        // the increase over standing first (the definition), then the curve itself
        let (value, reference, threshold, measure) = match upright {
            Some(up) if curve_deg - up > cfg.max_increase_deg => (
                curve_deg - up,
                up,
                cfg.max_increase_deg,
                format!(
                    "increase of the upper-back curve over the lifter's standing back ({up:.0}°)"
                ),
            ),
            _ if curve_deg > cfg.max_curve_deg => (
                curve_deg,
                0.0,
                cfg.max_curve_deg,
                "upper-back curve angle (0° is a straight back)".to_string(),
            ),
            Some(_) => return Verdict::Fine,
            // a curve under its limit can still be a large increase over a standing back
            // that reads under 0° (the rendered bodies do), so without that reference the
            // back is not judged fine
            None => {
                return Verdict::NotAssessable(format!(
                    "no upright (standing) frames to compare the back shape with; the curve \
                     itself ({curve_deg:.0}°) is under the {:.0}° limit",
                    cfg.max_curve_deg
                ))
            }
        };
        // the window: the bent-over frames around the peak that exceed the threshold
        let over = |i: usize| super::at(&masked, i).is_some_and(|v| v - reference > threshold);
        let mut a = peak;
        while a > from && over(a - 1) {
            a -= 1;
        }
        let mut b = peak;
        while b < to && over(b + 1) {
            b += 1;
        }
        let mut f = finding(
            self.kind(),
            rep,
            value,
            threshold,
            "deg",
            (a, b),
            confidence,
            "Upper back rounds: brace before the pull and keep the chest up, shoulder blades set.",
        );
        f.absolute = Some((curve_deg * 10.0).round() / 10.0);
        f.measure = Some(measure);
        Verdict::Found(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    /// Assesses the first rep with the curve angle `standing` while upright and `bent`
    /// while bent over (trunk > 20°).
    fn run_on(keys: &[Key], standing: Option<f64>, bent: f64) -> Verdict {
        let mut scene = Scene::new(keys);
        scene.set_flexion_by_posture(standing, bent);
        ThoracicRounding.assess(&scene.input(), &scene.reps[0])
    }

    fn run(standing: Option<f64>, bent: f64) -> Verdict {
        run_on(&clean(), standing, bent)
    }

    #[test]
    fn a_clip_starting_mid_pull_is_judged_from_its_first_frames() {
        // the clip opens with the bar at the knee (no set-up, no lift-off): the bent-over
        // frames before the lockout are still judged
        let keys: Vec<Key> = clean()
            .into_iter()
            .skip(2)
            .map(|mut k| {
                k.frame -= 40;
                k
            })
            .collect();
        assert!(matches!(run_on(&keys, Some(12.0), 40.0), Verdict::Found(_)));
        assert_eq!(run_on(&keys, Some(12.0), 5.0), Verdict::Fine);
    }

    #[test]
    fn flat_back_is_fine() {
        // a real lifter: the standing silhouette reads ~12° (arms over the back), a flat
        // back bent over ~2°
        assert_eq!(run(Some(12.0), 2.0), Verdict::Fine);
    }

    #[test]
    fn an_increase_over_standing_is_found_with_its_value_and_curve() {
        match run(Some(-8.0), 15.0) {
            Verdict::Found(f) => {
                assert!((f.value - 23.0).abs() < 0.01, "{f:?}");
                assert_eq!(f.absolute, Some(15.0));
                assert_eq!(f.threshold, 20.0);
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn a_curve_over_its_limit_is_found_even_below_the_increase_limit() {
        // standing 12°, bent 24°: +12° over standing, but the back itself is 24° round
        match run(Some(12.0), 24.0) {
            Verdict::Found(f) => {
                assert!((f.value - 24.0).abs() < 0.01, "{f:?}");
                assert_eq!(f.absolute, Some(24.0));
                assert_eq!(f.threshold, 20.0);
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn without_standing_frames_only_a_curve_over_its_limit_is_judged() {
        assert!(matches!(run(None, 25.0), Verdict::Found(_)));
        match run(None, 10.0) {
            Verdict::NotAssessable(why) => assert!(why.contains("no upright"), "{why}"),
            v => panic!("{v:?}"),
        }
    }
}
