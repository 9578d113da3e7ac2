//! From per-frame hub positions to the clip's [`BarTrack`]: smoothing, the wrist stand-in for
//! frames without the plate, the cm-per-pixel scale (plate diameter, or body size when no
//! plate), mid-foot and the floor line, and the warnings a coach should read.

use super::plate::Ellipse;
use super::BarConfig;
use super::{BarSample, BarSource, BarTrack, PlateInfo, Scale};
use crate::kinematics::filters::{butterworth_gappy, fill_gaps, median_of};
use crate::kinematics::FilterConfig;
use crate::kinematics::{Joint, Kinematics};

/// Scale confidence with a side-on plate (the measurement itself is good to ~1%).
const PLATE_CONFIDENCE: f64 = 0.9;
const FALLBACK_CONFIDENCE: f64 = 0.5;
/// Axis ratio over which an outline is taken for a circle seen side-on.
const ROUND_AXIS_RATIO: f64 = 0.95;
/// The lifter's standing shoulder-to-ankle length through the plate's scale, as a share of
/// `bar.fallback_shoulder_to_ankle_cm` (135 cm): over [`PLATE_TOO_SMALL_BODY_SHARE`] no adult is that
/// tall (a 205 cm lifter is ~160 cm, and the plate, nearer the camera than the lifter, makes
/// the body read 5–20 % shorter still), so the plate is smaller than the stated diameter (a
/// bumper, an iron or a home-made plate) and the body gives the scale; under
/// [`PLATE_SCALE_SHORT_BODY_SHARE`] a warning only (a camera close to the plate reads the body
/// short by perspective: 83–87 cm on the 2.5 m renders).
const PLATE_TOO_SMALL_BODY_SHARE: f64 = 1.25;
const PLATE_SCALE_SHORT_BODY_SHARE: f64 = 0.65;

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        None
    } else {
        Some(median_of(&mut v))
    }
}

/// Heel and toe visibility over which a frame's foot counts as seen.
const MIN_FOOT_VISIBILITY: f32 = 0.5;
/// Fewest frames for a mid-foot estimate from a subset of frames.
const MIN_FOOT_FRAMES: usize = 3;

/// Mid-foot x: the near foot's heel/toe midpoint, median over frames where the model sees
/// the foot and, when `plate_bottom_y_px` is given, where the plate is lifted clear of it
/// (at set-up the plate hides the feet and the model guesses them, several cm off on the
/// renders). The feet stay put in a deadlift, so the median ignores the frames where the
/// model slips.
pub fn midfoot_x_px(k: &Kinematics, plate_bottom_y_px: Option<&[Option<f64>]>) -> Option<f64> {
    // feet never seen: any heel/toe position is the model's guess
    if !k.feet_in_picture {
        return None;
    }
    let (heel, toe, ankle) = (
        k.joint(Joint::Heel),
        k.joint(Joint::FootIndex),
        k.joint(Joint::Ankle),
    );
    let foot = |i: usize, need_seen: bool, need_clear: bool| -> Option<f64> {
        let (h, t) = (heel.raw.get(i).copied()??, toe.raw.get(i).copied()??);
        if need_seen {
            let seen = |v: &Vec<Option<f32>>| v.get(i).copied().flatten().unwrap_or(0.0);
            if seen(&heel.visibility).min(seen(&toe.visibility)) < MIN_FOOT_VISIBILITY {
                return None;
            }
        }
        if need_clear {
            let bottom = plate_bottom_y_px?.get(i).copied()??;
            let top_of_foot = ankle.raw.get(i).copied()??.1;
            if bottom >= top_of_foot {
                return None;
            }
        }
        Some((h.0 + t.0) / 2.0)
    };
    let pick = |seen: bool, clear: bool| -> Option<f64> {
        let v: Vec<f64> = (0..k.frames())
            .filter_map(|i| foot(i, seen, clear))
            .collect();
        (v.len() >= MIN_FOOT_FRAMES).then(|| median(v)).flatten()
    };
    pick(true, true)
        .or_else(|| pick(true, false))
        .or_else(|| pick(false, false))
}

