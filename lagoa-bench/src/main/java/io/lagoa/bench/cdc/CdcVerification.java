package io.lagoa.bench.cdc;

import java.util.OptionalLong;

/**
 * How the target compares with what the changes imply.
 *
 * @param missing expected rows the target lacks (or holds with other values)
 * @param unexpected rows of the target that are not expected
 * @param referenceDifferences rows in which the reference copy differs from the expected rows
 */
public record CdcVerification(
    long expectedRows,
    long targetRows,
    long missing,
    long unexpected,
    OptionalLong referenceDifferences) {
  public boolean matches() {
    return missing == 0
        && unexpected == 0
        && expectedRows == targetRows
        && referenceDifferences.orElse(0) == 0;
  }
}
