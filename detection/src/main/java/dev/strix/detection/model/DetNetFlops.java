package dev.strix.detection.model;

/**
 * Counts DetNet's forward floating-point operations from its configuration: for every convolution
 * 2 * K * (C/groups) * R * S * P * Q (a multiply-add counts as 2), summed over the layers that {@link DetNet}
 * runs for one image.
 */
final class DetNetFlops {
    private DetNetFlops() {}

    /**
     * @param config the model
     * @param h      image height in pixels, a positive multiple of 32
     * @param w      image width in pixels, a positive multiple of 32
     */
    static long forward(DetNetConfig config, int h, int w) {
        if (h < DetNet.SIZE_MULTIPLE || w < DetNet.SIZE_MULTIPLE || h % DetNet.SIZE_MULTIPLE != 0
                || w % DetNet.SIZE_MULTIPLE != 0)
            throw new IllegalArgumentException("DetNet FLOPs need H and W positive multiples of "
                    + DetNet.SIZE_MULTIPLE + ", got " + h + "x" + w);
        int base = config.width(), f = config.fpnChannels();
        long flops = conv(3, base, 3, h / 2, w / 2);
        int cin = base;
        for (int stage = 1; stage <= 4; stage++) {
            int cout = base << stage, div = 2 << stage;
            flops += conv(cin, cout, 3, h / div, w / div) + conv(cout, cout, 3, h / div, w / div);
            cin = cout;
        }
        for (int i = 0; i < DetNet.STRIDES.length; i++) {
            int lh = h / DetNet.STRIDES[i], lw = w / DetNet.STRIDES[i];
            flops += conv(base << (i + 2), f, 1, lh, lw); // lateral
            flops += conv(f, f, 3, lh, lw); // smoothing
            flops += 2L * config.towerDepth() * conv(f, f, 3, lh, lw); // both towers
            flops += conv(f, config.numClasses(), 3, lh, lw) + conv(f, 4, 3, lh, lw) + conv(f, 1, 3, lh, lw);
        }
        return flops;
    }

    /** A k x k convolution from cin to cout channels producing a p x q map. */
    private static long conv(int cin, int cout, int k, int p, int q) {
        return 2L * cout * cin * k * k * p * q;
    }
}
