package io.inorder.s3;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.inorder.observe.Log;
import io.inorder.pipeline.Reconciler;
import io.inorder.writeapi.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduled reconciler: a thin adapter that sweeps every S3 stream once per schedule tick ({@link Reconciler}:
 * re-drive stalled streams, record arrivals whose notification was lost, publish gap age) and returns a one-line
 * tally. It stops {@value #MARGIN_SECONDS} s before its deadline; the next tick goes on.
 */
public final class ReconcilerHandler implements RequestHandler<ScheduledEvent, String> {

    static final int MARGIN_SECONDS = 10;

    private final Reconciler reconciler;
    private final Log log;
    private final Clock clock;

    /** The Lambda runtime's constructor: configuration and clients from the environment (fails naming a variable). */
    public ReconcilerHandler() {
        this(ReconcilerFunction.fromEnvironment(System.getenv()));
    }

    ReconcilerHandler(ReconcilerFunction function) {
        this(function.reconciler(), function.log(), function.clock());
    }

    /** For tests and the local stack: a reconciler built over local components. */
    public ReconcilerHandler(Reconciler reconciler, Log log, Clock clock) {
        this.reconciler = reconciler;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        log.invocation(context.getAwsRequestId());
        Duration remaining = Duration.ofMillis(context.getRemainingTimeInMillis())
                .minusSeconds(MARGIN_SECONDS);
        List<Reconciler.StreamReport> reports = reconciler.sweep(Deadline.after(clock,
                remaining.isNegative() ? Duration.ZERO : remaining));
        return tally(reports);
    }

    static String tally(List<Reconciler.StreamReport> reports) {
        Map<Reconciler.Finding, Integer> counts = new EnumMap<>(Reconciler.Finding.class);
        for (Reconciler.Finding f : Reconciler.Finding.values()) {
            counts.put(f, 0);
        }
        reports.forEach(r -> counts.merge(r.finding(), 1, Integer::sum));
        StringBuilder out = new StringBuilder("streams=").append(reports.size());
        counts.forEach((f, n) -> out.append(' ').append(f.name().toLowerCase(java.util.Locale.ROOT)).append('=')
                .append(n));
        return out.toString();
    }
}
