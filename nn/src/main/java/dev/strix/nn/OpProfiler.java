package dev.strix.nn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time per recorded op, forward and backward, for finding where a training or inference step spends its
 * time ({@code strix bench model --profile}).
 *
 * <p>While {@link #start() started}, every op that records autograd history is charged, on the thread that
 * records it, with the time since the previous op recorded there (or since {@link #mark()}): its own kernels, the
 * allocation of its output, and the Java code between the two ops. Ops run under {@link Autograd#noGrad()} record
 * nothing, so their time goes to the next op that does. In the backward pass each node's gradient function is
 * timed exactly. Convolutions are labelled with their geometry ({@code conv2d 64->64 3x3/1 32x32}), so the table
 * has one row per distinct layer shape. Off (the default) it costs one volatile read per op.
 *
 * <p>Single-threaded use: one thread runs the step, as the benchmark does (the kernels' worker threads are not
 * charged separately, their work is inside the op that started them).
 */
public final class OpProfiler {
    private static volatile boolean enabled;
    private static final ThreadLocal<long[]> LAST = ThreadLocal.withInitial(() -> new long[1]);
    private static final Map<String, long[]> STATS = new HashMap<>(); // label -> {forward calls, forward ns, backward calls, backward ns}

    private OpProfiler() {}

    /** One row of the profile. */
    public record Entry(String op, long forwardCalls, double forwardMs, long backwardCalls, double backwardMs) {
        /** Forward plus backward milliseconds. */
        public double totalMs() {
            return forwardMs + backwardMs;
        }
    }

    /** Clears the counters and starts charging ops; the calling thread's clock starts now. */
    public static synchronized void start() {
        STATS.clear();
        enabled = true;
        mark();
    }

    /** Stops charging ops and returns the rows, largest total first. */
    public static synchronized List<Entry> stop() {
        enabled = false;
        List<Entry> rows = new ArrayList<>();
        for (var e : STATS.entrySet()) {
            long[] v = e.getValue();
            rows.add(new Entry(e.getKey(), v[0], v[1] / 1e6, v[2], v[3] / 1e6));
        }
        rows.sort(Comparator.comparingDouble(Entry::totalMs).reversed().thenComparing(Entry::op));
        STATS.clear();
        return rows;
    }

    /** True while started. */
    public static boolean enabled() {
        return enabled;
    }

    /** Restarts this thread's clock, so that time spent outside ops (e.g. between steps) is charged to none. */
    public static void mark() {
        LAST.get()[0] = System.nanoTime();
    }

    /**
     * Charges the time since this thread's last op (or mark) to the forward of {@code op}. {@link Autograd#record}
     * calls it for every op; an op that records no history calls it itself.
     */
    public static void forward(String op) {
        if (!enabled) return;
        long now = System.nanoTime();
        long[] last = LAST.get();
        add(op, 0, now - last[0]);
        last[0] = now;
    }

    /** Charges {@code nanos} to the backward of {@code op}, and restarts this thread's clock. */
    static void backward(String op, long nanos) {
        if (!enabled) return;
        add(op, 2, nanos);
        mark();
    }

    private static synchronized void add(String op, int slot, long nanos) {
        long[] v = STATS.computeIfAbsent(op, k -> new long[4]);
        v[slot]++;
        v[slot + 1] += nanos;
    }
}
