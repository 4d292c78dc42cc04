//! One ring: a node, the publish-subscribe service of `[u8]` slices with the flatdata header,
//! and the event service of the same name that carries its change events.

use core::time::Duration;

use iceoryx2::port::listener::Listener;
use iceoryx2::port::notifier::Notifier;
use iceoryx2::prelude::*;
use iceoryx2::service::attribute::{AttributeKey, AttributeValue};
use iceoryx2::service::builder::publish_subscribe::{
    PublishSubscribeCreateError, PublishSubscribeOpenError,
};
use iceoryx2::service::port_factory::{event, publish_subscribe};

use crate::error::{
    ERR_ARGUMENT, ERR_EXISTS, ERR_INTERNAL, ERR_LIMIT, ERR_MISSING, ERR_SETTINGS, ERR_TYPE, NONE,
    OK, Outcome, fail,
};

/// The iceoryx2 service flavour Python's `ServiceType.Ipc` opens: inter-process, thread-safe ports.
pub type Svc = ipc_threadsafe::Service;

/// The 16-byte user header of every sample. Foreign peers declare the same layout under the
/// same type name (`FlatdataHeader`), or iceoryx2 refuses to connect them.
#[derive(Debug, Default, Clone, Copy, ZeroCopySend)]
#[type_name("FlatdataHeader")]
#[repr(C)]
pub struct FlatHeader {
    /// The sample's 64-bit sequence number.
    pub sequence: u64,
    /// The sample's length in bytes; the slice itself is as long as the writer's capacity.
    pub length: u32,
    /// Reserved for flags, 0 today.
    pub flags: u32,
}

/// The payload type: a slice of bytes, named `u8` by every iceoryx2 language binding.
pub type PubSub = publish_subscribe::PortFactory<Svc, [u8], FlatHeader>;

/// Attribute keys a flatdata creator defines, so an opener can check its geometry and type.
pub const KEY_SLOT_COUNT: &str = "flatdata.slot_count";
pub const KEY_CAPACITY: &str = "flatdata.slot_capacity";
pub const KEY_TYPE_HASH: &str = "flatdata.type_hash";

/// How the ring is opened.
pub const MODE_OPEN_OR_CREATE: u32 = 0;
pub const MODE_CREATE: u32 = 1;
pub const MODE_OPEN: u32 = 2;

/// What the caller asks for, as the Java side lays it out.
#[repr(C)]
pub struct RingSpec {
    pub slot_count: u64,
    pub capacity: u64,
    pub max_readers: u64,
    pub mode: u32,
    pub has_type_hash: u32,
    pub type_hash: [u8; 16],
}

/// What the ring turned out to be, as the Java side reads it.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct RingInfo {
    /// From the creator's attribute, 0 when the creator defined none (a foreign creator).
    pub slot_count: u64,
    /// From the creator's attribute, 0 when the creator defined none.
    pub capacity: u64,
    /// The service's subscriber queue size: the slot count of a flatdata creator.
    pub subscriber_max_buffer_size: u64,
    pub has_type_hash: u32,
    pub type_hash: [u8; 16],
}

/// A node with its two services and this process's notifier and listener on the event service.
pub struct Ring {
    pub node: Node<Svc>,
    pub pubsub: PubSub,
    pub notifier: Notifier<Svc>,
    pub listener: Listener<Svc>,
    pub info: RingInfo,
    pub name: String,
    _events: event::PortFactory<Svc>,
}

fn attribute_key(key: &str) -> Outcome<AttributeKey> {
    AttributeKey::new(key.as_bytes())
        .or_else(|e| fail(ERR_INTERNAL, format!("attribute key {key:?}: {e:?}")))
}

fn attribute_value(value: &str) -> Outcome<AttributeValue> {
    AttributeValue::new(value.as_bytes())
        .or_else(|e| fail(ERR_INTERNAL, format!("attribute value {value:?}: {e:?}")))
}

