package io.lagoa.spark.functions;

import io.lagoa.identity.normalize.PersonHash;
import io.lagoa.identity.normalize.PhoneNormalizer;
import io.lagoa.vault.HashStandard;

/** {@code generate_person_hash(nome, email, telefone [, region])}: {@link PersonHash}. */
final class PersonHashFunction extends StringArgsFunction {
  private static final long serialVersionUID = 1L;

  private final PersonHash person;

  /**
   * @param arity 3, or 4 when the region is given (a constant, already read into {@code region})
   */
  PersonHashFunction(String name, int arity, String region) {
    super(name, arity);
    this.person = new PersonHash(HashStandard.DEFAULT, new PhoneNormalizer(region));
  }

  @Override
  Object compute(String[] arguments) {
    return person.of(arguments[0], arguments[1], arguments[2]);
  }

  @Override
  Object settings() {
    return person.phones().defaultRegion();
  }
}
