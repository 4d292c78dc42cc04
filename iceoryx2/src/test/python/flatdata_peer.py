"""A foreign iceoryx2 peer for the flatdata interop tests, written against the iceoryx2 Python
wheel alone (no flatdata code): it publishes or subscribes to the byte-slice service with the
16-byte `FlatdataHeader` user header, and signals on the event service of the same name.

Sample layout (the tests' checksummed format): bytes 0..8 the sample index (u64 LE), 8..12 the
CRC32 of bytes 12..size (u32 LE), then pseudo-random bytes; the size varies per sample.

    flatdata_peer.py PREFIX publish NAME COUNT CAPACITY
    flatdata_peer.py PREFIX subscribe NAME COUNT [DELAY_MICROS [gaps-ok]]
    flatdata_peer.py PREFIX create-default NAME
    flatdata_peer.py PREFIX create-other-header NAME
    flatdata_peer.py PREFIX create-other-payload NAME
    flatdata_peer.py PREFIX open-typed NAME TYPE_HASH_HEX
    flatdata_peer.py PREFIX publish-forever NAME CAPACITY

`publish` stays until a line arrives on its stdin (its samples live as long as it does).
Prints one JSON line with what it did; exits 0 on success, 2 on a violation, 3 when iceoryx2
refused to open or create.
"""

import ctypes
import json
import random
import struct
import sys
import time
import zlib

import iceoryx2 as iox2

EVENT_SENT = 0
EVENT_RELEASED = 1
EVENT_HELLO = 3
EVENT_CONNECTED = 4
FLAG_END_OF_STREAM = 1


class FlatdataHeader(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint64), ("length", ctypes.c_uint32), ("flags", ctypes.c_uint32)]

    @staticmethod
    def type_name() -> str:
        return "FlatdataHeader"


class OtherHeader(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint64), ("length", ctypes.c_uint32), ("flags", ctypes.c_uint32)]

    @staticmethod
    def type_name() -> str:
        return "OtherHeader"


def size_of(index: int, capacity: int) -> int:
    return 12 + (index * 7919) % (capacity - 12 + 1)


def body(index: int, size: int) -> bytes:
    return random.Random(index).randbytes(size - 12)


def sample_bytes(index: int, capacity: int) -> bytes:
    rest = body(index, size_of(index, capacity))
    return struct.pack("<QI", index, zlib.crc32(rest)) + rest


def node_for(prefix: str):
    config = iox2.config.default()
    config.global_cfg.prefix = iox2.FileName.new(prefix)
    return iox2.NodeBuilder.new().config(config).create(iox2.ServiceType.Ipc)


def pubsub(node, name, header=FlatdataHeader, payload=iox2.Slice[ctypes.c_uint8]):
    return node.service_builder(iox2.ServiceName.new(name)).publish_subscribe(payload).user_header(header)


def events(node, name):
    return node.service_builder(iox2.ServiceName.new(name)).event().open_or_create()


def report(**fields) -> None:
    print(json.dumps(fields), flush=True)


def publish(node, name: str, count: int, capacity: int, forever: bool = False) -> int:
    service = pubsub(node, name).open()
    # block while the subscriber's queue is full: iceoryx2's default here drops instead
    publisher = (service.publisher_builder().initial_max_slice_len(capacity)
                 .backpressure_strategy(iox2.BackpressureStrategy.RetryUntilDelivered).create())
    event_service = events(node, name)
    notifier = event_service.notifier_builder().create()
    listener = event_service.listener_builder().create()
    # a subscriber connects to a new publisher when it next receives; until then a blocking send
    # gives up on a full queue. So say hello and wait until the readers connected.
    notifier.notify_with_custom_event_id(iox2.EventId.new(EVENT_HELLO))
    deadline = time.monotonic() + 5
    connected = False
    while not connected and time.monotonic() < deadline:
        for activation in listener.timed_wait(iox2.Duration.from_millis(100)):
            connected = connected or activation.id.as_value == EVENT_CONNECTED
    index = 0
    unreached = 0
    while forever or index < count:
        data = sample_bytes(index, capacity)
        sample = publisher.loan_slice_uninit(len(data))
        ctypes.memmove(sample.payload().as_ptr(), data, len(data))
        header = sample.user_header().contents
        header.sequence = index
        header.length = len(data)
        header.flags = 0
        if sample.assume_init().send() == 0:
            unreached += 1
        notifier.notify_with_custom_event_id(iox2.EventId.new(EVENT_SENT))
        index += 1
        if forever:
            time.sleep(0.001)
    report(mode="publish", sent=index, unreached=unreached, connected=connected)
    # a publisher's samples live as long as it does: stay until told the subscriber has them all
    sys.stdin.readline()
    return 0 if unreached == 0 else 2


