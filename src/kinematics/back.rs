//! The upper-back flexion angle from the traced back contour
//! ([`crate::pose::back_contour`]). The trunk line alone cannot see a rounded upper back;
//! the silhouette can. A smooth curve is fitted to the dorsal edge between the hip and the
//! base of the neck and the bend is the total turning of the circular arc that encloses the
//! same area with its chord over the upper back ([`BEND_SPAN_T`]): an integral of the curve's
//! offsets, so neither a single edge point nor the exact ends of the span decide the angle.

use crate::pose::back_contour::{BackProfile, MAX_OFFSET_TORSO, PROFILE_T};

/// The part of the dorsal edge the curve is fitted to (fractions of hip→shoulder). Below
/// ~0.25 the edge is the gluteal bulge, which changes with hip flexion, not with the spine;
/// 1.05 is the base of the neck (~C7, a little above the shoulder joints).
pub const FIT_T: (f64, f64) = (0.3, 1.05);

/// The span of the upper back whose bend is measured (fractions of hip→shoulder): from above
/// the lumbar hollow to below the shoulder's drop into the neck. Why an area over a span and
/// not the tangents at two points: the model's hip keypoint moves along the back by up to a
/// fifth of the torso with the posture (forward of the joint at the set-up, near it when
/// rounded, measured on the renders), which slides two reading points along a steeply
/// curving edge near the shoulder; the enclosed area changes little when the span's ends
/// slide. On the renders' masks this reads 0.6–0.8° of bend per degree of the truth's chord
/// flexion from the model's own keypoints, against 0.25–0.35° for the two tangents.
/// Starting at 0.35, not 0.3: lower down the edge follows the pelvis, whose tilt changes
/// with the knees (a hips-first pull bent it by 5° more at 0.3).
pub const BEND_SPAN_T: (f64, f64) = (0.35, 0.9);

/// Edge points further than this from the fitted curve (torso lengths) are dropped as
/// covered (an arm, the bar, a plate) or mis-traced: ~2 px on a 100-px torso, above the
/// sub-pixel edge's own scatter.
pub const OUTLIER_TORSO: f64 = 0.02;

/// The contour is ragged (loose clothing, hair, an occluding arm) when neighbouring edge
/// points scatter by more than this (torso lengths, see `roughness`) or fewer than
/// [`MIN_KEPT_FRACTION`] of the points in [`FIT_T`] survive.
pub const MAX_RMS_TORSO: f64 = 0.012;
pub const MIN_KEPT_FRACTION: f64 = 0.6;

/// A frame's bend is not read when the edge traced at the mask's two band levels
/// ([`crate::pose::back_contour::BAND_LEVELS`]) bends differently by more than this. The
/// renders' crisp masks differ by 0.2–0.6° (median; 90th percentile 0.7–2.7°, 14 renders from
/// 3.3 to 6 m, two bodies); the real clips shrunk to 300 px high differ by up to 18° in their
/// worst tenth of frames (A13: a black shirt before black dumbbells), and the increases read
/// there were differences of two guesses. 3° is under a quarter of the 13.5° limit.
pub const MAX_BAND_BEND_DEG: f64 = 3.0;

/// Frames in the running median over the per-frame angles: the mask edge jitters by a pixel
/// or two per frame; 9 frames is 0.3 s at 30 fps, shorter than any phase of a rep.
pub const SMOOTH_FRAMES: usize = 9;

/// The curve fitted to one frame's dorsal edge.
#[derive(Debug, Clone, PartialEq)]
pub struct BackFit {
    /// d(t) = Σ cᵢ·tⁱ, t along hip→shoulder and d out to the back, both in torso lengths.
    pub coef: [f64; DEG + 1],
    /// Total turning of the circular arc with the same area over its chord as the curve over
    /// [`BEND_SPAN_T`] ([`arc_turning_deg`]), + when the back bulges outwards (rounded).
    pub bend_deg: f64,
    /// RMS distance of the kept points from the curve, torso lengths.
    pub rms_torso: f64,
    /// The points the curve was fitted to, (t, d) in torso lengths.
    pub kept: Vec<(f64, f64)>,
}

