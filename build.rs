//! The console UI (`ui/dist`, built by `npm run build` in `ui/`) is embedded into the
//! binary. A checkout where it was not built yet still compiles: the node then serves a
//! page saying how to build it.
fn main() {
    let dist = std::path::Path::new("ui/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(dist);
    }
    if std::env::var("PROFILE").as_deref() == Ok("release") && !dist.join("index.html").exists() {
        // Not an error (the benchmark builds release without a console), but never silent.
        println!(
            "cargo:warning=ui/dist has no console: this release binary will serve a page saying so. Build releases with scripts/release."
        );
    }
    println!("cargo:rerun-if-changed=ui/dist");
    println!("cargo:rerun-if-changed=migrations");
}