def subscribe(node, name: str, count: int, delay_micros: int, gaps_ok: bool = False) -> int:
    service = pubsub(node, name).open()
    subscriber = service.subscriber_builder().create()
    event_service = events(node, name)
    listener = event_service.listener_builder().create()
    notifier = event_service.notifier_builder().create()
    print(json.dumps({"mode": "subscribe", "ready": True}), flush=True)
    expected = None
    received = 0
    violations = []
    ended = False
    first_sequence = None
    deadline = time.monotonic() + 120
    while not ended and received < count and time.monotonic() < deadline:
        sample = subscriber.receive()
        if sample is None:
            listener.timed_wait(iox2.Duration.from_millis(100))
            continue
        header = sample.user_header().contents
        if header.flags & FLAG_END_OF_STREAM:
            ended = True
        else:
            payload = sample.payload()
            if header.length > payload.len():
                violations.append(f"sample {received}: length {header.length} > slice {payload.len()}")
            data = bytes(payload.as_memory_view()[: header.length])
            index, crc = struct.unpack_from("<QI", data, 0)
            if zlib.crc32(data[12:]) != crc:
                violations.append(f"sample {received}: checksum")
            if expected is not None and (index < expected if gaps_ok else index != expected):
                violations.append(f"sample {received}: index {index}, expected {expected}")
            if first_sequence is None:
                first_sequence = header.sequence
            elif header.sequence != first_sequence + received:
                violations.append(f"sample {received}: sequence {header.sequence}")
            expected = index + 1
            received += 1
        sample.delete()
        notifier.notify_with_custom_event_id(iox2.EventId.new(EVENT_RELEASED))
        if delay_micros:
            time.sleep(delay_micros / 1e6)
    report(mode="subscribe", received=received, ended=ended, violations=violations[:10],
           first_sequence=first_sequence)
    return 2 if violations or received < count else 0


def create_other(node, name: str, kind: str) -> int:
    try:
        if kind == "header":
            service = pubsub(node, name, header=OtherHeader).create()
        else:
            service = pubsub(node, name, payload=iox2.Slice[ctypes.c_uint64]).create()
    except Exception as e:  # noqa: BLE001 - the refusal is the result
        report(mode="create-other-" + kind, error=repr(e))
        return 3
    report(mode="create-other-" + kind, created=True)
    sys.stdin.readline()  # hold the service until the test is done
    del service
    return 0


def open_typed(node, name: str, hash_hex: str) -> int:
    verifier = iox2.AttributeVerifier.new().require(
        iox2.AttributeKey.new("flatdata.type_hash"), iox2.AttributeValue.new(hash_hex))
    try:
        pubsub(node, name).open_with_attributes(verifier)
    except Exception as e:  # noqa: BLE001 - the refusal is the result
        report(mode="open-typed", error=repr(e))
        return 3
    report(mode="open-typed", opened=True)
    return 0


def main(argv) -> int:
    prefix, mode, name = argv[1], argv[2], argv[3]
    node = node_for(prefix)
    if mode == "publish":
        return publish(node, name, int(argv[4]), int(argv[5]))
    if mode == "publish-forever":
        return publish(node, name, 0, int(argv[4]), forever=True)
    if mode == "subscribe":
        return subscribe(node, name, int(argv[4]), int(argv[5]) if len(argv) > 5 else 0,
                         len(argv) > 6 and argv[6] == "gaps-ok")
    if mode == "create-default":
        service = pubsub(node, name).create()
        report(mode="create-default", created=True)
        sys.stdin.readline()
        del service
        return 0
    if mode == "create-other-header":
        return create_other(node, name, "header")
    if mode == "create-other-payload":
        return create_other(node, name, "payload")
    if mode == "open-typed":
        return open_typed(node, name, argv[4])
    print(f"unknown mode {mode}", file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
