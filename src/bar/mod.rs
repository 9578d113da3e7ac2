//! The bar: where the barbell is in every frame, and the cm-per-pixel scale.
//! The pose model knows nothing of the bar, so we find the near plate (a large circle near
//! the hands at set-up), track its hub, and scale the video by its known diameter (450 mm).
//! When no plate can be tracked the wrists stand in for the bar, and those frames say so.
//!
//! Files: `patch.rs` (the grey crops we look at), `plate.rs` (finding and measuring the
//! outline), `track.rs` (following the hub frame to frame), `scale.rs` (the clip's track,
//! scale, mid-foot and floor); per-rep path and speed figures are the reps stage's. This file holds the
//! types other stages read and [`BarTracker`], which runs the others while frames stream.

pub mod config;
pub mod patch;
pub mod plate;
pub mod scale;
pub mod track;

use serde::Serialize;

use crate::kinematics::reliability::PlateDisc;
use crate::kinematics::FilterConfig;
use crate::kinematics::Kinematics;
use crate::pose::Landmark;
pub use config::BarConfig;
use patch::Patch;
use plate::{detect_plate, Ellipse, SearchHint};
pub use scale::fallback_track;
use scale::{plate_ignores_the_lift, plate_track, wrist_samples, PlateObservations};
use track::HubTracker;

/// Where a frame's bar position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BarSource {
    Plate,
    Wrist,
    None,
}

impl BarSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BarSource::Plate => "plate",
            BarSource::Wrist => "wrist",
            BarSource::None => "none",
        }
    }
}

/// The bar in one frame, image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarSample {
    pub x_px: Option<f64>,
    pub y_px: Option<f64>,
    pub source: BarSource,
}

/// How pixels become centimetres.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Scale {
    pub cm_per_px: f64,
    /// "plate" (measured from the plate's diameter) or "fallback" (from body size).
    pub source: String,
    /// 0–1: lower for the fallback or an elliptical (off-side) plate.
    pub confidence: f64,
}

/// The plate found at set-up.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PlateInfo {
    pub frame: usize,
    pub center_x_px: f64,
    pub center_y_px: f64,
    pub diameter_px: f64,
    /// Minor/major axis ratio (1 = seen exactly side-on).
    pub axis_ratio: f64,
}

/// The bar through the clip.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BarTrack {
    #[serde(skip)]
    pub samples: Vec<BarSample>,
    pub scale: Scale,
    pub plate: Option<PlateInfo>,
    /// Mid-foot, image x: the near foot's heel/toe midpoint, median over the frames where
    /// the model sees the foot clear of the plate (see `scale::midfoot_x_px`).
    pub midfoot_x_px: Option<f64>,
    /// Floor level, image y. With a plate: the resting hub plus the plate's half-height, i.e.
    /// the floor at the plate's own depth, so heights are hub heights above the floor (the
    /// feet, at another depth, would be off by perspective: 13 cm on the renders). Without a
    /// plate: under the feet.
    pub floor_y_px: Option<f64>,
    pub warnings: Vec<String>,
}

impl BarTrack {
    /// Bar x relative to mid-foot in cm, + in the lifter's facing direction.
    pub fn x_cm_from_midfoot(&self, frame: usize, facing_sign: f64) -> Option<f64> {
        let x = self.samples.get(frame)?.x_px?;
        Some(facing_sign * (x - self.midfoot_x_px?) * self.scale.cm_per_px)
    }

    /// Bar height above the floor in cm (hub height for a plate).
    pub fn height_cm(&self, frame: usize) -> Option<f64> {
        let y = self.samples.get(frame)?.y_px?;
        Some((self.floor_y_px? - y) * self.scale.cm_per_px)
    }

    /// Whether the near plate, followed at `frame`, covers the image point: the plate stands
    /// between the camera and the near leg, so the model only guesses a joint behind it.
    /// False where no plate is followed (nothing known to hide it).
    pub fn plate_covers(&self, frame: usize, x_px: f64, y_px: f64) -> bool {
        let (Some(s), Some(p)) = (self.samples.get(frame), &self.plate) else {
            return false;
        };
        match (s.source, s.x_px, s.y_px) {
            (BarSource::Plate, Some(center_x_px), Some(center_y_px)) => PlateDisc {
                center_x_px,
                center_y_px,
                radius_px: p.diameter_px / 2.0,
            }
            .covers(x_px, y_px),
            _ => false,
        }
    }
}

