package io.lagoa.cli.logging;

import io.lagoa.config.Secrets;
import java.util.List;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.core.pattern.PatternFormatter;

/**
 * {@code %mask{pattern}} in log4j2.properties: formats the pattern, then masks secrets in the
 * result with {@link Secrets}, so a library that logs a JDBC URL, a property list or an exception
 * quoting either never writes a password to the log. Besides the key-pattern rule it masks the
 * secret values of the configuration the process loaded last ({@link #use}).
 */
@Plugin(name = "mask", category = PatternConverter.CATEGORY)
@ConverterKeys({"mask"})
public final class MaskingConverter extends LogEventPatternConverter {
  private static volatile Secrets secrets = Secrets.none();

  private final List<PatternFormatter> formatters;
  private final boolean handlesThrowable;

  private MaskingConverter(List<PatternFormatter> formatters) {
    super("mask", "mask");
    this.formatters = formatters;
    this.handlesThrowable = formatters.stream().anyMatch(PatternFormatter::handlesThrowable);
  }

  /** Called by log4j with the text between the braces. */
  public static MaskingConverter newInstance(Configuration config, String[] options) {
    if (options == null || options.length != 1) {
      throw new IllegalArgumentException("%mask needs one pattern, as in %mask{%msg%n%ex}");
    }
    return new MaskingConverter(PatternLayout.createPatternParser(config).parse(options[0]));
  }

  /** The secret values to mask from now on, besides the key-pattern rule. */
  public static void use(Secrets known) {
    secrets = known;
  }

  @Override
  public void format(LogEvent event, StringBuilder toAppendTo) {
    StringBuilder formatted = new StringBuilder();
    for (PatternFormatter formatter : formatters) {
      formatter.format(event, formatted);
    }
    toAppendTo.append(secrets.mask(formatted.toString()));
  }

  /** The nested pattern prints the exception (%ex): the layout must not append it unmasked. */
  @Override
  public boolean handlesThrowable() {
    return handlesThrowable;
  }
}
