package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.ledger.FileLedger;
import io.inorder.observe.Log;
import io.inorder.pipeline.Reconciler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code inorder status} and {@code inorder skip} against the embedded stack, as an operator runs them. */
class StatusAndSkipTest {

    private static final Duration IDLE = Duration.ofSeconds(60);
    private static LocalStack stack;
    private static LocalS3Function function;
    private static DynamoDbClient dynamoDb;
    private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        dynamoDb = stack.dynamoDbClient();
        function = LocalS3Function.deploy(stack, CdcFiles.TABLES, Map.of(),
                new PrintStream(LOGS, true, StandardCharsets.UTF_8), Log.Level.WARN);
    }

    @AfterAll
    static void stop() throws Exception {
        function.close();
        dynamoDb.close();
        stack.close();
    }

    @Test
    void statusShowsABlockedStreamItsMissingFileWhatWaitsAndHowToSkip() throws Exception {
        String stream = blockedStream("cdc/status-blocked/shop.orders", 61);
        function.deliver(List.of(upload("cdc/status-bad/shop.orders_1.json", "{\"opType\": \"I\", \"broken\n",
                CdcFiles.upsert("I", 62, "NEW"))));
        function.awaitIdle(IDLE);

        Run run = run("status", "--stream", "status-blocked");

        assertThat(run.code).as(run.toString()).isEqualTo(3);
        assertThat(run.out).contains("S3 streams (1)").containsPattern(stream.replace(".", "\\.")
                + " +blocked +1 +2 +file 1 missing, \\d+s")
                .contains("! " + stream + " waits for file 1; file 2 (cdc/status-blocked/shop.orders_2.json) arrived")
                .contains("inorder skip --stream " + stream + " --to 2 --reason");
        assertThat(run("status").out).contains("Quarantine (1 record at s3://inorder-quarantine/quarantine/)")
                .containsPattern("\\s+1  \\S*/cdc/status-bad/shop\\.orders\\n");

        JsonNode json = new ObjectMapper().readTree(run("status", "--stream", "status-blocked", "--json").out);
        JsonNode row = json.path("streams").get(0);
        assertThat(row.path("stream").asText()).isEqualTo(stream);
        assertThat(row.path("state").asText()).isEqualTo("blocked");
        assertThat(row.path("nextSeq").asLong()).isEqualTo(1);
        assertThat(row.path("filesWaiting").asLong()).isEqualTo(2);
        assertThat(row.path("gap").path("missingSeq").asLong()).isEqualTo(1);
        assertThat(row.path("gap").path("nextArrivedSeq").asLong()).isEqualTo(2);
        assertThat(row.path("gap").path("ageSeconds").isIntegralNumber()).isTrue();
        assertThat(row.path("gap").path("ageSeconds").asLong()).isNotNegative();
        // Counted per stream on its cursor: the filtered status counts the streams it shows, the whole one all.
        assertThat(json.path("quarantine").path("records").asLong()).isZero();
        JsonNode all = new ObjectMapper().readTree(run("status", "--json").out);
        assertThat(all.path("quarantine").path("records").asLong()).isEqualTo(1);
        assertThat(all.path("quarantine").path("bySource").path(LocalS3Function.LANDING_BUCKET
                + "/cdc/status-bad/shop.orders").asLong()).isEqualTo(1);
    }

    @Test
    void skipIsRefusedWithoutAReasonAndWhereTheStreamIsNotBlockedThenAcceptedAndTheStreamResumes()
            throws Exception {
        String stream = blockedStream("cdc/skip/shop.orders", 71);
        FileLedger ledger = new FileLedger(dynamoDb, LocalS3Function.STATE_TABLE, Clock.systemUTC());

        Run noReason = run("skip", "--stream", stream, "--to", "2");
        Run pastAnArrivedFile = run("skip", "--stream", stream, "--to", "3", "--reason", "too far");
        Run ontoAMissingFile = run("skip", "--stream", stream, "--to", "1", "--reason", "nowhere");
        String idle = blockedStreamThatIsNot("cdc/skip-idle/shop.orders", 72);
        Run notBlocked = run("skip", "--stream", idle, "--to", "3", "--reason", "idle");

        assertThat(noReason.code).as(noReason.toString()).isEqualTo(2);
        assertThat(noReason.err).contains("--reason is required");
        assertThat(pastAnArrivedFile.code).as(pastAnArrivedFile.toString()).isEqualTo(1);
        assertThat(pastAnArrivedFile.err).contains("refused: file 2 of " + stream + " has arrived");
        assertThat(ontoAMissingFile.code).isEqualTo(1);
        assertThat(ontoAMissingFile.err).contains("must be above the file the stream waits for (1)");
        assertThat(notBlocked.code).as(notBlocked.toString()).isEqualTo(1);
        assertThat(notBlocked.err).contains(idle + " is not blocked (idle, next file 2)");
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(1);
        assertThat(ledger.skips(stream)).isEmpty();

        Run accepted = run("skip", "--stream", stream, "--to", "2", "--reason", "file 1 lost in the outage",
                "--by", "alice");

        assertThat(accepted.code).as(accepted.toString()).isZero();
        assertThat(accepted.out).contains("skipped: " + stream + " files 1..1 (1 missing file) by alice: file 1 "
                + "lost in the outage");
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(2);
        assertThat(run("status", "--stream", "cdc/skip/").out).contains("skipped " + stream + " files 1..1 by alice")
                .containsPattern(stream.replace(".", "\\.") + " +ready +2 +2");

        List<Reconciler.StreamReport> swept = function.reconcile();
        function.awaitIdle(IDLE);

        assertThat(swept).filteredOn(r -> r.stream().equals(stream)).extracting(Reconciler.StreamReport::finding)
                .containsExactly(Reconciler.Finding.REDRIVEN);
        assertThat(ledger.cursor(stream).nextSeq()).isEqualTo(4);
        assertThat(stack.emulator().documents("commons", "orders").get("71").get("status").asText())
                .isEqualTo("SHIPPED");
        Run after = run("status", "--stream", "cdc/skip/");
        assertThat(after.code).isZero();
        assertThat(after.out).containsPattern(stream.replace(".", "\\.") + " +idle +4 +0")
                .contains("Tables (1)").containsPattern("shop\\.orders +20\\d\\d-");
    }

    @Test
    void everyCommandStatusPrintsRunsAsPrinted() throws Exception {
        String stream = blockedStream("cdc/paste me/shop.orders", 81);
        function.deliver(List.of(upload("cdc/paste-bad/shop.orders_1.json", "{\"opType\": \"I\", \"broken\n")));
        function.awaitIdle(IDLE);

        Run status = run("status");
        List<List<String>> printed = new ArrayList<>();
        for (String line : status.out.split("\n")) {
            // A suggestion follows a colon ("skip it: inorder skip ..."); the heading "inorder status: ..." is none.
            for (int at = line.indexOf(": inorder "); at >= 0; at = line.indexOf(": inorder ", at + 1)) {
                int end = line.indexOf("; ", at);
                printed.add(shellWords(line.substring(at + 2, end < 0 ? line.length() : end)));
            }
        }
        List<String> skip = printed.stream().filter(c -> c.get(1).equals("skip") && c.contains(stream)).findFirst()
                .orElseThrow(() -> new AssertionError("no skip suggestion for " + stream + " in\n" + status.out));
        assertThat(printed).as(status.out).anyMatch(c -> c.subList(0, 3).equals(List.of("inorder", "quarantine",
                "list")));

        for (List<String> command : printed) {
            Run r = runAsPrinted(command);
            if (command == skip) {
                // As printed it carries a placeholder reason, which skip refuses rather than record.
                assertThat(r.code).as(r.toString()).isEqualTo(2);
                assertThat(r.err).contains("replace " + SkipCommand.REASON_PLACEHOLDER);
            } else if (command.get(1).equals("skip")) {
                continue; // other streams' suggestions, from other tests
            } else {
                assertThat(r.code).as(String.join(" ", command) + "\n" + r).isZero();
            }
        }
        List<String> withReason = new ArrayList<>(skip);
        withReason.set(withReason.indexOf(SkipCommand.REASON_PLACEHOLDER), "file 1 lost upstream");
        Run skipped = runAsPrinted(withReason);
        assertThat(skipped.code).as(skipped.toString()).isZero();
        assertThat(skipped.out).contains("skipped: " + stream + " files 1..1");
    }

    /** {@code command} (starting with "inorder") run the way the shell would hand it to the command. */
    private static Run runAsPrinted(List<String> command) throws Exception {
        assertThat(command.get(0)).isEqualTo("inorder");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(command.subList(1, command.size()).toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A POSIX shell's word splitting of a simple command: blanks, single quotes, double quotes, backslashes. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
                continue;
            }
            if (w == null) {
                w = new StringBuilder();
            }
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                w.append(line, i + 1, close);
                i = close;
            } else if (c == '"') {
                for (i++; line.charAt(i) != '"'; i++) {
                    if (line.charAt(i) == '\\') {
                        i++;
                    }
                    w.append(line.charAt(i));
                }
            } else if (c == '\\') {
                w.append(line.charAt(++i));
            } else {
                w.append(c);
            }
        }
        if (w != null) {
            words.add(w.toString());
        }
        return words;
    }

    @Test
    void statusWithoutATargetIsAUsageError() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(new String[] {"status"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exactly one of --stack NAME, --table T or --local");
    }

    /** Files 2 and 3 of {@code stream} delivered and waiting; file 1 never came. Returns the stream id. */
    private static String blockedStream(String stream, int id) {
        LocalS3Function.Uploaded f2 = upload(stream + "_2.json", CdcFiles.upsert("I", id, "PAID"));
        LocalS3Function.Uploaded f3 = upload(stream + "_3.json", CdcFiles.upsert("U", id, "SHIPPED"));
        function.deliver(List.of(f3));
        function.deliver(List.of(f2));
        function.awaitIdle(IDLE);
        return LocalS3Function.LANDING_BUCKET + "/" + stream;
    }

    /** File 1 of {@code stream} delivered and applied: nothing waits. */
    private static String blockedStreamThatIsNot(String stream, int id) {
        function.deliver(List.of(upload(stream + "_1.json", CdcFiles.upsert("I", id, "NEW"))));
        function.awaitIdle(IDLE);
        return LocalS3Function.LANDING_BUCKET + "/" + stream;
    }

    private static LocalS3Function.Uploaded upload(String key, String... records) {
        return function.upload(LocalS3Function.LANDING_BUCKET, key,
                String.join("", records).getBytes(StandardCharsets.UTF_8));
    }

    private record Run(int code, String out, String err) { }

    private static Run run(String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        all.addAll(List.of("--local", "--dynamodb-endpoint", stack.dynamoDbEndpoint().toString(), "--s3-endpoint",
                stack.s3Endpoint().toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
