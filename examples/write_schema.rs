//! Writes `schema/analysis.schema.json`, the JSON Schema derived from the `analysis.json`
//! types: `cargo run --release --example write_schema`. A test fails when the shipped file
//! and the types disagree.

fn main() -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/analysis.schema.json");
    let text = serde_json::to_string_pretty(&formcheck::outputs::json::schema())?;
    std::fs::write(&path, text + "\n")?;
    println!("{}", path.display());
    Ok(())
}
