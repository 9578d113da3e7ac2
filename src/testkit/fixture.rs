//! A hand-made [`ClipAnalysis`] with two reps, three faults and two "not assessable" notes,
//! for testing the outputs before the rep and fault stages exist (and without the model).
//! The lifter is a stick figure moving through two deadlifts, facing image-right, scaled to
//! the frame size; the second rep rounds the upper back and lets the bar drift forward.

use std::path::Path;

use crate::analyze::{Analysis, ClipAnalysis, PoseSummary, VideoSummary};
use crate::bar::{BarSample, BarSource, BarTrack, PlateInfo, Scale};
use crate::config::ModelKind;
use crate::faults::{Finding, NotAssessable};
use crate::kinematics::{Facing, Joint, JointTrack, Kinematics, Side};
use crate::pose::back_contour::{BackProfile, PROFILE_T};
use crate::pose::PoseFrame;
use crate::reps::RepBarMetrics;
use crate::reps::{KeyAngles, Rep};
use crate::video::VideoInfo;
use crate::view::ViewVerdict;

/// Phase frames of one made-up rep, as fractions of the clip.
struct RepPlan {
    start: f64,
    liftoff: f64,
    lockout: f64,
    end: f64,
    /// Forward bar drift at mid-pull, cm.
    drift_cm: f64,
    /// Extra upper-back flexion at mid-pull, degrees.
    rounding_deg: f64,
}

const PLANS: [RepPlan; 2] = [
    RepPlan {
        start: 0.04,
        liftoff: 0.10,
        lockout: 0.27,
        end: 0.44,
        drift_cm: 1.5,
        rounding_deg: 6.0,
    },
    RepPlan {
        start: 0.50,
        liftoff: 0.55,
        lockout: 0.73,
        end: 0.94,
        drift_cm: 8.0,
        rounding_deg: 26.0,
    },
];

