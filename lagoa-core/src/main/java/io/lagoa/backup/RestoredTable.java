package io.lagoa.backup;

/** A table restored: how, what was copied for it, and the metadata file it is registered with. */
public record RestoredTable(
    PlannedRestore plan, long copiedFiles, long copiedBytes, String metadataFile) {}
