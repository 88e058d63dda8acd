package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Serve's options. What it serves is checked in ServeCommandIT, which needs the packaged deployment jars. */
class ServeCommandTest {

    @Test
    void aPortThatIsNotANumberIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Inorder.run(new String[] {"serve", "--port-s3", "nine"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port-s3 'nine' must be a port 0-65535");
    }

    @Test
    void withoutVerboseOnlyTheFunctionsWarningsAndFailuresReachStderr() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream quiet = ServeCommand.quietFunctionLogs(new PrintStream(err, true, StandardCharsets.UTF_8));
        quiet.println("[inorder-s3-ingest a1] {\"level\":\"INFO\",\"message\":\"file applied\"}");
        quiet.println("[inorder-s3-ingest a1] {\"_aws\":{\"Timestamp\":1}}");
        quiet.println("[inorder-s3-ingest a1] SLF4J: Defaulting to no-operation (NOP) logger implementation");
        quiet.println("[inorder-s3-ingest a1] {\"level\":\"WARN\",\"message\":\"quarantined\"}");
        quiet.println("[inorder-s3-ingest a1] STATE_TABLE is not set: ConfigurationException");

        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("file applied", "_aws", "SLF4J")
                .contains("quarantined", "STATE_TABLE is not set");
    }
}
