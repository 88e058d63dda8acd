package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EmulatorCommandTest {

    @Test
    void printsTheBaseUrlServesTheCreatedCollectionsAndStopsCleanly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<Integer> exit = runner.submit(() -> EmulatorCommand.run(new String[] {"--port", "0", "--api-key", "k1",
                "--create", "ws.orders", "--create=ws.items", "--lag-ms", "0", "--vi", "large", "--faults", "script:503"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), stop));

        String firstLine = awaitFirstLine(out);
        Matcher m = Pattern.compile("emulator listening on (http://127\\.0\\.0\\.1:\\d+) \\(api key: k1\\)").matcher(firstLine);
        assertThat(m.matches()).as(firstLine).isTrue();
        URI docs = URI.create(m.group(1) + "/v1/orgs/self/ws/ws/collections/items/docs");
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest add = HttpRequest.newBuilder(docs).header("Authorization", "ApiKey k1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\":[{\"_id\":\"a\"}]}")).build();
        assertThat(client.send(add, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        assertThat(client.send(add, HttpResponse.BodyHandlers.ofString()).body()).contains("\"status\":\"ADDED\"");

        stop.countDown();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        runner.shutdown();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void theClockOptionsSetLagLatencyAndTheReadyDelayOfCollectionsCreatedThroughTheApi() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<Integer> exit = runner.submit(() -> EmulatorCommand.run(new String[] {"--port", "0", "--create",
                "ws.orders", "--lag-ms", "250", "--latency-ms", "20", "--latency-per-mib-ms=1000",
                "--ready-delay-ms", "3600000"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, stop));
        Matcher m = Pattern.compile("emulator listening on (http://127\\.0\\.0\\.1:\\d+) .*")
                .matcher(awaitFirstLine(out));
        assertThat(m.matches()).isTrue();
        String base = m.group(1);
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<String> added = client.send(post(base + "/v1/orgs/self/ws/ws/collections/orders/docs",
                "{\"data\":[{\"_id\":\"a\"}]}"), HttpResponse.BodyHandlers.ofString());
        String offset = added.body().replaceAll(".*\"last_offset\":\"([^\"]+)\".*", "$1");
        String commit = client.send(post(base + "/v1/orgs/self/ws/ws/collections/orders/offsets/commit",
                "{\"name\":[\"" + offset + "\"]}"), HttpResponse.BodyHandlers.ofString()).body();
        String created = client.send(post(base + "/v1/orgs/self/ws/ws/collections", "{\"name\":\"fresh\"}"),
                HttpResponse.BodyHandlers.ofString()).body();
        int refused = client.send(post(base + "/v1/orgs/self/ws/ws/collections/fresh/docs", "{\"data\":[]}"),
                HttpResponse.BodyHandlers.ofString()).statusCode();
        String requests = client.send(HttpRequest.newBuilder(URI.create(base + "/_emulator/requests")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(added.statusCode()).isEqualTo(200);
        // 250 ms of apply lag: a commit 20 ms after the write has not passed.
        assertThat(commit).contains("\"passed\":false");
        assertThat(created).contains("\"status\":\"CREATED\"");
        assertThat(refused).isEqualTo(503);
        assertThat(requests).contains("\"latency_ms\":20");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("clock: apply lag 250 ms, request latency 20 ms "
                + "+ 1000 ms/MiB, collections created through the API READY after 3600000 ms");
        stop.countDown();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        runner.shutdown();
    }

    private static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "ApiKey local-key")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void usageErrorsExitWithTwoAndExplainTheFlag() throws Exception {
        String[][] bad = {{"--port", "x"}, {"--create", "nodot"}, {"--vi", "HUGE"}, {"--faults", "418:1"}, {"--bogus", "1"},
                {"--lag-ms"}, {"--latency-ms", "-1"}, {"--latency-per-mib-ms", "3600001"}, {"--ready-delay-ms", "x"}};
        for (String[] args : bad) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = EmulatorCommand.run(args, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(0));
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("inorder emulator: ");
        }
    }

    @Test
    void helpPrintsUsageAndExitsZero() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = EmulatorCommand.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err, new CountDownLatch(0));

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--faults SPEC").contains("16XLARGE 2400");
    }

    private static String awaitFirstLine(ByteArrayOutputStream out) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String text = out.toString(StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            if (newline >= 0) {
                return text.substring(0, newline).strip();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the command printed no line within 10 s");
    }
}
