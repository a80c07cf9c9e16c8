package io.lagoa.spark.functions;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;

/**
 * Lagoa's SQL functions in a Spark session: {@code hash_key}, {@code hash_diff} (and their {@code
 * _using} forms for a named standard), {@code generate_person_hash}, {@code normalize_email},
 * {@code normalize_phone}, {@code normalize_name}, {@code normalize_name_sorted}, {@code
 * normalize_cpf}, {@code normalize_cnpj}. They run the same Java code as {@code io.lagoa.vault} and
 * {@code io.lagoa.identity.normalize}, so a value is the same in SQL, in pipeline writers and in
 * the identity engine. docs/datavault.md defines them.
 */
public final class LagoaFunctions {
  private LagoaFunctions() {}

  /** The functions' SQL names. */
  public static List<String> names() {
    return Arrays.stream(LagoaSqlFunction.values()).map(LagoaSqlFunction::sqlName).toList();
  }

  /**
   * Registers the functions in a session that does not have them yet ({@link
   * LagoaSessionExtensions} gives them to every session of a SparkContext Lagoa started; this is
   * for one started without it). Sessions cloned from it keep them.
   */
  public static void register(SparkSession session) {
    FunctionRegistry registry = session.sessionState().functionRegistry();
    for (LagoaSqlFunction function : LagoaSqlFunction.values()) {
      if (!registry.functionExists(function.identifier())) {
        registry.registerFunction(function.identifier(), function.info(), function.builder());
      }
    }
  }
}
