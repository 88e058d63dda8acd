package io.inorder.local;

import io.inorder.emulator.EmulatorSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The emulator's clock as command-line options, the same in {@code inorder emulator}, {@code serve} and {@code demo}:
 * the apply lag, the request latency (a fixed part and a part per MiB of body) and, for the commands whose users may
 * create collections through the API, the time a new collection takes to turn READY.
 */
final class EmulatorTiming {

    static final String LAG = "--lag-ms";
    static final String LATENCY = "--latency-ms";
    static final String LATENCY_PER_MIB = "--latency-per-mib-ms";
    static final String READY_DELAY = "--ready-delay-ms";

    /** The options every command that starts an emulator takes. */
    static final Set<String> OPTIONS = Set.of(LAG, LATENCY, LATENCY_PER_MIB);
    /** Those plus the ready delay, for the commands that leave collections to be created through the API. */
    static final Set<String> OPTIONS_WITH_READY_DELAY = Set.of(LAG, LATENCY, LATENCY_PER_MIB, READY_DELAY);

    /** Longer would outlast every client's request timeout; {@link EmulatorSettings} refuses it too. */
    private static final long MAX_LATENCY_MS = 3_600_000;
    private static final long MAX_DELAY_MS = Long.MAX_VALUE / 1_000_000;

    private EmulatorTiming() {
    }

    /** Usage lines for the options, the option names padded to {@code column} characters after a 2-space indent. */
    static List<String> usage(int column, boolean readyDelay) {
        List<String> lines = new ArrayList<>();
        line(lines, column, LAG + " N", "the emulator's apply lag: accepted writes become visible and commit N ms "
                + "later (default 0)");
        line(lines, column, LATENCY + " N", "the emulator's request latency: each document write and commit takes "
                + "N ms (default 0)");
        line(lines, column, LATENCY_PER_MIB + " N", "and N ms more per MiB of request body (default 0)");
        if (readyDelay) {
            line(lines, column, READY_DELAY + " N", "a collection created through the API is READY N ms later, "
                    + "refusing writes until then (default " + EmulatorSettings.DEFAULT_READY_DELAY.toMillis()
                    + ", as recorded)");
        }
        return lines;
    }

    /**
     * {@code settings} with one option applied.
     *
     * @throws IllegalArgumentException naming the option when the value is not a whole number of milliseconds in range
     */
    static EmulatorSettings apply(EmulatorSettings settings, String option, String value) {
        return switch (option) {
            case LAG -> settings.withApplyLag(millis(option, value, MAX_DELAY_MS));
            case LATENCY -> settings.withRequestLatency(millis(option, value, MAX_LATENCY_MS),
                    settings.latencyPerMiB());
            case LATENCY_PER_MIB -> settings.withRequestLatency(settings.requestLatency(),
                    millis(option, value, MAX_LATENCY_MS));
            case READY_DELAY -> settings.withReadyDelay(millis(option, value, MAX_DELAY_MS));
            default -> throw new IllegalArgumentException("unknown option '" + option + "'");
        };
    }

    /** {@code settings} with every timing option present in {@code options} applied. */
    static EmulatorSettings apply(EmulatorSettings settings, Options options) throws UsageException {
        EmulatorSettings applied = settings;
        for (String option : OPTIONS_WITH_READY_DELAY) {
            if (options.has(option)) {
                try {
                    applied = apply(applied, option, options.value(option).orElseThrow());
                } catch (IllegalArgumentException invalid) {
                    throw new UsageException(invalid.getMessage());
                }
            }
        }
        return applied;
    }

    private static Duration millis(String option, String value, long max) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0 && n <= max) {
                return Duration.ofMillis(n);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number of milliseconds from 0 to " + max
                + ", got '" + value + "'");
    }

    private static void line(List<String> lines, int column, String option, String text) {
        lines.add("  " + option + " ".repeat(Math.max(1, column - option.length())) + text);
    }
}
