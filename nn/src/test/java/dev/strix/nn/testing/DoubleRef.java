package dev.strix.nn.testing;

import dev.strix.nn.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Double-precision scalar references of the nn ops' forward passes, written from PyTorch's definitions with plain
 * loops over {@code double[]} and no Strix code. {@link GradCheck64} differentiates them by finite differences in
 * double, so they must be smooth wherever the tests evaluate them and must not round to float anywhere.
 *
 * <p>Layout: a {@link Dense} is a row-major array with a shape, like a contiguous tensor. Legend used below:
 * N batch, C input channels, K output channels, H x W input size, P x Q output size, R x S kernel size.
 */
public final class DoubleRef {
    private DoubleRef() {}

    /** A row-major double array with a shape; a 0-d array holds one value. */
    public record Dense(int[] shape, double[] data) {
        public Dense {
            shape = shape.clone();
            if (DoubleRef.numel(shape) != data.length)
                throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }

        /** The float32 tensor's values, exactly (every float is a double). */
        public static Dense of(Tensor t) {
            float[] f = t.toArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return new Dense(t.shape(), d);
        }

        public static Dense scalar(double v) {
            return new Dense(new int[0], new double[] {v});
        }

        public int numel() {
            return data.length;
        }

        public int dim() {
            return shape.length;
        }

        public int size(int d) {
            return shape[d < 0 ? d + shape.length : d];
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** The values rounded to float, as a CPU tensor of the same shape. */
        public Tensor toTensor() {
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
            return Tensor.of(f, shape);
        }
    }

    // ---- shapes ---------------------------------------------------------------------------------------

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Row-major strides of a contiguous array. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** NumPy broadcast of two shapes (right-aligned; a size 1 stretches). */
    public static int[] broadcastShape(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /** Offset into an array of shape {@code from} for the multi-index {@code idx} of the broadcast shape. */
    private static int broadcastOffset(int[] from, int[] idx) {
        int off = 0, stride = 1;
        for (int i = from.length - 1, j = idx.length - 1; i >= 0; i--, j--) {
            if (from[i] != 1) off += idx[j] * stride;
            stride *= from[i];
        }
        return off;
    }

    /** Multi-index of flat position {@code flat} in {@code shape}. */
    public static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    // ---- elementwise ----------------------------------------------------------------------------------

    public static Dense map(Dense x, DoubleUnaryOperator f) {
        double[] r = new double[x.numel()];
        for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(x.data()[i]);
        return new Dense(x.shape, r);
    }

    /** f(a, b) with broadcasting. */
    public static Dense zip(Dense a, Dense b, DoubleBinaryOperator f) {
        int[] s = broadcastShape(a.shape(), b.shape());
        double[] r = new double[numel(s)];
        for (int i = 0; i < r.length; i++) {
            int[] idx = unravel(i, s);
            r[i] = f.applyAsDouble(a.data()[broadcastOffset(a.shape, idx)], b.data()[broadcastOffset(b.shape, idx)]);
        }
        return new Dense(s, r);
    }

    /** x broadcast to {@code shape}. */
    public static Dense expand(Dense x, int[] shape) {
        double[] r = new double[numel(shape)];
        for (int i = 0; i < r.length; i++) r[i] = x.data()[broadcastOffset(x.shape, unravel(i, shape))];
        return new Dense(shape, r);
    }

    // ---- reductions -----------------------------------------------------------------------------------

    public static double sum(Dense x) {
        double s = 0;
        for (double v : x.data()) s += v;
        return s;
    }

    /** Sum over {@code axis}, keeping it as size 1 when {@code keep}. */
    public static Dense sumAxis(Dense x, int axis, boolean keep) {
        int a = axis < 0 ? axis + x.dim() : axis;
        int[] kept = x.shape();
        kept[a] = 1;
        Dense r = sumTo(x, kept);
        if (keep) return r;
        int[] dropped = new int[x.dim() - 1];
        for (int i = 0, j = 0; i < x.dim(); i++) if (i != a) dropped[j++] = x.shape[i];
        return new Dense(dropped, r.data());
    }

    /** The reverse of broadcasting: x summed down to {@code shape}. */
    public static Dense sumTo(Dense x, int[] shape) {
        double[] r = new double[numel(shape)];
        for (int i = 0; i < x.numel(); i++) r[broadcastOffset(shape, unravel(i, x.shape))] += x.data()[i];
        return new Dense(shape, r);
    }

    // ---- shape ----------------------------------------------------------------------------------------

    public static Dense reshape(Dense x, int... shape) {
        return new Dense(shape, x.data().clone());
    }

    /** Output dimension i is input dimension perm[i] (negative entries count from the end). */
    public static Dense permute(Dense x, int... perm) {
        int n = x.dim();
        int[] p = new int[n], os = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = perm[i] < 0 ? perm[i] + n : perm[i];
            os[i] = x.shape[p[i]];
        }
        int[] xs = strides(x.shape);
        double[] r = new double[x.numel()];
        for (int i = 0; i < r.length; i++) {
            int[] idx = unravel(i, os);
            int off = 0;
            for (int d = 0; d < n; d++) off += idx[d] * xs[p[d]];
            r[i] = x.data()[off];
        }
        return new Dense(os, r);
    }

