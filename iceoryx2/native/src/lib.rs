//! The C ABI of the flatdata iceoryx2 bridge: the few calls the Java `Iceoryx2SlotBackend`
//! makes through the FFM API. Handles are opaque pointers; every call returns a status code
//! (`error.rs`), never unwinds, and leaves a message for `fdx_last_error` when it fails.

mod error;
pub mod pingpong;
mod reader;
mod ring;
mod writer;

use core::time::Duration;

pub use error::{ERR_ARGUMENT, ERR_PANIC, NONE, OK, Outcome};
pub use reader::{Reader, Received};
pub use ring::{FlatHeader, Ring, RingInfo, RingSpec};
pub use writer::Writer;

use error::{fail, guard};
use pingpong::Side;

/// The ABI version the Java side checks before its first call.
pub const ABI_VERSION: i32 = 3;

fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Outcome<&'a str> {
    if ptr.is_null() {
        return fail(ERR_ARGUMENT, format!("{what} is null"));
    }
    // SAFETY: the caller passes `len` readable bytes at `ptr` that outlive this call.
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    core::str::from_utf8(bytes).or_else(|e| fail(ERR_ARGUMENT, format!("{what} is not UTF-8: {e}")))
}

fn handle<'a, T>(ptr: *mut T, what: &str) -> Outcome<&'a mut T> {
    // SAFETY: a non-null handle was returned by this library's create call and not yet closed;
    // the Java side serialises the calls on one handle that need `&mut` (writer, reader).
    unsafe { ptr.as_mut() }.map_or_else(|| fail(ERR_ARGUMENT, format!("{what} handle is null")), Ok)
}

fn put<T>(out: *mut *mut T, value: T) -> Outcome<i32> {
    if out.is_null() {
        return fail(ERR_ARGUMENT, "output pointer is null");
    }
    // SAFETY: `out` is a non-null pointer to a pointer-sized slot the caller owns.
    unsafe { *out = Box::into_raw(Box::new(value)) };
    Ok(OK)
}

fn close<T>(ptr: *mut T) -> Outcome<i32> {
    if !ptr.is_null() {
        // SAFETY: the handle came from `Box::into_raw` in `put` and the caller closes it once.
        drop(unsafe { Box::from_raw(ptr) });
    }
    Ok(OK)
}

/// The ABI version of this library.
#[unsafe(no_mangle)]
pub extern "C" fn fdx_abi_version() -> i32 {
    guard(|| Ok(ABI_VERSION))
}

/// Panics inside the boundary guard, for the test that proves a panic comes back as
/// `ERR_PANIC` with a message instead of unwinding into (or aborting) the caller.
#[unsafe(no_mangle)]
pub extern "C" fn fdx_selftest_panic() -> i32 {
    guard(|| panic!("self-test panic"))
}

/// Copies the calling thread's last error message into `out` (up to `capacity` bytes) and
/// returns its full length.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_last_error(out: *mut u8, capacity: usize) -> usize {
    let mut copied = 0usize;
    guard(|| {
        let buffer: &mut [u8] = if out.is_null() || capacity == 0 {
            &mut []
        } else {
            // SAFETY: the caller passes `capacity` writable bytes at `out`.
            unsafe { core::slice::from_raw_parts_mut(out, capacity) }
        };
        copied = error::copy_last_error(buffer);
        Ok(OK)
    });
    copied
}

/// Opens (or creates) the ring `name` under the file prefix `prefix` (null for the default).
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_open(
    name: *const u8,
    name_len: usize,
    prefix: *const u8,
    prefix_len: usize,
    spec: *const RingSpec,
    out: *mut *mut Ring,
) -> i32 {
    guard(|| {
        let name = text(name, name_len, "service name")?;
        let prefix = if prefix.is_null() {
            None
        } else {
            Some(text(prefix, prefix_len, "prefix")?)
        };
        // SAFETY: a non-null `spec` points to a `RingSpec` laid out by the caller.
        let spec =
            unsafe { spec.as_ref() }.map_or_else(|| fail(ERR_ARGUMENT, "spec is null"), Ok)?;
        put(out, Ring::open(name, prefix, spec)?)
    })
}

