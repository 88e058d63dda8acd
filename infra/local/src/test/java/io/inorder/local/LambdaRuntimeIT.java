package io.inorder.local;

import static io.inorder.local.NativeChanges.insert;
import static io.inorder.local.NativeChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.RequestLog;
import io.inorder.ledger.SnapshotGate;
import io.inorder.local.lambda.ExecutionEnvironment;
import io.inorder.local.lambda.FunctionSpec;
import io.inorder.local.lambda.LocalLambda;
import io.inorder.local.lambda.SamTemplate;
import io.inorder.pipeline.IngestConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The functions run the way Lambda runs them: template.yaml's deployment jars in forked JVMs under the real runtime
 * interface client, against the local Runtime API, with the environment Lambda gives a SnapStart function
 * (credentials only from the container credentials endpoint, no access-key variables) and the template's own
 * variables, reaching DynamoDB Local, S3Proxy, and the local Secrets Manager, SSM and Lambda through the SDK's
 * endpoint variables. The local services here accept only requests signed with the container credentials.
 * Runs in verify: it needs the packaged deployment jars.
 */
class LambdaRuntimeIT {

    private static final String TOPIC = "shop_orders_cdc_logs";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalStack stack;
    private static TemplateStack deployed;
    private static PrintStream logs;

    @BeforeAll
    static void deploy() throws Exception {
        Path here = SamTemplate.findRoot(Path.of("")).orElseThrow();
        // -Dinorder.functions.root=DIR runs another checkout's template and deployment jars (e.g. older code).
        Path root = Path.of(System.getProperty("inorder.functions.root", here.toString()));
        Path log = Files.createDirectories(here.resolve("infra/local/target")).resolve("lambda-runtime-it.log");
        logs = new PrintStream(new FileOutputStream(log.toFile()), true, StandardCharsets.UTF_8);
        stack = LocalStack.start();
        // With MSK (the MSK function exists only then), in provisioned mode with partial batch responses, so the MSK
        // function reports batch item failures.
        deployed = TemplateStack.deploy(stack, TemplateStack.Options.defaults(root, logs).withLocalMsk(List.of(TOPIC))
                .withParameters(Map.of("TableConfig", NativeChanges.TABLE_CONFIG.replaceAll("\\s+", " "),
                        "MskMinimumPollers", "1", "MskReportBatchItemFailures", "true")));
    }

