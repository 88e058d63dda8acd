package io.inorder.writeapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.inorder.arcion.BadRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Sends coalescing windows to the Rockset Write API (rockset-write-api.md §2, §5) over one {@link HttpClient}; build
 * one per container and share it.
 *
 * <p>Per request, decided by HTTP status only (the error {@code type} is unreliable, §5):
 * <ul>
 *   <li>200: each item's status is read; {@code ERROR} items become {@link BadRecord}s with the server's message, the
 *       {@code last_offset} is kept.</li>
 *   <li>408, 429, 500, 502, 503, 504 and I/O errors (timeouts, resets): retried with exponential backoff and full
 *       jitter, {@code Retry-After} honoured as a minimum, never sleeping past the caller's {@link Deadline}: when the
 *       next wait would cross it, {@link WriteApiUnavailableException} (retriable) instead.</li>
 *   <li>413, or 400 with {@code RECEIVER_REQUEST_MAX_DOCUMENT_LIMIT}: the request is split in halves.</li>
 *   <li>Any other 400: bisected until the offending documents are alone; each becomes a {@link BadRecord}.</li>
 *   <li>401: the key is fetched again once; a second 401, or 403/404: {@link WriteApiConfigurationException} naming
 *       the fix. Other statuses: {@link WriteApiProtocolException}.</li>
 * </ul>
 * Requests of one window are sent one after another (they are key-disjoint, so their order does not matter); the
 * caller sends windows one after another, which keeps every {@code _id}'s writes in source order. A window that
 * fails part way may have been partly applied; sending it again is safe because every document has a deterministic
 * {@code _id} and the mapper only emits idempotent patches. Thread-safe.
 */
public final class WriteApiClient {

    private static final String USER_AGENT = "inorder/0.1 (java.net.http)";
    private static final String DOCUMENT_LIMIT_KEY = "RECEIVER_REQUEST_MAX_DOCUMENT_LIMIT";
    /** A longer {@code Retry-After} is taken as this: without a deadline, an absurd value would stall forever. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final WriteApiSettings settings;
    private final ApiKeySource apiKey;
    private final HttpClient http;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Backoff backoff;
    private final WriteRateLimiter rateLimiter;
    private final String base;

    public WriteApiClient(WriteApiSettings settings, ApiKeySource apiKey) {
        this(settings, apiKey, Clock.systemUTC(), Sleeper.REAL, jitterSource());
    }

    /**
     * The randomness of the retry jitter. Under SnapStart every container restored from one snapshot starts from the
     * same memory, so a {@code java.util.Random} built during init would hand each of them the same "random" sleeps:
     * the synchronized retry storm jitter exists to break (AWS Lambda guide, "Handling uniqueness with Lambda
     * SnapStart"). {@link SecureRandom} (NativePRNG on Linux) mixes fresh bytes from the operating system into every
     * draw, so restored containers diverge from their first retry on.
     */
    static RandomGenerator jitterSource() {
        return new SecureRandom();
    }

