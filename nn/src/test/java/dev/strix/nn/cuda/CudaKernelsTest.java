package dev.strix.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaAvailability;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaRuntime;
import dev.strix.kernels.Activation;
import dev.strix.kernels.Activations;
import dev.strix.kernels.Elementwise;
import dev.strix.kernels.OptimizerUpdates;
import dev.strix.kernels.ReductionsReference;
import dev.strix.kernels.Softmax;
import dev.strix.kernels.Upsample;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every launcher of {@link CudaKernels} against the CPU kernels of dev.strix.kernels on awkward sizes. Skips
 * (with the probe's reason) where no usable GPU is present.
 *
 * <p>Tolerances: operations the GPU rounds exactly like the CPU (IEEE add, mul, div, sqrt, fma, comparisons)
 * must agree bit for bit. expf/logf/atanf/tanhf of CUDA are within 2 ulp (CUDA programming guide, "Mathematical
 * functions", without fast math), the CPU's Math functions within 1 ulp, so transcendental results may differ by
 * a few ulp: rtol 2e-6 (about 16 ulp, covering the few roundings that follow). Sums: both sides accumulate in
 * double here, the CPU in float blocks; rtol 1e-5 of the sum of magnitudes.
 */
class CudaKernelsTest {
    private static final int[] SIZES = {1, 7, 13, 31, 65, 1000, 100_003};
    private static final float EXACT = 0f;
    private static final float TRANSCENDENTAL = 2e-6f;

    private static CudaContext ctx;
    private static CudaKernels kernels;
    private static MemorySegment stream;
    private final List<Long> buffers = new ArrayList<>();
    private final Random random = new Random(1234);

    @BeforeAll
    static void open() {
        CudaAvailability probe = CudaAvailability.probe();
        Assumptions.assumeTrue(probe.usable(), "no usable GPU: " + probe.reason());
        ctx = CudaContext.open(0);
        kernels = new CudaKernels(ctx);
        stream = ctx.stream();
    }

    @AfterAll
    static void close() {
        if (kernels != null) {
            ctx.synchronize();
            kernels.close();
        }
        if (ctx != null) ctx.close();
    }

    @AfterEach
    void free() {
        ctx.synchronize();
        for (long b : buffers) CudaRuntime.cudaFree(MemorySegment.ofAddress(b));
        buffers.clear();
    }

    // ---- device memory ---------------------------------------------------------------------------------------

    private long alloc(long floats) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.runtime("cudaMalloc", CudaRuntime.cudaMalloc(out, Math.max(4, floats * 4)));
            long p = out.get(CTypes.C_POINTER, 0).address();
            buffers.add(p);
            return p;
        }
    }

    private long upload(float[] host) {
        long p = alloc(host.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment h = arena.allocateFrom(ValueLayout.JAVA_FLOAT, host);
            CudaCheck.runtime("cudaMemcpyAsync", CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(p), h,
                    host.length * 4L, CudaRuntime.cudaMemcpyHostToDevice, stream));
            ctx.synchronize();
        }
        return p;
    }

    private float[] download(long p, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment h = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, n));
            CudaCheck.runtime("cudaMemcpyAsync", CudaRuntime.cudaMemcpyAsync(h, MemorySegment.ofAddress(p), n * 4L,
                    CudaRuntime.cudaMemcpyDeviceToHost, stream));
            ctx.synchronize();
            return h.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private float[] randoms(int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * random.nextFloat();
        return x;
    }

    /** |gpu - cpu| <= rtol * |cpu| (rtol 0: bit-equal, NaN equal to NaN); the message names the worst element. */
    private static void assertClose(String what, float[] cpu, float[] gpu, int n, float atol, float rtol) {
        int worst = -1;
        double worstDiff = 0;
        int firstBad = -1;
        for (int i = 0; i < n; i++) {
            float c = cpu[i], g = gpu[i];
            boolean ok = rtol == 0 && atol == 0 ? Float.floatToIntBits(c) == Float.floatToIntBits(g)
                    || (Float.isNaN(c) && Float.isNaN(g))
                    : (Float.isNaN(c) ? Float.isNaN(g) : Math.abs(g - c) <= atol + rtol * Math.abs(c));
            double diff = Math.abs((double) g - c);
            if (!ok && firstBad < 0) firstBad = i;
            if (diff > worstDiff || (!ok && worst < 0)) {
                worstDiff = diff;
                worst = i;
            }
        }
        if (firstBad >= 0)
            fail(what + ": element " + firstBad + " cpu " + cpu[firstBad] + " gpu " + gpu[firstBad] + "; largest difference "
                    + worstDiff + " at " + worst + " (n = " + n + ")");
    }

    // ---- elementwise -----------------------------------------------------------------------------------------

    @Test
    void fillScaleAddScalarAxpyClamp() {
        for (int n : SIZES) {
            float[] x = randoms(n, -3, 3), y0 = randoms(n, -1, 1);
            long dx = upload(x), dy = upload(y0), out = alloc(n);
            kernels.fill(stream, out, 2.5f, n);
            float[] cpu = new float[n];
            Elementwise.fill(cpu, 2.5f, n);
            assertClose("fill n=" + n, cpu, download(out, n), n, 0, EXACT);
            kernels.scale(stream, out, dx, -0.37f, n);
            Elementwise.scale(cpu, x, -0.37f, n);
            assertClose("scale n=" + n, cpu, download(out, n), n, 0, EXACT);
            kernels.addScalar(stream, out, dx, 1.25f, n);
            Elementwise.addScalar(cpu, x, 1.25f, n);
            assertClose("addScalar n=" + n, cpu, download(out, n), n, 0, EXACT);
            kernels.axpy(stream, dy, 0.7f, dx, n);
            float[] y = y0.clone();
            Elementwise.axpy(y, 0.7f, x, n);
            assertClose("axpy n=" + n, y, download(dy, n), n, 0, EXACT);
            kernels.clamp(stream, out, dx, -1f, 0.5f, n);
            Elementwise.clamp(cpu, x, -1f, 0.5f, n);
            assertClose("clamp n=" + n, cpu, download(out, n), n, 0, EXACT);
            float[] g = randoms(n, -1, 1);
            long dg = upload(g);
            kernels.clampBackward(stream, out, dg, dx, -1f, 0.5f, n);
            for (int i = 0; i < n; i++) cpu[i] = x[i] >= -1f && x[i] <= 0.5f ? g[i] : 0f;
            assertClose("clampBackward n=" + n, cpu, download(out, n), n, 0, EXACT);
        }
    }

    @Test
    void unaryOperators() {
        for (Elementwise.Unary op : Elementwise.Unary.values()) {
            for (int n : SIZES) {
                boolean positive = op == Elementwise.Unary.LOG || op == Elementwise.Unary.SQRT;
                float[] x = randoms(n, positive ? 0.01f : -4f, 4f);
                if (n > 4 && !positive) {
                    x[0] = 0f;
                    x[1] = -0f;
                    x[2] = Float.NaN;
                }
                long dx = upload(x), out = alloc(n);
                kernels.unary(stream, out, dx, n, op.ordinal());
                float[] cpu = new float[n];
                Elementwise.unary(op, cpu, x, n);
                boolean exact = switch (op) {
                    case EXP, LOG, ATAN -> false;
                    default -> true;
                };
                assertClose(op + " n=" + n, cpu, download(out, n), n, 0, exact ? EXACT : TRANSCENDENTAL);
            }
        }
    }

    @Test
    void binaryOperators() {
        for (Elementwise.Binary op : Elementwise.Binary.values()) {
            for (int n : SIZES) {
                float[] a = randoms(n, -2, 2), b = randoms(n, 0.1f, 2);
                if (n > 4) {
                    a[0] = 0f;
                    b[0] = -0f;
                    a[1] = -0f;
                    b[1] = 0f;
                    a[2] = Float.NaN;
                    b[3] = Float.NaN;
                }
                long da = upload(a), db = upload(b), out = alloc(n);
                kernels.binary(stream, out, da, db, n, op.ordinal());
                float[] cpu = new float[n];
                Elementwise.binary(op, cpu, a, b, n);
                assertClose(op + " n=" + n, cpu, download(out, n), n, 0, EXACT);
            }
        }
    }

    @Test
    void broadcastingBinary() {
        int[][][] cases = { // outShape, aShape, bShape (same rank, 1 = broadcast)
                {{2, 3, 4, 5}, {2, 3, 4, 5}, {1, 3, 1, 1}},
                {{7, 13}, {7, 1}, {1, 13}},
                {{3, 1, 31}, {1, 1, 31}, {3, 1, 1}},
                {{2, 2, 2, 2, 2, 2, 2, 3}, {2, 1, 2, 1, 2, 1, 2, 3}, {1, 2, 1, 2, 1, 2, 1, 1}},
                {{65, 17}, {65, 17}, {65, 17}}};
        for (int[][] c : cases) {
            int[] shape = c[0];
            int n = 1;
            for (int d : shape) n *= d;
            float[] a = randoms(count(c[1]), -2, 2), b = randoms(count(c[2]), 0.5f, 2);
            int[] as = broadcastStrides(c[1]), bs = broadcastStrides(c[2]);
            long da = upload(a), db = upload(b), out = alloc(n);
            for (Elementwise.Binary op : Elementwise.Binary.values()) {
                kernels.binaryBroadcast(stream, out, da, db, op.ordinal(), shape, as, bs);
                float[] cpu = new float[n];
                Elementwise.broadcast(op, cpu, shape, a, as, b, bs);
                assertClose(op + " broadcast " + java.util.Arrays.toString(shape), cpu, download(out, n), n, 0, EXACT);
            }
        }
    }

    private static int count(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private static int[] broadcastStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = shape[i] == 1 ? 0 : acc;
            acc *= shape[i];
        }
        return s;
    }

    @Test
    void stridedCopyPermutesWithOffsets() {
        int[] src = {3, 5, 7, 2}; // permute (0, 2, 3, 1) of a contiguous (3, 5, 7, 2) source, into dst at offset 11
        int[] perm = {0, 2, 3, 1};
        int[] srcStrides = CudaKernelShapesTest.contiguous(src);
        int[] shape = new int[4], fromStrides = new int[4];
        for (int i = 0; i < 4; i++) {
            shape[i] = src[perm[i]];
            fromStrides[i] = srcStrides[perm[i]];
        }
        int[] dstStrides = CudaKernelShapesTest.contiguous(shape);
        int n = count(src);
        float[] x = randoms(n + 4, -1, 1);
        long dx = upload(x), out = upload(new float[n + 11]);
        kernels.stridedCopy(stream, out, 11, dstStrides, dx, 4, fromStrides, shape);
        float[] cpu = new float[n + 11];
        for (int i = 0; i < n; i++)
            cpu[(int) (11 + CudaKernelShapesTest.offset(i, 4, shape, dstStrides))] =
                    x[(int) (4 + CudaKernelShapesTest.offset(i, 4, shape, fromStrides))];
        assertClose("strided copy", cpu, download(out, n + 11), n + 11, 0, EXACT);
    }

    // ---- activations -----------------------------------------------------------------------------------------

    @Test
    void activationsForwardAndBackward() {
        for (Activation kind : Activation.values()) {
            boolean exact = kind == Activation.RELU || kind == Activation.LEAKY_RELU;
            float tol = exact ? EXACT : TRANSCENDENTAL;
            for (int n : SIZES) {
                float[] x = randoms(n, -6, 6), g = randoms(n, -1, 1);
                long dx = upload(x), dg = upload(g), y = alloc(n), grad = alloc(n);
                kernels.activationForward(stream, kind.ordinal(), 0.1f, y, dx, n);
                float[] cpuY = new float[n];
                Activations.forward(kind, 0.1f, cpuY, x, n);
                assertClose(kind + " forward n=" + n, cpuY, download(y, n), n, 0, tol);
                kernels.activationBackward(stream, kind.ordinal(), 0.1f, grad, dg, dx, 0, n);
                float[] cpuDx = new float[n];
                Activations.backward(kind, 0.1f, cpuDx, g, x, null, n);
                // backward from x repeats the forward's transcendental: a further few ulp, atol for values near 0
                assertClose(kind + " backward(x) n=" + n, cpuDx, download(grad, n), n, exact ? 0 : 1e-7f, tol);
                if (kind != Activation.SILU) {
                    long dyY = upload(cpuY);
                    kernels.activationBackward(stream, kind.ordinal(), 0.1f, grad, dg, 0, dyY, n);
                    Activations.backward(kind, 0.1f, cpuDx, g, null, cpuY, n);
                    assertClose(kind + " backward(y) n=" + n, cpuDx, download(grad, n), n, 0, EXACT);
                }
            }
        }
    }

    // ---- reductions ------------------------------------------------------------------------------------------

    @Test
    void sumAllIsAccurateAndRepeatable() {
        for (int n : new int[] {0, 1, 7, 13, 31, 65, 1000, 100_003, 3_000_001}) {
            float[] x = randoms(n, -1, 2);
            long dx = upload(x), out = alloc(1);
            for (boolean squares : new boolean[] {false, true}) {
                kernels.sumAll(stream, out, dx, n, squares);
                float first = download(out, 1)[0];
                kernels.sumAll(stream, out, dx, n, squares);
                float second = download(out, 1)[0];
                double ref = squares ? ReductionsReference.sumSquares(x, n) : ReductionsReference.sum(x, 0, n);
                double mag = 0;
                for (int i = 0; i < n; i++) mag += squares ? (double) x[i] * x[i] : Math.abs(x[i]);
                // double accumulation, one float rounding: 1 ulp of the result plus 1e-12 of the magnitudes
                if (Math.abs(first - ref) > Math.ulp((float) ref) + 1e-12 * mag)
                    fail("sumAll n=" + n + " squares=" + squares + ": gpu " + first + " reference " + ref);
                if (Float.floatToIntBits(first) != Float.floatToIntBits(second))
                    fail("sumAll n=" + n + " not repeatable: " + first + " then " + second);
            }
        }
    }

    @Test
    void sumToOverAxes() {
        int[][] shapes = {{2, 3, 5, 7}, {8, 64, 13, 13}, {1, 7, 1, 31}, {3000, 5}, {5, 3000}, {100_003}, {65, 1, 31}};
        for (int[] shape : shapes) {
            int n = count(shape);
            float[] x = randoms(n, -1, 1);
            long dx = upload(x), out = alloc(n);
            for (int mask = 0; mask < (1 << shape.length); mask++) {
                boolean[] reduce = new boolean[shape.length];
                int outCount = 1;
                for (int i = 0; i < shape.length; i++) {
                    reduce[i] = (mask & (1 << i)) != 0;
                    if (!reduce[i]) outCount *= shape[i];
                }
                kernels.sumTo(stream, out, dx, shape, reduce);
                float[] cpu = new float[outCount];
                ReductionsReference.sumAxes(cpu, x, shape, reduce);
                // both sum in double and round once: equal but for double rounding order, far below 1 float ulp
                assertClose("sumTo " + java.util.Arrays.toString(shape) + " mask " + mask, cpu, download(out, outCount),
                        outCount, 1e-6f, 1e-6f);
            }
        }
    }

    // ---- softmax ---------------------------------------------------------------------------------------------

    @Test
    void softmaxAndLogSoftmaxForwardBackward() {
        int[][] cases = {{1, 1, 1}, {7, 13, 1}, {3, 1000, 1}, {2, 5000, 1}, {5, 7, 31}, {2, 65, 3}, {4, 20, 169}};
        for (int[] c : cases) {
            int outer = c[0], dim = c[1], inner = c[2], n = outer * dim * inner;
            float[] x = randoms(n, -8, 8), g = randoms(n, -1, 1);
            long dx = upload(x), dg = upload(g), y = alloc(n), grad = alloc(n);
            for (boolean log : new boolean[] {false, true}) {
                String what = (log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(c);
                kernels.softmax(stream, y, dx, outer, dim, inner, log);
                float[] cpuY = new float[n];
                if (log) Softmax.logSoftmax(cpuY, x, outer, dim, inner);
                else Softmax.softmax(cpuY, x, outer, dim, inner);
                float[] gpuY = download(y, n);
                // float sums of up to 5000 exps differ in order from the CPU's: rtol 1e-5, atol 1e-6 for log values near 0
                assertClose(what, cpuY, gpuY, n, 1e-6f, 1e-5f);
                long dyY = upload(cpuY);
                kernels.softmaxBackward(stream, grad, dg, dyY, outer, dim, inner, log);
                float[] cpuDx = new float[n];
                if (log) Softmax.logSoftmaxBackward(cpuDx, g, cpuY, outer, dim, inner);
                else Softmax.softmaxBackward(cpuDx, g, cpuY, outer, dim, inner);
                // dx = y * (dy - s) cancels when dy is close to s: atol scaled by the size of the sum's terms
                assertClose(what + " backward", cpuDx, download(grad, n), n, 1e-5f, 1e-5f);
            }
        }
    }

    @Test
    void softmaxOfAllMinusInfinityMatchesTheCpu() {
        float[] x = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        long dx = upload(x), y = alloc(3);
        kernels.softmax(stream, y, dx, 1, 3, 1, false);
        float[] cpu = new float[3];
        Softmax.softmax(cpu, x, 1, 3, 1);
        assertClose("softmax(-inf)", cpu, download(y, 3), 3, 0, EXACT);
    }

    // ---- upsample --------------------------------------------------------------------------------------------

    @Test
    void nearestUpsampleForwardBackward() {
        int[][] cases = {{1, 1, 1, 2, 2}, {3, 7, 13, 2, 2}, {2, 5, 31, 3, 1}, {4, 13, 7, 1, 4}, {65, 9, 11, 2, 3}};
        for (int[] c : cases) {
            int planes = c[0], h = c[1], w = c[2], sh = c[3], sw = c[4];
            int in = planes * h * w, outN = in * sh * sw;
            float[] x = randoms(in, -1, 1), g = randoms(outN, -1, 1);
            long dx = upload(x), y = alloc(outN), dg = upload(g), grad = alloc(in);
            kernels.upsampleNearest(stream, y, dx, planes, h, w, sh, sw);
            float[] cpuY = new float[outN];
            Upsample.nearestForward(cpuY, x, planes, h, w, sh, sw);
            assertClose("upsample " + java.util.Arrays.toString(c), cpuY, download(y, outN), outN, 0, EXACT);
            kernels.upsampleNearestBackward(stream, grad, dg, planes, h, w, sh, sw);
            float[] cpuDx = new float[in];
            Upsample.nearestBackward(cpuDx, g, planes, h, w, sh, sw);
            assertClose("upsample backward " + java.util.Arrays.toString(c), cpuDx, download(grad, in), in, 0, EXACT);
        }
    }

    // ---- optimizers ------------------------------------------------------------------------------------------

    @Test
    void sgdSteps() {
        Object[][] configs = { // momentum, dampening, wd, nesterov
                {0f, 0f, 0f, false}, {0.9f, 0f, 1e-4f, false}, {0.9f, 0f, 5e-4f, true}, {0.8f, 0.1f, 0f, false}};
        for (Object[] cfg : configs) {
            float mom = (float) cfg[0], damp = (float) cfg[1], wd = (float) cfg[2];
            boolean nesterov = (boolean) cfg[3];
            for (int n : SIZES) {
                float[] p = randoms(n, -1, 1), buf = new float[n];
                long dp = upload(p), dbuf = mom != 0 ? upload(buf) : 0;
                for (int step = 0; step < 3; step++) {
                    float[] g = randoms(n, -1, 1);
                    long dg = upload(g);
                    kernels.sgd(stream, dp, dg, dbuf, 0.01f, mom, damp, wd, nesterov, step == 0, n);
                    OptimizerUpdates.sgd(p, g, mom != 0 ? buf : null, 0.01f, mom, damp, wd, nesterov, step == 0, n);
                }
                String what = "sgd " + java.util.Arrays.toString(cfg) + " n=" + n;
                assertClose(what, p, download(dp, n), n, 0, EXACT);
                if (mom != 0) assertClose(what + " buffer", buf, download(dbuf, n), n, 0, EXACT);
            }
        }
    }

    @Test
    void adamAndAdamWSteps() {
        for (boolean decoupled : new boolean[] {false, true}) {
            for (float wd : new float[] {0f, 0.01f}) {
                for (int n : SIZES) {
                    float[] p = randoms(n, -1, 1), m = new float[n], v = new float[n];
                    long dp = upload(p), dm = upload(m), dv = upload(v);
                    for (int step = 1; step <= 3; step++) {
                        float[] g = randoms(n, -1, 1);
                        long dg = upload(g);
                        kernels.adam(stream, dp, dg, dm, dv, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, step, n);
                        OptimizerUpdates.adam(p, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, step, n);
                    }
                    String what = (decoupled ? "adamw" : "adam") + " wd=" + wd + " n=" + n;
                    assertClose(what, p, download(dp, n), n, 0, EXACT);
                    assertClose(what + " m", m, download(dm, n), n, 0, EXACT);
                    assertClose(what + " v", v, download(dv, n), n, 0, EXACT);
                }
            }
        }
    }

    @Test
    void emaUpdate() {
        for (int n : SIZES) {
            float[] e = randoms(n, -1, 1), p = randoms(n, -1, 1);
            long de = upload(e), dp = upload(p);
            kernels.ema(stream, de, dp, 0.9998f, n);
            OptimizerUpdates.ema(e, p, 0.9998f, n);
            assertClose("ema n=" + n, e, download(de, n), n, 0, EXACT);
        }
    }

    @Test
    void emptyLaunchesQueueNothingAndBadArgumentsAreRejected() {
        kernels.fill(stream, 0, 1f, 0);
        kernels.softmax(stream, 0, 0, 0, 5, 1, false);
        assertArrayEquals(new float[0], download(alloc(1), 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> kernels.unary(stream, 0, 0, 1, 99));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> kernels.activationBackward(stream, Activation.SILU.ordinal(), 0f, 1, 1, 0, 1, 1));
    }
}
