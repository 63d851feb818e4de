package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures the float32 fused-multiply-add throughput the cores actually sustain, the peak that benchmark
 * fractions are taken against.
 *
 * <p>Each of {@code threads} plain threads, started together, runs {@link #chain} on its own {@link #ACCUMULATORS}
 * independent vectors of {@code FloatVector.SPECIES_PREFERRED}: enough chains to cover an FMA's latency times
 * the FMA pipes, so the loop is bound by FMA throughput alone. Every iteration is one FMA per accumulator, i.e.
 * {@code ACCUMULATORS x lanes x 2} flops. A round lasts a fixed wall time; the result is all threads' flops over
 * the round's wall time, the best of a few rounds after a warm-up round that lets the JIT compile the loop.
 * The accumulators are written back and summed into a checked checksum, so the compiler cannot drop the work.
 *
 * <p>Legend: L = float lanes of the preferred species, A = {@link #ACCUMULATORS}; a state array holds A x L
 * floats, accumulator {@code a} in {@code [a L, (a + 1) L)}.
 */
public final class FmaPeak {
    /** Independent accumulator vectors per thread. */
    public static final int ACCUMULATORS = 12;
    /** Multiplier of every step: {@code acc = acc x M + B} converges to {@code B / (1 - M) = 1}, no overflow. */
    static final float MULTIPLIER = 0.9999f;
    /** Addend of every step. */
    static final float ADDEND = 1 - MULTIPLIER;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** FMA steps per call of {@link #chain} between two clock reads while timing. */
    private static final long BLOCK = 20_000;
    /**
     * FMA steps per call while warming up: many short calls get {@link #chain} compiled by invocation count even
     * when the JIT is busy with other code, where a few long calls could run interpreted for the whole probe.
     */
    private static final long WARMUP_BLOCK = 200;
    private static final long WARMUP_NANOS = 100_000_000, ROUND_NANOS = 60_000_000;
    /** Timed rounds: at least {@code MIN_ROUNDS}, more (up to {@code MAX_ROUNDS}) while the best still improves. */
    private static final int MIN_ROUNDS = 3, MAX_ROUNDS = 8;
    /** Relative gain of a round over the best before it that counts as still improving (the JIT not done). */
    private static final double IMPROVING = 0.03;

    /** One measurement: the best round's GFLOP/s with {@code threads} threads. */
    public record Result(double gflops, int threads, int lanes, int rounds) {}

    private FmaPeak() {}

    /** Float lanes of the vectors the probe uses. */
    public static int lanes() {
        return S.length();
    }

    /** A fresh state: accumulator {@code a}, lane {@code l} starts at {@code (a L + l + 1) / (A L)}. */
    public static float[] initialState() {
        int n = ACCUMULATORS * S.length();
        float[] state = new float[n];
        for (int i = 0; i < n; i++) state[i] = (i + 1) / (float) n;
        return state;
    }

    /**
     * Runs {@code steps} FMA steps {@code acc = fma(acc, MULTIPLIER, ADDEND)} on each of the {@link #ACCUMULATORS}
     * vectors of {@code state} (A x L floats), in place, and returns {@code state}.
     */
    public static float[] chain(float[] state, long steps) {
        int l = S.length();
        if (state.length != ACCUMULATORS * l)
            throw new IllegalArgumentException("state needs " + ACCUMULATORS * l + " floats, got " + state.length);
        FloatVector m = FloatVector.broadcast(S, MULTIPLIER), b = FloatVector.broadcast(S, ADDEND);
        FloatVector a0 = FloatVector.fromArray(S, state, 0), a1 = FloatVector.fromArray(S, state, l);
        FloatVector a2 = FloatVector.fromArray(S, state, 2 * l), a3 = FloatVector.fromArray(S, state, 3 * l);
        FloatVector a4 = FloatVector.fromArray(S, state, 4 * l), a5 = FloatVector.fromArray(S, state, 5 * l);
        FloatVector a6 = FloatVector.fromArray(S, state, 6 * l), a7 = FloatVector.fromArray(S, state, 7 * l);
        FloatVector a8 = FloatVector.fromArray(S, state, 8 * l), a9 = FloatVector.fromArray(S, state, 9 * l);
        FloatVector a10 = FloatVector.fromArray(S, state, 10 * l), a11 = FloatVector.fromArray(S, state, 11 * l);
        for (long i = 0; i < steps; i++) {
            a0 = a0.fma(m, b);
            a1 = a1.fma(m, b);
            a2 = a2.fma(m, b);
            a3 = a3.fma(m, b);
            a4 = a4.fma(m, b);
            a5 = a5.fma(m, b);
            a6 = a6.fma(m, b);
            a7 = a7.fma(m, b);
            a8 = a8.fma(m, b);
            a9 = a9.fma(m, b);
            a10 = a10.fma(m, b);
            a11 = a11.fma(m, b);
        }
        a0.intoArray(state, 0);
        a1.intoArray(state, l);
        a2.intoArray(state, 2 * l);
        a3.intoArray(state, 3 * l);
        a4.intoArray(state, 4 * l);
        a5.intoArray(state, 5 * l);
        a6.intoArray(state, 6 * l);
        a7.intoArray(state, 7 * l);
        a8.intoArray(state, 8 * l);
        a9.intoArray(state, 9 * l);
        a10.intoArray(state, 10 * l);
        a11.intoArray(state, 11 * l);
        return state;
    }

    /** Scalar twin of {@link #chain}: the same steps lane by lane with {@link Math#fma(float, float, float)}. */
    public static float[] chainReference(float[] state, long steps) {
        for (int i = 0; i < state.length; i++) {
            float acc = state[i];
            for (long s = 0; s < steps; s++) acc = Math.fma(acc, MULTIPLIER, ADDEND);
            state[i] = acc;
        }
        return state;
    }

    /**
     * Measures with {@code threads} threads (>= 1): a warm-up of short calls, then timed rounds, at least
     * {@value #MIN_ROUNDS} and more while the best rate still grows by over 3% (at most {@value #MAX_ROUNDS});
     * the best round is the result. Takes about 0.3 to 0.6 s.
     */
    public static Result measure(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        round(threads, WARMUP_NANOS, WARMUP_BLOCK);
        double best = 0;
        int rounds = 0;
        while (rounds < MAX_ROUNDS) {
            double rate = round(threads, ROUND_NANOS, BLOCK);
            rounds++;
            boolean improving = rate > best * (1 + IMPROVING);
            best = Math.max(best, rate);
            if (rounds >= MIN_ROUNDS && !improving) break;
        }
        return new Result(best, threads, S.length(), rounds);
    }

    /**
     * One round of about {@code nanos}, {@code block} steps per call: all threads' flops over the wall time from
     * the common start to the last end.
     */
    private static double round(int threads, long nanos, long block) {
        CyclicBarrier start = new CyclicBarrier(threads + 1), end = new CyclicBarrier(threads + 1);
        long[] blocks = new long[threads];
        double[] checksums = new double[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                try {
                    float[] state = initialState();
                    start.await();
                    long deadline = System.nanoTime() + nanos, n = 0;
                    do {
                        chain(state, block);
                        n++;
                    } while (System.nanoTime() < deadline);
                    end.await();
                    blocks[id] = n;
                    double sum = 0;
                    for (float v : state) sum += v;
                    checksums[id] = sum;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    start.reset();
                    end.reset();
                }
            }, "strix-fma-peak-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        long t0, t1;
        try {
            start.await();
            t0 = System.nanoTime();
            end.await();
            t1 = System.nanoTime();
            for (Thread w : workers) w.join();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("FMA peak probe failed: " + (failure.get() != null ? failure.get() : e), e);
        }
        if (failure.get() != null) throw new IllegalStateException("FMA peak probe failed", failure.get());
        long total = 0;
        for (int t = 0; t < threads; t++) {
            // every accumulator stays in (0, 1] up to rounding: a sum outside means the loop did not run as written
            int n = ACCUMULATORS * S.length();
            if (!(checksums[t] > 0 && checksums[t] <= 1.001 * n))
                throw new IllegalStateException("FMA peak probe: checksum " + checksums[t] + " outside (0, " + n + "]");
            total += blocks[t];
        }
        double flops = (double) total * block * ACCUMULATORS * S.length() * 2;
        return flops / (t1 - t0);
    }

    /** Prints the measured peak for 1 thread and for the given counts: {@code FmaPeak [threads...]}. */
    public static void main(String[] args) {
        int[] counts = args.length == 0 ? new int[] {1, Runtime.getRuntime().availableProcessors()} : new int[args.length];
        for (int i = 0; i < args.length; i++) counts[i] = Integer.parseInt(args[i]);
        for (int t : counts) {
            Result r = measure(t);
            System.out.printf(java.util.Locale.ROOT, "%d thread%s: %.1f GFLOP/s (%d float lanes, best of %d rounds)%n",
                    t, t == 1 ? "" : "s", r.gflops(), r.lanes(), r.rounds());
        }
    }
}
