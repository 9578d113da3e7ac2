//! Tracking the plate's hub from frame to frame once it is found: pyramidal Lucas–Kanade on
//! the plate's texture (hub, lettering, rim) with a forward–backward check predicts the move;
//! the outline, held at its measured size and shape, is then re-centred on the edges. When
//! both fail the frame is lost and the caller re-detects. Keeps one small patch, no frames.

use opencv::core::{Mat, Point2f, Scalar, Size, TermCriteria, Vector, CV_8UC1};
use opencv::imgproc;
use opencv::prelude::*;
use opencv::video;

use super::patch::Patch;
use super::plate::{
    edge_points, fit_center_fixed_shape, measure_outline, rays_in_view, EdgePick, Ellipse,
    PlateFit, RAYS,
};
use crate::error::Result;

/// Work-patch radius we shrink large plates to (px): plenty for sub-pixel edges, cheap.
pub const WORK_RADIUS_PX: f64 = 48.0;

/// Least fraction of rays whose edge sits on the re-centred outline to trust it.
const MIN_TRACK_INLIERS: f64 = 0.35;
/// Forward–backward error (work px) over which an optical-flow point is dropped.
const MAX_FB_ERROR_PX: f64 = 0.7;
const MIN_FLOW_POINTS: usize = 4;
/// Hub speed (share of the radius per frame) under which the plate counts as still.
const STILL_RADIUS_SHARE: f64 = 0.02;

/// How one frame's hub was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HubObservation {
    pub x_px: f64,
    pub y_px: f64,
    /// Outline measured freely this frame (for the clip's median size), when clean enough.
    pub outline: Option<PlateFit>,
}

/// Follows one plate of known shape.
pub struct HubTracker {
    /// Outline in frame px (centre = last hub).
    shape: Ellipse,
    scale: f64,
    velocity_px: (f64, f64),
    prev: Option<(Patch, Vec<Point2f>)>,
}

impl HubTracker {
    /// Starts from a plate found in frame pixels.
    pub fn new(found: Ellipse) -> Self {
        HubTracker {
            shape: found,
            scale: (WORK_RADIUS_PX / found.a).min(1.0),
            velocity_px: (0.0, 0.0),
            prev: None,
        }
    }

    /// Remembers the plate's texture in the frame it was found in, for the next frame's flow.
    pub fn prime(&mut self, frame_bgr: &Mat) -> Result<()> {
        let center = (self.shape.cx, self.shape.cy);
        self.prev = match Patch::cut(frame_bgr, center, self.half_px(), self.scale)? {
            Some(p) => {
                let f = self.features(&p)?;
                Some((p, f))
            }
            None => None,
        };
        Ok(())
    }

    /// Half-size of the patches cut around the hub (constant: flow compares equal sizes).
    fn half_px(&self) -> f64 {
        1.6 * self.shape.a + 10.0
    }

    pub fn shape(&self) -> Ellipse {
        self.shape
    }

    /// Follows the hub into `frame_bgr`; `None` when the plate is lost in this frame.
    pub fn step(&mut self, frame_bgr: &Mat) -> Result<Option<HubObservation>> {
        let predicted = (
            self.shape.cx + self.velocity_px.0,
            self.shape.cy + self.velocity_px.1,
        );
        let Some(patch) = Patch::cut(frame_bgr, predicted, self.half_px(), self.scale)? else {
            self.prev = None;
            return Ok(None);
        };
        let flow = self.flow_estimate(&patch)?;
        let start = flow.unwrap_or(predicted);
        // measure the outline only while the plate is still: motion blur shrinks it
        let still =
            self.velocity_px.0.hypot(self.velocity_px.1) < STILL_RADIUS_SHARE * self.shape.a;
        let found = self.recentre(&patch, start, flow.is_some(), still)?;
        let Some((center, outline)) = found else {
            self.prev = None;
            self.velocity_px = (0.0, 0.0);
            return Ok(None);
        };
        let v = (center.0 - self.shape.cx, center.1 - self.shape.cy);
        // damped: a constant-velocity guess that does not overshoot at turnarounds
        self.velocity_px = (0.7 * v.0, 0.7 * v.1);
        self.shape.cx = center.0;
        self.shape.cy = center.1;
        let features = self.features(&patch)?;
        self.prev = Some((patch, features));
        Ok(Some(HubObservation {
            x_px: center.0,
            y_px: center.1,
            outline,
        }))
    }

