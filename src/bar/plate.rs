//! Plate detection: finds the near plate's outline (an ellipse; a circle when the camera is
//! side-on) in a patch, and refits it precisely from edge points cast along rays from its
//! centre. Detection proposes circles with Hough near the hands; refitting measures the
//! outline (size, axis ratio) and, with the shape held fixed, re-centres it in later frames.
//! Knows nothing of frames over time: that is `track.rs`.

use opencv::core::{Vec3f, Vector};
use opencv::imgproc;

use super::patch::Patch;
use crate::error::Result;

/// An ellipse in some pixel space (patch or frame).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipse {
    pub cx: f64,
    pub cy: f64,
    /// Semi-major axis.
    pub a: f64,
    /// Semi-minor axis.
    pub b: f64,
    /// Direction of the major axis from +x (radians, y down).
    pub angle_rad: f64,
}

impl Ellipse {
    /// The same ellipse in an image `factor` times as large.
    pub fn scaled_px(self, factor: f64) -> Self {
        Ellipse {
            cx: self.cx * factor,
            cy: self.cy * factor,
            a: self.a * factor,
            b: self.b * factor,
            angle_rad: self.angle_rad,
        }
    }

    pub fn circle(cx: f64, cy: f64, r: f64) -> Self {
        Ellipse {
            cx,
            cy,
            a: r,
            b: r,
            angle_rad: 0.0,
        }
    }

    /// Distance from the centre to the outline along direction `theta`.
    pub fn radius_at(&self, theta: f64) -> f64 {
        let t = theta - self.angle_rad;
        let (c, s) = (t.cos(), t.sin());
        self.a * self.b / ((self.b * c).powi(2) + (self.a * s).powi(2)).sqrt()
    }

    pub fn axis_ratio(&self) -> f64 {
        self.b / self.a.max(1e-9)
    }

    /// Half the vertical extent (from the centre to the lowest point of the outline).
    pub fn half_height(&self) -> f64 {
        let (c, s) = (self.angle_rad.cos(), self.angle_rad.sin());
        ((self.a * s).powi(2) + (self.b * c).powi(2)).sqrt()
    }

    /// The same ellipse in frame pixels, from patch pixels.
    pub fn to_frame(self, patch: &Patch) -> Ellipse {
        let (cx, cy) = patch.to_frame((self.cx, self.cy));
        Ellipse {
            cx,
            cy,
            a: self.a / patch.scale,
            b: self.b / patch.scale,
            angle_rad: self.angle_rad,
        }
    }

    /// The same ellipse in patch pixels, from frame pixels.
    pub fn to_patch(self, patch: &Patch) -> Ellipse {
        let (cx, cy) = patch.to_patch((self.cx, self.cy));
        Ellipse {
            cx,
            cy,
            a: self.a * patch.scale,
            b: self.b * patch.scale,
            angle_rad: self.angle_rad,
        }
    }

    /// Maps a point into the frame where this ellipse's shape is a circle of radius `a`
    /// centred at the origin (rotate, then stretch the minor axis).
    fn to_circle_space(self, p: (f64, f64)) -> (f64, f64) {
        let (dx, dy) = (p.0 - self.cx, p.1 - self.cy);
        let (c, s) = (self.angle_rad.cos(), self.angle_rad.sin());
        let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
        (u, v * self.a / self.b.max(1e-9))
    }

    fn unmap_circle_space(self, q: (f64, f64)) -> (f64, f64) {
        let (u, v) = (q.0, q.1 * self.b / self.a.max(1e-9));
        let (c, s) = (self.angle_rad.cos(), self.angle_rad.sin());
        (self.cx + c * u - s * v, self.cy + s * u + c * v)
    }

    /// Approximate signed distance of `p` from the outline (pixels, + outside).
    pub fn residual(&self, p: (f64, f64)) -> f64 {
        let q = self.to_circle_space(p);
        let d = (q.0 * q.0 + q.1 * q.1).sqrt();
        // back from stretched units: the stretch is at most a/b along the minor axis
        let theta = q.1.atan2(q.0);
        let stretch = (theta.cos().powi(2) + (theta.sin() * self.b / self.a).powi(2)).sqrt();
        (d - self.a) * stretch
    }
}

