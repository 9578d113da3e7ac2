//! The test kit, for unit and integration tests alike (feature `testkit`, which the
//! dev-dependency on this crate turns on): hand-built keypoint series of a stick lifter
//! (this file) and a whole hand-made clip analysis for the outputs ([`fixture`]); no video,
//! no model. The lifter faces image-right, feet at x≈300, floor at y=400, torso 120 px, segments
//! 100 px; the wrists stand in for the bar and are given explicitly.

pub mod fixture;

use crate::bar::{fallback_track, BarSample, BarSource, BarTrack};
use crate::config::Config;
use crate::faults::{Fault, FaultInput, Verdict};
use crate::kinematics::{Facing, Joint, JointTrack, Kinematics, Side};
use crate::reps::{find_reps, Rep};
use crate::view::ViewVerdict;

pub const FPS: f64 = 30.0;
pub const TORSO_PX: f64 = 120.0;
const ANKLE: (f64, f64) = (300.0, 390.0);

/// A key pose; poses between keys are interpolated linearly.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub frame: usize,
    pub hip: (f64, f64),
    pub trunk_deg: f64,
    pub wrist_y: f64,
    /// Wrist (bar) x relative to mid-foot, + forward.
    pub wrist_dx: f64,
    /// Head against the trunk line, + looking up.
    pub neck_deg: f64,
}

const fn key(frame: usize, hip: (f64, f64), trunk_deg: f64, wrist_y: f64) -> Key {
    Key {
        frame,
        hip,
        trunk_deg,
        wrist_y,
        wrist_dx: 0.0,
        neck_deg: 0.0,
    }
}

/// One clean rep: set-up 0–15, floor→knee 15–40, knee→lockout 40–65, hold 65–80,
/// descent 80–110, floor 110–125.
pub fn clean() -> Vec<Key> {
    vec![
        key(0, (250.0, 250.0), 60.0, 320.0),
        key(15, (250.0, 250.0), 60.0, 320.0),
        key(40, (262.0, 228.0), 56.0, 278.0),
        key(65, (300.0, 200.0), 0.0, 215.0),
        key(80, (300.0, 200.0), 0.0, 215.0),
        key(95, (262.0, 228.0), 56.0, 278.0),
        key(110, (250.0, 250.0), 60.0, 320.0),
        key(125, (250.0, 250.0), 60.0, 320.0),
    ]
}

/// Hips rise 25 px and the trunk tips 15° forward before the bar leaves the floor.
pub fn hips_first() -> Vec<Key> {
    let mut k = clean();
    k.insert(2, key(25, (246.0, 225.0), 75.0, 320.0));
    k[3].frame = 45;
    k[3].trunk_deg = 70.0;
    k
}

/// A clean pull whose trunk line tips ~12° forward between lift-off and the knee with the hips
/// on the clean path: what a rounding upper back does to the hip→shoulder line.
pub fn tipping_trunk() -> Vec<Key> {
    let mut k = clean();
    k.insert(2, key(28, (256.0, 239.0), 76.0, 299.0));
    k
}

/// Leans back 15° at lockout.
pub fn lean_back() -> Vec<Key> {
    let mut k = clean();
    k[3].trunk_deg = -15.0;
    k[4].trunk_deg = -15.0;
    k
}

/// The bar swings `px` forward of mid-foot at knee height, on the way up.
pub fn drifting(px: f64) -> Vec<Key> {
    let mut k = clean();
    k[2].wrist_dx = px;
    k
}

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

