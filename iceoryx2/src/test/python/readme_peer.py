"""The README's Python peer, as written there, with the service name and iceoryx2 prefix taken
from the command line so that a test run sees only its own services:
    readme_peer.py PREFIX NAME"""
import ctypes
import sys

import iceoryx2 as iox2


class FlatdataHeader(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint64), ("length", ctypes.c_uint32), ("flags", ctypes.c_uint32)]

    @staticmethod
    def type_name():
        return "FlatdataHeader"


config = iox2.config.default()
config.global_cfg.prefix = iox2.FileName.new(sys.argv[1])
node = iox2.NodeBuilder.new().config(config).create(iox2.ServiceType.Ipc)
name = iox2.ServiceName.new(sys.argv[2])
service = node.service_builder(name).publish_subscribe(iox2.Slice[ctypes.c_uint8]).user_header(FlatdataHeader).open()
publisher = (service.publisher_builder().initial_max_slice_len(256)
             .backpressure_strategy(iox2.BackpressureStrategy.RetryUntilDelivered).create())
events = node.service_builder(name).event().open_or_create()
notifier, listener = events.notifier_builder().create(), events.listener_builder().create()
notifier.notify_with_custom_event_id(iox2.EventId.new(3))             # hello: readers, connect
for _ in range(20):                                                     # up to 2 s for a reader's
    if any(a.id.as_value == 4 for a in listener.timed_wait(iox2.Duration.from_millis(100))):
        break                                                           # answer (id 4): connected
for i in range(100):
    data = f"sample {i}".encode()
    sample = publisher.loan_slice_uninit(len(data))
    ctypes.memmove(sample.payload().as_ptr(), data, len(data))
    header = sample.user_header().contents
    header.sequence, header.length, header.flags = i, len(data), 0
    sample.assume_init().send()
    notifier.notify_with_custom_event_id(iox2.EventId.new(0))           # sent: wakes waiting readers
input("Enter once the reader has them: ")                               # its samples go with it
