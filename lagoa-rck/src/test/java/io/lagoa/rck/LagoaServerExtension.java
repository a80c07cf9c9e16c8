package io.lagoa.rck;

import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Points Iceberg's REST Compatibility Kit at a {@code lagoa server} in a child JVM. Registered for
 * every test class through Jupiter's extension auto-detection (META-INF/services and
 * junit.jupiter.extensions.autodetection.enabled in this module's pom), so it runs before the kit's
 * own RESTServerExtension and {@code @BeforeAll} methods: it starts one server for the whole run,
 * kept in the root store, which stops it when the run ends, and sets the properties the kit reads
 * (RCKUtils takes every system property as a catalog property of its client): {@code
 * rck.local=false} (no in-process reference server), {@code uri}, {@code warehouse} (the one
 * catalog the server serves, {@code lagoa}) and, when configured, {@code token}.
 */
public final class LagoaServerExtension implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LagoaServerExtension.class);

  /** The name of the catalog lagoa server serves; the spec's warehouse parameter. */
  private static final String WAREHOUSE = "lagoa";

  @Override
  public void beforeAll(ExtensionContext context) {
    LagoaServerProcess server =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                LagoaServerProcess.class,
                type -> LagoaServerProcess.start(),
                LagoaServerProcess.class);
    System.setProperty("rck.local", "false");
    System.setProperty("uri", server.uri().toString());
    System.setProperty("warehouse", WAREHOUSE);
    for (Map.Entry<String, String> property : server.clientProperties().entrySet()) {
      System.setProperty(property.getKey(), property.getValue());
    }
  }
}
