//! Switchboard's throughput and latency benchmark: an in-process node on a file-backed
//! SQLite, one route to one webhook destination on a loopback receiver, measured against
//! the same receiver hit directly (the ceiling). See bench/README.md.

mod accounting;
mod ceiling;
mod inbox;
mod node_api;
mod phases;
mod procfs;
mod reads;
mod receiver;
mod soak;
mod table;

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::Parser;

use accounting::{account, Check};
use ceiling::ceiling;
use node_api::publish_many;
use phases::Rig;
use procfs::{cpu_per_message, cpu_used, load, machine, proc_status};
use table::{verdict, Table};

// The same allocator as the switchboard binaries, so the node runs here as it runs there.
switchboard::use_mimalloc!();

#[derive(Parser, Debug)]
#[command(about = "Dispatcher throughput and latency against the loopback ceiling")]
struct Args {
    /// Messages in the ceiling, drain and end-to-end phases (the figure).
    #[arg(long, default_value_t = 100_000)]
    n: usize,
    /// Instead of the throughput table: set the node's rate limit to this many deliveries
    /// per second and check that it holds (within 2 %) over a 10 s window.
    #[arg(long)]
    rate: Option<u32>,
    // Each publisher waits for its publish to be committed before sending the next, so
    // there must be enough of them to keep the node busy. With 32 the node idled between
    // group commits, and its commits, ~10 publishes each, wrote ~2.3 log pages per publish
    // (see README, seventh round).
    /// Concurrent publishers (HTTP clients posting notifications).
    #[arg(long, default_value_t = 64)]
    publishers: usize,
    /// Requests in flight in the ceiling phase (the node's default per destination).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds of steady publishing in the latency phase.
    #[arg(long, default_value_t = 10)]
    latency_secs: u64,
    /// Notifications per second in the latency phase (the figure: 1000).
    #[arg(long, default_value_t = 1000)]
    latency_rate: u64,
    /// Instead of the table: a capture inbox's request rate against the plain receiver's,
    /// and `inspect` on a 300 KB payload.
    #[arg(long)]
    inbox: bool,
    /// Instead of the table: a read action's backfill of this many one-KB records to a
    /// loopback webhook, against the webhook ceiling for the same bytes (the issue's
    /// figure: 1000000).
    #[arg(long)]
    reads: Option<u64>,
    /// Instead of the table: the soak, this many minutes (the figure: 60) of
    /// `--latency-rate` notifications a second against `switchboard serve` (release,
    /// beside this binary) with two webhooks, one failing 10 %.
    #[arg(long)]
    soak: Option<u64>,
    /// Instead of the table: the RSS of an idle `switchboard serve` on an empty data dir.
    #[arg(long)]
    idle: bool,
}

