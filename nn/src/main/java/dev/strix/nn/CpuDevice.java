package dev.strix.nn;

import dev.strix.kernels.Activation;
import dev.strix.kernels.Activations;
import dev.strix.kernels.BatchNorm;
import dev.strix.kernels.Conv2d;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.Elementwise;
import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.kernels.Gemm;
import dev.strix.kernels.LossKernels;
import dev.strix.kernels.OptimizerUpdates;
import dev.strix.kernels.Parallel;
import dev.strix.kernels.PoolShape;
import dev.strix.kernels.Pooling;
import dev.strix.kernels.Reductions;
import dev.strix.kernels.Simd;
import dev.strix.kernels.Softmax;
import dev.strix.kernels.Upsample;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/** The CPU backend: every op is a call into {@code dev.strix.kernels} (Vector API, multi-threaded). */
public final class CpuDevice implements Device {
    /** The one CPU device. */
    public static final CpuDevice INSTANCE = new CpuDevice();

    private CpuDevice() {}

    @Override
    public String name() {
        return "cpu";
    }

    /** One line describing the CPU backend: SIMD width and worker threads. */
    public String describe() {
        return "cpu: SIMD " + Simd.describe() + ", " + Parallel.threads() + " worker threads";
    }

    private static float[] d(Tensor t) {
        if (t.storage() instanceof CpuStorage s) return s.floats();
        throw new IllegalArgumentException("tensor " + t + " is not on the CPU");
    }

    private static float[] dOrNull(Tensor t) {
        return t == null ? null : d(t);
    }

    @Override
    public Storage allocate(long numel) {
        return new CpuStorage(this, new float[Math.toIntExact(numel)]);
    }

    /** Below this many elements the zero fill costs less than the call that avoids it. */
    private static final int UNINITIALISED_MIN = 4096;

    /**
     * {@code jdk.internal.misc.Unsafe.allocateUninitializedArray}, bound to the instance, where the JVM exports
     * {@code jdk.internal.misc} to this code ({@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, or the
     * {@code Add-Exports} entry of {@code strix.jar}'s manifest); null otherwise.
     */
    private static final MethodHandle UNINITIALISED = findUninitialised();

    private static MethodHandle findUninitialised() {
        try {
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Object unsafe = lookup.findStatic(unsafeClass, "getUnsafe", MethodType.methodType(unsafeClass)).invoke();
            MethodHandle h = lookup.findVirtual(unsafeClass, "allocateUninitializedArray",
                    MethodType.methodType(Object.class, Class.class, int.class)).bindTo(unsafe);
            Object probe = h.invoke(float.class, UNINITIALISED_MIN);
            boolean works = probe != null && probe.getClass() == float[].class
                    && ((float[]) probe).length == UNINITIALISED_MIN;
            return works ? h : null;
        } catch (Throwable notExported) {
            return null;
        }
    }

    /**
     * Whether {@link #allocateUninitialised} skips the zero fill of large arrays here (it needs the JVM flag or
     * manifest entry named at {@link #UNINITIALISED}); without it, it allocates zeroed arrays like
     * {@link #allocate}.
     */
    public static boolean uninitialisedArrays() {
        return UNINITIALISED != null;
    }

    @Override
    public Storage allocateUninitialised(long numel) {
        int n = Math.toIntExact(numel);
        if (UNINITIALISED == null || n < UNINITIALISED_MIN) return allocate(numel);
        try {
            return new CpuStorage(this, (float[]) (Object) UNINITIALISED.invokeExact((Class<?>) float.class, n));
        } catch (Throwable e) {
            throw new IllegalStateException("allocating " + n + " floats failed", e);
        }
    }

    @Override
    public Storage upload(float[] data, int offset, int length) {
        return new CpuStorage(this, Arrays.copyOfRange(data, offset, offset + length));
    }

    @Override
    public void download(Storage src, float[] dst, int offset) {
        float[] s = ((CpuStorage) src).floats();
        System.arraycopy(s, 0, dst, offset, s.length);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        requireSameNumel(dst, src);
        System.arraycopy(d(src), 0, d(dst), 0, src.numel());
    }

    @Override
    public void fill(Tensor t, float value) {
        Arrays.fill(d(t), value);
    }

