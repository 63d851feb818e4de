package dev.strix.nn.optim;

import dev.strix.nn.Module;
import dev.strix.nn.Tensor;
import dev.strix.nn.testing.RandomTensors;

/**
 * A small model for the optimizer tests: a convolution kernel and bias, a norm layer's scale, shift and
 * running statistics plus an int64 counter in a child module, and a linear head's weight matrix.
 */
final class TinyNet extends Module {
    /** A child holding batch-norm-like parameters and buffers. */
    static final class Norm extends Module {
        Norm(long seed) {
            registerParameter("weight", RandomTensors.normal(seed, 4));
            registerParameter("bias", RandomTensors.normal(seed + 1, 4));
            registerBuffer("running_mean", RandomTensors.normal(seed + 2, 4));
            registerBuffer("running_var", RandomTensors.uniform(seed + 3, 0.5f, 2f, 4));
            registerBuffer("num_batches_tracked", Tensor.ofLongs(new long[] {0}));
        }

        Tensor t(String name) {
            return name.equals("weight") || name.equals("bias") ? param(name) : buffer(name);
        }
    }

    final Norm norm;

    TinyNet(long seed) {
        registerParameter("conv_weight", RandomTensors.normal(seed, 4, 3, 3, 3));
        registerParameter("conv_bias", RandomTensors.normal(seed + 10, 4));
        norm = registerModule("norm", new Norm(seed + 20));
        registerParameter("head_weight", RandomTensors.normal(seed + 30, 2, 4));
    }

    Tensor p(String name) {
        return param(name);
    }
}
