package dev.strix.nn;

/** Views that share a tensor's storage; used by the reshape op, which records the history itself. */
public final class TensorViews {
    private TensorViews() {}

    /** The storage of {@code x} seen with {@code shape} (same numel), without history. */
    public static Tensor view(Tensor x, int[] shape) {
        return x.viewStorage(shape);
    }
}
