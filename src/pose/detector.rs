//! BlazePose person detector: an SSD over the letterboxed 224x224 frame with 2254 anchors.
//! Its four keypoints give the rotated ROI for the landmark model (keypoint 0: hip centre,
//! keypoint 1: a point that sets the body's scale and rotation).

use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;

use super::{sigmoid, Engine, Roi};
use crate::error::{Error, Result};

pub const DETECTOR_SIZE: usize = 224;

/// A detection mapped back to image pixels.
#[derive(Debug, Clone)]
pub struct Detection {
    pub score: f32,
    pub keypoints_px: [(f64, f64); 4],
}

/// SSD anchor centres (strides 8,16,32,32,32; two anchors per cell per layer; offset 0.5).
pub fn ssd_anchors() -> Vec<(f32, f32)> {
    let strides = [8usize, 16, 32, 32, 32];
    let mut anchors = Vec::with_capacity(2254);
    let mut layer = 0;
    while layer < strides.len() {
        let mut last = layer;
        let mut per_cell = 0;
        while last < strides.len() && strides[last] == strides[layer] {
            per_cell += 2;
            last += 1;
        }
        let cells = DETECTOR_SIZE.div_ceil(strides[layer]);
        for y in 0..cells {
            for x in 0..cells {
                for _ in 0..per_cell {
                    anchors.push((
                        (x as f32 + 0.5) / cells as f32,
                        (y as f32 + 0.5) / cells as f32,
                    ));
                }
            }
        }
        layer = last;
    }
    anchors
}

/// Letterbox geometry: image px = (letterbox px - pad) / scale.
#[derive(Debug, Clone, Copy)]
pub struct Letterbox {
    pub scale: f64,
    pub pad_x: f64,
    pub pad_y: f64,
}

/// Letterboxes a BGR frame into a 224x224 RGB tensor scaled to [-1, 1].
pub fn letterbox_input(frame_bgr: &Mat) -> Result<(Vec<f32>, Letterbox)> {
    let (w, h) = (frame_bgr.cols() as f64, frame_bgr.rows() as f64);
    let scale = DETECTOR_SIZE as f64 / w.max(h);
    let (nw, nh) = (
        ((w * scale).round() as i32).max(1),
        ((h * scale).round() as i32).max(1),
    );
    let mut resized = Mat::default();
    imgproc::resize(
        frame_bgr,
        &mut resized,
        Size::new(nw, nh),
        0.0,
        0.0,
        imgproc::INTER_AREA,
    )?;
    let pad_x = (DETECTOR_SIZE as i32 - nw) / 2;
    let pad_y = (DETECTOR_SIZE as i32 - nh) / 2;
    let mut input = vec![-1.0f32; DETECTOR_SIZE * DETECTOR_SIZE * 3];
    let bytes = resized.data_bytes()?;
    for y in 0..nh as usize {
        let row = &bytes[y * nw as usize * 3..(y + 1) * nw as usize * 3];
        let out_row = (y + pad_y as usize) * DETECTOR_SIZE + pad_x as usize;
        for x in 0..nw as usize {
            let o = (out_row + x) * 3;
            // BGR -> RGB
            input[o] = row[x * 3 + 2] as f32 / 127.5 - 1.0;
            input[o + 1] = row[x * 3 + 1] as f32 / 127.5 - 1.0;
            input[o + 2] = row[x * 3] as f32 / 127.5 - 1.0;
        }
    }
    Ok((
        input,
        Letterbox {
            scale,
            pad_x: pad_x as f64,
            pad_y: pad_y as f64,
        },
    ))
}

/// The person detector with its anchors.
pub struct PoseDetector {
    engine: Box<dyn Engine>,
    anchors: Vec<(f32, f32)>,
    pub min_score: f32,
    /// Calls since the last person found: the finer squares run on every
    /// [`FINE_EVERY`]th of them.
    calls_without_person: usize,
}

