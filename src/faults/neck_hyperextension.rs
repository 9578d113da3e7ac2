//! `neck_hyperextension`: looking up (cranking the neck back) during the set-up and the pull.
//!
//! Definition: the shoulder→ear line against the trunk line (`neck_angle_deg`, + head
//! extended) exceeds `neck.max_extension_deg` between the set-up and the bar at the knee.
//!
//! Source: coaching texts (neutral neck, eyes on the floor a few metres ahead; looking up
//! hyperextends the cervical spine under load).
//!
//! Config: `neck.max_extension_deg`, `neck.min_confidence`.

use super::{confidence, finding, max_in, Fault, FaultInput, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;

pub struct NeckHyperextension;

impl Fault for NeckHyperextension {
    fn kind(&self) -> &'static str {
        "neck_hyperextension"
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.neck;
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
