package io.lagoa.text;

import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Wording shared by the YAML files Lagoa reads (lagoa.yaml, pipeline.yaml). */
public final class YamlNodes {
  private static final int MAX_SHOWN = 40;

  private YamlNodes() {}

  /**
   * What a node is, for "must be X, not Y": {@code a list}, {@code a mapping}, {@code empty} or the
   * value in quotes.
   */
  public static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (!(node instanceof ScalarNode scalar)) {
      return "a " + node.getNodeId();
    }
    if (isNull(scalar) || scalar.getValue().isEmpty()) {
      return "empty";
    }
    String text = scalar.getValue();
    return "'" + (text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text) + "'";
  }

  /** {@code key:} with nothing after it, or {@code ~}. */
  public static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  /**
   * The parser's problem. SnakeYAML splits some messages in two ("expected a single document in the
   * stream" + "but found another document"); those are joined.
   */
  public static String problem(MarkedYAMLException e) {
    String problem = e.getProblem();
    return e.getContext() != null && problem != null && problem.startsWith("but ")
        ? e.getContext() + " " + problem
        : problem;
  }
}
