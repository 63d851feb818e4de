package dev.strix.nn.ops;

import dev.strix.kernels.Elementwise.Binary;
import dev.strix.kernels.Elementwise.Unary;
import dev.strix.nn.Autograd;
import dev.strix.nn.Device;
import dev.strix.nn.Shapes;
import dev.strix.nn.Tensor;

import java.util.Arrays;

/**
 * Elementwise arithmetic with NumPy broadcasting, recording autograd history. Each op's backward sits next to
 * its forward; gradients of broadcast inputs are summed back to the input's shape.
 */
public final class MathOps {
    private MathOps() {}

    static void sameDevice(Tensor a, Tensor b) {
        if (a.device() != b.device())
            throw new IllegalArgumentException("tensors on different devices: " + a + " and " + b);
    }

    /** g summed down to {@code shape} (g itself when the shapes already agree). */
    static Tensor sumToShape(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        Tensor out = Tensor.zeros(g.device(), shape);
        g.device().sumTo(out, g);
        return out;
    }

    private static Tensor binaryRaw(Binary op, Tensor a, Tensor b) {
        sameDevice(a, b);
        Tensor out = Tensor.zeros(a.device(), Shapes.broadcast(a.shape(), b.shape()));
        a.device().binary(op, out, a, b);
        return out;
    }