/// Which edge a ray keeps when it crosses several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgePick {
    /// The outermost strong edge: the plate's silhouette, not its inner rings (detection).
    Outermost,
    /// The strong edge nearest the expected outline (tracking a known shape).
    NearestExpected,
}

/// Weakest radial gradient (grey levels per pixel, after the patch blur) that counts as an
/// edge.
const MIN_EDGE_GRADIENT: f64 = 6.0;
/// Least share of an edge's gradient that must point across the outline (cos 45°).
const MIN_RADIAL_SHARE: f64 = 0.7;

/// Casts `rays` rays from `shape`'s centre and returns, per ray that finds one, the edge
/// point (patch px) between `band.0` and `band.1` times the expected radius.
pub fn edge_points(
    patch: &Patch,
    shape: &Ellipse,
    band: (f64, f64),
    rays: usize,
    pick: EdgePick,
) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(rays);
    let mut profile: Vec<(f64, f64)> = Vec::with_capacity(64);
    for k in 0..rays {
        let theta = k as f64 * std::f64::consts::TAU / rays as f64;
        let (ux, uy) = (theta.cos(), theta.sin());
        let r_exp = shape.radius_at(theta);
        let (r0, r1) = (band.0 * r_exp, band.1 * r_exp);
        // the frame border is not the plate's edge
        if !patch.shows((shape.cx + r_exp * ux, shape.cy + r_exp * uy), 3.0) {
            continue;
        }
        let step = 0.5;
        profile.clear();
        let mut r = r0;
        while r <= r1 {
            let (x, y) = (shape.cx + r * ux, shape.cy + r * uy);
            // only the gradient across the outline counts, and only where it is mostly
            // across: lines crossing the outline obliquely are not its edge
            let g = patch.gradient(x, y).map_or(0.0, |(gx, gy)| {
                let radial = (gx * ux + gy * uy).abs();
                if radial >= MIN_RADIAL_SHARE * gx.hypot(gy) {
                    radial
                } else {
                    0.0
                }
            });
            profile.push((r, g));
            r += step;
        }
        if profile.len() < 3 {
            continue;
        }
        let max = profile.iter().map(|p| p.1).fold(0.0, f64::max);
        if max < MIN_EDGE_GRADIENT {
            continue;
        }
        let floor = match pick {
            EdgePick::Outermost => 0.5 * max,
            EdgePick::NearestExpected => 0.35 * max,
        };
        let mut best: Option<(usize, f64)> = None;
        for i in 1..profile.len() - 1 {
            let g = profile[i].1;
            if g < floor || g < profile[i - 1].1 || g < profile[i + 1].1 {
                continue;
            }
            let key = match pick {
                EdgePick::Outermost => profile[i].0,
                EdgePick::NearestExpected => -(profile[i].0 - r_exp).abs(),
            };
            if best.is_none_or(|(_, k)| key > k) {
                best = Some((i, key));
            }
        }
        let Some((i, _)) = best else { continue };
        // sub-sample peak by a parabola through the three samples
        let (gl, gc, gr) = (profile[i - 1].1, profile[i].1, profile[i + 1].1);
        let denom = gl - 2.0 * gc + gr;
        let offset = if denom.abs() > 1e-9 {
            (0.5 * (gl - gr) / denom).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        let r_edge = profile[i].0 + offset * step;
        out.push((shape.cx + r_edge * ux, shape.cy + r_edge * uy));
    }
    out
}

