package io.lagoa.config;

import java.util.Optional;

/**
 * Access to an S3-compatible object store, resolved from the {@code storage.s3.*} keys.
 *
 * @param endpoint the S3 API URL of a store other than AWS S3; empty for AWS
 * @param region resolved: set when configured or when an endpoint is set; empty leaves it to the
 *     AWS default lookup (AWS_REGION, the AWS profile)
 * @param pathStyleAccess resolved: defaults to true exactly when an endpoint is set
 * @param accessKeyId empty means the AWS default credentials (environment, profile, role)
 */
public record S3Config(
    Optional<String> endpoint,
    Optional<String> region,
    boolean pathStyleAccess,
    Optional<String> accessKeyId,
    Optional<Secret> secretAccessKey,
    Optional<Secret> sessionToken) {

  /** The region S3-compatible stores accept when none is configured. */
  public static final String DEFAULT_COMPATIBLE_REGION = "us-east-1";

  /** Whether credentials come from the AWS default chain instead of the configuration. */
  public boolean defaultCredentials() {
    return accessKeyId.isEmpty();
  }
}
