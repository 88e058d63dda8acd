package io.inorder.s3;

import io.inorder.ledger.FileLedger;
import io.inorder.ledger.LedgerIndex;
import io.inorder.ledger.SweepCursor;
import io.inorder.observe.Log;
import io.inorder.observe.Metrics;
import io.inorder.pipeline.AwsClients;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.Reconciler;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The deployed reconciler's object graph, built once per container from the same environment as the S3 function
 * (plus {@code REDRIVE_FUNCTION}): it re-drives streams through the S3 function with the same synthetic notification
 * a continuation sends.
 */
record ReconcilerFunction(Reconciler reconciler, Log log, Clock clock) {

    static ReconcilerFunction fromEnvironment(Map<String, String> env) {
        Log log = Log.fromEnvironment(env);
        AwsClients aws = AwsClients.fromEnvironment(env);
        IngestConfig config = IngestConfig.fromEnvironment(env, aws::parameter);
        String target = config.requireRedriveFunction();
        Clock clock = Clock.systemUTC();
        DynamoDbClient dynamoDb = aws.dynamoDb();
        FileLedger ledger = new FileLedger(dynamoDb, config.stateTable(), clock, config.firstSequence(),
                FileLedger.DEFAULT_ARRIVAL_RETENTION);
        LambdaClient lambda = LambdaClient.builder().credentialsProvider(aws.credentials()).httpClient(aws.http())
                .build();
        LambdaContinuation redrive = new LambdaContinuation(lambda, target, aws.region().id(),
                stream -> ledger.arrival(stream, ledger.cursor(stream).nextSeq()), log);
        Reconciler reconciler = new Reconciler(ledger, new LedgerIndex(dynamoDb, config.stateTable()),
                new SweepCursor(dynamoDb, config.stateTable(), clock), aws.s3(),
                config.keyPattern(), redrive, Metrics.fromEnvironment(env), log, clock);
        return new ReconcilerFunction(reconciler, log, clock);
    }
}
