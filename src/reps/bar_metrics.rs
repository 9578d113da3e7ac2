//! Per-rep bar figures, as velocity-based-training apps report them: bar path (furthest
//! forward and behind mid-foot), vertical range of motion, mean and peak concentric velocity,
//! and time from lift-off to lockout; and the bar's vertical velocity per frame, the one
//! definition of bar speed the outputs read too. Works on a [`BarTrack`] and a [`Rep`]'s
//! frames only.

use serde::{Deserialize, Serialize};

use super::Rep;
use crate::bar::BarTrack;
use crate::kinematics::Kinematics;

/// Per-rep bar figures, what velocity-based-training apps report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RepBarMetrics {
    pub max_forward_cm: Option<f64>,
    pub max_backward_cm: Option<f64>,
    pub range_of_motion_cm: Option<f64>,
    pub mean_concentric_velocity_m_per_s: Option<f64>,
    pub peak_concentric_velocity_m_per_s: Option<f64>,
    pub time_to_lockout_s: Option<f64>,
}

/// Bar path and speed figures for one rep. Figures whose frames are unknown stay `None`.
///
/// - `max_forward_cm`: furthest the bar got ahead of mid-foot over the rep (negative if it
///   stayed behind); `max_backward_cm`: furthest behind mid-foot (positive = behind).
/// - the concentric runs from lift-off (or the rep's start) to lockout (or the bar's highest
///   point before the rep's end); range of motion is the bar's rise over it;
/// - mean concentric velocity = rise / duration (as VBT apps define it); peak = the highest
///   frame-to-frame upward speed in it.
pub fn rep_metrics(track: &BarTrack, rep: &Rep, kinematics: &Kinematics) -> RepBarMetrics {
    let n = track.samples.len().min(kinematics.time_s.len());
    if n == 0 {
        return RepBarMetrics::default();
    }
    let facing = kinematics.facing.sign();
    let first = rep
        .start_frame
        .or(rep.liftoff_frame)
        .unwrap_or(0)
        .min(n - 1);
    let last = rep
        .end_frame
        .or(rep.lockout_frame)
        .unwrap_or(n - 1)
        .min(n - 1);
    let xs: Vec<f64> = (first..=last)
        .filter_map(|i| track.x_cm_from_midfoot(i, facing))
        .collect();
    let max_forward_cm = xs.iter().copied().reduce(f64::max);
    let max_backward_cm = xs.iter().map(|x| -x).reduce(f64::max);

    let c0 = rep.liftoff_frame.unwrap_or(first).min(n - 1);
    let c1 = match rep.lockout_frame {
        Some(f) => Some(f.min(n - 1)),
        // no lockout marked: the highest point after lift-off
        None => (c0..=last)
            .filter_map(|i| Some((i, track.height_cm(i)?)))
            .fold(None, |best: Option<(usize, f64)>, (i, h)| match best {
                Some((_, bh)) if bh >= h => best,
                _ => Some((i, h)),
            })
            .map(|(i, _)| i),
    };
    let mut m = RepBarMetrics {
        max_forward_cm,
        max_backward_cm,
        ..Default::default()
    };
    let Some(c1) = c1.filter(|&c1| c1 > c0) else {
        return m;
    };
    let t = &kinematics.time_s;
    let heights: Vec<Option<f64>> = (c0..=c1).map(|i| track.height_cm(i)).collect();
    let known: Vec<f64> = heights.iter().flatten().copied().collect();
    if let (Some(lo), Some(hi)) = (
        known.iter().copied().reduce(f64::min),
        known.iter().copied().reduce(f64::max),
    ) {
        m.range_of_motion_cm = Some(hi - lo);
    }
    let duration_s = t[c1] - t[c0];
    m.time_to_lockout_s = Some(duration_s);
    if let (Some(h0), Some(h1)) = (track.height_cm(c0), track.height_cm(c1)) {
        if duration_s > 0.0 {
            m.mean_concentric_velocity_m_per_s = Some((h1 - h0) / 100.0 / duration_s);
        }
    }
    // central differences only: the one-sided ones at the clip's first and last frame are
    // not a speed at that frame
    m.peak_concentric_velocity_m_per_s = (c0..=c1)
        .filter(|&i| i >= 1 && i + 1 < n)
        .filter_map(|i| velocity_at(track, t, i, 1))
        .reduce(f64::max);
    m
}

