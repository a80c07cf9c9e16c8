package io.lagoa.bench.identity;

/**
 * One generated lead as a source delivers it, raw, with the person it truly belongs to.
 *
 * @param source {@code crm}, {@code facebook} or {@code google}
 * @param person the true person's number (what the generator knows and the graph must find)
 */
public record LeadRecord(
    String source,
    String recordId,
    String name,
    String email,
    String phone,
    String document,
    long person) {}
