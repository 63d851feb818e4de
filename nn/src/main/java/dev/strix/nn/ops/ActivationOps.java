package dev.strix.nn.ops;

import dev.strix.kernels.Activation;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;

/** Pointwise activations: ReLU, LeakyReLU, SiLU, sigmoid, tanh. */
public final class ActivationOps {
    private ActivationOps() {}

    /** Applies {@code kind} (alpha is the LeakyReLU slope, ignored otherwise). */
    public static Tensor apply(Activation kind, float alpha, Tensor x) {
        Tensor y = x.zerosLike();
        x.device().activationForward(kind, alpha, y, x);
        return Autograd.record(y, kind.name().toLowerCase(java.util.Locale.ROOT), g -> {
            Tensor dx = x.zerosLike();
            x.device().activationBackward(kind, alpha, dx, g, x, y);
            return new Tensor[] {dx};
        }, x);
    }

    public static Tensor relu(Tensor x) {
        return apply(Activation.RELU, 0f, x);
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        return apply(Activation.LEAKY_RELU, slope, x);
    }

    public static Tensor silu(Tensor x) {
        return apply(Activation.SILU, 0f, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return apply(Activation.SIGMOID, 0f, x);
    }

    public static Tensor tanh(Tensor x) {
        return apply(Activation.TANH, 0f, x);
    }
}
