package io.inorder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entry point of the forked JVMs the cold-start and memory sections start. It prints one line,
 * {@code PROBE {...}}, on stdout and exits 0, or exits 1 with the failure on stderr.
 * <ul>
 *   <li>{@code jackson}: the baseline JVM — loads Jackson and parses one Arcion record, nothing else.</li>
 *   <li>{@code function ENDPOINTS OBJECT}: builds the S3 function (configuration, SDK clients, Write API client) and
 *       handles one S3 event for the object.</li>
 *   <li>{@code primed ENDPOINTS OBJECT}: the same, running the SnapStart priming hook before the event.</li>
 *   <li>{@code memory ENDPOINTS OBJECT}: handles the event while sampling heap use; reports the peaks.</li>
 * </ul>
 * Times are epoch milliseconds, so the parent can subtract the moment it started the process.
 */
public final class FunctionProbe {

    /** A NATIVE record like those the functions read (arcion-cdc-formats.md §2). */
    static final String RECORD = "{\"tableName\":{\"namespace\":{\"catalog\":\"bench\",\"schema\":null,\"hash\":1},"
            + "\"name\":\"orders\",\"hash\":2},\"opType\":\"I\",\"cursor\":{\"extractorId\":0,\"timestamp\":"
            + "1700000000000,\"extractionTimestamp\":1700000000420,\"log\":\"binlog.000042\",\"position\":98765,"
            + "\"logSeqNum\":1,\"slaveServerId\":1,\"v\":2},\"before\":null,\"after\":{\"id\":\"17\",\"status\":"
            + "\"PAID\",\"total\":\"9.50\"}}";

    private FunctionProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.equals("jackson")) {
            JsonNode record = new ObjectMapper().readTree(RECORD);
            if (!record.path("after").path("id").asText().equals("17")) {
                throw new IllegalStateException("the baseline record did not parse");
            }
            System.out.println("PROBE {\"handledAt\":" + System.currentTimeMillis() + "}");
            return;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        S3PathRig.Endpoints endpoints = S3PathRig.Endpoints.fromArguments(rest.subList(0, 4));
        S3Events.StoredObject object = S3Events.StoredObject.fromArguments(rest.subList(4, 8));
        HeapSampler sampler = mode.equals("memory") ? HeapSampler.start() : null;
        long handledAt;
        long builtAt;
        long primedAt = -1;
        long eventStart;
        String reply;
        try (S3PathRig rig = new S3PathRig(endpoints, java.util.Map.of(), null)) {
            builtAt = System.currentTimeMillis();
            if (mode.equals("primed")) {
                rig.prime();
                primedAt = System.currentTimeMillis();
            }
            eventStart = System.currentTimeMillis();
            reply = rig.handle(List.of(object));
            handledAt = System.currentTimeMillis();
        }
        if (!reply.contains("filesApplied=1")) {
            throw new IllegalStateException(object.key() + " was not applied: " + reply);
        }
        StringBuilder out = new StringBuilder("PROBE {\"handledAt\":").append(handledAt)
                .append(",\"builtAt\":").append(builtAt).append(",\"primedAt\":").append(primedAt)
                .append(",\"eventMillis\":").append(handledAt - eventStart);
        if (sampler != null) {
            sampler.stop();
            long poolPeaks = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    poolPeaks += pool.getPeakUsage().getUsed();
                }
            }
            out.append(",\"sampledPeakHeap\":").append(sampler.peak())
                    .append(",\"poolPeakSum\":").append(poolPeaks)
                    .append(",\"maxHeap\":").append(Runtime.getRuntime().maxMemory());
        }
        System.out.println(out.append('}'));
    }

    /** Samples used heap every 5 ms on a daemon thread and keeps the largest value seen. */
    private static final class HeapSampler implements Runnable {
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean running = true;

        static HeapSampler start() {
            HeapSampler s = new HeapSampler();
            Thread t = new Thread(s, "heap-sampler");
            t.setDaemon(true);
            t.start();
            return s;
        }

        @Override
        public void run() {
            var memory = ManagementFactory.getMemoryMXBean();
            while (running) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() {
            peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            running = false;
        }

        long peak() {
            return peak.get();
        }
    }
}
