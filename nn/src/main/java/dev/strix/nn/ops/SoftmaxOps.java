package dev.strix.nn.ops;

import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;

/** Softmax and log-softmax along one axis. */
public final class SoftmaxOps {
    private SoftmaxOps() {}

    public static Tensor softmax(Tensor x, int axis) {
        Tensor y = x.zerosLike();
        x.device().softmax(y, x, axis);
        return Autograd.record(y, "softmax", g -> {
            Tensor dx = x.zerosLike();
            x.device().softmaxBackward(dx, g, y, axis);
            return new Tensor[] {dx};
        }, x);
    }

    public static Tensor logSoftmax(Tensor x, int axis) {
        Tensor y = x.zerosLike();
        x.device().logSoftmax(y, x, axis);
        return Autograd.record(y, "log_softmax", g -> {
            Tensor dx = x.zerosLike();
            x.device().logSoftmaxBackward(dx, g, y, axis);
            return new Tensor[] {dx};
        }, x);
    }
}
