//! The console UI (`ui/dist`, built by `npm run build` in `ui/`) is embedded into the
//! binary. A checkout where it was not built yet still compiles: the node then serves a
//! page saying how to build it.
fn main() {
    let dist = std::path::Path::new("ui/dist");
    if !dist.exists() {
        let _ = std::fs::create_dir_all(dist);
    }
    println!("cargo:rerun-if-changed=ui/dist");
    println!("cargo:rerun-if-changed=migrations");
}
