package io.lagoa.service.produce;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to send to Kafka: JSON lines from a file or a stream, to one topic. Build one with {@link
 * #builder(String)}; {@link ProduceService#produce} checks the values.
 *
 * @param topic the topic to send to
 * @param file the JSON-lines file; null when {@code input} is given
 * @param input a stream of JSON lines (standard input, say), read once; null when {@code file} is
 *     given. The service does not close it.
 * @param bootstrapServers the brokers, {@code host:port[,...]}
 * @param keyField the field of each record whose value is the record key ({@code a.b} for a nested
 *     field); null: no key
 * @param rate records per second, evenly; 0 for as fast as the broker takes them
 * @param repeat how many times to send the file
 * @param loop send the file again and again until {@link ProduceService#stop()}
 * @param raw send every line as it is, blank and invalid ones included
 * @param createTopic create the topic when it does not exist
 * @param partitions partitions of a topic created because of {@code createTopic}
 */
public record ProduceOptions(
    String topic,
    Path file,
    InputStream input,
    String bootstrapServers,
    String keyField,
    double rate,
    int repeat,
    boolean loop,
    boolean raw,
    boolean createTopic,
    int partitions) {
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

  public ProduceOptions {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if ((file == null) == (input == null)) {
      throw new IllegalArgumentException("Cannot produce: give either a file or an input stream");
    }
  }

  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** Where the lines come from, for messages: the file's path or "standard input". */
  public String source() {
    return file == null ? "standard input" : file.toString();
  }

  /** Options with their defaults: no key, no rate limit, sent once, checked as JSON. */
  public static final class Builder {
    private final String topic;
    private Path file;
    private InputStream input;
    private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
    private String keyField;
    private double rate;
    private int repeat = 1;
    private boolean loop;
    private boolean raw;
    private boolean createTopic;
    private int partitions = 1;

    private Builder(String topic) {
      this.topic = topic;
    }

    public Builder file(Path file) {
      this.file = file;
      this.input = null;
      return this;
    }

    /** Lines from a stream, e.g. standard input; it can be read once, so no repeat or loop. */
    public Builder input(InputStream input) {
      this.input = input;
      this.file = null;
      return this;
    }

    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    public Builder keyField(String keyField) {
      this.keyField = keyField;
      return this;
    }

    public Builder rate(double rate) {
      this.rate = rate;
      return this;
    }

    public Builder repeat(int repeat) {
      this.repeat = repeat;
      return this;
    }

    public Builder loop(boolean loop) {
      this.loop = loop;
      return this;
    }

    public Builder raw(boolean raw) {
      this.raw = raw;
      return this;
    }

    public Builder createTopic(boolean createTopic) {
      this.createTopic = createTopic;
      return this;
    }

    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    public ProduceOptions build() {
      return new ProduceOptions(
          topic,
          file,
          input,
          bootstrapServers,
          keyField,
          rate,
          repeat,
          loop,
          raw,
          createTopic,
          partitions);
    }
  }
}
