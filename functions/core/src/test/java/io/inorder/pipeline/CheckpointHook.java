package io.inorder.pipeline;

import java.util.concurrent.atomic.AtomicInteger;

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
 * The real DynamoDB Local client with two hooks: an action run right after the ledger stored the Nth in-file
 * checkpoint, i.e. between two acknowledged windows, and one run just before a lease release. Lets a test change the
 * world (move time, break the Write API, deliver another notification) at an exact point of a real ingest.
 */
final class CheckpointHook implements DynamoDbClient {

    private final DynamoDbClient real;
    private final AtomicInteger checkpoints = new AtomicInteger();
    private volatile int trigger = -1;
    private volatile Runnable action;
    private volatile Runnable beforeRelease;

    CheckpointHook(DynamoDbClient real) {
        this.real = real;
    }

    /** Runs {@code then} once, after checkpoint number {@code n} (counting from 1, from now on). */
    void afterCheckpoint(int n, Runnable then) {
        checkpoints.set(0);
        trigger = n;
        action = then;
    }

    /** Runs {@code then} once, just before the next lease release reaches DynamoDB (the lease still held). */
    void beforeNextRelease(Runnable then) {
        beforeRelease = then;
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        Runnable release = beforeRelease;
        if (release != null && request.updateExpression().startsWith("REMOVE leaseOwner")) {
            beforeRelease = null;
            release.run();
        }
        UpdateItemResponse response = real.updateItem(request);
        if (request.updateExpression().startsWith("SET inFileRecord = :record")
                && checkpoints.incrementAndGet() == trigger) {
            Runnable run = action;
            action = null;
            if (run != null) {
                run.run();
            }
        }
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
