package io.inorder.local;

import java.io.InputStream;
import java.util.function.Consumer;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * S3's {@code ObjectCreated} events for the local S3, which S3Proxy does not have: its storage is wrapped so that
 * every object it stores, whatever the client (the AWS CLI, an SDK, Arcion) and however (a PUT, a copy, the completion
 * of a multipart upload), is reported once it is stored, with the eTag and size S3 would put in the notification.
 * S3 names these events {@code ObjectCreated:Put}, {@code :Copy} and {@code :CompleteMultipartUpload}.
 */
public final class ObjectCreatedNotices extends ForwardingBlobStore {

    /** An object S3 just stored. */
    public record Created(String bucket, String key, String eTag, long size, String eventName) { }

    private volatile Consumer<Created> listener;

    ObjectCreatedNotices(BlobStore storage) {
        super(storage);
    }

    /** Where notices go from now on (null: nowhere, the default). */
    void listener(Consumer<Created> listener) {
        this.listener = listener;
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream body) {
        PutObjectResponse r = super.putBlob(request, body);
        created(request.bucket(), request.key(), "ObjectCreated:Put");
        return r;
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        CopyObjectResponse r = super.copyBlob(request);
        created(request.destinationBucket(), request.destinationKey(), "ObjectCreated:Copy");
        return r;
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
            CompleteMultipartUploadRequest request) {
        CompleteMultipartUploadResponse r = super.completeMultipartUpload(upload, request);
        created(upload.containerName(), upload.blobName(), "ObjectCreated:CompleteMultipartUpload");
        return r;
    }

    private void created(String bucket, String key, String eventName) {
        Consumer<Created> to = listener;
        if (to == null) {
            return;
        }
        HeadObjectResponse head = delegate().blobMetadata(bucket, key);
        String eTag = head.eTag();
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            eTag = eTag.substring(1, eTag.length() - 1);
        }
        to.accept(new Created(bucket, key, eTag, head.contentLength() == null ? 0 : head.contentLength(),
                eventName));
    }
}