/// Re-centres an ellipse of known shape (axes and angle held: the plate does not change size)
/// on edge points, robustly. Returns the new ellipse and the fraction of points within
/// `tol_px` of it.
pub fn fit_center_fixed_shape(
    points: &[(f64, f64)],
    shape: &Ellipse,
    tol_px: f64,
) -> Option<(Ellipse, f64)> {
    if points.len() < 5 {
        return None;
    }
    let q: Vec<(f64, f64)> = points.iter().map(|&p| shape.to_circle_space(p)).collect();
    let r = shape.a;
    let (mut cx, mut cy) = (0.0, 0.0);
    for iter in 0..15 {
        // Tukey weights, tightening: far points (legs, hands, the far plate) stop pulling
        let c = if iter < 3 { 4.0 * tol_px } else { 2.0 * tol_px };
        let (mut h00, mut h01, mut h11, mut g0, mut g1) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(x, y) in &q {
            let (dx, dy) = (x - cx, y - cy);
            let d = (dx * dx + dy * dy).sqrt().max(1e-9);
            let res = d - r;
            if res.abs() >= c {
                continue;
            }
            let w = (1.0 - (res / c).powi(2)).powi(2);
            let (jx, jy) = (-dx / d, -dy / d);
            h00 += w * jx * jx;
            h01 += w * jx * jy;
            h11 += w * jy * jy;
            g0 += w * jx * res;
            g1 += w * jy * res;
        }
        let det = h00 * h11 - h01 * h01;
        if det.abs() < 1e-9 {
            return None;
        }
        let sx = -(h11 * g0 - h01 * g1) / det;
        let sy = -(-h01 * g0 + h00 * g1) / det;
        cx += sx;
        cy += sy;
        if sx.abs() + sy.abs() < 1e-3 {
            break;
        }
    }
    let (fx, fy) = shape.unmap_circle_space((cx, cy));
    let fitted = Ellipse {
        cx: fx,
        cy: fy,
        ..*shape
    };
    let inliers = points
        .iter()
        .filter(|&&p| fitted.residual(p).abs() <= tol_px)
        .count();
    Some((fitted, inliers as f64 / points.len() as f64))
}

/// Fits a free ellipse (centre, axes, angle) to edge points, dropping outliers over a few
/// rounds. Returns the ellipse and the inlier fraction.
pub fn fit_free_ellipse(points: &[(f64, f64)], tol_px: f64) -> Result<Option<(Ellipse, f64)>> {
    let mut kept: Vec<(f64, f64)> = points.to_vec();
    let mut fit: Option<Ellipse> = None;
    for round in 0..4 {
        if kept.len() < 8 {
            return Ok(None);
        }
        let pts: Vector<opencv::core::Point2f> = kept
            .iter()
            .map(|p| opencv::core::Point2f::new(p.0 as f32, p.1 as f32))
            .collect();
        let rr = imgproc::fit_ellipse(&pts)?;
        let (w, h) = (rr.size.width as f64 / 2.0, rr.size.height as f64 / 2.0);
        if !(w.is_finite() && h.is_finite()) || w <= 1.0 || h <= 1.0 {
            return Ok(None);
        }
        // RotatedRect angle is of the "width" side
        let angle = (rr.angle as f64).to_radians();
        let e = if w >= h {
            Ellipse {
                cx: rr.center.x as f64,
                cy: rr.center.y as f64,
                a: w,
                b: h,
                angle_rad: angle,
            }
        } else {
            Ellipse {
                cx: rr.center.x as f64,
                cy: rr.center.y as f64,
                a: h,
                b: w,
                angle_rad: angle + std::f64::consts::FRAC_PI_2,
            }
        };
        let limit = if round == 0 { 3.0 * tol_px } else { tol_px };
        let next: Vec<(f64, f64)> = points
            .iter()
            .copied()
            .filter(|&p| e.residual(p).abs() <= limit)
            .collect();
        fit = Some(e);
        if next.len() == kept.len() && round > 0 {
            break;
        }
        kept = next;
    }
    let Some(e) = fit else { return Ok(None) };
    let inliers = points
        .iter()
        .filter(|&&p| e.residual(p).abs() <= tol_px)
        .count();
    Ok(Some((e, inliers as f64 / points.len().max(1) as f64)))
}

/// Rays cast when measuring an outline.
pub const RAYS: usize = 90;
/// Least share of an outline that must be inside the frame to measure it.
const MIN_IN_VIEW: f64 = 0.5;

