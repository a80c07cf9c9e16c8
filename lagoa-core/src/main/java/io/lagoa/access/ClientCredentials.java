package io.lagoa.access;

import io.lagoa.config.Secret;

/**
 * What a new principal (or a rotated secret) is given, shown once: the store keeps only a salted
 * hash of the secret.
 *
 * @param clientId the principal's name, which is its OAuth client id
 */
public record ClientCredentials(String clientId, Secret clientSecret) {
  /** The {@code client_id:client_secret} pair a REST catalog client takes as its credential. */
  public Secret credential() {
    return new Secret(clientId + ":" + clientSecret.value());
  }
}
