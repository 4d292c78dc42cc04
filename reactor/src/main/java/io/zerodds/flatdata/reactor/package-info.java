/**
 * Project Reactor over any {@link io.zerodds.flatdata.SlotBackend}: the ring's change events drive a
 * {@code Flux} of zero-copy sample views, and a writer's backpressure is the ring's free slots.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link io.zerodds.flatdata.reactor.ReactiveFlatReader}: attaches a reader index, {@code flux()}.</li>
 *   <li>{@link io.zerodds.flatdata.reactor.SampleView}: what the flux delivers; validated reads, {@code retain()}/{@code release()}.</li>
 *   <li>{@link io.zerodds.flatdata.reactor.ReleaseMode}: when a view's slot is marked read.</li>
 *   <li>{@link io.zerodds.flatdata.reactor.ReactiveFlatWriter}: {@code send(Publisher)}, reliable or best effort.</li>
 *   <li>{@link io.zerodds.flatdata.reactor.SlotEncoder}: writes one element straight into its loaned slot.</li>
 *   <li>{@link io.zerodds.flatdata.reactor.FlatBlockHoundIntegration}: service-loaded BlockHound marks.</li>
 * </ul>
 *
 * <h2>Internals (package-private), one protocol per file</h2>
 * <ul>
 *   <li>{@code FluxSlotSource}: the unicast source; its drain loop (demand, adaptive spin, event
 *       wait on its own thread), subscriber hand-over and the view pool.</li>
 *   <li>{@code MonoSend}: one {@code send}: the writer claim, what both sends share (termination
 *       and cancellation), and the reliable send: upstream demand as free slots, the wait for a
 *       freed slot, the hand-over of an element to the thread in the writing loop.</li>
 *   <li>{@code BestEffortSend}: the best-effort send: unbounded demand, writes what fits, drops and
 *       counts the rest.</li>
 *   <li>{@code ReaderLease}: who may still mark slots read for a reader index, so no one marks it
 *       after it was detached (retained views, leak recovery).</li>
 *   <li>{@code ViewLeakRecoveredEvent}: the JFR event {@code io.zerodds.flatdata.ViewLeakRecovered}
 *       of a recovered leak. A reliable send's stall is core's public
 *       {@link io.zerodds.flatdata.WriterWaitEvent}, one event type for every writer's wait (see
 *       "Observability" in package {@code io.zerodds.flatdata}).</li>
 * </ul>
 */
package io.zerodds.flatdata.reactor;
