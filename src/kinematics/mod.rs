//! Kinematics: from per-frame landmarks to filtered joint trajectories and joint angles.
//! Decides once per video which side faces the camera and which way the lifter faces, then
//! uses that side's joints throughout. Works on plain series, so it is tested without video.

pub mod angles;
pub mod back;
pub mod config;
pub mod feet;
pub mod filters;
pub mod reliability;

use serde::Serialize;

use crate::pose::PoseConfig;
use crate::pose::{idx, Landmark, NUM_LANDMARKS};
pub use config::{FilterConfig, ReliabilityConfig};
use filters::Gappy;

/// What the per-frame pass knew about one frame beside its landmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFacts {
    /// The model ran on it (else its landmarks are filled from the neighbours).
    pub model_ran: bool,
    /// The tracked plate there: what it covers is hidden from the camera.
    pub plate: Option<reliability::PlateDisc>,
}

/// Which body side faces the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

/// Which way the lifter faces in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Facing {
    /// Towards image-right (+x).
    Right,
    /// Towards image-left (−x).
    Left,
}

impl Facing {
    /// +1 facing image-right, −1 facing image-left.
    pub fn sign(self) -> f64 {
        match self {
            Facing::Right => 1.0,
            Facing::Left => -1.0,
        }
    }
}

/// The joints the analysis uses, on the near side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Joint {
    Ear,
    Shoulder,
    Elbow,
    Wrist,
    Hip,
    Knee,
    Ankle,
    Heel,
    FootIndex,
}

impl Joint {
    pub const ALL: [Joint; 9] = [
        Joint::Ear,
        Joint::Shoulder,
        Joint::Elbow,
        Joint::Wrist,
        Joint::Hip,
        Joint::Knee,
        Joint::Ankle,
        Joint::Heel,
        Joint::FootIndex,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Joint::Ear => "ear",
            Joint::Shoulder => "shoulder",
            Joint::Elbow => "elbow",
            Joint::Wrist => "wrist",
            Joint::Hip => "hip",
            Joint::Knee => "knee",
            Joint::Ankle => "ankle",
            Joint::Heel => "heel",
            Joint::FootIndex => "foot_index",
        }
    }

    /// BlazePose landmark index of this joint on `side`.
    pub fn landmark(self, side: Side) -> usize {
        let (l, r) = match self {
            Joint::Ear => (idx::L_EAR, idx::R_EAR),
            Joint::Shoulder => (idx::L_SHOULDER, idx::R_SHOULDER),
            Joint::Elbow => (idx::L_ELBOW, idx::R_ELBOW),
            Joint::Wrist => (idx::L_WRIST, idx::R_WRIST),
            Joint::Hip => (idx::L_HIP, idx::R_HIP),
            Joint::Knee => (idx::L_KNEE, idx::R_KNEE),
            Joint::Ankle => (idx::L_ANKLE, idx::R_ANKLE),
            Joint::Heel => (idx::L_HEEL, idx::R_HEEL),
            Joint::FootIndex => (idx::L_FOOT, idx::R_FOOT),
        };
        if side == Side::Left {
            l
        } else {
            r
        }
    }
}

/// A 2-D trajectory with gaps, image pixels.
pub type Track = Vec<Option<(f64, f64)>>;

/// One joint over the clip: raw model output, visibility, and the filtered trajectory.
#[derive(Debug, Clone)]
pub struct JointTrack {
    pub joint: Joint,
    pub raw: Track,
    pub visibility: Vec<Option<f32>>,
    pub filtered: Track,
}

impl JointTrack {
    /// A trajectory known exactly (hand-made series): raw and filtered are the same, with one
    /// visibility throughout.
    pub fn exact(joint: Joint, track: Track, visibility: f32) -> Self {
        JointTrack {
            joint,
            raw: track.clone(),
            visibility: vec![Some(visibility); track.len()],
            filtered: track,
        }
    }
}

/// Joint angles per frame (degrees; `None` = unknown). Conventions in [`angles`].
#[derive(Debug, Clone, Default)]
pub struct AngleSeries {
    pub trunk_angle_deg: Gappy,
    pub hip_angle_deg: Gappy,
    pub knee_angle_deg: Gappy,
    pub shin_angle_deg: Gappy,
    pub neck_angle_deg: Gappy,
}

