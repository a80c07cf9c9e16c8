package io.lagoa.spark.demo;

/** The demo's steps, in the order they run. */
public enum DemoStep {
  PREPARE("prepare", "Check the demo's tables and create the namespaces"),
  BRONZE("bronze", "Land raw sales as text, the way a CSV export arrives"),
  SILVER("silver", "Type, clean and deduplicate into a table partitioned by month"),
  GOLD("gold", "Aggregate sales per product and per month"),
  MERGE("merge", "MERGE a batch of corrections and new sales into silver"),
  TIME_TRAVEL("time travel", "Read silver as it was before the MERGE"),
  SCHEMA_CHANGE("schema change", "Add a column and widen a type, without rewriting data"),
  CHANGE_FEED("change feed", "List the rows the MERGE changed");

  private final String label;
  private final String title;

  DemoStep(String label, String title) {
    this.label = label;
    this.title = title;
  }

  /** Short name, e.g. {@code time travel}. */
  public String label() {
    return label;
  }

  /** One line saying what the step does. */
  public String title() {
    return title;
  }
}
