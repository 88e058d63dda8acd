package io.inorder.arcion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Proves the readers stream: hundreds of megabytes go through a JVM whose heap is a fraction of that. The input is
 * generated inside the forked JVM, so nothing large touches the disk or this JVM.
 */
class StreamingMemoryTest {

    private static final Pattern RESULT = Pattern.compile(
            "maxHeap=(\\d+) generatedRecords=(\\d+) generatedBad=(\\d+) events=(\\d+) partial=(\\d+) bad=(\\d+)");

    private static Matcher probe(String mode, long bytes) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", classpath,
                StreamingProbe.class.getName(), mode, Long.toString(bytes))).redirectErrorStream(true).start();
        boolean finished = p.waitFor(170, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(finished).as("probe finished: %s", out).isTrue();
        assertThat(p.exitValue()).as("probe output: %s", out).isZero();
        Matcher m = RESULT.matcher(out);
        assertThat(m.find()).as("probe output: %s", out).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("the probe's heap limit").isLessThanOrEqualTo(64L * 1024 * 1024);
        return m;
    }

    @Test
    void threeHundredMegabytesOfS3JsonStreamThroughA64MegabyteHeap() throws Exception {
        Matcher m = probe("s3-json", 300L * 1024 * 1024);
        long generated = Long.parseLong(m.group(2));
        assertThat(generated).isGreaterThan(400_000);
        assertThat(Long.parseLong(m.group(4)) + Long.parseLong(m.group(6))).isEqualTo(generated);
        assertThat(Long.parseLong(m.group(6))).isEqualTo(Long.parseLong(m.group(3))).isPositive();
    }

    @Test
    void gzippedRealtimeCsvStreamsThroughA64MegabyteHeap() throws Exception {
        Matcher m = probe("csv-gzip", 120L * 1024 * 1024);
        long generated = Long.parseLong(m.group(2));
        assertThat(generated).isGreaterThan(500_000);
        assertThat(Long.parseLong(m.group(4)) + Long.parseLong(m.group(6))).isEqualTo(generated);
        assertThat(Long.parseLong(m.group(6))).isEqualTo(Long.parseLong(m.group(3))).isPositive();
    }
}
