//! `hips_shoot_up`: the hips rise while the shoulders and the bar lag ("stripper pull").
//!
//! Definition: the trunk angle (hip→shoulder line from vertical, + forward) increases, i.e.
//! the trunk tips forward, by more than the threshold either between the set-up and lift-off
//! (hips rising before the bar leaves the floor) or between lift-off and the bar at the knee;
//! or, from lift-off to knee, the hips rise more than `max_hip_to_shoulder_rise_ratio` times
//! as much as the shoulders. Both compare the lifter with their own set-up, so the fixed
//! offset of pose keypoints from joint centres cancels.
//!
//! Source: coaching texts ("chest and hips rise at the same rate"; the trunk angle holds from
//! the floor to the knee, then the hips drive through).
//!
//! Config: `hips_shoot_up.max_trunk_increase_deg`, `hips_shoot_up.max_hip_to_shoulder_rise_ratio`,
//! `hips_shoot_up.min_confidence`.

use super::{at, finding, max_in, visibility, Fault, FaultInput, Verdict};
use crate::kinematics::Joint;
use crate::reps::{torso_px, Rep};

pub struct HipsShootUp;

const CUE: &str = "Hips rise before the chest: push the floor away with the legs and lift chest and hips together.";

impl Fault for HipsShootUp {
    fn kind(&self) -> &'static str {
        "hips_shoot_up"
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.hips_shoot_up;
        let k = input.kinematics;
        let trunk = &k.angles.trunk_angle_deg;
        let Some(liftoff) = rep.liftoff_frame else {
            return Verdict::NotAssessable(
                "the clip does not show the bar leaving the floor".into(),
            );
        };
        let from = rep.start_frame.unwrap_or(liftoff);
        let to = rep.knee_frame.unwrap_or(liftoff);
        if to == from {
            return Verdict::NotAssessable(
                "neither the set-up nor the bar at knee is in the clip".into(),
            );
        }
        let confidence = visibility(k, &[Joint::Shoulder, Joint::Hip], from, to);
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        // before lift-off: from the set-up to the most tipped frame up to lift-off
        let before = rep.start_frame.and_then(|s| {
            let (peak, t) = max_in(trunk, s, liftoff)?;
            Some((t - at(trunk, s)?, s, peak))
        });
        // lift-off to knee
        let after = rep.knee_frame.and_then(|kf| {
            let (peak, t) = max_in(trunk, liftoff, kf)?;
            Some((t - at(trunk, liftoff)?, liftoff, peak))
        });
        let worst = [before, after]
            .into_iter()
            .flatten()
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((inc, a, b)) = worst {
            if inc > cfg.max_trunk_increase_deg {
                return Verdict::Found(finding(
                    self.kind(),
                    rep,
                    inc,
                    cfg.max_trunk_increase_deg,
                    "deg",
                    (a, b),
                    confidence,
                    CUE,
                ));
            }
        }
        // second signal: hip rise over shoulder rise from lift-off to knee
        if let (Some(kf), Some(torso)) = (rep.knee_frame, torso_px(k)) {
            let rise = |j: Joint| Some(k.at(j, liftoff)?.1 - k.at(j, kf)?.1);
            if let (Some(hip), Some(sh)) = (rise(Joint::Hip), rise(Joint::Shoulder)) {
                // a ratio of small rises is noise: needs a real hip rise
                if hip > 0.1 * torso {
                    let ratio = hip / sh.max(0.02 * torso);
                    if ratio > cfg.max_hip_to_shoulder_rise_ratio {
                        return Verdict::Found(finding(
                            self.kind(),
                            rep,
                            ratio,
                            cfg.max_hip_to_shoulder_rise_ratio,
                            "ratio",
                            (liftoff, kf),
                            confidence,
                            CUE,
                        ));
                    }
                }
            }
        }
        if worst.is_none() {
            return Verdict::NotAssessable("no trunk angle around lift-off".into());
        }
        Verdict::Fine
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::testkit::*;

    fn run(keys: &[Key]) -> (Vec<Rep>, Verdict) {
        assess_first_rep(&HipsShootUp, keys, None)
    }

    #[test]
    fn clean_pull_is_fine() {
        assert_eq!(run(&clean()).1, Verdict::Fine);
    }

    #[test]
    fn hips_rising_before_the_bar_leaves_the_floor_are_found() {
        let (reps, v) = run(&hips_first());
        let Verdict::Found(f) = v else {
            panic!("{v:?}")
        };
        assert!(f.value > 12.0, "{f:?}");
        // the window ends at or before lift-off: the fault is in the set-up phase
        assert!(
            f.end_frame <= reps[0].liftoff_frame.unwrap() + 1,
            "{f:?} {:?}",
            reps[0]
        );
    }
}
