//! Which frames the landmark model runs on. The model is most of the cost of a frame, and a
//! lifter standing still or setting up gives it nothing new 30 times a second; but when the
//! body moves fast, BlazePose's tracked crop makes its hip lag, and skipping frames makes that
//! lag much worse (measured on the renders: hip RMSE 6.7° on every frame, 12° on every 2nd).
//! So the model runs on every frame while the trunk moves, and on every `stride`th frame
//! (`pose.analysis_fps`) while it is still (`pose.still_speed_torso_per_s`). Frames the model
//! skips are filled by the filters' gap filling.

use super::config::PoseConfig;
use crate::pose::idx::{L_HIP, L_SHOULDER, R_HIP, R_SHOULDER};
use crate::pose::{Landmark, NUM_LANDMARKS};

/// Stays dense this long after the last fast movement: a pull's slow start and a pause at
/// the knee stay covered.
const HOLD_DENSE_S: f64 = 0.4;

/// Decides, frame by frame, whether the model should see it.
#[derive(Debug, Clone)]
pub struct ModelSchedule {
    stride: usize,
    still_speed_torso_per_s: f64,
    last: Option<(f64, [Landmark; NUM_LANDMARKS])>,
    dense_until_s: f64,
}

impl ModelSchedule {
    pub fn new(pose: &PoseConfig, video_fps: f64) -> Self {
        ModelSchedule {
            stride: pose.model_stride(video_fps),
            still_speed_torso_per_s: pose.still_speed_torso_per_s,
            last: None,
            dense_until_s: f64::NEG_INFINITY,
        }
    }

    /// The stride while the lifter is still (1 = every frame, always).
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Whether the model should run on frame `index` at `time_s`. Until a person is found
    /// every sampled frame is looked at; the first frame always is.
    pub fn wants(&self, index: usize, time_s: f64) -> bool {
        self.stride == 1 || index.is_multiple_of(self.stride) || self.is_dense(time_s)
    }

    /// Whether the schedule is in its every-frame mode at `time_s`.
    pub fn is_dense(&self, time_s: f64) -> bool {
        time_s <= self.dense_until_s
    }

    /// What the model found on a frame it ran on.
    pub fn observe(&mut self, time_s: f64, landmarks: Option<&[Landmark; NUM_LANDMARKS]>) {
        let Some(now) = landmarks else {
            // lost: look closely until the track is back
            self.last = None;
            self.dense_until_s = time_s + HOLD_DENSE_S;
            return;
        };
        if let Some((then_s, before)) = &self.last {
            let dt = (time_s - then_s).max(1e-6);
            if trunk_speed_torso_per_s(before, now, dt) > self.still_speed_torso_per_s {
                self.dense_until_s = time_s + HOLD_DENSE_S;
            }
        }
        self.last = Some((time_s, *now));
    }
}

/// The fastest of the shoulders and hips between two frames, in torso lengths per second.
fn trunk_speed_torso_per_s(a: &[Landmark], b: &[Landmark], dt_s: f64) -> f64 {
    let torso_px = {
        let mid = |l: &[Landmark], i: usize, j: usize| {
            ((l[i].x_px + l[j].x_px) / 2.0, (l[i].y_px + l[j].y_px) / 2.0)
        };
        let (s, h) = (mid(b, L_SHOULDER, R_SHOULDER), mid(b, L_HIP, R_HIP));
        ((s.0 - h.0) as f64).hypot((s.1 - h.1) as f64).max(1.0)
    };
    [L_SHOULDER, R_SHOULDER, L_HIP, R_HIP]
        .iter()
        .map(|&i| ((b[i].x_px - a[i].x_px) as f64).hypot((b[i].y_px - a[i].y_px) as f64))
        .fold(0.0, f64::max)
        / torso_px
        / dt_s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(shift_px: f32) -> [Landmark; NUM_LANDMARKS] {
        let mut l = [Landmark::default(); NUM_LANDMARKS];
        for (i, y) in [
            (L_SHOULDER, 100.0),
            (R_SHOULDER, 100.0),
            (L_HIP, 200.0),
            (R_HIP, 200.0),
        ] {
            l[i].x_px = 300.0 + shift_px;
            l[i].y_px = y;
        }
        l
    }

    #[test]
    fn still_lifter_is_sampled_moving_one_is_not() {
        let pose = PoseConfig {
            analysis_fps: 10.0,
            ..PoseConfig::default()
        };
        let mut s = ModelSchedule::new(&pose, 30.0);
        assert_eq!(s.stride(), 3);
        assert!(s.wants(0, 0.0) && !s.wants(1, 1.0 / 30.0) && s.wants(3, 0.1));
        s.observe(0.0, Some(&body(0.0)));
        s.observe(0.1, Some(&body(0.5)));
        assert!(!s.wants(4, 4.0 / 30.0), "0.05 torso/s is still");
        // 10 px in 0.1 s on a 100 px torso = 1 torso/s: every frame for a while
        s.observe(0.2, Some(&body(10.5)));
        assert!(s.wants(7, 7.0 / 30.0) && s.wants(17, 17.0 / 30.0));
        assert!(!s.wants(19, 19.0 / 30.0));
        // losing the person looks closely again
        s.observe(1.0, None);
        assert!(s.wants(31, 31.0 / 30.0));
    }

    #[test]
    fn every_frame_when_the_rate_is_off() {
        let pose = PoseConfig {
            analysis_fps: 0.0,
            ..PoseConfig::default()
        };
        let s = ModelSchedule::new(&pose, 30.0);
        assert!((0..10).all(|i| s.wants(i, i as f64 / 30.0)));
    }
}
