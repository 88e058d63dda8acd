package io.inorder.local;

import java.util.Locale;

/**
 * How flaky the demo's Write API is: a named level of the emulator's fault spec. Every level still finishes, because
 * the client retries 429s and 5xx without an attempt limit.
 */
enum FaultLevel {
    NONE(""),
    LIGHT("429:0.05,500:0.02,503:0.02"),
    HEAVY("429:0.2,500:0.05,502:0.05,503:0.05,504:0.03,slow:0.05:200ms");

    private final String spec;

    FaultLevel(String spec) {
        this.spec = spec;
    }

    /** The emulator fault spec of this level (empty for none). */
    String spec() {
        return spec;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static FaultLevel parse(String text) throws UsageException {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--faults '" + text + "' must be none, light or heavy");
        }
    }
}