/// How many of the [`RAYS`] rays meet `shape`'s outline inside the frame.
pub fn rays_in_view(patch: &Patch, shape: &Ellipse) -> usize {
    (0..RAYS)
        .filter(|k| {
            let theta = *k as f64 * std::f64::consts::TAU / RAYS as f64;
            let r = shape.radius_at(theta);
            patch.shows(
                (shape.cx + r * theta.cos(), shape.cy + r * theta.sin()),
                3.0,
            )
        })
        .count()
}

/// A plate found in a patch: its outline in patch pixels and how much of it the edges
/// support (fraction of rays with an edge on the outline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateFit {
    pub ellipse: Ellipse,
    pub coverage: f64,
}

/// Measures the outline around a rough circle: edges along rays (the outermost strong edge,
/// or the strongest near the rough outline: rims and lettering make either fail on some
/// plates), a free ellipse through each, and the better supported of the two.
pub fn measure_outline(patch: &Patch, rough: &Ellipse) -> Result<Option<PlateFit>> {
    let mut best: Option<PlateFit> = None;
    for pick in [EdgePick::Outermost, EdgePick::NearestExpected] {
        let pts = edge_points(patch, rough, (0.7, 1.3), RAYS, pick);
        let tol = (0.02 * rough.a).max(1.0);
        let Some((e, _)) = fit_free_ellipse(&pts, tol)? else {
            continue;
        };
        // coverage against the rays whose outline point is in the frame, edges re-picked
        // near the fitted outline; a plate mostly out of the frame is not measured
        let in_view = rays_in_view(patch, &e);
        if (in_view as f64) < MIN_IN_VIEW * RAYS as f64 {
            continue;
        }
        let near = edge_points(patch, &e, (0.9, 1.1), RAYS, EdgePick::NearestExpected);
        let on = near.iter().filter(|&&p| e.residual(p).abs() <= tol).count();
        let fit = PlateFit {
            ellipse: e,
            coverage: on as f64 / in_view as f64,
        };
        if best.is_none_or(|b| fit.coverage > b.coverage) {
            best = Some(fit);
        }
    }
    Ok(best)
}

/// Where to look for the plate and how large it may be (patch pixels).
#[derive(Debug, Clone, Copy)]
pub struct SearchHint {
    /// Where the hub probably is: the two wrists, patch px (the far one may be a guess).
    pub hands: [(f64, f64); 2],
    /// How far from the nearer hand the hub may be, as a multiple of the radius.
    pub max_offset_radii: f64,
    pub min_radius: f64,
    pub max_radius: f64,
    /// Least fraction of the outline (in view) that edges must support.
    pub min_coverage: f64,
}

/// Radius ratio spanned by one Hough search band, and the proposals kept from each.
const HOUGH_BAND_RATIO: f64 = 1.6;
const PROPOSALS_PER_BAND: usize = 6;

/// Least fraction of the outline that edges must support to call it a plate: when nothing
/// is known yet (busy gyms have many partial circles: on the real clips wrong first finds
/// had 0.51-0.56, plates 0.7-0.9), and when looking again for a plate of known size.
pub const MIN_COVERAGE_FIRST: f64 = 0.65;
pub const MIN_COVERAGE_AGAIN: f64 = 0.5;

/// A Hough proposal after measurement: its outline (if any), score, and why it was refused.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub hough: (f64, f64, f64),
    pub fit: Option<PlateFit>,
    pub score: f64,
    pub refused: Option<&'static str>,
}

