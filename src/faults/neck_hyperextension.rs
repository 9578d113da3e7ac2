//! `neck_hyperextension`: looking up (cranking the neck back) during the set-up and the pull.
//!
//! Definition: the shoulder→ear line against the trunk line (`neck_angle_deg`, + head
//! extended) exceeds `max_extension_deg` between the set-up and the bar at the knee.
//!
//! Source: coaching texts (neutral neck, eyes on the floor a few metres ahead; looking up
//! hyperextends the cervical spine under load).
//!
//! Config: `[faults.neck_hyperextension]` in `formcheck.toml`, this file's [`Config`].

use super::{confidence, finding, max_in, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub max_extension_deg: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_extension_deg: 45.0,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_extension_deg", 0.0, 180.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct NeckHyperextension;

impl Fault for NeckHyperextension {
    fn kind(&self) -> &'static str {
        "neck_hyperextension"
    }

    fn title(&self) -> &'static str {
        "Neck over-extended"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.neck_hyperextension;
        let k = input.kinematics;
        let (Some(from), Some(to)) = (
            rep.start_frame.or(rep.liftoff_frame),
            rep.knee_frame.or(rep.liftoff_frame),
        ) else {
            return Verdict::NotAssessable("the clip does not show the pull from the floor".into());
        };
        let confidence = confidence(k, &[Joint::Ear, Joint::Shoulder], from, to);
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let Some((peak, ext)) = max_in(&k.angles.neck_angle_deg, from, to) else {
            return Verdict::NotAssessable("head not seen during the pull".into());
        };
        if ext <= cfg.max_extension_deg {
            return Verdict::Fine;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            ext,
            cfg.max_extension_deg,
            "deg",
            (from.min(peak), to.max(peak)),
            confidence,
            "Neck cranked up: keep the head in line with the back, eyes on the floor a few metres ahead.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn looking_up(neck_deg: f64) -> Vec<Key> {
        let mut k = clean();
        for key in &mut k {
            key.neck_deg = neck_deg;
        }
        k
    }

    fn run(keys: &[Key]) -> Verdict {
        assess_first_rep(&NeckHyperextension, keys, None).1
    }

    #[test]
    fn neutral_head_is_fine() {
        assert_eq!(run(&clean()), Verdict::Fine);
    }

    #[test]
    fn head_cranked_up_is_found() {
        let Verdict::Found(f) = run(&looking_up(70.0)) else {
            panic!("70° of neck extension")
        };
        assert!(f.value > 45.0, "{f:?}");
        assert_eq!(f.threshold, 45.0);
    }
}
