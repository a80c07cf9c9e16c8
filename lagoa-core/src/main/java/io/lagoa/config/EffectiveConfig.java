package io.lagoa.config;

import java.util.List;

/**
 * A loaded configuration together with where each value came from: what {@code lagoa config} prints
 * to answer "why is it using this warehouse?".
 *
 * @param values every declared key in declaration order, set or not, secrets masked
 * @param ignoredEnvironment {@code LAGOA_*} variables that are no configuration key but close to
 *     one (typos, most likely), each with the key's variable it probably meant
 */
public record EffectiveConfig(
    LagoaConfig config, List<ConfigValue> values, List<String> ignoredEnvironment) {
  public EffectiveConfig {
    values = List.copyOf(values);
    ignoredEnvironment = List.copyOf(ignoredEnvironment);
  }
}
