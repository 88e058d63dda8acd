package io.inorder.arcion;

/** What a reader yields for each input record: a {@link ChangeEvent}, or a {@link BadRecord} when it is malformed. */
public sealed interface ReadResult permits ChangeEvent, BadRecord {

    /** Where the record came from. */
    Origin origin();
}
