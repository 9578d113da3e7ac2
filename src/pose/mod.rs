//! Pose: BlazePose (MediaPipe Pose) on every frame. The detector finds the person when we
//! have no track; the landmark model gives 33 landmarks, visibility and a person mask inside a
//! rotated square region of interest, which the next frame reuses (tracking).
//!
//! Owns the model engines and the image-to-model geometry; knows nothing of angles or lifts.

pub mod back_contour;
pub mod detector;
pub mod engine;
pub mod frame;
pub mod landmarks;
pub mod schedule;
pub mod tracker;

pub use engine::{Engine, OrtEngine, TensorOut};
pub use frame::PoseFrame;
pub use tracker::PoseTracker;

/// Number of body landmarks BlazePose reports (it computes 39; 33..39 are auxiliary).
pub const NUM_LANDMARKS: usize = 33;

/// Landmark names in BlazePose order.
pub const LANDMARK_NAMES: [&str; NUM_LANDMARKS] = [
    "nose",
    "l_eye_in",
    "l_eye",
    "l_eye_out",
    "r_eye_in",
    "r_eye",
    "r_eye_out",
    "l_ear",
    "r_ear",
    "mouth_l",
    "mouth_r",
    "l_shoulder",
    "r_shoulder",
    "l_elbow",
    "r_elbow",
    "l_wrist",
    "r_wrist",
    "l_pinky",
    "r_pinky",
    "l_index",
    "r_index",
    "l_thumb",
    "r_thumb",
    "l_hip",
    "r_hip",
    "l_knee",
    "r_knee",
    "l_ankle",
    "r_ankle",
    "l_heel",
    "r_heel",
    "l_foot_idx",
    "r_foot_idx",
];

/// Landmark indices we use by name.
pub mod idx {
    pub const NOSE: usize = 0;
    pub const L_EAR: usize = 7;
    pub const R_EAR: usize = 8;
    pub const L_SHOULDER: usize = 11;
    pub const R_SHOULDER: usize = 12;
    pub const L_ELBOW: usize = 13;
    pub const R_ELBOW: usize = 14;
    pub const L_WRIST: usize = 15;
    pub const R_WRIST: usize = 16;
    pub const L_HIP: usize = 23;
    pub const R_HIP: usize = 24;
    pub const L_KNEE: usize = 25;
    pub const R_KNEE: usize = 26;
    pub const L_ANKLE: usize = 27;
    pub const R_ANKLE: usize = 28;
    pub const L_HEEL: usize = 29;
    pub const R_HEEL: usize = 30;
    pub const L_FOOT: usize = 31;
    pub const R_FOOT: usize = 32;
}

/// One landmark in image pixels (y down) with the model's visibility and presence (0..1).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Landmark {
    pub x_px: f32,
    pub y_px: f32,
    /// Depth relative to the hips, in crop pixels (rough; not used for angles).
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

/// A rotated square region of interest in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Roi {
    pub center_x_px: f64,
    pub center_y_px: f64,
    pub size_px: f64,
    pub rotation_rad: f64,
}

/// 2x3 affine map (row-major) from one pixel grid to another.
pub type Affine = [f64; 6];

/// Left/right landmark pairs of BlazePose (eyes, ears, mouth, then 11..=32 in odd/even pairs).
fn lr_pairs() -> impl Iterator<Item = (usize, usize)> {
    [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10)]
        .into_iter()
        .chain((11..=31).step_by(2).map(|l| (l, l + 1)))
}

/// Facing cues of one frame in image space (+1 all say image-right, −1 image-left): toes
/// ahead of heels, nose ahead of the ears, visibility-weighted.
pub fn facing_cue(l: &[Landmark; NUM_LANDMARKS]) -> f64 {
    use idx::*;
    let (mut vote, mut weight) = (0.0, 0.0);
    for (front, back) in [
        (L_FOOT, L_HEEL),
        (R_FOOT, R_HEEL),
        (NOSE, L_EAR),
        (NOSE, R_EAR),
    ] {
        let w = l[front].visibility.min(l[back].visibility) as f64;
        vote += w * ((l[front].x_px - l[back].x_px) as f64).signum();
        weight += w;
    }
    if weight > 0.0 {
        vote / weight
    } else {
        0.0
    }
}

