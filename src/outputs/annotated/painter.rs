//! What is drawn on each frame of `annotated.mp4`, one function per layer, in drawing order:
//! the mid-foot line, the skeleton with the trunk line, the traced back and its flexion, the
//! live angles beside their joints, the bar's trail and hub, the rep/phase panel (top left)
//! and the fault banners (bottom). Text is drawn from cached glyphs ([`crate::outputs::glyphs`]).

use opencv::core::{Mat, Point, Rect, Scalar, Vector};
use opencv::imgproc::{self, FONT_HERSHEY_SIMPLEX, LINE_AA};
use opencv::prelude::*;

use crate::analyze::ClipAnalysis;
use crate::error::Result;
use crate::kinematics::Joint;
use crate::outputs::glyphs::{GlyphCache, TextStyle};
use crate::outputs::timeline;
use crate::reps::{self, Phase};

/// BGR colours (same hues as the plots).
const WHITE: (f64, f64, f64) = (245.0, 245.0, 245.0);
const BLACK: (f64, f64, f64) = (20.0, 20.0, 20.0);
const TRUNK: (f64, f64, f64) = (230.0, 150.0, 40.0);
const HIP: (f64, f64, f64) = (60.0, 60.0, 235.0);
const KNEE: (f64, f64, f64) = (60.0, 200.0, 60.0);
const BACK: (f64, f64, f64) = (230.0, 110.0, 200.0);
const BAR: (f64, f64, f64) = (0.0, 215.0, 255.0);
const MIDFOOT: (f64, f64, f64) = (255.0, 255.0, 0.0);
const FAULT: (f64, f64, f64) = (40.0, 40.0, 200.0);

fn bgr(c: (f64, f64, f64)) -> Scalar {
    Scalar::new(c.0, c.1, c.2, 0.0)
}

fn pt(p: (f64, f64)) -> Point {
    Point::new(p.0.round() as i32, p.1.round() as i32)
}

/// `colour` blended over `rect` of the frame with `alpha`, in place on the frame's bytes
/// (8-bit fixed point): OpenCV's `addWeighted` with a fill image allocated per box took ~3 ms
/// a frame for two full-width fault banners at 720p.
fn blend_box(img: &mut Mat, rect: Rect, colour: (f64, f64, f64), alpha: f64) -> Result<()> {
    let r = rect & Rect::new(0, 0, img.cols(), img.rows());
    if r.width <= 0 || r.height <= 0 {
        return Ok(());
    }
    let cols = img.cols() as usize;
    if img.typ() != opencv::core::CV_8UC3 || !img.is_continuous() {
        let mut roi = Mat::roi_mut(img, r)?;
        let fill = Mat::new_rows_cols_with_default(r.height, r.width, roi.typ(), bgr(colour))?;
        let mut blended = Mat::default();
        opencv::core::add_weighted(&roi, 1.0 - alpha, &fill, alpha, 0.0, &mut blended, -1)?;
        return Ok(blended.copy_to(&mut roi)?);
    }
    let keep = ((1.0 - alpha.clamp(0.0, 1.0)) * 256.0).round() as u32;
    let add =
        [colour.0, colour.1, colour.2].map(|c| (c.clamp(0.0, 255.0) * (256 - keep) as f64) as u32);
    let bytes = img.data_bytes_mut()?;
    for y in r.y as usize..(r.y + r.height) as usize {
        let row =
            &mut bytes[(y * cols + r.x as usize) * 3..(y * cols + (r.x + r.width) as usize) * 3];
        for px in row.chunks_exact_mut(3) {
            for (v, a) in px.iter_mut().zip(add) {
                *v = ((*v as u32 * keep + a) >> 8) as u8;
            }
        }
    }
    Ok(())
}

/// Draws one frame's overlay; sizes scale with the frame so 480p and 4K both read well.
pub(super) struct Painter<'a> {
    clip: &'a ClipAnalysis,
    width: i32,
    height: i32,
    /// 1.0 at 540 px on the short side.
    scale: f64,
    /// Output px per analysed px (the video may be written smaller than it was analysed).
    to_out: f64,
    min_fault_frames: usize,
    glyphs: GlyphCache,
}

