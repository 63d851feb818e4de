package dev.strix.nn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Recursive-descent parser behind {@link Json#parse}; one instance per text. */
final class JsonParser {
    private final String text;
    private int pos;
    private int depth;

    JsonParser(String text) {
        if (text == null) throw new JsonException(0, "text is null");
        this.text = text;
    }

    Object parseDocument() {
        skipWhitespace();
        if (pos >= text.length()) throw error("empty text, expected a JSON value");
        Object v = value();
        skipWhitespace();
        if (pos < text.length()) throw error("unexpected " + describeChar(pos) + " after the JSON value");
        return v;
    }

    private Object value() {
        if (pos >= text.length()) throw error("unexpected end of text, expected a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                if (text.startsWith("NaN", pos) || text.startsWith("Infinity", pos))
                    throw error("NaN and Infinity are not valid JSON numbers");
                throw error("unexpected " + describeChar(pos) + ", expected a value");
            }
        };
    }

    private Map<String, Object> object() {
        int start = pos;
        enter();
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (pos >= text.length()) throw error("unterminated object that starts at offset " + start);
            if (peek() != '"') throw error("expected '\"' to start an object key, found " + describeChar(pos));
            int keyOffset = pos;
            String key = string();
            if (map.containsKey(key)) throw new JsonException(keyOffset, "duplicate key '" + key + "' in object");
            skipWhitespace();
            if (peek() != ':') {
                if (pos >= text.length()) throw error("unterminated object that starts at offset " + start);
                throw error("expected ':' after object key, found " + describeChar(pos));
            }
            pos++;
            skipWhitespace();
            map.put(key, value());
            skipWhitespace();
            if (pos >= text.length()) throw error("unterminated object that starts at offset " + start);
            char c = text.charAt(pos++);
            if (c == '}') break;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' after object member, found " + describeChar(pos));
            }
        }
        depth--;
        return map;
    }

    private List<Object> array() {
        int start = pos;
        enter();
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipWhitespace();
            if (pos >= text.length()) throw error("unterminated array that starts at offset " + start);
            list.add(value());
            skipWhitespace();
            if (pos >= text.length()) throw error("unterminated array that starts at offset " + start);
            char c = text.charAt(pos++);
            if (c == ']') break;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' after array element, found " + describeChar(pos));
            }
        }
        depth--;
        return list;
    }

    private void enter() {
        if (++depth > Json.MAX_DEPTH) throw error("nesting deeper than " + Json.MAX_DEPTH + " levels");
    }

    private String string() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) throw new JsonException(start, "unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(runStart, pos) : sb.append(text, runStart, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw error("unescaped control character U+" + String.format("%04X", (int) c) + " in string");
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder();
                sb.append(text, runStart, pos);
                pos++;
                if (pos >= text.length()) throw new JsonException(start, "unterminated string");
                char e = text.charAt(pos);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 5 > text.length()) throw new JsonException(pos - 1, "truncated \\u escape");
                        int code = 0;
                        for (int k = 1; k <= 4; k++) {
                            int d = Character.digit(text.charAt(pos + k), 16);
                            if (d < 0 || text.charAt(pos + k) > 'f')
                                throw new JsonException(pos + k, "invalid hex digit " + describeChar(pos + k) + " in \\u escape");
                            code = code * 16 + d;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw new JsonException(pos - 1, "invalid escape '\\" + e + "' in string");
                }
                pos++;
                runStart = pos;
            } else {
                pos++;
            }
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (pos >= text.length() || !isDigit(text.charAt(pos)))
            throw error("expected a digit after '-', found " + describeChar(pos));
        if (text.charAt(pos) == '0') {
            pos++;
            if (pos < text.length() && isDigit(text.charAt(pos))) throw error("leading zeros are not allowed in numbers");
        } else {
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos)))
                throw error("expected a digit after the decimal point, found " + describeChar(pos));
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos)))
                throw error("expected a digit in the exponent, found " + describeChar(pos));
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        String literal = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLarge) {
                // falls through to double
            }
        }
        double d = Double.parseDouble(literal);
        if (Double.isInfinite(d)) throw new JsonException(start, "number " + literal + " is beyond the range of a double");
        return d;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("unexpected " + describeChar(pos) + ", expected a value");
        pos += word.length();
        return value;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private String describeChar(int at) {
        if (at >= text.length()) return "end of text";
        char c = text.charAt(at);
        return c < 0x20 || c == 0x7F ? String.format("character U+%04X", (int) c) : "'" + c + "'";
    }

    private JsonException error(String problem) {
        return new JsonException(pos, problem);
    }
}
