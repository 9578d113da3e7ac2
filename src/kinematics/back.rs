//! The upper-back flexion angle from the traced back contour
//! ([`crate::pose::back_contour`]). The trunk line alone cannot see a rounded upper back;
//! the silhouette can.

use crate::pose::back_contour::BackProfile;
#[cfg(test)]
use crate::pose::back_contour::PROFILE_T;

/// Chord positions on the profile (fractions of hip→shoulder). The lower point sits above
/// the buttocks (below ~0.25 the edge is the gluteal bulge, which changes with hip flexion,
/// not with the spine); the middle at mid-thoracic (~T8) and the upper at the base of the
/// neck (~C7, a little above the shoulder joints), the same landmarks as the reference
/// definition (chords spine05→spine02→neck01 of the synthetic renders' skeleton).
pub const CHORD_T: (f64, f64, f64) = (0.3, 0.7, 1.05);

/// Frames in the running median over the per-frame angles: the mask edge jitters by a pixel
/// or two per frame; 9 frames is 0.3 s at 30 fps, shorter than any phase of a rep.
pub const SMOOTH_FRAMES: usize = 9;

/// Upper-back flexion per frame (degrees) from the traced profiles; `None` where the back
/// could not be traced. Smoothed with a running median over the traced frames.
pub fn thoracic_flexion_series(profiles: &[Option<BackProfile>]) -> Vec<Option<f64>> {
    let (a, b, c) = CHORD_T;
    let raw: Vec<Option<f64>> = profiles
        .iter()
        .map(|p| p.as_ref().and_then(|p| p.chord_angle_deg(a, b, c)))
        .collect();
    let half = SMOOTH_FRAMES / 2;
    (0..raw.len())
        .map(|i| {
            raw[i]?;
            let mut w: Vec<f64> = raw[i.saturating_sub(half)..(i + half + 1).min(raw.len())]
                .iter()
                .flatten()
                .copied()
                .collect();
            Some(crate::kinematics::filters::median_of(&mut w))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(offsets: impl Fn(f64) -> f64) -> BackProfile {
        BackProfile {
            hip_px: (0.0, 0.0),
            shoulder_px: (0.0, -100.0),
            normal: (-1.0, 0.0),
            offset_px: PROFILE_T.iter().map(|&t| Some(offsets(t))).collect(),
        }
    }

    #[test]
    fn flat_back_has_no_chord_angle() {
        let p = profile(|_| 20.0);
        assert!(p.chord_angle_deg(0.1, 0.6, 1.0).unwrap().abs() < 1e-9);
    }

    #[test]
    fn rounded_back_gives_a_positive_angle() {
        // a bulge peaking at 60% of the torso
        let p = profile(|t| 20.0 + 15.0 * (1.0 - ((t - 0.6) / 0.5).powi(2)).max(0.0));
        let a = p.chord_angle_deg(0.1, 0.6, 1.0).unwrap();
        assert!(a > 20.0, "{a}");
    }
}
