package dev.strix.detection.tune;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** K-fold splitting: disjoint folds that cover every image, sizes within one, fixed by the seed. */
class KFoldTest {
    @Test
    void foldsAreDisjointAndCoverEveryImage() {
        for (int n : new int[] {2, 5, 17, 100})
            for (int k = 2; k <= Math.min(n, 7); k++) {
                KFold f = KFold.split(n, k, 42);
                int[] seen = new int[n];
                int min = Integer.MAX_VALUE, max = 0;
                for (int i = 0; i < k; i++) {
                    int[] held = f.heldOut(i);
                    min = Math.min(min, held.length);
                    max = Math.max(max, held.length);
                    for (int j : held) seen[j]++;
                    // the training part is exactly the complement of the held-out part
                    int[] train = f.training(i);
                    assertEquals(n, train.length + held.length);
                    boolean[] inHeld = new boolean[n];
                    for (int j : held) inHeld[j] = true;
                    for (int j : train) assertFalse(inHeld[j], "index " + j + " both trained on and held out");
                    assertTrue(isSorted(train) && isSorted(held));
                }
                for (int j = 0; j < n; j++) assertEquals(1, seen[j], "n=" + n + " k=" + k + ": image " + j + " held out once");
                assertTrue(max - min <= 1, "fold sizes " + min + ".." + max);
                assertEquals(n - min, f.largestTraining());
            }
    }

    @Test
    void theSeedFixesTheFolds() {
        KFold a = KFold.split(50, 5, 7), b = KFold.split(50, 5, 7), c = KFold.split(50, 5, 8);
        boolean differs = false;
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.heldOut(i), b.heldOut(i));
            differs |= !Arrays.equals(a.heldOut(i), c.heldOut(i));
        }
        assertTrue(differs, "another seed gives other folds");
        // the folds are shuffled, not contiguous blocks of the split
        assertFalse(Arrays.equals(a.heldOut(0), new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    }

    @Test
    void badFoldCountsAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KFold.split(10, 1, 0)).getMessage()
                .contains("at least 2 folds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KFold.split(3, 4, 0)).getMessage()
                .contains("4 folds need at least 4 training images, the split has 3"));
    }

    private static boolean isSorted(int[] a) {
        for (int i = 1; i < a.length; i++) if (a[i - 1] >= a[i]) return false;
        return true;
    }
}