/// Floor line under the feet (image y), median of the near heel and toe.
pub fn feet_floor_y_px(k: &Kinematics) -> Option<f64> {
    median(
        (0..k.frames())
            .flat_map(|i| [k.at(Joint::Heel, i), k.at(Joint::FootIndex, i)])
            .flatten()
            .map(|p| p.1)
            .collect(),
    )
}

/// The standing shoulder-to-ankle length in px (tallest poses), for the body-size scale.
pub fn standing_length_px(k: &Kinematics) -> Option<f64> {
    let mut lengths: Vec<f64> = (0..k.frames())
        .filter_map(|i| {
            let (s, a) = (k.at(Joint::Shoulder, i)?, k.at(Joint::Ankle, i)?);
            Some((s.0 - a.0).hypot(s.1 - a.1))
        })
        .collect();
    if lengths.is_empty() {
        return None;
    }
    lengths.sort_by(|a, b| a.total_cmp(b));
    // the tallest poses are the standing ones
    Some(lengths[(lengths.len() * 9) / 10])
}

/// The wrist midpoint as the bar, from the filtered near-side wrist.
pub fn wrist_samples(k: &Kinematics, n: usize) -> Vec<BarSample> {
    (0..n)
        .map(|i| match k.at(Joint::Wrist, i) {
            Some((x, y)) => BarSample {
                x_px: Some(x),
                y_px: Some(y),
                source: BarSource::Wrist,
            },
            None => BarSample {
                x_px: None,
                y_px: None,
                source: BarSource::None,
            },
        })
        .collect()
}

/// A track scaled by body size (no plate): lower confidence.
pub fn fallback_track(
    samples: Vec<BarSample>,
    kinematics: &Kinematics,
    cfg: &BarConfig,
) -> BarTrack {
    let cm_per_px = standing_length_px(kinematics)
        .map(|l| cfg.fallback_shoulder_to_ankle_cm / l.max(1.0))
        .unwrap_or(0.0);
    BarTrack {
        samples,
        scale: Scale {
            cm_per_px,
            source: "fallback".into(),
            confidence: FALLBACK_CONFIDENCE,
        },
        plate: None,
        midfoot_x_px: midfoot_x_px(kinematics, None),
        floor_y_px: feet_floor_y_px(kinematics),
        warnings: vec![
            "no plate tracked: bar position from the wrists, scale from body size".into(),
        ],
    }
}

/// What the streaming pass measured of the plate.
pub struct PlateObservations {
    /// Hub per frame (frame px), `None` where the plate was not followed.
    pub hub_px: Vec<Option<(f64, f64)>>,
    /// The first detection: frame and outline.
    pub first: (usize, Ellipse),
    /// Outlines measured freely in clean frames: (semi-major, semi-minor) px.
    pub axes_px: Vec<(f64, f64)>,
    /// Angle of the last known outline (radians).
    pub angle_rad: f64,
}

/// Jumps under this (px) are never outliers: a resting bar has a near-zero spread, and the
/// Hampel test would otherwise reject sub-pixel noise.
const MIN_OUTLIER_PX: f64 = 1.5;

/// Smooths a gappy coordinate: Hampel outliers replaced by their neighbours, then the
/// zero-phase low-pass. Frames that had no value stay without one.
fn smooth(values: &[Option<f64>], k: &Kinematics, f: &FilterConfig) -> Vec<Option<f64>> {
    let half = f.hampel_window_frames / 2;
    let mut cleaned = values.to_vec();
    for (i, v) in values.iter().enumerate() {
        let Some(x) = *v else { continue };
        let lo = i.saturating_sub(half);
        let hi = (i + half + 1).min(values.len());
        let mut near: Vec<f64> = values[lo..hi].iter().flatten().copied().collect();
        if near.len() < 3 {
            continue;
        }
        let m = median_of(&mut near);
        let mut dev: Vec<f64> = near.iter().map(|v| (v - m).abs()).collect();
        let sigma = 1.4826 * median_of(&mut dev);
        if (x - m).abs() > (f.hampel_n_sigma * sigma).max(MIN_OUTLIER_PX) {
            cleaned[i] = None;
        }
    }
    let filled = fill_gaps(&cleaned, half);
    let filled: Vec<Option<f64>> = filled.iter().zip(values).map(|(f, v)| v.and(*f)).collect();
    butterworth_gappy(&filled, f.butterworth_order, f.butterworth_cutoff_hz, k.fps)
}

