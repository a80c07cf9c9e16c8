package io.lagoa.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one execution of a query did, as Spark's SQL metrics of the executed plan report it.
 *
 * @param filesRead data files the scans read (Iceberg's result data files)
 * @param filesSkipped data files the scans skipped using partition values and column statistics
 * @param bytesRead total size of the data files the scans read
 * @param rowsScanned rows the scans returned
 * @param shuffleBytes bytes written to shuffle files
 * @param rowsOut rows of the query's result
 */
public record QueryMetrics(
    @JsonProperty("files_read") long filesRead,
    @JsonProperty("files_skipped") long filesSkipped,
    @JsonProperty("bytes_read") long bytesRead,
    @JsonProperty("rows_scanned") long rowsScanned,
    @JsonProperty("shuffle_bytes") long shuffleBytes,
    @JsonProperty("rows_out") long rowsOut) {
  public static final QueryMetrics NONE = new QueryMetrics(0, 0, 0, 0, 0, 0);
}
