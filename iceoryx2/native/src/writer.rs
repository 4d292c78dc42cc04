//! The writer: one iceoryx2 publisher whose loans sit in a table indexed by the caller's slot.

use core::mem::MaybeUninit;

use iceoryx2::port::LoanError;
use iceoryx2::port::publisher::{Publisher, PublisherCreateError};
use iceoryx2::port::update_connections::UpdateConnections;
use iceoryx2::prelude::*;
use iceoryx2::sample_mut_uninit::SampleMutUninit;

use crate::error::{ERR_ARGUMENT, ERR_INTERNAL, ERR_LIMIT, ERR_STATE, NONE, OK, Outcome, fail};
use crate::ring::{FlatHeader, Ring, Svc};

type Loan = SampleMutUninit<Svc, [MaybeUninit<u8>], FlatHeader>;

/// A publisher with a data segment of exactly `slots` chunks of `capacity` bytes, so that "no
/// chunk free" means what a full ring means: every chunk is loaned or still held by a reader.
pub struct Writer {
    publisher: Publisher<Svc, [u8], FlatHeader>,
    loans: Vec<Option<Loan>>,
    capacity: usize,
}

impl Writer {
    pub fn create(ring: &Ring, slots: usize, capacity: usize) -> Outcome<Writer> {
        if slots == 0 || capacity == 0 {
            return fail(
                ERR_ARGUMENT,
                format!("slots={slots}, capacity={capacity} must be positive"),
            );
        }
        let build = || {
            ring.pubsub
                .publisher_builder()
                .max_loaned_samples(slots)
                .initial_max_slice_len(capacity)
                .allocation_strategy(AllocationStrategy::Static)
                .backpressure_strategy(BackpressureStrategy::DiscardData)
                .override_sample_preallocation(move |_| slots)
                .create()
        };
        let publisher = match build() {
            Ok(p) => p,
            Err(PublisherCreateError::ExceedsMaxSupportedPublishers) => {
                // The one publisher slot may belong to a dead process: clean up and try again.
                ring.cleanup_dead_nodes();
                build().or_else(|e| {
                    fail(
                        ERR_LIMIT,
                        format!(
                            "service {:?} already has its writer (a live publisher): {e:?}",
                            ring.name
                        ),
                    )
                })?
            }
            Err(e) => return fail(ERR_INTERNAL, format!("publisher on {:?}: {e:?}", ring.name)),
        };
        Ok(Writer {
            publisher,
            loans: (0..slots).map(|_| None).collect(),
            capacity,
        })
    }

    fn entry(&mut self, slot: usize) -> Outcome<&mut Option<Loan>> {
        let slots = self.loans.len();
        self.loans.get_mut(slot).map_or_else(
            || fail(ERR_ARGUMENT, format!("slot={slot} outside [0, {slots})")),
            Ok,
        )
    }

    /// Loans a chunk of `capacity` bytes into `slot`; `NONE` when every chunk is in use.
    pub fn loan(&mut self, slot: usize, payload: &mut *mut u8) -> Outcome<i32> {
        let capacity = self.capacity;
        if self.entry(slot)?.is_some() {
            return fail(ERR_STATE, format!("slot={slot} is loaned already"));
        }
        let mut result = self.publisher.loan_slice_uninit(capacity);
        if let Err(LoanError::OutOfMemory) = result {
            // a subscriber that left (or whose node was cleaned up) still counts until the
            // publisher updates its connections, which returns the chunks it held
            if self.publisher.update_connections().is_ok() {
                result = self.publisher.loan_slice_uninit(capacity);
            }
        }
        match result {
            Ok(mut loan) => {
                *payload = loan.payload_mut().as_mut_ptr().cast::<u8>();
                *self.entry(slot)? = Some(loan);
                Ok(OK)
            }
            Err(LoanError::OutOfMemory) => Ok(NONE),
            Err(LoanError::ExceedsMaxLoans) => fail(
                ERR_LIMIT,
                format!("slot={slot}: {} loans are out already", self.loans.len()),
            ),
            Err(e) => fail(ERR_INTERNAL, format!("loan of {capacity} bytes: {e:?}")),
        }
    }

    /// Publishes the loan in `slot` with its header; the number of subscribers it reached.
    pub fn commit(&mut self, slot: usize, sequence: u64, length: u32, flags: u32) -> Outcome<i32> {
        if length as usize > self.capacity {
            return fail(
                ERR_ARGUMENT,
                format!("length={length} exceeds capacity={}", self.capacity),
            );
        }
        let Some(mut loan) = self.entry(slot)?.take() else {
            return fail(ERR_STATE, format!("slot={slot} is not loaned"));
        };
        *loan.user_header_mut() = FlatHeader {
            sequence,
            length,
            flags,
        };
        // SAFETY: the caller wrote the first `length` bytes of the payload in place; the rest of
        // the slice is never read (every reader reads `length` bytes from the header), and the
        // chunk came zeroed or holds an earlier sample's bytes, so no byte is uninitialised memory.
        let sample = unsafe { loan.assume_init() };
        sample
            .send()
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX))
            .or_else(|e| fail(ERR_INTERNAL, format!("send of slot={slot}: {e:?}")))
    }

    /// Returns the loan in `slot` without publishing it.
    pub fn discard(&mut self, slot: usize) -> Outcome<i32> {
        match self.entry(slot)?.take() {
            Some(loan) => {
                drop(loan);
                Ok(OK)
            }
            None => fail(ERR_STATE, format!("slot={slot} is not loaned")),
        }
    }
}
