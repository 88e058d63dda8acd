package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.emulator.AppliedOp;
import io.inorder.observe.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real S3 handler, invoked as Lambda would, on the embedded local stack. */
class LocalS3FunctionTest {

    private static final Duration IDLE = Duration.ofSeconds(60);
    private static LocalStack stack;

    @TempDir
    Path dir;
    private LocalS3Function function;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    @BeforeEach
    void deploy() {
        stack.emulator().reset();
        function = LocalS3Function.deploy(stack, CdcFiles.TABLES, Map.of(),
                new PrintStream(logs, true, StandardCharsets.UTF_8), Log.Level.WARN);
    }

    @AfterEach
    void undeploy() {
        function.close();
    }

    @Test
    void filesArrivingThreeOneTwoAreAppliedInSequenceOrder() {
        String stream = "cdc/three-one-two/shop.orders";
        LocalS3Function.Uploaded f1 = upload(stream + "_1.json", CdcFiles.upsert("I", 1, "NEW"));
        LocalS3Function.Uploaded f2 = upload(stream + "_2.json", CdcFiles.upsert("U", 1, "PAID"),
                CdcFiles.upsert("I", 2, "NEW"));
        LocalS3Function.Uploaded f3 = upload(stream + "_3.json", CdcFiles.delete(2),
                CdcFiles.upsert("U", 1, "SHIPPED"));

        deliverAndWait(f3);
        assertThat(function.summary().gaps()).containsExactly(
                new LocalS3Function.Gap(LocalS3Function.LANDING_BUCKET + "/" + stream, 1, 3));
        assertThat(documents()).isEmpty();

        deliverAndWait(f1);
        assertThat(function.summary().gaps()).containsExactly(
                new LocalS3Function.Gap(LocalS3Function.LANDING_BUCKET + "/" + stream, 2, 3));
        assertThat(documents()).containsOnlyKeys("1");

        deliverAndWait(f2);
        LocalS3Function.Summary summary = function.summary();
        assertThat(summary.clean()).isTrue();
        assertThat(summary.filesApplied()).isEqualTo(3);
        assertThat(summary.records()).isEqualTo(5);
        assertThat(documents()).containsOnlyKeys("1");
        assertThat(documents().get("1").get("status").asText()).isEqualTo("SHIPPED");
        assertThat(statusesOf("1")).containsExactly("NEW", "PAID", "SHIPPED");
        assertThat(kindsOf("2")).containsExactly("add", "delete");
    }

    @Test
    void duplicateEventsApplyEveryChangeExactlyOnce() {
        String stream = "cdc/duplicates/shop.orders";
        LocalS3Function.Uploaded f1 = upload(stream + "_1.json", CdcFiles.upsert("I", 1, "NEW"));
        LocalS3Function.Uploaded f2 = upload(stream + "_2.json", CdcFiles.upsert("U", 1, "PAID"));
        LocalS3Function.Uploaded f3 = upload(stream + "_3.json", CdcFiles.upsert("U", 1, "SHIPPED"));

        for (LocalS3Function.Uploaded f : List.of(f2, f1, f3, f1, f2, f3)) {
            function.deliver(List.of(f));
        }
        function.awaitIdle(IDLE);
        deliverAndWait(f1);

        LocalS3Function.Summary summary = function.summary();
        assertThat(summary.clean()).isTrue();
        assertThat(summary.filesApplied()).isEqualTo(3);
        assertThat(summary.duplicateArrivals()).isEqualTo(4);
        assertThat(statusesOf("1")).containsExactly("NEW", "PAID", "SHIPPED");
    }

    @Test
    void aMissingFileBlocksItsStreamUntilItArrives() {
        String stream = "cdc/gap/shop.orders";
        LocalS3Function.Uploaded f1 = upload(stream + "_1.json", CdcFiles.upsert("I", 7, "NEW"));
        LocalS3Function.Uploaded f3 = upload(stream + "_3.json", CdcFiles.upsert("U", 7, "SHIPPED"));
        function.deliver(List.of(f1, f3));
        function.awaitIdle(IDLE);

        assertThat(function.summary().gaps()).containsExactly(
                new LocalS3Function.Gap(LocalS3Function.LANDING_BUCKET + "/" + stream, 2, 3));
        assertThat(documents().get("7").get("status").asText()).isEqualTo("NEW");

        deliverAndWait(upload(stream + "_2.json", CdcFiles.upsert("U", 7, "PAID")));

        assertThat(function.summary().clean()).isTrue();
        assertThat(statusesOf("7")).containsExactly("NEW", "PAID", "SHIPPED");
    }

    @Test
    void aFailedInvocationIsRetriedLikeAnAsyncLambdaEventAndResumesTheStream() {
        function.close();
        function = LocalS3Function.deploy(stack, CdcFiles.TABLES, Map.of("RETRY_MAX_ATTEMPTS", "1"),
                new PrintStream(logs, true, StandardCharsets.UTF_8), Log.Level.WARN);
        String stream = "cdc/crash/shop.orders";
        LocalS3Function.Uploaded f1 = upload(stream + "_1.json", CdcFiles.upsert("I", 9, "NEW"));
        LocalS3Function.Uploaded f2 = upload(stream + "_2.json", CdcFiles.upsert("U", 9, "PAID"));
        stack.emulator().faults().script("500");

        function.deliver(List.of(f1, f2));
        function.awaitIdle(IDLE);

        LocalS3Function.Summary summary = function.summary();
        assertThat(summary.lambdaRetries()).isEqualTo(1);
        assertThat(summary.clean()).isTrue();
        assertThat(statusesOf("9")).containsExactly("NEW", "PAID");
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("invocation failed");
    }

    @Test
    void keysAreFormEncodedInTheEventAsS3EncodesThem() {
        assertThat(LocalS3Function.encodeKey("cdc/tenant=acme/shop orders_12.json"))
                .isEqualTo("cdc/tenant%3Dacme/shop+orders_12.json");
        String stream = "cdc/tenant=acme/shop orders";
        deliverAndWait(upload(stream + "_1.json", CdcFiles.upsert("I", 3, "NEW")));

        assertThat(function.summary().filesApplied()).isEqualTo(1);
        assertThat(documents()).containsOnlyKeys("3");
    }

    private LocalS3Function.Uploaded upload(String key, String... records) {
        return function.upload(LocalS3Function.LANDING_BUCKET, key, CdcFiles.write(dir, key, records));
    }

    private void deliverAndWait(LocalS3Function.Uploaded file) {
        function.deliver(List.of(file));
        function.awaitIdle(IDLE);
    }

    private Map<String, com.fasterxml.jackson.databind.node.ObjectNode> documents() {
        return stack.emulator().documents("commons", "orders");
    }

    private List<String> statusesOf(String id) {
        return stack.emulator().applyLog("commons", "orders").stream().filter(op -> op.id().equals(id))
                .map(op -> op.payload().get("status").asText()).toList();
    }

    private List<String> kindsOf(String id) {
        return stack.emulator().applyLog("commons", "orders").stream().filter(op -> op.id().equals(id))
                .map(AppliedOp::kind).toList();
    }
}
