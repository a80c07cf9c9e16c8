package io.lagoa.spark.functions;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.errors.QueryCompilationErrors;
import org.apache.spark.sql.types.DataType;
import scala.collection.immutable.Map;
import scala.collection.immutable.Map$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The analysis errors of Lagoa's SQL functions, with Spark's own error conditions so that they read
 * and are translated like any other function's.
 */
final class FunctionErrors {
  private FunctionErrors() {}

  /**
   * {@code WRONG_NUM_ARGS}: {@code expected} as Spark words it, e.g. {@code "> 0"}, {@code "[1,
   * 2]"}.
   */
  static RuntimeException wrongCount(String function, String expected, int actual) {
    return unchecked(
        QueryCompilationErrors.wrongNumArgsError(
            function,
            CollectionConverters.asScala(java.util.List.<Object>of(expected)).toSeq(),
            actual,
            "",
            "",
            ""));
  }

  /** {@code UNEXPECTED_INPUT_TYPE}; {@code position} counts from 1. */
  static RuntimeException wrongType(
      String function, int position, DataType required, Expression argument) {
    return unchecked(
        QueryCompilationErrors.unexpectedInputDataTypeError(
            function, position, required, argument));
  }

  /** {@code NON_FOLDABLE_ARGUMENT}: an argument that must be a constant. */
  static RuntimeException notConstant(String function, String parameter, DataType type) {
    return unchecked(QueryCompilationErrors.nonFoldableArgumentError(function, parameter, type));
  }

  /** {@code INVALID_PARAMETER_VALUE}: a constant argument whose value is refused, and why. */
  static RuntimeException invalidValue(String function, String parameter, String reason) {
    java.util.Map<String, String> parameters = new java.util.LinkedHashMap<>();
    parameters.put("parameter", QueryCompilationErrors.toSQLId(parameter));
    parameters.put("functionName", QueryCompilationErrors.toSQLId(function));
    parameters.put("value", reason);
    Map<String, String> scalaParameters =
        Map$.MODULE$.from(CollectionConverters.asScala(parameters));
    return unchecked(new AnalysisException("INVALID_PARAMETER_VALUE.PATTERN", scalaParameters));
  }

  /**
   * Spark's analysis errors are checked exceptions in Java's eyes; function builders are Scala
   * functions, which may throw them, so they are rethrown as they are.
   */
  static RuntimeException unchecked(Throwable error) {
    return FunctionErrors.<RuntimeException>rethrow(error);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException rethrow(Throwable error) throws E {
    throw (E) error;
  }
}
