//! The native iceoryx2 ping-pong of `./flatdata bench iceoryx2-latency`: one side of two
//! processes that exchange samples over two services laid out as the Java backend lays them out
//! (`[u8]` slices, the `FlatdataHeader`, an event service of the same name), each sample doing what
//! the Java backend does per sample: write into the chunk loaned ahead, send, notify, loan the next
//! chunk ahead (as `FlatWriter` does); receive, read, drop, notify. Busy-spinning, in the order the
//! Java benchmark uses (the reply is sent before the ping is dropped).
//!
//! The `flatdata-iox2-ping` binary runs it as processes of its own; the `fdx_bench_*` entry points
//! run it inside the benchmark's JVM processes, on their threads, in blocks between the Java
//! blocks, so that both are measured in the same placement of the same two processes.
//!
//! A sample is `size` bytes (a multiple of 8, at least 8; the rings' slot capacity): the round
//! number in the first 8 bytes (native order), then `size / 8 - 1` copies of `pattern(round)`.
//! With `touch` the sender writes every word and the receiver reads every word and checks their
//! sum; without, only the round number is written and read.

use std::time::{Duration, Instant};

use crate::error::{ERR_ARGUMENT, ERR_INTERNAL, Outcome, fail};
use crate::{Reader, Received, Ring, RingSpec, Writer};

/// The slots (chunks) of each ring.
const SLOTS: usize = 64;
const EVENT_SENT: u64 = 0;
const EVENT_RELEASED: u64 = 1;
/// How long a side spins for the other side's sample or a free chunk before it gives up.
const PATIENCE: Duration = Duration::from_secs(30);
/// Spins between two looks at the clock.
const CHECK_EVERY: u32 = 1 << 16;

/// The word repeated after the round number.
fn pattern(round: u64) -> u64 {
    round.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1)
}

/// What the pattern words of a `size`-byte sample of `round` sum to.
fn expected_sum(round: u64, size: usize) -> u64 {
    (size as u64 / 8 - 1).wrapping_mul(pattern(round))
}

/// Counts spins and fails once `PATIENCE` has passed since the first.
struct Patience {
    spins: u32,
    since: Option<Instant>,
}

impl Patience {
    fn new() -> Patience {
        Patience {
            spins: 0,
            since: None,
        }
    }

    fn spin(&mut self, what: &str) -> Outcome<()> {
        core::hint::spin_loop();
        self.spins = self.spins.wrapping_add(1);
        if self.spins.is_multiple_of(CHECK_EVERY) {
            let since = *self.since.get_or_insert_with(Instant::now);
            if since.elapsed() > PATIENCE {
                return fail(
                    ERR_INTERNAL,
                    format!("no {what} within {PATIENCE:?}: the other side is gone?"),
                );
            }
        }
        Ok(())
    }
}

/// One process's end: a writer on its outgoing ring and a reader on its incoming one.
pub struct Side {
    out_ring: Ring,
    in_ring: Ring,
    writer: Writer,
    reader: Reader,
    received: Received,
    /// The chunk loaned right after the previous send (null when none was free then).
    ahead: *mut u8,
    sequence: u64,
    size: usize,
    touch: bool,
}

fn open(prefix: &str, name: &str, size: usize) -> Outcome<Ring> {
    let spec = RingSpec {
        slot_count: SLOTS as u64,
        capacity: size as u64,
        max_readers: 2,
        mode: 0,
        has_type_hash: 0,
        type_hash: [0; 16],
    };
    Ring::open(name, Some(prefix), &spec)
}

impl Side {
    /// Opens (or creates) both rings under `prefix`, this side's writer and reader.
    pub fn new(
        prefix: &str,
        out_name: &str,
        in_name: &str,
        size: usize,
        touch: bool,
    ) -> Outcome<Side> {
        if size < 8 || !size.is_multiple_of(8) || u32::try_from(size).is_err() {
            return fail(
                ERR_ARGUMENT,
                format!("size={size} must be a multiple of 8, at least 8"),
            );
        }
        let out_ring = open(prefix, out_name, size)?;
        let in_ring = open(prefix, in_name, size)?;
        let writer = Writer::create(&out_ring, SLOTS, size)?;
        let reader = Reader::create(&in_ring, SLOTS)?;
        Ok(Side {
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
        })
    }

