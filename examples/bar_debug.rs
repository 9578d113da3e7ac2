//! Looks at the bar stage by eye (a development tool, not part of the product).
//!
//! `cargo run --release --example bar_debug -- draw VIDEO OUT_CLIP_DIR PNG_DIR [EVERY]`
//!   draws the tracked bar path (green = plate, orange = wrist stand-in), mid-foot and the
//!   floor line from `OUT_CLIP_DIR/frames.csv` + `analysis.json` onto every EVERY-th frame.
//! `cargo run --release --example bar_debug -- detect VIDEO OUT_CLIP_DIR FRAME PNG`
//!   prints the plate detector's candidates in FRAME (hint from frames.csv) and draws them.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use opencv::core::{Mat, Point, Scalar, Vector};
use opencv::imgcodecs;
use opencv::imgproc;
use opencv::prelude::*;

use formcheck::bar::patch::Patch;
use formcheck::bar::plate::{candidates, SearchHint};
use formcheck::video::VideoReader;

struct Csv {
    rows: Vec<HashMap<String, String>>,
}

impl Csv {
    fn load(path: &Path) -> Result<Csv> {
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .context("empty csv")?
            .split(',')
            .map(String::from)
            .collect();
        let rows = lines
            .map(|l| {
                header
                    .iter()
                    .cloned()
                    .zip(l.split(',').map(String::from))
                    .collect()
            })
            .collect();
        Ok(Csv { rows })
    }
    fn f(&self, i: usize, col: &str) -> Option<f64> {
        self.rows.get(i)?.get(col)?.parse().ok()
    }
    fn s(&self, i: usize, col: &str) -> &str {
        self.rows
            .get(i)
            .and_then(|r| r.get(col))
            .map(|s| s.as_str())
            .unwrap_or("")
    }
}

fn pt(x: f64, y: f64) -> Point {
    Point::new(x.round() as i32, y.round() as i32)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(|s| s.as_str()) {
        Some("draw") if args.len() >= 5 => draw(&args),
        Some("detect") if args.len() >= 6 => detect(&args),
        _ => bail!("usage: see the doc comment of examples/bar_debug.rs"),
    }
}

fn draw(args: &[String]) -> Result<()> {
    let clip = Path::new(&args[3]);
    let csv = Csv::load(&clip.join("frames.csv"))?;
    let analysis: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clip.join("analysis.json"))?)?;
    let bar = &analysis["bar"];
    let midfoot = bar["midfoot_x_px"].as_f64();
    let floor = bar["floor_y_px"].as_f64();
    let diameter = bar["plate"]["diameter_px"].as_f64();
    let every: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(10);
    let out = Path::new(&args[4]);
    std::fs::create_dir_all(out)?;
    let mut reader = VideoReader::open(Path::new(&args[2]))?;
    while let Some(frame) = reader.next_frame()? {
        let i = frame.index;
        if i % every != 0 {
            continue;
        }
        let mut img: Mat = frame.image.clone();
        let w = img.cols();
        let h = img.rows();
        let thick = (w.max(h) / 400).max(1);
        if let Some(m) = midfoot {
            imgproc::line(
                &mut img,
                pt(m, 0.0),
                pt(m, h as f64),
                Scalar::new(255.0, 255.0, 0.0, 0.0),
                thick,
                imgproc::LINE_AA,
                0,
            )?;
        }
        if let Some(f) = floor {
            imgproc::line(
                &mut img,
                pt(0.0, f),
                pt(w as f64, f),
                Scalar::new(255.0, 0.0, 255.0, 0.0),
                thick,
                imgproc::LINE_AA,
                0,
            )?;
        }
        for j in 1..=i {
            let (Some(x0), Some(y0), Some(x1), Some(y1)) = (
                csv.f(j - 1, "bar_x_px"),
                csv.f(j - 1, "bar_y_px"),
                csv.f(j, "bar_x_px"),
                csv.f(j, "bar_y_px"),
            ) else {
                continue;
            };
            let color = if csv.s(j, "bar_source") == "plate" {
                Scalar::new(0.0, 255.0, 0.0, 0.0)
            } else {
                Scalar::new(0.0, 140.0, 255.0, 0.0)
            };
            imgproc::line(
                &mut img,
                pt(x0, y0),
                pt(x1, y1),
                color,
                thick,
                imgproc::LINE_AA,
                0,
            )?;
        }
        if let (Some(x), Some(y)) = (csv.f(i, "bar_x_px"), csv.f(i, "bar_y_px")) {
            if let Some(d) = diameter {
                imgproc::circle(
                    &mut img,
                    pt(x, y),
                    (d / 2.0).round() as i32,
                    Scalar::new(0.0, 0.0, 255.0, 0.0),
                    thick,
                    imgproc::LINE_AA,
                    0,
                )?;
            }
            let text = format!(
                "{i} {} x={}cm h={}cm",
                csv.s(i, "bar_source"),
                csv.s(i, "bar_x_cm_from_midfoot"),
                csv.s(i, "bar_height_cm")
            );
            imgproc::put_text(
                &mut img,
                &text,
                Point::new(5, 10 + 12 * thick),
                imgproc::FONT_HERSHEY_SIMPLEX,
                0.4 * thick as f64,
                Scalar::new(0.0, 0.0, 255.0, 0.0),
                thick,
                imgproc::LINE_AA,
                false,
            )?;
        }
        let path = out.join(format!("f{i:04}.png"));
        imgcodecs::imwrite(&path, &img, &Vector::new())?;
    }
    Ok(())
}

