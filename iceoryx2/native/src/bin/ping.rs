//! Native iceoryx2 ping-pong for `./flatdata bench iceoryx2-latency` and the peer benchmark, as
//! processes of its own: the sides of `flatdata_iceoryx2::pingpong` (what each sample does is
//! there), with a command line.
//!
//! ```text
//! flatdata-iox2-ping pong PREFIX NAME ROUNDS [--size BYTES] [--untouched]
//! flatdata-iox2-ping ping PREFIX NAME ROUNDS [all] [--size BYTES] [--untouched]
//!     # "p50 p90 p99 p999 max mean n" of RTT/2 in ns, or with `all` each RTT/2 on a line;
//!     # the first tenth of the rounds is warm-up and not reported
//! ```
//!
//! A sample is `BYTES` long (a multiple of 8, at least 8; the rings' slot capacity) and laid out
//! as the peer benchmark's messages are: the round number in the first 8 bytes (native order),
//! then `BYTES / 8 - 1` copies of `pattern(round) = round * 0x9E3779B97F4A7C15 + 1` (wrapping).
//! With `--size` the sender writes every word and the receiver reads every word and checks that
//! the pattern words sum (wrapping) to `(BYTES / 8 - 1) * pattern(round)`, panicking when they do
//! not; `--untouched` writes and reads the round number only. Without `--size` a sample is
//! 64 bytes of which only the round number is written and read (as `--size 64 --untouched`):
//! what the Java side of `iceoryx2-latency` does per sample.

use flatdata_iceoryx2::Outcome;
use flatdata_iceoryx2::pingpong::Side;

const DEFAULT_SIZE: usize = 64;
const USAGE: &str = "usage: flatdata-iox2-ping ping|pong PREFIX NAME ROUNDS [all] \
                     [--size BYTES] [--untouched]";

/// The command line past the mode, the prefix and the name.
struct Options {
    rounds: usize,
    all: bool,
    size: usize,
    touch: bool,
}

fn usage(problem: &str) -> ! {
    eprintln!("{problem}\n{USAGE}");
    std::process::exit(64);
}

fn options(args: &[String]) -> Options {
    let rounds = args
        .first()
        .and_then(|r| r.parse::<usize>().ok())
        .filter(|&r| r > 0)
        .unwrap_or_else(|| usage("ROUNDS must be a positive number"));
    let mut o = Options {
        rounds,
        all: false,
        size: DEFAULT_SIZE,
        touch: false,
    };
    let (mut sized, mut untouched) = (false, false);
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "all" => o.all = true,
            "--untouched" => untouched = true,
            "--size" => {
                sized = true;
                o.size = rest
                    .next()
                    .and_then(|s| s.parse::<usize>().ok())
                    .filter(|&s| s >= 8 && s % 8 == 0 && u32::try_from(s).is_ok())
                    .unwrap_or_else(|| usage("--size needs BYTES: a multiple of 8, at least 8"));
            }
            other => usage(&format!("unexpected argument {other:?}")),
        }
    }
    o.touch = sized && !untouched;
    o
}

fn side(prefix: &str, out_name: &str, in_name: &str, o: &Options) -> Side {
    Side::new(prefix, out_name, in_name, o.size, o.touch)
        .unwrap_or_else(|f| panic!("{}", f.message))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        usage("too few arguments");
    }
    let (mode, prefix, name) = (&args[1], &args[2], &args[3]);
    let o = options(&args[4..]);
    if o.all && mode != "ping" {
        usage("`all` is for ping");
    }
    let done = |outcome: Outcome<()>| outcome.unwrap_or_else(|f| panic!("{}", f.message));
    let ping_name = format!("{name}/ping");
    let pong_name = format!("{name}/pong");
    if mode == "pong" {
        let mut side = side(prefix, &pong_name, &ping_name, &o);
        println!("READY");
        done(side.pong(o.rounds as u64));
        return;
    }
    if mode != "ping" {
        usage(&format!("unknown mode {mode:?}"));
    }
    let mut side = side(prefix, &ping_name, &pong_name, &o);
    let mut rtt = vec![0u64; o.rounds];
    done(side.ping(0, &mut rtt));
    let warm = rtt.len() / 10;
    let mut measured = rtt.split_off(warm);
    if o.all {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for v in &measured {
            writeln!(out, "{v}").expect("stdout");
        }
        return;
    }
    measured.sort_unstable();
    let at = |p: f64| measured[((measured.len() as f64 * p) as usize).min(measured.len() - 1)];
    let mean = measured.iter().sum::<u64>() as f64 / measured.len() as f64;
    println!(
        "{} {} {} {} {} {:.0} {}",
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        measured[measured.len() - 1],
        mean,
        measured.len()
    );
}
