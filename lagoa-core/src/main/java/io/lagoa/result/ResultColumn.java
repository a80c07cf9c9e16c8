package io.lagoa.result;

/** A result column: its name and the engine's type name (e.g. {@code decimal(10,2)}). */
public record ResultColumn(String name, String type) {}
