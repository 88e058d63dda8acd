package io.inorder.local.lambda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One function as a template deploys it: its logical id, name, handler, code (the deployment jar its
 * {@code CodeUri} names, plus any extra class directories laid over it, which only the benchmark's baseline uses),
 * memory, timeout, its own environment variables (the template's, resolved) and whether its published version runs
 * with SnapStart (the template's {@code SnapStart.ApplyOn: PublishedVersions}).
 */
public record FunctionSpec(String logicalId, String name, String handler, Path code, List<Path> extraCode,
                           int memoryMb, Duration timeout, Map<String, String> environment, boolean snapStart) {

    public FunctionSpec {
        Objects.requireNonNull(logicalId, "logicalId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(code, "code");
        extraCode = List.copyOf(extraCode);
        environment = Map.copyOf(environment);
        if (memoryMb < 128) {
            throw new IllegalArgumentException(name + ": memory " + memoryMb + " MB is below Lambda's 128");
        }
    }

    /** The same function with {@code overrides} on top of its environment. */
    public FunctionSpec withEnvironment(Map<String, String> overrides) {
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.putAll(overrides);
        return new FunctionSpec(logicalId, name, handler, code, extraCode, memoryMb, timeout, env, snapStart);
    }

    /** The same function without these variables (an init failure test removes one). */
    public FunctionSpec without(String... variables) {
        Map<String, String> env = new java.util.HashMap<>(environment);
        for (String v : variables) {
            env.remove(v);
        }
        return new FunctionSpec(logicalId, name, handler, code, extraCode, memoryMb, timeout, env, snapStart);
    }
}
