/**
 * Readers for every Arcion Replicant output shape (reference: {@code arcion-cdc-formats.md}), streaming one
 * {@link io.inorder.arcion.ReadResult} at a time from an {@code InputStream}: a
 * {@link io.inorder.arcion.ChangeEvent}, or a {@link io.inorder.arcion.BadRecord} with its origin, reason and raw
 * bytes (first 64 KiB). Entry points: {@link io.inorder.arcion.ArcionReaders#open} for files and S3 objects,
 * {@link io.inorder.arcion.ArcionReaders#readKafkaValue} for one Kafka record.
 *
 * <h2>Shapes</h2>
 * <ul>
 *   <li>Gzip is recognised by its magic bytes {@code 1f 8b} (concatenated members read as one stream). Byte offsets
 *       in origins count decompressed bytes.</li>
 *   <li>{@code AUTO}: first byte other than blank <code>{</code> means JSON, anything else CSV (an input of blanks only
 *       is empty). Then, per JSON object: a {@code payload} object or {@code null} is JSON CDC (a null payload is a
 *       tombstone, and so is the string {@code "default"}, which Arcion's JSON CDC page described as the tombstone
 *       value until April 2023); {@code op} together with a {@code source} object is a bare JSON CDC payload; an {@code opType}
 *       is an Arcion envelope (NATIVE or S3 JSON); anything else is a flat snapshot row.</li>
 *   <li>Table: {@code catalog.schema.name} from {@code tableName} (JSON CDC: {@code source.db.schema.table}), null
 *       parts left out; {@code null} for flat rows and CSV, which the caller resolves from the topic or file.</li>
 *   <li>Ops: {@code opType} I, U, D and JSON CDC c, u, d map to INSERT, UPDATE, DELETE; JSON CDC r, flat rows and CSV
 *       snapshot lines to SNAPSHOT_ROW. Any other letter is a BadRecord, never a skip.</li>
 *   <li>Values follow {@link io.inorder.arcion.Row}: SQL NULL is {@code null}, text a {@code String}, other JSON
 *       (numbers, booleans, objects, arrays) a {@code JsonNode}; numbers keep their exact decimal value.</li>
 *   <li>With an {@code exists} map (S3 JSON) the map is the authority: {@code before} holds the columns marked 2 or
 *       3, {@code after} those marked 1 or 3, the string {@code "null"} in a present column is SQL NULL, columns not
 *       marked present (or not listed) are left out, and an image is {@link io.inorder.arcion.Completeness#COMPLETE}
 *       only when every listed column is in it. Without one (NATIVE, JSON CDC) images are taken as given and an
 *       update's images are {@link io.inorder.arcion.Completeness#UNSTATED}: Arcion's image formats, mirrored in the
 *       table config, decide what they hold. JSON {@code null} is SQL NULL and {@code "null"} is the text "null" -
 *       unless the format is forced to {@code S3_JSON}, where {@code "null"} always means SQL NULL. JSON CDC
 *       {@code {}} images are absent ({@code null}).</li>
 *   <li>Position: a NATIVE cursor object as compact JSON text; an S3 JSON or CSV cursor string verbatim; JSON CDC the
 *       {@code source} block without its synthesized {@code query}. {@code sourceTimeMillis} is the cursor's
 *       top-level {@code timestamp} (JSON CDC {@code source.ts_ms}), -1 when absent: informative, never an order
 *       key.</li>
 * </ul>
 *
 * <h2>Records, framing and recovery</h2>
 * Records are numbered from 0 in input order, good or bad alike, so a file can be resumed by skipping N records; a
 * CSV header and blank JSON lines are not records. JSON may be concatenated or newline-delimited (see
 * {@code JsonFileReader} for the resynchronization rules); CSV is RFC 4180 with configurable delimiter, quote and
 * escape (see {@code CsvFileReader}). A record larger than {@code maxRecordBytes} is a BadRecord and reading goes on
 * after it. Damaged gzip ends the input with one BadRecord; a failing transport (any other {@code IOException})
 * propagates so the caller retries the whole input.
 *
 * <p>Memory: a 64 KiB window plus the current record; nothing else grows with the input.
 */
package io.inorder.arcion;
