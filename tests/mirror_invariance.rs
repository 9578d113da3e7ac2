//! A lifter facing left gets the angles and findings of the same lift facing right: the far
//! (6 m, 720p) clean render and its horizontal flip from `../shared/synthetic`. Before the
//! crops were shown to the model in one orientation, the flip read hip angles of 400–530°
//! and got faults its source did not.

use crate::common;

use std::path::Path;

/// Column `name` of `frames.csv` (empty cells as `None`).
fn column(csv: &Path, name: &str) -> Vec<Option<f64>> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(at).and_then(|v| v.parse().ok()))
        .collect()
}

fn fault_kinds(analysis: &Path) -> Vec<String> {
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(analysis).unwrap()).unwrap();
    let mut kinds: Vec<String> = a["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}#{}", f["kind"].as_str().unwrap(), f["rep"]))
        .collect();
    kinds.sort();
    kinds
}

fn median_abs_diff(a: &[Option<f64>], b: &[Option<f64>]) -> f64 {
    let mut d: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)? - (*y)?).abs()))
        .collect();
    assert!(d.len() > 60, "too few frames known in both: {}", d.len());
    d.sort_by(f64::total_cmp);
    d[d.len() / 2]
}

#[test]
fn a_far_render_and_its_mirror_read_alike() {
    let Some(shared) = common::shared_or_skip("a_far_render_and_its_mirror_read_alike") else {
        return;
    };
    let syn = shared.join("synthetic");
    let out = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for name in ["far6_clean", "far6_clean_mirror"] {
        let dir = out.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let video = dir.join(format!("{name}.mp4"));
        std::os::unix::fs::symlink(syn.join(name).join("video.mp4"), &video).unwrap();
        let res = out.path().join(format!("{name}-out"));
        let (code, stderr) = common::analyze(&[&video], &res, &["--no-video", "-q"]);
        assert_eq!(code, Some(0), "{stderr}");
        results.push(res.join(name));
    }
    let (a, b) = (&results[0], &results[1]);
    assert_eq!(
        fault_kinds(&a.join("analysis.json")),
        fault_kinds(&b.join("analysis.json"))
    );
    for (angle, max_deg) in [("trunk_angle_deg", 3.0), ("hip_angle_deg", 6.0)] {
        let (x, y) = (
            column(&a.join("frames.csv"), angle),
            column(&b.join("frames.csv"), angle),
        );
        let d = median_abs_diff(&x, &y);
        assert!(d <= max_deg, "{angle}: median difference {d:.1}°");
    }
    // and no hip angle outside its anatomical range, in either
    for r in &results {
        let hips = column(&r.join("frames.csv"), "hip_angle_deg");
        assert!(
            hips.iter().flatten().all(|h| (30.0..=230.0).contains(h)),
            "{hips:?}"
        );
    }
}