fn smooth(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Height of the lift (0 = bar on the floor, 1 = locked out) and the plan of the rep at `u`.
fn lift_at(u: f64) -> (f64, Option<&'static RepPlan>) {
    for p in &PLANS {
        if u >= p.start && u <= p.end {
            let top_hold = 0.02;
            let h = if u < p.liftoff {
                0.0
            } else if u < p.lockout {
                smooth((u - p.liftoff) / (p.lockout - p.liftoff))
            } else if u < p.lockout + top_hold {
                1.0
            } else {
                1.0 - smooth((u - p.lockout - top_hold) / (p.end - p.lockout - top_hold))
            };
            return (h, Some(p));
        }
    }
    (0.0, None)
}

fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

/// A two-rep clip of `frames` frames at `fps`, `width`×`height` px, analysing `input`.
// `..Rep::default()` is there for fields other branches add to `Rep`.
#[allow(clippy::needless_update)]
pub fn demo_clip(input: &Path, width: i32, height: i32, fps: f64, frames: usize) -> ClipAnalysis {
    let (w, h) = (width as f64, height as f64);
    let px_per_cm = h / 230.0;
    let midfoot_x = w * 0.5;
    let floor_y = h * 0.93;
    // body point in cm (x forward from mid-foot, up from the floor) → image px
    let px = |p: (f64, f64)| (midfoot_x + p.0 * px_per_cm, floor_y - p.1 * px_per_cm);

    let mut tracks: Vec<Vec<Option<(f64, f64)>>> = vec![Vec::new(); Joint::ALL.len()];
    let mut bar_samples = Vec::new();
    let mut flexion = Vec::new();
    let mut poses = Vec::new();
    for i in 0..frames {
        let u = i as f64 / frames.max(1) as f64;
        let (lift, plan) = lift_at(u);
        let bend = 1.0 - lift;
        let drift = plan.map(|p| p.drift_cm).unwrap_or(0.0) * (std::f64::consts::PI * lift).sin();
        let rounding = plan.map(|p| p.rounding_deg).unwrap_or(0.0)
            * (std::f64::consts::PI * lift).sin().max(0.0);
        let bar = (drift, 23.0 + 58.0 * lift);
        let knee = lerp((-2.0, 50.0), (11.0, 47.0), bend);
        let hip = lerp((-6.0, 98.0), (-30.0, 68.0), bend);
        let shoulder = lerp((-3.0, 150.0), (14.0, 122.0), bend);
        let ear = (
            shoulder.0 + 6.0 + 6.0 * bend,
            shoulder.1 + 20.0 - 6.0 * bend,
        );
        let elbow = lerp(shoulder, bar, 0.5);
        let joints = [
            ear,
            shoulder,
            (elbow.0 - 1.0, elbow.1),
            bar,
            hip,
            knee,
            (-4.0, 9.0),
            (-11.0, 2.0),
            (17.0, 2.0),
        ];
        for (t, p) in tracks.iter_mut().zip(joints) {
            t.push(Some(px(p)));
        }
        let (bx, by) = px(bar);
        bar_samples.push(BarSample {
            x_px: Some(bx),
            y_px: Some(by),
            source: BarSource::Plate,
        });
        flexion.push(Some(10.0 + rounding));
        let (hx, hy) = px(hip);
        let (sx, sy) = px(shoulder);
        let (ax, ay) = (sx - hx, sy - hy);
        let len = (ax * ax + ay * ay).sqrt().max(1.0);
        // the back is on the side away from the face: facing right, that is the left normal
        let normal = (ay / len, -ax / len);
        let bulge = 0.07 + 0.25 * rounding / 30.0;
        let offset_px = PROFILE_T
            .iter()
            .map(|&t| Some(len * (0.09 + bulge * (1.0 - ((t - 0.65) / 0.55).powi(2)).max(0.0))))
            .collect();
        poses.push(PoseFrame {
            index: i,
            time_s: i as f64 / fps,
            landmarks: None,
            pose_score: 0.9,
            detector_ran: i == 0,
            back: Some(BackProfile::crisp((hx, hy), (sx, sy), normal, offset_px)),
            model_ran: true,
        });
    }
    let joints = Joint::ALL
        .iter()
        .zip(tracks)
        .map(|(&joint, t)| JointTrack::exact(joint, t, 0.95))
        .collect();
    let kinematics = Kinematics::from_tracks(fps, Side::Left, Facing::Right, joints);
    let plate_d_px = 45.0 * px_per_cm;
    let bar = BarTrack {
        samples: bar_samples,
        scale: Scale {
            cm_per_px: 1.0 / px_per_cm,
            source: "plate".into(),
            confidence: 0.9,
        },
        plate: Some(PlateInfo {
            frame: 0,
            center_x_px: midfoot_x,
            center_y_px: floor_y - 23.0 * px_per_cm,
            diameter_px: plate_d_px,
            axis_ratio: 0.97,
        }),
        midfoot_x_px: Some(midfoot_x),
        floor_y_px: Some(floor_y),
        warnings: Vec::new(),
    };
    let f = |x: f64| ((x * frames as f64).round() as usize).min(frames.saturating_sub(1));
    let angles_at = |frame: usize| KeyAngles {
        trunk_angle_deg: kinematics.angles.trunk_angle_deg[frame],
        hip_angle_deg: kinematics.angles.hip_angle_deg[frame],
        knee_angle_deg: kinematics.angles.knee_angle_deg[frame],
        shin_angle_deg: kinematics.angles.shin_angle_deg[frame],
    };
    let reps: Vec<Rep> = PLANS
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (s, l, o, e) = (f(p.start), f(p.liftoff), f(p.lockout), f(p.end));
            let knee = (l + o) / 2;
            let concentric_s = (o - l) as f64 / fps;
            Rep {
                index: k + 1,
                start_frame: Some(s),
                liftoff_frame: Some(l),
                knee_frame: Some(knee),
                lockout_frame: Some(o),
                end_frame: Some(e),
                concentric_s: Some(concentric_s),
                eccentric_s: Some((e - o) as f64 / fps),
                setup: angles_at(s),
                liftoff: angles_at(l),
                knee: angles_at(knee),
                lockout: angles_at(o),
                bar: RepBarMetrics {
                    max_forward_cm: Some(p.drift_cm),
                    max_backward_cm: Some(0.0),
                    range_of_motion_cm: Some(58.0),
                    mean_concentric_velocity_m_per_s: Some(0.58 / concentric_s),
                    peak_concentric_velocity_m_per_s: Some(1.5 * 0.58 / concentric_s),
                    time_to_lockout_s: Some(concentric_s),
                },
                ..Rep::default()
            }
        })
        .collect();
    let window = |a: f64, b: f64| (f(a), f(b));
    let (r1a, r1b) = window(0.10, 0.15);
    let (r2a, r2b) = window(0.60, 0.68);
    let (d2a, d2b) = window(0.58, 0.70);
    // Built through serde so fields other branches add (with defaults) need no change here.
    let finding = |kind: &str,
                   rep: usize,
                   value: f64,
                   threshold: f64,
                   unit: &str,
                   (a, b): (usize, usize),
                   confidence: f64,
                   cue: &str|
     -> Finding {
        serde_json::from_value(serde_json::json!({
            "kind": kind, "rep": rep, "value": value, "threshold": threshold, "unit": unit,
            "start_frame": a, "end_frame": b, "confidence": confidence, "cue": cue,
        }))
        .expect("a Finding")
    };
    let faults = vec![
        finding(
            "hips_shoot_up",
            1,
            13.5,
            10.0,
            "deg",
            (r1a, r1b),
            0.71,
            "Push the floor away: chest and hips rise together.",
        ),
        finding(
            "thoracic_rounding",
            2,
            26.0,
            20.0,
            "deg",
            (r2a, r2b),
            0.82,
            "Chest up and pull the slack out of the bar before it leaves the floor.",
        ),
        finding(
            "bar_drift",
            2,
            8.0,
            5.0,
            "cm",
            (d2a, d2b),
            0.64,
            "Keep the bar dragging up your shins and thighs.",
        ),
    ];
    let not_assessable: Vec<NotAssessable> = serde_json::from_value(serde_json::json!([
        { "kind": "lockout_hyperextension", "rep": null,
          "reason": "the shoulders leave the frame at lockout" },
        { "kind": "neck_hyperextension", "rep": 1, "reason": "the ear is hidden for 40% of the rep" },
    ]))
    .expect("NotAssessable list");
    let view = ViewVerdict {
        side_view: true,
        reason: "shoulders and hips overlap: side view".into(),
    };
    let upper_back = fixture_evidence(
        &poses,
        &kinematics,
        &bar,
        &reps,
        &flexion,
        &view,
        &faults,
        &not_assessable,
    );
    let analysis = Analysis {
        schema_version: crate::analyze::SCHEMA_VERSION,
        input: input.display().to_string(),
        video: VideoSummary {
            info: VideoInfo {
                fps,
                frames,
                width,
                height,
                duration_s: frames as f64 / fps,
                rotation: 0,
            },
            decoded_frames: frames,
            variable_frame_rate: false,
            warnings: Vec::new(),
        },
        pose: PoseSummary {
            model: ModelKind::Full,
            side: Side::Left,
            facing: Facing::Right,
            detected_fraction: 1.0,
            detector_fraction: 1.0 / frames.max(1) as f64,
            person_found: true,
            message: None,
        },
        view,
        bar: bar.clone(),
        reps,
        faults,
        not_assessable,
        upper_back,
        timing: Default::default(),
    };
    ClipAnalysis {
        analysis,
        poses,
        kinematics,
        bar,
        back_unfit: vec![None; flexion.len()],
        back_raw_deg: flexion.clone(),
        thoracic_flexion_deg: flexion,
    }
}

/// The upper-back evidence of the fixture, as the analysis makes it: the curve fitted to each
/// frame's made-up contour gives the spread.
#[allow(clippy::too_many_arguments)]
fn fixture_evidence(
    poses: &[PoseFrame],
    kinematics: &Kinematics,
    bar: &BarTrack,
    reps: &[Rep],
    flexion: &[Option<f64>],
    view: &ViewVerdict,
    faults: &[Finding],
    not_assessable: &[NotAssessable],
) -> Vec<crate::faults::thoracic_evidence::UpperBackEvidence> {
    let config = crate::config::Config::default();
    let input = crate::faults::FaultInput {
        kinematics,
        bar,
        reps,
        thoracic_flexion_deg: flexion,
        back_unfit: &vec![None; flexion.len()],
        back_raw_deg: flexion,
        view,
        damage: None,
        config: &config.faults,
        min_reliable_rep_fraction: config.reliability.min_reliable_rep_fraction,
    };
    let back = crate::kinematics::back::back_series(
        &poses.iter().map(|p| p.back.clone()).collect::<Vec<_>>(),
    );
    crate::faults::thoracic_evidence::upper_back_evidence(
        &input,
        &back,
        &kinematics.time_s,
        0,
        faults,
        not_assessable,
    )
}