/// The kinematics of one clip.
#[derive(Debug, Clone)]
pub struct Kinematics {
    pub fps: f64,
    pub time_s: Vec<f64>,
    pub side: Side,
    pub facing: Facing,
    pub joints: Vec<JointTrack>,
    pub angles: AngleSeries,
    /// Pose reliability per frame, 0–1 (see [`reliability`]); `None` where no one was found.
    /// Frames the model skipped take the weaker of their neighbours'.
    pub reliability: Vec<Option<f64>>,
    /// Under this a frame is unreliable (`reliability.min_score`).
    pub min_reliability: f64,
    /// Frames whose left/right labels were swapped back.
    pub swaps_repaired: usize,
    /// Time the swap repair and the reliability checks took (ms), for the benchmark.
    pub reliability_ms: f64,
    /// Whether the model sees the feet at all ([`feet::feet_in_picture`]); when not, the knee
    /// and everything below it are gaps throughout.
    pub feet_in_picture: bool,
}

impl Kinematics {
    /// Whether `frame` has a pose good enough to measure from.
    pub fn reliable(&self, frame: usize) -> bool {
        self.reliability
            .get(frame)
            .copied()
            .flatten()
            .is_some_and(|r| r >= self.min_reliability)
    }

    /// Reliable frames in `from..=to`, and how many frames that is.
    pub fn reliable_count(&self, from: usize, to: usize) -> (usize, usize) {
        let to = to.min(self.frames().saturating_sub(1));
        if from > to {
            return (0, 0);
        }
        (
            (from..=to).filter(|&i| self.reliable(i)).count(),
            to - from + 1,
        )
    }

    /// Mean reliability over `from..=to` (0 where unknown).
    pub fn mean_reliability(&self, from: usize, to: usize) -> f64 {
        let to = to.min(self.frames().saturating_sub(1));
        if from > to {
            return 0.0;
        }
        (from..=to)
            .map(|i| self.reliability.get(i).copied().flatten().unwrap_or(0.0))
            .sum::<f64>()
            / (to - from + 1) as f64
    }

    /// Median hip→shoulder distance in px: the lifter's size, for every relative threshold.
    pub fn torso_px(&self) -> Option<f64> {
        let mut v: Vec<f64> = (0..self.frames())
            .filter_map(|i| {
                let (s, h) = (self.at(Joint::Shoulder, i)?, self.at(Joint::Hip, i)?);
                Some(((s.0 - h.0).powi(2) + (s.1 - h.1).powi(2)).sqrt())
            })
            .collect();
        if v.is_empty() {
            return None;
        }
        Some(filters::median_of(&mut v))
    }

    pub fn frames(&self) -> usize {
        self.time_s.len()
    }

    pub fn joint(&self, joint: Joint) -> &JointTrack {
        // ALL order is the construction order
        &self.joints[Joint::ALL.iter().position(|&j| j == joint).unwrap_or(0)]
    }

    /// Filtered position of `joint` at `frame`.
    pub fn at(&self, joint: Joint, frame: usize) -> Option<(f64, f64)> {
        self.joint(joint).filtered.get(frame).copied().flatten()
    }

    /// Builds kinematics from already-filtered near-side trajectories (tests, and the last
    /// step of [`from_landmarks`]).
    pub fn from_tracks(fps: f64, side: Side, facing: Facing, joints: Vec<JointTrack>) -> Self {
        let n = joints.first().map(|j| j.filtered.len()).unwrap_or(0);
        let time_s = (0..n).map(|i| i as f64 / fps).collect();
        let mut k = Kinematics {
            fps,
            time_s,
            side,
            facing,
            joints,
            angles: AngleSeries::default(),
            reliability: vec![Some(1.0); n],
            min_reliability: ReliabilityConfig::default().min_score,
            swaps_repaired: 0,
            reliability_ms: 0.0,
            feet_in_picture: true,
        };
        k.angles = compute_angles(&k);
        k
    }
}

