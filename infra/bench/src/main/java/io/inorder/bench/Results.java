package io.inorder.bench;

import java.time.Instant;
import java.util.List;

/**
 * Everything one {@code inorder bench} run measured, section by section. A section that could not run carries its
 * failure instead of figures, so the report still shows the others.
 */
record Results(Instant date, String machine, String note, boolean quick, double minutes,
               Section<List<NormalizeThroughput.Score>> normalize,
               Section<List<RequestEfficiency.Figures>> requests,
               Section<List<EndToEnd.Figures>> endToEnd,
               Section<MemoryBound.Figures> memory,
               Section<ColdStart.Figures> coldStart,
               Section<List<DynamoDbRequests.Figures>> dynamoDb,
               Section<ServiceLatency.Figures> latency) {

    /** A section's figures, or why there are none. */
    record Section<T>(T figures, String failure) {

        static <T> Section<T> of(T figures) {
            return new Section<>(figures, null);
        }

        static <T> Section<T> failed(Exception e) {
            return new Section<>(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }

        boolean ok() {
            return failure == null;
        }
    }
}
