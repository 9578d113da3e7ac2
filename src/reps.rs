//! Reps and phases: set-up, lift-off, bar at knee, lockout, descent, bar back on the floor.
//! Found from the vertical position of the bar (or the wrists) and the hips.

use serde::{Deserialize, Serialize};

use crate::bar::{BarTrack, RepBarMetrics};
use crate::config::Config;
use crate::kinematics::Kinematics;

/// Angles at one key moment of a rep (degrees, `None` = unknown).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct KeyAngles {
    pub trunk_angle_deg: Option<f64>,
    pub hip_angle_deg: Option<f64>,
    pub knee_angle_deg: Option<f64>,
    pub shin_angle_deg: Option<f64>,
}

/// One rep. Frames are `None` where that phase is not in the clip (partial reps).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Rep {
    pub index: usize,
    pub start_frame: Option<usize>,
    pub liftoff_frame: Option<usize>,
    pub knee_frame: Option<usize>,
    pub lockout_frame: Option<usize>,
    pub end_frame: Option<usize>,
    pub concentric_s: Option<f64>,
    pub eccentric_s: Option<f64>,
    pub setup: KeyAngles,
    pub liftoff: KeyAngles,
    pub knee: KeyAngles,
    pub lockout: KeyAngles,
    /// Bar path and speed for this rep.
    pub bar: RepBarMetrics,
}

/// Finds every rep (and partial rep) in the clip.
pub fn find_reps(_kinematics: &Kinematics, _bar: &BarTrack, _config: &Config) -> Vec<Rep> {
    Vec::new()
}
