//! The view check: is the camera side-on enough to judge the lift? Front, rear and strongly
//! oblique views make every fault "not assessable".

use crate::analyze::{PoseFrame, ViewVerdict};
use crate::config::Config;

/// Decides once per clip whether it is a side view.
pub fn check_view(poses: &[PoseFrame], _config: &Config) -> ViewVerdict {
    if poses.iter().all(|p| p.landmarks.is_none()) {
        return ViewVerdict {
            side_view: false,
            reason: "no person found".into(),
        };
    }
    ViewVerdict {
        side_view: true,
        reason: "not yet checked".into(),
    }
}