fn detect(args: &[String]) -> Result<()> {
    let clip = Path::new(&args[3]);
    let csv = Csv::load(&clip.join("frames.csv"))?;
    let target: usize = args[4].parse()?;
    let p = |j: &str| -> Option<(f64, f64)> {
        Some((
            csv.f(target, &format!("{j}_x_px"))?,
            csv.f(target, &format!("{j}_y_px"))?,
        ))
    };
    let (wrist, shoulder, hip, knee, ankle) = (
        p("wrist").context("wrist")?,
        p("shoulder").context("shoulder")?,
        p("hip").context("hip")?,
        p("knee").context("knee")?,
        p("ankle").context("ankle")?,
    );
    let leg = ((hip.0 - knee.0).hypot(hip.1 - knee.1) + (knee.0 - ankle.0).hypot(knee.1 - ankle.1))
        .max(1.5 * (shoulder.0 - hip.0).hypot(shoulder.1 - hip.1));
    let (min_r, max_r) = (0.12 * leg, 0.6 * leg);
    let mut reader = VideoReader::open(Path::new(&args[2]))?;
    while let Some(frame) = reader.next_frame()? {
        if frame.index != target {
            continue;
        }
        let scale = (50.0 / max_r).min(1.0);
        let patch = Patch::cut(&frame.image, wrist, 2.8 * max_r, scale)?.context("patch")?;
        let hint = SearchHint {
            hands: [patch.to_patch(wrist); 2],
            max_offset_radii: 1.6,
            min_radius: min_r * patch.scale,
            max_radius: max_r * patch.scale,
            min_coverage: formcheck::bar::plate::MIN_COVERAGE_FIRST,
        };
        println!(
            "wrist {wrist:?} leg {leg:.1} r {min_r:.1}..{max_r:.1} patch scale {:.3}",
            patch.scale
        );
        let mut img = frame.image.clone();
        for c in candidates(&patch, &hint)? {
            let (hx, hy) = patch.to_frame((c.hough.0, c.hough.1));
            println!(
                "hough ({hx:.1},{hy:.1}) r {:.1} -> {:?} score {:.2} refused {:?}",
                c.hough.2 / patch.scale,
                c.fit.map(|f| (f.ellipse.to_frame(&patch), f.coverage)),
                c.score,
                c.refused
            );
            if let Some(f) = c.fit {
                let e = f.ellipse.to_frame(&patch);
                let color = if c.refused.is_none() {
                    Scalar::new(0.0, 255.0, 0.0, 0.0)
                } else {
                    Scalar::new(0.0, 0.0, 255.0, 0.0)
                };
                imgproc::ellipse(
                    &mut img,
                    pt(e.cx, e.cy),
                    opencv::core::Size::new(e.a.round() as i32, e.b.round() as i32),
                    e.angle_rad.to_degrees(),
                    0.0,
                    360.0,
                    color,
                    1,
                    imgproc::LINE_AA,
                    0,
                )?;
            }
        }
        imgproc::circle(
            &mut img,
            pt(wrist.0, wrist.1),
            3,
            Scalar::new(255.0, 0.0, 0.0, 0.0),
            -1,
            imgproc::LINE_8,
            0,
        )?;
        imgcodecs::imwrite(&args[5], &img, &Vector::new())?;
        break;
    }
    Ok(())
}
