package dev.strix.nn.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named tensor as stored in a file: element type, shape and the raw little-endian bytes, row-major.
 *
 * <p>{@code shape} has one entry per dimension ({@code []} for a 0-d scalar); {@code data} holds exactly
 * {@code numel() * dtype.bytes()} bytes. The record keeps its own copy of the shape and a read-only view of the
 * bytes; {@link #data()} returns a fresh little-endian view positioned at 0 on each call.
 *
 * @param name  tensor name, e.g. {@code "backbone.stem.0.weight"}
 * @param dtype element type
 * @param shape dimensions, each >= 0; {@code []} for a scalar
 * @param data  the elements' bytes, little-endian, {@code numel * dtype.bytes()} remaining
 */
public record TensorData(String name, DType dtype, long[] shape, ByteBuffer data) {

    /** Validates and takes a read-only little-endian view of {@code data} (from its position to its limit). */
    public TensorData {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must be non-empty");
        if (dtype == null) throw new IllegalArgumentException("tensor '" + name + "': dtype is null");
        if (shape == null) throw new IllegalArgumentException("tensor '" + name + "': shape is null");
        if (data == null) throw new IllegalArgumentException("tensor '" + name + "': data is null");
        shape = shape.clone();
        long bytes = Math.multiplyExact(numel(name, shape), dtype.bytes());
        if (data.remaining() != bytes)
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " shape " + Arrays.toString(shape)
                    + " needs " + bytes + " bytes but the buffer has " + data.remaining());
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A fresh read-only little-endian view of the bytes, position 0, limit {@code byteSize()}. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long numel() {
        return numel(name, shape);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of the data in bytes. */
    public long byteSize() {
        return data.capacity();
    }

    /** The shape as ints, for in-memory tensors; throws if a dimension exceeds {@code Integer.MAX_VALUE}. */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
        return s;
    }

    /** The elements converted to float (exact for F32/F16/BF16, rounded for F64 and large integers; BOOL gives 0/1). */
    public float[] toFloatArray() {
        int n = checkedCount();
        ByteBuffer b = data();
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(8 * i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = HalfPrecision.f16ToFloat(b.getShort(2 * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = HalfPrecision.bf16ToFloat(b.getShort(2 * i)); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF; }
        }
        return out;
    }

    /**
     * The elements as longs, for integer and BOOL dtypes (U8 is unsigned).
     *
     * @throws IllegalStateException for floating-point dtypes
     */
    public long[] toLongArray() {
        if (dtype.isFloatingPoint())
            throw new IllegalStateException("tensor '" + name + "' has floating-point dtype " + dtype
                    + "; read it with toFloatArray()");
        int n = checkedCount();
        ByteBuffer b = data();
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF; }
            default -> throw new AssertionError(dtype);
        }
        return out;
    }

    /** An F32 tensor holding a copy of {@code data} ({@code numel(shape)} values, row-major). */
    public static TensorData ofFloats(String name, long[] shape, float[] data) {
        return ofFloatsAs(name, DType.F32, shape, data);
    }

    /**
     * A tensor of dtype {@code target} (F32, F16 or BF16) holding {@code data} rounded to nearest-even.
     *
     * @param shape dimensions; {@code data.length} must equal their product
     */
    public static TensorData ofFloatsAs(String name, DType target, long[] shape, float[] data) {
        checkLength(name, shape, data.length);
        ByteBuffer b = ByteBuffer.allocate(data.length * target.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (target) {
            case F32 -> b.asFloatBuffer().put(data);
            case F16 -> { for (float v : data) b.putShort((short) HalfPrecision.floatToF16(v)); }
            case BF16 -> { for (float v : data) b.putShort((short) HalfPrecision.floatToBF16(v)); }
            default -> throw new IllegalArgumentException("tensor '" + name + "': ofFloatsAs supports F32, F16 and BF16, not "
                    + target);
        }
        return new TensorData(name, target, shape, b.clear());
    }

    /** An I64 tensor holding a copy of {@code data} ({@code numel(shape)} values, row-major). */
    public static TensorData ofLongs(String name, long[] shape, long[] data) {
        checkLength(name, shape, data.length);
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return new TensorData(name, DType.I64, shape, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "TensorData[" + name + ", " + dtype + ", " + Arrays.toString(shape) + ", " + byteSize() + " bytes]";
    }

    private int checkedCount() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8)
            throw new IllegalStateException("tensor '" + name + "' has " + n + " elements, too many for a Java array");
        return (int) n;
    }

    private static void checkLength(String name, long[] shape, int length) {
        long n = numel(name, shape);
        if (n != length)
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has " + n
                    + " elements but " + length + " values were given");
    }

    private static long numel(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                    + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
