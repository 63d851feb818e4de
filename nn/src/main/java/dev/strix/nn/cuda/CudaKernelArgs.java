package dev.strix.nn.cuda;

import dev.strix.cuda.CTypes;
import dev.strix.cuda.CudaCheck;
import dev.strix.cuda.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable {@code void** kernelParams} array for {@code cuLaunchKernel}: argument values are written into one
 * native buffer that lives as long as this object, so a launch allocates nothing. Not thread-safe: take one per
 * thread ({@link #forThread()}). The driver copies the values during the launch call, so the buffer is free for
 * the next launch as soon as {@link #launch} returns.
 *
 * <p>Each argument occupies an 8-byte aligned slot; {@link #dims8(int[], int)} writes a {@code Dims8} struct
 * (eight {@code int}s, unused entries 0) by value.
 */
final class CudaKernelArgs {
    /** Most arguments one kernel takes. */
    static final int MAX_ARGS = 24;
    /** Bytes of the value buffer: room for MAX_ARGS Dims8 structs. */
    private static final int VALUE_BYTES = MAX_ARGS * 32;

    private static final ThreadLocal<CudaKernelArgs> PER_THREAD = ThreadLocal.withInitial(CudaKernelArgs::new);

    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;
    private long used;

    private CudaKernelArgs() {
        Arena arena = Arena.ofAuto();
        values = arena.allocate(VALUE_BYTES, 16);
        pointers = arena.allocate(CTypes.C_POINTER, MAX_ARGS);
    }

    /** This thread's builder, emptied. */
    static CudaKernelArgs forThread() {
        CudaKernelArgs a = PER_THREAD.get();
        a.count = 0;
        a.used = 0;
        return a;
    }

    private long slot(long bytes) {
        if (count == MAX_ARGS) throw new IllegalStateException("more than " + MAX_ARGS + " kernel arguments");
        long off = used;
        used = (used + bytes + 7) & ~7L;
        if (used > VALUE_BYTES) throw new IllegalStateException("kernel arguments exceed " + VALUE_BYTES + " bytes");
        pointers.setAtIndex(CudaDriver.KERNEL_PARAMS, count++, values.asSlice(off, bytes));
        return off;
    }

    /** A device pointer ({@code float*}, {@code double*}): its CUdeviceptr value. */
    CudaKernelArgs ptr(long devicePointer) {
        values.set(ValueLayout.JAVA_LONG, slot(8), devicePointer);
        return this;
    }

    /** An {@code int}. */
    CudaKernelArgs i32(int v) {
        values.set(ValueLayout.JAVA_INT, slot(4), v);
        return this;
    }

    /** A {@code long long}. */
    CudaKernelArgs i64(long v) {
        values.set(ValueLayout.JAVA_LONG, slot(8), v);
        return this;
    }

    /** A {@code float}. */
    CudaKernelArgs f32(float v) {
        values.set(ValueLayout.JAVA_FLOAT, slot(4), v);
        return this;
    }

    /** A {@code Dims8} struct: v[0, count) from {@code v}, the rest 0. v: (>= count), count <= 8. */
    CudaKernelArgs dims8(int[] v, int count) {
        if (count > 8) throw new IllegalArgumentException("rank " + count + " exceeds 8");
        long off = slot(32);
        for (int i = 0; i < 8; i++) values.set(ValueLayout.JAVA_INT, off + 4L * i, i < count ? v[i] : 0);
        return this;
    }

    /** Launches {@code function} on a 1-D grid with the arguments added so far. */
    void launch(CudaKernelModule.Kernel function, int grid, int block, MemorySegment stream) {
        int status = CudaDriver.cuLaunchKernel(function.handle(), grid, 1, 1, block, 1, 1, 0, stream, pointers,
                MemorySegment.NULL);
        CudaCheck.driver("cuLaunchKernel(" + function.name() + ")", status);
    }
}
