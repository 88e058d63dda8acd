package io.inorder.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entry point of the forked JVM the memory section starts. It prints one line, {@code PROBE {...}}, on stdout
 * and exits 0, or exits 1 with the failure on stderr. {@code memory ENDPOINTS OBJECT}: builds the S3 function
 * (configuration, SDK clients, Write API client), handles one S3 event for the object while sampling heap use, and
 * reports the peaks. (The cold-start section runs the deployment jar in the local Lambda runtime instead.)
 */
public final class FunctionProbe {

    private FunctionProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        S3PathRig.Endpoints endpoints = S3PathRig.Endpoints.fromArguments(rest.subList(0, 4));
        S3Events.StoredObject object = S3Events.StoredObject.fromArguments(rest.subList(4, 8));
        HeapSampler sampler = mode.equals("memory") ? HeapSampler.start() : null;
        long handledAt;
        long builtAt;
        long eventStart;
        String reply;
        try (S3PathRig rig = new S3PathRig(endpoints, java.util.Map.of(), null)) {
            builtAt = System.currentTimeMillis();
            eventStart = System.currentTimeMillis();
            reply = rig.handle(List.of(object));
            handledAt = System.currentTimeMillis();
        }
        if (!reply.contains("filesApplied=1")) {
            throw new IllegalStateException(object.key() + " was not applied: " + reply);
        }
        StringBuilder out = new StringBuilder("PROBE {\"handledAt\":").append(handledAt)
                .append(",\"builtAt\":").append(builtAt)
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