impl<'a> Painter<'a> {
    pub(super) fn new(clip: &'a ClipAnalysis, width: i32, height: i32, to_out: f64) -> Self {
        let short = width.min(height).max(1) as f64;
        Painter {
            clip,
            width,
            height,
            scale: (short / 540.0).max(0.45),
            to_out,
            min_fault_frames: (clip.kinematics.fps * 0.7).round() as usize,
            glyphs: GlyphCache::default(),
        }
    }

    /// An analysed-frame position in output pixels.
    fn out(&self, p: (f64, f64)) -> (f64, f64) {
        (p.0 * self.to_out, p.1 * self.to_out)
    }

    /// The traced back nearest to `frame` (the model may have skipped it, see
    /// `pose.analysis_fps`), so the trace does not flicker.
    fn back_near(&self, frame: usize) -> Option<&crate::pose::back_contour::BackProfile> {
        let poses = &self.clip.poses;
        let skipped = |i: usize| poses.get(i).is_some_and(|p| !p.model_ran);
        let mut i = frame;
        while skipped(i) && i > 0 {
            i -= 1;
        }
        poses.get(i).and_then(|p| p.back.as_ref())
    }

    fn px(&self, v: f64) -> i32 {
        ((v * self.scale).round() as i32).max(1)
    }

    fn line(
        &self,
        img: &mut Mat,
        a: (f64, f64),
        b: (f64, f64),
        colour: (f64, f64, f64),
        width: f64,
    ) -> Result<()> {
        imgproc::line(img, pt(a), pt(b), bgr(colour), self.px(width), LINE_AA, 0)?;
        Ok(())
    }

    /// Text with a dark outline, readable on any background. `at` is the baseline start.
    fn text(
        &self,
        img: &mut Mat,
        s: &str,
        at: (f64, f64),
        size: f64,
        colour: (f64, f64, f64),
    ) -> Result<()> {
        let style = TextStyle {
            font_scale: 0.55 * size * self.scale,
            stroke_px: self.px(1.5 * size),
            outline_px: self.px(2.0),
            colour: bgr(colour),
            outline_colour: bgr(BLACK),
        };
        self.glyphs.draw(img, s, pt(at), &style)
    }

    fn text_size(&self, s: &str, size: f64) -> (i32, i32) {
        let mut base = 0;
        let fs = 0.55 * size * self.scale;
        imgproc::get_text_size(s, FONT_HERSHEY_SIMPLEX, fs, self.px(1.5 * size), &mut base)
            .map(|s| (s.width, s.height + base))
            .unwrap_or((0, 0))
    }

    /// A filled box, blended over the frame.
    fn panel(&self, img: &mut Mat, rect: Rect, colour: (f64, f64, f64), alpha: f64) -> Result<()> {
        blend_box(img, rect, colour, alpha)
    }

    /// Draws every layer on `img`, in order: later layers sit on top.
    pub(super) fn draw(&self, img: &mut Mat, frame: usize) -> Result<()> {
        self.midfoot(img)?;
        self.skeleton(img, frame)?;
        // placed before the back label is drawn, so that label can keep clear of it
        let trunk_label = self.trunk_label(frame);
        self.back(img, frame, trunk_label.as_ref())?;
        self.angles(img, frame, trunk_label.as_ref())?;
        let rep = reps::phase_at(&self.clip.analysis.reps, frame);
        self.bar(img, frame, rep)?;
        self.status_panel(img, frame, rep)?;
        self.fault_banners(img, frame)
    }

    /// A joint at `frame` in output pixels.
    fn joint(&self, j: Joint, frame: usize) -> Option<(f64, f64)> {
        let k = &self.clip.kinematics;
        if frame < k.frames() {
            k.at(j, frame).map(|p| self.out(p))
        } else {
            None
        }
    }

    /// Which way the lifter faces in image x (+1 right, -1 left): labels go behind the body.
    fn side(&self) -> f64 {
        self.clip.kinematics.facing.sign()
    }

    fn pad(&self) -> f64 {
        10.0 * self.scale
    }

    /// Mid-foot vertical line (dashed), from the floor up.
    fn midfoot(&self, img: &mut Mat) -> Result<()> {
        let clip = self.clip;
        let Some(mx) = clip.bar.midfoot_x_px.map(|x| x * self.to_out) else {
            return Ok(());
        };
        let bottom = clip
            .bar
            .floor_y_px
            .map(|y| y * self.to_out)
            .unwrap_or(self.height as f64);
        let dash = 14.0 * self.scale;
        let mut y = bottom;
        while y > 0.0 {
            self.line(img, (mx, y), (mx, (y - dash).max(0.0)), MIDFOOT, 1.5)?;
            y -= 2.0 * dash;
        }
        self.text(
            img,
            "mid-foot",
            (mx + 6.0 * self.scale, bottom - 6.0 * self.scale),
            0.8,
            MIDFOOT,
        )
    }

