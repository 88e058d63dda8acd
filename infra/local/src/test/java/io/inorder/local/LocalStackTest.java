package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;

class LocalStackTest {

    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    @Test
    void s3ProxyStoresAndReturnsObjectsWithUrlUnsafeKeys() {
        try (S3Client s3 = stack.s3Client()) {
            s3.createBucket(b -> b.bucket("landing"));
            s3.putObject(p -> p.bucket("landing").key("cdc/part one=1_0007.json"), RequestBody.fromString("{}"));

            String body = s3.getObject(g -> g.bucket("landing").key("cdc/part one=1_0007.json"),
                    ResponseTransformer.toBytes()).asUtf8String();
            assertThat(body).isEqualTo("{}");
        }
    }

    @Test
    void emulatorServesTheWriteApiOverItsPort() throws Exception {
        stack.emulator().createCollection("commons", "orders");
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(stack.emulator().baseUrl()
                        .resolve("/v1/orgs/self/ws/commons/collections/orders/docs"))
                        .header("Authorization", "ApiKey " + stack.emulator().apiKey())
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"data\":[{\"_id\":\"1\"}]}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        stack.emulator().awaitApplied(java.time.Duration.ofSeconds(5));
        assertThat(stack.emulator().documents("commons", "orders")).containsKey("1");
    }

    @Test
    void dynamoDbLocalServesTablesOverItsPort() {
        try (DynamoDbClient ddb = stack.dynamoDbClient()) {
            ddb.createTable(t -> t.tableName("probe").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
            ddb.putItem(p -> p.tableName("probe").item(Map.of("pk", AttributeValue.fromS("a"))));

            assertThat(ddb.getItem(g -> g.tableName("probe").key(Map.of("pk", AttributeValue.fromS("a")))).item())
                    .containsEntry("pk", AttributeValue.fromS("a"));
        }
    }
}
