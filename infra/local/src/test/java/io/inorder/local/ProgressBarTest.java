package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void withoutATerminalItPrintsAPlainLineEachTimeAnotherTenthIsDone() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 20, "files");
        for (int done = 0; done <= 20; done++) {
            bar.update(done);
            bar.update(done);
        }
        bar.finish(20);

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(11).noneMatch(l -> l.contains("\r"));
        assertThat(lines.get(0)).startsWith("[------------------------------] 0/20 files");
        assertThat(lines.get(5)).startsWith("[###############---------------] 10/20 files");
        assertThat(lines.get(10)).startsWith("[##############################] 20/20 files");
    }

    @Test
    void onATerminalItRedrawsOneLineAndEndsItWhenFinished() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 3, "files");
        bar.update(1);
        bar.update(2);
        bar.finish(3);

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\r[##########--------------------] 1/3 files").endsWith("\n")
                .contains("\r[####################----------] 2/3 files")
                .contains("\r[##############################] 3/3 files");
        assertThat(text.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
