package io.inorder.pipeline;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.StreamCursor;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.ApiKeySource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Run in a forked JVM with a small heap by {@link BadRecordFloodTest}: ingests one S3 file, already uploaded, through
 * {@link S3Ingest} as the S3 function does — configured from an environment map, over the S3 endpoint, DynamoDB Local
 * and the emulator the test started — invoking again while the drain asks to be continued, then prints the heap
 * limit, the stream cursor and the quarantined-records metric. Runs out of heap (exit non-zero) when bad records
 * pile up in memory.
 *
 * <p>Arguments: {@code <s3 endpoint> <dynamodb endpoint> <write api url> <api key> <bucket> <quarantine bucket>
 * <state table> <key> <eTag> <size>}.
 */
public final class BadRecordFloodProbe {

    private BadRecordFloodProbe() {
    }

    public static void main(String[] args) {
        AwsBasicCredentials credentials = AwsBasicCredentials.create("local", "secret");
        S3Client s3 = S3Client.builder().endpointOverride(URI.create(args[0])).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(credentials))
                .httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(URI.create(args[1]))
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        Map<String, String> env = new HashMap<>();
        env.put("WRITE_API_URL", args[2]);
        env.put("ROCKSET_API_KEY", args[3]);
        env.put("TABLE_CONFIG", S3IngestStack.TABLE_CONFIG);
        env.put("STATE_TABLE", args[6]);
        env.put("QUARANTINE_BUCKET", args[5]);
        env.put("COMMIT_CHECK", "off");
        env.put("FUNCTION_TIMEOUT_SECONDS", "900");
        IngestConfig config = IngestConfig.fromEnvironment(env, name -> {
            throw new AssertionError("no SSM parameter expected, asked for " + name);
        });
        Clock clock = Clock.systemUTC();
        java.util.concurrent.atomic.DoubleAdder quarantined = new java.util.concurrent.atomic.DoubleAdder();
        PrintStream discard = new PrintStream(new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                // Log and EMF lines would only grow the heap here; the metric is observed as it is added.
            }
        }, true, StandardCharsets.UTF_8);
        IngestServices services = IngestServices.create(config, dynamoDb, s3, ApiKeySource.fixed(config.apiKey()),
                new Metrics("Inorder", "s3-ingest", discard, clock, (name, value) -> {
                    if (name == Metrics.Name.QUARANTINED_RECORDS) {
                        quarantined.add(value);
                    }
                }), new Log("s3-ingest", Log.Level.WARN, discard, clock), clock);
        boolean[] continued = {false};
        S3Ingest ingest = S3Ingest.create(config, services, dynamoDb, s3, stream -> continued[0] = true, clock);
        S3Ingest.Notification n = new S3Ingest.Notification(args[4], args[7], args[8], Long.parseLong(args[9]),
                clock.instant());
        List<DrainSummary> summaries = ingest.handle(List.of(n), "flood-1", Duration.ofSeconds(900));
        for (int i = 2; continued[0] && i < 20; i++) {
            continued[0] = false;
            summaries = List.of(ingest.drain(args[4] + "/" + S3IngestStack.STREAM, "flood-" + i,
                    Duration.ofSeconds(900)));
        }
        StreamCursor cursor = new FileLedger(dynamoDb, args[6], clock).cursor(args[4] + "/" + S3IngestStack.STREAM);
        System.out.println("maxHeap=" + Runtime.getRuntime().maxMemory() + " nextSeq=" + cursor.nextSeq()
                + " inFileRecord=" + cursor.inFileRecord() + " quarantinedMetric=" + (long) quarantined.sum()
                + " summaries=" + summaries.size());
        System.exit(0);
    }
}