    /// Skeleton of the joints used (near side), the trunk line extended past the shoulder
    /// with the vertical it is measured from, and the joint dots on top.
    fn skeleton(&self, img: &mut Mat, frame: usize) -> Result<()> {
        use Joint::*;
        let at = |j: Joint| self.joint(j, frame);
        for (p, q) in [
            (Ear, Shoulder),
            (Shoulder, Elbow),
            (Elbow, Wrist),
            (Hip, Knee),
            (Knee, Ankle),
            (Ankle, Heel),
            (Heel, FootIndex),
            (Ankle, FootIndex),
        ] {
            if let (Some(a), Some(b)) = (at(p), at(q)) {
                self.line(img, a, b, WHITE, 3.0)?;
            }
        }
        if let (Some(h), Some(s)) = (at(Hip), at(Shoulder)) {
            let ext = (s.0 + (s.0 - h.0) * 0.15, s.1 + (s.1 - h.1) * 0.15);
            self.line(img, h, ext, TRUNK, 5.0)?;
            let len = ((s.0 - h.0).powi(2) + (s.1 - h.1).powi(2)).sqrt();
            let mut y = h.1;
            let dash = 8.0 * self.scale;
            while y > h.1 - len * 0.6 {
                self.line(img, (h.0, y), (h.0, y - dash), TRUNK, 1.5)?;
                y -= 2.0 * dash;
            }
        }
        for j in [
            Ear, Shoulder, Elbow, Wrist, Hip, Knee, Ankle, Heel, FootIndex,
        ] {
            if let Some(p) = at(j) {
                imgproc::circle(img, pt(p), self.px(5.0), bgr(BLACK), -1, LINE_AA, 0)?;
                imgproc::circle(img, pt(p), self.px(3.5), bgr(WHITE), -1, LINE_AA, 0)?;
            }
        }
        Ok(())
    }

    /// The trunk angle's label and where it goes: beside the shoulder, behind the body.
    fn trunk_label(&self, frame: usize) -> Option<Label> {
        let s = self.joint(Joint::Shoulder, frame)?;
        let v = value_at(&self.clip.kinematics.angles.trunk_angle_deg, frame)?;
        let text = format!("trunk {v:.0} deg");
        let (w, h) = self.text_size(&text, 0.9);
        let x = if self.side() > 0.0 {
            s.0 - w as f64 - 18.0 * self.scale
        } else {
            s.0 + 18.0 * self.scale
        };
        Some(Label {
            text,
            x,
            y: s.1 - 12.0 * self.scale,
            w: w as f64,
            h: h as f64,
        })
    }

    /// The traced back and its flexion, the label kept clear of the trunk label.
    fn back(&self, img: &mut Mat, frame: usize, trunk_label: Option<&Label>) -> Result<()> {
        let Some(back) = self.back_near(frame) else {
            return Ok(());
        };
        let pts: Vector<Point> = (0..crate::pose::back_contour::PROFILE_T.len())
            .filter_map(|i| back.edge_point(i).map(|p| pt(self.out(p))))
            .collect();
        if pts.len() < 2 {
            return Ok(());
        }
        let all: Vector<Vector<Point>> = Vector::from_iter([pts.clone()]);
        imgproc::polylines(img, &all, false, bgr(BACK), self.px(3.0), LINE_AA, 0)?;
        let Some(f) = value_at(&self.clip.thoracic_flexion_deg, frame) else {
            return Ok(());
        };
        let mid = pts.get(pts.len() * 2 / 3)?;
        let n = back.normal;
        let tx = mid.x as f64 + n.0 * 14.0 * self.scale;
        let ty = mid.y as f64 + n.1 * 14.0 * self.scale;
        let label = format!("back flex {f:.0} deg");
        let (w, h) = self.text_size(&label, 0.9);
        let (w, h) = (w as f64, h as f64);
        let tx = if n.0 < 0.0 { tx - w } else { tx };
        // bent over, the upper back sits by the shoulder: go above the trunk label
        let ty = match trunk_label {
            Some(t) if tx < t.x + t.w && t.x < tx + w && ty - h < t.y && t.y - t.h < ty => {
                t.y - t.h - 4.0 * self.scale
            }
            _ => ty,
        };
        self.text(img, &label, (tx, ty), 0.9, BACK)
    }