/// Copies what the ring is (geometry and type from the creator's attributes) into `out`.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_info(ring: *mut Ring, out: *mut RingInfo) -> i32 {
    guard(|| {
        let ring = handle(ring, "ring")?;
        if out.is_null() {
            return fail(ERR_ARGUMENT, "output pointer is null");
        }
        // SAFETY: `out` points to a writable `RingInfo` the caller owns.
        unsafe { *out = ring.info };
        Ok(OK)
    })
}

/// Closes the ring; its writer and readers must be closed first. A null ring is ignored.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_close(ring: *mut Ring) -> i32 {
    guard(|| close(ring))
}

/// Sends event `id` (0..=255) to every listener of the ring's event service.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_notify(ring: *mut Ring, id: u64) -> i32 {
    guard(|| handle(ring, "ring")?.notify(id))
}

/// Waits up to `timeout_nanos` (0: only collect what is pending) for events and adds to
/// `counts[id]` how often each id was notified (`n` elements; larger ids go to the last).
/// `OK` when events came, `NONE` on timeout. One thread per ring at a time.
///
/// # Safety
/// Handles come from this library and are not closed yet; `counts` is null or points to `n`
/// writable u64 values for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_wait(
    ring: *mut Ring,
    timeout_nanos: u64,
    counts: *mut u64,
    n: usize,
) -> i32 {
    guard(|| {
        let ring = handle(ring, "ring")?;
        let counts: &mut [u64] = if counts.is_null() || n == 0 {
            &mut []
        } else {
            // SAFETY: the caller passes `n` writable u64 values at `counts`.
            unsafe { core::slice::from_raw_parts_mut(counts, n) }
        };
        ring.wait(Duration::from_nanos(timeout_nanos), counts)
    })
}

/// Removes dead nodes' resources; returns how many nodes were removed.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_cleanup_dead_nodes(ring: *mut Ring) -> i32 {
    guard(|| Ok(handle(ring, "ring")?.cleanup_dead_nodes()))
}

/// The number of publishers (`which` = 0) or subscribers (1) connected to the service now.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_ring_ports(ring: *mut Ring, which: u32) -> i32 {
    guard(|| {
        let (publishers, subscribers) = handle(ring, "ring")?.ports();
        let n = if which == 0 { publishers } else { subscribers };
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    })
}

/// Creates the ring's writer with `slots` loans of `capacity` bytes.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_writer_create(
    ring: *mut Ring,
    slots: u64,
    capacity: u64,
    out: *mut *mut Writer,
) -> i32 {
    guard(|| {
        let ring = handle(ring, "ring")?;
        put(
            out,
            Writer::create(ring, slots as usize, capacity as usize)?,
        )
    })
}

/// Loans a chunk into `slot` and stores its payload address in `*payload`; `NONE` when full.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_writer_loan(
    writer: *mut Writer,
    slot: u32,
    payload: *mut *mut u8,
) -> i32 {
    guard(|| {
        if payload.is_null() {
            return fail(ERR_ARGUMENT, "output pointer is null");
        }
        let mut ptr = core::ptr::null_mut();
        let code = handle(writer, "writer")?.loan(slot as usize, &mut ptr)?;
        // SAFETY: `payload` is non-null and points to a pointer-sized slot the caller owns.
        unsafe { *payload = ptr };
        Ok(code)
    })
}

/// Publishes the loan in `slot`; returns the number of readers it reached. When `ring` is not
/// null, then notifies event `event` on it (one call instead of two on the hot path).
///
/// # Safety
/// Handles come from this library and are not closed yet; `ring` is null or such a handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_writer_commit(
    writer: *mut Writer,
    slot: u32,
    sequence: u64,
    length: u32,
    flags: u32,
    ring: *mut Ring,
    event: u64,
) -> i32 {
    guard(|| {
        let receivers = handle(writer, "writer")?.commit(slot as usize, sequence, length, flags)?;
        if !ring.is_null() {
            // the sample is out: a failed notify must not report the send as failed (a waiter
            // then wakes at its next dead-node check instead)
            let _ = handle(ring, "ring")?.notify(event);
        }
        Ok(receivers)
    })
}

/// Returns the loan in `slot` unpublished.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_writer_discard(writer: *mut Writer, slot: u32) -> i32 {
    guard(|| handle(writer, "writer")?.discard(slot as usize))
}

/// Closes the writer, returning its loans. A null writer is ignored.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_writer_close(writer: *mut Writer) -> i32 {
    guard(|| close(writer))
}

