//! Status codes, the thread-local last error and the panic guard every entry point runs in.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Success.
pub const OK: i32 = 0;
/// Normal flow, not an error: nothing to receive, no free chunk, or the wait timed out.
pub const NONE: i32 = 1;
/// iceoryx2 failed in a way the caller cannot fix (the message says how).
pub const ERR_INTERNAL: i32 = -1;
/// An argument was refused: a service name, a size, a null handle, a slot outside the table.
pub const ERR_ARGUMENT: i32 = -2;
/// The service exists with another payload or user header type.
pub const ERR_TYPE: i32 = -3;
/// The service exists with settings that do not fit the request (buffer, readers, overflow).
pub const ERR_SETTINGS: i32 = -4;
/// `create` found the service already there.
pub const ERR_EXISTS: i32 = -5;
/// `open` found no such service.
pub const ERR_MISSING: i32 = -6;
/// A panic was caught at the boundary; the handle it happened on should be closed.
pub const ERR_PANIC: i32 = -7;
/// A limit of the service was reached: publishers, subscribers, loans or borrowed samples.
pub const ERR_LIMIT: i32 = -8;
/// A slot in the wrong state: loaning a slot that is loaned, committing one that is not.
pub const ERR_STATE: i32 = -9;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A failed call: the status code returned and the message kept for `fdx_last_error`.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

/// The result type of the functions behind the entry points.
pub type Outcome<T> = Result<T, Failure>;

/// An `Err` with a code and a message.
pub fn fail<T>(code: i32, message: impl Into<String>) -> Outcome<T> {
    Err(Failure {
        code,
        message: message.into(),
    })
}

/// Runs an entry point's body: a failure or a panic becomes a negative code and the thread's
/// last error; nothing unwinds into the caller's frames.
pub fn guard(body: impl FnOnce() -> Outcome<i32>) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) => code,
        Ok(Err(failure)) => {
            set_last_error(failure.message);
            failure.code
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            set_last_error(format!(
                "panic caught at the flatdata-iceoryx2 boundary: {what}"
            ));
            ERR_PANIC
        }
    }
}

fn set_last_error(message: String) {
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
}

/// Copies the thread's last error as UTF-8 into `out` (truncated to `capacity`) and returns
/// its full length in bytes.
pub fn copy_last_error(out: &mut [u8]) -> usize {
    LAST_ERROR.with(|last| {
        let last = last.borrow();
        let bytes = last.as_bytes();
        let n = bytes.len().min(out.len());
        out[..n].copy_from_slice(&bytes[..n]);
        bytes.len()
    })
}
