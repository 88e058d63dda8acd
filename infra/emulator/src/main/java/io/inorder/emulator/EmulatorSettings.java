package io.inorder.emulator;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link Emulator} behaves. Immutable; start from {@link #defaults()} and use the withers.
 *
 * @param port         TCP port on 127.0.0.1; {@code 0} picks a free one
 * @param apiKey       the only key accepted in {@code Authorization: ApiKey <key>}
 * @param partitions   partitions per collection; documents route to one by a hash of {@code _id} (default 4, as observed)
 * @param applyLag     how long an accepted write waits before it becomes visible and committed; zero applies it
 *                     before the response is sent
 * @param vi           Virtual Instance size whose write-requests-per-second limit applies (e.g. {@code MEDIUM}), or
 *                     {@code null} for no limit
 * @param faults       a fault spec (see {@link Faults}); empty for none
 * @param seed         seed of the random source that drives rate-based faults, so runs are reproducible
 * @param maxDocuments documents per write request before 400 (Rockset: 20,000)
 * @param maxBodyBytes request body bytes before 413 (Rockset: 10,485,760)
 * @param clock        the clock for the requests-per-second window and timestamps (tests may pass a controlled one)
 */
public record EmulatorSettings(int port, String apiKey, int partitions, Duration applyLag, String vi, String faults,
                               long seed, int maxDocuments, long maxBodyBytes, Clock clock) {

    public static final String DEFAULT_API_KEY = "local-key";
    public static final int DEFAULT_PARTITIONS = 4;
    public static final int DEFAULT_MAX_DOCUMENTS = 20_000;
    public static final long DEFAULT_MAX_BODY_BYTES = 10_485_760L;

    public EmulatorSettings {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        Objects.requireNonNull(apiKey, "apiKey");
        if (apiKey.isBlank() || apiKey.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("apiKey must be non-empty and contain no whitespace");
        }
        if (partitions < 1 || partitions > 1024) {
            throw new IllegalArgumentException("partitions must be 1-1024, got " + partitions);
        }
        Objects.requireNonNull(applyLag, "applyLag");
        if (applyLag.isNegative()) {
            throw new IllegalArgumentException("applyLag must not be negative, got " + applyLag);
        }
        if (vi != null) {
            vi = WriteRateLimit.canonicalSize(vi);
        }
        faults = faults == null ? "" : faults.trim();
        FaultSpec.parse(faults);
        if (maxDocuments < 1) {
            throw new IllegalArgumentException("maxDocuments must be at least 1, got " + maxDocuments);
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBodyBytes must be 1-" + (Integer.MAX_VALUE - 8) + ", got " + maxBodyBytes);
        }
        Objects.requireNonNull(clock, "clock");
    }

    /** Ephemeral port, key {@code local-key}, 4 partitions, no lag, no VI limit, no faults, Rockset's limits. */
    public static EmulatorSettings defaults() {
        return new EmulatorSettings(0, DEFAULT_API_KEY, DEFAULT_PARTITIONS, Duration.ZERO, null, "", 1L,
                DEFAULT_MAX_DOCUMENTS, DEFAULT_MAX_BODY_BYTES, Clock.systemUTC());
    }

    public EmulatorSettings withPort(int port) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withApiKey(String apiKey) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withPartitions(int partitions) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withApplyLag(Duration applyLag) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withVi(String vi) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withFaults(String faults) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withSeed(long seed) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withMaxDocuments(int maxDocuments) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withMaxBodyBytes(long maxBodyBytes) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withClock(Clock clock) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, vi, faults, seed, maxDocuments, maxBodyBytes, clock);
    }
}
