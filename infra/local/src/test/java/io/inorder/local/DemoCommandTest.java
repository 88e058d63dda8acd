package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.local.workload.Workload;
import io.inorder.local.workload.WorkloadSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    private static final String[] SMALL = {"--changes", "300", "--tables", "2", "--faults", "light", "--seed", "7"};

    @Test
    void aSmallShuffledDuplicatedFaultedWorkloadLandsExactlyAndExitsZero() throws Exception {
        Run run = run(SMALL, stack -> { });

        assertThat(run.code).as(run.toString()).isZero();
        assertThat(run.out).contains("seed 7 (rerun: inorder demo --seed 7), 2 tables, 300 changes, faults light "
                + "(429:0.05,500:0.02,503:0.02)").contains("every file twice, shuffled")
                .contains("mean window fill").contains("documents/s").containsPattern("quarantined +0 +0\\n");
        assertThat(run.out.strip()).endsWith("verified: 4 collections match the source");
        assertThat(run.err).containsPattern("\\[#+] (\\d+)/\\1 files applied");
        assertThat(run.out).containsPattern("commons\\.msk_orders +(\\d+) +\\1\\n")
                .contains("msk:          2 topics");
    }

    @Test
    void documentsDeletedBehindThePipelinesBackMakeTheDemoExitOneNamingThem() throws Exception {
        Run run = run(SMALL, stack -> {
            deleteOne(stack, "orders");
            deleteOne(stack, MskDemo.COLLECTION_PREFIX + "orders");
        });

        assertThat(run.code).as(run.toString()).isEqualTo(1);
        assertThat(run.out).containsPattern("\n  orders/\\S+: missing, expected \\{")
                .containsPattern("\n  msk_orders/\\S+: missing, expected \\{");
        assertThat(run.out.strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("NOT verified: orders/");
    }

    @Test
    void theVerdictNamesEveryKindOfDifferenceAndWhatTheRunLeftUndone() {
        Workload workload = Workload.generate(WorkloadSpec.defaults().withChanges(200).withTables(2).withSeed(3));
        Map<String, Map<String, ObjectNode>> actual = workload.expected();
        assertThat(DemoVerdict.of(workload, actual, clean()).lastLine())
                .isEqualTo("verified: 2 collections match the source");

        String collection = actual.keySet().iterator().next();
        Map<String, ObjectNode> docs = actual.get(collection);
        String changed = docs.keySet().iterator().next();
        docs.get(changed).put("tampered", true);
        docs.put("no-such-row", docs.get(changed).deepCopy());
        DemoVerdict verdict = DemoVerdict.of(workload, actual, withGap());

        assertThat(verdict.verified()).isFalse();
        assertThat(verdict.problems()).anyMatch(p -> p.startsWith(collection + "/" + changed + ": expected "))
                .anyMatch(p -> p.startsWith(collection + "/no-such-row: unexpected document"))
                .anyMatch(p -> p.startsWith("gap: inorder-landing/cdc/shop.orders waits for seq 4"));
        assertThat(verdict.lastLine()).startsWith("NOT verified: " + collection + "/").endsWith("listed above)");
    }

    @Test
    void theEmulatorClockOptionsReachTheEmulatorAndTheDemoStillVerifiesUnderLag() throws Exception {
        String[] lagging = {"--changes", "40", "--tables", "1", "--faults", "none", "--seed", "11", "--lag-ms", "30",
                "--latency-ms", "3", "--latency-per-mib-ms", "500"};
        Run run = run(lagging, stack -> {
            assertThat(stack.emulator().settings().applyLag()).isEqualTo(Duration.ofMillis(30));
            assertThat(stack.emulator().requests().entries(e -> e.isWrite()))
                    .allMatch(e -> e.latency().equals(stack.emulator().settings().latencyFor(e.bodyBytes())))
                    .allMatch(e -> e.latency().compareTo(Duration.ofMillis(3)) >= 0);
        });

        assertThat(run.code).as(run.toString()).isZero();
        assertThat(run.out.strip()).endsWith("verified: 2 collections match the source");
    }

    @Test
    void aClockOptionThatIsNotANumberIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(new String[] {"demo", "--lag-ms", "soon"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--lag-ms needs a whole number of milliseconds");
    }

    @Test
    void anUnknownFaultLevelIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(new String[] {"demo", "--faults", "chaos"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--faults 'chaos' must be none, light or heavy");
    }

    private static void deleteOne(LocalStack stack, String collection) {
        String id = stack.emulator().documents(Workload.WORKSPACE, collection).keySet().iterator().next();
        HttpRequest delete = HttpRequest.newBuilder(URI.create(stack.emulator().baseUrl()
                        + "/v1/orgs/self/ws/" + Workload.WORKSPACE + "/collections/" + collection + "/docs"))
                .header("Authorization", "ApiKey " + stack.emulator().apiKey())
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"data\":[{\"_id\":\"" + id + "\"}]}"))
                .build();
        // The demo's fault spec may answer a 429 or 5xx: send again until the emulator takes it.
        try {
            HttpClient client = HttpClient.newHttpClient();
            int status = 0;
            for (int attempt = 0; attempt < 50 && status != 200; attempt++) {
                status = client.send(delete, HttpResponse.BodyHandlers.ofString()).statusCode();
            }
            assertThat(status).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        stack.emulator().awaitApplied(Duration.ofSeconds(10));
    }

    private static LocalS3Function.Summary clean() {
        return new LocalS3Function.Summary(1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, List.of(), List.of(), List.of());
    }

    private static LocalS3Function.Summary withGap() {
        return new LocalS3Function.Summary(1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, List.of(),
                List.of(new LocalS3Function.Gap("inorder-landing/cdc/shop.orders", 4, 6)), List.of());
    }

    record Run(int code, String out, String err) { }

    private static Run run(String[] args, Consumer<LocalStack> beforeVerifying) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DemoCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, beforeVerifying);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
