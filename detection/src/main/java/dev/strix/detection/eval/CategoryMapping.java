package dev.strix.detection.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Translates between a results file's {@code category_id} and a dataset's 0-based class index. COCO data keeps
 * its own category ids ({@link #of(int...)}); VOC and YOLO data use the 1-based index in the class list
 * ({@link #oneBased(int)}).
 */
public interface CategoryMapping {
    /** Returned by {@link #toClassIndex} for an id that names no class. */
    int UNKNOWN = -1;

    /** The 0-based class index of {@code categoryId}, or {@link #UNKNOWN}. */
    int toClassIndex(int categoryId);

    /** The category id of class {@code classIndex}; throws {@link IllegalArgumentException} when out of range. */
    int toCategoryId(int classIndex);

    /** Number of classes. */
    int numClasses();

    /** Category id {@code i + 1} for class {@code i}, for {@code numClasses} classes (VOC and YOLO data). */
    static CategoryMapping oneBased(int numClasses) {
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        return new CategoryMapping() {
            @Override
            public int toClassIndex(int categoryId) {
                return categoryId >= 1 && categoryId <= numClasses ? categoryId - 1 : UNKNOWN;
            }

            @Override
            public int toCategoryId(int classIndex) {
                if (classIndex < 0 || classIndex >= numClasses)
                    throw new IllegalArgumentException("class index " + classIndex + " out of range [0, " + numClasses + ")");
                return classIndex + 1;
            }

            @Override
            public int numClasses() {
                return numClasses;
            }

            @Override
            public String toString() {
                return "CategoryMapping.oneBased(" + numClasses + ")";
            }
        };
    }

    /**
     * Category id {@code categoryIds[i]} for class {@code i} (COCO data: the annotation file's ids in class-list
     * order). Ids must be distinct.
     */
    static CategoryMapping of(int... categoryIds) {
        int[] ids = categoryIds.clone();
        Map<Integer, Integer> index = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            Integer previous = index.put(ids[i], i);
            if (previous != null)
                throw new IllegalArgumentException("category id " + ids[i] + " given for classes " + previous + " and " + i);
        }
        return new CategoryMapping() {
            @Override
            public int toClassIndex(int categoryId) {
                return index.getOrDefault(categoryId, UNKNOWN);
            }

            @Override
            public int toCategoryId(int classIndex) {
                if (classIndex < 0 || classIndex >= ids.length)
                    throw new IllegalArgumentException("class index " + classIndex + " out of range [0, " + ids.length + ")");
                return ids[classIndex];
            }

            @Override
            public int numClasses() {
                return ids.length;
            }

            @Override
            public String toString() {
                return "CategoryMapping.of(" + Arrays.toString(ids) + ")";
            }
        };
    }
}
