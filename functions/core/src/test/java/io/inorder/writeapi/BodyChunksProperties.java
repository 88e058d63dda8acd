package io.inorder.writeapi;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BodyChunksProperties {

    @Property(tries = 200)
    void chunksCarryTheBodyBytesInOrderInFullChunksButTheLast(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 40_000) Integer> partSizes) {
        List<byte[]> parts = new ArrayList<>();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int next = 0;
        for (int size : partSizes) {
            byte[] p = new byte[size];
            for (int i = 0; i < size; i++) {
                p[i] = (byte) next++;
            }
            parts.add(p);
            expected.writeBytes(p);
        }
        BodyChunks body = new BodyChunks(parts);

        for (int pass = 0; pass < 2; pass++) {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            List<byte[]> chunks = new ArrayList<>();
            body.forEach(chunks::add);
            chunks.forEach(sent::writeBytes);
            assertThat(sent.toByteArray()).as("pass %d: a retry sends the same bytes", pass)
                    .isEqualTo(expected.toByteArray());
            for (int i = 0; i < chunks.size(); i++) {
                assertThat(chunks.get(i).length).isPositive();
                if (i < chunks.size() - 1) {
                    assertThat(chunks.get(i)).hasSize(BodyChunks.CHUNK);
                }
            }
        }
    }
}
