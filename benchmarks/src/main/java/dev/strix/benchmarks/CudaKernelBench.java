package dev.strix.benchmarks;

import dev.strix.cuda.CudaAvailability;
import dev.strix.kernels.Activation;
import dev.strix.kernels.ConvShape;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.cuda.CudaDevice;
import dev.strix.nn.io.Json;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The hot ops of a DetNet training step (batch 8 at 256 x 256) on CUDA device 0 through the {@link Device}
 * interface: convolution forward, backward-data and backward-filter at a few layer shapes, GEMM, ReLU, training
 * batch norm (plain and fused with ReLU) forward and backward, focal loss forward and backward, and the SGD step.
 *
 * <p>Each op first runs on {@link CpuDevice#INSTANCE} and on the GPU from the same inputs and the GPU's result is
 * checked against the CPU's (convolutions and GEMM twice: in strict FP32 and in TF32, the mode that is timed); a
 * mismatch throws {@link IllegalStateException} before anything is timed. Then the op runs in {@value #BATCHES}
 * batches of repetitions sized to about {@value #BATCH_MS} ms each, every batch bracketed by
 * {@link CudaDevice#synchronize()} and {@link System#nanoTime()}; the median batch gives the milliseconds per op.
 * Output: one table row per op, then a JSON object on the last line. Where CUDA is not usable it prints one line
 * saying why and exits with status 0.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp
 * benchmarks/target/benchmarks.jar dev.strix.benchmarks.CudaKernelBench} (the GPU bundle runs it).
 */
public final class CudaKernelBench {
    static final int BATCHES = 7;
    static final double BATCH_MS = 20;
    static final int N = 8;
    /** Layers timed: {@code cCIN_COUT_HW_kK_sS} (see {@link ConvBench}). */
    static final String[] CONV_LAYERS = {"c16_32_128_k3_s2", "c64_64_32_k3_s1", "c256_256_8_k3_s1", "c64_20_32_k1_s1"};

    /** A tensor on the CPU and the same values on the GPU. */
    record Pair(Tensor cpu, Tensor gpu) {}

    /** An op written once for both devices: {@code t} picks each pair's tensor on {@code d}. */
    interface Op {
        void run(Device d, Function<Pair, Tensor> t);
    }

    /** The device under test: CUDA here; the CPU again in the test that walks every check without a GPU. */
    interface Target {
        Device device();

        /** Waits for all queued work. */
        void synchronize();

        /** Strict FP32 (true) or TF32 (false) for GEMM and convolution. */
        void setStrictFp32(boolean strict);

        boolean strictFp32();

        String describe();
    }

    private final Target gpu;
    private final Device cpu = CpuDevice.INSTANCE;
    private final PrintStream out;
    private final int batches;
    private final double batchMs;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private long seed = 1;

    CudaKernelBench(Target gpu, PrintStream out, int batches, double batchMs) {
        this.gpu = gpu;
        this.out = out;
        this.batches = batches;
        this.batchMs = batchMs;
    }

    public static void main(String[] args) {
        CudaAvailability a = CudaAvailability.probe();
        if (!a.usable()) {
            System.out.println("CudaKernelBench skipped: CUDA is not usable here (" + a.reason() + ")");
            return;
        }
        CudaDevice d = CudaDevice.get(0);
        new CudaKernelBench(new Target() {
            public Device device() { return d; }
            public void synchronize() { d.synchronize(); }
            public void setStrictFp32(boolean strict) { d.setStrictFp32(strict); }
            public boolean strictFp32() { return d.strictFp32(); }
            public String describe() { return d.describe(); }
        }, System.out, BATCHES, BATCH_MS).runAll();
    }

    void runAll() {
        out.println(gpu.describe());
        out.printf("%-30s %-22s %10s %12s %12s%n", "op", "shape", "ms", "rate", "max |diff|");
        for (String layer : CONV_LAYERS) convolution(layer);
        gemm(1024);
        relu(16, 128, 128);
        batchNorm(16, 128, 128);
        batchNorm(256, 8, 8);
        focalLoss(1344, 20);
        sgd(2_500_000);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "CudaKernelBench");
        json.put("device", gpu.describe());
        json.put("batches", batches);
        json.put("ops", rows);
        out.println(Json.write(json));
    }

    // ---- the ops --------------------------------------------------------------------------------------------

    void convolution(String layer) {
        ConvShape s = ConvBench.parse(layer);
        int[] xs = {N, s.inChannels(), s.inH(), s.inW()}, ws = {s.outChannels(), s.inChannelsPerGroup(), s.kernelH(),
                s.kernelW()}, ys = {N, s.outChannels(), s.outH(), s.outW()};
        Pair x = random(1, xs), w = random(1, ws), bias = random(1, s.outChannels()), dy = random(1, ys);
        Pair y = zeros(ys), dx = zeros(xs), dw = zeros(ws);
        double flops = 2.0 * s.outputSize() * s.inChannelsPerGroup() * s.kernelH() * s.kernelW();
        matmulLike("conv2d forward", layer, flops, y, (d, t) -> d.conv2dForward(t.apply(y), t.apply(x), t.apply(w),
                t.apply(bias), s));
        matmulLike("conv2d backward data", layer, flops, dx, (d, t) -> d.conv2dBackwardData(t.apply(dx), t.apply(dy),
                t.apply(w), s));
        matmulLike("conv2d backward filter", layer, flops, dw, (d, t) -> d.conv2dBackwardFilter(t.apply(dw),
                t.apply(dy), t.apply(x), s));
    }

    void gemm(int size) {
        Pair a = random(1, size, size), b = random(1, size, size), c = zeros(size, size);
        matmulLike("gemm", size + "x" + size + "x" + size, 2.0 * size * size * size, c,
                (d, t) -> d.gemm(false, false, size, size, size, 1f, t.apply(a), 0, size, t.apply(b), 0, size, 0f,
                        t.apply(c), 0, size));
    }

    /**
     * Checks a convolution or GEMM in strict FP32 and in TF32, then times it in TF32 (the default). Tolerances are
     * on the scale of the output, max |y|, as every entry is a sum of products of [-1, 1] values: strict FP32
     * (cuDNN may pick FFT or Winograd algorithms) 1e-4 of it, TF32 (10-bit mantissas in the products) 5e-3.
     */
    private void matmulLike(String op, String shape, double flops, Pair result, Op o) {
        boolean strict = gpu.strictFp32();
        gpu.setStrictFp32(true);
        runBoth(o);
        float[] want = result.cpu().toArray();
        double scale = Agreement.maxAbs(want);
        compare(op + " " + shape + " (strict FP32)", result, 1e-4 * scale, 1e-4);
        gpu.setStrictFp32(false);
        o.run(gpu.device(), Pair::gpu);
        double diff = compare(op + " " + shape + " (TF32)", result, 5e-3 * scale, 1e-3);
        gpu.setStrictFp32(strict);
        record(op, shape, time(o), flops, 0, diff);
    }

    void relu(int c, int h, int w) {
        int[] shape = {N, c, h, w};
        Pair x = random(1, shape), dy = random(1, shape), y = zeros(shape), dx = zeros(shape);
        String name = c + "x" + h + "x" + w + "x" + N;
        long bytes = 4L * x.cpu().numel();
        Op forward = (d, t) -> d.activationForward(Activation.RELU, 0f, t.apply(y), t.apply(x));
        runBoth(forward);
        // max(x, 0) is exact on both devices
        record("relu forward", name, time(forward), 0, 2 * bytes, compare("relu forward " + name, y, 0, 0));
        Op backward = (d, t) -> d.activationBackward(Activation.RELU, 0f, t.apply(dx), t.apply(dy), t.apply(x),
                t.apply(y));
        runBoth(backward);
        record("relu backward", name, time(backward), 0, 3 * bytes, compare("relu backward " + name, dx, 0, 0));
    }

    void batchNorm(int c, int h, int w) {
        int[] shape = {N, c, h, w};
        String name = N + "_" + c + "_" + h + "x" + w;
        long bytes = 4L * N * c * h * w;
        Pair x = random(2, shape), dy = random(1, shape), gamma = random(1, c), beta = random(0.5, c);
        for (boolean relu : new boolean[] {false, true}) {
            String op = relu ? "batch norm+relu" : "batch norm";
            Pair y = zeros(shape), mean = zeros(c), invStd = zeros(c), runMean = zeros(c), runVar = zeros(c);
            Op forward = (d, t) -> {
                if (relu) d.batchNormReluForwardTraining(t.apply(y), t.apply(mean), t.apply(invStd), t.apply(x),
                        t.apply(gamma), t.apply(beta), t.apply(runMean), t.apply(runVar), 0.1f, 1e-5f);
                else d.batchNormForwardTraining(t.apply(y), t.apply(mean), t.apply(invStd), t.apply(x), t.apply(gamma),
                        t.apply(beta), t.apply(runMean), t.apply(runVar), 0.1f, 1e-5f);
            };
            runBoth(forward);
            // float normalisation of |x| <= 2 (cuDNN accumulates statistics in float): 1e-4 of the output's scale
            double diff = compare(op + " forward " + name + " y", y, 1e-4 * Agreement.maxAbs(y.cpu().toArray()), 1e-4);
            compare(op + " forward " + name + " mean", mean, 1e-5, 1e-4);
            compare(op + " forward " + name + " invStd", invStd, 0, 1e-4);
            compare(op + " forward " + name + " running mean", runMean, 1e-5, 1e-4);
            compare(op + " forward " + name + " running var", runVar, 1e-5, 1e-4);
            record(op + " forward", name, time(forward), 0, 2 * bytes, diff);

            // the backward runs from the CPU's forward results on both devices, so the ReLU masks are the same
            Pair yRef = same(y), meanRef = same(mean), invStdRef = same(invStd);
            Pair dx = zeros(shape), dgamma = zeros(c), dbeta = zeros(c);
            Op backward = (d, t) -> {
                if (relu) d.batchNormReluBackward(t.apply(dx), t.apply(dgamma), t.apply(dbeta), t.apply(dy),
                        t.apply(yRef), t.apply(x), t.apply(gamma), t.apply(meanRef), t.apply(invStdRef));
                else d.batchNormBackward(t.apply(dx), t.apply(dgamma), t.apply(dbeta), t.apply(dy), t.apply(x),
                        t.apply(gamma), t.apply(meanRef), t.apply(invStdRef));
            };
            runBoth(backward);
            // dgamma, dbeta: sums over N*H*W terms in float on the GPU; dx: 1e-4 of its scale
            double sums = 1e-4 * Math.sqrt((double) N * h * w);
            compare(op + " backward " + name + " dbeta", dbeta, sums, 1e-4);
            compare(op + " backward " + name + " dgamma", dgamma, sums, 1e-4);
            diff = compare(op + " backward " + name + " dx", dx, 1e-4 * Agreement.maxAbs(dx.cpu().toArray()), 1e-4);
            record(op + " backward", name, time(backward), 0, (relu ? 4 : 3) * bytes, diff);
        }
    }

    void focalLoss(int points, int classes) {
        int[] shape = {N, points, classes};
        int n = N * points * classes;
        SplittableRandom rnd = new SplittableRandom(seed++);
        float[] xv = new float[n], tv = new float[n];
        for (int i = 0; i < n; i++) {
            xv[i] = (float) (rnd.nextGaussian() * 3 - 2);
            tv[i] = rnd.nextInt(40) == 0 ? (rnd.nextBoolean() ? 1f : (float) rnd.nextDouble()) : 0f;
        }
        Pair x = pair(xv, shape), t = pair(tv, shape), dy = random(1, shape), loss = zeros(shape), dx = zeros(shape);
        String name = N + "x" + points + "x" + classes;
        Op forward = (d, s) -> d.focalLossForward(s.apply(loss), s.apply(x), s.apply(t), 0.25f, 2f);
        runBoth(forward);
        // the same float formulas; CUDA's expf/logf differ from the CPU's by a few ulps
        record("focal loss forward", name, time(forward), 0, 12L * n, compare("focal forward " + name, loss, 1e-6, 1e-4));
        Op backward = (d, s) -> d.focalLossBackward(s.apply(dx), s.apply(dy), s.apply(x), s.apply(t), 0.25f, 2f);
        runBoth(backward);
        record("focal loss backward", name, time(backward), 0, 16L * n, compare("focal backward " + name, dx, 1e-6, 1e-4));
    }

    void sgd(int params) {
        Pair p = random(0.5, params), g = random(1, params), buf = random(1, params);
        Op step = (d, t) -> d.sgdUpdate(t.apply(p), t.apply(g), t.apply(buf), 0.01f, 0.9f, 0f, 5e-4f, false, false);
        runBoth(step);
        // float FMAs on both devices, not necessarily in the same order: a few ulps of |p| <= 0.5, |buf| <= 2
        double diff = compare("sgd param " + params, p, 1e-6, 1e-6);
        compare("sgd momentum " + params, buf, 1e-6, 1e-6);
        record("sgd update", String.valueOf(params), time(step), 0, 20L * params, diff);
    }

    // ---- checking and timing --------------------------------------------------------------------------------

    private void runBoth(Op o) {
        o.run(cpu, Pair::cpu);
        o.run(gpu.device(), Pair::gpu);
        gpu.synchronize();
    }

    /** Checks the GPU tensor of {@code p} against its CPU tensor; returns the largest difference. */
    private static double compare(String what, Pair p, double atol, double rtol) {
        float[] want = p.cpu().toArray(), got = p.gpu().toArray();
        Agreement.check("CUDA " + what, got, want, atol, rtol);
        double max = 0;
        for (int i = 0; i < want.length; i++) max = Math.max(max, Math.abs((double) got[i] - want[i]));
        return max;
    }

    /** Median milliseconds per run of {@code o} on the GPU. */
    private double time(Op o) {
        Runnable run = () -> o.run(gpu.device(), Pair::gpu);
        run.run();
        gpu.synchronize();
        long t0 = System.nanoTime();
        run.run();
        gpu.synchronize();
        double once = Math.max(1e-3, (System.nanoTime() - t0) / 1e6);
        int reps = (int) Math.max(1, Math.min(2000, batchMs / once));
        double[] ms = new double[batches];
        for (int b = -1; b < batches; b++) { // batch -1 warms up
            gpu.synchronize();
            long start = System.nanoTime();
            for (int r = 0; r < reps; r++) run.run();
            gpu.synchronize();
            if (b >= 0) ms[b] = (System.nanoTime() - start) / 1e6 / reps;
        }
        Arrays.sort(ms);
        return ms[batches / 2];
    }

    private void record(String op, String shape, double ms, double flops, double bytes, double maxDiff) {
        String rate = flops > 0 ? String.format("%.1f GFLOP/s", flops / ms / 1e6)
                : String.format("%.1f GB/s", bytes / ms / 1e6);
        out.printf("%-30s %-22s %10.4f %12s %12.3g%n", op, shape, ms, rate, maxDiff);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("op", op);
        row.put("shape", shape);
        row.put("ms", Math.round(ms * 1e5) / 1e5);
        if (flops > 0) row.put("gflops", Math.round(flops / ms / 1e4) / 100.0);
        else row.put("gb_per_s", Math.round(bytes / ms / 1e4) / 100.0);
        row.put("max_abs_diff", maxDiff);
        rows.add(row);
    }

    // ---- tensors on both devices ----------------------------------------------------------------------------

    private Pair pair(float[] v, int... shape) {
        return new Pair(Tensor.from(cpu, v, shape), Tensor.from(gpu.device(), v, shape));
    }

    private Pair random(double scale, int... shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return pair(Agreement.uniform(n, scale, seed++), shape);
    }

    private Pair zeros(int... shape) {
        return new Pair(Tensor.zeros(cpu, shape), Tensor.zeros(gpu.device(), shape));
    }

    /** The CPU tensor's current values on both devices. */
    private Pair same(Pair p) {
        return pair(p.cpu().toArray(), p.cpu().shape());
    }
}