/// Wrist travel (share of the torso length) above which the hands have clearly lifted
/// something: the reps' own minimum travel is half a torso.
const HANDS_LIFT_TORSO: f64 = 0.5;
/// A plate whose hub travels less than this share of the hands' travel over the same frames
/// is not on the lifter's bar (a caption's circle, a plate resting in the background).
const MIN_PLATE_SHARE_OF_HAND_TRAVEL: f64 = 0.25;

/// Vertical spread of a series: 5th to 95th percentile, robust to a few stray frames.
fn spread(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    at(0.95) - at(0.05)
}

/// Whether the followed "plate" stays put while the hands lift: then it is not the bar's plate.
/// Compares the vertical travel of the hub and of the wrists over the frames where both are
/// known, so a plate that was only followed while it rested is not judged by the lift.
pub fn plate_ignores_the_lift(hub_px: &[Option<(f64, f64)>], kinematics: &Kinematics) -> bool {
    let Some(torso) = kinematics.torso_px() else {
        return false;
    };
    let (hub_y, wrist_y): (Vec<f64>, Vec<f64>) = hub_px
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((h.as_ref()?.1, kinematics.at(Joint::Wrist, i)?.1)))
        .unzip();
    let hands = spread(wrist_y);
    hands > HANDS_LIFT_TORSO * torso && spread(hub_y) < MIN_PLATE_SHARE_OF_HAND_TRAVEL * hands
}

/// A stuck hub: over this window the wrists travel more than `STUCK_MIN_HAND_RADII` plate
/// radii while the hub moves less than `STUCK_MAX_HUB_SHARE` of that.
const STUCK_WINDOW_S: f64 = 0.5;
const STUCK_MIN_HAND_RADII: f64 = 0.5;
const STUCK_MAX_HUB_SHARE: f64 = 0.15;
/// A stuck hub sits still to the pixel (a background point); the frames around a stuck
/// window where it stays within this many px are stuck too (the held lockout after it).
const STUCK_STILL_PX: f64 = 1.5;

/// The hub's resting height (image y, px): the 95th percentile of its heights, the plate on
/// the floor; `None` without a hub.
fn resting_level_px(ys: &[Option<f64>]) -> Option<f64> {
    let mut heights: Vec<f64> = ys.iter().flatten().copied().collect();
    heights.sort_by(f64::total_cmp);
    heights
        .get(heights.len().saturating_sub(1) * 19 / 20)
        .copied()
}

