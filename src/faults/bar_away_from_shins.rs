//! `bar_away_from_shins`: at the set-up the bar sits out in front of the shins.
//!
//! Definition: at the set-up, the horizontal distance (cm, + in front) from the shin line
//! (ankle→knee keypoints, read at the bar's height) to the bar exceeds
//! `setup.max_bar_from_shin_cm`. The keypoints sit at the joint centres, ~4–5 cm behind the
//! front of the shin, so a bar touching the shin reads ~5 cm.
//!
//! Source: coaching texts ("bar over mid-foot, shins touching the bar" before the pull).
//!
//! Config: `setup.max_bar_from_shin_cm`, `setup.min_confidence`.

use super::{confidence, finding, Fault, FaultInput, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;

pub struct BarAwayFromShins;

impl Fault for BarAwayFromShins {
    fn kind(&self) -> &'static str {
        "bar_away_from_shins"
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.setup;
        let k = input.kinematics;
        let Some(s) = rep.start_frame else {
            return Verdict::NotAssessable("the clip does not show the set-up".into());
        };
        let bar = input.bar;
        // bar ahead of the shin line (px, + = forward) in one frame
        let ahead_px = |i: usize| -> Option<f64> {
            let b = bar.samples.get(i)?;
            let (bx, by) = (b.x_px?, b.y_px?);
            let (knee, ankle) = (k.at(Joint::Knee, i)?, k.at(Joint::Ankle, i)?);
            let dy = ankle.1 - knee.1;
            let shin_x = if dy.abs() < 1.0 {
                knee.0
            } else {
                knee.0 + (ankle.0 - knee.0) * ((by - knee.1) / dy).clamp(0.0, 1.0)
            };
            Some(k.facing.sign() * (bx - shin_x))
        };
        if ahead_px(s).is_none() {
            return Verdict::NotAssessable("bar, knee or ankle unknown at the set-up".into());
        }
        // plates hide the ankles at the set-up: their visibility decides
        let confidence =
            confidence(k, &[Joint::Knee, Joint::Ankle, Joint::Wrist], s, s) * bar.scale.confidence;
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        // one frame's knee and ankle keypoints move by several pixels: the median over 0.2 s
        let Some(ahead) = super::median_around(k, s, super::setup_half_frames(k), ahead_px) else {
            return Verdict::NotAssessable("bar, knee or ankle unknown at the set-up".into());
        };
        let cm = ahead * bar.scale.cm_per_px;
        if cm <= cfg.max_bar_from_shin_cm {
            return Verdict::Fine;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            cm,
            cfg.max_bar_from_shin_cm,
            "cm",
            (s, s),
            confidence,
            "Bar too far from the shins: start with the bar over mid-foot, shins touching it.",
        ))
    }
}
