package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.S3Config;
import io.lagoa.config.Secret;
import java.net.ConnectException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the user reads when the warehouse's object store cannot be reached. */
class TestStorageErrors {
  private static final S3Config AWS =
      new S3Config(
          Optional.empty(),
          Optional.empty(),
          false,
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
  private static final S3Config MINIO =
      new S3Config(
          Optional.of("http://minio:9000"),
          Optional.of("us-east-1"),
          true,
          Optional.of("id"),
          Optional.of(new Secret("key")),
          Optional.empty());

  @Test
  void shortensTheSdksProviderChainMessages() {
    RuntimeException region =
        new IllegalStateException(
            "Unable to load region from any of the providers in the chain"
                + " software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain@4455f57d:"
                + " [...]");
    assertThat(LagoaCatalogs.storageMessage(region))
        .isEqualTo(
            "no AWS region found (looked at AWS_REGION, the AWS profile and the EC2 instance"
                + " metadata)");
    assertThat(LagoaCatalogs.storageHint(region, AWS))
        .isEqualTo(". Set storage.s3.region (or AWS_REGION) to the bucket's region");

    RuntimeException credentials =
        new IllegalStateException(
            "Unable to load credentials from any of the providers in the chain AwsCredentials@1");
    assertThat(LagoaCatalogs.storageMessage(credentials)).startsWith("no AWS credentials found");
    assertThat(LagoaCatalogs.storageHint(credentials, AWS))
        .contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void hintsFollowTheS3Status() {
    RuntimeException forbidden =
        new RuntimeException("Access Denied (Service: S3, Status Code: 403, Request ID: 1)");
    assertThat(LagoaCatalogs.storageHint(forbidden, MINIO))
        .isEqualTo(
            ". Check storage.s3.access-key-id and storage.s3.secret-access-key, and that they may"
                + " list and write the bucket");
    assertThat(LagoaCatalogs.storageHint(forbidden, AWS))
        .contains("the AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE)");
    assertThat(
            LagoaCatalogs.storageHint(
                new RuntimeException("PermanentRedirect (Status Code: 301)"), AWS))
        .contains("set storage.s3.region");
    assertThat(
            LagoaCatalogs.storageHint(
                new RuntimeException("Unable to execute HTTP request", new ConnectException()),
                MINIO))
        .isEqualTo(". Check that the server is running and storage.s3.endpoint is right");
    assertThat(LagoaCatalogs.storageHint(new RuntimeException("something else"), MINIO)).isEmpty();
  }
}
