package io.inorder.msk;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.KafkaEvent.KafkaEventRecord;
import io.inorder.observe.Log;
import io.inorder.pipeline.KafkaIngest;
import io.inorder.pipeline.SnapStartPriming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;

/**
 * The MSK-event Lambda: a thin adapter. It turns the event's records into messages (topic and partition taken from
 * each record, never parsed from the map key, since topics may contain '-'; key and value left as base64 until their
 * turn), hands them to {@link KafkaIngest}, which applies each partition strictly in offset order, and maps the
 * outcome: success → an empty {@link KafkaBatchResponse}; partitions stopped on a transient failure → with
 * {@code REPORT_BATCH_ITEM_FAILURES=true} their first unwritten offsets as batch item failures, otherwise an exception
 * so the event source retries the whole batch (the partition cursors make that replay idempotent).
 */
public final class MskIngestHandler implements RequestHandler<KafkaEvent, KafkaBatchResponse> {

    private final KafkaIngest ingest;
    private final boolean reportBatchItemFailures;
    private final Log log;
    /** Held here because the CRaC context keeps its resources only weakly. */
    private final SnapStartPriming priming;

    /**
     * The Lambda runtime's constructor: configuration and clients from the environment (fails naming a variable);
     * registers the SnapStart priming.
     */
    public MskIngestHandler() {
        this(MskFunction.fromEnvironment(System.getenv()));
        Core.getGlobalContext().register(priming);
    }

    MskIngestHandler(MskFunction function) {
        this(function.ingest(), function.reportBatchItemFailures(), function.log(), function.priming());
    }

    /** For tests and the local stack: the ingest built over local components. */
    public MskIngestHandler(KafkaIngest ingest, boolean reportBatchItemFailures, Log log) {
        this(ingest, reportBatchItemFailures, log, null);
    }

    private MskIngestHandler(KafkaIngest ingest, boolean reportBatchItemFailures, Log log, SnapStartPriming priming) {
        this.ingest = ingest;
        this.reportBatchItemFailures = reportBatchItemFailures;
        this.log = log;
        this.priming = priming;
    }

    @Override
    public KafkaBatchResponse handleRequest(KafkaEvent event, Context context) {
        log.invocation(context.getAwsRequestId());
        List<KafkaIngest.Message> messages = messages(event);
        KafkaIngest.Outcome outcome = ingest.handle(messages, Duration.ofMillis(context.getRemainingTimeInMillis()));
        log.info("batch handled", "records", messages.size(), "partitions", outcome.partitions(),
                "skippedBelowCursor", outcome.skippedBelowCursor(), "ignored", outcome.ignored(),
                "partitionsUnwritten", outcome.unwritten().size());
        return response(outcome);
    }

    /** Success, the partial-batch failures, or (without that mode) the exception that makes Lambda retry. */
    KafkaBatchResponse response(KafkaIngest.Outcome outcome) {
        if (outcome.unwritten().isEmpty()) {
            return KafkaBatchResponse.success();
        }
        if (!reportBatchItemFailures) {
            throw new KafkaIngest.PartitionsUnwrittenException(outcome.unwritten());
        }
        List<KafkaBatchResponse.ItemFailure> failures = new ArrayList<>();
        for (KafkaIngest.Resume r : outcome.unwritten()) {
            failures.add(new KafkaBatchResponse.ItemFailure(r.partitionKey(), r.offset()));
        }
        return new KafkaBatchResponse(failures);
    }

    /** Every record of the event, partition by partition in the event's order; headers are not needed and ignored. */
    static List<KafkaIngest.Message> messages(KafkaEvent event) {
        List<KafkaIngest.Message> out = new ArrayList<>();
        if (event == null || event.getRecords() == null) {
            return out;
        }
        for (List<KafkaEventRecord> records : event.getRecords().values()) {
            if (records == null) {
                continue;
            }
            for (KafkaEventRecord r : records) {
                out.add(new KafkaIngest.Message(r.getTopic(), r.getPartition(), r.getOffset(), r.getTimestamp(),
                        r.getKey(), r.getValue()));
            }
        }
        return out;
    }
}