    WriteApiClient(WriteApiSettings settings, ApiKeySource apiKey, Clock clock, Sleeper sleeper,
                   RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.clock = clock;
        this.sleeper = sleeper;
        this.backoff = new Backoff(settings.retryBase(), settings.retryCap(), random);
        this.rateLimiter = new WriteRateLimiter(settings.requestsPerSecond(), clock, sleeper);
        // HTTP/2 over TLS to Rockset; plain HTTP/1.1 to the local emulator (no h2c upgrade dance).
        boolean tls = "https".equalsIgnoreCase(settings.baseUrl().getScheme());
        this.http = HttpClient.newBuilder()
                .version(tls ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String url = settings.baseUrl().toString();
        this.base = (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/v1/orgs/self/ws/"
                + settings.workspace() + "/collections/";
    }

    public WriteApiSettings settings() {
        return settings;
    }

    /** A new, empty window with this client's limits. */
    public CoalescingWindow newWindow() {
        return new CoalescingWindow(settings);
    }

    /**
     * Sends every request of the window (sealing it) and returns what was acknowledged and what was rejected. After a
     * {@link WriteApiUnavailableException} the same window may be sent again, as a whole.
     *
     * @throws WriteApiUnavailableException   retriable: retries ran into the deadline or the attempt limit
     * @throws WriteApiConfigurationException permanent: key, permissions, workspace or collection need fixing
     * @throws WriteApiProtocolException      permanent: an unexpected status or body
     */
    public WriteResult send(CoalescingWindow window, Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline");
        Tally tally = new Tally();
        tally.badRecords.addAll(window.rejected());
        for (WriteRequest request : window.seal()) {
            send(request, deadline, tally);
        }
        Map<String, List<String>> offsets = new LinkedHashMap<>();
        tally.offsets.forEach((c, list) -> offsets.put(c, List.copyOf(list)));
        return new WriteResult(offsets, tally.badRecords, tally.documentsWritten, tally.requests, tally.retries,
                tally.throttled, tally.bytesSent);
    }

    private void send(WriteRequest request, Deadline deadline, Tally tally) {
        WriteApiSettings.requireName("collection", request.collection());
        URI uri = URI.create(base + request.collection() + "/docs");
        Reply reply = exchange(request.endpoint().method, uri, request.bodyParts(), request.bodyBytes(), deadline,
                tally);
        int status = reply.status;
        if (status == 200) {
            acknowledge(request, reply, tally);
        } else if (status == 413 || (status == 400 && reply.isDocumentLimit())) {
            if (request.items().size() == 1) {
                WriteRequest.Item item = request.items().get(0);
                tally.badRecords.add(BadRecord.withDetail(item.origin(), "Write API refused a document of "
                        + item.bytes().length + " bytes in collection " + request.collection() + " (HTTP " + status
                        + reply.keySuffix() + ")", "Write API refused document _id " + item.id() + " of "
                        + item.bytes().length + " bytes in collection " + request.collection() + " (HTTP " + status
                        + "): " + reply.message(), item.bytes()));
            } else {
                for (WriteRequest half : request.halves()) {
                    send(half, deadline, tally);
                }
            }
        } else if (status == 400) {
            if (request.items().size() == 1) {
                WriteRequest.Item item = request.items().get(0);
                // The service's message may quote the document (a value, its _id): it goes to the quarantine only.
                tally.badRecords.add(BadRecord.withDetail(item.origin(), "Write API rejected a document in "
                        + "collection " + request.collection() + " (HTTP 400" + reply.keySuffix() + ")",
                        "Write API rejected _id " + item.id() + " in collection " + request.collection()
                        + " (HTTP 400): " + reply.message(), item.bytes()));
            } else {
                // Bisect: halves that pass are written, the offending documents end up alone.
                for (WriteRequest half : request.halves()) {
                    send(half, deadline, tally);
                }
            }
        } else {
            throw refusal(reply, request.endpoint().method, uri, request.collection());
        }
    }

    private static void acknowledge(WriteRequest request, Reply reply, Tally tally) {
        JsonNode offset = reply.json.get("last_offset");
        if (offset != null && offset.isTextual()) {
            tally.offsets.computeIfAbsent(request.collection(), c -> new ArrayList<>()).add(offset.asText());
        }
        JsonNode data = reply.json.get("data");
        List<WriteRequest.Item> items = request.items();
        if (data == null || !data.isArray()) {
            tally.documentsWritten += items.size();
            return;
        }
        Map<String, WriteRequest.Item> byId = null;
        for (int i = 0; i < data.size(); i++) {
            JsonNode status = data.get(i);
            if (!"ERROR".equalsIgnoreCase(status.path("status").asText())) {
                tally.documentsWritten++;
                continue;
            }
            // Items of a request are key-disjoint, so _id identifies the item exactly; the index is the fallback.
            WriteRequest.Item item = null;
            JsonNode id = status.get("_id");
            if (id != null && id.isTextual()) {
                if (byId == null) {
                    byId = new HashMap<>();
                    for (WriteRequest.Item it : items) {
                        byId.put(it.id(), it);
                    }
                }
                item = byId.get(id.asText());
            }
            if (item == null && i < items.size()) {
                item = items.get(i);
            }
            if (item == null) {
                continue;
            }
            JsonNode error = status.path("error");
            String message = error.path("message").asText(error.isTextual() ? error.asText() : "no message");
            String key = error.path("message_key").asText("");
            tally.badRecords.add(BadRecord.withDetail(item.origin(), "Write API rejected a document in collection "
                    + request.collection() + (key.isEmpty() ? "" : " (" + key + ")"), "Write API rejected _id "
                    + item.id() + " in collection " + request.collection() + ": " + message
                    + (key.isEmpty() ? "" : " (" + key + ")"), item.bytes()));
        }
        if (data.size() < items.size()) {
            tally.documentsWritten += items.size() - data.size();
        }
    }

    /**
     * One call with retries: returns the first reply whose status is not retriable (200 only with a JSON object body).
     * Handles 401 by fetching the key again once.
     */
    Reply exchange(String method, URI uri, List<byte[]> body, long bodyBytes, Deadline deadline, Tally tally) {
        int retry = 0;
        boolean keyRefreshed = false;
        while (true) {
            rateLimiter.acquire(deadline);
            Instant now = clock.instant();
            Duration remaining = deadline.remaining(now);
            if (remaining.isNegative() || remaining.isZero()) {
                throw new WriteApiUnavailableException(method + " " + uri + ": the deadline " + deadline.at()
                        + " has passed before the request could be sent; checkpoint and continue in a new invocation");
            }
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(remaining.compareTo(settings.requestTimeout()) < 0 ? remaining : settings.requestTimeout())
                    .header("Authorization", "ApiKey " + apiKey.apiKey())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", USER_AGENT)
                    .method(method, HttpRequest.BodyPublishers.ofByteArrays(new BodyChunks(body)))
                    .build();
            tally.requests++;
            tally.bytesSent += bodyBytes;
            String failure;
            Duration retryAfter = null;
            try {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                Reply reply = new Reply(response.statusCode(), response.body());
                int status = reply.status;
                if (status == 401 && !keyRefreshed) {
                    keyRefreshed = true;
                    apiKey.refresh();
                    continue;
                }
                if (status == 401) {
                    throw new WriteApiConfigurationException("API key rejected (HTTP 401) by " + method + " " + uri
                            + ": " + reply.message() + "; check " + apiKey.describe());
                }
                if (status == 429) {
                    tally.throttled++;
                }
                if (!isRetriable(status) && !(status == 200 && reply.json == null)) {
                    return reply;
                }
                failure = status == 200 ? "HTTP 200 with an unreadable body" : "HTTP " + status + ": "
                        + reply.message();
                retryAfter = retryAfter(response, clock.instant());
            } catch (HttpTimeoutException e) {
                failure = "no response within " + request.timeout().orElse(settings.requestTimeout());
            } catch (IOException e) {
                failure = "I/O error: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WriteApiUnavailableException(method + " " + uri + " was interrupted", e);
            }
            if (settings.maxAttempts() > 0 && retry + 1 >= settings.maxAttempts()) {
                throw new WriteApiUnavailableException(method + " " + uri + " failed " + (retry + 1)
                        + " times (the configured attempt limit), last: " + failure + "; the window can be sent"
                        + " again later");
            }
            Duration sleep = backoff.next(retry, retryAfter);
            Instant before = clock.instant();
            if (deadline.wouldPass(before, sleep)) {
                throw new WriteApiUnavailableException(method + " " + uri + " failed " + (retry + 1) + " times, last: "
                        + failure + "; the next retry (in " + sleep.toMillis() + " ms) would pass the deadline "
                        + deadline.at() + ": checkpoint and continue in a new invocation");
            }
            try {
                sleeper.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WriteApiUnavailableException(method + " " + uri + " was interrupted during backoff", e);
            }
            retry++;
            tally.retries++;
        }
    }

    static boolean isRetriable(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** The configuration or protocol error for a status the caller cannot work around. */
    WriteApiException refusal(Reply reply, String method, URI uri, String collection) {
        String ws = settings.workspace();
        return switch (reply.status) {
            case 403 -> new WriteApiConfigurationException("the API key may not write collection " + collection
                    + " in workspace " + ws + " (HTTP 403: " + reply.message() + "): give the key's role write access"
                    + " to it, or use another key (" + apiKey.describe() + ")");
            case 404 -> {
                String key = reply.messageKey();
                if (reply.json == null) {
                    yield new WriteApiConfigurationException(method + " " + uri + " answered HTTP 404 without a"
                            + " Rockset error body: check the Write API URL (" + settings.baseUrl() + ")");
                } else if (key.startsWith("WORKSPACE")) {
                    yield new WriteApiConfigurationException("workspace " + ws + " does not exist (HTTP 404: "
                            + reply.message() + "): create it or fix the configured workspace");
                }
                yield new WriteApiConfigurationException("collection " + collection + " does not exist in workspace "
                        + ws + " (HTTP 404: " + reply.message() + "): create it or fix tables.json");
            }
            default -> new WriteApiProtocolException(method + " " + uri + " answered HTTP " + reply.status + ": "
                    + reply.message() + "; check the Write API URL (" + settings.baseUrl() + ") and any proxy in"
                    + " between");
        };
    }

    /**
     * {@code Retry-After} as delta-seconds or an HTTP date (RFC 9110 §10.2.3), at most {@link #MAX_RETRY_AFTER}; null
     * when absent or unreadable.
     */
    static Duration retryAfter(HttpResponse<?> response, Instant now) {
        String value = response.headers().firstValue("Retry-After").orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.trim();
        Duration wait;
        try {
            long seconds = Long.parseLong(value);
            wait = seconds <= 0 ? Duration.ZERO : Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                wait = at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    Clock clock() {
        return clock;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    String collectionsUrl() {
        return base;
    }

    /** Counters and outcomes while sending one window (or one fence poll). */
    static final class Tally {
        final Map<String, List<String>> offsets = new LinkedHashMap<>();
        final List<BadRecord> badRecords = new ArrayList<>();
        int documentsWritten;
        int requests;
        int retries;
        int throttled;
        long bytesSent;
    }

    /** A response: status, the body as JSON when it is a JSON object (gateways send HTML), else its text. */
    static final class Reply {
        final int status;
        final JsonNode json;
        private final byte[] body;

        Reply(int status, byte[] body) {
            this.status = status;
            this.body = body == null ? new byte[0] : body;
            JsonNode parsed = null;
            try {
                JsonNode n = RequestItems.JSON.readTree(this.body);
                parsed = n != null && n.isObject() ? n : null;
            } catch (IOException | RuntimeException notJson) {
                parsed = null;
            }
            this.json = parsed;
        }

        /** The server's {@code message}, or the start of a non-JSON body. */
        String message() {
            if (json != null && json.path("message").isTextual()) {
                return json.get("message").asText();
            }
            String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(empty body)" : text;
        }

        String messageKey() {
            return json == null ? "" : json.path("message_key").asText("");
        }

        /** {@code ", <message_key>"} when the body has one: an error code, never document content. */
        String keySuffix() {
            String key = messageKey();
            return key.isEmpty() ? "" : ", " + key;
        }

        /** The 400 that means "too many documents": split, don't bisect. */
        boolean isDocumentLimit() {
            if (DOCUMENT_LIMIT_KEY.equals(messageKey())) {
                return true;
            }
            String m = message().toLowerCase(Locale.ROOT);
            return m.contains("number of documents") && m.contains("exceeds the maximum allowed limit");
        }
    }
}
