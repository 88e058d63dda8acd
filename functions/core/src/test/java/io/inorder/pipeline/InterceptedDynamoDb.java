package io.inorder.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
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
 * It also counts the calls by operation, as the bench's DynamoDB-calls section does (one per call, not per attempt).
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
    private volatile Consumer<UpdateItemRequest> beforeUpdate = request -> { };
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

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

    /** Runs {@code hook} before every UpdateItem reaches DynamoDB (on the calling thread), until replaced. */
    void beforeEveryUpdate(Consumer<UpdateItemRequest> hook) {
        beforeUpdate = hook;
    }

    /** The calls made so far, by operation name ({@code UpdateItem}, {@code GetItem}, ...), sorted. */
    Map<String, Long> calls() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((op, n) -> out.put(op, n.sum()));
        return out;
    }

    long callCount() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    void clearCalls() {
        calls.clear();
    }

    private void count(String operation) {
        calls.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        count("UpdateItem");
        beforeUpdate.accept(request);
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
        count("GetItem");
        return real.getItem(request);
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        count("PutItem");
        return real.putItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        count("Query");
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
