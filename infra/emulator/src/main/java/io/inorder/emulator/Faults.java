package io.inorder.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runtime fault control for the document and commit endpoints ({@code /docs}, {@code /offsets/commit}); collection
 * and workspace setup is never faulted. Thread-safe.
 *
 * <p>Per request the emulator first takes the next step of the <b>script</b>, if any is left; otherwise it draws one
 * number from a {@link Random} seeded by {@link EmulatorSettings#seed()} (re-seeded by {@link #set}) and picks a rate
 * fault by cumulative rate, in spec order. The same requests in the same order therefore meet the same faults.
 *
 * <p>Spec grammar (comma-separated items, e.g. {@code 429:0.2,503:0.05,slow:0.1:2000ms,timeout:0.01,error-field:_fail}):
 * <ul>
 *   <li>{@code 429:R}, {@code 500:R}, {@code 502:R}, {@code 503:R}, {@code 504:R}: answer that status with rate R
 *       (0-1). 429, 500 and 503 carry a JSON ErrorModel; 502 and 504 an openresty HTML page, as a gateway would.</li>
 *   <li>{@code slow:R[:DELAY]}: wait DELAY (default 2000ms), then serve normally.</li>
 *   <li>{@code timeout:R[:HOLD][:respond|drop]}: hold the request HOLD (default 30s, longer than clients wait), then
 *       serve it normally ({@code respond}, default: the write is applied though the client has gone) or close the
 *       connection without an answer and without applying ({@code drop}).</li>
 *   <li>{@code drop:R}: close the connection at once, without an answer; nothing is applied.</li>
 *   <li>{@code error-field:NAME}: any data[] item holding top-level field NAME (or a patch operation on {@code /NAME}
 *       or whose object value holds NAME) gets status {@code ERROR} inside a 200.</li>
 *   <li>{@code script:STEP,STEP,...}: the next requests meet these steps in order; bare tokens after {@code script:}
 *       continue it. STEP is {@code 200} (serve normally), a fault status, {@code slow}, {@code timeout} or
 *       {@code drop} (using the slow delay and timeout hold of the spec).</li>
 * </ul>
 * Durations: {@code 500ms}, {@code 2s} or bare milliseconds. Rates must add up to at most 1.
 */
public final class Faults {

    private final long seed;
    private FaultSpec spec;
    private final ArrayDeque<FaultSpec.Step> script = new ArrayDeque<>();
    private Random random;

    Faults(String spec, long seed) {
        this.seed = seed;
        set(spec);
    }

    /** Replaces every fault with {@code spec} (empty for none) and re-seeds the random source. */
    public synchronized Faults set(String spec) {
        FaultSpec parsed = FaultSpec.parse(spec);
        this.spec = parsed;
        script.clear();
        script.addAll(parsed.script());
        random = new Random(seed);
        return this;
    }

    /** Removes every fault. */
    public synchronized Faults clear() {
        return set("");
    }

    /** Replaces the remaining script with these steps, e.g. {@code "429,429,200,502"}. */
    public synchronized Faults script(String steps) {
        FaultSpec parsed = FaultSpec.parse("script:" + steps);
        script.clear();
        script.addAll(parsed.script());
        return this;
    }

    /** Adds a rate fault answering {@code status} (429, 500, 502, 503, 504) to a fraction {@code rate} of requests. */
    public synchronized Faults rate(int status, double rate) {
        return addRate(status + ":" + rate);
    }

    /** Delays a fraction {@code rate} of requests by {@code delay}. */
    public synchronized Faults slow(double rate, Duration delay) {
        return addRate("slow:" + rate + ":" + delay.toMillis() + "ms");
    }

    /** Holds a fraction {@code rate} of requests for {@code hold}, then serves them ({@code drop=false}) or drops them. */
    public synchronized Faults timeout(double rate, Duration hold, boolean drop) {
        return addRate("timeout:" + rate + ":" + hold.toMillis() + "ms:" + (drop ? "drop" : "respond"));
    }

    /** Items holding this top-level field get status ERROR; {@code null} turns the rule off. */
    public synchronized Faults errorField(String field) {
        spec = new FaultSpec(spec.rates(), spec.script(), field, spec.slowDelay(), spec.timeoutHold(), spec.timeoutDrops());
        return this;
    }

    /** The faults in force, as a spec string (the script part lists the steps not yet taken). */
    public synchronized String spec() {
        return new FaultSpec(spec.rates(), new ArrayList<>(script), spec.errorField(), spec.slowDelay(),
                spec.timeoutHold(), spec.timeoutDrops()).toString();
    }

    /** How many scripted steps are left. */
    public synchronized int remainingScript() {
        return script.size();
    }

    synchronized String errorFieldRule() {
        return spec.errorField();
    }

    synchronized Duration slowDelay() {
        return spec.slowDelay();
    }

    synchronized Duration timeoutHold() {
        return spec.timeoutHold();
    }

    synchronized boolean timeoutDrops() {
        return spec.timeoutDrops();
    }

    /** The step for the next faultable request. */
    synchronized FaultSpec.Step next() {
        if (!script.isEmpty()) {
            return script.pollFirst();
        }
        if (spec.rates().isEmpty()) {
            return FaultSpec.Step.PASS;
        }
        double draw = random.nextDouble();
        double cumulative = 0;
        for (FaultSpec.RateFault fault : spec.rates()) {
            cumulative += fault.rate();
            if (draw < cumulative) {
                return fault.step();
            }
        }
        return FaultSpec.Step.PASS;
    }

    private Faults addRate(String item) {
        String current = new FaultSpec(spec.rates(), List.of(), spec.errorField(), spec.slowDelay(), spec.timeoutHold(),
                spec.timeoutDrops()).toString();
        FaultSpec parsed = FaultSpec.parse(current.isEmpty() ? item : current + "," + item);
        spec = new FaultSpec(parsed.rates(), List.of(), parsed.errorField(), parsed.slowDelay(), parsed.timeoutHold(),
                parsed.timeoutDrops());
        return this;
    }
}
