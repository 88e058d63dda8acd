package io.inorder.local.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The generator's oracle, the readers and the mapper must agree: reading every stream in suffix order through
 * ArcionReaders and ChangeMapper and applying the operations gives exactly {@link Workload#expected()}. A failure
 * means one of the three is wrong; the message names the first mismatching documents and records. Named *Test so
 * that surefire's default includes run it in every build.
 */
class OracleAgreementPropertiesTest {

    @Property(tries = 50)
    void replayingEveryStreamInSuffixOrderThroughReadersAndMapperGivesTheOracleState(
            @ForAll("specs") WorkloadSpec spec) throws IOException {
        Workload w = Workload.generate(spec);
        MappedReplay replay = MappedReplay.inOrder(w);
        assertThat(replay.problems).as(spec.toString()).isEmpty();
        assertThat(replay.badOrigins()).as("every malformed record, and only those, is a BadRecord")
                .containsExactlyInAnyOrderElementsOf(w.malformedRecords().stream().map(MalformedRecord::origin)
                        .toList());
        assertThat(replay.records + replay.badRecords.size()).isEqualTo(w.recordCount());
        assertThat(replay.operations).isEqualTo(w.operationCount());
        assertThat(w.differences(replay.collections, 5)).as(spec.toString()).isEmpty();
        assertThat(replay.collections).isEqualTo(w.expected());
    }

    @Provide
    Arbitrary<WorkloadSpec> specs() {
        Arbitrary<Double> share = Arbitraries.of(0.0, 0.1, 0.3, 0.5, 0.9, 1.0);
        Arbitrary<WorkloadSpec> base = Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(0, 300),
                Arbitraries.integers().between(1, 30),
                Arbitraries.integers().between(0, 30),
                share, share, share).as((seed, tables, changes, min, extra, snapshot, partial, nulls) ->
                WorkloadSpec.defaults().withSeed(seed).withTables(tables).withChanges(changes)
                        .withRecordsPerFile(min, min + extra).withSnapshotShare(snapshot)
                        .withPartialImageShare(partial).withNullShare(nulls));
        return Combinators.combine(base,
                share, share, share, share,
                Arbitraries.of(0.0, 0.1, 0.3), Arbitraries.of(0.0, 0.1, 0.2), Arbitraries.of(0.0, 0.05, 0.3))
                .as((spec, csv, headerless, gzip, flat, inserts, deletes, keyChanges) -> spec
                        .withFormatMix(csv, headerless, gzip).withFlatSnapshotShare(flat)
                        .withOperationMix(inserts, deletes, keyChanges))
                .flatMap(spec -> Arbitraries.of(0.0, 0.0, 0.05, 0.2).map(spec::withBadRecordShare))
                .flatMap(spec -> Arbitraries.of(0.0, 0.02, 0.2).map(spec::withReplayShare));
    }
}