fn hex(bytes: &[u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 16]> {
    if text.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn first_value(attributes: &AttributeSet, key: &str) -> Outcome<Option<String>> {
    let key = attribute_key(key)?;
    Ok(attributes
        .key_value(&key, 0)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()))
}

fn open_error(name: &str, e: PublishSubscribeOpenError) -> Outcome<PubSub> {
    use PublishSubscribeOpenError as E;
    let code = match e {
        E::DoesNotExist => ERR_MISSING,
        E::IncompatibleTypes | E::IncompatibleMessagingPattern => ERR_TYPE,
        E::DoesNotSupportRequestedMinBufferSize
        | E::DoesNotSupportRequestedMinHistorySize
        | E::DoesNotSupportRequestedMinSubscriberBorrowedSamples
        | E::DoesNotSupportRequestedAmountOfPublishers
        | E::DoesNotSupportRequestedAmountOfSubscribers
        | E::DoesNotSupportRequestedAmountOfNodes
        | E::IncompatibleOverflowBehavior
        | E::IncompatibleAttributes => ERR_SETTINGS,
        E::ExceedsMaxNumberOfNodes => ERR_LIMIT,
        _ => ERR_INTERNAL,
    };
    fail(
        code,
        format!("iceoryx2 refused to open service {name:?}: {e:?}"),
    )
}

fn create_error(name: &str, e: PublishSubscribeCreateError) -> Outcome<PubSub> {
    let code = match e {
        PublishSubscribeCreateError::AlreadyExists => ERR_EXISTS,
        _ => ERR_INTERNAL,
    };
    fail(
        code,
        format!("iceoryx2 refused to create service {name:?}: {e:?}"),
    )
}

impl Ring {
    /// Opens or creates the ring `name`, under the file prefix `prefix` when given.
    pub fn open(name: &str, prefix: Option<&str>, spec: &RingSpec) -> Outcome<Ring> {
        // warnings (such as "no config file, defaults used") are not errors of the caller
        iceoryx2::prelude::set_log_level(LogLevel::Error);
        // an opener may leave the geometry to the creator (0 = whatever the service has)
        let geometry_missing = spec.slot_count == 0 || spec.capacity == 0 || spec.max_readers == 0;
        if geometry_missing && spec.mode != MODE_OPEN {
            return fail(
                ERR_ARGUMENT,
                format!(
                    "slot_count={}, capacity={}, max_readers={} must all be positive",
                    spec.slot_count, spec.capacity, spec.max_readers
                ),
            );
        }
        let service_name = ServiceName::new(name).or_else(|e| {
            fail(
                ERR_ARGUMENT,
                format!("service name {name:?} refused by iceoryx2: {e:?}"),
            )
        })?;
        let mut config = Config::global_config().clone();
        if let Some(prefix) = prefix {
            config.global.prefix = FileName::new(prefix.as_bytes()).or_else(|e| {
                fail(
                    ERR_ARGUMENT,
                    format!("file prefix {prefix:?} refused by iceoryx2: {e:?}"),
                )
            })?;
        }
        let node = NodeBuilder::new()
            // The JVM owns the process's signals: iceoryx2 must not install handlers.
            .signal_handling_mode(SignalHandlingMode::Disabled)
            .config(&config)
            .create::<Svc>()
            .or_else(|e| fail(ERR_INTERNAL, format!("iceoryx2 node: {e:?}")))?;

        let slots = spec.slot_count as usize;
        let readers = spec.max_readers as usize;
        let builder = || {
            let b = node
                .service_builder(&service_name)
                .publish_subscribe::<[u8]>()
                .user_header::<FlatHeader>()
                .enable_safe_overflow(false)
                .history_size(0)
                .max_publishers(1);
            let b = if slots > 0 {
                b.subscriber_max_buffer_size(slots)
                    .subscriber_max_borrowed_samples(slots)
            } else {
                b
            };
            if readers > 0 {
                b.max_subscribers(readers)
            } else {
                b
            }
        };
        let mut attributes = AttributeSpecifier::new();
        for (key, value) in [
            (KEY_SLOT_COUNT, spec.slot_count.to_string()),
            (KEY_CAPACITY, spec.capacity.to_string()),
        ] {
            attributes = attributes
                .define(&attribute_key(key)?, &attribute_value(&value)?)
                .or_else(|e| fail(ERR_INTERNAL, format!("attribute {key}: {e:?}")))?;
        }
        if spec.has_type_hash != 0 {
            attributes = attributes
                .define(
                    &attribute_key(KEY_TYPE_HASH)?,
                    &attribute_value(&hex(&spec.type_hash))?,
                )
                .or_else(|e| fail(ERR_INTERNAL, format!("attributes: {e:?}")))?;
        }
        let create = || {
            builder()
                .create_with_attributes(&attributes)
                .or_else(|e| create_error(name, e))
        };
        let open = || builder().open().or_else(|e| open_error(name, e));
        let pubsub = match spec.mode {
            MODE_CREATE => create()?,
            MODE_OPEN => open()?,
            MODE_OPEN_OR_CREATE => match open() {
                Ok(p) => p,
                Err(f) if f.code == ERR_MISSING => match create() {
                    Ok(p) => p,
                    Err(f) if f.code == ERR_EXISTS => open()?,
                    Err(f) => return Err(f),
                },
                Err(f) => return Err(f),
            },
            other => return fail(ERR_ARGUMENT, format!("mode={other} is not 0, 1 or 2")),
        };
        let events = node
            .service_builder(&service_name)
            .event()
            .open_or_create()
            .or_else(|e| {
                fail(
                    ERR_INTERNAL,
                    format!("iceoryx2 event service {name:?}: {e:?}"),
                )
            })?;
        let notifier = events
            .notifier_builder()
            .create()
            .or_else(|e| fail(ERR_LIMIT, format!("notifier on {name:?}: {e:?}")))?;
        let listener = events
            .listener_builder()
            .create()
            .or_else(|e| fail(ERR_LIMIT, format!("listener on {name:?}: {e:?}")))?;
        let info = Self::info_of(&pubsub)?;
        Ok(Ring {
            node,
            pubsub,
            notifier,
            listener,
            info,
            name: name.to_string(),
            _events: events,
        })
    }

    fn info_of(pubsub: &PubSub) -> Outcome<RingInfo> {
        let attributes = pubsub.attributes();
        let number = |key: &str| -> Outcome<u64> {
            Ok(first_value(attributes, key)?
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0))
        };
        let type_hash = first_value(attributes, KEY_TYPE_HASH)?.and_then(|v| unhex(&v));
        let config = pubsub.static_config();
        Ok(RingInfo {
            slot_count: number(KEY_SLOT_COUNT)?,
            capacity: number(KEY_CAPACITY)?,
            subscriber_max_buffer_size: config.subscriber_max_buffer_size() as u64,
            has_type_hash: u32::from(type_hash.is_some()),
            type_hash: type_hash.unwrap_or([0; 16]),
        })
    }

    /// Sends event `id` to every listener of the event service (this process's included).
    pub fn notify(&self, id: u64) -> Outcome<i32> {
        self.notifier
            .notify_with_custom_event_id(EventId::new(id as usize))
            .map(|_| OK)
            .or_else(|e| fail(ERR_INTERNAL, format!("notify on {:?}: {e:?}", self.name)))
    }

    /// Waits up to `timeout` for events and adds how often each id was notified to `counts`
    /// (ids beyond its end to its last element). A zero timeout only collects what is pending.
    pub fn wait(&self, timeout: Duration, counts: &mut [u64]) -> Outcome<i32> {
        let mut any = false;
        let last = counts.len().saturating_sub(1);
        let collect = |activation: EventActivation| {
            any = true;
            if let Some(count) = counts.get_mut(activation.id.as_value().min(last)) {
                *count = count.saturating_add(activation.count.max(1));
            }
        };
        let result = if timeout.is_zero() {
            self.listener.try_wait(collect)
        } else {
            self.listener.timed_wait(collect, timeout)
        };
        result.or_else(|e| fail(ERR_INTERNAL, format!("wait on {:?}: {e:?}", self.name)))?;
        Ok(if any { OK } else { NONE })
    }

    /// Removes the resources of dead nodes (processes that died without cleaning up), which
    /// returns the chunks their ports held; the number of nodes removed.
    pub fn cleanup_dead_nodes(&self) -> i32 {
        let state = self.node.try_cleanup_dead_nodes();
        i32::try_from(state.cleanups).unwrap_or(i32::MAX)
    }

    /// The number of publishers and subscribers the service has now.
    pub fn ports(&self) -> (usize, usize) {
        let dynamic = self.pubsub.dynamic_config();
        (
            dynamic.number_of_publishers(),
            dynamic.number_of_subscribers(),
        )
    }
}
