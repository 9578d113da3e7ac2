//! Configuration: every threshold, filter setting and the model choice, read from
//! `formcheck.toml` (or `--config PATH`). Defaults live here and in the shipped
//! `formcheck.toml`, which documents the source of each one. Unknown keys and wrong types are
//! errors, never silently ignored.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pose::tracker::ModelKind;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub pose: PoseConfig,
    pub filter: FilterConfig,
    pub reliability: ReliabilityConfig,
    pub view: ViewConfig,
    pub reps: RepsConfig,
    pub bar: BarConfig,
    pub thoracic_rounding: ThoracicRoundingConfig,
    pub hips_shoot_up: HipsShootUpConfig,
    pub lockout_hyperextension: LockoutHyperextensionConfig,
    pub bar_drift: BarDriftConfig,
    pub setup: SetupConfig,
    pub neck: NeckConfig,
    pub jerk: JerkConfig,
    pub lockout: LockoutConfig,
    pub output: OutputConfig,
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

/// Per-frame pose reliability (see [`crate::kinematics::reliability`]).
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
    /// A rep with fewer reliable frames than this fraction is not judged.
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
            min_reliable_rep_fraction: 0.6,
        }
    }
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BarConfig {
    pub plate_diameter_cm: f64,
    /// Plate minor/major axis ratio under which the camera is too far off the side.
    pub min_plate_axis_ratio: f64,
    /// Fallback scale: the lifter's shoulder-to-ankle length in cm when no plate is found.
    pub fallback_shoulder_to_ankle_cm: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ThoracicRoundingConfig {
    /// Flag: the bent-over curve exceeds the lifter's own standing curve by more than this.
    pub max_increase_deg: f64,
    /// Second signal: the bent-over curve itself (0 = a straight back line) exceeds this.
    pub max_curve_deg: f64,
    pub min_confidence: f64,
    /// Fraction of the bent-over frames whose back contour must be traced.
    pub min_traced_fraction: f64,
    /// Frames count as bent over (judged) above this trunk angle.
    pub min_bent_trunk_deg: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HipsShootUpConfig {
    pub max_trunk_increase_deg: f64,
    pub max_hip_to_shoulder_rise_ratio: f64,
    pub min_confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutHyperextensionConfig {
    pub max_lean_back_deg: f64,
    pub max_shoulder_behind_bar_cm: f64,
    pub min_confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BarDriftConfig {
    pub max_forward_cm: f64,
    pub min_confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SetupConfig {
    /// Hip height at set-up as a fraction of knee (0) to shoulder (1) height.
    pub min_hip_height_fraction: f64,
    pub max_hip_height_fraction: f64,
    pub max_bar_from_shin_cm: f64,
    pub min_confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NeckConfig {
    pub max_extension_deg: f64,
    pub min_confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct JerkConfig {
    pub max_liftoff_accel_m_per_s2: f64,
    pub min_confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutConfig {
    pub min_hip_angle_deg: f64,
    pub min_knee_angle_deg: f64,
    pub min_confidence: f64,
}

/// What is written besides the analysis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// `annotated.mp4` is scaled down so its short side is at most this (px); 0 = the video's
    /// own size.
    pub annotated_max_short_side_px: u32,
    /// Write `annotated.mp4` and the fault thumbnails (a second decode, the drawing and an
    /// encode: about a third of a run). `--no-video` sets it to false.
    pub annotated_video: bool,
    /// Write one short H.264 clip per rep (`clips/rep2_rounded_upper_back.mp4`), cut from the
    /// input with ffmpeg. `--clips` sets it to true.
    pub rep_clips: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            annotated_max_short_side_px: 720,
            annotated_video: true,
            rep_clips: false,
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
        }
    }
}

impl Default for BarConfig {
    fn default() -> Self {
        BarConfig {
            plate_diameter_cm: 45.0,
            min_plate_axis_ratio: 0.85,
            fallback_shoulder_to_ankle_cm: 135.0,
        }
    }
}

impl Default for ThoracicRoundingConfig {
    fn default() -> Self {
        ThoracicRoundingConfig {
            max_increase_deg: 20.0,
            max_curve_deg: 20.0,
            min_confidence: 0.5,
            min_traced_fraction: 0.5,
            min_bent_trunk_deg: 25.0,
        }
    }
}

impl Default for HipsShootUpConfig {
    fn default() -> Self {
        HipsShootUpConfig {
            max_trunk_increase_deg: 10.0,
            max_hip_to_shoulder_rise_ratio: 1.5,
            min_confidence: 0.5,
        }
    }
}

impl Default for LockoutHyperextensionConfig {
    fn default() -> Self {
        LockoutHyperextensionConfig {
            max_lean_back_deg: 10.0,
            max_shoulder_behind_bar_cm: 15.0,
            min_confidence: 0.5,
        }
    }
}

impl Default for BarDriftConfig {
    fn default() -> Self {
        BarDriftConfig {
            max_forward_cm: 5.0,
            min_confidence: 0.3,
        }
    }
}

impl Default for SetupConfig {
    fn default() -> Self {
        SetupConfig {
            min_hip_height_fraction: 0.1,
            max_hip_height_fraction: 0.9,
            max_bar_from_shin_cm: 10.0,
            min_confidence: 0.5,
        }
    }
}

impl Default for NeckConfig {
    fn default() -> Self {
        NeckConfig {
            max_extension_deg: 45.0,
            min_confidence: 0.5,
        }
    }
}

impl Default for JerkConfig {
    fn default() -> Self {
        JerkConfig {
            max_liftoff_accel_m_per_s2: 15.0,
            min_confidence: 0.3,
        }
    }
}

impl Default for LockoutConfig {
    fn default() -> Self {
        LockoutConfig {
            min_hip_angle_deg: 165.0,
            min_knee_angle_deg: 160.0,
            min_confidence: 0.5,
        }
    }
}

impl Config {
    /// Parses TOML text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self> {
        let config: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: origin.to_path_buf(),
            reason: one_line(&e.to_string()),
        })?;
        config
            .validate()
            .and_then(|_| crate::config_ranges::check(&config))
            .map_err(|reason| Error::Config {
                path: origin.to_path_buf(),
                reason,
            })?;
        Ok(config)
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::from_toml(&text, path)
    }

    /// Range checks that types alone cannot express.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let f = &self.filter;
        if !(0.0..=1.0).contains(&f.min_visibility) {
            return Err(format!(
                "filter.min_visibility must be in 0..1, got {}",
                f.min_visibility
            ));
        }
        if f.butterworth_cutoff_hz.is_nan() || f.butterworth_cutoff_hz <= 0.0 {
            return Err("filter.butterworth_cutoff_hz must be > 0".into());
        }
        if f.butterworth_order == 0
            || !f.butterworth_order.is_multiple_of(2)
            || f.butterworth_order > 8
        {
            return Err(format!("filter.butterworth_order must be 2, 4, 6 or 8 (zero-phase doubles a half-order pass), got {}", f.butterworth_order));
        }
        if f.hampel_window_frames < 3 {
            return Err("filter.hampel_window_frames must be >= 3".into());
        }
        for (key, fps) in [
            ("analysis_fps", self.pose.analysis_fps),
            ("mask_fps", self.pose.mask_fps),
        ] {
            if !(fps == 0.0 || (5.0..=240.0).contains(&fps)) {
                return Err(format!(
                    "pose.{key} must be 0 (every frame) or 5..240, got {fps}"
                ));
            }
        }
        let lag = self.pose.hip_tracking_lag_frames;
        if !(0.0..=5.0).contains(&lag) {
            return Err(format!(
                "pose.hip_tracking_lag_frames must be in 0..5, got {lag}"
            ));
        }
        if self.bar.plate_diameter_cm.is_nan() || self.bar.plate_diameter_cm <= 5.0 {
            return Err("bar.plate_diameter_cm must be > 5".into());
        }
        Ok(())
    }
}

/// TOML errors span several lines; we promise one-line errors.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::from_toml("", Path::new("x.toml")).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.thoracic_rounding.max_increase_deg, 20.0);
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = Config::from_toml("[bar_drift]\nmax_forward_cmm = 3\n", Path::new("x.toml"))
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("x.toml") && msg.contains("max_forward_cmm"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn wrong_type_is_an_error() {
        let e = Config::from_toml(
            "[bar_drift]\nmax_forward_cm = \"five\"\n",
            Path::new("x.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("x.toml"));
    }

    #[test]
    fn shipped_config_matches_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("formcheck.toml");
        let c = Config::load(&path).unwrap();
        assert_eq!(
            c,
            Config::default(),
            "formcheck.toml and the defaults in config.rs disagree"
        );
    }
}
