//! `lockout_hyperextension`: leaning back at the top of the lift.
//!
//! Definition: over the lockout (lockout frame to the start of the descent) the trunk leans
//! back past vertical by more than `max_lean_back_deg` (`trunk_angle_deg < -10` by default);
//! second signal: the shoulders end up behind the bar by more than
//! `max_shoulder_behind_bar_cm` (the BichraiX label "shoulders drifting too far behind the
//! bar"), used only when a plate is tracked and the trunk already leans back by half the
//! limit (otherwise it measures camera parallax). `value` is the lean-back in degrees (or the distance in cm when only the second
//! signal fires).
//!
//! Source: coaching texts ("finish with the glutes, stand tall; do not lean back": the lockout
//! is hips and knees extended with the shoulders over or just behind the bar).
//!
//! Config: `[faults.lockout_hyperextension]` in `formcheck.toml`, this file's [`Config`].

use super::{
    confidence, finding, lockout_end, lockout_frames, max_in, min_in, Fault, FaultInput, KeyRange,
    Verdict,
};
use crate::bar::BarSource;
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub max_lean_back_deg: f64,
    pub max_shoulder_behind_bar_cm: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_lean_back_deg: 10.0,
            max_shoulder_behind_bar_cm: 15.0,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_lean_back_deg", 0.0, 90.0),
    ("max_shoulder_behind_bar_cm", 0.0, 100.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct LockoutHyperextension;

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
        let Some((_, trunk)) = min_in(&k.angles.trunk_angle_deg, from, to) else {
            return Verdict::NotAssessable("no trunk angle at lockout".into());
        };
        // the unwrapped series can sit a turn away after a left/right flip
        let lean_back = -((trunk + 180.0).rem_euclid(360.0) - 180.0);
        if lean_back > cfg.max_lean_back_deg {
            return Verdict::Found(finding(
                self.kind(),
                rep,
                lean_back,
                cfg.max_lean_back_deg,
                "deg",
                (from, to),
                confidence,
                CUE,
            ));
        }
        // shoulders behind the bar, cm (+ = behind): only with a tracked plate (the wrists
        // hang from the shoulders, so they cannot say where the bar is relative to them), and
        // only to confirm a trunk already leaning back by half the limit: with the trunk
        // upright or forward the distance is camera parallax (the near plate is ~25 cm closer
        // to the camera than the shoulders), which flagged 6 upright lockouts on real clips.
        if lean_back < cfg.max_lean_back_deg / 2.0 {
            return Verdict::Fine;
        }
        let plate = (from..=to)
            .filter(|&i| input.bar.samples.get(i).map(|s| s.source) == Some(BarSource::Plate))
            .count()
            > (to - from) / 2;
        if !plate {
            return Verdict::Fine;
        }
        let facing = k.facing.sign();
        let behind: Vec<Option<f64>> = (0..k.frames())
            .map(|i| {
                let bar_x = input.bar.samples.get(i)?.x_px?;
                let sh = k.at(Joint::Shoulder, i)?;
                Some(facing * (bar_x - sh.0) * input.bar.scale.cm_per_px)
            })
            .collect();
        if let Some((_, cm)) = max_in(&behind, from, to) {
            if cm > cfg.max_shoulder_behind_bar_cm && input.bar.scale.cm_per_px > 0.0 {
                let conf = confidence * input.bar.scale.confidence;
                return Verdict::Found(finding(
                    self.kind(),
                    rep,
                    cm,
                    cfg.max_shoulder_behind_bar_cm,
                    "cm",
                    (from, to),
                    conf,
                    CUE,
                ));
            }
        }
        Verdict::Fine
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
    fn lean_back_lockout_is_found() {
        let Verdict::Found(f) = run(&lean_back()) else {
            panic!()
        };
        assert!((f.value - 15.0).abs() < 1.0, "{f:?}");
        assert_eq!(f.unit, "deg");
    }
}
