package io.lagoa.backup;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One file of a backed-up table: its path as the table's metadata names it, its size and the CRC32C
 * of its bytes as they were copied (hex). Files are immutable in Iceberg and carry unique names, so
 * the path identifies the content: a later backup that needs the same path reuses this copy.
 */
public record BackedUpFile(
    @JsonProperty("path") String path,
    @JsonProperty("kind") FileKind kind,
    @JsonProperty("size") long size,
    @JsonProperty("crc32c") String crc32c) {}
