package io.inorder.emulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed fault spec: comma-separated items, documented on {@link Faults}. Immutable; {@link #toString()} gives the
 * canonical spec back.
 */
record FaultSpec(List<RateFault> rates, List<Step> script, String errorField, Duration slowDelay, Duration timeoutHold,
                 boolean timeoutDrops) {

    static final Duration DEFAULT_SLOW_DELAY = Duration.ofMillis(2000);
    static final Duration DEFAULT_TIMEOUT_HOLD = Duration.ofSeconds(30);
    static final Set<Integer> STATUSES = Set.of(429, 500, 502, 503, 504);

    enum Kind { PASS, STATUS, SLOW, TIMEOUT, DROP }

    /** One scripted or drawn outcome for a request. {@code status} is set only for {@link Kind#STATUS}. */
    record Step(Kind kind, int status) {
        static final Step PASS = new Step(Kind.PASS, 200);

        static Step parse(String token, String spec) {
            String t = token.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "200", "pass", "ok":
                    return PASS;
                case "slow":
                    return new Step(Kind.SLOW, 0);
                case "timeout":
                    return new Step(Kind.TIMEOUT, 0);
                case "drop":
                    return new Step(Kind.DROP, 0);
                default:
                    int status = FaultSpec.status(t, spec);
                    return new Step(Kind.STATUS, status);
            }
        }

        @Override
        public String toString() {
            return kind == Kind.STATUS || kind == Kind.PASS ? Integer.toString(status) : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    record RateFault(Step step, double rate) {
    }

    FaultSpec {
        rates = List.copyOf(rates);
        script = List.copyOf(script);
        double total = 0;
        for (RateFault fault : rates) {
            total += fault.rate();
        }
        if (total > 1.0 + 1e-9) {
            throw new IllegalArgumentException("Fault rates add up to " + total + "; their sum must be at most 1");
        }
    }

    static FaultSpec none() {
        return new FaultSpec(List.of(), List.of(), null, DEFAULT_SLOW_DELAY, DEFAULT_TIMEOUT_HOLD, false);
    }

    static FaultSpec parse(String spec) {
        List<RateFault> rates = new ArrayList<>();
        List<Step> script = new ArrayList<>();
        String errorField = null;
        Duration slowDelay = DEFAULT_SLOW_DELAY;
        Duration timeoutHold = DEFAULT_TIMEOUT_HOLD;
        boolean timeoutDrops = false;
        boolean inScript = false;
        if (spec == null || spec.isBlank()) {
            return none();
        }
        for (String rawItem : spec.split(",", -1)) {
            String item = rawItem.trim();
            if (item.isEmpty()) {
                throw invalid(spec, "an empty item");
            }
            String[] parts = item.split(":", -1);
            if (parts.length == 1) {
                if (!inScript) {
                    throw invalid(spec, "'" + item + "' is neither KIND:... nor a step following script:");
                }
                script.add(Step.parse(item, spec));
                continue;
            }
            inScript = false;
            String kind = parts[0].trim().toLowerCase(Locale.ROOT);
            switch (kind) {
                case "script" -> {
                    if (parts.length != 2 || parts[1].isBlank()) {
                        throw invalid(spec, "script needs steps: script:429,200,502");
                    }
                    script.add(Step.parse(parts[1], spec));
                    inScript = true;
                }
                case "error-field" -> {
                    if (parts.length != 2 || parts[1].isBlank()) {
                        throw invalid(spec, "error-field needs a field name: error-field:_fail");
                    }
                    errorField = parts[1].trim();
                }
                case "slow" -> {
                    arity(spec, item, parts, 2, 3);
                    rates.add(new RateFault(new Step(Kind.SLOW, 0), rate(parts[1], spec)));
                    if (parts.length == 3) {
                        slowDelay = duration(parts[2], spec);
                    }
                }
                case "timeout" -> {
                    arity(spec, item, parts, 2, 4);
                    rates.add(new RateFault(new Step(Kind.TIMEOUT, 0), rate(parts[1], spec)));
                    if (parts.length >= 3) {
                        timeoutHold = duration(parts[2], spec);
                    }
                    if (parts.length == 4) {
                        String mode = parts[3].trim().toLowerCase(Locale.ROOT);
                        if (!mode.equals("drop") && !mode.equals("respond")) {
                            throw invalid(spec, "timeout's last part must be drop or respond, got '" + parts[3] + "'");
                        }
                        timeoutDrops = mode.equals("drop");
                    }
                }
                case "drop" -> {
                    arity(spec, item, parts, 2, 2);
                    rates.add(new RateFault(new Step(Kind.DROP, 0), rate(parts[1], spec)));
                }
                default -> {
                    arity(spec, item, parts, 2, 2);
                    rates.add(new RateFault(new Step(Kind.STATUS, status(kind, spec)), rate(parts[1], spec)));
                }
            }
        }
        double total = rates.stream().mapToDouble(RateFault::rate).sum();
        if (total > 1.0 + 1e-9) {
            throw invalid(spec, "the rates add up to " + total + "; their sum must be at most 1");
        }
        return new FaultSpec(rates, script, errorField, slowDelay, timeoutHold, timeoutDrops);
    }

    @Override
    public String toString() {
        List<String> items = new ArrayList<>();
        for (RateFault fault : rates) {
            Step step = fault.step();
            String rate = Double.toString(fault.rate());
            switch (step.kind()) {
                case SLOW -> items.add("slow:" + rate + ":" + slowDelay.toMillis() + "ms");
                case TIMEOUT -> items.add("timeout:" + rate + ":" + timeoutHold.toMillis() + "ms:"
                        + (timeoutDrops ? "drop" : "respond"));
                case DROP -> items.add("drop:" + rate);
                default -> items.add(step.status() + ":" + rate);
            }
        }
        if (errorField != null) {
            items.add("error-field:" + errorField);
        }
        if (!script.isEmpty()) {
            List<String> steps = new ArrayList<>();
            script.forEach(step -> steps.add(step.toString()));
            items.add("script:" + String.join(",", steps));
        }
        return String.join(",", items);
    }

    private static void arity(String spec, String item, String[] parts, int min, int max) {
        if (parts.length < min || parts.length > max) {
            throw invalid(spec, "'" + item + "' has the wrong number of ':' parts");
        }
    }

    private static int status(String token, String spec) {
        try {
            int status = Integer.parseInt(token.trim());
            if (STATUSES.contains(status)) {
                return status;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the allowed values
        }
        throw invalid(spec, "'" + token + "' is not a fault; use 429, 500, 502, 503, 504, slow, timeout, drop,"
                + " error-field or script (script steps may also be 200)");
    }

    private static double rate(String text, String spec) {
        try {
            double rate = Double.parseDouble(text.trim());
            if (rate >= 0 && rate <= 1) {
                return rate;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(spec, "rate '" + text + "' must be a number from 0 to 1");
    }

    static Duration duration(String text, String spec) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))), spec);
            }
            if (t.endsWith("s")) {
                return nonNegative(Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000)), spec);
            }
            return nonNegative(Duration.ofMillis(Long.parseLong(t)), spec);
        } catch (NumberFormatException e) {
            throw invalid(spec, "duration '" + text + "' must look like 2000ms, 2s or 2000");
        }
    }

    private static Duration nonNegative(Duration duration, String spec) {
        if (duration.isNegative()) {
            throw invalid(spec, "durations must not be negative");
        }
        return duration;
    }

    private static IllegalArgumentException invalid(String spec, String why) {
        return new IllegalArgumentException("Invalid fault spec \"" + spec + "\": " + why + ".");
    }
}