/// The bar's vertical velocity (m/s, + up) at `frame`: the height's difference across
/// ±`half` frames over the time between them, the window cut at the clip's ends; `None` where
/// the height is unknown at either end or the window has no length. The one definition of
/// bar speed: the peak concentric velocity and the velocity plot both read it.
pub fn velocity_at(track: &BarTrack, time_s: &[f64], frame: usize, half: usize) -> Option<f64> {
    let n = track.samples.len().min(time_s.len());
    let a = frame.saturating_sub(half);
    let b = (frame + half).min(n.saturating_sub(1));
    if b <= a {
        return None;
    }
    let (ha, hb) = (track.height_cm(a)?, track.height_cm(b)?);
    let dt = time_s[b] - time_s[a];
    (dt > 0.0).then(|| (hb - ha) / 100.0 / dt)
}

/// [`velocity_at`] for every frame of the clip.
pub fn vertical_velocity_m_per_s(
    track: &BarTrack,
    time_s: &[f64],
    half: usize,
) -> Vec<Option<f64>> {
    let n = track.samples.len().min(time_s.len());
    (0..n)
        .map(|i| velocity_at(track, time_s, i, half))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bar::{BarSample, BarSource, Scale};
    use crate::kinematics::{Facing, JointTrack, Side};

    fn kin(n: usize, fps: f64, facing: Facing) -> Kinematics {
        let joints = crate::kinematics::Joint::ALL
            .iter()
            .map(|&joint| JointTrack {
                joint,
                raw: vec![None; n],
                visibility: vec![None; n],
                filtered: vec![None; n],
            })
            .collect();
        Kinematics::from_tracks(fps, Side::Left, facing, joints)
    }

    /// A bar rising 50 cm in 1 s at constant speed from frame 10, drifting forward 4 cm at
    /// the middle of the pull; 1 px = 0.5 cm; floor at y = 400, mid-foot at x = 300.
    fn track(n: usize, facing: f64) -> BarTrack {
        let samples = (0..n)
            .map(|i| {
                let t = ((i as f64 - 10.0) / 30.0).clamp(0.0, 1.0);
                let height_cm = 22.5 + 50.0 * t;
                let x_cm = 4.0 * (t * std::f64::consts::PI).sin() - 1.0;
                BarSample {
                    x_px: Some(300.0 + facing * x_cm / 0.5),
                    y_px: Some(400.0 - height_cm / 0.5),
                    source: BarSource::Plate,
                }
            })
            .collect();
        BarTrack {
            samples,
            scale: Scale {
                cm_per_px: 0.5,
                source: "plate".into(),
                confidence: 0.9,
            },
            plate: None,
            midfoot_x_px: Some(300.0),
            floor_y_px: Some(400.0),
            warnings: vec![],
        }
    }

    #[test]
    fn a_hand_made_rep_gives_its_path_and_speed() {
        for (facing, sign) in [(Facing::Right, 1.0), (Facing::Left, -1.0)] {
            let k = kin(60, 30.0, facing);
            let rep = Rep {
                start_frame: Some(0),
                liftoff_frame: Some(10),
                lockout_frame: Some(40),
                end_frame: Some(59),
                ..Default::default()
            };
            let m = rep_metrics(&track(60, sign), &rep, &k);
            assert!((m.max_forward_cm.unwrap() - 3.0).abs() < 0.05, "{m:?}");
            assert!((m.max_backward_cm.unwrap() - 1.0).abs() < 1e-9);
            assert!((m.range_of_motion_cm.unwrap() - 50.0).abs() < 1e-9);
            assert!((m.time_to_lockout_s.unwrap() - 1.0).abs() < 1e-9);
            assert!((m.mean_concentric_velocity_m_per_s.unwrap() - 0.5).abs() < 1e-9);
            assert!((m.peak_concentric_velocity_m_per_s.unwrap() - 0.5).abs() < 1e-9);
        }
    }

    #[test]
    fn a_rep_without_lockout_uses_the_highest_point() {
        let k = kin(60, 30.0, Facing::Right);
        let rep = Rep {
            liftoff_frame: Some(10),
            end_frame: Some(59),
            ..Default::default()
        };
        let m = rep_metrics(&track(60, 1.0), &rep, &k);
        // the bar reaches the top at frame 40 and stays: the first top frame counts
        assert!((m.time_to_lockout_s.unwrap() - 1.0).abs() < 1e-9, "{m:?}");
        assert!((m.range_of_motion_cm.unwrap() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn unknown_frames_give_unknown_figures() {
        let k = kin(60, 30.0, Facing::Right);
        let mut t = track(60, 1.0);
        t.midfoot_x_px = None;
        t.floor_y_px = None;
        let rep = Rep {
            liftoff_frame: Some(10),
            lockout_frame: Some(40),
            ..Default::default()
        };
        let m = rep_metrics(&t, &rep, &k);
        assert_eq!(m.max_forward_cm, None);
        assert_eq!(m.range_of_motion_cm, None);
        assert_eq!(m.mean_concentric_velocity_m_per_s, None);
    }
}
