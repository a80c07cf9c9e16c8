package io.lagoa.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Draws a pipeline graph as a text tree, Graphviz dot or a Mermaid flowchart. */
public final class GraphRenderer {
  private GraphRenderer() {}

  /**
   * A tree from each source (a table outside the pipeline, files, or a dataset that reads nothing)
   * down to what reads it. A dataset read by several others appears under each; its subtree is
   * drawn once and later marked "(see above)".
   */
  public static String text(PipelineGraph graph) {
    StringBuilder out = new StringBuilder();
    Set<String> drawn = new HashSet<>();
    Map<String, List<String>> readers = readersOfExternal(graph);
    for (Map.Entry<String, Input> external : graph.externalInputs().entrySet()) {
      out.append(external.getKey())
          .append("  (")
          .append(
              switch (external.getValue().kind()) {
                case FILE -> "files";
                case SOURCE ->
                    external.getKey().startsWith("kafka:") ? "kafka topic" : "landing folder";
                default -> "table";
              })
          .append(")\n");
      List<String> children = readers.get(external.getKey());
      for (int i = 0; i < children.size(); i++) {
        node(graph, children.get(i), "", i == children.size() - 1, drawn, out);
      }
    }
    for (Dataset dataset : graph.datasets()) {
      if (dataset.inputs().isEmpty() && !drawn.contains(dataset.name())) {
        out.append(dataset.name()).append("  (").append(describe(dataset)).append(")\n");
        drawn.add(dataset.name());
        List<String> children = graph.downstream(dataset.name());
        for (int i = 0; i < children.size(); i++) {
          node(graph, children.get(i), "", i == children.size() - 1, drawn, out);
        }
      }
    }
    return out.toString();
  }

  private static void node(
      PipelineGraph graph,
      String name,
      String indent,
      boolean last,
      Set<String> drawn,
      StringBuilder out) {
    Dataset dataset = graph.dataset(name).orElseThrow();
    out.append(indent).append(last ? "└── " : "├── ").append(name);
    if (!drawn.add(name)) {
      out.append("  (see above)\n");
      return;
    }
    out.append("  (").append(describe(dataset)).append(")\n");
    List<String> children = graph.downstream(name);
    String childIndent = indent + (last ? "    " : "│   ");
    for (int i = 0; i < children.size(); i++) {
      node(graph, children.get(i), childIndent, i == children.size() - 1, drawn, out);
    }
  }

  private static String describe(Dataset dataset) {
    StringBuilder text = new StringBuilder(dataset.kind().description());
    java.util.Optional<AutoCdc> cdc = dataset.statement().autoCdc();
    if (cdc.isPresent()) {
      text.append(", auto cdc")
          .append(cdc.get().fromSnapshot() ? " from snapshot" : "")
          .append(" (scd ")
          .append(cdc.get().scdType().number())
          .append(") on ")
          .append(String.join(", ", cdc.get().keys()));
    } else if (dataset.merges()) {
      text.append(", merge on ").append(String.join(", ", dataset.statement().keys()));
    }
    int rules = dataset.statement().expectations().size();
    if (rules > 0) {
      text.append(", ").append(rules).append(rules == 1 ? " expectation" : " expectations");
    }
    return text.toString();
  }

  private static Map<String, List<String>> readersOfExternal(PipelineGraph graph) {
    Map<String, List<String>> readers = new LinkedHashMap<>();
    for (Dataset dataset : graph.datasets()) {
      for (Input input : dataset.inputs()) {
        if (input.isExternal()) {
          List<String> list = readers.computeIfAbsent(input.name(), k -> new ArrayList<>());
          if (!list.contains(dataset.name())) {
            list.add(dataset.name());
          }
        }
      }
    }
    return readers;
  }

  /** Graphviz: {@code lagoa pipeline graph p --format dot | dot -Tsvg > p.svg}. */
  public static String dot(PipelineGraph graph) {
    StringBuilder out = new StringBuilder();
    out.append("digraph \"").append(escape(graph.spec().name())).append("\" {\n");
    out.append("  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for (Map.Entry<String, Input> external : graph.externalInputs().entrySet()) {
      out.append("  \"")
          .append(escape(external.getKey()))
          .append("\" [shape=cylinder, style=dashed];\n");
    }
    for (Dataset dataset : graph.datasets()) {
      out.append("  \"")
          .append(escape(dataset.name()))
          .append("\" [label=\"")
          .append(escape(dataset.name()))
          .append("\\n")
          .append(escape(describe(dataset)))
          .append('"');
      if (dataset.kind() == DatasetKind.TEMPORARY_VIEW) {
        out.append(", style=dotted");
      }
      out.append("];\n");
    }
    for (Dataset dataset : graph.datasets()) {
      for (String input : inputNames(dataset)) {
        out.append("  \"")
            .append(escape(input))
            .append("\" -> \"")
            .append(escape(dataset.name()))
            .append("\";\n");
      }
    }
    return out.append("}\n").toString();
  }

  /** Mermaid, which GitHub renders in Markdown: paste it into a ```mermaid block. */
  public static String mermaid(PipelineGraph graph) {
    Map<String, String> ids = new LinkedHashMap<>();
    StringBuilder out = new StringBuilder("flowchart LR\n");
    for (Map.Entry<String, Input> external : graph.externalInputs().entrySet()) {
      String id = "n" + ids.size();
      ids.put(external.getKey(), id);
      out.append("  ")
          .append(id)
          .append("[(\"")
          .append(mermaidText(external.getKey()))
          .append("\")]\n");
    }
    for (Dataset dataset : graph.datasets()) {
      String id = "n" + ids.size();
      ids.put(dataset.name(), id);
      String label =
          mermaidText(dataset.name())
              + "<br/><small>"
              + mermaidText(describe(dataset))
              + "</small>";
      out.append("  ")
          .append(id)
          .append(dataset.kind() == DatasetKind.TEMPORARY_VIEW ? "([\"" : "[\"")
          .append(label)
          .append(dataset.kind() == DatasetKind.TEMPORARY_VIEW ? "\"])\n" : "\"]\n");
    }
    for (Dataset dataset : graph.datasets()) {
      for (String input : inputNames(dataset)) {
        out.append("  ")
            .append(ids.get(input))
            .append(" --> ")
            .append(ids.get(dataset.name()))
            .append('\n');
      }
    }
    return out.toString();
  }

  private static List<String> inputNames(Dataset dataset) {
    List<String> names = new ArrayList<>();
    for (Input input : dataset.inputs()) {
      if (!names.contains(input.name())) {
        names.add(input.name());
      }
    }
    return names;
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String mermaidText(String text) {
    return text.replace("\"", "#quot;").replace("`", "#96;");
  }
}
