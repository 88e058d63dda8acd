package io.inorder.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inorder.pipeline.ConfigurationException;
import io.inorder.pipeline.Reconciler.Finding;
import io.inorder.pipeline.Reconciler.StreamReport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReconcilerHandlerTest {

    @Test
    void theTallyCountsEveryFindingOfTheSweep() {
        List<StreamReport> reports = List.of(report("b/a", Finding.IDLE), report("b/b", Finding.GAP),
                report("b/c", Finding.REDRIVEN), report("b/d", Finding.GAP));

        assertThat(ReconcilerHandler.tally(reports))
                .isEqualTo("streams=4 idle=1 draining=0 redriven=1 found_lost_notification=0 gap=2");
    }

    @Test
    void aColdStartWithoutTheFunctionToReDriveThroughFailsNamingTheVariable() {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "us-east-1",
                "WRITE_API_URL", "https://api.usw2a1.rockset.com",
                "ROCKSET_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:k",
                "TABLE_CONFIG", "{\"workspace\":\"commons\",\"tables\":{\"shop.orders\":"
                        + "{\"collection\":\"orders\",\"primaryKey\":[\"id\"]}}}", "STATE_TABLE", "s",
                "QUARANTINE_BUCKET", "q"));

        assertThatThrownBy(() -> ReconcilerFunction.fromEnvironment(env))
                .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("REDRIVE_FUNCTION is not set");
    }

    private static StreamReport report(String stream, Finding finding) {
        return new StreamReport(stream, finding, 1, OptionalLong.empty(), Optional.empty(), 0);
    }
}