    /// The hub's move since the last frame from optical flow, as the new hub (frame px).
    fn flow_estimate(&self, patch: &Patch) -> Result<Option<(f64, f64)>> {
        let Some((prev, pts)) = &self.prev else {
            return Ok(None);
        };
        if pts.len() < MIN_FLOW_POINTS || prev.width != patch.width || prev.height != patch.height {
            return Ok(None);
        }
        let guess: Vector<Point2f> = pts
            .iter()
            .map(|p| {
                let f = prev.to_frame((p.x as f64, p.y as f64));
                let q = patch.to_patch((f.0 + self.velocity_px.0, f.1 + self.velocity_px.1));
                Point2f::new(q.0 as f32, q.1 as f32)
            })
            .collect();
        let prev_pts: Vector<Point2f> = pts.iter().copied().collect();
        let criteria = TermCriteria::new(
            opencv::core::TermCriteria_COUNT + opencv::core::TermCriteria_EPS,
            20,
            0.03,
        )?;
        let win = Size::new(15, 15);
        let mut next = guess.clone();
        let (mut st, mut err) = (Vector::<u8>::new(), Vector::<f32>::new());
        video::calc_optical_flow_pyr_lk(
            &prev.mat,
            &patch.mat,
            &prev_pts,
            &mut next,
            &mut st,
            &mut err,
            win,
            2,
            criteria,
            video::OPTFLOW_USE_INITIAL_FLOW,
            1e-4,
        )?;
        let mut back = prev_pts.clone();
        let (mut st2, mut err2) = (Vector::<u8>::new(), Vector::<f32>::new());
        video::calc_optical_flow_pyr_lk(
            &patch.mat,
            &prev.mat,
            &next,
            &mut back,
            &mut st2,
            &mut err2,
            win,
            2,
            criteria,
            video::OPTFLOW_USE_INITIAL_FLOW,
            1e-4,
        )?;
        let mut dx = Vec::new();
        let mut dy = Vec::new();
        for i in 0..prev_pts.len() {
            if st.get(i)? == 0 || st2.get(i)? == 0 {
                continue;
            }
            let (p, n, b) = (prev_pts.get(i)?, next.get(i)?, back.get(i)?);
            let fb = ((p.x - b.x) as f64).hypot((p.y - b.y) as f64);
            if fb > MAX_FB_ERROR_PX {
                continue;
            }
            let from = prev.to_frame((p.x as f64, p.y as f64));
            let to = patch.to_frame((n.x as f64, n.y as f64));
            dx.push(to.0 - from.0);
            dy.push(to.1 - from.1);
        }
        if dx.len() < MIN_FLOW_POINTS {
            return Ok(None);
        }
        // the plate moves rigidly (constant size): one translation, the median is robust
        let mdx = crate::kinematics::filters::median_of(&mut dx);
        let mdy = crate::kinematics::filters::median_of(&mut dy);
        Ok(Some((self.shape.cx + mdx, self.shape.cy + mdy)))
    }

