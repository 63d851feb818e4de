package dev.strix.benchmarks;

import dev.strix.kernels.OptimizerUpdates;
import dev.strix.kernels.OptimizerUpdatesReference;
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

import java.util.concurrent.TimeUnit;

/**
 * One SGD step (momentum 0.9, weight decay 5e-4, lr 0.01) over a DetNet-sized parameter vector: the SIMD
 * {@link OptimizerUpdates#sgd} against the double-precision {@link OptimizerUpdatesReference#sgd}, checked on
 * copies in setup first. The timed step updates the parameters and the momentum buffer in place, as training does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class OptimizerBench {
    static final float LR = 0.01f, MOMENTUM = 0.9f, WEIGHT_DECAY = 5e-4f;

    /** Parameters, gradients, the momentum buffer and the implementation to time. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"2500000"})
        public int params;
        @Param({"simd", "reference"})
        public String impl;

        float[] param, grad, buf;

        @Setup(Level.Trial)
        public void setup() {
            param = Agreement.uniform(params, 0.5, 1);
            grad = Agreement.uniform(params, 1, 2);
            buf = Agreement.uniform(params, 1, 3);
            float[] wantParam = param.clone(), wantBuf = buf.clone();
            OptimizerUpdatesReference.sgd(wantParam, grad, wantBuf, LR, MOMENTUM, 0f, WEIGHT_DECAY, false, false, params);
            float[] p0 = param.clone(), b0 = buf.clone();
            step();
            // float FMAs (one rounding each) against double: within 1 ulp of |p| <= 0.5 and |buf| <= 2
            Agreement.check(impl + " sgd " + params + " param", param, wantParam, 1e-7, 1e-6);
            Agreement.check(impl + " sgd " + params + " momentum", buf, wantBuf, 2e-7, 1e-6);
            param = p0;
            buf = b0;
        }

        void step() {
            if (impl.equals("simd"))
                OptimizerUpdates.sgd(param, grad, buf, LR, MOMENTUM, 0f, WEIGHT_DECAY, false, false, params);
            else OptimizerUpdatesReference.sgd(param, grad, buf, LR, MOMENTUM, 0f, WEIGHT_DECAY, false, false, params);
        }
    }

    @Benchmark
    public void sgd(Data d, Blackhole bh) {
        d.step();
        bh.consume(d.param);
    }
}
