//! Golden test: our BlazePose pipeline against MediaPipe's own output on two real images
//! (`../shared/models/reference`): visible landmarks within 3 px median, mask IoU ≥ 0.9.

use crate::common;

use opencv::imgcodecs;
use opencv::prelude::*;

use formcheck::config::ModelKind;
use formcheck::pose::tracker::PoseTracker;

fn check(image: &str) -> (f64, f64) {
    let shared = common::shared_dir().unwrap();
    let reference = shared.join("models/reference");
    let img = imgcodecs::imread(
        reference.join(image).to_str().unwrap(),
        imgcodecs::IMREAD_COLOR,
    )
    .unwrap();
    let stem = image.rsplit_once('.').unwrap().0;
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reference.join(format!("{stem}.mediapipe.json"))).unwrap(),
    )
    .unwrap();
    let mut tracker =
        PoseTracker::load(&common::models_dir(), ModelKind::Full, 1, 0.5, 0.5).unwrap();
    tracker.static_mode = true;
    // MediaPipe runs the model on the crop as it is: compare like with like (the product
    // mirrors the crops of a left-facing lifter, see `PoseTracker::canonical_facing`)
    tracker.canonical_facing = false;
    let est = tracker.estimate(&img, true).unwrap().expect("a person");
    // the mask-less cut of the model (frames without a mask) gives the very same landmarks
    let bare = tracker.estimate(&img, false).unwrap().expect("a person");
    assert!(
        bare.mask.is_none(),
        "{image}: the mask-less model returned a mask"
    );
    for (a, b) in est.landmarks.iter().zip(bare.landmarks.iter()) {
        assert_eq!(
            (a.x_px, a.y_px, a.visibility),
            (b.x_px, b.y_px, b.visibility)
        );
    }
    assert_eq!(tracker.timing.mask_runs * 2, tracker.timing.landmark_runs);
    let mut errors: Vec<f64> = Vec::new();
    for (i, g) in golden["landmarks"].as_array().unwrap().iter().enumerate() {
        if g["visibility"].as_f64().unwrap() < 0.5 {
            continue;
        }
        let (gx, gy) = (g["x"].as_f64().unwrap(), g["y"].as_f64().unwrap());
        let l = est.landmarks[i];
        errors.push(((l.x_px as f64 - gx).powi(2) + (l.y_px as f64 - gy).powi(2)).sqrt());
    }
    errors.sort_by(|a, b| a.total_cmp(b));
    let median = errors[errors.len() / 2];
    // mask IoU against MediaPipe's mask (thresholded at 0.5)
    let gm = imgcodecs::imread(
        reference
            .join(format!("{stem}.mediapipe_mask.png"))
            .to_str()
            .unwrap(),
        imgcodecs::IMREAD_GRAYSCALE,
    )
    .unwrap();
    let (mut inter, mut union) = (0u64, 0u64);
    let bytes = gm.data_bytes().unwrap();
    let w = gm.cols() as usize;
    for (k, &g) in bytes.iter().enumerate() {
        let (x, y) = ((k % w) as f64 + 0.5, (k / w) as f64 + 0.5);
        let ours = est.mask.as_ref().expect("a mask").prob_at(x, y) >= 0.5;
        let theirs = g >= 128;
        inter += (ours && theirs) as u64;
        union += (ours || theirs) as u64;
    }
    let iou = inter as f64 / union.max(1) as f64;
    eprintln!("{image}: median landmark error {median:.2} px over {} visible landmarks, mask IoU {iou:.3}", errors.len());
    (median, iou)
}

#[test]
fn landmarks_and_mask_match_mediapipe() {
    if common::shared_or_skip("landmarks_and_mask_match_mediapipe").is_none() {
        return;
    }
    for image in ["messi5.jpg", "vtest_150_sidewalker_x3.png"] {
        let (median, iou) = check(image);
        assert!(
            median <= 3.0,
            "{image}: median landmark error {median:.2} px > 3 px"
        );
        assert!(iou >= 0.9, "{image}: mask IoU {iou:.3} < 0.9");
    }
}