/// Frames between detection attempts while no plate is followed (detection is the costly
/// part; the set-up lasts many frames).
const DETECT_EVERY_FRAMES: usize = 2;
/// Plate radius range as a fraction of the body size (px: thigh + shin, or 1.5 x the torso,
/// whichever the model sees longer — at set-up the plate hides the legs and the model may
/// shorten them) before any plate is known: a 45 cm plate is about half of an adult's
/// ~90 cm thigh + shin; the range leaves room for perspective (plate nearer the camera than
/// the body) and smaller plates.
const RADIUS_OF_BODY: (f64, f64) = (0.12, 0.6);
/// Once a plate is known, re-detection looks for the same size within this fraction.
const SAME_SIZE_TOLERANCE: f64 = 0.1;
/// Detection works on patches shrunk so the largest plate sought is this many px in radius.
const DETECT_RADIUS_PX: f64 = 50.0;

/// A plate moves only in the lifter's hands: a followed "plate" that moves more than this
/// share of its radius in a frame while further than [`HANDS_REACH_RADII`] radii from both
/// wrists is something else (a body part, a shadow) and the track is dropped.
const MOVING_RADIUS_SHARE: f64 = 0.15;
const HANDS_REACH_RADII: f64 = 3.0;

/// Whether the hub moved from `before` to `now` with no hand near it.
fn moves_without_hands(before: &Ellipse, now: (f64, f64), landmarks: Option<&[Landmark]>) -> bool {
    use crate::pose::idx::*;
    let Some(l) = landmarks.filter(|l| l.len() > R_WRIST) else {
        return false;
    };
    let moved = (now.0 - before.cx).hypot(now.1 - before.cy);
    let reach = [L_WRIST, R_WRIST]
        .iter()
        .map(|&w| (now.0 - l[w].x_px as f64).hypot(now.1 - l[w].y_px as f64))
        .fold(f64::INFINITY, f64::min);
    moved > MOVING_RADIUS_SHARE * before.a && reach > HANDS_REACH_RADII * before.a
}

/// Streams frames while the pose stage runs, then resolves the track.
pub struct BarTracker {
    hub_px: Vec<Option<(f64, f64)>>,
    tracker: Option<HubTracker>,
    /// The outline of the plate last followed (for same-size re-detection).
    known: Option<Ellipse>,
    first: Option<(usize, Ellipse)>,
    axes_px: Vec<(f64, f64)>,
    next_attempt: usize,
    /// The longest run of frames not observed between two observed ones.
    max_skipped: usize,
    /// Print each plate detection on stderr (`FORMCHECK_DEBUG_BAR`, read by `main`).
    pub debug: bool,
}

impl Default for BarTracker {
    fn default() -> Self {
        Self::new()
    }
}

impl BarTracker {
    pub fn new() -> Self {
        BarTracker {
            hub_px: Vec::new(),
            tracker: None,
            known: None,
            first: None,
            axes_px: Vec::new(),
            next_attempt: 0,
            max_skipped: 0,
            debug: false,
        }
    }

    /// Looks at one upright BGR frame with the pose found in it (if any).
    /// Frames not observed (the model skipped them) are filled in from their neighbours.
    pub fn observe(
        &mut self,
        frame_index: usize,
        image: &opencv::core::Mat,
        landmarks: Option<&[Landmark]>,
    ) -> crate::error::Result<()> {
        let skipped = frame_index.saturating_sub(self.hub_px.len());
        self.max_skipped = self.max_skipped.max(skipped);
        self.hub_px.resize(self.hub_px.len() + skipped, None);
        self.observe_timed(image, landmarks)
    }

    fn observe_timed(
        &mut self,
        image: &opencv::core::Mat,
        landmarks: Option<&[Landmark]>,
    ) -> crate::error::Result<()> {
        let i = self.hub_px.len();
        let mut hub = None;
        if let Some(t) = &mut self.tracker {
            let before = t.shape();
            match t.step(image)? {
                Some(o) if !moves_without_hands(&before, (o.x_px, o.y_px), landmarks) => {
                    hub = Some((o.x_px, o.y_px));
                    if let Some(f) = o.outline {
                        self.axes_px.push((f.ellipse.a, f.ellipse.b));
                    }
                }
                _ => {
                    self.known = Some(t.shape());
                    self.tracker = None;
                }
            }
        }
        if self.tracker.is_none() && i >= self.next_attempt {
            match landmarks
                .map(|l| self.detect(image, l))
                .transpose()?
                .flatten()
            {
                Some(e) => {
                    hub = Some((e.cx, e.cy));
                    let mut t = HubTracker::new(e);
                    t.prime(image)?;
                    self.tracker = Some(t);
                    self.known = Some(e);
                    self.first.get_or_insert((i, e));
                    self.axes_px.push((e.a, e.b));
                }
                None => self.next_attempt = i + DETECT_EVERY_FRAMES,
            }
        }
        self.hub_px.push(hub);
        Ok(())
    }

