package io.inorder.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3KeyPatternTest {

    private final S3KeyPattern pattern = S3KeyPattern.defaultPattern();

    @Test
    void defaultTakesEverythingBeforeTheFinalNumericSuffixAsTheStream() {
        assertThat(pattern.match("cdc/shop.orders_12.json")).hasValue(new S3KeyPattern.Match("cdc/shop.orders", 12));
        assertThat(pattern.match("cdc/shop_v2/orders_3")).hasValue(new S3KeyPattern.Match("cdc/shop_v2/orders", 3));
        assertThat(pattern.match("a_1_2.csv.gz")).hasValue(new S3KeyPattern.Match("a_1", 2));
    }

    @Test
    void keysWithoutANumericSuffixDoNotMatch() {
        assertThat(pattern.match("cdc/orders.json")).isEmpty();
        assertThat(pattern.match("cdc/orders_x.json")).isEmpty();
        assertThat(pattern.match("_7")).isEmpty();
    }

    @Test
    void sequencesTooLongForALongDoNotMatchRatherThanOverflow() {
        assertThat(pattern.match("orders_1234567890123456789012")).isEmpty();
    }

    @Test
    void customPatternMayPlaceTheSequenceAnywhere() {
        S3KeyPattern custom = S3KeyPattern.compile("^(?<stream>[^/]+)/part-(?<seq>\\d+)\\.json$");

        assertThat(custom.match("orders/part-0007.json")).hasValue(new S3KeyPattern.Match("orders", 7));
    }

    @Test
    void patternWithoutTheNamedGroupsIsRefusedSayingWhichAreNeeded() {
        assertThatThrownBy(() -> S3KeyPattern.compile("^(.+)_(\\d+)$")).hasMessageContaining("(?<stream>");
        assertThatThrownBy(() -> S3KeyPattern.compile("(")).hasMessageContaining("not a valid regular expression");
    }
}
