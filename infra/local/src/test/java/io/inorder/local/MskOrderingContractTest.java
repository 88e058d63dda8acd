package io.inorder.local;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import io.inorder.pipeline.IngestConfig;
import io.inorder.pipeline.KafkaIngest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The ordering contract over the MSK path: each unit is a batch of the next offsets of one partition. */
class MskOrderingContractTest extends OrderingContractTest {

    private static final String TOPIC = "shop_orders_cdc_logs";

    private LocalMskFunction function;
    private long nextOffset;
    private KafkaEvent last;

    @Override
    protected void preparePath() {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        function = new LocalMskFunction(stack, NativeChanges.TABLE_CONFIG, Map.of(
                IngestConfig.STATE_TABLE.name(), "state-" + run,
                IngestConfig.QUARANTINE_BUCKET.name(), "quarantine-" + run), KafkaIngest.DEFAULT_PARALLELISM,
                quiet, quiet);
        // The contract is about the change topic: the table's snapshot is taken as applied and declared complete.
        function.completeSnapshot("shop.orders");
        nextOffset = 1000;
    }

    @Override
    protected void deliver(List<String> changes) {
        last = new KafkaBatch().addAll(TOPIC, 0, nextOffset, changes).build();
        nextOffset += changes.size();
        function.invoke(last);
    }

    @Override
    protected void redeliverLast() {
        function.invoke(last);
    }

    @Override
    protected int quarantined() throws Exception {
        return function.quarantined().size();
    }

    @Override
    protected void closePath() {
        function.close();
    }
}
