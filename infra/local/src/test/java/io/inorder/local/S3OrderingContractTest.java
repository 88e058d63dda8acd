package io.inorder.local;

import io.inorder.ledger.LedgerTable;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.S3Ingest;
import io.inorder.writeapi.ApiKeySource;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The ordering contract over the S3 path: each unit is the next file ({@code _1}, {@code _2}, ...) of one stream,
 * uploaded to S3Proxy and notified to {@link S3Ingest}, which runs the ledger's ordering protocol.
 */
class S3OrderingContractTest extends OrderingContractTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private DynamoDbClient dynamoDb;
    private S3Client s3;
    private S3Ingest ingest;
    private String landing;
    private String quarantine;
    private int nextSeq;
    private S3Ingest.Notification last;

    @Override
    protected void preparePath() {
        dynamoDb = stack.dynamoDbClient();
        s3 = stack.s3Client();
        landing = "landing-" + run;
        quarantine = "quarantine-" + run;
        IngestConfig config = IngestConfig.fromEnvironment(Map.of(
                IngestConfig.WRITE_API_URL.name(), stack.emulator().baseUrl().toString(),
                IngestConfig.API_KEY.name(), stack.emulator().apiKey(),
                IngestConfig.TABLE_CONFIG.name(), NativeChanges.TABLE_CONFIG,
                IngestConfig.STATE_TABLE.name(), "state-" + run,
                IngestConfig.QUARANTINE_BUCKET.name(), quarantine,
                IngestConfig.FUNCTION_TIMEOUT_SECONDS.name(), Long.toString(TIMEOUT.toSeconds())), name -> null);
        LedgerTable.create(dynamoDb, config.stateTable());
        s3.createBucket(b -> b.bucket(landing));
        s3.createBucket(b -> b.bucket(quarantine));
        stack.emulator().createCollection("commons", "orders");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Clock clock = Clock.systemUTC();
        IngestServices services = IngestServices.create(config, dynamoDb, s3,
                ApiKeySource.fixed(stack.emulator().apiKey()), new Metrics("Inorder", "test", quiet, clock),
                new Log("test", Log.Level.WARN, quiet, clock), clock);
        // The continuation (time running low) drains again at once, as the next invocation would.
        AtomicReference<S3Ingest> self = new AtomicReference<>();
        ingest = S3Ingest.create(config, services, dynamoDb, s3,
                stream -> self.get().drain(stream, "continuation", TIMEOUT), clock);
        self.set(ingest);
        nextSeq = 1;
    }

    @Override
    protected void deliver(List<String> changes) {
        String key = "cdc/shop.orders_" + nextSeq++ + ".json";
        byte[] body = (String.join("\n", changes) + "\n").getBytes(StandardCharsets.UTF_8);
        PutObjectResponse put = s3.putObject(p -> p.bucket(landing).key(key), RequestBody.fromBytes(body));
        last = new S3Ingest.Notification(landing, key, put.eTag().replace("\"", ""), body.length, Instant.now());
        ingest.handle(List.of(last), "invocation-" + key, TIMEOUT);
    }

    @Override
    protected void redeliverLast() {
        ingest.handle(List.of(last), "duplicate", TIMEOUT);
    }

    @Override
    protected int quarantined() {
        return s3.listObjectsV2(b -> b.bucket(quarantine)).contents().size();
    }

    @Override
    protected void closePath() {
        dynamoDb.close();
        s3.close();
    }
}
