/**
 * Seeded, realistic Arcion CDC workloads and their oracle, for the S3 ingestion property tests, the chaos suite,
 * {@code inorder demo} and the benchmarks.
 *
 * <p>{@link io.inorder.local.workload.Workload#generate} turns a {@link io.inorder.local.workload.WorkloadSpec} into
 * S3 files (one stream per source table, {@code <prefix><catalog.table>_<n>.json|.csv[.gz]}), the table config that
 * reads them, and the documents every collection must hold once each stream has been applied in suffix order. The
 * oracle is a plain in-order row model that shares no code with the readers or the mapper, so tests that compare the
 * two cross-check all three. {@link io.inorder.local.workload.WorkloadWriter} puts a workload on disk for the CLI.
 */
package io.inorder.local.workload;
