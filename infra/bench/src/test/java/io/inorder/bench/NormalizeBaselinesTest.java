package io.inorder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inorder.writeapi.WriteApiSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NormalizeBaselinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(CdcRecords.Envelope.class)
    void treeModelBaselineWritesTheSameRequestBytesAsThePipeline(CdcRecords.Envelope envelope) throws Exception {
        byte[] input = new CdcRecords(envelope, 700, 0).bytes(300);
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        ByteArrayOutputStream tree = new ByteArrayOutputStream();

        long pipelineRecords = new PipelineNormalizer().run(input, pipeline);
        long treeRecords = new TreeModelBaseline(WriteApiSettings.DEFAULT_MAX_REQUEST_BYTES,
                WriteApiSettings.DEFAULT_MAX_REQUEST_DOCUMENTS).run(input, tree);

        assertThat(pipelineRecords).isEqualTo(300);
        assertThat(treeRecords).isEqualTo(300);
        assertThat(firstDifference(tree.toString(), pipeline.toString())).as("tree model vs pipeline")
                .isEmpty();
        JsonNode body = JSON.readTree(pipeline.toByteArray());
        assertThat(body.get("data")).hasSize(300);
        assertThat(body.get("data").get(0).get("_id").asText()).isEqualTo("0");
        assertThat(body.get("data").get(0).has("_event_time")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(CdcRecords.Envelope.class)
    void streamingCopyWritesEveryTokenOfEveryRecord(CdcRecords.Envelope envelope) throws Exception {
        byte[] input = new CdcRecords(envelope, 700, 0).bytes(50);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();

        long records = new StreamingCopyBaseline().run(input, copy);

        assertThat(records).isEqualTo(50);
        assertThat(trees(copy.toByteArray())).isEqualTo(trees(input));
    }

    @ParameterizedTest
    @EnumSource(CdcRecords.Envelope.class)
    void documentsHaveTheRequestedSize(CdcRecords.Envelope envelope) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PipelineNormalizer().run(new CdcRecords(envelope, 1_000, 0).bytes(100), out);
        JsonNode data = JSON.readTree(out.toByteArray()).get("data");
        double mean = (out.size() - 11.0 - 99) / data.size();
        assertThat(mean).isBetween(900.0, 1_100.0);
    }

    @ParameterizedTest
    @EnumSource(CdcRecords.Envelope.class)
    void aHotKeySetMakesEveryRecordAnUpdateOfOneOfItsIds(CdcRecords.Envelope envelope) throws Exception {
        CdcRecords hot = new CdcRecords(envelope, 500, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        long records = new PipelineNormalizer().run(hot.bytes(1_000), out);

        assertThat(records).isEqualTo(1_000);
        JsonNode data = JSON.readTree(out.toByteArray()).get("data");
        assertThat(data.size()).isLessThanOrEqualTo(10);
        for (JsonNode d : data) {
            assertThat(d.has("_event_time")).isFalse();
        }
    }

    /** Empty when equal, otherwise both texts around the first differing character. */
    private static String firstDifference(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        if (i == a.length() && i == b.length()) {
            return "";
        }
        int from = Math.max(0, i - 60);
        return "at " + i + ": ..." + a.substring(from, Math.min(a.length(), i + 60)) + "\n vs ..."
                + b.substring(from, Math.min(b.length(), i + 60));
    }

    private static List<JsonNode> trees(byte[] bytes) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var it = JSON.readerFor(JsonNode.class).readValues(bytes)) {
            while (it.hasNext()) {
                out.add((JsonNode) it.next());
            }
        }
        return out;
    }
}
