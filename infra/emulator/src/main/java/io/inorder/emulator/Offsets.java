package io.inorder.emulator;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * A per-partition offset vector and its canonical text form, the {@code last_offset} / fence string of the Write API.
 *
 * <p>The encoding is the emulator's canonical choice from {@code rockset-write-api.md} §7.2 (no public source defines
 * it): {@code f2:0:<min>:<maxDelta>:<deltas>}, where {@code min} is the smallest present offset, {@code maxDelta} the
 * largest offset minus {@code min}, and {@code deltas} has, per partition in index order, {@code -} when the partition
 * is absent or its delta from {@code min} as a little-endian 5-bit varint (4 payload bits per symbol, +16 when more
 * groups follow) in Crockford's base-32 alphabet. Deltas 0-15 are one symbol, so every recorded sample round-trips.
 *
 * <p>A vector keeps the version tag and timestamp field it was parsed with, so what a client passed comes back in the
 * form it was passed: the commit endpoint answers the spec's {@code f1:0:14:9:7093} as {@code f1:...}, not as the
 * {@code f2} the emulator writes (rockset-write-api.md §3, §7.1).
 *
 * <p>Instances are immutable. {@link #parse} accepts only canonical strings (and any {@code f<digits>} version tag, so
 * the spec's {@code f1:...} examples decode); anything else is rejected with a message naming the input.
 */
public final class Offsets {

    /** The version tag every offset the emulator writes carries, as in all recorded traffic. */
    public static final String VERSION = "f2";

    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final long ABSENT = -1;

    private final long[] offsets;
    /** The version number of the tag ({@code 2} for {@code f2}) and the timestamp field, as parsed or written. */
    private final long version;
    private final long timestamp;

    private Offsets(long[] offsets, long version, long timestamp) {
        this.offsets = offsets;
        this.version = version;
        this.timestamp = timestamp;
    }

    private Offsets(long[] offsets) {
        this(offsets, 2, 0);
    }

    /** A vector of {@code partitions} partitions, none present. */
    public static Offsets none(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        long[] values = new long[partitions];
        Arrays.fill(values, ABSENT);
        return new Offsets(values);
    }

    /** A vector from explicit values; {@code null} marks an absent partition. */
    public static Offsets of(Long... values) {
        Offsets result = none(values.length);
        for (int p = 0; p < values.length; p++) {
            if (values[p] != null) {
                result = result.with(p, values[p]);
            }
        }
        return result;
    }

    /** This vector with partition {@code partition} present at {@code offset}. */
    public Offsets with(int partition, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offsets are non-negative, got " + offset + " for partition " + partition);
        }
        long[] values = offsets.clone();
        values[partition] = offset;
        return new Offsets(values, version, timestamp);
    }

    /** The version tag, e.g. {@code f2}. */
    public String version() {
        return "f" + version;
    }

    public int partitions() {
        return offsets.length;
    }

    public OptionalLong offset(int partition) {
        long value = offsets[partition];
        return value == ABSENT ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * Per partition, the larger offset; present where either input has it (the commit endpoint's fence rule). The
     * result keeps the inputs' version tag and timestamp field; where they differ, the higher of each (no recording
     * shows a request mixing versions).
     */
    public Offsets merge(Offsets other) {
        requireSamePartitions(other);
        long[] values = new long[offsets.length];
        for (int p = 0; p < values.length; p++) {
            values[p] = Math.max(offsets[p], other.offsets[p]);
        }
        return new Offsets(values, Math.max(version, other.version), Math.max(timestamp, other.timestamp));
    }

    /**
     * Whether {@code commit} has reached this fence: every partition present here is present in {@code commit} with an
     * offset at least as large. A fence with no partitions is always reached.
     */
    public boolean reachedBy(Offsets commit) {
        requireSamePartitions(commit);
        for (int p = 0; p < offsets.length; p++) {
            if (offsets[p] != ABSENT && commit.offsets[p] < offsets[p]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The canonical text form, with the version tag and timestamp field this vector was parsed with ({@code f2} and
     * {@code 0} for vectors the emulator makes); a vector with no partition present encodes as
     * {@code f2:0:0:0:--...}.
     */
    public String encode() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long value : offsets) {
            if (value != ABSENT) {
                min = Math.min(min, value);
                max = Math.max(max, value);
            }
        }
        if (min == Long.MAX_VALUE) {
            min = 0;
            max = 0;
        }
        StringBuilder deltas = new StringBuilder(offsets.length);
        for (long value : offsets) {
            if (value == ABSENT) {
                deltas.append('-');
            } else {
                appendVarint(deltas, value - min);
            }
        }
        return "f" + version + ":" + timestamp + ":" + min + ":" + (max - min) + ":" + deltas;
    }

    /**
     * Decodes a canonical offset string for a collection of {@code partitions} partitions.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     */
    public static Offsets parse(String text, int partitions) {
        if (text == null) {
            throw new IllegalArgumentException("offset is null; expected a string like f2:0:1:0:---0");
        }
        String[] fields = text.split(":", -1);
        if (fields.length != 5) {
            throw invalid(text, "expected 5 ':'-separated fields (f2:<ts>:<min>:<maxDelta>:<deltas>)");
        }
        if (!fields[0].matches("f[0-9]{1,9}")) {
            throw invalid(text, "the version field must be f<digits>");
        }
        long version = Long.parseLong(fields[0].substring(1));
        long timestamp = number(text, fields[1], "timestamp");
        long min = number(text, fields[2], "min");
        long maxDelta = number(text, fields[3], "maxDelta");
        String deltas = fields[4];
        long[] values = new long[partitions];
        int partition = 0;
        int i = 0;
        boolean anyPresent = false;
        long decodedMax = 0;
        while (i < deltas.length()) {
            if (partition == partitions) {
                throw invalid(text, "more than " + partitions + " partitions in the deltas field");
            }
            char c = deltas.charAt(i);
            if (c == '-') {
                values[partition++] = ABSENT;
                i++;
                continue;
            }
            long delta = 0;
            int shift = 0;
            while (true) {
                if (i == deltas.length()) {
                    throw invalid(text, "a delta ends in the middle of a varint");
                }
                int symbol = ALPHABET.indexOf(deltas.charAt(i));
                if (symbol < 0) {
                    throw invalid(text, "'" + deltas.charAt(i) + "' is not a Crockford base-32 symbol or '-'");
                }
                i++;
                if (shift > 58) {
                    throw invalid(text, "a delta does not fit in 63 bits");
                }
                long payload = symbol & 15;
                delta |= payload << shift;
                boolean more = symbol >= 16;
                if (!more) {
                    if (payload == 0 && shift > 0) {
                        throw invalid(text, "a delta is not minimally encoded");
                    }
                    break;
                }
                shift += 4;
            }
            if (delta < 0) {
                throw invalid(text, "a delta does not fit in 63 bits");
            }
            try {
                values[partition++] = Math.addExact(min, delta);
            } catch (ArithmeticException overflow) {
                throw invalid(text, "min + delta overflows");
            }
            anyPresent = true;
            decodedMax = Math.max(decodedMax, delta);
        }
        if (partition != partitions) {
            throw invalid(text, "has " + partition + " partitions; this collection has " + partitions);
        }
        if (decodedMax != maxDelta) {
            throw invalid(text, "maxDelta is " + maxDelta + " but the largest delta is " + decodedMax);
        }
        if (anyPresent) {
            long smallest = Long.MAX_VALUE;
            for (long value : values) {
                if (value != ABSENT) {
                    smallest = Math.min(smallest, value);
                }
            }
            if (smallest != min) {
                throw invalid(text, "min is " + min + " but the smallest offset is " + smallest);
            }
        } else if (min != 0) {
            throw invalid(text, "no partition is present, so min must be 0");
        }
        return new Offsets(values, version, timestamp);
    }

    private static void appendVarint(StringBuilder out, long value) {
        long rest = value;
        do {
            int payload = (int) (rest & 15);
            rest >>>= 4;
            out.append(ALPHABET.charAt(rest != 0 ? payload + 16 : payload));
        } while (rest != 0);
    }

    private static long number(String text, String field, String name) {
        if (!field.matches("[0-9]{1,19}")) {
            throw invalid(text, "the " + name + " field must be a non-negative integer");
        }
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            throw invalid(text, "the " + name + " field does not fit in 63 bits");
        }
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("Invalid offset \"" + text + "\": " + why + ".");
    }

    private void requireSamePartitions(Offsets other) {
        if (other.offsets.length != offsets.length) {
            throw new IllegalArgumentException(
                    "offset vectors have " + offsets.length + " and " + other.offsets.length + " partitions");
        }
    }

    /** This vector with another version tag ({@code f<digits>}). */
    public Offsets withVersion(String tag) {
        if (tag == null || !tag.matches("f[0-9]{1,9}")) {
            throw new IllegalArgumentException("a version tag is f<digits>, got " + tag);
        }
        return new Offsets(offsets, Long.parseLong(tag.substring(1)), timestamp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Offsets other && Arrays.equals(offsets, other.offsets) && version == other.version
                && timestamp == other.timestamp;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(offsets) + Long.hashCode(version * 31 + timestamp);
    }

    @Override
    public String toString() {
        return encode();
    }
}
