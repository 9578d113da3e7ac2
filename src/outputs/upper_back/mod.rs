//! The upper-back evidence pictures: for each rep, the crops of the two frames the
//! thoracic-rounding measure compared (`analysis.upper_back`, see
//! [`crate::faults::thoracic_evidence`]), cut from the unpainted input frames, with the traced
//! edge points, the fitted curve and the chord its bend is read against drawn on, at one height so they
//! compare side by side in the report. Written with or without the annotated video: [`grab`]
//! picks only the frames it needs; [`crop`] is the geometry.

pub mod crop;
pub mod grab;

use std::path::Path;

use opencv::core::{Mat, Point, Scalar, Size};
use opencv::imgproc;

use crate::analyze::ClipAnalysis;
use crate::error::{Error, Result};
use crate::faults::thoracic_evidence::CROPS_DIR;
use crate::kinematics::back::{fit_back, BackFit};
use crate::pose::back_contour::{BackProfile, PROFILE_T};
use crop::{Rect, CROP_HEIGHT_PX};

/// Writes every crop `clip.analysis.upper_back` names into `dir`; gives the files written
/// (relative to `dir`).
pub fn write_crops(clip: &ClipAnalysis, dir: &Path, ffmpeg: &Path) -> Result<Vec<String>> {
    let a = &clip.analysis;
    let (width, height) = (a.video.info.width, a.video.info.height);
    let mut jobs: Vec<(grab::Wanted, &BackProfile, BackFit, &str)> = Vec::new();
    for cf in a
        .upper_back
        .iter()
        .flat_map(|e| [e.reference.as_ref(), e.worst.as_ref()])
        .flatten()
    {
        // the evidence names a frame only where its contour was fitted
        let Some(profile) = clip.poses.get(cf.frame).and_then(|p| p.back.as_ref()) else {
            continue;
        };
        let Ok(fit) = fit_back(profile) else {
            continue;
        };
        let wanted = grab::Wanted {
            frame: cf.frame,
            time_s: clip
                .poses
                .get(cf.frame)
                .map(|p| p.time_s)
                .unwrap_or(cf.time_s),
            rect: crop::crop_rect(profile, width, height),
        };
        jobs.push((wanted, profile, fit, &cf.file));
    }
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let folder = dir.join(CROPS_DIR);
    std::fs::create_dir_all(&folder).map_err(|e| Error::Output {
        path: folder.clone(),
        reason: e.to_string(),
    })?;
    let wanted: Vec<grab::Wanted> = jobs.iter().map(|j| j.0).collect();
    let crops = grab::grab_crops(Path::new(&a.input), ffmpeg, a.video.info.fps, &wanted)?;
    let mut written = Vec::new();
    for ((w, profile, fit, file), crop) in jobs.iter().zip(crops) {
        let image = draw_evidence(&crop, w.rect, profile, fit)?;
        crate::outputs::write_jpeg(&image, &dir.join(file), 90)?;
        written.push(file.to_string());
    }
    Ok(written)
}

/// The crop enlarged (or shrunk) to [`CROP_HEIGHT_PX`], with the hip→shoulder line (grey),
/// the traced edge points (yellow where the curve was fitted to them, red where dropped as
/// covered or mis-traced), the fitted curve (cyan) and the chord over the span whose area
/// under the curve is the bend (magenta).
fn draw_evidence(crop: &Mat, r: Rect, p: &BackProfile, fit: &BackFit) -> Result<Mat> {
    let s = (CROP_HEIGHT_PX as f64 / r.h.max(1) as f64).clamp(0.25, 8.0);
    let size = Size::new(
        ((r.w as f64 * s).round() as i32).max(1),
        ((r.h as f64 * s).round() as i32).max(1),
    );
    let mut img = Mat::default();
    let interp = if s > 1.0 {
        imgproc::INTER_CUBIC
    } else {
        imgproc::INTER_AREA
    };
    imgproc::resize(crop, &mut img, size, 0.0, 0.0, interp)?;
    // sub-pixel positions: 4 fractional bits
    const SHIFT: i32 = 4;
    let pt = |q: (f64, f64)| {
        Point::new(
            ((q.0 - r.x as f64) * s * 16.0).round() as i32,
            ((q.1 - r.y as f64) * s * 16.0).round() as i32,
        )
    };
    let colour = |b: f64, g: f64, rr: f64| Scalar::new(b, g, rr, 0.0);
    let line = |img: &mut Mat, a: (f64, f64), b: (f64, f64), c: Scalar, w: i32| {
        imgproc::line(img, pt(a), pt(b), c, w, imgproc::LINE_AA, SHIFT)
    };
    line(
        &mut img,
        p.hip_px,
        p.shoulder_px,
        colour(160.0, 160.0, 160.0),
        1,
    )?;
    // the dots first: the curve and its chord stay visible on top of them
    let dot = (2.5 * s.sqrt()).clamp(2.0, 4.0) as i32;
    for (i, &t) in PROFILE_T.iter().enumerate() {
        let Some(q) = p.edge_point(i) else { continue };
        let kept = fit.kept.iter().any(|k| (k.0 - t).abs() < 1e-9);
        let c = if kept {
            colour(0.0, 255.0, 255.0)
        } else {
            colour(0.0, 0.0, 255.0)
        };
        imgproc::circle(
            &mut img,
            pt(q),
            dot << SHIFT,
            c,
            -1,
            imgproc::LINE_AA,
            SHIFT,
        )?;
    }
    let curve = crop::curve_points(p, fit);
    for w in curve.windows(2) {
        line(&mut img, w[0], w[1], colour(255.0, 255.0, 0.0), 2)?;
    }
    let (a, b) = crop::bend_chord(p, fit);
    line(&mut img, a, b, colour(255.0, 0.0, 255.0), 2)?;
    Ok(img)
}
