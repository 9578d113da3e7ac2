//! Per-frame pose reliability: how far the model's skeleton in one frame can be trusted,
//! from checks that hold for any camera, body and direction (not from the model's own
//! scores alone: BlazePose is confidently wrong on far, backlit or low-camera footage).
//!
//! The score of a frame is the weakest of seven parts, each 0–1 (documented in
//! docs/development.md, "What the tool trusts"):
//! - `segments`: bones do not change length. Upper arm, forearm, thigh, shin and torso on the
//!   near side against the clip's own robust median length; within `segment_tolerance` (as a
//!   fraction) scores 1, at `segment_limit` 0 (arms get half again as much slack: the plate
//!   hides the hands).
//! - `motion`: no joint of a lifter moves faster than `max_joint_speed_torso_per_s` or
//!   changes speed faster than `max_joint_accel_torso_per_s2` (torso lengths, after a
//!   `jitter_px` allowance); a one-frame jump shows as both. Score 0 at twice the limit.
//! - `sides`: the frame's own facing (toes ahead of heels, nose ahead of the ears) agrees with
//!   the clip's; a skeleton turned the other way has its knees bending backwards.
//! - `visibility`: the model's own visibility of the joint (and its presence: whether it is in
//!   the picture at all).
//! - `size`: the torso length in pixels the model had to work with.
//! - `occlusion`: the near plate's disc covers the near hip while the lifter goes down (the
//!   shoulder sinking faster than `pose.still_speed_torso_per_s` over 0.2 s). The plate stands
//!   between the camera and the hip, and the model's hip there is a guess that stays by the
//!   plate while the hips travel back from it at the start of the descent (0.2–0.3 torso
//!   lengths ahead on the renders, the hip angle 13–19° open). On the way up the hips drive
//!   towards the bar and at lockout they stand at it, and the guess holds (−3…+4°); on real
//!   clips the lockout's slow settling reads as moving, so moving alone would blank it.
//! - `legs`: the near ankle lies below the near hip (feet on the floor, hips above them in
//!   every posture of a deadlift) by `min_ankle_below_hip_leg` of the leg; level with it or
//!   above scores 0. A skeleton folded onto the plate (the legs drawn up from the bar, the hip
//!   on the hands) keeps its bones' lengths and its motion smooth, so only the anatomy tells.
//!
//! Each joint gets its own score (its segments, motion and visibility, and the frame's sides
//! and size); a joint under `reliability.min_score` is a gap in that frame, so a wrong ankle
//! blanks the knee angle and leaves the trunk. A bone vouches for both its ends: a joint is
//! suspect only when every bone it belongs to is off. The frame's score is the weakest of the
//! shoulder, hip and knee (every main fault needs them; the knee's visibility aside, which
//! gates the knee alone) and of the torso and thigh bones (the trunk and hip angles are those
//! bones); those three joints are gated together by it (`kinematics::from_landmarks`), the
//! knee by its own score too, and a frame under `min_score` counts as unreliable for reps
//! and faults. Left/right label swaps are repaired first
//! ([`repair_swaps`]).

use super::config::ReliabilityConfig;
use crate::pose::{facing_cue, swap_sides, Landmark, NUM_LANDMARKS};

use super::{Facing, Joint, Side};

/// Landmarks of one frame (`None`: no person, or the model did not run).
pub type Frame = Option<[Landmark; NUM_LANDMARKS]>;

/// The parts of one frame's score (each 0–1), over the joints every fault needs (shoulder,
/// hip, knee).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    pub segments: f64,
    pub motion: f64,
    pub sides: f64,
    pub visibility: f64,
    pub size: f64,
    pub occlusion: f64,
    pub legs: f64,
}

impl Parts {
    /// The weakest part.
    pub fn score(&self) -> f64 {
        self.segments
            .min(self.motion)
            .min(self.sides)
            .min(self.visibility)
            .min(self.size)
            .min(self.occlusion)
            .min(self.legs)
    }
}

