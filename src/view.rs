//! The view check: is the camera side-on enough to judge the lift? Front, rear and strongly
//! oblique views make every fault "not assessable".
//!
//! Seen from the side, the left and right shoulders (and hips) nearly coincide in the image;
//! seen from the front or back they sit a shoulder (hip) width apart, ~0.6–0.8 of the torso
//! length. We take the median over the clip of each separation divided by the torso length
//! (hip→shoulder midpoints), so a few frames with a left/right mix-up do not decide. A lifter
//! who is very small in the frame is not judged either: the keypoints and the back contour are
//! then a few pixels wide, and the far-away oblique clips cannot be told from side views.

use crate::analyze::{PoseFrame, ViewVerdict};
use crate::config::Config;
use crate::pose::idx::*;

/// Per-clip numbers behind the verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewMeasures {
    pub shoulder_separation_ratio: f64,
    pub hip_separation_ratio: f64,
    /// Median torso length over the frame height.
    pub torso_frame_fraction: f64,
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
    Some(ViewMeasures {
        shoulder_separation_ratio: median(sh)?,
        hip_separation_ratio: median(hip)?,
        torso_frame_fraction: median(torso)? / frame_height_px.max(1.0),
        person_fraction: found as f64 / poses.len().max(1) as f64,
    })
}

/// Decides once per clip whether it is a side view.
pub fn check_view(poses: &[PoseFrame], frame_height_px: f64, config: &Config) -> ViewVerdict {
    let cfg = &config.view;
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
    if m.torso_frame_fraction < cfg.min_torso_frame_fraction {
        return no(format!(
            "the lifter is too small in the frame to judge the view and the back (torso {:.0}% of the frame height, needs {:.0}%)",
            m.torso_frame_fraction * 100.0,
            cfg.min_torso_frame_fraction * 100.0
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
