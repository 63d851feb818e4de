package dev.strix.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code void** kernelParams} array of {@link CudaDriver#cuLaunchKernel}: one entry per
 * kernel argument, each pointing at a copy of the argument's value, in the kernel's parameter order.
 * Values and the array live in the given arena, which must stay open until the launch call returns
 * (the driver copies the values at launch).
 */
public final class KernelParams {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    /** @param arena where the values and the array are allocated */
    public KernelParams(Arena arena) {
        this.arena = arena;
    }

    /** Adds a pointer argument ({@code float*} and the like): a device address. */
    public KernelParams pointer(MemorySegment deviceAddress) {
        MemorySegment slot = arena.allocate(CTypes.C_POINTER);
        slot.set(CTypes.C_POINTER, 0, deviceAddress);
        values.add(slot);
        return this;
    }

    /** Adds an {@code int} (or {@code unsigned int}) argument. */
    public KernelParams intValue(int value) {
        values.add(arena.allocateFrom(CTypes.C_INT, value));
        return this;
    }

    /** Adds a {@code long long} (or {@code size_t}) argument. */
    public KernelParams longValue(long value) {
        values.add(arena.allocateFrom(CTypes.C_LONG_LONG, value));
        return this;
    }

    /** Adds a {@code float} argument. */
    public KernelParams floatValue(float value) {
        values.add(arena.allocateFrom(CTypes.C_FLOAT, value));
        return this;
    }

    /** @return how many arguments were added */
    public int size() {
        return values.size();
    }

    /** @return the {@code void*[]} array to pass as {@code kernelParams} */
    public MemorySegment array() {
        MemorySegment array = arena.allocate(CTypes.C_POINTER, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(CudaDriver.KERNEL_PARAMS, i, values.get(i));
        }
        return array;
    }
}
