package dev.strix.kernels;

/** Pointwise activations computed by {@link Activations}. */
public enum Activation {
    /** max(x, 0). */
    RELU,
    /** x for x > 0, alpha * x otherwise (alpha = the slope argument). */
    LEAKY_RELU,
    /** x * sigmoid(x) (a.k.a. swish). */
    SILU,
    /** 1 / (1 + exp(-x)). */
    SIGMOID,
    /** tanh(x). */
    TANH
}
