package io.inorder.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class OffsetsTest {

    @Test
    void workedExampleOfTheReferenceEncodesMergesAndCompares() {
        Offsets a = Offsets.of(105L, null, 100L, null);
        Offsets b = Offsets.of(null, 100L, 102L, 137L);
        assertThat(a.encode()).isEqualTo("f2:0:100:5:5-0-");
        assertThat(b.encode()).isEqualTo("f2:0:100:37:-02N2");

        Offsets fence = Offsets.parse("f2:0:100:5:5-0-", 4).merge(Offsets.parse("f2:0:100:37:-02N2", 4));
        assertThat(fence.encode()).isEqualTo("f2:0:100:37:502N2");

        Offsets commit = Offsets.of(110L, 100L, 102L, 130L);
        assertThat(commit.encode()).isEqualTo("f2:0:100:30:A02Y1");
        assertThat(fence.reachedBy(commit)).isFalse();
        assertThat(fence.reachedBy(Offsets.of(110L, 100L, 102L, 137L))).isTrue();
    }

    @Test
    void everyRecordedSampleAndTheSpecExampleDecodeAsDocumented() {
        for (String sample : List.of("f2:0:1:0:---0", "f2:0:2:0:---0", "f2:0:3:0:0---", "f2:0:0:0:--0-",
                "f2:0:1:0:-0--", "f2:0:0:0:0---")) {
            assertThat(Offsets.parse(sample, 4).encode()).isEqualTo(sample);
        }
        Offsets spec = Offsets.parse("f1:0:14:9:7093", 4);
        assertThat(spec).isEqualTo(Offsets.of(21L, 14L, 23L, 17L).withVersion("f1"));
        assertThat(spec.encode()).isEqualTo("f1:0:14:9:7093");
    }

    @Test
    void aParsedOffsetKeepsItsVersionTagAndTimestampFieldThroughAMerge() {
        Offsets f1 = Offsets.parse("f1:0:14:9:7092", 4).merge(Offsets.parse("f1:0:14:9:7093", 4));
        assertThat(f1.encode()).isEqualTo("f1:0:14:9:7093");
        assertThat(f1.version()).isEqualTo("f1");
        assertThat(Offsets.parse("f2:1700000000:1:0:---0", 4).encode()).isEqualTo("f2:1700000000:1:0:---0");
        // No recording mixes versions in one request: the higher one is kept.
        assertThat(Offsets.parse("f1:0:1:0:---0", 4).merge(Offsets.parse("f2:0:2:0:0---", 4)).encode())
                .isEqualTo("f2:0:1:1:1--0");
        assertThat(Offsets.of(1L, null, null, null).version()).isEqualTo("f2");
    }

    @Test
    void aVectorWithNoPartitionEncodesAsAllAbsentAndIsAlwaysReached() {
        assertThat(Offsets.none(4).encode()).isEqualTo("f2:0:0:0:----");
        assertThat(Offsets.parse("f2:0:0:0:----", 4).reachedBy(Offsets.of(0L, 0L, 0L, 0L))).isTrue();
    }

    @Test
    void malformedOffsetsAreRejectedWithTheInputInTheMessage() {
        for (String bad : List.of("", "f2:0:1:0", "x2:0:1:0:---0", "f2:0:1:0:---", "f2:0:1:0:----0",
                "f2:0:1:1:---0", "f2:0:1:0:---U", "f2:0:1:0:--0N", "f2:0:2:0:-1-1", "f2:0:1:0:---G0",
                "f2:0:-1:0:---0", "f2:0:1:0:---o", "f2:0:3:0:----")) {
            assertThatThrownBy(() -> Offsets.parse(bad, 4), bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"" + bad + "\"");
        }
    }

    @Property(tries = 300)
    void encodingRoundTripsForAnyVector(@ForAll("vectors") Offsets vector) {
        String text = vector.encode();
        assertThat(Offsets.parse(text, vector.partitions())).isEqualTo(vector);
        assertThat(text).startsWith("f2:0:").matches("f2:0:[0-9]+:[0-9]+:[-0-9A-HJKMNP-TV-Z]+");
    }

    @Property(tries = 200)
    void theMergedFenceIsReachedExactlyWhenEveryInputIsReached(@ForAll("pairs") List<Offsets> pair,
                                                               @ForAll("vectors4") Offsets commitCandidate) {
        Offsets a = pair.get(0);
        Offsets b = pair.get(1);
        Offsets commit = commitCandidate;
        for (int p = 0; p < 4; p++) {
            if (commit.offset(p).isEmpty()) {
                commit = commit.with(p, 0);
            }
        }
        Offsets fence = a.merge(b);
        assertThat(fence.reachedBy(commit)).isEqualTo(a.reachedBy(commit) && b.reachedBy(commit));
        assertThat(fence.reachedBy(fence.merge(commit))).isTrue();
    }

    @Provide
    Arbitrary<Offsets> vectors() {
        return Arbitraries.integers().between(1, 12).flatMap(this::vectorsOf);
    }

    @Provide
    Arbitrary<Offsets> vectors4() {
        return vectorsOf(4);
    }

    @Provide
    Arbitrary<List<Offsets>> pairs() {
        return Combinators.combine(vectorsOf(4), vectorsOf(4)).as(List::of);
    }

    private Arbitrary<Offsets> vectorsOf(int partitions) {
        Arbitrary<Long> offset = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 40),
                Arbitraries.longs().between(0, 1L << 40),
                Arbitraries.longs().between(0, 1L << 59));
        return offset.injectNull(0.3).list().ofSize(partitions)
                .map(values -> Offsets.of(values.toArray(new Long[0])));
    }
}
