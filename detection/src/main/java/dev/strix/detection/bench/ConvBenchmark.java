package dev.strix.detection.bench;

import dev.strix.detection.model.DetNetConfig;
import dev.strix.kernels.Conv2d;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.Parallel;
import dev.strix.kernels.Simd;
import dev.strix.nn.CpuDevice;
import dev.strix.nn.Device;
import dev.strix.nn.Tensor;
import dev.strix.nn.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Times the convolution passes (forward, backward-data, backward-filter) on every distinct convolution shape of
 * DetNet ({@link DetNetConvLayers}): on the CPU the {@link Conv2d} kernels, on another device its
 * {@link Device#conv2dForward} and friends (cuDNN on CUDA), each timed run ending with a device synchronisation.
 * Before timing, each pass is checked at a dozen seeded points against a double-precision direct sum; a wrong
 * result throws instead of reporting a speed. Each pass of a shape costs the same 2 x K x C x R x S x P x Q x N
 * flops.
 */
public final class ConvBenchmark {
    /** Result of one shape: median milliseconds of each pass. */
    public record LayerResult(DetNetConvLayers.Layer layer, double forwardMs, double backwardDataMs,
                              double backwardFilterMs) {
        double gflops(double ms) {
            return layer.flops() / (ms * 1e6);
        }
    }

    /**
     * All shapes, with totals weighted by each shape's count per forward pass; {@code peak} is the CPU's
     * {@link DevicePeak} (null on another device), the denominator of each pass's {@code peak_fraction}.
     */
    public record Result(DetNetConfig model, int batch, int size, int threads, int iters, List<LayerResult> layers,
                         String device, DevicePeak peak) {
        /** Milliseconds of one forward pass's convolutions (x count). */
        public double totalForwardMs() {
            return sum(r -> r.forwardMs);
        }

        /** Milliseconds of one backward pass's convolutions, both gradients (x count). */
        public double totalBackwardMs() {
            return sum(r -> r.backwardDataMs + r.backwardFilterMs);
        }

        private double sum(java.util.function.ToDoubleFunction<LayerResult> f) {
            double s = 0;
            for (LayerResult r : layers) s += r.layer.count() * f.applyAsDouble(r);
            return s;
        }

        /** The table, one line per shape. */
        public String describe() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "DetNet convolutions [%s] batch %d x %d, %s, %d thread%s, simd %s (median of %d; GFLOP/s)%n",
                    model.summary(), batch, size, device, threads, threads == 1 ? "" : "s", Simd.describe(), iters));
            sb.append(String.format(Locale.ROOT, "%-22s %-22s %3s %9s %7s %9s %7s %9s %7s%n", "layer", "NxCxHxW->K kxk/s",
                    "n", "fwd ms", "GF/s", "bwd-d ms", "GF/s", "bwd-w ms", "GF/s"));
            for (LayerResult r : layers) {
                ConvShape s = r.layer.shape();
                String geo = s.batch() + "x" + s.inChannels() + "x" + s.inH() + "x" + s.inW() + "->" + s.outChannels()
                        + " " + s.kernelH() + "x" + s.kernelW() + "/" + s.strideH();
                sb.append(String.format(Locale.ROOT, "%-22s %-22s %3d %9.3f %7.1f %9.3f %7.1f %9.3f %7.1f%n",
                        r.layer.name(), geo, r.layer.count(), r.forwardMs, r.gflops(r.forwardMs), r.backwardDataMs,
                        r.gflops(r.backwardDataMs), r.backwardFilterMs, r.gflops(r.backwardFilterMs)));
            }
            sb.append(String.format(Locale.ROOT, "total per step: forward %.2f ms, backward %.2f ms",
                    totalForwardMs(), totalBackwardMs()));
            if (peak != null) sb.append(String.format(Locale.ROOT, "%n%s", peak.describe()));
            return sb.toString();
        }

        /** One-line JSON: the configuration, totals and one object per shape. */
        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", "detnet");
            m.put("batch", batch);
            m.put("size", size);
            m.put("classes", model.numClasses());
            m.put("width", model.width());
            m.put("fpn", model.fpnChannels());
            m.put("depth", model.towerDepth());
            m.put("device", device);
            m.put("threads", threads);
            m.put("iters", iters);
            m.put("simd", Simd.describe());
            m.put("forward_ms", Medians.round(totalForwardMs(), 4));
            m.put("backward_ms", Medians.round(totalBackwardMs(), 4));
            if (peak != null) {
                m.put("peak_gflops", Medians.round(peak.gflops(), 2));
                m.put("peak_source", peak.source());
                m.put("peak_gflops_nominal", Medians.round(peak.nominal().gflops(), 2));
            }
            List<Object> list = new ArrayList<>();
            for (LayerResult r : layers) {
                ConvShape s = r.layer.shape();
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", r.layer.name());
                e.put("n", s.batch());
                e.put("c", s.inChannels());
                e.put("h", s.inH());
                e.put("w", s.inW());
                e.put("k", s.outChannels());
                e.put("kernel", s.kernelH());
                e.put("stride", s.strideH());
                e.put("count", r.layer.count());
                e.put("gflop", Medians.round(r.layer.flops() / 1e9, 6));
                e.put("fwd_ms", Medians.round(r.forwardMs, 4));
                e.put("fwd_gflops", Medians.round(r.gflops(r.forwardMs), 3));
                if (peak != null) e.put("fwd_peak_fraction", Medians.round(peak.fraction(r.gflops(r.forwardMs)), 5));
                e.put("bwd_data_ms", Medians.round(r.backwardDataMs, 4));
                e.put("bwd_data_gflops", Medians.round(r.gflops(r.backwardDataMs), 3));
                if (peak != null) e.put("bwd_data_peak_fraction", Medians.round(peak.fraction(r.gflops(r.backwardDataMs)), 5));
                e.put("bwd_filter_ms", Medians.round(r.backwardFilterMs, 4));
                e.put("bwd_filter_gflops", Medians.round(r.gflops(r.backwardFilterMs), 3));
                if (peak != null) e.put("bwd_filter_peak_fraction", Medians.round(peak.fraction(r.gflops(r.backwardFilterMs)), 5));
                list.add(e);
            }
            m.put("layers", list);
            return Json.write(m);
        }
    }

    private ConvBenchmark() {}

    /**
     * @param model   DetNet layout
     * @param batch   images N (>= 1)
     * @param size    image side, a positive multiple of 32
     * @param threads worker threads (>= 1), restored afterwards
     * @param warmup  untimed runs per pass (>= 0)
     * @param iters   timed runs per pass (>= 1)
     */
    public static Result run(DetNetConfig model, int batch, int size, int threads, int warmup, int iters) {
        return run(model, batch, size, threads, warmup, iters, CpuDevice.INSTANCE);
    }

    /** Like {@link #run(DetNetConfig, int, int, int, int, int)} on {@code device}. */
    public static Result run(DetNetConfig model, int batch, int size, int threads, int warmup, int iters,
                             Device device) {
        if (batch < 1 || threads < 1 || warmup < 0 || iters < 1)
            throw new IllegalArgumentException("need batch >= 1, threads >= 1, warmup >= 0, iters >= 1; got batch="
                    + batch + " threads=" + threads + " warmup=" + warmup + " iters=" + iters);
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            List<LayerResult> results = new ArrayList<>();
            for (DetNetConvLayers.Layer layer : DetNetConvLayers.of(model, batch, size))
                results.add(device == CpuDevice.INSTANCE ? time(layer, warmup, iters)
                        : time(layer, warmup, iters, device));
            // measured after the timing, on the same thread count, so the probe does not disturb it
            DevicePeak peak = device == CpuDevice.INSTANCE ? DevicePeak.cpu(threads) : null;
            return new Result(model, batch, size, threads, iters, List.copyOf(results), device.name(), peak);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    private static LayerResult time(DetNetConvLayers.Layer layer, int warmup, int iters) {
        ConvShape s = layer.shape();
        SplitMix64 rnd = new SplitMix64(s.hashCode());
        float[] x = random(rnd, s.inputSize()), w = random(rnd, s.weightSize()), dy = random(rnd, s.outputSize());
        float[] y = new float[s.outputSize()], dx = new float[s.inputSize()], dw = new float[s.weightSize()];
        Runnable fwd = () -> Conv2d.forward(y, x, w, null, s);
        Runnable bwdData = () -> Conv2d.backwardData(dx, dy, w, s);
        Runnable bwdFilter = () -> Conv2d.backwardFilter(dw, dy, x, s);
        fwd.run();
        bwdData.run();
        bwdFilter.run();
        ConvCheck check = new ConvCheck(s, x, w, dy);
        check.verify(layer.name() + " forward", y, s.outputSize(), check::forwardAt, rnd);
        check.verify(layer.name() + " backward-data", dx, s.inputSize(), check::backwardDataAt, rnd);
        check.verify(layer.name() + " backward-filter", dw, s.weightSize(), check::backwardFilterAt, rnd);
        return new LayerResult(layer, medianMs(fwd, warmup, iters), medianMs(bwdData, warmup, iters),
                medianMs(bwdFilter, warmup, iters));
    }

    /**
     * The same three passes through {@code device}'s op set. The check allows {@link ConvCheck#RTOL_TF32}: an
     * accelerator may round the inputs of its convolutions to TF32 (the CUDA default).
     */
    private static LayerResult time(DetNetConvLayers.Layer layer, int warmup, int iters, Device device) {
        ConvShape s = layer.shape();
        SplitMix64 rnd = new SplitMix64(s.hashCode());
        float[] xs = random(rnd, s.inputSize()), ws = random(rnd, s.weightSize()), dys = random(rnd, s.outputSize());
        Tensor x = Tensor.from(device, xs, s.inputSize()), w = Tensor.from(device, ws, s.weightSize());
        Tensor dy = Tensor.from(device, dys, s.outputSize());
        Tensor y = Tensor.zeros(device, s.outputSize()), dx = Tensor.zeros(device, s.inputSize());
        Tensor dw = Tensor.zeros(device, s.weightSize());
        Runnable sync = DeviceSync.of(device);
        Runnable fwd = () -> {
            device.conv2dForward(y, x, w, null, s);
            sync.run();
        };
        Runnable bwdData = () -> {
            device.conv2dBackwardData(dx, dy, w, s);
            sync.run();
        };
        Runnable bwdFilter = () -> {
            device.conv2dBackwardFilter(dw, dy, x, s);
            sync.run();
        };
        fwd.run();
        bwdData.run();
        bwdFilter.run();
        ConvCheck check = new ConvCheck(s, xs, ws, dys);
        check.verify(layer.name() + " forward", y.toArray(), s.outputSize(), check::forwardAt, rnd, ConvCheck.RTOL_TF32);
        check.verify(layer.name() + " backward-data", dx.toArray(), s.inputSize(), check::backwardDataAt, rnd,
                ConvCheck.RTOL_TF32);
        check.verify(layer.name() + " backward-filter", dw.toArray(), s.weightSize(), check::backwardFilterAt, rnd,
                ConvCheck.RTOL_TF32);
        return new LayerResult(layer, medianMs(fwd, warmup, iters), medianMs(bwdData, warmup, iters),
                medianMs(bwdFilter, warmup, iters));
    }

    private static double medianMs(Runnable pass, int warmup, int iters) {
        for (int i = 0; i < warmup; i++) pass.run();
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            pass.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return Medians.median(ms);
    }

    private static float[] random(SplitMix64 rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * rnd.nextDouble() - 1);
        return a;
    }

    /** Direct double-precision sums at single points, returning {value, sum of |terms|}. */
    private record ConvCheck(ConvShape s, float[] x, float[] w, float[] dy) {
        /** Tolerance: float accumulation error bound, relative to the sum of |terms| (measured errors ~1e-6). */
        static final double RTOL = 1e-4, ATOL = 1e-5;
        /**
         * TF32 keeps 10 explicit mantissa bits of each input (relative rounding <= 2^-11, <= 9.8e-4 per product);
         * 2e-3 of the magnitude sum leaves a factor of two for the accumulation.
         */
        static final double RTOL_TF32 = 2e-3;

        void verify(String what, float[] actual, int size, IntFunction<double[]> reference, SplitMix64 rnd) {
            verify(what, actual, size, reference, rnd, RTOL);
        }

        /**
         * Compares {@code actual} at the first, the last and ten seeded indices with {@code reference}.
         *
         * @throws IllegalStateException naming the pass, the index and both values on a mismatch
         */
        void verify(String what, float[] actual, int size, IntFunction<double[]> reference, SplitMix64 rnd,
                    double rtol) {
            for (int t = 0; t < 12; t++) {
                int i = t == 0 ? 0 : t == 1 ? size - 1 : rnd.nextInt(size);
                double[] ref = reference.apply(i);
                if (!(Math.abs(actual[i] - ref[0]) <= ATOL + rtol * ref[1]))
                    throw new IllegalStateException(String.format(Locale.ROOT,
                            "%s is wrong at index %d: got %g, expected %g (|difference| %g, allowed %g)", what, i,
                            actual[i], ref[0], Math.abs(actual[i] - ref[0]), ATOL + rtol * ref[1]));
            }
        }

        double[] forwardAt(int index) {
            int q = index % s.outW(), p = index / s.outW() % s.outH();
            int k = index / (s.outW() * s.outH()) % s.outChannels(), n = index / (s.outW() * s.outH() * s.outChannels());
            double sum = 0, abs = 0;
            for (int c = 0; c < s.inChannels(); c++)
                for (int r = 0; r < s.kernelH(); r++)
                    for (int t = 0; t < s.kernelW(); t++) {
                        int h = p * s.strideH() - s.padH() + r, wi = q * s.strideW() - s.padW() + t;
                        if (h < 0 || h >= s.inH() || wi < 0 || wi >= s.inW()) continue;
                        double v = (double) x[((n * s.inChannels() + c) * s.inH() + h) * s.inW() + wi]
                                * w[((k * s.inChannels() + c) * s.kernelH() + r) * s.kernelW() + t];
                        sum += v;
                        abs += Math.abs(v);
                    }
            return new double[] {sum, abs};
        }

        double[] backwardDataAt(int index) {
            int wi = index % s.inW(), h = index / s.inW() % s.inH();
            int c = index / (s.inW() * s.inH()) % s.inChannels(), n = index / (s.inW() * s.inH() * s.inChannels());
            double sum = 0, abs = 0;
            for (int k = 0; k < s.outChannels(); k++)
                for (int r = 0; r < s.kernelH(); r++)
                    for (int t = 0; t < s.kernelW(); t++) {
                        int ph = h + s.padH() - r, qw = wi + s.padW() - t;
                        if (ph < 0 || qw < 0 || ph % s.strideH() != 0 || qw % s.strideW() != 0) continue;
                        int p = ph / s.strideH(), q = qw / s.strideW();
                        if (p >= s.outH() || q >= s.outW()) continue;
                        double v = (double) dy[((n * s.outChannels() + k) * s.outH() + p) * s.outW() + q]
                                * w[((k * s.inChannels() + c) * s.kernelH() + r) * s.kernelW() + t];
                        sum += v;
                        abs += Math.abs(v);
                    }
            return new double[] {sum, abs};
        }

        double[] backwardFilterAt(int index) {
            int t = index % s.kernelW(), r = index / s.kernelW() % s.kernelH();
            int c = index / (s.kernelW() * s.kernelH()) % s.inChannels(), k = index / (s.kernelW() * s.kernelH() * s.inChannels());
            double sum = 0, abs = 0;
            for (int n = 0; n < s.batch(); n++)
                for (int p = 0; p < s.outH(); p++)
                    for (int q = 0; q < s.outW(); q++) {
                        int h = p * s.strideH() - s.padH() + r, wi = q * s.strideW() - s.padW() + t;
                        if (h < 0 || h >= s.inH() || wi < 0 || wi >= s.inW()) continue;
                        double v = (double) dy[((n * s.outChannels() + k) * s.outH() + p) * s.outW() + q]
                                * x[((n * s.inChannels() + c) * s.inH() + h) * s.inW() + wi];
                        sum += v;
                        abs += Math.abs(v);
                    }
            return new double[] {sum, abs};
        }
    }
}
