//! `hips_too_low_at_setup`: squatting the deadlift: the hips start at or below knee height.
//!
//! Definition: at the set-up (lowest hips before lift-off; the median over 0.2 s around it) the
//! hip height, as a fraction of the way from knee height to shoulder height, is under
//! `setup.min_hip_height_fraction`.
//! Relative heights of the lifter's own joints, so camera distance and body size cancel.
//!
//! Source: coaching texts (Starting Strength's set-up: hips between knees and shoulders,
//! shoulders just in front of the bar, bar over mid-foot).
//!
//! Config: `setup.min_hip_height_fraction`, `setup.min_confidence`.

use super::{confidence, finding, Fault, FaultInput, Verdict};
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;

pub struct HipsTooLow;

/// Hip height between knee (0) and shoulder (1) at `frame`.
pub fn hip_height_fraction(k: &Kinematics, frame: usize) -> Option<f64> {
    let y = |j: Joint| k.at(j, frame).map(|p| p.1);
    let (knee, hip, sh) = (y(Joint::Knee)?, y(Joint::Hip)?, y(Joint::Shoulder)?);
    if (knee - sh).abs() < 1.0 {
        return None;
    }
    Some((knee - hip) / (knee - sh))
}

/// Shared by the two set-up hip faults: the fraction and the confidence, or why not.
pub fn measure(input: &FaultInput, rep: &Rep) -> Result<(usize, f64, f64), Box<Verdict>> {
    let k = input.kinematics;
    let Some(s) = rep.start_frame else {
        return Err(Box::new(Verdict::NotAssessable(
            "the clip does not show the set-up".into(),
        )));
    };
    let confidence = confidence(k, &[Joint::Shoulder, Joint::Hip, Joint::Knee], s, s);
    if let Some(v) = super::low_confidence(confidence, input.config.setup.min_confidence) {
        return Err(Box::new(v));
    }
    // one frame's knee keypoint moves by several pixels: the median over 0.2 s around it
    match super::median_around(k, s, super::setup_half_frames(k), |i| {
        hip_height_fraction(k, i)
    }) {
        Some(f) => Ok((s, f, confidence)),
        None => Err(Box::new(Verdict::NotAssessable(
            "hips, knees or shoulders unknown at set-up".into(),
        ))),
    }
}

impl Fault for HipsTooLow {
    fn kind(&self) -> &'static str {
        "hips_too_low_at_setup"
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let min = input.config.setup.min_hip_height_fraction;
        match measure(input, rep) {
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
