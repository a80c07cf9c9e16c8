package io.lagoa.spark.demo;

/** Hears about each demo step as it starts and ends; the CLI prints them. */
public interface DemoListener {
  /** A step starts; {@code number} counts from 1 up to {@code total}. */
  default void started(DemoStep step, int number, int total) {}

  default void finished(StepResult result) {}

  /** A step failed; the exception is thrown right after. */
  default void failed(DemoStep step, RuntimeException error) {}
}
