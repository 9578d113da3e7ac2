//! The view check: is the camera side-on enough to judge the lift? Front, rear and strongly
//! oblique views make every fault "not assessable".
//!
//! Seen from the side, the left and right shoulders (and hips) nearly coincide in the image;
//! seen from the front or back they sit a shoulder (hip) width apart, ~0.6–0.8 of the torso
//! length. We take the median over the clip of each separation divided by the torso length
//! (hip→shoulder midpoints), so a few frames with a left/right mix-up do not decide. A lifter
//! who is very small in the frame is not judged either: the keypoints and the back contour are
//! then a few pixels wide, and the far-away oblique clips cannot be told from side views.

use serde::{Deserialize, Serialize};

use crate::kinematics::Kinematics;
use crate::pose::idx::*;
use crate::pose::PoseFrame;
use crate::reps::Rep;

/// The view verdict for a clip: judged only when `side_view`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ViewVerdict {
    pub side_view: bool,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ViewConfig {
    /// Shoulder (or hip) left-right separation over torso length above which the view is not a side view.
    pub max_shoulder_separation_ratio: f64,
    pub max_hip_separation_ratio: f64,
    /// Fraction of frames that must have a person for any analysis.
    pub min_person_fraction: f64,
    /// Median torso length in pixels under which the lifter is too small to judge.
    pub min_torso_px: f64,
}

impl Default for ViewConfig {
    fn default() -> Self {
        ViewConfig {
            max_shoulder_separation_ratio: 0.55,
            max_hip_separation_ratio: 0.28,
            min_person_fraction: 0.3,
            min_torso_px: 30.0,
        }
    }
}

/// Per-clip numbers behind the verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewMeasures {
    pub shoulder_separation_ratio: f64,
    pub hip_separation_ratio: f64,
    /// Median torso length over the frame height.
    pub torso_frame_fraction: f64,
    /// Median torso length, px.
    pub torso_px: f64,
    pub person_fraction: f64,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    Some(crate::kinematics::filters::median_of(&mut v))
}

/// Measures the view from the raw landmarks.
pub fn measure(poses: &[PoseFrame], frame_height_px: f64) -> Option<ViewMeasures> {
    let dist =
        |a: (f32, f32), b: (f32, f32)| (((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)) as f64).sqrt();
    let mut sh = Vec::new();
    let mut hip = Vec::new();
    let mut torso = Vec::new();
    for l in poses.iter().filter_map(|p| p.landmarks.as_ref()) {
        let p = |i: usize| (l[i].x_px, l[i].y_px);
        let mid =
            |a: usize, b: usize| ((l[a].x_px + l[b].x_px) / 2.0, (l[a].y_px + l[b].y_px) / 2.0);
        let t = dist(mid(L_SHOULDER, R_SHOULDER), mid(L_HIP, R_HIP));
        if t < 4.0 {
            continue;
        }
        sh.push(dist(p(L_SHOULDER), p(R_SHOULDER)) / t);
        hip.push(dist(p(L_HIP), p(R_HIP)) / t);
        torso.push(t);
    }
    let found = poses.iter().filter(|p| p.landmarks.is_some()).count();
    let torso_px = median(torso)?;
    Some(ViewMeasures {
        shoulder_separation_ratio: median(sh)?,
        hip_separation_ratio: median(hip)?,
        torso_frame_fraction: torso_px / frame_height_px.max(1.0),
        torso_px,
        // of the frames the model looked at (see `pose.analysis_fps`)
        person_fraction: found as f64 / poses.iter().filter(|p| p.model_ran).count().max(1) as f64,
    })
}

/// Decides once per clip whether it is a side view; the reason says so when a person was
/// seen but no rep was found.
pub fn check_view(
    poses: &[PoseFrame],
    frame_height_px: f64,
    kinematics: &Kinematics,
    reps: &[Rep],
    cfg: &ViewConfig,
) -> ViewVerdict {
    let mut verdict = side_view_verdict(poses, frame_height_px, cfg);
    let person_found = poses.iter().any(|p| p.landmarks.is_some());
    if person_found && !kinematics.feet_in_picture {
        verdict.reason.push_str(
            "; the feet are never seen (out of the picture or hidden), so the knees and the hip angle cannot be measured: film the whole body",
        );
    }
    if person_found && reps.is_empty() {
        verdict.reason.push_str("; no deadlift rep found");
    }
    verdict
}

