package dev.strix.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one worker team shared by all CPU kernels, sized to the cores (or {@code strix.threads}).
 *
 * <p>Kernels split their outermost loop into chunks with {@link #forRange}; work smaller than the grain
 * runs on the calling thread, so tiny tensors pay no scheduling cost.
 *
 * <p>The team is the calling thread plus {@code threads() - 1} workers. A worker that finishes its share spins
 * (with {@link Thread#onSpinWait}) for up to {@link #SPIN_NANOS} waiting for the next loop before it parks: a
 * training step starts a few hundred parallel loops, many of them well under a millisecond, and waking a parked
 * thread costs tens of microseconds on a virtual machine (measured: 20-75 us per loop with a fork-join pool,
 * against 1-2 us with spinning workers). The team takes one loop at a time; a loop started while it is busy
 * (from inside another loop's chunk, or from a second thread) runs on the calling thread, with the same chunk
 * bounds, so nothing waits on anything and results do not depend on which thread ran a chunk.
 */
public final class Parallel {
    /** Property that sets the worker count (default: available processors). */
    public static final String PROPERTY = "strix.threads";
    /** Property that sets how long idle workers spin before parking, in microseconds (default 2000). */
    public static final String SPIN_PROPERTY = "strix.threads.spin_us";
    /** How long an idle worker spins for the next loop before it parks. */
    static final long SPIN_NANOS = 1000L * Long.getLong(SPIN_PROPERTY, 2000L);

    /** A loop body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile Team team;
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

    /** Replaces the team with one of {@code n} threads (n >= 1). Not meant to be called while kernels run. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        Team old = team;
        threads = n;
        team = n == 1 ? null : new Team(n - 1);
        if (old != null) old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} contiguous chunks of at least
     * {@code grain} iterations each. Returns when all chunks are done.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        Team t = team;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (t == null || chunks <= 1 || !t.run(chunks, c -> {
            long from = (long) n * c / chunks, to = (long) n * (c + 1) / chunks;
            body.run((int) from, (int) to);
        })) {
            body.run(0, n);
        }
    }

    /** Runs {@code task(i)} for i in [0, count), one task per chunk index, in parallel. */
    public static void forEachChunk(int count, IntConsumer task) {
        forRange(count, 1, (a, b) -> {
            for (int i = a; i < b; i++) task.accept(i);
        });
    }

    /**
     * Runs {@code task(i)} for i in [0, count), each thread of the team taking the next item as it gets free: for
     * a few heavy items of similar size (the images of a batch), this keeps both cores busy when one of them is
     * slowed down by other work on the machine, where {@link #forEachChunk}'s fixed split would wait for the
     * slower half.
     */
    public static void forEachItem(int count, IntConsumer task) {
        if (count <= 0) return;
        Team t = team;
        if (t != null && count > 1) {
            AtomicInteger next = new AtomicInteger();
            IntConsumer pull = ignored -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) task.accept(i);
            };
            if (t.run(Math.min(threads, count), pull)) return;
        }
        for (int i = 0; i < count; i++) task.accept(i);
    }

    /** The calling thread and its workers; one loop at a time. */
    private static final class Team {
        private final Worker[] workers;
        private final AtomicBoolean busy = new AtomicBoolean();

        Team(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker("strix-worker-" + i);
                workers[i].start();
            }
        }

        /**
         * Runs {@code part(c)} for c in [0, parts), parts <= workers + 1: parts 0 .. parts-2 on workers, the last
         * on the calling thread, and returns when all are done, rethrowing the first failure (the others added
         * as suppressed). Returns false, having run nothing, when the team is busy with another loop.
         */
        boolean run(int parts, IntConsumer part) {
            if (!busy.compareAndSet(false, true)) return false;
            try {
                int helpers = parts - 1;
                for (int i = 0; i < helpers; i++) workers[i].give(part, i);
                Throwable failure = null;
                try {
                    part.accept(helpers);
                } catch (Throwable e) {
                    failure = e;
                }
                for (int i = 0; i < helpers; i++) {
                    Throwable e = workers[i].await();
                    if (e == null) continue;
                    if (failure == null) failure = e;
                    else failure.addSuppressed(e);
                }
                if (failure instanceof RuntimeException r) throw r;
                if (failure instanceof Error r) throw r;
                if (failure != null) throw new IllegalStateException(failure);
                return true;
            } finally {
                busy.set(false);
            }
        }

        void shutdown() {
            for (Worker w : workers) w.stop = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    /** A team thread: waits for a part (spinning, then parked), runs it, reports it done. */
    private static final class Worker extends Thread {
        private static final int IDLE = 0, GIVEN = 1, DONE = 2;
        private volatile int state = IDLE;
        private volatile boolean parked, stop;
        private IntConsumer part;
        private int index;
        private Throwable failure;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        /** Hands this worker part(index); the plain fields are published by the volatile write of state. */
        void give(IntConsumer part, int index) {
            this.part = part;
            this.index = index;
            this.failure = null;
            state = GIVEN;
            // the worker writes parked before it reads state, this thread wrote state before it reads parked:
            // one of the two sees the other's write, so a worker about to park is always woken
            if (parked) LockSupport.unpark(this);
        }

        /** Waits until the part given last is done; its failure, or null. */
        Throwable await() {
            int spins = 0;
            while (state != DONE) {
                if (++spins < 1 << 16) Thread.onSpinWait();
                else Thread.yield();
            }
            state = IDLE;
            return failure;
        }

        @Override
        public void run() {
            while (!stop) {
                long since = System.nanoTime();
                int spins = 0;
                while (state != GIVEN) {
                    if (stop) return;
                    Thread.onSpinWait();
                    if ((++spins & 255) != 0) continue;
                    if (System.nanoTime() - since < SPIN_NANOS) continue;
                    parked = true;
                    if (state != GIVEN && !stop) LockSupport.park(this);
                    parked = false;
                    since = System.nanoTime();
                }
                try {
                    part.accept(index);
                } catch (Throwable e) {
                    failure = e;
                }
                part = null;
                state = DONE;
            }
        }
    }
}