/// Drops the hub where the tracker stuck on the background off the floor while the bar went
/// on with the hands (B22 and B23: the hub stopped at knee height while the lifter stood up,
/// which put the lockout at a trunk angle of 55°). Resting on the floor the plate is the bar
/// wherever the hands are (walking up, gripping), so only a hub half a radius above its
/// lowest height (95th percentile of y) is judged. Returns the series and the frames dropped.
fn drop_stuck_hub(
    mut xs: Vec<Option<f64>>,
    mut ys: Vec<Option<f64>>,
    wrists: &[BarSample],
    radius_px: f64,
    fps: f64,
) -> (Vec<Option<f64>>, Vec<Option<f64>>, usize) {
    let n = ys.len();
    let Some(floor_y) = resting_level_px(&ys) else {
        return (xs, ys, 0);
    };
    let wrist = |i: usize| wrists.get(i).and_then(|w| w.y_px);
    let window = ((STUCK_WINDOW_S * fps).round() as usize).max(2);
    let mut stuck = vec![false; n];
    for i in 0..n.saturating_sub(window) {
        let j = i + window;
        let (Some(h0), Some(h1), Some(w0), Some(w1)) = (ys[i], ys[j], wrist(i), wrist(j)) else {
            continue;
        };
        let hands = (w1 - w0).abs();
        if hands > STUCK_MIN_HAND_RADII * radius_px
            && (h1 - h0).abs() < STUCK_MAX_HUB_SHARE * hands
            && floor_y - h0 > 0.5 * radius_px
        {
            stuck[i..=j].iter_mut().for_each(|s| *s = true);
        }
    }
    // grow each stuck run over the neighbours where the hub has not moved
    let still = |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(a), Some(b)) if (a - b).abs() < STUCK_STILL_PX);
    for i in 1..n {
        if stuck[i - 1] && !stuck[i] && still(ys[i - 1], ys[i]) {
            stuck[i] = true;
        }
    }
    for i in (0..n.saturating_sub(1)).rev() {
        if stuck[i + 1] && !stuck[i] && still(ys[i + 1], ys[i]) {
            stuck[i] = true;
        }
    }
    let mut dropped = 0;
    for i in 0..n {
        if stuck[i] && ys[i].is_some() {
            xs[i] = None;
            ys[i] = None;
            dropped += 1;
        }
    }
    (xs, ys, dropped)
}

/// The hub keeps one offset from the wrists while the bar is in the hands: a grip does not
/// slide along the arm. A jump of more than this many plate radii in that offset between two
/// readings at most [`GRIP_JUMP_S`] apart, with the bar off the floor, is the tracker leaving
/// the plate. (Between consecutive such readings the offset moves by at most 0.76 radii on the
/// real deadlift clips, mirrored and shrunk too, and 1.07 on a clean and jerk; on A10 shrunk to
/// 300 px the hub left the plate, lost against the legs, for the lifter's shorts: 2.0 radii.)
const GRIP_JUMP_RADII: f64 = 1.5;
const GRIP_JUMP_S: f64 = 0.5;

/// Drops the hub where it left the hands: the lifted readings (hub half a radius above its
/// floor level, wrists known) are split at every jump of their hub-to-wrist offset (see
/// [`GRIP_JUMP_RADII`]); the first part, which the tracker followed from the plate it
/// detected, sets the offset, and every part further from it than the jump limit is dropped,
/// with the lifted frames around it back to the readings kept on either side (the wrists stand
/// in there). Resting on the floor the plate is the bar wherever the hands are. Returns the
/// series and the frames dropped.
fn drop_hub_off_the_grip(
    mut xs: Vec<Option<f64>>,
    mut ys: Vec<Option<f64>>,
    wrists: &[BarSample],
    radius_px: f64,
    fps: f64,
) -> (Vec<Option<f64>>, Vec<Option<f64>>, usize) {
    let n = ys.len();
    let Some(floor_y) = resting_level_px(&ys) else {
        return (xs, ys, 0);
    };
    let lifted = |y: f64| floor_y - y > 0.5 * radius_px;
    // (frame, offset, part)
    let mut read: Vec<(usize, (f64, f64), usize)> = Vec::new();
    for i in 0..n {
        let w = wrists.get(i).copied();
        let (Some(x), Some(y), Some(wx), Some(wy)) =
            (xs[i], ys[i], w.and_then(|w| w.x_px), w.and_then(|w| w.y_px))
        else {
            continue;
        };
        if !lifted(y) {
            continue;
        }
        let off = (x - wx, y - wy);
        let part = match read.last() {
            Some(&(j, o, p)) => {
                let jump = (off.0 - o.0).hypot(off.1 - o.1);
                let near = (i - j) as f64 <= GRIP_JUMP_S * fps;
                p + (near && jump > GRIP_JUMP_RADII * radius_px) as usize
            }
            None => 0,
        };
        read.push((i, off, part));
    }
    let median_of = |part: usize, axis: usize| {
        median(
            read.iter()
                .filter(|r| r.2 == part)
                .map(|r| if axis == 0 { r.1 .0 } else { r.1 .1 })
                .collect(),
        )
    };
    let (Some(rx), Some(ry)) = (median_of(0, 0), median_of(0, 1)) else {
        return (xs, ys, 0);
    };
    let parts = read.last().map_or(0, |r| r.2 + 1);
    let off_grip: Vec<bool> = (0..parts)
        .map(|p| match (median_of(p, 0), median_of(p, 1)) {
            (Some(x), Some(y)) => (x - rx).hypot(y - ry) > GRIP_JUMP_RADII * radius_px,
            _ => false,
        })
        .collect();
    // each run of readings off the grip, with the lifted frames around it back to the kept
    // readings on either side
    let mut dropped = 0;
    let mut k = 0;
    while k < read.len() {
        if !off_grip[read[k].2] {
            k += 1;
            continue;
        }
        let from = k.checked_sub(1).map_or(0, |p| read[p].0 + 1);
        let end = (k..read.len())
            .find(|&e| !off_grip[read[e].2])
            .unwrap_or(read.len());
        let to = read.get(end).map_or(n, |r| r.0);
        for i in from..to {
            if ys[i].is_some_and(lifted) {
                xs[i] = None;
                ys[i] = None;
                dropped += 1;
            }
        }
        k = end;
    }
    (xs, ys, dropped)
}