/// Per-frame angles from the filtered trajectories. Each angle is kept only inside its
/// anatomical range ([`angles::RANGES`]); outside it is a gap. Never unwrapped: every range
/// is narrower than a turn, so a wrong reading can never be carried into the next frames.
pub fn compute_angles(k: &Kinematics) -> AngleSeries {
    let f = k.facing.sign();
    let n = k.frames();
    let series = |range: angles::Range, g: &dyn Fn(usize) -> Option<f64>| -> Gappy {
        (0..n)
            .map(|i| g(i).filter(|a| range.contains(*a)))
            .collect()
    };
    use Joint::*;
    AngleSeries {
        trunk_angle_deg: series(angles::TRUNK_RANGE_DEG, &|i| {
            Some(angles::trunk_angle_deg(
                k.at(Hip, i)?,
                k.at(Shoulder, i)?,
                f,
            ))
        }),
        hip_angle_deg: series(angles::HIP_RANGE_DEG, &|i| {
            Some(angles::hip_angle_deg(
                k.at(Shoulder, i)?,
                k.at(Hip, i)?,
                k.at(Knee, i)?,
                f,
            ))
        }),
        knee_angle_deg: series(angles::KNEE_RANGE_DEG, &|i| {
            Some(angles::knee_angle_deg(
                k.at(Hip, i)?,
                k.at(Knee, i)?,
                k.at(Ankle, i)?,
                f,
            ))
        }),
        shin_angle_deg: series(angles::SHIN_RANGE_DEG, &|i| {
            Some(angles::shin_angle_deg(k.at(Ankle, i)?, k.at(Knee, i)?, f))
        }),
        neck_angle_deg: series(angles::NECK_RANGE_DEG, &|i| {
            Some(angles::neck_angle_deg(
                k.at(Hip, i)?,
                k.at(Shoulder, i)?,
                k.at(Ear, i)?,
                f,
            ))
        }),
    }
}

/// The side whose limbs the model sees better over the clip.
pub fn choose_side(frames: &[Option<[Landmark; NUM_LANDMARKS]>]) -> Side {
    let limbs = [
        Joint::Shoulder,
        Joint::Elbow,
        Joint::Wrist,
        Joint::Hip,
        Joint::Knee,
        Joint::Ankle,
    ];
    let score = |side: Side| -> f64 {
        frames
            .iter()
            .flatten()
            .map(|lms| {
                limbs
                    .iter()
                    .map(|j| lms[j.landmark(side)].visibility as f64)
                    .sum::<f64>()
            })
            .sum()
    };
    if score(Side::Left) >= score(Side::Right) {
        Side::Left
    } else {
        Side::Right
    }
}

/// Which way the lifter faces: toes ahead of heels and nose ahead of ears, voted over frames.
pub fn choose_facing(frames: &[Option<[Landmark; NUM_LANDMARKS]>]) -> Facing {
    let mut vote = 0.0;
    for lms in frames.iter().flatten() {
        for (front, back) in [
            (idx::L_FOOT, idx::L_HEEL),
            (idx::R_FOOT, idx::R_HEEL),
            (idx::NOSE, idx::L_EAR),
            (idx::NOSE, idx::R_EAR),
        ] {
            let dx = (lms[front].x_px - lms[back].x_px) as f64;
            let w = (lms[front].visibility.min(lms[back].visibility)) as f64;
            vote += w * dx.signum();
        }
    }
    if vote >= 0.0 {
        Facing::Right
    } else {
        Facing::Left
    }
}

/// Filters one coordinate series: visibility gate, Hampel, gap fill, Butterworth.
pub fn filter_coordinate(values: &[Option<f64>], fps: f64, cfg: &FilterConfig) -> Gappy {
    let max_gap = (cfg.max_gap_s * fps).round().max(0.0) as usize;
    // Sub-pixel jitter is never an outlier: a 0.5 px floor on the robust sigma.
    let cleaned = filters::hampel(values, cfg.hampel_window_frames, cfg.hampel_n_sigma, 0.5);
    let filled = filters::fill_gaps(&cleaned, max_gap);
    filters::butterworth_gappy(
        &filled,
        cfg.butterworth_order,
        cfg.butterworth_cutoff_hz,
        fps,
    )
}

