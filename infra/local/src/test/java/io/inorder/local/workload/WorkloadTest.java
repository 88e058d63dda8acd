package io.inorder.local.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.arcion.ArcionFormat;
import io.inorder.arcion.ArcionReader;
import io.inorder.arcion.ArcionReaders;
import io.inorder.arcion.BadRecord;
import io.inorder.arcion.ReadResult;
import io.inorder.arcion.ReaderOptions;
import io.inorder.mapping.TableConfig;
import io.inorder.mapping.TableMapping;
import io.inorder.pipeline.S3KeyPattern;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {

    private static final WorkloadSpec SMALL = WorkloadSpec.defaults().withChanges(600).withRecordsPerFile(5, 40);

    @Test
    void sameSeedGivesIdenticalBytesConfigAndExpectedState() throws IOException {
        Workload a = Workload.generate(SMALL.withSeed(7));
        Workload b = Workload.generate(SMALL.withSeed(7));
        assertThat(a.files()).isEqualTo(b.files());
        for (WorkloadFile f : a.files()) {
            assertThat(a.bytes(f)).as(f.key()).isEqualTo(b.bytes(f));
        }
        assertThat(a.tableConfigJson()).isEqualTo(b.tableConfigJson());
        assertThat(a.expected()).isEqualTo(b.expected());
        assertThat(a.changes()).isEqualTo(b.changes());
    }

    @Test
    void differentSeedsGiveDifferentFilesAndStates() throws IOException {
        Workload a = Workload.generate(SMALL.withSeed(7));
        Workload b = Workload.generate(SMALL.withSeed(8));
        assertThat(a.expected()).isNotEqualTo(b.expected());
        WorkloadFile first = a.streams().get("cdc/shop.orders").get(0);
        WorkloadFile other = b.streams().get("cdc/shop.orders").get(0);
        assertThat(a.bytes(first)).isNotEqualTo(b.bytes(other));
    }

    @Test
    void everyFileReadsWithoutBadRecordsAndHoldsItsRecordCount() throws IOException {
        Workload w = Workload.generate(WorkloadSpec.defaults().withTables(6));
        TableConfig config = TableConfig.parse(w.tableConfigJson(), "tables.json");
        long total = 0;
        for (WorkloadFile f : w.files()) {
            TableMapping t = config.tableForKey(f.key()).orElseThrow();
            ReaderOptions opts = t.readerOptions(ArcionFormat.AUTO);
            int n = 0;
            try (ArcionReader r = ArcionReaders.open(w.open(f), f.key(), opts)) {
                ReadResult rr;
                while ((rr = r.next()) != null) {
                    assertThat(rr).as(f.key()).isNotInstanceOf(BadRecord.class);
                    n++;
                }
            }
            assertThat(n).as(f.key()).isEqualTo(f.records());
            total += n;
        }
        assertThat(total).isEqualTo(w.recordCount()).isEqualTo(2000);
    }

    @Test
    void malformedRecordsOfEveryLayoutBecomeBadRecordsWithoutChangingAnyRow() throws IOException {
        WorkloadSpec spec = WorkloadSpec.defaults().withTables(4).withChanges(800).withRecordsPerFile(5, 30)
                .withFormatMix(0.5, 0.3, 0.2).withSnapshotShare(0.4).withFlatSnapshotShare(0.8)
                .withBadRecordShare(0.08);
        Workload w = Workload.generate(spec);
        assertThat(w.malformedRecords()).hasSizeGreaterThan(10);
        assertThat(w.malformedRecords().stream().map(MalformedRecord::what).distinct())
                .containsExactlyInAnyOrder("a CSV snapshot line one field short",
                        "a CSV realtime line with EXISTS flag 7", "a flat JSON row with a missing value",
                        "an S3 JSON envelope with the undocumented opType T");
        assertThat(w.recordCount()).isEqualTo(800 + w.malformedRecords().size());
        MappedReplay replay = MappedReplay.inOrder(w);
        assertThat(replay.problems).isEmpty();
        assertThat(replay.badOrigins()).containsExactlyInAnyOrderElementsOf(
                w.malformedRecords().stream().map(MalformedRecord::origin).toList());
        assertThat(w.differences(replay.collections, 5)).isEmpty();
    }

    @Test
    void keysFollowTheDefaultKeyPatternWithConsecutiveSuffixesPerStream() {
        Workload w = Workload.generate(SMALL.withFirstSequence(1));
        S3KeyPattern pattern = S3KeyPattern.defaultPattern();
        for (Map.Entry<String, List<WorkloadFile>> s : w.streams().entrySet()) {
            long expectedSeq = 1;
            for (WorkloadFile f : s.getValue()) {
                S3KeyPattern.Match m = pattern.match(f.key()).orElseThrow();
                assertThat(m.stream()).isEqualTo(s.getKey()).isEqualTo(f.stream());
                assertThat(m.seq()).isEqualTo(f.sequence()).isEqualTo(expectedSeq++);
                assertThat(f.key()).endsWith((f.layout().csv() ? ".csv" : ".json") + (f.gzip() ? ".gz" : ""));
            }
        }
        assertThat(w.streams().keySet())
                .containsExactly("cdc/shop.customers", "cdc/shop.order_items", "cdc/shop.orders");
    }

    @Test
    void defaultMixExercisesEveryChangeKindLayoutAndAwkwardValue() throws IOException {
        Workload w = Workload.generate(WorkloadSpec.defaults().withTables(6).withRecordsPerFile(5, 40));
        Set<Change.Kind> kinds = w.changes().stream().map(Change::kind).collect(Collectors.toSet());
        assertThat(kinds).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Change.Kind.class));
        Set<WorkloadFile.Layout> layouts = w.files().stream().map(WorkloadFile::layout).collect(Collectors.toSet());
        // NATIVE envelopes are Arcion's Kafka format: only a spec that asks for them (the MSK demo's) writes them.
        assertThat(layouts).containsExactlyInAnyOrderElementsOf(EnumSet.complementOf(
                EnumSet.of(WorkloadFile.Layout.NATIVE_LINES)));
        assertThat(w.files()).anyMatch(WorkloadFile::gzip).anyMatch(f -> !f.gzip())
                .anyMatch(f -> f.snapshot() && f.layout().csv()).anyMatch(f -> !f.snapshot() && f.layout().csv());
        assertThat(w.changes()).anyMatch(c -> c.kind() == Change.Kind.UPDATE_PARTIAL
                && c.values().containsValue(null));
        assertThat(w.changes()).anyMatch(c -> c.kind() == Change.Kind.KEY_CHANGE && c.id().startsWith("[\""));
        StringBuilder all = new StringBuilder();
        for (WorkloadFile f : w.files()) {
            if (!f.gzip()) {
                all.append(new String(w.bytes(f), StandardCharsets.UTF_8));
            }
        }
        assertThat(all).as("CSV text quoted as the null marker, doubled quotes, realtime header")
                .contains("\"NULL\"", "\"\"Doc\"\"", "id_new,id_old,id_exists");
        assertThat(all).as("S3 JSON, compact and pretty-printed").contains("\"exists\":{", "\"opType\" : ");
        assertThat(all).as("CSV lines ending in CRLF, pretty JSON in LF only").contains("\"\r\n")
                .doesNotContain("\r\n  \"");
        assertThat(w.changes()).as("unicode, decimal-looking and empty values")
                .anyMatch(c -> c.values().containsValue("München"))
                .anyMatch(c -> c.values().containsValue("9.50"))
                .anyMatch(c -> c.values().containsValue(""));
        assertThat(w.operationCount()).isEqualTo(w.recordCount()
                + w.changes().stream().filter(c -> c.kind() == Change.Kind.KEY_CHANGE).count());
    }

    @Test
    void cursorsCarryNonDecreasingSecondResolutionTimestamps() {
        Workload w = Workload.generate(SMALL);
        // The cursor is not in the change log; read it back from the first JSON-lines file of each stream.
        assertThat(w.files()).anyMatch(f -> f.layout() == WorkloadFile.Layout.JSON_LINES);
        for (WorkloadFile f : w.files()) {
            if (f.layout() != WorkloadFile.Layout.JSON_LINES || f.gzip()) {
                continue;
            }
            long last = -1;
            try (ArcionReader r = ArcionReaders.open(w.open(f), f.key(), ReaderOptions.defaults())) {
                ReadResult rr;
                while ((rr = r.next()) != null) {
                    long t = ((io.inorder.arcion.ChangeEvent) rr).sourceTimeMillis();
                    assertThat(t % 1000).isZero();
                    assertThat(t).isGreaterThanOrEqualTo(last);
                    last = t;
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void tableConfigNamesCompositeKeysCsvColumnsAndStreamPrefixes() throws IOException {
        Workload w = Workload.generate(SMALL);
        TableConfig config = TableConfig.parse(w.tableConfigJson(), "tables.json");
        assertThat(config.workspace()).isEqualTo("commons");
        TableMapping items = config.table("shop.order_items").orElseThrow();
        assertThat(items.collection()).isEqualTo("order_items");
        assertThat(items.primaryKey()).containsExactly("order_id", "line_no");
        // Snapshot lines in table order, realtime triplets in another (Arcion's samples do the same).
        assertThat(items.csv().columns()).containsExactly("order_id", "line_no", "sku", "qty", "price", "gift_message");
        assertThat(items.csv().realtimeColumns())
                .containsExactly("gift_message", "line_no", "order_id", "price", "qty", "sku");
        assertThat(config.tableForKey("cdc/shop.order_items_12.csv.gz")).contains(items);
        assertThat(config.tableForKey("cdc/shop.orders_12.json").orElseThrow().table()).isEqualTo("shop.orders");
        assertThat(w.expected()).containsOnlyKeys("customers", "orders", "order_items");

        Workload headed = Workload.generate(SMALL.withFormatMix(0.5, 0.0, 0.0));
        assertThat(TableConfig.parse(headed.tableConfigJson(), "tables.json").tables())
                .as("without header-less CSV files every CSV file is read by its header alone")
                .allMatch(t -> t.csv().columns().isEmpty());
        assertThat(headed.files()).anyMatch(f -> f.layout() == WorkloadFile.Layout.CSV_WITH_HEADER);
        assertThat(headed.differences(MappedReplay.inOrder(headed).collections, 5)).isEmpty();
    }

    @Test
    void replayInSuffixOrderMatchesTheOracleButBackwardsDoesNot() throws IOException {
        Workload w = Workload.generate(SMALL.withSeed(3));
        MappedReplay forward = MappedReplay.inOrder(w);
        assertThat(forward.problems).isEmpty();
        assertThat(w.differences(forward.collections, 10)).isEmpty();

        MappedReplay backward = new MappedReplay(w);
        for (List<WorkloadFile> stream : w.streams().values()) {
            List<WorkloadFile> reversed = new ArrayList<>(stream);
            Collections.reverse(reversed);
            for (WorkloadFile f : reversed) {
                backward.apply(f);
            }
        }
        assertThat(w.differences(backward.collections, 10)).isNotEmpty();
    }

    @Test
    void differencesIgnoreWriteApiFieldsAndNameEachMismatch() {
        Workload w = Workload.generate(SMALL);
        Map<String, Map<String, ObjectNode>> actual = w.expected();
        for (Map<String, ObjectNode> docs : actual.values()) {
            docs.forEach((id, doc) -> doc.put("_id", id).put("_event_time", 1L));
        }
        assertThat(w.differences(actual, 10)).isEmpty();

        Map<String, ObjectNode> orders = actual.get("orders");
        String first = orders.keySet().iterator().next();
        orders.get(first).put("status", "TAMPERED");
        orders.put("nope", orders.get(first).deepCopy());
        String last = new ArrayList<>(actual.get("customers").keySet()).get(actual.get("customers").size() - 1);
        actual.get("customers").remove(last);
        List<String> diff = w.differences(actual, 10);
        assertThat(diff).hasSize(3);
        assertThat(diff).anyMatch(l -> l.startsWith("orders/" + first + ": expected") && l.contains("TAMPERED"))
                .anyMatch(l -> l.startsWith("orders/nope: unexpected"))
                .anyMatch(l -> l.startsWith("customers/" + last + ": missing"));
        assertThat(w.differences(actual, 1)).hasSize(2).last().isEqualTo("... and 2 more differences");
    }

    @Test
    void writingToDiskStreamsTheSameFilesAndExpectedStateAsInMemory(@TempDir Path dir) throws IOException {
        WorkloadSpec spec = SMALL.withSeed(11);
        Workload memory = Workload.generate(spec);
        Workload disk = WorkloadWriter.write(spec, dir.resolve("streamed"));
        assertThat(disk.files()).isEqualTo(memory.files());
        assertThat(disk.expected()).isEqualTo(memory.expected());
        assertThat(disk.changes()).isEmpty();
        for (WorkloadFile f : memory.files()) {
            assertThat(Files.readAllBytes(dir.resolve("streamed").resolve(f.key()))).isEqualTo(memory.bytes(f));
        }
        assertThat(Files.readString(dir.resolve("streamed").resolve(WorkloadWriter.TABLE_CONFIG)))
                .isEqualTo(memory.tableConfigJson());

        WorkloadWriter.write(memory, dir.resolve("copied"));
        Map<String, byte[]> copied = new TreeMap<>();
        try (var paths = Files.walk(dir.resolve("copied"))) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                copied.put(dir.resolve("copied").relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        assertThat(copied).hasSize(memory.files().size() + 1).containsKey(WorkloadWriter.TABLE_CONFIG);
        assertThat(MappedReplay.inOrder(disk).collections).isEqualTo(memory.expected());
    }

    @Test
    void emptyWorkloadHasNoFilesAndEmptyCollections() {
        Workload w = Workload.generate(SMALL.withChanges(0));
        assertThat(w.files()).isEmpty();
        assertThat(w.recordCount()).isZero();
        Map<String, Integer> sizes = new HashMap<>();
        w.expected().forEach((c, docs) -> sizes.put(c, docs.size()));
        assertThat(sizes).containsOnly(Map.entry("customers", 0), Map.entry("orders", 0),
                Map.entry("order_items", 0));
    }

    @Test
    void commandLineOptionsSetTheirFieldsAndErrorsNameTheOption() {
        WorkloadSpec spec = WorkloadSpec.defaults().withOption("seed", "42").withOption("changes", "10000")
                .withOption("records-per-file", "5-50").withOption("gzip-share", "1").withOption("key-prefix", "in/")
                .withOption("delete-share", "0.2").withOption("replay-share", "0.1");
        assertThat(spec).isEqualTo(WorkloadSpec.defaults().withSeed(42).withChanges(10000).withRecordsPerFile(5, 50)
                .withFormatMix(0.3, 0.25, 1.0).withKeyPrefix("in/").withOperationMix(0.3, 0.2, 0.03)
                .withReplayShare(0.1));
        assertThat(WorkloadSpec.defaults().withOption("records-per-file", "7"))
                .isEqualTo(WorkloadSpec.defaults().withRecordsPerFile(7, 7));
        assertThat(WorkloadSpec.OPTIONS).containsKeys("seed", "tables", "changes", "csv-share");
        assertThatThrownBy(() -> WorkloadSpec.defaults().withOption("chnages", "5"))
                .hasMessageContaining("unknown workload option --chnages").hasMessageContaining("--changes");
        assertThatThrownBy(() -> WorkloadSpec.defaults().withOption("tables", "many"))
                .hasMessageContaining("--tables").hasMessageContaining("'many' is not a number");
        assertThatThrownBy(() -> WorkloadSpec.defaults().withOption("csv-share", "2"))
                .hasMessageContaining("--csv-share").hasMessageContaining("csvShare must be a share in [0, 1]");
    }

    @Test
    void invalidSpecsNameTheField() {
        assertThatThrownBy(() -> WorkloadSpec.defaults().withTables(0)).hasMessageContaining("tables");
        assertThatThrownBy(() -> WorkloadSpec.defaults().withRecordsPerFile(5, 2)).hasMessageContaining("min");
        assertThatThrownBy(() -> WorkloadSpec.defaults().withOperationMix(0.6, 0.3, 0.2))
                .hasMessageContaining("insertShare + deleteShare + keyChangeShare + replayShare");
        assertThatThrownBy(() -> WorkloadSpec.defaults().withNullShare(1.5)).hasMessageContaining("nullShare");
    }

    @Test
    void aNativeWorkloadGivesEachTableOneArcionImageSettingAndSaysWhichInTheTableConfig() throws IOException {
        Workload w = Workload.generate(WorkloadSpec.defaults().withTables(3).withFormatMix(0, 0, 0)
                .withFlatSnapshotShare(1).withNativeShare(1).withRecordsPerFile(5, 40));
        TableConfig config = TableConfig.parse(w.tableConfigJson(), "tables.json");
        assertThat(config.table("shop.customers").orElseThrow().afterImage()).isEqualTo(TableMapping.AfterImage.ALL);
        assertThat(config.table("shop.orders").orElseThrow().afterImage())
                .as("Arcion's default UPDATED: nothing to declare").isEqualTo(TableMapping.AfterImage.UPDATED);
        assertThat(w.files()).allMatch(f -> f.snapshot() ? f.layout() == WorkloadFile.Layout.JSON_FLAT_ROWS
                : f.layout() == WorkloadFile.Layout.NATIVE_LINES);
        assertThat(w.changes()).filteredOn(c -> c.table().equals("shop.orders"))
                .noneMatch(c -> c.kind() == Change.Kind.KEY_CHANGE || c.kind() == Change.Kind.UPDATE_FULL)
                .anyMatch(c -> c.kind() == Change.Kind.UPDATE_PARTIAL);
        assertThat(w.changes()).filteredOn(c -> c.table().equals("shop.customers"))
                .noneMatch(c -> c.kind() == Change.Kind.UPDATE_PARTIAL);
        String nativeFile = new String(w.bytes(w.files().stream().filter(f -> !f.snapshot()).findFirst()
                .orElseThrow()), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(nativeFile).contains("\"cursor\":{\"extractorId\"").doesNotContain("\"exists\"");
        assertThat(w.differences(MappedReplay.inOrder(w).collections, 5)).isEmpty();
    }
}
