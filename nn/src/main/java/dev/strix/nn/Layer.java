package dev.strix.nn;

/** A module with one input and one output, the kind that {@code Sequential} chains. */
public interface Layer {
    /** Applies the layer; the shapes are documented by each implementation. */
    Tensor forward(Tensor x);
}
