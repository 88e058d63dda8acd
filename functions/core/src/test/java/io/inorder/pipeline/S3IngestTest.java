package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.emulator.RequestLog;
import io.inorder.ledger.ArrivalOutcome;
import io.inorder.ledger.StreamCursor;
import io.inorder.ledger.TableProgress;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.WriteApiUnavailableException;
import io.inorder.observe.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link S3Ingest} end to end over the real local components — S3Proxy, DynamoDB Local, the Write API emulator over
 * HTTP — configured from an environment map: files are Arcion S3-JSON records written by {@link OrdersChanges},
 * whose own in-order model is the expected final state of the collection.
 */
class S3IngestTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    @RegisterExtension
    static final StackEmulator EMULATOR = new StackEmulator();

    private static final String STREAM_KEY_1 = S3IngestStack.STREAM + "_1.json";

    private S3IngestStack stack;
    private final OrdersChanges changes = new OrdersChanges();

    @BeforeEach
    void newStack() {
        stack = new S3IngestStack(EMULATOR.emulator(), S3_PROXY.getUri());
    }

    @Test
    void filesArrivingThreeOneTwoAreAppliedInSequenceOrder() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 10));
        S3Ingest.Notification two = stack.upload(2, List.of(changes.update("a1", "LATE", "9.99"),
                changes.delete("a2"), changes.insert("b1", "NEW", "3.00")));
        S3Ingest.Notification three = stack.upload(3, List.of(changes.changeStatus("a1", "FINAL"),
                changes.update("b1", "PAID", "3.50"), changes.delete("a3")));

        DrainSummary third = single(stack.deliver(ingest, three));
        assertThat(third.filesApplied()).isZero();
        assertThat(third.waitingOnSeq()).hasValue(1);
        assertThat(stack.documents()).isEmpty();

        DrainSummary first = single(stack.deliver(ingest, one));
        assertThat(first.filesApplied()).isEqualTo(1);
        assertThat(first.waitingOnSeq()).hasValue(2);

        DrainSummary second = single(stack.deliver(ingest, two));
        assertThat(second.filesApplied()).as("file 2, then file 3 that was waiting for it").isEqualTo(2);
        assertThat(second.waitingOnSeq()).hasValue(4);
        assertThat(second.hasGap()).isFalse();

        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertAppliedInSourceOrderWithoutRepeats();
        StreamCursor cursor = stack.cursor();
        assertThat(cursor.nextSeq()).isEqualTo(4);
        assertThat(cursor.inFileRecord()).isZero();
        assertThat(cursor.leaseOwner()).isNull();
        assertThat(cursor.lastPosition()).isEqualTo(changes.lastCursor());
    }

    @Test
    void eventNotificationsCarryTheETagUnquotedAndItNamesTheSameObjectAsTheQuotedOne() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 4));
        S3Ingest.Notification quoted = stack.upload(2, changes.busyFile("b", 4));
        assertThat(quoted.eTag()).as("PutObject, HeadObject and listings quote the eTag").startsWith("\"");
        // S3 event notifications carry it without the quotes.
        S3Ingest.Notification event = new S3Ingest.Notification(quoted.bucket(), quoted.key(),
                quoted.eTag().replace("\"", ""), quoted.size(), quoted.eventTime());

        DrainSummary fromEvent = single(stack.deliver(ingest, event));
        DrainSummary fromListing = single(stack.deliver(ingest, quoted));
        DrainSummary drained = single(stack.deliver(ingest, one));

        assertThat(fromEvent.arrival()).contains(ArrivalOutcome.NEW);
        assertThat(fromListing.arrival()).as("the same object, not a conflicting upload")
                .contains(ArrivalOutcome.DUPLICATE);
        assertThat(fromListing.conflicts()).isZero();
        assertThat(drained.filesApplied()).as("If-Match works with the recorded eTag").isEqualTo(2);
        assertThat(stack.documents()).isEqualTo(changes.documents());
    }

    @Test
    void redeliveredNotificationsAreCountedAsDuplicatesAndChangeNothing() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 6));
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("b", 6));
        stack.deliver(ingest, one, two);
        int applied = EMULATOR.emulator().applyLog(S3IngestStack.WORKSPACE, S3IngestStack.COLLECTION).size();
        int writes = writeRequests();

        List<DrainSummary> again = stack.deliver(ingest, two, one, two);

        assertThat(again).extracting(DrainSummary::duplicates).containsExactly(1, 1, 1);
        assertThat(again).extracting(DrainSummary::arrival)
                .containsOnly(Optional.of(ArrivalOutcome.ALREADY_APPLIED));
        assertThat(again).extracting(DrainSummary::filesApplied).containsOnly(0);
        assertThat(EMULATOR.emulator().applyLog(S3IngestStack.WORKSPACE, S3IngestStack.COLLECTION)).hasSize(applied);
        assertThat(writeRequests()).as("no document request for a redelivery").isEqualTo(writes);
        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertThat(stack.metric(Metrics.Name.DUPLICATE_ARRIVALS)).isEqualTo(3);
    }

    @Test
    void conflictingReUploadOfASequenceNumberIsFlaggedAndTheFirstRecordedFileIsApplied() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 5));
        S3Ingest.Notification two = stack.upload("cdc/shop.orders_2.json", OrdersChanges.file(List.of(
                changes.update("a1", "KEPT", "1.00"), changes.insert("b1", "NEW", "2.00"))));
        OrdersChanges other = new OrdersChanges();
        S3Ingest.Notification conflicting = stack.upload("cdc/shop.orders_2.ndjson", OrdersChanges.file(List.of(
                other.insert("intruder", "NEW", "6.66"))));

        DrainSummary recorded = single(stack.deliver(ingest, two));
        DrainSummary conflict = single(stack.deliver(ingest, conflicting));
        DrainSummary drained = single(stack.deliver(ingest, one));

        assertThat(recorded.arrival()).contains(ArrivalOutcome.NEW);
        assertThat(conflict.arrival()).contains(ArrivalOutcome.CONFLICT);
        assertThat(conflict.conflicts()).isEqualTo(1);
        assertThat(drained.filesApplied()).isEqualTo(2);
        assertThat(stack.documents()).as("the file recorded first for seq 2 is the one applied")
                .isEqualTo(changes.documents()).doesNotContainKey("intruder");
        assertThat(stack.metric(Metrics.Name.CONFLICTING_UPLOADS)).isEqualTo(1);
    }

    @Test
    void reUploadOfAnAppliedFileWithAnotherETagIsFlaggedLoggedWithoutItsContentsAndNeverApplied() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        S3Ingest ingest = stack.ingest(Map.of(), new Log("s3-ingest", Log.Level.INFO,
                new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.systemUTC()));
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 4));
        single(stack.deliver(ingest, one));
        Map<String, Map<String, String>> applied = stack.documents();
        int writes = writeRequests();
        OrdersChanges corrected = new OrdersChanges();
        S3Ingest.Notification correction = stack.upload(1, List.of(corrected.insert("a1", "MARKER-7f3c9", "6.66")));

        DrainSummary conflict = single(stack.deliver(ingest, correction));
        DrainSummary again = single(stack.deliver(ingest, correction));

        assertThat(conflict.arrival()).contains(ArrivalOutcome.CONFLICT_WITH_APPLIED);
        assertThat(conflict.conflicts()).isEqualTo(1);
        assertThat(conflict.duplicates()).isZero();
        assertThat(again.arrival()).as("its redelivery").contains(ArrivalOutcome.ALREADY_APPLIED);
        assertThat(stack.metric(Metrics.Name.CONFLICTING_UPLOADS)).isEqualTo(1);
        assertThat(stack.documents()).as("the applied file stays the applied one").isEqualTo(applied);
        assertThat(writeRequests()).isEqualTo(writes);
        assertThat(stack.cursor().nextSeq()).isEqualTo(2);
        String warning = logs.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("conflicting re-upload of an applied file")).findFirst().orElseThrow();
        assertThat(warning).contains("\"key\":\"" + S3IngestStack.STREAM + "_1.json\"",
                "\"eTag\":\"" + S3Ingest.bare(correction.eTag()) + "\"",
                "\"recordedETag\":\"" + S3Ingest.bare(one.eTag()) + "\"", "\"alreadyApplied\":true");
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain("MARKER-7f3c9");
    }

    @Test
    void fileOverwrittenInPlaceAfterItsArrivalIsNeverAppliedInItsPlace() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 4));
        Map<String, Map<String, String>> afterFileOne = changes.documents();
        S3Ingest.Notification two = stack.upload(2, List.of(changes.update("a1", "RECORDED", "1.00")));
        stack.deliver(ingest, two);
        OrdersChanges other = new OrdersChanges();
        S3Ingest.Notification overwrite = stack.upload(two.key(), OrdersChanges.file(List.of(
                other.insert("intruder", "NEW", "6.66"))));

        assertThatThrownBy(() -> stack.deliver(ingest, one)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(two.key()).hasMessageContaining("no longer has the eTag");

        assertThat(stack.documents()).as("file 1 applied, the overwritten file 2 not at all").isEqualTo(afterFileOne);
        assertThat(stack.cursor().nextSeq()).isEqualTo(2);
        assertThatThrownBy(() -> stack.deliver(ingest, overwrite)).as("the stream stays stopped at file 2")
                .hasMessageContaining("no longer has the eTag");
        assertThat(stack.documents()).isEqualTo(afterFileOne);
    }

    @Test
    void aGapHoldsLaterFilesUntilTheMissingFileArrives() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 4));
        Map<String, Map<String, String>> afterFileOne = changes.documents();
        S3Ingest.Notification two = stack.upload(2, List.of(changes.update("a1", "TWO", "2.00")));
        S3Ingest.Notification three = stack.upload(3, List.of(changes.update("a1", "THREE", "3.00")));
        S3Ingest.Notification four = stack.upload(4, List.of(changes.delete("a1")));

        List<DrainSummary> blocked = stack.deliver(ingest, one, three, four);

        assertThat(blocked.get(0).filesApplied()).isEqualTo(1);
        assertThat(blocked.get(2).waitingOnSeq()).hasValue(2);
        assertThat(blocked.get(2).gapBefore()).as("files 3 and 4 wait behind the missing 2").hasValue(3);
        assertThat(stack.documents()).isEqualTo(afterFileOne);
        assertThat(stack.cursor().nextSeq()).isEqualTo(2);

        DrainSummary filled = single(stack.deliver(ingest, two));

        assertThat(filled.filesApplied()).isEqualTo(3);
        assertThat(filled.hasGap()).isFalse();
        assertThat(stack.documents()).isEqualTo(changes.documents()).doesNotContainKey("a1");
        assertAppliedInSourceOrderWithoutRepeats();
    }

    @Test
    void crashBetweenWindowsIsResumedByTheRedeliveryWithNothingLostOrRepeated() {
        S3Ingest ingest = stack.ingest(Map.of("RETRY_MAX_ATTEMPTS", "1"));
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 16));
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("b", 6));
        stack.deliver(ingest, two);
        // The Write API goes down right after the second window was acknowledged and checkpointed.
        stack.dynamoDb.afterCheckpoint(2, () -> EMULATOR.emulator().faults().set("503:1.0"));

        assertThatThrownBy(() -> stack.deliver(ingest, one)).isInstanceOf(WriteApiUnavailableException.class);

        StreamCursor stopped = stack.cursor();
        assertThat(stopped.nextSeq()).isEqualTo(1);
        assertThat(stopped.inFileRecord()).as("resumes after the acknowledged windows").isPositive();
        assertThat(stopped.leaseOwner()).as("a failed invocation releases its lease").isNull();
        assertThat(stack.documents()).as("exactly the acknowledged records of file 1 are applied")
                .isEqualTo(changes.documentsAfter((int) stopped.inFileRecord()));

        EMULATOR.emulator().faults().clear();
        DrainSummary redelivery = single(stack.deliver(ingest, one));

        assertThat(redelivery.arrival()).contains(ArrivalOutcome.DUPLICATE);
        assertThat(redelivery.filesApplied()).isEqualTo(2);
        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertAppliedInSourceOrderWithoutRepeats();
        assertThat(stack.cursor().nextSeq()).isEqualTo(3);
    }

    @Test
    void deadlineStopsAtAWindowBoundaryAndTheContinuationFinishesTheStream() throws Exception {
        S3Ingest ingest = stack.ingest();
        CompletableFuture<DrainSummary> continued = new CompletableFuture<>();
        // As the asynchronous self-invocation: a new invocation drains the stream.
        stack.onContinuation(stream -> CompletableFuture.runAsync(() -> {
            try {
                continued.complete(ingest.drain(stream, "continuation", Duration.ofSeconds(60)));
            } catch (RuntimeException | Error e) {
                continued.completeExceptionally(e);
            }
        }));
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 16));
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("b", 8));
        stack.deliver(ingest, two);
        // 20 s remaining with the 12 s stop margin leaves 8 s; time jumps past that after the second window.
        stack.dynamoDb.afterCheckpoint(2, () -> stack.clock.advance(Duration.ofSeconds(10)));

        DrainSummary stopped = single(ingest.handle(List.of(one), "invocation-deadline", Duration.ofSeconds(20)));

        assertThat(stopped.stoppedForTime()).isTrue();
        assertThat(stopped.filesApplied()).isZero();
        DrainSummary finished = continued.get(30, TimeUnit.SECONDS);
        assertThat(stack.continuations).containsExactly(stack.streamId());
        assertThat(finished.filesApplied()).isEqualTo(2);
        assertThat(finished.stoppedForTime()).isFalse();
        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertAppliedInSourceOrderWithoutRepeats();
        assertThat(stack.cursor().nextSeq()).isEqualTo(3);
        assertThat(stack.metric(Metrics.Name.CONTINUATIONS)).isEqualTo(1);
    }

    @Test
    void deadlineStopLeavesTheCursorInsideTheFileAtAnAcknowledgedRecord() {
        S3Ingest ingest = stack.ingest();
        List<String> records = changes.busyFile("a", 16);
        S3Ingest.Notification one = stack.upload(1, records);
        stack.dynamoDb.afterCheckpoint(1, () -> stack.clock.advance(Duration.ofSeconds(10)));

        DrainSummary stopped = single(ingest.handle(List.of(one), "invocation-deadline", Duration.ofSeconds(20)));

        assertThat(stopped.stoppedForTime()).isTrue();
        assertThat(stack.continuations).containsExactly(stack.streamId());
        StreamCursor cursor = stack.cursor();
        assertThat(cursor.nextSeq()).isEqualTo(1);
        assertThat(cursor.inFileRecord()).isBetween(1L, (long) records.size() - 1);
        assertThat(cursor.leaseOwner()).as("released before continuing").isNull();
        assertThat(stack.documents()).as("exactly the records before the checkpoint are applied")
                .isEqualTo(changes.documentsAfter((int) cursor.inFileRecord()));
    }

    @Test
    void requestInFlightWhenTheStopMarginBeginsStillCompletesAndTheDrainStopsCleanly() {
        // Real time: a 3 s function timeout has a 1.5 s stop margin; the slowed Write API needs far longer for the
        // file, so the soft deadline passes while windows are being sent. The margin is there for exactly that:
        // the window in flight completes and the drain stops at its boundary instead of failing the invocation.
        S3Ingest ingest = stack.ingest(Map.of("FUNCTION_TIMEOUT_SECONDS", "3"));
        List<String> records = changes.busyFile("a", 40);
        S3Ingest.Notification one = stack.upload(1, records);
        EMULATOR.emulator().faults().set("slow:1.0:30ms");

        DrainSummary stopped = single(ingest.handle(List.of(one), "invocation-short", Duration.ofSeconds(3)));

        assertThat(stopped.stoppedForTime()).isTrue();
        assertThat(stack.continuations).containsExactly(stack.streamId());
        StreamCursor cursor = stack.cursor();
        assertThat(cursor.nextSeq()).isEqualTo(1);
        assertThat(cursor.inFileRecord()).isLessThan(records.size());
        assertThat(cursor.leaseOwner()).isNull();
        assertThat(stack.documents()).isEqualTo(changes.documentsAfter((int) cursor.inFileRecord()));

        EMULATOR.emulator().faults().clear();
        DrainSummary finished = stack.ingest().drain(stack.streamId(), "continuation", Duration.ofSeconds(60));

        assertThat(finished.filesApplied()).isEqualTo(1);
        assertThat(stack.documents()).isEqualTo(changes.documents());
        assertAppliedInSourceOrderWithoutRepeats();
    }

    @Test
    void badRecordIsQuarantinedWithItsOriginAndReasonWhileTheRestApplies() throws Exception {
        S3Ingest ingest = stack.ingest();
        List<String> records = new ArrayList<>(changes.busyFile("a", 4));
        int badIndex = 3;
        records.add(badIndex, changes.unknownOperation("zz"));
        records.add(changes.insert("after-bad", "NEW", "1.00"));
        S3Ingest.Notification one = stack.upload(1, records);

        DrainSummary summary = single(stack.deliver(ingest, one));

        assertThat(summary.filesApplied()).isEqualTo(1);
        assertThat(stack.documents()).isEqualTo(changes.documents()).doesNotContainKey("zz");
        List<S3Object> quarantined = stack.s3.listObjectsV2(l -> l.bucket(stack.quarantineBucket)).contents();
        assertThat(quarantined).singleElement().extracting(S3Object::key).asString()
                .contains("cdc/shop.orders_1.json");
        String body = stack.s3.getObject(g -> g.bucket(stack.quarantineBucket).key(quarantined.get(0).key()),
                ResponseTransformer.toBytes()).asUtf8String();
        JsonNode line = new ObjectMapper().readTree(body.lines().findFirst().orElseThrow());
        assertThat(line.at("/origin/source").asText()).isEqualTo("cdc/shop.orders_1.json");
        assertThat(line.at("/origin/record").asLong()).isEqualTo(badIndex);
        assertThat(line.get("reason").asText()).contains("opType").contains("X");
        assertThat(line.get("rawText").asText()).contains("\"opType\":\"X\"");
        assertThat(stack.metric(Metrics.Name.QUARANTINED_RECORDS)).isEqualTo(1);
        assertThat(stack.cursor().totals().records()).as("the bad record counts as read").isEqualTo(records.size());
    }

    @Test
    void tableCursorShowsTheLastAppliedAndVisiblePositions() {
        S3Ingest ingest = stack.ingest();
        List<String> first = changes.busyFile("a", 6);
        String firstFileEnd = changes.lastCursor();
        S3Ingest.Notification one = stack.upload(1, first);
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("b", 6));

        stack.deliver(ingest, one);
        TableProgress afterOne = stack.tables().progress(S3IngestStack.SOURCE_TABLE).orElseThrow();
        stack.deliver(ingest, two);
        TableProgress afterTwo = stack.tables().progress(S3IngestStack.SOURCE_TABLE).orElseThrow();

        assertThat(afterOne.applied()).get().extracting(TableProgress.Mark::position).isEqualTo(firstFileEnd);
        assertThat(afterTwo.applied()).get().extracting(TableProgress.Mark::position)
                .isEqualTo(changes.lastCursor());
        assertThat(afterTwo.visible()).as("COMMIT_CHECK=wait and an emulator without lag: visible as applied").get()
                .extracting(TableProgress.Mark::position).isEqualTo(changes.lastCursor());
        assertThat(afterTwo.applied().get().sourceTimeMillis())
                .isGreaterThan(afterOne.applied().get().sourceTimeMillis());
        assertThat(afterTwo.totals().records()).isEqualTo(stack.cursor().totals().records());
    }

    @Test
    void snapshotFileOfFlatRowsWithoutCursorsIsAppliedToTheTableItsKeyNames() {
        String config = "{\"workspace\":\"" + S3IngestStack.WORKSPACE + "\",\"tables\":{\"" + S3IngestStack.SOURCE_TABLE
                + "\":{\"collection\":\"" + S3IngestStack.COLLECTION + "\",\"primaryKey\":[\"id\"],"
                + "\"prefixes\":[\"cdc/shop.orders\"]}}}";
        S3Ingest ingest = stack.ingest(Map.of("TABLE_CONFIG", config));
        List<String> rows = new ArrayList<>();
        Map<String, Map<String, String>> expected = new TreeMap<>();
        for (int i = 0; i < 10; i++) {
            rows.add("{\"id\":\"s" + i + "\",\"status\":\"SNAP\",\"total\":\"" + i + ".00\",\"rev\":\"" + i + "\"}");
            expected.put("s" + i, Map.of("id", "s" + i, "status", "SNAP", "total", i + ".00", "rev",
                    Integer.toString(i)));
        }
        S3Ingest.Notification snapshot = stack.upload(1, rows);

        DrainSummary summary = single(stack.deliver(ingest, snapshot));

        assertThat(summary.filesApplied()).isEqualTo(1);
        assertThat(stack.documents()).isEqualTo(expected);
        assertThat(stack.cursor().totals().records()).isEqualTo(rows.size());
    }

    @Test
    void emptyFileIsAppliedAsAFileWithoutRecordsAndTheStreamMovesOn() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification empty = stack.upload(STREAM_KEY_1, new byte[0]);
        S3Ingest.Notification two = stack.upload(2, changes.busyFile("a", 3));

        List<DrainSummary> summaries = stack.deliver(ingest, two, empty);

        assertThat(summaries.get(1).filesApplied()).isEqualTo(2);
        assertThat(stack.cursor().nextSeq()).isEqualTo(3);
        assertThat(stack.documents()).isEqualTo(changes.documents());
    }

    @Test
    void keyNotMatchingThePatternIsIgnoredAndCounted() {
        S3Ingest ingest = stack.ingest();
        S3Ingest.Notification readme = stack.upload("cdc/README.txt", "not a change file".getBytes());
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 3));

        List<DrainSummary> summaries = stack.deliver(ingest, readme, one);

        assertThat(summaries).singleElement().extracting(DrainSummary::filesApplied).isEqualTo(1);
        assertThat(stack.metric(Metrics.Name.IGNORED_KEYS)).isEqualTo(1);
        assertThat(stack.metric(Metrics.Name.ARRIVALS)).isEqualTo(1);
        assertThat(stack.documents()).isEqualTo(changes.documents());
    }

    @Test
    void functionTimeoutBelowTheRemainingTimeIsRefusedNamingTheVariable() {
        S3Ingest ingest = stack.ingest(Map.of("FUNCTION_TIMEOUT_SECONDS", "30"));
        S3Ingest.Notification one = stack.upload(1, changes.busyFile("a", 3));

        assertThatThrownBy(() -> ingest.handle(List.of(one), "invocation-1", Duration.ofSeconds(120)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("FUNCTION_TIMEOUT_SECONDS");
        assertThat(stack.documents()).isEmpty();
        assertThat(stack.cursor().nextSeq()).as("nothing recorded or applied").isEqualTo(1);
    }

    private int writeRequests() {
        return EMULATOR.emulator().requests().entries(RequestLog.Entry::isWrite).size();
    }

    private void assertAppliedInSourceOrderWithoutRepeats() {
        assertThat(stack.appliedRevisions()).allSatisfy((id, revs) -> assertThat(revs)
                .as("source revisions applied to _id %s", id).isSorted().doesNotHaveDuplicates());
    }

    private static DrainSummary single(List<DrainSummary> summaries) {
        assertThat(summaries).hasSize(1);
        return summaries.get(0);
    }
}
