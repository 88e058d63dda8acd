package io.inorder.bench;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import io.inorder.local.LocalS3Function;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

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

    private S3Events() {
    }

    /** Puts {@code body} into the local S3 as {@code bucket/key}. */
    static StoredObject upload(S3Client s3, String bucket, String key, RequestBody body) {
        PutObjectResponse r = s3.putObject(p -> p.bucket(bucket).key(key), body);
        long size = s3.headObject(h -> h.bucket(bucket).key(key)).contentLength();
        String eTag = r.eTag().replace("\"", "");
        return new StoredObject(bucket, key, eTag, size);
    }

    /** One event with an {@code ObjectCreated:Put} record per object, in the shape the local stack delivers. */
    static S3Event put(List<StoredObject> objects) {
        return LocalS3Function.s3Event(objects.stream()
                .map(o -> new LocalS3Function.Uploaded(o.bucket(), o.key(), o.eTag(), o.size())).toList(),
                System.nanoTime());
    }
}
