package dev.strix.nn;

import dev.strix.nn.io.DType;
import dev.strix.nn.ops.MathOps;
import dev.strix.nn.ops.ReduceOps;
import dev.strix.nn.ops.ShapeOps;

import java.util.Arrays;

/**
 * An n-dimensional array on one {@link Device}, contiguous in row-major order, with optional autograd history.
 *
 * <p>Float32 tensors are what every op computes on. Int64 tensors exist only on the CPU, to hold
 * bookkeeping values such as batch norm's {@code num_batches_tracked} so that state dicts match PyTorch's.
 *
 * <p>Leaves created by the user (parameters, inputs) carry {@link #requiresGrad()}; tensors produced by ops on
 * such inputs carry the {@link Node} that made them, and {@link #backward()} or {@link Autograd#grad} walks
 * those nodes in reverse.
 */
public final class Tensor {
    private final int[] shape;
    private final Storage storage;
    private final DType dtype;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private String label;

    Tensor(Storage storage, DType dtype, int... shape) {
        long n = Shapes.numel(shape);
        if (n != storage.size())
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements but the storage holds " + storage.size());
        this.shape = shape.clone();
        this.storage = storage;
        this.dtype = dtype;
    }

    // ---- factories ----------------------------------------------------------------------------------

    /** A CPU float tensor wrapping {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(new CpuStorage(CpuDevice.INSTANCE, data), DType.F32, shape);
    }

    /** A CPU int64 tensor wrapping {@code data} (not copied). */
    public static Tensor ofLongs(long[] data, int... shape) {
        return new Tensor(new CpuStorage(CpuDevice.INSTANCE, data), DType.I64, shape);
    }

    /** A 0-dimensional CPU float tensor. */
    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    /** Zeros of the given shape on {@code device}. */
    public static Tensor zeros(Device device, int... shape) {
        return new Tensor(device.allocate(Shapes.numel(shape)), DType.F32, shape);
    }

    /**
     * A tensor of the given shape on {@code device} whose values are unspecified (garbage on the CPU where the JVM
     * allows it): only for the output of a device op, which writes every element before anything reads it.
     */
    public static Tensor empty(Device device, int... shape) {
        return new Tensor(device.allocateUninitialised(Shapes.numel(shape)), DType.F32, shape);
    }

    /** {@link #empty} with this tensor's device and shape. */
    public Tensor emptyLike() {
        return empty(device(), shape);
    }

    /** A tensor on {@code device} with the given values (copied). */
    public static Tensor from(Device device, float[] data, int... shape) {
        if (data.length != Shapes.numel(shape))
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Arrays.toString(shape));
        return new Tensor(device.upload(data, 0, data.length), DType.F32, shape);
    }

    /** Constant {@code value} of the given shape on {@code device}. */
    public static Tensor full(Device device, float value, int... shape) {
        Tensor t = zeros(device, shape);
        if (value != 0f) device.fill(t, value);
        return t;
    }

    /** A new tensor on the same device with the same shape, zero-filled. */
    public Tensor zerosLike() {
        return zeros(device(), shape);
    }

    /** A new uninitialised-looking (zero) tensor of another shape on the same device. */
    public Tensor newZeros(int... newShape) {
        return zeros(device(), newShape);
    }

    // ---- shape and storage ----------------------------------------------------------------------------

    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d}; negative counts from the end. */
    public int size(int d) {
        return shape[d < 0 ? d + shape.length : d];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return (int) storage.size();
    }

    /** Row-major element strides. */
    public int[] strides() {
        return Shapes.strides(shape);
    }

    public DType dtype() {
        return dtype;
    }

    public Storage storage() {
        return storage;
    }

    public Device device() {
        return storage.device();
    }

    /** A copy of the elements on the host. */
    public float[] toArray() {
        requireFloat();
        float[] out = new float[numel()];
        device().download(storage, out, 0);
        return out;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() needs one element, shape is " + Arrays.toString(shape));
        return toArray()[0];
    }

    /** The int64 values of a CPU int64 tensor (shared array). */
    public long[] longs() {
        return ((CpuStorage) storage).longs();
    }

    /** This tensor on {@code target} (itself when already there); history is kept across the copy. */
    public Tensor to(Device target) {
        if (target == device()) return this;
        return ShapeOps.toDevice(this, target);
    }

    /** The same storage viewed with another shape of equal numel (no copy, no history). */
    Tensor viewStorage(int... newShape) {
        return new Tensor(storage, dtype, newShape);
    }

    void requireFloat() {
        if (dtype != DType.F32) throw new IllegalStateException("op needs a float32 tensor, got " + dtype);
    }

    // ---- autograd -----------------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing gradients; returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value)
            throw new IllegalStateException("cannot clear requiresGrad on a tensor produced by an op; use detach()");
        requireFloat();
        requiresGrad = value;
        return this;
    }

    /** Gradient accumulated by {@link #backward()} (null until then). */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape))
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(g.shape) + " != tensor shape "
                    + Arrays.toString(shape));
        grad = g;
    }

    /** The node that produced this tensor, or null for leaves. */
    public Node gradFn() {
        return gradFn;
    }

    void setGradFn(Node node) {
        gradFn = node;
        requiresGrad = true;
    }

    /** True when this tensor was created by the user rather than by an op that tracks history. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The same data without history. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape);
    }

    /** Back-propagates from this one-element tensor into the {@code grad} of every leaf that requires it. */
    public void backward() {
        Autograd.backward(this, null, false);
    }

    /** Like {@link #backward()}, keeping the graph for another backward pass when {@code retainGraph}. */
    public void backward(boolean retainGraph) {
        Autograd.backward(this, null, retainGraph);
    }

    /** Optional name shown in error messages and debugging output. */
    public Tensor label(String l) {
        label = l;
        return this;
    }

    public String label() {
        return label;
    }

    // ---- convenience ops (history-recording; see dev.strix.nn.ops) -----------------------------------

    public Tensor add(Tensor o) { return MathOps.add(this, o); }
    public Tensor sub(Tensor o) { return MathOps.sub(this, o); }
    public Tensor mul(Tensor o) { return MathOps.mul(this, o); }
    public Tensor div(Tensor o) { return MathOps.div(this, o); }
    public Tensor mul(float s) { return MathOps.scale(this, s); }
    public Tensor add(float s) { return MathOps.addScalar(this, s); }
    public Tensor neg() { return MathOps.neg(this); }
    public Tensor sum() { return ReduceOps.sum(this); }
    public Tensor mean() { return ReduceOps.mean(this); }
    public Tensor reshape(int... s) { return ShapeOps.reshape(this, s); }

    @Override
    public String toString() {
        String head = "Tensor" + Arrays.toString(shape) + (dtype == DType.F32 ? "" : " " + dtype) + " on " + device().name();
        if (label != null) head = label + ": " + head;
        if (gradFn != null) head += " (from " + gradFn.name() + ")";
        else if (requiresGrad) head += " (requires grad)";
        return head;
    }
}
