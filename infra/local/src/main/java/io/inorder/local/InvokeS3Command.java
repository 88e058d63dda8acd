package io.inorder.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code inorder invoke s3 EVENT.json}: delivers one S3 event file (e.g. {@code events/s3-put.json}) to the real S3
 * function on the embedded local stack, after uploading the files it names from {@code --files DIR}, and waits until
 * the pipeline is idle (continuations and Lambda-style retries included).
 */
final class InvokeS3Command {

    static final String USAGE = """
            usage: inorder invoke s3 EVENT.json --config tables.json [--files DIR] [--dump OUT.json] [--verbose]
              EVENT.json       an S3 notification event, as S3 sends it (see events/)
              --config FILE    the table config (workspace, tables, primary keys)
              --files DIR      files to upload first, each under its path relative to DIR, into every bucket the
                               event names; the event's records then get the uploaded objects' eTag and size
              --dump OUT.json  write the final collections: {"<ws>.<collection>": {"<_id>": {document}}}
              --verbose        the function's INFO logs on stderr (default: WARN and above)
            Exit 0 when every file was applied, 3 when streams wait on a missing file (named in the summary),
            1 when the invocation failed even after Lambda's two retries, 2 on usage or config errors.""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

    private InvokeS3Command() { }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options o = Options.parse(args, Set.of("--config", "--files", "--dump"), Set.of("--verbose"), USAGE);
        if (o.flag("--help")) {
            out.println(USAGE);
            return 0;
        }
        if (o.positional().size() > 1) {
            throw new UsageException("one event file only, got also " + o.positional().get(1) + "\n" + USAGE);
        }
        if (o.positional().isEmpty()) {
            throw new UsageException("no EVENT.json\n" + USAGE);
        }
        Path eventFile = Path.of(o.positional().get(0));
        Path configFile = Path.of(o.required("--config", USAGE));
        Path files = o.value("--files").map(Path::of).orElse(null);
        Path dump = o.value("--dump").map(Path::of).orElse(null);
        boolean verbose = o.flag("--verbose");
        if (files != null && !Files.isDirectory(files)) {
            throw new UsageException("--files " + files + ": not a directory");
        }
        ObjectNode event = readEvent(eventFile);
        String configText = ReplayCommand.readConfig(configFile);

        try (LocalStack stack = LocalStack.start();
             LocalS3Function function = ReplayCommand.deploy(stack, configText, configFile, err, verbose)) {
            if (files != null) {
                matchUploads(event, files, function, err);
            } else {
                err.println("inorder invoke s3: no --files: the objects the event names do not exist in the local "
                        + "S3, so applying them fails; pass --files DIR with the files under their keys");
            }
            function.deliver(event.toString());
            function.awaitIdle(IDLE_TIMEOUT);
            for (String response : function.responses()) {
                out.println("response:     " + response);
            }
            LocalS3Function.Summary summary = function.summary();
            String workspace = function.config().tables().workspace();
            RunReport.print(summary, stack.emulator(), workspace, function.collections(), out);
            if (dump != null) {
                StateDump.write(stack.emulator(), workspace, function.collections(), dump);
                out.println("dump:         " + dump);
            }
            return RunReport.exitCode(summary, "invoke s3", err);
        }
    }

    private static ObjectNode readEvent(Path eventFile) throws UsageException, IOException {
        if (!Files.isRegularFile(eventFile)) {
            throw new UsageException(eventFile + ": no such event file");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(eventFile.toFile());
        } catch (IOException e) {
            throw new UsageException(eventFile + ": not valid JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject() || !tree.path("Records").isArray()) {
            throw new UsageException(eventFile + ": not an S3 event: expected {\"Records\": [...]}");
        }
        return (ObjectNode) tree;
    }

    /**
     * Uploads the files into every bucket the event names and gives each record the eTag and size of its uploaded
     * object: sample events carry placeholder eTags, and the function reads objects with {@code If-Match} on the
     * notified eTag.
     */
    private static void matchUploads(ObjectNode event, Path files, LocalS3Function function, PrintStream err)
            throws IOException {
        Set<String> buckets = new LinkedHashSet<>();
        for (JsonNode r : event.path("Records")) {
            buckets.add(r.path("s3").path("bucket").path("name").asText(LocalS3Function.LANDING_BUCKET));
        }
        Map<String, LocalS3Function.Uploaded> uploaded = new HashMap<>();
        for (String bucket : buckets) {
            for (LocalS3Function.Uploaded u : function.uploadAll(bucket, files)) {
                uploaded.put(bucket + "/" + u.key(), u);
            }
        }
        int matched = 0;
        int records = 0;
        for (JsonNode r : event.path("Records")) {
            records++;
            String bucket = r.path("s3").path("bucket").path("name").asText();
            ObjectNode object = (ObjectNode) r.path("s3").path("object");
            String key = URLDecoder.decode(object.path("key").asText(), StandardCharsets.UTF_8);
            LocalS3Function.Uploaded u = uploaded.get(bucket + "/" + key);
            if (u == null) {
                err.println("inorder invoke s3: no file " + files.resolve(key) + " for the record of s3://" + bucket
                        + "/" + key + "; reading that object will fail");
                continue;
            }
            object.put("eTag", u.eTag());
            object.put("size", u.size());
            matched++;
        }
        err.println("inorder invoke s3: uploaded " + uploaded.size() + " object(s) from " + files + "; set eTag and "
                + "size of " + matched + " of " + records + " record(s) to the uploaded objects' (sample events "
                + "carry placeholder values)");
    }
}
