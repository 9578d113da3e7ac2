//! `lockout_hyperextension`: leaning back at the top of the lift.
//!
//! Definition: over the lockout (lockout frame to the start of the descent) the trunk leans
//! back past vertical by more than `max_lean_back_deg` (`trunk_angle_deg < -10` by default),
//! held for [`SUSTAIN_S`]. `value` is the lean-back in degrees.
//!
//! No distance of the shoulders behind the bar: standing upright, real lifters' shoulders sit
//! 9-20 cm behind the plate's hub (the bar rests on the front of the thighs, so it depends on
//! their build), as far as on the renders leaning back 15° (19-22 cm), so no cm limit tells a
//! lean-back from a thick-thighed upright lifter; it fired only on lockouts that read 5-6° back
//! (A02, from a "good" folder), within the trunk's 3° bias when the plate hides the hip.
//!
//! Source: coaching texts ("finish with the glutes, stand tall; do not lean back": the lockout
//! is hips and knees extended with the shoulders over or just behind the bar).
//!
//! Config: `[faults.lockout_hyperextension]` in `formcheck.toml`, this file's [`Config`].

use super::{
    confidence, finding, held_max_in, lockout_end, lockout_frames, Fault, FaultInput, KeyRange,
    Verdict,
};
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub max_lean_back_deg: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_lean_back_deg: 10.0,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_lean_back_deg", 0.0, 90.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct LockoutHyperextension;

/// Shortest lean-back (and shoulders-behind-the-bar) that counts, s: a posture is held, while
/// a one-frame reading of a few degrees is keypoint noise. On real clips single frames of a
/// long lockout window (6.6 s on A02) leaned back 5° with the trunk forward around them.
pub const SUSTAIN_S: f64 = 0.2;

const CUE: &str =
    "Leaning back at the top: finish by squeezing the glutes and stand tall, do not lean back.";

impl Fault for LockoutHyperextension {
    fn kind(&self) -> &'static str {
        "lockout_hyperextension"
    }

    fn title(&self) -> &'static str {
        "Leaning back at lockout"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn frames_read(&self, k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        lockout_frames(k, rep)
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.lockout_hyperextension;
        let k = input.kinematics;
        let (Some(from), Some(to)) = (rep.lockout_frame, lockout_end(k, rep)) else {
            return Verdict::NotAssessable("the clip does not show the lockout".into());
        };
        let confidence = confidence(k, &[Joint::Shoulder, Joint::Hip], from, to);
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        // the unwrapped series can sit a turn away after a left/right flip
        let lean_back_deg: Vec<Option<f64>> = k
            .angles
            .trunk_angle_deg
            .iter()
            .map(|t| t.map(|t| -((t + 180.0).rem_euclid(360.0) - 180.0)))
            .collect();
        let half = ((SUSTAIN_S * k.fps / 2.0).round() as usize).max(1);
        let Some((_, lean_back)) = held_max_in(&lean_back_deg, from, to, half) else {
            return Verdict::NotAssessable("no trunk angle at lockout".into());
        };
        if lean_back <= cfg.max_lean_back_deg {
            return Verdict::Fine;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            lean_back,
            cfg.max_lean_back_deg,
            "deg",
            (from, to),
            confidence,
            CUE,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn run(keys: &[Key]) -> Verdict {
        assess_first_rep(&LockoutHyperextension, keys, None).1
    }

    #[test]
    fn upright_lockout_is_fine() {
        assert_eq!(run(&clean()), Verdict::Fine);
    }

    #[test]
    fn a_one_frame_lean_back_is_not_a_posture() {
        let mut k = clean();
        k.insert(4, key_at(71, &k[3], 0.0));
        k.insert(5, key_at(72, &k[3], -25.0));
        k.insert(6, key_at(73, &k[3], 0.0));
        assert_eq!(run(&k), Verdict::Fine);
    }

    /// `like` at `frame` with the trunk at `trunk_deg`.
    fn key_at(frame: usize, like: &Key, trunk_deg: f64) -> Key {
        Key {
            frame,
            trunk_deg,
            ..*like
        }
    }

    #[test]
    fn a_lean_back_under_the_limit_is_fine() {
        let mut k = clean();
        k[3].trunk_deg = -8.0;
        k[4].trunk_deg = -8.0;
        assert_eq!(run(&k), Verdict::Fine);
    }

    #[test]
    fn lean_back_lockout_is_found() {
        let Verdict::Found(f) = run(&lean_back()) else {
            panic!()
        };
        assert!((f.value - 15.0).abs() < 1.0, "{f:?}");
        assert_eq!(f.unit, "deg");
    }
}
