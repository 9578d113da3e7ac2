//! Frame-to-frame tracking: the landmark model's auxiliary points give the next frame's ROI,
//! so the (slower, whole-frame) detector runs only on the first frame and when the person is
//! lost (MediaPipe's legacy Pose graph does the same). The crop is shown to the model in one
//! orientation, the lifter facing image-right (mirrored when they face left), so a lift and
//! its mirror image read the same.

use std::path::Path;

use opencv::core::Mat;

use super::config::ModelKind;
use super::detector::{roi_from_alignment, PoseDetector};
use super::landmarks::LandmarkModel;
use super::{facing_cue, Engine, OrtEngine, PoseEstimate, Roi};
use crate::error::{Error, Result};

pub const DETECTOR_FILE: &str = "pose_detection.onnx";
/// Most extra landmark runs that settle a new track's crop, and the crop change (centre
/// shift plus size change, as a fraction of its size) under which it has settled.
const SETTLE_PASSES: usize = 4;
const SETTLED_FRACTION: f64 = 0.01;

/// Detector + landmark model with the tracked ROI between frames.
pub struct PoseTracker {
    detector: PoseDetector,
    landmarks: LandmarkModel,
    /// The landmark model without the mask head, when shipped; else `landmarks` runs always.
    landmarks_no_mask: Option<LandmarkModel>,
    tracked: Option<Roi>,
    /// Below this pose score the track is dropped and the detector runs.
    pub min_pose_score: f32,
    /// Static-image mode: detect on every frame and refine the ROI once from the landmarks.
    pub static_mode: bool,
    /// Time spent in each model, for the benchmark's per-stage figures.
    pub timing: ModelTiming,
    /// Which way the lifter faces, a running vote over recent frames (+ = image-right).
    facing_vote: f64,
    /// Show the model every crop with the lifter facing image-right (mirroring it when they
    /// face left). BlazePose is not mirror-symmetric: on the renders' horizontal flips its
    /// knee sat up to 30 px off and the hip-angle RMSE rose from 5–6° to 9–18°; with the
    /// crops mirrored, a flip reads within ~1° of its source.
    pub canonical_facing: bool,
    /// Whether the crops are mirrored now (switched with hysteresis on `facing_vote`).
    mirrored: bool,
}

/// Seconds spent in each model and how often each ran.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ModelTiming {
    pub detector_s: f64,
    pub detector_runs: usize,
    pub landmark_s: f64,
    pub landmark_runs: usize,
    /// Landmark runs that also computed the person mask.
    pub mask_runs: usize,
}

impl PoseTracker {
    /// Writes every landmark-model input crop to `dir` (the quantisation experiment).
    pub fn dump_crops_to(&mut self, dir: Option<std::path::PathBuf>) {
        self.landmarks.dump_crops = dir.clone();
        if let Some(m) = self.landmarks_no_mask.as_mut() {
            m.dump_crops = dir;
        }
    }

    pub fn new(
        detector: Box<dyn Engine>,
        landmarks: Box<dyn Engine>,
        min_detection_score: f32,
        min_pose_score: f32,
    ) -> Self {
        PoseTracker {
            detector: PoseDetector::new(detector, min_detection_score),
            landmarks: LandmarkModel::new(landmarks),
            landmarks_no_mask: None,
            tracked: None,
            min_pose_score,
            static_mode: false,
            timing: ModelTiming::default(),
            facing_vote: 0.0,
            canonical_facing: true,
            mirrored: false,
        }
    }

    /// Loads both models from `models_dir` with ONNX Runtime.
    pub fn load(
        models_dir: &Path,
        model: ModelKind,
        threads: usize,
        min_detection_score: f32,
        min_pose_score: f32,
    ) -> Result<Self> {
        let load = |file: &str| -> Result<Box<dyn Engine>> {
            let path = models_dir.join(file);
            if !path.is_file() {
                return Err(Error::Model {
                    path,
                    reason: "model file not found".into(),
                });
            }
            OrtEngine::load(&path, threads)
                .map(|e| Box::new(e) as Box<dyn Engine>)
                .map_err(|reason| Error::Model {
                    path: path.clone(),
                    reason,
                })
        };
        let mut tracker = PoseTracker::new(
            load(DETECTOR_FILE)?,
            load(model.file_name())?,
            min_detection_score,
            min_pose_score,
        );
        // optional: without it every frame runs the model with the mask
        if let Some(file) = model.no_mask_file_name() {
            if models_dir.join(file).is_file() {
                tracker.landmarks_no_mask = Some(LandmarkModel::new(load(file)?));
            }
        }
        Ok(tracker)
    }

    fn run_landmarks(
        &mut self,
        frame_bgr: &Mat,
        roi: &Roi,
        want_mask: bool,
    ) -> Result<super::landmarks::LandmarkResult> {
        let started = std::time::Instant::now();
        let (model, masked) = match &mut self.landmarks_no_mask {
            Some(no_mask) if !want_mask => (no_mask, false),
            _ => (&mut self.landmarks, true),
        };
        let result = model.run(frame_bgr, roi, self.mirrored);
        self.timing.landmark_s += started.elapsed().as_secs_f64();
        self.timing.landmark_runs += 1;
        self.timing.mask_runs += masked as usize;
        result
    }

    /// Forgets the track (next frame runs the detector).
    pub fn reset(&mut self) {
        self.tracked = None;
        self.facing_vote = 0.0;
        self.mirrored = false;
    }

