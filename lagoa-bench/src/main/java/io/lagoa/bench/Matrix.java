package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The settings a {@code --matrix} run varies. Every combination runs in its own JVM, so memory (the
 * JVM heap, which is Spark's memory in local mode) and cores (Spark's task slots and the processors
 * the JVM sees) really apply; layouts are copies of the vendas table.
 *
 * @param memory heap sizes such as {@code 2g}; empty keeps this JVM's
 * @param cores task slots; empty keeps the configured master
 * @param shufflePartitions empty keeps the configured number
 * @param layouts empty for the TPC-H suite or to keep the generated table
 */
public record Matrix(
    List<String> memory,
    List<Integer> cores,
    List<Integer> shufflePartitions,
    List<Layout> layouts) {
  /** Most combinations one run may have: each one starts a JVM and runs the whole suite. */
  public static final int MAX_COMBINATIONS = 64;

  public Matrix {
    memory = List.copyOf(memory);
    cores = List.copyOf(cores);
    shufflePartitions = List.copyOf(shufflePartitions);
    layouts = List.copyOf(layouts);
  }

  /** One combination; a null value means the run's default. */
  public record Combination(
      String memory, Integer cores, Integer shufflePartitions, Layout layout) {
    public String name() {
      List<String> parts = new ArrayList<>();
      if (cores != null) {
        parts.add("cores=" + cores);
      }
      if (memory != null) {
        parts.add("mem=" + memory);
      }
      if (shufflePartitions != null) {
        parts.add("shuffle=" + shufflePartitions);
      }
      if (layout != null) {
        parts.add(layout.label());
      }
      return parts.isEmpty() ? "default" : String.join(" ", parts);
    }
  }

  public List<Combination> combinations() {
    List<Combination> combinations = new ArrayList<>();
    for (String heap : orNull(memory)) {
      for (Integer slots : orNull(cores)) {
        for (Integer partitions : orNull(shufflePartitions)) {
          for (Layout layout : orNull(layouts)) {
            combinations.add(new Combination(heap, slots, partitions, layout));
          }
        }
      }
    }
    if (combinations.size() > MAX_COMBINATIONS) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot run a matrix of "
              + combinations.size()
              + " combinations: at most "
              + MAX_COMBINATIONS
              + " (each starts a JVM and runs the whole suite); give fewer values per option");
    }
    return combinations;
  }

  private static <T> List<T> orNull(List<T> values) {
    List<T> result = new ArrayList<>(values);
    if (result.isEmpty()) {
      result.add(null);
    }
    return result;
  }

  /** Every layout from lists of partitionings, sorts, file sizes and row-group sizes. */
  public static List<Layout> layouts(
      List<Layout.Partitioning> partitionings,
      List<String> sorts,
      List<OptionalLong> fileSizes,
      List<OptionalLong> rowGroupSizes) {
    List<Layout> layouts = new ArrayList<>();
    for (Layout.Partitioning partitioning : partitionings) {
      for (String sort : sorts) {
        for (OptionalLong fileSize : fileSizes) {
          for (OptionalLong rowGroupSize : rowGroupSizes) {
            layouts.add(new Layout(partitioning, sort, fileSize, rowGroupSize));
          }
        }
      }
    }
    return layouts;
  }

  /** Checks a heap size the way -Xmx takes it: a number and k, m or g. */
  public static String checkMemory(String text) {
    String value = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (!value.matches("[0-9]+[kmg]")) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use memory '" + text + "': expected a JVM heap size such as 2g or 1500m");
    }
    return value;
  }

  /** Settings of a combination for the results file, over the run's defaults. */
  public static Map<String, String> settings(Combination combination, Map<String, String> base) {
    Map<String, String> settings = new LinkedHashMap<>(base);
    if (combination.layout() != null) {
      settings.putAll(combination.layout().settings());
    }
    return settings;
  }
}
