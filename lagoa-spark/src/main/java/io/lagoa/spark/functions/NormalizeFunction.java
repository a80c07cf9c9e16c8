package io.lagoa.spark.functions;

import io.lagoa.identity.normalize.DocumentNormalizer;
import io.lagoa.identity.normalize.EmailNormalizer;
import io.lagoa.identity.normalize.NameNormalizer;
import java.util.Optional;

/**
 * The one-argument normalizers: e-mail, name, CPF, CNPJ; NULL when the normalizer finds nothing.
 */
final class NormalizeFunction extends StringArgsFunction {
  private static final long serialVersionUID = 1L;

  /** Which normalizer; an enum, so that the function stays serializable. */
  enum Kind {
    EMAIL,
    NAME,
    NAME_TOKENS_SORTED,
    CPF,
    CNPJ
  }

  private final Kind kind;

  NormalizeFunction(String name, Kind kind) {
    super(name, 1);
    this.kind = kind;
  }

  @Override
  Object compute(String[] arguments) {
    String raw = arguments[0];
    Optional<String> normalized =
        switch (kind) {
          case EMAIL -> EmailNormalizer.normalize(raw);
          case NAME -> NameNormalizer.normalize(raw);
          case NAME_TOKENS_SORTED -> NameNormalizer.normalizeTokensSorted(raw);
          case CPF -> DocumentNormalizer.cpf(raw);
          case CNPJ -> DocumentNormalizer.cnpj(raw);
        };
    return normalized.orElse(null);
  }

  @Override
  Object settings() {
    return kind;
  }
}