/// The tracked plate in one frame, in image pixels: in a side view the near plate stands
/// between the camera and the lifter's near side, so what its disc covers is hidden.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateDisc {
    pub center_x_px: f64,
    pub center_y_px: f64,
    pub radius_px: f64,
}

impl PlateDisc {
    pub fn covers(&self, x_px: f64, y_px: f64) -> bool {
        (x_px - self.center_x_px).hypot(y_px - self.center_y_px) < self.radius_px
    }
}

/// Half the span (s) over which a joint's speed is read to tell moving from still: one
/// frame's step is mostly the keypoints' jitter.
const MOVING_HALF_SPAN_S: f64 = 0.1;

/// One frame: its parts, and a score per joint (in [`Joint::ALL`] order) that gates that
/// joint alone: a wrong ankle makes the knee angle a gap, not the trunk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameReliability {
    pub parts: Parts,
    pub joints: [f64; 9],
}

/// The joints whose weakest score is the frame's score: every main fault needs the trunk
/// (shoulder, hip) and the hip angle (knee).
pub const CORE: [Joint; 3] = [Joint::Shoulder, Joint::Hip, Joint::Knee];

/// Trunk angle (keypoints, degrees, + forward) of a lifter standing: up to a 30° lean-back at
/// lockout, read up to 10° further back because the keypoint hip sits ahead of the joint; not
/// bent over (a skeleton read 29° forward at the end of a descent whose truth was 58°).
const STANDING_TRUNK_DEG: (f64, f64) = (-40.0, 20.0);

/// Reliability of every frame of a clip.
#[derive(Debug, Clone, Default)]
pub struct Reliability {
    /// Per frame; `None` where the model found no one or did not run.
    pub frames: Vec<Option<FrameReliability>>,
}

impl Reliability {
    /// Score per frame (`None` where the model found no one or did not run).
    pub fn scores(&self) -> Vec<Option<f64>> {
        self.frames
            .iter()
            .map(|p| p.map(|p| p.parts.score()))
            .collect()
    }

    /// Score of `joint` per frame.
    pub fn joint_scores(&self, joint: Joint) -> Vec<Option<f64>> {
        let j = joint_index(joint);
        self.frames.iter().map(|p| p.map(|p| p.joints[j])).collect()
    }
}

fn joint_index(joint: Joint) -> usize {
    Joint::ALL.iter().position(|&j| j == joint).unwrap_or(0)
}

/// 1 up to `full`, 0 from `zero`, linear between (`full < zero`: lower is better).
fn ramp_down(x: f64, full: f64, zero: f64) -> f64 {
    if !x.is_finite() {
        return 0.0;
    }
    ((zero - x) / (zero - full).max(1e-9)).clamp(0.0, 1.0)
}

/// 0 up to `zero`, 1 from `full`, linear between (higher is better).
fn ramp_up(x: f64, zero: f64, full: f64) -> f64 {
    if !x.is_finite() {
        return 0.0;
    }
    ((x - zero) / (full - zero).max(1e-9)).clamp(0.0, 1.0)
}

fn dist(a: &Landmark, b: &Landmark) -> f64 {
    (((a.x_px - b.x_px).powi(2) + (a.y_px - b.y_px).powi(2)) as f64).sqrt()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    (!v.is_empty()).then(|| super::filters::median_of(&mut v))
}

/// The near-side segments checked, with their slack factor (arms: the plate hides the hands).
const SEGMENTS: [(Joint, Joint, f64); 5] = [
    (Joint::Shoulder, Joint::Elbow, 1.5),
    (Joint::Elbow, Joint::Wrist, 1.5),
    (Joint::Hip, Joint::Knee, 1.0),
    (Joint::Knee, Joint::Ankle, 1.0),
    (Joint::Shoulder, Joint::Hip, 1.0),
];
/// Fewest frames with both ends of a bone seen for its median length to come from them alone.
const MIN_SEEN_FOR_MEDIAN: usize = 5;
const UPPER_ARM: usize = 0;
const FOREARM: usize = 1;
const THIGH: usize = 2;
const SHIN: usize = 3;
const TORSO: usize = 4;

