package io.lagoa.spark.functions;

import io.lagoa.error.LagoaException;
import io.lagoa.identity.normalize.PersonHash;
import io.lagoa.identity.normalize.PhoneNormalizer;
import io.lagoa.vault.HashStandard;
import java.util.List;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.ApplyFunctionExpression;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * Lagoa's SQL functions: name, how many arguments, what DESCRIBE FUNCTION says, and how a call is
 * bound. A call becomes Spark's {@link ApplyFunctionExpression} over the function's Java code, with
 * every argument cast to STRING (a BIGINT phone or CPF column works); arrays, maps, structs and
 * binary values are refused when the query is analyzed, as is a wrong number of arguments.
 */
enum LagoaSqlFunction {
  HASH_KEY(
      "hash_key",
      1,
      Integer.MAX_VALUE,
      "_FUNC_(part1, part2, ...) - The hash key of the business-key parts, in the order given, under"
          + " the default hash standard lagoa-dv-v1 (MD5, upper-case hex): each part has its accents"
          + " removed (NFKD), is upper-cased and trimmed, an empty part counts as NULL, NULL parts"
          + " become ^^, parts are joined with ||. NULL when every part is NULL. See"
          + " docs/datavault.md.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new HashFunction(sqlName(), arguments.size(), HashStandard.DEFAULT, false);
    }
  },
  HASH_DIFF(
      "hash_diff",
      1,
      Integer.MAX_VALUE,
      "_FUNC_(attribute1, attribute2, ...) - The hash diff of descriptive attributes under the"
          + " default hash standard lagoa-dv-v1: like hash_key, but attributes are only trimmed (case"
          + " and accents count as changes), and it is never NULL.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new HashFunction(sqlName(), arguments.size(), HashStandard.DEFAULT, true);
    }
  },
  HASH_KEY_USING(
      "hash_key_using",
      2,
      Integer.MAX_VALUE,
      "_FUNC_(standard, part1, part2, ...) - hash_key under a named hash standard (a constant):"
          + " lagoa-dv-v1, lagoa-dv-v1-sha256, lagoa-dv-v1-md5-binary, lagoa-dv-v1-sha256-binary;"
          + " BINARY for the binary ones.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new HashFunction(sqlName(), arguments.size() - 1, standard(arguments), false);
    }
  },
  HASH_DIFF_USING(
      "hash_diff_using",
      2,
      Integer.MAX_VALUE,
      "_FUNC_(standard, attribute1, attribute2, ...) - hash_diff under a named hash standard (a"
          + " constant).") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new HashFunction(sqlName(), arguments.size() - 1, standard(arguments), true);
    }
  },
  GENERATE_PERSON_HASH(
      "generate_person_hash",
      3,
      4,
      "_FUNC_(nome, email, telefone [, region]) - The person hash key: hash_key of the normalized"
          + " name, the normalized e-mail and the phone in E.164 (numbers without a country code read"
          + " in region, a constant, BR by default); a part that does not normalize counts as NULL;"
          + " NULL when all three do.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      String region = arguments.size() == 4 ? region(arguments.get(3)) : PersonHash.DEFAULT_REGION;
      return new PersonHashFunction(sqlName(), 3, region);
    }

    @Override
    List<Expression> inputs(List<Expression> arguments) {
      return arguments.subList(0, 3);
    }
  },
  NORMALIZE_EMAIL(
      "normalize_email",
      1,
      1,
      "_FUNC_(s) - The e-mail address lower-cased, without white space, a display name or a mailto:,"
          + " or NULL when it is not an address.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new NormalizeFunction(sqlName(), NormalizeFunction.Kind.EMAIL);
    }
  },
  NORMALIZE_PHONE(
      "normalize_phone",
      1,
      2,
      "_FUNC_(s [, region]) - The phone number in E.164 (libphonenumber), numbers without a country"
          + " code read in region (BR by default; a constant or a column), or NULL when it is not a"
          + " valid number.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      if (arguments.size() == 1) {
        return new PhoneFunction(sqlName(), 1, PersonHash.DEFAULT_REGION);
      }
      Expression region = arguments.get(1);
      return new PhoneFunction(sqlName(), 2, region.foldable() ? region(region) : null);
    }
  },
  NORMALIZE_NAME(
      "normalize_name",
      1,
      1,
      "_FUNC_(s) - The person name without accents, upper-cased, punctuation and digits as spaces,"
          + " spaces collapsed; NULL when no letter is left.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new NormalizeFunction(sqlName(), NormalizeFunction.Kind.NAME);
    }
  },
  NORMALIZE_NAME_SORTED(
      "normalize_name_sorted",
      1,
      1,
      "_FUNC_(s) - normalize_name with its words sorted, to compare names written in another order.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new NormalizeFunction(sqlName(), NormalizeFunction.Kind.NAME_TOKENS_SORTED);
    }
  },
  NORMALIZE_CPF(
      "normalize_cpf",
      1,
      1,
      "_FUNC_(s) - The CPF's 11 digits when its check digits are right, else NULL.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new NormalizeFunction(sqlName(), NormalizeFunction.Kind.CPF);
    }
  },
  NORMALIZE_CNPJ(
      "normalize_cnpj",
      1,
      1,
      "_FUNC_(s) - The CNPJ's 14 characters (numeric or the alphanumeric CNPJ of 2026) when its"
          + " check digits are right, else NULL.") {
    @Override
    StringArgsFunction bind(List<Expression> arguments) {
      return new NormalizeFunction(sqlName(), NormalizeFunction.Kind.CNPJ);
    }
  };

  private final String sqlName;
  private final int minArguments;
  private final int maxArguments;
  private final String usage;

  LagoaSqlFunction(String sqlName, int minArguments, int maxArguments, String usage) {
    this.sqlName = sqlName;
    this.minArguments = minArguments;
    this.maxArguments = maxArguments;
    this.usage = usage;
  }

  /** The function for a call's arguments, their count and types already checked. */
  abstract StringArgsFunction bind(List<Expression> arguments);

  /** The arguments the function reads per row (constant settings left out). */
  List<Expression> inputs(List<Expression> arguments) {
    return this == HASH_KEY_USING || this == HASH_DIFF_USING
        ? arguments.subList(1, arguments.size())
        : arguments;
  }

  String sqlName() {
    return sqlName;
  }

  FunctionIdentifier identifier() {
    return new FunctionIdentifier(sqlName);
  }

  ExpressionInfo info() {
    return new ExpressionInfo(StringArgsFunction.class.getName(), null, sqlName, usage, "");
  }

  /** What Spark's registry calls with a call's analyzed arguments. */
  scala.Function1<Seq<Expression>, Expression> builder() {
    return new AbstractFunction1<>() {
      @Override
      public Expression apply(Seq<Expression> arguments) {
        return build(CollectionConverters.asJava(arguments));
      }
    };
  }

  Expression build(List<Expression> arguments) {
    int count = arguments.size();
    if (count < minArguments || count > maxArguments) {
      throw FunctionErrors.wrongCount(sqlName, expectedCount(), count);
    }
    for (int i = 0; i < count; i++) {
      Expression argument = arguments.get(i);
      if (!isScalar(argument.dataType())) {
        throw FunctionErrors.wrongType(sqlName, i + 1, DataTypes.StringType, argument);
      }
    }
    StringArgsFunction function = bind(arguments);
    List<Expression> inputs = inputs(arguments).stream().map(LagoaSqlFunction::asString).toList();
    Expression call =
        new ApplyFunctionExpression(function, CollectionConverters.asScala(inputs).toList());
    // Columns are named after the function, hash_key(id), rather than Spark's class name.
    call.setTagValue(FunctionRegistry.FUNC_ALIAS(), sqlName);
    return call;
  }

  private String expectedCount() {
    if (maxArguments == Integer.MAX_VALUE) {
      return "> " + (minArguments - 1);
    }
    return minArguments == maxArguments
        ? Integer.toString(minArguments)
        : "[" + minArguments + ", " + maxArguments + "]";
  }

  /** The named standard of a {@code *_using} call's first argument, a constant. */
  HashStandard standard(List<Expression> arguments) {
    String name = constant(arguments.get(0), "standard");
    try {
      return HashStandard.named(name);
    } catch (LagoaException e) {
      throw FunctionErrors.invalidValue(sqlName, "standard", e.getMessage());
    }
  }

  /** A constant region argument, checked. */
  String region(Expression argument) {
    String region = constant(argument, "region");
    if (!PhoneNormalizer.isKnownRegion(region)) {
      try {
        new PhoneNormalizer(region);
      } catch (LagoaException e) {
        throw FunctionErrors.invalidValue(sqlName, "region", e.getMessage());
      }
    }
    return region;
  }

  private String constant(Expression argument, String parameter) {
    if (!argument.foldable() || !(argument.dataType() instanceof StringType)) {
      throw FunctionErrors.notConstant(sqlName, parameter, DataTypes.StringType);
    }
    Object value = argument.eval(null);
    if (value == null) {
      throw FunctionErrors.invalidValue(sqlName, parameter, "it is NULL");
    }
    return ((UTF8String) value).toString();
  }

  private static boolean isScalar(DataType type) {
    return type instanceof NullType
        || (type instanceof AtomicType && !(type instanceof BinaryType));
  }

  private static Expression asString(Expression argument) {
    if (argument.dataType().equals(DataTypes.StringType)) {
      return argument;
    }
    return new Cast(argument, DataTypes.StringType, Option.empty());
  }
}
