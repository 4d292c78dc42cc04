/**
 * Micrometer for flatdata: {@link io.zerodds.flatdata.micrometer.FlatMetrics} binds the meters of
 * one ring (free slots, each reader's lag, ring-full events, writer waits, drops, leaked views,
 * samples committed and taken) read from the counts core keeps anyway
 * ({@link io.zerodds.flatdata.RingCounters}); {@link io.zerodds.flatdata.micrometer.FlatObservations}
 * wraps a reactive reader's {@code Flux} in a {@code flatdata.receive} observation. Optional:
 * core and reactor have no Micrometer dependency.
 */
package io.zerodds.flatdata.micrometer;