/// Which segments vouch for a joint: one in good shape is enough (a wrong ankle spoils the
/// shin, not the thigh, so the knee stays); an end joint has only its own.
fn vouching_segments(joint: Joint) -> &'static [usize] {
    match joint {
        Joint::Ear | Joint::Shoulder => &[TORSO, UPPER_ARM],
        Joint::Elbow => &[UPPER_ARM, FOREARM],
        Joint::Wrist => &[FOREARM],
        Joint::Hip => &[TORSO, THIGH],
        Joint::Knee => &[THIGH, SHIN],
        Joint::Ankle | Joint::Heel | Joint::FootIndex => &[SHIN],
    }
}

/// Repairs frames where the model swapped its left and right limbs: the near side's knee,
/// ankle, foot, elbow and wrist must stay near where they were on the last frame (within
/// 0.3 s); when the far side's points lie much closer (under half the distance, and the near
/// ones moved over 0.15 torso lengths on average), the labels are swapped back. Returns the
/// number of frames repaired.
pub fn repair_swaps(frames: &mut [Frame], time_s: &[f64], side: Side) -> usize {
    let limbs = [
        Joint::Knee,
        Joint::Ankle,
        Joint::FootIndex,
        Joint::Elbow,
        Joint::Wrist,
    ];
    let far_side = match side {
        Side::Left => Side::Right,
        Side::Right => Side::Left,
    };
    let torso = median(
        frames
            .iter()
            .flatten()
            .map(|l| {
                dist(
                    &l[Joint::Shoulder.landmark(side)],
                    &l[Joint::Hip.landmark(side)],
                )
            })
            .collect(),
    );
    let Some(torso) = torso.filter(|t| *t > 1.0) else {
        return 0;
    };
    let mut repaired = 0;
    let mut last: Option<(f64, [Landmark; NUM_LANDMARKS])> = None;
    for (i, frame) in frames.iter_mut().enumerate() {
        let Some(l) = frame.as_mut() else { continue };
        let t = time_s.get(i).copied().unwrap_or(0.0);
        if let Some((t0, prev)) = last.filter(|(t0, _)| t - t0 <= 0.3) {
            let _ = t0;
            let cost = |s: Side| -> f64 {
                limbs
                    .iter()
                    .map(|j| dist(&l[j.landmark(s)], &prev[j.landmark(side)]))
                    .sum::<f64>()
                    / limbs.len() as f64
            };
            let (keep, swap) = (cost(side), cost(far_side));
            if keep > 0.15 * torso && swap < 0.5 * keep {
                swap_sides(l);
                repaired += 1;
            }
        }
        last = Some((t, *l));
    }
    repaired
}

