package dev.strix.nn.cuda;

import static dev.strix.nn.cuda.CudnnDescriptors.ptr;

import dev.strix.cuda.CudaAvailability;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaRuntime;
import dev.strix.cuda.Cublas;
import dev.strix.kernels.Activation;
import dev.strix.kernels.ConvShape;
import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.kernels.LossKernels;
import dev.strix.kernels.PoolShape;
import dev.strix.nn.Device;
import dev.strix.nn.Shapes;
import dev.strix.nn.Storage;
import dev.strix.nn.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CUDA backend: every op is queued on the device's one stream. Convolution, batch norm and pooling run
 * through cuDNN ({@link CudnnConvolution}, {@link CudnnBatchNorm}, {@link CudnnPooling}), GEMM through cuBLAS
 * ({@link GemmPlan}), everything else through the PTX kernels of {@link CudaKernels}. Memory comes from a
 * {@link CachingAllocator}; host copies go through pinned staging memory.
 *
 * <p>Only the ops that return a value to the host wait for the GPU: {@link #sum}, {@link #sumSquares} and
 * {@link #download} (and {@link #upload}, which returns when its staging buffer may be reused). Errors of
 * queued kernels therefore surface at the next such point.
 *
 * <p>GEMMs and convolutions use TF32 tensor cores by default (PyTorch's default for convolutions);
 * {@link #setStrictFp32(boolean)} or the system property {@code strix.cuda.strict=true} switches to plain FP32.
 * One instance per GPU: {@link #get(int)}.
 */
public final class CudaDevice implements Device {
    private static final Map<Integer, CudaDevice> DEVICES = new HashMap<>();
    private static final ThreadLocal<MemorySegment> GEMM_SCALARS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, 2));

    private final CudaContext context;
    private final String name;
    private final CachingAllocator allocator;
    private final PinnedStaging staging;
    private final CudaKernels kernels;
    private final CudaLossKernels losses;
    private final CudnnConvolution convolution;
    private final CudnnBatchNorm batchNorm;
    private final CudnnPooling pooling;
    private final CachingAllocator.Block hostValue;

    private CudaDevice(CudaContext context) {
        this.context = context;
        this.name = "cuda:" + context.index();
        this.allocator = new CachingAllocator(name, new CudaMemory(context), CudaMemory::collectUnreachableTensors);
        this.staging = new PinnedStaging(context);
        this.kernels = new CudaKernels(context);
        this.losses = new CudaLossKernels(context);
        this.convolution = new CudnnConvolution(context, allocator);
        this.batchNorm = new CudnnBatchNorm(context, allocator);
        this.pooling = new CudnnPooling(context, allocator);
        this.hostValue = allocator.allocate(4);
    }

    /**
     * The device for GPU {@code index}, opened on first use and shared afterwards.
     *
     * @throws IllegalStateException when CUDA is not usable here, with the reason
     */
    public static synchronized CudaDevice get(int index) {
        CudaDevice d = DEVICES.get(index);
        if (d == null) {
            d = new CudaDevice(CudaContext.open(index));
            DEVICES.put(index, d);
        }
        return d;
    }

    @Override
    public String name() {
        return name;
    }

    /** One line: the device, its name and the precision mode. */
    public String describe() {
        CudaAvailability a = CudaAvailability.probe();
        return name + ": " + (context.index() == 0 ? a.deviceName() : "GPU " + context.index()) + ", "
                + (strictFp32() ? "strict FP32" : "TF32 for GEMM and convolution") + ", memory " + allocator.stats();
    }

    /** The context (stream and library handles) every op of this device uses. */
    public CudaContext context() {
        return context;
    }

    /** Switches GEMMs and convolutions between TF32 (false, the default) and strict FP32 (true). */
    public void setStrictFp32(boolean strict) {
        context.setStrictFp32(strict);
    }

    /** True when GEMMs and convolutions run in strict FP32. */
    public boolean strictFp32() {
        return context.strictFp32();
    }

    /** The allocator's counters. */
    public AllocatorStats memoryStats() {
        return allocator.stats();
    }

    /** The allocator (for graph capture, {@link CudaGraph}). */
    CachingAllocator allocator() {
        return allocator;
    }

    /** Restarts the allocator's peak tracking. */
    public void resetPeakMemory() {
        allocator.resetPeak();
    }

    /** Gives every cached block back to the device (waits for queued work first). */
    public void emptyCache() {
        synchronize();
        allocator.emptyCache();
    }

    /** Waits for everything queued on this device. */
    public void synchronize() {
        context.synchronize();
    }

    private long addr(Tensor t) {
        if (t.storage() instanceof CudaStorage s && s.device() == this) return s.address();
        throw new IllegalArgumentException("tensor " + t + " is not on " + name);
    }

    private long addrOrZero(Tensor t) {
        return t == null ? 0 : addr(t);
    }

    private MemorySegment stream() {
        context.makeCurrent();
        return context.stream();
    }

    // ---- memory ------------------------------------------------------------------------------------------

    @Override
    public Storage allocate(long numel) {
        CachingAllocator.Block b = allocator.allocate(4 * numel);
        CudaStorage s = new CudaStorage(this, numel, allocator, b);
        if (numel > 0)
            CudaCheck.runtime("cudaMemsetAsync", CudaRuntime.cudaMemsetAsync(ptr(b.address()), 0, 4 * numel, stream()));
        return s;
    }

    @Override
    public Storage upload(float[] data, int offset, int length) {
        CudaStorage s = new CudaStorage(this, length, allocator, allocator.allocate(4L * length));
        if (length > 0) staging.upload(s.address(), data, offset, length);
        return s;
    }

    @Override
    public void download(Storage src, float[] dst, int offset) {
        if (!(src instanceof CudaStorage s) || s.device() != this)
            throw new IllegalArgumentException("storage " + src + " is not on " + name);
        if (s.size() > 0) staging.download(dst, offset, s.address(), Math.toIntExact(s.size()));
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        requireSameNumel(dst, src);
        if (src.numel() == 0) return;
        CudaCheck.runtime("cudaMemcpyAsync", CudaRuntime.cudaMemcpyAsync(ptr(addr(dst)), ptr(addr(src)),
                4L * src.numel(), CudaRuntime.cudaMemcpyDeviceToDevice, stream()));
    }

    @Override
    public void fill(Tensor t, float value) {
        if (t.numel() == 0) return;
        if (Float.floatToRawIntBits(value) == 0)
            CudaCheck.runtime("cudaMemsetAsync", CudaRuntime.cudaMemsetAsync(ptr(addr(t)), 0, 4L * t.numel(), stream()));
        else kernels.fill(stream(), addr(t), value, t.numel());
    }

    @Override
    public void stridedCopy(Tensor dst, int dstOffset, int[] dstStrides, Tensor src, int srcOffset, int[] srcStrides,
                            int[] shape) {
        if (shape.length == 0) {
            CudaCheck.runtime("cudaMemcpyAsync", CudaRuntime.cudaMemcpyAsync(ptr(addr(dst) + 4L * dstOffset),
                    ptr(addr(src) + 4L * srcOffset), 4, CudaRuntime.cudaMemcpyDeviceToDevice, stream()));
            return;
        }
        if (Shapes.numel(shape) == 0) return;
        requireRank(shape, "strided copy");
        kernels.stridedCopy(stream(), addr(dst), dstOffset, dstStrides, addr(src), srcOffset, srcStrides, shape);
    }

    // ---- elementwise ---------------------------------------------------------------------------------------

    @Override
    public void unary(Unary op, Tensor out, Tensor x) {
        requireSameNumel(out, x);
        if (x.numel() > 0) kernels.unary(stream(), addr(out), addr(x), x.numel(), op.ordinal());
    }

    @Override
    public void binary(Binary op, Tensor out, Tensor a, Tensor b) {
        int[] os = out.shape();
        if (out.numel() == 0) return;
        if (Arrays.equals(a.shape(), os) && Arrays.equals(b.shape(), os)) {
            kernels.binary(stream(), addr(out), addr(a), addr(b), out.numel(), op.ordinal());
            return;
        }
        requireRank(os, "broadcast " + op);
        kernels.binaryBroadcast(stream(), addr(out), addr(a), addr(b), op.ordinal(), os,
                Shapes.broadcastStrides(a.shape(), os), Shapes.broadcastStrides(b.shape(), os));
    }

    @Override
    public void scale(Tensor out, Tensor x, float alpha) {
        requireSameNumel(out, x);
        if (x.numel() > 0) kernels.scale(stream(), addr(out), addr(x), alpha, x.numel());
    }

    @Override
    public void addScalar(Tensor out, Tensor x, float alpha) {
        requireSameNumel(out, x);
        if (x.numel() > 0) kernels.addScalar(stream(), addr(out), addr(x), alpha, x.numel());
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        requireSameNumel(y, x);
        if (x.numel() > 0) kernels.axpy(stream(), addr(y), alpha, addr(x), x.numel());
    }

    @Override
    public void clamp(Tensor out, Tensor x, float lo, float hi) {
        requireSameNumel(out, x);
        if (x.numel() > 0) kernels.clamp(stream(), addr(out), addr(x), lo, hi, x.numel());
    }

    @Override
    public void clampBackward(Tensor dx, Tensor dy, Tensor x, float lo, float hi) {
        requireSameNumel(dx, dy);
        if (dy.numel() > 0) kernels.clampBackward(stream(), addr(dx), addr(dy), addr(x), lo, hi, dy.numel());
    }

    @Override
    public void activationForward(Activation kind, float alpha, Tensor y, Tensor x) {
        requireSameNumel(y, x);
        if (x.numel() > 0) kernels.activationForward(stream(), kind.ordinal(), alpha, addr(y), addr(x), x.numel());
    }

    @Override
    public void bceWithLogitsForward(Tensor loss, Tensor x, Tensor t) {
        requireSameNumel(loss, x);
        requireSameNumel(loss, t);
        losses.bceWithLogitsForward(stream(), addr(loss), addr(x), addr(t), x.numel());
    }

    @Override
    public void bceWithLogitsBackward(Tensor dx, Tensor dy, Tensor x, Tensor t) {
        requireSameNumel(dx, dy);
        requireSameNumel(dx, x);
        requireSameNumel(dx, t);
        losses.bceWithLogitsBackward(stream(), addr(dx), addr(dy), addr(x), addr(t), x.numel());
    }

    @Override
    public void focalLossForward(Tensor loss, Tensor x, Tensor t, float alpha, float gamma) {
        requireSameNumel(loss, x);
        requireSameNumel(loss, t);
        losses.focalLossForward(stream(), alpha, gamma, addr(loss), addr(x), addr(t), x.numel());
    }

    @Override
    public void focalLossBackward(Tensor dx, Tensor dy, Tensor x, Tensor t, float alpha, float gamma) {
        requireSameNumel(dx, dy);
        requireSameNumel(dx, x);
        requireSameNumel(dx, t);
        losses.focalLossBackward(stream(), alpha, gamma, addr(dx), addr(dy), addr(x), addr(t), x.numel());
    }

    @Override
    public void boxLossForward(LossKernels.BoxLoss kind, float eps, Tensor loss, Tensor pred, Tensor target) {
        int n = boxRows(loss, pred, target);
        losses.boxLossForward(stream(), CudaLossKernels.BoxLoss.values()[kind.ordinal()], eps, addr(loss), addr(pred),
                addr(target), n);
    }

    @Override
    public void boxLossBackward(LossKernels.BoxLoss kind, float eps, Tensor dpred, Tensor dy, Tensor pred,
                                Tensor target) {
        int n = boxRows(dy, dpred, pred, target);
        losses.boxLossBackward(stream(), CudaLossKernels.BoxLoss.values()[kind.ordinal()], eps, addr(dpred), addr(dy),
                addr(pred), addr(target), n);
    }

    @Override
    public void activationBackward(Activation kind, float alpha, Tensor dx, Tensor dy, Tensor x, Tensor y) {
        requireSameNumel(dx, dy);
        if (dy.numel() > 0)
            kernels.activationBackward(stream(), kind.ordinal(), alpha, addr(dx), addr(dy), addrOrZero(x),
                    addrOrZero(y), dy.numel());
    }

    // ---- reductions and softmax ------------------------------------------------------------------------------

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
        if (out.numel() == 0) return;
        if (x.numel() == 0) {
            fill(out, 0f);
            return;
        }
        requireRank(xs, "sumTo");
        kernels.sumTo(stream(), addr(out), addr(x), xs, reduce);
    }

    @Override
    public double sum(Tensor x) {
        return readSum(x, false);
    }

    @Override
    public double sumSquares(Tensor x) {
        return readSum(x, true);
    }

    private synchronized double readSum(Tensor x, boolean squares) {
        if (x.numel() == 0) return 0.0;
        kernels.sumAll(stream(), hostValue.address(), addr(x), x.numel(), squares);
        float[] one = new float[1];
        staging.download(one, 0, hostValue.address(), 1);
        return one[0];
    }

    @Override
    public void softmax(Tensor y, Tensor x, int axis) {
        softmaxForward(y, x, axis, false);
    }

    @Override
    public void logSoftmax(Tensor y, Tensor x, int axis) {
        softmaxForward(y, x, axis, true);
    }

    private void softmaxForward(Tensor y, Tensor x, int axis, boolean log) {
        int[] v = Shapes.aroundAxis(x.shape(), Shapes.axis(axis, x.dim()));
        if (x.numel() > 0) kernels.softmax(stream(), addr(y), addr(x), v[0], v[1], v[2], log);
    }

    @Override
    public void softmaxBackward(Tensor dx, Tensor dy, Tensor y, int axis) {
        softmaxBack(dx, dy, y, axis, false);
    }

    @Override
    public void logSoftmaxBackward(Tensor dx, Tensor dy, Tensor y, int axis) {
        softmaxBack(dx, dy, y, axis, true);
    }

    private void softmaxBack(Tensor dx, Tensor dy, Tensor y, int axis, boolean log) {
        int[] v = Shapes.aroundAxis(y.shape(), Shapes.axis(axis, y.dim()));
        if (y.numel() > 0) kernels.softmaxBackward(stream(), addr(dx), addr(dy), addr(y), v[0], v[1], v[2], log);
    }

    // ---- dense linear algebra --------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int aOffset, int lda,
                     Tensor b, int bOffset, int ldb, float beta, Tensor c, int cOffset, int ldc) {
        if (m == 0 || n == 0) return;
        GemmPlan p = GemmPlan.rowMajor(transA, transB, m, n, k, aOffset, lda, bOffset, ldb, cOffset, ldc);
        MemorySegment scalars = GEMM_SCALARS.get();
        scalars.setAtIndex(ValueLayout.JAVA_FLOAT, 0, alpha);
        scalars.setAtIndex(ValueLayout.JAVA_FLOAT, 1, beta);
        context.makeCurrent();
        // host pointer mode: cuBLAS reads alpha and beta before the call returns
        CudaCheck.cublas("cublasSgemm_v2", Cublas.cublasSgemm_v2(context.cublas(), p.transFirst(), p.transSecond(),
                p.rows(), p.cols(), p.inner(), scalars, ptr(addr(b) + p.firstOffset()), p.ldFirst(),
                ptr(addr(a) + p.secondOffset()), p.ldSecond(), scalars.asSlice(4, 4), ptr(addr(c) + p.outOffset()),
                p.ldOut()));
    }

    // ---- convolution -----------------------------------------------------------------------------------------

    @Override
    public void conv2dForward(Tensor y, Tensor x, Tensor w, Tensor bias, ConvShape s) {
        context.makeCurrent();
        convolution.forward(addr(y), addr(x), addr(w), addrOrZero(bias), s);
    }

    @Override
    public void conv2dBackwardData(Tensor dx, Tensor dy, Tensor w, ConvShape s) {
        context.makeCurrent();
        convolution.backwardData(addr(dx), addr(dy), addr(w), s);
    }

    @Override
    public void conv2dBackwardFilter(Tensor dw, Tensor dy, Tensor x, ConvShape s) {
        context.makeCurrent();
        convolution.backwardFilter(addr(dw), addr(dy), addr(x), s);
    }

    @Override
    public void conv2dBackwardBias(Tensor db, Tensor dy, ConvShape s) {
        context.makeCurrent();
        convolution.backwardBias(addr(db), addr(dy), s);
    }

    // ---- batch norm ------------------------------------------------------------------------------------------

    @Override
    public void batchNormForwardTraining(Tensor y, Tensor saveMean, Tensor saveInvStd, Tensor x, Tensor gamma,
                                         Tensor beta, Tensor runningMean, Tensor runningVar, float momentum, float eps) {
        int[] v = NormDescriptors.input(x.shape());
        if ((long) v[0] * v[2] <= 1 && x.numel() > 0)
            throw new IllegalArgumentException("batch norm in training needs more than 1 value per channel, got "
                    + (long) v[0] * v[2]);
        context.makeCurrent();
        batchNorm.forwardTraining(addr(y), addr(saveMean), addr(saveInvStd), addr(x), addr(gamma), addr(beta),
                addrOrZero(runningMean), addrOrZero(runningVar), momentum, eps, x.shape());
    }

    @Override
    public void batchNormForwardInference(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                          Tensor runningVar, float eps) {
        context.makeCurrent();
        batchNorm.forwardInference(addr(y), addr(x), addr(gamma), addr(beta), addr(runningMean), addr(runningVar), eps,
                x.shape());
    }

    @Override
    public void batchNormBackward(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                                  Tensor saveMean, Tensor saveInvStd) {
        context.makeCurrent();
        batchNorm.backward(addr(dx), addr(dgamma), addr(dbeta), addr(dy), addr(x), addr(gamma), addr(saveMean),
                addr(saveInvStd), x.shape());
    }

    // ---- pooling and resampling ------------------------------------------------------------------------------

    @Override
    public void maxPoolForward(Tensor y, Tensor x, PoolShape s) {
        context.makeCurrent();
        pooling.forward(PoolDescriptors.Kind.MAX, addr(y), addr(x), s);
    }

    @Override
    public void maxPoolBackward(Tensor dx, Tensor dy, Tensor x, Tensor y, PoolShape s) {
        context.makeCurrent();
        pooling.maxBackward(addr(dx), addr(dy), addr(x), addr(y), s);
    }

    @Override
    public void avgPoolForward(Tensor y, Tensor x, PoolShape s, boolean countIncludePad) {
        context.makeCurrent();
        pooling.forward(PoolDescriptors.average(countIncludePad), addr(y), addr(x), s);
    }

    @Override
    public void avgPoolBackward(Tensor dx, Tensor dy, PoolShape s, boolean countIncludePad) {
        context.makeCurrent();
        pooling.avgBackward(PoolDescriptors.average(countIncludePad), addr(dx), addr(dy), s);
    }

    @Override
    public void upsampleNearestForward(Tensor y, Tensor x, int scaleH, int scaleW) {
        int[] s = x.shape();
        if (x.numel() > 0) kernels.upsampleNearest(stream(), addr(y), addr(x), s[0] * s[1], s[2], s[3], scaleH, scaleW);
    }

    @Override
    public void upsampleNearestBackward(Tensor dx, Tensor dy, int scaleH, int scaleW) {
        int[] s = dx.shape();
        if (dx.numel() > 0)
            kernels.upsampleNearestBackward(stream(), addr(dx), addr(dy), s[0] * s[1], s[2], s[3], scaleH, scaleW);
    }

    // ---- optimizer updates -----------------------------------------------------------------------------------

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, float lr, float momentum, float dampening,
                          float weightDecay, boolean nesterov, boolean firstStep) {
        requireSameNumel(param, grad);
        if (param.numel() > 0)
            kernels.sgd(stream(), addr(param), addr(grad), addrOrZero(momentumBuffer), lr, momentum, dampening,
                    weightDecay, nesterov, firstStep, param.numel());
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, float lr, float beta1, float beta2,
                           float eps, float weightDecay, boolean decoupled, int step) {
        requireSameNumel(param, grad);
        if (param.numel() > 0)
            kernels.adam(stream(), addr(param), addr(grad), addr(expAvg), addr(expAvgSq), lr, beta1, beta2, eps,
                    weightDecay, decoupled, step, param.numel());
    }

    @Override
    public void emaUpdate(Tensor ema, Tensor param, float decay) {
        requireSameNumel(ema, param);
        if (param.numel() > 0) kernels.ema(stream(), addr(ema), addr(param), decay, param.numel());
    }

    private static void requireSameNumel(Tensor a, Tensor b) {
        if (a.numel() != b.numel())
            throw new IllegalArgumentException("element counts differ: " + a + " vs " + b);
    }

    /** n for a per-box tensor of n elements and (n, 4) box tensors. */
    private static int boxRows(Tensor perBox, Tensor... boxes) {
        int n = perBox.numel();
        for (Tensor b : boxes)
            if (b.numel() != 4 * n)
                throw new IllegalArgumentException("box tensors must hold 4 x " + n + " values, got " + b);
        return n;
    }

    /** The kernels index with at most 8 dimensions. */
    private static void requireRank(int[] shape, String what) {
        if (shape.length > 8)
            throw new IllegalArgumentException(what + " on CUDA supports at most 8 dimensions, got "
                    + Arrays.toString(shape));
    }

    @Override
    public String toString() {
        return name;
    }
}
