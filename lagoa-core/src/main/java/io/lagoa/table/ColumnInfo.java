package io.lagoa.table;

/** A column as {@code lagoa table show} lists it; nested fields have dotted names. */
public record ColumnInfo(int fieldId, String name, String type, boolean required, String doc) {}
