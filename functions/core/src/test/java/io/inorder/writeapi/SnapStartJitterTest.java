package io.inorder.writeapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The retry jitter under SnapStart. A snapshot is modelled by serializing the jitter source once and reading it back
 * twice: two containers restored from one snapshot start from byte-identical state, exactly as two deserialized copies
 * do. The model is checked against the bug it must catch ({@code java.util.Random} copies draw the same sleeps) before
 * it is applied to the source the client really uses. The end-to-end version runs two restored containers in the
 * local Lambda runtime (infra/local, LambdaRuntimeIT).
 */
class SnapStartJitterTest {

    @Test
    void snapshotCopiesOfAJavaUtilRandomDrawTheSameSleeps() throws Exception {
        RandomGenerator[] copies = snapshotCopies(new Random());
        assertThat(sleeps(copies[0])).isEqualTo(sleeps(copies[1]));
    }

    @Test
    void snapshotCopiesOfTheClientsJitterSourceDrawDifferentSleeps() throws Exception {
        RandomGenerator[] copies = snapshotCopies(WriteApiClient.jitterSource());
        assertThat(sleeps(copies[0])).isNotEqualTo(sleeps(copies[1]));
    }

    /** The first retries' sleeps, as the client's backoff draws them with the default base and cap. */
    private static List<Duration> sleeps(RandomGenerator random) {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), random);
        List<Duration> out = new ArrayList<>();
        for (int retry = 0; retry < 8; retry++) {
            out.add(backoff.next(retry, null));
        }
        return out;
    }

    private static RandomGenerator[] snapshotCopies(RandomGenerator source) throws IOException,
            ClassNotFoundException {
        assertThat(source).as("the jitter source must be snapshot-able to be modelled").isInstanceOf(Serializable.class);
        source.nextLong(); // used during init, as priming or an early call would
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(image)) {
            out.writeObject(source);
        }
        RandomGenerator[] copies = new RandomGenerator[2];
        for (int i = 0; i < copies.length; i++) {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(image.toByteArray()))) {
                copies[i] = (RandomGenerator) in.readObject();
            }
        }
        return copies;
    }
}
