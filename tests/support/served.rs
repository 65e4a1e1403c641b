//! Reading what `switchboard serve` prints when it starts: its address, and on a first
//! start the admin key on the next line.

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::time::Duration;

/// Reads the banner from the child's piped stdout: the base URL, and the admin key if one
/// follows within 2 s (a restart prints none). The rest of stdout is drained in the
/// background so the child never blocks on a full pipe.
pub fn read_banner(child: &mut Child) -> (String, Option<String>) {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
    let banner = lines.next().expect("banner line").unwrap();
    let base_url = banner.rsplit(' ').next().unwrap().to_string();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{banner}");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let admin_key = rx
        .recv_timeout(Duration::from_secs(2))
        .ok()
        .and_then(|line| line.rsplit(' ').next().map(str::to_string))
        .filter(|k| k.starts_with("sbk_"));
    (base_url, admin_key)
}

/// Starts `bin serve` on `data` (file secret store, a free loopback port), set to abort at
/// `crash_at` (a `switchboard::fault` crash point) when given; returns the child, its base
/// URL and, on a first start, the admin key.
pub fn serve(
    bin: &str,
    data: &std::path::Path,
    crash_at: Option<&str>,
) -> (Child, String, Option<String>) {
    let mut command = std::process::Command::new(bin);
    if let Some(point) = crash_at {
        command.env(switchboard::fault::CRASH_AT, point);
    }
    let mut child = command
        .args([
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--secret-store",
            "file",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("SWITCHBOARD_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (base, key) = read_banner(&mut child);
    (child, base, key)
}
