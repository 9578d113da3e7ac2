//! The back contour from the person mask: the dorsal edge traced between hip and shoulder,
//! as offsets from the hip→shoulder line, in one frame's pixels. The angles read from it
//! live in [`crate::kinematics::back`].

use super::{Landmark, PersonMask};

/// Positions along the hip→shoulder axis (0 = hip, 1 = shoulder) where the edge is traced:
/// every 2.5% of the torso, so the curve fit in [`crate::kinematics::back`] averages many
/// edge points instead of resting on three.
pub const PROFILE_T: [f64; 45] = [
    0.0, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3, 0.325, 0.35,
    0.375, 0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6, 0.625, 0.65, 0.675, 0.7, 0.725,
    0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 1.0, 1.025, 1.05, 1.075, 1.1,
];

/// The mask levels the edge is also traced at: where the person probability falls through
/// 0.65 (inside the 0.5 edge) and 0.35 (outside it). A crisp edge puts the three within a
/// pixel of each other; where the model is unsure (a dark shirt against dark weights, a
/// blurred far figure) they spread, and the back's shape between them is not known.
pub const BAND_LEVELS: (f32, f32) = (0.65, 0.35);

/// The dorsal edge in one frame: for each `PROFILE_T`, the distance (px) from the axis to
/// the edge of the mask on the side away from the face.
#[derive(Debug, Clone, PartialEq)]
pub struct BackProfile {
    pub hip_px: (f64, f64),
    pub shoulder_px: (f64, f64),
    /// Unit normal pointing to the back (away from the face), image coordinates.
    pub normal: (f64, f64),
    /// The edge at the mask's 0.5 level.
    pub offset_px: Vec<Option<f64>>,
    /// The same edge at [`BAND_LEVELS`]: inside (0.65) and outside (0.35).
    pub inner_px: Vec<Option<f64>>,
    pub outer_px: Vec<Option<f64>>,
}

impl BackProfile {
    /// A profile with a crisp edge (its band a pixel wide), for hand-made profiles.
    pub fn crisp(
        hip_px: (f64, f64),
        shoulder_px: (f64, f64),
        normal: (f64, f64),
        offset_px: Vec<Option<f64>>,
    ) -> Self {
        let shift = |by: f64| offset_px.iter().map(|d| d.map(|d| d + by)).collect();
        BackProfile {
            hip_px,
            shoulder_px,
            normal,
            inner_px: shift(-0.5),
            outer_px: shift(0.5),
            offset_px,
        }
    }

    /// The same profile in an image `factor` times as large (the normal is a direction).
    pub fn scaled_px(mut self, factor: f64) -> Self {
        self.hip_px = (self.hip_px.0 * factor, self.hip_px.1 * factor);
        self.shoulder_px = (self.shoulder_px.0 * factor, self.shoulder_px.1 * factor);
        for d in [&mut self.offset_px, &mut self.inner_px, &mut self.outer_px]
            .into_iter()
            .flatten()
            .flatten()
        {
            *d *= factor;
        }
        self
    }

    pub fn torso_px(&self) -> f64 {
        let (dx, dy) = (
            self.shoulder_px.0 - self.hip_px.0,
            self.shoulder_px.1 - self.hip_px.1,
        );
        (dx * dx + dy * dy).sqrt()
    }

    /// Image point of the traced edge at profile index `i`.
    pub fn edge_point(&self, i: usize) -> Option<(f64, f64)> {
        let d = self.offset_px.get(i).copied().flatten()?;
        let t = PROFILE_T[i];
        let ax = self.hip_px.0 + t * (self.shoulder_px.0 - self.hip_px.0);
        let ay = self.hip_px.1 + t * (self.shoulder_px.1 - self.hip_px.1);
        Some((ax + d * self.normal.0, ay + d * self.normal.1))
    }

    /// Edge point in axis coordinates (along the torso, outwards to the back), in px.
    fn axis_point(&self, i: usize) -> Option<(f64, f64)> {
        let d = self.offset_px.get(i).copied().flatten()?;
        Some((PROFILE_T[i] * self.torso_px(), d))
    }