/// Builds the near-side joint tracks, filtered, from per-frame landmarks; the hip is moved to
/// the joint centre (see `pose.hip_forward_offset_torso_fraction`) and its tracking lag is
/// undone (see `pose.hip_tracking_lag_frames`). Left/right swaps are repaired first, and
/// frames under `reliability.min_score` are gaps: left out before filtering (a wrong reading
/// would leak into its neighbours through the filters) and blank after it.
/// `facts[i]` says whether the model ran on frame `i` (the frames it skipped are filled from
/// their neighbours) and where the tracked plate stood in it.
pub fn from_landmarks(
    frames: &[Option<[Landmark; NUM_LANDMARKS]>],
    facts: &[FrameFacts],
    time_s: Vec<f64>,
    fps: f64,
    cfg: &FilterConfig,
    pose: &PoseConfig,
    reliability_cfg: &ReliabilityConfig,
) -> Kinematics {
    let model_ran: Vec<bool> = facts.iter().map(|f| f.model_ran).collect();
    let plate: Vec<Option<reliability::PlateDisc>> = facts.iter().map(|f| f.plate).collect();
    let side = choose_side(frames);
    let started = std::time::Instant::now();
    let mut frames = frames.to_vec();
    let swaps_repaired = reliability::repair_swaps(&mut frames, &time_s, side);
    let facing = choose_facing(&frames);
    let assessed = reliability::assess(
        &frames,
        &time_s,
        side,
        facing,
        reliability_cfg,
        pose.still_speed_torso_per_s,
        &plate,
    );
    let scores = assessed.scores();
    let below = |s: &Option<f64>| s.is_some_and(|s| s < reliability_cfg.min_score);
    let reliability_ms = started.elapsed().as_secs_f64() * 1000.0;
    let max_gap = (cfg.max_gap_s * fps).round().max(1.0) as usize;
    let reliability = reliability::spread_to_skipped(&scores, &model_ran, max_gap);
    let frames = &frames[..];
    let joints = Joint::ALL
        .iter()
        .map(|&joint| {
            let li = joint.landmark(side);
            // the trunk and hip angles stand on the shoulder, hip and knee together: one of
            // them off (a knee drawn on the plate) puts the others in doubt too, so they go
            // by the frame's score; the other joints by their own
            let scores = if joint == Joint::Knee {
                // the frame's score leaves out the knee's visibility: its own score has it
                scores
                    .iter()
                    .zip(assessed.joint_scores(joint))
                    .map(|(f, j)| Some(f.as_ref()?.min(j?)))
                    .collect()
            } else if reliability::CORE.contains(&joint) {
                scores.clone()
            } else {
                assessed.joint_scores(joint)
            };
            // a frame the model skipped takes its neighbours' lower score (as `frames.csv`
            // shows it): next to an unreliable frame its gap-filled value is no angle either
            let unreliable: Vec<bool> =
                reliability::spread_to_skipped(&scores, &model_ran, max_gap)
                    .iter()
                    .map(below)
                    .collect();
            let raw: Track = frames
                .iter()
                .map(|f| f.as_ref().map(|l| (l[li].x_px as f64, l[li].y_px as f64)))
                .collect();
            let visibility: Vec<Option<f32>> = frames
                .iter()
                .map(|f| f.as_ref().map(|l| l[li].visibility))
                .collect();
            let gated = |axis: usize| -> Gappy {
                raw.iter()
                    .zip(&visibility)
                    .zip(&unreliable)
                    .map(|((p, v), &bad)| match (p, v) {
                        (Some(p), Some(v)) if *v >= cfg.min_visibility && !bad => {
                            Some(if axis == 0 { p.0 } else { p.1 })
                        }
                        _ => None,
                    })
                    .collect()
            };
            let xs = filter_coordinate(&gated(0), fps, cfg);
            let ys = filter_coordinate(&gated(1), fps, cfg);
            let filtered = xs
                .iter()
                .zip(&ys)
                .zip(&unreliable)
                .map(|((x, y), &bad)| if bad { None } else { Some(((*x)?, (*y)?)) })
                .collect();
            JointTrack {
                joint,
                raw,
                visibility,
                filtered,
            }
        })
        .collect::<Vec<_>>();
    let mut joints = joints;
    let seen_visibility = reliability_cfg.visibility_full as f32;
    let feet_in_picture = feet::feet_in_picture(&joints, seen_visibility);
    if !feet_in_picture {
        for t in joints
            .iter_mut()
            .filter(|t| feet::LOWER_LEG.contains(&t.joint))
        {
            t.filtered.iter_mut().for_each(|p| *p = None);
        }
    } else if let Some(torso_px) = median_torso_px(&joints) {
        let reliable: Vec<bool> = scores
            .iter()
            .map(|s| s.is_some_and(|s| s >= reliability_cfg.min_score))
            .collect();
        feet::plant(&mut joints, seen_visibility, &reliable, torso_px);
    }
    lead_hip_by_lag(&mut joints, pose.hip_tracking_lag_frames);
    shift_hip_to_joint_centre(&mut joints, facing, pose.hip_forward_offset_torso_fraction);
    let mut k = Kinematics::from_tracks(fps, side, facing, joints);
    k.time_s = time_s;
    k.reliability = reliability;
    k.min_reliability = reliability_cfg.min_score;
    k.swaps_repaired = swaps_repaired;
    k.reliability_ms = reliability_ms;
    k.feet_in_picture = feet_in_picture;
    k
}

