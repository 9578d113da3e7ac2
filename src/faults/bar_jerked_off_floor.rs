//! `bar_jerked_off_floor`: the bar is yanked off the floor instead of squeezed off.
//!
//! Definition: the peak upward acceleration of the bar (second difference of its filtered
//! height over 0.1 s, m/s²) from just before lift-off to 0.3 s after it exceeds
//! `max_liftoff_accel_m_per_s2`. Heavy pulls leave the floor at 0.1–0.2 m/s reached over
//! ~0.2 s (≈1 m/s²); a jerk reaches several m/s² as the slack snaps out of bar and body.
//!
//! Source: coaching texts ("pull the slack out of the bar, then squeeze it off the floor").
//!
//! Config: `[faults.bar_jerked_off_floor]` in `formcheck.toml`, this file's [`Config`].

use super::{confidence, finding, max_in, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub max_liftoff_accel_m_per_s2: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_liftoff_accel_m_per_s2: 15.0,
            min_confidence: 0.3,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_liftoff_accel_m_per_s2", 0.0, 200.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct BarJerked;

impl Fault for BarJerked {
    fn kind(&self) -> &'static str {
        "bar_jerked_off_floor"
    }

    fn title(&self) -> &'static str {
        "Bar jerked off the floor"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.bar_jerked_off_floor;
        let k = input.kinematics;
        let Some(liftoff) = rep.liftoff_frame else {
            return Verdict::NotAssessable(
                "the clip does not show the bar leaving the floor".into(),
            );
        };
        if input.bar.scale.cm_per_px <= 0.0 || k.fps <= 0.0 {
            return Verdict::NotAssessable("no scale to turn pixels into metres".into());
        }
        let n = k.frames();
        let from = liftoff
            .saturating_sub((0.1 * k.fps).round() as usize)
            .max(1);
        let to = (liftoff + (0.3 * k.fps).round() as usize).min(n.saturating_sub(2));
        if to <= from {
            return Verdict::NotAssessable("too few frames around lift-off".into());
        }
        let h_m = |i: usize| input.bar.height_cm(i).map(|c| c / 100.0);
        // second difference over a fixed 0.1 s step, m/s²: frame-to-frame differences would
        // amplify keypoint jitter with the frame rate squared
        let d = ((0.1 * k.fps).round() as usize).max(1);
        let dt = d as f64 / k.fps;
        let accel: Vec<Option<f64>> = (0..n)
            .map(|i| {
                if i < d || i + d >= n {
                    return None;
                }
                Some((h_m(i + d)? - 2.0 * h_m(i)? + h_m(i - d)?) / (dt * dt))
            })
            .collect();
        let confidence = confidence(k, &[Joint::Wrist], from, to) * input.bar.scale.confidence;
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let Some((peak, a)) = max_in(&accel, from, to) else {
            return Verdict::NotAssessable("the bar is not seen around lift-off".into());
        };
        if a <= cfg.max_liftoff_accel_m_per_s2 {
            return Verdict::Fine;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            a,
            cfg.max_liftoff_accel_m_per_s2,
            "m/s2",
            (peak.saturating_sub(1), peak + 1),
            confidence,
            "Bar jerked off the floor: pull the slack out first, then squeeze the bar off the floor.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    /// The bar snatched 60 px (~26 cm) up in the two frames after lift-off.
    fn jerked() -> Vec<Key> {
        let mut k = clean();
        let mut snap = k[1];
        snap.frame = 17;
        snap.wrist_y -= 60.0;
        k.insert(2, snap);
        k
    }

    fn run(keys: &[Key]) -> Verdict {
        assess_first_rep(&BarJerked, keys, None).1
    }

    #[test]
    fn a_smooth_lift_off_is_fine() {
        assert_eq!(run(&clean()), Verdict::Fine);
    }

    #[test]
    fn a_snatched_lift_off_is_found() {
        let Verdict::Found(f) = run(&jerked()) else {
            panic!("60 px in two frames")
        };
        assert!(f.value > 15.0, "{f:?}");
        assert_eq!(f.unit, "m/s2");
    }
}
