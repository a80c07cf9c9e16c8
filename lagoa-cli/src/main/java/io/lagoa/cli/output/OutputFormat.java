package io.lagoa.cli.output;

/** How results are printed: aligned text for people, CSV or JSON for scripts. */
public enum OutputFormat {
  TABLE,
  CSV,
  JSON
}
