package io.lagoa.pipeline;

/**
 * A data-quality rule: {@code CONSTRAINT name EXPECT (condition) ON VIOLATION ...}. A row passes
 * when the condition is true; false or NULL is a violation.
 *
 * @param condition the SQL boolean expression, as written between the parentheses
 * @param conditionPosition where the condition's text starts, to map errors inside it
 * @param position where the CONSTRAINT keyword is
 */
public record Expectation(
    String name,
    String condition,
    ExpectationPolicy policy,
    SourcePosition conditionPosition,
    SourcePosition position) {}
