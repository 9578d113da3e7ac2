//! Developer tool: the person detector's best score on every frame of a video.
use std::path::Path;

use formcheck::pose::detector::PoseDetector;
use formcheck::pose::{Engine, OrtEngine};
use formcheck::video::VideoReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: detect_scores VIDEO")?;
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/pose_detection.onnx");
    let engine: Box<dyn Engine> = Box::new(OrtEngine::load(&model, 2)?);
    let min: f32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let mut detector = PoseDetector::new(engine, min);
    let mut reader = VideoReader::open(Path::new(&path))?;
    while let Some(frame) = reader.next_frame()? {
        let score = detector
            .detect(&frame.image)?
            .map(|d| d.score)
            .unwrap_or(0.0);
        println!("{} {score:.3}", frame.index);
    }
    Ok(())
}
