package io.inorder.pipeline;

import io.inorder.ledger.TableCursor;
import io.inorder.mapping.ChangeMapper;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.writeapi.ApiKeySource;
import io.inorder.writeapi.CommitFence;
import io.inorder.writeapi.WriteApiClient;
import io.inorder.writeapi.WriteApiSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What every ordered unit of work needs, built once per container and shared by the S3 and MSK paths: the mapper,
 * the Write API client and its commit fence, the quarantine, the table cursors and the observability sinks.
 *
 * @param fence         the commit fence, or {@code null} when {@code COMMIT_CHECK=off}
 * @param failOnBad     {@code BAD_RECORD_POLICY=fail}: a bad record stops its stream instead of being quarantined
 * @param logRowData    {@code LOG_ROW_DATA=true}: logs and error messages may quote a bad record's values, keys and
 *                      {@code _id}s ({@link io.inorder.arcion.BadRecord#loggable}); by default they never do
 */
public record IngestServices(
        ChangeMapper mapper,
        WriteApiClient client,
        CommitFence fence,
        Quarantine quarantine,
        TableCursor tables,
        Metrics metrics,
        Log log,
        boolean failOnBad,
        boolean logRowData) {

    public IngestServices {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(tables, "tables");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(log, "log");
    }

    /** Builds the services a configuration describes, over the given AWS clients (real or local). */
    public static IngestServices create(IngestConfig config, DynamoDbClient dynamoDb, S3Client s3, ApiKeySource apiKey,
            Metrics metrics, Log log, Clock clock) {
        WriteApiClient client = new WriteApiClient(writeApiSettings(config), apiKey);
        CommitFence fence = config.commitCheck() == IngestConfig.CommitCheck.WAIT ? new CommitFence(client) : null;
        return new IngestServices(new ChangeMapper(config.tables()), client, fence,
                new S3Quarantine(s3, config.quarantineBucket(), config.quarantinePrefix(), clock),
                new TableCursor(dynamoDb, config.stateTable(), clock), metrics, log,
                config.badRecordPolicy() == IngestConfig.BadRecordPolicy.FAIL, config.logRowData());
    }

    /** The Write API client's settings from the configuration (limits, retries, rate, commit wait). */
    public static WriteApiSettings writeApiSettings(IngestConfig config) {
        return WriteApiSettings.defaults(config.writeApiUrl(), config.tables().workspace())
                .withLimits(config.maxRequestBytes(), config.maxRequestDocuments())
                .withRetry(config.retryBase(), config.retryCap(), config.retryMaxAttempts())
                .withRequestsPerSecond(config.writeRateLimit())
                .withCommitPolling(Duration.ofMillis(100), Duration.ofSeconds(2), config.commitWait());
    }
}
