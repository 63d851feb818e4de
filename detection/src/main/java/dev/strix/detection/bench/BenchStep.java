package dev.strix.detection.bench;

/** One timed unit of work of {@code strix bench model}; implementations keep everything they reuse. */
interface BenchStep extends AutoCloseable {
    /** Runs one step and waits for its result (on an accelerator, reads a value back). */
    void run();

    /** Names of the phases whose times {@link #phaseNanos} reports, in step order (may be empty). */
    String[] phases();

    /** Nanoseconds each phase took in the last {@link #run}, same order as {@link #phases}. */
    long[] phaseNanos();

    /** Lets go of what the step holds beyond the garbage collector's reach (a captured CUDA graph); nothing by default. */
    @Override
    default void close() {}
}
