package io.inorder.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.inorder.emulator.Emulator;
import io.inorder.emulator.EmulatorSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded local stack: DynamoDB Local, S3Proxy and the Write API emulator, in this JVM, on 127.0.0.1 ports, so
 * the functions run unchanged against real local components — no Docker, nothing to install. The state lives in
 * memory (DynamoDB, emulator) and in a temporary directory (S3) that is deleted on close.
 */
public final class LocalStack implements AutoCloseable {

    /** Credentials the local components accept; never valid anywhere else. */
    public static final String ACCESS_KEY = "local";
    public static final String SECRET_KEY = "local-secret";
    public static final Region REGION = Region.US_EAST_1;

    private final DynamoDBProxyServer dynamoDb;
    private final URI dynamoDbEndpoint;
    private final S3Proxy s3;
    private final URI s3Endpoint;
    private final Path s3Directory;
    private final Emulator emulator;
    private final ObjectCreatedNotices notices;

    private LocalStack(DynamoDBProxyServer dynamoDb, URI dynamoDbEndpoint, S3Proxy s3, URI s3Endpoint,
            Path s3Directory, Emulator emulator, ObjectCreatedNotices notices) {
        this.notices = notices;
        this.dynamoDb = dynamoDb;
        this.dynamoDbEndpoint = dynamoDbEndpoint;
        this.s3 = s3;
        this.s3Endpoint = s3Endpoint;
        this.s3Directory = s3Directory;
        this.emulator = emulator;
    }

    /** Starts all three components on free ports with the emulator's defaults. */
    public static LocalStack start() throws Exception {
        return start(0, 0, EmulatorSettings.defaults());
    }

    /** Starts all three components; a port of 0 picks a free one (the emulator's port is in its settings). */
    public static LocalStack start(int dynamoDbPort, int s3Port, EmulatorSettings emulatorSettings) throws Exception {
        int ddbPort = dynamoDbPort == 0 ? freePort() : dynamoDbPort;
        // -disableTelemetry: DynamoDB Local otherwise tries to reach AWS, which this machine cannot.
        DynamoDBProxyServer ddb;
        // DynamoDB Local prints its configuration banner on stdout, which is the commands' output (summaries,
        // normalized operations): send it to stderr while it starts.
        PrintStream stdout = System.out;
        synchronized (LocalStack.class) {
            System.setOut(System.err);
            try {
                ddb = ServerRunner.createServerFromCommandLineArgs(
                        new String[] {"-inMemory", "-disableTelemetry", "-port", Integer.toString(ddbPort)});
                ddb.start();
            } finally {
                System.setOut(stdout);
            }
        }
        Path dir = Files.createTempDirectory("inorder-s3");
        S3Proxy proxy;
        ObjectCreatedNotices notices;
        try {
            Properties props = new Properties();
            props.setProperty("jclouds.filesystem.basedir", dir.toString());
            props.setProperty("jclouds.identity", ACCESS_KEY);
            props.setProperty("jclouds.credential", SECRET_KEY);
            notices = new ObjectCreatedNotices(BlobStores.create("filesystem", props));
            proxy = S3Proxy.builder()
                    .blobStore(notices)
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .endpoint(URI.create("http://127.0.0.1:" + (s3Port == 0 ? freePort() : s3Port)))
                    .ignoreUnknownHeaders(true)
                    .build();
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(10);
            }
        } catch (Exception e) {
            ddb.stop();
            deleteTree(dir);
            throw e;
        }
        Emulator emulator;
        try {
            emulator = Emulator.start(emulatorSettings);
        } catch (Exception e) {
            proxy.stop();
            ddb.stop();
            deleteTree(dir);
            throw e;
        }
        return new LocalStack(ddb, URI.create("http://127.0.0.1:" + ddbPort), proxy,
                URI.create("http://127.0.0.1:" + proxy.getPort()), dir, emulator, notices);
    }

    /** The Write API emulator (its base URL, API key, documents and apply log). */
    public Emulator emulator() {
        return emulator;
    }

    /**
     * Reports every object the local S3 stores from now on (any client, PUT, copy or completed multipart upload), as
     * S3's ObjectCreated events would; null stops it. S3Proxy itself has no event notifications.
     */
    public void onObjectCreated(java.util.function.Consumer<ObjectCreatedNotices.Created> listener) {
        notices.listener(listener);
    }

    public URI dynamoDbEndpoint() {
        return dynamoDbEndpoint;
    }

    public URI s3Endpoint() {
        return s3Endpoint;
    }

    /** A new DynamoDB client for the local endpoint (the caller closes it). */
    public DynamoDbClient dynamoDbClient() {
        return DynamoDbClient.builder().endpointOverride(dynamoDbEndpoint).region(REGION)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** A new S3 client for the local endpoint, path-style (the caller closes it). */
    public S3Client s3Client() {
        return S3Client.builder().endpointOverride(s3Endpoint).region(REGION).forcePathStyle(true)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    @Override
    public void close() throws Exception {
        try {
            emulator.close();
            s3.stop();
        } finally {
            try {
                dynamoDb.stop();
            } finally {
                deleteTree(s3Directory);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
