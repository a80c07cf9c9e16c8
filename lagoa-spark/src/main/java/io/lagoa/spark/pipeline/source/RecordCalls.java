package io.lagoa.spark.pipeline.source;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.objects.Invoke;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.AbstractDataType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A column that calls {@code function.invoke(UTF8String)} on each record's text from Spark's
 * generated code: the record's parsing ({@link JsonColumns}) and rescued fields ({@link
 * RescuedFields}). The function is serialized into the plan, so tasks get their own copy.
 */
final class RecordCalls {
  private RecordCalls() {}

  /**
   * @param value a STRING or BINARY column holding the record's text
   * @param resultType what {@code invoke} returns; a null record gives null without a call
   */
  static Column onText(Object function, DataType resultType, Column value) {
    Expression text = ExpressionUtils.expression(value.cast(DataTypes.StringType));
    Invoke invoke =
        new Invoke(
            Literal.fromObject(function),
            "invoke",
            resultType,
            CollectionConverters.asScala(List.of(text)).toSeq(),
            CollectionConverters.asScala(List.<AbstractDataType>of()).toSeq(),
            true, // propagateNull: no record, no call
            true,
            true);
    return ExpressionUtils.column(invoke);
  }
}
