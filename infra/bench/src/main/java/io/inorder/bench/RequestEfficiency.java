package io.inorder.bench;

import io.inorder.arcion.Origin;
import io.inorder.arcion.Row;
import io.inorder.emulator.Emulator;
import io.inorder.emulator.RequestLog;
import io.inorder.writeapi.ApiKeySource;
import io.inorder.writeapi.CoalescingWindow;
import io.inorder.writeapi.RequestBodies;
import io.inorder.writeapi.Upsert;
import io.inorder.writeapi.WriteApiClient;
import io.inorder.writeapi.WriteApiSettings;
import io.inorder.writeapi.WriteResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Section 2: how many Write API requests a document stream costs. The stream is sent by the real
 * {@link WriteApiClient} and {@link CoalescingWindow} over HTTP to the emulator, which counts the write requests it
 * receives; the same documents, encoded the same way, are counted through the fixed-size baseline batchers (1,000
 * documents per request, as kafka-connect-rockset and the Go writer batch, and 256) and against {@link RequestBound}.
 * Counts are deterministic: the figures do not depend on the machine.
 */
final class RequestEfficiency {

    /**
     * One workload: {@code documents} upserts of {@code documentBytes}-byte items; ids all distinct when
     * {@code keySpace} is 0, otherwise drawn from {@code keySpace} ids (a hot key set).
     */
    record Workload(String name, int documentBytes, int documents, int keySpace) { }

    /** What one workload cost. */
    record Figures(Workload workload, long itemBytes, long documentsSent, RequestBound bound, long requests,
                   long emulatorWrites, long fixed1000, long fixed256) {

        double ratioToBound() {
            return (double) requests / bound.requests();
        }

        /** How many times fewer requests than 1,000-document batching. */
        double fewerThanFixed1000() {
            return (double) fixed1000 / requests;
        }
    }

    static List<Workload> workloads(boolean quick) {
        int scale = quick ? 10 : 1;
        return List.of(
                new Workload("1 KB documents", 1_024, 200_000 / scale, 0),
                new Workload("10 KB documents", 10_240, 20_000 / scale, 0),
                new Workload("200-byte documents", 200, 400_000 / scale, 0),
                new Workload("hot keys (1 KB, 100 ids)", 1_024, 200_000 / scale, 100));
    }

    private static final String COLLECTION = CdcRecords.COLLECTION;
    private static final long EVENT_TIME = 1_767_225_600_000_000L;

    private final Emulator emulator;
    private final WriteApiSettings settings;

    RequestEfficiency(Emulator emulator, int maxBytes, int maxDocuments) {
        this.emulator = emulator;
        this.settings = WriteApiSettings.defaults(emulator.baseUrl(), CdcRecords.WORKSPACE)
                .withLimits(maxBytes, maxDocuments);
    }

    Figures run(Workload w) {
        // Empties the collection and the request log: only this workload's requests are counted.
        emulator.reset();
        emulator.createCollection(CdcRecords.WORKSPACE, COLLECTION);
        WriteApiClient client = new WriteApiClient(settings, ApiKeySource.fixed(emulator.apiKey()));
        var deadline = io.inorder.writeapi.Deadline.after(Clock.systemUTC(), Duration.ofHours(1));
        RequestFramer fixed1000 = new RequestFramer(new CountingSink(), settings.maxRequestBytes(), 1_000);
        RequestFramer fixed256 = new RequestFramer(new CountingSink(), settings.maxRequestBytes(), 256);
        int padding = padding(w.documentBytes());
        long itemBytes = 0;
        long requests = 0;
        long sent = 0;
        CoalescingWindow window = client.newWindow();
        try {
            for (int i = 0; i < w.documents(); i++) {
                String id = Long.toString(w.keySpace() == 0 ? i : Math.floorMod(CdcRecords.mix(i), w.keySpace()));
                Row row = document(id, i, padding);
                byte[] item = RequestBodies.upsertItem(id, row, EVENT_TIME);
                itemBytes += item.length;
                fixed1000.add(item);
                fixed256.add(item);
                Upsert op = new Upsert(COLLECTION, id, row, EVENT_TIME, Origin.fileRecord("bench/requests_1", i, 0));
                if (window.add(op) == CoalescingWindow.Admission.FLUSH_FIRST) {
                    WriteResult r = client.send(window, deadline);
                    requests += r.requests();
                    sent += r.documentsWritten();
                    window = client.newWindow();
                    window.add(op);
                }
            }
            WriteResult r = client.send(window, deadline);
            requests += r.requests();
            sent += r.documentsWritten();
            long writes = emulator.requests().entries(RequestLog.Entry::isWrite).size();
            RequestBound bound = new RequestBound(itemBytes, w.documents(), settings.maxRequestBytes(),
                    settings.maxRequestDocuments());
            Figures f = new Figures(w, itemBytes, sent, bound, requests, writes, fixed1000.finish(),
                    fixed256.finish());
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // The documents are not needed after counting; a full run would otherwise keep ~0.5 GB of them.
            emulator.reset();
        }
    }

    /** A note of the length that makes the item exactly {@code documentBytes} (or as small as it gets). */
    private static int padding(int documentBytes) {
        int base = RequestBodies.upsertItem("0", document("0", 0, 0), EVENT_TIME).length;
        return Math.max(0, documentBytes - base);
    }

    private static Row document(String id, long i, int padding) {
        StringBuilder note = new StringBuilder(padding);
        long h = CdcRecords.mix(i);
        while (note.length() < padding) {
            note.append((char) ('a' + Math.floorMod(h, 26)));
            h = h * 6364136223846793005L + 1442695040888963407L;
        }
        return Row.of(List.of("id", "status", "note"), List.of(id, i % 2 == 0 ? "PAID" : "SHIPPED",
                note.toString()));
    }
}
