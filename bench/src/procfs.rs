//! What the benchmark reads from `/proc`: the machine, its load, this process's peak
//! memory, and the CPU time and bytes written by the node's threads.

use std::time::Duration;

pub fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "n/a".into())
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cores} cores, {cpu}")
}

pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// CPU time used so far (user + system): by this whole process, and by the node's storage
/// threads alone (the writer and the checkpointer: its SQLite work). From `/proc`:
/// steadier than rates on a shared virtual machine, where neighbours take wall-clock time
/// but not CPU time.
#[derive(Clone, Copy)]
pub struct CpuUse {
    pub all: Duration,
    pub storage: Duration,
    /// Bytes the storage threads wrote (log frames and checkpoints): unlike CPU time,
    /// this does not move with the machine's speed.
    pub storage_written: u64,
}

pub fn cpu_used() -> CpuUse {
    let storage = storage_threads();
    CpuUse {
        all: cpu_time("/proc/self/stat"),
        storage: storage
            .iter()
            .map(|task| cpu_time(&format!("{task}/stat")))
            .sum(),
        storage_written: storage
            .iter()
            .map(|task| bytes_written(&format!("{task}/io")))
            .sum(),
    }
}

/// `wchar` of a `/proc/…/io` file: bytes passed to write calls.
fn bytes_written(io: &str) -> u64 {
    std::fs::read_to_string(io)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("wchar:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The `/proc/self/task/<tid>` directories of the node's `switchboard-writer` and
/// `switchboard-checkpoint` threads (names show truncated to 15 characters).
fn storage_threads() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| {
                comm.starts_with("switchboard-wri") || comm.starts_with("switchboard-che")
            })
        })
        .map(|task| task.path().display().to_string())
        .collect()
}

/// utime + stime of a `/proc/…/stat` file.
fn cpu_time(stat: &str) -> Duration {
    let ticks = std::fs::read_to_string(stat)
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = s.rsplit_once(')')?.1.to_string();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after ')'.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // USER_HZ, the unit of /proc times, is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// CPU time per message since `since`: the whole process, and the storage threads.
pub fn cpu_per_message(since: CpuUse, messages: usize) -> CpuUse {
    let now = cpu_used();
    let per = |d: Duration| d / messages.max(1) as u32;
    CpuUse {
        all: per(now.all - since.all),
        storage: per(now.storage - since.storage),
        storage_written: (now.storage_written - since.storage_written) / messages.max(1) as u64,
    }
}
