//! Writes the demo clip's full outputs (over the bundled sample video) and the batch index,
//! and checks the files are there. `FORMCHECK_KEEP_DEMO=<dir>` keeps them to look at.

use std::path::{Path, PathBuf};

use formcheck::config::Config;
use formcheck::outputs;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4")
}

#[test]
fn demo_outputs_are_all_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = match std::env::var_os("FORMCHECK_KEEP_DEMO") {
        Some(d) => PathBuf::from(d),
        None => tmp.path().to_path_buf(),
    };
    let dir = out.join("deadlift_sample");
    std::fs::create_dir_all(&dir).unwrap();
    let clip = formcheck::testkit::fixture::demo_clip(&sample(), 640, 360, 30.0, 120);
    outputs::write_all(&clip, &Config::default(), &dir, &Default::default()).unwrap();
    for f in [
        "analysis.json",
        "frames.csv",
        "summary.json",
        "annotated.mp4",
        "thumb.jpg",
        "report.html",
        "angles.svg",
        "angles.png",
        "bar_path.svg",
        "bar_path.png",
        "bar_velocity.svg",
        "bar_velocity.png",
        "faults.svg",
        "faults.png",
        "thumbs/fault1_at.jpg",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let n = outputs::index::write_batch(&out).unwrap();
    assert!(n >= 1);
    for f in ["index.html", "summary.csv", "summary.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
}
