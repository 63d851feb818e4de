package dev.strix.nn.ops;

import dev.strix.kernels.PoolShape;
import dev.strix.nn.Autograd;
import dev.strix.nn.Tensor;

/** Max and average pooling, nearest upsampling (NCHW). */
public final class PoolOps {
    private PoolOps() {}

    static PoolShape shape(Tensor x, int kernel, int stride, int padding, boolean ceilMode) {
        if (x.dim() != 4) throw new IllegalArgumentException("pooling needs (N, C, H, W), got " + x);
        int[] s = x.shape();
        return new PoolShape(s[0], s[1], s[2], s[3], kernel, kernel, stride, stride, padding, padding, ceilMode);
    }

    /** Max pooling with a square window. x (N,C,H,W) -> (N,C,P,Q). */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding, boolean ceilMode) {
        PoolShape ps = shape(x, kernel, stride, padding, ceilMode);
        Tensor y = Tensor.zeros(x.device(), ps.batch(), ps.channels(), ps.outH(), ps.outW());
        x.device().maxPoolForward(y, x, ps);
        return Autograd.record(y, "max_pool2d", g -> {
            Tensor dx = x.zerosLike();
            x.device().maxPoolBackward(dx, g, x, y, ps);
            return new Tensor[] {dx};
        }, x);
    }

    /** Average pooling with a square window. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean ceilMode,
                                   boolean countIncludePad) {
        PoolShape ps = shape(x, kernel, stride, padding, ceilMode);
        Tensor y = Tensor.zeros(x.device(), ps.batch(), ps.channels(), ps.outH(), ps.outW());
        x.device().avgPoolForward(y, x, ps, countIncludePad);
        return Autograd.record(y, "avg_pool2d", g -> {
            Tensor dx = x.zerosLike();
            x.device().avgPoolBackward(dx, g, ps, countIncludePad);
            return new Tensor[] {dx};
        }, x);
    }

    /** Nearest upsampling by integer factors. x (N,C,H,W) -> (N,C,H*sh,W*sw). */
    public static Tensor upsampleNearest(Tensor x, int scaleH, int scaleW) {
        if (x.dim() != 4) throw new IllegalArgumentException("upsample needs (N, C, H, W), got " + x);
        if (scaleH < 1 || scaleW < 1) throw new IllegalArgumentException("scale factors must be >= 1");
        int[] s = x.shape();
        Tensor y = Tensor.zeros(x.device(), s[0], s[1], s[2] * scaleH, s[3] * scaleW);
        x.device().upsampleNearestForward(y, x, scaleH, scaleW);
        return Autograd.record(y, "upsample_nearest", g -> {
            Tensor dx = x.zerosLike();
            x.device().upsampleNearestBackward(dx, g, scaleH, scaleW);
            return new Tensor[] {dx};
        }, x);
    }
}
