package dev.strix.nn;

/** Heap storage of the CPU device: a plain {@code float[]} (or {@code long[]} for 64-bit integer buffers). */
public final class CpuStorage implements Storage {
    private final CpuDevice device;
    final float[] data;
    final long[] longs;

    CpuStorage(CpuDevice device, float[] data) {
        this.device = device;
        this.data = data;
        this.longs = null;
    }

    CpuStorage(CpuDevice device, long[] longs) {
        this.device = device;
        this.data = null;
        this.longs = longs;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long size() {
        return data != null ? data.length : longs.length;
    }

    /** The backing array of a float tensor on the CPU (shared, not a copy). */
    public float[] floats() {
        if (data == null) throw new IllegalStateException("this storage holds int64 values, not float32");
        return data;
    }

    /** The backing array of an int64 tensor on the CPU (shared, not a copy). */
    public long[] longs() {
        if (longs == null) throw new IllegalStateException("this storage holds float32 values, not int64");
        return longs;
    }
}