    /// Looks for the plate near the hands, sized from the legs (or the plate already seen).
    fn detect(
        &self,
        image: &opencv::core::Mat,
        l: &[Landmark],
    ) -> crate::error::Result<Option<Ellipse>> {
        use crate::pose::idx::*;
        if l.len() <= R_HEEL {
            return Ok(None);
        }
        let p = |i: usize| (l[i].x_px as f64, l[i].y_px as f64);
        let dist = |a: usize, b: usize| {
            let (pa, pb) = (p(a), p(b));
            (pa.0 - pb.0).hypot(pa.1 - pb.1)
        };
        let wrist = (
            (p(L_WRIST).0 + p(R_WRIST).0) / 2.0,
            (p(L_WRIST).1 + p(R_WRIST).1) / 2.0,
        );
        let (min_r, max_r) = match self.known {
            Some(k) => (
                k.a * (1.0 - SAME_SIZE_TOLERANCE),
                k.a * (1.0 + SAME_SIZE_TOLERANCE),
            ),
            None => {
                let size = (dist(L_HIP, L_KNEE) + dist(L_KNEE, L_ANKLE))
                    .max(dist(R_HIP, R_KNEE) + dist(R_KNEE, R_ANKLE))
                    .max(1.5 * dist(L_SHOULDER, L_HIP))
                    .max(1.5 * dist(R_SHOULDER, R_HIP));
                (RADIUS_OF_BODY.0 * size, RADIUS_OF_BODY.1 * size)
            }
        };
        if !(max_r.is_finite() && max_r > 6.0) {
            return Ok(None);
        }
        let scale = (DETECT_RADIUS_PX / max_r).min(1.0);
        let Some(patch) = Patch::cut(image, wrist, 2.8 * max_r, scale)? else {
            return Ok(None);
        };
        let hint = SearchHint {
            hands: [patch.to_patch(p(L_WRIST)), patch.to_patch(p(R_WRIST))],
            max_offset_radii: 1.6,
            min_radius: min_r * patch.scale,
            max_radius: max_r * patch.scale,
            min_coverage: if self.known.is_some() {
                plate::MIN_COVERAGE_AGAIN
            } else {
                plate::MIN_COVERAGE_FIRST
            },
        };
        let found = detect_plate(&patch, &hint)?;
        if self.debug {
            if let Some(f) = &found {
                eprintln!(
                    "bar: frame {} plate {:?} coverage {:.2}",
                    self.hub_px.len(),
                    f.ellipse.to_frame(&patch),
                    f.coverage
                );
            }
        }
        Ok(found.map(|f| f.ellipse.to_frame(&patch)))
    }

    /// What the tracker saw, as plain data for [`track`] (the tracker's own state stays
    /// behind).
    pub fn into_observations(self) -> BarObservations {
        let angle_rad = self
            .tracker
            .as_ref()
            .map(|t| t.shape().angle_rad)
            .or(self.known.map(|k| k.angle_rad))
            .or(self.first.map(|f| f.1.angle_rad))
            .unwrap_or(0.0);
        BarObservations {
            hub_px: self.hub_px,
            first: self.first,
            axes_px: self.axes_px,
            angle_rad,
            max_skipped: self.max_skipped,
        }
    }
}

/// What the bar tracker saw over the clip, as plain data: the plate hub per observed frame,
/// the first sighting, the outlines measured on the way, the plate's tilt, and the longest run
/// of frames it did not look at (the model skipped them).
#[derive(Debug, Clone, Default)]
pub struct BarObservations {
    pub hub_px: Vec<Option<(f64, f64)>>,
    pub first: Option<(usize, Ellipse)>,
    pub axes_px: Vec<(f64, f64)>,
    pub angle_rad: f64,
    pub max_skipped: usize,
}

impl BarObservations {
    /// The plate's disc in each frame it was seen in (the hub, and the plate's measured
    /// radius: the median of its outlines, else its first sighting), for the pose
    /// reliability's check of what the plate hides.
    pub fn plate_discs(&self) -> Vec<Option<PlateDisc>> {
        let mut radii: Vec<f64> = self.axes_px.iter().map(|a| a.0.max(a.1)).collect();
        let radius_px = if radii.is_empty() {
            self.first.map(|(_, e)| e.a.max(e.b))
        } else {
            Some(crate::kinematics::filters::median_of(&mut radii))
        };
        let Some(radius_px) = radius_px else {
            return Vec::new();
        };
        self.hub_px
            .iter()
            .map(|h| {
                h.map(|(x, y)| PlateDisc {
                    center_x_px: x,
                    center_y_px: y,
                    radius_px,
                })
            })
            .collect()
    }