/// Every Hough proposal in `patch`, measured and scored (for [`detect_plate`] and debugging).
pub fn candidates(patch: &Patch, hint: &SearchHint) -> Result<Vec<Candidate>> {
    let min_r = hint.min_radius.max(4.0);
    let max_r = hint.max_radius.max(min_r + 2.0);
    // large circles collect more votes than small ones in clutter: search radius bands
    // apart so every size gets its best proposals
    let mut proposals: Vec<Vec3f> = Vec::new();
    let mut lo = min_r;
    while lo < max_r {
        let hi = (lo * HOUGH_BAND_RATIO).min(max_r);
        let mut circles: Vector<Vec3f> = Vector::new();
        imgproc::hough_circles(
            &patch.mat,
            &mut circles,
            imgproc::HOUGH_GRADIENT,
            1.0,
            (lo * 0.5).max(4.0),
            60.0,
            (0.25 * lo * std::f64::consts::PI).clamp(10.0, 40.0),
            lo.floor() as i32,
            hi.ceil() as i32,
        )?;
        proposals.extend(circles.iter().take(PROPOSALS_PER_BAND));
        lo = hi;
    }
    let mut out = Vec::new();
    for c in proposals {
        let hough = (c[0] as f64, c[1] as f64, c[2] as f64);
        let rough = Ellipse::circle(hough.0, hough.1, hough.2);
        let fit = measure_outline(patch, &rough)?;
        let mut cand = Candidate {
            hough,
            fit,
            score: f64::NEG_INFINITY,
            refused: None,
        };
        let Some(fit) = fit else {
            cand.refused = Some("no outline");
            out.push(cand);
            continue;
        };
        let e = fit.ellipse;
        let off = hint
            .hands
            .iter()
            .map(|h| (e.cx - h.0).hypot(e.cy - h.1))
            .fold(f64::INFINITY, f64::min)
            / e.a;
        // prefer full outlines near the hands, and larger ones: the near plate is the largest
        // circle there (perspective), larger than the far plate, the hub or the collar
        cand.score = fit.coverage - 0.15 * off + 0.3 * (e.a / max_r);
        cand.refused = if e.a < min_r * 0.85 || e.a > max_r * 1.15 {
            Some("size")
        } else if e.axis_ratio() < 0.3 {
            Some("too flat")
        } else if off > hint.max_offset_radii {
            Some("far from the hands")
        } else if fit.coverage < hint.min_coverage {
            Some("outline not supported by edges")
        } else {
            None
        };
        out.push(cand);
    }
    Ok(out)
}

/// Finds the most plate-like ellipse in `patch`: Hough circles propose, outline measurement
/// decides (coverage, closeness to the hands). `None` when nothing plate-like is there.
pub fn detect_plate(patch: &Patch, hint: &SearchHint) -> Result<Option<PlateFit>> {
    Ok(candidates(patch, hint)?
        .into_iter()
        .filter(|c| c.refused.is_none())
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .and_then(|c| c.fit))
}