/// Moves the filtered hip ahead along its own velocity by `lag_frames` frames: the tracker
/// centres each frame's crop on the previous frame's hip midpoint and the model's hip
/// keypoint is drawn towards the crop centre, so it trails the moving hip. The velocity is
/// the central difference of the filtered track (one-sided at a gap or an end).
fn lead_hip_by_lag(joints: &mut [JointTrack], lag_frames: f64) {
    if lag_frames == 0.0 {
        return;
    }
    let hip = Joint::ALL
        .iter()
        .position(|&x| x == Joint::Hip)
        .unwrap_or(0);
    let track = &joints[hip].filtered;
    let at = |i: Option<usize>| i.and_then(|i| track.get(i).copied().flatten());
    let velocity_px_per_frame: Vec<Option<(f64, f64)>> = (0..track.len())
        .map(|i| {
            let (prev, next) = (at(i.checked_sub(1)), at(Some(i + 1)));
            let ((a, b), frames) = match (prev, at(Some(i)), next) {
                (Some(p), _, Some(n)) => ((p, n), 2.0),
                (None, Some(c), Some(n)) => ((c, n), 1.0),
                (Some(p), Some(c), None) => ((p, c), 1.0),
                _ => return None,
            };
            Some(((b.0 - a.0) / frames, (b.1 - a.1) / frames))
        })
        .collect();
    for (p, v) in joints[hip].filtered.iter_mut().zip(velocity_px_per_frame) {
        if let (Some(p), Some(v)) = (p.as_mut(), v) {
            p.0 += lag_frames * v.0;
            p.1 += lag_frames * v.1;
        }
    }
}

/// Median shoulder–hip length of the filtered tracks (px), `None` when never both known.
fn median_torso_px(joints: &[JointTrack]) -> Option<f64> {
    let pos = |j: Joint| Joint::ALL.iter().position(|&x| x == j).unwrap_or(0);
    let (shoulder, hip) = (pos(Joint::Shoulder), pos(Joint::Hip));
    let mut lengths: Vec<f64> = joints[shoulder]
        .filtered
        .iter()
        .zip(&joints[hip].filtered)
        .filter_map(|(s, h)| Some(((*s)?, (*h)?)))
        .map(|(s, h)| ((s.0 - h.0).powi(2) + (s.1 - h.1).powi(2)).sqrt())
        .collect();
    (!lengths.is_empty()).then(|| filters::median_of(&mut lengths))
}

