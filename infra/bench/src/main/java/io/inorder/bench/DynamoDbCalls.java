package io.inorder.bench;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the DynamoDB API calls made through the client it is installed on, by operation (one per call, however many
 * attempts the SDK's retries make). Thread-safe.
 */
final class DynamoDbCalls implements ExecutionInterceptor {

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        calls.computeIfAbsent(operation == null ? "?" : operation, k -> new LongAdder()).increment();
    }

    /** Calls so far, by operation name, sorted. */
    Map<String, Long> byOperation() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((op, n) -> out.put(op, n.sum()));
        return out;
    }

    long total() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    void clear() {
        calls.clear();
    }
}
