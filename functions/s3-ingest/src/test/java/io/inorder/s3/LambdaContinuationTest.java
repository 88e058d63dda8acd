package io.inorder.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.sun.net.httpserver.HttpServer;
import io.inorder.ledger.Arrival;
import io.inorder.observe.Log;
import io.inorder.pipeline.S3Ingest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The continuation over real HTTP: the Lambda SDK client (pinned at an older version than the rest of the SDK, see
 * the parent POM) against a local server speaking Lambda's Invoke API.
 */
class LambdaContinuationTest {

    private record Received(String path, String invocationType, byte[] body) { }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final Log log = new Log("test", Log.Level.INFO, new PrintStream(logs, true, StandardCharsets.UTF_8),
            Clock.systemUTC());
    private HttpServer server;
    private LambdaClient lambda;
    private int status = 202;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        lambda = LambdaClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s"))).build();
    }

    @AfterEach
    void stop() {
        lambda.close();
        server.stop(0);
    }

    @Test
    void invokesThisFunctionVersionAsynchronouslyWithAnS3NotificationForTheNextFile() throws Exception {
        Arrival next = new Arrival("landing/cdc/tenant=acme/shop orders", 12, "cdc/tenant=acme/shop orders_12.json",
                "9b2cf535f27731c974343645a3985328", 3_000_000_000L, Instant.parse("2026-11-23T10:00:00Z"), 0);
        LambdaContinuation continuation = new LambdaContinuation(lambda, "inorder-s3:7", "us-east-1",
                stream -> Optional.of(next), log);

        continuation.continueDraining("landing/cdc/tenant=acme/shop orders");

        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/2015-03-31/functions/inorder-s3%3A7/invocations");
            assertThat(r.invocationType()).isEqualTo("Event");
        });
        PojoSerializer<S3Event> runtime = LambdaEventSerializers.serializerFor(S3Event.class,
                getClass().getClassLoader());
        S3Event event = runtime.fromJson(new ByteArrayInputStream(received.get(0).body()));
        List<S3Ingest.Notification> notifications = new S3IngestHandler(null, log).notifications(event);
        assertThat(notifications).singleElement().satisfies(n -> {
            assertThat(n.bucket()).isEqualTo("landing");
            assertThat(n.key()).isEqualTo("cdc/tenant=acme/shop orders_12.json");
            assertThat(n.eTag()).isEqualTo(next.eTag());
            assertThat(n.size()).isEqualTo(3_000_000_000L);
        });
    }

    @Test
    void nothingIsInvokedWhenTheNextFileHasNotArrived() {
        new LambdaContinuation(lambda, "inorder-s3", "us-east-1", stream -> Optional.empty(), log)
                .continueDraining("landing/cdc/orders");

        assertThat(received).isEmpty();
    }

    @Test
    void aRefusedInvocationIsLoggedForTheReconcilerInsteadOfFailingTheDrain() {
        status = 429;
        Arrival next = new Arrival("landing/cdc/orders", 2, "cdc/orders_2.json", "e", 10, Instant.now(), 0);

        new LambdaContinuation(lambda, "inorder-s3", "us-east-1", stream -> Optional.of(next), log)
                .continueDraining("landing/cdc/orders");

        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("the reconciler will re-drive the stream");
    }

    @Test
    void qualifiedNameRunsThePublishedVersionAndOmitsLatest() {
        assertThat(S3Function.qualifiedName(Map.of("AWS_LAMBDA_FUNCTION_NAME", "f", "AWS_LAMBDA_FUNCTION_VERSION", "7")))
                .isEqualTo("f:7");
        assertThat(S3Function.qualifiedName(Map.of("AWS_LAMBDA_FUNCTION_NAME", "f",
                "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"))).isEqualTo("f");
    }
}
