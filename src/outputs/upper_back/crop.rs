//! The pure geometry of an upper-back crop: which rectangle of the frame shows the traced
//! back (always inside the frame, whatever the pose), and where the traced edge points and
//! the fitted curve land in the scaled crop.

use crate::kinematics::back::{BackFit, BEND_SPAN_T, FIT_T};
use crate::pose::back_contour::{BackProfile, PROFILE_T};

/// A rectangle of the frame, in px: `0 ≤ x`, `x + w ≤ frame width`, the same for y.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

/// The crops are shown side by side at this height (px): small crops of a far lifter are
/// enlarged, so the two frames compare at one size.
pub const CROP_HEIGHT_PX: i32 = 360;

/// No crop is smaller than this (px) on either side, unless the frame itself is.
pub const MIN_CROP_PX: i32 = 32;

/// The upper back with room around it: along the torso from the lumbar spine (0.15 of
/// hip→shoulder) to above the neck (1.2), across from a quarter torso in front of the
/// hip→shoulder line to half a torso behind it (the back sits 0.15–0.35 behind it), and
/// every traced edge point from there up. Clamped to the `width`×`height` frame; a pose (partly) outside
/// the frame gets the part inside, at least [`MIN_CROP_PX`] a side.
pub fn crop_rect(p: &BackProfile, width: i32, height: i32) -> Rect {
    let len = p.torso_px();
    let at = |t: f64, d: f64| {
        (
            p.hip_px.0 + t * (p.shoulder_px.0 - p.hip_px.0) + d * p.normal.0,
            p.hip_px.1 + t * (p.shoulder_px.1 - p.hip_px.1) + d * p.normal.1,
        )
    };
    let mut pts: Vec<(f64, f64)> = [(0.15, -0.25), (0.15, 0.5), (1.2, -0.25), (1.2, 0.5)]
        .iter()
        .map(|&(t, d)| at(t, d * len))
        .collect();
    pts.extend(
        (0..p.offset_px.len())
            .filter(|&i| PROFILE_T.get(i).is_some_and(|&t| t >= 0.15))
            .filter_map(|i| p.edge_point(i)),
    );
    let finite: Vec<(f64, f64)> = pts
        .into_iter()
        .filter(|q| q.0.is_finite() && q.1.is_finite())
        .collect();
    let fold = |f: fn(f64, f64) -> f64, init: f64, axis: fn(&(f64, f64)) -> f64| {
        finite.iter().map(axis).fold(init, f)
    };
    let (x0, x1) = (
        fold(f64::min, f64::INFINITY, |q| q.0),
        fold(f64::max, f64::NEG_INFINITY, |q| q.0),
    );
    let (y0, y1) = (
        fold(f64::min, f64::INFINITY, |q| q.1),
        fold(f64::max, f64::NEG_INFINITY, |q| q.1),
    );
    let (cx, cy) = (
        if x0 <= x1 {
            0.5 * (x0 + x1)
        } else {
            0.5 * width as f64
        },
        if y0 <= y1 {
            0.5 * (y0 + y1)
        } else {
            0.5 * height as f64
        },
    );
    let (x, w) = clamp_span(x0, x1, cx, width);
    let (y, h) = clamp_span(y0, y1, cy, height);
    Rect { x, y, w, h }
}

/// `[lo, hi]` clamped to `[0, size]`, widened to [`MIN_CROP_PX`] about the (clamped) centre
/// where it got too narrow: `(start, length)`.
fn clamp_span(lo: f64, hi: f64, centre: f64, size: i32) -> (i32, i32) {
    let size = size.max(1);
    let min = MIN_CROP_PX.min(size);
    let clamp = |v: f64| {
        if v.is_finite() {
            v.round().clamp(0.0, size as f64) as i32
        } else {
            0
        }
    };
    let (a, b) = (clamp(lo), clamp(hi));
    if b - a >= min {
        return (a, b - a);
    }
    let c = clamp(centre);
    let a = (c - min / 2).clamp(0, size - min);
    (a, min)
}

/// Where the fitted curve runs in the frame: points from [`FIT_T`]'s lower to its upper end.
pub fn curve_points(p: &BackProfile, fit: &BackFit) -> Vec<(f64, f64)> {
    let steps = 40;
    (0..=steps)
        .map(|k| {
            let t = FIT_T.0 + (FIT_T.1 - FIT_T.0) * k as f64 / steps as f64;
            on_curve(p, fit, t)
        })
        .collect()
}

