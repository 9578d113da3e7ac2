//! BlazePose landmark model on a rotated square crop: 33 landmarks (+6 auxiliary used for
//! tracking), visibility, the pose score and the person-segmentation mask.

use opencv::core::{Mat, Scalar, Size};
use opencv::imgproc;
use opencv::prelude::*;

use super::{apply_affine, sigmoid, Affine, Engine, Landmark, PersonMask, Roi, NUM_LANDMARKS};
use crate::error::{Error, Result};

pub const LANDMARK_SIZE: usize = 256;
/// Landmarks the model computes: 33 body points and 6 auxiliary ones.
const ALL_LANDMARKS: usize = 39;

/// Raw landmark model result for one crop.
pub struct LandmarkResult {
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// Auxiliary points 33 (centre) and 34 (scale/rotation) in image pixels, for tracking.
    pub aux_alignment: [(f64, f64); 2],
    pub pose_score: f32,
    /// `None` from a model built without the mask head (`strip_mask.py`).
    pub mask: Option<PersonMask>,
}

/// The map from crop pixels (0..256) to image pixels for a rotated square ROI.
pub fn crop_to_image(roi: &Roi) -> Affine {
    let (c, s) = (roi.rotation_rad.cos(), roi.rotation_rad.sin());
    let k = roi.size_px / LANDMARK_SIZE as f64;
    let (a, b, d, e) = (c * k, -s * k, s * k, c * k);
    let half = LANDMARK_SIZE as f64 / 2.0;
    [
        a,
        b,
        roi.center_x_px - (a * half + b * half),
        d,
        e,
        roi.center_y_px - (d * half + e * half),
    ]
}

/// The same map with the crop mirrored left–right: crop x' = 256 − x.
pub fn mirrored(m: &Affine) -> Affine {
    let side = LANDMARK_SIZE as f64;
    [
        -m[0],
        m[1],
        m[0] * side + m[2],
        -m[3],
        m[4],
        m[3] * side + m[5],
    ]
}

/// Cuts the ROI out of a BGR frame into a 256x256 RGB tensor in [0, 1]; `mirror` flips the
/// crop left–right (in the same warp, at no cost).
pub fn crop_input(frame_bgr: &Mat, roi: &Roi, mirror: bool) -> Result<(Vec<f32>, Affine)> {
    let m = crop_to_image(roi);
    let m = if mirror { mirrored(&m) } else { m };
    let inv = super::invert_affine(&m).ok_or_else(|| Error::Pose {
        model: "landmark model",
        reason: "degenerate ROI".into(),
    })?;
    let warp = Mat::from_slice_2d(&[[inv[0], inv[1], inv[2]], [inv[3], inv[4], inv[5]]])?;
    let mut crop = Mat::default();
    let side = LANDMARK_SIZE as i32;
    imgproc::warp_affine(
        frame_bgr,
        &mut crop,
        &warp,
        Size::new(side, side),
        imgproc::INTER_LINEAR,
        opencv::core::BORDER_CONSTANT,
        Scalar::default(),
    )?;
    let bytes = crop.data_bytes()?;
    let mut input = vec![0f32; LANDMARK_SIZE * LANDMARK_SIZE * 3];
    for (px, out) in bytes.chunks_exact(3).zip(input.chunks_exact_mut(3)) {
        out[0] = px[2] as f32 / 255.0;
        out[1] = px[1] as f32 / 255.0;
        out[2] = px[0] as f32 / 255.0;
    }
    Ok((input, m))
}

/// MediaPipe's RefineLandmarksFromHeatmapCalculator (kernel 7, min confidence 0.5):
/// replaces x,y (crop px) by the confidence-weighted centre of the heatmap around them.
pub fn refine_from_heatmap(
    xy: &mut [(f32, f32)],
    heatmap: &[f32],
    hm_size: usize,
    channels: usize,
) {
    const KERNEL: i64 = 7;
    let off = (KERNEL - 1) / 2;
    let scale = LANDMARK_SIZE as f32 / hm_size as f32;
    for (i, p) in xy.iter_mut().enumerate().take(channels) {
        let col = (p.0 / scale).floor() as i64;
        let row = (p.1 / scale).floor() as i64;
        let n = hm_size as i64;
        if col < 0 || col >= n || row < 0 || row >= n {
            continue;
        }
        let (mut sum, mut sx, mut sy, mut max_conf) = (0f32, 0f32, 0f32, 0f32);
        for r in (row - off).max(0)..(row + off + 1).min(n) {
            for c in (col - off).max(0)..(col + off + 1).min(n) {
                let conf = sigmoid(heatmap[((r * n + c) as usize) * channels + i]);
                sum += conf;
                sx += c as f32 * conf;
                sy += r as f32 * conf;
                max_conf = max_conf.max(conf);
            }
        }
        if max_conf >= 0.5 && sum > 0.0 {
            *p = (sx / sum * scale, sy / sum * scale);
        }
    }
}

