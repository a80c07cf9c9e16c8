package io.lagoa.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;

/** Turns Spark row values into the plain Java values {@link io.lagoa.result.QueryResult} holds. */
final class SparkValues {
  private SparkValues() {}

  static Object toJava(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    if (type instanceof StructType struct && value instanceof Row row) {
      Map<String, Object> fields = new LinkedHashMap<>();
      StructField[] structFields = struct.fields();
      for (int i = 0; i < structFields.length; i++) {
        fields.put(structFields[i].name(), toJava(row.get(i), structFields[i].dataType()));
      }
      return fields;
    }
    if (type instanceof ArrayType array && value instanceof scala.collection.Iterable<?> items) {
      List<Object> list = new ArrayList<>();
      Iterator<?> iterator = items.iterator();
      while (iterator.hasNext()) {
        list.add(toJava(iterator.next(), array.elementType()));
      }
      return list;
    }
    if (type instanceof MapType mapType && value instanceof scala.collection.Map<?, ?> map) {
      Map<Object, Object> result = new LinkedHashMap<>();
      Iterator<? extends scala.Tuple2<?, ?>> iterator = map.iterator();
      while (iterator.hasNext()) {
        scala.Tuple2<?, ?> entry = iterator.next();
        result.put(toJava(entry._1(), mapType.keyType()), toJava(entry._2(), mapType.valueType()));
      }
      return result;
    }
    return value;
  }
}
