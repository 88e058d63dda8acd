package io.inorder.writeapi;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Waits until acknowledged writes are queryable: sends a window's {@code last_offset}s to
 * {@code POST .../collections/{c}/offsets/commit} as {@code {"name": [...]}} and polls, backing off from
 * {@code commitPollInitial} doubling to {@code commitPollMax}, until {@code data.passed} or {@code commitWait}
 * (or the caller's deadline) runs out (rockset-write-api.md §3). Offsets are passed through untouched; the server
 * merges and compares them (§7). Ordering never depends on the fence: it only decides when a cursor's
 * {@code visibleThrough} may advance. Thread-safe.
 */
public final class CommitFence {

    /**
     * @param passed true when every collection's fence passed
     * @param waited time from the first poll to the answer
     * @param polls  commit requests made (retries of one poll included)
     */
    public record Outcome(boolean passed, Duration waited, int polls) { }

    private final WriteApiClient client;

    public CommitFence(WriteApiClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Waits for the offsets of one {@link WriteResult}. */
    public Outcome await(WriteResult result, Deadline deadline) {
        return await(result.offsets(), deadline);
    }

    /**
     * Polls each collection with offsets until it passes; a collection that passed is not asked again.
     *
     * @throws WriteApiConfigurationException when the key, workspace or collection is wrong (401/403/404)
     * @throws WriteApiProtocolException      when the server refuses the offsets (400) or answers unreadably
     */
    public Outcome await(Map<String, ? extends Collection<String>> offsetsByCollection, Deadline deadline) {
        WriteApiSettings settings = client.settings();
        Clock clock = client.clock();
        Instant start = clock.instant();
        Instant waitEnd = start.plus(settings.commitWait());
        Deadline bound = waitEnd.isBefore(deadline.at()) ? Deadline.at(clock, waitEnd) : deadline;
        Map<String, byte[]> pending = new LinkedHashMap<>();
        offsetsByCollection.forEach((collection, offsets) -> {
            if (!offsets.isEmpty()) {
                WriteApiSettings.requireName("collection", collection);
                pending.put(collection, body(offsets));
            }
        });
        WriteApiClient.Tally tally = new WriteApiClient.Tally();
        Duration pause = settings.commitPollInitial();
        while (true) {
            try {
                pending.entrySet().removeIf(e -> passed(e.getKey(), e.getValue(), bound, tally));
            } catch (WriteApiUnavailableException stillUnavailable) {
                // The service kept failing until the bound: the fence was not seen passing, which is the answer.
                return new Outcome(false, Duration.between(start, clock.instant()), tally.requests);
            }
            Instant now = clock.instant();
            if (pending.isEmpty()) {
                return new Outcome(true, Duration.between(start, now), tally.requests);
            }
            if (bound.wouldPass(now, pause)) {
                return new Outcome(false, Duration.between(start, now), tally.requests);
            }
            try {
                client.sleeper().sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, Duration.between(start, clock.instant()), tally.requests);
            }
            pause = pause.multipliedBy(2);
            if (pause.compareTo(settings.commitPollMax()) > 0) {
                pause = settings.commitPollMax();
            }
        }
    }

    private boolean passed(String collection, byte[] body, Deadline bound, WriteApiClient.Tally tally) {
        URI uri = URI.create(client.collectionsUrl() + collection + "/offsets/commit");
        WriteApiClient.Reply reply = client.exchange("POST", uri, List.of(body), body.length, bound, tally);
        if (reply.status == 200) {
            JsonNode passed = reply.json.path("data").path("passed");
            if (!passed.isBoolean()) {
                throw new WriteApiProtocolException("POST " + uri + " answered 200 without data.passed: "
                        + reply.message());
            }
            return passed.booleanValue();
        }
        if (reply.status == 409) {
            // Documented for this endpoint only, without a meaning; a conflict on a read is worth another poll.
            return false;
        }
        if (reply.status == 400) {
            throw new WriteApiProtocolException("POST " + uri + " refused the offsets returned by the writes (HTTP"
                    + " 400: " + reply.message() + "); the Write API URL may point at a different service than the"
                    + " writes did");
        }
        throw client.refusal(reply, "POST", uri, collection);
    }

    private static byte[] body(Collection<String> offsets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + offsets.size() * 24);
        try (JsonGenerator g = RequestItems.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("name");
            for (String o : offsets) {
                g.writeString(o);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
