package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaRuntime;
import dev.strix.kernels.Activation;
import dev.strix.kernels.Elementwise;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Launchers for the Strix PTX kernels (kernels/src/main/cuda, packaged as
 * {@code /dev/strix/kernels/cuda/strix_kernels.ptx}): everything the CUDA device runs that cuBLAS and cuDNN do
 * not. Each launcher queues one or two kernels on {@code stream} and returns without waiting; semantics are those
 * of the CPU kernels in {@code dev.strix.kernels} (Elementwise, Activations, Reductions, Softmax, Upsample,
 * OptimizerUpdates), reductions are deterministic (fixed order, no atomics).
 *
 * <p>Legend: device buffers are passed as {@code long} CUdeviceptr values of contiguous float32 data; n = element
 * count; shapes and strides in elements; ranks at most 8. A launcher with nothing to do (n == 0) queues nothing.
 * Launchers may be called from any thread whose current context is the one this object was built in; one
 * launch at a time per thread (argument buffers are per thread). {@link #sumAll} uses one scratch buffer of
 * this object, so all its calls must go to one stream (the device's).
 */
public final class CudaKernels implements AutoCloseable {
    /** Threads per block of the elementwise kernels. */
    static final int BLOCK = 256;
    /** Most blocks of a grid-stride launch (the loop covers the rest). */
    static final int MAX_GRID = 1 << 16;
    /** Blocks of the first sumAll pass at most; the grid depends on n only, so results repeat across devices. */
    static final int SUM_PARTIALS = 1024;
    /** Rows of the reduced range below which sumTo gives one thread (not one block) to each output. */
    private static final long BLOCK_SUM_MIN = 64;
    /** Outputs from which sumTo prefers one thread per output when the kept dimensions are innermost. */
    private static final long THREAD_SUM_MIN_OUTPUTS = 2048;

    private final CudaKernelModule module;
    private final CudaKernelModule.Kernel fill, unary, binary, broadcast, scale, addScalar, axpy, clamp, clampBackward,
            stridedCopy, activationForward, activationBackward, sumPartial, sumFinal, sumToThread, sumToBlock,
            softmaxRow, softmaxCol, softmaxBackwardRow, softmaxBackwardCol, upsample, upsampleBackward, sgd, adam, ema;
    private final long partials;
    private boolean closed;

    /**
     * Loads the PTX into {@code ctx} (made current on this thread), looks up every kernel and allocates the small
     * scratch of {@link #sumAll} (1024 doubles).
     */
    public CudaKernels(CudaContext ctx) {
        ctx.makeCurrent();
        module = new CudaKernelModule();
        fill = module.function("fill_kernel1");
        unary = module.function("unary_kernel1");
        binary = module.function("binary_kernel1");
        broadcast = module.function("binary_broadcast_kernel1");
        scale = module.function("scale_kernel1");
        addScalar = module.function("add_scalar_kernel1");
        axpy = module.function("axpy_kernel1");
        clamp = module.function("clamp_kernel1");
        clampBackward = module.function("clamp_backward_kernel1");
        stridedCopy = module.function("strided_copy_kernel1");
        activationForward = module.function("activation_forward_kernel1");
        activationBackward = module.function("activation_backward_kernel1");
        sumPartial = module.function("sum_all_partial_kernel1");
        sumFinal = module.function("sum_all_final_kernel1");
        sumToThread = module.function("sum_to_thread_kernel1");
        sumToBlock = module.function("sum_to_block_kernel1");
        softmaxRow = module.function("softmax_row_kernel1");
        softmaxCol = module.function("softmax_col_kernel1");
        softmaxBackwardRow = module.function("softmax_backward_row_kernel1");
        softmaxBackwardCol = module.function("softmax_backward_col_kernel1");
        upsample = module.function("upsample_nearest_kernel1");
        upsampleBackward = module.function("upsample_nearest_backward_kernel1");
        sgd = module.function("sgd_kernel1");
        adam = module.function("adam_kernel1");
        ema = module.function("ema_kernel1");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(CTypes.C_POINTER);
            CudaCheck.runtime("cudaMalloc", CudaRuntime.cudaMalloc(out, SUM_PARTIALS * 8L));
            partials = out.get(CTypes.C_POINTER, 0).address();
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
    }

    /** Blocks for a grid-stride loop over n elements. */
    static int grid(long n) {
        return (int) Math.max(1, Math.min(MAX_GRID, (n + BLOCK - 1) / BLOCK));
    }

    private static void checkCount(long n) {
        if (n < 0) throw new IllegalArgumentException("negative element count " + n);
    }

    /** out[i] = value. out: (n). */
    public void fill(MemorySegment stream, long out, float value, long n) {
        checkCount(n);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(out).f32(value).i64(n).launch(fill, grid(n), BLOCK, stream);
    }

    /** out = op(x), op = {@link Elementwise.Unary} ordinal. out, x: (n). */
    public void unary(MemorySegment stream, long out, long x, long n, int op) {
        checkCount(n);
        checkOp(op, Elementwise.Unary.values().length);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).i64(n).i32(op).launch(unary, grid(n), BLOCK, stream);
    }

    /** out = op(a, b), op = {@link Elementwise.Binary} ordinal. out, a, b: (n). */
    public void binary(MemorySegment stream, long out, long a, long b, long n, int op) {
        checkCount(n);
        checkOp(op, Elementwise.Binary.values().length);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(out).ptr(a).ptr(b).i64(n).i32(op).launch(binary, grid(n), BLOCK, stream);
    }

    /**
     * Broadcasting out = op(a, b). out: outShape (contiguous); a, b: element strides viewed with outShape
     * (0 on broadcast dimensions), same rank as outShape (at most 8).
     */
    public void binaryBroadcast(MemorySegment stream, long out, long a, long b, int op, int[] outShape, int[] aStrides,
                                int[] bStrides) {
        checkOp(op, Elementwise.Binary.values().length);
        CudaKernelShapes.Walk w = CudaKernelShapes.walk(outShape, aStrides, bStrides);
        if (w.count() == 0) return;
        CudaKernelArgs.forThread().ptr(out).ptr(a).ptr(b).i64(w.count()).i32(op).i32(w.rank())
                .dims8(w.shape(), w.rank()).dims8(w.first(), w.rank()).dims8(w.second(), w.rank())
                .launch(broadcast, grid(w.count()), BLOCK, stream);
    }

    /** out = x * alpha. out, x: (n). */
    public void scale(MemorySegment stream, long out, long x, float alpha, long n) {
        checkCount(n);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).f32(alpha).i64(n).launch(scale, grid(n), BLOCK, stream);
    }

    /** out = x + alpha. out, x: (n). */
    public void addScalar(MemorySegment stream, long out, long x, float alpha, long n) {
        checkCount(n);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).f32(alpha).i64(n).launch(addScalar, grid(n), BLOCK, stream);
    }

    /** y += alpha * x (one fused multiply-add). y, x: (n). */
    public void axpy(MemorySegment stream, long y, float alpha, long x, long n) {
        checkCount(n);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(y).f32(alpha).ptr(x).i64(n).launch(axpy, grid(n), BLOCK, stream);
    }

    /** out = min(max(x, lo), hi) (NaN propagates). out, x: (n). */
    public void clamp(MemorySegment stream, long out, long x, float lo, float hi, long n) {
        checkCount(n);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).f32(lo).f32(hi).i64(n).launch(clamp, grid(n), BLOCK, stream);
    }

    /** dx = dy where lo <= x <= hi, else 0. dx, dy, x: (n). */
    public void clampBackward(MemorySegment stream, long dx, long dy, long x, float lo, float hi, long n) {
        checkCount(n);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(dx).ptr(dy).ptr(x).f32(lo).f32(hi).i64(n)
                .launch(clampBackward, grid(n), BLOCK, stream);
    }

    /** y = kind(x), kind = {@link Activation} ordinal, alpha = LeakyReLU slope. y, x: (n). */
    public void activationForward(MemorySegment stream, int kind, float alpha, long y, long x, long n) {
        checkCount(n);
        checkOp(kind, Activation.values().length);
        if (n == 0) return;
        CudaKernelArgs.forThread().i32(kind).f32(alpha).ptr(y).ptr(x).i64(n)
                .launch(activationForward, grid(n), BLOCK, stream);
    }

    /**
     * dx = dy * kind'(x). dx, dy: (n); x = forward input, y = forward output, either 0 when the kind can work from
     * the other (the rules of Activations.backward: RELU/LEAKY_RELU use x if given else y (LeakyReLU from y needs
     * alpha > 0), SILU needs x, SIGMOID/TANH use y if given else x).
     */
    public void activationBackward(MemorySegment stream, int kind, float alpha, long dx, long dy, long x, long y,
                                   long n) {
        checkCount(n);
        checkOp(kind, Activation.values().length);
        Activation a = Activation.values()[kind];
        boolean fromY = switch (a) {
            case RELU, LEAKY_RELU -> {
                if (x == 0 && (y == 0 || (a == Activation.LEAKY_RELU && !(alpha > 0f))))
                    throw new IllegalArgumentException(a + " backward needs x (or y with a positive slope)");
                yield x == 0;
            }
            case SILU -> {
                if (x == 0) throw new IllegalArgumentException("SILU backward needs the forward input x");
                yield false;
            }
            case SIGMOID, TANH -> {
                if (x == 0 && y == 0) throw new IllegalArgumentException(a + " backward needs x or y");
                yield y != 0;
            }
        };
        if (n == 0) return;
        CudaKernelArgs.forThread().i32(kind).f32(alpha).ptr(dx).ptr(dy).ptr(fromY ? y : x).i32(fromY ? 1 : 0).i64(n)
                .launch(activationBackward, grid(n), BLOCK, stream);
    }

    /**
     * dst[dstOffset + sum(i * dstStrides)] = src[srcOffset + sum(i * srcStrides)] for every index i of shape.
     * Offsets and strides in elements; rank at most 8.
     */
    public void stridedCopy(MemorySegment stream, long dst, long dstOffset, int[] dstStrides, long src, long srcOffset,
                            int[] srcStrides, int[] shape) {
        CudaKernelShapes.Walk w = CudaKernelShapes.walk(shape, dstStrides, srcStrides);
        if (w.count() == 0) return;
        CudaKernelArgs.forThread().ptr(dst).i64(dstOffset).dims8(w.first(), w.rank()).ptr(src).i64(srcOffset)
                .dims8(w.second(), w.rank()).i32(w.rank()).dims8(w.shape(), w.rank()).i64(w.count())
                .launch(stridedCopy, grid(w.count()), BLOCK, stream);
    }

    /**
     * Keep-dim sum of x over the flagged dimensions, deterministic, accumulated in double. x: xShape (contiguous);
     * out: xShape with the reduced dimensions set to 1 (overwritten; zeros when x is empty).
     */
    public void sumTo(MemorySegment stream, long out, long x, int[] xShape, boolean[] reduce) {
        CudaKernelShapes.SumPlan p = CudaKernelShapes.sumPlan(xShape, reduce);
        if (p.outCount() == 0) return;
        if (p.total() == 0) {
            fill(stream, out, 0f, p.outCount());
            return;
        }
        int outCount = Math.toIntExact(p.outCount());
        boolean perBlock = p.redCount() >= BLOCK_SUM_MIN && (p.outCount() < THREAD_SUM_MIN_OUTPUTS || p.lastReduced());
        CudaKernelArgs args = CudaKernelArgs.forThread().ptr(out).ptr(x).i32(outCount)
                .i32(p.keptRank()).dims8(p.keptShape(), p.keptRank()).dims8(p.keptStrides(), p.keptRank())
                .i32(p.redRank()).dims8(p.redShape(), p.redRank()).dims8(p.redStrides(), p.redRank()).i64(p.redCount());
        if (perBlock) args.launch(sumToBlock, Math.min(outCount, MAX_GRID), BLOCK, stream);
        else args.launch(sumToThread, grid(outCount), BLOCK, stream);
    }

    /**
     * out1[0] = sum of x (of x^2 when squares), deterministic two-pass sum in double, rounded to float once.
     * out1: one float on the device; x: (n).
     */
    public void sumAll(MemorySegment stream, long out1, long x, long n, boolean squares) {
        checkCount(n);
        if (n == 0) {
            fill(stream, out1, 0f, 1);
            return;
        }
        int blocks = (int) Math.min(SUM_PARTIALS, (n + 4L * BLOCK - 1) / (4L * BLOCK));
        CudaKernelArgs.forThread().ptr(partials).ptr(x).i64(n).i32(squares ? 1 : 0)
                .launch(sumPartial, blocks, BLOCK, stream);
        CudaKernelArgs.forThread().ptr(out1).ptr(partials).i32(blocks).launch(sumFinal, 1, BLOCK, stream);
    }

    /**
     * Softmax (log = false) or log-softmax over the middle axis. y, x: (outer, dim, inner), contiguous.
     */
    public void softmax(MemorySegment stream, long y, long x, int outer, int dim, int inner, boolean log) {
        checkSoftmax(outer, dim, inner);
        if ((long) outer * dim * inner == 0) return;
        if (inner == 1) {
            CudaKernelArgs.forThread().ptr(y).ptr(x).i32(outer).i32(dim).i32(log ? 1 : 0)
                    .launch(softmaxRow, Math.min(outer, MAX_GRID), rowBlock(dim), stream);
        } else {
            long columns = (long) outer * inner;
            CudaKernelArgs.forThread().ptr(y).ptr(x).i32(outer).i32(dim).i32(inner).i32(log ? 1 : 0)
                    .launch(softmaxCol, grid(columns), BLOCK, stream);
        }
    }

    /**
     * Softmax backward: dx = y * (dy - sum(dy * y)), or for log-softmax dx = dy - exp(y) * sum(dy); y is the
     * forward output. dx, dy, y: (outer, dim, inner), contiguous.
     */
    public void softmaxBackward(MemorySegment stream, long dx, long dy, long y, int outer, int dim, int inner,
                                boolean log) {
        checkSoftmax(outer, dim, inner);
        if ((long) outer * dim * inner == 0) return;
        if (inner == 1) {
            CudaKernelArgs.forThread().ptr(dx).ptr(dy).ptr(y).i32(outer).i32(dim).i32(log ? 1 : 0)
                    .launch(softmaxBackwardRow, Math.min(outer, MAX_GRID), rowBlock(dim), stream);
        } else {
            long columns = (long) outer * inner;
            CudaKernelArgs.forThread().ptr(dx).ptr(dy).ptr(y).i32(outer).i32(dim).i32(inner).i32(log ? 1 : 0)
                    .launch(softmaxBackwardCol, grid(columns), BLOCK, stream);
        }
    }

    /** Threads per row of a row softmax: a multiple of 32, no more than the row needs, at most 256. */
    static int rowBlock(int dim) {
        return Math.min(BLOCK, Math.max(32, (dim + 31) / 32 * 32));
    }

    /** y[p, i, j] = x[p, i / sh, j / sw]. x: (planes, h, w); y: (planes, h * sh, w * sw). */
    public void upsampleNearest(MemorySegment stream, long y, long x, int planes, int h, int w, int sh, int sw) {
        long n = checkUpsample(planes, h, w, sh, sw) * sh * sw;
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(y).ptr(x).i32(planes).i32(h).i32(w).i32(sh).i32(sw)
                .launch(upsample, grid(n), BLOCK, stream);
    }

    /** dx[p, i, j] = sum of dy over its sh x sw block. dx: (planes, h, w), overwritten; dy: (planes, h*sh, w*sw). */
    public void upsampleNearestBackward(MemorySegment stream, long dx, long dy, int planes, int h, int w, int sh, int sw) {
        long n = checkUpsample(planes, h, w, sh, sw);
        if (n == 0) return;
        CudaKernelArgs.forThread().ptr(dx).ptr(dy).i32(planes).i32(h).i32(w).i32(sh).i32(sw)
                .launch(upsampleBackward, grid(n), BLOCK, stream);
    }

    /**
     * SGD step in place (OptimizerUpdates.sgd): p, buf updated; g read. p, g, buf: (n); buf = 0 when
     * momentum == 0.
     */
    public void sgd(MemorySegment stream, long p, long g, long buf, float lr, float momentum, float dampening, float wd,
                    boolean nesterov, boolean firstStep, long n) {
        checkCount(n);
        boolean useMomentum = momentum != 0f;
        if (useMomentum && buf == 0) throw new IllegalArgumentException("momentum " + momentum + " needs a momentum buffer");
        if (nesterov && (!useMomentum || dampening != 0f))
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        if (n == 0) return;
        float keep = (float) (1 - decimal(dampening));
        int flags = (useMomentum ? 1 : 0) | (nesterov ? 2 : 0) | (firstStep ? 4 : 0);
        CudaKernelArgs.forThread().ptr(p).ptr(g).ptr(buf).f32(-lr).f32(momentum).f32(keep).f32(wd).i32(flags).i64(n)
                .launch(sgd, grid(n), BLOCK, stream);
    }

    /**
     * Adam (decoupled = false) / AdamW (decoupled = true) step in place (OptimizerUpdates.adam), step counting
     * from 1. p, m, v updated; g read. p, g, m, v: (n).
     */
    public void adam(MemorySegment stream, long p, long g, long m, long v, float lr, float b1, float b2, float eps,
                     float wd, boolean decoupled, int step, long n) {
        checkCount(n);
        if (step < 1) throw new IllegalArgumentException("Adam steps count from 1, got " + step);
        if (n == 0) return;
        double beta1 = decimal(b1), beta2 = decimal(b2);
        double bc1 = 1 - Math.pow(beta1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float negStepSize = (float) (-decimal(lr) / bc1), bc2s = (float) bc2Sqrt;
        float w1 = (float) (1 - beta1), w2 = (float) (1 - beta2);
        float paramScale = decoupled && wd != 0f ? (float) (1 - decimal(lr) * decimal(wd)) : 1f;
        boolean coupledDecay = !decoupled && wd != 0f;
        CudaKernelArgs.forThread().ptr(p).ptr(g).ptr(m).ptr(v).f32(negStepSize).f32(w1).f32(b2).f32(w2).f32(bc2s)
                .f32(eps).f32(wd).f32(paramScale).i32(coupledDecay ? 1 : 0).i64(n).launch(adam, grid(n), BLOCK, stream);
    }

    /** ema = decay * ema + (1 - decay) * p. ema: (n) updated; p: (n). */
    public void ema(MemorySegment stream, long ema, long p, float decay, long n) {
        checkCount(n);
        if (n == 0) return;
        float w = (float) (1 - decimal(decay));
        CudaKernelArgs.forThread().ptr(ema).ptr(p).f32(decay).f32(w).i64(n).launch(this.ema, grid(n), BLOCK, stream);
    }

    /** The shortest decimal that rounds to v, as a double (OptimizerUpdates' reading of hyper-parameters). */
    static double decimal(float v) {
        return Float.isFinite(v) ? Double.parseDouble(Float.toString(v)) : v;
    }

    private static void checkOp(int op, int count) {
        if (op < 0 || op >= count) throw new IllegalArgumentException("operator code " + op + " not in [0, " + count + ")");
    }

    private static void checkSoftmax(int outer, int dim, int inner) {
        if (outer < 0 || dim < 0 || inner < 0)
            throw new IllegalArgumentException("negative size (" + outer + ", " + dim + ", " + inner + ")");
    }

    private static long checkUpsample(int planes, int h, int w, int sh, int sw) {
        if (planes < 0 || h < 0 || w < 0) throw new IllegalArgumentException("negative size " + planes + ", " + h + ", " + w);
        if (sh < 1 || sw < 1) throw new IllegalArgumentException("scale factors must be >= 1: " + sh + ", " + sw);
        return (long) planes * h * w;
    }

    /** Frees the sumAll scratch and unloads the module (call with the context current, after the stream drained). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        CudaRuntime.cudaFree(MemorySegment.ofAddress(partials));
        module.close();
    }
}
