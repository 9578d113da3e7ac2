//! `hips_too_low_at_setup`: squatting the deadlift: the hips start at or below knee height.
//!
//! Definition: at the set-up (lowest hips before lift-off; the median over 0.2 s around it) the
//! hip height, as a fraction of the way from knee height to shoulder height, is under
//! `faults.hips_too_low_at_setup.min_hip_height_fraction`.
//! Relative heights of the lifter's own joints, so camera distance and body size cancel.
//!
//! Source: coaching texts (Starting Strength's set-up: hips between knees and shoulders,
//! shoulders just in front of the bar, bar over mid-foot).
//!
//! Config: `[faults.hips_too_low_at_setup]` in `formcheck.toml`, this file's [`Config`].

use serde::{Deserialize, Serialize};

use super::setup::{hip_height_at_setup, setup_frames};
use super::{finding, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::Kinematics;
use crate::reps::Rep;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Hip height at set-up as a fraction of knee (0) to shoulder (1) height: under this
    /// the hips are too low.
    pub min_hip_height_fraction: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_hip_height_fraction: 0.1,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("min_hip_height_fraction", 0.0, 1.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct HipsTooLow;

impl Fault for HipsTooLow {
    fn kind(&self) -> &'static str {
        "hips_too_low_at_setup"
    }

    fn title(&self) -> &'static str {
        "Hips too low at set-up"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn frames_read(&self, k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        setup_frames(k, rep)
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.hips_too_low_at_setup;
        let min = cfg.min_hip_height_fraction;
        match hip_height_at_setup(input, rep, cfg.min_confidence) {
            Err(v) => *v,
            Ok((s, f, c)) if f < min => Verdict::Found(finding(
                self.kind(),
                rep,
                f,
                min,
                "fraction",
                (s, s),
                c,
                "Hips too low: this is a pull, not a squat; raise the hips until the shoulders are just in front of the bar.",
            )),
            Ok(_) => Verdict::Fine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn run(min_fraction: f64) -> Verdict {
        let mut scene = Scene::new(&clean());
        scene
            .config
            .faults
            .hips_too_low_at_setup
            .min_hip_height_fraction = min_fraction;
        HipsTooLow.assess(&scene.input(), &scene.reps[0])
    }

    #[test]
    fn hips_between_knees_and_shoulders_are_fine() {
        assert_eq!(run(0.1), Verdict::Fine);
    }

    #[test]
    fn hips_under_the_limit_are_found_at_the_setup() {
        let Verdict::Found(f) = run(0.9) else {
            panic!("hips under 0.9 of the way to the shoulders")
        };
        assert!(f.value > 0.1 && f.value < 0.9, "{f:?}");
        assert_eq!((f.threshold, f.unit.as_str()), (0.9, "fraction"));
        let scene = Scene::new(&clean());
        assert_eq!(Some(f.start_frame), scene.reps[0].start_frame);
    }

    #[test]
    fn a_rep_without_setup_is_not_assessable() {
        let scene = Scene::new(&clean());
        let mut rep = scene.reps[0].clone();
        rep.start_frame = None;
        assert!(matches!(
            HipsTooLow.assess(&scene.input(), &rep),
            Verdict::NotAssessable(_)
        ));
    }
}
