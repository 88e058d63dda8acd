package io.inorder.msk;

import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.AwsClients;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.KafkaIngest;
import io.inorder.pipeline.SnapStartPriming;
import io.inorder.writeapi.ApiKeySource;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The deployed MSK function's object graph, built once per container from the environment: configuration (validated,
 * failing the cold start with a message naming the variable), AWS clients, the Write API client, the ingest and the
 * SnapStart priming over the same clients.
 */
record MskFunction(KafkaIngest ingest, boolean reportBatchItemFailures, Log log, SnapStartPriming priming) {

    static MskFunction fromEnvironment(Map<String, String> env) {
        Log log = Log.fromEnvironment(env);
        AwsClients aws = AwsClients.fromEnvironment(env);
        IngestConfig config = IngestConfig.fromEnvironment(env, aws::parameter);
        DynamoDbClient dynamoDb = aws.dynamoDb();
        Clock clock = Clock.systemUTC();
        IngestServices services = IngestServices.create(config, dynamoDb, aws.s3(), ApiKeySource.fromEnvironment(env),
                Metrics.fromEnvironment(env), log, clock);
        return new MskFunction(KafkaIngest.create(config, services, dynamoDb, clock),
                config.reportBatchItemFailures(), log,
                new SnapStartPriming(IngestServices.writeApiSettings(config), dynamoDb, config.stateTable(), log));
    }
}
