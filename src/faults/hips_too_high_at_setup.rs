//! `hips_too_high_at_setup`: a stiff-legged start: the hips start nearly as high as the
//! shoulders, so the back does all the work off the floor.
//!
//! Definition: at the set-up the hip height, as a fraction of the way from knee height to
//! shoulder height, is over `faults.hips_too_high_at_setup.max_hip_height_fraction`.
//!
//! Source: coaching texts (Starting Strength's set-up: hips between knees and shoulders).
//!
//! Config: `[faults.hips_too_high_at_setup]` in `formcheck.toml`, this file's [`Config`].

use serde::{Deserialize, Serialize};

use super::setup::{hip_height_at_setup, setup_frames};
use super::{finding, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::Kinematics;
use crate::reps::Rep;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Hip height at set-up as a fraction of knee (0) to shoulder (1) height: over this
    /// the hips are too high.
    pub max_hip_height_fraction: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_hip_height_fraction: 0.9,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_hip_height_fraction", 0.0, 1.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct HipsTooHigh;

impl Fault for HipsTooHigh {
    fn kind(&self) -> &'static str {
        "hips_too_high_at_setup"
    }

    fn title(&self) -> &'static str {
        "Hips too high at set-up"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn frames_read(&self, k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        setup_frames(k, rep)
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.hips_too_high_at_setup;
        let max = cfg.max_hip_height_fraction;
        match hip_height_at_setup(input, rep, cfg.min_confidence) {
            Err(v) => *v,
            Ok((s, f, c)) if f > max => Verdict::Found(finding(
                self.kind(),
                rep,
                f,
                max,
                "fraction",
                (s, s),
                c,
                "Hips too high: bend the knees until the shins touch the bar, chest up, then push the floor away.",
            )),
            Ok(_) => Verdict::Fine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn run(max_fraction: f64) -> Verdict {
        let mut scene = Scene::new(&clean());
        scene
            .config
            .faults
            .hips_too_high_at_setup
            .max_hip_height_fraction = max_fraction;
        HipsTooHigh.assess(&scene.input(), &scene.reps[0])
    }

    #[test]
    fn hips_between_knees_and_shoulders_are_fine() {
        assert_eq!(run(0.9), Verdict::Fine);
    }

    #[test]
    fn hips_over_the_limit_are_found() {
        let Verdict::Found(f) = run(0.05) else {
            panic!("hips over 0.05 of the way to the shoulders")
        };
        assert!(f.value > 0.05 && f.value < 0.9, "{f:?}");
        assert_eq!(f.kind, "hips_too_high_at_setup");
    }
}