impl BackFit {
    pub fn offset_at(&self, t: f64) -> f64 {
        poly(&self.coef, t)
    }
}

fn poly(c: &[f64], t: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * t + ci)
}

/// The total turning (degrees) of the circular arc that has the same signed area between
/// itself and its chord, relative to the chord's length squared, as the curve `c` over `span`
/// (+ bulging out to the back). For an arc of turning Θ that ratio is
/// (Θ − sin Θ) / (8 sin²(Θ/2)) (≈ Θ/12), inverted here by Newton's method; the curve is
/// integrated with the trapezoid rule along its chord.
pub fn arc_turning_deg(c: &[f64], span: (f64, f64)) -> f64 {
    const STEPS: usize = 64;
    let pt = |k: usize| {
        let t = span.0 + (span.1 - span.0) * k as f64 / STEPS as f64;
        (t, poly(c, t))
    };
    let (a, b) = (pt(0), pt(STEPS));
    let chord = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    if chord < 1e-9 {
        return 0.0;
    }
    let along = ((b.0 - a.0) / chord, (b.1 - a.1) / chord);
    // the chord's normal on the back's side (+d)
    let out = (-along.1, along.0);
    let frame = |p: (f64, f64)| {
        let (dx, dy) = (p.0 - a.0, p.1 - a.1);
        (dx * along.0 + dy * along.1, dx * out.0 + dy * out.1)
    };
    let area = (0..STEPS)
        .map(|k| {
            let (p, q) = (frame(pt(k)), frame(pt(k + 1)));
            0.5 * (p.1 + q.1) * (q.0 - p.0)
        })
        .sum::<f64>();
    let ratio = area / (chord * chord);
    // solve f(Θ) = ratio for an odd, increasing f; start from the small-angle Θ = 12·ratio
    let f = |th: f64| {
        let s = (th / 2.0).sin();
        if th.abs() < 1e-4 {
            th / 12.0
        } else {
            (th - th.sin()) / (8.0 * s * s)
        }
    };
    let mut th = (12.0 * ratio).clamp(-3.0, 3.0);
    for _ in 0..30 {
        let h = 1e-6;
        let d = (f(th + h) - f(th - h)) / (2.0 * h);
        let step = (f(th) - ratio) / d.max(1e-9);
        th = (th - step).clamp(-3.0, 3.0);
        if step.abs() < 1e-10 {
            break;
        }
    }
    th.to_degrees()
}

/// Why a frame has no curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFit {
    /// Too few edge points, or none near one end of the upper back.
    Untraced,
    /// The edge points scatter too much about any smooth curve.
    Ragged,
    /// The mask's edge is soft: the bend read at its 0.65 and 0.35 levels differs by more
    /// than [`MAX_BAND_BEND_DEG`], so where the back is between them is not known.
    Blurred,
}

/// Least-squares polynomial of degree `DEG` through `pts` (coefficients from t⁰ up);
/// `None` when singular. Solved on t − mean(t) for conditioning.
fn polyfit(pts: &[(f64, f64)]) -> Option<[f64; DEG + 1]> {
    const N: usize = DEG + 1;
    let tm = pts.iter().map(|p| p.0).sum::<f64>() / pts.len() as f64;
    let mut a = [[0.0f64; N + 1]; N];
    for &(t, d) in pts {
        let mut x = [1.0f64; N];
        for i in 1..N {
            x[i] = x[i - 1] * (t - tm);
        }
        for i in 0..N {
            for j in 0..N {
                a[i][j] += x[i] * x[j];
            }
            a[i][N] += x[i] * d;
        }
    }
    // Gauss-Jordan with partial pivoting
    for c in 0..N {
        let piv = (c..N).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, piv);
        for r in 0..N {
            if r != c {
                let f = a[r][c] / a[c][c];
                let pivot_row = a[c];
                for (x, p) in a[r].iter_mut().zip(pivot_row).skip(c) {
                    *x -= f * p;
                }
            }
        }
    }
    let centred: Vec<f64> = (0..N).map(|i| a[i][N] / a[i][i]).collect();
    // expand Σ cᵢ (t − tm)ⁱ into powers of t
    let mut out = [0.0f64; N];
    for (i, &ci) in centred.iter().enumerate() {
        let mut binom = 1.0;
        for (k, o) in out.iter_mut().enumerate().take(i + 1) {
            // term C(i,k) tᵏ (−tm)^(i−k)
            *o += ci * binom * (-tm).powi((i - k) as i32);
            binom = binom * (i - k) as f64 / (k + 1) as f64;
        }
    }
    Some(out)
}

