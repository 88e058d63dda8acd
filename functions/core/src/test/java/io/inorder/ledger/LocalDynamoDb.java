package io.inorder.ledger;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.UUID;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One DynamoDB Local server (in-memory, telemetry off) per test JVM on a free 127.0.0.1 port, reached through the
 * same SDK client and HTTP client the functions use. Started on first use (works for JUnit and jqwik alike), stopped
 * at JVM exit. Each test class takes its own table; tests isolate further by stream name.
 */
public final class LocalDynamoDb {

    private static DynamoDbClient client;

    private LocalDynamoDb() {
    }

    public static synchronized DynamoDbClient client() {
        if (client == null) {
            client = start();
        }
        return client;
    }

    /** A fresh ledger table on the shared server. */
    public static String newTable() {
        String name = "ledger-" + UUID.randomUUID();
        LedgerTable.create(client(), name);
        return name;
    }

    private static DynamoDbClient start() {
        int port = freePort();
        try {
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-disableTelemetry", "-port", Integer.toString(port)});
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } catch (Exception ignored) {
                    // JVM is exiting; the in-memory data goes with it.
                }
            }));
        } catch (Exception e) {
            throw new IllegalStateException("could not start DynamoDB Local on port " + port, e);
        }
        return DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port for DynamoDB Local", e);
        }
    }
}