/// While nobody is found, the finer squares (about 20 detector runs) are looked at on one
/// call in this many: a far lifter is found within a third of a second at 30 fps, and a
/// stretch without anybody costs two runs a frame more, not twenty.
pub const FINE_EVERY: usize = 10;

impl PoseDetector {
    pub fn new(engine: Box<dyn Engine>, min_score: f32) -> Self {
        PoseDetector {
            engine,
            anchors: ssd_anchors(),
            min_score,
            calls_without_person: 0,
        }
    }

    /// The most confident person in the frame, merged with the boxes that overlap it.
    /// A person too small in the frame can vanish in the 224-pixel letterbox, so when the
    /// whole frame finds nobody the detector also looks at overlapping squares along the long
    /// side of a wide (or tall) frame and then, on every [`FINE_EVERY`]th such call, at
    /// overlapping squares half the short side across: a lifter a fifth of a 720p frame high
    /// scores 0.01–0.03 on the whole frame and 0.6–0.98 in such a square.
    pub fn detect(&mut self, frame_bgr: &Mat) -> Result<Option<Detection>> {
        let found = self.detect_tiled(frame_bgr)?;
        self.calls_without_person = if found.is_some() {
            0
        } else {
            self.calls_without_person + 1
        };
        Ok(found)
    }

    fn detect_tiled(&mut self, frame_bgr: &Mat) -> Result<Option<Detection>> {
        if let Some(d) = self.detect_in(frame_bgr, (0.0, 0.0))? {
            return Ok(Some(d));
        }
        let (w, h) = (frame_bgr.cols(), frame_bgr.rows());
        if let Some(d) = self.best_in_tiles(frame_bgr, &square_tiles(w, h))? {
            return Ok(Some(d));
        }
        if !self.calls_without_person.is_multiple_of(FINE_EVERY) {
            return Ok(None);
        }
        self.best_in_tiles(frame_bgr, &grid_tiles(w, h, w.min(h) / 2))
    }

    /// The most confident detection over `tiles` of the frame.
    fn best_in_tiles(
        &mut self,
        frame_bgr: &Mat,
        tiles: &[opencv::core::Rect],
    ) -> Result<Option<Detection>> {
        let mut best: Option<Detection> = None;
        for &rect in tiles {
            let tile = Mat::roi(frame_bgr, rect)?.try_clone()?;
            if let Some(d) = self.detect_in(&tile, (rect.x as f64, rect.y as f64))? {
                if best.as_ref().is_none_or(|b| d.score > b.score) {
                    best = Some(d);
                }
            }
        }
        Ok(best)
    }

    /// Detection in `image`, whose top-left corner sits at `offset` in the frame.
    fn detect_in(&mut self, image: &Mat, offset: (f64, f64)) -> Result<Option<Detection>> {
        let (input, lb) = letterbox_input(image)?;
        let outputs = self
            .engine
            .run(&input, &[1, DETECTOR_SIZE, DETECTOR_SIZE, 3])
            .map_err(|reason| Error::Pose {
                model: "pose detector",
                reason,
            })?;
        let regressors = outputs.iter().find(|o| o.shape.last() == Some(&12));
        let logits = outputs.iter().find(|o| o.shape.last() == Some(&1));
        let (Some(regressors), Some(logits)) = (regressors, logits) else {
            return Err(Error::Pose {
                model: "pose detector",
                reason: "unexpected output shapes".into(),
            });
        };
        let mut detection = decode_best(
            &regressors.data,
            &logits.data,
            &self.anchors,
            self.min_score,
            &lb,
        );
        if let Some(d) = detection.as_mut() {
            for kp in d.keypoints_px.iter_mut() {
                kp.0 += offset.0;
                kp.1 += offset.1;
            }
        }
        Ok(detection)
    }
}

