package io.inorder.local;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One run of an operations command ({@code status}, {@code skip}, {@code snapshot}, …) against a local stack. */
record OperatorRun(int code, String out, String err) {

    /** Runs {@code args} with {@code --local} and the stack's endpoints, as an operator would against a stack. */
    static OperatorRun on(LocalStack stack, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--local", "--dynamodb-endpoint", stack.dynamoDbEndpoint().toString(), "--s3-endpoint",
                stack.s3Endpoint().toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new OperatorRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