/// Scores every frame (see the module doc). `frames` are after [`repair_swaps`].
/// `still_torso_per_s` is the shoulder and hip speed (torso lengths per second, after the
/// jitter allowance) under which the lifter stands still (`pose.still_speed_torso_per_s`, the
/// figure the model's schedule uses too).
pub fn assess(
    frames: &[Frame],
    time_s: &[f64],
    side: Side,
    facing: Facing,
    cfg: &ReliabilityConfig,
    still_torso_per_s: f64,
    plate: &[Option<PlateDisc>],
) -> Reliability {
    let n = frames.len();
    let at = |l: &[Landmark; NUM_LANDMARKS], j: Joint| l[j.landmark(side)];
    let length = |l: &[Landmark; NUM_LANDMARKS], a: Joint, b: Joint| dist(&at(l, a), &at(l, b));
    // each bone's length over the frames where the model sees both its ends: a hidden end is
    // a guess (at the set-up the plate-hidden ankle sits beside the knee), and a median over
    // those guesses made every true shin look too long
    let seen =
        |l: &[Landmark; NUM_LANDMARKS], j: Joint| at(l, j).visibility as f64 >= cfg.visibility_full;
    let medians: Vec<Option<f64>> = SEGMENTS
        .iter()
        .map(|&(a, b, _)| {
            let both: Vec<f64> = frames
                .iter()
                .flatten()
                .filter(|l| seen(l, a) && seen(l, b))
                .map(|l| length(l, a, b))
                .collect();
            if both.len() >= MIN_SEEN_FOR_MEDIAN {
                median(both)
            } else {
                median(frames.iter().flatten().map(|l| length(l, a, b)).collect())
            }
        })
        .collect();
    let torso = medians[TORSO].unwrap_or(0.0).max(1.0);
    let leg = medians[THIGH].unwrap_or(0.0) + medians[SHIN].unwrap_or(0.0);
    // previous and next frame with a pose, for the motion checks
    let known: Vec<usize> = (0..n).filter(|&i| frames[i].is_some()).collect();
    let time = |i: usize| time_s.get(i).copied().unwrap_or(i as f64 / 30.0);
    let jitter = cfg.jitter_px;
    // motion: velocity in and out of each frame (px/s), neighbours within 0.5 s
    let neighbour = |k: Option<usize>, i: usize| {
        let j = known[k?];
        let f = frames[j].as_ref()?;
        let dt = (time(j) - time(i)).abs();
        (dt > 0.0 && dt <= 0.5).then_some((f, dt))
    };
    let mut speed = vec![[0.0; 9]; known.len()];
    let mut accel = vec![[0.0; 9]; known.len()];
    for (k, &i) in known.iter().enumerate() {
        let Some(l) = frames[i].as_ref() else {
            continue;
        };
        let prev = neighbour(k.checked_sub(1), i);
        let next = neighbour((k + 1 < known.len()).then_some(k + 1), i);
        for (ji, &j) in Joint::ALL.iter().enumerate() {
            // a jump into a wrong frame and back out is fast both ways; its neighbours are
            // fast one way only
            let s = [prev, next]
                .iter()
                .flatten()
                .map(|(f, dt)| (dist(&at(l, j), &at(f, j)) - jitter).max(0.0) / dt / torso)
                .fold(f64::INFINITY, f64::min);
            speed[k][ji] = if s.is_finite() { s } else { 0.0 };
            if let (Some((p, dp)), Some((q, dq))) = (prev, next) {
                let (c, a, b) = (at(l, j), at(p, j), at(q, j));
                let v_in = ((c.x_px - a.x_px) as f64 / dp, (c.y_px - a.y_px) as f64 / dp);
                let v_out = ((b.x_px - c.x_px) as f64 / dq, (b.y_px - c.y_px) as f64 / dq);
                let dv = ((v_out.0 - v_in.0).powi(2) + (v_out.1 - v_in.1).powi(2)).sqrt();
                let allowance = 2.0 * jitter / dp.min(dq);
                accel[k][ji] = (dv - allowance).max(0.0) / (0.5 * (dp + dq)) / torso;
            }
        }
    }
    // the shoulder's downward speed over ±MOVING_HALF_SPAN_S (torso lengths per s)
    let shoulder_sinking = |k: usize| -> f64 {
        let i = known[k];
        let pick = |js: &mut dyn Iterator<Item = usize>| {
            js.take_while(|&j| (time(j) - time(i)).abs() <= MOVING_HALF_SPAN_S + 1e-6)
                .last()
        };
        let a = pick(&mut known[..k].iter().rev().copied()).unwrap_or(i);
        let b = pick(&mut known[k + 1..].iter().copied()).unwrap_or(i);
        let dt = time(b) - time(a);
        match (frames[a].as_ref(), frames[b].as_ref()) {
            (Some(p), Some(q)) if dt > 0.0 => {
                (at(q, Joint::Shoulder).y_px - at(p, Joint::Shoulder).y_px) as f64 / dt / torso
            }
            _ => 0.0,
        }
    };
    let mut out = vec![None; n];
    for (k, &i) in known.iter().enumerate() {
        let Some(l) = frames[i].as_ref() else {
            continue;
        };
        let segment_scores: Vec<f64> = SEGMENTS
            .iter()
            .zip(&medians)
            .map(|(&(a, b, slack), m)| match m {
                // a bone with a hidden end (the plate, the frame edge) says nothing
                Some(m)
                    if *m >= 1.0
                        && at(l, a).visibility as f64 >= cfg.visibility_full
                        && at(l, b).visibility as f64 >= cfg.visibility_full =>
                {
                    ramp_down(
                        (length(l, a, b) / m).ln().abs(),
                        (1.0 + slack * cfg.segment_tolerance).ln(),
                        (1.0 + slack * cfg.segment_limit).ln(),
                    )
                }
                _ => 1.0,
            })
            .collect();
        // the frame's own facing cues against the clip's: +1 all agree, −1 all disagree
        let sides = ramp_up(facing_cue(l) * facing.sign(), -0.5, 0.0);
        let size = ramp_up(
            length(l, Joint::Shoulder, Joint::Hip),
            cfg.torso_px_zero,
            cfg.torso_px_full,
        );
        let (shoulder, hip) = (joint_index(Joint::Shoulder), joint_index(Joint::Hip));
        let (sh, hp) = (at(l, Joint::Shoulder), at(l, Joint::Hip));
        // + forward; the keypoint hip sits ahead of the joint, so a 15° lean-back reads ~21°
        let trunk_forward_deg = (facing.sign() * (sh.x_px - hp.x_px) as f64)
            .atan2((hp.y_px - sh.y_px) as f64)
            .to_degrees();
        let standing_still = speed[k][shoulder].max(speed[k][hip]) < still_torso_per_s
            && (STANDING_TRUNK_DEG.0..STANDING_TRUNK_DEG.1).contains(&trunk_forward_deg);
        let hip_hidden_going_down = plate
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|d| d.covers(hp.x_px as f64, hp.y_px as f64))
            && shoulder_sinking(k) > still_torso_per_s;
        let occlusion = if hip_hidden_going_down { 0.0 } else { 1.0 };
        let ankle_below_hip_px = (at(l, Joint::Ankle).y_px - hp.y_px) as f64;
        let legs = if leg >= 1.0 {
            ramp_up(ankle_below_hip_px / leg, 0.0, cfg.min_ankle_below_hip_leg)
        } else {
            1.0
        };
        let mut joints = [0.0; 9];
        let mut core = Parts {
            segments: 1.0,
            motion: 1.0,
            sides,
            visibility: 1.0,
            size,
            occlusion,
            legs,
        };
        for (ji, &j) in Joint::ALL.iter().enumerate() {
            let segments = vouching_segments(j)
                .iter()
                .map(|&s| segment_scores[s])
                .fold(0.0, f64::max);
            // a one-frame jump peaks the acceleration on its own frame (twice its
            // neighbours'): only a local peak counts
            let around = [k.checked_sub(1), Some(k + 1)]
                .iter()
                .flatten()
                .filter_map(|&m| accel.get(m).map(|a| a[ji]))
                .fold(0.0, f64::max);
            let a = if accel[k][ji] >= around {
                accel[k][ji]
            } else {
                0.0
            };
            let motion = ramp_down(
                speed[k][ji],
                cfg.max_joint_speed_torso_per_s,
                2.0 * cfg.max_joint_speed_torso_per_s,
            )
            .min(ramp_down(
                a,
                cfg.max_joint_accel_torso_per_s2,
                2.0 * cfg.max_joint_accel_torso_per_s2,
            ));
            // presence: the model's own belief that the joint is inside the picture at all
            let visibility = ramp_up(
                at(l, j).visibility.min(at(l, j).presence) as f64,
                cfg.visibility_zero,
                cfg.visibility_full,
            );
            joints[ji] = segments.min(motion).min(visibility).min(sides).min(size);
            if j == Joint::Hip {
                joints[ji] = joints[ji].min(occlusion);
            }
            if matches!(j, Joint::Hip | Joint::Knee | Joint::Ankle) {
                joints[ji] = joints[ji].min(legs);
            }
            if CORE.contains(&j) {
                core.segments = core.segments.min(segments);
                core.motion = core.motion.min(motion);
                // A knee the model says it cannot see, on a lifter standing still and upright
                // (behind the near plate at the lockout of a shorter or heavier lifter:
                // visibility 0.2-0.3), is a gap of its own: the shoulder and hip it sees
                // still give the trunk. Bent over or moving it stays in the frame's score: on
                // the way down a hidden knee comes with the hip stuck at the bar (the trunk
                // 15-20° low, down to the floor).
                if j != Joint::Knee || !standing_still {
                    core.visibility = core.visibility.min(visibility);
                }
            }
        }
        // the trunk and hip angles are the torso and thigh bones themselves: a skeleton folded
        // into the frame (the head cut off by a low camera: a 30 px torso against 80) has
        // each end vouched for by another bone, but its trunk line is wrong
        core.segments = core
            .segments
            .min(segment_scores[TORSO])
            .min(segment_scores[THIGH]);
        out[i] = Some(FrameReliability {
            parts: core,
            joints,
        });
    }
    Reliability { frames: out }
}

