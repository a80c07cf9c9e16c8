package io.lagoa.backup;

import java.time.Duration;
import java.util.List;

/**
 * A backup that was written: its manifest, what was copied and what was found in earlier backups,
 * and the tables left out because they were dropped while the backup ran.
 */
public record BackupResult(
    BackupManifest manifest,
    long reusedFiles,
    long reusedBytes,
    Duration took,
    List<String> dropped) {}
