package io.inorder.writeapi;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Every knob of the Write API writer, with the defaults documented in the README. Immutable; change a copy with the
 * {@code with...} methods. Limits come from rockset-write-api.md §6 (10 MiB, 20,000 documents per request).
 *
 * @param baseUrl                  e.g. {@code https://api.usw2a1.rockset.com} or the emulator's {@code http://127.0.0.1:port}
 * @param workspace                the Rockset workspace holding every target collection
 * @param maxRequestBytes          largest request body, in bytes (default 10,485,760)
 * @param maxRequestDocuments      most documents in one request (default 20,000)
 * @param windowRequestsPerEndpoint how many full requests one coalescing window may hold per endpoint (collection and
 *                                 add/patch/delete) before it asks to be flushed (default 4)
 * @param retryBase                first backoff ceiling (default 100 ms); attempt n sleeps random(0, min(cap, base·2^n))
 * @param retryCap                 largest backoff ceiling (default 10 s)
 * @param maxAttempts              attempts per request including the first, 0 = unlimited within the deadline (default 0)
 * @param requestTimeout           per-attempt HTTP timeout, clipped to the caller's deadline (default 30 s)
 * @param connectTimeout           TCP/TLS connect timeout (default 5 s)
 * @param requestsPerSecond        client-side write-rate limit across all endpoints, 0 = off (default off)
 * @param commitPollInitial        first wait between commit-fence polls (default 100 ms), doubled per poll
 * @param commitPollMax            longest wait between commit-fence polls (default 2 s)
 * @param commitWait               longest total wait for the commit fence to pass (default 60 s)
 */
public record WriteApiSettings(
        URI baseUrl,
        String workspace,
        int maxRequestBytes,
        int maxRequestDocuments,
        int windowRequestsPerEndpoint,
        Duration retryBase,
        Duration retryCap,
        int maxAttempts,
        Duration requestTimeout,
        Duration connectTimeout,
        double requestsPerSecond,
        Duration commitPollInitial,
        Duration commitPollMax,
        Duration commitWait) {

    public static final int DEFAULT_MAX_REQUEST_BYTES = 10_485_760;
    public static final int DEFAULT_MAX_REQUEST_DOCUMENTS = 20_000;
    public static final int DEFAULT_WINDOW_REQUESTS_PER_ENDPOINT = 4;

    public WriteApiSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(workspace, "workspace");
        requireName("workspace", workspace);
        String scheme = baseUrl.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("Write API URL " + baseUrl + " must start with https:// (or http:// for"
                    + " the local emulator)");
        }
        requireAtLeast("maxRequestBytes", maxRequestBytes, 64);
        requireAtLeast("maxRequestDocuments", maxRequestDocuments, 1);
        requireAtLeast("windowRequestsPerEndpoint", windowRequestsPerEndpoint, 1);
        requireAtLeast("maxAttempts", maxAttempts, 0);
        requirePositive("retryBase", retryBase);
        requirePositive("retryCap", retryCap);
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("commitPollInitial", commitPollInitial);
        requirePositive("commitPollMax", commitPollMax);
        Objects.requireNonNull(commitWait, "commitWait");
        if (commitWait.isNegative()) {
            throw new IllegalArgumentException("commitWait must not be negative, got " + commitWait);
        }
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requestsPerSecond must be 0 (off) or a positive number, got "
                    + requestsPerSecond);
        }
    }

    /** The documented defaults for one workspace at one Write API URL. */
    public static WriteApiSettings defaults(URI baseUrl, String workspace) {
        return new WriteApiSettings(baseUrl, workspace, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_REQUEST_DOCUMENTS,
                DEFAULT_WINDOW_REQUESTS_PER_ENDPOINT, Duration.ofMillis(100), Duration.ofSeconds(10), 0,
                Duration.ofSeconds(30), Duration.ofSeconds(5), 0, Duration.ofMillis(100), Duration.ofSeconds(2),
                Duration.ofSeconds(60));
    }

    public WriteApiSettings withLimits(int maxBytes, int maxDocuments) {
        return new WriteApiSettings(baseUrl, workspace, maxBytes, maxDocuments, windowRequestsPerEndpoint, retryBase,
                retryCap, maxAttempts, requestTimeout, connectTimeout, requestsPerSecond, commitPollInitial,
                commitPollMax, commitWait);
    }

    public WriteApiSettings withWindowRequestsPerEndpoint(int requests) {
        return new WriteApiSettings(baseUrl, workspace, maxRequestBytes, maxRequestDocuments, requests, retryBase,
                retryCap, maxAttempts, requestTimeout, connectTimeout, requestsPerSecond, commitPollInitial,
                commitPollMax, commitWait);
    }

    public WriteApiSettings withRetry(Duration base, Duration cap, int attempts) {
        return new WriteApiSettings(baseUrl, workspace, maxRequestBytes, maxRequestDocuments,
                windowRequestsPerEndpoint, base, cap, attempts, requestTimeout, connectTimeout, requestsPerSecond,
                commitPollInitial, commitPollMax, commitWait);
    }

    public WriteApiSettings withTimeouts(Duration request, Duration connect) {
        return new WriteApiSettings(baseUrl, workspace, maxRequestBytes, maxRequestDocuments,
                windowRequestsPerEndpoint, retryBase, retryCap, maxAttempts, request, connect, requestsPerSecond,
                commitPollInitial, commitPollMax, commitWait);
    }

    public WriteApiSettings withRequestsPerSecond(double perSecond) {
        return new WriteApiSettings(baseUrl, workspace, maxRequestBytes, maxRequestDocuments,
                windowRequestsPerEndpoint, retryBase, retryCap, maxAttempts, requestTimeout, connectTimeout,
                perSecond, commitPollInitial, commitPollMax, commitWait);
    }

    public WriteApiSettings withCommitPolling(Duration initial, Duration max, Duration wait) {
        return new WriteApiSettings(baseUrl, workspace, maxRequestBytes, maxRequestDocuments,
                windowRequestsPerEndpoint, retryBase, retryCap, maxAttempts, requestTimeout, connectTimeout,
                requestsPerSecond, initial, max, wait);
    }

    /** Rockset names allow only letters, digits, {@code -} and {@code _}; paths are built unescaped (reference §1). */
    static void requireName(String what, String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'
                || c == '_'))) {
            throw new WriteApiConfigurationException(what + " name '" + name + "' is invalid: Rockset names allow"
                    + " only letters, digits, '-' and '_'; fix the configured " + what);
        }
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
