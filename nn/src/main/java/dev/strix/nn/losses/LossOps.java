package dev.strix.nn.losses;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;
import dev.strix.nn.ops.MathOps;

import java.util.Arrays;

/** Small ops the losses share that the core op set lacks; device-agnostic (only {@link dev.strix.nn.Device} calls). */
final class LossOps {
    private LossOps() {}

    /**
     * y^gamma for a non-negative base, recording history (gradient gamma * y^(gamma-1)).
     * gamma 0 gives ones without history (zero gradient, as PyTorch's pow), gamma 1 gives y, gamma 2 the exact
     * square; other exponents are computed as exp(gamma * log y), which is 0 at y = 0 for gamma &gt; 0.
     *
     * @param y base, any shape, elements &gt;= 0
     */
    static Tensor pow(Tensor y, float gamma) {
        if (gamma == 0f) return MathOps.fullLike(y, 1f);
        if (gamma == 1f) return y;
        if (gamma == 2f) return MathOps.square(y);
        Tensor logY = rawUnary(Unary.LOG, y);
        Tensor out = rawExpOfScaled(logY, gamma);
        return Autograd.record(out, "pow_scalar", g -> {
            Tensor d = rawExpOfScaled(logY, gamma - 1f); // y^(gamma-1)
            Tensor gd = y.zerosLike();
            y.device().binary(Binary.MUL, gd, g, d);
            Tensor dx = y.zerosLike();
            y.device().scale(dx, gd, gamma);
            return new Tensor[] {dx};
        }, y);
    }

    /** exp(alpha * v) without history. */
    private static Tensor rawExpOfScaled(Tensor v, float alpha) {
        Tensor s = v.zerosLike();
        v.device().scale(s, v, alpha);
        Tensor out = v.zerosLike();
        v.device().unary(Unary.EXP, out, s);
        return out;
    }

    static Tensor rawUnary(Unary op, Tensor x) {
        Tensor out = x.zerosLike();
        x.device().unary(op, out, x);
        return out;
    }

    /** A 0-d constant on {@code like}'s device, for broadcasting against it. */
    static Tensor constant(Tensor like, float value) {
        return Tensor.full(like.device(), value);
    }

    static void requireSameShape(String loss, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(loss + ": input shape " + Arrays.toString(a.shape())
                    + " and target shape " + Arrays.toString(b.shape()) + " differ");
        if (a.device() != b.device())
            throw new IllegalArgumentException(loss + ": input and target on different devices: " + a + ", " + b);
    }
}
