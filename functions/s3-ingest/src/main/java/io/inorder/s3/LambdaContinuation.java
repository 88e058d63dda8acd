package io.inorder.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.ledger.Arrival;
import io.inorder.observe.Log;
import io.inorder.pipeline.Continuation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Continues a stream in a new invocation when time runs low: invokes this function asynchronously with a synthetic
 * S3 notification for the stream's next file. To the handler that is an ordinary redelivery (recorded as a duplicate,
 * then drained), so the continuation needs no event type of its own and is as safe as any duplicate. When Lambda
 * refuses the invocation the stream is not lost: its arrivals stay recorded and the reconciler re-drives it.
 */
final class LambdaContinuation implements Continuation {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LambdaClient lambda;
    private final String functionName;
    private final String region;
    private final Function<String, Optional<Arrival>> nextArrival;
    private final Log log;

    /**
     * @param nextArrival the arrival of a stream's next file to apply ({@code nextSeq}), if recorded
     */
    LambdaContinuation(LambdaClient lambda, String functionName, String region,
            Function<String, Optional<Arrival>> nextArrival, Log log) {
        this.lambda = lambda;
        this.functionName = functionName;
        this.region = region;
        this.nextArrival = nextArrival;
        this.log = log;
    }

    @Override
    public void continueDraining(String stream) {
        Optional<Arrival> next = nextArrival.apply(stream);
        if (next.isEmpty()) {
            log.info("no continuation needed: the stream's next file has not arrived", "stream", stream);
            return;
        }
        String payload = event(next.get());
        try {
            InvokeResponse response = lambda.invoke(r -> r.functionName(functionName)
                    .invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String(payload)));
            log.info("continuation invoked", "stream", stream, "seq", next.get().seq(), "status",
                    response.statusCode());
        } catch (RuntimeException e) {
            log.error("continuation could not be invoked; the reconciler will re-drive the stream", "stream", stream,
                    "error", e.toString());
        }
    }

    /** An S3 ObjectCreated notification for the arrival, in the shape S3 sends (key form-encoded as S3 does). */
    String event(Arrival arrival) {
        String bucket = arrival.stream().substring(0, arrival.stream().indexOf('/'));
        ObjectNode record = JSON.createObjectNode();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", region);
        record.put("eventTime", Instant.now().toString());
        record.put("eventName", "ObjectCreated:Put");
        record.putObject("userIdentity").put("principalId", "inorder:continuation");
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        record.putObject("responseElements");
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "inorder-continuation");
        ObjectNode b = s3.putObject("bucket");
        b.put("name", bucket);
        b.putObject("ownerIdentity").put("principalId", "inorder");
        b.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode o = s3.putObject("object");
        o.put("key", URLEncoder.encode(arrival.key(), StandardCharsets.UTF_8).replace("%2F", "/"));
        o.put("size", arrival.size());
        o.put("eTag", arrival.eTag());
        o.put("sequencer", "0");
        ObjectNode event = JSON.createObjectNode();
        event.putArray("Records").add(record);
        return event.toString();
    }
}