    /// Live trunk, hip and knee angles beside their joints.
    fn angles(&self, img: &mut Mat, frame: usize, trunk_label: Option<&Label>) -> Result<()> {
        let a = &self.clip.kinematics.angles;
        let side = self.side();
        if let Some(t) = trunk_label {
            self.text(img, &t.text, (t.x, t.y), 0.9, TRUNK)?;
        }
        if let (Some(h), Some(v)) = (
            self.joint(Joint::Hip, frame),
            value_at(&a.hip_angle_deg, frame),
        ) {
            let label = format!("hip {v:.0} deg");
            let (w, _) = self.text_size(&label, 0.9);
            let p = (h.0 - side * 16.0 * self.scale, h.1);
            let x = if side > 0.0 { p.0 - w as f64 } else { p.0 };
            self.text(img, &label, (x, h.1 + 24.0 * self.scale), 0.9, HIP)?;
        }
        if let (Some(kp), Some(v)) = (
            self.joint(Joint::Knee, frame),
            value_at(&a.knee_angle_deg, frame),
        ) {
            let p = (kp.0 + side * 16.0 * self.scale, kp.1);
            // the model only guesses a knee the near plate covers (the lockout's knee limit
            // does not read it): say so beside the number
            let hidden = self
                .clip
                .kinematics
                .at(Joint::Knee, frame)
                .is_some_and(|(x, y)| self.clip.bar.plate_covers(frame, x, y));
            let label = if hidden {
                format!("knee {v:.0} deg (behind plate)")
            } else {
                format!("knee {v:.0} deg")
            };
            let (w, _) = self.text_size(&label, 0.9);
            let x = if side > 0.0 { p.0 } else { p.0 - w as f64 };
            self.text(img, &label, (x, p.1), 0.9, KNEE)?;
        }
        Ok(())
    }

    /// The bar: its trail since the current rep began (the last second between reps), then
    /// the hub.
    fn bar(&self, img: &mut Mat, frame: usize, rep: Option<(usize, Phase)>) -> Result<()> {
        let clip = self.clip;
        let trail_from = match rep {
            Some((i, _)) => clip.analysis.reps[i]
                .span(true)
                .map(|s| s.0)
                .unwrap_or(frame),
            None => frame.saturating_sub((clip.kinematics.fps * 1.0) as usize),
        };
        let trail: Vector<Point> = (trail_from..=frame)
            .filter_map(|i| {
                let s = clip.bar.samples.get(i)?;
                Some(pt(self.out((s.x_px?, s.y_px?))))
            })
            .collect();
        if trail.len() >= 2 {
            let all: Vector<Vector<Point>> = Vector::from_iter([trail]);
            imgproc::polylines(img, &all, false, bgr(BAR), self.px(3.0), LINE_AA, 0)?;
        }
        let Some((x, y)) = clip
            .bar
            .samples
            .get(frame)
            .and_then(|s| Some((s.x_px?, s.y_px?)))
        else {
            return Ok(());
        };
        let hub = pt(self.out((x, y)));
        let ring = self.px(3.0);
        imgproc::circle(img, hub, self.px(9.0), bgr(BLACK), ring + 2, LINE_AA, 0)?;
        imgproc::circle(img, hub, self.px(9.0), bgr(BAR), ring, LINE_AA, 0)?;
        imgproc::circle(img, hub, self.px(2.5), bgr(BAR), -1, LINE_AA, 0)?;
        Ok(())
    }

