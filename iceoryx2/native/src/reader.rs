//! The reader: one iceoryx2 subscriber whose received samples sit in a table indexed by the
//! caller's slot until the caller releases them.

use iceoryx2::port::subscriber::Subscriber;
use iceoryx2::port::update_connections::UpdateConnections;
use iceoryx2::sample::Sample;

use crate::error::{ERR_ARGUMENT, ERR_INTERNAL, ERR_LIMIT, ERR_STATE, NONE, OK, Outcome, fail};
use crate::ring::{FlatHeader, Ring, Svc};

type Held = Sample<Svc, [u8], FlatHeader>;

/// What one receive hands the caller: the payload in place and the sample's header.
#[repr(C)]
pub struct Received {
    pub payload: *const u8,
    pub slice_len: u64,
    pub sequence: u64,
    pub length: u32,
    pub flags: u32,
}

pub struct Reader {
    subscriber: Subscriber<Svc, [u8], FlatHeader>,
    held: Vec<Option<Held>>,
}

impl Reader {
    pub fn create(ring: &Ring, slots: usize) -> Outcome<Reader> {
        if slots == 0 {
            return fail(ERR_ARGUMENT, "slots=0 must be positive");
        }
        let buffer = slots
            .min(ring.info.subscriber_max_buffer_size as usize)
            .max(1);
        let subscriber = ring
            .pubsub
            .subscriber_builder()
            .buffer_size(buffer)
            .create()
            .or_else(|e| fail(ERR_LIMIT, format!("subscriber on {:?}: {e:?}", ring.name)))?;
        Ok(Reader {
            subscriber,
            held: (0..slots).map(|_| None).collect(),
        })
    }

    fn entry(&mut self, slot: usize) -> Outcome<&mut Option<Held>> {
        let slots = self.held.len();
        self.held.get_mut(slot).map_or_else(
            || fail(ERR_ARGUMENT, format!("slot={slot} outside [0, {slots})")),
            Ok,
        )
    }

    /// Takes the oldest queued sample into `slot`; `NONE` when nothing is queued.
    pub fn receive(&mut self, slot: usize, out: &mut Received) -> Outcome<i32> {
        if self.entry(slot)?.is_some() {
            return fail(ERR_STATE, format!("slot={slot} still holds a sample"));
        }
        match self.subscriber.receive() {
            Ok(Some(sample)) => {
                let payload = sample.payload();
                let header = sample.user_header();
                *out = Received {
                    payload: payload.as_ptr(),
                    slice_len: payload.len() as u64,
                    sequence: header.sequence,
                    length: header.length,
                    flags: header.flags,
                };
                *self.entry(slot)? = Some(sample);
                Ok(OK)
            }
            Ok(None) => Ok(NONE),
            Err(e) => fail(ERR_INTERNAL, format!("receive: {e:?}")),
        }
    }

    /// Drops the sample in `slot`: its chunk returns to the writer once no reader holds it.
    pub fn release(&mut self, slot: usize) -> Outcome<i32> {
        match self.entry(slot)?.take() {
            Some(sample) => {
                drop(sample);
                Ok(OK)
            }
            None => fail(ERR_STATE, format!("slot={slot} holds no sample")),
        }
    }

    /// Connects to publishers that appeared since the last receive, so that their blocking sends
    /// wait for this reader instead of giving up on a full queue.
    pub fn update_connections(&self) -> Outcome<i32> {
        self.subscriber
            .update_connections()
            .map(|_| OK)
            .or_else(|e| fail(ERR_INTERNAL, format!("update_connections: {e:?}")))
    }
}