/// Creates a reader of the ring holding up to `slots` samples at once.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_reader_create(
    ring: *mut Ring,
    slots: u64,
    out: *mut *mut Reader,
) -> i32 {
    guard(|| {
        let ring = handle(ring, "ring")?;
        put(out, Reader::create(ring, slots as usize)?)
    })
}

/// Receives the oldest queued sample into `slot` and describes it in `*out`; `NONE` when empty.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_reader_receive(
    reader: *mut Reader,
    slot: u32,
    out: *mut Received,
) -> i32 {
    guard(|| {
        // SAFETY: a non-null `out` points to a writable `Received` the caller owns.
        let out = unsafe { out.as_mut() }
            .map_or_else(|| fail(ERR_ARGUMENT, "output pointer is null"), Ok)?;
        handle(reader, "reader")?.receive(slot as usize, out)
    })
}

/// Releases the sample in `slot`; when `ring` is not null, then notifies event `event` on it.
///
/// # Safety
/// Handles come from this library and are not closed yet; `ring` is null or such a handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_reader_release(
    reader: *mut Reader,
    slot: u32,
    ring: *mut Ring,
    event: u64,
) -> i32 {
    guard(|| {
        let code = handle(reader, "reader")?.release(slot as usize)?;
        if !ring.is_null() {
            // the chunk is back: a failed notify must not report the release as failed
            let _ = handle(ring, "ring")?.notify(event);
        }
        Ok(code)
    })
}

/// Connects the reader to publishers that appeared since its last receive.
///
/// # Safety
/// Handles come from this library and are not closed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_reader_update_connections(reader: *mut Reader) -> i32 {
    guard(|| handle(reader, "reader")?.update_connections())
}

/// Closes the reader, releasing what it holds. A null reader is ignored.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_reader_close(reader: *mut Reader) -> i32 {
    guard(|| close(reader))
}

/// Opens one side of the native ping-pong (`pingpong.rs`) in the calling process: a writer on
/// `out_name` and a reader on `in_name`, under `prefix`, for samples of `size` bytes. For the
/// benchmark, which runs native blocks between its Java blocks in the same processes.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_bench_side_open(
    prefix: *const u8,
    prefix_len: usize,
    out_name: *const u8,
    out_len: usize,
    in_name: *const u8,
    in_len: usize,
    size: u64,
    out: *mut *mut Side,
) -> i32 {
    guard(|| {
        let prefix = text(prefix, prefix_len, "prefix")?;
        let out_name = text(out_name, out_len, "out name")?;
        let in_name = text(in_name, in_len, "in name")?;
        put(
            out,
            Side::new(prefix, out_name, in_name, size as usize, false)?,
        )
    })
}

/// Pings `count` rounds from `first` and stores each half round trip (ns) in `half_rtt`.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_bench_ping(
    side: *mut Side,
    first: u64,
    count: u64,
    half_rtt: *mut u64,
) -> i32 {
    guard(|| {
        let side = handle(side, "side")?;
        if half_rtt.is_null() {
            return fail(ERR_ARGUMENT, "output pointer is null");
        }
        // SAFETY: the caller passes `count` writable u64 values at `half_rtt`.
        let out = unsafe { core::slice::from_raw_parts_mut(half_rtt, count as usize) };
        side.ping(first, out)?;
        Ok(OK)
    })
}

/// Answers `count` pings.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_bench_pong(side: *mut Side, count: u64) -> i32 {
    guard(|| {
        handle(side, "side")?.pong(count)?;
        Ok(OK)
    })
}

/// Closes a ping-pong side. A null side is ignored.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_bench_side_close(side: *mut Side) -> i32 {
    guard(|| close(side))
}

/// Runs `count` single-threaded rounds (send, take back, release) on a side whose two names are
/// one service, and stores the nanoseconds per round in `ns_per_round`.
///
/// # Safety
/// Handles come from this library and are not closed yet; other pointers are null or
/// valid for the access the parameter names, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdx_bench_local(
    side: *mut Side,
    count: u64,
    ns_per_round: *mut u64,
) -> i32 {
    guard(|| {
        let side = handle(side, "side")?;
        if ns_per_round.is_null() {
            return fail(ERR_ARGUMENT, "output pointer is null");
        }
        let ns = side.local(count)?;
        // SAFETY: `ns_per_round` is non-null and points to a u64 the caller owns.
        unsafe { *ns_per_round = ns };
        Ok(OK)
    })
}