    public static Dense narrow(Dense x, int axis, int start, int length) {
        int a = axis < 0 ? axis + x.dim() : axis;
        int[] os = x.shape();
        os[a] = length;
        double[] r = new double[numel(os)];
        int[] xs = strides(x.shape);
        for (int i = 0; i < r.length; i++) {
            int[] idx = unravel(i, os);
            idx[a] += start;
            int off = 0;
            for (int d = 0; d < idx.length; d++) off += idx[d] * xs[d];
            r[i] = x.data()[off];
        }
        return new Dense(os, r);
    }

    public static Dense cat(List<Dense> parts, int axis) {
        int a = axis < 0 ? axis + parts.get(0).dim() : axis;
        int[] os = parts.get(0).shape();
        os[a] = 0;
        for (Dense p : parts) os[a] += p.shape[a];
        double[] r = new double[numel(os)];
        for (int i = 0; i < r.length; i++) {
            int[] idx = unravel(i, os);
            int k = 0;
            while (idx[a] >= parts.get(k).shape[a]) idx[a] -= parts.get(k++).shape[a];
            Dense p = parts.get(k);
            int[] ps = strides(p.shape);
            int off = 0;
            for (int d = 0; d < idx.length; d++) off += idx[d] * ps[d];
            r[i] = p.data()[off];
        }
        return new Dense(os, r);
    }

    // ---- softmax --------------------------------------------------------------------------------------

    /** softmax (log = false) or log-softmax (log = true) along {@code axis}, shifted by the maximum. */
    public static Dense softmax(Dense x, int axis, boolean log) {
        int a = axis < 0 ? axis + x.dim() : axis;
        int outer = 1, n = x.shape[a], inner = 1;
        for (int i = 0; i < a; i++) outer *= x.shape[i];
        for (int i = a + 1; i < x.dim(); i++) inner *= x.shape[i];
        double[] r = new double[x.numel()];
        for (int o = 0; o < outer; o++)
            for (int in = 0; in < inner; in++) {
                int base = o * n * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) max = Math.max(max, x.data()[base + k * inner]);
                double z = 0;
                for (int k = 0; k < n; k++) z += Math.exp(x.data()[base + k * inner] - max);
                for (int k = 0; k < n; k++) {
                    double v = x.data()[base + k * inner] - max;
                    r[base + k * inner] = log ? v - Math.log(z) : Math.exp(v) / z;
                }
            }
        return new Dense(x.shape, r);
    }

    // ---- dense layers ---------------------------------------------------------------------------------

