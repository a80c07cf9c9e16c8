package io.lagoa.spark.planning;

import java.util.function.Function;
import scala.PartialFunction;
import scala.runtime.AbstractPartialFunction;

/**
 * A Scala partial function for Spark's {@code transform} methods, from a Java function that gives
 * what it makes of a node, or null where it does not apply.
 */
final class PartialRewrite {
  private PartialRewrite() {}

  static <T> PartialFunction<T, T> of(Function<T, T> rewrite) {
    return new AbstractPartialFunction<>() {
      @Override
      public boolean isDefinedAt(T node) {
        return rewrite.apply(node) != null;
      }

      @Override
      public <A1 extends T, B1> B1 applyOrElse(A1 node, scala.Function1<A1, B1> otherwise) {
        T rewritten = rewrite.apply(node);
        if (rewritten == null) {
          return otherwise.apply(node);
        }
        @SuppressWarnings("unchecked") // B1 is T: Spark's transforms give back the node's type
        B1 result = (B1) rewritten;
        return result;
      }
    };
  }
}
