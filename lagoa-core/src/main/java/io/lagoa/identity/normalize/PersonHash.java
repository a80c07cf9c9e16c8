package io.lagoa.identity.normalize;

import io.lagoa.vault.HashStandard;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Optional;

/**
 * The person hash key of the SQL function {@code generate_person_hash(nome, email, telefone)}: a
 * {@link HashStandard} hash key of three parts, in this order, each normalized first and null when
 * its normalizer finds nothing: {@link NameNormalizer#normalize}, {@link EmailNormalizer#normalize}
 * and {@link PhoneNormalizer#toE164}. Null when all three are null.
 *
 * <p>For the default standard and region BR, {@code ('João Silva', 'joao@email.com',
 * '11999999999')} hashes {@code JOAO SILVA||JOAO@EMAIL.COM||+5511999999999} with MD5.
 */
public final class PersonHash implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The phone region of {@code generate_person_hash} with three arguments. */
  public static final String DEFAULT_REGION = "BR";

  private final HashStandard standard;
  private final PhoneNormalizer phones;

  public PersonHash(HashStandard standard, PhoneNormalizer phones) {
    this.standard = standard;
    this.phones = phones;
  }

  /** The default standard, phone numbers without a country code read as Brazilian. */
  public static PersonHash standard() {
    return new PersonHash(HashStandard.DEFAULT, new PhoneNormalizer(DEFAULT_REGION));
  }

  public HashStandard hashStandard() {
    return standard;
  }

  public PhoneNormalizer phones() {
    return phones;
  }

  /** The person hash key, or null when name, e-mail and phone all normalize to nothing. */
  public String of(String name, String email, String phone) {
    return standard.hashKey(
        Arrays.asList(
            NameNormalizer.normalize(name).orElse(null),
            EmailNormalizer.normalize(email).orElse(null),
            phones.toE164(phone).orElse(null)));
  }

  /** The text that is hashed, for checking a key by hand; empty when the key is null. */
  public Optional<String> input(String name, String email, String phone) {
    return standard.hashKeyInput(
        Arrays.asList(
            NameNormalizer.normalize(name).orElse(null),
            EmailNormalizer.normalize(email).orElse(null),
            phones.toE164(phone).orElse(null)));
  }
}
