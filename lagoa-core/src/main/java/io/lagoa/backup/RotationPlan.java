package io.lagoa.backup;

import java.util.List;
import java.util.Map;

/**
 * What rotation keeps and removes. A file is deleted only when no kept backup's manifest names it
 * (files are shared between incremental backups).
 *
 * @param kept id to why it is kept, newest first
 * @param removed ids of the backups removed, oldest first
 * @param files copies of files only removed backups needed
 */
public record RotationPlan(
    Map<String, String> kept, List<String> removed, List<String> files, long bytes) {}