    @Override
    public void stridedCopy(Tensor dst, int dstOffset, int[] dstStrides, Tensor src, int srcOffset, int[] srcStrides,
                            int[] shape) {
        float[] o = d(dst), x = d(src);
        int rank = shape.length;
        if (rank == 0) {
            o[dstOffset] = x[srcOffset];
            return;
        }
        long count = Shapes.numel(shape);
        if (count == 0) return;
        int inner = shape[rank - 1], ds = dstStrides[rank - 1], ss = srcStrides[rank - 1];
        int across = ss == 1 ? -1 : contiguousAxis(shape, srcStrides);
        if (across >= 0) {
            transposedCopy(o, dstOffset, dstStrides, x, srcOffset, srcStrides, shape, across, count);
            return;
        }
        int rows = (int) (count / inner);
        int[] idx = new int[rank];
        for (int r = 0; r < rows; r++) {
            int od = dstOffset, os = srcOffset;
            for (int i = 0; i < rank - 1; i++) {
                od += idx[i] * dstStrides[i];
                os += idx[i] * srcStrides[i];
            }
            if (ds == 1 && ss == 1) System.arraycopy(x, os, o, od, inner);
            else for (int j = 0; j < inner; j++) o[od + j * ds] = x[os + j * ss];
            for (int i = rank - 2; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
        }
    }

    /** An axis before the last with source stride 1 and more than one index, or -1. */
    private static int contiguousAxis(int[] shape, int[] srcStrides) {
        for (int i = shape.length - 2; i >= 0; i--) if (srcStrides[i] == 1 && shape[i] > 1) return i;
        return -1;
    }

    /**
     * {@link #stridedCopy} where the last axis reads the source with a stride and axis {@code a} reads it
     * contiguously (a permute such as NCHW to NHWC, and back): for each index of the other axes, a transpose of
     * the (a, last) plane in 16 x 16 blocks, so that each source line read serves 16 destination rows instead of
     * one element per row of the row-by-row loop.
     */
    private static void transposedCopy(float[] o, int dstOffset, int[] dstStrides, float[] x, int srcOffset,
                                       int[] srcStrides, int[] shape, int a, long count) {
        int rank = shape.length, rows = shape[a], cols = shape[rank - 1];
        int da = dstStrides[a], dl = dstStrides[rank - 1], sl = srcStrides[rank - 1];
        long outer = count / ((long) rows * cols);
        int[] idx = new int[rank];
        for (long r = 0; r < outer; r++) {
            int od = dstOffset, os = srcOffset;
            for (int i = 0; i < rank - 1; i++) {
                if (i == a) continue;
                od += idx[i] * dstStrides[i];
                os += idx[i] * srcStrides[i];
            }
            for (int r0 = 0; r0 < rows; r0 += 16) {
                int r1 = Math.min(rows, r0 + 16);
                for (int c0 = 0; c0 < cols; c0 += 16) {
                    int c1 = Math.min(cols, c0 + 16);
                    for (int i = r0; i < r1; i++) {
                        int d = od + i * da, s = os + i;
                        for (int j = c0; j < c1; j++) o[d + j * dl] = x[s + j * sl];
                    }
                }
            }
            for (int i = rank - 2; i >= 0; i--) {
                if (i == a) continue;
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
        }
    }

    @Override
    public void unary(Unary op, Tensor out, Tensor x) {
        requireSameNumel(out, x);
        Elementwise.unary(op, d(out), d(x), x.numel());
    }

    @Override
    public void binary(Binary op, Tensor out, Tensor a, Tensor b) {
        int[] os = out.shape();
        if (Arrays.equals(a.shape(), os) && Arrays.equals(b.shape(), os)) {
            int n = out.numel();
            float[] o = d(out), x = d(a), y = d(b);
            switch (op) {
                case ADD -> Elementwise.add(o, x, y, n);
                case SUB -> Elementwise.sub(o, x, y, n);
                case MUL -> Elementwise.mul(o, x, y, n);
                case DIV -> Elementwise.div(o, x, y, n);
                case MAX -> Elementwise.maximum(o, x, y, n);
                case MIN -> Elementwise.minimum(o, x, y, n);
            }
            return;
        }
        Elementwise.broadcast(op, d(out), os, d(a), Shapes.broadcastStrides(a.shape(), os), d(b),
                Shapes.broadcastStrides(b.shape(), os));
    }

    @Override
    public void scale(Tensor out, Tensor x, float alpha) {
        Elementwise.scale(d(out), d(x), alpha, x.numel());
    }

    @Override
    public void addScalar(Tensor out, Tensor x, float alpha) {
        Elementwise.addScalar(d(out), d(x), alpha, x.numel());
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        requireSameNumel(y, x);
        Elementwise.axpy(d(y), alpha, d(x), x.numel());
    }

    @Override
    public void clamp(Tensor out, Tensor x, float lo, float hi) {
        Elementwise.clamp(d(out), d(x), lo, hi, x.numel());
    }

    @Override
    public void clampBackward(Tensor dx, Tensor dy, Tensor x, float lo, float hi) {
        float[] o = d(dx), g = d(dy), v = d(x);
        int n = x.numel();
        Parallel.forRange(n, 1 << 16, (from, to) -> {
            for (int i = from; i < to; i++) o[i] = v[i] >= lo && v[i] <= hi ? g[i] : 0f;
        });
    }

    @Override
    public void activationForward(Activation kind, float alpha, Tensor y, Tensor x) {
        Activations.forward(kind, alpha, d(y), d(x), x.numel());
    }

    @Override
    public void activationBackward(Activation kind, float alpha, Tensor dx, Tensor dy, Tensor x, Tensor y) {
        Activations.backward(kind, alpha, d(dx), d(dy), dOrNull(x), dOrNull(y), dy.numel());
    }

    @Override
    public void sumTo(Tensor out, Tensor x) {
        int[] xs = x.shape(), os = out.shape();
        if (Arrays.equals(xs, os)) {
            copy(out, x);
            return;
        }
        boolean[] reduce = new boolean[xs.length];
        int off = xs.length - os.length;
        if (off < 0) throw new IllegalArgumentException("cannot sum " + Arrays.toString(xs) + " to " + Arrays.toString(os));
        for (int i = 0; i < xs.length; i++) {
            int target = i < off ? 1 : os[i - off];
            if (target != xs[i] && target != 1)
                throw new IllegalArgumentException("cannot sum " + Arrays.toString(xs) + " to " + Arrays.toString(os));
            reduce[i] = target == 1 && xs[i] != 1;
        }
        Reductions.sumAxes(d(out), d(x), xs, reduce);
    }

    @Override
    public double sum(Tensor x) {
        return Reductions.sum(d(x), 0, x.numel());
    }

    @Override
    public double sumSquares(Tensor x) {
        return Reductions.sumSquares(d(x), x.numel());
    }

    @Override
    public void bceWithLogitsForward(Tensor loss, Tensor x, Tensor t) {
        int n = sameNumel(loss, x, t);
        LossKernels.bceWithLogitsForward(d(loss), d(x), d(t), n);
    }

    @Override
    public void bceWithLogitsBackward(Tensor dx, Tensor dy, Tensor x, Tensor t) {
        int n = sameNumel(dx, dy, x, t);
        LossKernels.bceWithLogitsBackward(d(dx), d(dy), d(x), d(t), n);
    }

    @Override
    public void focalLossForward(Tensor loss, Tensor x, Tensor t, float alpha, float gamma) {
        int n = sameNumel(loss, x, t);
        LossKernels.focalForward(alpha, gamma, d(loss), d(x), d(t), n);
    }

    @Override
    public void focalLossBackward(Tensor dx, Tensor dy, Tensor x, Tensor t, float alpha, float gamma) {
        int n = sameNumel(dx, dy, x, t);
        LossKernels.focalBackward(alpha, gamma, d(dx), d(dy), d(x), d(t), n);
    }

    @Override
    public void boxLossForward(LossKernels.BoxLoss kind, float eps, Tensor loss, Tensor pred, Tensor target) {
        int n = boxRows(loss, pred, target);
        LossKernels.boxLossForward(kind, eps, d(loss), d(pred), d(target), n);
    }

    @Override
    public void boxLossBackward(LossKernels.BoxLoss kind, float eps, Tensor dpred, Tensor dy, Tensor pred,
                                Tensor target) {
        int n = boxRows(dy, dpred, pred, target);
        LossKernels.boxLossBackward(kind, eps, d(dpred), d(dy), d(pred), d(target), n);
    }

    /** n for a per-box tensor of n elements and (n, 4) box tensors. */
    private static int boxRows(Tensor perBox, Tensor... boxes) {
        int n = perBox.numel();
        for (Tensor b : boxes)
            if (b.numel() != 4 * n)
                throw new IllegalArgumentException("box tensors must hold 4 x " + n + " values, got " + b);
        return n;
    }

    /** The common element count of tensors that a per-element op pairs up. */
    private static int sameNumel(Tensor first, Tensor... rest) {
        for (Tensor t : rest)
            if (t.numel() != first.numel())
                throw new IllegalArgumentException("element counts differ: " + first + " and " + t);
        return first.numel();
    }

    @Override
    public void softmax(Tensor y, Tensor x, int axis) {
        int[] v = Shapes.aroundAxis(x.shape(), Shapes.axis(axis, x.dim()));
        Softmax.softmax(d(y), d(x), v[0], v[1], v[2]);
    }

    @Override
    public void logSoftmax(Tensor y, Tensor x, int axis) {
        int[] v = Shapes.aroundAxis(x.shape(), Shapes.axis(axis, x.dim()));
        Softmax.logSoftmax(d(y), d(x), v[0], v[1], v[2]);
    }

    @Override
    public void softmaxBackward(Tensor dx, Tensor dy, Tensor y, int axis) {
        int[] v = Shapes.aroundAxis(y.shape(), Shapes.axis(axis, y.dim()));
        Softmax.softmaxBackward(d(dx), d(dy), d(y), v[0], v[1], v[2]);
    }

    @Override
    public void logSoftmaxBackward(Tensor dx, Tensor dy, Tensor y, int axis) {
        int[] v = Shapes.aroundAxis(y.shape(), Shapes.axis(axis, y.dim()));
        Softmax.logSoftmaxBackward(d(dx), d(dy), d(y), v[0], v[1], v[2]);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int aOffset, int lda,
                     Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset, int ldc) {
        Gemm.sgemm(transA, transB, m, n, k, alpha, d(a), aOffset, lda, d(b), bOffset, ldb, beta, d(c), cOffset, ldc);
    }

    @Override
    public void conv2dForward(Tensor y, Tensor x, Tensor w, Tensor bias, ConvShape s) {
        Conv2d.forward(d(y), d(x), d(w), dOrNull(bias), s);
    }

    @Override
    public void conv2dForwardRelu(Tensor y, Tensor x, Tensor w, Tensor bias, ConvShape s) {
        Conv2d.forward(d(y), d(x), d(w), dOrNull(bias), s, true);
    }

    @Override
    public void conv2dBackwardData(Tensor dx, Tensor dy, Tensor w, ConvShape s) {
        Conv2d.backwardData(d(dx), d(dy), d(w), s);
    }

    @Override
    public void conv2dBackwardFilter(Tensor dw, Tensor dy, Tensor x, ConvShape s) {
        Conv2d.backwardFilter(d(dw), d(dy), d(x), s);
    }

    @Override
    public void conv2dBackwardBias(Tensor db, Tensor dy, ConvShape s) {
        Conv2d.backwardBias(d(db), d(dy), s);
    }

    private static int[] nchw(Tensor x) {
        int[] s = x.shape();
        int hw = 1;
        for (int i = 2; i < s.length; i++) hw *= s[i];
        return new int[] {s[0], s[1], hw};
    }

    @Override
    public void batchNormForwardTraining(Tensor y, Tensor saveMean, Tensor saveInvStd, Tensor x, Tensor gamma,
                                         Tensor beta, Tensor runningMean, Tensor runningVar, float momentum, float eps) {
        int[] v = nchw(x);
        BatchNorm.forwardTraining(d(y), d(saveMean), d(saveInvStd), d(x), d(gamma), d(beta), dOrNull(runningMean),
                dOrNull(runningVar), momentum, eps, v[0], v[1], v[2]);
    }

    @Override
    public void batchNormReluForwardTraining(Tensor y, Tensor saveMean, Tensor saveInvStd, Tensor x, Tensor gamma,
                                             Tensor beta, Tensor runningMean, Tensor runningVar, float momentum,
                                             float eps) {
        int[] v = nchw(x);
        BatchNorm.forwardTraining(d(y), d(saveMean), d(saveInvStd), d(x), d(gamma), d(beta), dOrNull(runningMean),
                dOrNull(runningVar), momentum, eps, true, v[0], v[1], v[2]);
    }

    @Override
    public void batchNormReluBackward(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor y, Tensor x,
                                      Tensor gamma, Tensor saveMean, Tensor saveInvStd) {
        int[] v = nchw(x);
        BatchNorm.backward(d(dx), d(dgamma), d(dbeta), d(dy), d(y), d(x), d(gamma), d(saveMean), d(saveInvStd),
                v[0], v[1], v[2]);
    }

    @Override
    public void batchNormForwardInference(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                          Tensor runningVar, float eps) {
        int[] v = nchw(x);
        BatchNorm.forwardInference(d(y), d(x), d(gamma), d(beta), d(runningMean), d(runningVar), eps, v[0], v[1], v[2]);
    }

    @Override
    public void batchNormBackward(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                                  Tensor saveMean, Tensor saveInvStd) {
        int[] v = nchw(x);
        BatchNorm.backward(d(dx), d(dgamma), d(dbeta), d(dy), d(x), d(gamma), d(saveMean), d(saveInvStd),
                v[0], v[1], v[2]);
    }

    @Override
    public void maxPoolForward(Tensor y, Tensor x, PoolShape s) {
        Pooling.maxForward(d(y), null, d(x), s);
    }

    @Override
    public void maxPoolBackward(Tensor dx, Tensor dy, Tensor x, Tensor y, PoolShape s) {
        // recompute the arg-max instead of keeping it alive between forward and backward (as cuDNN does)
        int[] argmax = new int[dy.numel()];
        float[] scratch = new float[dy.numel()];
        Pooling.maxForward(scratch, argmax, d(x), s);
        Pooling.maxBackward(d(dx), d(dy), argmax, s);
    }

    @Override
    public void avgPoolForward(Tensor y, Tensor x, PoolShape s, boolean countIncludePad) {
        Pooling.avgForward(d(y), d(x), s, countIncludePad);
    }

    @Override
    public void avgPoolBackward(Tensor dx, Tensor dy, PoolShape s, boolean countIncludePad) {
        Pooling.avgBackward(d(dx), d(dy), s, countIncludePad);
    }

    @Override
    public void upsampleNearestForward(Tensor y, Tensor x, int scaleH, int scaleW) {
        int[] s = x.shape();
        Upsample.nearestForward(d(y), d(x), s[0] * s[1], s[2], s[3], scaleH, scaleW);
    }

    @Override
    public void upsampleNearestBackward(Tensor dx, Tensor dy, int scaleH, int scaleW) {
        int[] s = dx.shape();
        Upsample.nearestBackward(d(dx), d(dy), s[0] * s[1], s[2], s[3], scaleH, scaleW);
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                          float weightDecay, boolean nesterov, boolean firstStep) {
        OptimizerUpdates.sgd(d(param), d(grad), dOrNull(momentumBuffer), lr, momentum, dampening, weightDecay, nesterov,
                firstStep, param.numel());
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, float lr, float beta1, float beta2,
                           float eps, float weightDecay, boolean decoupled, int step) {
        OptimizerUpdates.adam(d(param), d(grad), d(expAvg), d(expAvgSq), lr, beta1, beta2, eps, weightDecay, decoupled,
                step, param.numel());
    }

    @Override
    public void emaUpdate(Tensor ema, Tensor param, float decay) {
        OptimizerUpdates.ema(d(ema), d(param), decay, param.numel());
    }

    private static void requireSameNumel(Tensor a, Tensor b) {
        if (a.numel() != b.numel())
            throw new IllegalArgumentException("element counts differ: " + a + " vs " + b);
    }

    @Override
    public String toString() {
        return "cpu";
    }
}
