package dev.strix.detection.data;

import java.util.List;

/**
 * How a dataset reader behaves.
 *
 * @param classNames explicit class list (index order), or null to derive it from the data
 * @param lenient    false: the first bad file or entry throws {@link DatasetException}; true: bad entries are skipped
 *                   and each skip is recorded as a warning
 * @param maxPixels  images with more pixels than this are refused before decoding (decompression-bomb guard)
 */
public record ReadOptions(List<String> classNames, boolean lenient, long maxPixels) {
    /** 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    public ReadOptions {
        if (classNames != null) classNames = List.copyOf(classNames);
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }

    /** Classes from the data, errors throw, 100 MP limit. */
    public static ReadOptions strict() {
        return new ReadOptions(null, false, DEFAULT_MAX_PIXELS);
    }

    /** Classes from the data, bad entries skipped with warnings, 100 MP limit. */
    public static ReadOptions lenientOptions() {
        return new ReadOptions(null, true, DEFAULT_MAX_PIXELS);
    }

    public ReadOptions withClasses(List<String> names) {
        return new ReadOptions(names, lenient, maxPixels);
    }

    public ReadOptions withLenient(boolean value) {
        return new ReadOptions(classNames, value, maxPixels);
    }

    public ReadOptions withMaxPixels(long value) {
        return new ReadOptions(classNames, lenient, value);
    }
}