/// Overlapping squares along the long side of a frame that is clearly not square (none for a
/// near-square frame): side = short side, steps of half a side.
pub fn square_tiles(width: i32, height: i32) -> Vec<opencv::core::Rect> {
    let (long, short) = (width.max(height), width.min(height));
    if short <= 0 || (long as f64) < 1.3 * short as f64 {
        return Vec::new();
    }
    grid_tiles(width, height, short)
}

/// Squares of `side` covering the frame, overlapping by half a side along each axis (the
/// last of a row or column flush with the edge); none when `side` is under 16 pixels.
pub fn grid_tiles(width: i32, height: i32, side: i32) -> Vec<opencv::core::Rect> {
    if side < 16 || side > width.min(height) {
        return Vec::new();
    }
    let starts = |len: i32| -> Vec<i32> {
        let step = (side / 2).max(1);
        let mut v: Vec<i32> = (0..)
            .map(|k| k * step)
            .take_while(|&s| s + side < len)
            .collect();
        v.push(len - side);
        v
    };
    let (xs, ys) = (starts(width), starts(height));
    ys.iter()
        .flat_map(|&y| {
            xs.iter()
                .map(move |&x| opencv::core::Rect::new(x, y, side, side))
        })
        .collect()
}

/// Decodes the best-scoring anchor and averages it with the candidates overlapping it
/// (MediaPipe's weighted non-max suppression, kept to the one person we follow).
pub fn decode_best(
    regressors: &[f32],
    logits: &[f32],
    anchors: &[(f32, f32)],
    min_score: f32,
    lb: &Letterbox,
) -> Option<Detection> {
    let n = anchors.len().min(logits.len()).min(regressors.len() / 12);
    let scores: Vec<f32> = logits[..n]
        .iter()
        .map(|&l| sigmoid(l.clamp(-100.0, 100.0)))
        .collect();
    let best = (0..n).max_by(|&a, &b| scores[a].total_cmp(&scores[b]))?;
    if scores[best] < min_score {
        return None;
    }
    let size = DETECTOR_SIZE as f32;
    let decode = |i: usize| {
        let r = &regressors[i * 12..i * 12 + 12];
        let (ax, ay) = anchors[i];
        let (cx, cy) = (r[0] / size + ax, r[1] / size + ay);
        let (w, h) = (r[2] / size, r[3] / size);
        let bbox = [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0];
        let mut kps = [(0f32, 0f32); 4];
        for (k, kp) in kps.iter_mut().enumerate() {
            *kp = (r[4 + 2 * k] / size + ax, r[5 + 2 * k] / size + ay);
        }
        (bbox, kps)
    };
    let (best_box, _) = decode(best);
    let area = |b: &[f32; 4]| (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0);
    let mut weight_sum = 0.0f32;
    let mut merged = [(0f32, 0f32); 4];
    for i in (0..n).filter(|&i| scores[i] > min_score) {
        let (bbox, kps) = decode(i);
        let ix = (bbox[2].min(best_box[2]) - bbox[0].max(best_box[0])).max(0.0)
            * (bbox[3].min(best_box[3]) - bbox[1].max(best_box[1])).max(0.0);
        let union = area(&bbox) + area(&best_box) - ix;
        if union > 0.0 && ix / union > 0.3 {
            for (m, k) in merged.iter_mut().zip(kps) {
                m.0 += k.0 * scores[i];
                m.1 += k.1 * scores[i];
            }
            weight_sum += scores[i];
        }
    }
    if weight_sum <= 0.0 {
        return None;
    }
    let mut keypoints_px = [(0f64, 0f64); 4];
    for (out, m) in keypoints_px.iter_mut().zip(merged) {
        let (nx, ny) = ((m.0 / weight_sum) as f64, (m.1 / weight_sum) as f64);
        *out = (
            (nx * size as f64 - lb.pad_x) / lb.scale,
            (ny * size as f64 - lb.pad_y) / lb.scale,
        );
    }
    Some(Detection {
        score: scores[best],
        keypoints_px,
    })
}

