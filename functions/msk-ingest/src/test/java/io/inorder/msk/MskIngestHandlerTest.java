package io.inorder.msk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.observe.Log;
import io.inorder.pipeline.KafkaIngest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handler's adapter work on the sample events, loaded the way the Lambda runtime loads them. */
class MskIngestHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Log log = new Log("test", Log.Level.INFO,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Clock.systemUTC());

    @Test
    void topicAndPartitionComeFromEachRecordEvenWhenTheTopicContainsDashes() {
        KafkaEvent event = EventLoader.loadKafkaEvent("../../events/msk-multi-partition.json");

        List<KafkaIngest.Message> messages = MskIngestHandler.messages(event);

        assertThat(messages).hasSize(8);
        assertThat(messages).filteredOn(m -> m.topic().equals("arcion-prod.shop-payments"))
                .extracting(KafkaIngest.Message::partition, KafkaIngest.Message::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 5L), org.assertj.core.groups.Tuple.tuple(0, 6L));
        assertThat(messages).extracting(m -> m.topic() + "-" + m.partition()).containsOnly(
                "shop_orders_cdc_logs-1", "shop_orders_cdc_logs-0", "arcion-prod.shop-payments-0",
                "replicate_io_replication_schema_inorder_1-0");
    }

    @Test
    void valuesStayBase64UntilTheirTurnAndHeadersAreTolerated() {
        KafkaEvent event = EventLoader.loadKafkaEvent("../../events/msk-native-realtime.json");
        assertThat(event.getRecords().get("shop_orders_cdc_logs-0").get(1).getHeaders()).singleElement()
                .satisfies(h -> assertThat(new String(h.get("arcion-txn"), StandardCharsets.UTF_8)).isEqualTo("tx-7"));

        KafkaIngest.Message second = MskIngestHandler.messages(event).get(1);

        assertThat(second.offset()).isEqualTo(101);
        assertThat(second.key()).isNull();
        assertThat(new String(Base64.getDecoder().decode(second.value()), StandardCharsets.UTF_8))
                .startsWith("{\"tableName\"").contains("\"opType\":\"I\"");
    }

    @Test
    void aTombstoneArrivesWithANullValueAndItsKey() {
        KafkaEvent event = EventLoader.loadKafkaEvent("../../events/msk-json-cdc.json");

        KafkaIngest.Message last = MskIngestHandler.messages(event).get(4);

        assertThat(last.offset()).isEqualTo(44);
        assertThat(last.value()).isNull();
        assertThat(new String(Base64.getDecoder().decode(last.key()), StandardCharsets.UTF_8))
                .contains("\"payload\":{\"order_id\":1,\"line_no\":2}");
    }

    @Test
    void emptyEventsYieldNoMessages() {
        assertThat(MskIngestHandler.messages(new KafkaEvent())).isEmpty();
        assertThat(MskIngestHandler.messages(null)).isEmpty();
    }

    @Test
    void aCompleteBatchAnswersAnEmptyFailureList() throws Exception {
        MskIngestHandler handler = new MskIngestHandler(null, true, log);

        KafkaBatchResponse response = handler.response(new KafkaIngest.Outcome(2, 7, 1, 0, List.of()));

        assertThat(JSON.writeValueAsString(response)).isEqualTo("{\"batchItemFailures\":[]}");
    }

    @Test
    void partialBatchModeNamesEachStoppedPartitionByItsRecordsKeyAndFirstUnwrittenOffset() throws Exception {
        MskIngestHandler handler = new MskIngestHandler(null, true, log);

        KafkaBatchResponse response = handler.response(new KafkaIngest.Outcome(3, 9, 0, 0, List.of(
                new KafkaIngest.Resume("arcion-prod.shop-payments", 0, 6, "503"),
                new KafkaIngest.Resume("shop_orders_cdc_logs", 1, 8, "503"))));

        assertThat(JSON.readTree(JSON.writeValueAsString(response))).isEqualTo(JSON.readTree("""
                {"batchItemFailures":[
                  {"itemIdentifier":{"partition":"arcion-prod.shop-payments-0","offset":6}},
                  {"itemIdentifier":{"partition":"shop_orders_cdc_logs-1","offset":8}}]}"""));
    }

    @Test
    void withoutPartialBatchModeAStoppedPartitionFailsTheInvocationNamingWhereItResumes() {
        MskIngestHandler handler = new MskIngestHandler(null, false, log);

        assertThatThrownBy(() -> handler.response(new KafkaIngest.Outcome(1, 3, 0, 0, List.of(
                new KafkaIngest.Resume("shop_orders_cdc_logs", 0, 102, "Write API unavailable")))))
                .isInstanceOf(KafkaIngest.PartitionsUnwrittenException.class)
                .hasMessageContaining("shop_orders_cdc_logs-0 from offset 102")
                .hasMessageContaining("Write API unavailable");
    }
}
