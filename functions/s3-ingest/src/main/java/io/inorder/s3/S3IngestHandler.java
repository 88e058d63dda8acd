package io.inorder.s3;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import io.inorder.observe.Log;
import io.inorder.pipeline.DrainSummary;
import io.inorder.pipeline.S3Ingest;
import io.inorder.pipeline.SnapStartPriming;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;

/**
 * The S3-event Lambda: a thin adapter. It turns the event's records into notifications (keys URL-decoded, sizes as
 * longs), hands them to {@link S3Ingest}, which applies Arcion files strictly in suffix order per stream, and returns
 * a one-line summary. Everything is built once per container by the no-argument constructor.
 */
public final class S3IngestHandler implements RequestHandler<S3Event, String> {

    private final S3Ingest ingest;
    private final Log log;
    /** Held here because the CRaC context keeps its resources only weakly. */
    private final SnapStartPriming priming;

    /**
     * The Lambda runtime's constructor: configuration and clients from the environment (fails naming a variable);
     * registers the SnapStart priming.
     */
    public S3IngestHandler() {
        this(S3Function.fromEnvironment(System.getenv()));
        Core.getGlobalContext().register(priming);
    }

    S3IngestHandler(S3Function function) {
        this(function.ingest(), function.log(), function.priming());
    }

    /** For tests and the local stack: the ingest built over local components. */
    public S3IngestHandler(S3Ingest ingest, Log log) {
        this(ingest, log, null);
    }

    private S3IngestHandler(S3Ingest ingest, Log log, SnapStartPriming priming) {
        this.ingest = ingest;
        this.log = log;
        this.priming = priming;
    }

    @Override
    public String handleRequest(S3Event event, Context context) {
        log.invocation(context.getAwsRequestId());
        List<S3Ingest.Notification> notifications = notifications(event);
        List<DrainSummary> summaries = ingest.handle(notifications, context.getAwsRequestId(),
                Duration.ofMillis(context.getRemainingTimeInMillis()));
        int applied = summaries.stream().mapToInt(DrainSummary::filesApplied).sum();
        long waiting = summaries.stream().filter(DrainSummary::hasGap).map(DrainSummary::stream).distinct().count();
        return "notifications=" + notifications.size() + " filesApplied=" + applied + " streamsWaitingOnGap="
                + waiting;
    }

    /** The object-created records of an event; other event types (removals, restores) are logged and skipped. */
    List<S3Ingest.Notification> notifications(S3Event event) {
        List<S3Ingest.Notification> out = new ArrayList<>();
        if (event == null || event.getRecords() == null) {
            return out;
        }
        for (S3EventNotificationRecord r : event.getRecords()) {
            String name = r.getEventName() == null ? "" : r.getEventName();
            if (!name.startsWith("ObjectCreated")) {
                log.info("event skipped: only ObjectCreated events carry files", "eventName", name);
                continue;
            }
            var object = r.getS3().getObject();
            Instant time = r.getEventTime() == null ? Instant.now()
                    : Instant.ofEpochMilli(r.getEventTime().getMillis());
            Long size = object.getSizeAsLong();
            out.add(new S3Ingest.Notification(r.getS3().getBucket().getName(), object.getUrlDecodedKey(),
                    object.geteTag(), size == null ? 0 : size, time));
        }
        return out;
    }
}
