package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.identity.GraphEvent;
import io.lagoa.identity.KeyKind;
import io.lagoa.identity.KeyRow;
import io.lagoa.identity.PersonExplanation;
import io.lagoa.identity.RecordRef;
import io.lagoa.identity.RecordRow;
import io.lagoa.identity.SameAs;
import io.lagoa.identity.SplitResult;
import io.lagoa.service.identity.IdentityService;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lagoa identity explain|split}: the persons of an identity graph (CREATE IDENTITY GRAPH).
 */
@Command(
    name = "identity",
    description = "Explain and correct the persons of an identity graph (see docs/identity.md).",
    mixinStandardHelpOptions = true,
    subcommands = {IdentityCommand.Explain.class, IdentityCommand.Split.class})
final class IdentityCommand extends CommandGroup {
  IdentityCommand(Cli cli) {
    super(cli);
  }

  /** The {@code --graph} option: which identity graph, when the catalog has several. */
  static final class GraphOption {
    @Option(
        names = "--graph",
        paramLabel = "TABLE",
        description = "The identity graph, e.g. silver.persons (default: the only one).")
    String name;

    /** The graph named, or the only one. */
    String resolve(IdentityService service) {
      return service.graph(Optional.ofNullable(name));
    }
  }

  @Command(
      name = "explain",
      description = {
        "The records of a person and why they were joined: the key and the rule of each record,",
        "the keys the person holds, the persons merged into it and its audit events.",
        "SUBJECT is a person id (p_...), an e-mail, a phone or a CPF."
      },
      mixinStandardHelpOptions = true)
  static final class Explain implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "SUBJECT", description = "A person id, e-mail, phone or CPF.")
    String subject;

    @Mixin GraphOption graph;

    @Mixin OutputOptions output;

    Explain(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      IdentityService service = new IdentityService(cli.lakehouse());
      String table = graph.resolve(service);
      List<PersonExplanation> persons = service.explain(table, subject);
      if (output.format() == OutputFormat.JSON) {
        JsonDocument.print(persons.size() == 1 ? persons.get(0) : persons, cli.out());
        return 0;
      }
      ZoneId zone = ZoneId.systemDefault();
      PrintWriter out = cli.out();
      for (int i = 0; i < persons.size(); i++) {
        if (i > 0) {
          out.println();
        }
        print(persons.get(i), zone, out);
      }
      out.flush();
      return 0;
    }

    private void print(PersonExplanation person, ZoneId zone, PrintWriter out) {
      out.println(
          "Person "
              + person.personId()
              + " in "
              + person.graph()
              + ": "
              + person.records().size()
              + " records");
      if (!person.mergedInto().isEmpty()) {
        out.println(
            "  "
                + person.asked()
                + " was merged: "
                + String.join(" -> ", person.mergedInto())
                + " -> "
                + person.personId());
      }
      out.println("  rules: " + person.rules());
      out.println();
      List<List<Object>> records = new ArrayList<>();
      for (RecordRow record : person.records()) {
        records.add(
            Arrays.asList(
                record.ref().toString(),
                text(record.name()),
                text(record.keys().get(KeyKind.EMAIL)),
                text(record.keys().get(KeyKind.PHONE)),
                text(record.keys().get(KeyKind.DOCUMENT)),
                why(record),
                time(record.loadedAt(), zone)));
      }
      cli.printer()
          .print(
              List.of("record", "name", "email", "phone", "document", "joined because", "loaded"),
              records,
              OutputFormat.TABLE,
              out);
      List<List<Object>> keys = new ArrayList<>();
      for (KeyRow key : person.keys()) {
        keys.add(
            Arrays.asList(
                key.key(),
                key.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                key.records(),
                String.join("; ", key.names())));
      }
      out.println();
      cli.printer()
          .print(List.of("key", "status", "records", "names"), keys, OutputFormat.TABLE, out);
      if (!person.sameAs().isEmpty()) {
        List<List<Object>> merges = new ArrayList<>();
        for (SameAs link : person.sameAs()) {
          merges.add(
              Arrays.asList(
                  link.mergedId(), link.survivorId(), time(link.mergedAt(), zone), link.reason()));
        }
        out.println();
        cli.printer()
            .print(List.of("merged", "into", "at", "why"), merges, OutputFormat.TABLE, out);
      }
      if (!person.events().isEmpty()) {
        List<List<Object>> events = new ArrayList<>();
        for (GraphEvent event : person.events()) {
          events.add(
              Arrays.asList(
                  time(event.at(), zone),
                  event.action().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                  event.detail()));
        }
        out.println();
        cli.printer().print(List.of("at", "event", "detail"), events, OutputFormat.TABLE, out);
      }
    }

    private static String why(RecordRow record) {
      if (record.matchKey() == null) {
        return record.matchedWith() == null
            ? record.matchRule()
            : record.matchRule() + " (" + record.matchedWith() + ")";
      }
      return record.matchKey()
          + " shared with "
          + record.matchedWith()
          + " ("
          + record.matchRule()
          + ")";
    }

    private static String text(String value) {
      return value == null ? "" : value;
    }

    private static String time(Instant instant, ZoneId zone) {
      return instant == null ? "" : Values.toText(instant, zone);
    }
  }

  @Command(
      name = "split",
      description = {
        "Move records off a person into a new person: the correction of a wrong merge. Keys",
        "both halves hold stop joining records, so later runs keep them apart. Audited."
      },
      mixinStandardHelpOptions = true)
  static final class Split implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "PERSON", description = "The person id to split, e.g. p_1a2b...")
    String person;

    @Option(
        names = "--records",
        paramLabel = "SOURCE/ID",
        split = ",",
        required = true,
        description = "The records to move, e.g. --records facebook/881,google/17.")
    List<String> records;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        required = true,
        description = "Why, kept in the graph's audit.")
    String reason;

    @Mixin GraphOption graph;

    @Mixin OutputOptions output;

    @Spec CommandLine.Model.CommandSpec spec;

    Split(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      List<RecordRef> refs = new ArrayList<>();
      for (String record : records) {
        try {
          refs.add(RecordRef.parse(record.strip()));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--records: " + e.getMessage());
        }
      }
      IdentityService service = new IdentityService(cli.lakehouse());
      String table = graph.resolve(service);
      SplitResult result = service.split(table, person, refs, reason);
      if (output.format() == OutputFormat.JSON) {
        JsonDocument.print(result, cli.out());
        return 0;
      }
      cli.out()
          .println(
              "split "
                  + result.moved().size()
                  + " records of "
                  + result.personId()
                  + " into "
                  + result.newPersonId()
                  + (result.ambiguousKeys().isEmpty()
                      ? ""
                      : "; keys both hold no longer join: "
                          + String.join(", ", result.ambiguousKeys())));
      cli.out().flush();
      return 0;
    }
  }
}