    /// Upper-back flexion: the angle between the lower chord (`lower_t`→`mid_t`) and the upper
    /// chord (`mid_t`→`upper_t`) of the dorsal edge, + when the back bulges outwards (rounded).
    pub fn chord_angle_deg(&self, lower_t: f64, mid_t: f64, upper_t: f64) -> Option<f64> {
        let find = |t: f64| PROFILE_T.iter().position(|&p| (p - t).abs() < 1e-9);
        let (a, b, c) = (
            self.axis_point(find(lower_t)?)?,
            self.axis_point(find(mid_t)?)?,
            self.axis_point(find(upper_t)?)?,
        );
        // the back is at most ~0.35 torso lengths from the hip-shoulder line; further out
        // the march crossed into something else (an arm, a plate, a mask blob)
        let max = MAX_OFFSET_TORSO * self.torso_px();
        if a.1 > max || b.1 > max || c.1 > max {
            return None;
        }
        let lower = (b.1 - a.1).atan2(b.0 - a.0);
        let upper = (c.1 - b.1).atan2(c.0 - b.0);
        // A rounded back bends the upper chord towards the front (towards negative offsets).
        Some((lower - upper).to_degrees())
    }
}

/// Traces the dorsal edge: from points on the hip→shoulder line, marches away from the face
/// until the mask drops under 0.5. Uses the midpoints of both shoulders and both hips (they
/// nearly coincide in a side view) so it needs no side decision.
pub fn trace_back(mask: &PersonMask, landmarks: &[Landmark]) -> Option<BackProfile> {
    use super::idx::*;
    let mid = |a: usize, b: usize| {
        (
            (landmarks[a].x_px + landmarks[b].x_px) as f64 / 2.0,
            (landmarks[a].y_px + landmarks[b].y_px) as f64 / 2.0,
        )
    };
    let shoulder = mid(L_SHOULDER, R_SHOULDER);
    let hip = mid(L_HIP, R_HIP);
    let (ax, ay) = (shoulder.0 - hip.0, shoulder.1 - hip.1);
    let len = (ax * ax + ay * ay).sqrt();
    if len < 8.0 {
        return None;
    }
    let (ux, uy) = (ax / len, ay / len);
    let mut normal = (-uy, ux);
    // The face side from the nose against the ears: the nose is always in front of the ears,
    // whereas nose against shoulder fails when the lifter is bent over looking ahead (the
    // nose then lies almost on the hip→shoulder line and the trace ran down the chest).
    let nose = (landmarks[NOSE].x_px as f64, landmarks[NOSE].y_px as f64);
    let ears = mid(L_EAR, R_EAR);
    let face = (nose.0 - ears.0, nose.1 - ears.1);
    let face = if face.0.hypot(face.1) > 2.0 {
        face
    } else {
        (nose.0 - shoulder.0, nose.1 - shoulder.1)
    };
    if face.0 * normal.0 + face.1 * normal.1 > 0.0 {
        normal = (-normal.0, -normal.1);
    }
    let step = (len / 200.0).max(0.5);
    let at_level = |level: f32| {
        PROFILE_T
            .iter()
            .map(|&t| {
                let from = (hip.0 + t * ax, hip.1 + t * ay);
                edge_offset(mask, from, normal, len, step, level)
            })
            .collect()
    };
    Some(BackProfile {
        hip_px: hip,
        shoulder_px: shoulder,
        normal,
        offset_px: at_level(0.5),
        inner_px: at_level(BAND_LEVELS.0),
        outer_px: at_level(BAND_LEVELS.1),
    })
}

