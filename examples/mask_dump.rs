//! Developer tool: writes the cached person masks of a clip (see `FORMCHECK_POSE_CACHE`) as
//! 8-bit PNGs in image coordinates plus one JSON line of landmarks per masked frame, for
//! studying the back contour outside the pipeline.
//! `FORMCHECK_POSE_CACHE=DIR cargo run --release --features pose-cache --example mask_dump -- VIDEO OUTDIR`
use std::io::Write;
use std::path::Path;

use formcheck::config::ModelKind;
use opencv::core::{Mat, Vector, CV_8UC1};
use opencv::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (video, out) = (Path::new(&args[1]), Path::new(&args[2]));
    let dir = std::env::var_os("FORMCHECK_POSE_CACHE").ok_or("set FORMCHECK_POSE_CACHE=DIR")?;
    let cache = formcheck::pass::posecache::cache_path(Path::new(&dir), video, ModelKind::Full)
        .ok_or("cannot read the video")?;
    let clip = formcheck::pass::posecache::load(&cache).ok_or("no cache for this video")?;
    std::fs::create_dir_all(out)?;
    let (w, h) = (clip.info.width, clip.info.height);
    let mut lines = std::fs::File::create(out.join("landmarks.jsonl"))?;
    for f in &clip.frames {
        let Some(p) = &f.pose else { continue };
        let Some(mask) = &p.mask else { continue };
        let mut img = Mat::new_rows_cols_with_default(h, w, CV_8UC1, 0.into())?;
        for y in 0..h {
            for x in 0..w {
                let v = mask.prob_at(x as f64 + 0.5, y as f64 + 0.5);
                *img.at_2d_mut::<u8>(y, x)? = (v * 255.0).round() as u8;
            }
        }
        let name = out.join(format!("mask_{:05}.png", f.index));
        opencv::imgcodecs::imwrite(name.to_str().unwrap(), &img, &Vector::new())?;
        let lms: Vec<[f32; 3]> = p
            .landmarks
            .iter()
            .map(|m| [m.x_px, m.y_px, m.visibility])
            .collect();
        writeln!(
            lines,
            "{}",
            serde_json::json!({"frame": f.index, "landmarks": lms})
        )?;
    }
    Ok(())
}
