package io.lagoa.bench.identity;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * Writes generated leads as the landing files of {@code examples/leads}: JSON Lines in {@code
 * crm/}, {@code facebook/} and {@code google/}, each source with its own field names, a touch time,
 * a campaign and the producer ({@code produtor_id}) the lead came for (missing in about 3%: a form
 * without the hidden field); and {@code truth.csv} (source, record_id, person) beside them.
 */
public final class LeadsFiles {
  private static final String[] CAMPAIGNS = {
    "black-friday", "lancamento-curso", "webinar-dados", "remarketing", "ebook-lakehouse"
  };
  private static final String[] PRODUTORES = {
    "prod-escola-dados", "prod-curso-ingles", "prod-financas-pessoais", "prod-fotografia"
  };

  private enum Source {
    CRM,
    FACEBOOK,
    GOOGLE
  }

  private LeadsFiles() {}

  /**
   * Writes {@code records} leads of seed {@code seed} below {@code data}; truth to {@code truth}.
   */
  public static void write(Path data, Path truth, long records, long seed) {
    Random random = new Random(seed + 1);
    Instant start = Instant.parse("2026-10-01T00:00:00Z");
    Map<Source, BufferedWriter> writers = new EnumMap<>(Source.class);
    try (BufferedWriter truthFile = Files.newBufferedWriter(truth, StandardCharsets.UTF_8)) {
      truthFile.write("source,record_id,person\n");
      for (Source source : Source.values()) {
        Path folder = data.resolve(source.name().toLowerCase(java.util.Locale.ROOT));
        Files.createDirectories(folder);
        writers.put(
            source,
            Files.newBufferedWriter(folder.resolve("leads-0001.jsonl"), StandardCharsets.UTF_8));
      }
      new LeadsGenerator(seed)
          .generate(
              records,
              lead -> {
                Instant at = start.plusSeconds(random.nextInt(60 * 24 * 3600));
                String campaign = CAMPAIGNS[random.nextInt(CAMPAIGNS.length)];
                String produtor =
                    random.nextDouble() < 0.03
                        ? null
                        : PRODUTORES[random.nextInt(PRODUTORES.length)];
                try {
                  truthFile.write(
                      lead.source() + "," + lead.recordId() + "," + lead.person() + "\n");
                  Source source = Source.valueOf(lead.source().toUpperCase(java.util.Locale.ROOT));
                  String line =
                      switch (source) {
                        case CRM ->
                            json(
                                "id",
                                lead.recordId(),
                                "nome",
                                lead.name(),
                                "email",
                                lead.email(),
                                "celular",
                                lead.phone(),
                                "cpf",
                                lead.document(),
                                "produtor_id",
                                produtor,
                                "criado_em",
                                at.toString());
                        case FACEBOOK ->
                            json(
                                "lead_id",
                                lead.recordId(),
                                "full_name",
                                lead.name(),
                                "email",
                                lead.email(),
                                "phone_number",
                                lead.phone(),
                                "campaign_name",
                                campaign,
                                "produtor_id",
                                produtor,
                                "created_time",
                                at.toString());
                        case GOOGLE ->
                            json(
                                "lead_id",
                                lead.recordId(),
                                "name",
                                lead.name(),
                                "email",
                                lead.email(),
                                "phone",
                                lead.phone(),
                                "campaign",
                                campaign,
                                "produtor_id",
                                produtor,
                                "submitted_at",
                                at.toString());
                      };
                  writers.get(source).write(line);
                  writers.get(source).write('\n');
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      for (BufferedWriter writer : writers.values()) {
        writer.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String json(String... pairs) {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        continue;
      }
      if (json.length() > 1) {
        json.append(", ");
      }
      json.append('"').append(pairs[i]).append("\": \"").append(escape(pairs[i + 1])).append('"');
    }
    return json.append('}').toString();
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** {@code LeadsFiles <data folder> <truth.csv> <records> <seed>}: regenerates the example. */
  public static void main(String[] args) {
    write(Path.of(args[0]), Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
  }
}
