package io.inorder.local;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's parsed arguments: {@code --name value} options, {@code --flag}s and positional words, checked against
 * what the command accepts so a typo is a usage error (exit 2) naming the option, never silently ignored. Immutable.
 */
final class Options {

    private final Map<String, String> values;
    private final Set<String> flags;
    private final List<String> positional;

    private Options(Map<String, String> values, Set<String> flags, List<String> positional) {
        this.values = Map.copyOf(values);
        this.flags = Set.copyOf(flags);
        this.positional = List.copyOf(positional);
    }

    /**
     * Parses {@code args}. {@code valued} options take the next word as their value; {@code flagNames} take none;
     * {@code --help}/{@code -h} is always accepted as the flag {@code --help}.
     */
    static Options parse(String[] args, Set<String> valued, Set<String> flagNames, String usage)
            throws UsageException {
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                flags.add("--help");
            } else if (valued.contains(a)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(a + " needs a value\n" + usage);
                }
                if (values.put(a, args[++i]) != null) {
                    throw new UsageException(a + " is given twice");
                }
            } else if (flagNames.contains(a)) {
                flags.add(a);
            } else if (a.startsWith("--")) {
                throw new UsageException("unknown option " + a + "\n" + usage);
            } else {
                positional.add(a);
            }
        }
        return new Options(values, flags, positional);
    }

    /** Options that accept a value, for {@link #parse}: the union of the given sets. */
    @SafeVarargs
    static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Collections.unmodifiableSet(all);
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    String required(String name, String usage) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(name + " is required\n" + usage);
        }
        return v;
    }

    long longValue(String name, long fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " '" + v + "' is not a whole number");
        }
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    boolean has(String name) {
        return values.containsKey(name) || flags.contains(name);
    }

    List<String> positional() {
        return positional;
    }
}
