package dev.strix.nn;

/**
 * One recorded op in the autograd graph: its inputs and the function that maps the gradient of its output
 * to gradients of those inputs.
 */
public final class Node {
    /** Maps the output's gradient to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String name;
    private Tensor[] inputs;
    private Backward backward;

    Node(String name, Tensor[] inputs, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** The op's name, e.g. {@code conv2d}. */
    public String name() {
        return name;
    }

    Tensor[] inputs() {
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (backward == null)
            throw new IllegalStateException("the graph through '" + name + "' was already used by a backward pass and "
                    + "freed; pass retainGraph=true to the first backward to run another");
        return backward.apply(gradOutput);
    }

    /**
     * Drops the saved tensors and the links to the inputs so that their memory can be reclaimed while the rest
     * of the backward pass runs (a released node's output reaches no tensor of the graph any more).
     */
    void release() {
        backward = null;
        inputs = NO_INPUTS;
    }

    private static final Tensor[] NO_INPUTS = new Tensor[0];
}
