package io.inorder.s3;

import io.inorder.ledger.FileLedger;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.AwsClients;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.IngestServices;
import io.inorder.pipeline.S3Ingest;
import io.inorder.pipeline.SnapStartPriming;
import io.inorder.writeapi.ApiKeySource;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The deployed S3 function's object graph, built once per container from the environment: configuration (validated,
 * failing the cold start with a message naming the variable), AWS clients, the Write API client, the ingest and the
 * SnapStart priming over the same clients.
 */
record S3Function(S3Ingest ingest, Log log, SnapStartPriming priming) {

    static S3Function fromEnvironment(Map<String, String> env) {
        Log log = Log.fromEnvironment(env);
        AwsClients aws = AwsClients.fromEnvironment(env);
        IngestConfig config = IngestConfig.fromEnvironment(env, aws::parameter);
        DynamoDbClient dynamoDb = aws.dynamoDb();
        Clock clock = Clock.systemUTC();
        IngestServices services = IngestServices.create(config, dynamoDb, aws.s3(), ApiKeySource.fromEnvironment(env),
                Metrics.fromEnvironment(env), log, clock);
        LambdaClient lambda = LambdaClient.builder().credentialsProvider(aws.credentials()).httpClient(aws.http())
                .build();
        FileLedger ledger = new FileLedger(dynamoDb, config.stateTable(), clock, config.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
        LambdaContinuation continuation = new LambdaContinuation(lambda, qualifiedName(env), aws.region().id(),
                stream -> ledger.arrival(stream, ledger.cursor(stream).nextSeq()), log);
        SnapStartPriming priming = new SnapStartPriming(IngestServices.writeApiSettings(config), dynamoDb, config.stateTable(), log);
        return new S3Function(S3Ingest.create(config, services, dynamoDb, aws.s3(), continuation, clock), log,
                priming);
    }

    /** This function's name with the version being run, so the continuation runs the same code (and snapshot). */
    static String qualifiedName(Map<String, String> env) {
        String name = env.get("AWS_LAMBDA_FUNCTION_NAME");
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("AWS_LAMBDA_FUNCTION_NAME is not set: the S3 function runs in Lambda, "
                    + "or locally through the inorder command");
        }
        String version = env.get("AWS_LAMBDA_FUNCTION_VERSION");
        return version == null || version.isBlank() || version.equals("$LATEST") ? name : name + ":" + version;
    }
}