/// The throughput table: the ceiling, then the drain, end-to-end and latency phases
/// through the node, and whether every message arrived exactly once.
async fn run_table(args: &Args) -> anyhow::Result<bool> {
    let rig = Rig::start(0).await?;
    let n = args.n;
    let mut table = Table::default();
    let mut check = Check::default();
    println!("machine: {}; load before: {}", machine(), load());
    println!("durability: power-loss (the default: every commit synced) unless a row says crash");
    println!(
        "payload {} bytes, N = {n}, {} publishers, ceiling concurrency {}",
        rig.body.len(),
        args.publishers,
        args.concurrency
    );

    let cpu = cpu_used();
    let (ceiling_rate, c) = ceiling(&rig.url, &rig.seen, &rig.body, n, args.concurrency).await?;
    let ceiling_cpu = cpu_per_message(cpu, n);
    eprintln!("ceiling: {ceiling_rate:.0} req/s");
    check.add(c);
    table.row(
        "ceiling (receiver direct)",
        format!("{ceiling_rate:.0} req/s"),
        "",
    );

    let drain = phases::drain(&rig, n, args.publishers, &mut check).await?;
    table.row(
        "publish, destination paused",
        format!("{:.0} req/s", drain.queued_rate),
        "",
    );
    table.row(
        "drain (N queued, then resumed)",
        format!("{:.0} deliveries/s", drain.rate),
        &format!("target >= 20000: {}", verdict(drain.rate >= 20_000.0)),
    );
    let ratio = drain.rate / ceiling_rate;
    table.row(
        "drain / ceiling",
        format!("{ratio:.2}"),
        &format!("target >= 0.5: {}", verdict(ratio >= 0.5)),
    );

    let e2e = phases::end_to_end(&rig, n, args.publishers, &mut check).await?;
    table.row(
        "end to end: publish",
        format!("{:.0} req/s", e2e.publish_rate),
        &format!("target >= 10000: {}", verdict(e2e.publish_rate >= 10_000.0)),
    );
    table.row(
        "end to end: deliveries",
        format!("{:.0} deliveries/s", e2e.rate),
        &format!("target >= 10000: {}", verdict(e2e.rate >= 10_000.0)),
    );

    // The whole process: node, receiver and clients alike.
    for (phase, cpu) in [
        ("ceiling", ceiling_cpu),
        ("publish, destination paused", drain.publish_cpu),
        ("drain", drain.cpu),
        ("end to end", e2e.cpu),
    ] {
        table.row(
            &format!("CPU per message: {phase}"),
            format!(
                "{} µs (storage {} µs)",
                cpu.all.as_micros(),
                cpu.storage.as_micros()
            ),
            "",
        );
    }
    for (phase, cpu) in [
        ("publish, destination paused", drain.publish_cpu),
        ("drain", drain.cpu),
        ("end to end", e2e.cpu),
    ] {
        table.row(
            &format!("storage written per message: {phase}"),
            format!("{:.1} KB", cpu.storage_written as f64 / 1024.0),
            "",
        );
    }
    table.row(
        "CPU ratio ceiling / drain",
        format!(
            "{:.2}",
            ceiling_cpu.all.as_secs_f64() / drain.cpu.all.as_secs_f64()
        ),
        "",
    );

    let latency_rate = args.latency_rate.max(1);
    let latency = phases::latency(&rig, latency_rate, args.latency_secs, &mut check).await?;
    let label = |q: &str| format!("latency at {latency_rate}/s: {q}");
    table.row(&label("p50"), format!("{:.2} ms", latency.p50), "");
    table.row(
        &label("p99"),
        format!("{:.2} ms", latency.p99),
        &format!("target < 10 ms: {}", verdict(latency.p99 < 10.0)),
    );
    table.row(&label("max"), format!("{:.2} ms", latency.max), "");

    // The same publishing and draining with `durability = "crash"` (no fsync per commit),
    // on a fresh node in this run: what syncing every commit costs.
    let crash_rig = Rig::start_with(0, switchboard::config::Durability::Crash).await?;
    let crash_drain = phases::drain(&crash_rig, n, args.publishers, &mut check).await?;
    let crash_e2e = phases::end_to_end(&crash_rig, n, args.publishers, &mut check).await?;
    crash_rig.stop().await?;
    table.row(
        "durability = crash: publish, destination paused",
        format!("{:.0} req/s", crash_drain.queued_rate),
        &format!("power-loss (above): {:.0} req/s", drain.queued_rate),
    );
    table.row(
        "durability = crash: drain",
        format!("{:.0} deliveries/s", crash_drain.rate),
        &format!("power-loss: {:.0}", drain.rate),
    );
    table.row(
        "durability = crash: end to end deliveries",
        format!("{:.0} deliveries/s", crash_e2e.rate),
        &format!("power-loss: {:.0}", e2e.rate),
    );
    table.row(
        "peak RSS (VmHWM, node + bench clients)",
        proc_status("VmHWM:"),
        "",
    );
    check.report(&mut table);
    let missing_id = rig.seen.missing_id.load(Ordering::SeqCst);
    if check.publish_failures > 0 || missing_id > 0 {
        table.row(
            "failed publishes / requests without webhook-id",
            format!("{} / {missing_id}", check.publish_failures),
            "MISSED",
        );
    }
    table.print();
    println!("load after: {}", load());
    rig.stop().await?;
    Ok(check.passed())
}

/// With the node's limit at `rate`: queue a backlog, release it, and count what arrives
/// in a 10 s window after 2 s of warm-up.
async fn run_rate(args: &Args, rate: u32) -> anyhow::Result<bool> {
    const WARM_UP: Duration = Duration::from_secs(2);
    const WINDOW: Duration = Duration::from_secs(10);
    let rig = Rig::start(rate).await?;
    println!("machine: {}; load before: {}", machine(), load());
    // Enough backlog to keep the limiter busy past the window's end.
    let backlog = rate as usize * 15;
    rig.pause().await?;
    let (ids, failed, _) = publish_many(&rig.api, &rig.body, backlog, args.publishers).await;
    rig.seen.take();
    let resumed = Instant::now();
    rig.resume().await?;
    let limit = Duration::from_secs(backlog as u64 / rate.max(1) as u64 * 3 + 30);
    let arrived = rig.arrivals(ids.len(), limit, "rate").await;
    let (from, to) = (resumed + WARM_UP, resumed + WARM_UP + WINDOW);
    let in_window = arrived
        .values()
        .filter(|(_, t)| *t >= from && *t < to)
        .count();
    let measured = in_window as f64 / WINDOW.as_secs_f64();
    let deviation = (measured - rate as f64) / rate as f64 * 100.0;
    let mut check = account(ids.iter().map(|(id, _)| id), &arrived);
    check.publish_failures = failed;
    let mut table = Table::default();
    table.row("configured rate limit", format!("{rate}/s"), "");
    table.row(
        "delivered, 10 s window after 2 s warm-up",
        format!("{measured:.1}/s"),
        "",
    );
    table.row(
        "deviation",
        format!("{deviation:+.2} %"),
        &format!("target within 2 %: {}", verdict(deviation.abs() <= 2.0)),
    );
    check.report(&mut table);
    table.print();
    println!("load after: {}", load());
    rig.stop().await?;
    Ok(check.passed())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let special = if let Some(minutes) = args.soak {
        Some(soak::run_soak(minutes, args.latency_rate).await)
    } else if args.idle {
        Some(soak::run_idle(15).await)
    } else {
        None
    };
    if let Some(outcome) = special {
        return match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("{e:#}");
                ExitCode::FAILURE
            }
        };
    }
    if args.inbox {
        inbox::run_inspect();
        return match inbox::run_inbox(args.n, args.publishers).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("benchmark error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let outcome = match (args.reads, args.rate) {
        (Some(records), _) => reads::run_reads(records).await,
        (None, Some(rate)) => run_rate(&args, rate).await,
        (None, None) => run_table(&args).await,
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("FAILED: messages were lost, duplicated or not published (see the table)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("benchmark error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
