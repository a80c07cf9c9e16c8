package io.lagoa.config;

import java.util.Optional;

/**
 * How Lagoa reaches object storage: the warehouse when it is on S3, and the {@code s3://} folders
 * pipelines read (landing folders), which may be on S3 while the warehouse is a local folder.
 *
 * @param s3 present when the warehouse is an {@code s3://} or {@code s3a://} location, or when any
 *     {@code storage.s3.*} key is set; empty leaves S3 folders to the AWS SDK defaults
 */
public record StorageConfig(Optional<S3Config> s3) {
  public static StorageConfig local() {
    return new StorageConfig(Optional.empty());
  }
}