    /// Writes `round` (and with `touch` the pattern words) into the chunk loaned ahead (or loans
    /// one now), sends it, notifies, and loans the next chunk ahead.
    pub fn send(&mut self, round: u64) -> Outcome<()> {
        let mut payload = core::mem::replace(&mut self.ahead, core::ptr::null_mut());
        let mut patience = Patience::new();
        while payload.is_null() && self.writer.loan(0, &mut payload)? != 0 {
            patience.spin("free chunk")?;
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
        self.writer.commit(0, self.sequence, self.size as u32, 0)?;
        self.sequence += 1;
        self.out_ring.notify(EVENT_SENT)?;
        if self.writer.loan(0, &mut self.ahead)? != 0 {
            self.ahead = core::ptr::null_mut(); // none free now: the next send loans
        }
        Ok(())
    }

    /// Takes the next sample (busy-spinning) and reads it in place (with `touch` every word,
    /// checking the pattern); hold it until `release`. Returns its round number.
    pub fn take(&mut self) -> Outcome<u64> {
        let mut patience = Patience::new();
        while self.reader.receive(0, &mut self.received)? != 0 {
            patience.spin("sample")?;
        }
        let (length, slice_len) = (self.received.length as usize, self.received.slice_len);
        if length != self.size || slice_len < self.size as u64 {
            return fail(
                ERR_INTERNAL,
                format!(
                    "sample {} is {length} bytes in a {slice_len}-byte slice, expected {} bytes",
                    self.received.sequence, self.size
                ),
            );
        }
        // SAFETY: the received payload is `slice_len >= size` bytes, initialised by the writer,
        // and held (not written by anyone) until `release`; the slice does not outlive this call.
        let sample = unsafe { core::slice::from_raw_parts(self.received.payload, self.size) };
        let mut head = [0u8; 8];
        head.copy_from_slice(&sample[..8]);
        let round = u64::from_ne_bytes(head);
        if self.touch {
            let sum = sample[8..]
                .chunks_exact(8)
                .map(|w| {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(w);
                    u64::from_ne_bytes(word)
                })
                .fold(0u64, u64::wrapping_add);
            let expected = expected_sum(round, self.size);
            if sum != expected {
                return fail(
                    ERR_INTERNAL,
                    format!(
                        "sample of round {round} ({} bytes) is corrupt: pattern words sum to \
                         {sum}, expected {expected}",
                        self.size
                    ),
                );
            }
        }
        Ok(round)
    }

    /// Drops the sample taken last and notifies its writer.
    pub fn release(&mut self) -> Outcome<()> {
        self.reader.release(0)?;
        self.in_ring.notify(EVENT_RELEASED)?;
        Ok(())
    }

    /// Pings rounds `first..first + half_rtt.len()`: sends each, takes its echo, and stores half
    /// the round trip in nanoseconds.
    pub fn ping(&mut self, first: u64, half_rtt: &mut [u64]) -> Outcome<()> {
        for (i, slot) in half_rtt.iter_mut().enumerate() {
            let round = first + i as u64;
            let t0 = Instant::now();
            self.send(round)?;
            let echoed = self.take()?;
            *slot = t0.elapsed().as_nanos() as u64 / 2;
            self.release()?;
            if echoed != round {
                return fail(ERR_INTERNAL, format!("round {round} echoed {echoed}"));
            }
        }
        Ok(())
    }

    /// Answers `rounds` pings: the reply goes out first, then the ping is dropped.
    pub fn pong(&mut self, rounds: u64) -> Outcome<()> {
        for _ in 0..rounds {
            let round = self.take()?;
            self.send(round)?;
            self.release()?;
        }
        Ok(())
    }

    /// One thread, one service: sends `rounds` samples and takes each back; ns per round.
    pub fn local(&mut self, rounds: u64) -> Outcome<u64> {
        let t0 = Instant::now();
        for round in 0..rounds {
            self.send(round)?;
            let back = self.take()?;
            self.release()?;
            if back != round {
                return fail(ERR_INTERNAL, format!("round {round} came back as {back}"));
            }
        }
        Ok(t0.elapsed().as_nanos() as u64 / rounds.max(1))
    }
}
