package io.inorder.emulator;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link Emulator} behaves. Immutable; start from {@link #defaults()} and use the withers.
 *
 * <p>The service's clock: writes become visible {@code applyLag} after they are accepted, each document write and
 * commit request takes {@code requestLatency} plus {@code latencyPerMiB} per MiB of its body before it is processed,
 * and a collection created through the API turns READY {@code readyDelay} after its creation
 * (rockset-write-api.md §4 recorded about 64 s). Collections made with {@link Emulator#createCollection} are the ones
 * that existed before the emulator started, and are READY at once.
 *
 * @param port           TCP port on 127.0.0.1; {@code 0} picks a free one
 * @param apiKey         the only key accepted in {@code Authorization: ApiKey <key>}
 * @param partitions     partitions per collection; documents route to one by a hash of {@code _id} (default 4, as
 *                       observed)
 * @param applyLag       how long an accepted write waits before it becomes visible and committed; zero applies it
 *                       before the response is sent
 * @param requestLatency the fixed part of the time a document write or commit request takes, spent before it is
 *                       processed (so the apply lag counts from the response)
 * @param latencyPerMiB  the part of that time per MiB (1,048,576 bytes) of request body, pro rata
 * @param readyDelay     how long a collection created through the API stays CREATED (and refuses writes with 503)
 *                       before it is READY
 * @param vi             Virtual Instance size whose write-requests-per-second limit applies (e.g. {@code MEDIUM}), or
 *                       {@code null} for no limit
 * @param faults         a fault spec (see {@link Faults}); empty for none
 * @param seed           seed of the random source that drives rate-based faults, so runs are reproducible
 * @param maxDocuments   documents per write request before 400 (Rockset: 20,000)
 * @param maxBodyBytes   request body bytes before 413 (Rockset: 10,485,760)
 * @param clock          the clock for the requests-per-second window, the collections' READY time and timestamps
 *                       (tests may pass a controlled one)
 */
public record EmulatorSettings(int port, String apiKey, int partitions, Duration applyLag, Duration requestLatency,
                               Duration latencyPerMiB, Duration readyDelay, String vi, String faults, long seed,
                               int maxDocuments, long maxBodyBytes, Clock clock) {

    public static final String DEFAULT_API_KEY = "local-key";
    public static final int DEFAULT_PARTITIONS = 4;
    public static final int DEFAULT_MAX_DOCUMENTS = 20_000;
    public static final long DEFAULT_MAX_BODY_BYTES = 10_485_760L;
    /** A new collection's time to READY as recorded against the service (rockset-write-api.md §4: about 64 s). */
    public static final Duration DEFAULT_READY_DELAY = Duration.ofSeconds(64);
    private static final Duration MAX_LATENCY = Duration.ofHours(1);

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
        requireNotNegative(applyLag, "applyLag");
        requireNotNegative(requestLatency, "requestLatency");
        requireNotNegative(latencyPerMiB, "latencyPerMiB");
        if (requestLatency.compareTo(MAX_LATENCY) > 0 || latencyPerMiB.compareTo(MAX_LATENCY) > 0) {
            throw new IllegalArgumentException("requestLatency and latencyPerMiB must be at most " + MAX_LATENCY
                    + " (longer than any client waits for an answer), got " + requestLatency + " and " + latencyPerMiB);
        }
        requireNotNegative(readyDelay, "readyDelay");
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

    /**
     * Ephemeral port, key {@code local-key}, 4 partitions, no apply lag, no request latency, collections created
     * through the API READY after the recorded 64 s, no VI limit, no faults, Rockset's limits.
     */
    public static EmulatorSettings defaults() {
        return new EmulatorSettings(0, DEFAULT_API_KEY, DEFAULT_PARTITIONS, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                DEFAULT_READY_DELAY, null, "", 1L, DEFAULT_MAX_DOCUMENTS, DEFAULT_MAX_BODY_BYTES, Clock.systemUTC());
    }

    /** The time a request with a body of {@code bodyBytes} takes: the fixed part plus the part per MiB, pro rata. */
    public Duration latencyFor(long bodyBytes) {
        return requestLatency.plusNanos(Math.round(latencyPerMiB.toNanos() * (Math.max(0, bodyBytes) / 1_048_576.0)));
    }

    public EmulatorSettings withPort(int port) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withApiKey(String apiKey) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withPartitions(int partitions) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withApplyLag(Duration applyLag) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    /** A request takes {@code fixed} plus {@code perMiB} for each MiB of its body (document writes and commits). */
    public EmulatorSettings withRequestLatency(Duration fixed, Duration perMiB) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, fixed, perMiB, readyDelay, vi, faults, seed,
                maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withReadyDelay(Duration readyDelay) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withVi(String vi) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withFaults(String faults) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withSeed(long seed) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withMaxDocuments(int maxDocuments) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withMaxBodyBytes(long maxBodyBytes) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    public EmulatorSettings withClock(Clock clock) {
        return new EmulatorSettings(port, apiKey, partitions, applyLag, requestLatency, latencyPerMiB, readyDelay, vi,
                faults, seed, maxDocuments, maxBodyBytes, clock);
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
