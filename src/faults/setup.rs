//! Set-up measurements shared by the set-up faults: the hip height between knees and
//! shoulders, and the span a set-up figure is the median of.

use super::{confidence, low_confidence, median_around, FaultInput, Verdict};
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;

/// Half the span (frames) a set-up figure is the median of: 0.1 s either side.
pub fn setup_half_frames(k: &Kinematics) -> usize {
    ((0.1 * k.fps).round() as usize).max(1)
}

/// The frames a set-up figure reads: the median span around the rep's set-up frame.
pub fn setup_frames(k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
    let s = rep.start_frame?;
    let h = setup_half_frames(k);
    Some((s.saturating_sub(h), s + h, "this rep's set-up"))
}

/// Hip height between knee (0) and shoulder (1) at `frame`.
pub fn hip_height_fraction(k: &Kinematics, frame: usize) -> Option<f64> {
    let y = |j: Joint| k.at(j, frame).map(|p| p.1);
    let (knee, hip, sh) = (y(Joint::Knee)?, y(Joint::Hip)?, y(Joint::Shoulder)?);
    if (knee - sh).abs() < 1.0 {
        return None;
    }
    Some((knee - hip) / (knee - sh))
}

/// Shared by the two set-up hip faults: the set-up frame, the hip height fraction and the
/// confidence, or why it cannot be judged.
pub fn hip_height_at_setup(
    input: &FaultInput,
    rep: &Rep,
    min_confidence: f64,
) -> Result<(usize, f64, f64), Box<Verdict>> {
    let k = input.kinematics;
    let Some(s) = rep.start_frame else {
        return Err(Box::new(Verdict::NotAssessable(
            "the clip does not show the set-up".into(),
        )));
    };
    let confidence = confidence(k, &[Joint::Shoulder, Joint::Hip, Joint::Knee], s, s);
    if let Some(v) = low_confidence(confidence, min_confidence) {
        return Err(Box::new(v));
    }
    // one frame's knee keypoint moves by several pixels: the median over 0.2 s around it
    match median_around(k, s, setup_half_frames(k), |i| hip_height_fraction(k, i)) {
        Some(f) => Ok((s, f, confidence)),
        None => Err(Box::new(Verdict::NotAssessable(
            "hips, knees or shoulders unknown at set-up".into(),
        ))),
    }
}
