package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.local.lambda.SamTemplate;
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
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code inorder serve} as a user meets it: the template deployed with its functions under the Lambda runtime, an
 * object uploaded to the printed bucket by a plain S3 client applied by the S3 function, the reconciler invoked
 * through the printed Lambda endpoint, the printed env.json the same as events/env.json. Runs in verify: it needs the
 * packaged deployment jars.
 */
class ServeCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesTheTemplateSoThatAnUploadedFileIsAppliedAndTheFunctionsAnswerTheInvokeApi() throws Exception {
        Path root = SamTemplate.findRoot(Path.of("")).orElseThrow();
        Path config = root.resolve("events/tables.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<Integer> exit = runner.submit(() -> ServeCommand.run(new String[] {"--config", config.toString(),
                "--port-dynamodb", "0", "--port-s3", "0", "--port-emulator", "0", "--port-services", "0",
                "--latency-ms", "7"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                stop));
        try {
            String printed = awaitServing(out, exit);
            URI s3 = URI.create(endpoint(printed, "S3"));
            URI lambda = URI.create(endpoint(printed, "Lambda"));
            String writeApi = endpoint(printed, "Write API");
            Matcher bucket = Pattern.compile("bucket (\\S+): objects under (\\S+) notify").matcher(printed);
            assertThat(bucket.find()).as(printed).isTrue();
            assertThat(printed).as("the template's functions without MSK (no --msk-topics), the reconciler's schedule")
                    .contains("functions   inorder-s3-ingest, inorder-reconciler (rate(5 minutes))\n");
            assertThat(printed).contains("aws s3 cp FILE s3://" + bucket.group(1) + "/cdc/")
                    .contains("aws lambda invoke --function-name inorder-reconciler --payload "
                            + "fileb://events/schedule-reconcile.json --endpoint-url " + lambda);

            try (S3Client client = S3Client.builder().endpointOverride(s3).region(LocalStack.REGION)
                    .forcePathStyle(true).credentialsProvider(LocalStack.credentials())
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                client.putObject(p -> p.bucket(bucket.group(1)).key(bucket.group(2) + "shop.orders_1.json"),
                        RequestBody.fromString(NativeChanges.insert(42, "NEW") + "\n"));
            }
            HttpClient http = HttpClient.newHttpClient();
            String documents = writeApi + "/_emulator/ws/commons/collections/orders/documents";
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            String body = "";
            while (System.nanoTime() < end && !body.contains("\"42\"")) {
                body = http.send(HttpRequest.newBuilder(URI.create(documents)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(200);
            }
            assertThat(body).as("the uploaded file, applied by the S3 function; stderr:\n" + err).contains("\"42\"");
            // The clock options reach the emulator: the function's writes took the 7 ms of latency asked for.
            assertThat(http.send(HttpRequest.newBuilder(URI.create(writeApi + "/_emulator/requests")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"latency_ms\":7");

            try (LambdaClient client = LambdaClient.builder().endpointOverride(lambda).region(LocalStack.REGION)
                    .credentialsProvider(LocalStack.credentials()).httpClient(UrlConnectionHttpClient.create())
                    .build()) {
                InvokeResponse r = client.invoke(i -> i.functionName("inorder-reconciler").payload(
                        SdkBytes.fromByteArray(readAll(root.resolve("events/schedule-reconcile.json")))));
                assertThat(r.functionError()).as(r.payload().asUtf8String()).isNull();
                assertThat(r.payload().asUtf8String()).contains("streams=1");
                assertThat(r.executedVersion()).as("unqualified: $LATEST, as in AWS").isEqualTo("$LATEST");
                InvokeResponse live = client.invoke(i -> i.functionName("inorder-reconciler").qualifier("live")
                        .payload(SdkBytes.fromByteArray(readAll(root.resolve("events/schedule-reconcile.json")))));
                assertThat(live.functionError()).as(live.payload().asUtf8String()).isNull();
                assertThat(live.executedVersion()).as("the alias: the published version").isEqualTo("1");
            }

            JsonNode env = JSON.readTree(printed.substring(printed.indexOf("{\n"), printed.indexOf("\n}\n") + 2));
            String asDefaults = env.toString()
                    .replace(port(s3), ":" + ServeCommand.DEFAULT_S3_PORT)
                    .replace(port(lambda), ":" + ServeCommand.DEFAULT_SERVICES_PORT)
                    .replace(port(URI.create(writeApi)), ":" + ServeCommand.DEFAULT_EMULATOR_PORT)
                    .replace(port(URI.create(endpoint(printed, "DynamoDB"))), ":" + ServeCommand.DEFAULT_DYNAMODB_PORT);
            assertThat(JSON.readTree(asDefaults)).as("events/env.json is what serve prints for events/tables.json")
                    .isEqualTo(JSON.readTree(Files.readString(root.resolve("events/env.json"))));
        } finally {
            stop.countDown();
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        runner.shutdown();
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String port(URI uri) {
        return ":" + uri.getPort();
    }

    private static String awaitServing(ByteArrayOutputStream out, Future<Integer> exit) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
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
        throw new AssertionError("serve printed no endpoints within 120 s: " + out.toString(StandardCharsets.UTF_8));
    }

    private static String endpoint(String printed, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + " +(http://127\\.0\\.0\\.1:\\d+)").matcher(printed);
        assertThat(m.find()).as(name + " endpoint in:\n" + printed).isTrue();
        return m.group(1);
    }
}