/// Distance (px) from `from` along `dir` to where the person probability first falls through
/// `level` (0.5 for the edge, [`BAND_LEVELS`] for its band), at sub-pixel precision: the march
/// brackets the crossing between two samples `step` apart, then bisection on the (bilinear)
/// probability halves the bracket down to 1/64 px. Working on the probabilities, not a
/// thresholded mask, keeps the edge from snapping to the mask's 256-px grid. `None` when
/// `from` is outside the person or no crossing is within `max_px`.
fn edge_offset(
    mask: &PersonMask,
    from: (f64, f64),
    dir: (f64, f64),
    max_px: f64,
    step: f64,
    level: f32,
) -> Option<f64> {
    let p = |d: f64| mask.prob_at(from.0 + d * dir.0, from.1 + d * dir.1);
    if p(0.0) < level {
        return None;
    }
    let mut d = 0.0;
    while d < max_px {
        let next = d + step;
        if p(next) < level {
            let (mut lo, mut hi) = (d, next);
            while hi - lo > 1.0 / 64.0 {
                let m = 0.5 * (lo + hi);
                if p(m) < level {
                    hi = m;
                } else {
                    lo = m;
                }
            }
            return Some(0.5 * (lo + hi));
        }
        d = next;
    }
    None
}

/// Largest plausible distance from the hip→shoulder line to the back, in torso lengths
/// (0.15–0.35 on the renders and the clips; the gluteal bulge near the hip is not used).
pub const MAX_OFFSET_TORSO: f64 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_finds_the_edge_of_a_rectangle_mask() {
        // mask: body occupies x in [40, 60] of a 100x100 crop mapped 1:1 to the image
        let n = 100;
        let probs = (0..n * n)
            .map(|i| {
                if (40..60).contains(&(i % n)) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let mask = PersonMask::new(n, probs, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        let mut lms = vec![Landmark::default(); 33];
        use crate::pose::idx::*;
        for (i, (x, y)) in [
            (L_SHOULDER, (50.0, 20.0)),
            (R_SHOULDER, (50.0, 20.0)),
            (L_HIP, (50.0, 80.0)),
            (R_HIP, (50.0, 80.0)),
            (NOSE, (58.0, 10.0)),
            (L_EAR, (50.0, 10.0)),
            (R_EAR, (50.0, 10.0)),
        ] {
            lms[i].x_px = x;
            lms[i].y_px = y;
        }
        let p = trace_back(&mask, &lms).unwrap();
        assert!(p.normal.0 < 0.0, "back is away from the nose");
        let d = p.offset_px[20].unwrap();
        assert!((d - 10.0).abs() < 1.0, "{d}");
        // a hard edge: its band is under a pixel wide
        let (inner, outer) = (p.inner_px[20].unwrap(), p.outer_px[20].unwrap());
        assert!(
            inner <= d && d <= outer && outer - inner < 1.0,
            "{inner} {d} {outer}"
        );
    }

    #[test]
    fn the_edge_is_found_between_mask_pixels() {
        // a soft edge: the probability ramps from 1 to 0 over crop columns 38..42, so the 0.5
        // crossing lies at x = 40.0 + 0.5 (pixel centres at +0.5), between two samples
        let n = 100;
        let probs = (0..n * n)
            .map(|i| ((42.0 - (i % n) as f32) / 4.0).clamp(0.0, 1.0))
            .collect();
        let mask = PersonMask::new(n, probs, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        for from_x in [20.0, 21.3, 30.7] {
            let d = edge_offset(&mask, (from_x, 50.0), (1.0, 0.0), 60.0, 0.7, 0.5).unwrap();
            assert!((from_x + d - 40.5).abs() < 0.05, "{from_x} + {d}");
        }
        // outside the person, or no edge within reach: nothing
        assert_eq!(
            edge_offset(&mask, (60.0, 50.0), (1.0, 0.0), 30.0, 0.7, 0.5),
            None
        );
        assert_eq!(
            edge_offset(&mask, (5.0, 50.0), (1.0, 0.0), 10.0, 0.7, 0.5),
            None
        );
        // the band: 0.65 and 0.35 cross 1.4 px inside and outside the 0.5 edge on this ramp
        let level = |l| edge_offset(&mask, (20.0, 50.0), (1.0, 0.0), 60.0, 0.7, l).unwrap();
        assert!((20.0 + level(BAND_LEVELS.0) - 39.9).abs() < 0.05);
        assert!((20.0 + level(BAND_LEVELS.1) - 41.1).abs() < 0.05);
    }
}
