/**
 * The third backend: {@link io.zerodds.flatdata.SlotBackend} over iceoryx2, through the small Rust
 * library in {@code iceoryx2/native/} (its C ABI) called with FFM, interoperating with any iceoryx2
 * program that uses the same service (see docs/iceoryx2.md).
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link io.zerodds.flatdata.iceoryx2.Iceoryx2SlotBackend}: create/open a service by name; the
 *       {@code SlotBackend} contract with iceoryx2's delivery semantics.</li>
 *   <li>{@link io.zerodds.flatdata.iceoryx2.Iceoryx2Exception}: what iceoryx2 refused, with its message.</li>
 * </ul>
 *
 * <h2>Internals (package-private), one protocol per file</h2>
 * <ul>
 *   <li>{@code NativeLibrary}: finding, extracting and loading the packaged native library.</li>
 *   <li>{@code NativeAbi}: the C ABI: status codes, struct layouts and offsets, downcall handles.</li>
 *   <li>{@code NativeRing}: the native handles of one ring and the typed calls; status codes become exceptions.</li>
 *   <li>{@code PortLock}: mutual exclusion of the calls on one native port.</li>
 *   <li>{@code WriterPort}: the one publisher of a backend, its loans in a table of slots,
 *       commits, discards and the end-of-stream marker.</li>
 *   <li>{@code ReceivedSamples}: the one subscriber of a backend and the table that fans its samples
 *       out to reader indexes 0..31.</li>
 *   <li>{@code ChunkViews}: cached views of iceoryx2 chunks by address.</li>
 *   <li>{@code EventWaiter}: the change generation and the event-driven wait on the event service.</li>
 * </ul>
 */
package io.zerodds.flatdata.iceoryx2;
