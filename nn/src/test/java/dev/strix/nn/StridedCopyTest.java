package dev.strix.nn;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CpuDevice#stridedCopy} against the element-by-element definition, for the layouts that take its transposing
 * path (a permute whose last axis is strided in the source) and those that do not, into NaN-filled outputs.
 */
class StridedCopyTest {
    private static final CpuDevice DEV = CpuDevice.INSTANCE;

    @Test
    void everyPermutationOfRankThreeAndFourMatchesTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] shapes = {{2, 20, 5, 7}, {3, 1, 4, 9}, {1, 33, 17, 2}, {2, 4, 1, 18}, {5, 19, 21}, {1, 1, 1, 1}};
        int checked = 0, transposing = 0;
        for (int[] shape : shapes) {
            for (int[] perm : permutations(shape.length)) {
                int[] srcStrides = contiguous(shape), outShape = new int[shape.length], permuted = new int[shape.length];
                for (int i = 0; i < perm.length; i++) {
                    outShape[i] = shape[perm[i]];
                    permuted[i] = srcStrides[perm[i]];
                }
                if (permuted[perm.length - 1] != 1) transposing++;
                check(rnd, shape, outShape, permuted, 0, 0, "permute " + java.util.Arrays.toString(shape) + " by "
                        + java.util.Arrays.toString(perm));
                checked++;
            }
        }
        assertTrue(transposing > checked / 2, transposing + " of " + checked + " take the transposing path");
    }

    @Test
    void offsetsBroadcastAndSlicedDestinationsMatchTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(6);
        // a broadcast along the last axis (source stride 0) next to a contiguous axis
        check(rnd, new int[] {3, 5}, new int[] {3, 5, 4}, new int[] {5, 1, 0}, 0, 0, "broadcast");
        // a transposed copy from an offset into a larger destination with padded rows
        int[] shape = {2, 6, 10};
        float[] src = random(rnd, 4 + 2 * 6 * 10);
        int[] outShape = {2, 10, 6}, srcStrides = {60, 1, 6}, dstStrides = {90, 9, 1};
        Tensor s = Tensor.from(DEV, src, src.length), d = Tensor.from(DEV, nan(200), 200);
        DEV.stridedCopy(d, 7, dstStrides, s, 4, srcStrides, outShape);
        float[] got = d.toArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 10; i++)
                for (int j = 0; j < 6; j++)
                    assertEquals(src[4 + n * 60 + i + j * 6], got[7 + n * 90 + i * 9 + j], "at " + n + "," + i + "," + j);
        int untouched = 0;
        for (float v : got) if (Float.isNaN(v)) untouched++;
        assertEquals(200 - 120, untouched, "only the 120 destination elements are written");
        assertEquals(3, shape.length);
    }

    private static void check(SplittableRandom rnd, int[] srcShape, int[] outShape, int[] srcStrides, int srcOffset,
                              int dstOffset, String what) {
        int srcSize = 1, outSize = 1;
        for (int v : srcShape) srcSize *= v;
        for (int v : outShape) outSize *= v;
        float[] src = random(rnd, srcSize + srcOffset);
        Tensor s = Tensor.from(DEV, src, src.length), d = Tensor.from(DEV, nan(outSize + dstOffset), outSize + dstOffset);
        int[] dstStrides = contiguous(outShape);
        DEV.stridedCopy(d, dstOffset, dstStrides, s, srcOffset, srcStrides, outShape);
        float[] got = d.toArray();
        int[] idx = new int[outShape.length];
        for (int e = 0; e < outSize; e++) {
            int so = srcOffset, dOff = dstOffset;
            for (int i = 0; i < idx.length; i++) {
                so += idx[i] * srcStrides[i];
                dOff += idx[i] * dstStrides[i];
            }
            assertEquals(src[so], got[dOff], what + " at " + java.util.Arrays.toString(idx));
            for (int i = idx.length - 1; i >= 0; i--) {
                if (++idx[i] < outShape[i]) break;
                idx[i] = 0;
            }
        }
    }

    private static int[] contiguous(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= shape[i];
        }
        return st;
    }

    private static java.util.List<int[]> permutations(int n) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] cur, boolean[] used, int at, java.util.List<int[]> out) {
        if (at == cur.length) {
            out.add(cur.clone());
            return;
        }
        for (int i = 0; i < cur.length; i++) {
            if (used[i]) continue;
            used[i] = true;
            cur[at] = i;
            permute(cur, used, at + 1, out);
            used[i] = false;
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextDouble(-1, 1);
        return a;
    }

    private static float[] nan(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }
}
