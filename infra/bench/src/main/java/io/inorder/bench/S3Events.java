package io.inorder.bench;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * S3 ObjectCreated events as S3 sends them, deserialized with the Lambda runtime's own serializer, so the handler sees
 * exactly what Lambda would hand it.
 */
final class S3Events {

    /** An object in the local S3, with the eTag and size S3 reported. */
    record StoredObject(String bucket, String key, String eTag, long size) {

        /** Command-line form for a forked JVM: bucket, key, eTag, size. */
        List<String> arguments() {
            return List.of(bucket, key, eTag, Long.toString(size));
        }

        static StoredObject fromArguments(List<String> args) {
            return new StoredObject(args.get(0), args.get(1), args.get(2), Long.parseLong(args.get(3)));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private S3Events() {
    }

    /** Puts {@code body} into the local S3 as {@code bucket/key}. */
    static StoredObject upload(S3Client s3, String bucket, String key, RequestBody body) {
        PutObjectResponse r = s3.putObject(p -> p.bucket(bucket).key(key), body);
        long size = s3.headObject(h -> h.bucket(bucket).key(key)).contentLength();
        String eTag = r.eTag().replace("\"", "");
        return new StoredObject(bucket, key, eTag, size);
    }

    /** One event with an {@code ObjectCreated:Put} record per object. */
    static S3Event put(List<StoredObject> objects) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        long sequencer = System.nanoTime();
        for (StoredObject o : objects) {
            ObjectNode r = records.addObject();
            r.put("eventVersion", "2.1");
            r.put("eventSource", "aws:s3");
            r.put("awsRegion", "us-east-1");
            r.put("eventTime", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
            r.put("eventName", "ObjectCreated:Put");
            ObjectNode s3 = r.putObject("s3");
            s3.put("s3SchemaVersion", "1.0");
            s3.put("configurationId", "inorder-bench");
            ObjectNode bucket = s3.putObject("bucket");
            bucket.put("name", o.bucket());
            bucket.put("arn", "arn:aws:s3:::" + o.bucket());
            ObjectNode object = s3.putObject("object");
            object.put("key", URLEncoder.encode(o.key(), StandardCharsets.UTF_8).replace("%2F", "/"));
            object.put("size", o.size());
            object.put("eTag", o.eTag());
            object.put("sequencer", String.format("%018X", sequencer++));
        }
        PojoSerializer<S3Event> serializer =
                LambdaEventSerializers.serializerFor(S3Event.class, S3Events.class.getClassLoader());
        return serializer.fromJson(event.toString());
    }
}