    @AfterAll
    static void close() throws Exception {
        if (deployed != null) {
            deployed.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    @BeforeEach
    void clearFaults() {
        stack.emulator().faults().clear();
        deployed.loseNotifications(false);
    }

    @Test
    void theS3FunctionAppliesUploadedFilesFromRealNotificationsInSuffixOrder() throws Exception {
        // Uploaded out of order, by an S3 client that knows nothing of the functions.
        upload("cdc/upload/shop.orders_2.json", update(501, "NEW", "PAID") + "\n" + insert(502, "NEW") + "\n");
        upload("cdc/upload/shop.orders_1.json", insert(501, "NEW") + "\n");
        deployed.awaitIdle(Duration.ofMinutes(3));
        stack.emulator().awaitApplied(Duration.ofSeconds(30));

        assertThat(deployed.lambda().failedEvents()).as("asynchronous invocations that failed every attempt")
                .isEmpty();
        Map<String, ObjectNode> orders = stack.emulator().documents("commons", "orders");
        assertThat(orders.get("501").path("status").asText()).isEqualTo("PAID");
        assertThat(orders.get("502").path("status").asText()).isEqualTo("NEW");
        assertThat(deployed.notifications()).isGreaterThanOrEqualTo(2);
        assertThat(deployed.services().credentialsServed()).as("credentials fetched from the container endpoint")
                .isPositive();
        assertThat(deployed.services().requestsSignedWithIssuedSession())
                .as("the API key read from Secrets Manager with the container credentials").isPositive();
    }

    @Test
    void beforeCheckpointAndAfterRestoreRunBeforeTheFirstEvent() throws Exception {
        FunctionSpec s3 = deployed.function(TemplateStack.S3_FUNCTION);
        try (ExecutionEnvironment e = deployed.lambda().start(s3, ExecutionEnvironment.InitType.SNAP_START)) {
            assertThat(e.atCheckpoint()).as("the runtime ran beforeCheckpoint and waits in restore/next").isTrue();
            assertThat(e.tail()).as("SnapStartPriming.beforeCheckpoint ran in the forked JVM")
                    .contains("primed for the snapshot");
            ExecutionEnvironment.Result r = e.invoke(s3Event("cdc/hooks/shop.orders_1.json", insert(601, "NEW")));
            assertThat(r.failed()).as(r.text()).isFalse();
            assertThat(e.restoredAtMillis()).as("restored before the event").isPositive();
        }
    }

    @Test
    void theMskFunctionAnswersAPartialBatchFailure() throws Exception {
        FunctionSpec msk = deployed.function(TemplateStack.MSK_FUNCTION).withEnvironment(Map.of(
                IngestConfig.RETRY_MAX_ATTEMPTS.name(), "2", IngestConfig.RETRY_BASE_MS.name(), "1",
                IngestConfig.RETRY_CAP_MS.name(), "2", IngestConfig.COMMIT_CHECK.name(), "off"));
        assertThat(msk.environment()).containsEntry(IngestConfig.REPORT_BATCH_ITEM_FAILURES.name(), "true");
        // shop.orders is on split topics (Arcion's default): its changes flow once the operator has declared its
        // snapshot complete (inorder snapshot complete), here with no snapshot on Kafka at all.
        try (var ddb = stack.dynamoDbClient()) {
            assertThat(new SnapshotGate(ddb, msk.environment().get(IngestConfig.STATE_TABLE.name()), Clock.systemUTC())
                    .complete("shop.orders", "LambdaRuntimeIT")).isInstanceOf(SnapshotGate.Completed.class);
        }
        try (ExecutionEnvironment e = deployed.lambda().start(msk, ExecutionEnvironment.InitType.SNAP_START)) {
            ExecutionEnvironment.Result first = e.invoke(kafkaEvent(0, Map.of(0, List.of(insert(701, "NEW")))));
            assertThat(first.failed()).as(first.text()).isFalse();
            assertThat(JSON.readTree(first.payload()).path("batchItemFailures")).isEmpty();

            stack.emulator().faults().set("503:1.0");
            ExecutionEnvironment.Result r = e.invoke(kafkaEvent(1, Map.of(
                    0, List.of(insert(702, "NEW"), insert(703, "NEW")), 1, List.of(insert(704, "NEW")))));

            assertThat(r.failed()).as(r.text()).isFalse();
            JsonNode failures = JSON.readTree(r.payload()).path("batchItemFailures");
            List<String> resumes = new ArrayList<>();
            failures.forEach(f -> resumes.add(f.path("itemIdentifier").path("partition").asText() + "@"
                    + f.path("itemIdentifier").path("offset").asLong()));
            assertThat(resumes).as("each stopped partition resumes from its first unwritten offset")
                    .containsExactlyInAnyOrder(TOPIC + "-0@1", TOPIC + "-1@1");
        }
    }

    @Test
    void theReconcilerReDrivesAStalledStreamThroughTheLambdaInvokeApi() throws Exception {
        upload("cdc/reconcile/shop.orders_1.json", insert(801, "NEW") + "\n");
        deployed.loseNotifications(true);
        upload("cdc/reconcile/shop.orders_2.json", update(801, "NEW", "PAID") + "\n");
        deployed.loseNotifications(false);
        upload("cdc/reconcile/shop.orders_3.json", update(801, "PAID", "SHIPPED") + "\n");
        deployed.awaitIdle(Duration.ofMinutes(3));
        stack.emulator().awaitApplied(Duration.ofSeconds(30));
        assertThat(stack.emulator().documents("commons", "orders").get("801").path("status").asText())
                .as("file 2's notification was lost: the stream waits for it").isEqualTo("NEW");

        ExecutionEnvironment.Result sweep = deployed.reconcile();
        deployed.awaitIdle(Duration.ofMinutes(3));
        stack.emulator().awaitApplied(Duration.ofSeconds(30));

        assertThat(sweep.failed()).as(sweep.text()).isFalse();
        assertThat(sweep.text()).contains("found_lost_notification=1");
        assertThat(stack.emulator().documents("commons", "orders").get("801").path("status").asText())
                .as("re-driven through the Invoke API: files 2 and 3 applied in order").isEqualTo("SHIPPED");
        assertThat(deployed.lambda().failedEvents()).isEmpty();
    }

    @Test
    void theInvokeApiRunsAFunctionByItsAliasAndRefusesOtherCredentials() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String name = deployed.function(TemplateStack.RECONCILER_FUNCTION).name();
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create(deployed.services().url()
                + "/2015-03-31/functions/" + name + "/invocations?Qualifier=live"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).as("without the container session").isEqualTo(403);
        HttpResponse<String> credentials = http.send(HttpRequest.newBuilder(URI.create(
                deployed.services().credentialsUri())).header("Authorization", "not-the-token").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(credentials.statusCode()).as("credentials without the authorization token").isEqualTo(401);
        assertThat(deployed.lambda().resolve(name + ":live", null)).isPresent();
        assertThat(deployed.lambda().resolve(deployed.lambda().arn(name) + ":live", null)).isPresent();
        assertThat(deployed.lambda().resolve(name, "prod")).isEmpty();
    }

    @Test
    void twoContainersRestoredFromOneSnapshotDrawDifferentJitter() throws Exception {
        FunctionSpec s3 = deployed.function(TemplateStack.S3_FUNCTION).withEnvironment(Map.of(
                IngestConfig.COMMIT_CHECK.name(), "off", IngestConfig.RETRY_BASE_MS.name(), "100",
                IngestConfig.RETRY_CAP_MS.name(), "10000", IngestConfig.RETRY_MAX_ATTEMPTS.name(), "0"));
        deployed.loseNotifications(true);
        List<List<Long>> sleeps = new ArrayList<>();
        List<ExecutionEnvironment> containers = new ArrayList<>();
        try {
            // Both initialized (and at the checkpoint) before either is restored, as SnapStart restores them.
            containers.add(deployed.lambda().start(s3, ExecutionEnvironment.InitType.SNAP_START));
            containers.add(deployed.lambda().start(s3, ExecutionEnvironment.InitType.SNAP_START));
            for (int i = 0; i < containers.size(); i++) {
                String key = "cdc/jitter" + i + "/shop.orders_1.json";
                byte[] event = s3Event(key, insert(900 + i, "NEW"));
                stack.emulator().requests().clear();
                stack.emulator().faults().script("503,503,503,503,503,503,200");
                ExecutionEnvironment.Result r = containers.get(i).invoke(event);
                assertThat(r.failed()).as(r.text()).isFalse();
                sleeps.add(gaps(stack.emulator().requests().entries(e -> e.path().endsWith("/docs"))));
            }
        } finally {
            containers.forEach(ExecutionEnvironment::close);
        }
        assertThat(sleeps).allSatisfy(s -> assertThat(s).hasSize(6));
        long largestDifference = 0;
        for (int i = 0; i < 6; i++) {
            largestDifference = Math.max(largestDifference, Math.abs(sleeps.get(0).get(i) - sleeps.get(1).get(i)));
        }
        assertThat(largestDifference).as("retry sleeps of the two containers (ms): " + sleeps).isGreaterThan(60);
    }

    @Test
    void aMissingVariableFailsTheInitThroughInitErrorNamingIt() throws Exception {
        FunctionSpec broken = deployed.function(TemplateStack.S3_FUNCTION).without(IngestConfig.STATE_TABLE.name());
        for (ExecutionEnvironment.InitType type : ExecutionEnvironment.InitType.values()) {
            assertThatThrownBy(() -> deployed.lambda().start(broken, type).close())
                    .isInstanceOfSatisfying(ExecutionEnvironment.InitFailure.class, f -> {
                        assertThat(f.body()).as(type + ": what the runtime posted to /init/error").isNotNull()
                                .contains(IngestConfig.STATE_TABLE.name());
                    });
        }
    }

    // ---- helpers ----

    private static void upload(String key, String body) {
        try (S3Client s3 = stack.s3Client()) {
            s3.putObject(p -> p.bucket(deployed.landingBucket()).key(key), RequestBody.fromString(body));
        }
    }

    /** Stores the file without telling any function, and returns the S3 event for it. */
    private static byte[] s3Event(String key, String records) {
        deployed.loseNotifications(true);
        try (S3Client s3 = stack.s3Client()) {
            String eTag = s3.putObject(p -> p.bucket(deployed.landingBucket()).key(key),
                    RequestBody.fromString(records + "\n")).eTag().replace("\"", "");
            long size = s3.headObject(h -> h.bucket(deployed.landingBucket()).key(key)).contentLength();
            ObjectNode event = JSON.createObjectNode();
            event.putArray("Records").add(LocalS3Function.notificationRecord(new LocalS3Function.Uploaded(
                    deployed.landingBucket(), key, eTag, size), 1, Instant.now()));
            return event.toString().getBytes(StandardCharsets.UTF_8);
        } finally {
            deployed.loseNotifications(false);
        }
    }

    /**
     * The event an MSK event source mapping delivers: records per "topic-partition" from {@code firstOffset}, values
     * base64.
     */
    private static byte[] kafkaEvent(long firstOffset, Map<Integer, List<String>> valuesByPartition)
            throws IOException {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventSource", "aws:kafka");
        event.put("eventSourceArn", TemplateStack.LOCAL_MSK_CLUSTER);
        event.put("bootstrapServers", "b-1.inorder-local:9098");
        ObjectNode records = event.putObject("records");
        new java.util.TreeMap<>(valuesByPartition).forEach((partition, values) -> {
            ArrayNode list = records.putArray(TOPIC + "-" + partition);
            for (int i = 0; i < values.size(); i++) {
                ObjectNode r = list.addObject();
                r.put("topic", TOPIC);
                r.put("partition", partition);
                r.put("offset", firstOffset + i);
                r.put("timestamp", 1_763_892_000_000L + i);
                r.put("timestampType", "CREATE_TIME");
                r.putNull("key");
                r.put("value", Base64.getEncoder().encodeToString(values.get(i).getBytes(StandardCharsets.UTF_8)));
                r.putArray("headers");
            }
        });
        return JSON.writeValueAsBytes(event);
    }

    /** Milliseconds between consecutive requests: the client's sleeps between attempts (plus a request's time). */
    private static List<Long> gaps(List<RequestLog.Entry> requests) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < requests.size(); i++) {
            out.add(Duration.between(requests.get(i - 1).time(), requests.get(i).time()).toMillis());
        }
        return out;
    }
}
