//! The kinematics stage's settings: the filters (`[filter]`) and the pose reliability checks
//! (`[reliability]`, see [`super::reliability`]).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FilterConfig {
    pub min_visibility: f32,
    pub hampel_window_frames: usize,
    pub hampel_n_sigma: f64,
    pub max_gap_s: f64,
    pub butterworth_cutoff_hz: f64,
    pub butterworth_order: usize,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            min_visibility: 0.3,
            hampel_window_frames: 7,
            hampel_n_sigma: 3.0,
            max_gap_s: 0.2,
            butterworth_cutoff_hz: 6.0,
            butterworth_order: 4,
        }
    }
}

/// Per-frame pose reliability (see [`super::reliability`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReliabilityConfig {
    /// A frame scoring under this (0–1) is a gap for the angles, reps and faults.
    pub min_score: f64,
    /// A bone within this fraction of its clip median length scores 1...
    pub segment_tolerance: f64,
    /// ...and at this fraction off, 0 (arms get 1.5x both: the plate hides the hands).
    pub segment_limit: f64,
    /// Fastest plausible joint speed, torso lengths per second (score 0 at twice this).
    pub max_joint_speed_torso_per_s: f64,
    /// Largest plausible change of joint speed, torso lengths per s² (score 0 at twice this).
    pub max_joint_accel_torso_per_s2: f64,
    /// Keypoint jitter allowed before speed and acceleration count, px.
    pub jitter_px: f64,
    /// Mean near-side visibility (shoulder, hip, knee, ankle) scoring 0, and 1.
    pub visibility_zero: f64,
    pub visibility_full: f64,
    /// Torso length in pixels scoring 0, and 1 (the model sees too little below it).
    pub torso_px_zero: f64,
    pub torso_px_full: f64,
    /// The near ankle must lie below the near hip (feet on the floor, hips above them in every
    /// posture of a deadlift): level with it or above scores 0, this fraction of the leg
    /// (the clip's median thigh plus shin) below it 1.
    pub min_ankle_below_hip_leg: f64,
    /// A fault is not judged on a rep when fewer than this fraction of the frames it reads
    /// there are reliable.
    pub min_reliable_rep_fraction: f64,
}

impl Default for ReliabilityConfig {
    fn default() -> Self {
        ReliabilityConfig {
            min_score: 0.5,
            segment_tolerance: 0.25,
            segment_limit: 0.6,
            max_joint_speed_torso_per_s: 8.0,
            max_joint_accel_torso_per_s2: 150.0,
            jitter_px: 3.0,
            visibility_zero: 0.2,
            visibility_full: 0.5,
            torso_px_zero: 12.0,
            torso_px_full: 30.0,
            min_ankle_below_hip_leg: 0.1,
            min_reliable_rep_fraction: 0.6,
        }
    }
}