    /// Re-centres the known outline on this frame's edges near `start` (frame px).
    /// Falls back to the flow estimate alone when the edges are hidden but flow was good.
    #[allow(clippy::type_complexity)]
    fn recentre(
        &self,
        patch: &Patch,
        start: (f64, f64),
        flow_ok: bool,
        measure: bool,
    ) -> Result<Option<((f64, f64), Option<PlateFit>)>> {
        let mut guess = Ellipse {
            cx: start.0,
            cy: start.1,
            ..self.shape
        }
        .to_patch(patch);
        let mut inliers = 0.0;
        let mut fitted = None;
        for band in [(0.8, 1.2), (0.92, 1.08)] {
            let pts = edge_points(patch, &guess, band, RAYS, EdgePick::NearestExpected);
            let Some((e, frac)) = fit_center_fixed_shape(&pts, &guess, 1.0) else {
                break;
            };
            inliers = frac * pts.len() as f64 / rays_in_view(patch, &e).max(1) as f64;
            guess = e;
            fitted = Some(e);
        }
        let jump_ok = |e: &Ellipse| {
            let moved = (e.cx - patch.to_patch(start).0).hypot(e.cy - patch.to_patch(start).1);
            moved < 0.25 * e.a
        };
        match fitted {
            Some(e) if inliers >= MIN_TRACK_INLIERS && jump_ok(&e) => {
                let c = patch.to_frame((e.cx, e.cy));
                // a free outline for the size statistics, only when the edges are clean
                let outline = if measure && inliers > 0.7 {
                    measure_outline(patch, &e)?.filter(|f| f.coverage > 0.7)
                } else {
                    None
                };
                let outline = outline.map(|f| PlateFit {
                    ellipse: f.ellipse.to_frame(patch),
                    coverage: f.coverage,
                });
                Ok(Some((c, outline)))
            }
            _ if flow_ok => Ok(Some((start, None))),
            _ => Ok(None),
        }
    }

    /// Corners on the plate (inside its outline) to follow into the next frame.
    fn features(&self, patch: &Patch) -> Result<Vec<Point2f>> {
        let e = self.shape.to_patch(patch);
        let mut mask = Mat::new_rows_cols_with_default(
            patch.height as i32,
            patch.width as i32,
            CV_8UC1,
            Scalar::all(0.0),
        )?;
        imgproc::ellipse(
            &mut mask,
            opencv::core::Point::new(e.cx.round() as i32, e.cy.round() as i32),
            Size::new((0.92 * e.a) as i32, (0.92 * e.b) as i32),
            e.angle_rad.to_degrees(),
            0.0,
            360.0,
            Scalar::all(255.0),
            -1,
            imgproc::LINE_8,
            0,
        )?;
        let mut corners: Vector<Point2f> = Vector::new();
        imgproc::good_features_to_track(
            &patch.mat,
            &mut corners,
            40,
            0.01,
            3.0,
            &mask,
            5,
            false,
            0.04,
        )?;
        Ok(corners.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::super::plate::tests_support::draw_plate;
    use super::*;

    #[test]
    fn a_moving_disc_is_followed_along_its_path() {
        let r = 40.0;
        let path = |i: usize| {
            let t = i as f64 / 40.0;
            // up a curve and back down, like a pull: up to 6 px per frame
            (
                200.0 + 25.0 * (t * std::f64::consts::PI).sin(),
                230.0 - 150.0 * (t * std::f64::consts::PI).sin().powi(2),
            )
        };
        let first = path(0);
        let mut tracker = HubTracker::new(Ellipse::circle(first.0, first.1, r));
        let mut worst: f64 = 0.0;
        for i in 1..=40 {
            let p = path(i);
            let mut frame = draw_plate(400, 300, p, r, true);
            if (15..25).contains(&i) {
                // a leg-coloured block hides the plate's rear third
                imgproc::rectangle(
                    &mut frame,
                    opencv::core::Rect::new(140, 0, (p.0 - 20.0 - 140.0) as i32, 300),
                    Scalar::new(120.0, 150.0, 205.0, 0.0),
                    -1,
                    imgproc::LINE_8,
                    0,
                )
                .unwrap();
            }
            let obs = tracker.step(&frame).unwrap().expect("tracked");
            let err = (obs.x_px - p.0).hypot(obs.y_px - p.1);
            worst = worst.max(err);
        }
        assert!(worst < 1.0, "worst hub error {worst} px");
    }

    #[test]
    fn a_vanished_plate_is_reported_lost() {
        let mut tracker = HubTracker::new(Ellipse::circle(200.0, 150.0, 40.0));
        let frame = draw_plate(400, 300, (200.0, 150.0), 40.0, false);
        assert!(tracker.step(&frame).unwrap().is_some());
        let blank =
            Mat::new_rows_cols_with_default(300, 400, opencv::core::CV_8UC3, Scalar::all(128.0))
                .unwrap();
        assert!(tracker.step(&blank).unwrap().is_none());
    }
}
