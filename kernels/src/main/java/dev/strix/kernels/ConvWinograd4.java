package dev.strix.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 convolution by Winograd's F(4x4, 3x3): 36 multiplications per 4 x 4 output tile and channel pair
 * instead of 144 (F(2x2, 3x3), {@link ConvWinograd}, needs 64 for the same 16 outputs).
 *
 * <p>Legend: 4 x 4 output tiles, tile (i, j) of image n reading the 6 x 6 input patch at (4i - padH, 4j - padW).
 * With
 * <pre>
 *   B^T = | 4  0 -5  0  1  0 |    G = |  1/4     0     0   |    A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |        | -1/6  -1/6  -1/6  |          | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |        | -1/6   1/6  -1/6  |          | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |        |  1/24  1/12  1/6  |          | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |        |  1/24 -1/12  1/6  |
 *         | 0  4  0 -5  0  1 |        |  0     0     1    |
 * </pre>
 * U = G g G^T, V = B^T d B, Y = A^T [sum_c U (.) V] A: one GEMM per element of the 6 x 6 transformed domain (36),
 * with the micro-kernel of {@link GemmBlocked}, in blocks of tiles that keep V and M in L2, as in
 * {@link ConvWinograd}. The transforms run across L tiles at once on the zero-padded input: the four column
 * phases of four vectors (and of four more, 4 columns on) are the six patch columns of L tiles. Only planes whose
 * tile rows fill a vector are taken: L tiles per row (outputs 4L wide), L/2 or L/4 (2L or L wide, two or four
 * tile rows per vector, each lane quarter read from its own rows), with sides that are multiples of 4. The larger coefficients round more than F(2x2, 3x3) does (still
 * within a few units in the sixth digit of the sum of the terms' magnitudes).
 */
final class ConvWinograd4 {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = Simd.F.length();
    private static final int MR = GemmBlocked.MR, NR = GemmBlocked.NR;
    /** Target bytes of one block's V and M together, as {@link ConvWinograd}'s. */
    private static final int BLOCK_BYTES = 768 * 1024;

    private static final ThreadLocal<float[][]> WEIGHTS = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> PADDED = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Per-thread V, M and 48 vectors of transform scratch. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    private ConvWinograd4() {}

    /** Whether {@link #forward} can compute this convolution: as {@link ConvWinograd#applies}, and whole vectors of tiles. */
    static boolean applies(ConvShape s) {
        if (!ConvWinograd.applies(s) || L < 8 || s.outH() % 4 != 0 || s.outW() % 4 != 0) return false;
        int tilesW = s.outW() / 4, rows = L / tilesW;
        return (tilesW == L || 2 * tilesW == L || 4 * tilesW == L) && (s.outH() / 4) % rows == 0;
    }

    /** Whether the forward pass should come here: it {@link #applies}, with the channels {@link ConvWinograd#suits} asks. */
    static boolean suits(ConvShape s) {
        return applies(s) && ConvWinograd.suits(s);
    }

    /** y = conv(x, w) + bias, then max(0, .) when relu; for shapes it {@link #applies} to. */
    static void forward(float[] y, float[] x, float[] w, float[] bias, ConvShape s, boolean relu) {
        if (!applies(s)) throw new IllegalArgumentException("Winograd F(4x4,3x3) does not take " + s);
        int k = s.outChannels(), c = s.inChannels(), kp = (k + MR - 1) / MR * MR;
        int uStride = kp * c + 16;
        float[] u = ConvWinograd.buffer(WEIGHTS, 36 * uStride);
        transformWeights(w, k, c, kp, uStride, u);
        int tilesH = s.outH() / 4, tilesW = s.outW() / 4, tiles = s.batch() * tilesH * tilesW;
        int hp = 4 * tilesH + 2, wp = 4 * tilesW + 2;
        float[] xp = ConvWinograd.buffer(PADDED, s.batch() * c * hp * wp + 4 * L + 8);
        ConvWinograd.pad(xp, x, s, hp, wp);
        int fit = BLOCK_BYTES / (144 * (c + kp)) / NR * NR;
        int spread = (tiles + 4 * Parallel.threads() - 1) / (4 * Parallel.threads());
        int tb = Math.max(NR, Math.min(Math.min(fit, (spread + NR - 1) / NR * NR), 8 * NR));
        int blocks = (tiles + tb - 1) / tb;
        Plan plan = new Plan(s, tilesH, tilesW, kp, tb + L, hp, wp, uStride);
        Parallel.forEachItem(blocks, b -> {
            int t0 = b * tb, t1 = Math.min(tiles, t0 + tb);
            block(y, xp, u, bias, relu, plan, t0, t1);
        });
    }

    /** Sizes of one call. A vector holds L tiles: one tile row, or two or four whole tile rows of L/2 or L/4. */
    private record Plan(ConvShape s, int tilesH, int tilesW, int kp, int ldv, int hp, int wp, int uStride) {
        /**
         * Where the tiles of lane quarter {@code quarter} (1-3) start, relative to the first tile, in a plane of
         * {@code width} floats a row: tile rows 4 plane rows apart, tiles 4 floats apart.
         */
        int quarter(int quarter, int width) {
            int tile = quarter * L / 4;
            return tile / tilesW * 4 * width + 4 * (tile % tilesW);
        }

        int vStride() {
            return s.inChannels() * ldv + 16;
        }

        int mStride() {
            return kp * ldv + 16;
        }
    }

    private static void block(float[] y, float[] xp, float[] u, float[] bias, boolean relu, Plan plan, int t0, int t1) {
        int c = plan.s.inChannels(), kp = plan.kp, ldv = plan.ldv, cols = (t1 - t0 + NR - 1) / NR * NR;
        float[][] sc = SCRATCH.get();
        float[] v = ConvWinograd.grow(sc, 0, 36 * plan.vStride()), m = ConvWinograd.grow(sc, 1, 36 * plan.mStride());
        float[] tmp = ConvWinograd.grow(sc, 2, 48 * L);
        inputTransform(xp, plan, t0, t1, v, tmp);
        for (int xi = 0; xi < 36; xi++) {
            int uo = xi * plan.uStride, vo = xi * plan.vStride(), mo = xi * plan.mStride();
            for (int ir = 0; ir < kp; ir += MR)
                for (int jr = 0; jr < cols; jr += NR)
                    GemmBlocked.kernel(c, u, uo + ir * c, v, vo + jr, ldv, m, mo + ir * ldv + jr, ldv, true, 0f);
        }
        outputTransform(y, m, bias, relu, plan, t0, t1, tmp);
    }

    /**
     * U of every (k, c) filter into 36 packed GEMM operands (element xi at xi * uStride, rows in panels of MR as in
     * {@link ConvWinograd#transformWeights}, rows k >= K zero).
     */
    static void transformWeights(float[] w, int k, int c, int kp, int uStride, float[] u) {
        // a panel is MR x c filters, at least two panels' worth of filters per chunk; the MR filters (panel * MR + r,
        // q) of a panel row are transformed together, one lane each (8-lane vectors: this path needs L >= 8)
        Parallel.forRange(kp / MR, Math.max(1, 256 / c), (p0, p1) -> {
            float[] taps = new float[9 * MR];
            for (int panel = p0; panel < p1; panel++)
                for (int q = 0; q < c; q++) panelRow(w, k, c, panel, q, uStride, u, taps);
        });
    }

    /** Eight lanes: the MR filters of one panel row side by side. */
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

    /**
     * U of filters (panel * MR + r, q), r in [0, MR), into u[xi * uStride + (panel * c + q) * MR + r]: their taps
     * gathered tap-major into {@code taps}, then {@link #filter}'s arithmetic on eight lanes (the same operations in
     * the same order, so the same values), zero for rows past k.
     */
    private static void panelRow(float[] w, int k, int c, int panel, int q, int uStride, float[] u, float[] taps) {
        for (int r = 0; r < MR; r++) {
            int row = panel * MR + r, at = (row * c + q) * 9;
            for (int t = 0; t < 9; t++) taps[t * MR + r] = row < k ? w[at + t] : 0f;
        }
        int out = (panel * c + q) * MR;
        // G g: the six rows of each filter column j, kept in registers as g<row><j>
        FloatVector a0 = FloatVector.fromArray(S8, taps, 0), a1 = FloatVector.fromArray(S8, taps, MR);
        FloatVector a2 = FloatVector.fromArray(S8, taps, 2 * MR), b0 = FloatVector.fromArray(S8, taps, 3 * MR);
        FloatVector b1 = FloatVector.fromArray(S8, taps, 4 * MR), b2 = FloatVector.fromArray(S8, taps, 5 * MR);
        FloatVector c0 = FloatVector.fromArray(S8, taps, 6 * MR), c1 = FloatVector.fromArray(S8, taps, 7 * MR);
        FloatVector c2 = FloatVector.fromArray(S8, taps, 8 * MR);
        FloatVector e0 = a0.add(c0), e1 = a1.add(c1), e2 = a2.add(c2);
        FloatVector h0 = a0.mul(TWENTY_FOURTH).add(c0.mul(SIXTH)), h1 = a1.mul(TWENTY_FOURTH).add(c1.mul(SIXTH));
        FloatVector h2 = a2.mul(TWENTY_FOURTH).add(c2.mul(SIXTH));
        rowOut(u, out, uStride, 0, a0.mul(0.25f), a1.mul(0.25f), a2.mul(0.25f));
        rowOut(u, out, uStride, 1, e0.add(b0).neg().mul(SIXTH), e1.add(b1).neg().mul(SIXTH), e2.add(b2).neg().mul(SIXTH));
        rowOut(u, out, uStride, 2, e0.sub(b0).neg().mul(SIXTH), e1.sub(b1).neg().mul(SIXTH), e2.sub(b2).neg().mul(SIXTH));
        rowOut(u, out, uStride, 3, h0.add(b0.mul(TWELFTH)), h1.add(b1.mul(TWELFTH)), h2.add(b2.mul(TWELFTH)));
        rowOut(u, out, uStride, 4, h0.sub(b0.mul(TWELFTH)), h1.sub(b1.mul(TWELFTH)), h2.sub(b2.mul(TWELFTH)));
        rowOut(u, out, uStride, 5, c0, c1, c2);
    }

    /** Row i of G g (g0, g1, g2 across its three columns) times G^T: elements 6 i .. 6 i + 5 of U, stored. */
    private static void rowOut(float[] u, int out, int uStride, int i, FloatVector g0, FloatVector g1, FloatVector g2) {
        FloatVector even = g0.add(g2), quarter = g0.mul(TWENTY_FOURTH).add(g2.mul(SIXTH));
        int o = 6 * i * uStride + out;
        g0.mul(0.25f).intoArray(u, o);
        even.add(g1).neg().mul(SIXTH).intoArray(u, o + uStride);
        even.sub(g1).neg().mul(SIXTH).intoArray(u, o + 2 * uStride);
        quarter.add(g1.mul(TWELFTH)).intoArray(u, o + 3 * uStride);
        quarter.sub(g1.mul(TWELFTH)).intoArray(u, o + 4 * uStride);
        g2.intoArray(u, o + 5 * uStride);
    }

    private static final float SIXTH = 1f / 6f, TWELFTH = 1f / 12f, TWENTY_FOURTH = 1f / 24f;

    /**
     * t (6 x 6, row-major) = G g G^T of the 3 x 3 filter at w[at ..]; gg holds G g (6 x 3). The scalar twin of
     * {@link #panelRow}, which the tests hold it to bit for bit.
     */
    static void filter(float[] w, int at, float[] gg, float[] t) {
        for (int j = 0; j < 3; j++) {
            float g0 = w[at + j], g1 = w[at + 3 + j], g2 = w[at + 6 + j];
            float even = g0 + g2, quarter = g0 * TWENTY_FOURTH + g2 * SIXTH;
            gg[j] = g0 * 0.25f;
            gg[3 + j] = -(even + g1) * SIXTH;
            gg[6 + j] = -(even - g1) * SIXTH;
            gg[9 + j] = quarter + g1 * TWELFTH;
            gg[12 + j] = quarter - g1 * TWELFTH;
            gg[15 + j] = g2;
        }
        for (int i = 0; i < 6; i++) {
            float g0 = gg[3 * i], g1 = gg[3 * i + 1], g2 = gg[3 * i + 2];
            float even = g0 + g2, quarter = g0 * TWENTY_FOURTH + g2 * SIXTH;
            t[6 * i] = g0 * 0.25f;
            t[6 * i + 1] = -(even + g1) * SIXTH;
            t[6 * i + 2] = -(even - g1) * SIXTH;
            t[6 * i + 3] = quarter + g1 * TWELFTH;
            t[6 * i + 4] = quarter - g1 * TWELFTH;
            t[6 * i + 5] = g2;
        }
    }

    /**
     * V: element xi of channel q and block column col at v[xi * vStride + q * ldv + col]. Blocks start and end on
     * whole vectors of tiles (L of them), so each vector's tiles are one tile row or whole tile rows.
     */
    private static void inputTransform(float[] xp, Plan plan, int t0, int t1, float[] v, float[] tmp) {
        ConvShape s = plan.s;
        int c = s.inChannels(), ldv = plan.ldv, wp = plan.wp, hp = plan.hp, tilesW = plan.tilesW;
        int perImage = plan.tilesH * tilesW, vStride = plan.vStride();
        int o1 = plan.quarter(1, wp), o2 = plan.quarter(2, wp), o3 = plan.quarter(3, wp);
        for (int q = 0; q < c; q++) {
            for (int t = t0; t < t1; t += L) {
                int n = t / perImage, i = (t - n * perImage) / tilesW;
                segment(xp, ((n * c + q) * hp + 4 * i) * wp, wp, o1, o2, o3, tmp, v, q * ldv + t - t0, vStride);
            }
        }
    }

    /**
     * L tiles: the 6 patch rows from a[base] (rows wp apart), each read as 8 vectors (the lane quarters' tiles
     * at offsets 0, o1, o2, o3, and the same 4 columns on); first B^T down the rows of each vector (into tmp), then
     * per row of the result the four column phases and B along them, stored at v[at + xi * vStride].
     */
    private static void segment(float[] a, int base, int wp, int o1, int o2, int o3, float[] tmp, float[] v, int at,
                                int vStride) {
        for (int p = 0; p < 8; p++) {
            int quarter = p & 3, o = base + (quarter == 0 ? 0 : quarter == 1 ? o1 : quarter == 2 ? o2 : o3) + (p >= 4 ? 4 : 0);
            FloatVector x0 = FloatVector.fromArray(F, a, o);
            FloatVector x1 = FloatVector.fromArray(F, a, o + 1 * wp);
            FloatVector x2 = FloatVector.fromArray(F, a, o + 2 * wp);
            FloatVector x3 = FloatVector.fromArray(F, a, o + 3 * wp);
            FloatVector x4 = FloatVector.fromArray(F, a, o + 4 * wp);
            FloatVector x5 = FloatVector.fromArray(F, a, o + 5 * wp);
            // B^T: (4x0 - 5x2 + x4, (x4 - 4x2) +- (x3 - 4x1), (x4 - x2) +- 2(x3 - x1), 4x1 - 5x3 + x5)
            FloatVector e = x4.sub(x2.mul(4f)), f = x3.sub(x1.mul(4f)), g = x4.sub(x2), h = x3.sub(x1).mul(2f);
            x0.mul(4f).sub(x2.mul(5f)).add(x4).intoArray(tmp, p * L);
            e.add(f).intoArray(tmp, (8 + p) * L);
            e.sub(f).intoArray(tmp, (16 + p) * L);
            g.add(h).intoArray(tmp, (24 + p) * L);
            g.sub(h).intoArray(tmp, (32 + p) * L);
            x1.mul(4f).sub(x3.mul(5f)).add(x5).intoArray(tmp, (40 + p) * L);
        }
        for (int row = 0; row < 6; row++) {
            int o = row * 8 * L;
            FloatVector v0 = FloatVector.fromArray(F, tmp, o), v1 = FloatVector.fromArray(F, tmp, o + L);
            FloatVector v2 = FloatVector.fromArray(F, tmp, o + 2 * L), v3 = FloatVector.fromArray(F, tmp, o + 3 * L);
            FloatVector w0 = FloatVector.fromArray(F, tmp, o + 4 * L), w1 = FloatVector.fromArray(F, tmp, o + 5 * L);
            FloatVector w2 = FloatVector.fromArray(F, tmp, o + 6 * L), w3 = FloatVector.fromArray(F, tmp, o + 7 * L);
            FloatVector x0 = v0.rearrange(S0).blend(v1.rearrange(S0), Q1).blend(v2.rearrange(S0), Q2).blend(v3.rearrange(S0), Q3);
            FloatVector x1 = v0.rearrange(S1).blend(v1.rearrange(S1), Q1).blend(v2.rearrange(S1), Q2).blend(v3.rearrange(S1), Q3);
            FloatVector x2 = v0.rearrange(S2).blend(v1.rearrange(S2), Q1).blend(v2.rearrange(S2), Q2).blend(v3.rearrange(S2), Q3);
            FloatVector x3 = v0.rearrange(S3).blend(v1.rearrange(S3), Q1).blend(v2.rearrange(S3), Q2).blend(v3.rearrange(S3), Q3);
            FloatVector x4 = w0.rearrange(S0).blend(w1.rearrange(S0), Q1).blend(w2.rearrange(S0), Q2).blend(w3.rearrange(S0), Q3);
            FloatVector x5 = w0.rearrange(S1).blend(w1.rearrange(S1), Q1).blend(w2.rearrange(S1), Q2).blend(w3.rearrange(S1), Q3);
            FloatVector e = x4.sub(x2.mul(4f)), f = x3.sub(x1.mul(4f)), g = x4.sub(x2), h = x3.sub(x1).mul(2f);
            int to = at + 6 * row * vStride;
            x0.mul(4f).sub(x2.mul(5f)).add(x4).intoArray(v, to);
            e.add(f).intoArray(v, to + vStride);
            e.sub(f).intoArray(v, to + 2 * vStride);
            g.add(h).intoArray(v, to + 3 * vStride);
            g.sub(h).intoArray(v, to + 4 * vStride);
            x1.mul(4f).sub(x3.mul(5f)).add(x5).intoArray(v, to + 5 * vStride);
        }
    }

    /** y tiles of [t0, t1) = A^T M A (+ bias, then ReLU), whole vectors of tiles as the input transform's. */
    private static void outputTransform(float[] y, float[] m, float[] bias, boolean relu, Plan plan, int t0, int t1,
                                        float[] tmp) {
        ConvShape s = plan.s;
        int k = s.outChannels(), p = s.outH(), qw = s.outW(), ldv = plan.ldv, mStride = plan.mStride();
        int tilesW = plan.tilesW, perImage = plan.tilesH * tilesW;
        int u1 = plan.quarter(1, qw), u2 = plan.quarter(2, qw), u3 = plan.quarter(3, qw);
        for (int ch = 0; ch < k; ch++) {
            float b = bias == null ? 0f : bias[ch];
            for (int t = t0; t < t1; t += L) {
                int n = t / perImage, i = (t - n * perImage) / tilesW;
                tile(m, ch * ldv + t - t0, mStride, tmp, y, ((n * k + ch) * p + 4 * i) * qw, qw, u1, u2, u3, b, relu);
            }
        }
    }

    /** One output channel of L tiles: M A per row of M into tmp, then A^T down the columns, interleaved into y. */
    private static void tile(float[] m, int at, int mStride, float[] tmp, float[] y, int out, int qw, int q1, int q2,
                             int q3, float b, boolean relu) {
        for (int a = 0; a < 6; a++) {
            int o = at + 6 * a * mStride;
            FloatVector m0 = FloatVector.fromArray(F, m, o), m1 = FloatVector.fromArray(F, m, o + mStride);
            FloatVector m2 = FloatVector.fromArray(F, m, o + 2 * mStride), m3 = FloatVector.fromArray(F, m, o + 3 * mStride);
            FloatVector m4 = FloatVector.fromArray(F, m, o + 4 * mStride), m5 = FloatVector.fromArray(F, m, o + 5 * mStride);
            // A^T on a row: (m0 + s12 + s34, d12 + 2 d34, s12 + 4 s34, d12 + 8 d34 + m5)
            FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
            m0.add(s12).add(s34).intoArray(tmp, (4 * a) * L);
            d12.add(d34.mul(2f)).intoArray(tmp, (4 * a + 1) * L);
            s12.add(s34.mul(4f)).intoArray(tmp, (4 * a + 2) * L);
            d12.add(d34.mul(8f)).add(m5).intoArray(tmp, (4 * a + 3) * L);
        }
        FloatVector bv = FloatVector.broadcast(F, b), zero = FloatVector.zero(F);
        FloatVector n00 = FloatVector.fromArray(F, tmp, 0 * L), n10 = FloatVector.fromArray(F, tmp, 4 * L);
        FloatVector n20 = FloatVector.fromArray(F, tmp, 8 * L), n30 = FloatVector.fromArray(F, tmp, 12 * L);
        FloatVector n40 = FloatVector.fromArray(F, tmp, 16 * L), n50 = FloatVector.fromArray(F, tmp, 20 * L);
        FloatVector s0 = n10.add(n20), d0 = n10.sub(n20), t0 = n30.add(n40), u0 = n30.sub(n40);
        FloatVector y00 = n00.add(s0).add(t0).add(bv), y10 = d0.add(u0.mul(2f)).add(bv);
        FloatVector y20 = s0.add(t0.mul(4f)).add(bv), y30 = d0.add(u0.mul(8f)).add(n50).add(bv);
        FloatVector n01 = FloatVector.fromArray(F, tmp, 1 * L), n11 = FloatVector.fromArray(F, tmp, 5 * L);
        FloatVector n21 = FloatVector.fromArray(F, tmp, 9 * L), n31 = FloatVector.fromArray(F, tmp, 13 * L);
        FloatVector n41 = FloatVector.fromArray(F, tmp, 17 * L), n51 = FloatVector.fromArray(F, tmp, 21 * L);
        FloatVector s1 = n11.add(n21), d1 = n11.sub(n21), t1 = n31.add(n41), u1 = n31.sub(n41);
        FloatVector y01 = n01.add(s1).add(t1).add(bv), y11 = d1.add(u1.mul(2f)).add(bv);
        FloatVector y21 = s1.add(t1.mul(4f)).add(bv), y31 = d1.add(u1.mul(8f)).add(n51).add(bv);
        FloatVector n02 = FloatVector.fromArray(F, tmp, 2 * L), n12 = FloatVector.fromArray(F, tmp, 6 * L);
        FloatVector n22 = FloatVector.fromArray(F, tmp, 10 * L), n32 = FloatVector.fromArray(F, tmp, 14 * L);
        FloatVector n42 = FloatVector.fromArray(F, tmp, 18 * L), n52 = FloatVector.fromArray(F, tmp, 22 * L);
        FloatVector s2 = n12.add(n22), d2 = n12.sub(n22), t2 = n32.add(n42), u2 = n32.sub(n42);
        FloatVector y02 = n02.add(s2).add(t2).add(bv), y12 = d2.add(u2.mul(2f)).add(bv);
        FloatVector y22 = s2.add(t2.mul(4f)).add(bv), y32 = d2.add(u2.mul(8f)).add(n52).add(bv);
        FloatVector n03 = FloatVector.fromArray(F, tmp, 3 * L), n13 = FloatVector.fromArray(F, tmp, 7 * L);
        FloatVector n23 = FloatVector.fromArray(F, tmp, 11 * L), n33 = FloatVector.fromArray(F, tmp, 15 * L);
        FloatVector n43 = FloatVector.fromArray(F, tmp, 19 * L), n53 = FloatVector.fromArray(F, tmp, 23 * L);
        FloatVector s3 = n13.add(n23), d3 = n13.sub(n23), t3 = n33.add(n43), u3 = n33.sub(n43);
        FloatVector y03 = n03.add(s3).add(t3).add(bv), y13 = d3.add(u3.mul(2f)).add(bv);
        FloatVector y23 = s3.add(t3.mul(4f)).add(bv), y33 = d3.add(u3.mul(8f)).add(n53).add(bv);
        if (relu) {
            y00 = y00.max(zero); y01 = y01.max(zero); y02 = y02.max(zero); y03 = y03.max(zero);
            y10 = y10.max(zero); y11 = y11.max(zero); y12 = y12.max(zero); y13 = y13.max(zero);
            y20 = y20.max(zero); y21 = y21.max(zero); y22 = y22.max(zero); y23 = y23.max(zero);
            y30 = y30.max(zero); y31 = y31.max(zero); y32 = y32.max(zero); y33 = y33.max(zero);
        }
        // output row r: lane l of vector u is column l % 4 of tile u L/4 + l / 4
        y00.rearrange(Z0).blend(y01.rearrange(Z0), C1).blend(y02.rearrange(Z0), C2).blend(y03.rearrange(Z0), C3)
                .intoArray(y, out);
        y00.rearrange(Z1).blend(y01.rearrange(Z1), C1).blend(y02.rearrange(Z1), C2).blend(y03.rearrange(Z1), C3)
                .intoArray(y, out + q1);
        y00.rearrange(Z2).blend(y01.rearrange(Z2), C1).blend(y02.rearrange(Z2), C2).blend(y03.rearrange(Z2), C3)
                .intoArray(y, out + q2);
        y00.rearrange(Z3).blend(y01.rearrange(Z3), C1).blend(y02.rearrange(Z3), C2).blend(y03.rearrange(Z3), C3)
                .intoArray(y, out + q3);
        y10.rearrange(Z0).blend(y11.rearrange(Z0), C1).blend(y12.rearrange(Z0), C2).blend(y13.rearrange(Z0), C3)
                .intoArray(y, out + 1 * qw);
        y10.rearrange(Z1).blend(y11.rearrange(Z1), C1).blend(y12.rearrange(Z1), C2).blend(y13.rearrange(Z1), C3)
                .intoArray(y, out + 1 * qw + q1);
        y10.rearrange(Z2).blend(y11.rearrange(Z2), C1).blend(y12.rearrange(Z2), C2).blend(y13.rearrange(Z2), C3)
                .intoArray(y, out + 1 * qw + q2);
        y10.rearrange(Z3).blend(y11.rearrange(Z3), C1).blend(y12.rearrange(Z3), C2).blend(y13.rearrange(Z3), C3)
                .intoArray(y, out + 1 * qw + q3);
        y20.rearrange(Z0).blend(y21.rearrange(Z0), C1).blend(y22.rearrange(Z0), C2).blend(y23.rearrange(Z0), C3)
                .intoArray(y, out + 2 * qw);
        y20.rearrange(Z1).blend(y21.rearrange(Z1), C1).blend(y22.rearrange(Z1), C2).blend(y23.rearrange(Z1), C3)
                .intoArray(y, out + 2 * qw + q1);
        y20.rearrange(Z2).blend(y21.rearrange(Z2), C1).blend(y22.rearrange(Z2), C2).blend(y23.rearrange(Z2), C3)
                .intoArray(y, out + 2 * qw + q2);
        y20.rearrange(Z3).blend(y21.rearrange(Z3), C1).blend(y22.rearrange(Z3), C2).blend(y23.rearrange(Z3), C3)
                .intoArray(y, out + 2 * qw + q3);
        y30.rearrange(Z0).blend(y31.rearrange(Z0), C1).blend(y32.rearrange(Z0), C2).blend(y33.rearrange(Z0), C3)
                .intoArray(y, out + 3 * qw);
        y30.rearrange(Z1).blend(y31.rearrange(Z1), C1).blend(y32.rearrange(Z1), C2).blend(y33.rearrange(Z1), C3)
                .intoArray(y, out + 3 * qw + q1);
        y30.rearrange(Z2).blend(y31.rearrange(Z2), C1).blend(y32.rearrange(Z2), C2).blend(y33.rearrange(Z2), C3)
                .intoArray(y, out + 3 * qw + q2);
        y30.rearrange(Z3).blend(y31.rearrange(Z3), C1).blend(y32.rearrange(Z3), C2).blend(y33.rearrange(Z3), C3)
                .intoArray(y, out + 3 * qw + q3);
    }

    /** Target bytes of one filter-gradient block's V and dM together. */
    private static final int FILTER_BLOCK_BYTES = 768 * 1024;

    /** Whether {@link Conv2d#backwardFilter} should come here: it {@link #applies}, with {@link ConvWinograd#suitsFilter}'s channels. */
    static boolean suitsFilter(ConvShape s) {
        return applies(s) && ConvWinograd.suitsFilter(s);
    }

    /**
     * dw = d(sum(y * dy))/dw summed over the batch, for shapes it {@link #applies} to: as
     * {@link ConvWinogradFilter#backwardFilter} with 4 x 4 tiles, dU = sum over tiles of (A dY A^T) (.) V (36 GEMMs) and
     * dw = G^T dU G. dy goes to tile-major order as there; one contiguous range of tiles per thread, added in a
     * fixed order.
     */
    static void backwardFilter(float[] dw, float[] dy, float[] x, ConvShape s) {
        if (!applies(s)) throw new IllegalArgumentException("Winograd F(4x4,3x3) does not take " + s);
        int k = s.outChannels(), c = s.inChannels(), kp = (k + NR - 1) / NR * NR, cp = (c + MR - 1) / MR * MR;
        int tilesH = s.outH() / 4, tilesW = s.outW() / 4, tiles = s.batch() * tilesH * tilesW;
        int chunks = Math.max(1, Math.min(Parallel.threads(), tiles / NR));
        boolean byElement = ConvWinogradFilter.byElement(chunks, tiles, c, cp, kp);
        int parts = byElement ? Math.min(Parallel.threads(), 36) : chunks, sumCount = byElement ? 1 : chunks;
        int perChunk = byElement ? tiles : (tiles + chunks - 1) / chunks;
        int fit = Math.max(L, FILTER_BLOCK_BYTES / (144 * (c + kp)) / L * L);
        int tb = Math.min(fit, (perChunk + L - 1) / L * L);
        int hp = 4 * tilesH + 2, wp = 4 * tilesW + 2;
        Plan plan = new Plan(s, tilesH, tilesW, kp, tb + L, hp, wp, 0);
        float[] xp = ConvWinograd.buffer(PADDED, s.batch() * c * hp * wp + 4 * L + 8);
        ConvWinograd.pad(xp, x, s, hp, wp);
        // the F(2x2, 3x3) layout of dy: P x Q pixels of kp channels per image (P and Q are even here)
        float[] dyt = ConvWinograd.buffer(ConvWinogradFilter.DY_T, s.batch() * s.outH() * s.outW() * kp);
        ConvWinogradFilter.transposeGradient(dyt, dy, s, s.outH() / 2, s.outW() / 2, kp);
        int sumSize = 36 * cp * kp, dmStride = tb * kp + 16, ldv = plan.ldv;
        float[][] sums = ConvWinogradFilter.sums(sumCount, sumSize);
        Parallel.forEachChunk(parts, ci -> {
            // by tiles: chunk bounds on whole vectors of tiles, all elements into the chunk's own sums; by
            // element: all tiles, the chunk's elements of the one sum (ConvWinogradFilter.byElement)
            int t0 = byElement || ci == 0 ? 0 : (int) ((long) tiles * ci / chunks) / L * L;
            int t1 = byElement || ci == chunks - 1 ? tiles : (int) ((long) tiles * (ci + 1) / chunks) / L * L;
            int x0 = byElement ? 36 * ci / parts : 0, x1 = byElement ? 36 * (ci + 1) / parts : 36;
            float[] acc = sums[byElement ? 0 : ci];
            float[][] sc = SCRATCH.get();
            float[] v = ConvWinograd.grow(sc, 0, 36 * plan.vStride() + cp * ldv), tmp = ConvWinograd.grow(sc, 2, 48 * L);
            float[] dm = ConvWinograd.buffer(ConvWinogradFilter.DM, 36 * dmStride);
            for (int b0 = t0; b0 < t1; b0 += tb) {
                int b1 = Math.min(t1, b0 + tb);
                inputTransform(xp, plan, b0, b1, v, tmp);
                gradientTransform(dm, dyt, plan, b0, b1, dmStride);
                for (int xi = x0; xi < x1; xi++) {
                    int vo = xi * plan.vStride(), mo = xi * dmStride, so = xi * cp * kp;
                    for (int ir = 0; ir < cp; ir += MR)
                        for (int jr = 0; jr < kp; jr += NR)
                            ConvWinogradFilter.filterKernel(b1 - b0, v, vo + ir * ldv, ldv, dm, mo + jr, kp, acc,
                                    so + ir * kp + jr, kp, b0 == t0);
                }
            }
            if (t0 >= t1) java.util.Arrays.fill(acc, 0, sumSize, 0f);
        });
        filterGradient(dw, sums, sumCount, k, c, kp, cp);
    }

    /**
     * dm: element xi of block column col and output channel ch at dm[xi * dmStride + col * kp + ch] = (A dY A^T)(xi)
     * of that tile's 4 x 4 gradient; A z = (z0, z0 + z1 + z2 + z3, z0 - z1 + z2 - z3, z0 + 2 z1 + 4 z2 + 8 z3,
     * z0 - 2 z1 + 4 z2 - 8 z3, z3) down the columns, then along the rows.
     */
    private static void gradientTransform(float[] dm, float[] dyt, Plan plan, int t0, int t1, int dmStride) {
        int kp = plan.kp, tilesW = plan.tilesW, perImage = plan.tilesH * tilesW, q = plan.s.outW(), p = plan.s.outH();
        for (int t = t0; t < t1; t++) {
            int n = t / perImage, r = t - n * perImage, i = r / tilesW, j = r - i * tilesW;
            int top = ((n * p + 4 * i) * q + 4 * j) * kp, row = q * kp, at = (t - t0) * kp;
            for (int ch = 0; ch < kp; ch += L) {
                int o = top + ch;
                FloatVector g00 = FloatVector.fromArray(F, dyt, o + 0 * row + 0 * kp);
                FloatVector g01 = FloatVector.fromArray(F, dyt, o + 0 * row + 1 * kp);
                FloatVector g02 = FloatVector.fromArray(F, dyt, o + 0 * row + 2 * kp);
                FloatVector g03 = FloatVector.fromArray(F, dyt, o + 0 * row + 3 * kp);
                FloatVector g10 = FloatVector.fromArray(F, dyt, o + 1 * row + 0 * kp);
                FloatVector g11 = FloatVector.fromArray(F, dyt, o + 1 * row + 1 * kp);
                FloatVector g12 = FloatVector.fromArray(F, dyt, o + 1 * row + 2 * kp);
                FloatVector g13 = FloatVector.fromArray(F, dyt, o + 1 * row + 3 * kp);
                FloatVector g20 = FloatVector.fromArray(F, dyt, o + 2 * row + 0 * kp);
                FloatVector g21 = FloatVector.fromArray(F, dyt, o + 2 * row + 1 * kp);
                FloatVector g22 = FloatVector.fromArray(F, dyt, o + 2 * row + 2 * kp);
                FloatVector g23 = FloatVector.fromArray(F, dyt, o + 2 * row + 3 * kp);
                FloatVector g30 = FloatVector.fromArray(F, dyt, o + 3 * row + 0 * kp);
                FloatVector g31 = FloatVector.fromArray(F, dyt, o + 3 * row + 1 * kp);
                FloatVector g32 = FloatVector.fromArray(F, dyt, o + 3 * row + 2 * kp);
                FloatVector g33 = FloatVector.fromArray(F, dyt, o + 3 * row + 3 * kp);
                for (int a = 0; a < 6; a++) {
                    // row a of A dY (A's row a against each column of the 4 x 4 gradient), then A along it
                    float c0 = A_ROWS[a][0], c1 = A_ROWS[a][1], c2 = A_ROWS[a][2], c3 = A_ROWS[a][3];
                    FloatVector z0 = g00.mul(c0).add(g10.mul(c1)).add(g20.mul(c2)).add(g30.mul(c3));
                    FloatVector z1 = g01.mul(c0).add(g11.mul(c1)).add(g21.mul(c2)).add(g31.mul(c3));
                    FloatVector z2 = g02.mul(c0).add(g12.mul(c1)).add(g22.mul(c2)).add(g32.mul(c3));
                    FloatVector z3 = g03.mul(c0).add(g13.mul(c1)).add(g23.mul(c2)).add(g33.mul(c3));
                    int d = o - top + at + 6 * a * dmStride;
                    FloatVector e02 = z0.add(z2), o13 = z1.add(z3), e = z0.add(z2.mul(4f)), od = z1.mul(2f).add(z3.mul(8f));
                    z0.intoArray(dm, d);
                    e02.add(o13).intoArray(dm, d + dmStride);
                    e02.sub(o13).intoArray(dm, d + 2 * dmStride);
                    e.add(od).intoArray(dm, d + 3 * dmStride);
                    e.sub(od).intoArray(dm, d + 4 * dmStride);
                    z3.intoArray(dm, d + 5 * dmStride);
                }
            }
        }
    }

    /**
     * dw(k, c) = G^T dU(k, c) G with dU(xi) the chunks' sums (element xi of (c, k) at xi * cp * kp + c * kp + k),
     * added in chunk order; G^T z = (z0/4 - (z1 + z2)/6 + (z3 + z4)/24, (z2 - z1)/6 + (z3 - z4)/12,
     * (z3 + z4 - z1 - z2)/6 + z5). L output channels at a time, through a small buffer into dw.
     */
    private static void filterGradient(float[] dw, float[][] sums, int chunks, int k, int c, int kp, int cp) {
        int stride = cp * kp;
        Parallel.forRange(c, Math.max(1, 512 / kp), (c0, c1) -> {
            float[] tail = new float[9 * L], rows = new float[18 * L];
            for (int ch = c0; ch < c1; ch++)
                for (int k0 = 0; k0 < k; k0 += L) gradientTaps(dw, sums, chunks, stride, ch * kp + k0, k0, k, c, ch, rows, tail);
        });
    }

    /**
     * The 9 taps of dw for input channel ch and output channels [k0, k0 + L) from the sums at offset at; rows and
     * tail are scratch. A method of its own so that C2 compiles it after a call or two (see
     * {@link ConvWinogradFilter}'s gradientTaps).
     */
    private static void gradientTaps(float[] dw, float[][] sums, int chunks, int stride, int at, int k0, int k, int c,
                                     int ch, float[] rows, float[] tail) {
        // G^T down each column b of dU: rows 0..2 into rows[(3 b + r) L]
        for (int b = 0; b < 6; b++) {
            FloatVector d0 = ConvWinogradFilter.sum(sums, chunks, (0 + b) * stride + at);
            FloatVector d1 = ConvWinogradFilter.sum(sums, chunks, (6 + b) * stride + at);
            FloatVector d2 = ConvWinogradFilter.sum(sums, chunks, (12 + b) * stride + at);
            FloatVector d3 = ConvWinogradFilter.sum(sums, chunks, (18 + b) * stride + at);
            FloatVector d4 = ConvWinogradFilter.sum(sums, chunks, (24 + b) * stride + at);
            FloatVector d5 = ConvWinogradFilter.sum(sums, chunks, (30 + b) * stride + at);
            FloatVector s12 = d1.add(d2), s34 = d3.add(d4);
            d0.mul(0.25f).sub(s12.div(6f)).add(s34.div(24f)).intoArray(rows, (3 * b) * L);
            d2.sub(d1).div(6f).add(d3.sub(d4).div(12f)).intoArray(rows, (3 * b + 1) * L);
            s34.sub(s12).div(6f).add(d5).intoArray(rows, (3 * b + 2) * L);
        }
        // G^T along each row r: taps (r, 0..2)
        for (int r = 0; r < 3; r++) {
            FloatVector d0 = FloatVector.fromArray(F, rows, (0 + r) * L);
            FloatVector d1 = FloatVector.fromArray(F, rows, (3 + r) * L);
            FloatVector d2 = FloatVector.fromArray(F, rows, (6 + r) * L);
            FloatVector d3 = FloatVector.fromArray(F, rows, (9 + r) * L);
            FloatVector d4 = FloatVector.fromArray(F, rows, (12 + r) * L);
            FloatVector d5 = FloatVector.fromArray(F, rows, (15 + r) * L);
            FloatVector s12 = d1.add(d2), s34 = d3.add(d4);
            d0.mul(0.25f).sub(s12.div(6f)).add(s34.div(24f)).intoArray(tail, (3 * r) * L);
            d2.sub(d1).div(6f).add(d3.sub(d4).div(12f)).intoArray(tail, (3 * r + 1) * L);
            s34.sub(s12).div(6f).add(d5).intoArray(tail, (3 * r + 2) * L);
        }
        ConvWinogradFilter.scatterTaps(dw, tail, k0, k, c, ch);
    }

    /** The rows of A (A^T's columns): z -> (z0, z0 + z1 + z2 + z3, z0 - z1 + z2 - z3, ..., z3). */
    private static final float[][] A_ROWS = {{1, 0, 0, 0}, {1, 1, 1, 1}, {1, -1, 1, -1}, {1, 2, 4, 8}, {1, -2, 4, -8},
            {0, 0, 0, 1}};

    /** S_m: lane l reads lane (4l + m) mod L; Q1..Q3: the second to fourth quarters of the lanes. */
    private static final VectorShuffle<Float> S0 = VectorShuffle.fromOp(F, l -> (4 * l) & (L - 1));
    private static final VectorShuffle<Float> S1 = VectorShuffle.fromOp(F, l -> (4 * l + 1) & (L - 1));
    private static final VectorShuffle<Float> S2 = VectorShuffle.fromOp(F, l -> (4 * l + 2) & (L - 1));
    private static final VectorShuffle<Float> S3 = VectorShuffle.fromOp(F, l -> (4 * l + 3) & (L - 1));
    private static final VectorMask<Float> Q1 = lanes(l -> l >= L / 4 && l < L / 2);
    private static final VectorMask<Float> Q2 = lanes(l -> l >= L / 2 && l < 3 * L / 4);
    private static final VectorMask<Float> Q3 = lanes(l -> l >= 3 * L / 4);
    /** Z_u: lane l reads lane u L/4 + l/4; C1..C3: lanes with l % 4 == 1, 2, 3. */
    private static final VectorShuffle<Float> Z0 = VectorShuffle.fromOp(F, l -> l / 4);
    private static final VectorShuffle<Float> Z1 = VectorShuffle.fromOp(F, l -> L / 4 + l / 4);
    private static final VectorShuffle<Float> Z2 = VectorShuffle.fromOp(F, l -> L / 2 + l / 4);
    private static final VectorShuffle<Float> Z3 = VectorShuffle.fromOp(F, l -> 3 * L / 4 + l / 4);
    private static final VectorMask<Float> C1 = lanes(l -> l % 4 == 1);
    private static final VectorMask<Float> C2 = lanes(l -> l % 4 == 2);
    private static final VectorMask<Float> C3 = lanes(l -> l % 4 == 3);

    private static VectorMask<Float> lanes(java.util.function.IntPredicate set) {
        boolean[] bits = new boolean[L];
        for (int l = 0; l < L; l++) bits[l] = set.test(l);
        return VectorMask.fromArray(F, bits, 0);
    }
}