fn side_view_verdict(poses: &[PoseFrame], frame_height_px: f64, cfg: &ViewConfig) -> ViewVerdict {
    let Some(m) = measure(poses, frame_height_px) else {
        return ViewVerdict {
            side_view: false,
            reason: "no person found".into(),
        };
    };
    let no = |reason: String| ViewVerdict {
        side_view: false,
        reason,
    };
    if m.person_fraction < cfg.min_person_fraction {
        return no(format!(
            "a person is found in only {:.0}% of the frames (needs {:.0}%)",
            m.person_fraction * 100.0,
            cfg.min_person_fraction * 100.0
        ));
    }
    if m.shoulder_separation_ratio > cfg.max_shoulder_separation_ratio
        || m.hip_separation_ratio > cfg.max_hip_separation_ratio
    {
        return no(format!(
            "not a side view (front, rear or oblique): left/right shoulders {:.2} and hips {:.2} torso lengths apart (side view: under {:.2} and {:.2})",
            m.shoulder_separation_ratio,
            m.hip_separation_ratio,
            cfg.max_shoulder_separation_ratio,
            cfg.max_hip_separation_ratio
        ));
    }
    if m.torso_px < cfg.min_torso_px {
        return no(format!(
            "the lifter is too small in the picture to judge (torso {:.0} px, needs {:.0} px: film closer or in a higher resolution)",
            m.torso_px, cfg.min_torso_px
        ));
    }
    ViewVerdict {
        side_view: true,
        reason: format!(
            "side view: left/right shoulders {:.2} and hips {:.2} torso lengths apart",
            m.shoulder_separation_ratio, m.hip_separation_ratio
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::pose::{Landmark, NUM_LANDMARKS};

    /// A standing person; `half_width_px` apart left/right at shoulders and hips.
    fn frame(i: usize, half_width_px: f32) -> PoseFrame {
        let mut l = [Landmark::default(); NUM_LANDMARKS];
        let mut put = |idx: usize, x: f32, y: f32| {
            l[idx] = Landmark {
                x_px: x,
                y_px: y,
                z: 0.0,
                visibility: 0.9,
                presence: 1.0,
            }
        };
        put(L_SHOULDER, 300.0 - half_width_px, 100.0);
        put(R_SHOULDER, 300.0 + half_width_px, 100.0);
        put(L_HIP, 300.0 - half_width_px * 0.7, 220.0);
        put(R_HIP, 300.0 + half_width_px * 0.7, 220.0);
        PoseFrame {
            index: i,
            time_s: i as f64 / 30.0,
            landmarks: Some(l),
            pose_score: 0.9,
            detector_ran: false,
            back: None,
            model_ran: true,
        }
    }

    #[test]
    fn side_view_passes_and_front_view_does_not() {
        let config = Config::default();
        let side: Vec<_> = (0..30).map(|i| frame(i, 4.0)).collect();
        assert!(side_view_verdict(&side, 720.0, &config.view).side_view);
        // a front view: shoulders ~0.8 torso lengths apart
        let front: Vec<_> = (0..30).map(|i| frame(i, 48.0)).collect();
        let v = side_view_verdict(&front, 720.0, &config.view);
        assert!(
            !v.side_view && v.reason.contains("not a side view"),
            "{v:?}"
        );
    }

    #[test]
    fn a_tiny_lifter_is_not_judged() {
        let config = Config::default();
        let side: Vec<_> = (0..30).map(|i| frame(i, 4.0)).collect();
        // the same lifter at a fifth of the size: a 24 px torso
        let tiny: Vec<_> = side
            .iter()
            .map(|p| {
                let mut p = p.clone();
                for l in p.landmarks.as_mut().unwrap().iter_mut() {
                    l.x_px *= 0.2;
                    l.y_px *= 0.2;
                }
                p
            })
            .collect();
        let v = side_view_verdict(&tiny, 2000.0, &config.view);
        assert!(!v.side_view && v.reason.contains("too small"), "{v:?}");
    }

    #[test]
    fn nobody_is_no_person() {
        let config = Config::default();
        let empty: Vec<_> = (0..10)
            .map(|i| PoseFrame {
                landmarks: None,
                ..frame(i, 0.0)
            })
            .collect();
        assert_eq!(
            check_view(
                &empty,
                720.0,
                &Kinematics::from_tracks(
                    30.0,
                    crate::kinematics::Side::Left,
                    crate::kinematics::Facing::Right,
                    vec![]
                ),
                &[],
                &config.view
            )
            .reason,
            "no person found"
        );
    }
}
