package dev.strix.nn.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Launchers for the loss, box-decoding and cast kernels of {@code losses.cuh} (in the same PTX module as
 * {@link CudaKernels}). Semantics are those of {@code dev.strix.nn.losses.BinaryLosses} and {@code BoxLosses}
 * per element (before the reduction) and of {@code dev.strix.detection.postprocess.BoxDecoder}.
 *
 * <p>Legend: device buffers are {@code long} CUdeviceptr values of contiguous float32 data (16-bit raw values for
 * half and bfloat16); n = element count for the pointwise losses and casts, box count for the box ops; boxes and
 * distances are (n, 4) rows of (x1, y1, x2, y2) and (l, t, r, b). Each launcher queues one kernel on
 * {@code stream} and returns; with n == 0 it queues nothing. Same threading rules as {@link CudaKernels}.
 */
public final class CudaLossKernels implements AutoCloseable {
    /** The box losses, in the kernel's order. */
    public enum BoxLoss { IOU, GIOU, DIOU, CIOU }

    private final CudaKernelModule module;
    private final CudaKernelModule.Kernel bceForward, bceBackward, focalForward, focalBackward, boxForward, boxBackward,
            decodeForward, decodeBackward, toF16, fromF16, toBf16, fromBf16;

    /** Loads the PTX into {@code ctx} (made current on this thread) and looks up the kernels. */
    public CudaLossKernels(CudaContext ctx) {
        ctx.makeCurrent();
        module = new CudaKernelModule();
        bceForward = module.function("bce_with_logits_forward_kernel1");
        bceBackward = module.function("bce_with_logits_backward_kernel1");
        focalForward = module.function("focal_loss_forward_kernel1");
        focalBackward = module.function("focal_loss_backward_kernel1");
        boxForward = module.function("box_loss_forward_kernel1");
        boxBackward = module.function("box_loss_backward_kernel1");
        decodeForward = module.function("decode_ltrb_forward_kernel1");
        decodeBackward = module.function("decode_ltrb_backward_kernel1");
        toF16 = module.function("cast_f32_to_f16_kernel1");
        fromF16 = module.function("cast_f16_to_f32_kernel1");
        toBf16 = module.function("cast_f32_to_bf16_kernel1");
        fromBf16 = module.function("cast_bf16_to_f32_kernel1");
    }

    private static boolean nothing(long n) {
        if (n < 0) throw new IllegalArgumentException("negative element count " + n);
        return n == 0;
    }

    private static int grid(long n) {
        return CudaKernels.grid(n);
    }

    /** loss = max(x, 0) - x t + log(1 + exp(-|x|)) per element. loss, x, t: (n). */
    public void bceWithLogitsForward(MemorySegment stream, long loss, long x, long t, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(loss).ptr(x).ptr(t).i64(n).launch(bceForward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** dx = dy (sigmoid(x) - t). dx, dy, x, t: (n). */
    public void bceWithLogitsBackward(MemorySegment stream, long dx, long dy, long x, long t, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(dx).ptr(dy).ptr(x).ptr(t).i64(n)
                .launch(bceBackward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** Sigmoid focal loss per element (alpha < 0: no class weight). loss, x, t: (n). */
    public void focalLossForward(MemorySegment stream, float alpha, float gamma, long loss, long x, long t, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().f32(alpha).f32(gamma).ptr(loss).ptr(x).ptr(t).i64(n)
                .launch(focalForward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** dx = dy d(focal loss)/dx. dx, dy, x, t: (n). */
    public void focalLossBackward(MemorySegment stream, float alpha, float gamma, long dx, long dy, long x, long t,
                                  long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().f32(alpha).f32(gamma).ptr(dx).ptr(dy).ptr(x).ptr(t).i64(n)
                .launch(focalBackward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** Per-box loss of aligned pairs. loss: (n); pred, target: (n, 4). */
    public void boxLossForward(MemorySegment stream, BoxLoss kind, float eps, long loss, long pred, long target, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().i32(kind.ordinal()).f32(eps).ptr(loss).ptr(pred).ptr(target).i64(n)
                .launch(boxForward, grid(n), CudaKernels.BLOCK, stream);
    }

    /**
     * dpred = dy d(box loss)/d pred (targets get none; CIoU's alpha is a constant, as in BoxLosses).
     * dpred, pred, target: (n, 4); dy: (n).
     */
    public void boxLossBackward(MemorySegment stream, BoxLoss kind, float eps, long dpred, long dy, long pred,
                                long target, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().i32(kind.ordinal()).f32(eps).ptr(dpred).ptr(dy).ptr(pred).ptr(target).i64(n)
                .launch(boxBackward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** boxes = (x - l, y - t, x + r, y + b). boxes, ltrb: (n, 4); xs, ys: (n). */
    public void decodeLtrbForward(MemorySegment stream, long boxes, long ltrb, long xs, long ys, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(boxes).ptr(ltrb).ptr(xs).ptr(ys).i64(n)
                .launch(decodeForward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** dltrb = (-dx1, -dy1, dx2, dy2). dltrb, dboxes: (n, 4). */
    public void decodeLtrbBackward(MemorySegment stream, long dltrb, long dboxes, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(dltrb).ptr(dboxes).i64(n).launch(decodeBackward, grid(n), CudaKernels.BLOCK, stream);
    }

    /** out = half(x), round to nearest even. out: (n) 16-bit; x: (n). */
    public void castF32ToF16(MemorySegment stream, long out, long x, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).i64(n).launch(toF16, grid(n), CudaKernels.BLOCK, stream);
    }

    /** out = float(half x). out: (n); x: (n) 16-bit. */
    public void castF16ToF32(MemorySegment stream, long out, long x, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).i64(n).launch(fromF16, grid(n), CudaKernels.BLOCK, stream);
    }

    /** out = bfloat16(x), round to nearest even. out: (n) 16-bit; x: (n). */
    public void castF32ToBf16(MemorySegment stream, long out, long x, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).i64(n).launch(toBf16, grid(n), CudaKernels.BLOCK, stream);
    }

    /** out = float(bfloat16 x). out: (n); x: (n) 16-bit. */
    public void castBf16ToF32(MemorySegment stream, long out, long x, long n) {
        if (nothing(n)) return;
        CudaKernelArgs.forThread().ptr(out).ptr(x).i64(n).launch(fromBf16, grid(n), CudaKernels.BLOCK, stream);
    }

    /** Unloads the module. */
    @Override
    public void close() {
        module.close();
    }
}
