package io.inorder.arcion;

/**
 * What a record says about whether one of its row images holds every column of the row. Arcion's image formats
 * ({@code before-image-format} KEY or ALL, {@code after-image-format} UPDATED or ALL; defaults KEY and UPDATED,
 * applier-reference.md) decide it; only the formats with an {@code exists} map (S3 JSON, CSV triplets) say which one
 * was used, record by record.
 */
public enum Completeness {
    /** Every column is there: an insert or snapshot row, or an image whose EXISTS flags cover every column. */
    COMPLETE,
    /** Some columns are missing and the record says so (EXISTS flags), or there is no image at all. */
    PARTIAL,
    /**
     * The record cannot tell: NATIVE and JSON CDC carry no {@code exists} map, so an update's images may be whole rows
     * or only the key and the changed columns. The table config says which Arcion was set to write
     * ({@code afterImage}, {@code beforeImage}); the mapper never assumes more than it says.
     */
    UNSTATED
}
