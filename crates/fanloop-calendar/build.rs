//! Embeds every file in `data/holidays/` into the library, so that publishing a new
//! year's holiday notice is a data-only change: drop `YYYY.json` into the folder and
//! rebuild. Paths are written relative to `CARGO_MANIFEST_DIR` so the generated code
//! names no machine-specific location.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("data/holidays");
    // A directory here makes Cargo rerun us when any file in it is added or changed.
    println!("cargo::rerun-if-changed=data/holidays");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    let mut code = String::from("pub(crate) const FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/data/holidays/\", {name:?}))),"
        );
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let target = Path::new(&out).join("holiday_files.rs");
    std::fs::write(&target, code).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}