/// Drawn test frames (OpenCV drawing), shared by the detector and tracker tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use opencv::core::{Mat, Point, Scalar, CV_8UC3};
    use opencv::imgproc;

    /// A grey frame with a dark plate (light rim, red hub) drawn at `center`.
    pub fn draw_plate(w: i32, h: i32, center: (f64, f64), r: f64, noise: bool) -> Mat {
        let mut m =
            Mat::new_rows_cols_with_default(h, w, CV_8UC3, Scalar::new(150.0, 160.0, 170.0, 0.0))
                .unwrap();
        // floor band and a vertical post: clutter with straight edges
        imgproc::rectangle(
            &mut m,
            opencv::core::Rect::new(0, h * 3 / 4, w, h / 4),
            Scalar::new(90.0, 140.0, 200.0, 0.0),
            -1,
            imgproc::LINE_8,
            0,
        )
        .unwrap();
        let c = Point::new(center.0.round() as i32, center.1.round() as i32);
        let sub = 16.0; // 4 bits of sub-pixel precision
        let cs = Point::new((center.0 * sub) as i32, (center.1 * sub) as i32);
        imgproc::circle(
            &mut m,
            cs,
            (r * sub) as i32,
            Scalar::new(80.0, 80.0, 85.0, 0.0),
            -1,
            imgproc::LINE_AA,
            4,
        )
        .unwrap();
        imgproc::circle(
            &mut m,
            cs,
            (r * 0.88 * sub) as i32,
            Scalar::new(45.0, 45.0, 50.0, 0.0),
            -1,
            imgproc::LINE_AA,
            4,
        )
        .unwrap();
        imgproc::circle(
            &mut m,
            c,
            (r * 0.2) as i32,
            Scalar::new(60.0, 60.0, 220.0, 0.0),
            -1,
            imgproc::LINE_AA,
            0,
        )
        .unwrap();
        if noise {
            let mut n = Mat::new_rows_cols_with_default(h, w, CV_8UC3, Scalar::all(0.0)).unwrap();
            opencv::core::randn(&mut n, &Scalar::all(0.0), &Scalar::all(6.0)).unwrap();
            let mut out = Mat::default();
            opencv::core::add(&m, &n, &mut out, &opencv::core::no_array(), -1).unwrap();
            m = out;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::draw_plate;
    use super::*;
    use opencv::core::{Mat, Point, Scalar, CV_8UC3};

    #[test]
    fn a_drawn_plate_is_found_and_measured() {
        let (cx, cy, r) = (212.3, 187.6, 61.0);
        let frame = draw_plate(400, 300, (cx, cy), r, true);
        let patch = Patch::cut(&frame, (200.0, 150.0), 200.0, 1.0)
            .unwrap()
            .unwrap();
        let hint = SearchHint {
            hands: [patch.to_patch((200.0, 140.0)); 2],
            max_offset_radii: 1.5,
            min_radius: 30.0,
            max_radius: 100.0,
            min_coverage: MIN_COVERAGE_FIRST,
        };
        let fit = detect_plate(&patch, &hint).unwrap().expect("plate found");
        let e = fit.ellipse.to_frame(&patch);
        assert!((e.cx - cx).abs() < 0.5 && (e.cy - cy).abs() < 0.5, "{e:?}");
        assert!((e.a - r).abs() / r < 0.02, "radius {} vs {r}", e.a);
        assert!(e.axis_ratio() > 0.97, "{}", e.axis_ratio());
        assert!(fit.coverage > 0.8, "{}", fit.coverage);
    }

    #[test]
    fn a_half_hidden_plate_is_recentred_with_its_known_size() {
        let (cx, cy, r) = (200.4, 160.8, 50.0);
        let mut frame = draw_plate(400, 300, (cx, cy), r, true);
        // a leg-coloured bar over the left part of the plate
        imgproc::rectangle(
            &mut frame,
            opencv::core::Rect::new(120, 60, 70, 200),
            Scalar::new(120.0, 150.0, 205.0, 0.0),
            -1,
            imgproc::LINE_8,
            0,
        )
        .unwrap();
        let patch = Patch::cut(&frame, (200.0, 150.0), 150.0, 1.0)
            .unwrap()
            .unwrap();
        let guess = Ellipse::circle(cx + 4.0, cy - 3.0, r).to_patch(&patch);
        let pts = edge_points(&patch, &guess, (0.8, 1.2), RAYS, EdgePick::NearestExpected);
        let (e, inl) = fit_center_fixed_shape(&pts, &guess, 1.0).unwrap();
        let e = e.to_frame(&patch);
        assert!(
            (e.cx - cx).abs() < 1.0 && (e.cy - cy).abs() < 1.0,
            "{e:?} {inl}"
        );
    }

    #[test]
    fn an_ellipse_reports_its_axis_ratio() {
        let mut frame =
            Mat::new_rows_cols_with_default(300, 400, CV_8UC3, Scalar::all(190.0)).unwrap();
        imgproc::ellipse(
            &mut frame,
            Point::new(200, 150),
            opencv::core::Size::new(40, 60),
            0.0,
            0.0,
            360.0,
            Scalar::all(40.0),
            -1,
            imgproc::LINE_AA,
            0,
        )
        .unwrap();
        let patch = Patch::cut(&frame, (200.0, 150.0), 150.0, 1.0)
            .unwrap()
            .unwrap();
        let rough = Ellipse::circle(200.0 - patch.origin_x_px, 150.0 - patch.origin_y_px, 50.0);
        let fit = measure_outline(&patch, &rough).unwrap().unwrap();
        let ratio = fit.ellipse.axis_ratio();
        assert!((ratio - 40.0 / 60.0).abs() < 0.03, "{ratio}");
        assert!((fit.ellipse.a - 60.0).abs() < 1.5, "{:?}", fit.ellipse);
    }
}
