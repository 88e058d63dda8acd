package io.inorder.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every HTTP request the emulator received under {@code /v1}, in arrival order, with the status it answered. Safe to
 * read while requests are being served.
 */
public final class RequestLog {

    /**
     * One received request.
     *
     * @param method    the HTTP method
     * @param path      the request path, without the query string
     * @param status    the status answered, or {@code 0} when the connection was dropped without an answer
     * @param bodyBytes the request body size in bytes (counted up to the limit + 1 when the body was too large)
     * @param documents the number of {@code data[]} items of a write, {@code 0} for other requests or unread bodies
     * @param time      when the request arrived, by the emulator's clock
     * @param latency   the service time the emulator spent on it before processing it ({@link
     *                  EmulatorSettings#latencyFor}), zero for requests it answered before reading their body
     */
    public record Entry(String method, String path, int status, long bodyBytes, int documents, Instant time,
                        Duration latency) {

        /** Whether this is a document write (add, patch or delete). */
        public boolean isWrite() {
            return path.endsWith("/docs");
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void record(Entry entry) {
        entries.add(entry);
    }

    /** A snapshot of every request so far. */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** A snapshot of the requests matching {@code filter}. */
    public synchronized List<Entry> entries(Predicate<Entry> filter) {
        return entries.stream().filter(filter).toList();
    }

    public synchronized void clear() {
        entries.clear();
    }
}
