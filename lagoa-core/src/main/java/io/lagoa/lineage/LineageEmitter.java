package io.lagoa.lineage;

import io.lagoa.config.LineageConfig;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the OpenLineage events of one pipeline run, in order, on a background thread, so a slow
 * or unreachable endpoint never holds up the run. The first failure is reported once and the rest
 * of the run's events are dropped: waiting out a timeout per event would stall the end of the run,
 * and a partial sequence is all a later retry could give anyway.
 */
public final class LineageEmitter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LineageEmitter.class);

  /** Sends one event; throws when it could not. */
  interface Sender extends AutoCloseable {
    void send(OpenLineage.RunEvent event) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  private final Sender sender;
  private final String target;
  private final Duration timeout;
  private final Consumer<String> warnings;
  private final ExecutorService queue;
  private volatile boolean failed;

  LineageEmitter(Sender sender, String target, Duration timeout, Consumer<String> warnings) {
    this.sender = sender;
    this.target = target;
    this.timeout = timeout;
    this.warnings = warnings;
    this.queue =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "lagoa-lineage");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * An emitter for the configured transport.
   *
   * @param console where the console transport writes each event (one JSON line)
   * @param warnings told once, in words for the user, when events cannot be delivered
   */
  public static LineageEmitter open(
      LineageConfig config, Consumer<String> console, Consumer<String> warnings) {
    Sender sender =
        switch (config.transport()) {
          case NONE -> event -> {};
          case CONSOLE -> event -> console.accept(json(event));
          case FILE -> fileSender(config.file().orElseThrow());
          case HTTP -> httpSender(config);
        };
    return new LineageEmitter(sender, config.describeTarget(), config.timeout(), warnings);
  }

  /** Queues an event; returns at once. */
  public void emit(OpenLineage.RunEvent event) {
    if (failed) {
      return;
    }
    queue.execute(() -> deliver(event));
  }

  private void deliver(OpenLineage.RunEvent event) {
    if (failed) {
      return;
    }
    try {
      sender.send(event);
    } catch (Exception e) {
      failed = true;
      LOG.debug("cannot send OpenLineage event to {}", target, e);
      warnings.accept(
          "cannot send OpenLineage events to "
              + target
              + ": "
              + reason(e)
              + "; the lineage of this run is incomplete (the run itself is not affected)");
    }
  }

  /** Waits for the queued events, at most about one timeout, then gives up on the rest. */
  @Override
  public void close() {
    queue.shutdown();
    try {
      if (!queue.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        queue.shutdownNow();
        if (!failed) {
          failed = true;
          warnings.accept(
              "cannot send OpenLineage events to "
                  + target
                  + ": no answer within "
                  + timeout.toSeconds()
                  + "s; the lineage of this run is incomplete");
        }
      }
    } catch (InterruptedException e) {
      queue.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      sender.close();
    } catch (Exception e) {
      LOG.debug("cannot close the OpenLineage transport", e);
    }
  }

  static String json(OpenLineage.RunEvent event) {
    return OpenLineageClientUtils.toJson(event).replace("\n", "").replace("\r", "");
  }

  private static Sender fileSender(Path file) {
    return event -> {
      Path parent = file.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(
          file,
          json(event) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    };
  }

  private static Sender httpSender(LineageConfig config) {
    HttpConfig http = new HttpConfig();
    http.setUrl(config.url().orElseThrow());
    http.setTimeoutInMillis((int) config.timeout().toMillis());
    config
        .apiKey()
        .ifPresent(
            key -> {
              ApiKeyTokenProvider auth = new ApiKeyTokenProvider();
              auth.setApiKey(key.value());
              http.setAuth(auth);
            });
    HttpTransport transport = new HttpTransport(http);
    return new Sender() {
      @Override
      public void send(OpenLineage.RunEvent event) {
        transport.emit(event);
      }

      @Override
      public void close() throws IOException {
        transport.close();
      }
    };
  }

  /** The innermost cause's message: "Connection refused", not the client's wrapper. */
  private static String reason(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (e.getMessage() != null && e.getMessage().startsWith("code:")) {
      message = "HTTP " + e.getMessage().substring("code:".length()).strip();
    }
    String type = cause.getClass().getSimpleName();
    return message.isBlank() ? type : message.length() > 300 ? message.substring(0, 300) : message;
  }
}
