//! What the pose stage saw in one frame: the landmarks, the back contour traced from the
//! person mask, and whether the model ran at all. Plain data for the stages after it.

use super::back_contour::BackProfile;
use super::{Landmark, NUM_LANDMARKS};

/// What the pose stage saw in one frame.
#[derive(Debug, Clone)]
pub struct PoseFrame {
    pub index: usize,
    pub time_s: f64,
    pub landmarks: Option<[Landmark; NUM_LANDMARKS]>,
    pub pose_score: f32,
    pub detector_ran: bool,
    pub back: Option<BackProfile>,
    /// False on the frames between model frames (see `pose.analysis_fps`): decoded, not
    /// analysed; their joints come from the filters' gap filling.
    pub model_ran: bool,
}

impl PoseFrame {
    /// The same frame in an image `factor` times as large: the joints' and the back's pixels
    /// (the pass analyses a large video on a smaller copy of each frame).
    pub fn scaled_px(mut self, factor: f64) -> Self {
        if let Some(landmarks) = &mut self.landmarks {
            for l in landmarks.iter_mut() {
                l.x_px *= factor as f32;
                l.y_px *= factor as f32;
            }
        }
        self.back = self.back.map(|b| b.scaled_px(factor));
        self
    }

    /// A frame the model skipped.
    pub fn not_analysed(index: usize, time_s: f64) -> Self {
        PoseFrame {
            index,
            time_s,
            landmarks: None,
            pose_score: 0.0,
            detector_ran: false,
            back: None,
            model_ran: false,
        }
    }
}
