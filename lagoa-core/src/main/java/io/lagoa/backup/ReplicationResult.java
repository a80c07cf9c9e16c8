package io.lagoa.backup;

import java.time.Duration;
import java.util.List;

/**
 * One replication pass: each table's lag after it, how many files were copied (data and equality
 * deletes as they are) or rewritten (metadata, manifest lists, manifests, position deletes, with
 * paths of the replica), and how many tables advanced.
 */
public record ReplicationResult(
    List<TableLag> tables,
    int advanced,
    long copiedFiles,
    long copiedBytes,
    long rewrittenFiles,
    Duration took) {}
