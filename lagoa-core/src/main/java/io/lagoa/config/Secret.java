package io.lagoa.config;

/** A value that must never be printed or logged. */
public record Secret(String value) {
  @Override
  public String toString() {
    return "******";
  }
}