    /// Adds one frame's facing cues to the vote and switches the crop orientation when the
    /// vote is clear: steady cues settle at ±5, switching needs ±3, so a few odd frames
    /// never flip it back and forth.
    fn observe_facing(&mut self, landmarks: &[super::Landmark; super::NUM_LANDMARKS]) {
        self.facing_vote = (0.8 * self.facing_vote + facing_cue(landmarks)).clamp(-5.0, 5.0);
        if self.canonical_facing && !self.mirrored && self.facing_vote < -3.0 {
            self.mirrored = true;
        } else if self.mirrored && self.facing_vote > 3.0 {
            self.mirrored = false;
        }
    }

    /// Pose for one BGR frame; `None` when no person is found. The person mask comes with it
    /// when `want_mask` (and may come anyway when no mask-less model is loaded).
    pub fn estimate(&mut self, frame_bgr: &Mat, want_mask: bool) -> Result<Option<PoseEstimate>> {
        let fresh = self.facing_vote == 0.0 && !self.mirrored;
        let mut estimate = self.estimate_once(frame_bgr, want_mask)?;
        let new_track = estimate.as_ref().is_some_and(|e| e.detector_ran) && !self.static_mode;
        if let Some(e) = &estimate {
            // the first pose of a track decides at once, so no early frame is read unmirrored
            if fresh && self.canonical_facing && facing_cue(&e.landmarks) < -0.5 {
                self.mirrored = true;
                self.facing_vote = -5.0;
                estimate = self.estimate_once(frame_bgr, want_mask)?.or(estimate);
            }
        }
        if new_track {
            estimate = self.settle(frame_bgr, want_mask, estimate)?;
        }
        if let Some(e) = &estimate {
            self.observe_facing(&e.landmarks);
        }
        Ok(estimate)
    }

    /// Re-runs the landmark model on the same frame from its own crop until the crop stops
    /// moving (at most [`SETTLE_PASSES`] runs). The detector's box is rough, and a track
    /// started from it takes several model runs to centre on the lifter: on a mirrored render
    /// the hip read 15 px (a fifth of the torso) off at the first frame and crept back over
    /// the next nine, a false trunk change at the set-up. Only on frames where a track starts,
    /// so its cost is a few runs a clip.
    fn settle(
        &mut self,
        frame_bgr: &Mat,
        want_mask: bool,
        mut estimate: Option<PoseEstimate>,
    ) -> Result<Option<PoseEstimate>> {
        for _ in 0..SETTLE_PASSES {
            let Some(before) = self.tracked else { break };
            let Some(next) = self.estimate_once(frame_bgr, want_mask)? else {
                break;
            };
            estimate = Some(PoseEstimate {
                detector_ran: true,
                ..next
            });
            let Some(after) = self.tracked else { break };
            let shift = (after.center_x_px - before.center_x_px)
                .hypot(after.center_y_px - before.center_y_px)
                + (after.size_px - before.size_px).abs();
            if shift < SETTLED_FRACTION * before.size_px {
                break;
            }
        }
        Ok(estimate)
    }

    fn estimate_once(&mut self, frame_bgr: &Mat, want_mask: bool) -> Result<Option<PoseEstimate>> {
        if !self.static_mode {
            if let Some(roi) = self.tracked {
                let result = self.run_landmarks(frame_bgr, &roi, want_mask)?;
                if result.pose_score >= self.min_pose_score {
                    self.tracked = Some(roi_from_alignment(
                        result.aux_alignment[0],
                        result.aux_alignment[1],
                    ));
                    return Ok(Some(PoseEstimate {
                        landmarks: result.landmarks,
                        pose_score: result.pose_score,
                        roi,
                        mask: result.mask,
                        detector_ran: false,
                    }));
                }
                self.tracked = None;
            }
        }
        let started = std::time::Instant::now();
        let detection = self.detector.detect(frame_bgr)?;
        self.timing.detector_s += started.elapsed().as_secs_f64();
        self.timing.detector_runs += 1;
        let Some(detection) = detection else {
            return Ok(None);
        };
        let mut roi = roi_from_alignment(detection.keypoints_px[0], detection.keypoints_px[1]);
        let mut result = self.run_landmarks(frame_bgr, &roi, want_mask)?;
        if self.static_mode && result.pose_score >= self.min_pose_score {
            // One refinement pass from the model's own alignment points.
            roi = roi_from_alignment(result.aux_alignment[0], result.aux_alignment[1]);
            result = self.run_landmarks(frame_bgr, &roi, want_mask)?;
        }
        if result.pose_score < self.min_pose_score {
            return Ok(None);
        }
        self.tracked = Some(roi_from_alignment(
            result.aux_alignment[0],
            result.aux_alignment[1],
        ));
        Ok(Some(PoseEstimate {
            landmarks: result.landmarks,
            pose_score: result.pose_score,
            roi,
            mask: result.mask,
            detector_ran: true,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{idx::*, Landmark, NUM_LANDMARKS};

    /// A lifter facing image-left (`sign` −1) or right (+1).
    fn facing(sign: f32) -> [Landmark; NUM_LANDMARKS] {
        let mut l = [Landmark::default(); NUM_LANDMARKS];
        for (i, dx) in [
            (NOSE, 20.0),
            (L_EAR, 0.0),
            (R_EAR, 0.0),
            (L_FOOT, 25.0),
            (R_FOOT, 25.0),
            (L_HEEL, 0.0),
            (R_HEEL, 0.0),
        ] {
            l[i].x_px = 300.0 + sign * dx;
            l[i].visibility = 0.9;
        }
        l
    }

    #[test]
    fn facing_cues_read_the_direction() {
        assert!((facing_cue(&facing(1.0)) - 1.0).abs() < 1e-9);
        assert!((facing_cue(&facing(-1.0)) + 1.0).abs() < 1e-9);
        assert_eq!(facing_cue(&[Landmark::default(); NUM_LANDMARKS]), 0.0);
    }
}
