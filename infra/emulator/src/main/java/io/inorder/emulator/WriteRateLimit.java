package io.inorder.emulator;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The account-wide write-requests-per-second limit of a Virtual Instance size (the table of
 * {@code seeds/003_15a237bd87e1b9d3.txt}; add, patch and delete all count). A sliding one-second window: a write is
 * admitted when fewer than the limit were admitted in the last second. Thread-safe.
 */
final class WriteRateLimit {

    static final Map<String, Integer> REQUESTS_PER_SECOND = table();

    private final int limit;
    private final Clock clock;
    private final ArrayDeque<Long> admitted = new ArrayDeque<>();

    WriteRateLimit(String size, Clock clock) {
        this.limit = size == null ? Integer.MAX_VALUE : REQUESTS_PER_SECOND.get(canonicalSize(size));
        this.clock = clock;
    }

    /** Admits one write or answers false when the window is full; a refused write does not count. */
    synchronized boolean tryAdmit() {
        if (limit == Integer.MAX_VALUE) {
            return true;
        }
        long now = clock.millis();
        while (!admitted.isEmpty() && admitted.peekFirst() <= now - 1000) {
            admitted.pollFirst();
        }
        if (admitted.size() >= limit) {
            return false;
        }
        admitted.addLast(now);
        return true;
    }

    synchronized void clear() {
        admitted.clear();
    }

    static String canonicalSize(String size) {
        String upper = size.trim().toUpperCase(Locale.ROOT);
        if (!REQUESTS_PER_SECOND.containsKey(upper)) {
            throw new IllegalArgumentException("Unknown Virtual Instance size '" + size + "'; use one of "
                    + String.join(", ", REQUESTS_PER_SECOND.keySet()));
        }
        return upper;
    }

    private static Map<String, Integer> table() {
        Map<String, Integer> table = new LinkedHashMap<>();
        table.put("FREE", 1);
        table.put("NANO", 5);
        table.put("MICRO", 10);
        table.put("MILLI", 10);
        table.put("XSMALL", 15);
        table.put("SMALL", 25);
        table.put("MEDIUM", 50);
        table.put("LARGE", 100);
        table.put("XLARGE", 200);
        table.put("2XLARGE", 400);
        table.put("4XLARGE", 800);
        table.put("8XLARGE", 1600);
        table.put("16XLARGE", 2400);
        return Collections.unmodifiableMap(table);
    }
}
