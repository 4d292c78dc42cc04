//! Native iceoryx2 ping-pong for `./flatdata bench iceoryx2-latency` and the peer benchmark: two
//! processes exchange samples over two services laid out as the Java backend lays them out
//! (`[u8]` slices, the `FlatdataHeader`, an event service of the same name), each sample doing
//! what the Java backend does per sample (write into the chunk loaned ahead, send, notify, loan
//! the next chunk ahead, as `FlatWriter` does; receive, read, drop, notify),
//! busy-spinning, in the order the Java benchmark does them (the reply is sent before the ping is
//! dropped).
//!
//! ```text
//! flatdata-iox2-ping pong PREFIX NAME ROUNDS [--size BYTES] [--untouched]
//! flatdata-iox2-ping ping PREFIX NAME ROUNDS [all] [--size BYTES] [--untouched]
//!     # "p50 p90 p99 p999 max mean n" of RTT/2 in ns, or with `all` each RTT/2 on a line;
//!     # the first tenth of the rounds is warm-up and not reported
//! flatdata-iox2-ping local PREFIX NAME ROUNDS [--size BYTES] [--untouched]
//!     # one thread sends and receives: ns per round
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

use std::time::Instant;

use flatdata_iceoryx2::{Reader, Received, Ring, RingSpec, Writer};

const DEFAULT_SIZE: usize = 64;
const SLOTS: usize = 64;
const EVENT_SENT: u64 = 0;
const EVENT_RELEASED: u64 = 1;
const USAGE: &str = "usage: flatdata-iox2-ping ping|pong|local PREFIX NAME ROUNDS [all] \
                     [--size BYTES] [--untouched]";

/// The word repeated after the round number.
fn pattern(round: u64) -> u64 {
    round.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1)
}

/// What the pattern words of a `size`-byte sample of `round` sum to.
fn expected_sum(round: u64, size: usize) -> u64 {
    (size as u64 / 8 - 1).wrapping_mul(pattern(round))
}

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

fn spec(mode: u32, size: usize) -> RingSpec {
    RingSpec {
        slot_count: SLOTS as u64,
        capacity: size as u64,
        max_readers: 2,
        mode,
        has_type_hash: 0,
        type_hash: [0; 16],
    }
}

fn open(prefix: &str, name: &str, size: usize) -> Ring {
    Ring::open(name, Some(prefix), &spec(0, size))
        .unwrap_or_else(|f| panic!("{name}: {}", f.message))
}

struct Side {
    out_ring: Ring,
    in_ring: Ring,
    writer: Writer,
    reader: Reader,
    received: Received,
    /// The chunk loaned right after the previous send (null when none was free then), as the
    /// Java `FlatWriter` loans ahead.
    ahead: *mut u8,
    sequence: u64,
    size: usize,
    touch: bool,
}

impl Side {
    fn new(prefix: &str, out_name: &str, in_name: &str, size: usize, touch: bool) -> Side {
        let out_ring = open(prefix, out_name, size);
        let in_ring = open(prefix, in_name, size);
        let writer =
            Writer::create(&out_ring, SLOTS, size).unwrap_or_else(|f| panic!("{}", f.message));
        let reader = Reader::create(&in_ring, SLOTS).unwrap_or_else(|f| panic!("{}", f.message));
        Side {
            out_ring,
            in_ring,
            writer,
            reader,
            received: Received {
                payload: core::ptr::null(),
                slice_len: 0,
                sequence: 0,
                length: 0,
                flags: 0,
            },
            ahead: core::ptr::null_mut(),
            sequence: 0,
            size,
            touch,
        }
    }

