package io.lagoa.spark.functions;

import java.util.Arrays;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.catalog.functions.ScalarFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A Lagoa SQL function bound to a number of string arguments (the builder casts other types to
 * string first), computed by the engine-neutral Java code in lagoa-core. Serializable, as Spark
 * ships it to tasks: fields hold only serializable settings.
 */
abstract class StringArgsFunction implements ScalarFunction<Object> {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final int arity;

  StringArgsFunction(String name, int arity) {
    this.name = name;
    this.arity = arity;
  }

  /** The result for the arguments (null for SQL NULL): a String, a byte[] or null. */
  abstract Object compute(String[] arguments);

  @Override
  public String name() {
    return name;
  }

  @Override
  public String canonicalName() {
    return "lagoa." + name;
  }

  @Override
  public DataType[] inputTypes() {
    DataType[] types = new DataType[arity];
    Arrays.fill(types, DataTypes.StringType);
    return types;
  }

  @Override
  public DataType resultType() {
    return DataTypes.StringType;
  }

  @Override
  public Object produceResult(InternalRow input) {
    String[] arguments = new String[arity];
    for (int i = 0; i < arity; i++) {
      arguments[i] = input.isNullAt(i) ? null : input.getUTF8String(i).toString();
    }
    Object result = compute(arguments);
    return result instanceof String text ? UTF8String.fromString(text) : result;
  }

  @Override
  public boolean equals(Object other) {
    return other != null
        && other.getClass() == getClass()
        && ((StringArgsFunction) other).arity == arity
        && ((StringArgsFunction) other).settings().equals(settings());
  }

  @Override
  public int hashCode() {
    return 31 * (31 * getClass().hashCode() + arity) + settings().hashCode();
  }

  /** What, besides the class and the arity, decides the result (for plan comparisons). */
  abstract Object settings();
}
