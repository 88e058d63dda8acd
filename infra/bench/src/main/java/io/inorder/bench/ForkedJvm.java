package io.inorder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link FunctionProbe} in a new JVM on this JVM's class path and reads its {@code PROBE} line. The moment the
 * process was started is kept, so the caller can measure from there.
 */
final class ForkedJvm {

    /** What one probe reported, and when its process was started (epoch ms). */
    record Report(long startedAt, JsonNode values) {

        long since(String field) {
            return values.get(field).asLong() - startedAt;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ForkedJvm() {
    }

    static Report run(List<String> jvmOptions, List<String> probeArguments, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FunctionProbe.class.getName());
        command.addAll(probeArguments);
        Path errors = Files.createTempFile("inorder-probe", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(errors.toFile());
            // Neither JVM may inherit this one's tuning (JAVA_TOOL_OPTIONS would apply to both, but unevenly).
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            long startedAt = System.currentTimeMillis();
            Process p = pb.start();
            String line = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.startsWith("PROBE ")) {
                        line = l.substring(6);
                    }
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the forked JVM (" + probeArguments.get(0) + ") did not finish in "
                        + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0 || line == null) {
                List<String> err = Files.readAllLines(errors);
                throw new IllegalStateException("the forked JVM (" + String.join(" ", jvmOptions) + " "
                        + probeArguments.get(0) + ") failed with exit " + p.exitValue() + ": "
                        + String.join("\n", err.subList(Math.max(0, err.size() - 15), err.size())));
            }
            return new Report(startedAt, JSON.readTree(line));
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
