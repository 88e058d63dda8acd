package io.inorder.pipeline;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Splits an S3 object key into its stream and sequence number: files of one stream apply strictly in sequence order.
 * The pattern needs the named groups {@code stream} and {@code seq} ({@code seq} all digits). Immutable, thread-safe.
 */
public final class S3KeyPattern {

    /**
     * Everything before a final {@code _<digits>} suffix is the stream, the digits are the sequence; one extension
     * after the digits is allowed: {@code cdc/shop.orders_12.json} → stream {@code cdc/shop.orders}, seq 12.
     */
    public static final String DEFAULT = "^(?<stream>.+)_(?<seq>\\d+)(?:\\.[A-Za-z0-9.]+)?$";

    /** A key's place in its stream. */
    public record Match(String stream, long seq) { }

    private final Pattern pattern;

    private S3KeyPattern(Pattern pattern) {
        this.pattern = pattern;
    }

    /** Compiles and checks a pattern; the message of the exception says what is wrong with it. */
    public static S3KeyPattern compile(String regex) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription(), e);
        }
        if (!p.pattern().contains("(?<stream>") || !p.pattern().contains("(?<seq>")) {
            throw new IllegalArgumentException("the pattern needs the named groups (?<stream>...) and (?<seq>\\d+)");
        }
        return new S3KeyPattern(p);
    }

    public static S3KeyPattern defaultPattern() {
        return compile(DEFAULT);
    }

    /** The stream and sequence of a (URL-decoded) key, or empty when the key does not match. */
    public Optional<Match> match(String key) {
        Matcher m = pattern.matcher(key);
        if (!m.matches()) {
            return Optional.empty();
        }
        String seq = m.group("seq");
        String stream = m.group("stream");
        if (seq == null || stream == null || stream.isEmpty() || !seq.chars().allMatch(Character::isDigit)
                || seq.length() > 18) {
            return Optional.empty();
        }
        return Optional.of(new Match(stream, Long.parseLong(seq)));
    }

    /**
     * Where the sequence number sits in a matching key: the text before its digits, the digits as written (with any
     * zero padding) and the text after. Tells the reconciler where the keys of later files of the stream start.
     */
    public record Place(String head, String digits, String tail) { }

    /** The place of the sequence number in {@code key}, or empty when the key does not match. */
    public Optional<Place> place(String key) {
        Matcher m = pattern.matcher(key);
        if (!m.matches() || match(key).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Place(key.substring(0, m.start("seq")), m.group("seq"), key.substring(m.end("seq"))));
    }

    public String regex() {
        return pattern.pattern();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof S3KeyPattern p && p.pattern.pattern().equals(pattern.pattern());
    }

    @Override
    public int hashCode() {
        return pattern.pattern().hashCode();
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }
}