/// Degree of the fitted curve: a cubic follows the lumbar hollow, the thoracic bulge and the
/// drop to the neck of a real back (a quadratic misses them by 1–2% of the torso).
pub const DEG: usize = 3;

/// The edge's roughness (torso lengths): the point-to-point scatter the second differences
/// of neighbouring edge points show (a smooth curve has almost none at 2.5% spacing), so a
/// shape the curve does not follow is not mistaken for a ragged outline.
fn roughness(pts: &[(f64, f64)]) -> f64 {
    let d2: Vec<f64> = pts
        .windows(3)
        .filter(|w| (w[2].0 - w[0].0) < 0.051 + 1e-9)
        .map(|w| w[0].1 - 2.0 * w[1].1 + w[2].1)
        .collect();
    if d2.is_empty() {
        return 0.0;
    }
    // var(Δ²) = 6σ² for independent noise σ
    let mut abs: Vec<f64> = d2.iter().map(|x| x.abs()).collect();
    1.4826 * super::filters::median_of(&mut abs) / 6f64.sqrt()
}

/// Fits the curve to edge points (t, d) in torso lengths (only those in [`FIT_T`] are used):
/// a least-squares cubic, then twice: drop the points further than [`OUTLIER_TORSO`]
/// (or 3 robust σ) from it and refit.
pub fn fit_points(pts: &[(f64, f64)]) -> Result<BackFit, NoFit> {
    let cand: Vec<(f64, f64)> = pts
        .iter()
        .copied()
        .filter(|p| p.0 >= FIT_T.0 - 1e-9 && p.0 <= FIT_T.1 + 1e-9)
        .collect();
    // the curve must be anchored near both ends of the upper back, not extrapolated
    let covers = |k: &[(f64, f64)]| {
        k.len() >= 8
            && k.iter().any(|p| p.0 <= BEND_SPAN_T.0 + 0.05)
            && k.iter().any(|p| p.0 >= BEND_SPAN_T.1 + 0.05)
    };
    if !covers(&cand) {
        return Err(NoFit::Untraced);
    }
    let mut kept = cand.clone();
    if roughness(&cand) > MAX_RMS_TORSO {
        return Err(NoFit::Ragged);
    }
    let mut coef = polyfit(&kept).ok_or(NoFit::Untraced)?;
    let resid = |c: &[f64; DEG + 1], p: &(f64, f64)| p.1 - poly(c, p.0);
    for _ in 0..2 {
        let mut abs: Vec<f64> = cand.iter().map(|p| resid(&coef, p).abs()).collect();
        let sigma = 1.4826 * super::filters::median_of(&mut abs);
        let limit = OUTLIER_TORSO.max(3.0 * sigma);
        kept = cand
            .iter()
            .copied()
            .filter(|p| resid(&coef, p).abs() <= limit)
            .collect();
        if !covers(&kept) {
            return Err(NoFit::Ragged);
        }
        coef = polyfit(&kept).ok_or(NoFit::Untraced)?;
    }
    let rms_torso =
        (kept.iter().map(|p| resid(&coef, p).powi(2)).sum::<f64>() / kept.len() as f64).sqrt();
    if (kept.len() as f64) < MIN_KEPT_FRACTION * cand.len() as f64 {
        return Err(NoFit::Ragged);
    }
    let bend_deg = arc_turning_deg(&coef, BEND_SPAN_T);
    Ok(BackFit {
        coef,
        bend_deg,
        rms_torso,
        kept,
    })
}

