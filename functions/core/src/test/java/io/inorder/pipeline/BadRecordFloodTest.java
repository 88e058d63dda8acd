package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inorder.ledger.LocalDynamoDb;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Bounded memory whatever the input: a file of one million bad records is ingested by {@link S3Ingest} in a forked
 * JVM with a 256 MB heap ({@link BadRecordFloodProbe}), over the real S3Proxy, DynamoDB Local and the emulator, and
 * every record ends in the quarantine exactly once with its origin and reason, and counted. Before bad records went
 * to the quarantine in bounded chunks, they all waited in memory for a window that only good records could fill, and
 * the probe ran out of heap.
 */
class BadRecordFloodTest {

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials("local", "secret").build();

    @RegisterExtension
    static final StackEmulator EMULATOR = new StackEmulator();

    private static final Pattern RESULT = Pattern.compile(
            "maxHeap=(\\d+) nextSeq=(\\d+) inFileRecord=(\\d+) quarantinedMetric=(\\d+)");

    private static final int RECORDS = Integer.getInteger("flood.records", 1_000_000);

    @Test
    void aMillionBadRecordsAreQuarantinedOnceEachThroughA256MegabyteHeap() throws Exception {
        S3IngestStack stack = new S3IngestStack(EMULATOR.emulator(), S3_PROXY.getUri());
        String key = S3IngestStack.STREAM + "_1.json";
        // Flat rows that name no table (the config maps none by prefix): each line is a bad record of the mapper.
        byte[] file = gzippedLines(RECORDS);
        String eTag = stack.s3.putObject(p -> p.bucket(stack.bucket).key(key), RequestBody.fromBytes(file)).eTag();

        Matcher m = probe(S3_PROXY.getUri().toString(),
                LocalDynamoDb.client().serviceClientConfiguration().endpointOverride().orElseThrow().toString(),
                EMULATOR.emulator().baseUrl().toString(), EMULATOR.emulator().apiKey(), stack.bucket, stack.quarantineBucket,
                stack.stateTable, key, eTag, Long.toString(file.length));

        assertThat(Long.parseLong(m.group(1))).as("the probe's heap limit").isLessThanOrEqualTo(256L * 1024 * 1024);
        assertThat(Long.parseLong(m.group(2))).as("the file was passed").isEqualTo(2);
        assertThat(Long.parseLong(m.group(4))).as("QuarantinedRecords").isEqualTo(RECORDS);

        S3Quarantine quarantine = new S3Quarantine(stack.s3, stack.quarantineBucket, "quarantine/", Clock.systemUTC());
        BitSet seen = new BitSet(RECORDS);
        AtomicLong lines = new AtomicLong();
        AtomicLong repeats = new AtomicLong();
        AtomicLong withoutReason = new AtomicLong();
        quarantine.forEach(key, r -> {
            lines.incrementAndGet();
            int index = (int) r.origin().position();
            if (seen.get(index)) {
                repeats.incrementAndGet();
            }
            seen.set(index);
            if (!r.reason().contains("names no table") || r.rawLength() == 0) {
                withoutReason.incrementAndGet();
            }
        });
        assertThat(lines.get()).isEqualTo(RECORDS);
        assertThat(repeats.get()).as("records quarantined twice").isZero();
        assertThat(seen.cardinality()).isEqualTo(RECORDS);
        assertThat(withoutReason.get()).as("records without their reason or bytes").isZero();
        long objects = stack.s3.listObjectsV2Paginator(l -> l.bucket(stack.quarantineBucket)).contents().stream()
                .count();
        assertThat(objects).as("chunks of at most %d records", S3Quarantine.CHUNK_RECORDS)
                .isGreaterThanOrEqualTo(RECORDS / S3Quarantine.CHUNK_RECORDS);
        assertThat(stack.documents()).isEmpty();
    }

    private static byte[] gzippedLines(int records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes, 64 * 1024)) {
            for (int i = 0; i < records; i++) {
                gz.write(("{\"note\":\"row " + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    private static Matcher probe(String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                classpath, BadRecordFloodProbe.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getInputStream().transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        drain.start();
        boolean finished = p.waitFor(400, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        drain.join(10_000);
        String out = output.toString(StandardCharsets.UTF_8);
        String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
        assertThat(finished).as("probe finished: %s", tail).isTrue();
        assertThat(p.exitValue()).as("probe output: %s", tail).isZero();
        Matcher m = RESULT.matcher(out);
        assertThat(m.find()).as("probe output: %s", tail).isTrue();
        return m;
    }
}
