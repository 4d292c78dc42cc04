//! A peer on the real `zerodds-flatdata` crate (its `PosixSlotAllocator` and `SlotBackend`), for
//! the mixed-language tests of flatdata for Java. Samples use the tests' checksummed format:
//! bytes 0..8 the sample index (u64 LE), 8..12 the CRC32 of bytes 12..size (u32 LE), then
//! pseudo-random bytes; the size varies with the index.
//!
//! ```text
//! flatdata-rust-ref write FLINK N SIZE MASK   owner: creates the segment (16 slots of SIZE),
//!     prints READY, waits for a line on stdin, commits N samples in place, each once every
//!     reader in MASK has read the slot (waiting on the reference's futex word), prints
//!     DONE, waits for a line (or EOF) on stdin, then removes the segment
//! flatdata-rust-ref read FLINK N INDEX [FIRST] consumer: attaches, takes N samples (indexes
//!     FIRST.., default 0) as reader INDEX (waiting on the futex word), checks them, prints a
//!     summary line, exits 2 on a violation
//! flatdata-rust-ref locator HOST UID PATH SLOTS SIZE   prints the crate's ShmLocator bytes in hex
//! flatdata-rust-ref decode-locator HEX       decodes locator bytes with the crate, prints the fields
//! ```

use std::io::BufRead;
use std::time::{Duration, Instant};

use zerodds_flatdata::{PosixSlotAllocator, ShmLocator, SlotBackend, SlotError};

const SLOTS: usize = 16;

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn size_of(index: u64, capacity: usize) -> usize {
    12 + (index as usize * 7919) % (capacity - 12 + 1)
}

fn fill(index: u64, out: &mut [u8]) {
    let mut seed = index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for b in out[12..].iter_mut() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *b = (seed >> 56) as u8;
    }
    out[0..8].copy_from_slice(&index.to_le_bytes());
    let crc = crc32(&out[12..]);
    out[8..12].copy_from_slice(&crc.to_le_bytes());
}

/// The index of a valid sample, or why it is not valid.
fn check(sample: &[u8]) -> Result<u64, String> {
    if sample.len() < 12 {
        return Err(format!("sample of {} bytes", sample.len()));
    }
    let index = u64::from_le_bytes(sample[0..8].try_into().expect("8 bytes"));
    let crc = u32::from_le_bytes(sample[8..12].try_into().expect("4 bytes"));
    if crc32(&sample[12..]) != crc {
        return Err(format!("sample {index}: checksum"));
    }
    Ok(index)
}

fn line() {
    let mut s = String::new();
    let _ = std::io::stdin().lock().read_line(&mut s);
}

fn write(flink: &str, n: u64, size: usize, mask: u32) -> i32 {
    let ring = PosixSlotAllocator::create(flink, SLOTS, size).expect("create segment");
    println!("READY {}", ring.slot_total_size());
    line();
    for index in 0..n {
        let handle = loop {
            let generation = ring.notify_generation();
            match ring.reserve_slot(mask) {
                Ok(h) => break h,
                Err(SlotError::NoFreeSlot) => {
                    ring.wait_for_change(generation, Duration::from_millis(100));
                }
                Err(e) => panic!("reserve: {e:?}"),
            }
        };
        let (ptr, capacity) = ring.slot_data_ptr(handle).expect("loan");
        let len = size_of(index, size).min(capacity);
        // SAFETY: the loan's data area is `capacity` bytes, ours until commit.
        let out = unsafe { std::slice::from_raw_parts_mut(ptr, len) };
        fill(index, out);
        ring.commit_in_place(handle, len).expect("commit");
    }
    println!("DONE {n}");
    line();
    0
}

fn read(flink: &str, n: u64, reader: u8, first: u64) -> i32 {
    let ring = PosixSlotAllocator::attach(flink).expect("attach");
    let bit = 1u32 << reader;
    let mut taken = 0u64;
    let mut violations = Vec::new();
    let mut out_of_order = 0u64;
    let mut last_index: Option<u64> = None;
    let mut seen = vec![false; n as usize];
    let deadline = Instant::now() + Duration::from_secs(120);
    while taken < n && Instant::now() < deadline {
        let generation = ring.notify_generation();
        match ring.next_unread_slot(reader).expect("scan") {
            None => ring.wait_for_change(generation, Duration::from_millis(100)),
            Some(handle) => {
                let (header, bytes) = ring.read_slot(handle).expect("read");
                if header.reader_mask & bit != 0 {
                    violations.push(format!("slot {} already read", handle.slot_index));
                }
                match check(&bytes) {
                    Ok(index) if (first..first + n).contains(&index) => {
                        let at = (index - first) as usize;
                        if seen[at] {
                            violations.push(format!("sample {index} twice"));
                        }
                        seen[at] = true;
                        if last_index.is_some_and(|last| index < last) {
                            out_of_order += 1; // the reference hands out the lowest index first
                        }
                        last_index = Some(index);
                    }
                    Ok(index) => {
                        violations.push(format!("index {index} outside {first}..{}", first + n))
                    }
                    Err(e) => violations.push(e),
                }
                ring.mark_read(handle, reader).expect("mark read");
                taken += 1;
            }
        }
    }
    let missing = seen.iter().filter(|s| !**s).count();
    println!(
        "READ taken={taken} missing={missing} out_of_order={out_of_order} violations={} capacity={} slot_total_size={}{}",
        violations.len(),
        ring.slot_capacity(),
        ring.slot_total_size(),
        violations
            .first()
            .map(|v| format!(" first={v}"))
            .unwrap_or_default()
    );
    if violations.is_empty() && missing == 0 {
        0
    } else {
        2
    }
}

fn locator(host: &str, uid: u32, path: &str, slots: u32, size: u32) -> i32 {
    let locator = ShmLocator {
        hostname_hash: zerodds_flatdata::fnv1a_32(host.as_bytes()),
        uid,
        slot_count: slots,
        slot_size: size,
        segment_path: path.to_string(),
    };
    let bytes = locator.to_bytes_le().expect("encode");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    println!("{hex}");
    0
}

fn decode_locator(hex: &str) -> i32 {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    match ShmLocator::from_bytes_le(&bytes) {
        Ok(l) => {
            println!(
                "{} {} {} {} {}",
                l.hostname_hash, l.uid, l.slot_count, l.slot_size, l.segment_path
            );
            0
        }
        Err(e) => {
            println!("ERROR {e:?}");
            2
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| -> &str { args.get(i).map_or("", String::as_str) };
    let code = match arg(1) {
        "write" => write(
            arg(2),
            arg(3).parse().expect("N"),
            arg(4).parse().expect("SIZE"),
            arg(5).parse().expect("MASK"),
        ),
        "read" => read(
            arg(2),
            arg(3).parse().expect("N"),
            arg(4).parse().expect("INDEX"),
            args.get(5).map_or(0, |f| f.parse().expect("FIRST")),
        ),
        "locator" => locator(
            arg(2),
            arg(3).parse().expect("UID"),
            arg(4),
            arg(5).parse().expect("SLOTS"),
            arg(6).parse().expect("SIZE"),
        ),
        "decode-locator" => decode_locator(arg(2)),
        _ => {
            eprintln!("usage: flatdata-rust-ref write|read|locator ...");
            64
        }
    };
    std::process::exit(code);
}
