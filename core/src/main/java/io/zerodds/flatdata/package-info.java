/**
 * flatdata: zero-copy publish/subscribe over rings of fixed-size slots, one writer and up to 32
 * readers, in one process or across processes on one host. Automatic module
 * {@code io.zerodds.flatdata}; no dependencies.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link io.zerodds.flatdata.SlotBackend}: the contract every backend keeps (the seed trait,
 *       method for method), with {@link io.zerodds.flatdata.SlotSample}.</li>
 *   <li>Backends: {@link io.zerodds.flatdata.InMemorySlotBackend} (one process) and
 *       {@link io.zerodds.flatdata.PosixSlotBackend} (a shared-memory object under {@code /dev/shm});
 *       the iceoryx2 backend is in module {@code io.zerodds.flatdata.iceoryx2}.</li>
 *   <li>Writing and reading on any backend: {@link io.zerodds.flatdata.FlatWriter} (loan, commit,
 *       reliable or best effort), {@link io.zerodds.flatdata.FlatReader} and its
 *       {@link io.zerodds.flatdata.Sample}s; typed samples: {@link io.zerodds.flatdata.FlatType}.</li>
 *   <li>The public ring descriptors, for tools that read a segment: each fixes the offsets, state
 *       values, packings and memory orders of one structure.
 *       {@link io.zerodds.flatdata.SegmentLayout}: where everything is, the segment header and the
 *       extension region; {@link io.zerodds.flatdata.SlotDescriptor}: a slot (its header, seqlock
 *       word, loan word and sequence hi32); {@link io.zerodds.flatdata.ReaderEntryDescriptor}: a
 *       reader registry entry (states, disconnector word);
 *       {@link io.zerodds.flatdata.WaiterEntryDescriptor}: a waiter table entry (state and epoch).</li>
 *   <li>{@link io.zerodds.flatdata.ShmLocator}: the discovery locator of a segment;
 *       {@link io.zerodds.flatdata.SampleChecks}: the length and type checks every adapter shares.</li>
 *   <li>Exceptions, all {@link io.zerodds.flatdata.FlatDataException}s or standard ones, each with the
 *       offending values in its message.</li>
 * </ul>
 *
 * <h2>Observability: JFR events</h2>
 * The rare and slow things are JDK Flight Recorder events (module {@code jdk.jfr}, in every JDK),
 * category {@code flatdata}, all disabled by default and never recorded per sample: only waits,
 * deaths and refusals. Without a recording that enables it, a writer's wait checks a flag and
 * allocates nothing for its event; the other events happen a handful of times in a process's life.
 * <table>
 *   <caption>The events</caption>
 *   <tr><th>event</th><th>when</th><th>fields</th></tr>
 *   <tr><td>{@code io.zerodds.flatdata.WriterWait} ({@link io.zerodds.flatdata.WriterWaitEvent})</td>
 *       <td>a reliable writer waited for a free slot: one event per loan that had to wait, its
 *       duration the whole wait; a reactive reliable send records a stall (the ring full and not
 *       one loan left) the same way</td>
 *       <td>duration, {@code ring}, {@code freeSlots} (0: the reserve had just failed),
 *       {@code slotCount}, {@code slotObtained} (false: timed out, closed, send ended)</td></tr>
 *   <tr><td>{@code io.zerodds.flatdata.ReaderEvicted}</td>
 *       <td>a reader was disconnected by another party; a reader's own detach or close is not</td>
 *       <td>{@code ring}, {@code readerIndex}, {@code pid} (-1: unknown), {@code cause}:
 *       {@code process dead}, {@code heartbeat stale}, {@code process dead at attach},
 *       {@code disconnector dead}, {@code disconnect overdue}, {@code disconnected by call}</td></tr>
 *   <tr><td>{@code io.zerodds.flatdata.WriterTakeover}</td>
 *       <td>{@code open(name).asWriter()} took a segment over</td>
 *       <td>{@code ring}, {@code previousWriterPid}, {@code previousWriterDied}, {@code loansReclaimed},
 *       {@code nextSequence}, {@code sequenceRepaired}</td></tr>
 *   <tr><td>{@code io.zerodds.flatdata.SegmentRefused}</td>
 *       <td>opening or creating a POSIX segment failed with a {@link io.zerodds.flatdata.FlatDataException}
 *       (not a segment, damaged, another type, another owner, a live writer, no such file); with a
 *       stack trace</td>
 *       <td>{@code name}, {@code path}, {@code operation} ({@code open}, {@code open as writer},
 *       {@code create}), {@code reason} (the message), {@code exceptionClass}</td></tr>
 *   <tr><td>{@code io.zerodds.flatdata.ViewLeakRecovered} (module {@code io.zerodds.flatdata.reactor})</td>
 *       <td>the leak detector recovered the slot of a retained view that was never released</td>
 *       <td>{@code ring}, {@code readerIndex}, {@code sequence}, {@code slot}, {@code slotFreed}</td></tr>
 * </table>
 * {@code ring} is the backend's {@code toString()}, such as
 * {@code posix ring[/dev/shm/prices, slots=256, capacity=64]}. The settings file
 * {@code docs/flatdata.jfc} enables all five with a threshold of 0 ms; the {@code settings}
 * parameter may be repeated (JDK 25 syntax) to add it to the JDK's own set:
 * <pre>{@code
 * java -XX:StartFlightRecording:settings=docs/flatdata.jfc,filename=flatdata.jfr ...
 * java -XX:StartFlightRecording:settings=default,settings=docs/flatdata.jfc,filename=rec.jfr ...
 * jcmd <pid> JFR.start settings=default settings=docs/flatdata.jfc filename=rec.jfr
 * java -XX:StartFlightRecording:+io.zerodds.flatdata.WriterWait#enabled=true ...   # one event, no file
 * jfr configure --input default.jfc,docs/flatdata.jfc --output flatdata-default.jfc  # one merged file
 * jfr print --categories flatdata rec.jfr
 * }</pre>
 * In process, a {@code jdk.jfr.consumer.RecordingStream} that {@code enable}s an event name
 * receives the events as they happen.
 *
 * <h2>Internals (package-private): one protocol per file</h2>
 * <table>
 *   <caption>Where each protocol lives</caption>
 *   <tr><th>file</th><th>protocol</th></tr>
 *   <tr><td>{@code SegmentSlotBackend}</td><td>the slot ring over a segment it does not own: its
 *       geometry and addresses, the checks at every entry point, the change generation and its
 *       signal; it calls into the parts below</td></tr>
 *   <tr><td>{@code SlotWriter}</td><td>the writer half, the publish protocol: reserve (loan word, slot
 *       word with size 0), commit (the slot word as seqlock, the displaced sequence), discard, end of
 *       stream, a takeover's reclaim of loans</td></tr>
 *   <tr><td>{@code SlotReader}</td><td>the reader half, the observe protocol: the seqlock read, the
 *       next-slot hint and the search in sequence order, mark read</td></tr>
 *   <tr><td>{@code ReaderRegistry}</td><td>attach, detach and the disconnect state machine of the 32
 *       reader entries</td></tr>
 *   <tr><td>{@code WaiterTable}</td><td>which processes wait in a futex, so a change wakes only when
 *       someone waits</td></tr>
 *   <tr><td>{@code ReadViews}</td><td>cached read-only views of slot payloads</td></tr>
 *   <tr><td>{@code ReferenceRing}</td><td>the read-only consumer of a plain ZeroDDS reference
 *       segment</td></tr>
 *   <tr><td>{@code PosixFaultBoundary}</td><td>the superclass of {@code PosixSlotBackend}: the faults
 *       of the mapping (SIGBUS of a truncated file, a race with close) turned into this library's
 *       exceptions, one delegating method per {@code SlotBackend} call</td></tr>
 *   <tr><td>{@code PosixOpening}</td><td>what the POSIX builders' {@code build()} does: geometry,
 *       create or open, the writer takeover, the refusal event</td></tr>
 *   <tr><td>{@code PosixSegmentFiles}</td><td>names, the flink file, validation before mapping,
 *       the descriptor CRC, creation through a temporary file</td></tr>
 *   <tr><td>{@code PosixCrashRecovery}</td><td>every kind of death: writer takeover, dead and stalled
 *       readers, dead waiters, creators killed before publishing, reused pids, zombies</td></tr>
 *   <tr><td>{@code PosixFutexWait}</td><td>the process-shared futex wait and wake</td></tr>
 *   <tr><td>{@code PosixLeaseThread}</td><td>the heartbeat thread: reader leases, file-size checks,
 *       the dead-waiter sweep</td></tr>
 *   <tr><td>{@code PosixRing}</td><td>the extended POSIX ring: the slot ring with futex waiting and
 *       reclaim</td></tr>
 *   <tr><td>{@code SegmentMapping}, {@code PosixLibc}, {@code ProcessIdentity}</td><td>the mapping,
 *       the libc calls, who owns a claim (pid and start time)</td></tr>
 * </table>
 */
package io.zerodds.flatdata;
