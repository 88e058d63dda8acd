package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.inorder.ledger.LedgerTable;
import io.inorder.observe.Log;
import io.inorder.writeapi.WriteApiSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** SnapStart priming runs the real hot path, touches the state table, and never lets a failure through. */
class SnapStartPrimingTest {

    private static DynamoDBProxyServer server;
    private static int port;

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final Log log = new Log("test", Log.Level.INFO, new PrintStream(logs, true, StandardCharsets.UTF_8),
            Clock.systemUTC());
    private final WriteApiSettings settings = WriteApiSettings.defaults(URI.create("http://127.0.0.1:1"), "commons");

    @BeforeAll
    static void startDynamoDbLocal() throws Exception {
        port = freePort();
        server = ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-inMemory", "-disableTelemetry", "-port", Integer.toString(port)});
        server.start();
    }

    @AfterAll
    static void stopDynamoDbLocal() throws Exception {
        server.stop();
    }

    @Test
    void primingParsesMapsAndEncodesTheSampleAndDescribesTheStateTable() throws IOException {
        DynamoDbClient dynamoDb = client(port);
        LedgerTable.create(dynamoDb, "state");

        SnapStartPriming.Outcome outcome = new SnapStartPriming(settings, dynamoDb, "state", log).prime();

        // insert, full-image update and delete of the sample each map to one operation; the update's upsert merges
        // into the insert's, so the window holds two encoded items.
        assertThat(outcome.records()).as("three records from a file, three as Kafka values").isEqualTo(6);
        assertThat(outcome.operations()).isEqualTo(6);
        assertThat(outcome.encodedBytes()).isPositive();
        assertThat(outcome.stateTableDescribed()).isTrue();
    }

    @Test
    void aStateTableThatCannotBeReachedStillLetsTheSnapshotBeTaken() throws IOException {
        SnapStartPriming priming = new SnapStartPriming(settings, client(freePort()), "state", log);

        assertThat(priming.prime().stateTableDescribed()).isFalse();
        assertThatCode(() -> priming.beforeCheckpoint(null)).doesNotThrowAnyException();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("DescribeTable failed")
                .contains("primed for the snapshot");
    }

    @Test
    void aMissingStateTableIsLoggedNotThrown() {
        SnapStartPriming priming = new SnapStartPriming(settings, client(port), "no-such-table", log);

        assertThatCode(() -> priming.beforeCheckpoint(null)).doesNotThrowAnyException();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("ResourceNotFoundException");
    }

    private static DynamoDbClient client(int port) {
        return DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port", e);
        }
    }
}
