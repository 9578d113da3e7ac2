//! Nothing from the input becomes markup: a video called `<b>x</b>.mp4` (and a cue with a
//! script tag) is shown as text in the report and the index. Needs no browser.

use std::path::Path;

use formcheck::outputs;
use formcheck::outputs::annotated::Media;
use formcheck::outputs::plots::Plots;

#[test]
fn input_names_and_texts_are_escaped_in_report_and_index() {
    let mut clip = formcheck::testkit::fixture::demo_clip(
        Path::new("/videos/<b>x</b>.mp4"),
        640,
        360,
        30.0,
        120,
    );
    clip.analysis.faults[0].cue = "<script>alert(1)</script>".into();
    clip.analysis.not_assessable[0].reason = "<i>hidden</i>".into();
    let html = outputs::report::render_report(
        &clip,
        &Plots::default(),
        &Media::failed("<u>no</u>".into()),
    )
    .unwrap();
    for bad in ["<b>x", "<script>alert", "<i>hidden", "<u>no"] {
        assert!(!html.contains(bad), "report contains markup {bad}");
    }
    assert!(
        html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;.mp4") || html.contains("&lt;b&gt;x&lt;/b&gt;.mp4"),
        "name not shown"
    );

    // the index, from a result folder written the way the batch writes it
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(formcheck::batch::sanitize("<b>x</b>"));
    std::fs::create_dir_all(&dir).unwrap();
    outputs::write_data_files(&clip, &formcheck::config::Config::default(), &dir).unwrap();
    outputs::index::write_batch(tmp.path()).unwrap();
    let index = std::fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(!index.contains("<b>x"), "index contains markup");
    assert!(index.contains("&lt;b&gt;x"), "name not shown in the index");
    let csv = std::fs::read_to_string(tmp.path().join("summary.csv")).unwrap();
    assert!(csv.contains("<b>x"), "the CSV keeps the real name");
}
