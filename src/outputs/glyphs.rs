//! Outlined text for the annotated video, drawn from cached glyphs. OpenCV's Hershey text
//! strokes every segment of every letter as a thick (anti-aliased) line, twice for the
//! outline: on a 720p frame that was ~8 ms of the ~11 ms spent drawing each frame. Each
//! character is drawn once per size and colour into a small patch with a mask of the pixels
//! it covers, then copied where it goes: the same pixels as `put_text` at a per-character
//! pen position, for a copy of a few hundred pixels per letter.

use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use opencv::core::{Mat, Point, Rect, Scalar, CV_8UC1, CV_8UC3};
use opencv::imgproc::{self, FONT_HERSHEY_SIMPLEX, LINE_8, LINE_AA};
use opencv::prelude::*;

use crate::error::Result;

/// How one string is drawn: Hershey simplex at `font_scale`, a `stroke_px` line in `colour`
/// over a `stroke_px + outline_px` dark outline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub font_scale: f64,
    pub stroke_px: i32,
    pub outline_px: i32,
    pub colour: Scalar,
    pub outline_colour: Scalar,
}

impl TextStyle {
    fn key(&self, c: char) -> GlyphKey {
        let scalar = |s: &Scalar| [s[0] as u8, s[1] as u8, s[2] as u8];
        GlyphKey {
            c,
            font_scale_milli: (self.font_scale * 1000.0).round() as i64,
            stroke_px: self.stroke_px,
            outline_px: self.outline_px,
            colour: scalar(&self.colour),
            outline_colour: scalar(&self.outline_colour),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GlyphKey {
    c: char,
    font_scale_milli: i64,
    stroke_px: i32,
    outline_px: i32,
    colour: [u8; 3],
    outline_colour: [u8; 3],
}

/// One drawn character: `patch` holds its pixels where `mask` is set; the pen (baseline
/// start) sits at `origin` inside the patch; the next character starts `advance_px` on.
struct Glyph {
    patch: Mat,
    mask: Mat,
    origin: Point,
    advance_px: f64,
}

/// Glyphs drawn so far; a clip uses a few hundred (digits, letters, a handful of sizes).
#[derive(Default)]
pub struct GlyphCache {
    glyphs: RefCell<HashMap<GlyphKey, Glyph>>,
}

impl GlyphCache {
    /// Draws `text` with its baseline starting at `at`, as `put_text` would.
    pub fn draw(&self, img: &mut Mat, text: &str, at: Point, style: &TextStyle) -> Result<()> {
        let mut glyphs = self.glyphs.borrow_mut();
        let mut pen_x = at.x as f64;
        for c in text.chars() {
            let g = match glyphs.entry(style.key(c)) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(render(c, style)?),
            };
            if c != ' ' {
                blit(img, g, Point::new(pen_x.round() as i32, at.y))?;
            }
            pen_x += g.advance_px;
        }
        Ok(())
    }
}

fn render(c: char, style: &TextStyle) -> Result<Glyph> {
    let s = c.to_string();
    let thick = style.stroke_px + style.outline_px;
    let mut baseline = 0;
    let size = imgproc::get_text_size(
        &s,
        FONT_HERSHEY_SIMPLEX,
        style.font_scale,
        thick,
        &mut baseline,
    )?;
    // getTextSize rounds the width (advances plus one line thickness): measure 16 copies
    // for the advance to 1/32 px, so a 60-letter banner ends where put_text would end it
    const COPIES: usize = 16;
    let run = imgproc::get_text_size(
        &s.repeat(COPIES),
        FONT_HERSHEY_SIMPLEX,
        style.font_scale,
        thick,
        &mut 0,
    )?;
    let advance_px = ((run.width - thick) as f64 / COPIES as f64).max(0.0);
    // strokes reach half a line width (and AA a pixel) past the nominal box on every side
    let margin = thick + 2;
    let w = size.width + 2 * margin;
    let h = size.height + baseline + 2 * margin;
    let origin = Point::new(margin, margin + size.height);
    let mut patch = Mat::new_rows_cols_with_default(h, w, CV_8UC3, Scalar::all(0.0))?;
    let mut mask = Mat::new_rows_cols_with_default(h, w, CV_8UC1, Scalar::all(0.0))?;
    let draw = |img: &mut Mat, colour: Scalar, t: i32, line: i32| {
        imgproc::put_text(
            img,
            &s,
            origin,
            FONT_HERSHEY_SIMPLEX,
            style.font_scale,
            colour,
            t,
            line,
            false,
        )
    };
    // outline, then the letter over it; the mask is every pixel either touches
    draw(&mut patch, style.outline_colour, thick, LINE_8)?;
    draw(&mut patch, style.colour, style.stroke_px, LINE_AA)?;
    draw(&mut mask, Scalar::all(255.0), thick, LINE_8)?;
    draw(&mut mask, Scalar::all(255.0), style.stroke_px, LINE_8)?;
    Ok(Glyph {
        patch,
        mask,
        origin,
        advance_px,
    })
}

/// Copies the glyph's masked pixels with its pen at `pen`, clipped to the image.
fn blit(img: &mut Mat, g: &Glyph, pen: Point) -> Result<()> {
    let (w, h) = (g.patch.cols(), g.patch.rows());
    let dst = Rect::new(pen.x - g.origin.x, pen.y - g.origin.y, w, h);
    let clipped = dst & Rect::new(0, 0, img.cols(), img.rows());
    if clipped.width <= 0 || clipped.height <= 0 {
        return Ok(());
    }
    let src = Rect::new(
        clipped.x - dst.x,
        clipped.y - dst.y,
        clipped.width,
        clipped.height,
    );
    let patch = Mat::roi(&g.patch, src)?;
    let mask = Mat::roi(&g.mask, src)?;
    let mut roi = Mat::roi_mut(img, clipped)?;
    patch.copy_to_masked(&mut roi, &mask)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> TextStyle {
        TextStyle {
            font_scale: 0.9,
            stroke_px: 2,
            outline_px: 2,
            colour: Scalar::new(245.0, 245.0, 245.0, 0.0),
            outline_colour: Scalar::new(20.0, 20.0, 20.0, 0.0),
        }
    }

    fn put_text_directly(img: &mut Mat, text: &str, at: Point, s: &TextStyle) {
        let outline = (s.outline_colour, s.stroke_px + s.outline_px, LINE_8);
        for (colour, thickness, line) in [outline, (s.colour, s.stroke_px, LINE_AA)] {
            let font = FONT_HERSHEY_SIMPLEX;
            imgproc::put_text(
                img,
                text,
                at,
                font,
                s.font_scale,
                colour,
                thickness,
                line,
                false,
            )
            .unwrap();
        }
    }

    #[test]
    fn cached_glyphs_look_like_put_text() {
        let bg = Scalar::new(90.0, 120.0, 60.0, 0.0);
        let mut direct = Mat::new_rows_cols_with_default(80, 400, CV_8UC3, bg).unwrap();
        let mut cached = direct.clone();
        let text = "hip 123 deg  (limit 4.5)";
        put_text_directly(&mut direct, text, Point::new(10, 50), &style());
        let cache = GlyphCache::default();
        cache
            .draw(&mut cached, text, Point::new(10, 50), &style())
            .unwrap();
        // the same text, give or take a pixel of pen rounding per letter: compare how much
        // ink there is and where it is, not pixel for pixel
        let ink = |m: &Mat| {
            let mut n = 0usize;
            let mut sum_x = 0usize;
            for y in 0..m.rows() {
                for x in 0..m.cols() {
                    let p = m.at_2d::<opencv::core::Vec3b>(y, x).unwrap();
                    if p[0] < 40 || p[0] > 200 {
                        n += 1;
                        sum_x += x as usize;
                    }
                }
            }
            (n, sum_x as f64 / n.max(1) as f64)
        };
        let (n_direct, x_direct) = ink(&direct);
        let (n_cached, x_cached) = ink(&cached);
        assert!(n_direct > 500, "{n_direct}");
        let ratio = n_cached as f64 / n_direct as f64;
        assert!((0.95..1.05).contains(&ratio), "{n_cached} vs {n_direct}");
        assert!(
            (x_cached - x_direct).abs() < 3.0,
            "{x_cached} vs {x_direct}"
        );
    }

    #[test]
    fn pen_advances_add_up_to_the_string_width() {
        let s = style();
        let text = "FAULT rep 1: Bar drifts away from the legs  7.1 cm (limit 5.0 cm)";
        let sum: f64 = text
            .chars()
            .map(|c| render(c, &s).unwrap().advance_px)
            .sum();
        let thick = s.stroke_px + s.outline_px;
        let mut base = 0;
        let whole =
            imgproc::get_text_size(text, FONT_HERSHEY_SIMPLEX, s.font_scale, thick, &mut base)
                .unwrap()
                .width
                - thick;
        assert!((sum - whole as f64).abs() <= 1.0, "{sum} vs {whole}");
    }

    #[test]
    fn text_off_the_edge_is_clipped_not_an_error() {
        let mut img = Mat::new_rows_cols_with_default(30, 30, CV_8UC3, Scalar::all(0.0)).unwrap();
        let cache = GlyphCache::default();
        for at in [
            Point::new(-20, 10),
            Point::new(25, 40),
            Point::new(-500, -500),
        ] {
            cache.draw(&mut img, "Rep 1", at, &style()).unwrap();
        }
    }
}
