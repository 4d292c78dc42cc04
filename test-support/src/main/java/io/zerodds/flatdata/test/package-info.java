/**
 * The helpers of the tests of every module, each in one copy.
 *
 * <ul>
 *   <li>{@link io.zerodds.flatdata.test.ShmNames}: unique /dev/shm names for a test class, as a
 *       JUnit 5 extension that asserts after the class that every object it named is gone (and
 *       the per-JVM file prefix of libraries that keep objects for the process's lifetime).
 *   <li>{@link io.zerodds.flatdata.test.ChildProcess}: a child JVM running a main class given as a
 *       parameter, or a foreign peer program; lines expected by prefix with a timeout, lines sent
 *       to its stdin, exit codes, SIGKILL until reaped, signals by name, CPU ticks, stderr.
 *   <li>{@link io.zerodds.flatdata.test.Checksummed}: the checksummed sample format, shared with
 *       the Python and Rust peers.
 *   <li>{@link io.zerodds.flatdata.test.CountingPublisher}: an upstream that allocates nothing per
 *       element.
 *   <li>{@link io.zerodds.flatdata.test.BlockHoundExtension}: BlockHound installed for a module's
 *       whole test JVM, failing any test during which a blocking call ran on a non-blocking
 *       thread (BlockHound is an optional dependency here: a module using it declares it).
 * </ul>
 *
 * <h2>Why this module knows no flatdata type</h2>
 *
 * Core's own tests need these helpers (its multi-process and crash tests run child JVMs, and every
 * POSIX test names /dev/shm objects), so core depends on this module in test scope. Maven orders
 * a reactor by every dependency, test scope included, so this module cannot depend on core: it
 * depends only on the JUnit API, AssertJ, the Reactive Streams API and (optionally) BlockHound,
 * and is built first.
 *
 * <p>The test helpers that do need core types stay in core's test sources and reach the other
 * modules through core's test-jar: the {@code SlotBackend} contract suite
 * ({@code SlotBackendContractTest}) and {@code AllocationProbe}, which core's own backend tests
 * run and the iceoryx2 backend's tests run too, and {@code TestBackends}, the in-memory and POSIX
 * rings of the reactive tests and the TCK. A module after core holding them instead would need
 * core's contract and allocation tests to leave core, or {@code ShmNames} and
 * {@code ChildProcess} in a second copy for core.
 *
 * <p>Modules use this one in test scope; it is not deployed. The one exception is the bench
 * module, not a library either: its reactive throughput benchmark runs
 * {@link io.zerodds.flatdata.test.CountingPublisher}, so it takes this module (without its test
 * libraries) at run time.
 */
package io.zerodds.flatdata.test;
