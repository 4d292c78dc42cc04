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
 *   <li>{@link io.zerodds.flatdata.SegmentLayout}: the public ring descriptor (every offset, state
 *       value, packing and memory order), for tools that read a segment;
 *       {@link io.zerodds.flatdata.ShmLocator}: the discovery locator of a segment;
 *       {@link io.zerodds.flatdata.SampleChecks}: the length and type checks every adapter shares.</li>
 *   <li>Exceptions, all {@link io.zerodds.flatdata.FlatDataException}s or standard ones, each with the
 *       offending values in its message.</li>
 * </ul>
 *
 * <h2>Internals (package-private): one protocol per file</h2>
 * <table>
 *   <caption>Where each protocol lives</caption>
 *   <tr><th>file</th><th>protocol</th></tr>
 *   <tr><td>{@code SegmentSlotBackend}</td><td>the slot ring over a segment it does not own: reserve,
 *       publish (the slot word as seqlock), observe in sequence order, mark read, the change
 *       generation</td></tr>
 *   <tr><td>{@code ReaderRegistry}</td><td>attach, detach and the disconnect state machine of the 32
 *       reader entries</td></tr>
 *   <tr><td>{@code WaiterTable}</td><td>which processes wait in a futex, so a change wakes only when
 *       someone waits</td></tr>
 *   <tr><td>{@code ReadViews}</td><td>cached read-only views of slot payloads</td></tr>
 *   <tr><td>{@code ReferenceRing}</td><td>the read-only consumer of a plain ZeroDDS reference
 *       segment</td></tr>
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