/// The curve of one traced frame: its edge points in torso lengths, implausibly far ones
/// (past [`MAX_OFFSET_TORSO`]: the march crossed into an arm, a plate or a mask blob)
/// left out.
/// The frame is [`NoFit::Blurred`] when the edge at the mask's band levels bends
/// differently by more than [`MAX_BAND_BEND_DEG`] (or one of them cannot be fitted).
pub fn fit_back(p: &BackProfile) -> Result<BackFit, NoFit> {
    let len = p.torso_px();
    if len < 1.0 {
        return Err(NoFit::Untraced);
    }
    let fit = |offsets: &[Option<f64>]| {
        let pts: Vec<(f64, f64)> = PROFILE_T
            .iter()
            .zip(offsets)
            .filter_map(|(&t, d)| d.map(|d| (t, d / len)))
            .filter(|p| p.1 <= MAX_OFFSET_TORSO)
            .collect();
        fit_points(&pts)
    };
    let back = fit(&p.offset_px)?;
    match (fit(&p.inner_px), fit(&p.outer_px)) {
        (Ok(inner), Ok(outer)) if (inner.bend_deg - outer.bend_deg).abs() <= MAX_BAND_BEND_DEG => {
            Ok(back)
        }
        _ => Err(NoFit::Blurred),
    }
}

/// Per-frame upper-back figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackSeries {
    /// The fitted bend of each frame, unsmoothed.
    pub raw_deg: Vec<Option<f64>>,
    /// Running median of `raw_deg` over [`SMOOTH_FRAMES`].
    pub deg: Vec<Option<f64>>,
    /// Why a traced frame has no curve (`None` where it has one or was not traced).
    pub unfit: Vec<Option<NoFit>>,
}

pub fn back_series(profiles: &[Option<BackProfile>]) -> BackSeries {
    let fits: Vec<Option<Result<BackFit, NoFit>>> =
        profiles.iter().map(|p| p.as_ref().map(fit_back)).collect();
    let raw_deg: Vec<Option<f64>> = fits
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.as_ref().ok()).map(|f| f.bend_deg))
        .collect();
    let unfit: Vec<Option<NoFit>> = fits
        .iter()
        .map(|f| f.as_ref().and_then(|f| f.as_ref().err()).copied())
        .collect();
    BackSeries {
        deg: running_median(&raw_deg),
        raw_deg,
        unfit,
    }
}

fn running_median(raw: &[Option<f64>]) -> Vec<Option<f64>> {
    let half = SMOOTH_FRAMES / 2;
    (0..raw.len())
        .map(|i| {
            raw[i]?;
            let mut w: Vec<f64> = raw[i.saturating_sub(half)..(i + half + 1).min(raw.len())]
                .iter()
                .flatten()
                .copied()
                .collect();
            Some(super::filters::median_of(&mut w))
        })
        .collect()
}

/// Upper-back flexion per frame (degrees) from the traced profiles; `None` where the back
/// could not be traced or fitted. Smoothed with a running median over the traced frames.
pub fn thoracic_flexion_series(profiles: &[Option<BackProfile>]) -> Vec<Option<f64>> {
    back_series(profiles).deg
}

