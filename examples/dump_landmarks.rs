//! Developer tool: prints every frame's 33 landmarks as JSON lines (for checking the pose
//! stage against ground truth outside the pipeline). `cargo run --release --example
//! dump_landmarks -- VIDEO > out.jsonl`
use std::path::Path;

use formcheck::analyze::{run_frames, RunOptions};
use formcheck::config::Config;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: dump_landmarks VIDEO")?;
    let options = RunOptions::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"), 2);
    let pass = run_frames(
        Path::new(&path),
        &Config::default(),
        &options,
        &mut |_, _| {},
    )?;
    for p in &pass.poses {
        let lms: Vec<[f32; 3]> = p
            .landmarks
            .map(|l| l.iter().map(|m| [m.x_px, m.y_px, m.visibility]).collect())
            .unwrap_or_default();
        println!(
            "{}",
            serde_json::json!({"frame": p.index, "score": p.pose_score, "landmarks": lms})
        );
    }
    Ok(())
}