    /** (m, k) x (k, n). */
    public static Dense matmul(Dense a, Dense b) {
        int m = a.shape[0], k = a.shape[1], n = b.shape[1];
        double[] r = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += a.data()[i * k + t] * b.data()[t * n + j];
                r[i * n + j] = s;
            }
        return new Dense(new int[] {m, n}, r);
    }

    /** y = x w^T + b for x (..., in), w (out, in), b (out) or null. */
    public static Dense linear(Dense x, Dense w, Dense b) {
        int in = w.shape[1], out = w.shape[0], m = x.numel() / in;
        int[] ys = x.shape();
        ys[ys.length - 1] = out;
        double[] r = new double[m * out];
        for (int i = 0; i < m; i++)
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b.data()[o];
                for (int t = 0; t < in; t++) s += x.data()[i * in + t] * w.data()[o * in + t];
                r[i * out + o] = s;
            }
        return new Dense(ys, r);
    }

    /**
     * Cross-correlation as PyTorch's conv2d: x (N, C, H, W), w (K, C/groups, R, S), bias (K) or null;
     * P = floor((H + 2 pad - dil (R - 1) - 1) / stride) + 1, and output channel k reads input channels of group
     * k / (K / groups).
     *
     * @param stride {vertical, horizontal}; likewise pad and dil
     */
    public static Dense conv2d(Dense x, Dense w, Dense bias, int[] stride, int[] pad, int[] dil, int groups) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int k = w.shape[0], cg = w.shape[1], rr = w.shape[2], ss = w.shape[3];
        int p = (h + 2 * pad[0] - dil[0] * (rr - 1) - 1) / stride[0] + 1;
        int q = (wd + 2 * pad[1] - dil[1] * (ss - 1) - 1) / stride[1] + 1;
        int kPerGroup = k / groups;
        if (cg * groups != c) throw new IllegalArgumentException("channels " + c + " vs " + cg + " x " + groups);
        double[] y = new double[n * k * p * q];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < k; o++) {
                int g = o / kPerGroup;
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < q; j++) {
                        double s = bias == null ? 0 : bias.data()[o];
                        for (int ci = 0; ci < cg; ci++)
                            for (int r = 0; r < rr; r++)
                                for (int t = 0; t < ss; t++) {
                                    int hi = i * stride[0] - pad[0] + r * dil[0], wi = j * stride[1] - pad[1] + t * dil[1];
                                    if (hi < 0 || hi >= h || wi < 0 || wi >= wd) continue;
                                    s += x.data()[((b * c + g * cg + ci) * h + hi) * wd + wi]
                                            * w.data()[((o * cg + ci) * rr + r) * ss + t];
                                }
                        y[((b * k + o) * p + i) * q + j] = s;
                    }
            }
        return new Dense(new int[] {n, k, p, q}, y);
    }

    // ---- pooling --------------------------------------------------------------------------------------

    /** PyTorch's pooling output size (dilation 1): the last window must start inside the input or left padding. */
    public static int poolOut(int in, int kernel, int stride, int pad, boolean ceil) {
        int num = in + 2 * pad - kernel;
        int out = (ceil ? (num + stride - 1) / stride : num / stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return out;
    }

    /** Max pooling, square window; padded positions never win (they act as -infinity). */
    public static Dense maxPool2d(Dense x, int kernel, int stride, int pad, boolean ceil) {
        return pool(x, kernel, stride, pad, ceil, true, false);
    }

    /**
     * Average pooling as PyTorch's avg_pool2d: the window is clipped to the padded input [-pad, size + pad) to
     * get the divisor when padding counts, and to the input itself for the sum (and the divisor otherwise).
     */
    public static Dense avgPool2d(Dense x, int kernel, int stride, int pad, boolean ceil, boolean countIncludePad) {
        return pool(x, kernel, stride, pad, ceil, false, countIncludePad);
    }

    private static Dense pool(Dense x, int kernel, int stride, int pad, boolean ceil, boolean max, boolean includePad) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        int p = poolOut(h, kernel, stride, pad, ceil), q = poolOut(w, kernel, stride, pad, ceil);
        double[] y = new double[n * c * p * q];
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < p; i++)
                for (int j = 0; j < q; j++) {
                    int h0 = i * stride - pad, w0 = j * stride - pad;
                    int h1 = Math.min(h0 + kernel, h + pad), w1 = Math.min(w0 + kernel, w + pad);
                    int padded = (h1 - h0) * (w1 - w0);
                    h0 = Math.max(h0, 0);
                    w0 = Math.max(w0, 0);
                    h1 = Math.min(h1, h);
                    w1 = Math.min(w1, w);
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int a = h0; a < h1; a++)
                        for (int b = w0; b < w1; b++) {
                            double v = x.data()[(plane * h + a) * w + b];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    if (!max) acc /= includePad ? padded : (h1 - h0) * (w1 - w0);
                    y[(plane * p + i) * q + j] = acc;
                }
        return new Dense(new int[] {n, c, p, q}, y);
    }

    /** Nearest upsampling by integer factors: out[i][j] = x[i / sh][j / sw]. */
    public static Dense upsampleNearest(Dense x, int sh, int sw) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        double[] y = new double[n * c * h * sh * w * sw];
        for (int plane = 0; plane < n * c; plane++)
            for (int i = 0; i < h * sh; i++)
                for (int j = 0; j < w * sw; j++)
                    y[(plane * h * sh + i) * w * sw + j] = x.data()[(plane * h + i / sh) * w + j / sw];
        return new Dense(new int[] {n, c, h * sh, w * sw}, y);
    }

    // ---- batch norm -----------------------------------------------------------------------------------

    /** Per-channel mean and biased variance of x (N, C, ...) over every axis but 1: {mean[C], var[C]}. */
    public static double[][] channelMoments(Dense x) {
        int n = x.shape[0], c = x.shape[1], inner = x.numel() / (n * c);
        double[] mean = new double[c], var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int b = 0; b < n; b++) for (int i = 0; i < inner; i++) s += x.data()[(b * c + ch) * inner + i];
            mean[ch] = s / (n * inner);
            double v = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < inner; i++) {
                    double d = x.data()[(b * c + ch) * inner + i] - mean[ch];
                    v += d * d;
                }
            var[ch] = v / (n * inner);
        }
        return new double[][] {mean, var};
    }

    /** y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c] for x (N, C, ...). */
    public static Dense normalize(Dense x, double[] mean, double[] var, Dense gamma, Dense beta, double eps) {
        int n = x.shape[0], c = x.shape[1], inner = x.numel() / (n * c);
        double[] y = new double[x.numel()];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                double inv = 1 / Math.sqrt(var[ch] + eps);
                for (int i = 0; i < inner; i++) {
                    int at = (b * c + ch) * inner + i;
                    y[at] = (x.data()[at] - mean[ch]) * inv * gamma.data()[ch] + beta.data()[ch];
                }
            }
        return new Dense(x.shape, y);
    }

    /** Batch norm in training mode: normalised with the batch's own mean and biased variance. */
    public static Dense batchNormTraining(Dense x, Dense gamma, Dense beta, double eps) {
        double[][] m = channelMoments(x);
        return normalize(x, m[0], m[1], gamma, beta, eps);
    }
}
