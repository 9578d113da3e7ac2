//! Small grey patches cut from a frame: the only pixels the bar stage keeps (one patch, for
//! optical flow between two frames). A patch knows where it came from and how much it was
//! shrunk, so every result maps back to full-frame pixels.

use opencv::core::{Mat, Rect, Size};
use opencv::imgproc;
use opencv::prelude::*;

use crate::error::Result;

/// A blurred grey crop of a frame, shrunk by `scale` (work px per frame px).
pub struct Patch {
    pub mat: Mat,
    /// Frame pixel of the patch's (0, 0).
    pub origin_x_px: f64,
    pub origin_y_px: f64,
    pub scale: f64,
    pub width: usize,
    pub height: usize,
    /// The same pixels as f32, row-major, for edge sampling.
    pub data: Vec<f32>,
    /// The part that shows the frame (patch px: x0, y0, x1, y1); the rest is padding.
    pub valid: (f64, f64, f64, f64),
}

impl Patch {
    /// Cuts the square of half-size `half_px` around `center` out of `frame_bgr` (edge pixels
    /// repeated where it leaves the frame), greys it, shrinks it by `scale` and blurs it a little (edges, not noise).
    /// `None` when the square misses the frame.
    pub fn cut(
        frame_bgr: &Mat,
        center: (f64, f64),
        half_px: f64,
        scale: f64,
    ) -> Result<Option<Patch>> {
        let (w, h) = (frame_bgr.cols(), frame_bgr.rows());
        // a fixed-size square (optical flow needs equal sizes), padded where it leaves the frame
        let side = (2.0 * half_px).round().max(8.0) as i32;
        let x0 = (center.0 - half_px).round() as i32;
        let y0 = (center.1 - half_px).round() as i32;
        let (cx0, cy0) = (x0.clamp(0, w), y0.clamp(0, h));
        let (cx1, cy1) = ((x0 + side).clamp(0, w), (y0 + side).clamp(0, h));
        if cx1 - cx0 < 8 || cy1 - cy0 < 8 {
            return Ok(None);
        }
        let inside = Mat::roi(frame_bgr, Rect::new(cx0, cy0, cx1 - cx0, cy1 - cy0))?;
        // grey first (a third of the bytes to pad); per-pixel, so the same as padding first
        let mut inside_grey = Mat::default();
        if frame_bgr.channels() == 1 {
            inside.copy_to(&mut inside_grey)?;
        } else {
            imgproc::cvt_color(&inside, &mut inside_grey, imgproc::COLOR_BGR2GRAY, 0)?;
        }
        let (x1, y1) = (x0 + side, y0 + side);
        let grey = if (cx0, cy0, cx1, cy1) == (x0, y0, x1, y1) {
            inside_grey
        } else {
            let mut padded = Mat::default();
            opencv::core::copy_make_border(
                &inside_grey,
                &mut padded,
                cy0 - y0,
                y1 - cy1,
                cx0 - x0,
                x1 - cx1,
                opencv::core::BORDER_REPLICATE,
                opencv::core::Scalar::default(),
            )?;
            padded
        };
        let scale = scale.min(1.0);
        let small = if scale < 0.999 {
            let size = Size::new(
                (((x1 - x0) as f64 * scale).round() as i32).max(8),
                (((y1 - y0) as f64 * scale).round() as i32).max(8),
            );
            let mut s = Mat::default();
            imgproc::resize(&grey, &mut s, size, 0.0, 0.0, imgproc::INTER_AREA)?;
            s
        } else {
            grey
        };
        let mut mat = Mat::default();
        imgproc::gaussian_blur(
            &small,
            &mut mat,
            Size::new(5, 5),
            1.0,
            1.0,
            opencv::core::BORDER_REPLICATE,
        )?;
        let (width, height) = (mat.cols() as usize, mat.rows() as usize);
        let mat = if mat.is_continuous() {
            mat
        } else {
            mat.try_clone()?
        };
        let data = mat.data_bytes()?.iter().map(|&v| v as f32).collect();
        // the true scale after rounding the size
        let scale = width as f64 / (x1 - x0) as f64;
        let valid = (
            (cx0 - x0) as f64 * scale,
            (cy0 - y0) as f64 * scale,
            (cx1 - x0) as f64 * scale,
            (cy1 - y0) as f64 * scale,
        );
        Ok(Some(Patch {
            valid,
            mat,
            origin_x_px: x0 as f64,
            origin_y_px: y0 as f64,
            scale,
            width,
            height,
            data,
        }))
    }

    /// Frame pixel → patch pixel.
    pub fn to_patch(&self, p: (f64, f64)) -> (f64, f64) {
        (
            (p.0 - self.origin_x_px) * self.scale,
            (p.1 - self.origin_y_px) * self.scale,
        )
    }

    /// Patch pixel → frame pixel.
    pub fn to_frame(&self, p: (f64, f64)) -> (f64, f64) {
        (
            p.0 / self.scale + self.origin_x_px,
            p.1 / self.scale + self.origin_y_px,
        )
    }

    /// Whether a patch pixel shows the frame (with a margin of `margin` px inside it).
    pub fn shows(&self, p: (f64, f64), margin: f64) -> bool {
        let (x0, y0, x1, y1) = self.valid;
        p.0 >= x0 + margin && p.0 <= x1 - margin && p.1 >= y0 + margin && p.1 <= y1 - margin
    }

    /// Bilinear grey value; `None` outside the patch.
    pub fn value(&self, x: f64, y: f64) -> Option<f64> {
        if x < 0.0 || y < 0.0 {
            return None;
        }
        let (xi, yi) = (x.floor() as usize, y.floor() as usize);
        if xi + 1 >= self.width || yi + 1 >= self.height {
            return None;
        }
        let (fx, fy) = (x - xi as f64, y - yi as f64);
        let at = |c: usize, r: usize| self.data[r * self.width + c] as f64;
        let top = at(xi, yi) * (1.0 - fx) + at(xi + 1, yi) * fx;
        let bottom = at(xi, yi + 1) * (1.0 - fx) + at(xi + 1, yi + 1) * fx;
        Some(top * (1.0 - fy) + bottom * fy)
    }

    /// Grey-level gradient (central differences on the bilinear image).
    pub fn gradient(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let gx = (self.value(x + 1.0, y)? - self.value(x - 1.0, y)?) / 2.0;
        let gy = (self.value(x, y + 1.0)? - self.value(x, y - 1.0)?) / 2.0;
        Some((gx, gy))
    }
}
