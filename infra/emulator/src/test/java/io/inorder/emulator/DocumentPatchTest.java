package io.inorder.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** JSON Patch as RFC 6902 defines it (cases from its appendix A), plus INCREMENT. */
class DocumentPatchTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static String patch(String document, String operations) throws Exception {
        return DocumentPatch.apply((ObjectNode) JSON.readTree(document), (ArrayNode) JSON.readTree(operations)).toString();
    }

    @Test
    void addInsertsIntoArraysBeforeTheIndexAndAppendsWithDash() throws Exception {
        assertThat(patch("{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]"))
                .isEqualTo("{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
        assertThat(patch("{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\"]}]"))
                .isEqualTo("{\"foo\":[\"bar\",[\"abc\"]]}");
    }

    @Test
    void removeAndReplaceNeedAnExistingTarget() throws Exception {
        assertThat(patch("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]"))
                .isEqualTo("{\"foo\":[\"bar\",\"baz\"]}");
        assertThatThrownBy(() -> patch("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]"))
                .isInstanceOf(DocumentPatch.Failure.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> patch("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]"))
                .isInstanceOf(DocumentPatch.Failure.class).hasMessageContaining("out of bounds");
    }

    @Test
    void addToAMissingParentFails() {
        assertThatThrownBy(() -> patch("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]"))
                .isInstanceOf(DocumentPatch.Failure.class);
    }

    @Test
    void moveAndCopyTakeFromAnotherPointer() throws Exception {
        assertThat(patch("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
                "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]"))
                .isEqualTo("{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}");
        assertThat(patch("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}", "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]"))
                .isEqualTo("{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
        assertThat(patch("{\"a\":{\"b\":1}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"},{\"op\":\"replace\",\"path\":\"/c/b\",\"value\":2}]"))
                .isEqualTo("{\"a\":{\"b\":1},\"c\":{\"b\":2}}");
        assertThatThrownBy(() -> patch("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]"))
                .isInstanceOf(DocumentPatch.Failure.class);
    }

    @Test
    void testComparesJsonValuesNotTheirSpelling() throws Exception {
        String document = "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"],\"o\":{\"x\":1,\"y\":[1.0]}}";
        assertThat(patch(document, "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
                + "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2.0},"
                + "{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"y\":[1],\"x\":1}}]")).isEqualTo(document);
        assertThatThrownBy(() -> patch("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]"))
                .isInstanceOf(DocumentPatch.Failure.class).hasMessageContaining("test failed");
    }

    @Test
    void pointerEscapesSelectKeysWithSlashAndTilde() throws Exception {
        assertThat(patch("{\"a/b\":1,\"m~n\":2}", "[{\"op\":\"replace\",\"path\":\"/a~1b\",\"value\":3},"
                + "{\"op\":\"remove\",\"path\":\"/m~0n\"}]")).isEqualTo("{\"a/b\":3}");
        assertThatThrownBy(() -> patch("{}", "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":1}]"))
                .isInstanceOf(DocumentPatch.Failure.class);
        assertThatThrownBy(() -> patch("{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]"))
                .isInstanceOf(DocumentPatch.Failure.class);
    }

    @Test
    void aFailingOperationLeavesTheInputUntouched() throws Exception {
        ObjectNode document = (ObjectNode) JSON.readTree("{\"n\":1}");
        ArrayNode operations = (ArrayNode) JSON.readTree(
                "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2},{\"op\":\"test\",\"path\":\"/n\",\"value\":1}]");

        assertThatThrownBy(() -> DocumentPatch.apply(document, operations)).isInstanceOf(DocumentPatch.Failure.class)
                .hasMessageContaining("Patch operation 1 (test /n)");
        assertThat(document.toString()).isEqualTo("{\"n\":1}");
    }

    @Test
    void incrementAddsKeepingIntegersIntegralAndRejectsNonNumbers() throws Exception {
        assertThat(patch("{\"n\":9223372036854775807}", "[{\"op\":\"INCREMENT\",\"path\":\"/n\",\"value\":1}]"))
                .isEqualTo("{\"n\":9223372036854775808}");
        assertThat(patch("{\"n\":-3}", "[{\"op\":\"increment\",\"path\":\"/n\",\"value\":-2}]")).isEqualTo("{\"n\":-5}");
        assertThat(patch("{\"a\":[1,2]}", "[{\"op\":\"increment\",\"path\":\"/a/1\",\"value\":0.5}]")).isEqualTo("{\"a\":[1,2.5]}");
        assertThatThrownBy(() -> patch("{\"n\":\"x\"}", "[{\"op\":\"increment\",\"path\":\"/n\",\"value\":1}]"))
                .isInstanceOf(DocumentPatch.Failure.class);
        assertThatThrownBy(() -> patch("{\"n\":1}", "[{\"op\":\"increment\",\"path\":\"/n\",\"value\":\"1\"}]"))
                .isInstanceOf(DocumentPatch.Failure.class);
    }

    @Test
    void theIdAndTheRootCannotBePatched() {
        for (String operations : new String[] {"[{\"op\":\"replace\",\"path\":\"/_id\",\"value\":\"b\"}]",
                "[{\"op\":\"remove\",\"path\":\"\"}]", "[{\"op\":\"move\",\"from\":\"/_id\",\"path\":\"/x\"}]"}) {
            assertThatThrownBy(() -> patch("{\"_id\":\"a\"}", operations), operations).isInstanceOf(DocumentPatch.Failure.class);
        }
    }
}
