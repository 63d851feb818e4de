package dev.strix.nn.testing;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of valid inputs for the parser fuzz tests, and {@link #runCase}, which runs one parse of a mutated
 * input and accepts only a valid result or a clean, documented rejection.
 *
 * <p>Byte mutations: bit flips, byte overwrites with syntax characters and broken UTF-8, inserts, deletes, duplicated
 * chunks, truncation and splices of two inputs. Text mutations (JSON and any text with numbers): numbers replaced by
 * extremes (-1, 0, 1e308, NaN, huge integers...), object members deleted or duplicated, deep nesting, long strings
 * and stray Unicode (control characters, lone surrogates). Every mutation appends a short description to
 * {@link #log()}, so a failure message tells how its input was made; the same seed gives the same mutations.
 */
public class Mutator {
    /** Replacements for numbers: range edges, non-numbers and forms that strict parsers must refuse. */
    public static final List<String> EXTREME_NUMBERS = List.of("-1", "0", "1", "1e308", "-1e308", "1e400", "1e-400",
            "NaN", "Infinity", "-Infinity", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "2147483647", "2147483648", "-2147483649", "4294967296", "1000000000000", "3.4028235E38", "-0", "-0.0",
            "0.5", "00", "01", "1.", ".5", "1e", "0x10", "99999999999999999999999999999999999999", "");

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final Pattern JSON_KEY = Pattern.compile("\"[^\"\\\\]*\"\\s*:");
    private static final byte[] SPECIAL_BYTES = {0, (byte) 0xFF, 0x7F, (byte) 0x80, '"', '{', '}', '[', ']', ',', ':',
            '\\', '<', '>', '&', '/', ' ', '\n', '-', '.', 'e', (byte) 0xC3, (byte) 0xED, (byte) 0xF4};

    protected final SplittableRandom random;
    protected final List<String> log = new ArrayList<>();

    /** A mutator whose choices depend only on {@code seed}. */
    public Mutator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The random source, for callers that choose among their own mutations. */
    public SplittableRandom random() {
        return random;
    }

    /** What was done so far, one entry per mutation, for failure messages. */
    public List<String> log() {
        return log;
    }

    /** Records a mutation done by the caller. */
    public void note(String what) {
        log.add(what);
    }

    // ---------------------------------------------------------------- byte mutations

    /**
     * One to three byte mutations of {@code input} (which is not modified).
     *
     * @param others inputs to splice with (may be empty)
     */
    public byte[] mutateBytes(byte[] input, List<byte[]> others) {
        byte[] out = input;
        int count = 1 + random.nextInt(3);
        for (int k = 0; k < count; k++) out = mutateBytesOnce(out, others);
        return out;
    }

    private byte[] mutateBytesOnce(byte[] in, List<byte[]> others) {
        int kind = random.nextInt(others.isEmpty() ? 6 : 7);
        return switch (kind) {
            case 0 -> flipBit(in);
            case 1 -> setSpecialByte(in);
            case 2 -> insertRandomBytes(in);
            case 3 -> deleteRange(in);
            case 4 -> duplicateRange(in);
            case 5 -> truncate(in);
            default -> splice(in, others.get(random.nextInt(others.size())));
        };
    }

    /** Flips one bit. */
    public byte[] flipBit(byte[] in) {
        if (in.length == 0) return in;
        byte[] out = in.clone();
        int at = random.nextInt(in.length), bit = random.nextInt(8);
        out[at] ^= (byte) (1 << bit);
        log.add("flip bit " + bit + " of byte " + at);
        return out;
    }

    /** Overwrites one byte with a syntax character, 0, 0xFF or a broken UTF-8 lead byte. */
    public byte[] setSpecialByte(byte[] in) {
        if (in.length == 0) return in;
        byte[] out = in.clone();
        int at = random.nextInt(in.length);
        out[at] = SPECIAL_BYTES[random.nextInt(SPECIAL_BYTES.length)];
        log.add("set byte " + at + " to 0x" + Integer.toHexString(out[at] & 0xFF));
        return out;
    }

    /** Inserts 1 to 8 random bytes. */
    public byte[] insertRandomBytes(byte[] in) {
        byte[] chunk = new byte[1 + random.nextInt(8)];
        random.nextBytes(chunk);
        int at = random.nextInt(in.length + 1);
        log.add("insert " + chunk.length + " random bytes at " + at);
        return insert(in, at, chunk);
    }

    /** Deletes 1 to 16 bytes. */
    public byte[] deleteRange(byte[] in) {
        if (in.length == 0) return in;
        int at = random.nextInt(in.length);
        int n = Math.min(in.length - at, 1 + random.nextInt(16));
        log.add("delete " + n + " bytes at " + at);
        byte[] out = new byte[in.length - n];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + n, out, at, in.length - at - n);
        return out;
    }

    /** Copies a chunk of up to 64 bytes to a random position. */
    public byte[] duplicateRange(byte[] in) {
        if (in.length == 0) return in;
        int from = random.nextInt(in.length);
        int n = Math.min(in.length - from, 1 + random.nextInt(64));
        int at = random.nextInt(in.length + 1);
        log.add("duplicate " + n + " bytes from " + from + " at " + at);
        return insert(in, at, Arrays.copyOfRange(in, from, from + n));
    }

    /** Cuts the input at a random length (possibly 0). */
    public byte[] truncate(byte[] in) {
        int n = random.nextInt(in.length + 1);
        log.add("truncate to " + n + " bytes");
        return Arrays.copyOf(in, n);
    }

    /** A prefix of {@code a} followed by a suffix of {@code b}. */
    public byte[] splice(byte[] a, byte[] b) {
        int cutA = random.nextInt(a.length + 1), cutB = random.nextInt(b.length + 1);
        log.add("splice " + cutA + " bytes with the last " + (b.length - cutB) + " bytes of another input");
        byte[] out = Arrays.copyOf(a, cutA + b.length - cutB);
        System.arraycopy(b, cutB, out, cutA, b.length - cutB);
        return out;
    }

    private static byte[] insert(byte[] in, int at, byte[] chunk) {
        byte[] out = new byte[in.length + chunk.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(chunk, 0, out, at, chunk.length);
        System.arraycopy(in, at, out, at + chunk.length, in.length - at);
        return out;
    }

    // ---------------------------------------------------------------- text mutations

    /** One to three JSON-aware or character mutations of {@code text}. */
    public String mutateJson(String text) {
        String out = text;
        int count = 1 + random.nextInt(3);
        for (int k = 0; k < count; k++) {
            out = switch (random.nextInt(8)) {
                case 0, 1 -> replaceNumber(out);
                case 2 -> deleteJsonMember(out);
                case 3 -> duplicateJsonMember(out);
                case 4 -> nestDeeply(out, "[", "]");
                case 5 -> insertLongString(out);
                case 6 -> insertStrayChars(out);
                default -> new String(mutateBytes(out.getBytes(StandardCharsets.UTF_8), List.of()), StandardCharsets.UTF_8);
            };
        }
        return out;
    }

    /** Replaces one number of the text with one of {@link #EXTREME_NUMBERS}. */
    public String replaceNumber(String text) {
        List<int[]> spans = spans(NUMBER.matcher(text));
        if (spans.isEmpty()) return text;
        int[] s = spans.get(random.nextInt(spans.size()));
        String by = EXTREME_NUMBERS.get(random.nextInt(EXTREME_NUMBERS.size()));
        log.add("replace number '" + text.substring(s[0], s[1]) + "' at " + s[0] + " by '" + by + "'");
        return text.substring(0, s[0]) + by + text.substring(s[1]);
    }

    /** Deletes one {@code "key": value} member (and the comma after it, when there is one). */
    public String deleteJsonMember(String text) {
        int[] m = member(text);
        if (m == null) return text;
        int end = m[1];
        if (end < text.length() && text.charAt(end) == ',') end++;
        log.add("delete member " + abbreviate(text.substring(m[0], m[1])));
        return text.substring(0, m[0]) + text.substring(end);
    }

    /** Repeats one {@code "key": value} member right after itself, giving a duplicate key. */
    public String duplicateJsonMember(String text) {
        int[] m = member(text);
        if (m == null) return text;
        String member = text.substring(m[0], m[1]);
        log.add("duplicate member " + abbreviate(member));
        return text.substring(0, m[1]) + "," + member + text.substring(m[1]);
    }

    /**
     * Wraps the text between two random positions in {@code depth} levels of {@code open}/{@code close} (depth 8, 600
     * or 5000, and one time in ten 50000).
     */
    public String nestDeeply(String text, String open, String close) {
        int depth = random.nextInt(10) == 0 ? 50_000 : new int[] {8, 600, 5000}[random.nextInt(3)];
        int a = random.nextInt(text.length() + 1), b = random.nextInt(text.length() + 1);
        int from = Math.min(a, b), to = Math.max(a, b);
        log.add("nest " + depth + " levels of " + open + close + " around [" + from + ", " + to + ")");
        return text.substring(0, from) + open.repeat(depth) + text.substring(from, to) + close.repeat(depth)
                + text.substring(to);
    }

    /** Inserts a run of 1,000 or 10,000 (one time in ten 100,000) letters, digits or quotes at a random position. */
    public String insertLongString(String text) {
        int n = random.nextInt(10) == 0 ? 100_000 : random.nextBoolean() ? 1_000 : 10_000;
        String unit = new String[] {"A", "9", "\\\"", "\u00e9"}[random.nextInt(4)];
        int at = random.nextInt(text.length() + 1);
        log.add("insert " + n + " x '" + unit + "' at " + at);
        return text.substring(0, at) + unit.repeat(n) + text.substring(at);
    }

    /** Inserts a control character, a lone surrogate, an escape or a non-BMP character at a random position. */
    public String insertStrayChars(String text) {
        String[] strays = {"\u0000", "\u001f", "\u007f", "\ud800", "\udc00", "\\", "\\u", "\\ud800", "\\uZZZZ",
                "\ud83d\ude00", "\ufeff", "\u2028", "\"", "'"};
        String s = strays[random.nextInt(strays.length)];
        int at = random.nextInt(text.length() + 1);
        log.add("insert " + escape(s) + " at " + at);
        return text.substring(0, at) + s + text.substring(at);
    }

    /** Start and end of a random {@code "key": value} member, or null when the text has none. */
    private int[] member(String text) {
        List<int[]> keys = spans(JSON_KEY.matcher(text));
        if (keys.isEmpty()) return null;
        int[] k = keys.get(random.nextInt(keys.size()));
        return new int[] {k[0], valueEnd(text, k[1])};
    }

    /** End of the JSON value starting (after whitespace) at {@code from}: the next ',', '}' or ']' at depth 0. */
    private static int valueEnd(String text, int from) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) return i;
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return text.length();
    }

    protected static List<int[]> spans(Matcher m) {
        List<int[]> out = new ArrayList<>();
        while (m.find()) out.add(new int[] {m.start(), m.end()});
        return out;
    }

    protected static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** {@code s} with control characters, surrogates and non-ASCII written as \\uXXXX, cut to 400 characters. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 400; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.length() >= 400 ? b + "... (" + s.length() + " chars)" : b.toString();
    }

    // ---------------------------------------------------------------- running one case

    /** A parse of one input that may throw. */
    @FunctionalInterface
    public interface Parse {
        /** Parses and checks the result; an {@link AssertionError} means a wrong result. */
        void run() throws Throwable;
    }

    /** Limits that every single parse of a fuzz campaign must respect. */
    public record Limits(long maxNanos, long maxAllocatedBytes) {
        /** 2 s and 64 MiB: inputs are at most a few hundred kilobytes. */
        public static Limits standard() {
            return new Limits(2_000_000_000L, 64L << 20);
        }
    }

    /**
     * Runs {@code parse} on one mutated input and classifies the outcome.
     *
     * @param description what the case is (parser, seed, iteration, mutations), for failure messages
     * @param input       the bytes that were parsed, dumped to {@code target/fuzz-failures/} when the case fails
     * @param mustName    text the message of a clean rejection must contain (the file name)
     * @param allowed     the parser's documented exception types
     * @return true when the input was accepted (and {@code parse}'s own checks passed), false when it was refused with
     *         an allowed exception whose message names the file
     */
    @SafeVarargs
    public static boolean runCase(String description, byte[] input, String mustName, Limits limits, Parse parse,
                                  Class<? extends Throwable>... allowed) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        boolean accepted;
        try {
            parse.run();
            accepted = true;
        } catch (AssertionError wrongResult) {
            throw failure(description, input, "accepted but the result is wrong: " + wrongResult.getMessage(), wrongResult);
        } catch (Throwable t) {
            boolean documented = Arrays.stream(allowed).anyMatch(c -> c.isInstance(t));
            if (!documented)
                throw failure(description, input, "undocumented " + t.getClass().getName() + ": " + t.getMessage(), t);
            String message = t.getMessage();
            if (message == null || message.isBlank())
                throw failure(description, input, t.getClass().getName() + " without a message", t);
            if (!message.contains(mustName))
                throw failure(description, input, "message does not name '" + mustName + "': " + message, t);
            accepted = false;
        }
        long nanos = System.nanoTime() - start;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        if (nanos > limits.maxNanos())
            throw failure(description, input, "took " + nanos / 1_000_000 + " ms (limit " + limits.maxNanos() / 1_000_000
                    + " ms)", null);
        if (allocated > limits.maxAllocatedBytes())
            throw failure(description, input, "allocated " + allocated + " bytes (limit " + limits.maxAllocatedBytes() + ")",
                    null);
        return accepted;
    }

    private static AssertionError failure(String description, byte[] input, String problem, Throwable cause) {
        String saved;
        try {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
            Path file = dir.resolve(description.replaceAll("[^A-Za-z0-9_.-]+", "_") + ".bin");
            if (file.getFileName().toString().length() > 200) file = dir.resolve(Integer.toHexString(description.hashCode()) + ".bin");
            Files.write(file, input);
            saved = file.toAbsolutePath().toString();
        } catch (Exception e) {
            saved = "(not saved: " + e + ")";
        }
        String text = escape(new String(input, 0, Math.min(input.length, 2000), StandardCharsets.UTF_8));
        return new AssertionError(description + ": " + problem + "\n  input (" + input.length + " bytes, saved to " + saved
                + "): " + text, cause);
    }

    /** Fails unless a campaign saw both outcomes: otherwise its mutations were too weak or too destructive. */
    public static void assertBothOutcomes(String parser, int accepted, int rejected) {
        System.out.println(parser + ": " + (accepted + rejected) + " mutated inputs, " + accepted + " accepted, " + rejected
                + " rejected cleanly");
        if (accepted == 0 || rejected == 0)
            fail(parser + ": expected both accepted and rejected inputs, got " + accepted + " accepted and " + rejected
                    + " rejected");
    }
}