    /// The same observations with every pixel figure multiplied by `factor` (from the
    /// analysis copy of a large frame back to the input's pixels).
    pub fn scaled_px(mut self, factor: f64) -> Self {
        for p in self.hub_px.iter_mut().flatten() {
            *p = (p.0 * factor, p.1 * factor);
        }
        if let Some((_, e)) = &mut self.first {
            *e = e.scaled_px(factor);
        }
        for a in &mut self.axes_px {
            *a = (a.0 * factor, a.1 * factor);
        }
        self
    }
}

/// The bar track for the whole clip, from what the tracker saw and the lifter's kinematics.
pub fn track(
    mut obs: BarObservations,
    kinematics: &Kinematics,
    cfg: &BarConfig,
    filter: &FilterConfig,
) -> BarTrack {
    // pad to the clip's length and fill the frames the model skipped
    let n = kinematics.frames().max(obs.hub_px.len());
    obs.hub_px.resize(n, None);
    if obs.max_skipped > 0 {
        let fill = |axis: usize| {
            let v: Vec<Option<f64>> = obs
                .hub_px
                .iter()
                .map(|p| p.map(|p| if axis == 0 { p.0 } else { p.1 }))
                .collect();
            crate::kinematics::filters::fill_gaps(&v, obs.max_skipped)
        };
        let (xs, ys) = (fill(0), fill(1));
        obs.hub_px = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| Some(((*x)?, (*y)?)))
            .collect();
    }
    match obs.first {
        None => fallback_track(wrist_samples(kinematics, n), kinematics, cfg),
        Some(_) if plate_ignores_the_lift(&obs.hub_px, kinematics) => {
            let mut track = fallback_track(wrist_samples(kinematics, n), kinematics, cfg);
            track.warnings.push(
                "the circle followed as the plate stayed put while the hands lifted: \
                 not the bar's plate, ignored"
                    .into(),
            );
            track
        }
        Some(first) => {
            let plate = PlateObservations {
                hub_px: obs.hub_px,
                first,
                axes_px: obs.axes_px,
                angle_rad: obs.angle_rad,
            };
            plate_track(&plate, kinematics, cfg, filter)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::NUM_LANDMARKS;

    #[test]
    fn observations_scale_to_the_input_pixels_and_keep_directions() {
        let obs = BarObservations {
            hub_px: vec![Some((100.0, 50.0)), None],
            first: Some((0, Ellipse::circle(100.0, 50.0, 40.0))),
            axes_px: vec![(40.0, 38.0)],
            angle_rad: 0.3,
            max_skipped: 1,
        }
        .scaled_px(2.0);
        assert_eq!(obs.hub_px, vec![Some((200.0, 100.0)), None]);
        let e = obs.first.unwrap().1;
        assert_eq!((e.cx, e.cy, e.a, e.b), (200.0, 100.0, 80.0, 80.0));
        assert_eq!(obs.axes_px, vec![(80.0, 76.0)]);
        assert_eq!((obs.angle_rad, obs.max_skipped), (0.3, 1));
    }

    fn hands_at(x: f32, y: f32) -> Vec<Landmark> {
        let mut l = vec![Landmark::default(); NUM_LANDMARKS];
        for w in [crate::pose::idx::L_WRIST, crate::pose::idx::R_WRIST] {
            l[w].x_px = x;
            l[w].y_px = y;
        }
        l
    }

    #[test]
    fn a_plate_moves_only_in_the_hands() {
        let plate = Ellipse::circle(100.0, 300.0, 40.0);
        let near = hands_at(110.0, 270.0);
        let far = hands_at(400.0, 100.0);
        // carried: fine; resting while the lifter walks away: fine
        assert!(!moves_without_hands(&plate, (100.0, 280.0), Some(&near)));
        assert!(!moves_without_hands(&plate, (100.5, 300.0), Some(&far)));
        // moving far from any hand: not a plate
        assert!(moves_without_hands(&plate, (100.0, 280.0), Some(&far)));
        // no pose: no verdict
        assert!(!moves_without_hands(&plate, (100.0, 280.0), None));
    }
}
