//! Native iceoryx2 ping-pong for `./flatdata bench iceoryx2-latency`: two processes exchange
//! 64-byte samples over two services laid out as the Java backend lays them out (`[u8]` slices,
//! the `FlatdataHeader`, an event service of the same name), each sample doing what the Java
//! backend does per sample (loan, write, send, notify; receive, read, drop, notify), busy-spinning,
//! in the order the Java benchmark does them (the reply is sent before the ping is dropped).
//!
//! ```text
//! flatdata-iox2-ping pong PREFIX NAME ROUNDS
//! flatdata-iox2-ping ping PREFIX NAME ROUNDS [all]  # "p50 p90 p99 p999 max mean n" of RTT/2 in
//!                                                  # ns, or with `all` each RTT/2 on a line
//! flatdata-iox2-ping local PREFIX NAME ROUNDS  # one thread sends and receives: ns per round
//! ```

use std::time::Instant;

use flatdata_iceoryx2::{Reader, Received, Ring, RingSpec, Writer};

const SAMPLE: usize = 64;
const EVENT_SENT: u64 = 0;
const EVENT_RELEASED: u64 = 1;

fn spec(mode: u32) -> RingSpec {
    RingSpec {
        slot_count: 64,
        capacity: SAMPLE as u64,
        max_readers: 2,
        mode,
        has_type_hash: 0,
        type_hash: [0; 16],
    }
}

fn open(prefix: &str, name: &str) -> Ring {
    Ring::open(name, Some(prefix), &spec(0)).unwrap_or_else(|f| panic!("{name}: {}", f.message))
}

struct Side {
    out_ring: Ring,
    in_ring: Ring,
    writer: Writer,
    reader: Reader,
    received: Received,
    sequence: u64,
}

impl Side {
    fn new(prefix: &str, out_name: &str, in_name: &str) -> Side {
        let out_ring = open(prefix, out_name);
        let in_ring = open(prefix, in_name);
        let writer =
            Writer::create(&out_ring, 64, SAMPLE).unwrap_or_else(|f| panic!("{}", f.message));
        let reader = Reader::create(&in_ring, 64).unwrap_or_else(|f| panic!("{}", f.message));
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
            sequence: 0,
        }
    }

    fn send(&mut self, value: u64) {
        let mut payload = core::ptr::null_mut();
        while self.writer.loan(0, &mut payload).expect("loan") != 0 {
            core::hint::spin_loop();
        }
        // SAFETY: the loan is SAMPLE bytes long and ours until it is sent.
        unsafe { payload.cast::<u64>().write_unaligned(value) };
        self.writer
            .commit(0, self.sequence, SAMPLE as u32, 0)
            .expect("send");
        self.sequence += 1;
        self.out_ring.notify(EVENT_SENT).expect("notify");
    }

    /// Takes the next sample (busy-spinning) and reads it in place; hold it until `release`.
    fn take(&mut self) -> u64 {
        while self.reader.receive(0, &mut self.received).expect("receive") != 0 {
            core::hint::spin_loop();
        }
        // SAFETY: the received payload is at least SAMPLE bytes and held until released.
        unsafe { self.received.payload.cast::<u64>().read_unaligned() }
    }

    fn release(&mut self) {
        self.reader.release(0).expect("release");
        self.in_ring.notify(EVENT_RELEASED).expect("notify");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 && args.len() != 6 {
        eprintln!("usage: flatdata-iox2-ping ping|pong|local PREFIX NAME ROUNDS [all]");
        std::process::exit(64);
    }
    let (mode, prefix, name) = (&args[1], &args[2], &args[3]);
    let rounds: usize = args[4].parse().expect("ROUNDS");
    if mode == "local" {
        // one thread, one service: send, then receive it back; ns per round on stdout
        let mut side = Side::new(prefix, name, name);
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
        let mut side = Side::new(prefix, &pong_name, &ping_name);
        println!("READY");
        for _ in 0..rounds {
            // as the Java pong does: the reply goes out first, then the ping is released
            let v = side.take();
            side.send(v);
            side.release();
        }
        return;
    }
    let mut side = Side::new(prefix, &ping_name, &pong_name);
    // wait until the pong side's reader is connected to our writer and ours to its writer
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
    if args.len() == 6 && args[5] == "all" {
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