/// MediaPipe's ROI from two alignment points: centre `c`, scale/rotation point `e`;
/// side = 2·|e−c|·1.25, rotation so that c→e points up.
pub fn roi_from_alignment(c: (f64, f64), e: (f64, f64)) -> Roi {
    let (dx, dy) = (e.0 - c.0, e.1 - c.1);
    let size_px = 2.0 * (dx * dx + dy * dy).sqrt() * 1.25;
    let rotation = std::f64::consts::FRAC_PI_2 - (-dy).atan2(dx);
    Roi {
        center_x_px: c.0,
        center_y_px: c.1,
        size_px,
        rotation_rad: wrap_pi(rotation),
    }
}

/// Wraps an angle into [-π, π).
pub fn wrap_pi(a: f64) -> f64 {
    use std::f64::consts::PI;
    (a + PI).rem_euclid(2.0 * PI) - PI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_frames_get_overlapping_square_tiles() {
        assert!(square_tiles(600, 500).is_empty());
        let tiles = square_tiles(1280, 360);
        assert_eq!(tiles.first().map(|r| (r.x, r.width)), Some((0, 360)));
        assert_eq!(tiles.last().map(|r| r.x + r.width), Some(1280));
        assert!(tiles.windows(2).all(|w| w[1].x - w[0].x <= 180));
        let tall = square_tiles(360, 1280);
        assert_eq!(tall.last().map(|r| r.y + r.height), Some(1280));
    }

    #[test]
    fn the_finer_squares_cover_the_frame_with_half_overlaps() {
        let tiles = grid_tiles(1280, 720, 360);
        // every pixel of the frame lies in a square, each 360 across
        for (x, y) in [(0, 0), (1279, 719), (640, 360), (1279, 0), (0, 719)] {
            assert!(tiles
                .iter()
                .any(|r| r.contains(opencv::core::Point::new(x, y))));
        }
        assert!(tiles
            .iter()
            .all(|r| r.width == 360 && r.x + r.width <= 1280));
        assert_eq!(tiles.len(), 7 * 3);
        assert!(grid_tiles(20, 20, 10).is_empty());
    }

    #[test]
    fn there_are_2254_anchors() {
        let a = ssd_anchors();
        assert_eq!(a.len(), 2254);
        assert!((a[0].0 - 0.5 / 28.0).abs() < 1e-6);
    }

    #[test]
    fn upright_person_gives_unrotated_roi() {
        // scale point straight above the hip centre: no rotation
        let roi = roi_from_alignment((100.0, 200.0), (100.0, 100.0));
        assert!(roi.rotation_rad.abs() < 1e-9);
        assert!((roi.size_px - 250.0).abs() < 1e-9);
        // lying to the right (head to the right): rotated by +90°
        let roi = roi_from_alignment((100.0, 200.0), (200.0, 200.0));
        assert!((roi.rotation_rad - std::f64::consts::FRAC_PI_2).abs() < 1e-9);
    }

    #[test]
    fn best_detection_maps_back_through_the_letterbox() {
        let anchors = ssd_anchors();
        let n = anchors.len();
        let mut logits = vec![-10.0f32; n];
        let mut regs = vec![0.0f32; n * 12];
        let i = 100;
        logits[i] = 5.0;
        regs[i * 12 + 2] = 20.0;
        regs[i * 12 + 3] = 20.0;
        let lb = Letterbox {
            scale: 0.5,
            pad_x: 0.0,
            pad_y: 10.0,
        };
        let det = decode_best(&regs, &logits, &anchors, 0.5, &lb).unwrap();
        let (ax, ay) = anchors[i];
        let want = ((ax as f64 * 224.0) / 0.5, (ay as f64 * 224.0 - 10.0) / 0.5);
        assert!((det.keypoints_px[0].0 - want.0).abs() < 1e-3);
        assert!((det.keypoints_px[0].1 - want.1).abs() < 1e-3);
        assert!(decode_best(&regs, &vec![-10.0; n], &anchors, 0.5, &lb).is_none());
    }
}
