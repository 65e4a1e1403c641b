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
