package io.lagoa.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import io.lagoa.bench.Matrix;
import io.lagoa.cdc.PostgresCdcEngine;
import io.lagoa.cli.Main;
import io.lagoa.config.LagoaConfig;
import io.lagoa.kafka.KafkaBroker;
import io.lagoa.postgres.PostgresServer;
import io.lagoa.server.LagoaServer;
import io.lagoa.spark.LagoaSpark;
import java.net.URISyntaxException;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md as rules that fail the build: lagoa-core is engine-neutral,
 * the CLI is an adapter over services and never touches Spark itself, modules only use the ones
 * below them, and packages form no cycle. Each module's main classes are imported from where the
 * build put them (target/classes or the module's jar), so a rule names modules, not packages.
 */
class TestArchitecture {
  private static JavaClasses core;
  private static JavaClasses kafka;
  private static JavaClasses postgres;
  private static JavaClasses cdc;
  private static JavaClasses spark;
  private static JavaClasses bench;
  private static JavaClasses cli;
  private static JavaClasses server;
  private static JavaClasses all;

  @BeforeAll
  static void importModules() {
    core = classesOf(LagoaConfig.class);
    kafka = classesOf(KafkaBroker.class);
    postgres = classesOf(PostgresServer.class);
    cdc = classesOf(PostgresCdcEngine.class);
    spark = classesOf(LagoaSpark.class);
    bench = classesOf(Matrix.class);
    cli = classesOf(Main.class);
    server = classesOf(LagoaServer.class);
    all =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(
                Set.of(
                    location(LagoaConfig.class),
                    location(KafkaBroker.class),
                    location(PostgresServer.class),
                    location(PostgresCdcEngine.class),
                    location(LagoaSpark.class),
                    location(Matrix.class),
                    location(LagoaServer.class),
                    location(Main.class)));
  }

  @Test
  void coreIsEngineNeutral() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.spark..", "scala..", "io.lagoa.spark..")
        .because("lagoa-core is engine-neutral: the server, CDC and other engines build on it")
        .check(core);
  }

  @Test
  void coreUsesNoModuleAboveIt() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.lagoa.cli..", "io.lagoa.bench..", "io.lagoa.service..")
        .because("lagoa-core is the bottom layer")
        .check(core);
  }

  @Test
  void cliImportsNoSpark() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.spark..", "scala..")
        .because("the CLI parses arguments, calls a service and prints; Spark lives in lagoa-spark")
        .check(cli);
  }

  @Test
  void cliLeavesKafkaAndBenchEngineToServices() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "io.lagoa.bench.spark..")
        .because("producing to Kafka and running a bench are services the CLI calls")
        .check(cli);
  }

  @Test
  void duckDbIsAnEngineAndTheBenchsReference() {
    for (JavaClasses module : new JavaClasses[] {core, cdc, server, cli}) {
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.duckdb..", "io.lagoa.bench.duckdb..", "io.lagoa.spark.duckdb..")
          .because(
              "DuckDB runs inside the engine (lagoa-spark's DuckDB reads) and is what lagoa bench"
                  + " run --compare duckdb measures against; nothing else talks to it")
          .check(module);
    }
  }

  @Test
  void engineUsesNoAdapterOrBench() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.lagoa.cli..", "io.lagoa.bench..")
        .because("lagoa-spark sits below the bench and the adapters")
        .check(spark);
  }

  @Test
  void benchUsesNoAdapter() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.lagoa.cli..")
        .because("the bench is a library the CLI calls")
        .check(bench);
  }

  @Test
  void brokerLauncherStandsAlone() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.lagoa.kafka.broker..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.lagoa.spark..", "io.lagoa.cli..", "io.lagoa.bench..", "org.apache.kafka..")
        .because("the launcher runs the broker in a child JVM and needs only the JDK")
        .check(kafka);
  }

  @Test
  void cdcIsEngineNeutral() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.spark..",
            "scala..",
            "io.lagoa.spark..",
            "io.lagoa.cli..",
            "io.lagoa.bench..",
            "io.lagoa.server..")
        .because(
            "lagoa-cdc runs Debezium and hands out JSON: any engine or service can build on it,"
                + " and lagoa-spark turns it into rows")
        .check(cdc);
  }

  @Test
  void postgresLauncherStandsAlone() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.spark..",
            "scala..",
            "io.lagoa.spark..",
            "io.lagoa.cli..",
            "io.lagoa.bench..")
        .because(
            "the PostgreSQL launcher starts a server from zonky's binaries for lagoa dev postgres"
                + " and TestingPostgres; it needs no engine")
        .check(postgres);
  }

  @Test
  void serverUsesNoEngineOrOtherAdapter() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.spark..",
            "scala..",
            "io.lagoa.spark..",
            "io.lagoa.cli..",
            "io.lagoa.bench..")
        .because(
            "the catalog server runs on lagoa-core and Iceberg alone: it starts in a second and"
                + " needs no Spark")
        .check(server);
  }

  @Test
  void packagesFormNoCycle() {
    slices()
        .matching("io.lagoa.(**)")
        .should()
        .beFreeOfCycles()
        .because("a package cycle makes a layer impossible to take out or test alone")
        .check(all);
  }

  private static JavaClasses classesOf(Class<?> member) {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importLocations(Set.of(location(member)));
  }

  private static Location location(Class<?> member) {
    try {
      return Location.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
