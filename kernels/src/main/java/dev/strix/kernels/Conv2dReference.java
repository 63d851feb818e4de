package dev.strix.kernels;

/**
 * Scalar twin of {@link Conv2d}: plain nested loops over the definition, sums kept in double.
 *
 * <p>Legend (see {@link ConvShape}): x (N, C, H, W), w (K, C/groups, R, S), bias (K), y and dy
 * (N, K, P, Q), all NCHW / OIHW row-major. Output pixel (p, q) reads input row p*strideH - padH + r*dilationH
 * and column q*strideW - padW + s*dilationW for tap (r, s); taps outside the input read zero.
 */
public final class Conv2dReference {
    private Conv2dReference() {}

    /**
     * y = conv(x, w) + bias.
     *
     * @param y    (N, K, P, Q), overwritten
     * @param x    (N, C, H, W)
     * @param w    (K, C/groups, R, S)
     * @param bias (K) or null
     */
    public static void forward(float[] y, float[] x, float[] w, float[] bias, ConvShape s) {
        Conv2d.checkSizes(s, "y", y, s.outputSize(), x, w, bias);
        int oh = s.outH(), ow = s.outW(), cg = s.inChannelsPerGroup(), kg = s.outChannelsPerGroup();
        for (int n = 0; n < s.batch(); n++) {
            for (int k = 0; k < s.outChannels(); k++) {
                int g = k / kg;
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        double sum = bias == null ? 0 : bias[k];
                        for (int c = 0; c < cg; c++) {
                            int ci = g * cg + c;
                            for (int r = 0; r < s.kernelH(); r++) {
                                int ih = p * s.strideH() - s.padH() + r * s.dilationH();
                                if (ih < 0 || ih >= s.inH()) continue;
                                for (int t = 0; t < s.kernelW(); t++) {
                                    int iw = q * s.strideW() - s.padW() + t * s.dilationW();
                                    if (iw < 0 || iw >= s.inW()) continue;
                                    sum += (double) x[((n * s.inChannels() + ci) * s.inH() + ih) * s.inW() + iw]
                                            * w[((k * cg + c) * s.kernelH() + r) * s.kernelW() + t];
                                }
                            }
                        }
                        y[((n * s.outChannels() + k) * oh + p) * ow + q] = (float) sum;
                    }
                }
            }
        }
    }

    /**
     * dx = gradient of sum(y * dy) with respect to x.
     *
     * @param dx (N, C, H, W), overwritten
     * @param dy (N, K, P, Q)
     * @param w  (K, C/groups, R, S)
     */
    public static void backwardData(float[] dx, float[] dy, float[] w, ConvShape s) {
        Conv2d.checkSizes(s, "dx", dx, s.inputSize(), null, w, null);
        Conv2d.checkLength("dy", dy, s.outputSize());
        int oh = s.outH(), ow = s.outW(), cg = s.inChannelsPerGroup(), kg = s.outChannelsPerGroup();
        double[] acc = new double[s.inputSize()];
        for (int n = 0; n < s.batch(); n++) {
            for (int k = 0; k < s.outChannels(); k++) {
                int g = k / kg;
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        double d = dy[((n * s.outChannels() + k) * oh + p) * ow + q];
                        for (int c = 0; c < cg; c++) {
                            int ci = g * cg + c;
                            for (int r = 0; r < s.kernelH(); r++) {
                                int ih = p * s.strideH() - s.padH() + r * s.dilationH();
                                if (ih < 0 || ih >= s.inH()) continue;
                                for (int t = 0; t < s.kernelW(); t++) {
                                    int iw = q * s.strideW() - s.padW() + t * s.dilationW();
                                    if (iw < 0 || iw >= s.inW()) continue;
                                    acc[((n * s.inChannels() + ci) * s.inH() + ih) * s.inW() + iw] +=
                                            d * w[((k * cg + c) * s.kernelH() + r) * s.kernelW() + t];
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) dx[i] = (float) acc[i];
    }

    /**
     * dw = gradient of sum(y * dy) with respect to w, summed over the batch.
     *
     * @param dw (K, C/groups, R, S), overwritten
     * @param dy (N, K, P, Q)
     * @param x  (N, C, H, W)
     */
    public static void backwardFilter(float[] dw, float[] dy, float[] x, ConvShape s) {
        Conv2d.checkSizes(s, "dw", dw, s.weightSize(), x, null, null);
        Conv2d.checkLength("dy", dy, s.outputSize());
        int oh = s.outH(), ow = s.outW(), cg = s.inChannelsPerGroup(), kg = s.outChannelsPerGroup();
        for (int k = 0; k < s.outChannels(); k++) {
            int g = k / kg;
            for (int c = 0; c < cg; c++) {
                int ci = g * cg + c;
                for (int r = 0; r < s.kernelH(); r++) {
                    for (int t = 0; t < s.kernelW(); t++) {
                        double sum = 0;
                        for (int n = 0; n < s.batch(); n++) {
                            for (int p = 0; p < oh; p++) {
                                int ih = p * s.strideH() - s.padH() + r * s.dilationH();
                                if (ih < 0 || ih >= s.inH()) continue;
                                for (int q = 0; q < ow; q++) {
                                    int iw = q * s.strideW() - s.padW() + t * s.dilationW();
                                    if (iw < 0 || iw >= s.inW()) continue;
                                    sum += (double) dy[((n * s.outChannels() + k) * oh + p) * ow + q]
                                            * x[((n * s.inChannels() + ci) * s.inH() + ih) * s.inW() + iw];
                                }
                            }
                        }
                        dw[((k * cg + c) * s.kernelH() + r) * s.kernelW() + t] = (float) sum;
                    }
                }
            }
        }
    }

    /**
     * db[k] = sum of dy[n, k, p, q] over n, p, q.
     *
     * @param db (K), overwritten
     * @param dy (N, K, P, Q)
     */
    public static void backwardBias(float[] db, float[] dy, ConvShape s) {
        Conv2d.checkLength("db", db, s.outChannels());
        Conv2d.checkLength("dy", dy, s.outputSize());
        int plane = s.outH() * s.outW();
        for (int k = 0; k < s.outChannels(); k++) {
            double sum = 0;
            for (int n = 0; n < s.batch(); n++) {
                int base = (n * s.outChannels() + k) * plane;
                for (int i = 0; i < plane; i++) sum += dy[base + i];
            }
            db[k] = (float) sum;
        }
    }
}
