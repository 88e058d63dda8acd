package io.inorder.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import io.inorder.observe.Log;
import io.inorder.pipeline.S3Ingest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handler's adapter work on the sample events, loaded the way the Lambda runtime loads them. */
class S3IngestHandlerTest {

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final S3IngestHandler handler = new S3IngestHandler(null,
            new Log("test", Log.Level.INFO, new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.systemUTC()));

    @Test
    void urlEncodedKeysAreDecodedAndSizesOverTwoGibibytesStayExact() {
        S3Event event = EventLoader.loadS3Event("../../events/s3-put-encoded-key.json");

        List<S3Ingest.Notification> n = handler.notifications(event);

        assertThat(n).singleElement().satisfies(x -> {
            assertThat(x.bucket()).isEqualTo("inorder-landing");
            assertThat(x.key()).isEqualTo("cdc/tenant=acme/shop orders_12.json");
            assertThat(x.size()).isEqualTo(3_000_000_000L);
            assertThat(x.eTag()).isEqualTo("9b2cf535f27731c974343645a3985328");
            assertThat(x.eventTime()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
        });
    }

    @Test
    void multiRecordEventsKeepTheirRecordOrder() {
        S3Event event = EventLoader.loadS3Event("../../events/s3-put-multi.json");

        assertThat(handler.notifications(event)).extracting(S3Ingest.Notification::key)
                .containsExactly("cdc/shop.orders_3.json", "cdc/shop.orders_1.json", "cdc/shop.order_items_1.csv");
    }

    @Test
    void eventsOtherThanObjectCreatedAreSkippedWithALogLine() {
        S3Event event = EventLoader.loadS3Event("../../events/s3-put.json");
        event.getRecords().set(0, withName(event.getRecords().get(0), "ObjectRemoved:Delete"));

        assertThat(handler.notifications(event)).isEmpty();
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("only ObjectCreated events carry files");
    }

    @Test
    void emptyEventsYieldNoNotifications() {
        assertThat(handler.notifications(new S3Event(null))).isEmpty();
        assertThat(handler.notifications(null)).isEmpty();
    }

    private static com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord
            withName(com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification
                    .S3EventNotificationRecord r, String name) {
        return new com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification
                .S3EventNotificationRecord(r.getAwsRegion(), name, r.getEventSource(), r.getEventTime().toString(),
                r.getEventVersion(), r.getRequestParameters(), r.getResponseElements(), r.getS3(),
                r.getUserIdentity());
    }
}