/// The measurement's spread (degrees): the fitted curve's frame-to-frame jitter over
/// `frames` of `raw_deg` ([`BackSeries::raw_deg`]), from consecutive fitted bends r:
/// e = rᵢ − (rᵢ₋₁ + rᵢ₊₁)/2 carries the noise (variance 1.5σ² for independent noise σ) but not
/// a steady movement (a straight trend leaves none), so σ = 1.4826 · median|e| / √1.5.
/// `None` with fewer than 5 such triples.
pub fn jitter_deg(raw_deg: &[Option<f64>], frames: impl Iterator<Item = usize>) -> Option<f64> {
    let r: Vec<f64> = frames
        .filter_map(|i| raw_deg.get(i).copied().flatten())
        .collect();
    let mut e: Vec<f64> = r
        .windows(3)
        .map(|w| (w[1] - 0.5 * (w[0] + w[2])).abs())
        .collect();
    if e.len() < 5 {
        return None;
    }
    Some(1.4826 * super::filters::median_of(&mut e) / 1.5f64.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(offsets: impl Fn(f64) -> f64) -> BackProfile {
        BackProfile::crisp(
            (0.0, 0.0),
            (0.0, -100.0),
            (-1.0, 0.0),
            PROFILE_T.iter().map(|&t| Some(offsets(t))).collect(),
        )
    }

    /// A circle arc bulging outwards through d = 0.2 at t = `centre`, radius `r` (torso
    /// lengths), and its exact turning over [`BEND_SPAN_T`] (its tangents' change between
    /// the span's ends).
    fn arc(r: f64, centre: f64) -> (impl Fn(f64) -> f64, f64) {
        let f = move |t: f64| 0.2 + (r * r - (t - centre).powi(2)).sqrt() - r;
        let theta = |t: f64| -((t - centre) / r).asin();
        (
            f,
            (theta(BEND_SPAN_T.0) - theta(BEND_SPAN_T.1)).to_degrees(),
        )
    }

    /// Deterministic noise in [-1, 1].
    fn noise(i: usize) -> f64 {
        let x = (i as f64 * 12.9898).sin() * 43758.5453;
        2.0 * (x - x.floor()) - 1.0
    }

    #[test]
    fn the_arc_turning_inverts_the_area_of_known_arcs() {
        // a straight line has none, whatever its slope
        assert!(arc_turning_deg(&[0.2, 0.3, 0.0, 0.0], BEND_SPAN_T).abs() < 1e-9);
        // a parabola bulging h over the span: area 2/3·h·w over a chord w; for a small bulge
        // the arc's turning is 8h/w (radians), and it flips sign with the bulge
        let (a, b) = BEND_SPAN_T;
        let w = b - a;
        for h in [0.002, 0.01, -0.01] {
            // d = 4h (t − a)(b − t) / w²
            let k = 4.0 * h / (w * w);
            let c = [-k * a * b, k * (a + b), -k, 0.0];
            let want = (8.0 * h / w).to_degrees();
            let got = arc_turning_deg(&c, BEND_SPAN_T);
            assert!(
                (got - want).abs() < 0.02 * want.abs() + 0.01,
                "{got} vs {want}"
            );
        }
    }

    #[test]
    fn flat_back_has_no_bend() {
        let fit = fit_back(&profile(|t| 20.0 + 3.0 * t)).unwrap();
        assert!(fit.bend_deg.abs() < 1e-6, "{fit:?}");
    }

    #[test]
    fn circle_arcs_read_their_bend() {
        for (r, centre) in [(2.0, 0.6), (1.0, 0.7), (0.6, 0.8), (0.45, 0.65)] {
            let (f, want) = arc(r, centre);
            let pts: Vec<(f64, f64)> = PROFILE_T.iter().map(|&t| (t, f(t))).collect();
            let got = fit_points(&pts).unwrap().bend_deg;
            // within 2°, or 15% on the tightest arcs (r 0.45: 50° over half the torso)
            assert!(
                (got - want).abs() < 2.0f64.max(0.15 * want),
                "r {r}: {got} vs {want}"
            );
            assert!(want > 10.0 || r > 1.5);
        }
    }

    #[test]
    fn arcs_with_noise_gaps_and_an_arm_still_read_their_bend() {
        let (f, want) = arc(0.7, 0.7);
        let pts: Vec<(f64, f64)> = PROFILE_T
            .iter()
            .enumerate()
            // a gap (the bar), and an arm crossing the edge 0.08 torso lengths out
            .filter(|(i, _)| !(20..23).contains(i))
            .map(|(i, &t)| {
                let arm = if (33..35).contains(&i) { 0.08 } else { 0.0 };
                (t, f(t) + 0.004 * noise(i) + arm)
            })
            .collect();
        let fit = fit_points(&pts).unwrap();
        assert!(
            (fit.bend_deg - want).abs() < 3.0,
            "{} vs {want}",
            fit.bend_deg
        );
        assert!(fit.kept.len() < pts.iter().filter(|p| p.0 >= 0.3 && p.0 <= 1.05).count());
    }

    #[test]
    fn the_bend_grows_with_the_arc() {
        let bends: Vec<f64> = [3.0, 1.2, 0.8, 0.6]
            .iter()
            .map(|&r| {
                let (f, _) = arc(r, 0.7);
                let pts: Vec<(f64, f64)> = PROFILE_T.iter().map(|&t| (t, f(t))).collect();
                fit_points(&pts).unwrap().bend_deg
            })
            .collect();
        assert!(bends.windows(2).all(|w| w[0] < w[1]), "{bends:?}");
    }

    #[test]
    fn an_edge_whose_band_bends_its_own_way_is_blurred() {
        let (f, want) = arc(1.2, 0.7);
        let crisp = profile(|t| 100.0 * f(t));
        assert!((fit_back(&crisp).unwrap().bend_deg - want).abs() < 1.0);
        // a band 6 px wide all along: the mask is soft but the shape is the same
        let mut wide = crisp.clone();
        wide.inner_px = crisp.offset_px.iter().map(|d| d.map(|d| d - 3.0)).collect();
        wide.outer_px = crisp.offset_px.iter().map(|d| d.map(|d| d + 3.0)).collect();
        assert!(fit_back(&wide).is_ok());
        // the 0.35 level bulges over the upper back where the 0.5 edge does not (dark weights
        // behind a dark shirt): which outline is the back is not known
        let mut soft = crisp.clone();
        soft.outer_px = PROFILE_T
            .iter()
            .zip(&crisp.offset_px)
            .map(|(&t, d)| d.map(|d| d + 8.0 * (1.0 - ((t - 0.65) / 0.3).powi(2)).max(0.0)))
            .collect();
        assert_eq!(fit_back(&soft).map(|f| f.bend_deg), Err(NoFit::Blurred));
    }

    #[test]
    fn a_ragged_edge_or_one_without_its_upper_end_has_no_curve() {
        // loose clothing: the edge jumps by 5% of the torso from point to point
        let ragged: Vec<(f64, f64)> = PROFILE_T
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, 0.2 + 0.05 * noise(i)))
            .collect();
        assert_eq!(fit_points(&ragged).map(|f| f.bend_deg), Err(NoFit::Ragged));
        let lower_only: Vec<(f64, f64)> = PROFILE_T
            .iter()
            .filter(|&&t| t < 0.8)
            .map(|&t| (t, 0.2))
            .collect();
        assert_eq!(
            fit_points(&lower_only).map(|f| f.bend_deg),
            Err(NoFit::Untraced)
        );
    }

    #[test]
    fn jitter_is_the_noise_not_the_movement() {
        // a steady 0.5°-a-frame rise has no jitter; noise on it does
        let rise: Vec<Option<f64>> = (0..40).map(|i| Some(0.5 * i as f64)).collect();
        assert!(jitter_deg(&rise, 0..40).unwrap() < 1e-9);
        assert_eq!(jitter_deg(&rise, 0..6), None);
        let raw: Vec<Option<f64>> = (0..40).map(|i| Some(10.0 + noise(i))).collect();
        let j = jitter_deg(&raw, 0..40).unwrap();
        assert!(j > 0.3 && j < 1.5, "{j}");
    }
}
