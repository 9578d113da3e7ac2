//! The reps stage's settings (`[reps]`): how far and how long a rep is, what its top must
//! look like, and the figures no deadlift can show.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RepsConfig {
    /// Minimum bar (or wrist) travel for a rep, as a fraction of the lifter's torso length.
    pub min_travel_torso_fraction: f64,
    /// Bar within this fraction of the rep's travel from the floor (top) counts as on the
    /// floor (at the top): sets lift-off, lockout, descent and end.
    pub phase_band_fraction: f64,
    /// The set-up is looked for this long before lift-off (lowest hips with the bar down).
    pub setup_window_s: f64,
    /// At the top the bar may be at most this far (torso fraction) above the hips (arms hang).
    pub max_bar_above_hip_torso_fraction: f64,
    /// The hips must rise at least this much (torso fraction) from the floor to the top...
    pub min_hip_rise_torso_fraction: f64,
    /// ...or the trunk must come up at least this much (deg) towards vertical.
    pub min_trunk_rise_deg: f64,
    /// The pull (lowest point to top) lasts between these (s): shorter is a jump in the
    /// keypoints, longer is not one lift.
    pub min_pull_s: f64,
    pub max_pull_s: f64,
    /// At the top, the hips and knees open at least this far (deg) where they are known.
    pub min_top_hip_deg: f64,
    pub min_top_knee_deg: f64,
    /// Per-rep figures beyond these are implausible (see `reps::implausible_figures`).
    pub max_concentric_velocity_m_per_s: f64,
    pub max_range_height_fraction: f64,
    /// ...and the bar further ahead of or behind mid-foot than this share of the lifter's
    /// height: a loaded bar that far from the feet cannot be balanced.
    pub max_bar_from_midfoot_height_fraction: f64,
}

impl Default for RepsConfig {
    fn default() -> Self {
        RepsConfig {
            min_travel_torso_fraction: 0.5,
            phase_band_fraction: 0.05,
            setup_window_s: 1.5,
            max_bar_above_hip_torso_fraction: 0.5,
            min_hip_rise_torso_fraction: 0.05,
            min_trunk_rise_deg: 20.0,
            min_pull_s: 0.3,
            max_pull_s: 30.0,
            min_top_hip_deg: 135.0,
            min_top_knee_deg: 135.0,
            max_concentric_velocity_m_per_s: 2.5,
            max_range_height_fraction: 0.6,
            max_bar_from_midfoot_height_fraction: 0.25,
        }
    }
}
