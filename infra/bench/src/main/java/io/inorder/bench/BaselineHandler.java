package io.inorder.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.inorder.pipeline.AwsClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The cold-start floor: a Lambda handler with the S3 function's dependencies and nothing of its logic. Its
 * constructor builds the same SDK clients the functions build ({@link AwsClients}: the default credentials chain,
 * the URL-connection HTTP client) and a {@code java.net.http} client as the Write API client does; one invocation
 * makes one DynamoDB {@code GetItem}, one S3 {@code GetObject} and one HTTPS POST. The benchmark runs it from the S3
 * function's own deployment jar (this class laid over it) in the same local Lambda runtime, so the two differ only in
 * what the function does beyond those three calls.
 *
 * <p>Event: {@code {"table": ..., "bucket": ..., "key": ..., "url": ..., "apiKey": ..., "body": ...}}.
 */
public final class BaselineHandler implements RequestHandler<Map<String, String>, String> {

    private final DynamoDbClient dynamoDb;
    private final S3Client s3;
    private final HttpClient http;

    public BaselineHandler() {
        AwsClients aws = AwsClients.fromEnvironment(System.getenv());
        this.dynamoDb = aws.dynamoDb();
        this.s3 = aws.s3();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String handleRequest(Map<String, String> event, Context context) {
        dynamoDb.getItem(g -> g.tableName(event.get("table")).key(Map.of(
                "pk", AttributeValue.fromS("BASELINE"), "sk", AttributeValue.fromS("CURSOR"))));
        long bytes;
        try (ResponseInputStream<GetObjectResponse> object = s3.getObject(g -> g.bucket(event.get("bucket"))
                .key(event.get("key")))) {
            bytes = drain(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpResponse<String> posted;
        try {
            posted = http.send(HttpRequest.newBuilder(URI.create(event.get("url")))
                    .header("Authorization", "ApiKey " + event.get("apiKey"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(event.get("body"))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (posted.statusCode() != 200) {
            throw new IllegalStateException("the POST answered " + posted.statusCode() + ": " + posted.body());
        }
        return "read " + bytes + " bytes, posted " + posted.statusCode();
    }

    private static long drain(InputStream in) throws IOException {
        long n = 0;
        byte[] buffer = new byte[8192];
        for (int r = in.read(buffer); r >= 0; r = in.read(buffer)) {
            n += r;
        }
        return n;
    }
}