/// The curve's point at `t` in frame px.
fn on_curve(p: &BackProfile, fit: &BackFit, t: f64) -> (f64, f64) {
    let len = p.torso_px();
    let d = fit.offset_at(t) * len;
    (
        p.hip_px.0 + t * (p.shoulder_px.0 - p.hip_px.0) + d * p.normal.0,
        p.hip_px.1 + t * (p.shoulder_px.1 - p.hip_px.1) + d * p.normal.1,
    )
}

/// The chord over [`BEND_SPAN_T`]: the bend is read from the area between it and the
/// curve, so the two drawn together show what was measured. Its two ends in frame px.
pub fn bend_chord(p: &BackProfile, fit: &BackFit) -> ((f64, f64), (f64, f64)) {
    (
        on_curve(p, fit, BEND_SPAN_T.0),
        on_curve(p, fit, BEND_SPAN_T.1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::back::fit_back;

    /// An upright torso of `len` px with its hip at `hip`, the back to the left, bulging.
    fn profile(hip: (f64, f64), len: f64) -> BackProfile {
        BackProfile::crisp(
            hip,
            (hip.0, hip.1 - len),
            (-1.0, 0.0),
            PROFILE_T
                .iter()
                .map(|&t| Some(len * (0.15 + 0.1 * (1.0 - (t - 0.65).powi(2) / 0.3))))
                .collect(),
        )
    }

    fn inside(r: Rect, w: i32, h: i32) -> bool {
        r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= w && r.y + r.h <= h
    }

    #[test]
    fn the_crop_holds_the_traced_back_with_room_around_it() {
        let p = profile((960.0, 700.0), 300.0);
        let r = crop_rect(&p, 1920, 1080);
        assert!(inside(r, 1920, 1080), "{r:?}");
        let fitted = (0..PROFILE_T.len()).filter(|&i| PROFILE_T[i] >= FIT_T.0);
        for q in fitted.filter_map(|i| p.edge_point(i)) {
            assert!(q.0 > r.x as f64 && q.0 < (r.x + r.w) as f64, "{q:?} {r:?}");
            assert!(q.1 > r.y as f64 && q.1 < (r.y + r.h) as f64, "{q:?} {r:?}");
        }
        // about the torso's size: 0.75 torso across, 1.05 along
        assert!((r.w - 225).abs() < 10 && (r.h - 315).abs() < 10, "{r:?}");
    }

    #[test]
    fn the_crop_stays_inside_the_frame_for_any_pose() {
        let (w, h) = (1280, 720);
        for hip in [
            (5.0, 700.0),
            (1275.0, 10.0),
            (-400.0, 300.0),
            (2000.0, 2000.0),
            (640.0, -900.0),
            (f64::NAN, 300.0),
        ] {
            for len in [0.0, 20.0, 300.0, 5000.0] {
                let r = crop_rect(&profile(hip, len), w, h);
                assert!(inside(r, w, h), "hip {hip:?} len {len}: {r:?}");
                assert!(r.w >= MIN_CROP_PX && r.h >= MIN_CROP_PX, "{r:?}");
            }
        }
        // a frame smaller than the least crop: the whole frame
        let r = crop_rect(&profile((10.0, 20.0), 15.0), 20, 24);
        assert_eq!(
            r,
            Rect {
                x: 0,
                y: 0,
                w: 20,
                h: 24
            }
        );
    }

    #[test]
    fn the_curve_and_its_chord_lie_on_the_traced_edge() {
        let p = profile((500.0, 600.0), 200.0);
        let fit = fit_back(&p).unwrap();
        let curve = curve_points(&p, &fit);
        // the traced points at t = 0.5: the curve passes within a pixel of them
        let edge = p.edge_point(20).unwrap();
        let nearest = curve
            .iter()
            .map(|c| (c.0 - edge.0).hypot(c.1 - edge.1))
            .fold(f64::INFINITY, f64::min);
        assert!(nearest < 3.0, "{nearest}");
        // the chord's ends lie on the curve, and the back bulges out beyond it
        let (a, b) = bend_chord(&p, &fit);
        for end in [a, b] {
            let on = curve
                .iter()
                .map(|c| (c.0 - end.0).hypot(c.1 - end.1))
                .fold(f64::INFINITY, f64::min);
            assert!(on < 3.0, "{on}");
        }
        let mid = on_curve(&p, &fit, 0.5 * (BEND_SPAN_T.0 + BEND_SPAN_T.1));
        // the back is to the left (normal −x): the curve's middle lies left of the chord
        assert!(mid.0 < 0.5 * (a.0 + b.0), "{mid:?} {a:?} {b:?}");
        assert!(fit.bend_deg > 5.0, "{}", fit.bend_deg);
    }
}
