package dev.strix.benchmarks;

import dev.strix.kernels.Gemm;
import dev.strix.kernels.GemmReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Square C = A * B products (size^3 multiply-adds): the packed SIMD {@link Gemm} at 256, 512 and 1024 and
 * the scalar {@link GemmReference} at 256 only (it takes seconds at 1024). Each setup first checks the
 * timed variant against the reference and refuses to run on a mismatch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class GemmBench {

    /** Inputs for the SIMD kernel. */
    @State(Scope.Benchmark)
    public static class Simd {
        @Param({"256", "512", "1024"})
        public int size;
        float[] a, b, c;

        @Setup(Level.Trial)
        public void setup() {
            a = random(size * size, 1);
            b = random(size * size, 2);
            c = new float[size * size];
            Gemm.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
            verify(a, b, c, size);
        }
    }

    /** Inputs for the scalar reference. */
    @State(Scope.Benchmark)
    public static class Reference {
        @Param({"256"})
        public int size;
        float[] a, b, c;

        @Setup(Level.Trial)
        public void setup() {
            a = random(size * size, 1);
            b = random(size * size, 2);
            c = new float[size * size];
            GemmReference.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
            verify(a, b, c, size);
        }
    }

    @Benchmark
    public void simd(Simd s, Blackhole bh) {
        Gemm.sgemm(false, false, s.size, s.size, s.size, 1f, s.a, 0, s.size, s.b, 0, s.size, 0f, s.c, 0, s.size);
        bh.consume(s.c);
    }

    @Benchmark
    public void reference(Reference s, Blackhole bh) {
        GemmReference.sgemm(false, false, s.size, s.size, s.size, 1f, s.a, 0, s.size, s.b, 0, s.size, 0f,
                s.c, 0, s.size);
        bh.consume(s.c);
    }

    static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** Compares every 97th entry of C (size x size) with a double dot product. */
    static void verify(float[] a, float[] b, float[] c, int size) {
        for (int idx = 0; idx < size * size; idx += 97) {
            int i = idx / size, j = idx % size;
            double sum = 0;
            for (int p = 0; p < size; p++) sum += (double) a[i * size + p] * b[p * size + j];
            // float accumulation over `size` terms of magnitude <= 1
            double tol = 1e-4 + 1e-6 * size;
            if (!(Math.abs(c[idx] - sum) <= tol))
                throw new IllegalStateException("sgemm " + size + ": C[" + i + "][" + j + "] = " + c[idx]
                        + ", expected " + sum);
        }
    }
}
