package io.inorder.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inorder.emulator.Emulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The final state of a local run's collections, as one JSON object:
 * {@code {"<workspace>.<collection>": {"<_id>": {document without _id, _event_time, _meta}}}}, collections and ids
 * sorted so two runs that end in the same state dump the same bytes. Rockset's special fields are left out because
 * they are not part of the source data ({@code _event_time} is set once, at insert).
 */
final class StateDump {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StateDump() { }

    /** The dump as a tree. */
    static ObjectNode of(Emulator emulator, String workspace, Collection<String> collections) {
        ObjectNode root = JSON.createObjectNode();
        for (String collection : new java.util.TreeSet<>(collections)) {
            ObjectNode docs = root.putObject(workspace + "." + collection);
            Map<String, ObjectNode> sorted = new TreeMap<>(emulator.documents(workspace, collection));
            sorted.forEach((id, doc) -> {
                ObjectNode copy = doc.deepCopy();
                copy.remove("_id");
                copy.remove("_event_time");
                copy.remove("_meta");
                docs.set(id, copy);
            });
        }
        return root;
    }

    /** Writes the dump to {@code file} (replacing it). */
    static void write(Emulator emulator, String workspace, Collection<String> collections, Path file)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), of(emulator, workspace, collections));
    }
}
