package io.lagoa.pipeline;

/** How many rows one expectation checked and how many failed it, in one flow of a run. */
public record ExpectationResult(
    String rule, String condition, ExpectationPolicy policy, long rowsChecked, long rowsFailed) {}
