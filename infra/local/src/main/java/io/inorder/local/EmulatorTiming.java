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

    /**
     * Usage lines for the options: after a 2-space indent, each option padded to {@code column} characters, its text
     * after it (on the next line when the option is longer), continuation lines aligned under the text.
     */
    static List<String> usage(int column, boolean readyDelay) {
        List<String> lines = new ArrayList<>();
        option(lines, column, LAG + " N", "the emulator's apply lag: writes become visible, and pass the commit",
                "fence, N ms after they are answered (default 0)");
        option(lines, column, LATENCY + " N", "the emulator's request latency: each document write and commit",
                "takes N ms (default 0) ...");
        option(lines, column, LATENCY_PER_MIB + " N", "... and N ms more per MiB of its body (default 0)");
        if (readyDelay) {
            option(lines, column, READY_DELAY + " N", "a collection created through the API turns READY N ms later",
                    "and refuses writes until then (default " + EmulatorSettings.DEFAULT_READY_DELAY.toMillis()
                            + ", as the service took)");
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

    private static void option(List<String> lines, int column, String option, String... text) {
        String indent = "  " + " ".repeat(column);
        if (option.length() < column) {
            lines.add("  " + option + " ".repeat(column - option.length()) + text[0]);
        } else {
            lines.add("  " + option);
            lines.add(indent + text[0]);
        }
        for (int i = 1; i < text.length; i++) {
            lines.add(indent + text[i]);
        }
    }
}
