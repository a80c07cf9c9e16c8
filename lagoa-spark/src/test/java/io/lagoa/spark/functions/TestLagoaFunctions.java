package io.lagoa.spark.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.identity.normalize.DocumentNormalizer;
import io.lagoa.identity.normalize.EmailNormalizer;
import io.lagoa.identity.normalize.NameNormalizer;
import io.lagoa.identity.normalize.PersonHash;
import io.lagoa.identity.normalize.PhoneNormalizer;
import io.lagoa.result.QueryResult;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.SqlException;
import io.lagoa.testing.TestingWarehouse;
import io.lagoa.vault.HashStandard;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL functions against the core API they call, through the path {@code lagoa sql} takes. */
class TestLagoaFunctions {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static SparkSql sql;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    sql = new SparkSql(spark);
  }

  @AfterAll
  static void stop() {
    warehouse.close();
  }

  @Test
  void personHashIsDefinedWithNullInEveryPosition() {
    PersonHash person = PersonHash.standard();
    String[][] calls = {
      {"'João Silva'", "'joao@email.com'", "'11999999999'"},
      {"NULL", "'joao@email.com'", "'11999999999'"},
      {"'João Silva'", "NULL", "'11999999999'"},
      {"'João Silva'", "'joao@email.com'", "NULL"},
      {"NULL", "NULL", "'11999999999'"},
      {"NULL", "'joao@email.com'", "NULL"},
      {"'João Silva'", "NULL", "NULL"},
      {"NULL", "NULL", "NULL"},
    };
    for (String[] call : calls) {
      String value =
          (String) single("SELECT generate_person_hash(" + String.join(", ", call) + ")");
      assertThat(value)
          .as(Arrays.toString(call))
          .isEqualTo(person.of(literal(call[0]), literal(call[1]), literal(call[2])));
    }
    assertThat(single("SELECT generate_person_hash('João Silva', 'joao@email.com', '11999999999')"))
        .isEqualTo("BD629CF310F96EF25E7F9C83A845F72E");
    assertThat(single("SELECT generate_person_hash(NULL, NULL, NULL)")).isNull();
    // A BIGINT phone column and an explicit region.
    assertThat(single("SELECT generate_person_hash('João Silva', 'joao@email.com', 11999999999L)"))
        .isEqualTo("BD629CF310F96EF25E7F9C83A845F72E");
    assertThat(single("SELECT generate_person_hash('Ana', NULL, '912 345 678', 'PT')"))
        .isEqualTo(
            new PersonHash(HashStandard.DEFAULT, new PhoneNormalizer("PT"))
                .of("Ana", null, "912 345 678"));
  }

  @Test
  void hashKeysAndDiffsMatchTheCoreApi() {
    HashStandard standard = HashStandard.DEFAULT;
    assertThat(single("SELECT hash_key(' joão ', NULL)"))
        .isEqualTo(standard.hashKey(Arrays.asList("joão", null)))
        .isEqualTo("08F034F20E90FC3E84A482F05C6EF22E");
    assertThat(single("SELECT hash_key(1001, 'BR')")).isEqualTo("13B02F8289AA0381B5C3F623BAA5C080");
    assertThat(single("SELECT hash_key(NULL, '', '  ')")).isNull();
    assertThat(single("SELECT hash_diff('João da Silva', NULL, ' São Paulo ')"))
        .isEqualTo("349C7B33052DD0E08DDE09BFDF6FFEF3");
    assertThat(single("SELECT hash_diff(NULL, NULL)"))
        .isEqualTo("8DCFFD779E848FF7273B6CAEB4698D1E");
    assertThat(single("SELECT hash_key_using('lagoa-dv-v1-sha256', 'João')"))
        .isEqualTo(HashStandard.named("lagoa-dv-v1-sha256").hashKey(List.of("João")));
    assertThat((byte[]) single("SELECT hash_key_using('lagoa-dv-v1-md5-binary', 'João')"))
        .isEqualTo(HexFormat.of().parseHex("97ba81591615d92c83d8cf2b6028ef4d"));
    assertThat(sql.execute("SELECT hash_key('a', 'b')", 1).columns())
        .extracting("name")
        .containsExactly("hash_key(a, b)");
  }

  @Test
  void normalizersMatchTheCoreApiOnMessyRows() {
    String rows =
        "VALUES ('JOAO@Email.com ', '(11) 99999-9999', 'João  da Silva', '529.982.247-25'),"
            + " ('joao@', '+55 11 9 9999 9999', '  MARIA-luísa ', '52998224726'),"
            + " ('<ana@empresa.com.br>', 'abc', '123', '1234567890'),"
            + " (NULL, NULL, NULL, NULL) AS t(email, phone, name, cpf)";
    QueryResult result =
        sql.execute(
            "SELECT email, phone, name, cpf, normalize_email(email), normalize_phone(phone),"
                + " normalize_name(name), normalize_cpf(cpf), normalize_name_sorted(name),"
                + " normalize_phone(phone, 'BR') FROM "
                + rows,
            10);
    PhoneNormalizer phones = new PhoneNormalizer("BR");
    assertThat(result.rows()).hasSize(4);
    for (List<Object> row : result.rows()) {
      assertThat(row.get(4)).isEqualTo(EmailNormalizer.normalize((String) row.get(0)).orElse(null));
      assertThat(row.get(5)).isEqualTo(phones.toE164((String) row.get(1)).orElse(null));
      assertThat(row.get(6)).isEqualTo(NameNormalizer.normalize((String) row.get(2)).orElse(null));
      assertThat(row.get(7)).isEqualTo(DocumentNormalizer.cpf((String) row.get(3)).orElse(null));
      assertThat(row.get(8))
          .isEqualTo(NameNormalizer.normalizeTokensSorted((String) row.get(2)).orElse(null));
      assertThat(row.get(9)).isEqualTo(row.get(5));
    }
    assertThat(result.rows().get(0).subList(4, 8))
        .containsExactly("joao@email.com", "+5511999999999", "JOAO DA SILVA", "52998224725");
    assertThat(single("SELECT normalize_cnpj('12.ABC.345/01DE-35')")).isEqualTo("12ABC34501DE35");
    // A region per row: an unknown one gives NULL rather than failing the query.
    assertThat(
            sql.execute(
                    "SELECT normalize_phone(p, r) FROM VALUES ('912 345 678', 'PT'),"
                        + " ('912 345 678', 'XX') AS t(p, r)",
                    10)
                .rows())
        .containsExactly(List.of("+351912345678"), Arrays.asList((Object) null));
  }

  @Test
  void tasksComputeTheSameKeys() {
    // Two partitions, so the functions are serialized to tasks and run there.
    QueryResult result =
        sql.execute(
            "SELECT count(DISTINCT hash_key(name)), count(DISTINCT hash_key(id, name)),"
                + " max(hash_key(name)) FILTER (WHERE id = 7)"
                + " FROM (SELECT id, concat('Conceição ', id) AS name FROM range(0, 200, 1, 2))",
            1);
    assertThat(result.rows().get(0).subList(0, 2)).containsExactly(200L, 200L);
    assertThat(result.rows().get(0).get(2))
        .isEqualTo(HashStandard.DEFAULT.hashKey(List.of("CONCEICAO 7")));
  }

  @Test
  void everySessionHasTheFunctions() {
    assertThat(LagoaFunctions.names())
        .contains("hash_key", "generate_person_hash", "normalize_cpf");
    assertThat(spark.newSession().sql("SELECT hash_key('x')").first().getString(0))
        .isEqualTo(HashStandard.DEFAULT.hashKey(List.of("x")));
    assertThat(
            ((org.apache.spark.sql.classic.SparkSession) spark)
                .cloneSession()
                .sql("SELECT normalize_email(' A@B.CO ')")
                .first()
                .getString(0))
        .isEqualTo("a@b.co");
    assertThat(sql.execute("DESCRIBE FUNCTION hash_key", 10).rows().toString())
        .contains("lagoa-dv-v1");
  }

  @Test
  void wrongArgumentsAreRefusedWhenTheQueryIsAnalyzed() {
    assertThatThrownBy(() -> sql.execute("SELECT hash_key()", 1))
        .isInstanceOf(SqlException.class)
        .hasMessageContaining("WRONG_NUM_ARGS")
        .hasMessageContaining("`hash_key` requires > 0 parameters but the actual number is 0");
    assertThatThrownBy(() -> sql.execute("SELECT generate_person_hash('a', 'b')", 1))
        .hasMessageContaining("`generate_person_hash` requires [3, 4] parameters");
    assertThatThrownBy(() -> sql.execute("SELECT normalize_email('a', 'b')", 1))
        .hasMessageContaining("`normalize_email` requires 1 parameters");
    assertThatThrownBy(() -> sql.execute("SELECT hash_key('a', array(1, 2))", 1))
        .hasMessageContaining("UNEXPECTED_INPUT_TYPE")
        .hasMessageContaining("Parameter second of function `hash_key`")
        .hasMessageContaining("\"ARRAY<INT>\"");
    assertThatThrownBy(() -> sql.execute("SELECT normalize_phone('11 99999 9999', 'BRR')", 1))
        .hasMessageContaining("INVALID_PARAMETER_VALUE")
        .hasMessageContaining("region 'BRR'")
        .hasMessageContaining("did you mean 'BR'?");
    assertThatThrownBy(() -> sql.execute("SELECT hash_key_using('lagoa-dv-v2', 'x')", 1))
        .hasMessageContaining("Unknown hash standard 'lagoa-dv-v2' (did you mean 'lagoa-dv-v1'?)");
    assertThatThrownBy(
            () ->
                sql.execute("SELECT hash_key_using(s, 'x') FROM VALUES ('lagoa-dv-v1') AS t(s)", 1))
        .hasMessageContaining("NON_FOLDABLE_ARGUMENT");
  }

  private static Object single(String query) {
    return sql.execute(query, 1).rows().get(0).get(0);
  }

  private static String literal(String sqlLiteral) {
    return sqlLiteral.equals("NULL") ? null : sqlLiteral.substring(1, sqlLiteral.length() - 1);
  }
}
