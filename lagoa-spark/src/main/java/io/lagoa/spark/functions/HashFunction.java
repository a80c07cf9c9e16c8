package io.lagoa.spark.functions;

import io.lagoa.vault.HashStandard;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code hash_key} and {@code hash_diff}: {@link HashStandard#hashKey} and {@link
 * HashStandard#hashDiff}.
 */
final class HashFunction extends StringArgsFunction {
  private static final long serialVersionUID = 1L;

  private final HashStandard standard;
  private final boolean diff;

  HashFunction(String name, int arity, HashStandard standard, boolean diff) {
    super(name, arity);
    this.standard = standard;
    this.diff = diff;
  }

  @Override
  Object compute(String[] arguments) {
    List<String> parts = Arrays.asList(arguments);
    if (standard.encoding().isBinary()) {
      return diff ? standard.hashDiffBytes(parts) : standard.hashKeyBytes(parts);
    }
    return diff ? standard.hashDiff(parts) : standard.hashKey(parts);
  }

  @Override
  public DataType resultType() {
    return standard.encoding().isBinary() ? DataTypes.BinaryType : DataTypes.StringType;
  }

  @Override
  public boolean isResultNullable() {
    return !diff;
  }

  @Override
  Object settings() {
    return List.of(standard, diff);
  }
}
