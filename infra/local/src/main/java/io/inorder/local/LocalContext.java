package io.inorder.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Lambda {@link Context} of one local invocation: a unique request id and a deadline {@code timeout} after the
 * invocation started, so the function's time checks behave as in Lambda.
 */
public final class LocalContext implements Context {

    private final String requestId;
    private final String functionName;
    private final long deadlineNanos;
    private final PrintStream logs;

    public LocalContext(String requestId, String functionName, Duration timeout, PrintStream logs) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.logs = logs;
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + LocalStack.REGION.id() + ":000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                logs.println(message);
            }

            @Override
            public void log(byte[] message) {
                logs.println(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
