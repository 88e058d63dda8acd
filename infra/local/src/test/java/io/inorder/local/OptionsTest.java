package io.inorder.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static final Set<String> VALUED = Set.of("--stream", "--to");
    private static final Set<String> FLAGS = Set.of("--json");

    @Test
    void valuesFlagsAndPositionalWordsAreTakenApart() throws Exception {
        Options o = Options.parse(new String[] {"list", "--stream", "b/s", "--json", "--to", "7"}, VALUED, FLAGS, "u");
        assertThat(o.positional()).containsExactly("list");
        assertThat(o.value("--stream")).contains("b/s");
        assertThat(o.longValue("--to", 0)).isEqualTo(7);
        assertThat(o.flag("--json")).isTrue();
        assertThat(o.has("--stream")).isTrue();
        assertThat(o.value("--reason")).isEmpty();
    }

    @Test
    void anUnknownOptionIsAUsageErrorNamingIt() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--strem", "x"}, VALUED, FLAGS, "usage: u"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("unknown option --strem");
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--stream", "--json"}, VALUED, FLAGS, "u"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--stream needs a value");
        assertThatThrownBy(() -> Options.parse(new String[] {"--to"}, VALUED, FLAGS, "u"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--to needs a value");
    }

    @Test
    void aNonNumericNumberIsAUsageErrorNamingTheOption() throws Exception {
        Options o = Options.parse(new String[] {"--to", "seven"}, VALUED, FLAGS, "u");
        assertThatThrownBy(() -> o.longValue("--to", 0)).isInstanceOf(UsageException.class)
                .hasMessage("--to 'seven' is not a whole number");
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() throws Exception {
        Options o = Options.parse(new String[] {}, VALUED, FLAGS, "usage: u");
        assertThatThrownBy(() -> o.required("--stream", "usage: u")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--stream is required");
    }

    @Test
    void anOptionGivenTwiceIsRefused() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--to", "1", "--to", "2"}, VALUED, FLAGS, "u"))
                .isInstanceOf(UsageException.class).hasMessage("--to is given twice");
    }
}
