package io.inorder.pipeline;

import java.util.function.Consumer;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The real DynamoDB Local client with a hook around lease releases, to pin down the release-then-recheck race:
 * the test decides what another invocation does just before or just after the holder's release reaches DynamoDB.
 */
final class InterceptedDynamoDb implements DynamoDbClient {

    private final DynamoDbClient real;
    private volatile Consumer<Boolean> onRelease;
    private volatile boolean dropNextRelease;

    InterceptedDynamoDb(DynamoDbClient real) {
        this.real = real;
    }

    /** Runs {@code hook} once, with false just before the next release and true just after it. */
    void aroundNextRelease(Consumer<Boolean> hook) {
        this.onRelease = hook;
    }

    /** The next release never reaches DynamoDB, as when the process dies first: the lease stays until it expires. */
    void dropNextRelease() {
        dropNextRelease = true;
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        boolean isRelease = request.updateExpression().startsWith("REMOVE leaseOwner");
        if (isRelease && dropNextRelease) {
            dropNextRelease = false;
            throw new IllegalStateException("process died before releasing the lease");
        }
        Consumer<Boolean> hook = onRelease;
        boolean release = hook != null && isRelease;
        if (!release) {
            return real.updateItem(request);
        }
        onRelease = null;
        hook.accept(false);
        UpdateItemResponse response = real.updateItem(request);
        hook.accept(true);
        return response;
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return real.getItem(request);
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        return real.putItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        return real.query(request);
    }

    @Override
    public String serviceName() {
        return real.serviceName();
    }

    @Override
    public void close() {
        // The shared DynamoDB Local client outlives this wrapper.
    }
}
