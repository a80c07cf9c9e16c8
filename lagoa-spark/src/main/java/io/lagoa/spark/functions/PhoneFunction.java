package io.lagoa.spark.functions;

import io.lagoa.identity.normalize.PhoneNormalizer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code normalize_phone(s [, region])}: {@link PhoneNormalizer#toE164}. A constant region was
 * checked when the query was analyzed; a region from a column is read per row, and a row whose
 * region libphonenumber does not know gives NULL.
 */
final class PhoneFunction extends StringArgsFunction {
  private static final long serialVersionUID = 1L;

  /** The constant region, or null when the second argument is a column. */
  private final String fixedRegion;

  /** Normalizers per region seen in this task's rows (empty for unknown regions). */
  private transient Map<String, Optional<PhoneNormalizer>> byRegion;

  PhoneFunction(String name, int arity, String fixedRegion) {
    super(name, arity);
    this.fixedRegion = fixedRegion;
  }

  @Override
  Object compute(String[] arguments) {
    String region = fixedRegion != null ? fixedRegion : arguments[1];
    if (region == null) {
      return null;
    }
    if (byRegion == null) {
      byRegion = new ConcurrentHashMap<>();
    }
    return byRegion
        .computeIfAbsent(
            region,
            key ->
                PhoneNormalizer.isKnownRegion(key)
                    ? Optional.of(new PhoneNormalizer(key))
                    : Optional.empty())
        .flatMap(phones -> phones.toE164(arguments[0]))
        .orElse(null);
  }

  @Override
  Object settings() {
    return String.valueOf(fixedRegion);
  }
}
