package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.emulator.AppliedOp;
import io.inorder.observe.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code inorder quarantine} against the embedded local stack: the real S3 function quarantines records (a table the
 * config does not name, a malformed record), and the command lists, shows and replays them through the emulator over
 * HTTP.
 */
class QuarantineCommandTest {

    /** Before the fix: shop.customers is missing, so its records are quarantined (unknownTables: quarantine). */
    private static final String TABLES = """
            {"workspace": "commons", "unknownTables": "quarantine",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.items": {"collection": "items", "primaryKey": ["id"], "prefixes": ["cdc/csv/"]}}}""";
    /** After the fix: shop.customers is configured, its age a number. */
    private static final String FIXED_TABLES = """
            {"workspace": "commons",
             "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]},
                        "shop.customers": {"collection": "customers", "primaryKey": ["id"],
                                           "types": {"age": "number"}}}}""";
    private static final String MALFORMED = "{\"tableName\": {\"namespace\": broken\n";
    private static final Duration IDLE = Duration.ofSeconds(60);

    private static LocalStack stack;
    private static long position = 5000;

    @TempDir
    Path dir;
    private LocalS3Function function;
    private Path fixedConfig;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    @BeforeEach
    void deploy() throws Exception {
        stack.emulator().reset();
        // Files _9 and _10: the quarantine lists _10 before _9 (key order), replay must not.
        function = LocalS3Function.deploy(stack, TABLES, Map.of("FIRST_SEQUENCE", "9"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Log.Level.ERROR);
        try (S3Client s3 = stack.s3Client()) {
            for (S3Object o : s3.listObjectsV2Paginator(l -> l.bucket(LocalS3Function.QUARANTINE_BUCKET))
                    .contents()) {
                s3.deleteObject(d -> d.bucket(LocalS3Function.QUARANTINE_BUCKET).key(o.key()));
            }
        }
        stack.emulator().createCollection("commons", "customers");
        fixedConfig = dir.resolve("fixed-tables.json");
        Files.writeString(fixedConfig, FIXED_TABLES);
    }

    @AfterEach
    void undeploy() {
        function.close();
    }

    @Test
    void listShowsEveryQuarantinedRecordWithOriginReasonAndIdAndCountsPerSource() throws Exception {
        ingest("cdc/list/shop.customers_9.json", customer("I", 5, "Ann", "30"), customer("I", 6, "Cid", "41"));
        ingest("cdc/list/shop.orders_9.json", CdcFiles.upsert("I", 1, "NEW"), MALFORMED,
                CdcFiles.upsert("U", 1, "PAID"));

        Run list = quarantine("list");

        assertThat(list.code).as(list.toString()).isZero();
        assertThat(list.out).contains("cdc/list/shop.customers_9.json#0").contains("cdc/list/shop.customers_9.json#1")
                .contains("shop.customers").contains("cdc/list/shop.orders_9.json#1")
                .contains("3 quarantined records in s3://inorder-quarantine/quarantine/")
                .containsPattern("\\s2  cdc/list/shop.customers_9.json")
                .containsPattern("\\s1  cdc/list/shop.orders_9.json");
        assertThat(ids(list.out)).hasSize(3);
        assertThat(documents("orders").get("1").get("status").asText()).isEqualTo("PAID");

        Run json = quarantine("list", "--json", "--source", "cdc/list/shop.orders_9.json");
        JsonNode line = new ObjectMapper().readTree(json.out.lines().findFirst().orElseThrow());
        assertThat(json.out.lines()).hasSize(1);
        assertThat(line.at("/origin/record").asLong()).isEqualTo(1);
        assertThat(line.at("/origin/source").asText()).isEqualTo("cdc/list/shop.orders_9.json");
        assertThat(line.get("reason").asText()).isNotBlank();
        assertThat(json.err).contains("1 quarantined record in");
    }

    @Test
    void showPrintsOneRecordAndRawPrintsExactlyItsBytes() throws Exception {
        ingest("cdc/show/shop.orders_9.json", CdcFiles.upsert("I", 1, "NEW"), MALFORMED);
        String id = malformedId("cdc/show/shop.orders_9.json");

        Run show = quarantine("show", id);
        Run raw = quarantine("show", id, "--raw");
        Run missing = quarantine("show", id.replace("#1", "#7"));

        assertThat(show.code).as(show.toString()).isZero();
        assertThat(show.out).contains("id:          " + id).contains("origin:      cdc/show/shop.orders_9.json#1")
                .contains("reason:").contains(MALFORMED.strip());
        assertThat(raw.out.strip()).isEqualTo(MALFORMED.strip());
        assertThat(missing.code).isEqualTo(1);
        assertThat(missing.err).contains("is not quarantined");
    }

    @Test
    void replayAfterFixingTheConfigAppliesTheRecordsInTheirOriginalOrderAndRemovesThemFromTheQuarantine()
            throws Exception {
        ingest("cdc/fix/shop.customers_9.json", customer("I", 5, "Ann", "30"), customer("I", 6, "Cid", "41"));
        ingest("cdc/fix/shop.customers_10.json", customer("U", 5, "Bea", "31"), customerDelete(6));
        assertThat(ids(quarantine("list").out)).hasSize(4);
        assertThat(stack.emulator().applyLog("commons", "customers")).isEmpty();

        Run replay = quarantine("replay", "--all", "--config", fixedConfig.toString());

        assertThat(replay.code).as(replay.toString()).isZero();
        assertThat(replay.out).contains("4 records of 1 stream").contains("moves that document back")
                .contains("replay: 4 applied and removed from the quarantine, 0 applied but still listed, 0 still "
                        + "bad (kept, reason updated), 0 not sent (kept)");
        stack.emulator().awaitApplied(IDLE);
        // One coalescing window holds the four changes, last writer wins in the order replay fed them: applied
        // in the quarantine's key order (_10 before _9) customer 5 would be Ann and customer 6 would exist.
        assertThat(documents("customers")).containsOnlyKeys("5");
        assertThat(documents("customers").get("5").get("name").asText()).isEqualTo("Bea");
        assertThat(documents("customers").get("5").get("age").asInt()).isEqualTo(31);
        assertThat(namesOf("5")).last().isEqualTo("Bea");
        assertThat(kindsOf("6")).last().isEqualTo("delete");
        Run after = quarantine("list");
        assertThat(after.out).contains("0 quarantined records");
        assertThat(objects()).isEmpty();
    }

    @Test
    void replayWithFixedDataSendsTheReplacementInsteadOfTheQuarantinedBytes() throws Exception {
        ingest("cdc/data/shop.orders_9.json", CdcFiles.upsert("I", 1, "NEW"), MALFORMED);
        String id = malformedId("cdc/data/shop.orders_9.json");
        Path fixed = dir.resolve("rec.json");
        Files.writeString(fixed, quarantine("show", id, "--raw").out.replace(MALFORMED.strip(),
                CdcFiles.upsert("I", 2, "NEW").strip()));

        Run replay = quarantine("replay", id, "--with", fixed.toString(), "--config", writeConfig(TABLES));

        assertThat(replay.code).as(replay.toString()).isZero();
        stack.emulator().awaitApplied(IDLE);
        assertThat(documents("orders")).containsOnlyKeys("1", "2");
        assertThat(quarantine("show", id).code).isEqualTo(1);
    }

    @Test
    void aRecordStillBadStaysQuarantinedWithItsNewReasonWhileTheOthersAreApplied() throws Exception {
        ingest("cdc/bad/shop.customers_9.json", customer("I", 7, "Eve", "abc"), customer("I", 8, "Fay", "22"));
        List<String> ids = ids(quarantine("list").out);

        Run replay = quarantine("replay", "--source", "cdc/bad/shop.customers_9.json", "--config",
                fixedConfig.toString());

        assertThat(replay.code).as(replay.toString()).isEqualTo(1);
        assertThat(replay.out).contains("1 applied and removed").contains("1 still bad")
                .contains("still_bad").contains("not a number");
        stack.emulator().awaitApplied(IDLE);
        assertThat(documents("customers")).containsOnlyKeys("8");
        Run list = quarantine("list");
        assertThat(ids(list.out)).containsExactly(ids.get(0));
        assertThat(list.out).contains("column 'age' of table 'shop.customers' holds 'abc', not a number");
    }

    @Test
    void recordsTheWriteApiDidNotAcknowledgeStayQuarantinedUnchanged() throws Exception {
        ingest("cdc/down/shop.customers_9.json", customer("I", 5, "Ann", "30"), customer("I", 6, "Cid", "41"));
        List<String> before = ids(quarantine("list").out);
        String missingCollection = FIXED_TABLES.replace("\"collection\": \"customers\"",
                "\"collection\": \"no_such_collection\"");

        Run replay = quarantine("replay", "--all", "--config", writeConfig(missingCollection));

        assertThat(replay.code).as(replay.toString()).isEqualTo(1);
        assertThat(replay.out).contains("0 applied and removed").contains("2 not sent (kept)")
                .contains("not_sent").contains("no_such_collection");
        Run list = quarantine("list");
        assertThat(ids(list.out)).isEqualTo(before);
        assertThat(list.out).contains("table 'shop.customers' is not in the table config");
    }

    @Test
    void aDryRunPrintsTheOperationsAndWritesAndRemovesNothing() throws Exception {
        ingest("cdc/dry/shop.customers_9.json", customer("I", 5, "Ann", "30"));
        ingest("cdc/dry/shop.customers_10.json", customerDelete(5));

        Run dry = quarantine("replay", "--all", "--dry-run", "--config", fixedConfig.toString());

        assertThat(dry.code).as(dry.toString()).isZero();
        String out = dry.out;
        assertThat(out).contains("upsert customers _id=5 {\"id\":\"5\",\"name\":\"Ann\",\"age\":30}")
                .contains("delete customers _id=5")
                .contains("dry run: 2 records would send 2 operations, 0 would stay quarantined; nothing was written");
        assertThat(out.indexOf("upsert customers")).isLessThan(out.indexOf("delete customers"));
        assertThat(stack.emulator().requests().entries(e -> e.path().contains("customers"))).isEmpty();
        assertThat(stack.emulator().applyLog("commons", "customers")).isEmpty();
        assertThat(ids(quarantine("list").out)).hasSize(2);
    }

    @Test
    void aCsvLineIsReplayedOnlyWithItsHeaderOrTheConfiguredColumns() throws Exception {
        ingest("cdc/csv/a/shop.items_9.csv", "id,sku\n1,A\n2,B,EXTRA\n3,C\n");
        String id = ids(quarantine("list", "--source", "cdc/csv/a/shop.items_9.csv").out).get(0);

        Run refused = quarantine("replay", id, "--config", writeConfig(TABLES));
        assertThat(refused.code).as(refused.toString()).isEqualTo(1);
        assertThat(refused.out).contains("not_sent").contains("cannot be read without its file's header")
                .contains("csvColumns");
        assertThat(quarantine("show", id).code).as("a refused record stays quarantined").isZero();

        Path headerAndLine = dir.resolve("line.csv");
        Files.writeString(headerAndLine, "id,sku\n2,B\n");
        Run withHeader = quarantine("replay", id, "--with", headerAndLine.toString(), "--config", writeConfig(TABLES));
        assertThat(withHeader.code).as(withHeader.toString()).isZero();
        stack.emulator().awaitApplied(IDLE);
        assertThat(documents("items")).containsOnlyKeys("1", "2", "3");
        assertThat(documents("items").get("2").get("sku").asText()).isEqualTo("B");
    }

    @Test
    void aCsvLineIsReadWithTheColumnsTheConfigNames() throws Exception {
        ingest("cdc/csv/b/shop.items_9.csv", "id,sku\n4,D,EXTRA\n");
        String id = ids(quarantine("list", "--source", "cdc/csv/b/shop.items_9.csv").out).get(0);
        Path line = dir.resolve("line.csv");
        Files.writeString(line, "4,D\n");
        String withColumns = TABLES.replace("\"prefixes\": [\"cdc/csv/\"]",
                "\"prefixes\": [\"cdc/csv/\"], \"csvColumns\": [\"id\", \"sku\"]");

        Run replay = quarantine("replay", id, "--with", line.toString(), "--config", writeConfig(withColumns));

        assertThat(replay.code).as(replay.toString()).isZero();
        stack.emulator().awaitApplied(IDLE);
        assertThat(documents("items").get("4").get("sku").asText()).isEqualTo("D");
    }

    @Test
    void aKafkaRecordQuarantinedOnAnUnclaimedTopicIsAppliedOnceTheConfigClaimsTheTopic() throws Exception {
        try (LocalMskFunction msk = new LocalMskFunction(stack, TABLES, Map.of(), 1, quiet(), quiet())) {
            msk.invoke(new KafkaBatch().add("shop_refunds", 0, 0, "{\"id\":\"1\",\"amount\":\"2.00\"}")
                    .add("shop_refunds", 0, 1, "{\"id\":\"1\",\"amount\":\"2.50\"}")
                    .add("shop_refunds", 0, 2, "{\"id\":\"2\",\"amount\":\"9.00\"}").build());
        }
        Run list = quarantine("list", "--source", "shop_refunds/0");
        assertThat(ids(list.out)).hasSize(3);
        assertThat(list.out).contains("shop_refunds/0@1").contains("add \"topics\": [\"shop_refunds\"]");
        stack.emulator().createCollection("commons", "refunds");
        // Flat rows are a snapshot topic's (NATIVE snapshot): the table claims it as its snapshot topic.
        String claimed = FIXED_TABLES.replace("\"tables\": {", "\"tables\": {\"shop.refunds\": {\"collection\": "
                + "\"refunds\", \"primaryKey\": [\"id\"], \"snapshotTopics\": [\"shop_refunds\"]},");

        Run replay = quarantine("replay", "--source", "shop_refunds", "--config", writeConfig(claimed));

        assertThat(replay.code).as(replay.toString()).isZero();
        stack.emulator().awaitApplied(IDLE);
        assertThat(documents("refunds")).containsOnlyKeys("1", "2");
        assertThat(documents("refunds").get("1").get("amount").asText()).as("offset 1 after offset 0")
                .isEqualTo("2.50");
        assertThat(ids(quarantine("list").out)).isEmpty();
    }

    @Test
    void aSnapshotRowRefusedAfterItsSnapshotWasDeclaredCompleteIsNeverReplayedOverNewerChanges() throws Exception {
        try (LocalMskFunction msk = new LocalMskFunction(stack, TABLES, Map.of(), 1, quiet(), quiet())) {
            msk.completeSnapshot("shop.orders");
            msk.invoke(new KafkaBatch().add("shop_orders_cdc_logs", 0, 0, NativeChanges.insert(7, "PAID")).build());
            msk.invoke(new KafkaBatch().add("shop_orders", 0, 0, "{\"id\":\"7\",\"status\":\"NEW\"}").build());
        }
        Run list = quarantine("list", "--source", "shop_orders/0");
        assertThat(ids(list.out)).hasSize(1);
        assertThat(list.out).contains("declared complete");

        Run replay = quarantine("replay", "--source", "shop_orders", "--config", writeConfig(TABLES));

        stack.emulator().awaitApplied(IDLE);
        assertThat(replay.out + replay.err).contains("declared complete");
        assertThat(documents("orders").get("7").get("status").asText()).isEqualTo("PAID");
        assertThat(ids(quarantine("list", "--source", "shop_orders/0").out)).hasSize(1);
    }

    @Test
    void replayWithoutASelectionOrWithAmbiguousOptionsIsAUsageError() throws Exception {
        assertThat(Inorder.run(new String[] {"quarantine"}, quiet(), quiet())).isEqualTo(2);
        assertThat(Inorder.run(new String[] {"quarantine", "purge", "--local"}, quiet(), quiet())).isEqualTo(2);
        assertThat(Inorder.run(new String[] {"quarantine", "list"}, quiet(), quiet())).isEqualTo(2);
        Run none = quarantine("replay", "--config", fixedConfig.toString());
        assertThat(none.code).isEqualTo(2);
        assertThat(none.err).contains("choose what to replay: IDs, --source S or --all");
        Run both = quarantine("replay", "--all", "--source", "x", "--config", fixedConfig.toString());
        assertThat(both.code).isEqualTo(2);
        Run with = quarantine("replay", "a.ndjson#1", "b.ndjson#2", "--with", "rec.json");
        assertThat(with.code).isEqualTo(2);
        assertThat(with.err).contains("--with replaces the bytes of one record");
        Run noConfig = quarantine("replay", "--all");
        assertThat(noConfig.code).isEqualTo(2);
        assertThat(noConfig.err).contains("--config tables.json");
        Run badId = quarantine("show", "orders#3");
        assertThat(badId.code).isEqualTo(2);
        assertThat(badId.err).contains("is not a quarantine id");
        Run help = run("quarantine", "--help");
        assertThat(help.code).isZero();
        assertThat(help.out).contains("usage: inorder quarantine list");
    }

    // --- helpers ---

    private void ingest(String key, String... records) {
        LocalS3Function.Uploaded f = function.upload(LocalS3Function.LANDING_BUCKET, key,
                CdcFiles.write(dir.resolve("landing"), key, records));
        function.deliver(List.of(f));
        function.awaitIdle(IDLE);
        assertThat(function.summary().failedInvocations()).isEmpty();
    }

    private String malformedId(String source) {
        return ids(quarantine("list", "--source", source).out).get(0);
    }

    private String writeConfig(String text) throws Exception {
        Path p = dir.resolve("tables-" + text.hashCode() + ".json");
        Files.writeString(p, text);
        return p.toString();
    }

    private static final Pattern ID = Pattern.compile("\\S+\\.ndjson#\\d+(?:~\\d+)?");

    private static List<String> ids(String listing) {
        List<String> ids = new ArrayList<>();
        Matcher m = ID.matcher(listing);
        while (m.find()) {
            ids.add(m.group());
        }
        return ids;
    }

    private Run quarantine(String... args) {
        String[] all = Stream.concat(Stream.of("quarantine"), Stream.concat(Stream.of(args), Stream.of("--local",
                "--dynamodb-endpoint", stack.dynamoDbEndpoint().toString(), "--s3-endpoint",
                stack.s3Endpoint().toString(), "--write-api-url", stack.emulator().baseUrl().toString())))
                .toArray(String[]::new);
        return run(all);
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Run(int code, String out, String err) { }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private List<S3Object> objects() {
        try (S3Client s3 = stack.s3Client()) {
            return s3.listObjectsV2(l -> l.bucket(LocalS3Function.QUARANTINE_BUCKET)).contents();
        }
    }

    private Map<String, com.fasterxml.jackson.databind.node.ObjectNode> documents(String collection) {
        return stack.emulator().documents("commons", collection);
    }

    private List<String> namesOf(String id) {
        return stack.emulator().applyLog("commons", "customers").stream().filter(op -> op.id().equals(id))
                .map(op -> op.payload().get("name").asText()).toList();
    }

    private List<String> kindsOf(String id) {
        return stack.emulator().applyLog("commons", "customers").stream().filter(op -> op.id().equals(id))
                .map(AppliedOp::kind).toList();
    }

    /** An S3 internal JSON insert or full-image update of {@code shop.customers} (id, name, age). */
    private static String customer(String op, int id, String name, String age) {
        String before = op.equals("I") ? "{\"id\":\"null\",\"name\":\"null\",\"age\":\"null\"}"
                : "{\"id\":\"" + id + "\",\"name\":\"null\",\"age\":\"null\"}";
        return record(op, before, "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"age\":\"" + age + "\"}",
                "{\"id\":\"1\",\"name\":\"1\",\"age\":\"1\"}");
    }

    private static String customerDelete(int id) {
        return record("D", "{\"id\":\"" + id + "\",\"name\":\"null\",\"age\":\"null\"}",
                "{\"id\":\"null\",\"name\":\"null\",\"age\":\"null\"}", "{\"id\":\"2\",\"name\":\"0\",\"age\":\"0\"}");
    }

    private static synchronized String record(String op, String before, String after, String exists) {
        long p = position++;
        return "{\"tableName\":{\"namespace\":{\"catalog\":\"shop\",\"schema\":null,\"hash\":11},\"name\":"
                + "\"customers\",\"hash\":33},\"opType\":\"" + op + "\",\"cursor\":\"{\\\"extractorId\\\":0,"
                + "\\\"timestamp\\\":" + (1_700_000_000_000L + p) + ",\\\"log\\\":\\\"binlog.000042\\\","
                + "\\\"position\\\":" + p + ",\\\"logSeqNum\\\":" + p + ",\\\"v\\\":2}\",\"before\":" + before
                + ",\"after\":" + after + ",\"exists\":" + exists + ",\"operationcount\":\"{\\\"insertCount\\\":1,"
                + "\\\"updateCount\\\":0,\\\"deleteCount\\\":0,\\\"replaceCount\\\":0}\"}\n";
    }
}