/// The pose at `frame`, interpolated linearly between `keys`.
pub fn pose_at(keys: &[Key], frame: usize) -> Key {
    let j = keys.iter().rposition(|k| k.frame <= frame).unwrap_or(0);
    let (a, b) = (keys[j], keys[(j + 1).min(keys.len() - 1)]);
    let t = if b.frame > a.frame {
        ((frame - a.frame) as f64 / (b.frame - a.frame) as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Key {
        frame,
        hip: (lerp(a.hip.0, b.hip.0, t), lerp(a.hip.1, b.hip.1, t)),
        trunk_deg: lerp(a.trunk_deg, b.trunk_deg, t),
        wrist_y: lerp(a.wrist_y, b.wrist_y, t),
        wrist_dx: lerp(a.wrist_dx, b.wrist_dx, t),
        neck_deg: lerp(a.neck_deg, b.neck_deg, t),
    }
}

/// Knee by two-link IK (thigh = shin = 100 px), bending forward.
fn knee(hip: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (ANKLE.0 - hip.0, ANKLE.1 - hip.1);
    let d = (dx * dx + dy * dy).sqrt().min(199.9);
    let h = (100.0f64.powi(2) - (d / 2.0).powi(2)).max(0.0).sqrt();
    let (ux, uy) = (dx / d, dy / d);
    // the perpendicular pointing forward (+x)
    let (px, py) = if -uy > 0.0 { (-uy, ux) } else { (uy, -ux) };
    (hip.0 + dx / 2.0 + h * px, hip.1 + dy / 2.0 + h * py)
}

/// The kinematics of the stick lifter over `n` frames.
pub fn lifter(keys: &[Key], n: usize) -> Kinematics {
    let midfoot = 310.0;
    let mut tracks: Vec<Vec<Option<(f64, f64)>>> = vec![Vec::new(); Joint::ALL.len()];
    for f in 0..n {
        let p = pose_at(keys, f);
        let a = p.trunk_deg.to_radians();
        let shoulder = (p.hip.0 + TORSO_PX * a.sin(), p.hip.1 - TORSO_PX * a.cos());
        let head = (p.trunk_deg - p.neck_deg).to_radians();
        let ear = (
            shoulder.0 + 30.0 * head.sin(),
            shoulder.1 - 30.0 * head.cos(),
        );
        let wrist = (midfoot + p.wrist_dx, p.wrist_y);
        let elbow = ((shoulder.0 + wrist.0) / 2.0, (shoulder.1 + wrist.1) / 2.0);
        for (i, j) in Joint::ALL.iter().enumerate() {
            let pt = match j {
                Joint::Ear => ear,
                Joint::Shoulder => shoulder,
                Joint::Elbow => elbow,
                Joint::Wrist => wrist,
                Joint::Hip => p.hip,
                Joint::Knee => knee(p.hip),
                Joint::Ankle => ANKLE,
                Joint::Heel => (285.0, 400.0),
                Joint::FootIndex => (335.0, 400.0),
            };
            tracks[i].push(Some(pt));
        }
    }
    let joints = Joint::ALL
        .iter()
        .zip(tracks)
        .map(|(&joint, t)| JointTrack::exact(joint, t, 0.95))
        .collect();
    Kinematics::from_tracks(FPS, Side::Left, Facing::Right, joints)
}

/// The wrists as the bar, scaled by body size.
pub fn bar_of(k: &Kinematics, config: &Config) -> BarTrack {
    let samples = (0..k.frames())
        .map(|i| {
            let w = k.at(Joint::Wrist, i);
            BarSample {
                x_px: w.map(|p| p.0),
                y_px: w.map(|p| p.1),
                source: BarSource::Wrist,
            }
        })
        .collect();
    fallback_track(samples, k, &config.bar)
}

pub fn side_view() -> ViewVerdict {
    ViewVerdict {
        side_view: true,
        reason: "side view".into(),
    }
}

/// Upper-back flexion (degrees) for a frame of the hand-built lifter.
pub type FlexionOf<'a> = &'a dyn Fn(&Kinematics, usize) -> f64;

/// Everything a fault looks at, for a stick lifter built from key poses: wrists as the bar,
/// default config, side view, no upper-back angle. Fields can be changed before [`Scene::input`].
pub struct Scene {
    pub config: Config,
    pub kinematics: Kinematics,
    pub bar: BarTrack,
    pub reps: Vec<Rep>,
    pub flexion: Vec<Option<f64>>,
    /// Why a frame's back contour has no curve (ragged, blurred).
    pub unfit: Vec<Option<crate::kinematics::back::NoFit>>,
    pub view: ViewVerdict,
}

impl Scene {
    pub fn new(keys: &[Key]) -> Self {
        let config = Config::default();
        let kinematics = lifter(keys, 126);
        let bar = bar_of(&kinematics, &config);
        let reps = find_reps(&kinematics, &bar, &config.reps);
        let flexion = vec![None; kinematics.frames()];
        Scene {
            config,
            kinematics,
            bar,
            reps,
            unfit: vec![None; flexion.len()],
            flexion,
            view: side_view(),
        }
    }

    /// Upper-back curve `standing` while the trunk is within 20° of vertical, `bent` beyond.
    pub fn set_flexion_by_posture(&mut self, standing: Option<f64>, bent: f64) {
        self.flexion = self
            .kinematics
            .angles
            .trunk_angle_deg
            .iter()
            .map(|t| {
                if t.unwrap_or(0.0) > 20.0 {
                    Some(bent)
                } else {
                    standing
                }
            })
            .collect();
    }

    pub fn input(&self) -> FaultInput<'_> {
        FaultInput {
            kinematics: &self.kinematics,
            bar: &self.bar,
            reps: &self.reps,
            thoracic_flexion_deg: &self.flexion,
            back_unfit: &self.unfit,
            back_raw_deg: &self.flexion,
            view: &self.view,
            damage: None,
            config: &self.config.faults,
            min_reliable_rep_fraction: self.config.reliability.min_reliable_rep_fraction,
        }
    }
}

/// Runs one fault on the first rep of a [`Scene`] built from `keys`. `flexion` gives the
/// upper-back angle per frame from the kinematics (none when `None`).
pub fn assess_first_rep(
    fault: &dyn Fault,
    keys: &[Key],
    flexion: Option<FlexionOf>,
) -> (Vec<Rep>, Verdict) {
    let mut scene = Scene::new(keys);
    if let Some(f) = flexion {
        scene.flexion = (0..scene.kinematics.frames())
            .map(|i| Some(f(&scene.kinematics, i)))
            .collect();
    }
    let verdict = fault.assess(&scene.input(), &scene.reps[0]);
    (scene.reps, verdict)
}