    /// Writes `round` (and with `touch` the pattern words) into the chunk loaned ahead (or loans
    /// one now), sends it, notifies, and loans the next chunk ahead.
    fn send(&mut self, round: u64) {
        let mut payload = core::mem::replace(&mut self.ahead, core::ptr::null_mut());
        while payload.is_null() && self.writer.loan(0, &mut payload).expect("loan") != 0 {
            core::hint::spin_loop();
        }
        // SAFETY: the loan is `size` bytes long (the writer's capacity), writable, and ours alone
        // until it is committed below; nothing else refers to it meanwhile.
        let sample = unsafe { core::slice::from_raw_parts_mut(payload, self.size) };
        sample[..8].copy_from_slice(&round.to_ne_bytes());
        if self.touch {
            let word = pattern(round).to_ne_bytes();
            for chunk in sample[8..].chunks_exact_mut(8) {
                chunk.copy_from_slice(&word);
            }
        }
        self.writer
            .commit(0, self.sequence, self.size as u32, 0)
            .expect("send");
        self.sequence += 1;
        self.out_ring.notify(EVENT_SENT).expect("notify");
        if self.writer.loan(0, &mut self.ahead).expect("loan ahead") != 0 {
            self.ahead = core::ptr::null_mut(); // none free now: the next send loans
        }
    }

    /// Takes the next sample (busy-spinning) and reads it in place (with `touch` every word,
    /// checking the pattern); hold it until `release`. Returns its round number.
    fn take(&mut self) -> u64 {
        while self.reader.receive(0, &mut self.received).expect("receive") != 0 {
            core::hint::spin_loop();
        }
        let (length, slice_len) = (self.received.length as usize, self.received.slice_len);
        assert!(
            length == self.size && slice_len >= self.size as u64,
            "sample {} is {length} bytes in a {slice_len}-byte slice, expected {} bytes",
            self.received.sequence,
            self.size
        );
        // SAFETY: the received payload is `slice_len >= size` bytes, initialised by the writer,
        // and held (not written by anyone) until `release`; the slice does not outlive this call.
        let sample = unsafe { core::slice::from_raw_parts(self.received.payload, self.size) };
        let round = u64::from_ne_bytes(sample[..8].try_into().expect("8 bytes"));
        if self.touch {
            let sum = sample[8..]
                .chunks_exact(8)
                .map(|w| u64::from_ne_bytes(w.try_into().expect("8 bytes")))
                .fold(0u64, u64::wrapping_add);
            let expected = expected_sum(round, self.size);
            assert!(
                sum == expected,
                "sample of round {round} ({} bytes) is corrupt: pattern words sum to {sum}, \
                 expected {expected}",
                self.size
            );
        }
        round
    }

    fn release(&mut self) {
        self.reader.release(0).expect("release");
        self.in_ring.notify(EVENT_RELEASED).expect("notify");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        usage("too few arguments");
    }
    let (mode, prefix, name) = (&args[1], &args[2], &args[3]);
    let o = options(&args[4..]);
    let (rounds, size, touch) = (o.rounds, o.size, o.touch);
    if o.all && mode != "ping" {
        usage("`all` is for ping");
    }
    if mode == "local" {
        // one thread, one service: send, then receive it back; ns per round on stdout
        let mut side = Side::new(prefix, name, name, size, touch);
        let t0 = Instant::now();
        for i in 0..rounds as u64 {
            side.send(i);
            assert_eq!(side.take(), i);
            side.release();
        }
        println!("{}", t0.elapsed().as_nanos() as usize / rounds);
        return;
    }
    let ping_name = format!("{name}/ping");
    let pong_name = format!("{name}/pong");
    if mode == "pong" {
        let mut side = Side::new(prefix, &pong_name, &ping_name, size, touch);
        println!("READY");
        for _ in 0..rounds {
            // as the Java pong does: the reply goes out first, then the ping is released
            let v = side.take();
            side.send(v);
            side.release();
        }
        return;
    }
    if mode != "ping" {
        usage(&format!("unknown mode {mode:?}"));
    }
    let mut side = Side::new(prefix, &ping_name, &pong_name, size, touch);
    let mut rtt = Vec::with_capacity(rounds);
    for i in 0..rounds as u64 {
        let t0 = Instant::now();
        side.send(i);
        let echoed = side.take();
        let half = t0.elapsed().as_nanos() as u64 / 2;
        side.release();
        assert_eq!(echoed, i, "round {i} echoed {echoed}");
        rtt.push(half);
    }
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
