package dev.strix.detection.bench;

import dev.strix.detection.model.DetNet;
import dev.strix.detection.model.DetNetConfig;
import dev.strix.kernels.ConvShape;

import java.util.ArrayList;
import java.util.List;

/**
 * The convolutions one DetNet forward pass runs, grouped by shape: identical shapes (the smoothing conv and
 * the tower convs of one level, for example) appear once with their count.
 */
public final class DetNetConvLayers {
    /**
     * One distinct convolution shape.
     *
     * @param name  the layers it stands for, state-dict style ({@code s1.0.0}, {@code P3 smooth+towers})
     * @param shape geometry for the whole batch
     * @param count how many times a forward pass runs it
     */
    public record Layer(String name, ConvShape shape, int count) {
        /** Forward floating-point operations of one run, 2 x K x C x R x S x P x Q x N. */
        public double flops() {
            ConvShape s = shape;
            return 2.0 * s.batch() * s.outChannels() * s.inChannelsPerGroup() * s.kernelH() * s.kernelW()
                    * s.outH() * s.outW();
        }
    }

    private DetNetConvLayers() {}

    /**
     * @param config the model
     * @param batch  images N (>= 1)
     * @param size   image side, a positive multiple of 32
     */
    public static List<Layer> of(DetNetConfig config, int batch, int size) {
        if (size < DetNet.SIZE_MULTIPLE || size % DetNet.SIZE_MULTIPLE != 0)
            throw new IllegalArgumentException("size must be a positive multiple of " + DetNet.SIZE_MULTIPLE
                    + ", got " + size);
        int w = config.width(), f = config.fpnChannels();
        List<Layer> layers = new ArrayList<>();
        layers.add(new Layer("stem.0", ConvShape.of(batch, 3, size, size, w, 3, 2, 1), 1));
        int cin = w, side = size / 2;
        for (int stage = 1; stage <= 4; stage++) {
            int cout = w << stage;
            layers.add(new Layer("s" + stage + ".0.0", ConvShape.of(batch, cin, side, side, cout, 3, 2, 1), 1));
            side /= 2;
            layers.add(new Layer("s" + stage + ".1.0", ConvShape.of(batch, cout, side, side, cout, 3, 1, 1), 1));
            cin = cout;
        }
        for (int i = 0; i < DetNet.STRIDES.length; i++) {
            int s = size / DetNet.STRIDES[i], level = i + 3;
            layers.add(new Layer("lat." + i, ConvShape.of(batch, w << (i + 2), s, s, f, 1, 1, 0), 1));
            layers.add(new Layer("P" + level + " smooth+towers", ConvShape.of(batch, f, s, s, f, 3, 1, 1),
                    1 + 2 * config.towerDepth()));
            layers.add(new Layer("P" + level + " cls_out", ConvShape.of(batch, f, s, s, config.numClasses(), 3, 1, 1), 1));
            layers.add(new Layer("P" + level + " box_out", ConvShape.of(batch, f, s, s, 4, 3, 1, 1), 1));
            layers.add(new Layer("P" + level + " ctr_out", ConvShape.of(batch, f, s, s, 1, 3, 1, 1), 1));
        }
        return List.copyOf(layers);
    }
}