/// Dev aid for quantisation (`models/quantize.py`): each landmark-model input
/// (1x256x256x3 f32) written raw, little-endian, to `DIR/<n>.f32` (`FORMCHECK_DUMP_CROPS=DIR`,
/// read by `main`).
fn dump_crop(dir: &std::path::Path, input: &[f32]) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // one numbering across the models of a run
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bytes: Vec<u8> = input.iter().flat_map(|v| v.to_le_bytes()).collect();
    let path = dir.join(format!("{n}.f32"));
    if let Err(e) = std::fs::write(&path, bytes) {
        eprintln!("FORMCHECK_DUMP_CROPS: {}: {e}", path.display());
    }
}

/// The landmark model.
pub struct LandmarkModel {
    engine: Box<dyn Engine>,
    /// Where each input crop is written, for the quantisation experiment (off: `None`).
    pub dump_crops: Option<std::path::PathBuf>,
}

impl LandmarkModel {
    pub fn new(engine: Box<dyn Engine>) -> Self {
        LandmarkModel {
            engine,
            dump_crops: None,
        }
    }

    /// Runs on the ROI; with `mirror` the model sees the crop flipped left–right, and the
    /// landmarks come back in image pixels with their left/right labels restored.
    pub fn run(&mut self, frame_bgr: &Mat, roi: &Roi, mirror: bool) -> Result<LandmarkResult> {
        let (input, m) = crop_input(frame_bgr, roi, mirror)?;
        if let Some(dir) = &self.dump_crops {
            dump_crop(dir, &input);
        }
        let outs = self
            .engine
            .run(&input, &[1, LANDMARK_SIZE, LANDMARK_SIZE, 3])
            .map_err(|reason| Error::Pose {
                model: "landmark model",
                reason,
            })?;
        let find = |len: usize| outs.iter().find(|o| o.data.len() == len);
        let seg = find(LANDMARK_SIZE * LANDMARK_SIZE);
        let (Some(raw), Some(flag), Some(heat)) = (
            find(ALL_LANDMARKS * 5),
            find(1),
            find(64 * 64 * ALL_LANDMARKS),
        ) else {
            return Err(Error::Pose {
                model: "landmark model",
                reason: "unexpected output shapes".into(),
            });
        };
        let mut xy: Vec<(f32, f32)> = (0..ALL_LANDMARKS)
            .map(|i| (raw.data[i * 5], raw.data[i * 5 + 1]))
            .collect();
        refine_from_heatmap(&mut xy[..NUM_LANDMARKS], &heat.data, 64, ALL_LANDMARKS);
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for (i, lm) in landmarks.iter_mut().enumerate() {
            let (x, y) = apply_affine(&m, xy[i].0 as f64, xy[i].1 as f64);
            *lm = Landmark {
                x_px: x as f32,
                y_px: y as f32,
                z: raw.data[i * 5 + 2],
                visibility: sigmoid(raw.data[i * 5 + 3]),
                presence: sigmoid(raw.data[i * 5 + 4]),
            };
        }
        if mirror {
            // the model labelled the mirrored body: its "left" is the lifter's right
            super::swap_sides(&mut landmarks);
        }
        let aux = |i: usize| apply_affine(&m, xy[i].0 as f64, xy[i].1 as f64);
        Ok(LandmarkResult {
            landmarks,
            aux_alignment: [aux(33), aux(34)],
            pose_score: flag.data[0],
            mask: seg.map(|seg| {
                let probs = seg.data.iter().map(|&l| sigmoid(l)).collect();
                PersonMask::new(LANDMARK_SIZE, probs, m)
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_centre_maps_to_roi_centre() {
        let roi = Roi {
            center_x_px: 300.0,
            center_y_px: 200.0,
            size_px: 512.0,
            rotation_rad: 0.3,
        };
        let m = crop_to_image(&roi);
        let (x, y) = apply_affine(&m, 128.0, 128.0);
        assert!((x - 300.0).abs() < 1e-9 && (y - 200.0).abs() < 1e-9);
        // unrotated: crop (0,0) is the ROI's top-left corner
        let m0 = crop_to_image(&Roi {
            rotation_rad: 0.0,
            ..roi
        });
        let (x0, y0) = apply_affine(&m0, 0.0, 0.0);
        assert!((x0 - 44.0).abs() < 1e-9 && (y0 + 56.0).abs() < 1e-9);
    }

    #[test]
    fn heatmap_peak_pulls_the_landmark() {
        let (n, ch) = (64usize, 1usize);
        let mut hm = vec![-10.0f32; n * n * ch];
        hm[(20 * n + 30) * ch] = 10.0; // peak at col 30, row 20
        let mut xy = vec![(31.0 * 4.0, 21.0 * 4.0)];
        refine_from_heatmap(&mut xy, &hm, n, ch);
        assert!(
            (xy[0].0 - 120.0).abs() < 0.5 && (xy[0].1 - 80.0).abs() < 0.5,
            "{:?}",
            xy[0]
        );
    }
}
