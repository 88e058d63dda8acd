package io.inorder.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestBoundTest {

    private static final long MIB10 = 10_485_760;

    @Test
    void boundIsTheLargerOfTheByteAndTheDocumentCeilings() {
        assertThat(new RequestBound(200_000L * 1_024, 200_000, MIB10, 20_000).requests()).isEqualTo(20);
        assertThat(new RequestBound(400_000L * 200, 400_000, MIB10, 20_000).requests()).isEqualTo(20);
        assertThat(new RequestBound(MIB10, 1, MIB10, 20_000).requests()).isEqualTo(1);
        assertThat(new RequestBound(MIB10 + 1, 1, MIB10, 20_000).requests()).isEqualTo(2);
        assertThat(new RequestBound(0, 0, MIB10, 20_000).requests()).isZero();
    }

    @Test
    void boundRefusesLimitsBelowOne() {
        assertThatThrownBy(() -> new RequestBound(1, 1, 0, 1)).hasMessageContaining("limits must be positive");
    }

    @Test
    void fixedBatcherCutsAtItsDocumentCountAndFramesEachBody() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestFramer batcher = new RequestFramer(out, MIB10, 3);
        for (int i = 0; i < 7; i++) {
            batcher.add(("{\"_id\":\"" + i + "\"}").getBytes());
        }

        assertThat(batcher.finish()).isEqualTo(3);
        assertThat(out.toString()).isEqualTo("{\"data\":[{\"_id\":\"0\"},{\"_id\":\"1\"},{\"_id\":\"2\"}]}"
                + "{\"data\":[{\"_id\":\"3\"},{\"_id\":\"4\"},{\"_id\":\"5\"}]}{\"data\":[{\"_id\":\"6\"}]}");
    }

    @Test
    void fixedBatcherAlsoCutsWhereTheNextItemWouldCrossTheByteLimit() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Body = 11 bytes of framing + items + commas: two 40-byte items fit in 92, a third does not.
        RequestFramer batcher = new RequestFramer(out, 92, 1_000);
        byte[] item = ("\"" + "x".repeat(38) + "\"").getBytes();
        for (int i = 0; i < 5; i++) {
            batcher.add(item);
        }

        assertThat(batcher.finish()).isEqualTo(3);
        for (String body : out.toString().split("(?<=]})")) {
            assertThat(body.length()).isLessThanOrEqualTo(92);
        }
    }
}
