package io.inorder.local;

import io.inorder.emulator.Emulator;
import java.io.PrintStream;
import java.util.Collection;
import java.util.StringJoiner;

/**
 * The summary a local run prints and the exit code it ends with, shared by {@code replay} and {@code invoke}:
 * 0 when everything delivered was applied, 3 when streams wait on a missing file (named), 1 when an invocation failed
 * even after Lambda's retries or a ready file was left unapplied.
 */
final class RunReport {

    static final int APPLIED = 0;
    static final int FAILED = 1;
    static final int WAITING_ON_GAP = 3;

    private RunReport() { }

    static void print(LocalS3Function.Summary s, Emulator emulator, String workspace, Collection<String> collections,
            PrintStream out) {
        out.printf("applied:      %d files, %d records, %d documents written in %d requests (%d retries, %d 429s), "
                + "%d quarantined%n", s.filesApplied(), s.records(), s.documentsWritten(), s.requests(), s.retries(),
                s.throttles(), s.quarantined());
        StringJoiner docs = new StringJoiner(", ");
        for (String c : collections) {
            docs.add(workspace + "." + c + " " + emulator.documents(workspace, c).size() + " documents");
        }
        out.println("collections:  " + docs);
        out.printf("invocations:  %d (%d Lambda-style retries, %d failed after all retries), %d duplicate arrivals%n",
                s.invocations(), s.lambdaRetries(), s.failedInvocations().size(), s.duplicateArrivals());
        if (s.ignoredKeys() > 0) {
            out.println("ignored:      " + s.ignoredKeys() + " notifications whose key does not match S3_KEY_PATTERN");
        }
        for (String f : s.failedInvocations()) {
            out.println("failed:       " + f);
        }
        for (String u : s.unappliedReadyStreams()) {
            out.println("not applied:  " + u);
        }
        if (s.gaps().isEmpty()) {
            out.println("pending gaps: none");
        } else {
            out.println("pending gaps: " + s.gaps().size());
            for (LocalS3Function.Gap g : s.gaps()) {
                out.println("  " + g);
            }
        }
    }

    /** The exit code; when streams wait on a gap, also says which on {@code err}, after {@code command}. */
    static int exitCode(LocalS3Function.Summary s, String command, PrintStream err) {
        int code = exitCode(s);
        if (code == WAITING_ON_GAP) {
            err.println("inorder " + command + ": " + s.gaps().size() + " stream(s) wait on a missing file: "
                    + s.gaps());
        }
        return code;
    }

    static int exitCode(LocalS3Function.Summary s) {
        if (!s.failedInvocations().isEmpty() || !s.unappliedReadyStreams().isEmpty()) {
            return FAILED;
        }
        return s.gaps().isEmpty() ? APPLIED : WAITING_ON_GAP;
    }
}
