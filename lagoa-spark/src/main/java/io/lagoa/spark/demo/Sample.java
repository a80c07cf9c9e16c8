package io.lagoa.spark.demo;

import io.lagoa.result.QueryResult;

/**
 * A few rows a step shows the user.
 *
 * @param title what the rows are
 * @param query the SQL that produced them, runnable with {@code lagoa sql}
 */
public record Sample(String title, String query, QueryResult result) {}