/// Moves the filtered hip back (against the facing direction) by `fraction` of the median
/// shoulder–hip length over the clip.
fn shift_hip_to_joint_centre(joints: &mut [JointTrack], facing: Facing, fraction: f64) {
    let Some(torso_px) = median_torso_px(joints).filter(|_| fraction != 0.0) else {
        return;
    };
    let pos = |j: Joint| Joint::ALL.iter().position(|&x| x == j).unwrap_or(0);
    let hip = pos(Joint::Hip);
    let shift_px = fraction * torso_px * facing.sign();
    for p in joints[hip].filtered.iter_mut().flatten() {
        p.0 -= shift_px;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kinematics of hand-made frames at 30 fps with the default settings.
    fn kinematics_of(frames: &[Option<[Landmark; NUM_LANDMARKS]>]) -> Kinematics {
        let n = frames.len();
        let facts = FrameFacts {
            model_ran: true,
            plate: None,
        };
        from_landmarks(
            frames,
            &vec![facts; n],
            (0..n).map(|i| i as f64 / 30.0).collect(),
            30.0,
            &FilterConfig::default(),
            &PoseConfig::default(),
            &ReliabilityConfig::default(),
        )
    }

    fn lifter(facing_right: bool, near_left: bool) -> [Landmark; NUM_LANDMARKS] {
        let mut l = [Landmark::default(); NUM_LANDMARKS];
        let s = if facing_right { 1.0 } else { -1.0 };
        let mut put = |i: usize, x: f32, y: f32, v: f32| {
            l[i] = Landmark {
                x_px: 300.0 + s * x,
                y_px: y,
                z: 0.0,
                visibility: v,
                presence: 1.0,
            }
        };
        let (near, far) = if near_left { (0.99, 0.4) } else { (0.4, 0.99) };
        for (li, ri, x, y) in [
            (idx::L_SHOULDER, idx::R_SHOULDER, 40.0, 100.0),
            (idx::L_HIP, idx::R_HIP, 0.0, 200.0),
            (idx::L_KNEE, idx::R_KNEE, 30.0, 280.0),
            (idx::L_ANKLE, idx::R_ANKLE, 10.0, 360.0),
            (idx::L_HEEL, idx::R_HEEL, 0.0, 370.0),
            (idx::L_FOOT, idx::R_FOOT, 40.0, 372.0),
            (idx::L_EAR, idx::R_EAR, 45.0, 70.0),
            (idx::L_WRIST, idx::R_WRIST, 40.0, 240.0),
            (idx::L_ELBOW, idx::R_ELBOW, 40.0, 170.0),
        ] {
            put(li, x, y, near);
            put(ri, x, y, far);
        }
        put(idx::NOSE, 60.0, 75.0, 0.99);
        l
    }

    #[test]
    fn side_and_facing_are_found() {
        let frames = vec![Some(lifter(true, true)); 10];
        assert_eq!(choose_side(&frames), Side::Left);
        assert_eq!(choose_facing(&frames), Facing::Right);
        let frames = vec![Some(lifter(false, false)); 10];
        assert_eq!(choose_side(&frames), Side::Right);
        assert_eq!(choose_facing(&frames), Facing::Left);
    }

    #[test]
    fn mirrored_lifters_get_the_same_angles() {
        let a = kinematics_of(&vec![Some(lifter(true, true)); 30]);
        let b = kinematics_of(&vec![Some(lifter(false, false)); 30]);
        let (ta, tb) = (
            a.angles.trunk_angle_deg[15].unwrap(),
            b.angles.trunk_angle_deg[15].unwrap(),
        );
        assert!((ta - tb).abs() < 1e-6 && ta > 20.0, "{ta} {tb}");
        let (ha, hb) = (
            a.angles.hip_angle_deg[15].unwrap(),
            b.angles.hip_angle_deg[15].unwrap(),
        );
        assert!((ha - hb).abs() < 1e-6);
    }

    #[test]
    fn hip_is_led_by_its_velocity_times_the_lag() {
        // hip moving back 3 px/frame, with a gap at frame 5
        let mut hip: Track = (0..10)
            .map(|i| Some((100.0 - 3.0 * i as f64, 50.0)))
            .collect();
        hip[5] = None;
        let still: Track = vec![Some((0.0, 0.0)); 10];
        let mut joints: Vec<JointTrack> = Joint::ALL
            .iter()
            .map(|&j| {
                JointTrack::exact(
                    j,
                    if j == Joint::Hip {
                        hip.clone()
                    } else {
                        still.clone()
                    },
                    1.0,
                )
            })
            .collect();
        lead_hip_by_lag(&mut joints, 1.0);
        let led = &joints[Joint::ALL.iter().position(|&j| j == Joint::Hip).unwrap()].filtered;
        // interior, and one-sided next to the gap and at both ends: one frame ahead
        for i in [0, 2, 4, 6, 9] {
            let p = led[i].unwrap();
            assert!(
                (p.0 - (97.0 - 3.0 * i as f64)).abs() < 1e-9 && p.1 == 50.0,
                "{i} {p:?}"
            );
        }
        assert!(led[5].is_none());
        // the other joints are untouched
        assert_eq!(joints[0].filtered, still);
    }

    #[test]
    fn frames_without_a_person_stay_unknown() {
        let mut frames = vec![Some(lifter(true, true)); 40];
        for f in frames.iter_mut().skip(10).take(15) {
            *f = None; // 0.5 s: longer than the 0.2 s gap limit
        }
        let k = kinematics_of(&frames);
        assert!(k.angles.trunk_angle_deg[15].is_none());
        assert!(k.angles.trunk_angle_deg[5].is_some());
    }

    #[test]
    fn one_wrong_reading_at_the_start_is_a_gap_and_carries_nowhere() {
        // the first frame's knee sits above the hip (a hip angle of ~300° if taken); the rest
        // is a steady set-up
        let mut frames = vec![Some(lifter(true, true)); 30];
        if let Some(l) = frames[0].as_mut() {
            l[idx::L_KNEE].y_px = 150.0;
            l[idx::L_KNEE].x_px = 330.0;
        }
        let k = kinematics_of(&frames);
        assert!(!k.reliable(0), "{:?}", k.reliability[0]);
        assert!(k.angles.hip_angle_deg[0].is_none());
        let later: Vec<f64> = k.angles.hip_angle_deg[1..]
            .iter()
            .flatten()
            .copied()
            .collect();
        assert!(later.len() > 20);
        let (lo, hi) = angles::HIP_RANGE_DEG.bounds();
        assert!(later.iter().all(|&h| (lo..=hi).contains(&h)), "{later:?}");
        // the steady pose's hip angle, not a turn away
        assert!(
            later.iter().all(|&h| (later[10] - h).abs() < 1.0),
            "{later:?}"
        );
    }

    #[test]
    fn a_skipped_frame_next_to_an_unreliable_one_gets_no_angle() {
        // the model skipped frames 11 and 12; frame 13 draws the legs folded up, the ankle
        // above the hip
        let n = 30;
        let mut frames = vec![Some(lifter(true, true)); n];
        frames[11] = None;
        frames[12] = None;
        if let Some(l) = frames[13].as_mut() {
            for (knee, ankle) in [(idx::L_KNEE, idx::L_ANKLE), (idx::R_KNEE, idx::R_ANKLE)] {
                (l[knee].x_px, l[knee].y_px) = (330.0, 150.0);
                l[ankle].y_px = 100.0;
            }
        }
        let facts: Vec<FrameFacts> = (0..n)
            .map(|i| FrameFacts {
                model_ran: !(11..13).contains(&i),
                plate: None,
            })
            .collect();
        let k = from_landmarks(
            &frames,
            &facts,
            (0..n).map(|i| i as f64 / 30.0).collect(),
            30.0,
            &FilterConfig::default(),
            &PoseConfig::default(),
            &ReliabilityConfig::default(),
        );
        for i in [11, 12, 13] {
            assert!(!k.reliable(i), "{i}: {:?}", k.reliability[i]);
            assert!(k.angles.trunk_angle_deg[i].is_none(), "{i}");
            assert!(k.angles.hip_angle_deg[i].is_none(), "{i}");
        }
        assert!(k.angles.trunk_angle_deg[5].is_some() && k.angles.trunk_angle_deg[20].is_some());
    }

    #[test]
    fn angles_outside_their_range_are_gaps() {
        // a "hip angle" of 300°: the knee drawn above and behind the hip
        let n = 10;
        let put = |p: (f64, f64)| -> Track { vec![Some(p); n] };
        let joints: Vec<JointTrack> = Joint::ALL
            .iter()
            .map(|&j| {
                let p = match j {
                    Joint::Shoulder => (340.0, 100.0),
                    Joint::Hip => (300.0, 200.0),
                    Joint::Knee => (250.0, 150.0),
                    Joint::Ankle => (300.0, 360.0),
                    _ => (300.0, 300.0),
                };
                JointTrack::exact(j, put(p), 1.0)
            })
            .collect();
        let k = Kinematics::from_tracks(30.0, Side::Left, Facing::Right, joints);
        assert!(
            k.angles.hip_angle_deg.iter().all(|h| h.is_none()),
            "{:?}",
            k.angles.hip_angle_deg
        );
        assert!(k.angles.trunk_angle_deg.iter().all(|t| t.is_some()));
    }
}