/// Frames the model did not run on take the lower score of the nearest model frames on each
/// side (within `max_gap` frames), so a gap-filled frame is no more trusted than its sources.
pub fn spread_to_skipped(
    scores: &[Option<f64>],
    model_ran: &[bool],
    max_gap: usize,
) -> Vec<Option<f64>> {
    let n = scores.len();
    (0..n)
        .map(|i| {
            if model_ran.get(i).copied().unwrap_or(true) {
                return scores[i];
            }
            let before = (1..=max_gap)
                .filter_map(|d| i.checked_sub(d))
                .find_map(|j| scores[j]);
            let after = (1..=max_gap)
                .map(|d| i + d)
                .filter(|&j| j < n)
                .find_map(|j| scores[j]);
            match (before, after) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::config::PoseConfig;
    use crate::pose::idx;

    /// A standing lifter facing right, near side left, with `dy` added to every y.
    fn standing(dy: f32) -> [Landmark; NUM_LANDMARKS] {
        let mut l = [Landmark::default(); NUM_LANDMARKS];
        let mut put = |i: usize, x: f32, y: f32| {
            l[i] = Landmark {
                x_px: x,
                y_px: y + dy,
                z: 0.0,
                visibility: 0.95,
                presence: 1.0,
            }
        };
        for (li, ri, x, y) in [
            (idx::L_SHOULDER, idx::R_SHOULDER, 300.0, 100.0),
            (idx::L_ELBOW, idx::R_ELBOW, 302.0, 160.0),
            (idx::L_WRIST, idx::R_WRIST, 304.0, 215.0),
            (idx::L_HIP, idx::R_HIP, 300.0, 200.0),
            (idx::L_KNEE, idx::R_KNEE, 305.0, 290.0),
            (idx::L_ANKLE, idx::R_ANKLE, 300.0, 380.0),
            (idx::L_HEEL, idx::R_HEEL, 292.0, 388.0),
            (idx::L_FOOT, idx::R_FOOT, 325.0, 390.0),
            (idx::L_EAR, idx::R_EAR, 298.0, 70.0),
        ] {
            put(li, x, y);
            put(ri, x + 2.0, y);
        }
        put(idx::NOSE, 315.0, 72.0);
        l
    }

    fn clip(n: usize) -> (Vec<Frame>, Vec<f64>) {
        (
            vec![Some(standing(0.0)); n],
            (0..n).map(|i| i as f64 / 30.0).collect(),
        )
    }

    /// The default checks on a lifter facing right, near side left, behind `plate`.
    fn assessed(frames: &[Frame], t: &[f64], plate: &[Option<PlateDisc>]) -> Reliability {
        assess(
            frames,
            t,
            Side::Left,
            Facing::Right,
            &ReliabilityConfig::default(),
            PoseConfig::default().still_speed_torso_per_s,
            plate,
        )
    }

    fn scores(frames: &[Frame], t: &[f64]) -> Vec<f64> {
        assessed(frames, t, &[])
            .scores()
            .into_iter()
            .map(|s| s.unwrap_or(-1.0))
            .collect()
    }

    #[test]
    fn a_steady_clear_pose_is_reliable() {
        let (f, t) = clip(30);
        assert!(scores(&f, &t).iter().all(|&s| s > 0.99));
    }

    #[test]
    fn a_folded_leg_is_unreliable() {
        // the knee jumps to where the thigh is half as long: the thigh and shin lengths break
        let (mut f, t) = clip(30);
        let l = f[10].as_mut().unwrap();
        l[idx::L_KNEE].y_px = 245.0;
        l[idx::L_KNEE].x_px = 360.0;
        let s = scores(&f, &t);
        assert!(s[10] < 0.5, "{}", s[10]);
        assert!(s[5] > 0.99 && s[20] > 0.99);
    }

    #[test]
    fn a_torso_folded_into_the_frame_is_unreliable_over_several_frames() {
        // the head leaves the top of the picture: the model draws the shoulder 60 px low for
        // six frames, each end still vouched for by its other bone (upper arm, thigh)
        let (mut f, t) = clip(40);
        for fr in f.iter_mut().skip(10).take(6) {
            let l = fr.as_mut().unwrap();
            for j in [idx::L_SHOULDER, idx::L_ELBOW, idx::L_WRIST, idx::L_EAR] {
                l[j].y_px += 60.0;
            }
        }
        let s = scores(&f, &t);
        assert!(s[10..16].iter().all(|&x| x < 0.5), "{:?}", &s[10..16]);
        assert!(s[5] > 0.99 && s[25] > 0.99);
    }

    #[test]
    fn legs_drawn_up_above_the_hip_are_unreliable() {
        // the far 4.5 m render's first frames: the legs folded up onto the plate, each bone at
        // its length and the skeleton still from frame to frame, the ankle above the hip
        let (mut f, t) = clip(40);
        for fr in f.iter_mut().skip(10).take(8) {
            let l = fr.as_mut().unwrap();
            (l[idx::L_KNEE].x_px, l[idx::L_KNEE].y_px) = (385.0, 170.0);
            (l[idx::L_ANKLE].x_px, l[idx::L_ANKLE].y_px) = (330.0, 110.0);
        }
        let assessed = assessed(&f, &t, &[]);
        let s = assessed.scores();
        assert!(
            s[12..16].iter().all(|x| x.unwrap() < 0.5),
            "{:?}",
            &s[10..18]
        );
        assert_eq!(assessed.frames[13].unwrap().parts.legs, 0.0);
        assert!(assessed.frames[13].unwrap().parts.segments > 0.99);
        assert!(s[5].unwrap() > 0.99 && s[25].unwrap() > 0.99);
    }

    #[test]
    fn a_one_frame_jump_is_unreliable_and_its_neighbours_are_not() {
        let (mut f, t) = clip(30);
        // the whole skeleton 2 torso lengths away for one frame: 60 torso lengths per second
        f[12] = Some(standing(200.0));
        let s = scores(&f, &t);
        assert!(s[12] < 0.5, "{}", s[12]);
        assert!(s[11] > 0.9 && s[13] > 0.9, "{} {}", s[11], s[13]);
    }

    #[test]
    fn a_skeleton_facing_the_other_way_is_unreliable() {
        let (mut f, t) = clip(30);
        let l = f[8].as_mut().unwrap();
        for (front, back) in [(idx::L_FOOT, idx::L_HEEL), (idx::R_FOOT, idx::R_HEEL)] {
            let (a, b) = (l[front].x_px, l[back].x_px);
            l[front].x_px = b;
            l[back].x_px = a;
        }
        l[idx::NOSE].x_px = 280.0;
        assert!(scores(&f, &t)[8] < 0.5);
    }

    #[test]
    fn a_knee_hidden_behind_the_plate_is_a_gap_of_its_own() {
        let (mut f, t) = clip(30);
        f[3].as_mut().unwrap()[idx::L_KNEE].visibility = 0.2;
        let assessed = assessed(&f, &t, &[]);
        // the frame (shoulder, hip: the trunk) stays trusted, the knee alone does not
        assert!(assessed.scores()[3].unwrap() > 0.9);
        assert!(assessed.joint_scores(Joint::Knee)[3].unwrap() < 0.5);
    }

    #[test]
    fn a_hip_the_plate_hides_is_a_gap_while_the_lifter_goes_down() {
        let t: Vec<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
        let hip_y = |dy: f32| (200.0 + dy) as f64;
        let run = |dy_per_frame: f32, plate_over_hip: bool| {
            let frames: Vec<Frame> = (0..30)
                .map(|i| Some(standing(i as f32 * dy_per_frame)))
                .collect();
            let plate: Vec<Option<PlateDisc>> = (0..30)
                .map(|i| {
                    Some(PlateDisc {
                        center_x_px: if plate_over_hip { 310.0 } else { 420.0 },
                        center_y_px: hip_y(i as f32 * dy_per_frame) + 10.0,
                        radius_px: 40.0,
                    })
                })
                .collect();
            let a = assessed(&frames, &t, &plate);
            (
                a.scores()[15].unwrap(),
                a.joint_scores(Joint::Knee)[15].unwrap(),
            )
        };
        // sinking 3 px a frame is 0.9 torso lengths a second: the hidden hip is a gap, the
        // knee not
        let (frame, knee) = run(3.0, true);
        assert!(frame < 0.5, "{frame}");
        assert!(knee > 0.9, "{knee}");
        // rising as fast (the pull to lockout), standing still (the hold): the model's guess
        // holds; a plate beside the hip hides nothing
        assert!(run(-3.0, true).0 > 0.9);
        assert!(run(0.0, true).0 > 0.9);
        assert!(run(3.0, false).0 > 0.9);
    }

    #[test]
    fn low_visibility_and_a_tiny_lifter_are_unreliable() {
        let (mut f, t) = clip(30);
        for j in [idx::L_SHOULDER, idx::L_HIP, idx::L_KNEE, idx::L_ANKLE] {
            f[3].as_mut().unwrap()[j].visibility = 0.1;
        }
        assert!(scores(&f, &t)[3] < 0.5);
        // the same lifter at a tenth of the size: a 10 px torso
        let tiny: Vec<Frame> = f
            .iter()
            .map(|fr| {
                fr.map(|mut l| {
                    for p in l.iter_mut() {
                        p.x_px *= 0.1;
                        p.y_px *= 0.1;
                    }
                    l
                })
            })
            .collect();
        assert!(scores(&tiny, &t)[20] < 0.5);
    }

    #[test]
    fn swapped_limbs_are_swapped_back() {
        let (mut f, t) = clip(20);
        // the far leg set well back, then the labels swap on frames 8..12
        for fr in f.iter_mut() {
            let l = fr.as_mut().unwrap();
            for j in [
                idx::R_KNEE,
                idx::R_ANKLE,
                idx::R_FOOT,
                idx::R_ELBOW,
                idx::R_WRIST,
            ] {
                l[j].x_px -= 60.0;
            }
        }
        for fr in f.iter_mut().take(12).skip(8) {
            swap_sides(fr.as_mut().unwrap());
        }
        let repaired = repair_swaps(&mut f, &t, Side::Left);
        assert_eq!(repaired, 4);
        assert!(f.iter().all(|fr| fr.unwrap()[idx::L_KNEE].x_px == 305.0));
    }

    #[test]
    fn skipped_frames_take_the_weaker_neighbour() {
        let s = spread_to_skipped(
            &[Some(0.9), None, None, Some(0.4), None],
            &[true, false, false, true, false],
            2,
        );
        assert_eq!(s, vec![Some(0.9), Some(0.4), Some(0.4), Some(0.4), None]);
    }
}