/// The track from a followed plate, the wrists standing in where it was lost.
pub fn plate_track(
    obs: &PlateObservations,
    kinematics: &Kinematics,
    cfg: &BarConfig,
    filter: &FilterConfig,
) -> BarTrack {
    let n = obs.hub_px.len();
    let xs: Vec<Option<f64>> = obs.hub_px.iter().map(|p| p.map(|p| p.0)).collect();
    let ys: Vec<Option<f64>> = obs.hub_px.iter().map(|p| p.map(|p| p.1)).collect();
    let (xs, ys) = (
        smooth(&xs, kinematics, filter),
        smooth(&ys, kinematics, filter),
    );
    let wrists = wrist_samples(kinematics, n);
    let (xs, ys, stuck) = drop_stuck_hub(xs, ys, &wrists, obs.first.1.a, kinematics.fps);
    let (xs, ys, left_grip) = drop_hub_off_the_grip(xs, ys, &wrists, obs.first.1.a, kinematics.fps);
    // the hub sits a steady offset from the wrists (grip below, plate nearer the camera):
    // learn it where both are seen so stand-in frames join the plate path without a step
    let offset = |axis: usize| {
        median(
            (0..n)
                .filter_map(|i| {
                    let hub = if axis == 0 { xs[i]? } else { ys[i]? };
                    let w = wrists[i];
                    Some(hub - if axis == 0 { w.x_px? } else { w.y_px? })
                })
                .collect(),
        )
        .unwrap_or(0.0)
    };
    let (off_x, off_y) = (offset(0), offset(1));
    let samples: Vec<BarSample> = (0..n)
        .map(|i| match (xs[i], ys[i]) {
            (Some(x), Some(y)) => BarSample {
                x_px: Some(x),
                y_px: Some(y),
                source: BarSource::Plate,
            },
            _ => match (wrists[i].x_px, wrists[i].y_px) {
                (Some(x), Some(y)) => BarSample {
                    x_px: Some(x + off_x),
                    y_px: Some(y + off_y),
                    source: BarSource::Wrist,
                },
                _ => BarSample {
                    x_px: None,
                    y_px: None,
                    source: BarSource::None,
                },
            },
        })
        .collect();

    let first = obs.first.1;
    let a_px = median(obs.axes_px.iter().map(|a| a.0).collect()).unwrap_or(first.a);
    let ratio = median(obs.axes_px.iter().map(|a| a.1 / a.0).collect())
        .unwrap_or(first.axis_ratio())
        .min(1.0);
    let shape = Ellipse {
        a: a_px,
        b: a_px * ratio,
        angle_rad: obs.angle_rad,
        ..first
    };
    // the major axis is the plate's true diameter (tilt only shortens the minor one); but a
    // free fit to a noisy circle splits it into a longer and a shorter axis, so near
    // side-on their mean is the unbiased radius
    let radius_px = if ratio >= ROUND_AXIS_RATIO {
        (shape.a + shape.b) / 2.0
    } else {
        shape.a
    };
    let mut cm_per_px = cfg.plate_diameter_cm / (2.0 * radius_px);
    let mut scale_source = "plate";
    let mut warnings = Vec::new();
    if stuck > 0 {
        warnings.push(format!(
            "the followed plate stuck on the background in {stuck} frames while the hands \
             moved on: the wrists stand in there"
        ));
    }
    if left_grip > 0 {
        warnings.push(format!(
            "the followed plate left the hands in {left_grip} frames (its offset from the wrists \
             jumped): the wrists stand in there"
        ));
    }
    let mut confidence = PLATE_CONFIDENCE;
    if ratio < cfg.min_plate_axis_ratio {
        confidence *= (ratio / cfg.min_plate_axis_ratio).clamp(0.3, 1.0);
        warnings.push(format!(
            "the plate looks elliptical (minor/major axis {ratio:.2} < {:.2}): the camera is off the side, cm figures are less sure",
            cfg.min_plate_axis_ratio
        ));
    }
    // a full-size plate is about a third of the standing shoulder-to-ankle length
    if let Some(l) = standing_length_px(kinematics) {
        let body_cm = l * cm_per_px;
        let expected = cfg.fallback_shoulder_to_ankle_cm;
        if body_cm > PLATE_TOO_SMALL_BODY_SHARE * expected {
            // every cm figure would be too large by the same factor (a 35 cm plate taken for
            // 45: drift and speed 30 % over): the body's size is the better ruler
            cm_per_px = expected / l.max(1.0);
            scale_source = "fallback";
            confidence = confidence.min(FALLBACK_CONFIDENCE);
            warnings.push(format!(
                "with a {:.0} cm plate the lifter would be {body_cm:.0} cm shoulder to ankle: the plate is smaller than {:.0} cm, so cm figures come from the lifter's size (set --plate-diameter-cm to the plate's diameter)",
                cfg.plate_diameter_cm, cfg.plate_diameter_cm
            ));
        } else if body_cm < PLATE_SCALE_SHORT_BODY_SHARE * expected {
            confidence *= 0.7;
            warnings.push(format!(
                "with a {:.0} cm plate the lifter would be {body_cm:.0} cm shoulder to ankle: the plate may not be a {:.0} cm plate, or the camera stands close to it (set --plate-diameter-cm)",
                cfg.plate_diameter_cm, cfg.plate_diameter_cm
            ));
        }
    }
    let followed = samples
        .iter()
        .filter(|s| s.source == BarSource::Plate)
        .count();
    let stand_in = samples
        .iter()
        .filter(|s| s.source == BarSource::Wrist)
        .count();
    if stand_in > 0 {
        warnings.push(format!(
            "plate not followed in {stand_in} of {n} frames: the wrists stand in there (bar_source=wrist)"
        ));
    }
    // floor: the plate rests on it, so the hub's lowest resting level plus the plate's
    // half-height is the floor at the plate's own depth (the feet are at another depth)
    let lowest = samples
        .iter()
        .filter(|s| s.source == BarSource::Plate)
        .filter_map(|s| s.y_px)
        .fold(f64::NEG_INFINITY, f64::max);
    let floor_y_px = lowest.is_finite().then(|| {
        let resting = median(
            samples
                .iter()
                .filter(|s| s.source == BarSource::Plate)
                .filter_map(|s| s.y_px)
                .filter(|y| lowest - y < 1.5)
                .collect(),
        )
        .unwrap_or(lowest);
        resting + shape.half_height()
    });
    if let (Some(plate_floor), Some(feet_floor)) = (floor_y_px, feet_floor_y_px(kinematics)) {
        if feet_floor - plate_floor > 0.4 * 2.0 * shape.half_height() {
            warnings.push(
                "the bar never rests on the floor in this clip: heights are from its lowest point"
                    .into(),
            );
        }
    }
    let plate_bottom: Vec<Option<f64>> = samples
        .iter()
        .map(|s| match s.source {
            BarSource::Plate => s.y_px.map(|y| y + shape.half_height()),
            _ => None,
        })
        .collect();
    let plate = PlateInfo {
        frame: obs.first.0,
        center_x_px: first.cx,
        center_y_px: first.cy,
        diameter_px: 2.0 * radius_px,
        axis_ratio: ratio,
    };
    BarTrack {
        samples,
        scale: Scale {
            cm_per_px,
            source: scale_source.into(),
            confidence: if followed == 0 { 0.0 } else { confidence },
        },
        plate: Some(plate),
        midfoot_x_px: midfoot_x_px(kinematics, Some(&plate_bottom)),
        floor_y_px,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{clean, lifter};

    #[test]
    fn a_circle_that_stays_put_while_the_hands_lift_is_not_the_plate() {
        let k = lifter(&clean(), 126);
        let wrist = |i: usize| k.at(Joint::Wrist, i);
        // a caption's circle: fixed while the bar goes up and down
        let still: Vec<Option<(f64, f64)>> = (0..126).map(|_| Some((50.0, 400.0))).collect();
        assert!(plate_ignores_the_lift(&still, &k));
        // the real plate: the hub a steady offset below the hands
        let carried: Vec<Option<(f64, f64)>> = (0..126)
            .map(|i| wrist(i).map(|(x, y)| (x, y + 20.0)))
            .collect();
        assert!(!plate_ignores_the_lift(&carried, &k));
        // followed only while it rested on the floor before the pull: no verdict from the lift
        let resting: Vec<Option<(f64, f64)>> = (0..126)
            .map(|i| {
                (i < 10)
                    .then(|| wrist(0).map(|(x, y)| (x, y + 20.0)))
                    .flatten()
            })
            .collect();
        assert!(!plate_ignores_the_lift(&resting, &k));
    }

    #[test]
    fn a_plate_too_small_for_the_lifter_gives_way_to_the_body_scale() {
        let k = lifter(&clean(), 126);
        let standing_px = standing_length_px(&k).unwrap();
        // the hub carried 20 px below the hands, a round plate of `radius_px`
        let track = |radius_px: f64| {
            let hub_px: Vec<Option<(f64, f64)>> = (0..126)
                .map(|i| k.at(Joint::Wrist, i).map(|(x, y)| (x, y + 20.0)))
                .collect();
            let (cx, cy) = hub_px[0].unwrap();
            let first = Ellipse {
                cx,
                cy,
                a: radius_px,
                b: radius_px,
                angle_rad: 0.0,
            };
            let obs = PlateObservations {
                hub_px,
                first: (0, first),
                axes_px: vec![(radius_px, radius_px); 10],
                angle_rad: 0.0,
            };
            plate_track(&obs, &k, &BarConfig::default(), &FilterConfig::default())
        };
        // a 45 cm plate a third of a 135 cm shoulder-to-ankle: the plate's scale
        let full = track(standing_px * 45.0 / 135.0 / 2.0);
        assert_eq!(full.scale.source, "plate");
        assert!((full.scale.cm_per_px * standing_px - 135.0).abs() < 1.0);
        // a plate 40 % smaller taken for 45 cm would make the lifter 225 cm shoulder to ankle
        let small = track(0.6 * standing_px * 45.0 / 135.0 / 2.0);
        assert_eq!(small.scale.source, "fallback", "{:?}", small.warnings);
        assert!((small.scale.cm_per_px * standing_px - 135.0).abs() < 1.0);
        assert!(small.scale.confidence <= FALLBACK_CONFIDENCE);
        assert!(small
            .warnings
            .iter()
            .any(|w| w.contains("smaller than 45 cm")));
    }

    #[test]
    fn a_hub_that_leaves_the_grip_is_dropped() {
        // the hands lift from frame 0 to 30 and hold; the hub follows 20 px below them, then
        // from frame 20 sits 100 px (2.5 radii) to the side and above: the tracker left it
        let wrists: Vec<BarSample> = (0..40)
            .map(|i| BarSample {
                x_px: Some(100.0),
                y_px: Some(400.0 - 5.0 * i.min(30) as f64),
                source: BarSource::Wrist,
            })
            .collect();
        let on_grip = |i: usize| (100.0, wrists[i].y_px.unwrap() + 20.0);
        let hub: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                let (x, y) = on_grip(i);
                if i >= 20 {
                    (x + 80.0, y - 60.0)
                } else {
                    (x, y)
                }
            })
            .collect();
        // the bar rested on the floor (y 420) before the lift: frames -10..0 of the clip
        let mut xs: Vec<Option<f64>> = vec![Some(100.0); 10];
        let mut ys: Vec<Option<f64>> = vec![Some(420.0); 10];
        xs.extend(hub.iter().map(|h| Some(h.0)));
        ys.extend(hub.iter().map(|h| Some(h.1)));
        let mut all_wrists = vec![wrists[0]; 10];
        all_wrists.extend(wrists.iter().copied());
        let (xs2, ys2, dropped) =
            drop_hub_off_the_grip(xs.clone(), ys.clone(), &all_wrists, 40.0, 30.0);
        assert_eq!(dropped, 20, "{ys2:?}");
        assert!((30..50).all(|i| xs2[i].is_none() && ys2[i].is_none()));
        assert!((0..30).all(|i| ys2[i].is_some()));
        // the same hub staying on the grip: kept
        let kept: Vec<Option<f64>> = (0..50)
            .map(|i| Some(if i < 10 { 420.0 } else { on_grip(i - 10).1 }))
            .collect();
        let (_, _, dropped) =
            drop_hub_off_the_grip(vec![Some(100.0); 50], kept, &all_wrists, 40.0, 30.0);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn a_hub_stuck_off_the_floor_while_the_hands_rise_is_dropped() {
        // wrists rise 10 px a frame to frame 20, then hold; the hub hangs 30 px below them
        // but sticks at frame 10's height from there on (B23)
        let wrist_y = |i: usize| 500.0 - 10.0 * i.min(20) as f64;
        let wrists: Vec<BarSample> = (0..40)
            .map(|i| BarSample {
                x_px: Some(100.0),
                y_px: Some(wrist_y(i)),
                source: BarSource::Wrist,
            })
            .collect();
        let hub = |stuck_from: usize| -> Vec<Option<f64>> {
            (0..40)
                .map(|i| Some(wrist_y(i.min(stuck_from)) + 30.0))
                .collect()
        };
        let xs = vec![Some(100.0); 40];
        let (xs2, ys, dropped) = drop_stuck_hub(xs.clone(), hub(10), &wrists, 40.0, 30.0);
        // (frame 9 moved only 10 px against the hands' 110 over the next window: dropped too)
        assert_eq!(dropped, 31, "{ys:?}");
        assert!((9..40).all(|i| ys[i].is_none() && xs2[i].is_none()));
        assert!((0..9).all(|i| ys[i].is_some()));
        // the same lift with the hub following the hands, held still at the top: kept
        let (_, _, dropped) = drop_stuck_hub(xs.clone(), hub(40), &wrists, 40.0, 30.0);
        assert_eq!(dropped, 0);
        // walking up to the bar: the hands move far above a plate resting on the floor
        let walking: Vec<BarSample> = (0..40)
            .map(|i| BarSample {
                y_px: Some(200.0 + 10.0 * i as f64),
                ..wrists[0]
            })
            .collect();
        let (_, _, dropped) = drop_stuck_hub(xs, vec![Some(530.0); 40], &walking, 40.0, 30.0);
        assert_eq!(dropped, 0);
    }
}