    /** a + b. */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryRaw(Binary.ADD, a, b);
        return Autograd.record(out, "add", g -> new Tensor[] {sumToShape(g, a.shape()), sumToShape(g, b.shape())}, a, b);
    }

    /** a - b. */
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binaryRaw(Binary.SUB, a, b);
        return Autograd.record(out, "sub", g -> new Tensor[] {
                sumToShape(g, a.shape()), b.requiresGrad() ? sumToShape(rawScale(g, -1f), b.shape()) : null}, a, b);
    }

    /** a * b. */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryRaw(Binary.MUL, a, b);
        return Autograd.record(out, "mul", g -> new Tensor[] {
                a.requiresGrad() ? sumToShape(binaryRaw(Binary.MUL, g, b), a.shape()) : null,
                b.requiresGrad() ? sumToShape(binaryRaw(Binary.MUL, g, a), b.shape()) : null}, a, b);
    }

    /** a / b. */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binaryRaw(Binary.DIV, a, b);
        return Autograd.record(out, "div", g -> {
            Tensor ga = a.requiresGrad() || b.requiresGrad() ? binaryRaw(Binary.DIV, g, b) : null;
            return new Tensor[] {
                    a.requiresGrad() ? sumToShape(ga, a.shape()) : null,
                    b.requiresGrad() ? sumToShape(rawScale(binaryRaw(Binary.MUL, ga, out), -1f), b.shape()) : null};
        }, a, b);
    }

    /** Elementwise maximum; on ties the gradient is split evenly, as PyTorch does. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return minMax(Binary.MAX, a, b, "maximum");
    }

    /** Elementwise minimum; on ties the gradient is split evenly, as PyTorch does. */
    public static Tensor minimum(Tensor a, Tensor b) {
        return minMax(Binary.MIN, a, b, "minimum");
    }

    private static Tensor minMax(Binary op, Tensor a, Tensor b, String name) {
        Tensor out = binaryRaw(op, a, b);
        return Autograd.record(out, name, g -> {
            // weight of a: (1 + sign(a - b)) / 2 for max, (1 - sign(a - b)) / 2 for min; b gets the rest
            Tensor s = rawUnary(Unary.SIGN, binaryRaw(Binary.SUB, a, b));
            Tensor wa = rawAddScalar(rawScale(s, op == Binary.MAX ? 0.5f : -0.5f), 0.5f);
            Tensor ga = binaryRaw(Binary.MUL, g, wa);
            Tensor gb = binaryRaw(Binary.SUB, g, ga);
            return new Tensor[] {sumToShape(ga, a.shape()), sumToShape(gb, b.shape())};
        }, a, b);
    }

    /** alpha * x. */
    public static Tensor scale(Tensor x, float alpha) {
        Tensor out = rawScale(x, alpha);
        return Autograd.record(out, "scale", g -> new Tensor[] {rawScale(g, alpha)}, x);
    }

    /** x + alpha. */
    public static Tensor addScalar(Tensor x, float alpha) {
        Tensor out = rawAddScalar(x, alpha);
        return Autograd.record(out, "add_scalar", g -> new Tensor[] {g}, x);
    }

    /** -x. */
    public static Tensor neg(Tensor x) {
        return scale(x, -1f);
    }

    /** exp(x). */
    public static Tensor exp(Tensor x) {
        Tensor out = rawUnary(Unary.EXP, x);
        return Autograd.record(out, "exp", g -> new Tensor[] {binaryRaw(Binary.MUL, g, out)}, x);
    }

    /** Natural log of x. */
    public static Tensor log(Tensor x) {
        Tensor out = rawUnary(Unary.LOG, x);
        return Autograd.record(out, "log", g -> new Tensor[] {binaryRaw(Binary.DIV, g, x)}, x);
    }

    /** Square root of x. */
    public static Tensor sqrt(Tensor x) {
        Tensor out = rawUnary(Unary.SQRT, x);
        return Autograd.record(out, "sqrt", g -> new Tensor[] {rawScale(binaryRaw(Binary.DIV, g, out), 0.5f)}, x);
    }

    /** |x| (gradient sign(x), 0 at 0 as in PyTorch). */
    public static Tensor abs(Tensor x) {
        Tensor out = rawUnary(Unary.ABS, x);
        return Autograd.record(out, "abs", g -> new Tensor[] {binaryRaw(Binary.MUL, g, rawUnary(Unary.SIGN, x))}, x);
    }

    /** x * x. */
    public static Tensor square(Tensor x) {
        Tensor out = rawUnary(Unary.SQUARE, x);
        return Autograd.record(out, "square", g -> new Tensor[] {rawScale(binaryRaw(Binary.MUL, g, x), 2f)}, x);
    }

    /** 1 / x. */
    public static Tensor reciprocal(Tensor x) {
        Tensor out = rawUnary(Unary.RECIPROCAL, x);
        return Autograd.record(out, "reciprocal",
                g -> new Tensor[] {rawScale(binaryRaw(Binary.MUL, g, rawUnary(Unary.SQUARE, out)), -1f)}, x);
    }

    /** atan(x). */
    public static Tensor atan(Tensor x) {
        Tensor out = rawUnary(Unary.ATAN, x);
        return Autograd.record(out, "atan",
                g -> new Tensor[] {binaryRaw(Binary.DIV, g, rawAddScalar(rawUnary(Unary.SQUARE, x), 1f))}, x);
    }

    /** sign(x), with zero gradient. */
    public static Tensor sign(Tensor x) {
        return rawUnary(Unary.SIGN, x);
    }

    /** min(max(x, lo), hi); the gradient passes where lo <= x <= hi. */
    public static Tensor clamp(Tensor x, float lo, float hi) {
        Tensor out = x.zerosLike();
        x.device().clamp(out, x, lo, hi);
        return Autograd.record(out, "clamp", g -> {
            Tensor dx = x.zerosLike();
            x.device().clampBackward(dx, g, x, lo, hi);
            return new Tensor[] {dx};
        }, x);
    }

    /** max(x, lo). */
    public static Tensor clampMin(Tensor x, float lo) {
        return clamp(x, lo, Float.POSITIVE_INFINITY);
    }

    /** A constant tensor shaped and placed like {@code like}. */
    public static Tensor fullLike(Tensor like, float value) {
        return Tensor.full(like.device(), value, like.shape());
    }

    // ---- helpers without history, for backward functions --------------------------------------------

    static Tensor rawScale(Tensor x, float alpha) {
        Tensor out = x.zerosLike();
        x.device().scale(out, x, alpha);
        return out;
    }

    static Tensor rawAddScalar(Tensor x, float alpha) {
        Tensor out = x.zerosLike();
        x.device().addScalar(out, x, alpha);
        return out;
    }

    static Tensor rawUnary(Unary op, Tensor x) {
        Tensor out = x.zerosLike();
        x.device().unary(op, out, x);
        return out;
    }

    static Tensor rawMul(Tensor a, Tensor b) {
        return binaryRaw(Binary.MUL, a, b);
    }

    static Device device(Tensor... ts) {
        Device d = ts[0].device();
        for (Tensor t : ts) if (t != null && t.device() != d) sameDevice(ts[0], t);
        return d;
    }
}
