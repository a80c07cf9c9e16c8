package io.lagoa.config;

import java.util.Optional;

/**
 * How Lagoa reaches the storage the warehouse is on. A local folder needs nothing; an object store
 * needs its endpoint and credentials.
 *
 * @param s3 present exactly when the warehouse is an {@code s3://} or {@code s3a://} location
 */
public record StorageConfig(Optional<S3Config> s3) {
  public static StorageConfig local() {
    return new StorageConfig(Optional.empty());
  }
}