    /// Top left: the rep and phase, the time and frame, and a pose-unreliable warning.
    fn status_panel(&self, img: &mut Mat, frame: usize, rep: Option<(usize, Phase)>) -> Result<()> {
        let clip = self.clip;
        let reps = &clip.analysis.reps;
        let status = match rep {
            Some((i, phase)) => {
                // a rep whose every fault is not assessable (unreliable pose, implausible
                // figures, a damaged file) says so while it plays
                let index = reps[i].index;
                let judged = clip
                    .analysis
                    .not_assessable
                    .iter()
                    .filter(|n| n.rep == Some(index))
                    .count()
                    < crate::faults::registry().len();
                format!(
                    "Rep {} of {}: {}{}",
                    index,
                    reps.len(),
                    phase.label(),
                    if judged { "" } else { " (not judged)" }
                )
            }
            None if reps.is_empty() => "no reps found".into(),
            None => "between reps".into(),
        };
        let k = &clip.kinematics;
        let time = format!(
            "{:.2} s  frame {}{}",
            timeline::frame_time_s(clip, frame),
            frame,
            match k.reliability.get(frame).copied().flatten() {
                // rounded down, so a score just under the limit never prints as the limit
                Some(r) if r < k.min_reliability => {
                    format!("  pose unreliable ({:.2})", (r * 100.0).floor() / 100.0)
                }
                _ => String::new(),
            }
        );
        let (w1, h1) = self.text_size(&status, 1.2);
        let (w2, h2) = self.text_size(&time, 0.8);
        let pad = self.pad();
        let bw = w1.max(w2) as f64 + 2.0 * pad;
        let bh = (h1 + h2) as f64 + 3.0 * pad;
        self.panel(img, Rect::new(0, 0, bw as i32, bh as i32), BLACK, 0.55)?;
        self.text(img, &status, (pad, pad + h1 as f64 * 0.8), 1.2, WHITE)?;
        self.text(
            img,
            &time,
            (pad, 2.0 * pad + h1 as f64 + h2 as f64 * 0.75),
            0.8,
            WHITE,
        )
    }

    /// Bottom: one banner per active fault, stacked upwards.
    fn fault_banners(&self, img: &mut Mat, frame: usize) -> Result<()> {
        let active =
            timeline::active_findings(&self.clip.analysis.faults, frame, self.min_fault_frames);
        let pad = self.pad();
        let (_, lh) = self.text_size("Ag", 1.1);
        let row = lh as f64 + 2.0 * pad;
        for (n, f) in active.iter().enumerate() {
            let y = self.height as f64 - row * (n + 1) as f64;
            let unit = if f.unit == "deg" {
                " deg".to_string()
            } else {
                timeline::unit_suffix(&f.unit)
            };
            let decimals = crate::faults::value_decimals(&f.unit);
            let label = format!(
                "FAULT rep {}: {}  {:.decimals$}{unit} (limit {:.decimals$}{unit})",
                f.rep,
                timeline::fault_title(&f.kind),
                f.value,
                f.threshold
            );
            self.panel(
                img,
                Rect::new(0, y as i32, self.width, row as i32),
                FAULT,
                0.8,
            )?;
            // shrink the text to fit narrow (portrait, small) frames
            let (w, _) = self.text_size(&label, 1.1);
            let room = self.width as f64 - 2.0 * pad;
            let size = if w as f64 > room {
                (1.1 * room / w as f64).max(0.5)
            } else {
                1.1
            };
            self.text(
                img,
                &label,
                (pad, y + row - pad - lh as f64 * 0.2),
                size,
                WHITE,
            )?;
        }
        Ok(())
    }
}

/// A placed text label: baseline start `(x, y)`, size `w`×`h` in pixels.
struct Label {
    text: String,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The value of a per-frame series at `frame`, `None` past its end.
fn value_at(series: &[Option<f64>], frame: usize) -> Option<f64> {
    series.get(frame).copied().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blended_box_matches_add_weighted_and_stays_inside() {
        let bg = Scalar::new(200.0, 90.0, 10.0, 0.0);
        let mut img = Mat::new_rows_cols_with_default(40, 60, opencv::core::CV_8UC3, bg).unwrap();
        let colour = (40.0, 40.0, 200.0);
        // partly off the frame: clipped, not an error
        blend_box(&mut img, Rect::new(50, 10, 30, 20), colour, 0.8).unwrap();
        let px = |x, y| *img.at_2d::<opencv::core::Vec3b>(y, x).unwrap();
        let expect = |b: f64, c: f64| 0.2 * b + 0.8 * c;
        let inside = px(55, 15);
        for (k, (b, c)) in [(200.0, 40.0), (90.0, 40.0), (10.0, 200.0)]
            .iter()
            .enumerate()
        {
            assert!(
                (inside[k] as f64 - expect(*b, *c)).abs() <= 1.0,
                "{inside:?}"
            );
        }
        assert_eq!(px(49, 15), opencv::core::Vec3b::from([200, 90, 10]));
        assert_eq!(px(55, 9), opencv::core::Vec3b::from([200, 90, 10]));
    }
}
