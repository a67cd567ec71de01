package io.sandboxops.core.observe;

/**
 * Where the client's operation events go. {@link #record} never blocks and never throws: an operation never waits
 * on, or fails because of, the delivery of its event. Thread-safe.
 */
public interface SandboxEventSink extends AutoCloseable {

    /** Takes one event for delivery, or counts it as dropped. */
    void record(SandboxEvent event);

    /** @return events taken but not delivered (a full queue, a failed write, still queued at close) */
    long dropped();

    /** Delivers what is queued, within a bounded time, and releases the sink's resources. */
    @Override
    void close();

    /**
     * Events go nowhere: where no Cloud environment is configured (plain Docker use, a library user without
     * {@code GCP_PROJECT_ID}). The decorator still times each operation; the event is dropped at once, uncounted.
     */
    static SandboxEventSink discard() {
        return Discard.INSTANCE;
    }

    /** The sink of {@link #discard()}. */
    enum Discard implements SandboxEventSink {
        INSTANCE;

        @Override
        public void record(SandboxEvent event) {
            // nowhere to deliver it: see discard()
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
