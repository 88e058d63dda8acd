package io.inorder.pipeline;

import java.util.concurrent.atomic.AtomicInteger;
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
 * The real DynamoDB Local client with hooks at the exact points of the ordering protocol a test needs to reach: right
 * after the ledger stored the Nth in-file checkpoint (between two acknowledged windows), and around a lease release
 * (to pin down the release-then-recheck race, or to drop the release as when the process dies first). Lets a test
 * change the world — move time, break the Write API, deliver another notification — at that point of a real ingest.
 */
final class InterceptedDynamoDb implements DynamoDbClient {

    private static final String RELEASE = "REMOVE leaseOwner";
    private static final String CHECKPOINT = "SET inFileRecord = :record";

    private final DynamoDbClient real;
    private final AtomicInteger checkpoints = new AtomicInteger();
    private volatile int trigger = -1;
    private volatile Runnable afterCheckpoint;
    private volatile Consumer<Boolean> onRelease;
    private volatile boolean dropNextRelease;

    InterceptedDynamoDb(DynamoDbClient real) {
        this.real = real;
    }

    /** Runs {@code then} once, after checkpoint number {@code n} (counting from 1, from now on). */
    void afterCheckpoint(int n, Runnable then) {
        checkpoints.set(0);
        trigger = n;
        afterCheckpoint = then;
    }

    /** Runs {@code hook} once, with false just before the next release and true just after it. */
    void aroundNextRelease(Consumer<Boolean> hook) {
        this.onRelease = hook;
    }

    /** Runs {@code then} once, just before the next lease release reaches DynamoDB (the lease still held). */
    void beforeNextRelease(Runnable then) {
        aroundNextRelease(released -> {
            if (!released) {
                then.run();
            }
        });
    }

    /** The next release never reaches DynamoDB, as when the process dies first: the lease stays until it expires. */
    void dropNextRelease() {
        dropNextRelease = true;
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        if (request.updateExpression().startsWith(RELEASE)) {
            return release(request);
        }
        UpdateItemResponse response = real.updateItem(request);
        if (request.updateExpression().startsWith(CHECKPOINT) && checkpoints.incrementAndGet() == trigger) {
            Runnable run = afterCheckpoint;
            afterCheckpoint = null;
            if (run != null) {
                run.run();
            }
        }
        return response;
    }

    private UpdateItemResponse release(UpdateItemRequest request) {
        if (dropNextRelease) {
            dropNextRelease = false;
            throw new IllegalStateException("process died before releasing the lease");
        }
        Consumer<Boolean> hook = onRelease;
        if (hook == null) {
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
