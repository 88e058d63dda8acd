package io.inorder.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.local.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a demo run landed exactly right: every collection equals the in-order application of the source changes
 * (the workload's independent oracle), and the run left nothing failed, unapplied or waiting on a gap. Immutable.
 *
 * @param collections how many collections were compared
 * @param problems    what differs or went wrong, at most {@value #LIMIT} data differences (plus a count of the
 *                    rest); empty when verified
 */
record DemoVerdict(int collections, List<String> problems) {

    static final int LIMIT = 10;

    DemoVerdict {
        problems = List.copyOf(problems);
    }

    /**
     * Compares {@code actual} (collection → {@code _id} → stored document) with what {@code workload}'s changes
     * give applied in order, and adds what {@code run} left undone.
     */
    static DemoVerdict of(Workload workload, Map<String, Map<String, ObjectNode>> actual,
            LocalS3Function.Summary run) {
        List<String> problems = new ArrayList<>(workload.differences(actual, LIMIT));
        for (String f : run.failedInvocations()) {
            problems.add("invocation failed after Lambda's retries: " + f);
        }
        for (String u : run.unappliedReadyStreams()) {
            problems.add("not applied: " + u);
        }
        for (LocalS3Function.Gap g : run.gaps()) {
            problems.add("gap: " + g);
        }
        return new DemoVerdict(workload.expected().size(), problems);
    }

    /** This verdict with {@code more} collections compared and their {@code differences} added. */
    DemoVerdict and(int more, List<String> differences) {
        List<String> all = new ArrayList<>(problems);
        all.addAll(differences);
        return new DemoVerdict(collections + more, all);
    }

    boolean verified() {
        return problems.isEmpty();
    }

    /** The run's last line: {@code verified: N collections match the source} or {@code NOT verified: ...}. */
    String lastLine() {
        if (verified()) {
            return "verified: " + collections + " collections match the source";
        }
        return "NOT verified: " + problems.get(0) + (problems.size() > 1 ? " (and more, listed above)" : "");
    }
}
