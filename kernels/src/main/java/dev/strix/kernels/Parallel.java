package dev.strix.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The one worker pool shared by all CPU kernels, sized to the cores (or {@code strix.threads}).
 *
 * <p>Kernels split their outermost loop into chunks with {@link #forRange}; work smaller than the grain
 * runs on the calling thread, so tiny tensors pay no scheduling cost.
 */
public final class Parallel {
    /** Property that sets the worker count (default: available processors). */
    public static final String PROPERTY = "strix.threads";

    /** A loop body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile ForkJoinPool pool;
    private static volatile int threads;

    static {
        String p = System.getProperty(PROPERTY);
        int n = p == null || p.isBlank() ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p.trim());
        setThreads(n);
    }

    private Parallel() {}

    /** Current number of worker threads. */
    public static int threads() {
        return threads;
    }

    /** Replaces the pool with one of {@code n} threads (n >= 1). Not meant to be called while kernels run. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        ForkJoinPool old = pool;
        threads = n;
        // numbered by a counter: getPoolIndex() is not assigned yet while the factory runs (every worker was "0")
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        // n - 1 workers: the thread that starts a parallel loop takes a share of it itself (see forRange)
        pool = n == 1 ? null : new ForkJoinPool(n - 1, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("strix-worker-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        }, null, false);
        if (old != null) old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} contiguous chunks of at least
     * {@code grain} iterations each. Returns when all chunks are done.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        int t = threads;
        int chunks = Math.min(t, Math.max(1, n / Math.max(1, grain)));
        if (p == null || chunks <= 1 || insidePool(p)) {
            body.run(0, n);
            return;
        }
        // The calling thread runs the last chunk itself and hands only the others to the pool: one worker
        // wake-up instead of two per loop (the caller would otherwise park until both workers are done).
        // The chunk bounds are the same either way, so which thread runs a chunk does not change any result.
        Chunks rest = new Chunks(body, n, chunks, 0, chunks - 1);
        p.execute(rest);
        long from = (long) n * (chunks - 1) / chunks;
        boolean[] flag = RUNNING_CHUNK.get();
        flag[0] = true;
        try {
            body.run((int) from, n);
        } catch (RuntimeException | Error e) {
            rest.quietlyJoin();
            throw e;
        } finally {
            flag[0] = false;
        }
        rest.join();
    }

    /** Set while a thread outside the pool runs a chunk of {@link #forRange}, so nested loops stay serial. */
    private static final ThreadLocal<boolean[]> RUNNING_CHUNK = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Nested parallel loops run serially on the thread (worker or caller running a chunk) that reached them. */
    private static boolean insidePool(ForkJoinPool p) {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w ? w.getPool() == p : RUNNING_CHUNK.get()[0];
    }

    /** Runs {@code task(i)} for i in [0, count), one task per chunk index, in parallel. */
    public static void forEachChunk(int count, java.util.function.IntConsumer task) {
        forRange(count, 1, (a, b) -> {
            for (int i = a; i < b; i++) task.accept(i);
        });
    }

    /**
     * Runs {@code task(i)} for i in [0, count) as {@code count} separate tasks, which idle workers steal from
     * busy ones: for a few heavy items of similar size (the images of a batch), this keeps both cores busy when
     * one of them is slowed down by other work on the machine, where {@link #forEachChunk}'s fixed split would
     * wait for the slower half.
     */
    public static void forEachItem(int count, java.util.function.IntConsumer task) {
        if (count <= 0) return;
        ForkJoinPool p = pool;
        if (p == null || count == 1 || insidePool(p)) {
            for (int i = 0; i < count; i++) task.accept(i);
            return;
        }
        // the calling thread and the workers take the next item from a shared counter until none are left
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        RangeBody pull = (a, b) -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) task.accept(i);
        };
        int helpers = Math.min(threads - 1, count - 1);
        Chunks rest = new Chunks(pull, helpers, helpers, 0, helpers);
        p.execute(rest);
        boolean[] flag = RUNNING_CHUNK.get();
        flag[0] = true;
        try {
            pull.run(0, 0);
        } catch (RuntimeException | Error e) {
            rest.quietlyJoin();
            throw e;
        } finally {
            flag[0] = false;
        }
        rest.join();
    }

    private static final class Chunks extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Chunks(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                long from = (long) n * lo / chunks, to = (long) n * (lo + 1) / chunks;
                body.run((int) from, (int) to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunks(body, n, chunks, lo, mid), new Chunks(body, n, chunks, mid, hi));
        }
    }
}
