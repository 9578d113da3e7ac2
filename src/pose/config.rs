//! The pose stage's settings (`[pose]` in `formcheck.toml`): which model, its score limits,
//! threads, and when the model and its mask head run.

use serde::{Deserialize, Serialize};

/// Which landmark model to run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Full,
    Lite,
}

impl ModelKind {
    pub fn file_name(self) -> &'static str {
        match self {
            ModelKind::Full => "pose_landmark_full.onnx",
            ModelKind::Lite => "pose_landmark_lite.onnx",
        }
    }

    /// The same model without its person-mask head (`models/strip_mask.py`): half the cost
    /// of a run, for the frames whose mask is not needed. The lite model has none.
    pub fn no_mask_file_name(self) -> Option<&'static str> {
        match self {
            ModelKind::Full => Some("pose_landmark_full_nomask.onnx"),
            ModelKind::Lite => None,
        }
    }
}

impl std::str::FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "full" => Ok(ModelKind::Full),
            "lite" => Ok(ModelKind::Lite),
            _ => Err(format!("unknown model {s:?} (full or lite)")),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PoseConfig {
    pub model: ModelKind,
    pub min_detection_score: f32,
    pub min_pose_score: f32,
    /// Threads for the model per video; 0 = cores / jobs.
    pub threads: usize,
    /// BlazePose's hip landmark sits in front of the hip joint centre in side view; the hip
    /// is moved back by this fraction of the clip's median shoulder–hip length.
    pub hip_forward_offset_torso_fraction: f64,
    /// Frames per second the model runs at while the lifter is still (see
    /// [`crate::pose::schedule`]); the frames between are filled in from their neighbours.
    /// 0 = every frame.
    pub analysis_fps: f64,
    /// Trunk speed (torso lengths per second) under which the lifter counts as still and the
    /// model may run at `analysis_fps`; faster, it runs on every frame.
    pub still_speed_torso_per_s: f64,
    /// Frames per second that also get the person mask (the back contour); the other model
    /// runs use the model without its mask head, half the cost. 0 = every model frame.
    pub mask_fps: f64,
    /// The tracked hip keypoint trails the real hip by about this many frames (the crop is
    /// centred on the previous frame's hip); the hip is moved ahead by its velocity times this.
    pub hip_tracking_lag_frames: f64,
}

impl Default for PoseConfig {
    fn default() -> Self {
        PoseConfig {
            model: ModelKind::Full,
            min_detection_score: 0.85,
            min_pose_score: 0.5,
            threads: 0,
            hip_forward_offset_torso_fraction: 0.10,
            analysis_fps: 10.0,
            still_speed_torso_per_s: 0.25,
            mask_fps: 10.0,
            hip_tracking_lag_frames: 1.0,
        }
    }
}

impl PoseConfig {
    /// Run the model on every `n`th frame so that it runs at about `analysis_fps`.
    pub fn model_stride(&self, video_fps: f64) -> usize {
        stride_for(self.analysis_fps, video_fps)
    }

    /// Compute the person mask on every `n`th frame so that it comes at about `mask_fps`.
    pub fn mask_stride(&self, video_fps: f64) -> usize {
        stride_for(self.mask_fps, video_fps)
    }
}

/// Every `n`th frame of a `video_fps` video gives about `target_fps` (0 = every frame).
fn stride_for(target_fps: f64, video_fps: f64) -> usize {
    if target_fps <= 0.0 || !video_fps.is_finite() {
        return 1;
    }
    ((video_fps / target_fps).round() as usize).clamp(1, 8)
}