/// Swaps the left and right labels of one frame's landmarks.
pub fn swap_sides(l: &mut [Landmark; NUM_LANDMARKS]) {
    for (a, b) in lr_pairs() {
        l.swap(a, b);
    }
}

/// Applies an affine map to a point.
pub fn apply_affine(m: &Affine, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5])
}

/// Inverse of an affine map (None when singular).
pub fn invert_affine(m: &Affine) -> Option<Affine> {
    let det = m[0] * m[4] - m[1] * m[3];
    if det.abs() < 1e-12 {
        return None;
    }
    let (a, b, d, e) = (m[4] / det, -m[1] / det, -m[3] / det, m[0] / det);
    Some([a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])])
}

/// The person-segmentation probabilities, kept in the model's 256x256 crop with the map back
/// to the image (warping to the full frame would cost a 4K frame's worth of memory per frame).
#[derive(Debug, Clone)]
pub struct PersonMask {
    pub size: usize,
    pub probs: Vec<f32>,
    pub crop_to_image: Affine,
    image_to_crop: Affine,
}

impl PersonMask {
    pub fn new(size: usize, probs: Vec<f32>, crop_to_image: Affine) -> Self {
        let image_to_crop = invert_affine(&crop_to_image).unwrap_or([0.0; 6]);
        PersonMask {
            size,
            probs,
            crop_to_image,
            image_to_crop,
        }
    }

    /// Person probability at an image point (bilinear; 0 outside the crop).
    pub fn prob_at(&self, x_px: f64, y_px: f64) -> f32 {
        let (u, v) = apply_affine(&self.image_to_crop, x_px, y_px);
        // pixel centres sit at +0.5
        let (u, v) = (u - 0.5, v - 0.5);
        let n = self.size as f64;
        if !(u >= 0.0 && v >= 0.0 && u <= n - 1.0 && v <= n - 1.0) {
            return 0.0;
        }
        let (u0, v0) = (u.floor() as usize, v.floor() as usize);
        let (u1, v1) = ((u0 + 1).min(self.size - 1), (v0 + 1).min(self.size - 1));
        let (fu, fv) = ((u - u0 as f64) as f32, (v - v0 as f64) as f32);
        let p = |x: usize, y: usize| self.probs[y * self.size + x];
        let top = p(u0, v0) * (1.0 - fu) + p(u1, v0) * fu;
        let bottom = p(u0, v1) * (1.0 - fu) + p(u1, v1) * fu;
        top * (1.0 - fv) + bottom * fv
    }
}

/// The pose model's answer for one frame.
#[derive(Debug, Clone)]
pub struct PoseEstimate {
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// The model's own "a person is in the crop" score (0..1).
    pub pose_score: f32,
    pub roi: Roi,
    /// The person mask, on the frames it was asked for (see [`PoseTracker::estimate`]).
    pub mask: Option<PersonMask>,
    /// True when the detector ran on this frame (the track was lost or new).
    pub detector_ran: bool,
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-80.0, 80.0)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_inverse_round_trips() {
        let m: Affine = [0.8, -0.6, 100.0, 0.6, 0.8, 50.0];
        let inv = invert_affine(&m).unwrap();
        let (x, y) = apply_affine(&m, 12.0, -7.0);
        let (bx, by) = apply_affine(&inv, x, y);
        assert!((bx - 12.0).abs() < 1e-9 && (by + 7.0).abs() < 1e-9);
    }

    #[test]
    fn mask_is_sampled_through_the_affine() {
        let mut probs = vec![0.0; 4 * 4];
        probs[4 + 2] = 1.0; // crop pixel (2,1)
                            // crop->image: scale 10, offset (100, 200)
        let mask = PersonMask::new(4, probs, [10.0, 0.0, 100.0, 0.0, 10.0, 200.0]);
        assert!((mask.prob_at(125.0, 215.0) - 1.0).abs() < 1e-6);
        assert_eq!(mask.prob_at(0.0, 0.0), 0.0);
    }
}
