//! `incomplete_lockout`: the rep ends without standing tall.
//!
//! Definition: over the lockout (lockout frame to the start of the descent) the largest hip
//! angle stays under `lockout.min_hip_angle_deg` or the largest knee angle under
//! `lockout.min_knee_angle_deg` (180 = straight). `value` is the angle that falls short most.
//!
//! Source: coaching texts (the lockout is hips and knees fully extended, glutes squeezed).
//!
//! Config: `lockout.min_hip_angle_deg`, `lockout.min_knee_angle_deg`, `lockout.min_confidence`.

use super::{finding, lockout_end, max_in, visibility, Fault, FaultInput, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;

pub struct IncompleteLockout;

impl Fault for IncompleteLockout {
    fn kind(&self) -> &'static str {
        "incomplete_lockout"
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.lockout;
        let k = input.kinematics;
        let (Some(from), Some(to)) = (rep.lockout_frame, lockout_end(k, rep)) else {
            return Verdict::NotAssessable("the clip does not show the lockout".into());
        };
        let confidence = visibility(k, &[Joint::Shoulder, Joint::Hip, Joint::Knee], from, to);
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let hip = max_in(&k.angles.hip_angle_deg, from, to).map(|x| x.1);
        let knee = max_in(&k.angles.knee_angle_deg, from, to).map(|x| x.1);
        let short = [
            hip.map(|h| (cfg.min_hip_angle_deg - h, h, cfg.min_hip_angle_deg)),
            knee.map(|kn| (cfg.min_knee_angle_deg - kn, kn, cfg.min_knee_angle_deg)),
        ]
        .into_iter()
        .flatten()
        .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((deficit, value, threshold)) = short else {
            return Verdict::NotAssessable("hip and knee angles unknown at lockout".into());
        };
        if deficit <= 0.0 {
            return Verdict::Fine;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            value,
            threshold,
            "deg",
            (from, to),
            confidence,
            "Finish the rep: stand tall with hips and knees locked, glutes squeezed.",
        ))
    }
}
