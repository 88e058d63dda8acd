package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

class ServeCommandTest {

    @TempDir
    Path tmp;

    @Test
    void servesThePreparedStackAtThePrintedEndpointsUntilStopped() throws Exception {
        Path config = tmp.resolve("tables.json");
        Files.writeString(config, """
                {"workspace": "commons", "tables": {"shop.orders": {"collection": "orders", "primaryKey": ["id"]}}}
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<Integer> exit = runner.submit(() -> ServeCommand.run(new String[] {"--config", config.toString(),
                "--port-dynamodb", "0", "--port-s3", "0", "--port-emulator", "0", "--lag-ms", "0", "--latency-ms", "7",
                "--latency-per-mib-ms", "0", "--ready-delay-ms", "0"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                stop));
        String printed = awaitServing(out, exit);

        URI dynamoDb = URI.create(endpoint(printed, "DynamoDB"));
        URI s3 = URI.create(endpoint(printed, "S3"));
        String writeApi = endpoint(printed, "Write API");
        assertThat(printed).contains("API key local-key, workspace commons: orders").contains("region      us-east-1")
                .contains("AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local-secret");
        JsonNode env = new ObjectMapper().readTree(printed.substring(printed.indexOf('{'),
                printed.indexOf("\n}\n") + 2)).path(ServeCommand.S3_FUNCTION);
        assertThat(env.path("WRITE_API_URL").asText())
                .isEqualTo(writeApi.replace("127.0.0.1", "host.docker.internal"));
        assertThat(env.path("AWS_ENDPOINT_URL_DYNAMODB").asText())
                .isEqualTo(dynamoDb.toString().replace("127.0.0.1", "host.docker.internal"));
        assertThat(new ObjectMapper().readTree(env.path("TABLE_CONFIG").asText()).path("workspace").asText())
                .isEqualTo("commons");

        try (DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(dynamoDb).region(LocalStack.REGION)
                .credentialsProvider(LocalStack.credentials()).httpClient(UrlConnectionHttpClient.create()).build();
             S3Client s3Client = S3Client.builder().endpointOverride(s3).region(LocalStack.REGION)
                .forcePathStyle(true).credentialsProvider(LocalStack.credentials())
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            assertThat(ddb.listTables().tableNames()).containsExactly("inorder-state");
            assertThat(s3Client.listBuckets().buckets()).extracting(Bucket::name)
                    .containsExactlyInAnyOrder("inorder-landing", "inorder-quarantine");
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> collection = http.send(HttpRequest.newBuilder(
                        URI.create(writeApi + "/v1/orgs/self/ws/commons/collections/orders"))
                .header("Authorization", "ApiKey local-key").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(collection.statusCode()).isEqualTo(200);
        assertThat(collection.body()).contains("\"orders\"").contains("READY");
        // The clock options reach the emulator: each write takes the 7 ms of latency asked for.
        HttpResponse<String> written = http.send(HttpRequest.newBuilder(
                        URI.create(writeApi + "/v1/orgs/self/ws/commons/collections/orders/docs"))
                .header("Authorization", "ApiKey local-key").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"data\":[{\"_id\":\"a\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(written.statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(writeApi + "/_emulator/requests")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("\"latency_ms\":7");

        stop.countDown();
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        runner.shutdown();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(writeApi + "/v1/orgs/self/ws/commons"))
                .GET().build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void aPortThatIsNotANumberIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(new String[] {"serve", "--port-s3", "nine"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port-s3 'nine' must be a port 0-65535");
    }

    private static String awaitServing(ByteArrayOutputStream out, Future<Integer> exit) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = out.toString(StandardCharsets.UTF_8);
            if (text.contains("Serving until Ctrl-C.")) {
                return text;
            }
            if (exit.isDone()) {
                throw new AssertionError("serve ended early with " + exit.get() + ": " + text);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("serve printed no endpoints within 60 s: " + out.toString(StandardCharsets.UTF_8));
    }

    private static String endpoint(String printed, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + " +(http://127\\.0\\.0\\.1:\\d+)").matcher(printed);
        assertThat(m.find()).as(name + " endpoint in:\n" + printed).isTrue();
        return m.group(1);
    }
}
